/**
 * x87 speed: an FPU-heavy guest loop (FMUL, FADD, FDIV, FSQRT on the stack,
 * plus the loop's DEC/JNZ) against the same loop shape in integer
 * instructions (IMUL, ADD, DIV-free mix), both on a bare protected-mode CPU
 * (tools/cpu-harness.ts), reported in guest MIPS; and the heap growth over
 * the run, which should be nil: the 80-bit arithmetic allocates nothing.
 * Compare with the compute kernel of bench/interpreter.ts (`npm run bench`).
 *
 *   node dist/bench/x87.js   (BENCH_ITERATIONS, BENCH_REPEATS to change the size)
 */
import { HarnessMachine } from '../tools/cpu-harness.js';
import { assemble } from '../test/support/asm.js';
import { Cr0, Reg } from '../src/cpu/registers.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 2_000_000);
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const CODE = 0x1000, DATA = 0x8000;

const FPU_LOOP = `
  fninit
  fld qword [${DATA}]
  fld1
.loop:
  fmul st0, st1
  fadd st0, st1
  fdiv st0, st1
  fsqrt
  dec ecx
  jnz .loop
  ud2`;

const INT_LOOP = `
  mov eax, 1
  mov ebx, 3
.loop:
  imul eax, ebx
  add eax, ebx
  xor eax, edx
  shr eax, 1
  dec ecx
  jnz .loop
  ud2`;

function once(src: string): { mips: number; heapKb: number; instructions: number } {
  const m = new HarnessMachine({ memBytes: 1 << 20 });
  m.protectedMode(0);
  m.cpu.cr0 |= Cr0.NE | Cr0.MP;
  m.load(CODE, assemble(src, 32, CODE));
  const c = new DataView(new ArrayBuffer(8));
  c.setFloat64(0, 1.000_000_1, true);
  m.load(DATA, new Uint8Array(c.buffer));
  m.cpu.eip = CODE;
  m.cpu.regs[Reg.ECX] = ITERATIONS;
  m.cpu.regs[Reg.ESP] = 0x7000;
  // Warm up the JIT on a short run first.
  m.run(50_000);
  const startInstructions = m.cpu.instructions;
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  m.run(ITERATIONS * 6 + 100);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const heap1 = process.memoryUsage().heapUsed;
  const instructions = m.cpu.instructions - startInstructions;
  return { mips: instructions / seconds / 1e6, heapKb: (heap1 - heap0) / 1024, instructions };
}

for (const [name, src] of [['x87 loop (FMUL FADD FDIV FSQRT DEC JNZ)', FPU_LOOP], ['integer loop (IMUL ADD XOR SHR DEC JNZ)', INT_LOOP]] as const) {
  let best = 0;
  const rows: string[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const r = once(src);
    best = Math.max(best, r.mips);
    rows.push(`${(r.instructions / 1e6).toFixed(1)} M instructions, ${r.mips.toFixed(1)} MIPS, heap ${r.heapKb >= 0 ? '+' : ''}${r.heapKb.toFixed(0)} KiB`);
  }
  console.log(`${name}, Node ${process.version}`);
  for (const row of rows) console.log(`  ${row}`);
  console.log(`  best: ${best.toFixed(1)} MIPS`);
}
