/**
 * Delivery of exceptions and interrupts (SDM Vol. 3A ch. 6; Vol. 2 "INT n"
 * Operation): real-mode IVT, protected-mode IDT gates (interrupt, trap, task),
 * privilege change to the TSS stack, entry from virtual-8086 mode, double
 * fault and shutdown (§6.15, Table 6-5).
 */
import type { Cpu } from './cpu.js';
import { CpuException, pushesErrorCode } from './exception.js';
import { Flag, Reg, Seg, Vector } from './registers.js';
import { StopReason } from './system-interface.js';
import {
  Attr, descAttr, descBase, descDpl, descLimit, descPresent, readDescriptor, setSegment, updateAllSegOk,
  type Descriptor,
} from './segments.js';
import { taskSwitch, TaskSwitchReason } from './task-switch.js';

/** How an event arose: it decides the EXT bit, the DPL check and the pushed RF. */
export const enum EventKind {
  /** A fault raised by the instruction (EXT=1, RF pushed set). */
  Fault = 0,
  /** INT n, INT3, INTO (software: gate DPL checked, EXT=0). */
  Software = 1,
  /** External interrupt or NMI (EXT=1). */
  External = 2,
  /** A trap-class exception such as a single-step #DB (EXT=1). */
  Trap = 3,
  /** INT3 (CC) and INTO: exceptions raised by an instruction, checked like INT n (EXT=0, DPL). */
  SoftwareException = 4,
}

const HISTORY = 8;

/** Contributory exceptions (SDM Vol. 3A Table 6-4). */
function isContributory(v: number): boolean {
  return v === Vector.DE || (v >= Vector.TS && v <= Vector.GP);
}

/** Delivers a fault thrown by an instruction (EIP already rewound to it). */
export function deliverException(cpu: Cpu, vector: number, errorCode: number): void {
  deliverEvent(cpu, vector, errorCode, EventKind.Fault);
}

/**
 * Delivers one event, turning a fault during delivery into #DF and a fault
 * during #DF delivery into shutdown (SDM Vol. 3A §6.15 "Interrupt 8").
 */
export function deliverEvent(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  // Benign/contributory/page-fault classes decide #DF first, so the history and the
  // interceptor see the event that is actually delivered (SDM Vol. 3A Table 6-5).
  const previous = cpu.deliveringVector;
  if (previous !== -1 && !cpu.inDoubleFault) {
    const prevContrib = isContributory(previous), prevPf = previous === Vector.PF;
    if ((prevContrib && isContributory(vector)) || (prevPf && (isContributory(vector) || vector === Vector.PF))) {
      vector = Vector.DF;
      errorCode = 0;
      kind = EventKind.Fault;
    }
  }
  const history = cpu.recentExceptions;
  history.push({ vector, errorCode, cs: cpu.segSel[Seg.CS], eip: cpu.eip });
  if (history.length > HISTORY) history.shift();
  cpu.events.exception?.(vector, errorCode, cpu.segSel[Seg.CS], cpu.eip);
  // INT n is not an exception: like VT-x's exception bitmap, only exceptions are offered.
  if (kind !== EventKind.Software &&
      cpu.sys.interceptException?.(vector, errorCode, kind === EventKind.SoftwareException)) {
    cpu.interceptedEvent.vector = vector;
    cpu.interceptedEvent.errorCode = errorCode;
    cpu.requestStop(StopReason.Exception);
    return;
  }

  if (previous !== -1 && cpu.inDoubleFault) { shutdown(cpu); return; }
  if (vector === Vector.DF) cpu.inDoubleFault = true;
  cpu.deliveringVector = vector;
  const savedEsp = cpu.regs[Reg.ESP];
  const savedTr = cpu.trSel;
  try {
    if (cpu.protectedMode) protectedModeEvent(cpu, vector, errorCode, kind);
    else realModeEvent(cpu, vector);
  } catch (e) {
    if (!(e instanceof CpuException)) throw e;
    // After a task-gate switch has committed, a fault belongs to the new task, whose
    // EIP and ESP stay (SDM Vol. 3A §7.3, step 12); otherwise undo the partial delivery.
    if (cpu.trSel === savedTr) {
      cpu.regs[Reg.ESP] = savedEsp;
      // A fault while delivering INT n is reported at the INT instruction itself.
      if (kind === EventKind.Software || kind === EventKind.SoftwareException) cpu.eip = cpu.prevEip;
    }
    deliverEvent(cpu, e.vector, e.errorCode, EventKind.Fault);
    return;
  } finally {
    cpu.deliveringVector = -1;
    cpu.inDoubleFault = false;
  }
  cpu.halted = false;
  cpu.interruptShadow = false;
  // INT n, INT3, INTO and INT1 clear TF on entry and are not themselves single-stepped (SDM Vol. 3A §17.3.1.4).
  if (kind === EventKind.Software || kind === EventKind.SoftwareException) cpu.debugShadow = true;
}

/** Triple fault: the processor stops until RESET (SDM Vol. 3A §6.15). */
function shutdown(cpu: Cpu): void {
  cpu.halted = true;
  cpu.requestStop(StopReason.Shutdown);
}

/** At an instruction boundary: NMI first, then INTR if IF=1 (SDM Vol. 3A §6.9). */
export function serviceInterrupts(cpu: Cpu): void {
  if (cpu.nmiPending) {
    cpu.nmiPending = false;
    deliverEvent(cpu, Vector.NMI, -1, EventKind.External);
    return;
  }
  if (cpu.intrLine && (cpu.flags & Flag.IF) !== 0) {
    const vector = cpu.sys.acknowledgeInterrupt() & 0xff;
    deliverEvent(cpu, vector, -1, EventKind.External);
  }
}

/** Real-address mode: push FLAGS, CS, IP and jump through the IVT (SDM Vol. 3A §20.1.4). */
function realModeEvent(cpu: Cpu, vector: number): void {
  const entry = vector * 4;
  if (entry + 3 > cpu.idtrLimit) throw new CpuException(Vector.GP, vector * 8 + 2);
  const ip = cpu.readSupervisor((cpu.idtrBase + entry) | 0, 2);
  const cs = cpu.readSupervisor((cpu.idtrBase + entry + 2) | 0, 2);
  cpu.push(2, cpu.getFlags());
  cpu.push(2, cpu.segSel[Seg.CS]);
  cpu.push(2, cpu.eip);
  cpu.flags &= ~(Flag.IF | Flag.TF | Flag.AC | Flag.RF);
  cpu.segSel[Seg.CS] = cs;
  cpu.segBase[Seg.CS] = cs << 4;
  cpu.eip = ip;
  cpu.fetchPage = -1;
}

const gate: Descriptor = { low: 0, high: 0 };
const target: Descriptor = { low: 0, high: 0 };
const stackDesc: Descriptor = { low: 0, high: 0 };

/** Protected mode and virtual-8086 mode delivery through the IDT (SDM Vol. 3A §6.12). */
function protectedModeEvent(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  const software = kind === EventKind.Software || kind === EventKind.SoftwareException;
  const ext = software ? 0 : 1;
  const idtCode = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtrLimit) throw new CpuException(Vector.GP, idtCode);
  gate.low = cpu.readSupervisor((cpu.idtrBase + vector * 8) | 0, 4);
  gate.high = cpu.readSupervisor((cpu.idtrBase + vector * 8 + 4) | 0, 4);
  const type = (gate.high >> 8) & 0x1f;
  if (type !== 0x05 && type !== 0x06 && type !== 0x07 && type !== 0x0e && type !== 0x0f) {
    throw new CpuException(Vector.GP, idtCode);
  }
  if (software && descDpl(gate) < cpu.cpl) throw new CpuException(Vector.GP, idtCode);
  if (!descPresent(gate)) throw new CpuException(Vector.NP, idtCode);
  const pushError = kind === EventKind.Fault && pushesErrorCode(vector) && errorCode >= 0;

  if (type === 0x05) {
    taskSwitch(cpu, gate.low >>> 16, TaskSwitchReason.Interrupt, ext);
    if (pushError) cpu.push((cpu.trAttr & 0x800) !== 0 ? 4 : 2, errorCode);
    return;
  }

  const is32 = (type & 0x08) !== 0;
  const isInterruptGate = (type & 1) === 0;
  const sel = gate.low >>> 16;
  const offset = is32 ? (gate.low & 0xffff) | (gate.high & 0xffff0000) : gate.low & 0xffff;
  if ((sel & ~3) === 0) throw new CpuException(Vector.GP, ext);
  readDescriptor(cpu, sel, target);
  const attr = descAttr(target);
  const dpl = descDpl(target);
  if ((attr & (Attr.S | Attr.Code)) !== (Attr.S | Attr.Code) || dpl > cpu.cpl) {
    throw new CpuException(Vector.GP, (sel & 0xfffc) + ext);
  }
  if (!descPresent(target)) throw new CpuException(Vector.NP, (sel & 0xfffc) + ext);

  let eflags = cpu.getFlags();
  // Faults push RF = 1 (the faulting instruction restarts without re-triggering an instruction breakpoint);
  // traps, software and external interrupts push it clear (SDM Vol. 3A §17.3.1.1).
  if (kind === EventKind.Fault) eflags |= Flag.RF;
  else eflags &= ~Flag.RF;
  const fromV86 = (eflags & Flag.VM) !== 0;
  const conforming = (attr & Attr.DC) !== 0;
  const size = is32 ? 4 : 2;
  const newCsLimit = descLimit(target);
  if ((offset >>> 0) > newCsLimit) throw new CpuException(Vector.GP, ext);

  if (!conforming && dpl < cpu.cpl) {
    // Inter-privilege: switch to the stack for `dpl` from the current TSS.
    if (fromV86 && dpl !== 0) throw new CpuException(Vector.GP, (sel & 0xfffc) + ext);
    const { ss, esp } = tssStack(cpu, dpl, ext);
    if ((ss & ~3) === 0) throw new CpuException(Vector.TS, ext);
    if ((ss & 3) !== dpl) throw new CpuException(Vector.TS, (ss & 0xfffc) + ext);
    readDescriptor(cpu, ss, stackDesc, Vector.TS);
    const ssAttr = descAttr(stackDesc);
    if (descDpl(stackDesc) !== dpl || (ssAttr & (Attr.S | Attr.Code | Attr.RW)) !== (Attr.S | Attr.RW)) {
      throw new CpuException(Vector.TS, (ss & 0xfffc) + ext);
    }
    if (!descPresent(stackDesc)) throw new CpuException(Vector.SS, (ss & 0xfffc) + ext);
    const ssBase = descBase(stackDesc);
    const ssLimit = descLimit(stackDesc);
    const ssBig = (ssAttr & Attr.Big) !== 0;
    const frame: number[] = [];
    if (fromV86) {
      frame.push(cpu.segSel[Seg.GS], cpu.segSel[Seg.FS], cpu.segSel[Seg.DS], cpu.segSel[Seg.ES]);
    }
    frame.push(cpu.segSel[Seg.SS], cpu.regs[Reg.ESP], eflags, cpu.segSel[Seg.CS], cpu.eip);
    if (pushError) frame.push(errorCode);
    let sp = ssBig ? esp : esp & 0xffff;
    for (const value of frame) {
      sp = ssBig ? (sp - size) | 0 : (sp - size) & 0xffff;
      if ((sp >>> 0) + size - 1 > ssLimit) throw new CpuException(Vector.SS, (ss & 0xfffc) + ext);
      cpu.writeSupervisor((ssBase + sp) | 0, size, value);
    }
    // Commit: nothing below can fault.
    setSegment(cpu, Seg.SS, ss, ssBase, ssLimit, ssAttr);
    cpu.regs[Reg.ESP] = ssBig ? sp : (esp & ~0xffff) | sp;
    if (fromV86) {
      for (const s of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) setSegment(cpu, s, 0, 0, 0, 0);
    }
    enterHandler(cpu, sel, dpl, offset, isInterruptGate);
    return;
  }

  if (fromV86) throw new CpuException(Vector.GP, (sel & 0xfffc) + ext);
  if (!conforming && dpl !== cpu.cpl) throw new CpuException(Vector.GP, (sel & 0xfffc) + ext);
  // Same privilege: push on the current stack (ESP is restored by deliverEvent on a fault).
  cpu.push(size, eflags);
  cpu.push(size, cpu.segSel[Seg.CS]);
  cpu.push(size, cpu.eip);
  if (pushError) cpu.push(size, errorCode);
  enterHandler(cpu, sel, cpu.cpl, offset, isInterruptGate);
}

/** Loads CS from `target` at privilege `cpl`, jumps to the handler and clears the flags a gate clears. */
function enterHandler(cpu: Cpu, sel: number, cpl: number, offset: number, clearIf: boolean): void {
  setSegment(cpu, Seg.CS, (sel & ~3) | cpl, descBase(target), descLimit(target), descAttr(target));
  let f = cpu.flags & ~(Flag.TF | Flag.NT | Flag.RF | Flag.VM);
  if (clearIf) f &= ~Flag.IF;
  const wasV86 = (cpu.flags & Flag.VM) !== 0;
  cpu.flags = f;
  if (wasV86) updateAllSegOk(cpu);
  if (cpu.cpl !== cpl) { cpu.cpl = cpl; cpu.updatePrivilegeMasks(); }
  cpu.eip = offset;
  cpu.fetchPage = -1;
}

/** SS:ESP for privilege level `dpl` from the current TSS (SDM Vol. 3A §7.2.1, §7.6). */
export function tssStack(cpu: Cpu, dpl: number, ext: number): { ss: number; esp: number } {
  const is32 = (cpu.trAttr & 0x800) !== 0;
  const off = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  const width = is32 ? 8 : 4;
  if (off + width - 1 > cpu.trLimit) throw new CpuException(Vector.TS, (cpu.trSel & 0xfffc) + ext);
  if (is32) {
    return {
      esp: cpu.readSupervisor((cpu.trBase + off) | 0, 4),
      ss: cpu.readSupervisor((cpu.trBase + off + 4) | 0, 2),
    };
  }
  return {
    esp: cpu.readSupervisor((cpu.trBase + off) | 0, 2),
    ss: cpu.readSupervisor((cpu.trBase + off + 2) | 0, 2),
  };
}

/** INT n: a software interrupt with EIP already past the instruction. */
export function softwareInterrupt(cpu: Cpu, vector: number): void {
  deliverEvent(cpu, vector, -1, EventKind.Software);
}

/** INT3 (#BP) and INTO (#OF): trap-class exceptions, EIP already past the instruction. */
export function softwareException(cpu: Cpu, vector: number): void {
  deliverEvent(cpu, vector, -1, EventKind.SoftwareException);
}
