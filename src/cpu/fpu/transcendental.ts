/**
 * The values of the transcendental instructions (SDM Vol. 2 "F2XM1", "FYL2X", "FYL2XP1",
 * "FPTAN", "FPATAN", "FSIN", "FCOS", "FSINCOS"; Vol. 1 §8.3.10): special
 * operands by the tables of those pages, the rest computed in bigfloat.ts
 * at about 200 bits and rounded once to 64 bits per RC (PC does not
 * apply). The hardware's results are within about one ulp of the true
 * value (Vol. 1 §8.3.10), so these may differ from a given CPU's in the last
 * bit; the differential tests measure by how much.
 *
 * Trigonometric arguments are reduced modulo π/2 with the 66-bit
 * approximation of π that the x87 uses for reduction (Vol. 1 §8.3.10 "x87
 * FPU ... uses an internal value of π ... 66 significant bits"), which is
 * what makes large arguments come out as the hardware's; |x| ≥ 2^63 sets C2
 * and leaves the operand alone. The stack side of these instructions is
 * src/cpu/instructions/x87-transcendental.ts.
 */
import { BIAS, Cls, EXP_MAX, Ex, Float80, FpCore, setIndefinite } from './float80.js';
import { denormalOperands, specialOperands } from './arith.js';
import * as B from './bigfloat.js';

/** π as the x87 reduces arguments: 0xC90FDAA2_2168C234_C × 2^-66 (66 significant bits). */
const PI_66: B.Big = B.big(0xc90fdaa22168c234cn, -66);

/** What {@link trigFront} decided. */
export const enum TrigFront {
  /** The result is decided (in `dst`, or suppressed by an exception). */
  Done = -1,
  /** |x| ≥ 2^63: C2 is set and the operand left alone. */
  OutOfRange = -2,
}

/** |x| ≥ 2^63 (∞ and NaN are handled before): out of range for the trigonometric instructions. */
function outOfRange(v: Float80): boolean {
  return (v.se & 0x7fff) >= BIAS + 63 && (v.se & 0x7fff) !== EXP_MAX;
}

/**
 * Common front of the trigonometric functions: NaNs (result to `dst`), ∞
 * (invalid), the range check, denormals (DE). Returns the operand's class,
 * or a {@link TrigFront} value.
 */
export function trigFront(core: FpCore, v: Float80, dst: Float80): number {
  core.unpackA(v);
  if (specialOperands(core, v, null, dst)) return TrigFront.Done;
  if (core.aCls === Cls.Inf) {
    core.flags |= Ex.IE;
    if ((core.masks & Ex.IE) !== 0) setIndefinite(dst);
    return TrigFront.Done;
  }
  if (outOfRange(v)) return TrigFront.OutOfRange;
  if (denormalOperands(core, false)) return TrigFront.Done;
  return core.aCls;
}

/** sin(v) (`which` 0), cos(v) (1) or tan(v) (2) of a finite non-zero in-range v, rounded into dst. */
export function trigValue(core: FpCore, v: Float80, which: number, dst: Float80): void {
  const x = B.fromFloat80(v);
  const [s, c] = B.sinCos(x, PI_66);
  if (which === 0) B.toFloat80(core, s, dst);
  else if (which === 1) B.toFloat80(core, c, dst);
  // For tiny x, x + x³/3 directly: in sin/cos the x² terms sit below the working precision.
  else B.toFloat80(core, B.below(x, -64) ? B.add(x, B.div(B.mul(x, B.mul(x, x)), B.fromInt(3))) : B.div(s, c), dst);
}

/** F2XM1: dst ← 2^v − 1 (defined for −1 ≤ v ≤ 1). */
export function f2xm1(core: FpCore, v: Float80, dst: Float80): void {
  core.unpackA(v);
  if (specialOperands(core, v, null, dst)) return;
  const c = core.aCls;
  if (c === Cls.Zero) { dst.copy(v); return; }
  if (c === Cls.Inf) {
    if (core.aSign) dst.set(0xbfff, 0x8000_0000, 0); else dst.copy(v);
    return;
  }
  if (denormalOperands(core, false)) return;
  // Outside −1 ≤ x ≤ 1 the result is undefined (SDM); from |x| ≥ 2 the host CPU leaves x as it is, with PE.
  if (core.aExp >= BIAS + 1) { dst.copy(v); core.flags |= Ex.PE; return; }
  B.toFloat80(core, B.expm1(B.mul(B.fromFloat80(v), B.LN2)), dst);
}

/** FYL2X (dst ← y·log2 x) and FYL2XP1 (dst ← y·log2(x + 1)). */
export function fyl2x(core: FpCore, y: Float80, x: Float80, plusOne: boolean, dst: Float80): void {
  // a = x (ST(0)), b = y (ST(1)) for the NaN rules.
  core.unpackA(x); core.unpackB(y);
  if (specialOperands(core, x, y, dst)) return;
  const cx = core.aCls, cy = core.bCls;
  const sx = core.aSign, sy = core.bSign;
  const invalid = (): void => { core.flags |= Ex.IE; if ((core.masks & Ex.IE) !== 0) setIndefinite(dst); };
  const inf = (s: number): void => { dst.set((s << 15) | EXP_MAX, 0x8000_0000, 0); };
  const zero = (s: number): void => { dst.set(s << 15, 0, 0); };
  if (!plusOne) {
    // log2 x: x < 0 invalid; x = 0 → −∞ (ZE for finite non-zero y); x = 1 → 0; x = +∞ → +∞.
    if (sx && cx !== Cls.Zero) { invalid(); return; }
    if (cx === Cls.Zero) {
      if (cy === Cls.Zero) { invalid(); return; }
      // Divide-by-zero outranks a denormal y (no DE, host CPU).
      if (cy !== Cls.Inf) { core.flags |= Ex.ZE; if ((core.masks & Ex.ZE) === 0) return; }
      inf(sy ^ 1);
      return;
    }
    if (cx === Cls.Inf) {
      if (cy === Cls.Zero) { invalid(); return; }
      if (denormalOperands(core, true)) return;
      inf(sy);
      return;
    }
    const isOne = core.aExp === BIAS && core.aHi === 0x8000_0000 && core.aLo === 0;
    if (cy === Cls.Inf) {
      if (isOne) { invalid(); return; }
      if (denormalOperands(core, true)) return;
      inf(core.aExp >= BIAS ? sy : sy ^ 1);
      return;
    }
    if (denormalOperands(core, true)) return;
    if (isOne) { zero(sy); return; }
    if (cy === Cls.Zero) { zero(core.aExp >= BIAS ? sy : sy ^ 1); return; }
    const bx = B.fromFloat80(x), by = B.fromFloat80(y);
    // A power of two gives an exact logarithm (the host CPU still reports PE).
    if (core.aHi === 0x8000_0000 && core.aLo === 0) {
      B.toFloat80(core, B.mul(by, B.fromInt(core.aExp - BIAS)), dst);
      core.flags |= Ex.PE;
      if ((dst.se & 0x7fff) === 0 && (dst.hi | dst.lo) !== 0) core.flags |= Ex.UE;
      return;
    }
    B.toFloat80(core, B.div(B.mul(by, B.ln(bx)), B.LN2), dst);
    return;
  }
  // log2(x + 1), defined for |x| < 1 − √2/2.
  if (cx === Cls.Zero) {
    if (cy === Cls.Inf) { invalid(); return; }
    if (denormalOperands(core, true)) return;
    zero(sx ^ sy);
    return;
  }
  if (cx === Cls.Inf) {
    if (sx) { invalid(); return; }
    if (cy === Cls.Zero) { invalid(); return; }
    if (denormalOperands(core, true)) return;
    inf(sy);
    return;
  }
  if (cy === Cls.Inf) {
    if (denormalOperands(core, true)) return;
    inf(sx ^ sy);
    return;
  }
  if (denormalOperands(core, true)) return;
  if (cy === Cls.Zero) { zero(sx ^ sy); return; }
  const bx = B.fromFloat80(x), by = B.fromFloat80(y);
  if (B.cmp(bx, B.neg(B.ONE)) <= 0) { invalid(); return; }
  B.toFloat80(core, B.div(B.mul(by, B.log1p(bx)), B.LN2), dst);
}

/** FPATAN: dst ← atan2(y, x) with the signed-zero and infinity rules of SDM Vol. 2 "FPATAN". */
export function fpatan(core: FpCore, y: Float80, x: Float80, dst: Float80): void {
  core.unpackA(x); core.unpackB(y);
  if (specialOperands(core, x, y, dst)) return;
  if (denormalOperands(core, true)) return;
  const cx = core.aCls, cy = core.bCls, sx = core.aSign, sy = core.bSign;
  const piOver = (num: number, den: number): void => {
    const v = B.div(B.mul(B.PI, B.fromInt(num)), B.fromInt(den));
    B.toFloat80(core, sy ? B.neg(v) : v, dst);
  };
  if (cy === Cls.Zero) {
    if (sx === 0) dst.set(sy << 15, 0, 0); else piOver(1, 1);
    return;
  }
  if (cx === Cls.Zero) { piOver(1, 2); return; }
  if (cy === Cls.Inf) {
    if (cx === Cls.Inf) piOver(sx ? 3 : 1, 4); else piOver(1, 2);
    return;
  }
  if (cx === Cls.Inf) {
    if (sx === 0) dst.set(sy << 15, 0, 0); else piOver(1, 1);
    return;
  }
  B.toFloat80(core, B.atan2(B.fromFloat80(y), B.fromFloat80(x)), dst);
}

