/**
 * Time for devices. Devices never read a host clock: the board gives them a
 * {@link Clock} (real time, or a deterministic clock derived from retired
 * instructions for reproducible runs), and devices with timers implement
 * {@link TimedDevice} so the VM's loop knows when to run them next.
 */

/** Guest time in nanoseconds since the machine was created. */
export interface Clock {
  nowNs(): number;
}

/** A device whose state changes with time (PIT, RTC, LAPIC timer, UART pacing…). */
export interface TimedDevice {
  /**
   * Brings the device's timers up to `nowNs` (raising IRQs that fell due)
   * and returns the time of its next event in ns, or Infinity if none.
   */
  advance(nowNs: number): number;
}

/** A clock driven by the caller, for deterministic runs and tests. */
export class ManualClock implements Clock {
  constructor(private timeNs = 0) {}
  nowNs(): number { return this.timeNs; }
  /** Moves time forward (never backward). */
  set(nowNs: number): void { if (nowNs > this.timeNs) this.timeNs = nowNs; }
  add(deltaNs: number): void { this.timeNs += deltaNs; }
}

/**
 * Whole periods of a `hz` clock that have elapsed `ns` nanoseconds after its
 * origin: floor(ns × hz / 1e9), exact for any ns below 2^53 (the product is
 * split so no intermediate leaves the integers a double holds exactly).
 */
export function ticksAt(ns: number, hz: number): number {
  if (ns <= 0) return Math.floor((ns * hz) / 1e9);
  const seconds = Math.floor(ns / 1e9);
  return seconds * hz + Math.floor(((ns - seconds * 1e9) * hz) / 1e9);
}

/** The first nanosecond at which a `hz` clock has counted `ticks` periods: ceil(ticks × 1e9 / hz). */
export function nsOfTick(ticks: number, hz: number): number {
  if (ticks === Infinity) return Infinity;
  const whole = Math.floor(ticks / hz);
  return whole * 1e9 + Math.ceil(((ticks - whole * hz) * 1e9) / hz);
}

