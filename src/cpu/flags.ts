/**
 * Lazy arithmetic flags. An operation records its kind, operands, result and
 * size; CF/PF/AF/ZF/SF/OF are computed only when read (SDM Vol. 1 §3.4.3.1
 * and Appendix A "EFLAGS Cross-Reference" for which instruction sets which).
 * `cpu.lazyMask` says which of the six flags are pending; the rest of EFLAGS
 * lives in `cpu.flags`.
 */
import type { Cpu } from './cpu.js';
import { ARITH_FLAGS, Flag } from './registers.js';

/** Kinds of flag-producing operations. ADC/SBB are recorded only with carry-in 1. */
export const enum LazyOp {
  ADD = 1, ADC = 2, SUB = 3, SBB = 4, LOGIC = 5, INC = 6, DEC = 7,
  /** Only SF/ZF/PF come from the result; the other flags were set eagerly. */
  RESULT = 8,
}

/** Mask of an operand of `size` bytes. */
export function sizeMask(size: number): number {
  return size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
}

/** Sign bit of an operand of `size` bytes. */
export function signBit(size: number): number {
  return size === 4 ? 0x8000_0000 | 0 : size === 2 ? 0x8000 : 0x80;
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let v = i; v; v >>= 1) bits += v & 1;
  PARITY[i] = bits & 1 ? 0 : Flag.PF;
}

/** PF for a result: set when its low byte has an even number of ones. */
export function parityFlag(result: number): number { return PARITY[result & 0xff]; }

/** Records an arithmetic result; all six flags become lazy. */
export function setLazy(cpu: Cpu, op: LazyOp, a: number, b: number, result: number, size: number): void {
  cpu.lazyOp = op;
  cpu.lazyA = a;
  cpu.lazyB = b;
  cpu.lazyR = result;
  cpu.lazySize = size;
  cpu.lazyMask = ARITH_FLAGS;
}

/** INC/DEC: like ADD/SUB of 1 but CF is preserved (SDM Vol. 2 "INC"). */
export function setLazyKeepCarry(cpu: Cpu, op: LazyOp, a: number, result: number, size: number): void {
  const cf = getCF(cpu);
  cpu.flags = (cpu.flags & ~Flag.CF) | cf;
  cpu.lazyOp = op;
  cpu.lazyA = a;
  cpu.lazyB = 1;
  cpu.lazyR = result;
  cpu.lazySize = size;
  cpu.lazyMask = ARITH_FLAGS & ~Flag.CF;
}

/**
 * Sets CF, OF and AF eagerly (`eager` holds their values) and leaves SF, ZF
 * and PF to be computed from `result`: the shape of shifts and rotates-free
 * multiplications, BCD adjusts and the like.
 */
export function setResultFlags(cpu: Cpu, result: number, size: number, eager: number): void {
  if (cpu.lazyMask !== 0) materializeFlags(cpu);
  cpu.flags = (cpu.flags & ~(Flag.CF | Flag.OF | Flag.AF)) | (eager & (Flag.CF | Flag.OF | Flag.AF));
  cpu.lazyOp = LazyOp.RESULT;
  cpu.lazyR = result;
  cpu.lazySize = size;
  cpu.lazyMask = Flag.SF | Flag.ZF | Flag.PF;
}

/** Writes some arithmetic flags directly, keeping the others' current values. */
export function setSomeFlags(cpu: Cpu, which: number, values: number): void {
  if (cpu.lazyMask !== 0) materializeFlags(cpu);
  cpu.flags = (cpu.flags & ~which) | (values & which);
}

function computeCF(cpu: Cpu): number {
  const m = sizeMask(cpu.lazySize);
  const a = (cpu.lazyA & m) >>> 0, b = (cpu.lazyB & m) >>> 0, r = (cpu.lazyR & m) >>> 0;
  switch (cpu.lazyOp) {
    case LazyOp.ADD: return r < a ? 1 : 0;
    case LazyOp.ADC: return r <= a ? 1 : 0;
    case LazyOp.SUB: return a < b ? 1 : 0;
    case LazyOp.SBB: return a <= b ? 1 : 0;
    default: return 0;
  }
}

function computeOF(cpu: Cpu): number {
  const s = signBit(cpu.lazySize);
  const a = cpu.lazyA, b = cpu.lazyB, r = cpu.lazyR;
  switch (cpu.lazyOp) {
    case LazyOp.ADD: case LazyOp.ADC: case LazyOp.INC:
      return ((a ^ r) & (b ^ r) & s) !== 0 ? Flag.OF : 0;
    case LazyOp.SUB: case LazyOp.SBB: case LazyOp.DEC:
      return ((a ^ b) & (a ^ r) & s) !== 0 ? Flag.OF : 0;
    default: return 0;
  }
}

function computeAF(cpu: Cpu): number {
  switch (cpu.lazyOp) {
    case LazyOp.LOGIC: case LazyOp.RESULT: return 0;
    default: return (cpu.lazyA ^ cpu.lazyB ^ cpu.lazyR) & Flag.AF;
  }
}

/** Computes the pending flags into cpu.flags. */
export function materializeFlags(cpu: Cpu): void {
  const lazy = cpu.lazyMask;
  const r = cpu.lazyR & sizeMask(cpu.lazySize);
  let f = cpu.flags & ~lazy;
  if (lazy & Flag.CF) f |= computeCF(cpu);
  if (lazy & Flag.PF) f |= PARITY[r & 0xff];
  if (lazy & Flag.AF) f |= computeAF(cpu);
  if (lazy & Flag.ZF) f |= r === 0 ? Flag.ZF : 0;
  if (lazy & Flag.SF) f |= (r & signBit(cpu.lazySize)) !== 0 ? Flag.SF : 0;
  if (lazy & Flag.OF) f |= computeOF(cpu);
  cpu.flags = f;
  cpu.lazyMask = 0;
}

/** CF as 0 or 1. */
export function getCF(cpu: Cpu): number {
  return (cpu.lazyMask & Flag.CF) !== 0 ? computeCF(cpu) : cpu.flags & Flag.CF;
}

export function getZF(cpu: Cpu): boolean {
  if ((cpu.lazyMask & Flag.ZF) !== 0) return (cpu.lazyR & sizeMask(cpu.lazySize)) === 0;
  return (cpu.flags & Flag.ZF) !== 0;
}

export function getSF(cpu: Cpu): boolean {
  if ((cpu.lazyMask & Flag.SF) !== 0) return (cpu.lazyR & signBit(cpu.lazySize)) !== 0;
  return (cpu.flags & Flag.SF) !== 0;
}

export function getOF(cpu: Cpu): boolean {
  if ((cpu.lazyMask & Flag.OF) !== 0) return computeOF(cpu) !== 0;
  return (cpu.flags & Flag.OF) !== 0;
}

export function getPF(cpu: Cpu): boolean {
  if ((cpu.lazyMask & Flag.PF) !== 0) return PARITY[cpu.lazyR & 0xff] !== 0;
  return (cpu.flags & Flag.PF) !== 0;
}

export function getAF(cpu: Cpu): boolean {
  if ((cpu.lazyMask & Flag.AF) !== 0) return computeAF(cpu) !== 0;
  return (cpu.flags & Flag.AF) !== 0;
}

/** Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc; SDM Vol. 1 Table B-1). */
export function testCondition(cpu: Cpu, cc: number): boolean {
  let v: boolean;
  switch (cc >> 1) {
    case 0: v = getOF(cpu); break;
    case 1: v = getCF(cpu) !== 0; break;
    case 2: v = getZF(cpu); break;
    case 3: v = getCF(cpu) !== 0 || getZF(cpu); break;
    case 4: v = getSF(cpu); break;
    case 5: v = getPF(cpu); break;
    case 6: v = getSF(cpu) !== getOF(cpu); break;
    default: v = getZF(cpu) || getSF(cpu) !== getOF(cpu); break;
  }
  return (cc & 1) !== 0 ? !v : v;
}
