/**
 * Instruction family: SSE/SSE2 floating-point arithmetic, comparisons and
 * the bitwise/shuffle operations on packed floats (SDM Vol. 2 "ADDPS" …
 * "XORPD"). The arithmetic itself is src/cpu/simd/sse-float.ts; this file
 * applies it to the packed (all elements) and scalar (low element, the rest
 * of the destination kept) forms, and commits MXCSR flags or raises the
 * SIMD floating-point exception before anything is written (sseFinish).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { ARITH_FLAGS, Flag } from '../registers.js';
import { FOp, Rel } from '../simd/sse-float.js';
import { getXmm, readW, setXmm, sseEnter, sseFinish } from './simd-operands.js';

/** Element shapes of the float forms. */
const enum Shape { PS, SS, PD, SD }
const MEM_BYTES = [16, 4, 16, 8];

/** Loads V into sse.d and W into sse.s for `shape`. */
function operands(cpu: Cpu, shape: Shape): void {
  cpu.decodeModrm();
  sseEnter(cpu);
  getXmm(cpu, cpu.modrmReg, cpu.sse.d);
  readW(cpu, cpu.sse.s, MEM_BYTES[shape]);
}

/** ADD/SUB/MUL/DIV/MIN/MAX/SQRT in the four shapes (SQRT's only input is the source). */
function arith(op: FOp, shape: Shape): Handler {
  return (cpu) => {
    operands(cpu, shape);
    const { d, s, t, fp } = cpu.sse;
    fp.begin(cpu.sse.mxcsr);
    const unary = op === FOp.Sqrt;
    for (let i = 0; i < 4; i++) t.i32[i] = d.i32[i]!;
    if (shape === Shape.PS || shape === Shape.SS) {
      const n = shape === Shape.PS ? 4 : 1;
      for (let i = 0; i < n; i++) t.u32[i] = fp.op32(op, unary ? s.u32[i]! : d.u32[i]!, s.u32[i]!);
    } else {
      const n = shape === Shape.PD ? 4 : 2;
      for (let i = 0; i < n; i += 2) {
        if (unary) fp.op64(op, s.u32[i + 1]!, s.u32[i]!, 0, 0);
        else fp.op64(op, d.u32[i + 1]!, d.u32[i]!, s.u32[i + 1]!, s.u32[i]!);
        t.u32[i] = fp.lo; t.u32[i + 1] = fp.hi;
      }
    }
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, t);
  };
}

/** Whether CMPPS's predicate (imm8 bits 0-2: EQ LT LE UNORD NEQ NLT NLE ORD) holds for `rel`. */
function predicate(p: number, rel: Rel): boolean {
  switch (p) {
    case 0: return rel === Rel.Equal;
    case 1: return rel === Rel.Less;
    case 2: return rel === Rel.Less || rel === Rel.Equal;
    case 3: return rel === Rel.Unordered;
    case 4: return rel !== Rel.Equal;
    case 5: return rel !== Rel.Less;
    case 6: return rel !== Rel.Less && rel !== Rel.Equal;
    default: return rel !== Rel.Unordered;
  }
}

/** CMPPS/CMPSS/CMPPD/CMPSD: all-ones or zero masks; LT, LE, NLT, NLE signal on QNaNs (SDM Vol. 2 "CMPPS" Table 3-7). */
function compare(shape: Shape): Handler {
  return (cpu) => {
    operands(cpu, shape);
    const p = cpu.fetch8() & 7;
    const signaling = p === 1 || p === 2 || p === 5 || p === 6;
    const { d, s, t, fp } = cpu.sse;
    fp.begin(cpu.sse.mxcsr);
    for (let i = 0; i < 4; i++) t.i32[i] = d.i32[i]!;
    if (shape === Shape.PS || shape === Shape.SS) {
      const n = shape === Shape.PS ? 4 : 1;
      for (let i = 0; i < n; i++) t.i32[i] = predicate(p, fp.compare32(d.u32[i]!, s.u32[i]!, signaling)) ? -1 : 0;
    } else {
      const n = shape === Shape.PD ? 4 : 2;
      for (let i = 0; i < n; i += 2) {
        const m = predicate(p, fp.compare64(d.u32[i + 1]!, d.u32[i]!, s.u32[i + 1]!, s.u32[i]!, signaling)) ? -1 : 0;
        t.i32[i] = m; t.i32[i + 1] = m;
      }
    }
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, t);
  };
}

/**
 * COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF from the comparison (unordered
 * 111, greater 000, less 001, equal 100), OF, SF, AF cleared. COMIS signals
 * on QNaNs, UCOMIS only on SNaNs (SDM Vol. 2 "COMISS").
 */
function comi(double: boolean, signaling: boolean): Handler {
  return (cpu) => {
    operands(cpu, double ? Shape.SD : Shape.SS);
    const { d, s, fp } = cpu.sse;
    fp.begin(cpu.sse.mxcsr);
    const rel = double
      ? fp.compare64(d.u32[1]!, d.u32[0]!, s.u32[1]!, s.u32[0]!, signaling)
      : fp.compare32(d.u32[0]!, s.u32[0]!, signaling);
    sseFinish(cpu, fp);
    let f = 0;
    if (rel === Rel.Unordered) f = Flag.ZF | Flag.PF | Flag.CF;
    else if (rel === Rel.Less) f = Flag.CF;
    else if (rel === Rel.Equal) f = Flag.ZF;
    cpu.setFlags((cpu.getFlags() & ~ARITH_FLAGS) | f);
  };
}

/** RCPPS/RCPSS/RSQRTPS/RSQRTSS: approximations, no exceptions. */
function approx(rsqrt: boolean, packed: boolean): Handler {
  return (cpu) => {
    operands(cpu, packed ? Shape.PS : Shape.SS);
    const { d, s, fp } = cpu.sse;
    for (let i = 0; i < (packed ? 4 : 1); i++) d.u32[i] = fp.approx32(s.u32[i]!, rsqrt);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** ANDPS/ANDNPS/ORPS/XORPS and their PD twins: bitwise on all 128 bits. */
function logic(f: (a: number, b: number) => number): Handler {
  return (cpu) => {
    operands(cpu, Shape.PS);
    const { d, s } = cpu.sse;
    for (let i = 0; i < 4; i++) d.i32[i] = f(d.i32[i]!, s.i32[i]!);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** SHUFPS: two dwords of the destination, then two of the source, chosen by the immediate. */
function SHUFPS_VpsWpsIb(cpu: Cpu): void {
  operands(cpu, Shape.PS);
  const imm = cpu.fetch8();
  const { d, s, t } = cpu.sse;
  t.i32[0] = d.i32[imm & 3]!; t.i32[1] = d.i32[(imm >> 2) & 3]!;
  t.i32[2] = s.i32[(imm >> 4) & 3]!; t.i32[3] = s.i32[(imm >> 6) & 3]!;
  setXmm(cpu, cpu.modrmReg, t);
}

/** SHUFPD: one quadword of the destination (imm bit 0), one of the source (bit 1). */
function SHUFPD_VpdWpdIb(cpu: Cpu): void {
  operands(cpu, Shape.PD);
  const imm = cpu.fetch8();
  const { d, s, t } = cpu.sse;
  const a = (imm & 1) * 2, b = ((imm >> 1) & 1) * 2;
  t.i32[0] = d.i32[a]!; t.i32[1] = d.i32[a + 1]!; t.i32[2] = s.i32[b]!; t.i32[3] = s.i32[b + 1]!;
  setXmm(cpu, cpu.modrmReg, t);
}

/** UNPCKLPS/UNPCKHPS (dwords) and UNPCKLPD/UNPCKHPD (quadwords): interleave the low (high) halves. */
function unpck(high: boolean, double: boolean): Handler {
  return (cpu) => {
    operands(cpu, Shape.PS);
    const { d, s, t } = cpu.sse;
    const b = high ? 2 : 0;
    if (double) {
      t.i32[0] = d.i32[b]!; t.i32[1] = d.i32[b + 1]!; t.i32[2] = s.i32[b]!; t.i32[3] = s.i32[b + 1]!;
    } else {
      t.i32[0] = d.i32[b]!; t.i32[1] = s.i32[b]!; t.i32[2] = d.i32[b + 1]!; t.i32[3] = s.i32[b + 1]!;
    }
    setXmm(cpu, cpu.modrmReg, t);
  };
}

function build(): Record<string, Handler> {
  const h: Record<string, Handler> = {
    COMISS_VssWss: comi(false, true), UCOMISS_VssWss: comi(false, false),
    COMISD_VsdWsd: comi(true, true), UCOMISD_VsdWsd: comi(true, false),
    RCPPS_VpsWps: approx(false, true), RCPSS_VssWss: approx(false, false),
    RSQRTPS_VpsWps: approx(true, true), RSQRTSS_VssWss: approx(true, false),
    SHUFPS_VpsWpsIb, SHUFPD_VpdWpdIb,
    UNPCKLPS_VpsWps: unpck(false, false), UNPCKHPS_VpsWps: unpck(true, false),
    UNPCKLPD_VpdWpd: unpck(false, true), UNPCKHPD_VpdWpd: unpck(true, true),
    CMPPS_VpsWpsIb: compare(Shape.PS), CMPSS_VssWssIb: compare(Shape.SS),
    CMPPD_VpdWpdIb: compare(Shape.PD), CMPSD_VsdWsdIb: compare(Shape.SD),
  };
  const bitwise: [string, (a: number, b: number) => number][] = [
    ['AND', (a, b) => a & b], ['ANDN', (a, b) => ~a & b], ['OR', (a, b) => a | b], ['XOR', (a, b) => a ^ b],
  ];
  for (const [m, f] of bitwise) { h[`${m}PS_VpsWps`] = logic(f); h[`${m}PD_VpdWpd`] = logic(f); }
  const ops: [string, FOp][] = [
    ['ADD', FOp.Add], ['SUB', FOp.Sub], ['MUL', FOp.Mul], ['DIV', FOp.Div], ['MIN', FOp.Min], ['MAX', FOp.Max], ['SQRT', FOp.Sqrt],
  ];
  for (const [m, op] of ops) {
    h[`${m}PS_VpsWps`] = arith(op, Shape.PS);
    h[`${m}SS_VssWss`] = arith(op, Shape.SS);
    h[`${m}PD_VpdWpd`] = arith(op, Shape.PD);
    h[`${m}SD_VsdWsd`] = arith(op, Shape.SD);
  }
  return h;
}

/** The SSE/SSE2 floating-point handlers by name. */
export const handlers: Record<string, Handler> = build();
