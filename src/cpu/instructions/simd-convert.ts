/**
 * Instruction family: SSE/SSE2 conversions (SDM Vol. 2 "CVT…" pages):
 * between signed dwords (general or MMX registers, XMM), singles and
 * doubles. Rounding is by MXCSR.RC, or toward zero for the CVTT forms;
 * NaN, ∞ and out-of-range values convert to the integer indefinite
 * 8000_0000h with IE. Forms with an MMX operand make the MMX state
 * transition when they use an MMX register (SDM Vol. 2 "CVTPI2PS": a memory
 * source does not).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import {
  getMm, getXmm, mmxEnter, readMemLanes, readW, setMm, setXmm, sseEnter, sseFinish,
  withMmxTransition,
} from './simd-operands.js';

/** Decodes and checks; `mmxSource`/`mmxDest`: the form involves an MMX register there. */
function begin(cpu: Cpu, mmxSource: boolean, mmxDest: boolean): boolean {
  cpu.decodeModrm();
  sseEnter(cpu);
  if ((mmxSource && cpu.modrmMod === 3) || mmxDest) { if (!mmxEnter(cpu)) return false; }
  cpu.sse.fp.begin(cpu.sse.mxcsr);
  return true;
}

/** CVTPI2PS Vps,Qpi / CVTPI2PD Vpd,Qpi: two dwords from an MMX register or memory. */
function cvtpi2p(double: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, true, false)) return;
    const { d, s, fp } = cpu.sse;
    if (cpu.modrmMod === 3) {
      getMm(cpu, cpu.modrmRm, s);
      // The MMX transition comes before a SIMD exception (host CPU).
      cpu.fpu.top = 0;
      cpu.fpu.emptyMask = 0;
    } else {
      readMemLanes(cpu, s, 8);
    }
    getXmm(cpu, cpu.modrmReg, d);
    if (double) {
      const a = s.i32[0]!, b = s.i32[1]!;
      fp.int32ToF64(a); d.u32[0] = fp.lo; d.u32[1] = fp.hi;
      fp.int32ToF64(b); d.u32[2] = fp.lo; d.u32[3] = fp.hi;
    } else {
      d.u32[0] = fp.int32ToF32(s.i32[0]!); d.u32[1] = fp.int32ToF32(s.i32[1]!);
    }
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** CVTSI2SS Vss,Ed / CVTSI2SD Vsd,Ed. */
function cvtsi2s(double: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, false)) return;
    const v = cpu.readE(4);
    const { d, fp } = cpu.sse;
    getXmm(cpu, cpu.modrmReg, d);
    if (double) { fp.int32ToF64(v); d.u32[0] = fp.lo; d.u32[1] = fp.hi; } else d.u32[0] = fp.int32ToF32(v);
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** CVT(T)PS2PI Ppi,Wps / CVT(T)PD2PI Ppi,Wpd: two integers into an MMX register. */
function cvtp2pi(double: boolean, truncate: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, true)) return;
    const { d, s, fp } = cpu.sse;
    readW(cpu, s, double ? 16 : 8);
    // The MMX transition happens once the source is read, before a SIMD exception (host CPU).
    cpu.fpu.top = 0;
    cpu.fpu.emptyMask = 0;
    if (double) {
      d.i32[0] = fp.toInt32(s.u32[1]!, truncate, true, s.u32[0]!);
      d.i32[1] = fp.toInt32(s.u32[3]!, truncate, true, s.u32[2]!);
    } else {
      d.i32[0] = fp.toInt32(s.u32[0]!, truncate, false);
      d.i32[1] = fp.toInt32(s.u32[1]!, truncate, false);
    }
    sseFinish(cpu, fp);
    setMm(cpu, cpu.modrmReg, d);
  };
}

/** CVT(T)SS2SI Gd,Wss / CVT(T)SD2SI Gd,Wsd. */
function cvts2si(double: boolean, truncate: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, false)) return;
    const { s, fp } = cpu.sse;
    readW(cpu, s, double ? 8 : 4);
    const v = double ? fp.toInt32(s.u32[1]!, truncate, true, s.u32[0]!) : fp.toInt32(s.u32[0]!, truncate, false);
    sseFinish(cpu, fp);
    cpu.regs[cpu.modrmReg] = v;
  };
}

/** CVTPS2PD Vpd,Wps (two singles from the low quadword or m64) and CVTSS2SD Vsd,Wss (low element). */
function cvtps2pd(scalar: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, false)) return;
    const { d, s, t, fp } = cpu.sse;
    readW(cpu, s, scalar ? 4 : 8);
    getXmm(cpu, cpu.modrmReg, d);
    for (let i = 0; i < 4; i++) t.i32[i] = d.i32[i]!;
    for (let i = 0; i < (scalar ? 1 : 2); i++) {
      fp.f32ToF64(s.u32[i]!);
      t.u32[2 * i] = fp.lo; t.u32[2 * i + 1] = fp.hi;
    }
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, t);
  };
}

/** CVTPD2PS Vps,Wpd (two singles, the high quadword cleared) and CVTSD2SS Vss,Wsd (low element). */
function cvtpd2ps(scalar: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, false)) return;
    const { d, s, fp } = cpu.sse;
    readW(cpu, s, scalar ? 8 : 16);
    getXmm(cpu, cpu.modrmReg, d);
    if (scalar) d.u32[0] = fp.f64ToF32(s.u32[1]!, s.u32[0]!);
    else {
      d.u32[0] = fp.f64ToF32(s.u32[1]!, s.u32[0]!);
      d.u32[1] = fp.f64ToF32(s.u32[3]!, s.u32[2]!);
      d.u32[2] = 0; d.u32[3] = 0;
    }
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** CVTDQ2PS Vps,Wdq: four dwords to singles. */
function CVTDQ2PS_VpsWdq(cpu: Cpu): void {
  if (!begin(cpu, false, false)) return;
  const { d, s, fp } = cpu.sse;
  readW(cpu, s);
  for (let i = 0; i < 4; i++) d.u32[i] = fp.int32ToF32(s.i32[i]!);
  sseFinish(cpu, fp);
  setXmm(cpu, cpu.modrmReg, d);
}

/** CVT(T)PS2DQ Vdq,Wps: four singles to dwords. */
function cvtps2dq(truncate: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, false)) return;
    const { d, s, fp } = cpu.sse;
    readW(cpu, s);
    for (let i = 0; i < 4; i++) d.i32[i] = fp.toInt32(s.u32[i]!, truncate, false);
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** CVT(T)PD2DQ Vdq,Wpd: two doubles to the low two dwords, the high quadword cleared. */
function cvtpd2dq(truncate: boolean): Handler {
  return (cpu) => {
    if (!begin(cpu, false, false)) return;
    const { d, s, fp } = cpu.sse;
    readW(cpu, s);
    d.i32[0] = fp.toInt32(s.u32[1]!, truncate, true, s.u32[0]!);
    d.i32[1] = fp.toInt32(s.u32[3]!, truncate, true, s.u32[2]!);
    d.i32[2] = 0; d.i32[3] = 0;
    sseFinish(cpu, fp);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** CVTDQ2PD Vpd,Wq: the two low dwords (or m64) to doubles (exact). */
function CVTDQ2PD_VpdWq(cpu: Cpu): void {
  if (!begin(cpu, false, false)) return;
  const { d, s, fp } = cpu.sse;
  readW(cpu, s, 8);
  const a = s.i32[0]!, b = s.i32[1]!;
  fp.int32ToF64(a); d.u32[0] = fp.lo; d.u32[1] = fp.hi;
  fp.int32ToF64(b); d.u32[2] = fp.lo; d.u32[3] = fp.hi;
  setXmm(cpu, cpu.modrmReg, d);
}

/** The conversion handlers by name. */
export const handlers: Record<string, Handler> = withMmxTransition({
  CVTPI2PS_VpsQpi: cvtpi2p(false), CVTPI2PD_VpdQpi: cvtpi2p(true),
  CVTSI2SS_VssEd: cvtsi2s(false), CVTSI2SD_VsdEd: cvtsi2s(true),
  CVTPS2PI_PpiWps: cvtp2pi(false, false), CVTTPS2PI_PpiWps: cvtp2pi(false, true),
  CVTPD2PI_PpiWpd: cvtp2pi(true, false), CVTTPD2PI_PpiWpd: cvtp2pi(true, true),
  CVTSS2SI_GdWss: cvts2si(false, false), CVTTSS2SI_GdWss: cvts2si(false, true),
  CVTSD2SI_GdWsd: cvts2si(true, false), CVTTSD2SI_GdWsd: cvts2si(true, true),
  CVTPS2PD_VpdWps: cvtps2pd(false), CVTSS2SD_VsdWss: cvtps2pd(true),
  CVTPD2PS_VpsWpd: cvtpd2ps(false), CVTSD2SS_VssWsd: cvtpd2ps(true),
  CVTDQ2PS_VpsWdq, CVTPS2DQ_VdqWps: cvtps2dq(false), CVTTPS2DQ_VdqWps: cvtps2dq(true),
  CVTPD2DQ_VdqWpd: cvtpd2dq(false), CVTTPD2DQ_VdqWpd: cvtpd2dq(true), CVTDQ2PD_VpdWq,
});
