/**
 * Interpreter and translator speed on a compute-bound guest: boots the compute test kernel
 * (CRC-32 over 64 KiB, `rounds` times, plus a prime sieve) and reports guest
 * instructions retired per second of host time. Run with `npm run bench`
 * (build/guests/compute.elf must exist: `bash scripts/build-guests.sh`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Vm } from '../src/vmm/vm.js';
import { loadMultiboot } from '../src/boot/multiboot.js';

const KERNEL = fileURLToPath(new URL('../../build/guests/compute.elf', import.meta.url));
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 16);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);

async function once(jit: boolean): Promise<{ instructions: number; seconds: number; cpuSeconds: number; output: string }> {
  let output = '';
  const vm = new Vm({ jit, memBytes: 16 << 20, output: (b) => { output += Buffer.from(b).toString('latin1'); } });
  loadMultiboot(vm.cpu, vm.memory, new Uint8Array(readFileSync(KERNEL)), 'compute.elf', `compute.elf rounds=${ROUNDS}`);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = await vm.run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (result.status !== 33) throw new Error(`compute kernel did not pass: ${result.message}\n${output}`);
  return { instructions: vm.cpu.instructions, seconds, cpuSeconds, output };
}

/** Runs the kernel REPEATS times on one engine and prints its rows; returns the best MIPS. */
async function engine(name: string, jit: boolean): Promise<number> {
  const rows: string[] = [];
  let best = 0;
  for (let i = 0; i < REPEATS; i++) {
    const r = await once(jit);
    const mips = r.instructions / r.seconds / 1e6;
    best = Math.max(best, mips);
    // CPU time too: on a shared machine wall time says more about the neighbours than about us.
    const cpuMips = r.instructions / r.cpuSeconds / 1e6;
    rows.push(`run ${i + 1}: ${(r.instructions / 1e6).toFixed(1)} M instructions in ${r.seconds.toFixed(3)} s = ${mips.toFixed(1)} MIPS (${cpuMips.toFixed(1)} per CPU-second)`);
  }
  console.log(`anillo ${name}, compute kernel (CRC-32 ${ROUNDS} x 64 KiB + sieve), Node ${process.version}`);
  for (const row of rows) console.log(`  ${row}`);
  console.log(`best: ${best.toFixed(1)} MIPS`);
  return best;
}

// BENCH_ENGINES=interpreter or =translator runs one of the two rows.
const engines = (process.env['BENCH_ENGINES'] ?? 'interpreter,translator').split(',');
const results: Record<string, number> = {};
if (engines.includes('interpreter')) results['interpreter'] = await engine('interpreter', false);
if (engines.includes('translator')) results['translator'] = await engine('translator', true);
if (results['interpreter'] && results['translator']) {
  console.log(`translator / interpreter: ${(results['translator'] / results['interpreter']).toFixed(2)}x`);
}
