/**
 * Far control transfers: JMP and CALL to ptr16:16/32 or m16:16/32, far RET
 * and IRET, in real-address, virtual-8086 and protected mode. Semantics follow
 * the "Operation" sections of SDM Vol. 2 "JMP", "CALL", "RET" and
 * "IRET/IRETD", and Vol. 3A §5.8 "Privilege Level Checking When Transferring
 * Program Control Between Code Segments".
 *
 * Every check and every memory read happens before any register other than
 * EIP and ESP changes (the run loop restores those two on a fault); stack
 * writes below the stack pointer may be left behind by a fault, as on
 * hardware. Task switches (TSS and task-gate targets, IRET with NT=1) are in
 * task-switch.ts; inner stacks for call gates come from interrupts.ts's
 * tssStack.
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { tssStack } from './interrupts.js';
import { EFLAGS_WRITABLE, Flag, Reg, Seg, Vector } from './registers.js';
import {
  Attr, descAttr, descBase, descDpl, descLimit, descPresent, loadSegmentReal, markAccessed, readDescriptor,
  setSegment, updateAllSegOk, type Descriptor,
} from './segments.js';
import { SysType, taskSwitch, TaskSwitchReason } from './task-switch.js';

// Scratch descriptors: every use is within one synchronous call.
/** The descriptor a far pointer's selector names (segment, gate or TSS). */
const target: Descriptor = { low: 0, high: 0 };
/** The code segment a call gate names. */
const gateCode: Descriptor = { low: 0, high: 0 };
/** A stack segment being switched to. */
const stackDesc: Descriptor = { low: 0, high: 0 };

/** Selector error code: index and TI, without RPL (SDM Vol. 3A §6.13). */
function selectorFault(vector: number, sel: number): CpuException {
  return new CpuException(vector, sel & 0xfffc);
}

/** The descriptor a far JMP or CALL names, read into `target`; #GP(0) for a null selector. */
function readTarget(cpu: Cpu, sel: number): Descriptor {
  if ((sel & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  readDescriptor(cpu, sel, target);
  return target;
}

function isCodeSegment(d: Descriptor): boolean {
  return (d.high & (Attr.S | Attr.Code)) === (Attr.S | Attr.Code);
}

function isConforming(d: Descriptor): boolean {
  return (d.high & Attr.DC) !== 0;
}

/** System descriptor type (S = 0), or -1 for a code/data segment. */
function systemType(d: Descriptor): number {
  return (d.high & Attr.S) !== 0 ? -1 : (d.high >> 8) & 0xf;
}

function isCallGate(d: Descriptor): boolean {
  const type = systemType(d);
  return type === SysType.CallGate16 || type === SysType.CallGate32;
}

/** True when `size` bytes at `off` lie inside a stack segment with these attributes (expand-down aware). */
function fitsStack(attr: number, limit: number, off: number, size: number): boolean {
  const first = off >>> 0;
  const last = first + size - 1;
  if ((attr & (Attr.Code | Attr.DC)) === Attr.DC) {
    const upper = (attr & Attr.Big) !== 0 ? 0xffff_ffff : 0xffff;
    return first > limit && last <= upper;
  }
  return last <= limit;
}

/** Loads CS from a checked code descriptor with RPL = `cpl` and jumps to `eip`. */
function enterCode(cpu: Cpu, sel: number, d: Descriptor, cpl: number, eip: number): void {
  setSegment(cpu, Seg.CS, (sel & 0xfffc) | cpl, descBase(d), descLimit(d), descAttr(d));
  if (cpu.cpl !== cpl) {
    cpu.cpl = cpl;
    cpu.updatePrivilegeMasks();
  }
  cpu.eip = eip;
  cpu.fetchPage = -1;
}

/** Real-address and virtual-8086 mode: CS = selector, base = selector × 16. */
function enterCodeReal(cpu: Cpu, sel: number, eip: number): void {
  loadSegmentReal(cpu, Seg.CS, sel);
  cpu.eip = eip;
  cpu.fetchPage = -1;
}

/** #GP(0) unless `eip` lies within a code segment limit. */
function checkCodeLimit(eip: number, limit: number): void {
  if ((eip >>> 0) > limit) throw new CpuException(Vector.GP, 0);
}

/**
 * #GP(0) unless `eip` lies within the CS limit of a real-address or
 * virtual-8086 mode transfer (64 KiB in virtual-8086 mode).
 */
function checkRealLimit(cpu: Cpu, eip: number): void {
  checkCodeLimit(eip, cpu.vm86 ? 0xffff : cpu.segLimit[Seg.CS]);
}

/** Enters a checked code segment at the current privilege level, after the limit check (JMP, CALL). */
function enterAtCpl(cpu: Cpu, sel: number, d: Descriptor, eip: number): void {
  checkCodeLimit(eip, descLimit(d));
  markAccessed(cpu, sel, d);
  enterCode(cpu, sel, d, cpu.cpl, eip);
}

/**
 * Checks for a direct far JMP/CALL to a code segment (SDM Vol. 2 "JMP"/"CALL",
 * CONFORMING-CODE-SEGMENT and NONCONFORMING-CODE-SEGMENT).
 */
function checkDirectCode(cpu: Cpu, sel: number, d: Descriptor): void {
  const dpl = descDpl(d);
  if (isConforming(d) ? dpl > cpu.cpl : (sel & 3) > cpu.cpl || dpl !== cpu.cpl) throw selectorFault(Vector.GP, sel);
  if (!descPresent(d)) throw selectorFault(Vector.NP, sel);
}

/**
 * Checks common to JMP and CALL through a call gate: the gate's DPL against
 * CPL and RPL, its presence, and its code segment's existence and presence.
 * Reads the code descriptor into `gateCode`; returns its selector.
 */
function checkCallGate(cpu: Cpu, gateSel: number, gate: Descriptor, isCall: boolean): number {
  const gateDpl = descDpl(gate);
  if (gateDpl < cpu.cpl || (gateSel & 3) > gateDpl) throw selectorFault(Vector.GP, gateSel);
  if (!descPresent(gate)) throw selectorFault(Vector.NP, gateSel);
  const csSel = gate.low >>> 16;
  if ((csSel & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  readDescriptor(cpu, csSel, gateCode);
  const dpl = descDpl(gateCode);
  // CALL may go inward to a non-conforming segment; JMP only to the same privilege.
  const bad = !isCodeSegment(gateCode) ||
    (isCall || isConforming(gateCode) ? dpl > cpu.cpl : dpl !== cpu.cpl);
  if (bad) throw selectorFault(Vector.GP, csSel);
  if (!descPresent(gateCode)) throw selectorFault(Vector.NP, csSel);
  return csSel;
}

/** Entry point offset of a call gate (16-bit gates use only the low word). */
function gateOffset(gate: Descriptor, size: number): number {
  return size === 4 ? (gate.low & 0xffff) | (gate.high & 0xffff_0000) : gate.low & 0xffff;
}

/**
 * Task gate in the GDT/LDT named by JMP or CALL: DPL against CPL and RPL,
 * presence; the TSS checks are taskSwitch's (SDM Vol. 2 "JMP"/"CALL" TASK-GATE).
 */
function throughTaskGate(cpu: Cpu, gateSel: number, gate: Descriptor, reason: TaskSwitchReason): void {
  const dpl = descDpl(gate);
  if (dpl < cpu.cpl || dpl < (gateSel & 3)) throw selectorFault(Vector.GP, gateSel);
  if (!descPresent(gate)) throw selectorFault(Vector.NP, gateSel);
  taskSwitch(cpu, gate.low >>> 16, reason, 0);
}

/**
 * JMP or CALL to a system descriptor other than a call gate: a task gate or
 * a TSS switches tasks, anything else is #GP(selector).
 */
function toTask(cpu: Cpu, sel: number, d: Descriptor, reason: TaskSwitchReason): void {
  switch (systemType(d)) {
    case SysType.TaskGate:
      throughTaskGate(cpu, sel, d, reason);
      return;
    case SysType.Tss16: case SysType.Tss32: case SysType.Tss16Busy: case SysType.Tss32Busy:
      toTss(cpu, sel, d, reason);
      return;
    default:
      throw selectorFault(Vector.GP, sel);
  }
}

/** JMP or CALL naming a TSS descriptor directly (SDM Vol. 2 "JMP"/"CALL" TASK-STATE-SEGMENT). */
function toTss(cpu: Cpu, sel: number, tss: Descriptor, reason: TaskSwitchReason): void {
  const dpl = descDpl(tss);
  const busy = systemType(tss) === SysType.Tss16Busy || systemType(tss) === SysType.Tss32Busy;
  if (dpl < cpu.cpl || dpl < (sel & 3) || busy) throw selectorFault(Vector.GP, sel);
  if (!descPresent(tss)) throw selectorFault(Vector.NP, sel);
  taskSwitch(cpu, sel, reason, 0);
}

// ---- JMP ----------------------------------------------------------------------------

/** JMP ptr16:16/32 or m16:16/32 to `sel`:`offset` (offset as fetched; truncated here by operand size). */
export function farJump(cpu: Cpu, sel: number, offset: number): void {
  sel &= 0xffff;
  if (!cpu.opsize32) offset &= 0xffff;
  if (!cpu.protectedMode || cpu.vm86) {
    checkRealLimit(cpu, offset);
    enterCodeReal(cpu, sel, offset);
    return;
  }
  const d = readTarget(cpu, sel);
  if (isCodeSegment(d)) {
    checkDirectCode(cpu, sel, d);
    enterAtCpl(cpu, sel, d, offset);
    return;
  }
  if (isCallGate(d)) {
    const size = systemType(d) === SysType.CallGate32 ? 4 : 2;
    const csSel = checkCallGate(cpu, sel, d, false);
    const eip = gateOffset(d, size);
    enterAtCpl(cpu, csSel, gateCode, eip);
    return;
  }
  toTask(cpu, sel, d, TaskSwitchReason.Jmp);
}

// ---- CALL ---------------------------------------------------------------------------

/** CALL ptr16:16/32 or m16:16/32; the return address is the current CS:EIP (past the instruction). */
export function farCall(cpu: Cpu, sel: number, offset: number): void {
  sel &= 0xffff;
  const size = cpu.osize;
  if (size === 2) offset &= 0xffff;
  if (!cpu.protectedMode || cpu.vm86) {
    // Stack room first (#SS), then the target (#GP(0)): SDM Vol. 2 "CALL", real-address mode.
    cpu.push(size, cpu.segSel[Seg.CS]);
    cpu.push(size, cpu.eip);
    checkRealLimit(cpu, offset);
    enterCodeReal(cpu, sel, offset);
    return;
  }
  const d = readTarget(cpu, sel);
  if (isCodeSegment(d)) {
    checkDirectCode(cpu, sel, d);
    cpu.push(size, cpu.segSel[Seg.CS]);
    cpu.push(size, cpu.eip);
    enterAtCpl(cpu, sel, d, offset);
    return;
  }
  if (isCallGate(d)) callThroughGate(cpu, sel, d);
  else toTask(cpu, sel, d, TaskSwitchReason.Call);
}

/** CALL through a call gate: to the same privilege, or inward with a stack switch (SDM Vol. 2 "CALL" CALL-GATE). */
function callThroughGate(cpu: Cpu, gateSel: number, gate: Descriptor): void {
  const size = systemType(gate) === SysType.CallGate32 ? 4 : 2;
  const csSel = checkCallGate(cpu, gateSel, gate, true);
  const eip = gateOffset(gate, size);
  const dpl = descDpl(gateCode);
  if (!isConforming(gateCode) && dpl < cpu.cpl) {
    callInward(cpu, csSel, eip, dpl, size, gate.high & 0x1f);
    return;
  }
  // SAME-PRIVILEGE: the return address has the gate's size.
  cpu.push(size, cpu.segSel[Seg.CS]);
  cpu.push(size, cpu.eip);
  enterAtCpl(cpu, csSel, gateCode, eip);
}

/**
 * MORE-PRIVILEGE: switch to the stack for `dpl` from the TSS, push the old
 * SS:ESP, copy `params` words/dwords from the old stack, push the return
 * address (SDM Vol. 3A §5.8.5 "Stack Switching", Figure 5-13).
 */
function callInward(cpu: Cpu, csSel: number, eip: number, dpl: number, size: number, params: number): void {
  const { ss, esp } = tssStack(cpu, dpl, 0);
  if ((ss & 0xfffc) === 0) throw new CpuException(Vector.TS, 0);
  readDescriptor(cpu, ss, stackDesc, Vector.TS);
  const ssAttr = descAttr(stackDesc);
  if ((ss & 3) !== dpl || descDpl(stackDesc) !== dpl || (ssAttr & (Attr.S | Attr.Code | Attr.RW)) !== (Attr.S | Attr.RW)) {
    throw selectorFault(Vector.TS, ss);
  }
  if (!descPresent(stackDesc)) throw selectorFault(Vector.SS, ss);
  const ssBase = descBase(stackDesc);
  const ssLimit = descLimit(stackDesc);
  const ssBig = (ssAttr & Attr.Big) !== 0;
  const wrap = ssBig ? -1 : 0xffff;
  const start = esp & wrap;
  const slots = 4 + params;
  for (let i = 1; i <= slots; i++) {
    if (!fitsStack(ssAttr, ssLimit, (start - i * size) & wrap, size)) throw selectorFault(Vector.SS, ss);
  }
  checkCodeLimit(eip, descLimit(gateCode));

  // Build the new stack frame; the parameters are read from the caller's stack at its privilege.
  const oldEsp = cpu.regs[Reg.ESP];
  const oldWrap = cpu.stackSize32 ? -1 : 0xffff;
  let sp = start;
  sp = pushInner(cpu, ssBase, sp, wrap, size, cpu.segSel[Seg.SS]);
  sp = pushInner(cpu, ssBase, sp, wrap, size, oldEsp);
  for (let i = params - 1; i >= 0; i--) {
    sp = pushInner(cpu, ssBase, sp, wrap, size, cpu.readMem(size, Seg.SS, (oldEsp + i * size) & oldWrap));
  }
  sp = pushInner(cpu, ssBase, sp, wrap, size, cpu.segSel[Seg.CS]);
  sp = pushInner(cpu, ssBase, sp, wrap, size, cpu.eip);
  markAccessed(cpu, ss, stackDesc);
  markAccessed(cpu, csSel, gateCode);

  // Commit.
  setSegment(cpu, Seg.SS, ss, ssBase, ssLimit, descAttr(stackDesc));
  cpu.regs[Reg.ESP] = ssBig ? sp : (esp & ~0xffff) | sp;
  enterCode(cpu, csSel, gateCode, dpl, eip);
}

/** Writes `v` below `sp` on a stack not yet loaded into SS (room already checked); returns the new SP. */
function pushInner(cpu: Cpu, base: number, sp: number, wrap: number, size: number, v: number): number {
  const next = (sp - size) & wrap;
  cpu.writeSupervisor((base + next) | 0, size, v);
  return next;
}

// ---- RET far and IRET ----------------------------------------------------------------

/**
 * RETF / RETF imm16: pops EIP and CS (operand size), releases `imm` bytes of
 * parameters, and in protected mode may return to an outer privilege level.
 */
export function farReturn(cpu: Cpu, imm: number): void {
  const size = cpu.osize;
  let eip = cpu.peek(size, 0);
  const cs = cpu.peek(size, size) & 0xffff;
  if (size === 2) eip &= 0xffff;
  if (!cpu.protectedMode || cpu.vm86) {
    checkRealLimit(cpu, eip);
    cpu.adjustSp(2 * size + imm);
    enterCodeReal(cpu, cs, eip);
    return;
  }
  protectedReturn(cpu, eip, cs, size, 2 * size, imm, -1);
}

/** IRET/IRETD in every mode (SDM Vol. 2 "IRET/IRETD" Operation). */
export function interruptReturn(cpu: Cpu): void {
  const size = cpu.osize;
  if (cpu.protectedMode && !cpu.vm86 && (cpu.flags & Flag.NT) !== 0) {
    // TASK-RETURN: back to the task named by the current TSS's previous task link.
    taskSwitch(cpu, cpu.readSupervisor(cpu.trBase, 2), TaskSwitchReason.Iret, 0);
    return;
  }
  let eip = cpu.peek(size, 0);
  const cs = cpu.peek(size, size) & 0xffff;
  let eflags = cpu.peek(size, 2 * size);
  if (size === 2) {
    eip &= 0xffff;
    eflags &= 0xffff;
  }
  const current = cpu.getFlags();
  if (!cpu.protectedMode) {
    // REAL-ADDRESS-MODE: a 32-bit IRET leaves VM, VIF and VIP alone.
    const mask = size === 4 ? 0x25_7fd5 : 0xffff;
    checkCodeLimit(eip, cpu.segLimit[Seg.CS]);
    cpu.adjustSp(3 * size);
    enterCodeReal(cpu, cs, eip);
    cpu.setFlags((current & ~mask) | (eflags & mask));
    return;
  }
  if (cpu.vm86) {
    // RETURN-FROM-VIRTUAL-8086-MODE: IOPL-sensitive without CR4.VME; IOPL (and VM, VIF, VIP) stay.
    if ((current & Flag.IOPL) !== Flag.IOPL) throw new CpuException(Vector.GP, 0);
    const mask = (size === 4 ? EFLAGS_WRITABLE : 0xffff) & ~(Flag.IOPL | Flag.VM | Flag.VIF | Flag.VIP);
    checkCodeLimit(eip, 0xffff);
    cpu.adjustSp(3 * size);
    enterCodeReal(cpu, cs, eip);
    cpu.setFlags((current & ~mask) | (eflags & mask));
    return;
  }
  if (size === 4 && (eflags & Flag.VM) !== 0 && cpu.cpl === 0) {
    returnToV86(cpu, eip, cs, eflags);
    return;
  }
  protectedReturn(cpu, eip, cs, size, 3 * size, 0, eflags);
}

/**
 * EFLAGS after a protected-mode IRET: which bits the popped image may change
 * depends on the operand size, CPL and IOPL (SDM Vol. 2 "IRET/IRETD",
 * RETURN-TO-SAME-PRIVILEGE-LEVEL). `cpl` is the CPL before the return.
 */
function iretFlags(current: number, popped: number, size: number, cpl: number): number {
  let mask = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.TF | Flag.DF | Flag.OF | Flag.NT;
  if (size === 4) mask |= Flag.RF | Flag.AC | Flag.ID;
  if (cpl <= ((current & Flag.IOPL) >> 12)) mask |= Flag.IF;
  if (cpl === 0) {
    mask |= Flag.IOPL;
    if (size === 4) mask |= Flag.VIF | Flag.VIP;
  }
  return (current & ~mask) | (popped & mask);
}

/**
 * Protected-mode far return shared by RETF and IRET: `frame` bytes (CS:EIP,
 * plus EFLAGS for IRET) sit at the top of the stack, followed by `imm` bytes
 * of parameters and, for a return to an outer level, SS:ESP. `eflags` is the
 * popped EFLAGS image for IRET, -1 for RETF.
 */
function protectedReturn(cpu: Cpu, eip: number, csSel: number, size: number, frame: number, imm: number, eflags: number): void {
  if ((csSel & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  const d = target;
  readDescriptor(cpu, csSel, d);
  if (!isCodeSegment(d)) throw selectorFault(Vector.GP, csSel);
  const rpl = csSel & 3;
  const dpl = descDpl(d);
  const oldCpl = cpu.cpl;
  if (rpl < oldCpl) throw selectorFault(Vector.GP, csSel);
  if (isConforming(d) ? dpl > rpl : dpl !== rpl) throw selectorFault(Vector.GP, csSel);
  if (!descPresent(d)) throw selectorFault(Vector.NP, csSel);
  const isIret = eflags !== -1;

  if (rpl === oldCpl) {
    // RETURN-TO-SAME-PRIVILEGE-LEVEL.
    checkCodeLimit(eip, descLimit(d));
    markAccessed(cpu, csSel, d);
    if (isIret) cpu.setFlags(iretFlags(cpu.getFlags(), eflags, size, oldCpl));
    cpu.adjustSp(frame + imm);
    enterCode(cpu, csSel, d, oldCpl, eip);
    return;
  }

  // RETURN-TO-OUTER-PRIVILEGE-LEVEL: SS:ESP follow the frame (and RETF's parameters).
  let newEsp = cpu.peek(size, frame + imm);
  const ssSel = cpu.peek(size, frame + imm + size) & 0xffff;
  if (size === 2) newEsp &= 0xffff;
  if ((ssSel & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  readDescriptor(cpu, ssSel, stackDesc);
  const ssAttr = descAttr(stackDesc);
  if ((ssSel & 3) !== rpl || (ssAttr & (Attr.S | Attr.Code | Attr.RW)) !== (Attr.S | Attr.RW) ||
    descDpl(stackDesc) !== rpl) {
    throw selectorFault(Vector.GP, ssSel);
  }
  if (!descPresent(stackDesc)) throw selectorFault(Vector.SS, ssSel);
  checkCodeLimit(eip, descLimit(d));
  markAccessed(cpu, csSel, d);
  markAccessed(cpu, ssSel, stackDesc);

  // Commit.
  if (isIret) cpu.setFlags(iretFlags(cpu.getFlags(), eflags, size, oldCpl));
  enterCode(cpu, csSel, d, rpl, eip);
  setSegment(cpu, Seg.SS, ssSel, descBase(stackDesc), descLimit(stackDesc), ssAttr);
  // A 16-bit stack takes only SP: the upper half of ESP stays (the "espfix" behaviour).
  const regs = cpu.regs;
  regs[Reg.ESP] = cpu.stackSize32 ? newEsp : (regs[Reg.ESP] & ~0xffff) | (newEsp & 0xffff);
  if (imm !== 0) cpu.adjustSp(imm);
  nullInaccessibleSegments(cpu);
}

/**
 * After a return to an outer level, data segment registers the new CPL may not
 * use (DPL < CPL, data or non-conforming code) become null (SDM Vol. 2 "RET",
 * "IRET": "FOR each SegReg in (ES, FS, GS, and DS)").
 */
function nullInaccessibleSegments(cpu: Cpu): void {
  for (let s = 0; s < 6; s++) {
    if (s === Seg.CS || s === Seg.SS) continue;
    const attr = cpu.segAttr[s];
    const conformingCode = (attr & (Attr.Code | Attr.DC)) === (Attr.Code | Attr.DC);
    const invalid = (cpu.segSel[s] & 0xfffc) === 0 ||
      (!conformingCode && ((attr >> Attr.DplShift) & 3) < cpu.cpl);
    if (invalid) setSegment(cpu, s, 0, 0, 0, 0);
  }
}

/**
 * RETURN-TO-VIRTUAL-8086-MODE (IRETD at CPL 0 with VM set in the popped
 * EFLAGS): pops ESP, SS, ES, DS, FS, GS after the frame and resumes at CPL 3.
 */
function returnToV86(cpu: Cpu, eip: number, cs: number, eflags: number): void {
  const esp = cpu.peek(4, 12);
  const ss = cpu.peek(4, 16);
  const es = cpu.peek(4, 20);
  const ds = cpu.peek(4, 24);
  const fs = cpu.peek(4, 28);
  const gs = cpu.peek(4, 32);
  checkCodeLimit(eip, 0xffff);
  // Commit: VM first, so the segment loads take the virtual-8086 form.
  cpu.setFlags(eflags & EFLAGS_WRITABLE);
  cpu.cpl = 3;
  cpu.updatePrivilegeMasks();
  loadSegmentReal(cpu, Seg.SS, ss);
  loadSegmentReal(cpu, Seg.ES, es);
  loadSegmentReal(cpu, Seg.DS, ds);
  loadSegmentReal(cpu, Seg.FS, fs);
  loadSegmentReal(cpu, Seg.GS, gs);
  enterCodeReal(cpu, cs, eip);
  cpu.regs[Reg.ESP] = esp;
  updateAllSegOk(cpu);
}
