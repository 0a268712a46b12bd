/**
 * The machine state that 32-bit boot protocols hand a kernel: protected mode
 * without paging, a GDT in guest memory with one flat 4 GiB code and one flat
 * 4 GiB data descriptor, those loaded in CS and the data segment registers,
 * interrupts off, CPL 0. Multiboot (spec §3.2) and the Linux 32-bit boot
 * protocol (boot.rst "32-bit Boot Protocol") differ only in the selectors.
 */
import type { Cpu } from '../cpu/cpu.js';
import type { PhysicalMemory } from '../cpu/physical-memory.js';
import { Cr0, Seg } from '../cpu/registers.js';
import { setSegment, updateAllSegOk } from '../cpu/segments.js';

/** Descriptor high dwords (SDM Vol. 3A §3.4.5): base 0, limit FFFFF with G=1, D/B=1, P=1, DPL 0, accessed. */
const FLAT_CODE_HIGH = 0x00cf_9b00; // type 1011: execute/read, accessed
const FLAT_DATA_HIGH = 0x00cf_9300; // type 0011: read/write, accessed
/** Limit FFFFF with G=1 in the low dword, base 0. */
const FLAT_LOW = 0x0000_ffff;
/** Bits of the high dword the CPU caches as segment attributes. */
const ATTR_MASK = 0x00f0_ff00;

/** Where the GDT goes and which selectors the kernel expects. */
export interface FlatModeLayout {
  /** Guest-physical address of the GDT (8-byte aligned). */
  gdtGpa: number;
  /** Selector of the flat code segment (its descriptor index × 8). */
  codeSelector: number;
  /** Selector of the flat data segment, loaded in DS, ES, FS, GS and SS. */
  dataSelector: number;
}

/**
 * Writes the GDT and puts the CPU in flat 32-bit protected mode at `entry`.
 * General registers are left to the caller. The accessed bits are preset so
 * the CPU never writes the table back.
 */
export function enterFlatProtectedMode(cpu: Cpu, memory: PhysicalMemory, layout: FlatModeLayout, entry: number): void {
  const entries = Math.max(layout.codeSelector, layout.dataSelector) / 8 + 1;
  const gdt = new DataView(new ArrayBuffer(entries * 8));
  gdt.setUint32(layout.codeSelector, FLAT_LOW, true);
  gdt.setUint32(layout.codeSelector + 4, FLAT_CODE_HIGH, true);
  gdt.setUint32(layout.dataSelector, FLAT_LOW, true);
  gdt.setUint32(layout.dataSelector + 4, FLAT_DATA_HIGH, true);
  memory.load(layout.gdtGpa, new Uint8Array(gdt.buffer));
  cpu.gdtrBase = layout.gdtGpa;
  cpu.gdtrLimit = entries * 8 - 1;
  // CR0 first: the segment caches' fast-path bits depend on CR0.PE.
  cpu.cr0 = (cpu.cr0 | Cr0.PE) & ~Cr0.PG;
  setSegment(cpu, Seg.CS, layout.codeSelector, 0, 0xffff_ffff, FLAT_CODE_HIGH & ATTR_MASK);
  for (const s of [Seg.DS, Seg.ES, Seg.FS, Seg.GS, Seg.SS]) {
    setSegment(cpu, s, layout.dataSelector, 0, 0xffff_ffff, FLAT_DATA_HIGH & ATTR_MASK);
  }
  updateAllSegOk(cpu);
  cpu.cpl = 0;
  cpu.updatePrivilegeMasks();
  cpu.flushTlb(true);
  cpu.setFlags(0x2); // IF=0: both protocols require interrupts disabled
  cpu.eip = entry | 0;
}
