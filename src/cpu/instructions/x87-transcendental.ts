/**
 * The transcendental instructions on the stack (SDM Vol. 2 "F2XM1",
 * "FYL2X", "FYL2XP1", "FPTAN", "FPATAN", "FSIN", "FCOS", "FSINCOS"): stack
 * faults, C2 for out-of-range trigonometric arguments, the pushes and pops.
 * The values come from src/cpu/fpu/transcendental.ts.
 */
import type { Cpu } from '../cpu.js';
import { Cls, Ex, setIndefinite } from '../fpu/float80.js';
import { suppresses } from '../fpu/arith.js';
import type { X87 } from '../fpu/x87.js';
import { Sw } from '../fpu/x87.js';
import { TrigFront, f2xm1, fpatan, fyl2x, trigFront, trigValue } from '../fpu/transcendental.js';
import { finish } from './x87-status.js';

/** The transcendental instructions. */
export const enum Trans { F2XM1, FYL2X, FPTAN, FPATAN, FYL2XP1, FSINCOS, FSIN, FCOS }

/** Sign and exponent of 1.0. */
const ONE_SE = 0x3fff;
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
      f2xm1(core, fpu.st(0), fpu.t0);
      if (!suppresses(core)) fpu.st(0).copy(fpu.t0);
      finish(cpu, fpu, core.flags);
      return;
    }
    default: {
      // FYL2X, FYL2XP1, FPATAN: ST(1) ← f(ST(1), ST(0)), pop.
      if (fpu.isEmpty(0) || fpu.isEmpty(1)) { underflow(cpu, fpu, 1, true); return; }
      if (kind === Trans.FPATAN) fpatan(core, fpu.st(1), fpu.st(0), fpu.t0);
      else fyl2x(core, fpu.st(1), fpu.st(0), kind === Trans.FYL2XP1, fpu.t0);
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

/** FSIN, FCOS. */
function trig(cpu: Cpu, fpu: X87, kind: Trans): void {
  const core = fpu.core;
  if (fpu.isEmpty(0)) { fpu.sw &= ~Sw.C2; underflow(cpu, fpu, 0, false); return; }
  const v = fpu.st(0);
  const c = trigFront(core, v, fpu.t0);
  if (c === TrigFront.OutOfRange) { fpu.sw |= Sw.C2; finish(cpu, fpu, 0); return; }
  fpu.sw &= ~Sw.C2;
  if (c >= 0) {
    if (c === Cls.Zero) {
      if (kind === Trans.FSIN) fpu.t0.copy(v); else fpu.t0.set(ONE_SE, 0x8000_0000, 0);
    } else {
      trigValue(core, v, kind === Trans.FSIN ? 0 : 1, fpu.t0);
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
  const c = trigFront(core, v, fpu.t0);
  if (c === TrigFront.OutOfRange) { fpu.sw |= Sw.C2; finish(cpu, fpu, 0); return; }
  fpu.sw &= ~Sw.C2;
  const second = fpu.t1;
  if (c === TrigFront.Done) {
    // A NaN or invalid operand: the NaN result goes into both (host CPU; FPTAN pushes no 1.0).
    second.copy(fpu.t0);
  } else if (c === Cls.Zero) {
    fpu.t0.copy(v);
    second.set(ONE_SE, 0x8000_0000, 0);
  } else if (kind === Trans.FPTAN) {
    trigValue(core, v, 2, fpu.t0);
    second.set(ONE_SE, 0x8000_0000, 0);
  } else {
    // Exceptions of both results are reported together; C1 is the sine's (cos never underflows).
    trigValue(core, v, 0, fpu.t0);
    const f = core.flags;
    core.flags = 0;
    trigValue(core, v, 1, second);
    core.flags = (core.flags & ~Ex.C1) | f;
  }
  if (suppresses(core)) { finish(cpu, fpu, core.flags); return; }
  fpu.st(0).copy(fpu.t0);
  fpu.push();
  fpu.st(0).copy(second);
  finish(cpu, fpu, core.flags);
}

