/**
 * WebAssembly emitters for the system instructions hot in a running kernel:
 * RDTSC (through the runtime, which reads the clock as the interpreter
 * does), the fences (nothing to order on one in-order processor, as
 * instructions/simd-state.ts says), CLI and PUSHF outside virtual-8086
 * mode. Each follows its interpreter handler; other forms decline.
 */
import { Op } from './module-builder.js';
import { F, type WasmEmitter } from './region.js';

/** Mode key bits (translator.ts modeKey): CPL, CR0.PE, EFLAGS.VM. */
const cplOf = (mode: number): number => (mode >> 2) & 3;
const PROTECTED = 16, VM86 = 32;
const IF = 0x200, VM_RF = 0x30000;

export const WASM_SYSTEM_EMITTERS: Record<string, WasmEmitter> = {
  RDTSC: (e) => { e.rdtsc(); return true; },
  // 0F AE with a register operand: /5../7 are LFENCE, MFENCE, SFENCE; /0../4 are #UD (the interpreter's).
  G15_Ex: (e) => e.insn.mod === 3 && e.insn.reg >= 5,
  CLI: (e) => {
    // instructions/system.ts requireIopl: in protected mode (not virtual-8086 here) CPL must not exceed IOPL.
    if ((e.mode & VM86) !== 0) return false;
    const f = e.L.flags[F.FLAGS], b = e.b;
    if ((e.mode & PROTECTED) !== 0 && cplOf(e.mode) > 0) {
      b.get(f).i32(12).op(Op.I32ShrU).i32(3).op(Op.I32And).i32(cplOf(e.mode)).op(Op.I32LtU).if();
      e.raise(13, 0);
      b.end();
    }
    b.get(f).i32(~IF).op(Op.I32And).set(f);
    return true;
  },
  PUSHF: (e) => {
    // instructions/stack.ts PUSHF: the image without VM and RF (virtual-8086 mode declines).
    if ((e.mode & VM86) !== 0) return false;
    e.materialize();
    e.b.get(e.L.flags[F.FLAGS]).i32(~VM_RF).op(Op.I32And);
    e.fit(e.osize);
    e.push(e.osize, e.keep());
    e.afterStore();
    return true;
  },
};
