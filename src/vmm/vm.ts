/**
 * One virtual machine: guest memory, the board of devices on the I/O bus,
 * and a vCPU. `runSlice()` runs the vCPU until an exit; `run()` is the loop
 * that handles exits until the guest is done. The board here is the minimal
 * one test kernels need (debug console 0xE9, isa-debug-exit 0xF4, COM1);
 * the full PC attaches more devices the same way.
 */
import { Cpu, hex } from '../cpu/cpu.js';
import { PhysicalMemory } from '../cpu/physical-memory.js';
import { Seg } from '../cpu/registers.js';
import { StopReason, type SystemInterface } from '../cpu/system-interface.js';
import { IoBus } from '../devices/io-bus.js';
import { DebugConsole, DebugExit } from '../devices/debug-port.js';
import { Uart16550 } from '../devices/uart-16550.js';
import { NO_IRQ } from '../devices/io-device.js';
import type { ExitReason, VmExit } from './vm-exit.js';
import { PORTS } from './layout.js';

/** Options for a {@link Vm}. */
export interface VmOptions {
  /** Guest RAM in bytes. */
  memBytes: number;
  /** Where guest console output goes (COM1, and the 0xE9 debug console unless `debugOutput` is given). */
  output: (bytes: Uint8Array) => void;
  /** Where the 0xE9 debug console goes, if not to `output`. */
  debugOutput?: (bytes: Uint8Array) => void;
  /** Diagnostics from the monitor itself (unclaimed ports, …). */
  log?: (line: string) => void;
  /** Instructions per run slice. */
  sliceInstructions?: number;
}

/** How a VM's run ended. */
export interface VmResult {
  /** Host exit status: debug-exit's (v << 1) | 1, 0 for a clean halt, 3 for a triple fault. */
  status: number;
  exit: VmExit;
  /** One line for the user. */
  message: string;
}

/** Status a triple fault ends the run with (distinct from the debug-exit statuses, which are odd). */
export const TRIPLE_FAULT_STATUS = 3 << 1;

/** A virtual machine with one vCPU. */
export class Vm {
  readonly memory: PhysicalMemory;
  readonly io = new IoBus();
  readonly cpu: Cpu;
  readonly com1: Uart16550;
  readonly exitCounts: Record<ExitReason, number> = {
    'io-in': 0, 'io-out': 0, hlt: 0, shutdown: 0, 'debug-exit': 0, 'halt-forever': 0, exception: 0, budget: 0,
  };
  private debugExitStatus = -1;
  private readonly log: (line: string) => void;
  private readonly slice: number;

  constructor(options: VmOptions) {
    this.log = options.log ?? (() => {});
    this.slice = options.sliceInstructions ?? 1_000_000;
    this.memory = new PhysicalMemory({
      ramBytes: options.memBytes,
      onUnmapped: (gpa, write) => this.log(`unmapped memory ${write ? 'write' : 'read'} at 0x${hex(gpa, 8)}`),
    });
    this.io.onUnclaimed = (port, write) => this.log(`unclaimed I/O port ${write ? 'write' : 'read'} at 0x${hex(port, 4)}`);
    const out = (b: number) => options.output(Uint8Array.of(b));
    const debugOut = options.debugOutput;
    this.io.attach(PORTS.debugConsole, 1, new DebugConsole(debugOut ? (b) => debugOut(Uint8Array.of(b)) : out), 'debug console');
    this.io.attach(PORTS.debugExit, 4, new DebugExit((status) => {
      this.debugExitStatus = status;
      this.cpu.requestStop();
    }), 'isa-debug-exit');
    this.com1 = new Uart16550(NO_IRQ, out);
    this.io.attach(PORTS.com1, 8, this.com1, 'COM1');
    const counts = this.exitCounts;
    const io = this.io;
    const system: SystemInterface = {
      ioRead(port, size) { counts['io-in']++; return io.read(port, size); },
      ioWrite(port, size, value) { counts['io-out']++; io.write(port, size, value); },
      acknowledgeInterrupt: () => 0x20,
    };
    this.cpu = new Cpu({ memory: this.memory, system });
  }

  /** Runs the vCPU until something needs the monitor. */
  runSlice(): VmExit {
    const cpu = this.cpu;
    const reason = cpu.run(this.slice);
    const cs = cpu.segSel[Seg.CS], eip = cpu.eip;
    let exit: VmExit;
    switch (reason) {
      case StopReason.Budget: exit = { reason: 'budget' }; break;
      case StopReason.Halt: exit = { reason: 'hlt', cs, eip }; break;
      case StopReason.HaltForever: exit = { reason: 'halt-forever', cs, eip }; break;
      case StopReason.Shutdown:
        exit = {
          reason: 'shutdown', cs: cpu.segSel[Seg.CS], eip: cpu.prevEip,
          history: cpu.recentExceptions.map((e) =>
            `#${vectorName(e.vector)}${e.errorCode >= 0 ? `(${hex(e.errorCode, 4)})` : ''} at ${hex(e.cs, 4)}:${hex(e.eip, 8)}`),
        };
        break;
      case StopReason.Exception:
        exit = { reason: 'exception', vector: cpu.interceptedEvent.vector, errorCode: cpu.interceptedEvent.errorCode, cs, eip };
        break;
      default:
        exit = this.debugExitStatus >= 0 ? { reason: 'debug-exit', status: this.debugExitStatus } : { reason: 'budget' };
    }
    this.exitCounts[exit.reason]++;
    return exit;
  }

  /**
   * Runs until the guest is done: debug-exit, HLT with interrupts off, or a
   * triple fault. Yields to the host event loop between slices so input and
   * timers get serviced.
   */
  async run(maxInstructions = Infinity): Promise<VmResult> {
    for (;;) {
      const exit = this.runSlice();
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
        case 'hlt':
          // Nothing on this board raises interrupts yet: a guest waiting for one waits for host input.
          await new Promise((resolve) => setTimeout(resolve, 10));
          break;
        case 'budget':
          if (this.cpu.instructions >= maxInstructions) {
            return { status: 124, exit, message: `instruction limit reached (${maxInstructions}) at ${hex(this.cpu.segSel[Seg.CS], 4)}:${hex(this.cpu.eip, 8)}` };
          }
          await new Promise((resolve) => setImmediate(resolve));
          break;
      }
    }
  }
}

const VECTOR_NAMES = ['DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', 'CSO', 'TS', 'NP', 'SS', 'GP', 'PF', '15', 'MF', 'AC', 'MC', 'XM'];

/** Mnemonic of an exception vector (SDM Vol. 3A Table 6-1), or its number. */
export function vectorName(vector: number): string {
  return VECTOR_NAMES[vector] ?? `${vector}`;
}
