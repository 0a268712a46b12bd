/**
 * Guest time for the VM loop, two ways:
 *
 * - {@link RealTimeClock}: wall-clock time as the guest sees it. It follows
 *   the host's monotonic clock over any stretch longer than a few slices, but
 *   within a slice it advances with retired instructions at a steady rate, so
 *   the guest never sees the host's jitter (a GC pause, the event loop, the
 *   VM's own work between slices) as a jump in its TSC or PIT. Linux
 *   calibrates the TSC by timing a loop of PIT reads and rejects the result
 *   when one iteration takes ten times another; raw host time fails that
 *   test, paced time passes it (QEMU's `-icount shift=auto` is the same idea).
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
  /** Instructions to run before guest time reaches `deadlineNs` (at least 1; Infinity for no deadline). */
  instructionsUntil(deadlineNs: number): number;
  /** Between two slices: lets a paced clock re-measure the guest's speed and steer toward host time. */
  sync(): void;
  /**
   * The vCPU is halted until `deadlineNs` (Infinity: until something outside
   * wakes it). A virtual clock jumps to the deadline and returns 0; a
   * real-time clock returns how many host milliseconds to wait.
   */
  idle(deadlineNs: number): number;
}

/** The host's monotonic time in ns (any origin). */
export function hostMonotonicNs(): number {
  return performance.now() * 1e6;
}

/** First guess of host ns per guest instruction, until slices have been measured. */
const INITIAL_NS_PER_INSTRUCTION = 50;
/** Slices shorter than this many instructions are too noisy to measure the speed from. */
const MIN_MEASURED_INSTRUCTIONS = 1000;
/** The measured speed averages over about this many recent instructions (each slice weighs by its length). */
const SPEED_WINDOW_INSTRUCTIONS = 1e6;
/** Guest time behind host time is made up over about this long (by running the guest clock faster). */
const CATCH_UP_NS = 50e6;
/** Beyond this difference from host time the clock jumps rather than slews (a host stall, a debugger). */
const MAX_SLEW_NS = 1e9;
/** Bounds of the pace, relative to the measured speed: slewing never more than doubles or quarters it. */
const FASTEST_PACE = 2;
const SLOWEST_PACE = 0.25;

/**
 * Real time, paced by retired instructions: guest ns = anchor + (retired −
 * anchorRetired) × pace. Between slices ({@link sync}) the pace is set to the
 * measured host ns per instruction, sped up or slowed down in proportion to
 * how far guest time is behind or ahead of host time; guest time never goes
 * backward. While the vCPU is halted the clock catches up with host time at
 * once (nothing in the guest runs to see the step).
 */
export class RealTimeClock implements GuestClock {
  readonly nsPerInstruction = undefined;
  private readonly originNs: number;
  private anchorNs = 0;
  private anchorRetired: number;
  /** Guest ns per retired instruction in the current slice. */
  private pace = INITIAL_NS_PER_INSTRUCTION;
  /** Host ns per retired instruction, smoothed over slices. */
  private measured = INITIAL_NS_PER_INSTRUCTION;
  private measureHostNs: number;
  private measureRetired: number;

  /**
   * `retired` reads the vCPU's retired-instruction count (0 now: the clock is
   * made with its vCPU); `hostNowNs` the host's monotonic clock.
   */
  constructor(private readonly retired: () => number, private readonly hostNowNs: () => number = hostMonotonicNs) {
    this.originNs = hostNowNs();
    this.anchorRetired = this.measureRetired = 0;
    this.measureHostNs = this.originNs;
  }

  nowNs(): number {
    return this.anchorNs + (this.retired() - this.anchorRetired) * this.pace;
  }

  /** Host time since the clock was made, in ns. */
  hostNs(): number {
    return this.hostNowNs() - this.originNs;
  }

  instructionsUntil(deadlineNs: number): number {
    if (deadlineNs === Infinity) return Infinity;
    return Math.max(1, Math.ceil((deadlineNs - this.nowNs()) / this.pace));
  }

  sync(): void {
    const host = this.hostNs();
    const retired = this.retired();
    const ran = retired - this.measureRetired;
    if (ran >= MIN_MEASURED_INSTRUCTIONS) {
      const sample = (host + this.originNs - this.measureHostNs) / ran;
      this.measured += (sample - this.measured) * (1 - Math.exp(-ran / SPEED_WINDOW_INSTRUCTIONS));
      this.measureRetired = retired;
      this.measureHostNs = host + this.originNs;
    }
    const guest = this.nowNs();
    const lag = host - guest;
    this.anchorNs = lag > MAX_SLEW_NS ? host : guest;
    this.anchorRetired = retired;
    const steer = lag > MAX_SLEW_NS ? 1 : Math.min(FASTEST_PACE, Math.max(SLOWEST_PACE, 1 + lag / CATCH_UP_NS));
    this.pace = this.measured * steer;
  }

  idle(deadlineNs: number): number {
    const host = this.hostNs();
    const retired = this.retired();
    // Halted: step up to host time now, and restart the speed measurement after the pause.
    this.anchorNs = Math.max(host, this.nowNs());
    this.anchorRetired = this.measureRetired = retired;
    this.measureHostNs = host + this.originNs;
    return Math.max(0, (deadlineNs - this.anchorNs) / 1e6);
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

  instructionsUntil(deadlineNs: number): number {
    if (deadlineNs === Infinity) return Infinity;
    return Math.max(1, Math.ceil((deadlineNs - this.nowNs()) / this.nsPerInstruction));
  }

  sync(): void {}

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
