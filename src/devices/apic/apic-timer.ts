/**
 * The local APIC's timer (SDM Vol. 3A §10.5.4 "APIC Timer"): a 32-bit
 * down-counter clocked by the bus clock through a divider, one-shot or
 * periodic as the LVT timer entry says. The local APIC (local-apic.ts) owns
 * the registers and the LVT entry; this file owns the counting.
 *
 * | register (local APIC offset) | meaning |
 * |------------------------------|---------|
 * | 0x380 initial count | a write loads the counter and starts it; 0 stops it |
 * | 0x390 current count | read-only: counts down to 0; periodic mode reloads the initial count |
 * | 0x3E0 divide configuration | bits 3, 1:0: 000 = 2, 001 = 4, 010 = 8, 011 = 16, 100 = 32, 101 = 64, 110 = 128, 111 = 1 |
 *
 * Like the PIT, the timer is lazy: it keeps the tick of the divided clock at
 * which it was loaded and computes the count and the expiries from the
 * injected clock, so periodic interrupts fall on an exact grid.
 *
 * Lost ticks: as the PIT does (see pit-8254.ts), periodic expiries that fell
 * while the board had not called advance() (a late host, an overrun
 * real-time slice) are owed and delivered 100 µs apart, at most a second's
 * worth; periods of 100 µs or less merge instead. Expiries the guest misses
 * itself (masked, TPR, interrupts off) merge in IRR as on hardware.
 *
 * Deviations from hardware: the bus clock is a constant 100 MHz
 * ({@link APIC_BUS_HZ}); a P6's is the front-side bus frequency, which the
 * guest measures anyway.
 */
import type { Clock } from '../timing.js';

/** Frequency of the bus clock that drives the APIC timer (before the divider). */
export const APIC_BUS_HZ = 100_000_000;
/** One bus clock in ns: exact, so timer deadlines fall on an exact grid. */
const BUS_TICK_NS = 1e9 / APIC_BUS_HZ;
/** Spacing of owed periodic expiries delivered late (see "Lost ticks"). */
const CATCH_UP_NS = 100_000;

/** Plain state of the timer (part of the local APIC's snapshot). */
export interface ApicTimerState {
  initialCount: number;
  /** Divide configuration register (bits 3, 1:0). */
  divide: number;
  /** Divided-clock tick (since time 0) at which the count was loaded or rebased. */
  startTick: number;
  /** The count at startTick. */
  startCount: number;
  /** Divided-clock tick of the next expiry not yet delivered, or -1 when the timer is stopped. */
  dueTick: number;
  /** Periodic expiries that fell between two late advance() calls, still to deliver. */
  owed: number;
  /** When the last of them (or the expiry that made them owed) was delivered, in ns. */
  catchUpNs: number;
}

/** The timer after RESET: stopped, divide by 2. */
export function powerOnTimer(): ApicTimerState {
  return { initialCount: 0, divide: 0, startTick: 0, startCount: 0, dueTick: -1, owed: 0, catchUpNs: 0 };
}

/** What the timer needs from its local APIC. */
export interface ApicTimerHost {
  /** The live state record (the APIC replaces it on reset). */
  state(): ApicTimerState;
  /** LVT timer bit 17: periodic. */
  periodic(): boolean;
  /** The counter reached zero: interrupt through the LVT timer entry. */
  expire(): void;
  /** A register write moved the deadline. */
  changed(): void;
}

/** The APIC timer's counting. */
export class ApicTimer {
  constructor(private readonly clock: Clock, private readonly host: ApicTimerHost) {}

  /** Length of one tick of the divided clock (SDM §10.5.4, Figure 10-10 "Divide Configuration Register"). */
  private tickNs(): number {
    const d = this.host.state().divide;
    const code = ((d & 8) >> 1) | (d & 3);
    return BUS_TICK_NS * (code === 7 ? 1 : 2 << code);
  }

  /** The current-count register. */
  currentCount(nowNs = this.clock.nowNs()): number {
    const s = this.host.state();
    if (s.dueTick < 0) return 0;
    const elapsed = Math.floor(nowNs / this.tickNs()) - s.startTick;
    if (elapsed < s.startCount) return s.startCount - elapsed;
    if (!this.host.periodic()) return 0;
    return s.initialCount - ((elapsed - s.startCount) % s.initialCount);
  }

  /** Delivers the expiries that fell due; returns the next deadline in ns. */
  advance(nowNs: number): number {
    const s = this.host.state();
    const tickNs = this.tickNs();
    let fire = false;
    if (s.dueTick >= 0 && s.dueTick * tickNs <= nowNs) {
      fire = true;
      if (this.host.periodic() && s.initialCount > 0) {
        const periods = Math.floor((Math.floor(nowNs / tickNs) - s.dueTick) / s.initialCount) + 1;
        s.dueTick += s.initialCount * periods;
        const periodNs = s.initialCount * tickNs;
        if (periodNs > CATCH_UP_NS) s.owed = Math.min(s.owed + periods - 1, Math.ceil(1e9 / periodNs));
      } else {
        s.dueTick = -1;
        s.owed = 0;
      }
    } else if (s.owed > 0 && nowNs >= s.catchUpNs + CATCH_UP_NS) {
      fire = true;
      s.owed--;
    }
    if (fire) {
      s.catchUpNs = nowNs;
      this.host.expire();
    }
    const due = s.dueTick >= 0 ? s.dueTick * tickNs : Infinity;
    return s.owed > 0 ? Math.min(due, s.catchUpNs + CATCH_UP_NS) : due;
  }

  /** A write to the initial-count register: loads the counter (0 stops it). */
  writeInitialCount(value: number): void {
    this.reprogram(() => {
      const s = this.host.state();
      s.initialCount = value >>> 0;
      s.owed = 0;
    }, value >>> 0);
  }

  /** A write to the divide configuration register: the count goes on at the new rate. */
  writeDivide(value: number): void {
    this.reprogram(() => { this.host.state().divide = value & 0xb; });
  }

  /** The LVT timer's mode bit changes (by `apply`): the count goes on in the new mode. */
  changeMode(apply: () => void): void {
    this.reprogram(apply);
  }

  /** Delivers what fell due under the old settings, applies, and restarts from the remaining (or a new) count. */
  private reprogram(apply: () => void, restart?: number): void {
    const now = this.clock.nowNs();
    this.advance(now);
    const remaining = this.currentCount(now);
    apply();
    const s = this.host.state();
    const count = restart ?? remaining;
    if (count === 0) s.owed = 0;
    s.startTick = Math.floor(now / this.tickNs());
    s.startCount = count;
    s.dueTick = count > 0 ? s.startTick + count : -1;
    this.host.changed();
  }
}
