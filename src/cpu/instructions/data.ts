/**
 * Instruction family: data movement and flag control. MOV in all its forms
 * (including segment registers and the moffs forms), MOVZX/MOVSX, LEA,
 * XCHG, the NOPs, LAHF/SAHF, CMC/CLC/STC/CLD/STD, XLAT, SETcc, CMOVcc, the
 * far-pointer loads LES/LDS/LSS/LFS/LGS and BOUND. Semantics follow the
 * SDM Vol. 2 page of each instruction ("Operation" and "Flags Affected").
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Flag, Reg, Seg, Vector } from '../registers.js';
import { loadSegment } from '../segments.js';
import { getCF, setSomeFlags, testCondition } from '../flags.js';

/** The flags LAHF/SAHF move between AH and EFLAGS (SDM Vol. 2 "LAHF", "SAHF"). */
const AH_FLAGS = Flag.SF | Flag.ZF | Flag.AF | Flag.PF | Flag.CF;

function undefinedOpcode(): never {
  throw new CpuException(Vector.UD);
}

/** The memory-only forms (LEA, LES…, BOUND) raise #UD with a register operand. */
function requireMemory(cpu: Cpu): void {
  if (cpu.modrmMod === 3) undefinedOpcode();
}

/** Offset operand of the moffs forms (A0-A3): its width is the address size. */
function fetchMoffs(cpu: Cpu): number {
  return cpu.addrsize32 ? cpu.fetch32() : cpu.fetch16();
}

// ---- MOV ---------------------------------------------------------------------

function MOV_EbGb(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.writeE(1, cpu.getReg(1, cpu.modrmReg));
}

function MOV_EvGv(cpu: Cpu): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  cpu.writeE(size, cpu.getReg(size, cpu.modrmReg));
}

function MOV_GbEb(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.setReg(1, cpu.modrmReg, cpu.readE(1));
}

function MOV_GvEv(cpu: Cpu): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  cpu.setReg(size, cpu.modrmReg, cpu.readE(size));
}

/**
 * MOV r/m, Sreg. A memory destination always takes 16 bits; a 32-bit
 * register destination gets the selector zero-extended, as on P6-family and
 * later processors (SDM Vol. 2 "MOV", Description: "the two high-order bytes
 * are filled with zeros").
 */
function MOV_EvSw(cpu: Cpu): void {
  cpu.decodeModrm();
  const seg = cpu.modrmReg;
  if (seg > Seg.GS) undefinedOpcode();
  const sel = cpu.segSel[seg] & 0xffff;
  if (cpu.modrmMod === 3) cpu.setReg(cpu.osize, cpu.modrmRm, sel);
  else cpu.writeMem16(cpu.eaSeg, cpu.eaOff, sel);
}

/**
 * MOV Sreg, r/m16. Loading CS is #UD; loading SS blocks interrupts until
 * after the next instruction (SDM Vol. 2 "MOV", Description).
 */
function MOV_SwEw(cpu: Cpu): void {
  cpu.decodeModrm();
  const seg = cpu.modrmReg;
  if (seg === Seg.CS || seg > Seg.GS) undefinedOpcode();
  loadSegment(cpu, seg, cpu.readE(2));
  if (seg === Seg.SS) cpu.stackSwitchShadow();
}

function MOV_ALOb(cpu: Cpu): void {
  const off = fetchMoffs(cpu);
  cpu.setReg(1, Reg.EAX, cpu.readMem8(cpu.dataSeg(), off));
}

function MOV_eAXOv(cpu: Cpu): void {
  const off = fetchMoffs(cpu);
  const size = cpu.osize;
  cpu.setReg(size, Reg.EAX, cpu.readMem(size, cpu.dataSeg(), off));
}

function MOV_ObAL(cpu: Cpu): void {
  const off = fetchMoffs(cpu);
  cpu.writeMem8(cpu.dataSeg(), off, cpu.regs[Reg.EAX]);
}

function MOV_OveAX(cpu: Cpu): void {
  const off = fetchMoffs(cpu);
  cpu.writeMem(cpu.osize, cpu.dataSeg(), off, cpu.regs[Reg.EAX]);
}

function MOV_ZbIb(cpu: Cpu): void {
  cpu.setReg(1, cpu.opcode & 7, cpu.fetch8());
}

function MOV_ZvIv(cpu: Cpu): void {
  cpu.setReg(cpu.osize, cpu.opcode & 7, cpu.fetchImm());
}

/** C6 /0: MOV r/m8, imm8 (the immediate follows any displacement); other /reg are #UD. */
function G11_EbIb(cpu: Cpu): void {
  cpu.decodeModrm();
  if (cpu.modrmReg !== 0) undefinedOpcode();
  cpu.writeE(1, cpu.fetch8());
}

/** C7 /0: MOV r/m, imm16/32. */
function G11_EvIz(cpu: Cpu): void {
  cpu.decodeModrm();
  if (cpu.modrmReg !== 0) undefinedOpcode();
  cpu.writeE(cpu.osize, cpu.fetchImm());
}

// ---- MOVZX / MOVSX -----------------------------------------------------------

function MOVZX_GvEb(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.setReg(cpu.osize, cpu.modrmReg, cpu.readE(1));
}

function MOVZX_GvEw(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.setReg(cpu.osize, cpu.modrmReg, cpu.readE(2));
}

function MOVSX_GvEb(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.setReg(cpu.osize, cpu.modrmReg, (cpu.readE(1) << 24) >> 24);
}

function MOVSX_GvEw(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.setReg(cpu.osize, cpu.modrmReg, (cpu.readE(2) << 16) >> 16);
}

// ---- LEA -----------------------------------------------------------------------

/**
 * LEA: the offset computed with the address size, then truncated or
 * zero-extended to the operand size (SDM Vol. 2 "LEA", Table 3-53).
 */
function LEA_GvM(cpu: Cpu): void {
  cpu.decodeModrm();
  requireMemory(cpu);
  cpu.setReg(cpu.osize, cpu.modrmReg, cpu.eaOff);
}

// ---- XCHG and the NOPs -------------------------------------------------------

/** XCHG with memory is locked whatever the prefixes; the write is checked before either side changes. */
function xchgE(cpu: Cpu, size: number): void {
  const reg = cpu.modrmReg;
  const other = cpu.readModifyE(size);
  cpu.writeModifiedE(size, cpu.getReg(size, reg));
  cpu.setReg(size, reg, other);
}

function XCHG_EbGb(cpu: Cpu): void {
  cpu.decodeModrm();
  xchgE(cpu, 1);
}

function XCHG_EvGv(cpu: Cpu): void {
  cpu.decodeModrm();
  xchgE(cpu, cpu.osize);
}

function XCHG_ZveAX(cpu: Cpu): void {
  const size = cpu.osize;
  const r = cpu.opcode & 7;
  const v = cpu.getReg(size, r);
  cpu.setReg(size, r, cpu.getReg(size, Reg.EAX));
  cpu.setReg(size, Reg.EAX, v);
}

/** 90: NOP (XCHG eAX, eAX); F3 90 is PAUSE, a NOP too on a CPU without SMT. */
function NOP(_cpu: Cpu): void {}

/**
 * 0F 18-1F: the multi-byte NOP and reserved hint NOPs (prefetch hints on
 * later CPUs). The ModRM operand is decoded but never accessed.
 */
function NOP_Ev(cpu: Cpu): void {
  cpu.decodeModrm();
}

// ---- flags ---------------------------------------------------------------------

/** AH ← SF:ZF:0:AF:0:PF:1:CF. */
function LAHF(cpu: Cpu): void {
  cpu.setReg(1, 4, (cpu.getFlags() & AH_FLAGS) | Flag.FIXED1);
}

/** SF ZF AF PF CF ← AH; OF and the other bits are unchanged. */
function SAHF(cpu: Cpu): void {
  setSomeFlags(cpu, AH_FLAGS, cpu.getReg(1, 4));
}

function CMC(cpu: Cpu): void { setSomeFlags(cpu, Flag.CF, getCF(cpu) ^ 1); }
function CLC(cpu: Cpu): void { setSomeFlags(cpu, Flag.CF, 0); }
function STC(cpu: Cpu): void { setSomeFlags(cpu, Flag.CF, Flag.CF); }
function CLD(cpu: Cpu): void { cpu.flags &= ~Flag.DF; }
function STD(cpu: Cpu): void { cpu.flags |= Flag.DF; }

// ---- XLAT, SETcc, CMOVcc -----------------------------------------------------

/** AL ← [seg:(E)BX + AL], the table offset of address size (SDM Vol. 2 "XLAT"). */
function XLAT(cpu: Cpu): void {
  const regs = cpu.regs;
  const al = regs[Reg.EAX] & 0xff;
  const off = cpu.addrsize32 ? (regs[Reg.EBX] + al) | 0 : (regs[Reg.EBX] + al) & 0xffff;
  cpu.setReg(1, Reg.EAX, cpu.readMem8(cpu.dataSeg(), off));
}

/** 0F 90-9F: the byte is 1 when the condition (opcode's low nibble) holds, else 0; ModRM.reg is ignored. */
function SETcc_Eb(cpu: Cpu): void {
  cpu.decodeModrm();
  cpu.writeE(1, testCondition(cpu, cpu.opcode & 15) ? 1 : 0);
}

/**
 * 0F 40-4F: the source is always read (a memory operand faults even when the
 * condition is false); the destination is written only when the condition
 * holds: outside 64-bit mode a false condition leaves it untouched
 * (SDM Vol. 2 "CMOVcc", Operation).
 */
function CMOVcc_GvEv(cpu: Cpu): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  const v = cpu.readE(size);
  if (testCondition(cpu, cpu.opcode & 15)) cpu.setReg(size, cpu.modrmReg, v);
}

// ---- far pointers and BOUND --------------------------------------------------

/** Offset of the second part of an Mp/Ma operand, wrapping as the address size does. */
function nextOffset(cpu: Cpu, off: number, delta: number): number {
  return cpu.addrsize32 ? (off + delta) | 0 : (off + delta) & 0xffff;
}

/**
 * LES/LDS/LSS/LFS/LGS: reads offset then selector from memory, loads the
 * segment register (with its protected-mode checks) and only then the
 * general register, so a fault leaves both unchanged (SDM Vol. 2 "LDS/LES/LFS/LGS/LSS").
 */
function loadFarPointer(cpu: Cpu, seg: number): void {
  cpu.decodeModrm();
  requireMemory(cpu);
  const size = cpu.osize;
  const offset = cpu.readMem(size, cpu.eaSeg, cpu.eaOff);
  const sel = cpu.readMem16(cpu.eaSeg, nextOffset(cpu, cpu.eaOff, size));
  loadSegment(cpu, seg, sel);
  cpu.setReg(size, cpu.modrmReg, offset);
  // SDM Vol. 3A §6.8.3 names only MOV SS and POP SS as blocking interrupts and debug traps; LSS does not.
}

function LES_GzMp(cpu: Cpu): void { loadFarPointer(cpu, Seg.ES); }
function LDS_GzMp(cpu: Cpu): void { loadFarPointer(cpu, Seg.DS); }
function LSS_GzMp(cpu: Cpu): void { loadFarPointer(cpu, Seg.SS); }
function LFS_GzMp(cpu: Cpu): void { loadFarPointer(cpu, Seg.FS); }
function LGS_GzMp(cpu: Cpu): void { loadFarPointer(cpu, Seg.GS); }

/**
 * BOUND: #BR (vector 5, a fault) when the signed index lies outside
 * [lower, upper], both bounds read from memory (SDM Vol. 2 "BOUND").
 */
function BOUND_GvMa(cpu: Cpu): void {
  cpu.decodeModrm();
  requireMemory(cpu);
  const size = cpu.osize;
  let index = cpu.getReg(size, cpu.modrmReg);
  let lower = cpu.readMem(size, cpu.eaSeg, cpu.eaOff);
  let upper = cpu.readMem(size, cpu.eaSeg, nextOffset(cpu, cpu.eaOff, size));
  if (size === 2) {
    index = (index << 16) >> 16;
    lower = (lower << 16) >> 16;
    upper = (upper << 16) >> 16;
  }
  if (index < lower || index > upper) throw new CpuException(Vector.BR);
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  MOV_EbGb, MOV_EvGv, MOV_GbEb, MOV_GvEv, MOV_EvSw, MOV_SwEw,
  MOV_ALOb, MOV_eAXOv, MOV_ObAL, MOV_OveAX, MOV_ZbIb, MOV_ZvIv,
  G11_EbIb, G11_EvIz,
  MOVZX_GvEb, MOVZX_GvEw, MOVSX_GvEb, MOVSX_GvEw,
  LEA_GvM,
  XCHG_EbGb, XCHG_EvGv, XCHG_ZveAX, NOP, NOP_Ev,
  LAHF, SAHF, CMC, CLC, STC, CLD, STD,
  XLAT, SETcc_Eb, CMOVcc_GvEv,
  LES_GzMp, LDS_GzMp, LSS_GzMp, LFS_GzMp, LGS_GzMp,
  BOUND_GvMa,
};
