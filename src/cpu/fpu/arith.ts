/**
 * The four basic operations and the square root on 80-bit values, correctly
 * rounded (IEEE 754 as the x87 implements it, SDM Vol. 1 §4.8, §8.5), with
 * the special-operand rules of SDM Vol. 1 Table 4-7 (NaNs) and Table 8-10
 * (invalid operations), and the exception priority of §4.9.2: invalid
 * operand (unsupported format, SNaN), then QNaN operands, then the other
 * invalid operations and divide-by-zero, then denormal operand, then
 * overflow/underflow, then inexact.
 *
 * Every operation writes its result to `dst` and its exceptions to
 * `core.flags`; when an exception is unmasked that suppresses the result
 * (IE, DE, ZE: SDM Vol. 1 §8.5.1-§8.5.3) it stops at that exception and the
 * caller must not store `dst` (see {@link suppresses}).
 */
import { BIAS, Cls, EXP_MAX, Ex, Float80, FpCore, Rc, clz, setIndefinite } from './float80.js';

/** Whether the flags of an operation forbid storing its result (an unmasked IE, DE or ZE). */
export function suppresses(core: FpCore): boolean {
  return (core.flags & ~core.masks & (Ex.IE | Ex.DE | Ex.ZE)) !== 0;
}

/** Raises `ex`; returns true when it is unmasked (the operation must stop). */
function raise(core: FpCore, ex: number): boolean {
  core.flags |= ex;
  return (core.masks & ex) === 0;
}

/**
 * The NaN result of an operation with at least one NaN operand (SDM Vol. 1
 * Table 4-7, x87 column): an SNaN raises IE; a QNaN beats an SNaN; of two
 * NaNs of the same kind the larger significand wins (on a tie, the positive
 * one, as the host CPU does); the result is quieted.
 */
export function propagateNaN(core: FpCore, a: Float80, b: Float80 | null, dst: Float80): void {
  const ca = core.aCls, cb = b ? core.bCls : Cls.Zero;
  const aNaN = ca === Cls.QNaN || ca === Cls.SNaN, bNaN = cb === Cls.QNaN || cb === Cls.SNaN;
  if (ca === Cls.SNaN || cb === Cls.SNaN) {
    if (raise(core, Ex.IE)) return;
  }
  let pick: Float80;
  if (aNaN && bNaN && b) {
    if (ca !== cb) pick = ca === Cls.QNaN ? a : b;
    else {
      const ah = a.hi & 0x7fff_ffff, bh = b.hi & 0x7fff_ffff;
      if (ah !== bh) pick = ah > bh ? a : b;
      else if (a.lo !== b.lo) pick = a.lo > b.lo ? a : b;
      else pick = (a.se & 0x8000) === 0 ? a : b;
    }
  } else {
    pick = aNaN ? a : b!;
  }
  dst.set(pick.se, pick.hi | 0x4000_0000, pick.lo);
}

/**
 * Operand checks common to the arithmetic operations, after unpacking a (and
 * b): unsupported formats and NaNs produce the result here (returns true);
 * a denormal operand raises DE (returns true when DE is unmasked).
 */
export function specialOperands(core: FpCore, a: Float80, b: Float80 | null, dst: Float80): boolean {
  const ca = core.aCls, cb = b ? core.bCls : Cls.Zero;
  if (ca === Cls.Unsupported || cb === Cls.Unsupported) {
    if (!raise(core, Ex.IE)) setIndefinite(dst);
    return true;
  }
  if (ca === Cls.QNaN || ca === Cls.SNaN || cb === Cls.QNaN || cb === Cls.SNaN) {
    propagateNaN(core, a, b, dst);
    return true;
  }
  return false;
}

/** DE for denormal operands (raised after the other invalid checks); true when it must stop. */
export function denormalOperands(core: FpCore, two: boolean): boolean {
  const da = core.aCls === Cls.Denormal || core.aCls === Cls.PseudoDenormal;
  const db = (two && (core.bCls === Cls.Denormal || core.bCls === Cls.PseudoDenormal)) || core.srcDenormal;
  return (da || db) && raise(core, Ex.DE);
}

/** Invalid operation with a masked response of the QNaN indefinite. */
function invalid(core: FpCore, dst: Float80): void {
  if (!raise(core, Ex.IE)) setIndefinite(dst);
}

// ---- addition and subtraction -----------------------------------------------------

/** dst ← a + b (or a − b), rounded to `precision` bits (SDM Vol. 2 "FADD", "FSUB"). */
export function add(core: FpCore, a: Float80, b: Float80, subtract: boolean, precision: number, dst: Float80): void {
  core.unpackA(a); core.unpackB(b);
  if (subtract) core.bSign ^= 1;
  if (specialOperands(core, a, b, dst)) return;
  const ca = core.aCls, cb = core.bCls;
  if (ca === Cls.Inf || cb === Cls.Inf) {
    if (ca === Cls.Inf && cb === Cls.Inf && core.aSign !== core.bSign) { invalid(core, dst); return; }
    if (denormalOperands(core, true)) return;
    const s = ca === Cls.Inf ? core.aSign : core.bSign;
    dst.set((s << 15) | EXP_MAX, 0x8000_0000, 0);
    return;
  }
  if (denormalOperands(core, true)) return;
  if (ca === Cls.Zero && cb === Cls.Zero) {
    const s = core.aSign === core.bSign ? core.aSign : core.rc === Rc.Down ? 1 : 0;
    dst.set(s << 15, 0, 0);
    return;
  }
  if (cb === Cls.Zero) { core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0; core.roundPack(dst, core.aSign, core.aExp, precision); return; }
  if (ca === Cls.Zero) { core.w0 = core.bHi; core.w1 = core.bLo; core.w2 = 0; core.roundPack(dst, core.bSign, core.bExp, precision); return; }
  addMagnitudes(core, dst, precision);
}

/** The finite non-zero case of {@link add}, on the unpacked operands. */
export function addMagnitudes(core: FpCore, dst: Float80, precision: number): void {
  // Let x be the operand with the larger exponent.
  let xs = core.aSign, xe = core.aExp, xh = core.aHi, xl = core.aLo;
  let ys = core.bSign, ye = core.bExp, yh = core.bHi, yl = core.bLo;
  if (ye > xe || (ye === xe && (yh > xh || (yh === xh && yl > xl)))) {
    let t = xs; xs = ys; ys = t; t = xe; xe = ye; ye = t;
    t = xh; xh = yh; yh = t; t = xl; xl = yl; yl = t;
  }
  core.w0 = yh; core.w1 = yl; core.w2 = 0;
  core.shiftRightSticky(xe - ye);
  const y0 = core.w0, y1 = core.w1, y2 = core.w2;
  let r0: number, r1: number, r2: number, e = xe;
  if (xs === ys) {
    r2 = y2;
    let s = xl + y1;
    r1 = s >>> 0;
    s = xh + y0 + (s >= 0x1_0000_0000 ? 1 : 0);
    r0 = s >>> 0;
    if (s >= 0x1_0000_0000) {
      // Carry out: shift right one bit, keeping the sticky bit.
      r2 = ((r2 >>> 1) | (r1 << 31) | (r2 & 1)) >>> 0;
      r1 = ((r1 >>> 1) | (r0 << 31)) >>> 0;
      r0 = ((r0 >>> 1) | 0x8000_0000) >>> 0;
      e++;
    }
  } else {
    // |x| ≥ |y|: x − y, 96 bits.
    let borrow = y2 !== 0 ? 1 : 0;
    r2 = (0 - y2) >>> 0;
    let d = xl - y1 - borrow;
    borrow = d < 0 ? 1 : 0;
    r1 = d >>> 0;
    d = xh - y0 - borrow;
    r0 = d >>> 0;
    if ((r0 | r1 | r2) === 0) {
      // Exact zero: +0, or −0 when rounding down (SDM Vol. 1 §4.8.3.1).
      dst.set(core.rc === Rc.Down ? 0x8000 : 0, 0, 0);
      return;
    }
    // Normalize left.
    let n = r0 !== 0 ? clz(r0) : r1 !== 0 ? 32 + clz(r1) : 64 + clz(r2);
    e -= n;
    while (n >= 32) { r0 = r1; r1 = r2; r2 = 0; n -= 32; }
    if (n > 0) {
      r0 = ((r0 << n) | (r1 >>> (32 - n))) >>> 0;
      r1 = ((r1 << n) | (r2 >>> (32 - n))) >>> 0;
      r2 = (r2 << n) >>> 0;
    }
  }
  core.w0 = r0; core.w1 = r1; core.w2 = r2;
  core.roundPack(dst, xs, e, precision);
}

// ---- multiplication ---------------------------------------------------------------

/** dst ← a × b rounded to `precision` bits (SDM Vol. 2 "FMUL"). */
export function mul(core: FpCore, a: Float80, b: Float80, precision: number, dst: Float80): void {
  core.unpackA(a); core.unpackB(b);
  if (specialOperands(core, a, b, dst)) return;
  const ca = core.aCls, cb = core.bCls;
  const s = core.aSign ^ core.bSign;
  if (ca === Cls.Inf || cb === Cls.Inf) {
    if (ca === Cls.Zero || cb === Cls.Zero) { invalid(core, dst); return; }
    if (denormalOperands(core, true)) return;
    dst.set((s << 15) | EXP_MAX, 0x8000_0000, 0);
    return;
  }
  if (denormalOperands(core, true)) return;
  if (ca === Cls.Zero || cb === Cls.Zero) { dst.set(s << 15, 0, 0); return; }
  mulSignificands(core);
  let e = core.aExp + core.bExp - BIAS;
  if ((core.w0 & 0x8000_0000) === 0) shiftLeft1(core);
  else e++;
  core.roundPack(dst, s, e, precision);
}

/** Shifts w0:w1:w2 left one bit (w2's sticky bit 0 stays set if it was). */
function shiftLeft1(core: FpCore): void {
  const st = core.w2 & 1;
  core.w0 = ((core.w0 << 1) | (core.w1 >>> 31)) >>> 0;
  core.w1 = ((core.w1 << 1) | (core.w2 >>> 31)) >>> 0;
  core.w2 = ((core.w2 << 1) | st) >>> 0;
}

/**
 * The 128-bit product of the a- and b-significands into w0:w1:w2, its lowest
 * 32 bits folded into w2's bit 0 (sticky). Works on 16-bit limbs, whose
 * products and column sums stay exact in doubles. (`& 0xffff` and exact
 * division by 2^16 split a column: `%` on doubles beyond 2^31 is a slow
 * call in V8.)
 */
export function mulSignificands(core: FpCore): void {
  // Operands come from the core's fields, not as arguments: uint32 words above 2^30 passed to a
  // function V8 does not inline are boxed as heap numbers, an allocation per call.
  const ah = core.aHi, al = core.aLo, bh = core.bHi, bl = core.bLo;
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  // Column k holds the sum of a_i·b_j with i + j = k (each < 2^32, at most four: < 2^34).
  let c = a0 * b0;
  const p0 = c & 0xffff; c = (c - p0) / 65536;
  c += a0 * b1 + a1 * b0;
  const p1 = c & 0xffff; c = (c - p1) / 65536;
  c += a0 * b2 + a1 * b1 + a2 * b0;
  const p2 = c & 0xffff; c = (c - p2) / 65536;
  c += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const p3 = c & 0xffff; c = (c - p3) / 65536;
  c += a1 * b3 + a2 * b2 + a3 * b1;
  const p4 = c & 0xffff; c = (c - p4) / 65536;
  c += a2 * b3 + a3 * b2;
  const p5 = c & 0xffff; c = (c - p5) / 65536;
  c += a3 * b3;
  const p6 = c & 0xffff; c = (c - p6) / 65536;
  const p7 = c;
  core.w0 = (p7 * 65536 + p6) >>> 0;
  core.w1 = (p5 * 65536 + p4) >>> 0;
  core.w2 = ((p3 * 65536 + p2) | ((p1 | p0) !== 0 ? 1 : 0)) >>> 0;
}

// ---- division ---------------------------------------------------------------------

/** dst ← a ÷ b rounded to `precision` bits (SDM Vol. 2 "FDIV"). */
export function div(core: FpCore, a: Float80, b: Float80, precision: number, dst: Float80): void {
  core.unpackA(a); core.unpackB(b);
  if (specialOperands(core, a, b, dst)) return;
  const ca = core.aCls, cb = core.bCls;
  const s = core.aSign ^ core.bSign;
  if (ca === Cls.Inf) {
    if (cb === Cls.Inf) { invalid(core, dst); return; }
    if (denormalOperands(core, true)) return;
    dst.set((s << 15) | EXP_MAX, 0x8000_0000, 0);
    return;
  }
  if (cb === Cls.Inf) {
    if (denormalOperands(core, true)) return;
    dst.set(s << 15, 0, 0);
    return;
  }
  if (cb === Cls.Zero) {
    if (ca === Cls.Zero) { invalid(core, dst); return; }
    // Divide by zero has priority over a denormal dividend (SDM Vol. 1 §4.9.2).
    if (raise(core, Ex.ZE)) return;
    dst.set((s << 15) | EXP_MAX, 0x8000_0000, 0);
    return;
  }
  if (denormalOperands(core, true)) return;
  if (ca === Cls.Zero) { dst.set(s << 15, 0, 0); return; }
  const lower = core.aHi < core.bHi || (core.aHi === core.bHi && core.aLo < core.bLo);
  divideSignificands(core);
  // A quotient of significands below 1 was doubled: one less in the exponent.
  core.roundPack(dst, s, core.aExp - core.bExp + BIAS - (lower ? 1 : 0), precision);
}

/**
 * Long division of the a-significand by the b-significand (from the core's
 * fields, see {@link mulSignificands}): the quotient, made [1, 2) by doubling
 * the dividend when it is the smaller, as 64 bits into w0:w1 and the round
 * bit and sticky bit (non-zero remainder) into w2. One bit per step: on V8
 * this tight int32 loop measured as fast as a radix-2^16 division with
 * double estimates.
 */
export function divideSignificands(core: FpCore): void {
  let rh = core.aHi, rl = core.aLo, top = 0;
  const dh = core.bHi, dl = core.bLo;
  if (rh < dh || (rh === dh && rl < dl)) {
    top = rh >>> 31; rh = ((rh << 1) | (rl >>> 31)) >>> 0; rl = (rl << 1) >>> 0;
  }
  let q0 = 0, q1 = 0;
  for (let i = 0; i < 65; i++) {
    // Compare and subtract: remainder ≥ divisor?
    let bit = 0;
    if (top !== 0 || rh > dh || (rh === dh && rl >= dl)) {
      const l = rl - dl;
      rl = l >>> 0;
      rh = (rh - dh - (l < 0 ? 1 : 0)) >>> 0;
      bit = 1;
    }
    if (i < 64) {
      q0 = ((q0 << 1) | (q1 >>> 31)) >>> 0;
      q1 = ((q1 << 1) | bit) >>> 0;
      // Remainder ×2.
      top = rh >>> 31;
      rh = ((rh << 1) | (rl >>> 31)) >>> 0;
      rl = (rl << 1) >>> 0;
    } else {
      core.w2 = ((bit << 31) | ((rh | rl) !== 0 ? 1 : 0)) >>> 0;
    }
  }
  core.w0 = q0; core.w1 = q1;
}

// ---- square root --------------------------------------------------------------------

/** dst ← √a rounded to `precision` bits (SDM Vol. 2 "FSQRT"). */
export function sqrt(core: FpCore, a: Float80, precision: number, dst: Float80): void {
  core.unpackA(a);
  if (specialOperands(core, a, null, dst)) return;
  const ca = core.aCls;
  if (ca === Cls.Zero) { dst.copy(a); return; }
  if (core.aSign !== 0) { invalid(core, dst); return; }
  if (denormalOperands(core, false)) return;
  if (ca === Cls.Inf) { dst.copy(a); return; }
  const unbiased = core.aExp - BIAS;
  const odd = unbiased & 1;
  // Radicand X = A·2^(63+odd) (127-128 bits); the root of 4X has 65 bits: 64 significand bits + the round bit.
  sqrtSignificand(core, odd);
  core.roundPack(dst, 0, ((unbiased - odd) / 2) + BIAS, precision);
}

/**
 * Integer square root, digit by digit (two radicand bits per step), of
 * A·2^(65+odd) where A is the a-significand: 65 root bits, the last being
 * the round bit, with the sticky bit from the remainder, into w0:w1:w2. (A
 * double estimate refined by a Newton step on exact 16-bit limbs measured
 * slower on V8 than this int32 loop.)
 */
function sqrtSignificand(core: FpCore, odd: number): void {
  // root q (up to 65 bits as qt:q0:q1), remainder r (up to 67 bits as r0:r1:r2 with r0 small).
  let q0 = 0, q1 = 0, qt = 0;
  let r0 = 0, r1 = 0, r2 = 0;
  // The radicand's bits from the top, two per step, shifted out of h:l; an even exponent
  // starts with a lone leading bit (the pair 0, A's msb).
  let h = core.aHi, l = core.aLo;
  for (let step = 0; step < 65; step++) {
    let pair: number;
    if (step === 0 && odd === 0) {
      pair = h >>> 31;
      h = ((h << 1) | (l >>> 31)) >>> 0; l = (l << 1) >>> 0;
    } else {
      pair = h >>> 30;
      h = ((h << 2) | (l >>> 30)) >>> 0; l = (l << 2) >>> 0;
    }
    // r = r·4 + pair
    r0 = ((r0 << 2) | (r1 >>> 30)) >>> 0;
    r1 = ((r1 << 2) | (r2 >>> 30)) >>> 0;
    r2 = ((r2 << 2) | pair) >>> 0;
    // trial = q·4 + 1
    const t0 = ((qt << 2) | (q0 >>> 30)) >>> 0;
    const t1 = ((q0 << 2) | (q1 >>> 30)) >>> 0;
    const t2 = ((q1 << 2) | 1) >>> 0;
    const ge = r0 > t0 || (r0 === t0 && (r1 > t1 || (r1 === t1 && r2 >= t2)));
    if (ge) {
      let d = r2 - t2; r2 = d >>> 0; let borrow = d < 0 ? 1 : 0;
      d = r1 - t1 - borrow; r1 = d >>> 0; borrow = d < 0 ? 1 : 0;
      r0 = (r0 - t0 - borrow) >>> 0;
    }
    qt = ((qt << 1) | (q0 >>> 31)) & 3;
    q0 = ((q0 << 1) | (q1 >>> 31)) >>> 0;
    q1 = ((q1 << 1) | (ge ? 1 : 0)) >>> 0;
  }
  // q = 65 bits (qt bit 0 : q0 : q1): significand = q >> 1, round bit = q & 1.
  core.w0 = ((qt << 31) | (q0 >>> 1)) >>> 0;
  core.w1 = ((q0 << 31) | (q1 >>> 1)) >>> 0;
  core.w2 = (((q1 & 1) << 31) | ((r0 | r1 | r2) !== 0 ? 1 : 0)) >>> 0;
}
