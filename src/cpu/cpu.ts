/**
 * The processor: architectural state, the fetch/decode loop, operand plumbing
 * and the linear-memory fast path. Instruction meaning lives in the family
 * files (arith.ts, logic.ts, …) which the opcode table wires to opcodes;
 * exception delivery in interrupts.ts, segment loading in segments.ts,
 * paging in paging.ts, lazy flags in flags.ts.
 */
import { STATE_WORDS, StateWord } from './state-block.js';
import { Flag, Reg, Seg, Vector, Cr0 } from './registers.js';
import type { PhysicalMemory } from './physical-memory.js';
import { NO_BACKING } from './physical-memory.js';
import type { SystemInterface } from './system-interface.js';
import { StopReason } from './system-interface.js';
import { CpuException } from './exception.js';
import { TLB_VALID, TLB_NOBACK, TLB_NO_USER_READ, TLB_NO_USER_WRITE, TLB_NO_SUP_WRITE, TLB_FILLED, TLB_CODE, Tlb } from './tlb.js';
import { translateSlow } from './paging.js';
import { dispatch, lockableRegs } from './dispatch.js';
import { deliverEvent, deliverException, EventKind, serviceInterrupts } from './interrupts.js';
import { resetSegments, SegOk } from './segments.js';
import { materializeFlags } from './flags.js';
import { CpuFeatures, defaultFeatures } from './features.js';
import { MsrFile } from './msr.js';
import { X87 } from './fpu/x87.js';
import { SseState } from './simd/sse-state.js';
import { OPCODES, lockAllowed } from './opcode-table.js';
import { RunBlock, Translator, type TranslatorOptions } from './translator/index.js';

/** DR6.BS: the debug exception was a single-step trap (SDM Vol. 3A §17.2.3). */
const DR6_BS = 1 << 14;

/** Observer for diagnostics; the default does nothing. */
export interface CpuEvents {
  /** An exception or interrupt is being delivered (for the triple-fault history). */
  exception?(vector: number, errorCode: number, cs: number, eip: number): void;
}

/** Options for a new {@link Cpu}. */
export interface CpuOptions {
  memory: PhysicalMemory;
  system: SystemInterface;
  features?: CpuFeatures;
  events?: CpuEvents;
  /** The x86 → JS translator: on by default; `false` runs the interpreter alone. */
  translator?: TranslatorOptions | false;
}

/** The prefix bytes (SDM Vol. 2 §2.1.1) that step() reads before the opcode. */
const IS_PREFIX = new Uint8Array(256);
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) IS_PREFIX[p] = 1;
/** Opcodes after which the run loop looks for a translated block (control transfers and the like). */
const LOOKUP_AFTER = new Uint8Array(OPCODES.map((e) => (e === undefined || e.attrs.endsBlock === true ? 1 : 0)));

/** The linear addresses of the last exceptions, kept for the triple-fault report. */
export interface ExceptionRecord { vector: number; errorCode: number; cs: number; eip: number }

/** One i686-class processor. */
export class Cpu {
  // ---- architectural state -------------------------------------------------
  /** EAX..EDI by their ModRM encoding (words 0..7 of the state block). */
  readonly regs: Int32Array;
  /** Offset of the next instruction within CS. */
  eip = 0;
  /** Visible selector of ES, CS, SS, DS, FS, GS. */
  readonly segSel = new Int32Array(6);
  /** Hidden part: base (linear), limit (byte granular, unsigned) and attributes. */
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Float64Array(6);
  /** Descriptor bits 8..23 of the high dword: type, S, DPL, P, AVL, L, D/B, G. */
  readonly segAttr = new Int32Array(6);
  /** Fast-path permissions per segment (SegOk bits); 0 forces the slow check. */
  readonly segOk = new Int32Array(6);

  /** EFLAGS except the arithmetic bits named in lazyMask. */
  flags = Flag.FIXED1;
  /** Which arithmetic flags are to be computed from the lazy record below. */
  lazyMask = 0;
  lazyOp = 0;
  lazyA = 0;
  lazyB = 0;
  lazyR = 0;
  /** Operand size in bytes of the last flag-setting operation. */
  lazySize = 4;

  /** Current privilege level (SDM Vol. 3A §5.5). */
  cpl = 0;
  /** CS.D: default operand and address size is 32 bits. */
  codeSize32 = false;
  /** SS.B: the stack pointer is ESP rather than SP. */
  stackSize32 = false;

  cr0 = Cr0.CD | Cr0.NW | Cr0.ET;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;
  ldtrSel = 0; ldtrBase = 0; ldtrLimit = 0xffff; ldtrAttr = 0x8200;
  trSel = 0; trBase = 0; trLimit = 0xffff; trAttr = 0x8b00;

  /** MSRs (SDM Vol. 4); the TSC counts {@link tscTicks} plus an offset. */
  sysenterCs = 0; sysenterEsp = 0; sysenterEip = 0;
  apicBase = 0xfee0_0900;
  tscOffset = 0;
  /**
   * The time base the TSC counts: retired instructions for a bare CPU; a VM
   * gives its guest clock, so the TSC, the PIT and the APIC timer agree and
   * a guest that calibrates one against another (Linux does) keeps time.
   * Must never decrease.
   */
  tscTicks: () => number = () => this.instructions;
  /** The other MSRs RDMSR/WRMSR reach (PAT, MTRRs, performance counters…); see msr.ts. */
  readonly msrs = new MsrFile();
  /** Retired instructions (a Float64 so it never wraps in practice). */
  instructions = 0;
  /**
   * The instruction count where the running translated block began: the
   * memory accessors of translated code (translator/memory-access.ts) add
   * the instruction's index to it on their slow path.
   */
  blockStart = 0;
  /** The x87 FPU (SDM Vol. 1 ch. 8); src/cpu/instructions/x87.ts gives it its instructions. */
  readonly fpu = new X87();
  /** XMM registers and MXCSR (SDM Vol. 1 ch. 10-11); the MMX registers are the x87's (instructions/simd-*.ts). */
  readonly sse: SseState;

  /** A20 gate: ANDed into every physical address (bit 20 cleared when the gate is off). */
  a20Mask = -1;

  // ---- decode state of the current instruction ------------------------------
  opsize32 = false;
  addrsize32 = false;
  segOverride = -1;
  /** 0, 0xF2 (REPNE) or 0xF3 (REP/REPE). */
  repPrefix = 0;
  lockPrefix = false;
  opcode = 0;
  modrmMod = 0;
  modrmReg = 0;
  modrmRm = 0;
  /** Effective address of a memory operand: segment and offset. */
  eaSeg = Seg.DS;
  eaOff = 0;
  /** EIP and ESP when the current instruction started (faults restart from here). */
  prevEip = 0;
  prevEsp = 0;

  // ---- interrupts ------------------------------------------------------------
  /** The INTR pin, driven by the interrupt controller. */
  intrLine = false;
  nmiPending = false;
  /** Blocks interrupts until after the next instruction (STI, MOV SS, POP SS). */
  interruptShadow = false;
  /**
   * No single-step trap after this instruction: MOV SS / POP SS hold it for
   * one more instruction (SDM Vol. 3A §6.8.3), and software interrupts are
   * not traced (§17.3.1.4).
   */
  debugShadow = false;
  halted = false;
  /** Nesting of exception delivery, for double and triple fault (SDM Vol. 3A Table 6-5). */
  deliveringVector = -1;
  inDoubleFault = false;
  readonly recentExceptions: ExceptionRecord[] = [];
  /** The event last taken over by SystemInterface.interceptException. */
  readonly interceptedEvent = { vector: -1, errorCode: -1 };

  // ---- memory ----------------------------------------------------------------
  readonly mem: PhysicalMemory;
  readonly backing: Uint8Array;
  readonly tlb: Tlb;
  /** The state block (state-block.ts) and where this CPU's area lies in the WebAssembly memory (-1: not there). */
  readonly state: Int32Array;
  readonly areaBase: number;
  /** TLB bits that must be clear (besides VALID set) for a read / write at the current CPL. */
  tlbReadMask = TLB_VALID | TLB_NOBACK;
  tlbWriteMask = TLB_VALID | TLB_NOBACK | TLB_NO_SUP_WRITE | TLB_CODE;
  /** Alignment checking is on: CPL 3, CR0.AM and EFLAGS.AC (see updatePrivilegeMasks). */
  alignCheck = false;
  /** Every write takes the slow path (lockstep's journal needs to see them all). */
  private slowWrites = false;
  /** Instruction fetch cache: linear page number and its host offset. */
  fetchPage = -1;
  fetchHost = 0;
  /** Read-modify-write target prepared by readModifyE: host offset or -1 for the slow path. */
  rmwHost = -1;
  rmwLinear = 0;

  readonly sys: SystemInterface;
  readonly features: CpuFeatures;
  readonly events: CpuEvents;
  stopReason = StopReason.Budget;
  stopRequested = false;
  /** Runs hot code as translated JavaScript, or null for the interpreter alone. */
  readonly translator: Translator | null;

  constructor(options: CpuOptions) {
    this.mem = options.memory;
    this.backing = options.memory.backing;
    this.sys = options.system;
    this.features = options.features ?? defaultFeatures();
    this.events = options.events ?? {};
    const area = options.memory.allocateCpuArea(STATE_WORDS);
    this.tlb = new Tlb(area.tlb);
    this.state = area.state;
    this.areaBase = area.base;
    this.regs = area.state.subarray(StateWord.REGS, StateWord.REGS + 8);
    this.sse = new SseState(area.state.subarray(StateWord.XMM, StateWord.XMM + 32));
    this.translator = options.translator === false ? null : new Translator(this, options.translator);
    this.reset();
  }

  /** Power-on/RESET state (SDM Vol. 3A §9.1.1, Table 9-1). */
  reset(): void {
    this.regs.fill(0);
    this.regs[Reg.EDX] = this.features.resetEdx;
    this.eip = 0xfff0;
    this.flags = Flag.FIXED1;
    this.lazyMask = 0;
    this.cr0 = Cr0.CD | Cr0.NW | Cr0.ET;
    this.cr2 = this.cr3 = this.cr4 = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.gdtrBase = 0; this.gdtrLimit = 0xffff;
    this.idtrBase = 0; this.idtrLimit = 0xffff;
    this.ldtrSel = 0; this.ldtrBase = 0; this.ldtrLimit = 0xffff; this.ldtrAttr = 0x8200;
    this.trSel = 0; this.trBase = 0; this.trLimit = 0xffff; this.trAttr = 0x8b00;
    resetSegments(this);
    this.cpl = 0;
    this.intrLine = false;
    this.nmiPending = false;
    this.interruptShadow = false;
    this.halted = false;
    this.deliveringVector = -1;
    this.inDoubleFault = false;
    this.recentExceptions.length = 0;
    this.msrs.reset(this);
    this.fpu.reset();
    this.sse.reset();
    this.flushTlb(true);
    this.updatePrivilegeMasks();
  }

  get protectedMode(): boolean { return (this.cr0 & Cr0.PE) !== 0; }
  get vm86(): boolean { return (this.flags & Flag.VM) !== 0; }
  get pagingEnabled(): boolean { return (this.cr0 & Cr0.PG) !== 0; }

  // ---- running ---------------------------------------------------------------

  /** Runs up to `budget` instructions; returns why it stopped. */
  run(budget: number): StopReason {
    this.stopRequested = false;
    this.stopReason = StopReason.Budget;
    const start = this.instructions;
    const end = start + budget;
    while (this.instructions < end) {
      if (this.halted) {
        if (!this.wakeFromHalt()) return this.stopReason;
      }
      try {
        this.runInner(end);
      } catch (e) {
        if (!(e instanceof CpuException)) throw e;
        this.eip = this.prevEip;
        this.regs[Reg.ESP] = this.prevEsp;
        this.instructions++;
        deliverException(this, e.vector, e.errorCode);
      }
      if (this.stopRequested) return this.stopReason;
    }
    return StopReason.Budget;
  }

  private runInner(end: number): void {
    const translator = this.translator;
    // Translated blocks are looked for where blocks begin: after a control transfer, an event, or another block.
    let lookup = translator !== null;
    while (this.instructions < end && !this.stopRequested) {
      if ((this.intrLine || this.nmiPending) && !this.interruptShadow) {
        this.prevEip = this.eip;
        this.prevEsp = this.regs[Reg.ESP];
        serviceInterrupts(this);
        // An intercepted interrupt stops here, before the instruction it preempted.
        if (this.stopRequested) return;
        lookup = translator !== null;
      }
      // Single-stepping (TF) and RF are per-instruction matters: the interpreter handles them. So is
      // the instruction under an interrupt shadow when an interrupt waits to be taken right after it.
      const shadowed = this.interruptShadow && (this.intrLine || this.nmiPending);
      this.interruptShadow = false;
      if (lookup && !shadowed && (this.flags & (Flag.TF | Flag.RF)) === 0) {
        const ran = translator!.runBlock(this, end);
        if (ran !== RunBlock.None) {
          if (this.halted) return;
          lookup = ran === RunBlock.Ran;
          continue;
        }
      }
      const startFlags = this.flags;
      const singleStep = startFlags & Flag.TF;
      this.debugShadow = false;
      this.step();
      this.instructions++;
      // Also where straight-line code enters a new page: a block there is entered by falling through,
      // and would otherwise never be counted hot while it runs here.
      if (translator !== null) lookup = LOOKUP_AFTER[this.opcode] !== 0 || ((this.eip ^ this.prevEip) & ~0xfff) !== 0;
      // RF lasts for one instruction: cleared once an instruction that began with it completes (SDM Vol. 3A §17.3.1.1).
      if ((startFlags & Flag.RF) !== 0) this.flags &= ~Flag.RF;
      // SDM Vol. 3A §17.3.1.4: TF set at the start of an instruction traps (#DB) after it,
      // except right after MOV SS / POP SS, which hold it until after the next instruction.
      if (singleStep !== 0 && !this.debugShadow) {
        this.prevEip = this.eip;
        this.prevEsp = this.regs[Reg.ESP];
        this.dr[6] |= DR6_BS;
        deliverEvent(this, Vector.DB, -1, EventKind.Trap);
      }
      if (this.halted) return;
    }
  }

  /** Decodes prefixes and executes one instruction. */
  step(): void {
    this.prevEip = this.eip;
    this.prevEsp = this.regs[Reg.ESP];
    const size32 = this.codeSize32;
    this.opsize32 = size32;
    this.addrsize32 = size32;
    this.segOverride = -1;
    this.repPrefix = 0;
    this.lockPrefix = false;
    let op = this.fetch8();
    // Most instructions have no prefix: one table load instead of the switch's chain of compares.
    if (IS_PREFIX[op] === 0) {
      if (op === 0x0f) op = 0x100 | this.fetch8();
      this.opcode = op;
      dispatch[op](this);
      return;
    }
    for (;;) {
      switch (op) {
        case 0x66: this.opsize32 = !size32; break;
        case 0x67: this.addrsize32 = !size32; break;
        case 0x26: this.segOverride = Seg.ES; break;
        case 0x2e: this.segOverride = Seg.CS; break;
        case 0x36: this.segOverride = Seg.SS; break;
        case 0x3e: this.segOverride = Seg.DS; break;
        case 0x64: this.segOverride = Seg.FS; break;
        case 0x65: this.segOverride = Seg.GS; break;
        case 0xf0: this.lockPrefix = true; break;
        case 0xf2: case 0xf3: this.repPrefix = op; break;
        default: {
          if (op === 0x0f) op = 0x100 | this.fetch8();
          this.opcode = op;
          // LOCK on an opcode that is never lockable: #UD now; the others are decided with ModRM (decodeModrm, lockAllowed).
          if (this.lockPrefix && lockableRegs[op] === 0) throw new CpuException(Vector.UD);
          dispatch[op](this);
          return;
        }
      }
      // SDM Vol. 2 §2.3.11: an instruction longer than 15 bytes raises #GP(0).
      if (((this.eip - this.prevEip) | 0) >= 15) throw new CpuException(Vector.GP, 0);
      op = this.fetch8();
    }
  }

  /** Leaves HALT when an interrupt arrives; false when the CPU must stay halted. */
  private wakeFromHalt(): boolean {
    if (this.nmiPending || (this.intrLine && (this.flags & Flag.IF) !== 0)) {
      this.halted = false;
      return true;
    }
    this.stopReason = (this.flags & Flag.IF) !== 0 ? StopReason.Halt : StopReason.HaltForever;
    return false;
  }

  /**
   * MOV SS and POP SS: interrupts, debug exceptions and single-step traps
   * wait until after the next instruction, so a stack switch (SS then ESP)
   * is never split (SDM Vol. 3A §6.8.3).
   */
  stackSwitchShadow(): void {
    this.interruptShadow = true;
    this.debugShadow = true;
  }

  /** Makes run() return after the current instruction. */
  requestStop(reason: StopReason = StopReason.Requested): void {
    this.stopRequested = true;
    this.stopReason = reason;
  }

  /** Raises or lowers the INTR pin. */
  setIntr(level: boolean): void { this.intrLine = level; }

  // ---- instruction fetch -----------------------------------------------------

  fetch8(): number {
    const eip = this.eip;
    if ((eip >>> 0) > this.segLimit[Seg.CS]) throw new CpuException(Vector.GP, 0);
    const lin = (this.segBase[Seg.CS] + eip) | 0;
    this.eip = (eip + 1) | 0;
    if ((lin >>> 12) === this.fetchPage) return this.backing[this.fetchHost + (lin & 0xfff)];
    return this.fetchSlow(lin);
  }

  private fetchSlow(lin: number): number {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbReadMask) === TLB_VALID) {
      this.fetchPage = lin >>> 12;
      this.fetchHost = e & ~0xfff;
      return this.backing[this.fetchHost + (lin & 0xfff)];
    }
    return this.readLinSlow(lin, 1, false);
  }

  fetch16(): number { const lo = this.fetch8(); return lo | (this.fetch8() << 8); }
  fetch32(): number {
    // All four bytes in the page fetched from last and within the CS limit: one check, not four.
    const eip = this.eip;
    const lin = (this.segBase[Seg.CS] + eip) | 0;
    if ((lin >>> 12) === this.fetchPage && (lin & 0xfff) <= 0xffc && (eip >>> 0) + 3 <= this.segLimit[Seg.CS]) {
      const at = this.fetchHost + (lin & 0xfff);
      const b = this.backing;
      this.eip = (eip + 4) | 0;
      return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
    }
    const lo = this.fetch16();
    return lo | (this.fetch16() << 16);
  }
  /** Sign-extended 8-bit immediate. */
  fetchS8(): number { return (this.fetch8() << 24) >> 24; }
  /** Immediate of the current operand size (Iz/Iv). */
  fetchImm(): number { return this.opsize32 ? this.fetch32() : this.fetch16(); }

  // ---- ModRM -------------------------------------------------------------------

  /** Reads ModRM (and SIB/displacement) for the current instruction (SDM Vol. 2 §2.1.5). */
  decodeModrm(): void {
    const b = this.fetch8();
    const mod = b >> 6;
    this.modrmMod = mod;
    this.modrmReg = (b >> 3) & 7;
    this.modrmRm = b & 7;
    if (this.lockPrefix && !lockAllowed(lockableRegs[this.opcode], mod, this.modrmReg)) {
      throw new CpuException(Vector.UD);
    }
    if (mod !== 3) {
      if (this.addrsize32) this.decodeEa32(mod, b & 7);
      else this.decodeEa16(mod, b & 7);
    }
  }

  private decodeEa16(mod: number, rm: number): void {
    const r = this.regs;
    let off: number;
    let seg: number = Seg.DS;
    switch (rm) {
      case 0: off = r[Reg.EBX] + r[Reg.ESI]; break;
      case 1: off = r[Reg.EBX] + r[Reg.EDI]; break;
      case 2: off = r[Reg.EBP] + r[Reg.ESI]; seg = Seg.SS; break;
      case 3: off = r[Reg.EBP] + r[Reg.EDI]; seg = Seg.SS; break;
      case 4: off = r[Reg.ESI]; break;
      case 5: off = r[Reg.EDI]; break;
      case 6:
        if (mod === 0) { off = this.fetch16(); break; }
        off = r[Reg.EBP]; seg = Seg.SS; break;
      default: off = r[Reg.EBX]; break;
    }
    if (mod === 1) off += this.fetchS8();
    else if (mod === 2) off += this.fetch16();
    this.eaOff = off & 0xffff;
    this.eaSeg = this.segOverride >= 0 ? this.segOverride : seg;
  }

  private decodeEa32(mod: number, rm: number): void {
    const r = this.regs;
    let off: number;
    let seg: number = Seg.DS;
    if (rm === 4) {
      const sib = this.fetch8();
      const base = sib & 7;
      const index = (sib >> 3) & 7;
      if (base === 5 && mod === 0) off = this.fetch32();
      else {
        off = r[base];
        if (base === Reg.ESP || base === Reg.EBP) seg = Seg.SS;
      }
      if (index !== 4) off += r[index] << (sib >> 6);
    } else if (rm === 5 && mod === 0) {
      off = this.fetch32();
    } else {
      off = r[rm];
      if (rm === Reg.EBP) seg = Seg.SS;
    }
    if (mod === 1) off += this.fetchS8();
    else if (mod === 2) off += this.fetch32();
    this.eaOff = off | 0;
    this.eaSeg = this.segOverride >= 0 ? this.segOverride : seg;
  }

  /** Segment for an instruction whose default is DS (string sources, XLAT, moffs). */
  dataSeg(): number { return this.segOverride >= 0 ? this.segOverride : Seg.DS; }

  // ---- registers by operand size ---------------------------------------------

  /** Reads register `r` as an operand of `size` bytes (8-bit: AL..BH encoding). */
  getReg(size: number, r: number): number {
    if (size === 4) return this.regs[r];
    if (size === 2) return this.regs[r] & 0xffff;
    return r < 4 ? this.regs[r] & 0xff : (this.regs[r - 4] >> 8) & 0xff;
  }

  setReg(size: number, r: number, v: number): void {
    const regs = this.regs;
    if (size === 4) regs[r] = v;
    else if (size === 2) regs[r] = (regs[r] & ~0xffff) | (v & 0xffff);
    else if (r < 4) regs[r] = (regs[r] & ~0xff) | (v & 0xff);
    else regs[r - 4] = (regs[r - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  /** Operand size of the current instruction in bytes for v-sized operands. */
  get osize(): number { return this.opsize32 ? 4 : 2; }

  // ---- E operand (register or memory per ModRM) -------------------------------

  readE(size: number): number {
    if (this.modrmMod === 3) return this.getReg(size, this.modrmRm);
    return this.readMem(size, this.eaSeg, this.eaOff);
  }

  writeE(size: number, v: number): void {
    if (this.modrmMod === 3) this.setReg(size, this.modrmRm, v);
    else this.writeMem(size, this.eaSeg, this.eaOff, v);
  }

  /**
   * First half of a read-modify-write on E: checks write access up front (so a
   * faulting write leaves no partial state, and #PF reports W=1 as for a write)
   * and remembers the target for {@link writeModifiedE}.
   */
  readModifyE(size: number): number {
    if (this.modrmMod === 3) return this.getReg(size, this.modrmRm);
    return this.readModifyMem(size, this.eaSeg, this.eaOff);
  }

  writeModifiedE(size: number, v: number): void {
    if (this.modrmMod === 3) this.setReg(size, this.modrmRm, v);
    else this.writeModifiedMem(size, v);
  }

  // ---- segmented memory ---------------------------------------------------------

  /** Linear address of seg:off after the segment checks for a `size`-byte access. */
  linearFor(seg: number, off: number, size: number, write: boolean): number {
    const need = write ? SegOk.Write : SegOk.Read;
    if ((this.segOk[seg] & need) === 0 || (off >>> 0) + size - 1 > this.segLimit[seg]) {
      checkSegmentSlow(this, seg, off, size, write);
    }
    return (this.segBase[seg] + off) | 0;
  }

  readMem(size: number, seg: number, off: number): number {
    const lin = this.linearFor(seg, off, size, false);
    if (size === 4) return this.readLin32(lin);
    if (size === 2) return this.readLin16(lin);
    return this.readLin8(lin);
  }

  writeMem(size: number, seg: number, off: number, v: number): void {
    const lin = this.linearFor(seg, off, size, true);
    if (size === 4) this.writeLin32(lin, v);
    else if (size === 2) this.writeLin16(lin, v);
    else this.writeLin8(lin, v);
  }

  readMem8(seg: number, off: number): number { return this.readLin8(this.linearFor(seg, off, 1, false)); }
  readMem16(seg: number, off: number): number { return this.readLin16(this.linearFor(seg, off, 2, false)); }
  readMem32(seg: number, off: number): number { return this.readLin32(this.linearFor(seg, off, 4, false)); }
  writeMem8(seg: number, off: number, v: number): void { this.writeLin8(this.linearFor(seg, off, 1, true), v); }
  writeMem16(seg: number, off: number, v: number): void { this.writeLin16(this.linearFor(seg, off, 2, true), v); }
  writeMem32(seg: number, off: number, v: number): void { this.writeLin32(this.linearFor(seg, off, 4, true), v); }

  readModifyMem(size: number, seg: number, off: number): number {
    const lin = this.linearFor(seg, off, size, true);
    this.rmwLinear = lin;
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbWriteMask) === TLB_VALID && (lin & 0xfff) <= 0x1000 - size) {
      const p = (e & ~0xfff) + (lin & 0xfff);
      this.rmwHost = p;
      const b = this.backing;
      if (size === 1) return b[p];
      if (size === 2) return b[p] | (b[p + 1] << 8);
      return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    }
    // Slow path: make both pages writable (this raises #PF now if they are not).
    this.rmwHost = -1;
    if (this.isCodePageWrite(e, lin, size)) {
      // Writable, but holds translations: read here, write through writeLinSlow (which reports it).
      const p = (e & ~0xfff) + (lin & 0xfff);
      const b = this.backing;
      if (size === 1) return b[p];
      if (size === 2) return b[p] | (b[p + 1] << 8);
      return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    }
    if (this.alignCheck && (lin & (size - 1)) !== 0) throw new CpuException(Vector.AC, 0);
    this.translate(lin, true);
    if ((lin & 0xfff) > 0x1000 - size) this.translate((lin + size - 1) | 0, true);
    return size === 4 ? this.readLin32(lin) : size === 2 ? this.readLin16(lin) : this.readLin8(lin);
  }

  writeModifiedMem(size: number, v: number): void {
    const p = this.rmwHost;
    if (p >= 0) {
      const b = this.backing;
      b[p] = v;
      if (size >= 2) b[p + 1] = v >> 8;
      if (size === 4) { b[p + 2] = v >> 16; b[p + 3] = v >> 24; }
      return;
    }
    const lin = this.rmwLinear;
    if (size === 4) this.writeLin32(lin, v);
    else if (size === 2) this.writeLin16(lin, v);
    else this.writeLin8(lin, v);
  }

  // ---- stack -------------------------------------------------------------------

  /** Pushes a value of `size` bytes on SS:(E)SP (SDM Vol. 1 §6.2). */
  push(size: number, v: number): void {
    const regs = this.regs;
    if (this.stackSize32) {
      const sp = (regs[Reg.ESP] - size) | 0;
      this.writeMem(size, Seg.SS, sp, v);
      regs[Reg.ESP] = sp;
    } else {
      const sp = (regs[Reg.ESP] - size) & 0xffff;
      this.writeMem(size, Seg.SS, sp, v);
      regs[Reg.ESP] = (regs[Reg.ESP] & ~0xffff) | sp;
    }
  }

  pop(size: number): number {
    const regs = this.regs;
    if (this.stackSize32) {
      const v = this.readMem(size, Seg.SS, regs[Reg.ESP]);
      regs[Reg.ESP] = (regs[Reg.ESP] + size) | 0;
      return v;
    }
    const sp = regs[Reg.ESP] & 0xffff;
    const v = this.readMem(size, Seg.SS, sp);
    regs[Reg.ESP] = (regs[Reg.ESP] & ~0xffff) | ((sp + size) & 0xffff);
    return v;
  }

  /** Reads the stack `offset` bytes above the top without popping. */
  peek(size: number, offset: number): number {
    const sp = this.stackSize32 ? (this.regs[Reg.ESP] + offset) | 0 : (this.regs[Reg.ESP] + offset) & 0xffff;
    return this.readMem(size, Seg.SS, sp);
  }

  /** Adds to (E)SP respecting the stack size. */
  adjustSp(delta: number): void {
    const regs = this.regs;
    if (this.stackSize32) regs[Reg.ESP] = (regs[Reg.ESP] + delta) | 0;
    else regs[Reg.ESP] = (regs[Reg.ESP] & ~0xffff) | ((regs[Reg.ESP] + delta) & 0xffff);
  }

  // ---- linear memory through the TLB -------------------------------------------

  readLin8(lin: number): number {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbReadMask) === TLB_VALID) return this.backing[(e & ~0xfff) + (lin & 0xfff)];
    return this.readLinSlow(lin, 1, false);
  }

  readLin16(lin: number): number {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbReadMask) === TLB_VALID && (lin & 0xfff) !== 0xfff) {
      const p = (e & ~0xfff) + (lin & 0xfff);
      return this.backing[p] | (this.backing[p + 1] << 8);
    }
    return this.readLinSlow(lin, 2, false);
  }

  readLin32(lin: number): number {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbReadMask) === TLB_VALID && (lin & 0xfff) <= 0xffc) {
      const p = (e & ~0xfff) + (lin & 0xfff);
      const b = this.backing;
      return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    }
    return this.readLinSlow(lin, 4, false);
  }

  writeLin8(lin: number, v: number): void {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbWriteMask) === TLB_VALID) { this.backing[(e & ~0xfff) + (lin & 0xfff)] = v; return; }
    this.writeLinSlow(lin, 1, v, false);
  }

  writeLin16(lin: number, v: number): void {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbWriteMask) === TLB_VALID && (lin & 0xfff) !== 0xfff) {
      const p = (e & ~0xfff) + (lin & 0xfff);
      this.backing[p] = v;
      this.backing[p + 1] = v >> 8;
      return;
    }
    this.writeLinSlow(lin, 2, v, false);
  }

  writeLin32(lin: number, v: number): void {
    const e = this.tlb.entries[lin >>> 12];
    if ((e & this.tlbWriteMask) === TLB_VALID && (lin & 0xfff) <= 0xffc) {
      const p = (e & ~0xfff) + (lin & 0xfff);
      const b = this.backing;
      b[p] = v; b[p + 1] = v >> 8; b[p + 2] = v >> 16; b[p + 3] = v >> 24;
      return;
    }
    this.writeLinSlow(lin, 4, v, false);
  }

  /**
   * Slow read: page walk (or identity map), TLB fill, MMIO, page-crossing.
   * `supervisor` forces a CPL-0 access, as for descriptor-table and TSS reads
   * (SDM Vol. 3A §4.6 "implicit supervisor-mode accesses").
   */
  readLinSlow(lin: number, size: number, supervisor: boolean): number {
    if (this.alignCheck && !supervisor && (lin & (size - 1)) !== 0) throw new CpuException(Vector.AC, 0);
    if ((lin & 0xfff) > 0x1000 - size) {
      // Page crossing: translate both pages before reading either.
      const second = (lin + size) & ~0xfff;
      this.translate(lin, false, supervisor);
      this.translate(second, false, supervisor);
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.readLinSlow((lin + i) | 0, 1, supervisor) << (8 * i);
      return v;
    }
    const phys = this.translate(lin, false, supervisor);
    return this.mem.read(phys, size as 1 | 2 | 4);
  }

  writeLinSlow(lin: number, size: number, v: number, supervisor: boolean): void {
    const e = this.tlb.entries[lin >>> 12];
    if (!supervisor && this.isCodePageWrite(e, lin, size)) {
      // A writable page that holds translations: write, then tell the translator (no page walk).
      const p = (e & ~0xfff) + (lin & 0xfff);
      const b = this.backing;
      b[p] = v;
      if (size >= 2) b[p + 1] = v >> 8;
      if (size === 4) { b[p + 2] = v >> 16; b[p + 3] = v >> 24; }
      if (this.mem.codePages[p >>> 12] !== 0) this.mem.onCodeWrite(p, size);
      return;
    }
    if (this.alignCheck && !supervisor && (lin & (size - 1)) !== 0) throw new CpuException(Vector.AC, 0);
    if ((lin & 0xfff) > 0x1000 - size) {
      this.translate(lin, true, supervisor);
      this.translate((lin + size) & ~0xfff, true, supervisor);
      for (let i = 0; i < size; i++) this.writeLinSlow((lin + i) | 0, 1, v >> (8 * i), supervisor);
      return;
    }
    const phys = this.translate(lin, true, supervisor);
    this.mem.write(phys, size as 1 | 2 | 4, v);
  }

  /**
   * The TLB entry `e` allows this write on the fast path but for TLB_CODE
   * (the page holds translated code), and the access stays within the page.
   * Lockstep's forced slow writes and alignment checking are excluded by
   * TLB_FILLED, which stays in the mask.
   */
  private isCodePageWrite(e: number, lin: number, size: number): boolean {
    return (e & TLB_CODE) !== 0 && (e & (this.tlbWriteMask & ~TLB_CODE)) === TLB_VALID && (lin & 0xfff) <= 0x1000 - size;
  }

  /** Supervisor-mode (implicit) accesses: descriptor tables, TSS, IDT. */
  readSupervisor(lin: number, size: number): number { return this.readLinSlow(lin | 0, size, true); }
  writeSupervisor(lin: number, size: number, v: number): void { this.writeLinSlow(lin | 0, size, v, true); }

  /**
   * Linear → guest-physical for an access at the current privilege (or as
   * supervisor), raising #PF as the SDM requires, and filling the TLB.
   */
  translate(lin: number, write: boolean, supervisor = false): number {
    return translateSlow(this, lin, write, supervisor || this.cpl !== 3) & this.a20Mask;
  }

  /** Fills a TLB entry for a linear page → guest-physical page with permissions. */
  fillTlb(lin: number, physPage: number, noUserRead: boolean, noUserWrite: boolean, noSupWrite: boolean, global: boolean): void {
    const host = this.mem.pageHost[(physPage & this.a20Mask) >>> 12];
    let bits = TLB_VALID | TLB_FILLED;
    if (host === NO_BACKING) bits |= TLB_NOBACK;
    else if (this.mem.codePages[host >>> 12] !== 0) bits |= TLB_CODE;
    if (noUserRead) bits |= TLB_NO_USER_READ;
    if (noUserWrite) bits |= TLB_NO_USER_WRITE;
    // ROM is read-only at every privilege; a supervisor-only page is not.
    if (noSupWrite || this.mem.pageReadOnly[(physPage & this.a20Mask) >>> 12]) bits |= TLB_NO_USER_WRITE | TLB_NO_SUP_WRITE;
    this.tlb.set(lin >>> 12, ((host === NO_BACKING ? 0 : host) & ~0xfff) | bits, global);
  }

  /** Drops cached translations: all of them, or all but global pages (CR3 write with CR4.PGE). */
  flushTlb(includeGlobal: boolean): void {
    this.tlb.flush(includeGlobal);
    this.fetchPage = -1;
  }

  /** INVLPG: drops one linear page (SDM Vol. 3A §4.10.4.1). */
  invalidatePage(lin: number): void {
    this.tlb.invalidate(lin >>> 12);
    this.fetchPage = -1;
  }

  /**
   * Recomputes the TLB access masks after a change of CPL, CR0.AM or
   * EFLAGS.AC. Alignment checking (SDM Vol. 3A §6.15 "Interrupt 17") applies
   * at CPL 3 with CR0.AM and EFLAGS.AC set; it sends every access to the
   * slow path, which checks alignment.
   */
  updatePrivilegeMasks(): void {
    this.alignCheck = this.cpl === 3 && (this.cr0 & Cr0.AM) !== 0 && (this.flags & Flag.AC) !== 0;
    const slow = this.alignCheck ? TLB_FILLED : 0;
    const slowWrite = this.slowWrites ? TLB_FILLED : slow;
    if (this.cpl === 3) {
      this.tlbReadMask = TLB_VALID | TLB_NOBACK | TLB_NO_USER_READ | slow;
      this.tlbWriteMask = TLB_VALID | TLB_NOBACK | TLB_NO_USER_WRITE | TLB_CODE | slowWrite;
    } else {
      this.tlbReadMask = TLB_VALID | TLB_NOBACK;
      this.tlbWriteMask = TLB_VALID | TLB_NOBACK | TLB_NO_SUP_WRITE | TLB_CODE | slowWrite;
    }
    this.fetchPage = -1;
  }

  /** Sends every write down the slow path (on) or back to normal (off); for lockstep checking. */
  forceSlowWrites(on: boolean): void {
    this.slowWrites = on;
    this.updatePrivilegeMasks();
  }

  // ---- EFLAGS ---------------------------------------------------------------------

  /** The full EFLAGS value with lazy flags computed. */
  getFlags(): number {
    if (this.lazyMask !== 0) materializeFlags(this);
    return this.flags;
  }

  /** Replaces EFLAGS (callers enforce which bits may change). */
  setFlags(v: number): void {
    const changed = this.flags ^ v;
    this.lazyMask = 0;
    this.flags = (v & ~0x8028) | Flag.FIXED1;
    if ((changed & Flag.AC) !== 0) this.updatePrivilegeMasks();
  }

  // ---- diagnostics ------------------------------------------------------------------

  /** CS:EIP of the instruction being executed, as `cccc:eeeeeeee`. */
  where(): string {
    return `${hex(this.segSel[Seg.CS], 4)}:${hex(this.prevEip >>> 0, 8)}`;
  }
}

/** Hex formatting for diagnostics. */
export function hex(v: number, width: number): string {
  return (v >>> 0).toString(16).padStart(width, '0');
}

// Imported last to keep the class definition readable; segments.ts owns the rules.
import { checkSegmentSlow } from './segments.js';
