/**
 * Runs a cross-check ROM on anillo (in-process: a Vm with the ROM mapped as
 * its BIOS) or on Bochs (a child process), returning what the guest printed
 * on the debug console (port 0xE9).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vm } from '../../../src/vmm/vm.js';
import { mapBios } from '../../../src/boot/bios.js';

/** The console output of one ROM run and how the run ended. */
export interface RunOutput {
  output: string;
  /** True when the harness printed its END line. */
  complete: boolean;
  message: string;
}

/** Instructions a ROM may take on anillo (a full ROM needs about 15 million). */
const ANILLO_BUDGET = 400_000_000;

/** Runs `rom` on anillo until the harness exits (isa-debug-exit), halts or faults. */
export function runOnAnillo(rom: Uint8Array, budget = ANILLO_BUDGET): RunOutput {
  const bytes: number[] = [];
  const vm = new Vm({
    memBytes: 2 << 20, // the harness uses RAM below 0x60000; a small VM is quick to build
    output: () => {},
    debugOutput: (b) => { for (const x of b) bytes.push(x); },
    sliceInstructions: 2_000_000,
  });
  mapBios(vm.memory, rom, 'bochs-crosscheck');
  vm.cpu.reset();
  let message = '';
  for (;;) {
    const exit = vm.runSlice();
    if (exit.reason === 'budget' || exit.reason === 'hlt') {
      if (vm.cpu.instructions >= budget) { message = `instruction budget (${budget}) exhausted`; break; }
      continue;
    }
    message = exit.reason === 'debug-exit' ? `debug-exit ${exit.status}` : `stopped: ${exit.reason}`;
    if (exit.reason === 'shutdown') message += ` (${exit.history.join(', ')})`;
    if (exit.reason === 'exception') message += ` #${exit.vector} at ${exit.cs.toString(16)}:${exit.eip.toString(16)}`;
    break;
  }
  const output = Buffer.from(bytes).toString('latin1');
  return { output, complete: /(^|\n)END\n/.test(output), message };
}

/** Why Bochs cannot run here, or undefined. */
export function bochsUnavailableReason(): string | undefined {
  const r = spawnSync('bochs', ['--help'], { stdio: 'ignore' });
  if (r.error) return 'bochs not found (Debian: apt-get install bochs bochsbios)';
  return undefined;
}

/**
 * The Bochs CPU model: a P6-family part. Pentium III (Katmai) rather than anillo's Pentium II
 * signature because Bochs ties the 0F 18 hint-NOP group to SSE (its Pentium II model raises #UD
 * there), while the SDM documents 0F 18-1F as hint NOPs on the P6 family.
 */
export const BOCHS_CPU_MODEL = 'p3_katmai';

/**
 * Runs `rom` on Bochs 2.7 (Debian's build: debugger compiled in, displays
 * rfb and wx only). The run is started with the debugger command "c"; the
 * harness prints END and halts, and the child is then stopped. Bochs' rfb
 * display listens on TCP port 5900: run one Bochs at a time.
 */
export async function runOnBochs(rom: Uint8Array, timeoutMs = 300_000): Promise<RunOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'anillo-bochs-'));
  try {
    writeFileSync(join(dir, 'rom.bin'), rom);
    writeFileSync(join(dir, 'bochsrc'), [
      'megs: 4',
      `romimage: file=${join(dir, 'rom.bin')}`,
      `cpu: model=${BOCHS_CPU_MODEL}, count=1, ips=50000000, reset_on_triple_fault=0`,
      'clock: sync=none',
      'display_library: rfb, options="timeout=0"',
      'port_e9_hack: enabled=1',
      'magic_break: enabled=0',
      'speaker: enabled=0',
      'sound: driver=dummy',
      `log: ${join(dir, 'bochs.log')}`,
      'panic: action=fatal',
      'error: action=report',
      'info: action=ignore',
      'debug: action=ignore',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'debugger.rc'), 'c\n');
    return await new Promise<RunOutput>((resolve) => {
      const child = spawn('bochs', ['-q', '-f', join(dir, 'bochsrc'), '-rc', join(dir, 'debugger.rc')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let done = false;
      const finish = (message: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
        resolve({ output: out, complete: /(^|\n)END\n/.test(out), message });
      };
      const timer = setTimeout(() => finish(`timeout after ${timeoutMs} ms`), timeoutMs);
      child.stdout.setEncoding('latin1');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (/(^|\n)END\n/.test(out.slice(-8192))) finish('END');
      });
      child.stderr.setEncoding('latin1');
      child.stderr.on('data', (chunk: string) => { err += chunk; });
      child.on('close', (code, signal) => finish(`bochs exited (${code ?? signal}) ${err.split('\n').filter((l) => /PANIC|error|\[/.test(l)).slice(-3).join(' | ')}`));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
