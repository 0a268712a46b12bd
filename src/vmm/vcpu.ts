/**
 * A virtual CPU: `run()` executes guest code until something needs the
 * monitor and returns why, as one {@link VmExit} — the shape of KVM's
 * `KVM_RUN` ioctl and its `kvm_run.exit_reason`, and of a VT-x VM exit.
 *
 * Port I/O and interrupt acknowledge are exits too, but the emulated CPU
 * takes them inline: its system interface calls the VM's handlers
 * synchronously (no allocation, no unwinding mid-instruction) and counts
 * them here, so the counts read as a KVM guest's would. Exits that end the
 * slice (HLT, shutdown, a device's request to stop the machine…) come back
 * from run(). Devices ask for those through {@link Vcpu.requestExit}.
 */
import { Cpu, hex } from '../cpu/cpu.js';
import { Seg } from '../cpu/registers.js';
import { StopReason } from '../cpu/system-interface.js';
import type { ExitReason, VmExit } from './vm-exit.js';

/** Exits counted by reason, from this vCPU's creation. */
export type ExitCounts = Record<ExitReason, number>;

export function emptyExitCounts(): ExitCounts {
  return {
    'io-in': 0, 'io-out': 0, hlt: 0, shutdown: 0, 'debug-exit': 0, 'halt-forever': 0, exception: 0, reset: 0,
    poweroff: 0, budget: 0,
  };
}

export class Vcpu {
  readonly exitCounts: ExitCounts = emptyExitCounts();
  /** An exit a device asked for (debug-exit, reset, power-off), returned by the next run(). */
  private requested: VmExit | undefined;

  constructor(readonly id: number, readonly cpu: Cpu) {}

  /**
   * Ends the current slice after this instruction with `exit` (the first
   * request wins until run() has returned it).
   */
  requestExit(exit: VmExit): void {
    this.requested ??= exit;
    this.cpu.requestStop();
  }

  /** Machine reset: the CPU to its power-on state, and no exit left pending from before. */
  reset(): void {
    this.requested = undefined;
    this.cpu.reset();
  }

  /** Runs guest code for at most `budget` instructions; returns the exit that ended the slice. */
  run(budget: number): VmExit {
    const cpu = this.cpu;
    const stop = cpu.run(budget);
    const exit = this.exitFor(stop);
    this.requested = undefined;
    this.exitCounts[exit.reason]++;
    return exit;
  }

  private exitFor(stop: StopReason): VmExit {
    const cpu = this.cpu;
    const cs = cpu.segSel[Seg.CS], eip = cpu.eip;
    switch (stop) {
      case StopReason.Budget: return this.requested ?? { reason: 'budget' };
      case StopReason.Halt: return { reason: 'hlt', cs, eip };
      case StopReason.HaltForever: return { reason: 'halt-forever', cs, eip };
      case StopReason.Shutdown:
        return {
          reason: 'shutdown', cs, eip: cpu.prevEip,
          history: cpu.recentExceptions.map((e) =>
            `#${vectorName(e.vector)}${e.errorCode >= 0 ? `(${hex(e.errorCode, 4)})` : ''} at ${hex(e.cs, 4)}:${hex(e.eip, 8)}`),
        };
      case StopReason.Exception:
        return { reason: 'exception', vector: cpu.interceptedEvent.vector, errorCode: cpu.interceptedEvent.errorCode, cs, eip };
      default:
        // A stop someone requested: a device's exit, or a timer that fell due ('budget': just resume).
        return this.requested ?? { reason: 'budget' };
    }
  }
}

const VECTOR_NAMES = ['DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', 'CSO', 'TS', 'NP', 'SS', 'GP', 'PF', '15', 'MF', 'AC', 'MC', 'XM'];

/** Mnemonic of an exception vector (SDM Vol. 3A Table 6-1), or its number. */
export function vectorName(vector: number): string {
  return VECTOR_NAMES[vector] ?? `${vector}`;
}
