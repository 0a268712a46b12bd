/**
 * Memory operands of the x87 instructions: 16/32/80-bit reads and writes at
 * the decoded effective address, and the up-front write check that keeps a
 * multi-part store from being left half done by a fault.
 */
import type { Cpu } from '../cpu.js';
import type { Float80 } from '../fpu/float80.js';

/** The effective offset `k` bytes into the memory operand (16-bit addressing wraps). */
export function offsetBy(cpu: Cpu, k: number): number {
  return cpu.addrsize32 ? (cpu.eaOff + k) | 0 : (cpu.eaOff + k) & 0xffff;
}

/** Memory operand reads. */
export function read16(cpu: Cpu, k = 0): number { return cpu.readMem(2, cpu.eaSeg, offsetBy(cpu, k)); }
export function read32(cpu: Cpu, k = 0): number { return cpu.readMem(4, cpu.eaSeg, offsetBy(cpu, k)); }

/**
 * Checks that a `size`-byte store to the memory operand can complete before
 * writing any of it (segment limit, and both pages when it crosses one), so
 * a fault leaves memory and the FPU untouched.
 */
export function probeWrite(cpu: Cpu, size: number): void {
  const lin = cpu.linearFor(cpu.eaSeg, cpu.eaOff, size, true);
  if ((lin & 0xfff) + size > 0x1000) {
    cpu.translate(lin, true);
    cpu.translate((lin + size - 1) | 0, true);
  }
}

export function write16(cpu: Cpu, k: number, v: number): void { cpu.writeMem(2, cpu.eaSeg, offsetBy(cpu, k), v); }
export function write32(cpu: Cpu, k: number, v: number): void { cpu.writeMem(4, cpu.eaSeg, offsetBy(cpu, k), v); }

/** Reads an 80-bit value from the memory operand at +k. */
export function readF80(cpu: Cpu, k: number, into: Float80): void {
  const lo = read32(cpu, k), hi = read32(cpu, k + 4), se = read16(cpu, k + 8);
  into.set(se, hi, lo);
}

/** Writes an 80-bit value to the memory operand at +k (the caller probed the range). */
export function writeF80(cpu: Cpu, k: number, v: Float80): void {
  write32(cpu, k, v.lo); write32(cpu, k + 4, v.hi); write16(cpu, k + 8, v.se);
}

