/**
 * The I/O APIC (Intel 82093AA I/O Advanced Programmable Interrupt Controller
 * datasheet, order no. 290566): 24 interrupt input pins, each with a
 * redirection entry that turns an edge or level on the pin into an interrupt
 * message for the local APICs.
 *
 * | offset | register | access |
 * |--------|----------|--------|
 * | 0x00   | IOREGSEL: index of the register IOWIN shows (bits 7:0) | RW |
 * | 0x10   | IOWIN: the selected register, 32 bits | RW |
 *
 * | index     | register | access |
 * |-----------|----------|--------|
 * | 0x00      | IOAPICID: ID in bits 27:24 | RW |
 * | 0x01      | IOAPICVER: version 0x11 (bits 7:0), max redirection entry 0x17 (bits 23:16) | RO |
 * | 0x02      | IOAPICARB: arbitration ID (bits 27:24) | RO |
 * | 0x10-0x3F | IOREDTBL0-23, low then high dword of each entry | RW |
 *
 * A redirection entry (datasheet §3.2.4 "I/O Redirection Table Registers"):
 * vector (7:0), delivery mode (10:8: fixed, lowest priority, SMI, NMI, INIT,
 * ExtINT), destination mode (11: 1 = logical), delivery status (12, RO),
 * polarity (13: 1 = active low), remote IRR (14, RO), trigger mode (15:
 * 1 = level), mask (16), destination (63:56).
 *
 * The board hands each message to the local APICs through `deliver`, which
 * says whether one accepted it, and brings the local APICs' EOI broadcasts
 * back through {@link IoApic.endOfInterrupt}.
 *
 * Deviations from hardware:
 * - Delivery is immediate: delivery status always reads 0. A message no
 *   local APIC accepts (a software-disabled APIC, a destination naming no
 *   one) is dropped; a level-triggered pin still asserted is sent again at
 *   its next change, unmask or EOI rather than retried on the bus.
 * - Writing an entry with trigger mode edge clears its remote IRR. The
 *   82093AA has no EOI register (versions 0x20 and later do), and operating
 *   systems clear a stuck remote IRR by switching the entry to edge and back.
 * - Accesses to IOWIN narrower than 32 bits: loads return the addressed
 *   bytes, stores are ignored (the datasheet requires dword accesses). Other
 *   offsets of the page read as all ones and ignore stores.
 * - The arbitration ID reads as the ID (it is loaded from it on the bus).
 */
import type { IrqLine } from '../io-device.js';
import { type ApicMessage, decodeMessage, FIELD_DELIVERY_MODE, FIELD_DELIVERY_STATUS, FIELD_LEVEL, Shorthand } from './apic-message.js';

/** Number of input pins (and redirection entries). */
export const IO_APIC_PINS = 24;
/** IOAPICVER: max redirection entry 23 (bits 23:16), version 0x11. */
export const IO_APIC_VERSION = ((IO_APIC_PINS - 1) << 16) | 0x11;

const REG_ID = 0x00, REG_VERSION = 0x01, REG_ARBITRATION = 0x02, REG_REDIRECTION = 0x10;
const OFFSET_SELECT = 0x00, OFFSET_WINDOW = 0x10;

const RTE_ACTIVE_LOW = 1 << 13;
const RTE_REMOTE_IRR = 1 << 14;
const RTE_MASK = 1 << 16;
/** Writable bits of an entry's low dword: all but delivery status and remote IRR. */
const RTE_WRITABLE_LOW = 0x1_afff;
const RTE_WRITABLE_HIGH = 0xff00_0000 | 0;

/** Plain-data state of an I/O APIC (snapshot format, version 1). */
export interface IoApicState {
  version: 1;
  /** IOREGSEL. */
  select: number;
  /** IOAPICID (ID in bits 27:24). */
  id: number;
  /** Redirection entries: low dwords (vector … mask) and high dwords (destination). */
  entryLow: number[];
  entryHigh: number[];
  /** Electrical level of each input pin. */
  pins: boolean[];
}

/**
 * Only fixed and lowest-priority entries can be level-triggered: NMI, SMI,
 * INIT and ExtINT are edge-triggered whatever the trigger bit says (datasheet
 * §3.2.4, "Delivery Mode").
 */
function levelTriggered(low: number): boolean {
  return (low & FIELD_LEVEL) !== 0 && (low & FIELD_DELIVERY_MODE) <= 0x100;
}

function powerOnState(): IoApicState {
  return {
    version: 1, select: 0, id: 0,
    entryLow: new Array<number>(IO_APIC_PINS).fill(RTE_MASK), // datasheet: mask set at reset
    entryHigh: new Array<number>(IO_APIC_PINS).fill(0),
    pins: new Array<boolean>(IO_APIC_PINS).fill(false),
  };
}

/** An 82093AA I/O APIC. */
export class IoApic {
  state: IoApicState = powerOnState();
  private readonly lines: IrqLine[] = [];

  /** `deliver` puts a message on the APIC bus and says whether a local APIC accepted it. */
  constructor(private readonly deliver: (message: ApicMessage) => boolean) {
    for (let pin = 0; pin < IO_APIC_PINS; pin++) {
      this.lines.push({ raise: () => this.setPin(pin, true), lower: () => this.setPin(pin, false) });
    }
  }

  /** Power-on reset: every entry masked. */
  reset(): void {
    const pins = this.state.pins;
    this.state = { ...powerOnState(), pins: [...pins] };
  }

  /** The input line of pin `n` (0-23). */
  input(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n >= IO_APIC_PINS) throw new RangeError(`I/O APIC pin ${n} does not exist (0-${IO_APIC_PINS - 1})`);
    return this.lines[n];
  }

  /** A local APIC's EOI of a level-triggered `vector`: clears remote IRR of the entries using it. */
  endOfInterrupt(vector: number): void {
    const s = this.state;
    for (let pin = 0; pin < IO_APIC_PINS; pin++) {
      if ((s.entryLow[pin] & RTE_REMOTE_IRR) !== 0 && (s.entryLow[pin] & 0xff) === vector) {
        s.entryLow[pin] &= ~RTE_REMOTE_IRR;
        this.checkLevel(pin);
      }
    }
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const base = offset & ~3;
    let value: number;
    if (base === OFFSET_SELECT) value = this.state.select;
    else if (base === OFFSET_WINDOW) value = this.readRegister(this.state.select);
    else return size === 4 ? -1 : (1 << (8 * size)) - 1;
    const shifted = value >>> (8 * (offset & 3));
    return size === 4 ? shifted | 0 : shifted & ((1 << (8 * size)) - 1);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === OFFSET_SELECT) this.state.select = value & 0xff;
    else if (offset === OFFSET_WINDOW && size === 4) this.writeRegister(this.state.select, value | 0);
  }

  private readRegister(index: number): number {
    const s = this.state;
    switch (index) {
      case REG_ID: return s.id;
      case REG_VERSION: return IO_APIC_VERSION;
      case REG_ARBITRATION: return s.id;
      default: break;
    }
    const pin = (index - REG_REDIRECTION) >> 1;
    if (pin < 0 || pin >= IO_APIC_PINS) return 0;
    return (index & 1) === 0 ? s.entryLow[pin] : s.entryHigh[pin];
  }

  private writeRegister(index: number, value: number): void {
    const s = this.state;
    if (index === REG_ID) { s.id = value & 0x0f00_0000; return; }
    const pin = (index - REG_REDIRECTION) >> 1;
    if (pin < 0 || pin >= IO_APIC_PINS) return;
    if ((index & 1) === 1) { s.entryHigh[pin] = value & RTE_WRITABLE_HIGH; return; }
    let next = (s.entryLow[pin] & ~RTE_WRITABLE_LOW) | (value & RTE_WRITABLE_LOW);
    if ((next & FIELD_LEVEL) === 0) next &= ~RTE_REMOTE_IRR; // see the header: edge clears remote IRR
    next &= ~FIELD_DELIVERY_STATUS;
    s.entryLow[pin] = next;
    this.checkLevel(pin);
  }

  /** Whether pin `pin` is asserted, after its polarity. */
  private asserted(pin: number): boolean {
    return this.state.pins[pin] !== ((this.state.entryLow[pin] & RTE_ACTIVE_LOW) !== 0);
  }

  private setPin(pin: number, level: boolean): void {
    const s = this.state;
    if (s.pins[pin] === level) return;
    const before = this.asserted(pin);
    s.pins[pin] = level;
    const low = s.entryLow[pin];
    if (levelTriggered(low)) this.checkLevel(pin);
    else if (!before && this.asserted(pin) && (low & RTE_MASK) === 0) this.send(pin); // an edge on a masked pin is lost
  }

  /** A level-triggered entry sends while its pin is asserted, it is unmasked and remote IRR is clear. */
  private checkLevel(pin: number): void {
    const s = this.state;
    const low = s.entryLow[pin];
    if (!levelTriggered(low) || (low & (RTE_MASK | RTE_REMOTE_IRR)) !== 0 || !this.asserted(pin)) return;
    // Remote IRR: set when a local APIC accepts the level interrupt, cleared by its EOI (datasheet §3.2.4).
    if (this.send(pin)) s.entryLow[pin] |= RTE_REMOTE_IRR;
  }

  private send(pin: number): boolean {
    const s = this.state;
    return this.deliver(decodeMessage(s.entryLow[pin], s.entryHigh[pin] >>> 24, true, Shorthand.None));
  }
}
