/**
 * Operand plumbing and the state checks shared by the MMX, SSE and SSE2
 * instructions (the families simd-integer.ts, simd-move.ts, simd-float.ts,
 * simd-convert.ts and simd-state.ts).
 *
 * State checks (SDM Vol. 3A §13.1-§13.2 and Vol. 2 §2.4 exception classes;
 * Vol. 1 §9.5-§9.6 and Vol. 3A §12.2 for MMX):
 * - MMX forms (`P`/`Q`/`N` operands): #UD if CR0.EM; #NM if CR0.TS; #MF for
 *   a pending unmasked x87 exception. Then the MMX state transition: TOP = 0
 *   and every tag valid (Vol. 3A §12.2, Table 12-2). Writing an MMX
 *   register sets bits 64-79 of its 80-bit register to all ones (ibid.).
 * - SSE/SSE2 forms: #UD if CR0.EM or if CR4.OSFXSR is clear; #NM if CR0.TS.
 *   Forms that also touch an MMX register make the MMX transition too.
 * - Unmasked SIMD floating-point exceptions (§13.2, Vol. 1 §11.5.2): the
 *   destination is left alone, MXCSR gets the flags, and #XM is raised with
 *   CR4.OSXMMEXCPT set, #UD without.
 *
 * Operands follow SDM Vol. 2 Appendix A: P/N an MMX register by ModRM.reg/
 * rm, Q an MMX register or memory, V/U an XMM register by reg/rm, W an XMM
 * register or memory. 16-byte memory operands of the aligned forms must be
 * 16-byte aligned (#GP(0)).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Cr0, Cr4, Vector } from '../registers.js';
import type { Lanes } from '../simd/sse-state.js';
import type { SseFloat } from '../simd/sse-float.js';
import { waitForErrors } from './x87-status.js';
import { offsetBy, probeWrite } from './x87-memory.js';

/**
 * Checks for an MMX-register instruction and asks for the MMX state
 * transition, which {@link withMmxTransition} makes once the instruction
 * has completed (a fault on a memory operand leaves the x87 state as it
 * was, as on the host CPU). Returns false when the CPU froze on a pending
 * x87 error (CR0.NE = 0, see x87-status.ts): the instruction must stop.
 */
export function mmxEnter(cpu: Cpu): boolean {
  if ((cpu.cr0 & Cr0.EM) !== 0) throw new CpuException(Vector.UD);
  if ((cpu.cr0 & Cr0.TS) !== 0) throw new CpuException(Vector.NM);
  if (waitForErrors(cpu)) return false;
  cpu.sse.mmxTransition = true;
  return true;
}

/**
 * Wraps a family's handlers so that an instruction that passed
 * {@link mmxEnter} and completed makes the MMX transition: TOP = 0, every
 * tag valid (SDM Vol. 3A §12.2, Table 12-2).
 */
export function withMmxTransition(handlers: Record<string, Handler>): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [name, h] of Object.entries(handlers)) {
    out[name] = (cpu: Cpu): void => {
      const sse = cpu.sse;
      sse.mmxTransition = false;
      h(cpu);
      if (sse.mmxTransition) {
        sse.mmxTransition = false;
        cpu.fpu.top = 0;
        cpu.fpu.emptyMask = 0;
      }
    };
  }
  return out;
}

/**
 * What an SSE/SSE2 instruction on XMM registers or MXCSR raises under the
 * current CR0 and CR4 before anything else: #UD with CR0.EM or without
 * CR4.OSFXSR, else #NM with CR0.TS, else 0 (it may run). WebAssembly
 * regions read it from the state block (StateWord.SSE_FAULT).
 */
export function sseFaultVector(cpu: Cpu): number {
  if ((cpu.cr0 & Cr0.EM) !== 0 || (cpu.cr4 & Cr4.OSFXSR) === 0) return Vector.UD;
  if ((cpu.cr0 & Cr0.TS) !== 0) return Vector.NM;
  return 0;
}

/** Checks for an SSE/SSE2 instruction on XMM registers or MXCSR. */
export function sseEnter(cpu: Cpu): void {
  const vector = sseFaultVector(cpu);
  if (vector !== 0) throw new CpuException(vector);
}

/** SSE checks, then the MMX transition (CVTPI2PS, MOVQ2DQ, … which use both register files). */
export function sseMmxEnter(cpu: Cpu): boolean {
  sseEnter(cpu);
  return mmxEnter(cpu);
}

// ---- registers ---------------------------------------------------------------------------

/** MMX register r into the low 8 bytes of `l`. */
export function getMm(cpu: Cpu, r: number, l: Lanes): void {
  const v = cpu.fpu.regs[r]!;
  l.i32[0] = v.lo; l.i32[1] = v.hi;
}

/** The low 8 bytes of `l` into MMX register r (exponent and sign field all ones). */
export function setMm(cpu: Cpu, r: number, l: Lanes): void {
  cpu.fpu.regs[r]!.set(0xffff, l.i32[1]!, l.i32[0]!);
}

/** Sets MMX register r from two dwords. */
export function setMmWords(cpu: Cpu, r: number, lo: number, hi: number): void {
  cpu.fpu.regs[r]!.set(0xffff, hi, lo);
}

/** XMM register r into `l`. */
export function getXmm(cpu: Cpu, r: number, l: Lanes): void {
  const x = cpu.sse.xmm, k = r << 2;
  l.i32[0] = x[k]!; l.i32[1] = x[k + 1]!; l.i32[2] = x[k + 2]!; l.i32[3] = x[k + 3]!;
}

/** `l` into XMM register r. */
export function setXmm(cpu: Cpu, r: number, l: Lanes): void {
  const x = cpu.sse.xmm, k = r << 2;
  x[k] = l.i32[0]!; x[k + 1] = l.i32[1]!; x[k + 2] = l.i32[2]!; x[k + 3] = l.i32[3]!;
}

// ---- memory --------------------------------------------------------------------------------

/** #GP(0) unless the memory operand's linear address is 16-byte aligned (SDM Vol. 2 "MOVAPS" etc.). */
export function checkAligned16(cpu: Cpu): void {
  if (((cpu.segBase[cpu.eaSeg]! + cpu.eaOff) & 15) !== 0) throw new CpuException(Vector.GP, 0);
}

/** Reads `bytes` (4, 8 or 16) of the memory operand into `l` (the rest of `l` is left as is). */
export function readMemLanes(cpu: Cpu, l: Lanes, bytes: number, aligned = false): void {
  if (aligned) checkAligned16(cpu);
  for (let k = 0; k < bytes >> 2; k++) l.i32[k] = cpu.readMem(4, cpu.eaSeg, offsetBy(cpu, 4 * k));
}

/** Writes `bytes` (4, 8 or 16) of `l` to the memory operand, checked in full first. */
export function writeMemLanes(cpu: Cpu, l: Lanes, bytes: number, aligned = false): void {
  if (aligned) checkAligned16(cpu);
  probeWrite(cpu, bytes);
  for (let k = 0; k < bytes >> 2; k++) cpu.writeMem(4, cpu.eaSeg, offsetBy(cpu, 4 * k), l.i32[k]!);
}

/** Q operand (MMX register or `bytes` of memory) into `l`. */
export function readQ(cpu: Cpu, l: Lanes, bytes = 8): void {
  if (cpu.modrmMod === 3) getMm(cpu, cpu.modrmRm, l);
  else readMemLanes(cpu, l, bytes);
}

/** W operand (XMM register or `bytes` of memory, aligned for the 16-byte forms that say so) into `l`. */
export function readW(cpu: Cpu, l: Lanes, bytes = 16, aligned = true): void {
  if (cpu.modrmMod === 3) getXmm(cpu, cpu.modrmRm, l);
  else readMemLanes(cpu, l, bytes, aligned && bytes === 16);
}

// ---- SIMD floating-point exceptions ----------------------------------------------------------

/** The pre-computation exceptions IE, DE, ZE and the post-computation ones OE, UE, PE (MXCSR bits). */
const PRE = 0x07, OE = 0x08, UE = 0x10, PE = 0x20;

/**
 * Ends the arithmetic of an SSE instruction (all elements computed with the
 * masked responses): merges its flags into MXCSR, or raises the SIMD
 * floating-point exception before the destination is written (SDM Vol. 1
 * §11.5.3.2 "Handling Unmasked Exceptions", Vol. 3A §13.2): #XM with
 * CR4.OSXMMEXCPT, #UD without.
 *
 * - An unmasked pre-computation exception (IE, DE, ZE) in any element:
 *   only the pre-computation flags of all elements are set.
 * - Otherwise the post-computation flags too (OE, UE, PE; see
 *   SseFloat.merge for UE when unmasked), and the exception if one of
 *   them is unmasked.
 */
export function sseFinish(cpu: Cpu, fp: SseFloat): void {
  const mx = cpu.sse.mxcsr;
  const masks = (mx >> 7) & 0x3f;
  const flags = fp.flags;
  const pre = flags & PRE;
  if ((pre & ~masks) !== 0) {
    cpu.sse.mxcsr = mx | pre;
    throw new CpuException((cpu.cr4 & Cr4.OSXMMEXCPT) !== 0 ? Vector.XM : Vector.UD);
  }
  const post = flags & (OE | UE | PE);
  cpu.sse.mxcsr = mx | pre | post;
  if ((post & ~masks) !== 0) {
    throw new CpuException((cpu.cr4 & Cr4.OSXMMEXCPT) !== 0 ? Vector.XM : Vector.UD);
  }
}
