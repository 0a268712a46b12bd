/**
 * Linear → physical translation (SDM Vol. 3A ch. 4): 32-bit paging with 4 KiB
 * and 4 MiB (CR4.PSE) pages, PAE paging with 4 KiB and 2 MiB pages, global
 * pages (CR4.PGE), CR0.WP, accessed/dirty bits, and #PF error codes (§4.7).
 * Called on a TLB miss; fills the TLB on success.
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Cr0, Cr4, Vector } from './registers.js';

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;

/** PDPTE bits 2:1 and 8:5 are reserved (SDM Vol. 3A Table 4-8). */
export const PDPTE_RESERVED_LOW = 0x1e6;
/** Reserved bits of every PAE entry's high dword: 62:36 above MAXPHYADDR (36), and 63 (no NX on this CPU). */
export const PAE_RESERVED_HIGH = 0xffff_fff0 | 0;

/** #PF error-code bits (SDM Vol. 3A §4.7, Figure 4-12). */
export const enum PfError { Present = 1, Write = 2, User = 4, Reserved = 8, Fetch = 16 }

/**
 * Translates `lin` for a read or write. `supervisor` is true for accesses at
 * CPL 0-2 and for implicit supervisor accesses (descriptor tables, TSS).
 */
export function translateSlow(cpu: Cpu, lin: number, write: boolean, supervisor: boolean): number {
  if ((cpu.cr0 & Cr0.PG) === 0) {
    const phys = lin & cpu.a20Mask;
    cpu.fillTlb(lin, phys & ~0xfff, false, false, false, false);
    return phys;
  }
  return (cpu.cr4 & Cr4.PAE) !== 0 ? walkPae(cpu, lin, write, supervisor) : walk32(cpu, lin, write, supervisor);
}

function pageFault(cpu: Cpu, lin: number, code: number, write: boolean, supervisor: boolean): never {
  cpu.cr2 = lin;
  if (write) code |= PfError.Write;
  if (!supervisor) code |= PfError.User;
  throw new CpuException(Vector.PF, code);
}

/** Checks rights gathered over the walk; returns nothing or raises #PF with P=1. */
function checkRights(cpu: Cpu, lin: number, user: boolean, rw: boolean, write: boolean, supervisor: boolean): void {
  if (!supervisor) {
    if (!user || (write && !rw)) pageFault(cpu, lin, PfError.Present, write, supervisor);
  } else if (write && !rw && (cpu.cr0 & Cr0.WP) !== 0) {
    pageFault(cpu, lin, PfError.Present, write, supervisor);
  }
}

function readPhys32(cpu: Cpu, addr: number): number { return cpu.mem.read(addr & cpu.a20Mask, 4); }
function writePhys32(cpu: Cpu, addr: number, v: number): void { cpu.mem.write(addr & cpu.a20Mask, 4, v); }

/**
 * Fills the TLB from the combined rights of a successful walk. `large` marks
 * a 4 MiB / 2 MiB page, which the TLB holds as 4 KiB entries that INVLPG of
 * any address in the page must all drop.
 */
function fill(cpu: Cpu, lin: number, physPage: number, user: boolean, rw: boolean, dirty: boolean, global: boolean,
  large: boolean): void {
  const wp = (cpu.cr0 & Cr0.WP) !== 0;
  cpu.fillTlb(lin, physPage, !user, !(user && rw) || !dirty, (wp && !rw) || !dirty,
    global && (cpu.cr4 & Cr4.PGE) !== 0);
  if (large) cpu.tlb.markLarge(lin >>> 12);
}

/**
 * Ends a walk at a PDE that maps a large page: 4 MiB under 32-bit paging, 2 MiB
 * under PAE. `reserved` are the PDE bits that must be 0 and `offsetMask` the
 * linear-address bits that are the offset within the page.
 */
function largePage(cpu: Cpu, lin: number, pdeAddr: number, pde: number, reserved: number, offsetMask: number,
  write: boolean, supervisor: boolean): number {
  if ((pde & reserved) !== 0) pageFault(cpu, lin, PfError.Present | PfError.Reserved, write, supervisor);
  const user = (pde & US) !== 0, rw = (pde & RW) !== 0;
  checkRights(cpu, lin, user, rw, write, supervisor);
  const updated = pde | A | (write ? D : 0);
  if (updated !== pde) writePhys32(cpu, pdeAddr, updated);
  const phys = (pde & ~offsetMask) | (lin & offsetMask);
  fill(cpu, lin, phys & ~0xfff, user, rw, (updated & D) !== 0, (pde & G) !== 0, true);
  return phys;
}

/**
 * Ends a walk at a present PTE of a 4 KiB page (either format): rights are
 * those of the PDE and the PTE together; sets A in both and D in the PTE.
 */
function smallPage(cpu: Cpu, lin: number, pdeAddr: number, pde: number, pteAddr: number, pte: number,
  write: boolean, supervisor: boolean): number {
  const user = (pde & pte & US) !== 0, rw = (pde & pte & RW) !== 0;
  checkRights(cpu, lin, user, rw, write, supervisor);
  if ((pde & A) === 0) writePhys32(cpu, pdeAddr, pde | A);
  const updated = pte | A | (write ? D : 0);
  if (updated !== pte) writePhys32(cpu, pteAddr, updated);
  const physPage = pte & ~0xfff;
  fill(cpu, lin, physPage, user, rw, (updated & D) !== 0, (pte & G) !== 0, false);
  return physPage | (lin & 0xfff);
}

function walk32(cpu: Cpu, lin: number, write: boolean, supervisor: boolean): number {
  const pdeAddr = (cpu.cr3 & ~0xfff) + ((lin >>> 22) << 2);
  const pde = readPhys32(cpu, pdeAddr);
  if ((pde & P) === 0) pageFault(cpu, lin, 0, write, supervisor);
  if ((pde & PS) !== 0 && (cpu.cr4 & Cr4.PSE) !== 0) {
    // 4 MiB page (SDM Vol. 3A §4.3, Table 4-4); PSE-36 bits 13..16 address above 4 GiB, unsupported here.
    return largePage(cpu, lin, pdeAddr, pde, 0x003f_e000, 0x003f_ffff, write, supervisor);
  }
  const pteAddr = (pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2);
  const pte = readPhys32(cpu, pteAddr);
  if ((pte & P) === 0) pageFault(cpu, lin, 0, write, supervisor);
  return smallPage(cpu, lin, pdeAddr, pde, pteAddr, pte, write, supervisor);
}

/**
 * PAE paging (SDM Vol. 3A §4.4): 64-bit entries; physical addresses above
 * 4 GiB are not backed here, so their high dword must be zero. Bits above
 * MAXPHYADDR (36) and bit 63 (no NX on this CPU) are reserved.
 */
function walkPae(cpu: Cpu, lin: number, write: boolean, supervisor: boolean): number {
  const pdpteAddr = (cpu.cr3 & ~0x1f) + ((lin >>> 30) << 3);
  const pdpte = readPhys32(cpu, pdpteAddr);
  const pdpteHigh = readPhys32(cpu, pdpteAddr + 4);
  if ((pdpte & P) === 0) pageFault(cpu, lin, 0, write, supervisor);
  if ((pdpteHigh & PAE_RESERVED_HIGH) !== 0 || (pdpte & PDPTE_RESERVED_LOW) !== 0) {
    pageFault(cpu, lin, PfError.Present | PfError.Reserved, write, supervisor);
  }
  const pdeAddr = (pdpte & ~0xfff) + (((lin >>> 21) & 0x1ff) << 3);
  const pde = readPhys32(cpu, pdeAddr);
  const pdeHigh = readPhys32(cpu, pdeAddr + 4);
  if ((pde & P) === 0) pageFault(cpu, lin, 0, write, supervisor);
  if ((pdeHigh & PAE_RESERVED_HIGH) !== 0) pageFault(cpu, lin, PfError.Present | PfError.Reserved, write, supervisor);
  if ((pde & PS) !== 0) {
    // 2 MiB page (SDM Vol. 3A §4.4.2, Table 4-9); bits 20:13 are reserved.
    return largePage(cpu, lin, pdeAddr, pde, 0x001f_e000, 0x001f_ffff, write, supervisor);
  }
  const pteAddr = (pde & ~0xfff) + (((lin >>> 12) & 0x1ff) << 3);
  const pte = readPhys32(cpu, pteAddr);
  const pteHigh = readPhys32(cpu, pteAddr + 4);
  if ((pte & P) === 0) pageFault(cpu, lin, 0, write, supervisor);
  if ((pteHigh & PAE_RESERVED_HIGH) !== 0) pageFault(cpu, lin, PfError.Present | PfError.Reserved, write, supervisor);
  return smallPage(cpu, lin, pdeAddr, pde, pteAddr, pte, write, supervisor);
}
