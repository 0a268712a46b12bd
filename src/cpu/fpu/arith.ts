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
  mulSignificands(core, core.aHi, core.aLo, core.bHi, core.bLo);
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
 * The 128-bit product of two 64-bit significands into w0:w1:w2, its lowest
 * 32 bits folded into w2's bit 0 (sticky). Works on 16-bit limbs, whose
 * products and column sums stay exact in doubles.
 */
export function mulSignificands(core: FpCore, ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  // Column k holds the sum of a_i·b_j with i + j = k (each < 2^32, at most four: < 2^34).
  let c = a0 * b0;
  const p0 = c % 65536; c = Math.floor(c / 65536);
  c += a0 * b1 + a1 * b0;
  const p1 = c % 65536; c = Math.floor(c / 65536);
  c += a0 * b2 + a1 * b1 + a2 * b0;
  const p2 = c % 65536; c = Math.floor(c / 65536);
  c += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const p3 = c % 65536; c = Math.floor(c / 65536);
  c += a1 * b3 + a2 * b2 + a3 * b1;
  const p4 = c % 65536; c = Math.floor(c / 65536);
  c += a2 * b3 + a3 * b2;
  const p5 = c % 65536; c = Math.floor(c / 65536);
  c += a3 * b3;
  const p6 = c % 65536; c = Math.floor(c / 65536);
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
  let e = core.aExp - core.bExp + BIAS;
  // Quotient of significands in (1/2, 2): make it [1, 2) by halving the divisor's weight.
  let rh = core.aHi, rl = core.aLo, top = 0;
  const dh = core.bHi, dl = core.bLo;
  if (rh < dh || (rh === dh && rl < dl)) {
    e--;
    top = rh >>> 31; rh = ((rh << 1) | (rl >>> 31)) >>> 0; rl = (rl << 1) >>> 0;
  }
  divideSignificands(core, top, rh, rl, dh, dl);
  core.roundPack(dst, s, e, precision);
}

/**
 * Long division of the 65-bit top:rh:rl (≥ d, < 2d) by the normalized 64-bit
 * d = dh:dl: Q = floor(R·2^64 / d) has 65 bits, whose top 64 go to w0:w1
 * and whose last (the round bit) and the sticky bit (non-zero remainder)
 * go to w2. Radix 2^16 (Knuth's algorithm D shape): the leading digit is
 * 1; each of the next four is estimated from the top of the partial
 * remainder in doubles (off by at most one, since both sides carry 53 good
 * bits) and corrected against the exact 16-bit-limb product.
 */
export function divideSignificands(core: FpCore, top: number, rh: number, rl: number, dh: number, dl: number): void {
  // R ← R − d (the leading quotient digit is 1); R < d < 2^64 afterwards.
  let lo = rl - dl;
  const borrow = lo < 0 ? 1 : 0;
  lo >>>= 0;
  const hi = (rh - dh - borrow) >>> 0;
  void top;
  const b0 = dl & 0xffff, b1 = dl >>> 16, b2 = dh & 0xffff, b3 = dh >>> 16;
  const bEstimate = (b3 * 65536 + b2) * 65536 + b1 + b0 / 65536;
  // Partial remainder as 16-bit limbs r3..r0 (r4 appears with each shift).
  let r0 = lo & 0xffff, r1 = lo >>> 16, r2 = hi & 0xffff, r3 = hi >>> 16;
  let q = 0, qh = 0;
  for (let k = 0; k < 4; k++) {
    // R ← R·2^16: limbs r4..r0 with r0 = 0.
    const r4 = r3; r3 = r2; r2 = r1; r1 = r0; r0 = 0;
    let d = Math.floor((((r4 * 65536 + r3) * 65536 + r2) * 65536 + r1) / bEstimate);
    if (d > 0xffff) d = 0xffff;
    // R − d·B over five limbs.
    let c = d * b0;
    let t = r0 - (c % 65536); c = Math.floor(c / 65536);
    let x0 = t & 0xffff, br = t < 0 ? 1 : 0;
    c += d * b1; t = r1 - (c % 65536) - br; c = Math.floor(c / 65536);
    let x1 = t & 0xffff; br = t < 0 ? 1 : 0;
    c += d * b2; t = r2 - (c % 65536) - br; c = Math.floor(c / 65536);
    let x2 = t & 0xffff; br = t < 0 ? 1 : 0;
    c += d * b3; t = r3 - (c % 65536) - br; c = Math.floor(c / 65536);
    let x3 = t & 0xffff; br = t < 0 ? 1 : 0;
    let x4 = r4 - c - br;
    while (x4 < 0) {
      // Estimate one too high: add B back.
      d--;
      let s = x0 + b0; x0 = s & 0xffff; let cy = s >>> 16;
      s = x1 + b1 + cy; x1 = s & 0xffff; cy = s >>> 16;
      s = x2 + b2 + cy; x2 = s & 0xffff; cy = s >>> 16;
      s = x3 + b3 + cy; x3 = s & 0xffff; cy = s >>> 16;
      x4 += cy;
    }
    while (x4 > 0 || x3 > b3 || (x3 === b3 && (x2 > b2 || (x2 === b2 && (x1 > b1 || (x1 === b1 && x0 >= b0)))))) {
      // Estimate one too low: subtract B once more.
      d++;
      let s = x0 - b0; x0 = s & 0xffff; let bw = s < 0 ? 1 : 0;
      s = x1 - b1 - bw; x1 = s & 0xffff; bw = s < 0 ? 1 : 0;
      s = x2 - b2 - bw; x2 = s & 0xffff; bw = s < 0 ? 1 : 0;
      s = x3 - b3 - bw; x3 = s & 0xffff; bw = s < 0 ? 1 : 0;
      x4 -= bw;
    }
    r0 = x0; r1 = x1; r2 = x2; r3 = x3;
    // Quotient digits 1..4: qh gets the first two, q the last two.
    if (k < 2) qh = qh * 65536 + d; else q = q * 65536 + d;
  }
  // Q = 2^64 + qh·2^32 + q; the significand is Q >> 1 and the round bit Q & 1.
  core.w0 = (0x8000_0000 | (qh >>> 1)) >>> 0;
  core.w1 = (((qh & 1) << 31) | (q >>> 1)) >>> 0;
  core.w2 = (((q & 1) << 31) | ((r0 | r1 | r2 | r3) !== 0 ? 1 : 0)) >>> 0;
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
  sqrtSignificand(core, core.aHi, core.aLo, odd);
  core.roundPack(dst, 0, ((unbiased - odd) / 2) + BIAS, precision);
}

/**
 * Integer square root of X = A·2^(65+odd), A = ah:al: S = floor(√X) has
 * 65 bits; S >> 1 goes to w0:w1, the round bit S & 1 and the sticky bit
 * (X ≠ S²) to w2. A double square root gives S to about 52 bits; one
 * Newton step on the exact remainder X − s² (16-bit limbs, computed in
 * doubles without rounding) brings it within one, and the exact remainder
 * settles the last unit.
 */
function sqrtSignificand(core: FpCore, ah: number, al: number, odd: number): void {
  const L = core.limbs;
  // X's limbs: x0..x3 = 0, x4..x8 = A·2^(1+odd) (66 bits at most).
  const sh = 1 + odd;
  const y0 = (al << sh) & 0xffff, y1 = ((al >>> (16 - sh)) & 0xffff), y2 = ((al >>> (32 - sh)) | (ah << sh)) & 0xffff;
  const y3 = (ah >>> (16 - sh)) & 0xffff, y4 = ah >>> (32 - sh);
  // Estimate: s ≈ √X, an integer; doubles at 2^64 are multiples of 2^12, so keep it as limbs.
  const estimate = Math.floor(Math.sqrt((ah * 4294967296 + al) * 2 ** (65 + odd)));
  setLimbs(L, 0, estimate);
  // E = X − s² (signed), exactly: R[0..9] at L[10..19].
  squareInto(L, 0, 20);
  let negative = subtractFromX(L, 20, y0, y1, y2, y3, y4);
  // δ = E / (2s), rounded: S = s + δ.
  let e = 0;
  for (let i = 9; i >= 0; i--) e = e * 65536 + L[20 + i]!;
  if (negative) e = -e;
  addSmall(L, 0, Math.round(e / (2 * estimate)));
  // Exact remainder of the corrected root, then at most a step or two either way.
  squareInto(L, 0, 20);
  negative = subtractFromX(L, 20, y0, y1, y2, y3, y4);
  while (negative) {
    // S² > X: S ← S − 1, R ← R + 2S + 1 (with the new S).
    addSmall(L, 0, -1);
    negative = addTwiceSPlusOne(L, 0, 20);
  }
  while (remainderAtLeast2SPlus1(L, 0, 20)) {
    // (S + 1)² ≤ X: R ← R − 2S − 1, S ← S + 1.
    subtractTwiceSPlusOne(L, 0, 20);
    addSmall(L, 0, 1);
  }
  // S as limbs L[0..4] (65 bits): significand = S >> 1.
  const s0 = L[0]!, s1 = L[1]!, s2 = L[2]!, s3 = L[3]!, s4 = L[4]!;
  core.w0 = ((s4 << 31) | (s3 << 15) | (s2 >>> 1)) >>> 0;
  core.w1 = (((s2 & 1) << 31) | (s1 << 15) | (s0 >>> 1)) >>> 0;
  let rest = 0;
  for (let i = 20; i < 30; i++) rest |= L[i]!;
  core.w2 = (((s0 & 1) << 31) | (rest !== 0 ? 1 : 0)) >>> 0;
}

/** L[at..at+4] ← the non-negative integer v (< 2^70, exact in a double). */
function setLimbs(L: Float64Array, at: number, v: number): void {
  for (let i = 0; i < 5; i++) { L[at + i] = v % 65536; v = Math.floor(v / 65536); }
}

/** L[at..at+4] += k (|k| < 2^52): S stays non-negative. */
function addSmall(L: Float64Array, at: number, k: number): void {
  let carry = k;
  for (let i = 0; i < 5; i++) {
    const t = L[at + i]! + carry;
    const m = ((t % 65536) + 65536) % 65536;
    L[at + i] = m;
    carry = (t - m) / 65536;
  }
}

/** L[out..out+9] ← (L[at..at+4])², column sums exact in doubles. */
function squareInto(L: Float64Array, at: number, out: number): void {
  for (let k = 0; k < 10; k++) L[out + k] = 0;
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) L[out + i + j] = L[out + i + j]! + L[at + i]! * L[at + j]!;
  let carry = 0;
  for (let k = 0; k < 10; k++) {
    const t = L[out + k]! + carry;
    L[out + k] = t % 65536;
    carry = Math.floor(t / 65536);
  }
}

/**
 * L[r..r+9] ← X − L[r..r+9] with X's limbs (0, 0, 0, 0, y0..y4, 0); stores
 * the magnitude and returns true when the difference is negative.
 */
function subtractFromX(L: Float64Array, r: number, y0: number, y1: number, y2: number, y3: number, y4: number): boolean {
  let borrow = 0;
  for (let k = 0; k < 10; k++) {
    const x = k < 4 ? 0 : k === 4 ? y0 : k === 5 ? y1 : k === 6 ? y2 : k === 7 ? y3 : k === 8 ? y4 : 0;
    let t = x - L[r + k]! - borrow;
    borrow = t < 0 ? 1 : 0;
    if (t < 0) t += 65536;
    L[r + k] = t;
  }
  if (borrow === 0) return false;
  // Negative: take the two's complement to keep the magnitude.
  let carry = 1;
  for (let k = 0; k < 10; k++) {
    const t = 65535 - L[r + k]! + carry;
    L[r + k] = t % 65536;
    carry = t >= 65536 ? 1 : 0;
  }
  return true;
}

/** R (magnitude of a negative remainder) −= 2S + 1; returns whether R is still negative. */
function addTwiceSPlusOne(L: Float64Array, s: number, r: number): boolean {
  // Negative R = −M: R + 2S + 1 = (2S + 1) − M.
  let borrow = 0;
  const out = L;
  // Compute T = 2S + 1 − M into a temporary in L[30..39].
  let carry = 1;
  for (let k = 0; k < 10; k++) {
    const twoS = k < 5 ? 2 * L[s + k]! : 0;
    let t = twoS + carry;
    carry = Math.floor(t / 65536);
    t %= 65536;
    let d = t - L[r + k]! - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 65536;
    out[30 + k] = d;
  }
  if (borrow !== 0) {
    // Still negative: M' = M − (2S + 1).
    let b2 = 0;
    carry = 1;
    for (let k = 0; k < 10; k++) {
      const twoS = k < 5 ? 2 * L[s + k]! : 0;
      let t = twoS + carry;
      carry = Math.floor(t / 65536);
      t %= 65536;
      let d = L[r + k]! - t - b2;
      b2 = d < 0 ? 1 : 0;
      if (d < 0) d += 65536;
      L[r + k] = d;
    }
    return true;
  }
  for (let k = 0; k < 10; k++) L[r + k] = out[30 + k]!;
  return false;
}

/** Whether the (non-negative) remainder R ≥ 2S + 1. */
function remainderAtLeast2SPlus1(L: Float64Array, s: number, r: number): boolean {
  let borrow = 0, carry = 1;
  for (let k = 0; k < 10; k++) {
    const twoS = k < 5 ? 2 * L[s + k]! : 0;
    let t = twoS + carry;
    carry = Math.floor(t / 65536);
    t %= 65536;
    const d = L[r + k]! - t - borrow;
    borrow = d < 0 ? 1 : 0;
  }
  return borrow === 0;
}

/** R −= 2S + 1 (R ≥ 2S + 1). */
function subtractTwiceSPlusOne(L: Float64Array, s: number, r: number): void {
  let borrow = 0, carry = 1;
  for (let k = 0; k < 10; k++) {
    const twoS = k < 5 ? 2 * L[s + k]! : 0;
    let t = twoS + carry;
    carry = Math.floor(t / 65536);
    t %= 65536;
    let d = L[r + k]! - t - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 65536;
    L[r + k] = d;
  }
}
