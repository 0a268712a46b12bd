/**
 * How an x87 instruction's exceptions leave the FPU: recording them in FSW
 * (with FERR# in MS-DOS compatibility mode), and the check for a pending
 * one before a waiting instruction (#MF, or the freeze until IGNNE# or an
 * interrupt). See x87.ts for the sources.
 */
import type { Cpu } from '../cpu.js';
import { CpuException } from '../exception.js';
import { Cr0, Vector } from '../registers.js';
import type { X87 } from '../fpu/x87.js';

/**
 * Records the exceptions of the instruction just executed (see
 * X87.signal) and asserts FERR# for a new unmasked one in MS-DOS
 * compatibility mode.
 */
export function finish(cpu: Cpu, fpu: X87, flags: number, keepC1 = false): void {
  if (fpu.signal(flags, keepC1) && (cpu.cr0 & Cr0.NE) === 0) cpu.sys.fpuError?.(true);
}

/**
 * Deals with a pending unmasked exception before a waiting instruction:
 * #MF (CR0.NE = 1), nothing with IGNNE#, otherwise freeze: the instruction
 * is retried after the external interrupt that FERR# requests. Returns true
 * when frozen (the caller stops).
 */
export function waitForErrors(cpu: Cpu): boolean {
  const fpu = cpu.fpu;
  if (!fpu.pending) return false;
  if ((cpu.cr0 & Cr0.NE) !== 0) throw new CpuException(Vector.MF);
  if (fpu.ignne) return false;
  cpu.sys.fpuError?.(true);
  cpu.eip = cpu.prevEip;
  cpu.halted = true;
  return true;
}

