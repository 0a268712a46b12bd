/**
 * Instruction family: MMX/SSE/SSE2 data movement (SDM Vol. 2 "MOVD/MOVQ",
 * "MOVDQA", "MOVDQU", "MOVQ2DQ", "MOVDQ2Q", "MOVAPS", "MOVUPS", "MOVSS",
 * "MOVSD", "MOVLPS", "MOVHPS", "MOVHLPS", "MOVLHPS", "MOVMSKPS", "MOVNTI",
 * "MOVNTQ", "MOVNTPS", "MOVNTDQ"). The non-temporal stores are ordinary
 * stores here (no caches to bypass); their alignment rules still apply.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Vector } from '../registers.js';
import {
  getMm, getXmm, mmxEnter, readMemLanes, readQ, readW, setMm, setMmWords, setXmm, sseEnter, sseMmxEnter,
  writeMemLanes,
  withMmxTransition,
} from './simd-operands.js';

function needMemory(cpu: Cpu): void {
  if (cpu.modrmMod === 3) throw new CpuException(Vector.UD);
}
function needRegister(cpu: Cpu): void {
  if (cpu.modrmMod !== 3) throw new CpuException(Vector.UD);
}

// ---- MMX ------------------------------------------------------------------------------------

/** MOVD Pd,Ed: the dword, zero-extended. */
function MOVD_PdEd(cpu: Cpu): void {
  cpu.decodeModrm();
  if (!mmxEnter(cpu)) return;
  setMmWords(cpu, cpu.modrmReg, cpu.readE(4), 0);
}

/** MOVD Ed,Pd: the low dword. */
function MOVD_EdPd(cpu: Cpu): void {
  cpu.decodeModrm();
  if (!mmxEnter(cpu)) return;
  cpu.writeE(4, cpu.fpu.regs[cpu.modrmReg]!.lo | 0);
}

function MOVQ_PqQq(cpu: Cpu): void {
  cpu.decodeModrm();
  if (!mmxEnter(cpu)) return;
  const { s } = cpu.sse;
  readQ(cpu, s);
  setMm(cpu, cpu.modrmReg, s);
}

/** MOVQ Qq,Pq (and MOVNTQ Mq,Pq). */
function movqStore(memOnly: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    if (memOnly) needMemory(cpu);
    if (!mmxEnter(cpu)) return;
    const { s } = cpu.sse;
    getMm(cpu, cpu.modrmReg, s);
    if (cpu.modrmMod === 3) setMm(cpu, cpu.modrmRm, s);
    else writeMemLanes(cpu, s, 8);
  };
}

// ---- XMM integer moves -------------------------------------------------------------------------

/** MOVD Vd,Ed: the dword into the low dword, the rest cleared. */
function MOVD_VdEd(cpu: Cpu): void {
  cpu.decodeModrm();
  sseEnter(cpu);
  const v = cpu.readE(4);
  const x = cpu.sse.xmm, k = cpu.modrmReg << 2;
  x[k] = v; x[k + 1] = 0; x[k + 2] = 0; x[k + 3] = 0;
}

function MOVD_EdVd(cpu: Cpu): void {
  cpu.decodeModrm();
  sseEnter(cpu);
  cpu.writeE(4, cpu.sse.xmm[cpu.modrmReg << 2]!);
}

/** MOVQ Vq,Wq (F3 0F 7E): the low quadword, the high one cleared. */
function MOVQ_VqWq(cpu: Cpu): void {
  cpu.decodeModrm();
  sseEnter(cpu);
  const { s } = cpu.sse;
  readW(cpu, s, 8);
  s.i32[2] = 0; s.i32[3] = 0;
  setXmm(cpu, cpu.modrmReg, s);
}

/** MOVQ Wq,Vq (66 0F D6): to memory, or to a register with its high quadword cleared. */
function MOVQ_WqVq(cpu: Cpu): void {
  cpu.decodeModrm();
  sseEnter(cpu);
  const { s } = cpu.sse;
  getXmm(cpu, cpu.modrmReg, s);
  s.i32[2] = 0; s.i32[3] = 0;
  if (cpu.modrmMod === 3) setXmm(cpu, cpu.modrmRm, s);
  else writeMemLanes(cpu, s, 8);
}

/** Full 128-bit load: MOVDQA/MOVAPS/MOVAPD (aligned) and MOVDQU/MOVUPS/MOVUPD. */
function load128(aligned: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    sseEnter(cpu);
    const { s } = cpu.sse;
    readW(cpu, s, 16, aligned);
    setXmm(cpu, cpu.modrmReg, s);
  };
}

/** Full 128-bit store (also the non-temporal ones, `memOnly`). */
function store128(aligned: boolean, memOnly = false): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    if (memOnly) needMemory(cpu);
    sseEnter(cpu);
    const { s } = cpu.sse;
    getXmm(cpu, cpu.modrmReg, s);
    if (cpu.modrmMod === 3) setXmm(cpu, cpu.modrmRm, s);
    else writeMemLanes(cpu, s, 16, aligned);
  };
}

/** MOVQ2DQ Vdq,Nq: the MMX register into the low quadword, the high one cleared. */
function MOVQ2DQ_VdqNq(cpu: Cpu): void {
  cpu.decodeModrm();
  needRegister(cpu);
  if (!sseMmxEnter(cpu)) return;
  const { s } = cpu.sse;
  getMm(cpu, cpu.modrmRm, s);
  s.i32[2] = 0; s.i32[3] = 0;
  setXmm(cpu, cpu.modrmReg, s);
}

/** MOVDQ2Q Pq,Uq: the low quadword into the MMX register. */
function MOVDQ2Q_PqUq(cpu: Cpu): void {
  cpu.decodeModrm();
  needRegister(cpu);
  if (!sseMmxEnter(cpu)) return;
  const { s } = cpu.sse;
  getXmm(cpu, cpu.modrmRm, s);
  setMm(cpu, cpu.modrmReg, s);
}

/** MOVNTI Md,Gd: an ordinary dword store. */
function MOVNTI_MdGd(cpu: Cpu): void {
  cpu.decodeModrm();
  needMemory(cpu);
  cpu.writeMem(4, cpu.eaSeg, cpu.eaOff, cpu.regs[cpu.modrmReg]!);
}

// ---- scalar and half moves ------------------------------------------------------------------

/**
 * MOVSS/MOVSD loads: register to register moves only the low dword (quadword);
 * from memory, the rest of the destination is cleared.
 */
function movScalarLoad(bytes: 4 | 8): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    sseEnter(cpu);
    const { d, s } = cpu.sse;
    if (cpu.modrmMod === 3) {
      getXmm(cpu, cpu.modrmRm, s);
      getXmm(cpu, cpu.modrmReg, d);
      d.i32[0] = s.i32[0]!;
      if (bytes === 8) d.i32[1] = s.i32[1]!;
    } else {
      d.i32[0] = 0; d.i32[1] = 0; d.i32[2] = 0; d.i32[3] = 0;
      readMemLanes(cpu, d, bytes);
    }
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** MOVSS/MOVSD stores: the low dword (quadword) to memory or into the register operand. */
function movScalarStore(bytes: 4 | 8): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    sseEnter(cpu);
    const { d, s } = cpu.sse;
    getXmm(cpu, cpu.modrmReg, s);
    if (cpu.modrmMod === 3) {
      getXmm(cpu, cpu.modrmRm, d);
      d.i32[0] = s.i32[0]!;
      if (bytes === 8) d.i32[1] = s.i32[1]!;
      setXmm(cpu, cpu.modrmRm, d);
    } else {
      writeMemLanes(cpu, s, bytes);
    }
  };
}

/**
 * MOVLPS/MOVLPD Vq,Mq (`high` false) and MOVHPS/MOVHPD Vq,Mq (`high`): a
 * quadword from memory into the low (high) half. Without a prefix, the
 * register forms are MOVHLPS (high half of U into the low half) and MOVLHPS
 * (low half of U into the high half); with 66 they are #UD.
 */
function movHalfLoad(high: boolean, packedDouble: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    if (packedDouble) needMemory(cpu);
    sseEnter(cpu);
    const { d, s } = cpu.sse;
    getXmm(cpu, cpu.modrmReg, d);
    const to = high ? 2 : 0;
    if (cpu.modrmMod === 3) {
      getXmm(cpu, cpu.modrmRm, s);
      const from = high ? 0 : 2;
      d.i32[to] = s.i32[from]!; d.i32[to + 1] = s.i32[from + 1]!;
    } else {
      readMemLanes(cpu, s, 8);
      d.i32[to] = s.i32[0]!; d.i32[to + 1] = s.i32[1]!;
    }
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** MOVLPS/MOVLPD/MOVHPS/MOVHPD Mq,Vq: the low (high) quadword to memory. */
function movHalfStore(high: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    needMemory(cpu);
    sseEnter(cpu);
    const { s, t } = cpu.sse;
    getXmm(cpu, cpu.modrmReg, s);
    const from = high ? 2 : 0;
    t.i32[0] = s.i32[from]!; t.i32[1] = s.i32[from + 1]!;
    writeMemLanes(cpu, t, 8);
  };
}

/** MOVMSKPS/MOVMSKPD Gd,U: the sign bits of the elements. */
function movmsk(double: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    needRegister(cpu);
    sseEnter(cpu);
    const x = cpu.sse.xmm, k = cpu.modrmRm << 2;
    cpu.regs[cpu.modrmReg] = double
      ? (x[k + 1]! >>> 31) | ((x[k + 3]! >>> 31) << 1)
      : (x[k]! >>> 31) | ((x[k + 1]! >>> 31) << 1) | ((x[k + 2]! >>> 31) << 2) | ((x[k + 3]! >>> 31) << 3);
  };
}

/** The data-movement handlers by name. */
export const handlers: Record<string, Handler> = withMmxTransition({
  MOVD_PdEd, MOVD_EdPd, MOVQ_PqQq, MOVQ_QqPq: movqStore(false), MOVNTQ_MqPq: movqStore(true),
  MOVD_VdEd, MOVD_EdVd, MOVQ_VqWq, MOVQ_WqVq, MOVQ2DQ_VdqNq, MOVDQ2Q_PqUq, MOVNTI_MdGd,
  MOVDQA_VdqWdq: load128(true), MOVDQU_VdqWdq: load128(false),
  MOVDQA_WdqVdq: store128(true), MOVDQU_WdqVdq: store128(false), MOVNTDQ_MdqVdq: store128(true, true),
  MOVAPS_VpsWps: load128(true), MOVAPD_VpdWpd: load128(true), MOVUPS_VpsWps: load128(false), MOVUPD_VpdWpd: load128(false),
  MOVAPS_WpsVps: store128(true), MOVAPD_WpdVpd: store128(true), MOVUPS_WpsVps: store128(false), MOVUPD_WpdVpd: store128(false),
  MOVNTPS_MpsVps: store128(true, true), MOVNTPD_MpdVpd: store128(true, true),
  MOVSS_VssWss: movScalarLoad(4), MOVSD_VsdWsd: movScalarLoad(8),
  MOVSS_WssVss: movScalarStore(4), MOVSD_WsdVsd: movScalarStore(8),
  MOVLPS_VqMq: movHalfLoad(false, false), MOVLPD_VqMq: movHalfLoad(false, true),
  MOVHPS_VqMq: movHalfLoad(true, false), MOVHPD_VqMq: movHalfLoad(true, true),
  MOVLPS_MqVq: movHalfStore(false), MOVLPD_MqVq: movHalfStore(false),
  MOVHPS_MqVq: movHalfStore(true), MOVHPD_MqVq: movHalfStore(true),
  MOVMSKPS_GdUps: movmsk(false), MOVMSKPD_GdUpd: movmsk(true),
});
