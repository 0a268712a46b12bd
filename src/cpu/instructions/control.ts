/**
 * Instruction family: control transfer. Jcc, JMP, CALL, RET (near and far),
 * LOOP/LOOPcc/JCXZ, group 5 (INC/DEC/CALL/CALLF/JMP/JMPF/PUSH Ev), INT n,
 * INT3, INTO, INT1, IRET, SYSENTER and SYSEXIT (SDM Vol. 2 pages of the same
 * names). Far transfers with their protected-mode checks live in
 * ../far-transfer.ts, task switches in ../task-switch.ts and event delivery
 * in ../interrupts.ts.
 *
 * Near transfers check the target against the CS limit before anything
 * changes (#GP(0)); a near CALL pushes before EIP moves, so a push fault
 * leaves EIP alone.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { getOF, getZF, testCondition } from '../flags.js';
import { deliverEvent, EventKind, softwareException, softwareInterrupt } from '../interrupts.js';
import { Flag, Reg, Seg, Vector } from '../registers.js';
import { Attr, setSegment, updateAllSegOk } from '../segments.js';
import { farCall, farJump, farReturn, interruptReturn } from '../far-transfer.js';
import { dec, inc } from './arith.js';

// ---- near transfers ---------------------------------------------------------------------

/**
 * Jumps to `target` within CS: truncated to 16 bits with a 16-bit operand
 * size, #GP(0) beyond the CS limit (SDM Vol. 2 "JMP", "Jcc").
 */
function jumpNear(cpu: Cpu, target: number): void {
  if (!cpu.opsize32) target &= 0xffff;
  if ((target >>> 0) > cpu.segLimit[Seg.CS]) throw new CpuException(Vector.GP, 0);
  cpu.eip = target | 0;
}

/** Near CALL: checks the target, pushes the return address, then jumps (SDM Vol. 2 "CALL"). */
function callNear(cpu: Cpu, target: number): void {
  const size = cpu.osize;
  if (size === 2) target &= 0xffff;
  if ((target >>> 0) > cpu.segLimit[Seg.CS]) throw new CpuException(Vector.GP, 0);
  cpu.push(size, cpu.eip);
  cpu.eip = target | 0;
}

/** Near RET: pops EIP (operand size), checks it against the CS limit, releases `imm` bytes. */
function returnNear(cpu: Cpu, imm: number): void {
  const target = cpu.pop(cpu.osize);
  if ((target >>> 0) > cpu.segLimit[Seg.CS]) throw new CpuException(Vector.GP, 0);
  if (imm !== 0) cpu.adjustSp(imm);
  cpu.eip = target;
}

/** 70-7F: Jcc rel8; the condition is the opcode's low nibble. */
function Jcc_Jb(cpu: Cpu): void {
  const rel = cpu.fetchS8();
  if (testCondition(cpu, cpu.opcode & 15)) jumpNear(cpu, cpu.eip + rel);
}

/** 0F 80-8F: Jcc rel16/32. */
function Jcc_Jz(cpu: Cpu): void {
  const rel = cpu.fetchImm();
  if (testCondition(cpu, cpu.opcode & 15)) jumpNear(cpu, cpu.eip + rel);
}

function JMP_Jb(cpu: Cpu): void {
  const rel = cpu.fetchS8();
  jumpNear(cpu, cpu.eip + rel);
}

function JMP_Jz(cpu: Cpu): void {
  const rel = cpu.fetchImm();
  jumpNear(cpu, cpu.eip + rel);
}

function CALL_Jz(cpu: Cpu): void {
  const rel = cpu.fetchImm();
  callNear(cpu, cpu.eip + rel);
}

function RET(cpu: Cpu): void {
  returnNear(cpu, 0);
}

/** C2: RET imm16 releases imm16 bytes of parameters after popping EIP. */
function RET_Iw(cpu: Cpu): void {
  returnNear(cpu, cpu.fetch16());
}

// ---- loops: the count register is CX or ECX by the address size -------------------------

/**
 * Decrements the count register and jumps when it is not zero and `take`
 * holds. The new count is written only after the jump target is checked, so
 * a #GP leaves ECX unchanged (SDM Vol. 2 "LOOP/LOOPcc").
 */
function loop(cpu: Cpu, rel: number, take: boolean): void {
  const regs = cpu.regs;
  const count = cpu.addrsize32 ? (regs[Reg.ECX] - 1) | 0 : (regs[Reg.ECX] - 1) & 0xffff;
  if (count !== 0 && take) jumpNear(cpu, cpu.eip + rel);
  if (cpu.addrsize32) regs[Reg.ECX] = count;
  else regs[Reg.ECX] = (regs[Reg.ECX] & ~0xffff) | count;
}

function LOOP_Jb(cpu: Cpu): void {
  loop(cpu, cpu.fetchS8(), true);
}

function LOOPE_Jb(cpu: Cpu): void {
  const rel = cpu.fetchS8();
  loop(cpu, rel, getZF(cpu));
}

function LOOPNE_Jb(cpu: Cpu): void {
  const rel = cpu.fetchS8();
  loop(cpu, rel, !getZF(cpu));
}

function JCXZ_Jb(cpu: Cpu): void {
  const rel = cpu.fetchS8();
  const count = cpu.addrsize32 ? cpu.regs[Reg.ECX] : cpu.regs[Reg.ECX] & 0xffff;
  if (count === 0) jumpNear(cpu, cpu.eip + rel);
}

// ---- far transfers with an immediate pointer, far returns --------------------------------

/** EA: JMP ptr16:16/32 — the offset comes first, then the selector. */
function JMPF_Ap(cpu: Cpu): void {
  const offset = cpu.fetchImm();
  const sel = cpu.fetch16();
  farJump(cpu, sel, offset);
}

/** 9A: CALL ptr16:16/32. */
function CALLF_Ap(cpu: Cpu): void {
  const offset = cpu.fetchImm();
  const sel = cpu.fetch16();
  farCall(cpu, sel, offset);
}

function RETF(cpu: Cpu): void {
  farReturn(cpu, 0);
}

function RETF_Iw(cpu: Cpu): void {
  farReturn(cpu, cpu.fetch16());
}

function IRET(cpu: Cpu): void {
  interruptReturn(cpu);
}

// ---- group 5 ---------------------------------------------------------------------------------

/** FF /0-/6: INC, DEC, CALL Ev, CALLF Mp, JMP Ev, JMPF Mp, PUSH Ev; /7 is #UD. */
function G5_Ev(cpu: Cpu): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  switch (cpu.modrmReg) {
    case 0: {
      const v = cpu.readModifyE(size);
      cpu.writeModifiedE(size, inc(cpu, v, size));
      return;
    }
    case 1: {
      const v = cpu.readModifyE(size);
      cpu.writeModifiedE(size, dec(cpu, v, size));
      return;
    }
    case 2:
      callNear(cpu, cpu.readE(size));
      return;
    case 3: case 5: {
      // m16:16 / m16:32: the offset, then the selector (register forms are #UD).
      if (cpu.modrmMod === 3) throw new CpuException(Vector.UD);
      const offset = cpu.readMem(size, cpu.eaSeg, cpu.eaOff);
      const sel = cpu.readMem16(cpu.eaSeg, (cpu.eaOff + size) | 0);
      if (cpu.modrmReg === 3) farCall(cpu, sel, offset);
      else farJump(cpu, sel, offset);
      return;
    }
    case 4:
      jumpNear(cpu, cpu.readE(size));
      return;
    case 6:
      cpu.push(size, cpu.readE(size));
      return;
    default:
      throw new CpuException(Vector.UD);
  }
}

// ---- software interrupts -------------------------------------------------------------------

/** CC: #BP as a trap (EIP after the instruction); not IOPL-sensitive in virtual-8086 mode. */
function INT3(cpu: Cpu): void {
  softwareException(cpu, Vector.BP);
}

/**
 * CD: INT n. In virtual-8086 mode with IOPL < 3 it raises #GP(0) (no CR4.VME
 * redirection; SDM Vol. 2 "INT n" Operation, "IF VM = 1 and IOPL < 3 AND INT n").
 */
function INT_Ib(cpu: Cpu): void {
  const vector = cpu.fetch8();
  if (cpu.vm86 && (cpu.flags & Flag.IOPL) !== Flag.IOPL) throw new CpuException(Vector.GP, 0);
  softwareInterrupt(cpu, vector);
}

/** CE: #OF as a trap when OF = 1. */
function INTO(cpu: Cpu): void {
  if (getOF(cpu)) softwareException(cpu, Vector.OF);
}

/**
 * F1: INT1 (ICEBP) delivers #DB as a trap like a hardware debug event: no
 * gate-DPL check, EXT = 1 (SDM Vol. 2 "INT n/INTO/INT3/INT1").
 */
function INT1(cpu: Cpu): void {
  deliverEvent(cpu, Vector.DB, -1, EventKind.Trap);
}

// ---- fast system calls -----------------------------------------------------------------------

/** Flat 4 GiB code (execute/read, accessed) and data (read/write, accessed) with D/B and G set. */
const FLAT_CODE = Attr.Granularity | Attr.Big | Attr.Present | Attr.S | Attr.Code | Attr.RW | Attr.Accessed;
const FLAT_DATA = Attr.Granularity | Attr.Big | Attr.Present | Attr.S | Attr.RW | Attr.Accessed;

/**
 * 0F 34: SYSENTER to CPL 0 with flat segments derived from IA32_SYSENTER_CS
 * (SS = CS + 8) and ESP/EIP from their MSRs (SDM Vol. 2 "SYSENTER").
 */
function SYSENTER(cpu: Cpu): void {
  const cs = cpu.sysenterCs & 0xfffc;
  if (!cpu.protectedMode || cs === 0) throw new CpuException(Vector.GP, 0);
  const wasV86 = cpu.vm86;
  cpu.flags &= ~(Flag.VM | Flag.IF | Flag.RF);
  setSegment(cpu, Seg.CS, cs, 0, 0xffff_ffff, FLAT_CODE);
  setSegment(cpu, Seg.SS, cs + 8, 0, 0xffff_ffff, FLAT_DATA);
  if (wasV86) updateAllSegOk(cpu);
  cpu.cpl = 0;
  cpu.updatePrivilegeMasks();
  cpu.regs[Reg.ESP] = cpu.sysenterEsp;
  cpu.eip = cpu.sysenterEip;
  cpu.fetchPage = -1;
}

/**
 * 0F 35: SYSEXIT to CPL 3: CS = IA32_SYSENTER_CS + 16, SS = + 24 (RPL 3),
 * ESP = ECX, EIP = EDX (SDM Vol. 2 "SYSEXIT"; 32-bit form).
 */
function SYSEXIT(cpu: Cpu): void {
  const base = cpu.sysenterCs & 0xffff;
  if (!cpu.protectedMode || (base & 0xfffc) === 0 || cpu.cpl !== 0) throw new CpuException(Vector.GP, 0);
  const user = 3 << Attr.DplShift;
  setSegment(cpu, Seg.CS, ((base + 16) | 3) & 0xffff, 0, 0xffff_ffff, FLAT_CODE | user);
  setSegment(cpu, Seg.SS, ((base + 24) | 3) & 0xffff, 0, 0xffff_ffff, FLAT_DATA | user);
  cpu.cpl = 3;
  cpu.updatePrivilegeMasks();
  cpu.regs[Reg.ESP] = cpu.regs[Reg.ECX];
  cpu.eip = cpu.regs[Reg.EDX];
  cpu.fetchPage = -1;
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  Jcc_Jb, Jcc_Jz, JMP_Jb, JMP_Jz, CALL_Jz, RET, RET_Iw,
  LOOP_Jb, LOOPE_Jb, LOOPNE_Jb, JCXZ_Jb,
  JMPF_Ap, CALLF_Ap, RETF, RETF_Iw, IRET,
  G5_Ev,
  INT3, INT_Ib, INTO, INT1,
  SYSENTER, SYSEXIT,
};
