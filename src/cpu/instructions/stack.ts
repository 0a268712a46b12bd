/**
 * Instruction family: stack. PUSH/POP of general and segment registers,
 * immediates and memory, PUSHA/POPA, PUSHF/POPF with their privilege rules,
 * ENTER and LEAVE. The stack pointer width comes from SS.B (cpu.stackSize32),
 * the element size from the operand size (SDM Vol. 1 §6.2 "Stacks").
 *
 * Every handler reads all it needs from memory before it changes a register
 * other than ESP (which the run loop restores on a fault).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Cr4, Flag, Reg, Seg, Vector } from '../registers.js';
import { loadSegment } from '../segments.js';

// ---- general registers, immediates, memory ------------------------------------

/** PUSH ESP pushes the value ESP had before the instruction (SDM Vol. 2 "PUSH"). */
function PUSH_Zv(cpu: Cpu): void {
  const size = cpu.osize;
  cpu.push(size, cpu.getReg(size, cpu.opcode & 7));
}

/** POP ESP: ESP is incremented first, then overwritten by the popped value. */
function POP_Zv(cpu: Cpu): void {
  const size = cpu.osize;
  const v = cpu.pop(size);
  cpu.setReg(size, cpu.opcode & 7, v);
}

function PUSH_Iz(cpu: Cpu): void {
  cpu.push(cpu.osize, cpu.fetchImm());
}

/** 6A: the byte is sign-extended to the operand size. */
function PUSH_Ib(cpu: Cpu): void {
  cpu.push(cpu.osize, cpu.fetchS8());
}

/**
 * 8F /0: POP r/m. When ESP is a base register the effective address uses
 * ESP after the increment (SDM Vol. 2 "POP"), so the ModRM bytes are decoded
 * again once the value has been popped; a faulting write leaves ESP restored
 * by the run loop.
 */
function G1A_Ev(cpu: Cpu): void {
  const modrmAt = cpu.eip;
  cpu.decodeModrm();
  if (cpu.modrmReg !== 0) throw new CpuException(Vector.UD);
  const size = cpu.osize;
  const v = cpu.pop(size);
  if (cpu.modrmMod === 3) {
    cpu.setReg(size, cpu.modrmRm, v);
    return;
  }
  cpu.eip = modrmAt;
  cpu.decodeModrm();
  cpu.writeMem(size, cpu.eaSeg, cpu.eaOff, v);
}

// ---- segment registers -----------------------------------------------------------

/**
 * PUSH Sreg. With a 32-bit operand the P6 family decrements ESP by 4 but
 * writes only the 16-bit selector, leaving the upper half of the slot as it
 * was (SDM Vol. 3B §22.31.1 "Selector Pushes and Pops"; Vol. 2 "PUSH").
 */
function pushSegment(cpu: Cpu, seg: number): void {
  const sel = cpu.segSel[seg] & 0xffff;
  if (!cpu.opsize32) {
    cpu.push(2, sel);
    return;
  }
  const regs = cpu.regs;
  if (cpu.stackSize32) {
    const sp = (regs[Reg.ESP] - 4) | 0;
    cpu.writeMem16(Seg.SS, sp, sel);
    regs[Reg.ESP] = sp;
  } else {
    const sp = (regs[Reg.ESP] - 4) & 0xffff;
    cpu.writeMem16(Seg.SS, sp, sel);
    regs[Reg.ESP] = (regs[Reg.ESP] & ~0xffff) | sp;
  }
}

/**
 * POP Sreg: reads the selector (the low 16 bits of the slot), moves the
 * stack pointer with the old SS.B, then loads the register with its checks.
 * POP SS blocks interrupts until after the next instruction.
 */
function popSegment(cpu: Cpu, seg: number): void {
  const sel = cpu.pop(cpu.osize) & 0xffff;
  loadSegment(cpu, seg, sel);
  if (seg === Seg.SS) cpu.stackSwitchShadow();
}

function PUSH_ES(cpu: Cpu): void { pushSegment(cpu, Seg.ES); }
function PUSH_CS(cpu: Cpu): void { pushSegment(cpu, Seg.CS); }
function PUSH_SS(cpu: Cpu): void { pushSegment(cpu, Seg.SS); }
function PUSH_DS(cpu: Cpu): void { pushSegment(cpu, Seg.DS); }
function PUSH_FS(cpu: Cpu): void { pushSegment(cpu, Seg.FS); }
function PUSH_GS(cpu: Cpu): void { pushSegment(cpu, Seg.GS); }
function POP_ES(cpu: Cpu): void { popSegment(cpu, Seg.ES); }
function POP_SS(cpu: Cpu): void { popSegment(cpu, Seg.SS); }
function POP_DS(cpu: Cpu): void { popSegment(cpu, Seg.DS); }
function POP_FS(cpu: Cpu): void { popSegment(cpu, Seg.FS); }
function POP_GS(cpu: Cpu): void { popSegment(cpu, Seg.GS); }

// ---- PUSHA / POPA ----------------------------------------------------------------

/** Pushes (E)AX, (E)CX, (E)DX, (E)BX, the original (E)SP, (E)BP, (E)SI, (E)DI. */
function PUSHA(cpu: Cpu): void {
  const size = cpu.osize;
  const sp = cpu.getReg(size, Reg.ESP);
  for (let r = Reg.EAX; r <= Reg.EDI; r++) {
    cpu.push(size, r === Reg.ESP ? sp : cpu.getReg(size, r));
  }
}

/**
 * Pops (E)DI, (E)SI, (E)BP, skips the saved (E)SP, then (E)BX, (E)DX,
 * (E)CX, (E)AX. All eight slots are read before any register changes.
 */
function POPA(cpu: Cpu): void {
  const size = cpu.osize;
  const edi = cpu.peek(size, 0);
  const esi = cpu.peek(size, size);
  const ebp = cpu.peek(size, 2 * size);
  const ebx = cpu.peek(size, 4 * size);
  const edx = cpu.peek(size, 5 * size);
  const ecx = cpu.peek(size, 6 * size);
  const eax = cpu.peek(size, 7 * size);
  cpu.setReg(size, Reg.EDI, edi);
  cpu.setReg(size, Reg.ESI, esi);
  cpu.setReg(size, Reg.EBP, ebp);
  cpu.setReg(size, Reg.EBX, ebx);
  cpu.setReg(size, Reg.EDX, edx);
  cpu.setReg(size, Reg.ECX, ecx);
  cpu.setReg(size, Reg.EAX, eax);
  cpu.adjustSp(8 * size);
}

// ---- PUSHF / POPF ----------------------------------------------------------------

function iopl(cpu: Cpu): number { return (cpu.flags >> 12) & 3; }

/**
 * PUSHF: the image has VM and RF cleared (SDM Vol. 2 "PUSHF"). In
 * virtual-8086 mode it is IOPL-sensitive; with CR4.VME and a 16-bit operand
 * the image carries VIF in the IF position and IOPL 3 (SDM Vol. 3B §20.3
 * "Interrupt and Exception Handling in Virtual-8086 Mode", VME).
 */
function PUSHF(cpu: Cpu): void {
  let image = cpu.getFlags() & ~(Flag.VM | Flag.RF);
  if (cpu.vm86 && iopl(cpu) < 3) {
    if (cpu.opsize32 || (cpu.cr4 & Cr4.VME) === 0) throw new CpuException(Vector.GP, 0);
    image = (image & ~Flag.IF) | Flag.IOPL | ((cpu.flags & Flag.VIF) !== 0 ? Flag.IF : 0);
  }
  cpu.push(cpu.osize, cpu.opsize32 ? image : image & 0xffff);
}

/** Status and control flags any POPF may write (bits 15:0 besides IF and IOPL, plus AC and ID). */
const POPF_ANY = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.TF | Flag.DF | Flag.OF | Flag.NT |
  Flag.AC | Flag.ID;

/**
 * POPF, following SDM Vol. 2 "POPF/POPFD" Operation:
 * - CPL 0 (and real mode): everything but VM, VIF, VIP; RF is cleared.
 * - 0 < CPL <= IOPL: also IF, but not IOPL.
 * - CPL > IOPL: neither IF nor IOPL (silently kept, no fault).
 * - virtual-8086 mode with IOPL 3: everything but IOPL, VM, RF, VIF, VIP.
 * - virtual-8086 mode with IOPL < 3: #GP(0), unless CR4.VME and a 16-bit
 *   operand, where the popped IF goes to VIF (#GP if it would set a pending
 *   VIF, or if TF would be set).
 * A 16-bit POPF touches only bits 15:0.
 */
function POPF(cpu: Cpu): void {
  const size = cpu.osize;
  const pl = iopl(cpu);
  if (cpu.vm86) {
    if (pl < 3) {
      if (size === 4 || (cpu.cr4 & Cr4.VME) === 0) throw new CpuException(Vector.GP, 0);
      const popped = cpu.peek(2, 0);
      if ((popped & Flag.TF) !== 0 || ((popped & Flag.IF) !== 0 && (cpu.flags & Flag.VIP) !== 0)) {
        throw new CpuException(Vector.GP, 0);
      }
      cpu.adjustSp(2);
      const vif = (popped & Flag.IF) !== 0 ? Flag.VIF : 0;
      writeFlags(cpu, popped, POPF_ANY & 0xffff);
      cpu.flags = (cpu.flags & ~Flag.VIF) | vif;
      return;
    }
    const popped = cpu.pop(size);
    writeFlags(cpu, popped, (POPF_ANY | Flag.IF) & (size === 4 ? -1 : 0xffff));
    return;
  }
  const cpl = cpu.protectedMode ? cpu.cpl : 0;
  let mask = POPF_ANY;
  if (cpl <= pl) mask |= Flag.IF;
  if (cpl === 0) mask |= Flag.IOPL;
  const popped = cpu.pop(size);
  if (size === 4) writeFlags(cpu, popped & ~Flag.RF, mask | Flag.RF);
  else writeFlags(cpu, popped, mask & 0xffff);
}

/** Replaces the EFLAGS bits in `mask` with those of `value`. */
function writeFlags(cpu: Cpu, value: number, mask: number): void {
  cpu.setFlags((cpu.getFlags() & ~mask) | (value & mask));
}

// ---- ENTER / LEAVE ---------------------------------------------------------------

/**
 * ENTER imm16, imm8 (SDM Vol. 2 "ENTER", Operation): push (E)BP, copy
 * nesting-1 frame pointers from the enclosing frame, push the new frame
 * pointer, then reserve imm16 bytes. EBP changes only after every memory
 * access has succeeded; the final stack top is checked for writability as
 * the processor does.
 */
function ENTER_IwIb(cpu: Cpu): void {
  const allocBytes = cpu.fetch16();
  const level = cpu.fetch8() & 31;
  const size = cpu.osize;
  const regs = cpu.regs;
  const big = cpu.stackSize32;
  cpu.push(size, cpu.getReg(size, Reg.EBP));
  // FrameTemp follows the operand size (current SDM "ENTER"; Bochs agrees): 66 C8 on a 16-bit stack keeps ESP's upper half.
  const frame = size === 4 ? regs[Reg.ESP] : regs[Reg.ESP] & 0xffff;
  if (level > 0) {
    let bp = big ? regs[Reg.EBP] : regs[Reg.EBP] & 0xffff;
    for (let i = 1; i < level; i++) {
      bp = big ? (bp - size) | 0 : (bp - size) & 0xffff;
      cpu.push(size, cpu.readMem(size, Seg.SS, bp));
    }
    cpu.push(size, frame);
  }
  cpu.adjustSp(-allocBytes);
  const top = big ? regs[Reg.ESP] : regs[Reg.ESP] & 0xffff;
  // Probe (segment and page) without writing, as a read-modify-write would.
  cpu.readModifyMem(size, Seg.SS, top);
  cpu.setReg(size, Reg.EBP, frame);
}

/** LEAVE: (E)SP ← (E)BP (stack-address size), then pop (E)BP (operand size). */
function LEAVE(cpu: Cpu): void {
  const size = cpu.osize;
  const regs = cpu.regs;
  if (cpu.stackSize32) {
    const sp = regs[Reg.EBP];
    const v = cpu.readMem(size, Seg.SS, sp);
    regs[Reg.ESP] = (sp + size) | 0;
    cpu.setReg(size, Reg.EBP, v);
  } else {
    const sp = regs[Reg.EBP] & 0xffff;
    const v = cpu.readMem(size, Seg.SS, sp);
    regs[Reg.ESP] = (regs[Reg.ESP] & ~0xffff) | ((sp + size) & 0xffff);
    cpu.setReg(size, Reg.EBP, v);
  }
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  PUSH_Zv, POP_Zv, PUSH_Iz, PUSH_Ib, G1A_Ev,
  PUSH_ES, PUSH_CS, PUSH_SS, PUSH_DS, PUSH_FS, PUSH_GS,
  POP_ES, POP_SS, POP_DS, POP_FS, POP_GS,
  PUSHA, POPA, PUSHF, POPF, ENTER_IwIb, LEAVE,
};
