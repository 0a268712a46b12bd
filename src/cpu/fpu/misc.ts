/**
 * The other x87 operations on values: comparison (FCOM/FUCOM/FCOMI/FTST/
 * FICOM), FXAM classification, FRNDINT, FSCALE, FXTRACT, the partial
 * remainders FPREM/FPREM1, and the constants of FLD1…FLDLN2. Same
 * conventions as arith.ts: results to `dst`, exceptions to `core.flags`.
 */
import { BIAS, Cls, EXP_MAX, Ex, Float80, FpCore, clz, setIndefinite } from './float80.js';
import { denormalOperands, propagateNaN, specialOperands } from './arith.js';
import { fromInt32 } from './convert.js';

/** Outcome of a comparison, in the order of the C3/C2/C0 encodings. */
export const enum Relation { Greater = 0, Less = 1, Equal = 2, Unordered = 3 }

/**
 * Compares a with b. `quiet` (FUCOM family): only SNaNs and unsupported
 * operands raise IE; otherwise (FCOM family, FTST, FICOM) any NaN does
 * (SDM Vol. 2 "FCOM", "FUCOM"). Denormals raise DE. ±0 compare equal.
 */
export function compare(core: FpCore, a: Float80, b: Float80, quiet: boolean): Relation {
  const ca = core.unpackA(a), cb = core.unpackB(b);
  if (ca === Cls.Unsupported || cb === Cls.Unsupported || ca === Cls.SNaN || cb === Cls.SNaN) {
    core.flags |= Ex.IE;
    return Relation.Unordered;
  }
  if (ca === Cls.QNaN || cb === Cls.QNaN) {
    if (!quiet) core.flags |= Ex.IE;
    return Relation.Unordered;
  }
  denormalOperands(core, true); // DE, even unmasked, still lets the comparison complete (host CPU)
  if (ca === Cls.Zero && cb === Cls.Zero) return Relation.Equal;
  const sa = core.aSign, sb = core.bSign;
  if (ca === Cls.Zero) return sb ? Relation.Greater : Relation.Less;
  if (cb === Cls.Zero) return sa ? Relation.Less : Relation.Greater;
  if (sa !== sb) return sa ? Relation.Less : Relation.Greater;
  // Same sign: compare magnitudes (infinities have the largest exponent).
  const ea = ca === Cls.Inf ? 0x10000 : core.aExp, eb = cb === Cls.Inf ? 0x10000 : core.bExp;
  let m = 0;
  if (ea !== eb) m = ea > eb ? 1 : -1;
  else if (core.aHi !== core.bHi) m = core.aHi > core.bHi ? 1 : -1;
  else if (core.aLo !== core.bLo) m = core.aLo > core.bLo ? 1 : -1;
  if (m === 0) return Relation.Equal;
  if (sa) m = -m;
  return m > 0 ? Relation.Greater : Relation.Less;
}

/** FXAM's C3/C2/C0 for a class (SDM Vol. 2 "FXAM" Table 3-44) as FSW bits; empty is handled by the caller. */
export function examineBits(c: Cls): number {
  switch (c) {
    case Cls.Unsupported: return 0;
    case Cls.QNaN: case Cls.SNaN: return 0x0100;
    case Cls.Normal: return 0x0400;
    case Cls.Inf: return 0x0500;
    case Cls.Zero: return 0x4000;
    default: return 0x4400; // denormal and pseudo-denormal
  }
}

/** FRNDINT: dst ← a rounded to an integer per RC (64-bit precision; SDM Vol. 2 "FRNDINT"). */
export function roundToInteger(core: FpCore, a: Float80, dst: Float80): void {
  core.unpackA(a);
  if (specialOperands(core, a, null, dst)) return;
  const c = core.aCls;
  if (c === Cls.Zero || c === Cls.Inf) { dst.copy(a); return; }
  if (denormalOperands(core, false)) return;
  const sign = core.aSign, E = core.aExp - BIAS;
  if (E >= 63) { dst.copy(a); return; }
  core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
  const r = core.roundAt(Math.min(63 - E, 65), sign);
  core.inexact(r);
  if (r === 3) {
    dst.set((sign << 15) | (BIAS + Math.max(E + 1, 0)), 0x8000_0000, 0);
  } else if ((core.w0 | core.w1) === 0) {
    dst.set(sign << 15, 0, 0);
  } else {
    dst.set((sign << 15) | (E + BIAS), core.w0, core.w1);
  }
}

/**
 * FSCALE: dst ← a × 2^trunc(b) (SDM Vol. 2 "FSCALE", Table 3-47): exact
 * unless it overflows or underflows; ∞ scales, 0·2^+∞ and ∞·2^−∞ are
 * invalid.
 */
export function scale(core: FpCore, a: Float80, b: Float80, dst: Float80): void {
  core.unpackA(a); core.unpackB(b);
  if (specialOperands(core, a, b, dst)) return;
  const ca = core.aCls, cb = core.bCls;
  if (cb === Cls.Inf) {
    if ((ca === Cls.Zero && core.bSign === 0) || (ca === Cls.Inf && core.bSign !== 0)) {
      core.flags |= Ex.IE;
      if ((core.masks & Ex.IE) !== 0) setIndefinite(dst);
      return;
    }
    if (denormalOperands(core, true)) return;
    if (ca === Cls.Zero || ca === Cls.Inf) { dst.copy(a); return; }
    if (core.bSign === 0) dst.set((core.aSign << 15) | EXP_MAX, 0x8000_0000, 0);
    else dst.set(core.aSign << 15, 0, 0);
    return;
  }
  if (denormalOperands(core, true)) return;
  if (ca === Cls.Zero || ca === Cls.Inf) { dst.copy(a); return; }
  // trunc(b), clamped: anything beyond ±2^20 over- or underflows all the same.
  let n = 0;
  const eb = core.bExp - BIAS;
  if (eb >= 20) n = 0x10_0000;
  else if (eb >= 0) n = eb >= 31 ? core.bHi : Math.floor(core.bHi / 2 ** (31 - eb));
  if (core.bSign) n = -n;
  core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
  core.roundPack(dst, core.aSign, core.aExp + n, 64);
}

/**
 * FXTRACT: `exp` ← the unbiased exponent of a as a value, `sig` ← a with
 * exponent 0 (SDM Vol. 2 "FXTRACT"). Zero: ZE, exponent −∞, significand the
 * zero; ∞: +∞ and the infinity. Returns false when an unmasked exception
 * suppresses the results.
 */
export function extract(core: FpCore, a: Float80, exp: Float80, sig: Float80): boolean {
  core.unpackA(a);
  if (specialOperands(core, a, null, sig)) {
    exp.copy(sig);
    return (core.flags & ~core.masks & Ex.IE) === 0;
  }
  const c = core.aCls;
  if (c === Cls.Zero) {
    core.flags |= Ex.ZE;
    if ((core.masks & Ex.ZE) === 0) return false;
    exp.set(0xffff, 0x8000_0000, 0);
    sig.copy(a);
    return true;
  }
  if (c === Cls.Inf) { exp.set(EXP_MAX, 0x8000_0000, 0); sig.copy(a); return true; }
  if (denormalOperands(core, false)) return false;
  fromInt32(exp, core.aExp - BIAS);
  sig.set((core.aSign << 15) | BIAS, core.aHi, core.aLo);
  return true;
}

/**
 * FPREM (`ieee` false: truncating quotient) and FPREM1 (`ieee`: quotient
 * rounded to nearest even): dst ← a − b·Q, exact (SDM Vol. 2 "FPREM",
 * "FPREM1"). Returns the FSW condition bits: C2 set for a partial result
 * (exponent difference ≥ 64, reduced by N = 32 + (difference mod 32) as the
 * host CPU does), else C0/C3/C1 = quotient bits 2/1/0; -1 for a NaN or
 * invalid result.
 */
export function partialRemainder(core: FpCore, a: Float80, b: Float80, ieee: boolean, dst: Float80): number {
  core.unpackA(a); core.unpackB(b);
  if (specialOperands(core, a, b, dst)) return -1;
  const ca = core.aCls, cb = core.bCls;
  if (ca === Cls.Inf || cb === Cls.Zero) {
    core.flags |= Ex.IE;
    if ((core.masks & Ex.IE) !== 0) setIndefinite(dst);
    return -1;
  }
  if (denormalOperands(core, true)) return 0;
  if (ca === Cls.Zero || cb === Cls.Inf) { packA(core, dst); return 0; }
  const d = core.aExp - core.bExp;
  let sign = core.aSign;
  if (d >= 64) {
    const n = 32 + (d % 32);
    remainderLoop(core, n, false);
    core.w2 = 0;
    normalizeRemainder(core, dst, sign, core.aExp - n);
    return 0x0400;
  }
  let q = 0;
  if (d < 0) {
    // |a| < |b|: Q = 0, except FPREM1 rounds |a| > |b|/2 up to Q = 1.
    core.w0 = core.aHi; core.w1 = core.aLo;
    if (!(ieee && d === -1 && (core.aHi > core.bHi || (core.aHi === core.bHi && core.aLo > core.bLo)))) {
      packA(core, dst);
      return 0;
    }
    // r = a − b: |r| = |b| − |a| = (2B − A)·2^(ea−63−BIAS).
    const lo = core.bLo * 2 - core.aLo;
    let l = lo, h = core.bHi * 2 - core.aHi;
    if (l < 0) { l += 0x1_0000_0000; h -= 1; } else if (l >= 0x1_0000_0000) { l -= 0x1_0000_0000; h += 1; }
    core.w0 = h >>> 0; core.w1 = l >>> 0; core.w2 = 0;
    sign ^= 1;
    normalizeRemainder(core, dst, sign, core.aExp);
    return 0x0200; // Q = 1: C1 = q0
  }
  q = remainderLoop(core, d, ieee);
  if (core.w2 !== 0) { sign ^= 1; core.w2 = 0; }
  normalizeRemainder(core, dst, sign, core.bExp);
  return ((q & 4) !== 0 ? 0x0100 : 0) | ((q & 2) !== 0 ? 0x4000 : 0) | ((q & 1) !== 0 ? 0x0200 : 0);
}

/**
 * Shift-and-subtract of the a-significand by the b-significand over d+1
 * quotient bits; the remainder (< B) is left in w0:w1 and the low quotient
 * bits are returned. With `nearest`, the quotient is rounded to nearest
 * even: the remainder is then B − R, flagged by w2 = 1 (the sign flips).
 */
function remainderLoop(core: FpCore, d: number, nearest: boolean): number {
  let rh = core.aHi, rl = core.aLo, top = 0, q = 0;
  const bh = core.bHi, bl = core.bLo;
  for (let i = 0; i <= d; i++) {
    q = (q << 1) & 0xff;
    if (top !== 0 || rh > bh || (rh === bh && rl >= bl)) {
      const l = rl - bl;
      rl = l >>> 0;
      rh = (rh - bh - (l < 0 ? 1 : 0)) >>> 0;
      q |= 1;
    }
    if (i < d) {
      top = rh >>> 31;
      rh = ((rh << 1) | (rl >>> 31)) >>> 0;
      rl = (rl << 1) >>> 0;
    }
  }
  core.w2 = 0;
  if (nearest) {
    // Compare 2R with B.
    const t = rh >>> 31, h2 = ((rh << 1) | (rl >>> 31)) >>> 0, l2 = (rl << 1) >>> 0;
    const cmp = t !== 0 || h2 > bh || (h2 === bh && l2 > bl) ? 1 : h2 === bh && l2 === bl ? 0 : -1;
    if (cmp > 0 || (cmp === 0 && (q & 1) !== 0)) {
      q = (q + 1) & 0xff;
      const l = bl - rl;
      rl = l >>> 0;
      rh = (bh - rh - (l < 0 ? 1 : 0)) >>> 0;
      core.w2 = 1;
    }
  }
  core.w0 = rh; core.w1 = rl;
  return q;
}

/**
 * dst ← the unpacked a-operand as a result: through the rounding, so a
 * pseudo-denormal gets its normal encoding and a denormal raises UE when
 * that is unmasked (host CPU).
 */
function packA(core: FpCore, dst: Float80): void {
  core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
  core.roundPack(dst, core.aSign, core.aExp, 64);
}

/** dst ← sign × (w0:w1) × 2^(exp − BIAS − 63), normalized; exact (denormal results raise UE as usual). */
function normalizeRemainder(core: FpCore, dst: Float80, sign: number, exp: number): void {
  let h = core.w0, l = core.w1;
  if ((h | l) === 0) { dst.set(sign << 15, 0, 0); return; }
  const n = h !== 0 ? clz(h) : 32 + clz(l);
  if (n >= 32) { h = (l << (n - 32)) >>> 0; l = 0; } else if (n > 0) { h = ((h << n) | (l >>> (32 - n))) >>> 0; l = (l << n) >>> 0; }
  core.w0 = h; core.w1 = l; core.w2 = 0;
  core.roundPack(dst, sign, exp - n, 64);
}

/**
 * The constants of FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 and FLDZ:
 * sign/exponent, 64 significand bits and the next 32 bits, rounded per RC
 * when loaded (SDM Vol. 1 §8.3.8 "Load Constant Instructions").
 */
export const CONSTANTS: readonly (readonly [number, number, number, number])[] = [
  [0x3fff, 0x8000_0000, 0x0000_0000, 0x0000_0000], // 1
  [0x4000, 0xd49a_784b, 0xcd1b_8afe, 0x492b_f6ff], // log2(10)
  [0x3fff, 0xb8aa_3b29, 0x5c17_f0bb, 0xbe87_fed0], // log2(e)
  [0x4000, 0xc90f_daa2, 0x2168_c234, 0xc4c6_628b], // π
  [0x3ffd, 0x9a20_9a84, 0xfbcf_f798, 0x8f89_59ac], // log10(2)
  [0x3ffe, 0xb172_17f7, 0xd1cf_79ab, 0xc9e3_b398], // ln(2)
  [0x0000, 0x0000_0000, 0x0000_0000, 0x0000_0000], // +0
];

/** dst ← constant `k` of {@link CONSTANTS}, rounded to 64 bits per RC (no exception is raised). */
export function loadConstant(core: FpCore, k: number, dst: Float80): void {
  const c = CONSTANTS[k]!;
  if (c[1] === 0) { dst.set(0, 0, 0); return; }
  core.w0 = c[1]; core.w1 = c[2]; core.w2 = c[3];
  const r = core.roundAt(0, 0);
  if (r === 3) dst.set(c[0] + 1, 0x8000_0000, 0);
  else dst.set(c[0], core.w0, core.w1);
}

export { propagateNaN };
