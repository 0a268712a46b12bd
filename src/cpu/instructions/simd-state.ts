/**
 * Instruction family: group 15 (0F AE, SDM Vol. 2 Table A-6): FXSAVE,
 * FXRSTOR, LDMXCSR, STMXCSR, CLFLUSH and the fences LFENCE, MFENCE, SFENCE.
 *
 * FXSAVE/FXRSTOR use the 512-byte image of SDM Vol. 2 "FXSAVE" Table 3-53
 * (the 32-bit format, which is also what 64-bit mode without REX.W uses):
 *
 *   0 FCW  2 FSW  4 abridged FTW  6 FOP  8 FIP  12 FCS  16 FDP  20 FDS
 *   24 MXCSR  28 MXCSR_MASK  32 + 16 i: ST(i)/MMi (10 bytes)  160 + 16 i: XMMi
 *
 * Reserved bytes up to 287 are stored as zeros; 288-511 are neither written
 * nor read. The abridged tag has one bit per physical register, set when it
 * is not empty (Vol. 1 §10.5.1.1). FXSAVE and FXRSTOR save/restore MXCSR
 * and the XMM registers whatever CR4.OSFXSR says (the SDM leaves it to the
 * implementation). The image must be 16-byte aligned (#GP(0)); CR0.EM or
 * CR0.TS raise #NM (Vol. 2 "FXSAVE" exceptions). Neither waits for a
 * pending x87 exception. FXRSTOR raises #GP(0) for MXCSR bits outside
 * MXCSR_MASK before it changes anything.
 *
 * One processor and no caches: the fences and CLFLUSH only check their
 * operand (CLFLUSH faults as a byte read would, Vol. 2 "CLFLUSH").
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Cr0, Vector } from '../registers.js';
import { MXCSR_MASK } from '../simd/sse-state.js';
import { checkAligned16, sseEnter } from './simd-operands.js';
import { offsetBy, probeWrite } from './x87-memory.js';

const FXSAVE_BYTES = 512;

function fxEnter(cpu: Cpu): void {
  if ((cpu.cr0 & (Cr0.EM | Cr0.TS)) !== 0) throw new CpuException(Vector.NM);
  checkAligned16(cpu);
}

const rd = (cpu: Cpu, size: number, k: number): number => cpu.readMem(size, cpu.eaSeg, offsetBy(cpu, k));
const wr = (cpu: Cpu, size: number, k: number, v: number): void => cpu.writeMem(size, cpu.eaSeg, offsetBy(cpu, k), v);

/** 0F AE /0: FXSAVE m512. */
function fxsave(cpu: Cpu): void {
  fxEnter(cpu);
  probeWrite(cpu, FXSAVE_BYTES);
  const fpu = cpu.fpu;
  wr(cpu, 2, 0, fpu.cw);
  wr(cpu, 2, 2, fpu.getSw());
  wr(cpu, 2, 4, fpu.abridgedTag());
  wr(cpu, 2, 6, fpu.fop);
  wr(cpu, 4, 8, fpu.fip);
  wr(cpu, 4, 12, fpu.fcs & 0xffff);
  wr(cpu, 4, 16, fpu.fdp);
  wr(cpu, 4, 20, fpu.fds & 0xffff);
  wr(cpu, 4, 24, cpu.sse.mxcsr);
  wr(cpu, 4, 28, MXCSR_MASK);
  for (let i = 0; i < 8; i++) {
    const v = fpu.st(i), at = 32 + 16 * i;
    wr(cpu, 4, at, v.lo); wr(cpu, 4, at + 4, v.hi); wr(cpu, 4, at + 8, v.se);
    wr(cpu, 4, at + 12, 0);
  }
  const x = cpu.sse.xmm;
  for (let k = 0; k < 32; k++) wr(cpu, 4, 160 + 4 * k, x[k]!);
}

/** 0F AE /1: FXRSTOR m512. */
function fxrstor(cpu: Cpu): void {
  fxEnter(cpu);
  // Every read must succeed before any state changes: check both pages up front.
  const lin = cpu.linearFor(cpu.eaSeg, cpu.eaOff, FXSAVE_BYTES, false);
  cpu.translate(lin, false);
  cpu.translate((lin + FXSAVE_BYTES - 1) | 0, false);
  const mxcsr = rd(cpu, 4, 24);
  if ((mxcsr & ~MXCSR_MASK) !== 0) throw new CpuException(Vector.GP, 0);
  const fpu = cpu.fpu;
  fpu.setCw(rd(cpu, 2, 0));
  fpu.setSw(rd(cpu, 2, 2));
  fpu.emptyMask = ~rd(cpu, 1, 4) & 0xff;
  fpu.fop = rd(cpu, 2, 6) & 0x7ff;
  fpu.fip = rd(cpu, 4, 8);
  fpu.fcs = rd(cpu, 2, 12);
  fpu.fdp = rd(cpu, 4, 16);
  fpu.fds = rd(cpu, 2, 20);
  for (let i = 0; i < 8; i++) {
    const at = 32 + 16 * i;
    fpu.st(i).set(rd(cpu, 2, at + 8), rd(cpu, 4, at + 4), rd(cpu, 4, at));
  }
  fpu.updateSummary();
  cpu.sse.mxcsr = mxcsr;
  const x = cpu.sse.xmm;
  for (let k = 0; k < 32; k++) x[k] = rd(cpu, 4, 160 + 4 * k);
}

/** 0F AE /2: LDMXCSR m32; #GP(0) for a reserved bit (SDM Vol. 2 "LDMXCSR"). */
function ldmxcsr(cpu: Cpu): void {
  sseEnter(cpu);
  const v = cpu.readMem(4, cpu.eaSeg, cpu.eaOff);
  if ((v & ~MXCSR_MASK) !== 0) throw new CpuException(Vector.GP, 0);
  cpu.sse.mxcsr = v;
}

/** 0F AE /3: STMXCSR m32. */
function stmxcsr(cpu: Cpu): void {
  sseEnter(cpu);
  cpu.writeMem(4, cpu.eaSeg, cpu.eaOff, cpu.sse.mxcsr);
}

/** 0F AE /7 with memory: CLFLUSH m8 — the access is checked as a byte read; there is no cache to flush. */
function clflush(cpu: Cpu): void {
  const lin = cpu.linearFor(cpu.eaSeg, cpu.eaOff, 1, false);
  cpu.translate(lin, false);
}

/** Group 15 by ModRM: memory forms /0-/3 and /7; register forms /5-/7 are the fences. */
function G15_Ex(cpu: Cpu): void {
  cpu.decodeModrm();
  const reg = cpu.modrmReg;
  if (cpu.modrmMod === 3) {
    // LFENCE, MFENCE, SFENCE: nothing to order on one in-order processor.
    if (reg < 5) throw new CpuException(Vector.UD);
    return;
  }
  switch (reg) {
    case 0: fxsave(cpu); return;
    case 1: fxrstor(cpu); return;
    case 2: ldmxcsr(cpu); return;
    case 3: stmxcsr(cpu); return;
    case 7: clflush(cpu); return;
    default: throw new CpuException(Vector.UD);
  }
}

/** Group 15's handler. */
export const handlers: Record<string, Handler> = { G15_Ex };
