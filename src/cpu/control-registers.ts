/**
 * Loading the control and debug registers: the validity checks and side
 * effects of MOV to CR0/CR3/CR4 (also reached from LMSW, CLTS and task
 * switches) and MOV to DR0-DR7.
 *
 * Sources: SDM Vol. 2 "MOV—Move to/from Control Registers" and "MOV—Move
 * to/from Debug Registers"; Vol. 3A §2.5 "Control Registers", §4.4.1 "PDPTE
 * Registers", §4.10.4.1 "Operations that Invalidate TLBs and Paging-Structure
 * Caches", §17.2 "Debug Registers".
 *
 * Deviation from hardware: PAE paging reads the PDPTEs from memory on every
 * walk (paging.ts) instead of from the four PDPTE registers loaded here, so a
 * guest that edits a PDPTE without reloading CR3 sees the change at once. The
 * checks that the load performs (#GP(0) for reserved bits) are made here.
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Feature } from './features.js';
import { PAE_RESERVED_HIGH, PDPTE_RESERVED_LOW } from './paging.js';
import { Cr0, Cr4, Vector } from './registers.js';
import { updateAllSegOk } from './segments.js';

/** CR0 bits software can change. The others are reserved (writes ignored, read as 0) except ET. */
const CR0_WRITABLE = Cr0.PE | Cr0.MP | Cr0.EM | Cr0.TS | Cr0.NE | Cr0.WP | Cr0.AM | Cr0.NW | Cr0.CD | Cr0.PG;

/** CR3 bits reserved whether or not PAE is on. */
const CR3_RESERVED = 0x7;

/** CPUID.1:EDX bits not named in features.ts that gate CR4 bits. */
const FEATURE_MCE = 1 << 7;

/** CR4 changes that alter how linear addresses translate: every TLB entry, global too, goes. */
const CR4_PAGING_BITS = Cr4.PSE | Cr4.PAE | Cr4.PGE;

/** DR6: B0-B3, BD, BS, BT are writable; bits 4-11 and 16-31 read as 1, bit 12 as 0 (SDM §17.2.3). */
const DR6_WRITABLE = 0xe00f;
/** The value DR6 has at RESET: all fixed-1 bits set, no conditions recorded. */
const DR6_FIXED1 = 0xffff_0ff0 | 0;
/** DR7: L0-G3, LE, GE, GD, R/W0-LEN3 are writable; bit 10 reads as 1, bits 11, 12, 14, 15 as 0. */
const DR7_WRITABLE = 0xffff_23ff | 0;
/** DR7's fixed-1 bit 10 (its RESET value). */
const DR7_FIXED1 = 0x400;
/** DR7.GD, general detect: any MOV DR raises #DB first (SDM §17.2.4). */
export const DR7_GD = 1 << 13;
/** DR6.BD: the #DB was a general-detect fault. */
export const DR6_BD = 1 << 13;

/**
 * CR4 bits this CPU implements: each is tied to the CPUID feature that
 * announces it, so a guest can set exactly what CPUID reports. PCE exists on
 * every P6 part and has no CPUID bit. Any other bit is reserved: #GP(0).
 */
export function cr4Writable(cpu: Cpu): number {
  const edx = cpu.features.edx;
  let bits = Cr4.PCE;
  if ((edx & Feature.VME) !== 0) bits |= Cr4.VME | Cr4.PVI;
  if ((edx & Feature.TSC) !== 0) bits |= Cr4.TSD;
  if ((edx & Feature.DE) !== 0) bits |= Cr4.DE;
  if ((edx & Feature.PSE) !== 0) bits |= Cr4.PSE;
  if ((edx & Feature.PAE) !== 0) bits |= Cr4.PAE;
  if ((edx & FEATURE_MCE) !== 0) bits |= Cr4.MCE;
  if ((edx & Feature.PGE) !== 0) bits |= Cr4.PGE;
  if ((edx & Feature.FXSR) !== 0) bits |= Cr4.OSFXSR;
  if ((edx & Feature.SSE) !== 0) bits |= Cr4.OSXMMEXCPT;
  return bits;
}

/**
 * MOV to CR0 (and LMSW, CLTS, task switches). #GP(0) for PG without PE and
 * for NW without CD. Toggling PE recomputes the segment fast paths but keeps
 * every segment cache as it is (the far jump that follows reloads CS).
 */
export function writeCr0(cpu: Cpu, value: number): void {
  // ET is hardwired to 1 on the P6 family (SDM Vol. 3A §2.5).
  const v = (value & CR0_WRITABLE) | Cr0.ET;
  if ((v & Cr0.PG) !== 0 && (v & Cr0.PE) === 0) throw new CpuException(Vector.GP, 0);
  if ((v & Cr0.NW) !== 0 && (v & Cr0.CD) === 0) throw new CpuException(Vector.GP, 0);
  const changed = cpu.cr0 ^ v;
  // §4.4.1: PDPTEs are loaded when PAE paging results and PG, CD or NW changes.
  if ((v & Cr0.PG) !== 0 && (cpu.cr4 & Cr4.PAE) !== 0 && (changed & (Cr0.PG | Cr0.CD | Cr0.NW)) !== 0) {
    checkPdptes(cpu, cpu.cr3);
  }
  cpu.cr0 = v;
  if ((changed & Cr0.PE) !== 0) updateAllSegOk(cpu);
  // PG: §4.10.4.1. PE and WP: our TLB entries bake in the access rights WP decides.
  if ((changed & (Cr0.PE | Cr0.PG | Cr0.WP)) !== 0) cpu.flushTlb(true);
}

/** MOV to CR3: a new page-directory base; drops every non-global translation (§4.10.4.1). */
export function writeCr3(cpu: Cpu, value: number): void {
  if ((cpu.cr0 & Cr0.PG) !== 0 && (cpu.cr4 & Cr4.PAE) !== 0) checkPdptes(cpu, value);
  // "Reserved bits in CR0 and CR3 remain clear after any load" (SDM Vol. 2 "MOV—Move to/from Control
  // Registers"). Bits 2:0 are reserved in both formats; 11:5 hold the PDPT address under PAE (§4.4).
  cpu.cr3 = value & ~CR3_RESERVED;
  cpu.flushTlb(false);
}

/** MOV to CR4: #GP(0) for a reserved bit; a change of PSE, PAE or PGE drops every translation. */
export function writeCr4(cpu: Cpu, value: number): void {
  const v = value | 0;
  if ((v & ~cr4Writable(cpu)) !== 0) throw new CpuException(Vector.GP, 0);
  const changed = cpu.cr4 ^ v;
  if ((changed & CR4_PAGING_BITS) !== 0 && (cpu.cr0 & Cr0.PG) !== 0 && (v & Cr4.PAE) !== 0) {
    checkPdptes(cpu, cpu.cr3);
  }
  cpu.cr4 = v;
  if ((changed & CR4_PAGING_BITS) !== 0) cpu.flushTlb(true);
}

/** MOV from CRn; #UD for CR1 and CR5-CR7 (and anything above). */
export function readCr(cpu: Cpu, n: number): number {
  switch (n) {
    case 0: return cpu.cr0;
    case 2: return cpu.cr2;
    case 3: return cpu.cr3;
    case 4: return cpu.cr4;
    default: throw new CpuException(Vector.UD);
  }
}

/** MOV to CRn; #UD for CR1 and CR5-CR7. */
export function writeCr(cpu: Cpu, n: number, value: number): void {
  switch (n) {
    case 0: writeCr0(cpu, value); return;
    case 2: cpu.cr2 = value | 0; return;
    case 3: writeCr3(cpu, value); return;
    case 4: writeCr4(cpu, value); return;
    default: throw new CpuException(Vector.UD);
  }
}

/**
 * The debug register a MOV DRn names: DR4 and DR5 are aliases of DR6 and DR7
 * unless CR4.DE is set, when they raise #UD (SDM Vol. 3A §17.2.2).
 */
export function debugRegisterIndex(cpu: Cpu, n: number): number {
  if (n !== 4 && n !== 5) return n;
  if ((cpu.cr4 & Cr4.DE) !== 0) throw new CpuException(Vector.UD);
  return n + 2;
}

/** MOV to DRn (`n` already resolved by {@link debugRegisterIndex}), keeping the fixed bits fixed. */
export function writeDr(cpu: Cpu, n: number, value: number): void {
  if (n === 6) cpu.dr[6] = (value & DR6_WRITABLE) | DR6_FIXED1;
  else if (n === 7) cpu.dr[7] = (value & DR7_WRITABLE) | DR7_FIXED1;
  else cpu.dr[n] = value;
}

/**
 * The check PAE paging makes when it loads the four PDPTE registers: a
 * present PDPTE with a reserved bit set raises #GP(0) (SDM Vol. 3A §4.4.1).
 */
function checkPdptes(cpu: Cpu, cr3: number): void {
  const base = cr3 & ~0x1f;
  for (let i = 0; i < 4; i++) {
    const lo = cpu.mem.read((base + i * 8) & cpu.a20Mask, 4);
    const hi = cpu.mem.read((base + i * 8 + 4) & cpu.a20Mask, 4);
    if ((lo & 1) !== 0 && ((lo & PDPTE_RESERVED_LOW) !== 0 || (hi & PAE_RESERVED_HIGH) !== 0)) {
      throw new CpuException(Vector.GP, 0);
    }
  }
}
