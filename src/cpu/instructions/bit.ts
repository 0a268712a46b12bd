/**
 * Instruction family: bit test and scan — BT, BTS, BTR, BTC (register and
 * imm8 offsets), BSF, BSR and BSWAP (SDM Vol. 2 "BT", "BTS", "BTR", "BTC",
 * "BSF", "BSR", "BSWAP").
 *
 * Undefined flags, as on the hardware we could check (the AMD host):
 * - BT*: only CF changes (OF, SF, AF, PF are left as they were; ZF is defined unchanged).
 * - BSF/BSR: ZF = (source = 0); CF, OF, SF and AF are cleared and PF is the
 *   parity of the written index (of 0 when the source is 0, where the
 *   destination keeps its value, as Intel and AMD both do).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { ARITH_FLAGS, Flag, Vector } from '../registers.js';
import { parityFlag, setSomeFlags, sizeMask } from '../flags.js';

/** The four bit-test operations: opcode bits 4..3 of 0F A3/AB/B3/BB, and group 8's ModRM.reg − 4. */
export const enum BitOp { BT = 0, BTS = 1, BTR = 2, BTC = 3 }

/** The value after BTS/BTR/BTC of bit `bit` (BT: unchanged). */
function applyBitOp(op: number, v: number, bit: number): number {
  const mask = 1 << bit;
  switch (op) {
    case BitOp.BTS: return v | mask;
    case BitOp.BTR: return v & ~mask;
    case BitOp.BTC: return v ^ mask;
    default: return v;
  }
}

/** Runs bit operation `op` on bit `bit` (0..size·8−1) of E (ModRM decoded; memory at eaSeg:off). */
function bitOnE(cpu: Cpu, op: number, size: number, off: number, bit: number): void {
  let v: number;
  if (cpu.modrmMod === 3) {
    v = cpu.getReg(size, cpu.modrmRm);
    if (op !== BitOp.BT) cpu.setReg(size, cpu.modrmRm, applyBitOp(op, v, bit));
  } else if (op === BitOp.BT) {
    v = cpu.readMem(size, cpu.eaSeg, off);
  } else {
    v = cpu.readModifyMem(size, cpu.eaSeg, off);
    cpu.writeModifiedMem(size, applyBitOp(op, v, bit));
  }
  setSomeFlags(cpu, Flag.CF, (v >>> bit) & 1);
}

/**
 * BT/BTS/BTR/BTC Ev, Gv. With a memory operand the register is a signed bit
 * offset that may address outside the operand: the access is at
 * EA + size·floor(offset / (size·8)) (SDM Vol. 2 "BT", Table 3-2 "Range of Bit
 * Positions Specified by Bit Offset Operands"). With a register operand the
 * offset is taken modulo the operand width.
 */
function bitEvGv(cpu: Cpu): void {
  const op = (cpu.opcode >> 3) & 3;
  cpu.decodeModrm();
  const size = cpu.osize;
  const offset = cpu.getReg(size, cpu.modrmReg);
  const bit = offset & (size * 8 - 1);
  if (cpu.modrmMod === 3) { bitOnE(cpu, op, size, 0, bit); return; }
  const units = size === 4 ? offset >> 5 : ((offset << 16) >> 16) >> 4;
  const off = cpu.eaOff + units * size;
  bitOnE(cpu, op, size, cpu.addrsize32 ? off | 0 : off & 0xffff, bit);
}

/** Group 8 (0F BA): BT/BTS/BTR/BTC Ev, imm8 at /4../7; the offset is taken modulo the width. */
function group8(cpu: Cpu): void {
  cpu.decodeModrm();
  const reg = cpu.modrmReg;
  if (reg < 4) throw new CpuException(Vector.UD);
  const size = cpu.osize;
  const bit = cpu.fetch8() & (size * 8 - 1);
  bitOnE(cpu, reg - 4, size, cpu.eaOff, bit);
}

/** BSF/BSR Gv, Ev: index of the lowest/highest set bit; a zero source sets ZF and leaves G unchanged. */
function bitScan(cpu: Cpu, reverse: boolean): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  const v = cpu.readE(size) & sizeMask(size);
  if (v === 0) { setSomeFlags(cpu, ARITH_FLAGS, Flag.ZF | Flag.PF); return; }
  const index = reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v);
  cpu.setReg(size, cpu.modrmReg, index);
  setSomeFlags(cpu, ARITH_FLAGS, parityFlag(index));
}

/**
 * BSWAP r32. With a 16-bit operand size the result is undefined; Intel and
 * AMD parts (the host included) clear the low 16 bits, and so do we.
 */
function bswap(cpu: Cpu): void {
  const r = cpu.opcode & 7;
  const v = cpu.regs[r];
  if (cpu.opsize32) cpu.regs[r] = (v >>> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24);
  else cpu.regs[r] = v & ~0xffff;
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  BT_EvGv: bitEvGv,
  BTS_EvGv: bitEvGv,
  BTR_EvGv: bitEvGv,
  BTC_EvGv: bitEvGv,
  G8_EvIb: group8,
  BSF_GvEv: (cpu) => bitScan(cpu, false),
  BSR_GvEv: (cpu) => bitScan(cpu, true),
  BSWAP_Zd: bswap,
};
