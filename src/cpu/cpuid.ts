/**
 * CPUID leaves (SDM Vol. 2 "CPUID—CPU Identification"), built from the
 * CPU's {@link CpuFeatures}: exactly what the model implements, nothing more.
 *
 * Basic leaves 0-2 and extended leaves 8000_0000h-8000_0004h (the brand
 * string). An input above the highest basic or extended leaf returns the
 * highest basic leaf's data, as Intel processors do ("If a value entered for
 * CPUID.EAX is higher than the maximum input value for basic or extended
 * function for that processor then the data for the highest basic
 * information leaf is returned").
 */
import type { Cpu } from './cpu.js';
import { Feature, type CpuFeatures } from './features.js';
import { Reg } from './registers.js';

/** IA32_APIC_BASE[11], the APIC global enable. */
const APIC_BASE_ENABLE = 1 << 11;

/** CLFLUSH line size in 8-byte units (CPUID.1:EBX[15:8]): 64-byte lines. */
const CLFLUSH_LINE_QWORDS = 8;

/** Highest basic leaf (CPUID.0:EAX). */
export const MAX_BASIC_LEAF = 2;
/** Highest extended leaf (CPUID.8000_0000h:EAX): the last third of the brand string. */
export const MAX_EXTENDED_LEAF = 0x8000_0004 | 0;

/**
 * Leaf 2 cache and TLB descriptors of a Pentium II (SDM Vol. 2 Table 3-12):
 * AL = 01 (one iteration); 01h/02h/03h/04h instruction and data TLBs,
 * 43h 512 KiB L2, 08h 16 KiB L1 instruction cache, 0Ch 16 KiB L1 data cache.
 */
const LEAF2_EAX = 0x0302_0101;
const LEAF2_EDX = 0x0c04_0843;

/** Executes CPUID for the leaf in EAX, writing EAX, EBX, ECX and EDX. */
export function cpuid(cpu: Cpu): void {
  const r = cpu.regs;
  const f = cpu.features;
  let leaf = r[Reg.EAX] >>> 0;
  if (leaf >= 0x8000_0000 ? leaf > MAX_EXTENDED_LEAF >>> 0 : leaf > MAX_BASIC_LEAF) leaf = MAX_BASIC_LEAF;
  let a = 0, b = 0, c = 0, d = 0;
  switch (leaf) {
    case 0:
      a = MAX_BASIC_LEAF;
      b = vendorDword(f, 0); d = vendorDword(f, 4); c = vendorDword(f, 8);
      break;
    case 1:
      // EBX: brand index 0, CLFLUSH line size (15:8) in 8-byte units when CLFSH is reported (64 bytes),
      // one logical processor, initial APIC ID (31:24) 0, the bootstrap processor's.
      a = f.signature; c = f.ecx; d = f.edx;
      if ((d & Feature.CLFSH) !== 0) b = CLFLUSH_LINE_QWORDS << 8;
      // SDM Vol. 3A §10.4.3: with IA32_APIC_BASE[11] clear "the CPUID feature flag for the APIC ... is also set to 0".
      if ((cpu.apicBase & APIC_BASE_ENABLE) === 0) d &= ~Feature.APIC;
      break;
    case 2:
      a = LEAF2_EAX; d = LEAF2_EDX;
      break;
    case 0x8000_0000:
      a = MAX_EXTENDED_LEAF;
      break;
    case 0x8000_0001:
      // Extended signature and features: none on this 32-bit part (Intel reports zeros).
      break;
    default: {
      // 8000_0002h..8000_0004h: 16 bytes each of the 48-byte, NUL-padded brand string.
      const at = (leaf - 0x8000_0002) * 16;
      a = brandDword(f, at); b = brandDword(f, at + 4); c = brandDword(f, at + 8); d = brandDword(f, at + 12);
      break;
    }
  }
  r[Reg.EAX] = a;
  r[Reg.EBX] = b;
  r[Reg.ECX] = c;
  r[Reg.EDX] = d;
}

/** Four characters of the 12-character vendor string, little endian. */
function vendorDword(f: CpuFeatures, at: number): number {
  return charsAt(f.vendor, at, 12);
}

/** Four bytes of the brand string; it is at most 47 characters so a NUL always ends it. */
function brandDword(f: CpuFeatures, at: number): number {
  return charsAt(f.brand, at, 47);
}

function charsAt(s: string, at: number, max: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const k = at + i;
    const ch = k < s.length && k < max ? s.charCodeAt(k) & 0x7f : 0;
    v |= ch << (8 * i);
  }
  return v;
}
