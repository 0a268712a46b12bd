/**
 * Segmentation: descriptor fetch, segment-register loads with the protection
 * checks of SDM Vol. 2 "MOV — Move to/from Segment Registers" / Vol. 3A §5.4-5.8,
 * and the slow path of every memory access's limit and type check (§5.3).
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Flag, Seg, Vector } from './registers.js';
import { StateWord } from './state-block.js';

/** Fast-path permission bits in cpu.segOk. */
export const enum SegOk { Read = 1, Write = 2 }

/** Descriptor attribute bits as kept in cpu.segAttr (descriptor high dword, bits 8..23). */
export const enum Attr {
  Accessed = 0x100,
  /** Data: writable; code: readable. */
  RW = 0x200,
  /** Data: expand-down; code: conforming. */
  DC = 0x400,
  Code = 0x800,
  /** S: code/data (1) or system (0). */
  S = 0x1000,
  DplShift = 13,
  Present = 0x8000,
  /** D/B: 32-bit default size (code), big stack / 4 GiB expand-down bound (data). */
  Big = 0x40_0000,
  Granularity = 0x80_0000,
}

/** Attributes of a real-mode data segment and of the reset CS (present, accessed). */
const REAL_DATA_ATTR = Attr.Present | Attr.S | Attr.RW | Attr.Accessed;
const REAL_CODE_ATTR = Attr.Present | Attr.S | Attr.Code | Attr.RW | Attr.Accessed;
/** Virtual-8086 segments are DPL 3 data (SDM Vol. 3A §20.1.1). */
const V86_ATTR = REAL_DATA_ATTR | (3 << Attr.DplShift);

/** RESET segment state (SDM Vol. 3A Table 9-1): CS F000 with base FFFF0000. */
export function resetSegments(cpu: Cpu): void {
  for (let s = 0; s < 6; s++) {
    cpu.segSel[s] = 0;
    cpu.segBase[s] = 0;
    cpu.segLimit[s] = 0xffff;
    cpu.segAttr[s] = REAL_DATA_ATTR;
  }
  cpu.segSel[Seg.CS] = 0xf000;
  cpu.segBase[Seg.CS] = 0xffff0000 | 0;
  cpu.segAttr[Seg.CS] = REAL_CODE_ATTR;
  for (let s = 0; s < 6; s++) updateSegOk(cpu, s);
  cpu.codeSize32 = false;
  cpu.stackSize32 = false;
}

/** Recomputes the fast-path bits for a segment from its cached attributes. */
export function updateSegOk(cpu: Cpu, seg: number): void {
  const attr = cpu.segAttr[seg];
  let ok = 0;
  if (!cpu.protectedMode || cpu.vm86) ok = SegOk.Read | SegOk.Write;
  else if ((attr & Attr.Present) !== 0 && (attr & Attr.S) !== 0) {
    if ((attr & Attr.Code) !== 0) ok = (attr & Attr.RW) !== 0 ? SegOk.Read : 0;
    else if ((attr & Attr.DC) === 0) ok = (attr & Attr.RW) !== 0 ? SegOk.Read | SegOk.Write : SegOk.Read;
    // Expand-down data segments always take the slow path.
  }
  cpu.segOk[seg] = ok;
  if (seg === Seg.FS || seg === Seg.GS) {
    // For WebAssembly regions (translator/wasm/region.ts fastTest): with a 4 GiB limit only the bits matter.
    const w = seg - Seg.FS;
    cpu.state[StateWord.FS_BASE + w] = cpu.segBase[seg];
    cpu.state[StateWord.FS_FAST + w] = cpu.segLimit[seg] === 0xffffffff ? ok : 0;
  }
  if (seg === Seg.CS) cpu.codeSize32 = (attr & Attr.Big) !== 0 && cpu.protectedMode && !cpu.vm86;
  else if (seg === Seg.SS) cpu.stackSize32 = (attr & Attr.Big) !== 0 && cpu.protectedMode && !cpu.vm86;
}

/** Recomputes every segment's fast-path bits (after CR0.PE or EFLAGS.VM change). */
export function updateAllSegOk(cpu: Cpu): void {
  for (let s = 0; s < 6; s++) updateSegOk(cpu, s);
}

/** The checks behind a failed fast-path test (SDM Vol. 3A §5.3, §5.4.1). */
export function checkSegmentSlow(cpu: Cpu, seg: number, off: number, size: number, write: boolean): void {
  const vector = seg === Seg.SS ? Vector.SS : Vector.GP;
  const attr = cpu.segAttr[seg];
  const offset = off >>> 0;
  const last = offset + size - 1;
  if (cpu.protectedMode && !cpu.vm86) {
    if ((attr & Attr.Present) === 0 || (attr & Attr.S) === 0) throw new CpuException(vector, 0);
    if ((attr & Attr.Code) !== 0) {
      if (write || (attr & Attr.RW) === 0) throw new CpuException(Vector.GP, 0);
    } else if (write && (attr & Attr.RW) === 0) {
      throw new CpuException(Vector.GP, 0);
    }
    if ((attr & (Attr.Code | Attr.DC)) === Attr.DC) {
      // Expand-down: valid offsets run from limit+1 to 0xFFFF or 0xFFFFFFFF.
      const upper = (attr & Attr.Big) !== 0 ? 0xffff_ffff : 0xffff;
      if (offset <= cpu.segLimit[seg] || last > upper) throw new CpuException(vector, 0);
      return;
    }
  }
  if (last > cpu.segLimit[seg]) throw new CpuException(vector, 0);
}

// ---- descriptors ------------------------------------------------------------

/** A descriptor as read from the GDT/LDT. */
export interface Descriptor {
  low: number;
  high: number;
}

/** Base address encoded in a segment descriptor. */
export function descBase(d: Descriptor): number {
  return ((d.low >>> 16) | ((d.high & 0xff) << 16) | (d.high & 0xff00_0000)) | 0;
}

/** Byte-granular limit of a segment descriptor. */
export function descLimit(d: Descriptor): number {
  const raw = (d.low & 0xffff) | (d.high & 0x000f_0000);
  return (d.high & Attr.Granularity) !== 0 ? raw * 4096 + 4095 : raw;
}

/** Attribute bits as kept in segAttr. */
export function descAttr(d: Descriptor): number { return d.high & 0x00f0_ff00; }
export function descDpl(d: Descriptor): number { return (d.high >> Attr.DplShift) & 3; }
export function descPresent(d: Descriptor): boolean { return (d.high & Attr.Present) !== 0; }

/** Linear address of a selector's descriptor, or -1 if outside its table's limit. */
export function descriptorAddress(cpu: Cpu, sel: number): number {
  const index = sel & ~7;
  if ((sel & 4) !== 0) {
    if ((cpu.ldtrSel & ~3) === 0 || index + 7 > cpu.ldtrLimit) return -1;
    return (cpu.ldtrBase + index) | 0;
  }
  if (index + 7 > cpu.gdtrLimit) return -1;
  return (cpu.gdtrBase + index) | 0;
}

/**
 * Reads the descriptor for `sel` into `out`; raises `vector`(sel & ~3) when
 * the selector lies outside its table (the usual #GP(selector)).
 */
export function readDescriptor(cpu: Cpu, sel: number, out: Descriptor, vector: number = Vector.GP): void {
  const addr = descriptorAddress(cpu, sel);
  if (addr === -1) throw new CpuException(vector, sel & 0xfffc);
  out.low = cpu.readSupervisor(addr, 4);
  out.high = cpu.readSupervisor((addr + 4) | 0, 4);
}

/** Sets the accessed bit of a code/data descriptor in memory if it is clear. */
export function markAccessed(cpu: Cpu, sel: number, d: Descriptor): void {
  if ((d.high & Attr.Accessed) !== 0) return;
  d.high |= Attr.Accessed;
  cpu.writeSupervisor((descriptorAddress(cpu, sel) + 5) | 0, 1, d.high >>> 8);
}

/** Loads a segment register's visible and hidden parts directly. */
export function setSegment(cpu: Cpu, seg: number, sel: number, base: number, limit: number, attr: number): void {
  cpu.segSel[seg] = sel & 0xffff;
  cpu.segBase[seg] = base | 0;
  cpu.segLimit[seg] = limit >>> 0;
  cpu.segAttr[seg] = attr;
  updateSegOk(cpu, seg);
}

/** Real mode: base = selector × 16; limit and attributes stay (SDM Vol. 3A §20.1.1). */
export function loadSegmentReal(cpu: Cpu, seg: number, sel: number): void {
  sel &= 0xffff;
  cpu.segSel[seg] = sel;
  cpu.segBase[seg] = sel << 4;
  if (cpu.vm86) {
    cpu.segLimit[seg] = 0xffff;
    cpu.segAttr[seg] = seg === Seg.CS ? V86_ATTR | Attr.Code : V86_ATTR;
  } else if (seg === Seg.CS) {
    // Real-mode far transfers keep CS a 16-bit readable code segment.
    cpu.segAttr[seg] = (cpu.segAttr[seg] & ~Attr.Big) | Attr.Present | Attr.S;
  }
  updateSegOk(cpu, seg);
}

const scratch: Descriptor = { low: 0, high: 0 };

/**
 * MOV/POP/LDS… to a data or stack segment register (not CS), with the
 * protected-mode checks of SDM Vol. 2 "MOV" (Operation, protected mode).
 */
export function loadSegment(cpu: Cpu, seg: number, sel: number): void {
  sel &= 0xffff;
  if (!cpu.protectedMode || (cpu.flags & Flag.VM) !== 0) {
    loadSegmentReal(cpu, seg, sel);
    return;
  }
  const rpl = sel & 3;
  if ((sel & ~3) === 0) {
    if (seg === Seg.SS) throw new CpuException(Vector.GP, 0);
    // A null selector loads; any access through it raises #GP(0).
    setSegment(cpu, seg, sel, 0, 0, 0);
    return;
  }
  const d = scratch;
  readDescriptor(cpu, sel, d);
  const attr = descAttr(d);
  const dpl = descDpl(d);
  const isCode = (attr & Attr.Code) !== 0;
  if ((attr & Attr.S) === 0) throw new CpuException(Vector.GP, sel & 0xfffc);
  if (seg === Seg.SS) {
    if (rpl !== cpu.cpl || dpl !== cpu.cpl || isCode || (attr & Attr.RW) === 0) {
      throw new CpuException(Vector.GP, sel & 0xfffc);
    }
    if (!descPresent(d)) throw new CpuException(Vector.SS, sel & 0xfffc);
  } else {
    if (isCode && (attr & Attr.RW) === 0) throw new CpuException(Vector.GP, sel & 0xfffc);
    const conformingCode = isCode && (attr & Attr.DC) !== 0;
    if (!conformingCode && (rpl > dpl || cpu.cpl > dpl)) throw new CpuException(Vector.GP, sel & 0xfffc);
    if (!descPresent(d)) throw new CpuException(Vector.NP, sel & 0xfffc);
  }
  markAccessed(cpu, sel, d);
  setSegment(cpu, seg, sel, descBase(d), descLimit(d), descAttr(d));
}
