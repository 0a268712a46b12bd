/**
 * Single- and double-precision arithmetic for SSE/SSE2 (SDM Vol. 1 §4.8,
 * §10.2.3, §11.5; Vol. 2 "ADDPS" … "SQRTSD", "CMPPS", "MINPS", "CVT…"),
 * bit-exact, on IEEE bit patterns: singles as one uint32, doubles as hi/lo
 * dwords.
 *
 * How: operands are widened exactly to the x87's 80-bit register format and
 * computed by the x87's software unit (src/cpu/fpu/arith.ts), whose core in
 * {@link Format.Single}/{@link Format.Double} mode rounds once, straight to
 * the IEEE format (exponent range, denormals, FTZ, every MXCSR.RC): an exact
 * intermediate, one rounding, no JavaScript double in the arithmetic. The
 * x87 rules that differ for SSE are applied here, before the core sees the
 * operands:
 *
 * - NaN operands (Vol. 1 Table 4-7, SSE column): the first source operand
 *   if it is a NaN, else the second, quieted; an SNaN raises IE. (The x87
 *   picks the larger significand instead.)
 * - The default NaN is the negative QNaN "real indefinite" (§4.8.3.7).
 * - DAZ (§10.2.3.4): denormal source operands become zeros of the same sign,
 *   without DE.
 * - DE for a denormal source operand; ZE/IE for the invalid and
 *   divide-by-zero cases come from the core.
 *
 * Exceptions accumulate in {@link SseFloat.flags} (MXCSR bit order, which is
 * the x87's); the instruction layer decides about unmasked ones.
 */
import { Ex, Float80, Format, FpCore, Rc } from '../fpu/float80.js';
import { add, div, mul, sqrt } from '../fpu/arith.js';
import { fromF32, fromF64, fromInt32, StoreResult, toInteger } from '../fpu/convert.js';
import { Mxcsr } from './sse-state.js';

/** Arithmetic operations by their opcode order in the 0F 58-5F column (ADD, MUL, …, SUB, MIN, DIV, MAX). */
export const enum FOp { Add = 0, Mul = 1, Sub = 4, Min = 5, Div = 6, Max = 7, Sqrt = 8 }

/** Comparison outcomes. */
export const enum Rel { Less = -1, Equal = 0, Greater = 1, Unordered = 2 }

const BIAS = 16383;

export const isNaN32 = (x: number): boolean => (x & 0x7fff_ffff) >>> 0 > 0x7f80_0000;
const isSNaN32 = (x: number): boolean => isNaN32(x) && (x & 0x40_0000) === 0;
const isDenormal32 = (x: number): boolean => (x & 0x7f80_0000) === 0 && (x & 0x7f_ffff) !== 0;
export const isNaN64 = (hi: number): boolean => (hi & 0x7ff0_0000) === 0x7ff0_0000;
const isNaN64Full = (hi: number, lo: number): boolean => isNaN64(hi) && ((hi & 0xf_ffff) | lo) !== 0;
const isSNaN64 = (hi: number, lo: number): boolean => isNaN64Full(hi, lo) && (hi & 0x8_0000) === 0;
const isDenormal64 = (hi: number, lo: number): boolean => (hi & 0x7ff0_0000) === 0 && ((hi & 0xf_ffff) | lo) !== 0;

/** The SSE float unit: the x87 core in IEEE mode, scratch values and the current instruction's flags. */
export class SseFloat {
  readonly core = new FpCore();
  readonly a = new Float80();
  readonly b = new Float80();
  readonly r = new Float80();
  readonly out = new StoreResult();
  /** Exception flags (MXCSR bits 0-5) raised by the current instruction. */
  flags = 0;
  /** MXCSR.UM is clear: tiny results underflow even when exact (see {@link merge}). */
  private ueUnmasked = false;
  /** MXCSR.OM is clear (see {@link merge}). */
  private oeUnmasked = false;

  daz = false;
  /** High and low dwords of the last double result. */
  hi = 0;
  lo = 0;
  /** Float32 ⇄ bits, for the approximations. */
  private readonly f32 = new Float32Array(1);
  private readonly u32 = new Uint32Array(this.f32.buffer);

  constructor() {
    this.core.masks = 0x3f;
  }

  /** Starts an instruction under `mxcsr`: RC, DAZ, FTZ (which acts only while UE is masked). */
  begin(mxcsr: number): void {
    this.core.rc = (mxcsr >> 13) & 3;
    this.core.flushToZero = (mxcsr & Mxcsr.FZ) !== 0 && (mxcsr & (Mxcsr.UE << 7)) !== 0;
    this.daz = (mxcsr & Mxcsr.DAZ) !== 0;
    this.ueUnmasked = (mxcsr & (Mxcsr.UE << 7)) === 0;
    this.oeUnmasked = (mxcsr & (Mxcsr.OE << 7)) === 0;
    this.flags = 0;
  }

  /**
   * Adds one element's flags `f` (from the core's masked responses). With
   * UE unmasked, a tiny result underflows even when exact (SDM Vol. 1
   * §4.9.1.5). With UE (OE) unmasked, a tiny (overflowing) element reports
   * PE when the result rounded with an unbounded exponent — what an x87
   * trap handler would get — is inexact, not when the masked response is
   * (host CPU; the SDM does not say).
   */
  private merge(f: number): void {
    const core = this.core;
    if ((core.tiny && this.ueUnmasked) || (core.huge && this.oeUnmasked)) {
      f = (f & ~Ex.PE) | (core.tiny ? Ex.UE : 0) | (core.wideInexact ? Ex.PE : 0);
    }
    this.flags |= f;
  }

  // ---- single precision -------------------------------------------------------------------

  /** DAZ applied to a single. */
  private in32(x: number): number {
    return this.daz && isDenormal32(x) ? x & 0x8000_0000 : x;
  }

  /** a op b (b ignored for SQRT) in single precision; returns the result's bits. */
  op32(op: FOp, a: number, b: number): number {
    a = this.in32(a); b = this.in32(b);
    const unary = op === FOp.Sqrt;
    if (op === FOp.Min || op === FOp.Max) return this.minMax32(op, a, b);
    const an = isNaN32(a), bn = !unary && isNaN32(b);
    if (an || bn) {
      if (isSNaN32(a) || (!unary && isSNaN32(b))) this.flags |= Ex.IE;
      return ((an ? a : b) | 0x40_0000) >>> 0;
    }
    const denormal = isDenormal32(a) || (!unary && isDenormal32(b));
    const core = this.core;
    fromF32(core, this.a, a, true);
    fromF32(core, this.b, b, true);
    this.compute(op, Format.Single, 24, denormal);
    return this.pack32(this.r);
  }

  /** Runs the core on this.a, this.b into this.r. */
  private compute(op: FOp, format: Format, precision: number, denormal: boolean): void {
    const core = this.core;
    core.flags = 0; core.srcDenormal = false; core.format = format; core.tiny = false; core.huge = false; core.wideInexact = false;
    switch (op) {
      case FOp.Add: add(core, this.a, this.b, false, precision, this.r); break;
      case FOp.Sub: add(core, this.a, this.b, true, precision, this.r); break;
      case FOp.Mul: mul(core, this.a, this.b, precision, this.r); break;
      case FOp.Div: div(core, this.a, this.b, precision, this.r); break;
      default: sqrt(core, this.a, precision, this.r); break;
    }
    let f = core.flags & 0x3f;
    // A denormal operand reports DE unless the operation is invalid or divides by zero (host CPU).
    if (denormal && (f & (Ex.IE | Ex.ZE)) === 0) f |= Ex.DE;
    this.merge(f);
  }

  /** MINSS/MAXSS: a NaN in either operand (IE) or two zeros give the second operand (SDM Vol. 2 "MINSS"). */
  private minMax32(op: FOp, a: number, b: number): number {
    if (isNaN32(a) || isNaN32(b)) { this.flags |= Ex.IE; return b >>> 0; }
    if (isDenormal32(a) || isDenormal32(b)) this.flags |= Ex.DE;
    const rel = cmp32(a, b);
    return (op === FOp.Min ? rel === Rel.Less : rel === Rel.Greater) ? a >>> 0 : b >>> 0;
  }

  /**
   * Compares two singles (CMPSS, COMISS): IE for an SNaN, and for a QNaN too
   * when `signaling`; DE for a denormal operand of an ordered comparison.
   */
  compare32(a: number, b: number, signaling: boolean): Rel {
    a = this.in32(a); b = this.in32(b);
    if (isNaN32(a) || isNaN32(b)) {
      if (signaling || isSNaN32(a) || isSNaN32(b)) this.flags |= Ex.IE;
      return Rel.Unordered;
    }
    if (isDenormal32(a) || isDenormal32(b)) this.flags |= Ex.DE;
    return cmp32(a, b);
  }

  /** The exact 80-bit value of a single result into its bits. */
  pack32(v: Float80): number {
    const sign = (v.se & 0x8000) << 16;
    const e = v.se & 0x7fff;
    if (e === 0x7fff) {
      if (((v.hi & 0x7fff_ffff) | v.lo) !== 0) return (sign | 0x7fc0_0000 | ((v.hi >>> 8) & 0x3f_ffff)) >>> 0;
      return (sign | 0x7f80_0000) >>> 0;
    }
    if ((v.hi | v.lo) === 0) return sign >>> 0;
    const E = e - BIAS;
    if (E >= -126) return (sign | ((E + 127) << 23) | ((v.hi >>> 8) & 0x7f_ffff)) >>> 0;
    return (sign | (v.hi >>> (8 + (-126 - E)))) >>> 0;
  }

  // ---- double precision ---------------------------------------------------------------------

  /** a op b in double precision (b ignored for SQRT); the result goes to {@link hi}/{@link lo}. */
  op64(op: FOp, ah: number, al: number, bh: number, bl: number): void {
    if (this.daz) {
      if (isDenormal64(ah, al)) { ah &= 0x8000_0000; al = 0; }
      if (isDenormal64(bh, bl)) { bh &= 0x8000_0000; bl = 0; }
    }
    const unary = op === FOp.Sqrt;
    const an = isNaN64Full(ah, al), bn = !unary && isNaN64Full(bh, bl);
    if (op === FOp.Min || op === FOp.Max) {
      if (an || bn) { this.flags |= Ex.IE; this.hi = bh >>> 0; this.lo = bl >>> 0; return; }
      if (isDenormal64(ah, al) || isDenormal64(bh, bl)) this.flags |= Ex.DE;
      const rel = cmp64(ah, al, bh, bl);
      const first = op === FOp.Min ? rel === Rel.Less : rel === Rel.Greater;
      this.hi = (first ? ah : bh) >>> 0; this.lo = (first ? al : bl) >>> 0;
      return;
    }
    if (an || bn) {
      if (isSNaN64(ah, al) || (!unary && isSNaN64(bh, bl))) this.flags |= Ex.IE;
      this.hi = ((an ? ah : bh) | 0x8_0000) >>> 0; this.lo = (an ? al : bl) >>> 0;
      return;
    }
    const denormal = isDenormal64(ah, al) || (!unary && isDenormal64(bh, bl));
    fromF64(this.core, this.a, ah, al, true);
    fromF64(this.core, this.b, bh, bl, true);
    this.compute(op, Format.Double, 53, denormal);
    this.pack64(this.r);
  }

  /** Compares two doubles (see {@link compare32}). */
  compare64(ah: number, al: number, bh: number, bl: number, signaling: boolean): Rel {
    if (this.daz) {
      if (isDenormal64(ah, al)) { ah &= 0x8000_0000; al = 0; }
      if (isDenormal64(bh, bl)) { bh &= 0x8000_0000; bl = 0; }
    }
    if (isNaN64Full(ah, al) || isNaN64Full(bh, bl)) {
      if (signaling || isSNaN64(ah, al) || isSNaN64(bh, bl)) this.flags |= Ex.IE;
      return Rel.Unordered;
    }
    if (isDenormal64(ah, al) || isDenormal64(bh, bl)) this.flags |= Ex.DE;
    return cmp64(ah, al, bh, bl);
  }

  /** The exact 80-bit value of a double result into {@link hi}/{@link lo}. */
  pack64(v: Float80): void {
    const sign = (v.se & 0x8000) << 16;
    const e = v.se & 0x7fff;
    const h = v.hi, l = v.lo;
    if (e === 0x7fff) {
      if (((h & 0x7fff_ffff) | l) !== 0) {
        this.hi = (sign | 0x7ff8_0000 | ((h >>> 11) & 0x7_ffff)) >>> 0;
        this.lo = ((h << 21) | (l >>> 11)) >>> 0;
      } else { this.hi = (sign | 0x7ff0_0000) >>> 0; this.lo = 0; }
      return;
    }
    if ((h | l) === 0) { this.hi = sign >>> 0; this.lo = 0; return; }
    const E = e - BIAS;
    if (E >= -1022) {
      this.hi = (sign | ((E + 1023) << 20) | ((h >>> 11) & 0xf_ffff)) >>> 0;
      this.lo = ((h << 21) | (l >>> 11)) >>> 0;
      return;
    }
    const n = 11 + (-1022 - E);
    if (n >= 32) { this.lo = h >>> (n - 32); this.hi = sign >>> 0; } else {
      this.lo = ((l >>> n) | (h << (32 - n))) >>> 0;
      this.hi = (sign | (h >>> n)) >>> 0;
    }
  }

  // ---- conversions -----------------------------------------------------------------------------

  /** Rounds the 80-bit value `v` (exact, finite) into `format` through the core; result in this.r. */
  private roundInto(v: Float80, format: Format): void {
    const core = this.core;
    core.flags = 0; core.format = format; core.tiny = false; core.huge = false; core.wideInexact = false;
    core.unpackA(v);
    if ((v.hi | v.lo) === 0) { this.r.copy(v); return; }
    core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
    core.roundPack(this.r, core.aSign, core.aExp, 64);
    this.merge(core.flags & 0x3f);
  }

  /** CVTSI2SS/CVTDQ2PS/CVTPI2PS: a signed dword to single, rounded by RC (PE). */
  int32ToF32(v: number): number {
    fromInt32(this.a, v | 0);
    this.roundInto(this.a, Format.Single);
    return this.pack32(this.r);
  }

  /** CVTSI2SD/CVTDQ2PD/CVTPI2PD: a signed dword to double (exact). */
  int32ToF64(v: number): void {
    fromInt32(this.a, v | 0);
    this.pack64(this.a);
  }

  /** CVTSS2SD/CVTPS2PD: exact; an SNaN is quieted with IE, a denormal raises DE (SDM Vol. 2 "CVTSS2SD"). */
  f32ToF64(x: number): void {
    x = this.in32(x);
    if (isNaN32(x)) {
      if (isSNaN32(x)) this.flags |= Ex.IE;
      this.hi = ((x & 0x8000_0000) | 0x7ff8_0000 | ((x & 0x3f_ffff) >>> 3)) >>> 0;
      this.lo = (x << 29) >>> 0;
      return;
    }
    if (isDenormal32(x)) this.flags |= Ex.DE;
    fromF32(this.core, this.a, x, true);
    this.pack64(this.a);
  }

  /** CVTSD2SS/CVTPD2PS: rounded by RC with OE/UE/PE; NaNs quieted and truncated. */
  f64ToF32(hi: number, lo: number): number {
    if (this.daz && isDenormal64(hi, lo)) { hi &= 0x8000_0000; lo = 0; }
    if (isNaN64Full(hi, lo)) {
      if (isSNaN64(hi, lo)) this.flags |= Ex.IE;
      return ((hi & 0x8000_0000) | 0x7fc0_0000 | ((hi & 0x7_ffff) << 3) | (lo >>> 29)) >>> 0;
    }
    if (isDenormal64(hi, lo)) this.flags |= Ex.DE;
    fromF64(this.core, this.a, hi, lo, true);
    if ((this.a.se & 0x7fff) === 0x7fff) return this.pack32(this.a);
    this.roundInto(this.a, Format.Single);
    return this.pack32(this.r);
  }

  /**
   * Single (or with `hi` given, double) to a signed dword, rounded by RC or
   * truncated: NaN, ∞ and out-of-range values give the integer indefinite
   * 8000_0000h with IE; inexact results PE (SDM Vol. 2 "CVTSS2SI").
   */
  toInt32(x: number, truncate: boolean, double: boolean, lo = 0): number {
    const core = this.core;
    if (double) {
      if (this.daz && isDenormal64(x, lo)) { x &= 0x8000_0000; lo = 0; }
      fromF64(core, this.a, x, lo, true);
    } else {
      fromF32(core, this.a, this.in32(x), true);
    }
    core.flags = 0; core.srcDenormal = false;
    const rc = core.rc;
    if (truncate) core.rc = Rc.Zero;
    toInteger(core, this.a, 32, this.out);
    core.rc = rc;
    this.flags |= core.flags & (Ex.IE | Ex.PE);
    return this.out.lo | 0;
  }

  // ---- approximations --------------------------------------------------------------------------

  /**
   * RCPSS/RSQRTSS: 1/x or 1/√x with a relative error below 1.5 × 2^-12 (SDM
   * Vol. 2 "RCPSS", "RSQRTSS"). The tables are implementation specific
   * (Intel's and AMD's differ); this gives the correctly rounded value
   * rounded to 12 significand bits. No exceptions; denormal sources count
   * as zeros; tiny reciprocals are flushed to zero; NaNs are quieted; a
   * negative non-zero operand of RSQRT gives the indefinite.
   */
  approx32(x: number, rsqrt: boolean): number {
    const sign = x & 0x8000_0000;
    if (isNaN32(x)) return (x | 0x40_0000) >>> 0;
    if ((x & 0x7f80_0000) === 0) return (sign | 0x7f80_0000) >>> 0; // ±0 and denormals: ±∞
    if (rsqrt && sign !== 0) return 0xffc0_0000;
    if ((x & 0x7fff_ffff) === 0x7f80_0000) return sign >>> 0; // ±∞: ±0
    this.u32[0] = x;
    const v = this.f32[0]!;
    const r = rsqrt ? 1 / Math.sqrt(v) : 1 / v;
    this.f32[0] = r;
    let bits = this.u32[0]!;
    if ((bits & 0x7f80_0000) === 0) return sign >>> 0; // tiny: flushed to zero
    // Round to 12 significand bits (error ≤ 2^-12 plus the double's), carrying into the exponent.
    bits = ((bits + 0x400) & ~0x7ff) >>> 0;
    if ((bits & 0x7f80_0000) === 0x7f80_0000) bits = (sign | 0x7f7f_f800) >>> 0;
    return bits;
  }
}

/** Orders two non-NaN singles (±0 equal). */
export function cmp32(a: number, b: number): Rel {
  const ka = (a & 0x8000_0000) !== 0 ? -(a & 0x7fff_ffff) : a & 0x7fff_ffff;
  const kb = (b & 0x8000_0000) !== 0 ? -(b & 0x7fff_ffff) : b & 0x7fff_ffff;
  return ka < kb ? Rel.Less : ka > kb ? Rel.Greater : Rel.Equal;
}

/** Orders two non-NaN doubles (±0 equal). */
export function cmp64(ah: number, al: number, bh: number, bl: number): Rel {
  const az = ((ah & 0x7fff_ffff) | al) === 0, bz = ((bh & 0x7fff_ffff) | bl) === 0;
  if (az && bz) return Rel.Equal;
  const sa = ah >>> 31, sb = bh >>> 31;
  if (sa !== sb) return sa !== 0 ? Rel.Less : Rel.Greater;
  const ma = ah & 0x7fff_ffff, mb = bh & 0x7fff_ffff;
  let m = ma !== mb ? (ma > mb ? 1 : -1) : (al >>> 0) !== (bl >>> 0) ? ((al >>> 0) > (bl >>> 0) ? 1 : -1) : 0;
  if (sa !== 0) m = -m;
  return m as Rel;
}
