/**
 * Double extended-precision (80-bit) values and correctly rounded results,
 * in software: no JavaScript double ever holds an intermediate value.
 *
 * A value is a {@link Float80}: `se` = sign (bit 15) and biased exponent
 * (bits 0-14), and the 64-bit significand as two unsigned 32-bit words `hi`
 * (with the explicit integer bit 31) and `lo` — the register format of SDM
 * Vol. 1 §4.2.2 / Figure 4-3. Operations unpack into exponent and words held
 * in the fields of one {@link FpCore}, which is allocated once per FPU, so
 * arithmetic allocates nothing.
 *
 * Rounding (SDM Vol. 1 §4.8.4, §8.1.5.2 and §8.1.5.3): the four RC modes and
 * the precision control (24, 53 or 64 significand bits) with the exponent
 * range kept extended. Tiny results are denormalized and rounded at the same
 * fixed bit position of the 64-bit field as normal results are (bit 40 for
 * PC=24, 11 for PC=53), and tininess is detected after rounding (the result
 * rounded with an unbounded exponent is still below 2^-16382), which is what
 * the host CPU does (checked with the hardware oracle, see
 * test/cpu/fpu/float80.test.ts).
 *
 * Exceptions (SDM Vol. 1 §4.9, §8.5): each operation ORs FSW exception bits
 * (and C1 as "rounded up") into {@link FpCore.flags}; masked responses are
 * applied here; unmasked overflow/underflow on a register destination give
 * the result with its exponent wrapped by 24576 (§8.5.4, §8.5.5).
 */

/** FSW bits an operation can raise (SDM Vol. 1 §8.1.3, Figure 8-4). */
export const enum Ex {
  IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20,
  /** Stack fault (with IE); C1 tells overflow (1) from underflow (0). */
  SF = 0x40,
  /** Condition code C1: "rounded up" after an inexact result; stack overflow after SF. */
  C1 = 0x200,
}

/** The six exception flags (and their mask bits in FCW). */
export const EX_ALL = 0x3f;

/** Operand classes (what FXAM and the special-case tables distinguish). */
export const enum Cls {
  Zero = 0, Normal = 1, Denormal = 2, Inf = 3, QNaN = 4, SNaN = 5,
  /** Unnormals, pseudo-NaNs, pseudo-infinities: invalid operands on the 387 and later (SDM Vol. 1 §8.2.2). */
  Unsupported = 6,
  /** Exponent 0 with the integer bit set: read as if the exponent were 1, with #D (SDM Vol. 1 §8.2.2). */
  PseudoDenormal = 7,
}

/** Rounding control (FCW bits 10-11). */
export const enum Rc { Nearest = 0, Down = 1, Up = 2, Zero = 3 }

/** Destination formats of {@link FpCore.roundPack}. */
export const enum Format { Extended = 0, Single = 1, Double = 2 }

/** Exponent bias of the extended format. */
export const BIAS = 16383;
/** Biased exponent of infinities and NaNs. */
export const EXP_MAX = 0x7fff;
/** Exponent adjustment of an unmasked overflow or underflow result on the stack (SDM Vol. 1 §8.5.4). */
export const WRAP = 24576;

/** One 80-bit value (register contents, an operand or a result). */
export class Float80 {
  /** Sign (bit 15) and biased exponent (bits 0-14). */
  se = 0;
  /** Significand bits 63-32 (bit 31 = the explicit integer bit). */
  hi = 0;
  /** Significand bits 31-0. */
  lo = 0;

  set(se: number, hi: number, lo: number): this {
    this.se = se & 0xffff; this.hi = hi >>> 0; this.lo = lo >>> 0;
    return this;
  }

  copy(from: Float80): this {
    this.se = from.se; this.hi = from.hi; this.lo = from.lo;
    return this;
  }

  /** 20 hex digits, most significant first (the oracle's notation). */
  toHex(): string {
    return this.se.toString(16).padStart(4, '0') + this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  /** Parses 20 hex digits. */
  static fromHex(hex: string): Float80 {
    return new Float80().set(parseInt(hex.slice(0, 4), 16), parseInt(hex.slice(4, 12), 16), parseInt(hex.slice(12, 20), 16));
  }
}

/** The class of an 80-bit value. */
export function classify(v: Float80): Cls {
  const e = v.se & 0x7fff;
  const hi = v.hi, lo = v.lo;
  if (e === 0) {
    if ((hi | lo) === 0) return Cls.Zero;
    return (hi & 0x8000_0000) !== 0 ? Cls.PseudoDenormal : Cls.Denormal;
  }
  if ((hi & 0x8000_0000) === 0) return Cls.Unsupported;
  if (e === EXP_MAX) {
    if ((hi & 0x7fff_ffff) === 0 && lo === 0) return Cls.Inf;
    return (hi & 0x4000_0000) !== 0 ? Cls.QNaN : Cls.SNaN;
  }
  return Cls.Normal;
}

/** True for NaN and unsupported classes and SNaNs: operands the NaN/invalid rules handle. */
export function isNanClass(c: Cls): boolean {
  return c === Cls.QNaN || c === Cls.SNaN;
}

/** Number of leading zero bits of a 32-bit word (32 for 0). */
export const clz = Math.clz32;

/**
 * The arithmetic unit: control settings, the exception flags of the
 * operation in progress, and scratch words. Unpacked operands are `a*`/`b*`
 * (exponent as a plain integer on the biased scale, which may go below 1
 * after a denormal is normalized; significand normalized with bit 31 of the
 * high word set, except for zeros); results pass through {@link roundPack}.
 */
export class FpCore {
  /** Rounding control (FCW.RC). */
  rc = Rc.Nearest;
  /** Exception masks (FCW bits 0-5): a set bit masks. */
  masks = EX_ALL;
  /** FSW bits raised by the current operation (Ex), C1 included. */
  flags = 0;
  /** The b operand came from a denormal single/double in memory (it is normal in the register format). */
  srcDenormal = false;
  /**
   * Destination format of {@link roundPack}: {@link Format.Extended} (the
   * x87: extended exponent range, `precision` significand bits) or IEEE
   * single/double with their own exponent range and denormals (SSE; see
   * {@link roundPackFormat}).
   */
  format = Format.Extended;
  /** SSE MXCSR.FTZ: masked tiny results become signed zeros (IEEE formats only). */
  flushToZero = false;
  /** Set by {@link roundPackFormat} when a result was tiny, even if exact (an unmasked UE reports it). */
  tiny = false;
  /** Set by {@link roundPackFormat} when a result overflowed. */
  huge = false;
  /** With {@link tiny} or {@link huge}: the result rounded to the format's precision with an unbounded exponent is inexact. */
  wideInexact = false;

  // Unpacked operands.
  aSign = 0; aExp = 0; aHi = 0; aLo = 0; aCls = Cls.Zero;
  bSign = 0; bExp = 0; bHi = 0; bLo = 0; bCls = Cls.Zero;
  // A working significand of three words (w0 most significant) for shifts and rounding.
  w0 = 0; w1 = 0; w2 = 0;

  /** Loads `v` into the a-operand; returns its class. Denormals are normalized (exponent below 1). */
  unpackA(v: Float80): Cls {
    const c = this.unpack(v);
    this.aCls = c; this.aSign = v.se >>> 15; this.aExp = this.w2; this.aHi = this.w0; this.aLo = this.w1;
    return c;
  }

  /** Loads `v` into the b-operand (see {@link unpackA}). */
  unpackB(v: Float80): Cls {
    const c = this.unpack(v);
    this.bCls = c; this.bSign = v.se >>> 15; this.bExp = this.w2; this.bHi = this.w0; this.bLo = this.w1;
    return c;
  }

  /** Classifies `v` and leaves its normalized significand in w0:w1 and its exponent in w2. */
  private unpack(v: Float80): Cls {
    const c = classify(v);
    let e = v.se & 0x7fff, hi = v.hi, lo = v.lo;
    if (c === Cls.Denormal || c === Cls.PseudoDenormal) {
      e = 1;
      const n = hi !== 0 ? clz(hi) : 32 + clz(lo);
      if (n > 0) {
        if (n >= 32) { hi = (lo << (n - 32)) >>> 0; lo = 0; } else { hi = ((hi << n) | (lo >>> (32 - n))) >>> 0; lo = (lo << n) >>> 0; }
        e -= n;
      }
    }
    this.w0 = hi; this.w1 = lo; this.w2 = e;
    return c;
  }

  /**
   * Shifts the working significand (w0, w1, w2) right by `n` bits, folding
   * everything shifted out of w2 into its lowest bit (sticky).
   */
  shiftRightSticky(n: number): void {
    if (n <= 0) return;
    let w0 = this.w0, w1 = this.w1, w2 = this.w2;
    let sticky = 0;
    while (n >= 32) {
      sticky |= w2;
      w2 = w1; w1 = w0; w0 = 0;
      n -= 32;
      if (w0 === 0 && w1 === 0 && w2 === 0) break;
    }
    if (n > 0 && n < 32) {
      sticky |= (w2 << (32 - n));
      w2 = ((w2 >>> n) | (w1 << (32 - n))) >>> 0;
      w1 = ((w1 >>> n) | (w0 << (32 - n))) >>> 0;
      w0 = w0 >>> n;
    }
    this.w0 = w0; this.w1 = w1; this.w2 = (w2 | (sticky !== 0 ? 1 : 0)) >>> 0;
  }

  /**
   * Rounds the working significand (w0:w1 = 64 bits, w2 = guard word) after
   * discarding its low `cut` bits of w0:w1 (0 ≤ cut ≤ 64), per RC and `sign`.
   * Leaves the rounded significand in w0:w1 (low bits cleared) and returns
   * 0 (exact), 1 (inexact, rounded toward zero), 2 (inexact, rounded up in
   * magnitude) or 3 (rounded up and carried out of bit 63: w0:w1 is then 0).
   */
  roundAt(cut: number, sign: number): number {
    let w0 = this.w0, w1 = this.w1;
    let half: number, rest: number, lsb: number;
    if (cut === 0) {
      half = this.w2 >>> 31; rest = this.w2 & 0x7fff_ffff; lsb = w1 & 1;
    } else if (cut < 32) {
      half = (w1 >>> (cut - 1)) & 1;
      rest = (cut > 1 ? (w1 << (33 - cut)) : 0) | this.w2;
      lsb = (w1 >>> cut) & 1;
      w1 = cut === 32 ? 0 : ((w1 >>> cut) << cut) >>> 0;
    } else if (cut === 32) {
      half = w1 >>> 31; rest = (w1 & 0x7fff_ffff) | this.w2; lsb = w0 & 1; w1 = 0;
    } else if (cut < 64) {
      const c = cut - 32;
      half = (w0 >>> (c - 1)) & 1;
      rest = (c > 1 ? (w0 << (33 - c)) : 0) | w1 | this.w2;
      lsb = (w0 >>> c) & 1;
      w0 = ((w0 >>> c) << c) >>> 0; w1 = 0;
    } else {
      // Everything goes: the result is 0 or one unit of bit 64.
      half = cut === 64 ? w0 >>> 31 : 0;
      rest = (cut === 64 ? (w0 & 0x7fff_ffff) : w0) | w1 | this.w2;
      lsb = 0; w0 = 0; w1 = 0;
    }
    if (half === 0 && rest === 0) { this.w0 = w0; this.w1 = w1; return 0; }
    let up: boolean;
    switch (this.rc) {
      case Rc.Nearest: up = half !== 0 && (rest !== 0 || lsb !== 0); break;
      case Rc.Down: up = sign !== 0; break;
      case Rc.Up: up = sign === 0; break;
      default: up = false;
    }
    if (!up) { this.w0 = w0; this.w1 = w1; return 1; }
    if (cut >= 64) { this.w0 = 0; this.w1 = 0; return 3; }
    // Add one unit at bit `cut`.
    if (cut < 32) {
      const sum = w1 + 2 ** cut;
      w1 = sum >>> 0;
      if (sum >= 0x1_0000_0000) {
        w0 = (w0 + 1) >>> 0;
        if (w0 === 0) { this.w0 = 0; this.w1 = w1; return 3; }
      }
    } else {
      const sum = w0 + 2 ** (cut - 32);
      w0 = sum >>> 0;
      if (sum >= 0x1_0000_0000) { this.w0 = 0; this.w1 = w1; return 3; }
    }
    this.w0 = w0; this.w1 = w1;
    return 2;
  }

  /**
   * Rounds sign × (w0:w1:w2) × 2^(exp − 16383 − 63) to `precision` bits
   * (64, 53 or 24) with the extended exponent range and writes it to `dst`,
   * raising OE/UE/PE (and C1 when rounded up). w0's bit 31 must be set,
   * unless the value is zero. Overflow and underflow follow the masks:
   * masked, ∞/largest finite and denormals; unmasked, the exponent wrapped
   * by 24576 (SDM Vol. 1 §8.5.4-§8.5.5).
   */
  roundPack(dst: Float80, sign: number, exp: number, precision: number): void {
    if ((this.w0 | this.w1 | this.w2) === 0) { dst.set(sign << 15, 0, 0); return; }
    if (this.format !== Format.Extended) { this.roundPackFormat(dst, sign, exp); return; }
    const cut = 64 - precision;
    const s0 = this.w0, s1 = this.w1, s2 = this.w2;
    if (exp >= 1) {
      const r = this.roundAt(cut, sign);
      if (r === 3) { this.w0 = 0x8000_0000; exp++; }
      if (exp >= EXP_MAX) { this.overflow(dst, sign, exp, precision, r); return; }
      this.inexact(r);
      dst.set((sign << 15) | exp, this.w0, this.w1);
      return;
    }
    // Tiny before rounding. Tininess after rounding: rounded with an unbounded exponent, still below 2^-16382?
    const r0 = this.roundAt(cut, sign);
    const tiny = !(r0 === 3 && exp === 0);
    if (!tiny) {
      // Rounds up to the smallest normal: not tiny, just inexact (r0 === 3 means inexact).
      this.inexact(r0);
      dst.set((sign << 15) | 1, 0x8000_0000, 0);
      return;
    }
    if ((this.masks & Ex.UE) === 0) {
      // Unmasked underflow: the normalized result, rounded, with the exponent wrapped up (§8.5.5).
      this.flags |= Ex.UE;
      if (exp + WRAP <= 0) {
        // Beyond the wrap's reach (only FSCALE gets there): a signed zero, inexact (host CPU).
        this.flags = (this.flags & ~Ex.C1) | Ex.PE;
        dst.set(sign << 15, 0, 0);
        return;
      }
      let e = exp + WRAP;
      if (r0 === 3) { this.w0 = 0x8000_0000; e++; }
      this.inexact(r0);
      dst.set((sign << 15) | e, this.w0, this.w1);
      return;
    }
    // Masked: denormalize, then round at the same bit position.
    this.w0 = s0; this.w1 = s1; this.w2 = s2;
    this.shiftRightSticky(1 - exp);
    const r = this.roundAt(cut, sign);
    if (r !== 0) this.flags |= Ex.UE;
    this.inexact(r);
    if (r === 3) { dst.set((sign << 15) | 1, 0x8000_0000, 0); return; }
    // A carry into bit 63 makes the smallest normal (exponent field 1).
    dst.set((sign << 15) | ((this.w0 & 0x8000_0000) !== 0 ? 1 : 0), this.w0, this.w1);
  }

  /**
   * {@link roundPack} for the IEEE single and double formats (SSE, SDM Vol. 1
   * §4.2.2, §4.8.3, §11.5.2.3): rounds sign × (w0:w1:w2) × 2^(exp − 16383 −
   * 63) to 24 or 53 bits within the format's exponent range, once. Tiny
   * results (tininess after rounding, as for the x87) are denormalized at the
   * format's fixed position, or with {@link flushToZero} become a signed
   * zero with UE and PE; overflow gives ∞ or the largest finite value by RC
   * with OE and PE. Always the masked responses: an unmasked exception stops
   * an SSE instruction before it writes anything (§11.5.2), so the caller
   * only needs the flags (and {@link tiny} for an unmasked UE). The result in
   * `dst` is exactly representable in the format.
   */
  roundPackFormat(dst: Float80, sign: number, exp: number): void {
    const single = this.format === Format.Single;
    const p = single ? 24 : 53;
    const eMin = single ? BIAS - 126 : BIAS - 1022;
    const eMax = single ? BIAS + 127 : BIAS + 1023;
    const cut = 64 - p;
    if (exp >= eMin) {
      const r = this.roundAt(cut, sign);
      if (r === 3) { this.w0 = 0x8000_0000; exp++; }
      if (exp > eMax) {
        this.huge = true;
        this.wideInexact = r !== 0;
        this.flags |= Ex.OE | Ex.PE;
        if (this.overflowsToInfinity(sign)) dst.set((sign << 15) | EXP_MAX, 0x8000_0000, 0);
        else dst.set((sign << 15) | eMax, single ? 0xffff_ff00 : 0xffff_ffff, single ? 0 : 0xffff_f800);
        return;
      }
      this.inexact(r);
      dst.set((sign << 15) | exp, this.w0, this.w1);
      return;
    }
    const s0 = this.w0, s1 = this.w1, s2 = this.w2;
    // Tininess after rounding: rounded to p bits with an unbounded exponent, still below 2^emin?
    const r0 = this.roundAt(cut, sign);
    if (r0 === 3 && exp === eMin - 1) {
      this.inexact(r0);
      dst.set((sign << 15) | eMin, 0x8000_0000, 0);
      return;
    }
    this.tiny = true;
    this.wideInexact = r0 !== 0;
    if (this.flushToZero) {
      // SDM Vol. 1 §10.2.3.3 "Flush-To-Zero": a masked underflow returns a zero with the true result's sign.
      this.flags |= Ex.UE | Ex.PE;
      dst.set(sign << 15, 0, 0);
      return;
    }
    this.w0 = s0; this.w1 = s1; this.w2 = s2;
    this.shiftRightSticky(eMin - exp);
    const r = this.roundAt(cut, sign);
    if (r !== 0) this.flags |= Ex.UE;
    this.inexact(r);
    let w0 = this.w0, w1 = this.w1;
    if ((w0 | w1) === 0) { dst.set(sign << 15, 0, 0); return; }
    // Normalize the denormal (exact: only zeros shift in) for the register format.
    let e = eMin;
    const n = w0 !== 0 ? clz(w0) : 32 + clz(w1);
    if (n >= 32) { w0 = (w1 << (n - 32)) >>> 0; w1 = 0; } else if (n > 0) { w0 = ((w0 << n) | (w1 >>> (32 - n))) >>> 0; w1 = (w1 << n) >>> 0; }
    e -= n;
    dst.set((sign << 15) | e, w0, w1);
  }

  /** PE and C1 for a rounding outcome of {@link roundAt}. */
  inexact(r: number): void {
    if (r !== 0) this.flags |= r >= 2 ? Ex.PE | Ex.C1 : Ex.PE;
  }

  /** Overflow of a result already rounded (w0:w1) with exponent `exp` ≥ 0x7FFF. */
  private overflow(dst: Float80, sign: number, exp: number, precision: number, r: number): void {
    if ((this.masks & Ex.OE) === 0 && exp - WRAP < EXP_MAX) {
      this.flags |= Ex.OE;
      this.inexact(r);
      dst.set((sign << 15) | (exp - WRAP), this.w0, this.w1);
      return;
    }
    // Masked: ∞ or the largest finite value. Unmasked but beyond the wrap's reach (only FSCALE): ∞ (host CPU).
    this.flags |= Ex.OE | Ex.PE;
    if ((this.masks & Ex.OE) === 0 || this.overflowsToInfinity(sign)) {
      this.flags |= Ex.C1;
      dst.set((sign << 15) | EXP_MAX, 0x8000_0000, 0);
    } else {
      largestFinite(dst, sign, precision);
    }
  }

  /** Whether a masked overflow of `sign` gives ∞ (else the largest finite number) under RC. */
  overflowsToInfinity(sign: number): boolean {
    switch (this.rc) {
      case Rc.Nearest: return true;
      case Rc.Down: return sign !== 0;
      case Rc.Up: return sign === 0;
      default: return false;
    }
  }
}

/** The largest finite value of `precision` significand bits with the extended exponent range. */
function largestFinite(dst: Float80, sign: number, precision: number): void {
  if (precision === 64) dst.set((sign << 15) | 0x7ffe, 0xffff_ffff, 0xffff_ffff);
  else if (precision === 53) dst.set((sign << 15) | 0x7ffe, 0xffff_ffff, 0xffff_f800);
  else dst.set((sign << 15) | 0x7ffe, 0xffff_ff00, 0);
}

/** The QNaN floating-point indefinite (SDM Vol. 1 §4.8.3.7): sign 1, exponent all ones, 0xC000…0. */
export function setIndefinite(dst: Float80): void {
  dst.set(0xffff, 0xc000_0000, 0);
}
