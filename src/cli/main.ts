/**
 * `anillo` command line: parses arguments, builds a VM, boots what was asked
 * and relays guest output and input. Errors the user can fix are one line
 * on stderr with status 2; guest outcomes map to statuses as documented in
 * --help.
 */
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs, UsageError } from './args.js';
import { checkBootDisk, checkCdromImage, checkDiskImage, formatSize, type DriveImage } from './drive-images.js';
import { attachDrives } from './ide-drives.js';
import { Terminal } from './terminal.js';
import { BootError, findMultibootHeader, isBzImage, loadLinux, loadMultiboot, mapBios } from '../boot/index.js';
import { Vm, type VmResult } from '../vmm/vm.js';
import { setUpDirectBootFirmware, setUpSeaBiosFirmware } from '../vmm/firmware.js';

/** The VGA BIOS SeaBIOS gets by default: the ISA build for the board's non-PCI Bochs VGA (LFB at 0xE0000000). */
const DEFAULT_VGA_BIOS = 'vgabios-isavga.bin';

function readImage(path: string, what: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new BootError(`${path}: ${what} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof BootError) throw e;
    throw new BootError(`${path}: cannot open ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size === 0) throw new BootError(`${path}: ${what} is empty`);
  return new Uint8Array(readFileSync(path));
}

/** How main() ended: a status, and whether the VM must be abandoned mid-run (the user quit). */
interface Outcome { status: number; abandon: boolean }

async function main(argv: string[]): Promise<Outcome> {
  const action = parseArgs(argv);
  if (action.kind === 'help') {
    process.stdout.write(`${action.text}\n`);
    return { status: 0, abandon: false };
  }
  // Check every file before building the machine, so mistakes cost nothing.
  const images: DriveImage[] = [...action.disks.map(checkDiskImage), ...(action.cdrom ? [checkCdromImage(action.cdrom)] : [])];
  // Firmware boots the first disk unless there is a CD to try.
  if (action.bios && !action.cdrom && images.length > 0) checkBootDisk(images[0]);
  const kernel = action.kernel ? readImage(action.kernel, 'kernel') : undefined;
  const initrd = action.initrd ? readImage(action.initrd, 'initrd') : undefined;
  const bios = action.bios ? readImage(action.bios, 'BIOS image') : undefined;
  const vgaBiosPath = action.vgaBios ?? (action.bios ? join(dirname(action.bios), DEFAULT_VGA_BIOS) : undefined);
  const vgaBios = vgaBiosPath && (action.vgaBios || existsSync(vgaBiosPath))
    ? { name: basename(vgaBiosPath), bytes: readImage(vgaBiosPath, 'VGA BIOS') } : undefined;
  const firmwareLog = action.firmwareLog ? createWriteStream(action.firmwareLog) : undefined;

  const ide = attachDrives(images, action.snapshot);
  for (const note of ide.notes) process.stderr.write(`anillo: ${note}\n`);

  const vm = new Vm({
    memBytes: action.memBytes,
    drives: ide.drives,
    jit: !action.jit ? false : {
      ...(action.lockstep ? { lockstep: true, lockstepEvery: action.lockstepEvery } : {}),
      ...(action.jitThreshold !== undefined ? { hotThreshold: action.jitThreshold } : {}),
      ...(action.jitBackend !== undefined ? { backend: action.jitBackend } : {}),
    },
    output: (bytes) => process.stdout.write(bytes),
    log: (line) => process.stderr.write(`anillo: ${line}\n`),
    firmwareLog: firmwareLog && ((bytes) => firmwareLog.write(bytes)),
  });
  if (kernel && action.kernel) {
    if (isBzImage(kernel)) {
      setUpDirectBootFirmware(vm);
      const boot = loadLinux(vm.cpu, vm.memory, kernel, action.kernel, {
        cmdline: action.append,
        initrd: initrd && action.initrd ? { bytes: initrd, name: action.initrd } : undefined,
      });
      const version = boot.image.kernelVersion ? `Linux ${boot.image.kernelVersion.split(' ')[0]}` : 'Linux';
      const rd = boot.initrd ? `, initrd ${formatSize(boot.initrd.sizeBytes)} at 0x${boot.initrd.gpa.toString(16)}` : '';
      process.stderr.write(`anillo: booting ${version} (boot protocol ${boot.image.protocolText}), ${vm.memory.ramBytes >> 20} MiB RAM${rd}\n`);
    } else if (findMultibootHeader(kernel) >= 0) {
      if (initrd) throw new UsageError(`--initrd needs a Linux bzImage; ${action.kernel} is a Multiboot kernel`);
      loadMultiboot(vm.cpu, vm.memory, kernel, action.kernel, action.append);
    } else {
      throw new BootError(`${action.kernel}: neither a Linux bzImage (no "HdrS" setup header) nor a Multiboot kernel (no header in the first 8 KiB)`);
    }
  } else if (bios && action.bios) {
    mapBios(vm.memory, bios, action.bios);
    setUpSeaBiosFirmware(vm, vgaBios);
    vm.cpu.reset();
  }

  let quit!: () => void;
  const quitted = new Promise<'quit'>((resolve) => { quit = () => resolve('quit'); });
  const terminal = new Terminal(
    { input: process.stdin, notice: (text) => process.stderr.write(text) },
    { toGuest: (bytes) => vm.com1.receive(bytes), quit },
  );
  const started = process.hrtime.bigint();
  let result: VmResult | 'quit';
  try {
    result = await Promise.race([vm.run(action.maxInstructions), quitted]);
  } finally {
    terminal.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(result === 'quit'
    ? `anillo: stopped after ${vm.cpu.instructions} instructions; last at ${vm.cpu.where()}\n`
    : `anillo: ${result.message}\n`);
  if (action.stats) {
    const mips = vm.cpu.instructions / seconds / 1e6;
    process.stderr.write(`anillo: ${vm.cpu.instructions} instructions in ${seconds.toFixed(3)} s (${mips.toFixed(1)} MIPS); exits ${JSON.stringify(vm.exitCounts)}\n`);
    const t = vm.cpu.translator;
    if (t) {
      const c = t.cache;
      process.stderr.write(`anillo: translator: ${t.blocksRun} region runs${t.chainedRuns > 0 ? ` (${t.chainedRuns} in WebAssembly chains)` : ''}; ${c.compiled} compiled${c.compiledWasm > 0 ? ` (${c.compiledWasm} to WebAssembly, in ${t.wasmModules} modules)` : ''}, ${c.blocks} cached (${(c.sourceBytes / 1024).toFixed(0)} KiB of source or modules), ${c.invalidated} invalidated, ${c.flushes} flushes\n`);
    }
  }
  const lockstep = vm.cpu.translator?.lockstep;
  if (lockstep) {
    const d = lockstep.divergence;
    process.stderr.write(`anillo: lockstep: ${lockstep.checked} blocks checked, ${lockstep.unchecked} unchecked (device I/O, x87, RDTSC, self-modified); ${d ? 'DIVERGENCE' : 'no divergence'}\n`);
    if (d) {
      process.stderr.write(`anillo: first divergent block at cs:${d.eip.toString(16)} mode 0x${d.mode.toString(16)}; before: ${d.before}\n`);
      for (const line of d.differences) process.stderr.write(`anillo:   ${line} (interpreter vs translator)\n`);
      process.stderr.write(d.source);
      return { status: 1, abandon: false };
    }
  }
  return result === 'quit' ? { status: 0, abandon: true } : { status: result.status, abandon: false };
}

main(process.argv.slice(2)).then(
  ({ status, abandon }) => {
    process.exitCode = status;
    // The VM's run loop is still scheduled when the user quits; end the process here.
    if (abandon) process.exit(status);
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof BootError) {
      process.stderr.write(`anillo: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  },
);
