/**
 * One virtual machine: guest memory, the PC board of devices on the I/O bus
 * (pc-board.ts), a guest clock and a vCPU (vcpu.ts). `runSlice()` runs the
 * vCPU until an exit; `run()` is the loop that handles exits and runs the
 * board's timers between slices until the guest is done. The debug console (0xE9)
 * and isa-debug-exit (0xF4) that test kernels use sit beside the board.
 */
import { Cpu, hex } from '../cpu/cpu.js';
import { defaultFeatures, Feature } from '../cpu/features.js';
import { PhysicalMemory } from '../cpu/physical-memory.js';
import type { TranslatorOptions } from '../cpu/translator/index.js';
import { Msr, Seg } from '../cpu/registers.js';
import { SensitiveOp, type SystemInterface } from '../cpu/system-interface.js';
import { IoBus } from '../devices/io-bus.js';
import { DebugConsole, DebugExit } from '../devices/debug-port.js';
import { DeliveryMode, describeMessage } from '../devices/apic/apic-message.js';
import type { Uart16550 } from '../devices/uart-16550.js';
import { hostWallClockMs, InstructionClock, RealTimeClock, type GuestClock } from '../host/clock.js';
import type { VmExit } from './vm-exit.js';
import { emptyExitCounts, Vcpu, vectorName, type ExitCounts } from './vcpu.js';
import { PcBoard, type IdeDrive } from './pc-board.js';
import { PORTS } from './layout.js';
import { OutputBuffer } from './output-buffer.js';

/** How guest time passes. */
export type TimeSource =
  /** Host monotonic time: guest timers run at wall-clock speed. */
  | { kind: 'realtime' }
  /** Retired instructions × nsPerInstruction (default 10), jumping over halts: reproducible runs. */
  | { kind: 'instructions'; nsPerInstruction?: number };

/** Options for a {@link Vm}. */
export interface VmOptions {
  /** Guest RAM in bytes. */
  memBytes: number;
  /** Where guest console output goes (COM1, and the 0xE9 debug console unless `debugOutput` is given), once per run slice (output-buffer.ts). */
  output: (bytes: Uint8Array) => void;
  /** Where the 0xE9 debug console goes, if not to `output`. */
  debugOutput?: (bytes: Uint8Array) => void;
  /** Where firmware's log (QEMU debugcon port 0x402, SeaBIOS) goes; dropped when absent. */
  firmwareLog?: (bytes: Uint8Array) => void;
  /** COM2, COM3, COM4 output; a port without one is left off the board. */
  moreSerialOutputs?: ReadonlyArray<((bytes: Uint8Array) => void) | undefined>;
  /** Diagnostics from the monitor itself (unclaimed ports, …). */
  log?: (line: string) => void;
  /** Most instructions per run slice (slices end earlier at timer deadlines). */
  sliceInstructions?: number;
  /** Guest time: real time (default) or deterministic instruction time. */
  time?: TimeSource;
  /** What the RTC shows at start, ms since 1970: default the host's time, or 2020-01-01 00:00 UTC with instruction time. */
  rtcStartMs?: number;
  /** End the run when the guest asks for a reset instead of resetting (QEMU's -no-reboot). */
  noReboot?: boolean;
  /**
   * The x86 → JS translator (issue 6): on by default; `false` runs the
   * interpreter alone (`--no-jit`); an object tunes it (hot threshold,
   * per-class emitters for a strategy).
   */
  jit?: boolean | TranslatorOptions;
  /** IDE drives: primary master, primary slave, secondary master, secondary slave. */
  drives?: ReadonlyArray<IdeDrive | undefined>;
}

/** How a VM's run ended. */
export interface VmResult {
  /** Host exit status: debug-exit's (v << 1) | 1, 0 for a clean halt or power-off, 6 for a triple fault. */
  status: number;
  exit: VmExit;
  /** One line for the user. */
  message: string;
}

/** Status a triple fault ends the run with (distinct from the debug-exit statuses, which are odd). */
export const TRIPLE_FAULT_STATUS = 3 << 1;

/** The RTC's start with instruction time, so runs do not depend on the host's date. */
const DETERMINISTIC_RTC_START_MS = Date.UTC(2020, 0, 1);
/** Longest host sleep of a halted vCPU before the loop looks again (host input wakes it sooner). */
const MAX_IDLE_MS = 50;
/**
 * TSC frequency of a real-time machine. Guest software measures it (Linux
 * against the PIT); a GHz-class rate keeps RDTSC deltas fine-grained.
 */
export const REALTIME_TSC_HZ = 1_000_000_000;
/** Loop iterations between yields to the host's event loop, when slices are short. */
const YIELD_ITERATIONS = 1000;

/** A virtual machine with one vCPU. */
export class Vm {
  readonly memory: PhysicalMemory;
  readonly io = new IoBus();
  /** The vCPUs (one, for now: the board has one local APIC). */
  readonly vcpus: readonly Vcpu[];
  readonly clock: GuestClock;
  readonly board: PcBoard;
  private readonly log: (line: string) => void;
  private readonly slice: number;
  private readonly noReboot: boolean;
  /** The earliest timer deadline, as of the last advanceTimers. */
  private deadlineNs = Infinity;
  /** What the console (COM1 and, unless it has its own, the 0xE9 debug port) wrote in the current slice. */
  private readonly console: OutputBuffer;
  /** Ends the current idle sleep early (set while sleeping). */
  private wake: (() => void) | undefined;

  constructor(options: VmOptions) {
    this.log = options.log ?? (() => {});
    this.console = new OutputBuffer(options.output);
    this.slice = options.sliceInstructions ?? 1_000_000;
    this.noReboot = options.noReboot ?? false;
    this.memory = new PhysicalMemory({
      ramBytes: options.memBytes,
      onUnmapped: (gpa, write) => this.log(`unmapped memory ${write ? 'write' : 'read'} at 0x${hex(gpa, 8)}`),
    });
    this.io.onUnclaimed = (port, write) => this.log(`unclaimed I/O port ${write ? 'write' : 'read'} at 0x${hex(port, 4)}`);
    const time = options.time ?? { kind: 'realtime' };
    this.clock = time.kind === 'realtime'
      ? new RealTimeClock(() => this.cpu.instructions)
      : new InstructionClock(() => this.cpu.instructions, time.nsPerInstruction);

    // The CPU first: the instruction clock and the board's devices read it; its
    // system interface reaches the board only when the guest runs.
    const io = this.io;
    const system: SystemInterface = {
      ioRead: (port, size) => {
        vcpu.exitCounts['io-in']++;
        const value = io.read(port, size);
        this.checkDeadline();
        return value;
      },
      ioWrite: (port, size, value) => {
        vcpu.exitCounts['io-out']++;
        io.write(port, size, value);
        this.checkDeadline();
      },
      acknowledgeInterrupt: () => this.board.acknowledgeInterrupt(),
      fpuError: (asserted) => this.board.coprocessorError.setFerr(asserted),
      onSensitive: (op, detail) => {
        if (op === SensitiveOp.Wrmsr && detail === Msr.APIC_BASE) {
          this.board.setApicBase(this.cpu.apicBase); // may move the APIC page (the map-change listener flushes the TLB)
        }
      },
    };
    // The board has a local APIC, so CPUID reports one (while IA32_APIC_BASE enables it).
    const features = defaultFeatures();
    features.edx |= Feature.APIC;
    const jit = options.jit ?? true;
    const cpu = new Cpu({ memory: this.memory, system, features, translator: jit === false ? false : jit === true ? {} : jit });
    cpu.tscTicks = this.tscTimeBase();
    const vcpu = new Vcpu(0, cpu);
    this.vcpus = [vcpu];
    // PAM, PCI BARs and APIC moves change what a physical page is: drop cached translations.
    this.memory.onMapChange(() => this.cpu.flushTlb(true));

    const out = this.console.push;
    const debugOut = options.debugOutput;
    this.io.attach(PORTS.debugConsole, 1, new DebugConsole(debugOut ? (b) => debugOut(Uint8Array.of(b)) : out), 'debug console');
    const firmwareLog = options.firmwareLog;
    this.io.attach(PORTS.firmwareLog, 1, new DebugConsole(firmwareLog ? (b) => firmwareLog(Uint8Array.of(b)) : () => {}), 'firmware log');
    this.io.attach(PORTS.debugExit, 4, new DebugExit((status) => vcpu.requestExit({ reason: 'debug-exit', status })), 'isa-debug-exit');
    const more = (options.moreSerialOutputs ?? []).map((f) => f && ((b: number) => f(Uint8Array.of(b))));
    this.board = new PcBoard({
      io: this.io,
      memory: this.memory,
      clock: this.clock,
      setIntr: (level) => {
        this.cpu.setIntr(level);
        if (level) this.wake?.();
      },
      nmi: () => {
        this.cpu.nmiPending = true;
        this.wake?.();
      },
      onIpi: (m) => {
        // An INIT level de-assert only resynchronises arbitration IDs (SDM Vol. 3A §10.6.1): nothing is lost.
        if (m.deliveryMode === DeliveryMode.Init && !m.assert) return;
        this.log(`IPI ${describeMessage(m)} not delivered: the machine has one processor`);
      },
      a20: {
        setA20: (enabled) => {
          this.cpu.a20Mask = enabled ? -1 : ~(1 << 20);
          this.cpu.flushTlb(true);
        },
      },
      setIgnne: (asserted) => { this.cpu.fpu.ignne = asserted; },
      requestReset: () => vcpu.requestExit({ reason: 'reset' }),
      powerOff: () => vcpu.requestExit({ reason: 'poweroff' }),
      // A reprogrammed timer may be due sooner than the slice was sized for.
      timersChanged: () => this.cpu.requestStop(),
      rtcStartMs: options.rtcStartMs ?? (time.kind === 'realtime' ? hostWallClockMs() : DETERMINISTIC_RTC_START_MS),
      serial: [out, ...more],
      ide: options.drives,
      log: this.log,
    });
    this.board.configureCmos({
      ramBelow4GiBBytes: options.memBytes,
      fpu: (this.cpu.features.edx & Feature.FPU) !== 0,
    });
  }

  /** The boot processor's CPU model. */
  get cpu(): Cpu { return this.vcpus[0].cpu; }

  /** Exits by reason, over all vCPUs. */
  get exitCounts(): ExitCounts {
    if (this.vcpus.length === 1) return this.vcpus[0].exitCounts;
    const total = emptyExitCounts();
    for (const v of this.vcpus) for (const k of Object.keys(total) as (keyof ExitCounts)[]) total[k] += v.exitCounts[k];
    return total;
  }

  /** COM1, the console. */
  get com1(): Uart16550 { return this.board.serial[0]!; }

  /** Machine reset: the CPU and the board's chips to their power-on state; memory is kept. */
  reset(): void {
    for (const vcpu of this.vcpus) vcpu.reset();
    this.board.reset();
  }

  /** Runs the vCPU until something needs the monitor, for at most `budget` instructions. */
  runSlice(budget = this.slice): VmExit {
    try {
      return this.vcpus[0].run(budget);
    } finally {
      this.console.flush();
    }
  }

  /**
   * Runs until the guest is done: debug-exit, power-off, HLT with interrupts
   * off, or a triple fault. Between slices the board's timers run up to the clock's
   * now, and the next slice is sized to end at the earliest deadline; a
   * halted vCPU sleeps (or, with instruction time, jumps) to that deadline.
   * Yields to the host event loop regularly so input and host timers get serviced.
   */
  async run(maxInstructions = Infinity): Promise<VmResult> {
    const cpu = this.cpu;
    let sinceYield = 0;
    let iterations = 0;
    for (;;) {
      this.clock.sync();
      const deadline = this.advanceTimers(this.clock.nowNs());
      const before = cpu.instructions;
      const exit = this.runSlice(this.budget(deadline, maxInstructions));
      sinceYield += cpu.instructions - before;
      switch (exit.reason) {
        case 'debug-exit':
          return { status: exit.status, exit, message: `guest exited with status ${exit.status} (isa-debug-exit)` };
        case 'halt-forever':
          return { status: 0, exit, message: `guest halted with interrupts disabled at ${hex(exit.cs, 4)}:${hex(exit.eip, 8)}` };
        case 'shutdown':
          return {
            status: TRIPLE_FAULT_STATUS, exit,
            message: `triple fault at ${hex(exit.cs, 4)}:${hex(exit.eip, 8)}; last exceptions: ${exit.history.join(', ')}`,
          };
        case 'exception':
          return {
            status: TRIPLE_FAULT_STATUS, exit,
            message: `unhandled exception #${vectorName(exit.vector)} at ${hex(exit.cs, 4)}:${hex(exit.eip, 8)}`,
          };
        case 'poweroff':
          return { status: 0, exit, message: 'guest powered off (ACPI S5)' };
        case 'reset':
          if (this.noReboot) return { status: 0, exit, message: 'guest requested a reset (no-reboot)' };
          this.log('guest requested a reset');
          this.reset();
          break;
        case 'hlt':
          await this.idle();
          sinceYield = 0;
          break;
        case 'budget':
          if (cpu.instructions >= maxInstructions) {
            return { status: 124, exit, message: `instruction limit reached (${maxInstructions}) at ${hex(this.cpu.segSel[Seg.CS], 4)}:${hex(this.cpu.eip, 8)}` };
          }
          break;
      }
      if (sinceYield >= this.slice || ++iterations >= YIELD_ITERATIONS) {
        sinceYield = 0;
        iterations = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private advanceTimers(nowNs: number): number {
    this.deadlineNs = this.board.advanceTimers(nowNs);
    return this.deadlineNs;
  }

  /**
   * After each port access: end the slice if a timer fell due. Slices are
   * sized from an estimate of the guest's speed, which a loop polling a port
   * (a calibration loop reading the PIT) can miss by far; such loops are
   * exactly the ones that watch time.
   */
  private checkDeadline(): void {
    if (this.clock.nowNs() >= this.deadlineNs) this.cpu.requestStop();
  }

  /** Instructions to run before guest time reaches `deadlineNs` (at least 1, at most a slice). */
  private budget(deadlineNs: number, maxInstructions: number): number {
    return Math.max(1, Math.min(this.clock.instructionsUntil(deadlineNs), this.slice, maxInstructions - this.cpu.instructions));
  }

  /**
   * The vCPU is halted with interrupts enabled: run the timers, and unless an
   * interrupt fell due, wait for the next deadline. Instruction time jumps
   * there (and the TSC with it, so it keeps counting guest time); real time
   * sleeps, woken early by any interrupt a host event raises.
   */
  private async idle(): Promise<void> {
    const deadline = this.advanceTimers(this.clock.nowNs());
    if (this.cpu.intrLine) return;
    const waitMs = this.clock.idle(deadline);
    if (waitMs > 0) await this.sleep(Math.min(waitMs, MAX_IDLE_MS));
    else await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * The TSC counts guest time, as the PIT and APIC timer do: on instruction
   * time one tick per instruction's worth of nanoseconds (halts included), on
   * real time {@link REALTIME_TSC_HZ}. Counting retired instructions on real
   * time would tie the TSC's rate to the emulation's speed, which varies
   * tenfold between a port-polling loop and plain code: Linux calibrates the
   * TSC in the first and then finds its clock running fast ever after.
   * Strictly increasing, as on hardware, even when the host clock has not
   * moved between two reads.
   */
  private tscTimeBase(): () => number {
    const clock = this.clock;
    const nsPerTick = clock.nsPerInstruction ?? 1e9 / REALTIME_TSC_HZ;
    // The last value in a Float64Array: a closure variable holding a number
    // past 2^31 gets a new heap number at each write, and Linux's delay
    // loops read the TSC millions of times (most of the boot's allocation).
    const last = new Float64Array([-1]);
    return () => {
      const ticks = Math.floor(clock.nowNs() / nsPerTick);
      last[0] = ticks > last[0] ? ticks : last[0] + 1;
      return last[0];
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.ceil(ms)));
      this.wake = done;
    });
  }
}

export { vectorName };
