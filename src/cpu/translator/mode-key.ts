/**
 * The mode key: the bits of CPU mode a translated block's code depends on,
 * part of every block's identity (translator.ts) and checked by the
 * WebAssembly chaining loop (wasm/chain.ts) before it enters a block.
 */
import type { Cpu } from '../cpu.js';
import { Cr0, Flag, Seg } from '../registers.js';
import { MODE_CODE32, MODE_FLAT } from './emit.js';

/** A flat data segment: base 0, limit 4 GiB, readable and writable (expand-up data). */
function flat(cpu: Cpu, seg: number): boolean {
  return cpu.segBase[seg] === 0 && cpu.segLimit[seg] === 0xffffffff && (cpu.segOk[seg] & 3) === 3;
}

/**
 * The mode bits a block's code depends on: CS.D, SS.B, CPL, CR0.PE,
 * EFLAGS.VM, and whether DS, ES and SS are flat (their accesses then skip
 * the segment checks).
 */
export function modeKey(cpu: Cpu): number {
  return (cpu.codeSize32 ? MODE_CODE32 : 0) | (cpu.stackSize32 ? 2 : 0) | (cpu.cpl << 2) |
    ((cpu.cr0 & Cr0.PE) !== 0 ? 16 : 0) | ((cpu.flags & Flag.VM) !== 0 ? 32 : 0) |
    (flat(cpu, Seg.DS) && flat(cpu, Seg.ES) && flat(cpu, Seg.SS) ? MODE_FLAT : 0);
}
