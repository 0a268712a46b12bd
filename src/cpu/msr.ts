/**
 * Model-specific registers for RDMSR/WRMSR (SDM Vol. 2 "RDMSR", "WRMSR";
 * Vol. 4 "Model-Specific Registers", tables for the P6 family).
 *
 * One table lists every MSR the CPU implements. Most are plain stores (the
 * guest reads back what it wrote: MTRRs, performance-event selectors, PAT,
 * MISC_ENABLE); a few are views of state kept on the Cpu (the TSC, APIC base,
 * SYSENTER registers). Any other index raises #GP(0), as does setting a
 * reserved bit or writing a read-only MSR.
 *
 * Deviations from hardware: MTRRs and PAT are stored but have no effect on
 * memory types (there are no caches to model); the performance counters do
 * not count.
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Msr, Reg, Vector } from './registers.js';

/** How an MSR behaves on RDMSR/WRMSR. */
const enum Kind {
  /** Reads back what was written (reserved bits #GP). */
  Store,
  /** Reads its RESET value; WRMSR raises #GP(0). */
  ReadOnly,
  /** A plain store whose writes also invalidate the TLB, global entries too (SDM Vol. 2 "WRMSR"). */
  Mtrr,
  /** Each byte a memory type; types 2 and 3 are reserved (SDM Vol. 3A §11.12.2). */
  Pat,
  /** P6 40-bit counter: writes set bits 31:0 and sign-extend bit 31 into 39:32 (SDM Vol. 3B §19.6.2). */
  PerfCounter,
  /** cpu.tscTicks() + cpu.tscOffset. */
  Tsc,
  /** cpu.apicBase (low dword); bit 8 (BSP) is read-only. */
  ApicBase,
  SysenterCs,
  SysenterEsp,
  SysenterEip,
}

interface MsrSpec {
  /** ECX value selecting the MSR. */
  index: number;
  /** Name as in SDM Vol. 4. */
  name: string;
  kind: Kind;
  /** RESET value, low and high dword (stored kinds only). */
  resetLo: number;
  resetHi: number;
  /** Bits that raise #GP(0) when written as 1, low and high dword. */
  reservedLo: number;
  reservedHi: number;
}

function msr(index: number, name: string, kind: Kind, reset: [number, number] = [0, 0],
  reserved: [number, number] = [0, 0]): MsrSpec {
  return { index, name, kind, resetLo: reset[0] | 0, resetHi: reset[1] | 0, reservedLo: reserved[0] | 0, reservedHi: reserved[1] | 0 };
}

/** Physical-address bits 35:32 of a 36-bit MAXPHYADDR; everything above is reserved. */
const ABOVE_36_BITS = 0xffff_fff0;

/** Every implemented MSR (SDM Vol. 4 Table 2-2 "IA-32 Architectural MSRs" and the P6 family table). */
const MSR_TABLE: readonly MsrSpec[] = [
  msr(Msr.TSC, 'IA32_TIME_STAMP_COUNTER', Kind.Tsc),
  // Linux reads the platform ID and the microcode signature on family 6 without rdmsr_safe.
  msr(0x17, 'IA32_PLATFORM_ID', Kind.ReadOnly),
  msr(Msr.APIC_BASE, 'IA32_APIC_BASE', Kind.ApicBase, [0, 0], [0x6ff, ABOVE_36_BITS]),
  msr(0x8b, 'IA32_BIOS_SIGN_ID', Kind.Store),
  msr(0xc1, 'PERFCTR0', Kind.PerfCounter),
  msr(0xc2, 'PERFCTR1', Kind.PerfCounter),
  // VCNT = 8 variable ranges, FIX = fixed ranges supported, WC = write-combining type supported.
  msr(0xfe, 'IA32_MTRRCAP', Kind.ReadOnly, [0x508, 0]),
  msr(Msr.SYSENTER_CS, 'IA32_SYSENTER_CS', Kind.SysenterCs),
  msr(Msr.SYSENTER_ESP, 'IA32_SYSENTER_ESP', Kind.SysenterEsp),
  msr(Msr.SYSENTER_EIP, 'IA32_SYSENTER_EIP', Kind.SysenterEip),
  msr(0x186, 'PERFEVTSEL0', Kind.Store, [0, 0], [0, -1]),
  msr(0x187, 'PERFEVTSEL1', Kind.Store, [0, 0], [0, -1]),
  // Fast-string enable set; BTS and PEBS reported unavailable (bits 11, 12).
  msr(Msr.MISC_ENABLE, 'IA32_MISC_ENABLE', Kind.Store, [0x1801, 0]),
  ...variableMtrrs(),
  msr(0x250, 'IA32_MTRR_FIX64K_00000', Kind.Mtrr),
  msr(0x258, 'IA32_MTRR_FIX16K_80000', Kind.Mtrr),
  msr(0x259, 'IA32_MTRR_FIX16K_A0000', Kind.Mtrr),
  ...[0xc0000, 0xc8000, 0xd0000, 0xd8000, 0xe0000, 0xe8000, 0xf0000, 0xf8000].map((base, i) =>
    msr(0x268 + i, `IA32_MTRR_FIX4K_${base.toString(16).toUpperCase()}`, Kind.Mtrr)),
  // PA0..PA7 = WB WT UC- UC WB WT UC- UC after RESET.
  msr(Msr.PAT, 'IA32_PAT', Kind.Pat, [0x0007_0406, 0x0007_0406], [0xf8f8_f8f8, 0xf8f8_f8f8]),
  // Type in bits 7:0, FE (fixed ranges enabled) bit 10, E (MTRRs enabled) bit 11.
  msr(0x2ff, 'IA32_MTRR_DEF_TYPE', Kind.Mtrr, [0, 0], [~0xcff, -1]),
];

/** IA32_MTRR_PHYSBASE0..7 (type, base 35:12) and IA32_MTRR_PHYSMASK0..7 (valid bit 11, mask 35:12). */
function variableMtrrs(): MsrSpec[] {
  const list: MsrSpec[] = [];
  for (let n = 0; n < 8; n++) {
    list.push(msr(0x200 + 2 * n, `IA32_MTRR_PHYSBASE${n}`, Kind.Mtrr, [0, 0], [0xf00, ABOVE_36_BITS]));
    list.push(msr(0x201 + 2 * n, `IA32_MTRR_PHYSMASK${n}`, Kind.Mtrr, [0, 0], [0x7ff, ABOVE_36_BITS]));
  }
  return list;
}

/** MSR index → position in MSR_TABLE (built once; never changes). */
const SLOT = new Map<number, number>(MSR_TABLE.map((spec, slot) => [spec.index, slot]));

/** Stored MSR values of one CPU, by MSR_TABLE position. */
export class MsrFile {
  /** Bits 31:0 of each stored MSR, by its position in the table. */
  readonly lo = new Int32Array(MSR_TABLE.length);
  /** Bits 63:32 of each stored MSR. */
  readonly hi = new Int32Array(MSR_TABLE.length);

  /** RESET values (SDM Vol. 3A Table 9-1), including the MSRs kept as Cpu fields. */
  reset(cpu: Cpu): void {
    MSR_TABLE.forEach((spec, slot) => { this.lo[slot] = spec.resetLo; this.hi[slot] = spec.resetHi; });
    // "The time-stamp counter ... is reset to zero each time the processor is reset."
    cpu.tscOffset = 0 - cpu.tscTicks();
    // Base FEE00000, APIC global enable (bit 11), bootstrap processor (bit 8).
    cpu.apicBase = 0xfee0_0900 | 0;
    cpu.sysenterCs = cpu.sysenterEsp = cpu.sysenterEip = 0;
  }
}

/** The name of an MSR (for diagnostics), or undefined when it is not implemented. */
export function msrName(index: number): string | undefined {
  const slot = SLOT.get(index >>> 0);
  return slot === undefined ? undefined : MSR_TABLE[slot].name;
}

const TWO_32 = 0x1_0000_0000;

/** The time-stamp counter: the CPU's time base plus the offset a TSC write set. */
export function readTsc(cpu: Cpu): number {
  return cpu.tscTicks() + cpu.tscOffset;
}

/** RDMSR: EDX:EAX ← MSR[ECX]; #GP(0) for an unimplemented MSR. */
export function rdmsr(cpu: Cpu): void {
  const slot = lookup(cpu.regs[Reg.ECX]);
  const file = cpu.msrs;
  let lo = file.lo[slot], hi = file.hi[slot];
  switch (MSR_TABLE[slot].kind) {
    case Kind.Tsc: {
      const t = readTsc(cpu);
      lo = t % TWO_32;
      hi = Math.floor(t / TWO_32);
      break;
    }
    case Kind.ApicBase: lo = cpu.apicBase; break;
    case Kind.SysenterCs: lo = cpu.sysenterCs; hi = 0; break;
    case Kind.SysenterEsp: lo = cpu.sysenterEsp; hi = 0; break;
    case Kind.SysenterEip: lo = cpu.sysenterEip; hi = 0; break;
    default: break;
  }
  cpu.regs[Reg.EAX] = lo;
  cpu.regs[Reg.EDX] = hi;
}

/** WRMSR: MSR[ECX] ← EDX:EAX; #GP(0) for an unimplemented or read-only MSR or a reserved bit. */
export function wrmsr(cpu: Cpu): void {
  const slot = lookup(cpu.regs[Reg.ECX]);
  const spec = MSR_TABLE[slot];
  const lo = cpu.regs[Reg.EAX], hi = cpu.regs[Reg.EDX];
  if ((lo & spec.reservedLo) !== 0 || (hi & spec.reservedHi) !== 0) throw new CpuException(Vector.GP, 0);
  const file = cpu.msrs;
  switch (spec.kind) {
    case Kind.ReadOnly: throw new CpuException(Vector.GP, 0);
    case Kind.Tsc:
      // P6: only bits 31:0 are writable and a write clears bits 63:32 (SDM Vol. 4, IA32_TIME_STAMP_COUNTER:
      // "On earlier processors, only the lower 32 bits are writable"). RDTSC continues from the value.
      cpu.tscOffset = (lo >>> 0) - cpu.tscTicks();
      return;
    case Kind.ApicBase:
      cpu.apicBase = (lo & ~0x100) | (cpu.apicBase & 0x100);
      file.hi[slot] = hi;
      return;
    case Kind.SysenterCs: cpu.sysenterCs = lo; return;
    case Kind.SysenterEsp: cpu.sysenterEsp = lo; return;
    case Kind.SysenterEip: cpu.sysenterEip = lo; return;
    case Kind.Pat:
      if (!validPat(lo) || !validPat(hi)) throw new CpuException(Vector.GP, 0);
      break;
    case Kind.PerfCounter:
      file.lo[slot] = lo;
      file.hi[slot] = (lo >> 31) & 0xff;
      return;
    default: break;
  }
  file.lo[slot] = lo;
  file.hi[slot] = hi;
  if (spec.kind === Kind.Mtrr) cpu.flushTlb(true);
}

/** RDPMC's counters on the P6 family: ECX = 0 or 1 selects PERFCTR0/1 (SDM Vol. 2 "RDPMC"). */
export function readPerformanceCounter(cpu: Cpu, counter: number): boolean {
  if (counter !== 0 && counter !== 1) return false;
  const slot = SLOT.get(0xc1 + counter)!;
  cpu.regs[Reg.EAX] = cpu.msrs.lo[slot];
  cpu.regs[Reg.EDX] = cpu.msrs.hi[slot];
  return true;
}

function lookup(index: number): number {
  const slot = SLOT.get(index >>> 0);
  if (slot === undefined) throw new CpuException(Vector.GP, 0);
  return slot;
}

/** Each PAT entry must be UC (0), WC (1), WT (4), WP (5), WB (6) or UC- (7). */
function validPat(dword: number): boolean {
  for (let i = 0; i < 32; i += 8) {
    const type = (dword >>> i) & 7;
    if (type === 2 || type === 3) return false;
  }
  return true;
}
