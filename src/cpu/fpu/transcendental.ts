/**
 * The transcendental instructions (SDM Vol. 2 "F2XM1", "FYL2X", "FYL2XP1",
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
 * and leaves the operand alone.
 */
import type { Cpu } from '../cpu.js';
import { BIAS, Cls, EXP_MAX, Ex, Float80, classify, setIndefinite } from './float80.js';
import { denormalOperands, propagateNaN, specialOperands, suppresses } from './arith.js';
import type { X87 } from './x87.js';
import { Sw } from './x87.js';
import * as B from './bigfloat.js';
import { finish } from '../instructions/x87.js';

/** The transcendental instructions. */
export const enum Trans { F2XM1, FYL2X, FPTAN, FPATAN, FYL2XP1, FSINCOS, FSIN, FCOS }

/** π as the x87 reduces arguments: 0xC90FDAA2_2168C234_C × 2^-66 (66 significant bits). */
const PI_66: B.Big = B.big(0xc90fdaa22168c234cn, -66);

const UNDERFLOW = Ex.IE | Ex.SF;
const OVERFLOW = Ex.IE | Ex.SF | Ex.C1;

/** Executes one transcendental instruction on the FPU's stack. */
export function transcendental(cpu: Cpu, fpu: X87, kind: Trans): void {
  const core = fpu.core;
  core.flags = 0;
  switch (kind) {
    case Trans.FSIN: case Trans.FCOS: trig(cpu, fpu, kind); return;
    case Trans.FPTAN: case Trans.FSINCOS: trigPush(cpu, fpu, kind); return;
    case Trans.F2XM1: {
      if (fpu.isEmpty(0)) { underflow(cpu, fpu, 0, false); return; }
      f2xm1(fpu, fpu.st(0), fpu.t0);
      if (!suppresses(core)) fpu.st(0).copy(fpu.t0);
      finish(cpu, fpu, core.flags);
      return;
    }
    default: {
      // FYL2X, FYL2XP1, FPATAN: ST(1) ← f(ST(1), ST(0)), pop.
      if (fpu.isEmpty(0) || fpu.isEmpty(1)) { underflow(cpu, fpu, 1, true); return; }
      if (kind === Trans.FPATAN) fpatan(fpu, fpu.st(1), fpu.st(0), fpu.t0);
      else fyl2x(fpu, fpu.st(1), fpu.st(0), kind === Trans.FYL2XP1, fpu.t0);
      const stop = suppresses(core);
      if (!stop) fpu.st(1).copy(fpu.t0);
      finish(cpu, fpu, core.flags);
      if (!stop) fpu.pop();
    }
  }
}

/** Stack underflow: masked, the indefinite into ST(dst) (and the pop). */
function underflow(cpu: Cpu, fpu: X87, dst: number, pop: boolean): void {
  finish(cpu, fpu, UNDERFLOW);
  if ((fpu.cw & Ex.IE) === 0) return;
  setIndefinite(fpu.st(dst));
  fpu.setValid(dst);
  if (pop) fpu.pop();
}

/** |x| ≥ 2^63 (or ∞/NaN handled elsewhere): out of range for the trigonometric instructions. */
function outOfRange(v: Float80): boolean {
  return (v.se & 0x7fff) >= BIAS + 63 && (v.se & 0x7fff) !== EXP_MAX;
}

/**
 * Common front of the one-operand trigonometric functions: NaNs, ∞
 * (invalid), the range check (C2), denormals. Returns the class, or -1
 * when the result is decided (in t0 or by an exception), -2 when out of
 * range.
 */
function trigFront(fpu: X87, v: Float80): number {
  const core = fpu.core;
  core.unpackA(v);
  if (specialOperands(core, v, null, fpu.t0)) return -1;
  if (core.aCls === Cls.Inf) {
    core.flags |= Ex.IE;
    if ((core.masks & Ex.IE) !== 0) setIndefinite(fpu.t0);
    return -1;
  }
  if (outOfRange(v)) return -2;
  if (denormalOperands(core, false)) return -1;
  return core.aCls;
}

/** FSIN, FCOS. */
function trig(cpu: Cpu, fpu: X87, kind: Trans): void {
  const core = fpu.core;
  if (fpu.isEmpty(0)) { fpu.sw &= ~Sw.C2; underflow(cpu, fpu, 0, false); return; }
  const v = fpu.st(0);
  const c = trigFront(fpu, v);
  if (c === -2) { fpu.sw |= Sw.C2; finish(cpu, fpu, 0); return; }
  fpu.sw &= ~Sw.C2;
  if (c >= 0) {
    if (c === Cls.Zero) {
      if (kind === Trans.FSIN) fpu.t0.copy(v); else fpu.t0.set(BIAS, 0x8000_0000, 0);
    } else {
      const [s, co] = B.sinCos(B.fromFloat80(v), PI_66);
      B.toFloat80(core, kind === Trans.FSIN ? s : co, fpu.t0);
    }
  }
  if (!suppresses(core)) fpu.st(0).copy(fpu.t0);
  finish(cpu, fpu, core.flags);
}

/** FPTAN (ST(0) ← tan, push 1.0) and FSINCOS (ST(0) ← sin, push cos). */
function trigPush(cpu: Cpu, fpu: X87, kind: Trans): void {
  const core = fpu.core;
  if (fpu.isEmpty(0)) {
    fpu.sw &= ~Sw.C2;
    finish(cpu, fpu, UNDERFLOW);
    if ((fpu.cw & Ex.IE) === 0) return;
    setIndefinite(fpu.st(0)); fpu.setValid(0);
    fpu.push(); setIndefinite(fpu.st(0));
    return;
  }
  if (!fpu.isEmpty(7)) {
    fpu.sw &= ~Sw.C2;
    finish(cpu, fpu, OVERFLOW);
    if ((fpu.cw & Ex.IE) === 0) return;
    setIndefinite(fpu.st(0));
    fpu.push(); setIndefinite(fpu.st(0));
    return;
  }
  const v = fpu.st(0);
  const c = trigFront(fpu, v);
  if (c === -2) { fpu.sw |= Sw.C2; finish(cpu, fpu, 0); return; }
  fpu.sw &= ~Sw.C2;
  const second = fpu.t1;
  if (c === -1) {
    // A NaN or invalid operand: the NaN result goes into both (host CPU; FPTAN pushes no 1.0).
    second.copy(fpu.t0);
  } else if (c === Cls.Zero) {
    fpu.t0.copy(v);
    second.set(BIAS, 0x8000_0000, 0);
  } else {
    const x = B.fromFloat80(v);
    const [s, co] = B.sinCos(x, PI_66);
    if (kind === Trans.FPTAN) {
      // For tiny x, x + x³/3 directly: in sin/cos the x² terms sit below the working precision.
      B.toFloat80(core, B.below(x, -64) ? B.add(x, B.div(B.mul(x, B.mul(x, x)), B.fromInt(3))) : B.div(s, co), fpu.t0);
      second.set(BIAS, 0x8000_0000, 0);
    } else {
      // Exceptions of both results are reported together; C1 is the sine's (cos never underflows).
      B.toFloat80(core, s, fpu.t0);
      const f = core.flags;
      core.flags = 0;
      B.toFloat80(core, co, second);
      core.flags = (core.flags & ~Ex.C1) | f;
    }
  }
  if (suppresses(core)) { finish(cpu, fpu, core.flags); return; }
  fpu.st(0).copy(fpu.t0);
  fpu.push();
  fpu.st(0).copy(second);
  finish(cpu, fpu, core.flags);
}

/** F2XM1: 2^x − 1 (defined for −1 ≤ x ≤ 1; computed for any finite x). */
function f2xm1(fpu: X87, v: Float80, dst: Float80): void {
  const core = fpu.core;
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

/** FYL2X (y·log2 x) and FYL2XP1 (y·log2(x + 1)); results to dst. */
function fyl2x(fpu: X87, y: Float80, x: Float80, plusOne: boolean, dst: Float80): void {
  const core = fpu.core;
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

/** FPATAN: atan2(y, x) with the signed-zero and infinity rules of SDM Vol. 2 "FPATAN" Table 3-30. */
function fpatan(fpu: X87, y: Float80, x: Float80, dst: Float80): void {
  const core = fpu.core;
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

export { classify, propagateNaN };
