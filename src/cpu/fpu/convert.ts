/**
 * Conversions between the 80-bit register format and the memory formats of
 * SDM Vol. 1 §4.2 and §8.2: single/double/extended reals, 16/32/64-bit
 * integers and 18-digit packed BCD. Loads are exact (single and double
 * raise IE for SNaNs and DE for denormals, §8.5.1-8.5.2); stores round per
 * RC and raise IE (NaN, ∞ or out of range for integers and BCD: masked, the
 * indefinite of the format, §4.8.3.7, §4.7), OE/UE/PE with C1 = rounded up;
 * an unmasked IE, OE or UE stores nothing (§8.5.4-8.5.5: "no result is
 * stored in memory").
 *
 * Results of stores go to `core.outHi`/`core.outLo` (the memory image as
 * two 32-bit words, low word first for 16/32-bit formats); {@link storeOk}
 * tells whether they may be written.
 */
import { BIAS, Cls, EXP_MAX, Ex, Float80, FpCore, classify, clz } from './float80.js';

/** A memory operand's format. */
export const enum Fmt { Int16 = 0, Int32 = 1, Int64 = 2, F32 = 3, F64 = 4, F80 = 5, Bcd = 6 }

/** Scratch for store results, kept on the core (see module doc). */
export class StoreResult {
  hi = 0;
  lo = 0;
}

/** Whether a store may write its result (no unmasked IE, OE or UE). */
export function storeOk(core: FpCore): boolean {
  return (core.flags & ~core.masks & (Ex.IE | Ex.OE | Ex.UE)) === 0;
}

// ---- loads ------------------------------------------------------------------------

/** dst ← the 64-bit two's complement integer hi:lo (exact). */
export function fromInt64(dst: Float80, hi: number, lo: number): void {
  let sign = 0;
  hi >>>= 0; lo >>>= 0;
  if ((hi & 0x8000_0000) !== 0) {
    sign = 1;
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  normalizeInto(dst, sign, hi, lo, BIAS + 63);
}

/** dst ← the 32-bit (or sign-extended 16-bit) integer v (exact). */
export function fromInt32(dst: Float80, v: number): void {
  fromInt64(dst, v < 0 ? -1 : 0, v);
}

/** Normalizes the 64-bit magnitude hi:lo with exponent `e` (for bit 63) into dst (zero stays a signed zero). */
function normalizeInto(dst: Float80, sign: number, hi: number, lo: number, e: number): void {
  if ((hi | lo) === 0) { dst.set(sign << 15, 0, 0); return; }
  const n = hi !== 0 ? clz(hi) : 32 + clz(lo);
  if (n >= 32) { hi = lo << (n - 32); lo = 0; } else if (n > 0) { hi = (hi << n) | (lo >>> (32 - n)); lo <<= n; }
  dst.set((sign << 15) | (e - n), hi, lo);
}

/**
 * dst ← the single-precision value with bits `v`: for FLD, IE for an SNaN
 * (quieted) and DE for a denormal. With `operand` (the memory operand of an
 * arithmetic instruction), the SNaN stays signaling and a denormal only sets
 * `core.srcDenormal`, so the operation applies the exception priorities.
 */
export function fromF32(core: FpCore, dst: Float80, v: number, operand = false): void {
  const sign = v >>> 31, e = (v >>> 23) & 0xff, m = v & 0x7f_ffff;
  if (e === 0xff) {
    if (m === 0) { dst.set((sign << 15) | EXP_MAX, 0x8000_0000, 0); return; }
    const quiet = operand ? 0 : 0x4000_0000;
    if ((m & 0x40_0000) === 0 && !operand) core.flags |= Ex.IE;
    dst.set((sign << 15) | EXP_MAX, (0x8000_0000 | quiet | (m << 8)) >>> 0, 0);
    return;
  }
  if (e === 0) {
    if (m === 0) { dst.set(sign << 15, 0, 0); return; }
    if (operand) core.srcDenormal = true; else core.flags |= Ex.DE;
    // Value = m × 2^-149: m's bit 0 lands on bit 40, so bit 63 weighs 2^-126.
    normalizeInto(dst, sign, m << 8, 0, BIAS - 126);
    return;
  }
  dst.set((sign << 15) | (e - 127 + BIAS), (0x8000_0000 | (m << 8)) >>> 0, 0);
}

/** dst ← the double-precision value with bits hi:lo (IE/DE and `operand` as for {@link fromF32}). */
export function fromF64(core: FpCore, dst: Float80, hi: number, lo: number, operand = false): void {
  hi >>>= 0; lo >>>= 0;
  const sign = hi >>> 31, e = (hi >>> 20) & 0x7ff, mh = hi & 0xf_ffff;
  // The 52-bit fraction, left-aligned below the integer bit: bits 62..11.
  const fh = ((mh << 11) | (lo >>> 21)) >>> 0, fl = (lo << 11) >>> 0;
  if (e === 0x7ff) {
    if ((mh | lo) === 0) { dst.set((sign << 15) | EXP_MAX, 0x8000_0000, 0); return; }
    if ((mh & 0x8_0000) === 0 && !operand) core.flags |= Ex.IE;
    dst.set((sign << 15) | EXP_MAX, ((operand ? 0x8000_0000 : 0xc000_0000) | fh) >>> 0, fl);
    return;
  }
  if (e === 0) {
    if ((mh | lo) === 0) { dst.set(sign << 15, 0, 0); return; }
    if (operand) core.srcDenormal = true; else core.flags |= Ex.DE;
    // Value = fraction × 2^-1074: its bit 0 lands on bit 11, so bit 63 weighs 2^-1022.
    normalizeInto(dst, sign, fh, fl, BIAS - 1022);
    return;
  }
  dst.set((sign << 15) | (e - 1023 + BIAS), (0x8000_0000 | fh) >>> 0, fl);
}

/** dst ← the 18-digit packed BCD integer in bytes[0..9] (exact; digits above 9 are taken at face value). */
export function fromBcd(dst: Float80, bytes: Uint8Array): void {
  // 18 digits, two per byte from byte 8 (most significant) down: the upper and lower nine, each below 10^9.
  let upper = 0, lower = 0;
  for (let k = 17; k >= 0; k--) {
    const byte = bytes[k >> 1]!;
    const digit = (k & 1) !== 0 ? byte >> 4 : byte & 15;
    if (k >= 9) upper = upper * 10 + digit; else lower = lower * 10 + digit;
  }
  // value = upper·10^9 + lower, up to ~2^60: multiply in 16-bit pieces.
  const sign = bytes[9]! >> 7;
  const p0 = (upper % 65536) * 1e9 + lower;          // < 2^46
  const p1 = Math.floor(upper / 65536) * 1e9;        // weight 2^16, < 2^44
  const lo16 = p0 % 65536;
  const mid = Math.floor(p0 / 65536) + p1;           // weight 2^16, < 2^45
  const lo = ((mid % 65536) * 65536 + lo16) >>> 0;
  const hi = Math.floor(mid / 65536) >>> 0;
  normalizeInto(dst, sign, hi, lo, BIAS + 63);
}

// ---- stores -----------------------------------------------------------------------

/**
 * Operand checks of a store from a register: unsupported formats are
 * invalid; an SNaN raises IE (for the real formats it is then stored
 * quieted); a denormal raises DE for the single/double stores. Returns the
 * class (after unpacking into the a-operand).
 */
function storeOperand(core: FpCore, v: Float80): Cls {
  const c = core.unpackA(v);
  if (c === Cls.Unsupported || c === Cls.SNaN) core.flags |= Ex.IE;
  return c;
}

/**
 * Rounds the unpacked a-operand to a binary format of `p` significand bits
 * and minimum normal exponent `emin`, maximum `emax` (unbiased); leaves the
 * encoded magnitude (without sign) in out as hi:lo words of the format's
 * exponent-and-fraction field, with `fracBits` fraction bits. Masked
 * overflow and underflow responses; unmasked ones only set the flag.
 */
function roundToFormat(core: FpCore, out: StoreResult, p: number, emin: number, emax: number, fracBits: number, bias: number): void {
  const sign = core.aSign;
  let E = core.aExp - BIAS;
  const normalCut = 64 - p;
  let cut = normalCut;
  if (E < emin) cut = Math.min(normalCut + (emin - E), 66);
  core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
  let tiny = false;
  if (E < emin) {
    // Tininess after rounding: rounded to p bits with an unbounded exponent, is it still below 2^emin?
    const r = core.roundAt(normalCut, sign);
    tiny = !(r === 3 && E === emin - 1);
    core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
    if (tiny && (core.masks & Ex.UE) === 0) { core.flags |= Ex.UE; return; }
  }
  const r = core.roundAt(cut, sign);
  let mh: number, ml: number;
  if (cut > 64) {
    // Everything lies below the rounding point: 0 or the smallest denormal.
    const up = r !== 0 && core.w0 === 0 && core.w1 === 0 && r === 3;
    mh = 0; ml = up ? 1 : 0;
  } else if (r === 3) {
    // Carry out of bit 63: the significand is 2^64 at exponent E, i.e. 1.0 × 2^(E+1).
    E++;
    if (E < emin) { const m = 64 - cut; mh = m >= 32 ? 2 ** (m - 32) : 0; ml = m < 32 ? 2 ** m : 0; } else { cut = normalCut; mh = -1; ml = 0; }
    if (mh === -1) { core.w0 = 0x8000_0000; core.w1 = 0; shrInto(core, normalCut); mh = core.w0; ml = core.w1; }
  } else {
    shrInto(core, cut); mh = core.w0; ml = core.w1;
  }
  if (r !== 0) {
    if (tiny) core.flags |= Ex.UE;
    core.flags |= r >= 2 ? Ex.PE | Ex.C1 : Ex.PE;
  }
  if (E > emax) {
    if ((core.masks & Ex.OE) === 0) { core.flags = (core.flags & ~(Ex.PE | Ex.C1)) | Ex.OE; return; }
    core.flags |= Ex.OE | Ex.PE;
    if (core.overflowsToInfinity(sign)) {
      core.flags |= Ex.C1;
      setField(out, fracBits, emax + bias + 1, 0, 0);
    } else {
      // Largest finite: all-ones fraction with the largest exponent.
      if (fracBits === 23) setField(out, fracBits, emax + bias, 0, 0x7f_ffff);
      else setField(out, fracBits, emax + bias, 0xf_ffff, 0xffff_ffff);
    }
    return;
  }
  if (E < emin || (cut > normalCut)) {
    // Denormal (or zero, or rounded up to the smallest normal): the field is the integer m itself.
    setField(out, fracBits, 0, mh, ml);
    return;
  }
  // Normal: drop the integer bit.
  const f = p - 1; // fraction bits of m (= fracBits)
  if (f >= 32) mh = mh & (2 ** (f - 32) - 1); else ml = ml & (2 ** f - 1);
  setField(out, fracBits, E + bias, mh, ml);
}

/** w0:w1 >>>= n (n ≤ 64). */
function shrInto(core: FpCore, n: number): void {
  let w0 = core.w0, w1 = core.w1;
  if (n >= 64) { w0 = 0; w1 = 0; } else if (n >= 32) { w1 = w0 >>> (n - 32); w0 = 0; } else if (n > 0) { w1 = ((w1 >>> n) | (w0 << (32 - n))) >>> 0; w0 = w0 >>> n; }
  core.w0 = w0 >>> 0; core.w1 = w1 >>> 0;
}

/** out ← biased exponent field and fraction (mh:ml, `fracBits` wide), added so a carry of m into the exponent is kept. */
function setField(out: StoreResult, fracBits: number, exp: number, mh: number, ml: number): void {
  if (fracBits === 23) {
    out.lo = ((exp * 2 ** 23) + ml) >>> 0; out.hi = 0;
  } else {
    out.lo = ml >>> 0;
    out.hi = ((exp * 2 ** 20) + mh) >>> 0;
  }
}

/** Stores `v` as a single (`fmt` F32) or double (F64) into out, with the exceptions of FST. */
export function toFloat(core: FpCore, v: Float80, fmt: Fmt, out: StoreResult): void {
  const c = storeOperand(core, v);
  const single = fmt === Fmt.F32;
  const sign = core.aSign;
  out.hi = 0; out.lo = 0;
  switch (c) {
    case Cls.Zero: break;
    case Cls.Inf:
      setField(out, single ? 23 : 20, single ? 0xff : 0x7ff, 0, 0);
      break;
    case Cls.Unsupported:
      // Masked: the indefinite of the format.
      if (single) out.lo = 0xffc0_0000; else out.hi = 0xfff8_0000;
      return;
    case Cls.QNaN: case Cls.SNaN: {
      // Quieted, significand truncated.
      const fh = v.hi & 0x7fff_ffff;
      if (single) out.lo = (0x7fc0_0000 | (fh >>> 8)) >>> 0;
      else { out.hi = (0x7ff8_0000 | (fh >>> 11)) >>> 0; out.lo = ((fh << 21) | (v.lo >>> 11)) >>> 0; }
      break;
    }
    default:
      // A denormal register operand raises no DE on a store (host CPU).
      if (single) roundToFormat(core, out, 24, -126, 127, 23, 127);
      else roundToFormat(core, out, 53, -1022, 1023, 20, 1023);
  }
  if (sign) { if (single) out.lo = (out.lo | 0x8000_0000) >>> 0; else out.hi = (out.hi | 0x8000_0000) >>> 0; }
}

/**
 * Rounds `v` to an integer per RC for FIST/FISTP (`bits` 16, 32 or 64) or,
 * with `bits` = 0, for FBSTP (|x| < 10^18). Out of range, NaN, ∞ or an
 * unsupported value raise IE (masked: the integer indefinite, 0x8000…, or
 * the BCD indefinite). The magnitude and sign are left in out (hi:lo as
 * two's complement for integers).
 */
export function toInteger(core: FpCore, v: Float80, bits: number, out: StoreResult): void {
  const c = storeOperand(core, v);
  if (c === Cls.Unsupported || c === Cls.QNaN || c === Cls.SNaN || c === Cls.Inf) {
    core.flags |= Ex.IE;
    indefiniteInteger(out, bits);
    return;
  }
  out.hi = 0; out.lo = 0;
  if (c === Cls.Zero) return;
  const sign = core.aSign;
  const E = core.aExp - BIAS;
  let mh: number, ml: number, r = 0;
  if (E >= 64) { mh = 0xffff_ffff; ml = 0xffff_ffff; r = 4; } else {
    const cut = 63 - E;
    core.w0 = core.aHi; core.w1 = core.aLo; core.w2 = 0;
    if (cut > 64) {
      // |v| < 0.5: rounds to 0 or 1.
      r = core.roundAt(65, sign);
      mh = 0; ml = r === 3 ? 1 : 0;
    } else {
      r = core.roundAt(cut, sign);
      if (r === 3) {
        // 2^(64 − cut) = 2^(E + 1).
        const m = 64 - cut;
        if (m >= 64) { mh = 0xffff_ffff; ml = 0xffff_ffff; r = 4; } else { mh = m >= 32 ? 2 ** (m - 32) : 0; ml = m < 32 ? 2 ** m : 0; }
      } else {
        shrInto(core, cut); mh = core.w0; ml = core.w1;
      }
    }
  }
  // Range check on the rounded magnitude.
  let inRange: boolean;
  if (r === 4) inRange = false;
  else if (bits === 16) inRange = mh === 0 && (ml < 0x8000 || (ml === 0x8000 && sign === 1));
  else if (bits === 32) inRange = mh === 0 && (ml < 0x8000_0000 || (ml === 0x8000_0000 && sign === 1));
  else if (bits === 64) inRange = mh < 0x8000_0000 || (mh === 0x8000_0000 && ml === 0 && sign === 1);
  else inRange = mh < 0xde0b6b3 || (mh === 0xde0b6b3 && ml < 0xa7640000); // 10^18 = 0x0DE0B6B3_A7640000
  if (!inRange) {
    core.flags |= Ex.IE;
    indefiniteInteger(out, bits);
    return;
  }
  if (r !== 0) core.flags |= r >= 2 ? Ex.PE | Ex.C1 : Ex.PE;
  if (bits === 0) { out.hi = mh; out.lo = ml; return; }
  if (sign) {
    ml = (~ml + 1) >>> 0;
    mh = (~mh + (ml === 0 ? 1 : 0)) >>> 0;
  }
  out.hi = mh >>> 0; out.lo = ml >>> 0;
}

/** The integer indefinite (SDM Vol. 1 §4.2.1.2 / Table 4-2) of a `bits`-wide integer; bits 0: BCD. */
function indefiniteInteger(out: StoreResult, bits: number): void {
  if (bits === 16) { out.hi = 0; out.lo = 0x8000; } else if (bits === 32) { out.hi = 0; out.lo = 0x8000_0000; } else { out.hi = 0x8000_0000; out.lo = 0; }
  if (bits === 0) { out.hi = -1; out.lo = -1; }
}

/**
 * Packed BCD image (10 bytes) of a magnitude below 10^18 with `sign`; with
 * hi = lo = -1 (the indefinite marker from {@link toInteger}), the BCD
 * indefinite FFFF C000 0000 0000 0000 (SDM Vol. 1 Table 4-4).
 */
export function bcdBytes(out: StoreResult, sign: number, into: Uint8Array): void {
  if (out.hi === -1 && out.lo === -1) {
    into.fill(0);
    into[7] = 0xc0; into[8] = 0xff; into[9] = 0xff;
    return;
  }
  // Split into two 9-digit halves with exact 16-bit-piece division by 10^9.
  const hi = out.hi >>> 0, lo = out.lo >>> 0;
  const qh = Math.floor(hi / 1e9), rh = hi % 1e9;
  const t1 = rh * 65536 + (lo >>> 16);
  const qm = Math.floor(t1 / 1e9), rm = t1 % 1e9;
  const t2 = rm * 65536 + (lo & 0xffff);
  const ql = Math.floor(t2 / 1e9), lower = t2 % 1e9;
  let upper = qh * 4294967296 + qm * 65536 + ql;
  let low = lower;
  for (let i = 0; i < 4; i++) { into[i] = (low % 10) | ((Math.floor(low / 10) % 10) << 4); low = Math.floor(low / 100); }
  into[4] = (low % 10) | ((upper % 10) << 4); upper = Math.floor(upper / 10);
  for (let i = 5; i < 9; i++) { into[i] = (upper % 10) | ((Math.floor(upper / 10) % 10) << 4); upper = Math.floor(upper / 100); }
  into[9] = sign ? 0x80 : 0;
}

/** Classifies for FXAM etc. (re-exported for the instruction layer). */
export { classify };
