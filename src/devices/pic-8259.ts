/**
 * The PC/AT interrupt controller: two Intel 8259A PICs (Intel 8259A
 * Programmable Interrupt Controller datasheet, order no. 231468) cascaded as
 * on every PC since the AT: the master at 0x20-0x21 takes IRQ 0-7, the slave
 * at 0xA0-0xA1 takes IRQ 8-15 and drives the master's IR2. The edge/level
 * control registers (ELCR) at 0x4D0-0x4D1 are the PIIX/PIIX3 south bridge's
 * (Intel 82371SB datasheet §4.3.2 "ELCR").
 *
 * Three port views, each attached by the board at its own base:
 *
 * | view     | off | read                          | write                          |
 * |----------|-----|-------------------------------|--------------------------------|
 * | master/  | 0   | IRR or ISR (OCW3), poll word  | ICW1 (D4=1), OCW3 (D3=1), OCW2 |
 * | slave    | 1   | IMR                           | ICW2-ICW4 while initialising, else OCW1 (IMR) |
 * | elcr     | 0   | ELCR1 (IRQ 0-7, 1 = level)    | ELCR1; IRQ 0, 1, 2 stay edge    |
 * |          | 1   | ELCR2 (IRQ 8-15)              | ELCR2; IRQ 8, 13 stay edge      |
 *
 * The CPU side: the master's INT output drives `output(level)` (the CPU's
 * INTR pin), and {@link Pic8259Pair.acknowledge} is the INTA cycle: it
 * returns the vector and moves the request from IRR to ISR.
 *
 * Deviations from hardware:
 * - An edge-triggered request stays latched in IRR until acknowledged even if
 *   the line falls first (the 8259A would answer such an INTA with IR7, a
 *   spurious interrupt). Emulated devices lower lines at arbitrary moments
 *   relative to the CPU, and losing their requests would be worse. Spurious
 *   IR7/IR15 still happen when an INTA finds nothing pending.
 * - The slave's INT reaches master IR2 as a level whatever the master's
 *   trigger mode, so a slave request pending while IR2 is in service is
 *   delivered after the master's EOI (as the latched edge would be).
 * - The cascade is wired to IR2 (ICW3 is stored but not used for routing);
 *   only 8086 mode (ICW4 µPM=1) vectors are produced; buffered mode is ignored.
 * - ICW1 also clears ISR (the datasheet lists IMR, priority, special mask and
 *   the read register; ISR is left unspecified).
 * - Level-triggered mode is on when either ICW1.LTIM or the ELCR bit is set
 *   (on the PIIX LTIM is ignored; a lone 8259A has no ELCR).
 * - The poll command acknowledges without automatic EOI.
 * - Power-on state is undefined in the datasheet: here all inputs are masked
 *   and the vector bases are 0 until firmware initialises the pair.
 */
import type { IoDevice, IrqLine } from './io-device.js';

const ICW1_IC4 = 0x01;    // ICW4 follows
const ICW1_SNGL = 0x02;   // single 8259, no ICW3
const ICW1_LTIM = 0x08;   // level-triggered inputs
const ICW1_INIT = 0x10;   // this write is ICW1
const OCW3_SELECT = 0x08; // with D4=0: OCW3 rather than OCW2
const OCW3_RIS = 0x01;    // read ISR (with RR) rather than IRR
const OCW3_RR = 0x02;     // apply RIS
const OCW3_POLL = 0x04;   // next read of port 0 is the poll word
const OCW3_SMM = 0x20;    // special mask mode on/off (with ESMM)
const OCW3_ESMM = 0x40;   // apply SMM
const ICW4_AEOI = 0x02;   // automatic EOI
const ICW4_SFNM = 0x10;   // special fully nested mode
const POLL_INT = 0x80;    // poll word: a request was pending

/** IRQ input of the master that the slave's INT drives. */
const CASCADE_IR = 2;
/** ELCR bits that are read-only 0 on the PIIX: IRQ 0, 1, 2 and IRQ 8, 13. */
const ELCR_WRITABLE = [0xf8, 0xde] as const;

/** Plain state of one 8259A. */
export interface Pic8259ChipState {
  /** Interrupt request register: edge-latched requests (level inputs are read from `lines`). */
  irr: number;
  /** In-service register. */
  isr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** Current levels of the eight input lines. */
  lines: number;
  /** ICW2 & 0xF8: the vector of IR0. */
  vectorBase: number;
  /** ICW1 as written (LTIM, SNGL, IC4). */
  icw1: number;
  icw3: number;
  icw4: number;
  /** Next initialisation word expected at offset 1 (2, 3 or 4), or 0 when operating. */
  initStep: number;
  /** OCW3: port 0 reads ISR (else IRR). */
  readIsr: boolean;
  /** OCW3: the next port-0 read is a poll. */
  poll: boolean;
  specialMask: boolean;
  /** OCW2 "rotate in automatic EOI mode". */
  rotateOnAutoEoi: boolean;
  /** The IR with the lowest priority (7 after ICW1; rotation moves it). */
  lowestPriority: number;
  /** Edge/level control register (1 = level). */
  elcr: number;
}

/** Plain-data state of the pair (snapshot format, version 1). */
export interface Pic8259State {
  version: 1;
  master: Pic8259ChipState;
  slave: Pic8259ChipState;
}

function powerOnChip(): Pic8259ChipState {
  return {
    irr: 0, isr: 0, imr: 0xff, lines: 0, vectorBase: 0, icw1: 0, icw3: 0, icw4: 0, initStep: 0,
    readIsr: false, poll: false, specialMask: false, rotateOnAutoEoi: false, lowestPriority: 7, elcr: 0,
  };
}

/**
 * One 8259A: registers, priority resolution and the command words. The pair
 * feeds the master's cascade input from the slave (see {@link Pic8259Pair}).
 */
class Chip implements IoDevice {
  /** Level of another chip's INT on each input (the master's IR2), ORed into the requests. */
  cascadeInputs = 0;

  constructor(public state: Pic8259ChipState, private readonly isMaster: boolean, private readonly changed: () => void) {}

  /** Inputs in level-triggered mode. */
  private levelMask(): number {
    return (this.state.icw1 & ICW1_LTIM) !== 0 ? 0xff : this.state.elcr;
  }

  /** IRR as the guest sees it: latched edges plus live levels. */
  requests(): number {
    const s = this.state;
    const level = this.levelMask();
    return ((s.irr & ~level) | (s.lines & level) | this.cascadeInputs) & 0xff;
  }

  setLine(ir: number, high: boolean): void {
    const s = this.state;
    const bit = 1 << ir;
    const wasHigh = (s.lines & bit) !== 0;
    if (high === wasHigh) return;
    if (high) {
      s.lines |= bit;
      s.irr |= bit; // the rising edge; ignored for level inputs, which read `lines`
    } else {
      s.lines &= ~bit;
    }
    this.changed();
  }

  private priority(ir: number): number {
    return (ir - this.state.lowestPriority - 1) & 7;
  }

  /** The highest-priority IR among `bits`, or -1. */
  private highest(bits: number): number {
    for (let p = 0; p < 8; p++) {
      const ir = (this.state.lowestPriority + 1 + p) & 7;
      if ((bits & (1 << ir)) !== 0) return ir;
    }
    return -1;
  }

  /** The IR this chip would present at INTA now, or -1 (datasheet "Priority Resolver"). */
  pending(): number {
    const s = this.state;
    const candidate = this.highest(this.requests() & ~s.imr);
    if (candidate < 0) return -1;
    // Special mask mode: masked levels in service do not block others (datasheet "Special Mask Mode").
    let inService = s.specialMask ? s.isr & ~s.imr : s.isr;
    // Special fully nested mode: the slave's higher-priority request passes its own in-service IR2.
    if (this.isMaster && (s.icw4 & ICW4_SFNM) !== 0 && candidate === CASCADE_IR) inService &= ~(1 << CASCADE_IR);
    const current = this.highest(inService);
    if (current >= 0 && this.priority(current) <= this.priority(candidate)) return -1;
    return candidate;
  }

  /** INTA for `ir`: IRR → ISR, or an automatic EOI (datasheet "Automatic End of Interrupt Mode"). */
  acknowledge(ir: number, autoEoiAllowed = true): void {
    const s = this.state;
    const bit = 1 << ir;
    s.irr &= ~bit;
    if (autoEoiAllowed && (s.icw4 & ICW4_AEOI) !== 0) {
      if (s.rotateOnAutoEoi) s.lowestPriority = ir;
    } else {
      s.isr |= bit;
    }
  }

  read(offset: number, _size?: 1 | 2 | 4): number {
    const s = this.state;
    if (offset !== 0) return s.imr;
    if (s.poll) {
      s.poll = false;
      const ir = this.pending();
      if (ir < 0) return 0;
      this.acknowledge(ir, false);
      this.changed();
      return POLL_INT | ir;
    }
    return s.readIsr ? s.isr : this.requests();
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const s = this.state;
    value &= 0xff;
    if (offset === 0) {
      if ((value & ICW1_INIT) !== 0) this.icw1(value);
      else if ((value & OCW3_SELECT) !== 0) this.ocw3(value);
      else this.ocw2(value);
    } else {
      switch (s.initStep) {
        case 2:
          s.vectorBase = value & 0xf8;
          s.initStep = (s.icw1 & ICW1_SNGL) === 0 ? 3 : (s.icw1 & ICW1_IC4) !== 0 ? 4 : 0;
          return;
        case 3:
          s.icw3 = value;
          s.initStep = (s.icw1 & ICW1_IC4) !== 0 ? 4 : 0;
          return;
        case 4:
          s.icw4 = value & 0x1f;
          s.initStep = 0;
          return;
        default:
          s.imr = value; // OCW1
      }
    }
    this.changed();
  }

  /** ICW1 resets the chip (datasheet "Initialization Command Words", items a-f). */
  private icw1(value: number): void {
    const s = this.state;
    s.icw1 = value;
    s.irr = 0;        // the edge sense circuit is reset: a line already high must fall and rise again
    s.isr = 0;
    s.imr = 0;
    s.lowestPriority = 7;
    s.specialMask = false;
    s.readIsr = false;
    s.poll = false;
    s.rotateOnAutoEoi = false;
    s.icw4 = 0;       // with IC4=0 every ICW4 function is zero
    s.initStep = 2;
  }

  /** OCW2: EOI and priority commands, by R SL EOI (D7-D5). */
  private ocw2(value: number): void {
    const s = this.state;
    const level = value & 7;
    switch (value >> 5) {
      case 0b001: this.eoi(this.highest(s.isr), false); break;  // non-specific EOI
      case 0b011: this.eoi(level, false); break;                  // specific EOI
      case 0b101: this.eoi(this.highest(s.isr), true); break;    // rotate on non-specific EOI
      case 0b111: this.eoi(level, true); break;                   // rotate on specific EOI
      case 0b100: s.rotateOnAutoEoi = true; break;
      case 0b000: s.rotateOnAutoEoi = false; break;
      case 0b110: s.lowestPriority = level; break;               // set priority
      default: break;                                              // 0b010: no operation
    }
  }

  private eoi(ir: number, rotate: boolean): void {
    if (ir < 0) return;
    this.state.isr &= ~(1 << ir);
    if (rotate) this.state.lowestPriority = ir;
  }

  private ocw3(value: number): void {
    const s = this.state;
    if ((value & OCW3_RR) !== 0) s.readIsr = (value & OCW3_RIS) !== 0;
    if ((value & OCW3_ESMM) !== 0) s.specialMask = (value & OCW3_SMM) !== 0;
    s.poll = (value & OCW3_POLL) !== 0;
  }
}

/** The ELCR pair at 0x4D0-0x4D1. */
class Elcr implements IoDevice {
  constructor(private readonly chips: readonly [Chip, Chip], private readonly changed: () => void) {}
  read(offset: number, _size?: 1 | 2 | 4): number { return this.chips[offset & 1].state.elcr; }
  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const chip = this.chips[offset & 1];
    chip.state.elcr = value & ELCR_WRITABLE[offset & 1];
    this.changed();
  }
}

/** The master/slave 8259A pair of a PC, with the PIIX ELCR. */
export class Pic8259Pair {
  /** Ports 0x20-0x21. */
  readonly master: IoDevice;
  /** Ports 0xA0-0xA1. */
  readonly slave: IoDevice;
  /** Ports 0x4D0-0x4D1. */
  readonly elcr: IoDevice;
  private readonly chips: [Chip, Chip];
  private readonly lines: IrqLine[] = [];
  private intr = false;

  /** `output` drives the CPU's INTR pin; it is called on every change of level. */
  constructor(private readonly output: (level: boolean) => void) {
    const update = () => this.update();
    this.chips = [new Chip(powerOnChip(), true, update), new Chip(powerOnChip(), false, update)];
    this.master = this.chips[0];
    this.slave = this.chips[1];
    this.elcr = new Elcr(this.chips, update);
    for (let n = 0; n < 16; n++) {
      const chip = this.chips[n >> 3], ir = n & 7;
      this.lines.push({ raise: () => chip.setLine(ir, true), lower: () => chip.setLine(ir, false) });
    }
  }

  /** The state record (live: the chips read and write it). */
  get state(): Pic8259State {
    return { version: 1, master: this.chips[0].state, slave: this.chips[1].state };
  }

  /** Restores a snapshot. */
  set state(s: Pic8259State) {
    this.chips[0].state = { ...s.master };
    this.chips[1].state = { ...s.slave };
    this.update();
  }

  /** Power-on reset of both chips (ELCR cleared, as by PCIRST#). */
  reset(): void {
    this.chips[0].state = powerOnChip();
    this.chips[1].state = powerOnChip();
    this.update();
  }

  /**
   * The input line of IRQ `n` (0-15). IRQ 2 is the cascade and has no line:
   * ISA devices wired to IRQ 2 reach IRQ 9 on an AT.
   */
  irqLine(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n > 15) throw new RangeError(`IRQ ${n} is not on the PIC (0-15)`);
    if (n === CASCADE_IR) throw new RangeError('IRQ 2 is the cascade input; use IRQ 9');
    return this.lines[n];
  }

  /** The master's INT output: the CPU should take an interrupt. */
  get interruptPending(): boolean { return this.intr; }

  /**
   * The INTA cycle: returns the vector and moves the request into service.
   * With nothing pending (the request went away) the answer is IR7 of the
   * chip asked, without setting its ISR: the spurious IRQ 7 or 15 that
   * guests recognise by reading ISR (datasheet "Interrupt Sequence").
   */
  acknowledge(): number {
    const [master, slave] = this.chips;
    const ir = master.pending();
    let vector: number;
    if (ir < 0) {
      vector = master.state.vectorBase | 7;
    } else {
      master.acknowledge(ir);
      if (ir === CASCADE_IR) {
        const sir = slave.pending();
        if (sir < 0) vector = slave.state.vectorBase | 7; // master's ISR2 stays set: the guest must EOI it
        else {
          slave.acknowledge(sir);
          vector = slave.state.vectorBase | sir;
        }
      } else {
        vector = master.state.vectorBase | ir;
      }
    }
    this.update();
    return vector;
  }

  /** Recomputes the slave's INT into master IR2 and the master's INT to the CPU. */
  private update(): void {
    const [master, slave] = this.chips;
    master.cascadeInputs = slave.pending() >= 0 ? 1 << CASCADE_IR : 0;
    const level = master.pending() >= 0;
    if (level !== this.intr) {
      this.intr = level;
      this.output(level);
    }
  }
}
