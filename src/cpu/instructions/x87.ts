/**
 * Instruction family: x87 (SDM Vol. 1 ch. 8; Vol. 2 "F…" pages; opcode map
 * Vol. 2 Appendix A.4, Tables ). The table's eight escape opcodes
 * D8-DF (`ESC Ex`) come here; the ModRM byte picks the instruction: memory
 * forms by (escape, reg), register forms by (escape, reg, rm). WAIT/FWAIT
 * (9B) is here too.
 *
 * Order of checks for every escape (SDM Vol. 3A §2.5 CR0.EM/TS, Vol. 1
 * §8.7): #NM when CR0.EM or CR0.TS is set (also for undefined escapes),
 * then #UD for undefined encodings, then — except for the non-waiting
 * FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV and FNSAVE — a pending unmasked
 * exception: #MF with CR0.NE = 1; with NE = 0 the processor freezes until
 * an external interrupt unless IGNNE# is asserted (MS-DOS compatibility
 * mode, SDM Vol. 1 Appendix D.2.2). FERR# is asserted when the instruction
 * that caused the error completes (SDM Vol. 3A §22.18.6.7 "Assertion of the
 * FERR# Pin": P6 family), through `SystemInterface.fpuError`.
 *
 * The value semantics are in src/cpu/fpu/; this file does stack handling
 * (stack faults with SF and C1, SDM Vol. 1 §8.5.1.1), operand fetch and
 * store, the condition codes and the last-instruction pointers.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Cr0, Flag, Seg, Vector } from '../registers.js';
import { Ex, Float80, setIndefinite } from '../fpu/float80.js';
import { add, div, mul, sqrt, suppresses } from '../fpu/arith.js';
import {
  Fmt, bcdBytes, fromBcd, fromF32, fromF64, fromInt32, fromInt64, storeOk, toFloat, toInteger,
} from '../fpu/convert.js';
import { extract, loadConstant, partialRemainder, roundToInteger, scale } from '../fpu/misc.js';
import { Sw, type X87 } from '../fpu/x87.js';
import { transcendental, Trans } from './x87-transcendental.js';
import { finish, waitForErrors } from './x87-status.js';
import { envHandlers } from './x87-env.js';
import { FTST, FXAM, comi, compareCc, comparePop2, ucomReg, underflowCompare, type FpuOp } from './x87-compare.js';
import { offsetBy, probeWrite, read16, read32, readF80, write16, write32, writeF80 } from './x87-memory.js';


/** Memory forms by (escape − D8) × 8 + reg; register forms by (escape − D8) × 64 + reg × 8 + rm. */
const memOps: (FpuOp | undefined)[] = new Array(64).fill(undefined);
const regOps: (FpuOp | undefined)[] = new Array(512).fill(undefined);
/** Per form: bit 0 = non-waiting, bit 1 = control instruction (does not update FIP/FOP/FDP). */
const memKind = new Uint8Array(64);
const regKind = new Uint8Array(512);
const NO_WAIT = 1, CONTROL = 2;

// ---- plumbing ---------------------------------------------------------------------------

/** Stack underflow (SDM Vol. 1 §8.5.1.1): IE and SF with C1 = 0. */
const UNDERFLOW = Ex.IE | Ex.SF;
/** Stack overflow: IE and SF with C1 = 1. */
const OVERFLOW = Ex.IE | Ex.SF | Ex.C1;

/** Whether IE is masked. */
function ieMasked(fpu: X87): boolean { return (fpu.cw & Ex.IE) !== 0; }

// ---- loads --------------------------------------------------------------------------------

/**
 * Pushes `value` (already in fpu.t1) with the stack-overflow check: a
 * non-empty ST(7) raises IE/SF with C1 = 1 and, masked, pushes the
 * indefinite. `flags` are the load's own exceptions (IE for an SNaN, DE).
 */
function pushValue(cpu: Cpu, fpu: X87, flags: number): void {
  if (!fpu.isEmpty(7)) {
    finish(cpu, fpu, OVERFLOW);
    if (ieMasked(fpu)) { fpu.push(); setIndefinite(fpu.st(0)); }
    return;
  }
  // Only IE stops a load: with DE unmasked the value is still pushed (host CPU).
  if ((flags & ~fpu.cw & Ex.IE) !== 0) { finish(cpu, fpu, flags); return; }
  fpu.push();
  fpu.st(0).copy(fpu.t1);
  finish(cpu, fpu, flags);
}

/**
 * Reads a memory operand of format `fmt` into `into`; conversion exceptions
 * go to core.flags (with `operand`, the arithmetic operand: see fromF32).
 */
function loadOperand(cpu: Cpu, fpu: X87, fmt: Fmt, into: Float80, operand = false): void {
  const core = fpu.core;
  switch (fmt) {
    case Fmt.F32: fromF32(core, into, read32(cpu), operand); break;
    case Fmt.F64: { const lo = read32(cpu), hi = read32(cpu, 4); fromF64(core, into, hi, lo, operand); break; }
    case Fmt.Int16: fromInt32(into, (read16(cpu) << 16) >> 16); break;
    case Fmt.Int32: fromInt32(into, read32(cpu)); break;
    case Fmt.Int64: { const lo = read32(cpu), hi = read32(cpu, 4); fromInt64(into, hi, lo); break; }
    case Fmt.F80: readF80(cpu, 0, into); break;
    default: {
      const b = fpu.bytes;
      for (let i = 0; i < 10; i++) b[i] = cpu.readMem(1, cpu.eaSeg, offsetBy(cpu, i));
      fromBcd(into, b);
    }
  }
}

/** FLD/FILD/FBLD from memory. */
function loadMem(fmt: Fmt): FpuOp {
  return (cpu, fpu) => {
    fpu.core.flags = 0;
    loadOperand(cpu, fpu, fmt, fpu.t1);
    pushValue(cpu, fpu, fpu.core.flags);
  };
}

/** D9 C0+i: FLD ST(i). */
function FLD_ST(cpu: Cpu, fpu: X87): void {
  const i = cpu.modrmRm;
  if (fpu.isEmpty(i)) {
    // Underflow is reported (C1 = 0) even when ST(7) is in use too (host CPU).
    finish(cpu, fpu, UNDERFLOW);
    if (ieMasked(fpu)) { fpu.push(); setIndefinite(fpu.st(0)); }
    return;
  }
  fpu.t1.copy(fpu.st(i));
  pushValue(cpu, fpu, 0);
}

/** FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ. */
function loadConst(k: number): FpuOp {
  return (cpu, fpu) => {
    loadConstant(fpu.core, k, fpu.t1);
    pushValue(cpu, fpu, 0);
  };
}

// ---- stores -------------------------------------------------------------------------------

/** FST/FSTP/FIST/FISTP/FBSTP to memory. */
function storeMem(fmt: Fmt, pop: boolean): FpuOp {
  return (cpu, fpu) => {
    const core = fpu.core;
    core.flags = 0;
    const out = fpu.store;
    const size = fmt === Fmt.Int16 ? 2 : fmt === Fmt.Int32 || fmt === Fmt.F32 ? 4 : fmt === Fmt.Int64 || fmt === Fmt.F64 ? 8 : 10;
    let flags: number;
    const empty = fpu.isEmpty(0);
    const v = empty ? fpu.t1 : fpu.st(0);
    if (empty) setIndefinite(fpu.t1);
    switch (fmt) {
      case Fmt.F32: case Fmt.F64: toFloat(core, v, fmt, out); break;
      case Fmt.Int16: toInteger(core, v, 16, out); break;
      case Fmt.Int32: toInteger(core, v, 32, out); break;
      case Fmt.Int64: toInteger(core, v, 64, out); break;
      case Fmt.Bcd: toInteger(core, v, 0, out); break;
      default: break;
    }
    if (empty) core.flags = UNDERFLOW;
    flags = core.flags;
    const ok = empty ? ieMasked(fpu) : storeOk(core);
    if (ok) {
      probeWrite(cpu, size);
      switch (fmt) {
        case Fmt.Int16: write16(cpu, 0, out.lo); break;
        case Fmt.Int32: case Fmt.F32: write32(cpu, 0, out.lo); break;
        case Fmt.Int64: case Fmt.F64: write32(cpu, 0, out.lo); write32(cpu, 4, out.hi); break;
        case Fmt.F80: writeF80(cpu, 0, v); break;
        default: {
          const b = fpu.bytes;
          bcdBytes(out, v.se >>> 15, b);
          for (let i = 0; i < 10; i++) cpu.writeMem(1, cpu.eaSeg, offsetBy(cpu, i), b[i]!);
        }
      }
    }
    finish(cpu, fpu, flags);
    if (pop && ok) fpu.pop();
  };
}

/** DD D0+i FST ST(i), DD D8+i FSTP ST(i) (and the D9 D8+i, DF D0+i, DF D8+i aliases of FSTP). */
function storeReg(pop: boolean): FpuOp {
  return (cpu, fpu) => {
    const i = cpu.modrmRm;
    if (fpu.isEmpty(0)) {
      finish(cpu, fpu, UNDERFLOW);
      if (!ieMasked(fpu)) return;
      setIndefinite(fpu.st(i));
    } else {
      fpu.st(i).copy(fpu.st(0));
      finish(cpu, fpu, 0);
    }
    fpu.setValid(i);
    if (pop) fpu.pop();
  };
}

/**
 * D9 D8+i: FSTP1, the undocumented alias of FSTP ST(i). On the host CPU an
 * empty ST(0) raises no stack fault: nothing is stored, the stack pops.
 */
function FSTP1(cpu: Cpu, fpu: X87): void {
  const i = cpu.modrmRm;
  if (!fpu.isEmpty(0)) {
    fpu.st(i).copy(fpu.st(0));
    fpu.setValid(i);
  }
  finish(cpu, fpu, 0);
  fpu.pop();
}

// ---- arithmetic ---------------------------------------------------------------------------

/** Binary operation codes by the ModRM reg field of D8 (SDM Vol. 2 Table A-7). */
const enum Op { Add = 0, Mul = 1, Com = 2, Comp = 3, Sub = 4, Subr = 5, Div = 6, Divr = 7 }

/**
 * Computes `op` on a (ST(0) or ST(i)) and b into fpu.t0 and stores it in
 * ST(dst) unless suppressed; pops when asked and nothing was suppressed.
 */
function binary(cpu: Cpu, fpu: X87, op: number, a: Float80, b: Float80, dst: number, pop: boolean): void {
  const core = fpu.core;
  const t0 = fpu.t0;
  const p = fpu.precision;
  switch (op) {
    case Op.Add: add(core, a, b, false, p, t0); break;
    case Op.Mul: mul(core, a, b, p, t0); break;
    case Op.Sub: add(core, a, b, true, p, t0); break;
    case Op.Subr: add(core, b, a, true, p, t0); break;
    case Op.Div: div(core, a, b, p, t0); break;
    default: div(core, b, a, p, t0); break;
  }
  const stop = suppresses(core);
  if (!stop) { fpu.st(dst).copy(t0); fpu.setValid(dst); }
  finish(cpu, fpu, core.flags);
  if (pop && !stop) fpu.pop();
}

/** Stack underflow of an operation on ST(0)/ST(i) writing ST(dst): masked, the indefinite. */
function underflowInto(cpu: Cpu, fpu: X87, dst: number, pop: boolean): void {
  finish(cpu, fpu, UNDERFLOW);
  if (!ieMasked(fpu)) return;
  setIndefinite(fpu.st(dst));
  fpu.setValid(dst);
  if (pop) fpu.pop();
}

/** D8/DC/DA/DE memory forms: ST(0) ← ST(0) op m (real or integer). */
function arithMem(fmt: Fmt, op: number): FpuOp {
  return (cpu, fpu) => {
    const core = fpu.core;
    core.flags = 0;
    loadOperand(cpu, fpu, fmt, fpu.t1, true);
    const pops = op === Op.Comp ? 1 : 0;
    if (fpu.isEmpty(0)) {
      core.srcDenormal = false;
      if (op === Op.Com || op === Op.Comp) underflowCompare(cpu, fpu, pops);
      else underflowInto(cpu, fpu, 0, false);
      return;
    }
    if (op === Op.Com || op === Op.Comp) compareCc(cpu, fpu, fpu.t1, false, pops);
    else binary(cpu, fpu, op, fpu.st(0), fpu.t1, 0, false);
    core.srcDenormal = false;
  };
}

/**
 * Register forms. D8: ST(0) ← ST(0) op ST(i). DC/DE (`toSti`): ST(i) ←
 * ST(i) op ST(0), where reg 4/5 and 6/7 name the reverse operations
 * (DC E0+i is FSUBR ST(i), ST(0): ST(i) ← ST(0) − ST(i)).
 */
function arithReg(op: number, toSti: boolean, pop: boolean): FpuOp {
  return (cpu, fpu) => {
    fpu.core.flags = 0;
    const i = cpu.modrmRm;
    if (op === Op.Com || op === Op.Comp) {
      const pops = (op === Op.Comp ? 1 : 0) + (pop ? 1 : 0);
      if (fpu.isEmpty(0) || fpu.isEmpty(i)) { underflowCompare(cpu, fpu, pops); return; }
      compareCc(cpu, fpu, fpu.st(i), false, pops);
      return;
    }
    const dst = toSti ? i : 0;
    if (fpu.isEmpty(0) || fpu.isEmpty(i)) { underflowInto(cpu, fpu, dst, pop); return; }
    if (toSti) binary(cpu, fpu, op ^ (op >= 4 ? 1 : 0), fpu.st(i), fpu.st(0), i, pop);
    else binary(cpu, fpu, op, fpu.st(0), fpu.st(i), 0, pop);
  };
}

/** One-operand operations on ST(0) that may raise exceptions: FSQRT, FRNDINT. */
function unaryOp(kind: number): FpuOp {
  return (cpu, fpu) => {
    const core = fpu.core;
    core.flags = 0;
    if (fpu.isEmpty(0)) { underflowInto(cpu, fpu, 0, false); return; }
    if (kind === 0) sqrt(core, fpu.st(0), fpu.precision, fpu.t0);
    else roundToInteger(core, fpu.st(0), fpu.t0);
    if (!suppresses(core)) fpu.st(0).copy(fpu.t0);
    finish(cpu, fpu, core.flags);
  };
}

/** D9 E0 FCHS, D9 E1 FABS: sign changes without exceptions (NaNs included). */
function signOp(abs: boolean): FpuOp {
  return (cpu, fpu) => {
    if (fpu.isEmpty(0)) { underflowInto(cpu, fpu, 0, false); return; }
    const v = fpu.st(0);
    v.se = abs ? v.se & 0x7fff : v.se ^ 0x8000;
    finish(cpu, fpu, 0);
  };
}

/** D9 FD: FSCALE. */
function FSCALE(cpu: Cpu, fpu: X87): void {
  const core = fpu.core;
  core.flags = 0;
  if (fpu.isEmpty(0) || fpu.isEmpty(1)) { underflowInto(cpu, fpu, 0, false); return; }
  scale(core, fpu.st(0), fpu.st(1), fpu.t0);
  if (!suppresses(core)) fpu.st(0).copy(fpu.t0);
  finish(cpu, fpu, core.flags);
}

/** D9 F8 FPREM, D9 F5 FPREM1: C2 = incomplete, C0/C3/C1 = quotient bits. */
function premOp(ieee: boolean): FpuOp {
  return (cpu, fpu) => {
    const core = fpu.core;
    core.flags = 0;
    if (fpu.isEmpty(0) || fpu.isEmpty(1)) { fpu.sw &= ~Sw.C2; underflowInto(cpu, fpu, 0, false); return; }
    const cc = partialRemainder(core, fpu.st(0), fpu.st(1), ieee, fpu.t0);
    const stop = suppresses(core);
    if (!stop) fpu.st(0).copy(fpu.t0);
    // A NaN or invalid operand (cc < 0) or an unmasked exception clears C2 and C1 only (host CPU).
    if (cc < 0 || stop) fpu.sw &= ~Sw.C2;
    else if (!stop) fpu.sw = (fpu.sw & ~(Sw.C0 | Sw.C2 | Sw.C3)) | (cc & (Sw.C0 | Sw.C2 | Sw.C3));
    finish(cpu, fpu, core.flags | (stop || cc < 0 ? 0 : cc & Sw.C1));
  };
}

/** D9 F4: FXTRACT: ST(0) ← significand, then push... in effect ST(1) ← exponent, ST(0) ← significand. */
function FXTRACT(cpu: Cpu, fpu: X87): void {
  const core = fpu.core;
  core.flags = 0;
  if (fpu.isEmpty(0)) {
    // Masked: both results are the indefinite (host CPU).
    finish(cpu, fpu, UNDERFLOW);
    if (!ieMasked(fpu)) return;
    setIndefinite(fpu.st(0)); fpu.setValid(0);
    fpu.push();
    setIndefinite(fpu.st(0));
    return;
  }
  if (!fpu.isEmpty(7)) {
    finish(cpu, fpu, OVERFLOW);
    if (!ieMasked(fpu)) return;
    setIndefinite(fpu.st(0));
    fpu.push();
    setIndefinite(fpu.st(0));
    return;
  }
  if (!extract(core, fpu.st(0), fpu.t0, fpu.t1)) { finish(cpu, fpu, core.flags); return; }
  fpu.st(0).copy(fpu.t0);
  fpu.push();
  fpu.st(0).copy(fpu.t1);
  finish(cpu, fpu, core.flags);
}

/** D9 C8+i: FXCH ST(i) (and the DD C8+i, DF C8+i aliases). Empty operands become the indefinite (masked). */
function FXCH(cpu: Cpu, fpu: X87): void {
  const i = cpu.modrmRm;
  if (fpu.isEmpty(0) || fpu.isEmpty(i)) {
    finish(cpu, fpu, UNDERFLOW);
    if (!ieMasked(fpu)) return;
    if (fpu.isEmpty(0)) setIndefinite(fpu.st(0));
    if (fpu.isEmpty(i)) setIndefinite(fpu.st(i));
    fpu.setValid(0); fpu.setValid(i);
  } else {
    finish(cpu, fpu, 0);
  }
  const t = fpu.t0.copy(fpu.st(0));
  fpu.st(0).copy(fpu.st(i));
  fpu.st(i).copy(t);
}

/** DA/DB C0-DF: FCMOVcc ST(0), ST(i) (SDM Vol. 2 "FCMOVcc"): B, E, BE, U and their negations. */
function fcmov(cond: number, negate: boolean): FpuOp {
  return (cpu, fpu) => {
    const i = cpu.modrmRm;
    if (fpu.isEmpty(0) || fpu.isEmpty(i)) { underflowInto(cpu, fpu, 0, false); return; }
    const f = cpu.getFlags();
    // C1 is left as it was (host CPU; the SDM says "set to 0 if stack underflow").
    let take: boolean;
    switch (cond) {
      case 0: take = (f & Flag.CF) !== 0; break;
      case 1: take = (f & Flag.ZF) !== 0; break;
      case 2: take = (f & (Flag.CF | Flag.ZF)) !== 0; break;
      default: take = (f & Flag.PF) !== 0; break;
    }
    if (take !== negate) fpu.st(0).copy(fpu.st(i));
    finish(cpu, fpu, 0, true);
  };
}

/** DD C0+i FFREE ST(i); DF C0+i FFREEP (free, then pop). */
function ffree(pop: boolean): FpuOp {
  return (cpu, fpu) => {
    fpu.setEmpty(cpu.modrmRm);
    if (pop) fpu.pop();
    fpu.sw &= ~Sw.C1; // host CPU: C1 cleared
  };
}

/** D9 F6 FDECSTP, D9 F7 FINCSTP: TOP ∓ 1, C1 cleared, tags unchanged. */
function stackPointer(delta: number): FpuOp {
  return (_cpu, fpu) => {
    fpu.top = (fpu.top + delta) & 7;
    fpu.sw &= ~Sw.C1;
  };
}

/** D9 D0 FNOP (also DB E0 FENI, DB E1 FDISI, DB E4 FSETPM: no-ops since the 387). */
function FNOP(): void {}

/** Transcendental instructions (transcendental.ts). */
function trans(kind: Trans): FpuOp {
  return (cpu, fpu) => transcendental(cpu, fpu, kind);
}

// ---- the dispatch tables ------------------------------------------------------------------

function mem(esc: number, reg: number, fn: FpuOp, kind = 0): void {
  memOps[(esc - 0xd8) * 8 + reg] = fn;
  memKind[(esc - 0xd8) * 8 + reg] = kind;
}

function regs(esc: number, reg: number, fn: FpuOp, kind = 0): void {
  for (let rm = 0; rm < 8; rm++) reg1(esc, reg, rm, fn, kind);
}

function reg1(esc: number, reg: number, rm: number, fn: FpuOp, kind = 0): void {
  const i = (esc - 0xd8) * 64 + reg * 8 + rm;
  regOps[i] = fn;
  regKind[i] = kind;
}

const REAL_FORMATS = [Fmt.F32, Fmt.Int32, Fmt.F64, Fmt.Int16];
for (let k = 0; k < 4; k++) {
  const esc = 0xd8 + 2 * k;
  for (let op = 0; op < 8; op++) mem(esc, op, arithMem(REAL_FORMATS[k]!, op));
}
for (let op = 0; op < 8; op++) {
  regs(0xd8, op, arithReg(op, false, false));
  if (op === Op.Com || op === Op.Comp) {
    regs(0xdc, op, arithReg(op, true, false)); // FCOM2/FCOMP3 aliases
  } else {
    regs(0xdc, op, arithReg(op, true, false));
    regs(0xde, op, arithReg(op, true, true));
  }
}
regs(0xde, Op.Com, arithReg(Op.Comp, true, false)); // DE D0+i: FCOMP5 alias
reg1(0xde, 3, 1, comparePop2(false)); // DE D9: FCOMPP

// D9
mem(0xd9, 0, loadMem(Fmt.F32));
mem(0xd9, 2, storeMem(Fmt.F32, false));
mem(0xd9, 3, storeMem(Fmt.F32, true));
regs(0xd9, 0, FLD_ST);
regs(0xd9, 1, FXCH);
reg1(0xd9, 2, 0, FNOP);
regs(0xd9, 3, FSTP1);
reg1(0xd9, 4, 0, signOp(false));
reg1(0xd9, 4, 1, signOp(true));
reg1(0xd9, 4, 4, FTST);
reg1(0xd9, 4, 5, FXAM);
for (let k = 0; k < 7; k++) reg1(0xd9, 5, k, loadConst(k));
reg1(0xd9, 6, 0, trans(Trans.F2XM1));
reg1(0xd9, 6, 1, trans(Trans.FYL2X));
reg1(0xd9, 6, 2, trans(Trans.FPTAN));
reg1(0xd9, 6, 3, trans(Trans.FPATAN));
reg1(0xd9, 6, 4, FXTRACT);
reg1(0xd9, 6, 5, premOp(true));
reg1(0xd9, 6, 6, stackPointer(-1));
reg1(0xd9, 6, 7, stackPointer(1));
reg1(0xd9, 7, 0, premOp(false));
reg1(0xd9, 7, 1, trans(Trans.FYL2XP1));
reg1(0xd9, 7, 2, unaryOp(0));
reg1(0xd9, 7, 3, trans(Trans.FSINCOS));
reg1(0xd9, 7, 4, unaryOp(1));
reg1(0xd9, 7, 5, FSCALE);
reg1(0xd9, 7, 6, trans(Trans.FSIN));
reg1(0xd9, 7, 7, trans(Trans.FCOS));

// DA
for (let c = 0; c < 4; c++) regs(0xda, c, fcmov(c, false));
reg1(0xda, 5, 1, comparePop2(true)); // FUCOMPP

// DB
mem(0xdb, 0, loadMem(Fmt.Int32));
mem(0xdb, 2, storeMem(Fmt.Int32, false));
mem(0xdb, 3, storeMem(Fmt.Int32, true));
mem(0xdb, 5, loadMem(Fmt.F80));
mem(0xdb, 7, storeMem(Fmt.F80, true));
for (let c = 0; c < 4; c++) regs(0xdb, c, fcmov(c, true));
reg1(0xdb, 4, 0, FNOP, NO_WAIT | CONTROL);
reg1(0xdb, 4, 1, FNOP, NO_WAIT | CONTROL);
reg1(0xdb, 4, 4, FNOP, NO_WAIT | CONTROL);
regs(0xdb, 5, comi(true, false));
regs(0xdb, 6, comi(false, false));

// DD
mem(0xdd, 0, loadMem(Fmt.F64));
mem(0xdd, 2, storeMem(Fmt.F64, false));
mem(0xdd, 3, storeMem(Fmt.F64, true));
regs(0xdd, 0, ffree(false));
regs(0xdd, 1, FXCH); // FXCH4 alias
regs(0xdd, 2, storeReg(false));
regs(0xdd, 3, storeReg(true));
regs(0xdd, 4, ucomReg(0));
regs(0xdd, 5, ucomReg(1));

// DF
mem(0xdf, 0, loadMem(Fmt.Int16));
mem(0xdf, 2, storeMem(Fmt.Int16, false));
mem(0xdf, 3, storeMem(Fmt.Int16, true));
mem(0xdf, 4, loadMem(Fmt.Bcd));
mem(0xdf, 5, loadMem(Fmt.Int64));
mem(0xdf, 6, storeMem(Fmt.Bcd, true));
mem(0xdf, 7, storeMem(Fmt.Int64, true));
regs(0xdf, 0, ffree(true)); // FFREEP
regs(0xdf, 1, FXCH); // FXCH7 alias
regs(0xdf, 2, storeReg(true)); // FSTP8 alias
regs(0xdf, 3, storeReg(true)); // FSTP9 alias
regs(0xdf, 5, comi(true, true));
regs(0xdf, 6, comi(false, true));

// Control instructions (x87-env.ts): environment, state, control and status words.
for (const e of envHandlers) {
  if (e.mem) mem(e.esc, e.reg, e.fn, e.kind);
  else reg1(e.esc, e.reg, e.rm!, e.fn, e.kind);
}

// ---- the handlers the opcode table names --------------------------------------------------

/** Updates the last instruction (and data) pointer and opcode (SDM Vol. 1 §8.1.8-8.1.9). */
function recordPointers(cpu: Cpu, fpu: X87): void {
  fpu.fip = cpu.prevEip;
  fpu.fcs = cpu.segSel[Seg.CS];
  fpu.fop = ((cpu.opcode & 7) << 8) | (cpu.modrmMod << 6) | (cpu.modrmReg << 3) | cpu.modrmRm;
  if (cpu.modrmMod !== 3) {
    fpu.fdp = cpu.eaOff;
    fpu.fds = cpu.segSel[cpu.eaSeg];
  }
}

/** D8-DF: the x87 escape. */
function ESC_Ex(cpu: Cpu): void {
  cpu.decodeModrm();
  if ((cpu.cr0 & (Cr0.EM | Cr0.TS)) !== 0) throw new CpuException(Vector.NM);
  const esc = cpu.opcode & 7;
  let fn: FpuOp | undefined, kind: number;
  if (cpu.modrmMod === 3) {
    const i = esc * 64 + cpu.modrmReg * 8 + cpu.modrmRm;
    fn = regOps[i]; kind = regKind[i]!;
  } else {
    const i = esc * 8 + cpu.modrmReg;
    fn = memOps[i]; kind = memKind[i]!;
  }
  if (fn === undefined) throw new CpuException(Vector.UD);
  const fpu = cpu.fpu;
  if ((kind & NO_WAIT) === 0 && waitForErrors(cpu)) return;
  if ((kind & CONTROL) === 0) recordPointers(cpu, fpu);
  fn(cpu, fpu);
}

/**
 * 9B: WAIT/FWAIT. #NM when CR0.MP and CR0.TS are both set (SDM Vol. 3A
 * §2.5, Table 2-2); then pending unmasked x87 exceptions are reported (#MF,
 * or the MS-DOS compatibility freeze).
 */
function WAIT(cpu: Cpu): void {
  if ((cpu.cr0 & (Cr0.MP | Cr0.TS)) === (Cr0.MP | Cr0.TS)) throw new CpuException(Vector.NM);
  waitForErrors(cpu);
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = { ESC_Ex, WAIT };

/** Every defined x87 encoding, for tests: memory forms as `esc/reg`, register forms as `esc reg rm`. */
export function definedForms(): { mem: number[]; reg: number[] } {
  const m: number[] = [], r: number[] = [];
  memOps.forEach((f, i) => { if (f) m.push(i); });
  regOps.forEach((f, i) => { if (f) r.push(i); });
  return { mem: m, reg: r };
}

