/**
 * Instruction family: MMX and the SSE/SSE2 packed-integer instructions (SDM
 * Vol. 1 ch. 9, §10.4.4, §11.4.3; Vol. 2 "P…" pages, "EMMS", "MASKMOVQ").
 * Every packed operation is defined once in src/cpu/simd/packed-int.ts and
 * gets an MMX handler (`Pq,Qq`, 8 bytes) and an SSE2 handler (`Vdq,Wdq`, 16
 * bytes, aligned memory) here; the shuffles, inserts/extracts, byte masks and
 * the shift groups 12-14 are written out.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { GROUPS } from '../opcode-table.js';
import { Cr0, Reg, Seg, Vector } from '../registers.js';
import type { Lanes } from '../simd/sse-state.js';
import { PACKED_OPS, type PackedOp } from '../simd/packed-int.js';
import { getMm, getXmm, mmxEnter, readQ, readW, setMm, setXmm, sseEnter, withMmxTransition } from './simd-operands.js';
import { waitForErrors } from './x87-status.js';

/** MMX form: P ← P op Q (`memBytes` of memory: 8, or 4 for the unpack-low forms). */
function mmxBinary(fn: PackedOp, memBytes: number): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    if (!mmxEnter(cpu)) return;
    const { d, s, t } = cpu.sse;
    getMm(cpu, cpu.modrmReg, d);
    readQ(cpu, s, memBytes);
    fn(d, s, t, 8);
    setMm(cpu, cpu.modrmReg, d);
  };
}

/** SSE2 form: V ← V op W (16 aligned bytes of memory). */
function xmmBinary(fn: PackedOp): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    sseEnter(cpu);
    const { d, s, t } = cpu.sse;
    getXmm(cpu, cpu.modrmReg, d);
    readW(cpu, s);
    fn(d, s, t, 16);
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** Register-only operand (N, U): #UD with a memory ModRM. */
function needRegister(cpu: Cpu): void {
  if (cpu.modrmMod !== 3) throw new CpuException(Vector.UD);
}

// ---- shift groups 12-14 by immediate -------------------------------------------------------

/** PSRLDQ/PSLLDQ: the whole register shifted by bytes (counts above 15 clear it). */
function byteShift(d: Lanes, t: Lanes, count: number, left: boolean): void {
  for (let i = 0; i < 16; i++) {
    const from = left ? i - count : i + count;
    t.u8[i] = from >= 0 && from < 16 ? d.u8[from]! : 0;
  }
  for (let i = 0; i < 4; i++) d.i32[i] = t.i32[i]!;
}

/** G12/G13/G14 `Nq,Ib` (MMX) and `Udq,Ib` (SSE2): the shift named by ModRM.reg, by an immediate count. */
function shiftGroup(name: string, xmm: boolean): Handler {
  const members = GROUPS[name]!;
  return (cpu) => {
    cpu.decodeModrm();
    const member = members[cpu.modrmReg];
    // The byte shifts (/3, /7 of group 14) exist only in the SSE2 form.
    if (cpu.modrmMod !== 3 || member === undefined || (!xmm && member.endsWith('DQ'))) throw new CpuException(Vector.UD);
    if (xmm) sseEnter(cpu); else if (!mmxEnter(cpu)) return;
    const count = cpu.fetch8();
    const { d, s, t } = cpu.sse;
    const r = cpu.modrmRm;
    if (xmm) getXmm(cpu, r, d); else getMm(cpu, r, d);
    if (member === 'PSRLDQ' || member === 'PSLLDQ') {
      byteShift(d, t, count, member === 'PSLLDQ');
    } else {
      s.u32[0] = count; s.u32[1] = 0;
      PACKED_OPS[member]!(d, s, t, xmm ? 16 : 8);
    }
    if (xmm) setXmm(cpu, r, d); else setMm(cpu, r, d);
  };
}

// ---- shuffles, inserts, extracts, masks -----------------------------------------------------

/** PSHUFW Pq,Qq,Ib: each destination word picks a source word by two bits of the immediate. */
function PSHUFW_PqQqIb(cpu: Cpu): void {
  cpu.decodeModrm();
  if (!mmxEnter(cpu)) return;
  const { d, s } = cpu.sse;
  readQ(cpu, s);
  const imm = cpu.fetch8();
  for (let i = 0; i < 4; i++) d.u16[i] = s.u16[(imm >> (2 * i)) & 3]!;
  setMm(cpu, cpu.modrmReg, d);
}

/** PSHUFD/PSHUFHW/PSHUFLW: dwords, the high four words, or the low four words shuffled by the immediate. */
function pshuf(kind: 'd' | 'hw' | 'lw'): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    sseEnter(cpu);
    const { d, s } = cpu.sse;
    readW(cpu, s);
    const imm = cpu.fetch8();
    for (let i = 0; i < 4; i++) d.i32[i] = s.i32[i]!;
    if (kind === 'd') {
      for (let i = 0; i < 4; i++) d.i32[i] = s.i32[(imm >> (2 * i)) & 3]!;
    } else {
      const base = kind === 'hw' ? 4 : 0;
      for (let i = 0; i < 4; i++) d.u16[base + i] = s.u16[base + ((imm >> (2 * i)) & 3)]!;
    }
    setXmm(cpu, cpu.modrmReg, d);
  };
}

/** PINSRW: a word from a register's low 16 bits or memory into the word the immediate selects. */
function pinsrw(xmm: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    if (xmm) sseEnter(cpu); else if (!mmxEnter(cpu)) return;
    const v = cpu.modrmMod === 3 ? cpu.regs[cpu.modrmRm]! & 0xffff : cpu.readMem(2, cpu.eaSeg, cpu.eaOff);
    const imm = cpu.fetch8();
    const { d } = cpu.sse;
    if (xmm) getXmm(cpu, cpu.modrmReg, d); else getMm(cpu, cpu.modrmReg, d);
    d.u16[imm & (xmm ? 7 : 3)] = v;
    if (xmm) setXmm(cpu, cpu.modrmReg, d); else setMm(cpu, cpu.modrmReg, d);
  };
}

/** PEXTRW Gd,Nq/Udq,Ib: the selected word, zero-extended. */
function pextrw(xmm: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    needRegister(cpu);
    if (xmm) sseEnter(cpu); else if (!mmxEnter(cpu)) return;
    const imm = cpu.fetch8();
    const { s } = cpu.sse;
    if (xmm) getXmm(cpu, cpu.modrmRm, s); else getMm(cpu, cpu.modrmRm, s);
    cpu.regs[cpu.modrmReg] = s.u16[imm & (xmm ? 7 : 3)]!;
  };
}

/** PMOVMSKB Gd,Nq/Udq: the most significant bit of each byte. */
function pmovmskb(xmm: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    needRegister(cpu);
    if (xmm) sseEnter(cpu); else if (!mmxEnter(cpu)) return;
    const { s } = cpu.sse;
    const n = xmm ? 16 : 8;
    if (xmm) getXmm(cpu, cpu.modrmRm, s); else getMm(cpu, cpu.modrmRm, s);
    let m = 0;
    for (let i = 0; i < n; i++) m |= (s.u8[i]! >> 7) << i;
    cpu.regs[cpu.modrmReg] = m;
  };
}

/**
 * MASKMOVQ/MASKMOVDQU: stores the bytes of the first operand whose mask
 * byte (second operand) has its top bit set, at DS:(E)DI (a segment
 * override applies). Byte by byte: a fault part-way leaves the earlier
 * bytes written, which the SDM allows (the store is not atomic).
 */
function maskmov(xmm: boolean): Handler {
  return (cpu) => {
    cpu.decodeModrm();
    needRegister(cpu);
    if (xmm) sseEnter(cpu); else if (!mmxEnter(cpu)) return;
    const { d, s } = cpu.sse;
    if (xmm) { getXmm(cpu, cpu.modrmReg, d); getXmm(cpu, cpu.modrmRm, s); } else { getMm(cpu, cpu.modrmReg, d); getMm(cpu, cpu.modrmRm, s); }
    const seg = cpu.segOverride >= 0 ? cpu.segOverride : Seg.DS;
    const di = cpu.regs[Reg.EDI]!;
    for (let i = 0; i < (xmm ? 16 : 8); i++) {
      if ((s.u8[i]! & 0x80) === 0) continue;
      const off = cpu.addrsize32 ? (di + i) | 0 : (di + i) & 0xffff;
      cpu.writeMem8(seg, off, d.u8[i]!);
    }
  };
}

/**
 * EMMS: every x87 tag empty (SDM Vol. 2 "EMMS") and, as after every MMX
 * instruction, TOP = 0 (Vol. 3A §12.2: "each time an MMX instruction is
 * executed, the TOS value is set to 000B"; the host CPU agrees); #UD with
 * CR0.EM, #NM with CR0.TS, #MF if an x87 error is pending.
 */
function EMMS(cpu: Cpu): void {
  if ((cpu.cr0 & Cr0.EM) !== 0) throw new CpuException(Vector.UD);
  if ((cpu.cr0 & Cr0.TS) !== 0) throw new CpuException(Vector.NM);
  if (waitForErrors(cpu)) return;
  cpu.fpu.emptyMask = 0xff;
  cpu.fpu.top = 0;
}

/** Opcodes whose MMX form reads only 32 bits of memory (`Pq,Qd`). */
const UNPACK_LOW = new Set(['PUNPCKLBW', 'PUNPCKLWD', 'PUNPCKLDQ']);
/** Operations with only an SSE2 form. */
const XMM_ONLY = new Set(['PUNPCKLQDQ', 'PUNPCKHQDQ']);

function build(): Record<string, Handler> {
  const h: Record<string, Handler> = {
    PSHUFW_PqQqIb, PSHUFD_VdqWdqIb: pshuf('d'), PSHUFHW_VdqWdqIb: pshuf('hw'), PSHUFLW_VdqWdqIb: pshuf('lw'),
    PINSRW_PqEwIb: pinsrw(false), PINSRW_VdqEwIb: pinsrw(true),
    PEXTRW_GdNqIb: pextrw(false), PEXTRW_GdUdqIb: pextrw(true),
    PMOVMSKB_GdNq: pmovmskb(false), PMOVMSKB_GdUdq: pmovmskb(true),
    MASKMOVQ_PqNq: maskmov(false), MASKMOVDQU_VdqUdq: maskmov(true),
    G12_NqIb: shiftGroup('G12', false), G12_UdqIb: shiftGroup('G12', true),
    G13_NqIb: shiftGroup('G13', false), G13_UdqIb: shiftGroup('G13', true),
    G14_NqIb: shiftGroup('G14', false), G14_UdqIb: shiftGroup('G14', true),
    EMMS,
  };
  for (const [m, fn] of Object.entries(PACKED_OPS)) {
    if (!XMM_ONLY.has(m)) {
      if (UNPACK_LOW.has(m)) h[`${m}_PqQd`] = mmxBinary(fn, 4);
      else h[`${m}_PqQq`] = mmxBinary(fn, 8);
    }
    h[`${m}_VdqWdq`] = xmmBinary(fn);
  }
  return h;
}

/** The MMX/SSE2 packed-integer handlers by name. */
export const handlers: Record<string, Handler> = withMmxTransition(build());
