/**
 * Instruction family: decimal (BCD) adjustments — DAA, DAS, AAA, AAS, AAM,
 * AAD — and the undocumented SALC (D6). Operations follow the SDM Vol. 2
 * pseudocode of each instruction (current editions: AAA adds 106H to AX and
 * AAS subtracts 6 from AX, so a carry or borrow out of AL reaches AH, as on
 * P6 and later; the 8086/80386 adjusted AL alone).
 *
 * Undefined flags: OF is cleared by all six adjusts; AAA/AAS set SF, ZF and
 * PF from the final AL; AAM/AAD clear CF and AF.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Flag, Reg, Vector } from '../registers.js';
import { getAF, getCF, setResultFlags } from '../flags.js';

/** DAA: decimal adjust AL after addition (SDM Vol. 2 "DAA"). */
function daa(cpu: Cpu): void {
  const oldAl = cpu.regs[Reg.EAX] & 0xff;
  const oldCf = getCF(cpu);
  let al = oldAl, af = 0;
  if ((al & 0x0f) > 9 || getAF(cpu)) { al += 6; af = Flag.AF; }
  // A carry out of AL + 6 needs old AL ≥ FAH, so step two alone decides CF.
  const cf = oldAl > 0x99 || oldCf !== 0 ? 1 : 0;
  if (cf !== 0) al += 0x60;
  al &= 0xff;
  cpu.setReg(1, Reg.EAX, al);
  setResultFlags(cpu, al, 1, cf | af);
}

/** DAS: decimal adjust AL after subtraction (SDM Vol. 2 "DAS"; no "else CF ← 0" in step two). */
function das(cpu: Cpu): void {
  const oldAl = cpu.regs[Reg.EAX] & 0xff;
  const oldCf = getCF(cpu);
  let al = oldAl, cf = 0, af = 0;
  if ((al & 0x0f) > 9 || getAF(cpu)) {
    cf = oldCf | (al < 6 ? 1 : 0);
    al -= 6;
    af = Flag.AF;
  }
  if (oldAl > 0x99 || oldCf !== 0) { al -= 0x60; cf = 1; }
  al &= 0xff;
  cpu.setReg(1, Reg.EAX, al);
  setResultFlags(cpu, al, 1, cf | af);
}

/** AAA (`add`) and AAS: unpacked-BCD adjust of AX after addition or subtraction (SDM Vol. 2 "AAA", "AAS"). */
function asciiAdjust(cpu: Cpu, add: boolean): void {
  let ax = cpu.regs[Reg.EAX] & 0xffff;
  let adjust = 0;
  if ((ax & 0x0f) > 9 || getAF(cpu)) {
    ax = add ? ax + 0x106 : ax - 0x106; // AAS: AX ← AX − 6, then AH ← AH − 1
    adjust = Flag.CF | Flag.AF;
  }
  ax &= 0xff0f;
  cpu.setReg(2, Reg.EAX, ax);
  setResultFlags(cpu, ax, 1, adjust);
}

/** AAM imm8: AH ← AL / imm8, AL ← AL mod imm8; #DE when imm8 = 0 (SDM Vol. 2 "AAM"). */
function aam(cpu: Cpu): void {
  const base = cpu.fetch8();
  if (base === 0) throw new CpuException(Vector.DE);
  const al = cpu.regs[Reg.EAX] & 0xff;
  const r = al % base;
  cpu.setReg(2, Reg.EAX, (((al - r) / base) << 8) | r);
  setResultFlags(cpu, r, 1, 0);
}

/** AAD imm8: AL ← (AL + AH × imm8) AND FFH, AH ← 0 (SDM Vol. 2 "AAD"). */
function aad(cpu: Cpu): void {
  const base = cpu.fetch8();
  const ax = cpu.regs[Reg.EAX];
  const al = ((ax & 0xff) + ((ax >> 8) & 0xff) * base) & 0xff;
  cpu.setReg(2, Reg.EAX, al);
  setResultFlags(cpu, al, 1, 0);
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  DAA: daa,
  DAS: das,
  AAA: (cpu) => asciiAdjust(cpu, true),
  AAS: (cpu) => asciiAdjust(cpu, false),
  AAM_Ib: aam,
  AAD_Ib: aad,
  /** SALC (undocumented D6): AL ← CF ? FFH : 0; flags unchanged. */
  SALC: (cpu) => cpu.setReg(1, Reg.EAX, getCF(cpu) !== 0 ? 0xff : 0),
};
