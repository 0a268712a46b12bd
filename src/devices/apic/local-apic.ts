/**
 * The local APIC of a P6-family processor (SDM Vol. 3A ch. 10 "Advanced
 * Programmable Interrupt Controller (APIC)"): the 4 KiB register page at the
 * IA32_APIC_BASE address (0xFEE0_0000 after reset), the interrupt acceptance
 * and priority logic in front of the CPU's INTR and NMI inputs, the LINT0/
 * LINT1 pins, the interrupt command register and the APIC timer.
 *
 * | offset | register                               | access |
 * |--------|----------------------------------------|--------|
 * | 0x020  | local APIC ID (bits 27:24)             | RW     |
 * | 0x030  | version: 0x0004_0011 (version 0x11, max LVT entry 4) | RO |
 * | 0x080  | TPR task priority                      | RW     |
 * | 0x090  | APR arbitration priority               | RO     |
 * | 0x0A0  | PPR processor priority                 | RO     |
 * | 0x0B0  | EOI                                    | WO     |
 * | 0x0C0  | remote read (reads 0)                  | RO     |
 * | 0x0D0  | LDR logical destination (bits 31:24)   | RW     |
 * | 0x0E0  | DFR destination format (bits 31:28)    | RW     |
 * | 0x0F0  | SVR spurious vector (3:0 read 1), software enable (8), focus check (9) | RW |
 * | 0x100-0x170 | ISR, 8 × 32 bits                  | RO     |
 * | 0x180-0x1F0 | TMR, 8 × 32 bits                  | RO     |
 * | 0x200-0x270 | IRR, 8 × 32 bits                  | RO     |
 * | 0x280  | ESR error status (a write latches the errors since the last write) | RW |
 * | 0x300  | ICR low: a write sends the IPI         | RW     |
 * | 0x310  | ICR high: destination (bits 31:24)     | RW     |
 * | 0x320  | LVT timer: vector, mask (16), periodic (17) | RW |
 * | 0x340  | LVT performance counter                | RW     |
 * | 0x350  | LVT LINT0                              | RW     |
 * | 0x360  | LVT LINT1                              | RW     |
 * | 0x370  | LVT error                              | RW     |
 * | 0x380  | timer initial count                    | RW     |
 * | 0x390  | timer current count                    | RO     |
 * | 0x3E0  | timer divide configuration (bits 3, 1:0) | RW   |
 *
 * Any other offset is reserved: accessing it sets ESR bit 7 (illegal
 * register address) and reads 0. The version is a P6's: SDM §10.4.8 "Local
 * APIC Version Register" gives 10H-15H for integrated APICs and "Max LVT
 * Entry" 4 for the P6 family's five LVT entries (no thermal entry, so 0x330
 * is reserved); the CPU reports a Pentium II signature.
 *
 * Around the CPU: `pins.intr(level)` drives INTR and {@link acknowledge} is
 * the INTA cycle; it returns {@link EXTERNAL_INTERRUPT} when the 8259A must
 * supply the vector (ExtINT), which the board then asks. LINT0 is wired to
 * the 8259A's INT output, LINT1 to the NMI source.
 *
 * Virtual wire: while the APIC is disabled (IA32_APIC_BASE[11] = 0) or
 * software-disabled (SVR[8] = 0), LINT0 goes straight to INTR and LINT1 to
 * NMI, so a PIC-only guest works as on a machine without an APIC. Once
 * software-enabled, LINT0 reaches INTR only as an unmasked ExtINT entry
 * (MP Specification §3.6.2.2 "Virtual Wire Mode").
 *
 * Deviations from hardware:
 * - A software-disabled APIC passes LINT0/LINT1 through (see above) although
 *   its LVT entries are masked: firmware leaves the machine in virtual-wire
 *   mode (or the MP specification's PIC mode) before any OS runs, and a
 *   guest that never touches the APIC expects exactly that.
 * - Clearing IA32_APIC_BASE[11] returns the APIC to its power-up state and
 *   setting it again re-enables it, as with front-side-bus APICs; the P6's
 *   3-wire-bus APIC stays off until reset (SDM §10.4.3).
 * - The timer counts a 100 MHz bus clock; see apic-timer.ts for it and for
 *   the lost-tick policy it shares with the PIT.
 * - Messages are delivered at once: delivery status (bit 12) always reads 0.
 *   Lowest-priority delivery goes to the one processor if it is addressed;
 *   focus-processor checking and the arbitration ID are not modelled.
 * - INIT, start-up and SMI messages addressed to this processor are ignored
 *   (the board records the IPIs it is asked to send, for SMP to come).
 * - Stores narrower than 32 bits or not at a register's first byte are
 *   ignored (SDM §10.4.1 makes narrower accesses model specific); narrower
 *   loads return the addressed bytes.
 */
import type { IrqLine } from '../io-device.js';
import type { Clock, TimedDevice } from '../timing.js';
import { ApicTimer, type ApicTimerState, powerOnTimer } from './apic-timer.js';
import { type ApicMessage, decodeMessage, DeliveryMode, FIELD_DELIVERY_MODE, FIELD_LEVEL, Shorthand } from './apic-message.js';

export { APIC_BUS_HZ } from './apic-timer.js';

/** The version register of a P6 local APIC: max LVT entry 4 (bits 23:16), version 0x11. */
export const LOCAL_APIC_VERSION = 0x0004_0011;

/** What {@link LocalApic.acknowledge} returns when the vector must come from the 8259A (ExtINT). */
export const EXTERNAL_INTERRUPT = -1;

/** IA32_APIC_BASE bits (SDM Vol. 3A §10.4.4 "Local APIC Status and Location"). */
const BASE_ENABLE = 1 << 11;
const BASE_ADDRESS = 0xffff_f000 | 0;
/** The IA32_APIC_BASE value after reset: base 0xFEE0_0000, enabled, bootstrap processor. */
export const APIC_BASE_RESET = 0xfee0_0900 | 0;

const SVR_ENABLE = 1 << 8;       // APIC software enable
const SVR_WRITABLE = 0x3f0;      // focus check (9), enable (8), vector bits 7:4
const SVR_VECTOR_ONES = 0x0f;    // P6: spurious vector bits 3:0 are hardwired to 1 (SDM §10.9)

const LVT_MASK = 1 << 16;
const LVT_REMOTE_IRR = 1 << 14;  // level-triggered LINT accepted, cleared by EOI
const LVT_ACTIVE_LOW = 1 << 13;  // LINT input polarity
const LVT_TIMER_PERIODIC = 1 << 17;
/** Writable bits of each LVT entry (SDM §10.5.1 Figure 10-8 "Local Vector Table"). */
const LVT_WRITABLE = {
  timer: 0x3_00ff,               // vector, mask, timer mode
  perf: 0x1_07ff,                // vector, delivery mode, mask
  lint: 0x1_a7ff,                // vector, delivery mode, polarity, trigger, mask
  error: 0x1_00ff,               // vector, mask
} as const;

const ICR_ASSERT = 1 << 14;      // level: 0 only for INIT level de-assert
const ICR_WRITABLE = 0x000c_cfff; // vector, delivery mode, destination mode, level, trigger, shorthand

/** ESR bits (SDM §10.5.3 "Error Handling"). */
const ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
const ESR_ILLEGAL_REGISTER = 1 << 7;

/** Register offsets within the page. */
const enum R {
  Id = 0x020, Version = 0x030, Tpr = 0x080, Apr = 0x090, Ppr = 0x0a0, Eoi = 0x0b0, RemoteRead = 0x0c0,
  Ldr = 0x0d0, Dfr = 0x0e0, Svr = 0x0f0, Isr = 0x100, Tmr = 0x180, Irr = 0x200, Esr = 0x280,
  IcrLow = 0x300, IcrHigh = 0x310, LvtTimer = 0x320, LvtPerf = 0x340, LvtLint0 = 0x350, LvtLint1 = 0x360,
  LvtError = 0x370, TimerInitial = 0x380, TimerCurrent = 0x390, TimerDivide = 0x3e0,
}

/** Plain-data state of a local APIC (snapshot format, version 1). */
export interface LocalApicState {
  version: 1;
  /** IA32_APIC_BASE (low dword) as last reported by the CPU. */
  baseMsr: number;
  /** APIC ID register (ID in bits 27:24). */
  id: number;
  tpr: number;
  ldr: number;
  dfr: number;
  svr: number;
  /** ESR as last latched by a write. */
  esr: number;
  /** Errors detected since the last ESR write. */
  pendingErrors: number;
  /** In-service, trigger-mode and request registers: 8 dwords each, vector v at bit v % 32 of dword v / 32. */
  isr: number[];
  tmr: number[];
  irr: number[];
  icrLow: number;
  icrHigh: number;
  lvtTimer: number;
  lvtPerf: number;
  lvtLint0: number;
  lvtLint1: number;
  lvtError: number;
  /** The timer's count, divider and deadlines (apic-timer.ts). */
  timer: ApicTimerState;
  /** Levels on the LINT0 and LINT1 pins. */
  lint0: boolean;
  lint1: boolean;
  /** An ExtINT message arrived: the next INTA goes to the 8259A. */
  extIntPending: boolean;
}

/** What the local APIC drives. */
export interface LocalApicPins {
  /** The CPU's INTR input; called on every change of level. */
  intr(level: boolean): void;
  /** The CPU's NMI input (an edge). */
  nmi(): void;
  /** EOI of a level-triggered vector, broadcast to the I/O APICs (SDM §10.8.5 "Signaling Interrupt Servicing Completion"). */
  eoiBroadcast(vector: number): void;
  /** An IPI for processors other than this one (the board routes or records it). */
  sendIpi(message: ApicMessage): void;
  /** The timer was reprogrammed: its deadline may have moved. */
  timerChanged?(): void;
}

function powerOnState(id: number, baseMsr: number): LocalApicState {
  return {
    version: 1, baseMsr, id: (id & 0xf) << 24, tpr: 0, ldr: 0, dfr: -1, svr: 0xff, esr: 0, pendingErrors: 0,
    isr: new Array<number>(8).fill(0), tmr: new Array<number>(8).fill(0), irr: new Array<number>(8).fill(0),
    icrLow: 0, icrHigh: 0,
    lvtTimer: LVT_MASK, lvtPerf: LVT_MASK, lvtLint0: LVT_MASK, lvtLint1: LVT_MASK, lvtError: LVT_MASK,
    timer: powerOnTimer(),
    lint0: false, lint1: false, extIntPending: false,
  };
}

/** Highest set vector in a 256-bit register, or -1. */
function highest(bits: readonly number[]): number {
  for (let i = 7; i >= 0; i--) if (bits[i] !== 0) return i * 32 + 31 - Math.clz32(bits[i]);
  return -1;
}

function testBit(bits: readonly number[], v: number): boolean { return (bits[v >> 5] & (1 << (v & 31))) !== 0; }
function setBit(bits: number[], v: number): void { bits[v >> 5] |= 1 << (v & 31); }
function clearBit(bits: number[], v: number): void { bits[v >> 5] &= ~(1 << (v & 31)); }

/** One processor's local APIC. */
export class LocalApic implements TimedDevice {
  private s: LocalApicState;
  /** The LINT0 pin (the 8259A's INT on a PC). */
  readonly lint0: IrqLine = { raise: () => this.setLint(0, true), lower: () => this.setLint(0, false) };
  /** The LINT1 pin (NMI on a PC). */
  readonly lint1: IrqLine = { raise: () => this.setLint(1, true), lower: () => this.setLint(1, false) };
  private intrLevel = false;
  private readonly timer: ApicTimer;

  constructor(clock: Clock, private readonly pins: LocalApicPins, private readonly initialId = 0) {
    this.s = powerOnState(initialId, APIC_BASE_RESET);
    this.timer = new ApicTimer(clock, {
      state: () => this.s.timer,
      periodic: () => (this.s.lvtTimer & LVT_TIMER_PERIODIC) !== 0,
      expire: () => this.localInterrupt(this.s.lvtTimer),
      changed: () => this.pins.timerChanged?.(),
    });
  }

  /** The state record (live: the APIC reads and writes it). */
  get state(): LocalApicState { return this.s; }

  /** Restores a snapshot (the board remaps the page from `baseMsr`). */
  set state(snapshot: LocalApicState) {
    this.s = { ...snapshot, isr: [...snapshot.isr], tmr: [...snapshot.tmr], irr: [...snapshot.irr], timer: { ...snapshot.timer } };
    this.update();
  }

  /** RESET: power-up state (SDM §10.4.7.1 "Local APIC State After Power-Up or Reset"), IA32_APIC_BASE at its reset value. */
  reset(): void {
    const { lint0, lint1 } = this.state;
    this.state = { ...powerOnState(this.initialId, APIC_BASE_RESET), lint0, lint1 };
    this.update();
  }

  // ---- enable state --------------------------------------------------------------

  /** IA32_APIC_BASE[11]: the APIC exists for the processor. */
  get hardwareEnabled(): boolean { return (this.state.baseMsr & BASE_ENABLE) !== 0; }
  /** ...and SVR[8]: it accepts and delivers interrupts. */
  get softwareEnabled(): boolean { return this.hardwareEnabled && (this.state.svr & SVR_ENABLE) !== 0; }
  /** Physical address of the register page. */
  get baseGpa(): number { return (this.state.baseMsr & BASE_ADDRESS) >>> 0; }

  /**
   * The CPU wrote IA32_APIC_BASE. Clearing the enable bit returns the APIC
   * to its power-up state (SDM §10.4.3 "Enabling or Disabling the Local APIC").
   */
  setBaseMsr(value: number): void {
    const s = this.state;
    const wasEnabled = this.hardwareEnabled;
    if (wasEnabled && (value & BASE_ENABLE) === 0) {
      const { id, lint0, lint1 } = s;
      this.state = { ...powerOnState(this.initialId, value), id, lint0, lint1 };
      this.pins.timerChanged?.();
    } else {
      s.baseMsr = value | 0;
    }
    this.update();
  }

  // ---- the CPU side ---------------------------------------------------------------

  /** The INTA cycle: the vector to deliver (moved from IRR to ISR), or EXTERNAL_INTERRUPT. */
  acknowledge(): number {
    const s = this.state;
    if (!this.hardwareEnabled || this.externalRequest()) {
      s.extIntPending = false;
      this.update();
      return EXTERNAL_INTERRUPT;
    }
    const vector = this.deliverableVector();
    if (vector < 0) {
      // Nothing left to deliver: the spurious vector, ISR untouched (SDM §10.9 "Spurious Interrupt");
      // in virtual wire the 8259A answers instead, with its own spurious IR7.
      return this.softwareEnabled ? (s.svr & 0xf0) | SVR_VECTOR_ONES : EXTERNAL_INTERRUPT;
    }
    clearBit(s.irr, vector);
    setBit(s.isr, vector);
    this.update();
    return vector;
  }

  /** INTR is asserted (what the CPU's pin shows). */
  get interruptPending(): boolean { return this.intrLevel; }

  // ---- the APIC bus ---------------------------------------------------------------

  /**
   * A message from the bus (an I/O APIC, another processor): accepted when it
   * names this APIC and its delivery mode is one the APIC takes now.
   */
  receive(message: ApicMessage): boolean {
    if (!this.hardwareEnabled || !this.addressed(message)) return false;
    return this.deliver(message);
  }

  /** Whether the message's destination names this APIC (SDM §10.6.2 "Determining IPI Destination"). */
  addressed(message: ApicMessage): boolean {
    switch (message.shorthand) {
      case Shorthand.AllIncludingSelf: case Shorthand.AllExcludingSelf: return true;
      case Shorthand.Self: return false; // self IPIs never leave their sender
      default: break;
    }
    const s = this.state;
    if (!message.logical) {
      // P6: 4-bit physical APIC IDs; 0xF is the broadcast (SDM §10.6.2.1 "Physical Destination Mode").
      const dest = message.destination & 0xf;
      return dest === 0xf || dest === ((s.id >>> 24) & 0xf);
    }
    // SDM §10.6.2.2 "Logical Destination Mode": flat or cluster model by DFR[31:28].
    const mda = message.destination & 0xff;
    const logicalId = s.ldr >>> 24;
    if ((s.dfr >>> 28) === 0xf) return (mda & logicalId) !== 0;
    const cluster = mda >>> 4;
    if (cluster !== 0xf && cluster !== logicalId >>> 4) return false;
    return (mda & logicalId & 0xf) !== 0;
  }

  /** Takes a message addressed to this APIC; false when it is refused. */
  private deliver(m: ApicMessage): boolean {
    switch (m.deliveryMode) {
      case DeliveryMode.Fixed:
      case DeliveryMode.LowestPriority:
        // SDM §10.4.7.2: a software-disabled APIC still holds IRR/ISR but takes no new fixed interrupts.
        if (!this.softwareEnabled) return false;
        return this.acceptInterrupt(m.vector, m.level);
      case DeliveryMode.Nmi:
        this.pins.nmi();
        return true;
      case DeliveryMode.ExtInt:
        this.state.extIntPending = true;
        this.update();
        return true;
      default:
        return true; // SMI, INIT, start-up: accepted and ignored (see the header)
    }
  }

  /** Sets IRR (and TMR for level) for a fixed interrupt (SDM §10.8.4 "Interrupt Acceptance for Fixed Interrupts"). */
  private acceptInterrupt(vector: number, level: boolean): boolean {
    const s = this.state;
    if (vector < 16) {
      this.signalError(ESR_RECEIVE_ILLEGAL_VECTOR);
      return false;
    }
    setBit(s.irr, vector);
    if (level) setBit(s.tmr, vector); else clearBit(s.tmr, vector);
    this.update();
    return true;
  }

  // ---- priorities ----------------------------------------------------------------

  /** PPR (SDM §10.8.3.1 "Task and Processor Priorities"). */
  processorPriority(): number {
    const s = this.state;
    const isrv = Math.max(highest(s.isr), 0);
    return (s.tpr & 0xf0) >= (isrv & 0xf0) ? s.tpr & 0xff : isrv & 0xf0;
  }

  /** APR, as the Pentium and P6 compute it (SDM §10.8.3.1, "Arbitration Priority Register"). */
  arbitrationPriority(): number {
    const s = this.state;
    const tpr = s.tpr & 0xff;
    const isrv = Math.max(highest(s.isr), 0), irrv = Math.max(highest(s.irr), 0);
    if ((tpr & 0xf0) >= (irrv & 0xf0) && (tpr & 0xf0) > (isrv & 0xf0)) return tpr;
    return Math.max(tpr & 0xf0, isrv & 0xf0, irrv & 0xf0);
  }

  /** The IRR vector the processor would take now: its priority class above PPR's (SDM §10.8.3.1), or -1. */
  private deliverableVector(): number {
    const v = highest(this.state.irr);
    if (v < 0 || (v & 0xf0) <= (this.processorPriority() & 0xf0)) return -1;
    return v;
  }

  /** An ExtINT request: the 8259A's INT through LINT0 (virtual wire), or an ExtINT message. */
  private externalRequest(): boolean {
    const s = this.state;
    if (s.extIntPending) return true;
    if (!this.softwareEnabled) return s.lint0;
    const lvt = s.lvtLint0;
    return (lvt & LVT_MASK) === 0 && ((lvt & FIELD_DELIVERY_MODE) >> 8) === DeliveryMode.ExtInt && this.lintAsserted(0);
  }

  /** Recomputes INTR. */
  private update(): void {
    const level = this.externalRequest() || (this.hardwareEnabled && this.deliverableVector() >= 0);
    if (level !== this.intrLevel) {
      this.intrLevel = level;
      this.pins.intr(level);
    }
  }

  // ---- local interrupt sources -------------------------------------------------------

  private lintAsserted(n: 0 | 1): boolean {
    const s = this.state;
    const level = n === 0 ? s.lint0 : s.lint1;
    const lvt = n === 0 ? s.lvtLint0 : s.lvtLint1;
    return level !== ((lvt & LVT_ACTIVE_LOW) !== 0);
  }

  private setLint(n: 0 | 1, level: boolean): void {
    const s = this.state;
    const was = n === 0 ? s.lint0 : s.lint1;
    if (was === level) return;
    const assertedBefore = this.lintAsserted(n);
    if (n === 0) s.lint0 = level; else s.lint1 = level;
    if (!this.softwareEnabled) {
      // Virtual wire: LINT0 is INTR, LINT1 is NMI.
      if (n === 1 && level) this.pins.nmi();
      this.update();
      return;
    }
    const lvt = n === 0 ? s.lvtLint0 : s.lvtLint1;
    const asserted = this.lintAsserted(n);
    if ((lvt & LVT_MASK) === 0) {
      switch ((lvt & FIELD_DELIVERY_MODE) >> 8) {
        case DeliveryMode.Fixed:
          if ((lvt & FIELD_LEVEL) !== 0) this.checkLevelLint(n);
          else if (asserted && !assertedBefore) this.acceptInterrupt(lvt & 0xff, false);
          break;
        case DeliveryMode.Nmi:
          if (asserted && !assertedBefore) this.pins.nmi();
          break;
        default: break; // ExtINT is a level seen by update(); SMI and INIT are not modelled
      }
    }
    this.update();
  }

  /** A level-triggered fixed LINT entry: request while asserted and not already accepted (remote IRR). */
  private checkLevelLint(n: 0 | 1): void {
    const s = this.state;
    const lvt = n === 0 ? s.lvtLint0 : s.lvtLint1;
    if (!this.softwareEnabled || (lvt & (LVT_MASK | LVT_REMOTE_IRR)) !== 0 || (lvt & FIELD_LEVEL) === 0) return;
    if (((lvt & FIELD_DELIVERY_MODE) >> 8) !== DeliveryMode.Fixed || !this.lintAsserted(n)) return;
    if (!this.acceptInterrupt(lvt & 0xff, true)) return;
    if (n === 0) s.lvtLint0 |= LVT_REMOTE_IRR; else s.lvtLint1 |= LVT_REMOTE_IRR;
  }

  /** A local source (timer, error) fires through its LVT entry: always fixed, edge. */
  private localInterrupt(lvt: number): void {
    if (!this.softwareEnabled || (lvt & LVT_MASK) !== 0) return;
    this.acceptInterrupt(lvt & 0xff, false);
  }

  /** Records an error; the LVT error entry interrupts if unmasked (SDM §10.5.3). */
  private signalError(bit: number): void {
    const s = this.state;
    s.pendingErrors |= bit;
    // An illegal error vector would signal another error: take it no further.
    if ((s.lvtError & 0xff) >= 16) this.localInterrupt(s.lvtError);
  }

  // ---- EOI and IPIs ------------------------------------------------------------------

  /** EOI: retire the highest in-service vector; a level-triggered one is broadcast (SDM §10.8.5). */
  private endOfInterrupt(): void {
    const s = this.state;
    const vector = highest(s.isr);
    if (vector < 0) return;
    clearBit(s.isr, vector);
    if (testBit(s.tmr, vector)) {
      for (const n of [0, 1] as const) {
        const lvt = n === 0 ? s.lvtLint0 : s.lvtLint1;
        if ((lvt & LVT_REMOTE_IRR) !== 0 && (lvt & 0xff) === vector) {
          if (n === 0) s.lvtLint0 &= ~LVT_REMOTE_IRR; else s.lvtLint1 &= ~LVT_REMOTE_IRR;
          this.checkLevelLint(n);
        }
      }
      this.pins.eoiBroadcast(vector);
    }
    this.update();
  }

  /** A write to ICR low sends an IPI (SDM §10.6.1 "Interrupt Command Register (ICR)"). */
  private sendIpi(): void {
    const s = this.state;
    const m = decodeMessage(s.icrLow, s.icrHigh >>> 24, (s.icrLow & ICR_ASSERT) !== 0, ((s.icrLow >> 18) & 3) as Shorthand);
    const fixed = m.deliveryMode === DeliveryMode.Fixed || m.deliveryMode === DeliveryMode.LowestPriority;
    if (fixed && m.vector < 16) {
      this.signalError(ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    const toSelf = m.shorthand === Shorthand.Self || m.shorthand === Shorthand.AllIncludingSelf ||
      (m.shorthand === Shorthand.None && this.addressed(m));
    if (m.shorthand !== Shorthand.Self) this.pins.sendIpi(m);
    // INIT and start-up to oneself are not modelled; an INIT de-assert changes nothing.
    if (toSelf && m.deliveryMode !== DeliveryMode.Init && m.deliveryMode !== DeliveryMode.StartUp) this.deliver(m);
  }

  // ---- timer -------------------------------------------------------------------------

  /** Delivers the timer interrupts that fell due; returns the next deadline in ns (TimedDevice). */
  advance(nowNs: number): number {
    return this.timer.advance(nowNs);
  }

  // ---- registers ---------------------------------------------------------------------

  /** Reads the register page (MmioHandler). */
  read(offset: number, size: 1 | 2 | 4): number {
    const byte = offset & 0xf;
    const value = byte < 4 ? this.readRegister(offset & 0xff0) : 0;
    if (size === 4 && byte === 0) return value;
    const shifted = byte < 4 ? value >>> (8 * byte) : 0;
    return size === 4 ? shifted : shifted & ((1 << (8 * size)) - 1);
  }

  /** Writes the register page (MmioHandler). */
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || (offset & 0xf) !== 0) return;
    this.writeRegister(offset & 0xff0, value | 0);
  }

  private readRegister(reg: number): number {
    const s = this.state;
    if (reg >= R.Isr && reg < R.Isr + 0x80) return s.isr[(reg - R.Isr) >> 4];
    if (reg >= R.Tmr && reg < R.Tmr + 0x80) return s.tmr[(reg - R.Tmr) >> 4];
    if (reg >= R.Irr && reg < R.Irr + 0x80) return s.irr[(reg - R.Irr) >> 4];
    switch (reg) {
      case R.Id: return s.id;
      case R.Version: return LOCAL_APIC_VERSION;
      case R.Tpr: return s.tpr;
      case R.Apr: return this.arbitrationPriority();
      case R.Ppr: return this.processorPriority();
      case R.Eoi: case R.RemoteRead: return 0;
      case R.Ldr: return s.ldr;
      case R.Dfr: return s.dfr;
      case R.Svr: return s.svr;
      case R.Esr: return s.esr;
      case R.IcrLow: return s.icrLow;
      case R.IcrHigh: return s.icrHigh;
      case R.LvtTimer: return s.lvtTimer;
      case R.LvtPerf: return s.lvtPerf;
      case R.LvtLint0: return s.lvtLint0;
      case R.LvtLint1: return s.lvtLint1;
      case R.LvtError: return s.lvtError;
      case R.TimerInitial: return s.timer.initialCount;
      case R.TimerCurrent: return this.timer.currentCount();
      case R.TimerDivide: return s.timer.divide;
      default:
        this.signalError(ESR_ILLEGAL_REGISTER);
        return 0;
    }
  }

  private writeRegister(reg: number, value: number): void {
    const s = this.state;
    if (reg >= R.Isr && reg < R.Irr + 0x80) return; // ISR, TMR, IRR are read-only
    switch (reg) {
      case R.Id: s.id = value & 0x0f00_0000; return;
      case R.Version: case R.Apr: case R.Ppr: case R.RemoteRead: case R.TimerCurrent: return;
      case R.Tpr: s.tpr = value & 0xff; this.update(); return;
      case R.Eoi: this.endOfInterrupt(); return;
      case R.Ldr: s.ldr = value & 0xff00_0000; return;
      case R.Dfr: s.dfr = value | 0x0fff_ffff; return;
      case R.Svr: this.writeSvr(value); return;
      case R.Esr: s.esr = s.pendingErrors; s.pendingErrors = 0; return;
      case R.IcrLow: s.icrLow = value & ICR_WRITABLE; this.sendIpi(); return;
      case R.IcrHigh: s.icrHigh = value & 0xff00_0000; return;
      case R.LvtTimer: {
        const next = this.lvtValue(s.lvtTimer, value, LVT_WRITABLE.timer);
        if (((next ^ s.lvtTimer) & LVT_TIMER_PERIODIC) !== 0) this.timer.changeMode(() => { s.lvtTimer = next; });
        else s.lvtTimer = next;
        return;
      }
      case R.LvtPerf: s.lvtPerf = this.lvtValue(s.lvtPerf, value, LVT_WRITABLE.perf); return;
      case R.LvtLint0: case R.LvtLint1: this.writeLint(reg === R.LvtLint0 ? 0 : 1, value); return;
      case R.LvtError: s.lvtError = this.lvtValue(s.lvtError, value, LVT_WRITABLE.error); return;
      case R.TimerInitial: this.timer.writeInitialCount(value); return;
      case R.TimerDivide: this.timer.writeDivide(value); return;
      default: this.signalError(ESR_ILLEGAL_REGISTER);
    }
  }

  /** An LVT write: read-only bits kept; the mask stays set while software-disabled (SDM §10.4.7.2). */
  private lvtValue(old: number, value: number, writable: number): number {
    let next = (old & ~writable) | (value & writable);
    if (!this.softwareEnabled) next |= LVT_MASK;
    return next;
  }

  private writeLint(n: 0 | 1, value: number): void {
    const s = this.state;
    const old = n === 0 ? s.lvtLint0 : s.lvtLint1;
    let next = this.lvtValue(old, value, LVT_WRITABLE.lint);
    if ((next & FIELD_LEVEL) === 0) next &= ~LVT_REMOTE_IRR; // remote IRR means nothing for edge entries
    if (n === 0) s.lvtLint0 = next; else s.lvtLint1 = next;
    this.checkLevelLint(n);
    this.update();
  }

  private writeSvr(value: number): void {
    const s = this.state;
    s.svr = (value & SVR_WRITABLE) | SVR_VECTOR_ONES;
    if ((s.svr & SVR_ENABLE) === 0) {
      // Software disable masks every LVT entry (SDM §10.4.7.2).
      s.lvtTimer |= LVT_MASK; s.lvtPerf |= LVT_MASK; s.lvtLint0 |= LVT_MASK; s.lvtLint1 |= LVT_MASK; s.lvtError |= LVT_MASK;
    }
    this.update();
  }
}
