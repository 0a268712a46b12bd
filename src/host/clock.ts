/**
 * Guest time for the VM loop, two ways:
 *
 * - {@link RealTimeClock}: the host's monotonic clock (`performance.now()`,
 *   in Node and in browsers), so the guest's timers run at wall-clock speed
 *   whatever the emulation speed.
 * - {@link InstructionClock}: guest time is retired instructions × a fixed
 *   number of nanoseconds, plus the time skipped while the vCPU is halted.
 *   Runs are reproducible: the same guest sees the same interrupts at the same
 *   instructions on any host.
 *
 * Both satisfy the devices' `Clock` (src/devices/timing.ts) structurally;
 * this folder does not import devices, and devices never import this one.
 */

/** A clock the VM loop can drive (and devices can read). */
export interface GuestClock {
  /** Guest time in nanoseconds since the machine was created. */
  nowNs(): number;
  /** Exact guest nanoseconds per retired instruction, when time is counted in instructions. */
  readonly nsPerInstruction: number | undefined;
  /**
   * The vCPU is halted until `deadlineNs` (Infinity: until something outside
   * wakes it). A virtual clock jumps to the deadline and returns 0; a
   * real-time clock returns how many host milliseconds to wait.
   */
  idle(deadlineNs: number): number;
}

/** Host monotonic time, starting at 0 when the clock is made. */
export class RealTimeClock implements GuestClock {
  readonly nsPerInstruction = undefined;
  private readonly originMs = performance.now();

  nowNs(): number { return (performance.now() - this.originMs) * 1e6; }

  idle(deadlineNs: number): number {
    return Math.max(0, (deadlineNs - this.nowNs()) / 1e6);
  }
}

/** Default guest speed of the instruction clock: 10 ns per instruction, a 100 MIPS machine. */
export const DEFAULT_NS_PER_INSTRUCTION = 10;

/** Guest time from retired instructions (deterministic). */
export class InstructionClock implements GuestClock {
  /** Guest time skipped while halted, in ns. */
  skippedNs = 0;

  /** `retired` reads the vCPU's retired-instruction count. */
  constructor(private readonly retired: () => number, readonly nsPerInstruction = DEFAULT_NS_PER_INSTRUCTION) {
    if (!(nsPerInstruction > 0)) throw new RangeError('nsPerInstruction must be positive');
  }

  nowNs(): number { return this.retired() * this.nsPerInstruction + this.skippedNs; }

  idle(deadlineNs: number): number {
    if (deadlineNs === Infinity) return Infinity;
    // Whole instructions' worth, at least one, so guest time stays on the
    // instruction grid (the TSC follows it) and a deadline at `now` cannot stall the loop.
    const instructions = Math.max(1, Math.ceil((deadlineNs - this.nowNs()) / this.nsPerInstruction));
    this.skippedNs += instructions * this.nsPerInstruction;
    return 0;
  }
}

/** The host's wall-clock time in ms since 1970, for the RTC of a real-time machine. */
export function hostWallClockMs(): number {
  return Date.now();
}
