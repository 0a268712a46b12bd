/**
 * Intel 8254 programmable interval timer (Intel 82C54 CHMOS Programmable
 * Interval Timer datasheet, order no. 231244), clocked at 1.193182 MHz as on
 * every PC. Counter 0's OUT drives IRQ 0; counter 1 (DRAM refresh on the AT)
 * drives nothing; counter 2's GATE and OUT are bits 0 and 5 of port 0x61
 * (see port-61.ts), for the speaker and the calibration loops of SeaBIOS and
 * Linux.
 *
 * | off | read             | write                                   |
 * |-----|------------------|-----------------------------------------|
 * | 0   | counter 0        | counter 0 initial count                 |
 * | 1   | counter 1        | counter 1 initial count                 |
 * | 2   | counter 2        | counter 2 initial count                 |
 * | 3   | (0xFF)           | control word, counter latch, read-back  |
 *
 * Counters are not stepped: each one remembers the clock tick at which its
 * count was loaded, and its value and OUT at any later tick follow from the
 * mode's arithmetic (datasheet "Mode Definitions"). Ticks come from the
 * injected Clock, so periodic interrupts fall at exact multiples of the
 * period and never drift, however late the board calls advance().
 *
 * Lost ticks: an edge of counter 0's OUT that falls while the board has not
 * called advance() (the host was late, or a real-time slice overran) would
 * merge with the next one. Such edges are owed instead and delivered 100 µs
 * apart (QEMU's lost_tick_policy=delay), at most a second's worth.
 * Edges the guest itself misses, with IRQ 0 masked or interrupts off, still
 * merge in the PIC's IRR as on hardware: advance() is on time for those.
 *
 * Deviations from hardware:
 * - A count written in mode 3 while counting takes effect at the end of the
 *   current full period (the 8254 reloads at the end of the half-cycle).
 * - In mode 3 the value read is a model of the count-by-two sequence
 *   (N, N-2, … per half-cycle), exact in phase but not in every odd-count detail.
 * - Counts of 1 in modes 2 and 3 (illegal on the 8254) produce no interrupts.
 * - Power-on state is undefined in the datasheet: here every counter is
 *   unprogrammed and not counting, with OUT high, so that the first control
 *   word for mode 2 or 3 makes no rising edge (a mode 0 control word still
 *   drives OUT low, and a later mode 2 control word then raises it: an IRQ 0
 *   edge, as on hardware).
 */
import type { Clock, TimedDevice } from './timing.js';
import { nsOfTick, ticksAt } from './timing.js';
import type { IoDevice, IrqLine } from './io-device.js';

/** The PC's PIT input clock: 14.31818 MHz / 12. */
export const PIT_HZ = 1_193_182;
/** Owed IRQ 0 edges are delivered 100 µs of guest time apart, enough for the guest to take each one. */
const CATCH_UP_TICKS = Math.ceil((100_000 * PIT_HZ) / 1e9);

const CW_BCD = 0x01;        // count in BCD (four decades)
const CW_MODE = 0x0e;       // M2-M0
const CW_ACCESS = 0x30;     // RW1-RW0: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB
const CW_SELECT = 0xc0;     // SC1-SC0: counter, or 3 for read-back
const RB_NOT_COUNT = 0x20;  // read-back: do not latch the count
const RB_NOT_STATUS = 0x10; // read-back: do not latch the status
const STATUS_OUT = 0x80;
const STATUS_NULL = 0x40;
const ACCESS_LSB = 1, ACCESS_MSB = 2, ACCESS_WORD = 3;

/** Plain state of one counter. Ticks count PIT clock periods since the machine started. */
export interface PitCounterState {
  /** Control-word bits D5-D0 as written (the read-back status shows them). */
  control: number;
  /** Effective mode 0-5 (modes 6 and 7 are 2 and 3). */
  mode: number;
  bcd: boolean;
  /** 1 LSB, 2 MSB, 3 LSB then MSB; 0 before the first control word. */
  access: number;
  /** Count register as written (raw bytes; 0 means 2^16 or 10^4). */
  countRegister: number;
  /** A complete count was written since the control word. */
  armed: boolean;
  /** Two-byte access: the LSB was written and the MSB is awaited. */
  writeMsbNext: boolean;
  /** Two-byte access: the next read returns the MSB. */
  readMsbNext: boolean;
  /** Latched count (decimal value in BCD mode), or -1. */
  latch: number;
  /** Latched status byte, or -1. */
  status: number;
  /** Status NULL COUNT: the count register has not reached the counting element yet. */
  nullCount: boolean;
  gate: boolean;
  /** CE is counting from `loadTick` (false: waiting for a count or a trigger, or stopped). */
  counting: boolean;
  /** Tick at which CE was loaded with `count`. */
  loadTick: number;
  /** Initial count in effect, 1-65536 (binary) or 1-10000 (BCD). */
  count: number;
  /** Modes 2 and 3: a new count waiting for the end of the period, or -1 ... */
  nextCount: number;
  /** ... and the tick of that period end. */
  nextCountTick: number;
  /** Counting suspended by GATE low in modes 0 and 4: ticks counted so far, or -1. */
  frozenAt: number;
  /** CE while not counting (what a read returns then). */
  held: number;
  /** OUT while not counting. */
  heldOut: boolean;
  /** IRQ edges up to this tick have been delivered (counter 0). */
  irqTick: number;
  /** Counter 0: rising edges that fell between two late advance() calls, still to deliver ... */
  owedEdges: number;
  /** ... and the tick of the last one delivered. */
  catchUpTick: number;
}

/** Plain-data state of the PIT (snapshot format, version 1). */
export interface Pit8254State {
  version: 1;
  counters: [PitCounterState, PitCounterState, PitCounterState];
}

function powerOnCounter(gate: boolean): PitCounterState {
  return {
    control: 0, mode: 0, bcd: false, access: 0, countRegister: 0, armed: false, writeMsbNext: false,
    readMsbNext: false, latch: -1, status: -1, nullCount: true, gate, counting: false, loadTick: 0,
    count: 0x10000, nextCount: -1, nextCountTick: 0, frozenAt: -1, held: 0, heldOut: true, irqTick: 0, owedEdges: 0, catchUpTick: 0,
  };
}

function toBcd(v: number): number {
  return (v % 10) | (Math.floor(v / 10) % 10) << 4 | (Math.floor(v / 100) % 10) << 8 | (Math.floor(v / 1000) % 10) << 12;
}

function fromBcd(v: number): number {
  return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

/** The three-counter 8254 of a PC. */
export class Pit8254 implements IoDevice, TimedDevice {
  state: Pit8254State = { version: 1, counters: [powerOnCounter(true), powerOnCounter(true), powerOnCounter(false)] };

  constructor(private readonly clock: Clock, private readonly irq0: IrqLine) {}

  /** Power-on reset. Counter 2's gate keeps the level port 0x61 drives; IRQ 0 follows OUT at the next advance. */
  reset(): void {
    const gate2 = this.state.counters[2].gate;
    this.state = { version: 1, counters: [powerOnCounter(true), powerOnCounter(true), powerOnCounter(gate2)] };
  }

  private now(): number {
    return ticksAt(this.clock.nowNs(), PIT_HZ);
  }

  // ---- port interface ---------------------------------------------------------

  read(offset: number, _size?: 1 | 2 | 4): number {
    if (offset > 2) return 0xff; // the control register is write-only
    const c = this.state.counters[offset];
    if (c.status >= 0) {
      // Status latched by read-back comes first, then a latched count (datasheet "Read-Back Command").
      const s = c.status;
      c.status = -1;
      return s;
    }
    const latched = c.latch >= 0;
    const value = latched ? c.latch : this.value(c, this.now());
    const raw = c.bcd ? toBcd(value) : value & 0xffff;
    let byte: number;
    if (c.access === ACCESS_WORD) {
      byte = c.readMsbNext ? raw >> 8 : raw & 0xff;
      c.readMsbNext = !c.readMsbNext;
      if (latched && !c.readMsbNext) c.latch = -1;
    } else {
      byte = c.access === ACCESS_MSB ? raw >> 8 : raw & 0xff;
      if (latched) c.latch = -1;
    }
    return byte;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    const t = this.now();
    this.updateIrq(t); // edges of the old programming first
    if (offset === 3) this.command(value, t);
    else this.writeCount(offset, value, t);
    this.updateIrq(t);
  }

  /** Sets counter `n`'s GATE input (only counter 2's is not tied high on a PC). */
  setGate(n: number, high: boolean): void {
    const c = this.state.counters[n];
    if (c.gate === high) return;
    const t = this.now();
    if (n === 0) this.updateIrq(t);
    this.settle(c, t);
    c.gate = high;
    switch (c.mode) {
      case 0: case 4:
        // GATE low suspends counting; high resumes it (datasheet Modes 0 and 4).
        if (!c.counting) break;
        if (!high) c.frozenAt = Math.max(0, t - c.loadTick);
        else if (c.frozenAt >= 0) { c.loadTick = t - c.frozenAt; c.frozenAt = -1; }
        break;
      case 2: case 3:
        // GATE low stops counting with OUT high; the rising edge reloads the count on the next clock.
        if (!high) {
          if (c.counting) this.stop(c, t, true);
        } else if (c.armed) {
          this.start(c, t + 1, this.initialCount(c));
        }
        break;
      default:
        // Modes 1 and 5: the rising edge triggers (or retriggers) the count.
        if (high && c.armed) this.start(c, t + 1, this.initialCount(c));
    }
    if (n === 0) this.updateIrq(t);
  }

  /** Counter `n`'s OUT pin now. */
  output(n: number): boolean {
    const c = this.state.counters[n];
    const t = this.now();
    this.settle(c, t);
    return this.out(c, t);
  }

  /** Delivers IRQ 0 edges up to now; returns the time of the next one. */
  advance(nowNs: number): number {
    const t = ticksAt(nowNs, PIT_HZ);
    const c = this.state.counters[0];
    this.updateIrq(t);
    if (c.owedEdges > 0 && t >= c.catchUpTick + CATCH_UP_TICKS) {
      // Catching up: one owed edge per 100 µs, so the guest takes each.
      this.irq0.lower();
      this.irq0.raise();
      c.owedEdges--;
      c.catchUpTick = t;
      if (!this.out(c, t)) this.irq0.lower();
    }
    const next = this.nextRisingEdge(c, t);
    return nsOfTick(c.owedEdges > 0 ? Math.min(next, c.catchUpTick + CATCH_UP_TICKS) : next, PIT_HZ);
  }

  // ---- commands -------------------------------------------------------------

  private command(value: number, t: number): void {
    const select = (value & CW_SELECT) >> 6;
    if (select === 3) { this.readBack(value, t); return; }
    const c = this.state.counters[select];
    this.settle(c, t);
    const access = (value & CW_ACCESS) >> 4;
    if (access === 0) {
      // Counter latch command: a second latch before the read is ignored.
      if (c.latch < 0) c.latch = this.value(c, t);
      return;
    }
    // A control word resets the counter's logic and sets OUT to its mode's initial level.
    this.stop(c, t, false);
    c.owedEdges = 0;
    c.control = value & 0x3f;
    c.mode = (value & CW_MODE) >> 1;
    if (c.mode > 5) c.mode -= 4;
    c.bcd = (value & CW_BCD) !== 0;
    c.access = access;
    c.armed = false;
    c.writeMsbNext = false;
    c.readMsbNext = false;
    c.latch = -1;
    c.status = -1;
    c.nullCount = true;
    c.heldOut = c.mode !== 0;
  }

  /** Read-back command (datasheet "Read-Back Command"): latch counts and/or status of several counters. */
  private readBack(value: number, t: number): void {
    for (let n = 0; n < 3; n++) {
      if ((value & (2 << n)) === 0) continue;
      const c = this.state.counters[n];
      this.settle(c, t);
      if ((value & RB_NOT_STATUS) === 0 && c.status < 0) {
        c.status = (this.out(c, t) ? STATUS_OUT : 0) | (this.isNullCount(c, t) ? STATUS_NULL : 0) | c.control;
      }
      if ((value & RB_NOT_COUNT) === 0 && c.latch < 0) c.latch = this.value(c, t);
    }
  }

  private writeCount(n: number, byte: number, t: number): void {
    const c = this.state.counters[n];
    if (c.access === 0) return;
    this.settle(c, t);
    c.nullCount = true;
    if (c.access === ACCESS_WORD && !c.writeMsbNext) {
      c.countRegister = (c.countRegister & 0xff00) | byte;
      c.writeMsbNext = true;
      // Mode 0: writing the first byte stops the count and drives OUT low at once.
      if (c.mode === 0 && c.counting) this.stop(c, t, false);
      return;
    }
    if (c.access === ACCESS_WORD) c.countRegister = (c.countRegister & 0xff) | (byte << 8);
    else if (c.access === ACCESS_LSB) c.countRegister = byte;
    else c.countRegister = byte << 8;
    c.writeMsbNext = false;
    c.armed = true;
    const count = this.initialCount(c);
    switch (c.mode) {
      case 0: case 4:
        // The count is loaded on the next clock; GATE low holds it there.
        this.start(c, t + 1, count);
        if (!c.gate) c.frozenAt = 0;
        break;
      case 2: case 3:
        if (c.counting && t >= c.loadTick) {
          // A new count takes effect when the current period ends (datasheet Mode 2).
          c.nextCount = count;
          c.nextCountTick = c.loadTick + (Math.floor((t - c.loadTick) / c.count) + 1) * c.count;
        } else if (c.gate) {
          this.start(c, t + 1, count);
        }
        break;
      default:
        break; // modes 1 and 5 wait for a GATE trigger
    }
  }

  private initialCount(c: PitCounterState): number {
    const raw = c.countRegister & 0xffff;
    if (c.bcd) return fromBcd(raw) || 10000;
    return raw || 0x10000;
  }

  private start(c: PitCounterState, loadTick: number, count: number): void {
    c.counting = true;
    c.loadTick = loadTick;
    c.count = count;
    c.nextCount = -1;
    c.frozenAt = -1;
  }

  private stop(c: PitCounterState, t: number, out: boolean): void {
    c.held = this.value(c, t);
    c.counting = false;
    c.nextCount = -1;
    c.frozenAt = -1;
    c.heldOut = out;
  }

  /** Applies a pending mode 2/3 count whose period has ended. */
  private settle(c: PitCounterState, t: number): void {
    if (c.nextCount >= 0 && t >= c.nextCountTick) this.start(c, c.nextCountTick, c.nextCount);
  }

  // ---- the counting element ---------------------------------------------------

  /** CE at tick t, as a number (decimal in BCD mode). */
  private value(c: PitCounterState, t: number): number {
    if (!c.counting) return c.held;
    const k = c.frozenAt >= 0 ? c.frozenAt : t - c.loadTick;
    if (k < 0) return c.held; // loaded on the next clock
    const modulus = c.bcd ? 10000 : 0x10000;
    const n = c.count;
    switch (c.mode) {
      case 2: return (n - (k % n)) % modulus;
      case 3: {
        // Counts down by two each half-cycle; an odd count starts each half at N-1.
        const j = k % n;
        const half = Math.ceil(n / 2);
        const v = n - 2 * (j < half ? j : j - half) - (n & 1);
        return v % modulus;
      }
      default: return (((n - k) % modulus) + modulus) % modulus;
    }
  }

  /** OUT at tick t (datasheet "Mode Definitions"). */
  private out(c: PitCounterState, t: number): boolean {
    if (!c.counting) return c.heldOut;
    const k = c.frozenAt >= 0 ? c.frozenAt : t - c.loadTick;
    const n = c.count;
    switch (c.mode) {
      case 0: return k >= n;                     // low until terminal count, then high
      case 1: return k < 0 || k >= n;            // low from the trigger's load until terminal count
      case 2: return k < 0 || k % n !== n - 1;   // low for the one clock before each reload
      case 3: return k < 0 || k % n < Math.ceil(n / 2);
      default: return k !== n;                   // modes 4, 5: a one-clock low strobe at terminal count
    }
  }

  private isNullCount(c: PitCounterState, t: number): boolean {
    if (c.nullCount && c.counting && c.nextCount < 0 && !c.writeMsbNext && t >= c.loadTick) c.nullCount = false;
    return c.nullCount;
  }

  /** The first tick after `t` at which OUT rises, or Infinity. */
  private nextRisingEdge(c: PitCounterState, t: number): number {
    if (!c.counting || c.frozenAt >= 0) return Infinity;
    const n = c.count;
    const s = c.loadTick;
    switch (c.mode) {
      case 0: case 1: return s + n > t ? s + n : Infinity;
      case 4: case 5: return s + n + 1 > t ? s + n + 1 : Infinity;
      default: {
        if (c.nextCount >= 0 && t >= c.nextCountTick) {
          // The old period ended at nextCountTick; the new count rules after it.
          const m = c.nextCount, b = c.nextCountTick;
          return m < 2 ? Infinity : b + (Math.floor((t - b) / m) + 1) * m;
        }
        if (n < 2) return c.nextCount >= 0 ? c.nextCountTick : Infinity;
        return t < s ? s + n : s + (Math.floor((t - s) / n) + 1) * n;
      }
    }
  }

  /** Rising edges of OUT in the ticks (a, b]. */
  private risingEdgesIn(c: PitCounterState, a: number, b: number): number {
    const first = this.nextRisingEdge(c, a);
    if (first > b) return 0;
    if (c.mode !== 2 && c.mode !== 3) return 1;
    const switchTick = c.nextCount >= 0 ? c.nextCountTick : Infinity;
    const newPeriod = c.nextCount >= 2 ? c.nextCount : Infinity;
    if (first >= switchTick) return 1 + Math.floor((b - first) / newPeriod);
    if (b < switchTick) return 1 + Math.floor((b - first) / c.count);
    // Old periods up to the switch (itself an edge), then the new count's.
    return 1 + Math.floor((switchTick - first) / c.count) + Math.floor((b - switchTick) / newPeriod);
  }

  /** Drives IRQ 0 from counter 0's OUT, pulsing it for rising edges since the last call. */
  private updateIrq(t: number): void {
    const c = this.state.counters[0];
    if (t < c.irqTick) return;
    const edges = this.risingEdgesIn(c, c.irqTick, t);
    this.settle(c, t);
    c.irqTick = t;
    if (edges > 0) {
      this.irq0.lower();
      this.irq0.raise();
      // More than one: the board came late; owe the rest, up to a second's worth.
      const perSecond = c.mode === 2 || c.mode === 3 ? Math.ceil(PIT_HZ / c.count) : 1;
      c.owedEdges = Math.min(c.owedEdges + edges - 1, perSecond);
      c.catchUpTick = t;
    }
    if (this.out(c, t)) this.irq0.raise();
    else this.irq0.lower();
  }
}
