/**
 * x87 compares (SDM Vol. 2 "FCOM/FCOMP/FCOMPP", "FUCOM/FUCOMP/FUCOMPP",
 * "FCOMI/FCOMIP/FUCOMI/FUCOMIP", "FICOM", "FTST", "FXAM"): the relation
 * into C3/C2/C0 of FSW or into ZF/PF/CF of EFLAGS, with the stack-fault
 * and unmasked-exception rules the host CPU follows (codes always set,
 * pops suppressed). The value comparison itself is fpu/misc.ts.
 */
import type { Cpu } from '../cpu.js';
import { Flag } from '../registers.js';
import { setSomeFlags } from '../flags.js';
import { Ex, Float80, classify } from '../fpu/float80.js';
import { Relation, compare, examineBits } from '../fpu/misc.js';
import { Sw, type X87 } from '../fpu/x87.js';
import { finish } from './x87-status.js';

/** An x87 operation, run after the escape's checks (see x87.ts). */
export type FpuOp = (cpu: Cpu, fpu: X87) => void;

/** Stack underflow: IE and SF with C1 = 0. */
const UNDERFLOW = Ex.IE | Ex.SF;

/** Whether IE is masked. */
function ieMasked(fpu: X87): boolean { return (fpu.cw & Ex.IE) !== 0; }

/** The condition-code bits C3/C2/C0 of a comparison (SDM Vol. 2 "FCOM" Table 3-21). */
export const RELATION_CC = [0, Sw.C0, Sw.C3, Sw.C3 | Sw.C2 | Sw.C0];
/** EFLAGS ZF/PF/CF of FCOMI (SDM Vol. 2 "FCOMI" Table 3-22). */
export const RELATION_EFLAGS = [0, Flag.CF, Flag.ZF, Flag.ZF | Flag.PF | Flag.CF];

/** Sets C0/C2/C3 to `bits` and clears C1 (the compare instructions). */
export function setCompareCodes(fpu: X87, bits: number): void {
  fpu.sw = (fpu.sw & ~Sw.CC) | bits;
}

/** FCOM/FCOMP/FUCOM… : compares ST(0) with b, sets C3/C2/C0, clears C1, pops `pops` times. */
export function compareCc(cpu: Cpu, fpu: X87, b: Float80, quiet: boolean, pops: number): void {
  const core = fpu.core;
  const rel = compare(core, fpu.st(0), b, quiet);
  // The codes are set even when the exception is unmasked; only the pops are suppressed (host CPU).
  const unmasked = (core.flags & ~fpu.cw & (Ex.IE | Ex.DE)) !== 0;
  setCompareCodes(fpu, RELATION_CC[rel]!);
  finish(cpu, fpu, core.flags);
  if (!unmasked) for (let k = 0; k < pops; k++) fpu.pop();
}

/** Stack underflow of a compare: masked, "unordered". */
export function underflowCompare(cpu: Cpu, fpu: X87, pops: number): void {
  setCompareCodes(fpu, RELATION_CC[Relation.Unordered]!);
  finish(cpu, fpu, UNDERFLOW);
  if (!ieMasked(fpu)) return;
  for (let k = 0; k < pops; k++) fpu.pop();
}

/** DE D9: FCOMPP; DA E9: FUCOMPP. */
export function comparePop2(quiet: boolean): FpuOp {
  return (cpu, fpu) => {
    fpu.core.flags = 0;
    if (fpu.isEmpty(0) || fpu.isEmpty(1)) { underflowCompare(cpu, fpu, 2); return; }
    compareCc(cpu, fpu, fpu.st(1), quiet, 2);
  };
}

/** DD E0+i FUCOM, DD E8+i FUCOMP. */
export function ucomReg(pops: number): FpuOp {
  return (cpu, fpu) => {
    fpu.core.flags = 0;
    const i = cpu.modrmRm;
    if (fpu.isEmpty(0) || fpu.isEmpty(i)) { underflowCompare(cpu, fpu, pops); return; }
    compareCc(cpu, fpu, fpu.st(i), true, pops);
  };
}

/** DB F0+i FCOMI, DB E8+i FUCOMI, DF F0+i FCOMIP, DF E8+i FUCOMIP: compare into ZF/PF/CF, clear OF/SF/AF. */
export function comi(quiet: boolean, pop: boolean): FpuOp {
  return (cpu, fpu) => {
    const core = fpu.core;
    core.flags = 0;
    const i = cpu.modrmRm;
    let rel: Relation;
    let flags: number;
    if (fpu.isEmpty(0) || fpu.isEmpty(i)) { rel = Relation.Unordered; flags = UNDERFLOW; } else {
      rel = compare(core, fpu.st(0), fpu.st(i), quiet);
      flags = core.flags;
    }
    // The flags are set even when the exception is unmasked; only the pop is suppressed (host CPU).
    const unmasked = (flags & ~fpu.cw & (Ex.IE | Ex.DE)) !== 0;
    setSomeFlags(cpu, Flag.ZF | Flag.PF | Flag.CF | Flag.OF | Flag.SF | Flag.AF, RELATION_EFLAGS[rel]!);
    finish(cpu, fpu, flags, true);
    if (pop && !unmasked) fpu.pop();
  };
}

/** D9 E4: FTST compares ST(0) with +0.0. */
export function FTST(cpu: Cpu, fpu: X87): void {
  fpu.core.flags = 0;
  if (fpu.isEmpty(0)) { underflowCompare(cpu, fpu, 0); return; }
  fpu.t1.set(0, 0, 0);
  compareCc(cpu, fpu, fpu.t1, false, 0);
}

/** D9 E5: FXAM: class of ST(0) in C3/C2/C0, its sign in C1 (SDM Vol. 2 "FXAM"). */
export function FXAM(_cpu: Cpu, fpu: X87): void {
  const v = fpu.st(0);
  const bits = fpu.isEmpty(0) ? Sw.C3 | Sw.C0 : examineBits(classify(v));
  fpu.sw = (fpu.sw & ~Sw.CC) | bits | ((v.se & 0x8000) !== 0 ? Sw.C1 : 0);
}

