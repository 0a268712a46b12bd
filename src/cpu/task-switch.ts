/**
 * Hardware task switching (SDM Vol. 3A §7.3 "Task Switching"; Table 7-1
 * "Exception Conditions Checked During a Task Switch"; Table 7-2 "Effect of a
 * Task Switch on Busy Flag, NT Flag, Previous Task Link Field, and TS Flag";
 * §6.15 Table 6-6 "Invalid TSS Conditions").
 *
 * A switch runs in three phases:
 * 1. In the old task's context: check the new TSS descriptor and read the
 *    whole incoming state from the new TSS. A fault leaves the old task as it
 *    was.
 * 2. Save the outgoing state into the old TSS; update busy bits and the
 *    back-link.
 * 3. Commit (TR, CR0.TS, CR3, EFLAGS, EIP, general registers, selectors), then
 *    load and check LDTR, CS, SS and the data segments. A fault here belongs to
 *    the new task: cpu.prevEip/prevEsp are moved to the new task so the run
 *    loop's rewind reports it there (step 12 of §7.3).
 *
 * Deviations: the TSS debug-trap flag (T) is ignored; the I/O map base is not
 * read here. Loading a 16-bit TSS follows what Bochs documents for hardware:
 * the upper halves of the general registers become FFFFh, EIP/EFLAGS are
 * zero-extended, FS and GS become null (the SDM leaves this unspecified).
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Cr0, Flag, Reg, Seg, Vector } from './registers.js';
import {
  Attr, descAttr, descBase, descDpl, descLimit, descPresent, descriptorAddress, loadSegmentReal, markAccessed,
  setSegment, updateAllSegOk, type Descriptor,
} from './segments.js';

/** What caused a task switch: decides busy/NT handling (SDM Vol. 3A Table 7-2). */
export const enum TaskSwitchReason { Jmp = 0, Call = 1, Iret = 2, Interrupt = 3 }

/** System descriptor types (S = 0, descriptor bits 8..11; SDM Vol. 3A Table 3-2). */
export const enum SysType {
  Tss16 = 0x1, Ldt = 0x2, Tss16Busy = 0x3, CallGate16 = 0x4, TaskGate = 0x5, IntGate16 = 0x6, TrapGate16 = 0x7,
  Tss32 = 0x9, Tss32Busy = 0xb, CallGate32 = 0xc, IntGate32 = 0xe, TrapGate32 = 0xf,
}

/** The busy bit of a TSS descriptor's type, as kept in trAttr / descriptor bits 8..23. */
const TSS_BUSY = 0x200;

/** Field offsets in a 32-bit TSS (SDM Vol. 3A Figure 7-2). */
const enum Tss32 { Link = 0x00, Cr3 = 0x1c, Eip = 0x20, Eflags = 0x24, Regs = 0x28, Segs = 0x48, Ldt = 0x60 }
/** Field offsets in a 16-bit TSS (SDM Vol. 3A Figure 7-11); segments are ES, CS, SS, DS. */
const enum Tss16 { Link = 0x00, Ip = 0x0e, Flags = 0x10, Regs = 0x12, Segs = 0x22, Ldt = 0x2a }

/** Smallest valid TSS limits (SDM Vol. 3A §7.2.2, Table 6-6). */
const MIN_LIMIT_32 = 0x67;
const MIN_LIMIT_16 = 0x2b;

/** Loads TR's visible and hidden parts: the one place that writes trSel/trBase/trLimit/trAttr. */
export function setTaskRegister(cpu: Cpu, sel: number, base: number, limit: number, attr: number): void {
  cpu.trSel = sel & 0xffff;
  cpu.trBase = base | 0;
  cpu.trLimit = limit >>> 0;
  cpu.trAttr = attr;
}

/** Sets or clears the busy bit of the TSS descriptor `sel` in the GDT. */
function setBusy(cpu: Cpu, sel: number, busy: boolean): void {
  if ((sel & 0xfffc) === 0) return; // TR never loaded: there is no descriptor to update.
  const at = (cpu.gdtrBase + (sel & ~7) + 5) | 0;
  const type = cpu.readSupervisor(at, 1);
  cpu.writeSupervisor(at, 1, busy ? type | 2 : type & ~2);
}

/** The incoming task's state, read in full before anything is committed. */
interface IncomingTask {
  eip: number;
  eflags: number;
  cr3: number;
  ldt: number;
  readonly regs: Int32Array;
  readonly segs: Int32Array;
}

function readIncoming(cpu: Cpu, base: number, is32: boolean): IncomingTask {
  const t: IncomingTask = { eip: 0, eflags: 0, cr3: 0, ldt: 0, regs: new Int32Array(8), segs: new Int32Array(6) };
  const at = (off: number): number => (base + off) | 0;
  if (is32) {
    t.cr3 = cpu.readSupervisor(at(Tss32.Cr3), 4);
    t.eip = cpu.readSupervisor(at(Tss32.Eip), 4);
    t.eflags = cpu.readSupervisor(at(Tss32.Eflags), 4);
    for (let r = 0; r < 8; r++) t.regs[r] = cpu.readSupervisor(at(Tss32.Regs + 4 * r), 4);
    for (let s = 0; s < 6; s++) t.segs[s] = cpu.readSupervisor(at(Tss32.Segs + 4 * s), 2);
    t.ldt = cpu.readSupervisor(at(Tss32.Ldt), 2);
  } else {
    t.eip = cpu.readSupervisor(at(Tss16.Ip), 2);
    t.eflags = cpu.readSupervisor(at(Tss16.Flags), 2);
    for (let r = 0; r < 8; r++) t.regs[r] = 0xffff_0000 | cpu.readSupervisor(at(Tss16.Regs + 2 * r), 2);
    for (let s = 0; s < 4; s++) t.segs[s] = cpu.readSupervisor(at(Tss16.Segs + 2 * s), 2);
    t.ldt = cpu.readSupervisor(at(Tss16.Ldt), 2);
  }
  return t;
}

/** Saves the dynamic fields of the outgoing task into its TSS (SDM Vol. 3A §7.2.1). */
function saveOutgoing(cpu: Cpu, eflags: number): void {
  const base = cpu.trBase;
  const at = (off: number): number => (base + off) | 0;
  if ((cpu.trAttr & 0x800) !== 0) {
    cpu.writeSupervisor(at(Tss32.Eip), 4, cpu.eip);
    cpu.writeSupervisor(at(Tss32.Eflags), 4, eflags);
    for (let r = 0; r < 8; r++) cpu.writeSupervisor(at(Tss32.Regs + 4 * r), 4, cpu.regs[r]);
    for (let s = 0; s < 6; s++) cpu.writeSupervisor(at(Tss32.Segs + 4 * s), 2, cpu.segSel[s]);
  } else {
    cpu.writeSupervisor(at(Tss16.Ip), 2, cpu.eip);
    cpu.writeSupervisor(at(Tss16.Flags), 2, eflags);
    for (let r = 0; r < 8; r++) cpu.writeSupervisor(at(Tss16.Regs + 2 * r), 2, cpu.regs[r]);
    for (let s = 0; s < 4; s++) cpu.writeSupervisor(at(Tss16.Segs + 2 * s), 2, cpu.segSel[s]);
  }
}

/**
 * Switches to the task whose TSS selector is `sel` (for a task gate, the
 * gate's TSS selector). The caller has done its own privilege checks (JMP,
 * CALL: DPL of the TSS or gate; INT n: the gate DPL). `ext` is the EXT bit of
 * error codes (1 when an external event or exception caused the switch).
 */
export function taskSwitch(cpu: Cpu, sel: number, reason: TaskSwitchReason, ext: number): void {
  sel &= 0xffff;
  const code = (sel & 0xfffc) + ext;
  const isIret = reason === TaskSwitchReason.Iret;
  const nests = reason === TaskSwitchReason.Call || reason === TaskSwitchReason.Interrupt;

  // Phase 1: the new TSS descriptor (in the GDT, a TSS, busy only for IRET, present, big enough)...
  const wrongTss = isIret ? Vector.TS : Vector.GP;
  const descAt = (sel & 4) === 0 ? descriptorAddress(cpu, sel) : -1;
  if (descAt === -1) throw new CpuException(wrongTss, code);
  const d: Descriptor = { low: cpu.readSupervisor(descAt, 4), high: cpu.readSupervisor((descAt + 4) | 0, 4) };
  const type = (d.high >> 8) & 0x1f;
  const isTss = (type & ~0xa) === 1; // 1, 3, 9, 0Bh: 16/32-bit, available/busy
  if (!isTss || ((type & 2) !== 0) !== isIret) throw new CpuException(wrongTss, code);
  if (!descPresent(d)) throw new CpuException(Vector.NP, code);
  const is32 = (type & 8) !== 0;
  const limit = descLimit(d);
  if (limit < (is32 ? MIN_LIMIT_32 : MIN_LIMIT_16)) throw new CpuException(Vector.TS, code);
  const base = descBase(d);
  // ...and the whole incoming state.
  const next = readIncoming(cpu, base, is32);

  // Phase 2: save the outgoing task; busy bits and back-link (Table 7-2).
  const oldTr = cpu.trSel;
  let oldFlags = cpu.getFlags();
  if (isIret) oldFlags &= ~Flag.NT;
  saveOutgoing(cpu, oldFlags);
  if (!nests) setBusy(cpu, oldTr, false);
  if (nests) {
    cpu.writeSupervisor((base + (is32 ? Tss32.Link : Tss16.Link)) | 0, 2, oldTr);
    next.eflags |= Flag.NT;
  }
  if (!isIret) setBusy(cpu, sel, true);

  // Phase 3: commit. From here on a fault is taken in the new task's context.
  setTaskRegister(cpu, sel, base, limit, descAttr(d) | TSS_BUSY);
  cpu.cr0 |= Cr0.TS;
  // DR7.L0-L3 (local breakpoint enables) are cleared on every task switch (SDM Vol. 3B §17.2.4).
  cpu.dr[7] &= ~0x55;
  if (is32 && cpu.pagingEnabled) {
    cpu.cr3 = next.cr3;
    cpu.flushTlb(false);
  }
  cpu.setFlags(next.eflags);
  cpu.eip = next.eip;
  cpu.regs.set(next.regs);
  const v86 = (next.eflags & Flag.VM) !== 0;
  // Selectors first, with unusable hidden parts until each descriptor is checked.
  for (let s = 0; s < 6; s++) setSegment(cpu, s, next.segs[s], 0, 0, 0);
  cpu.ldtrSel = next.ldt; cpu.ldtrBase = 0; cpu.ldtrLimit = 0; cpu.ldtrAttr = 0;
  const cpl = v86 ? 3 : next.segs[Seg.CS] & 3;
  cpu.cpl = cpl;
  cpu.updatePrivilegeMasks();
  cpu.prevEip = cpu.eip;
  cpu.prevEsp = cpu.regs[Reg.ESP];

  loadTaskLdt(cpu, next.ldt, ext);
  if (v86) {
    for (let s = 0; s < 6; s++) loadSegmentReal(cpu, s, next.segs[s]);
  } else {
    loadTaskCs(cpu, next.segs[Seg.CS], ext);
    loadTaskSs(cpu, next.segs[Seg.SS], cpl, ext);
    loadTaskData(cpu, Seg.ES, next.segs[Seg.ES], cpl, ext);
    loadTaskData(cpu, Seg.DS, next.segs[Seg.DS], cpl, ext);
    loadTaskData(cpu, Seg.FS, next.segs[Seg.FS], cpl, ext);
    loadTaskData(cpu, Seg.GS, next.segs[Seg.GS], cpl, ext);
  }
  updateAllSegOk(cpu);
  cpu.fetchPage = -1;
  // SDM Vol. 2 "JMP"/"CALL"/"INT n"/"IRET": "IF EIP not within code segment limit THEN #GP(0)".
  if ((cpu.eip >>> 0) > cpu.segLimit[Seg.CS]) throw new CpuException(Vector.GP, ext);
}

// ---- descriptor loads in the new task's context (Table 7-1) --------------------------

const scratch: Descriptor = { low: 0, high: 0 };

/** Reads the descriptor for `sel` into scratch, or raises #TS(sel) if it lies outside its table. */
function readTaskDescriptor(cpu: Cpu, sel: number, ext: number): Descriptor {
  const at = descriptorAddress(cpu, sel);
  if (at === -1) throw new CpuException(Vector.TS, (sel & 0xfffc) + ext);
  scratch.low = cpu.readSupervisor(at, 4);
  scratch.high = cpu.readSupervisor((at + 4) | 0, 4);
  return scratch;
}

/** LDTR: null is allowed; otherwise an LDT descriptor in the GDT that is present, else #TS(LDT selector). */
function loadTaskLdt(cpu: Cpu, sel: number, ext: number): void {
  if ((sel & 0xfffc) === 0) return;
  const fault = new CpuException(Vector.TS, (sel & 0xfffc) + ext);
  if ((sel & 4) !== 0) throw fault;
  const at = descriptorAddress(cpu, sel);
  if (at === -1) throw fault;
  const d = scratch;
  d.low = cpu.readSupervisor(at, 4);
  d.high = cpu.readSupervisor((at + 4) | 0, 4);
  if (((d.high >> 8) & 0x1f) !== SysType.Ldt || !descPresent(d)) throw fault;
  cpu.ldtrSel = sel;
  cpu.ldtrBase = descBase(d);
  cpu.ldtrLimit = descLimit(d);
  cpu.ldtrAttr = descAttr(d);
}

/** CS: a code segment whose DPL matches its RPL (the new CPL), or ≤ it if conforming. */
function loadTaskCs(cpu: Cpu, sel: number, ext: number): void {
  const code = (sel & 0xfffc) + ext;
  if ((sel & 0xfffc) === 0) throw new CpuException(Vector.TS, ext);
  const d = readTaskDescriptor(cpu, sel, ext);
  const dpl = descDpl(d);
  const rpl = sel & 3;
  if ((d.high & (Attr.S | Attr.Code)) !== (Attr.S | Attr.Code)) throw new CpuException(Vector.TS, code);
  if ((d.high & Attr.DC) !== 0 ? dpl > rpl : dpl !== rpl) throw new CpuException(Vector.TS, code);
  if (!descPresent(d)) throw new CpuException(Vector.NP, code);
  markAccessed(cpu, sel, d);
  setSegment(cpu, Seg.CS, sel, descBase(d), descLimit(d), descAttr(d));
}

/** SS: a writable data segment with RPL = DPL = CPL; not present → #SS. */
function loadTaskSs(cpu: Cpu, sel: number, cpl: number, ext: number): void {
  const code = (sel & 0xfffc) + ext;
  if ((sel & 0xfffc) === 0) throw new CpuException(Vector.TS, ext);
  const d = readTaskDescriptor(cpu, sel, ext);
  const writableData = (d.high & (Attr.S | Attr.Code | Attr.RW)) === (Attr.S | Attr.RW);
  if (!writableData || (sel & 3) !== cpl || descDpl(d) !== cpl) throw new CpuException(Vector.TS, code);
  if (!descPresent(d)) throw new CpuException(Vector.SS, code);
  markAccessed(cpu, sel, d);
  setSegment(cpu, Seg.SS, sel, descBase(d), descLimit(d), descAttr(d));
}

/** DS, ES, FS, GS: null, or readable with DPL ≥ max(CPL, RPL) unless conforming code. */
function loadTaskData(cpu: Cpu, seg: number, sel: number, cpl: number, ext: number): void {
  if ((sel & 0xfffc) === 0) return; // stays a null selector with an unusable hidden part
  const code = (sel & 0xfffc) + ext;
  const d = readTaskDescriptor(cpu, sel, ext);
  const high = d.high;
  const isCode = (high & Attr.Code) !== 0;
  if ((high & Attr.S) === 0 || (isCode && (high & Attr.RW) === 0)) throw new CpuException(Vector.TS, code);
  const conformingCode = isCode && (high & Attr.DC) !== 0;
  const dpl = descDpl(d);
  if (!conformingCode && (dpl < cpl || dpl < (sel & 3))) throw new CpuException(Vector.TS, code);
  if (!descPresent(d)) throw new CpuException(Vector.NP, code);
  markAccessed(cpu, sel, d);
  setSegment(cpu, seg, sel, descBase(d), descLimit(d), descAttr(d));
}
