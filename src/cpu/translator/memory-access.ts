/**
 * Memory accesses of translated code: the TLB fast path (RAM through typed
 * arrays, as Cpu.readLin32 and friends do it) with the CPU's own accessors
 * as the slow path. They are small functions rather than inline code so a
 * region's bytecode stays small enough for V8 to optimize it (TurboFan
 * skips functions past 60 KiB of bytecode) while TurboFan inlines them
 * into it. `flat` forms are for DS/ES/SS when they are flat (the linear
 * address is the offset); the others check the segment as Cpu.linearFor
 * does. `at` is the instruction's index in its block: the slow path sets
 * the instruction count to Cpu.blockStart + at (a device may read the
 * time). A small integer rather than the count itself, which is past
 * 2^31 in a long run: a double argument to a call TurboFan did not inline
 * would be boxed, an allocation per access.
 */
import type { Cpu } from '../cpu.js';
import { TLB_VALID } from '../tlb.js';

/** The accessors generated code reaches through `H`, bound to one CPU's TLB and RAM. */
export function memoryAccess(cpu: Cpu) {
  const tlb = cpu.tlb.entries;
  const b = cpu.backing;
  const m16 = new Uint16Array(b.buffer, b.byteOffset, b.length >>> 1);
  const m32 = new Int32Array(b.buffer, b.byteOffset, b.length >>> 2);
  const segOk = cpu.segOk, segBase = cpu.segBase, segLimit = cpu.segLimit;

  /** Host offset for a `size`-byte read at `lin` on the fast path, or -1. */
  function readHost(c: Cpu, lin: number, size: number): number {
    const e = tlb[lin >>> 12];
    return (e & c.tlbReadMask) === TLB_VALID && (lin & 0xfff) <= 0x1000 - size ? (e & -4096) | (lin & 0xfff) : -1;
  }
  function writeHost(c: Cpu, lin: number, size: number): number {
    const e = tlb[lin >>> 12];
    return (e & c.tlbWriteMask) === TLB_VALID && (lin & 0xfff) <= 0x1000 - size ? (e & -4096) | (lin & 0xfff) : -1;
  }
  /** The segment allows the access on the fast path (else the slow path raises what it must). */
  function segFast(seg: number, off: number, size: number, need: number): boolean {
    return (segOk[seg] & need) !== 0 && (off >>> 0) + size - 1 <= segLimit[seg];
  }
  function load8(p: number): number { return b[p]; }
  function load16(p: number): number { return (p & 1) === 0 ? m16[p >> 1] : b[p] | (b[p + 1] << 8); }
  function load32(p: number): number {
    return (p & 3) === 0 ? m32[p >> 2] : b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }
  function store8(p: number, v: number): void { b[p] = v; }
  function store16(p: number, v: number): void {
    if ((p & 1) === 0) m16[p >> 1] = v;
    else { b[p] = v; b[p + 1] = v >> 8; }
  }
  function store32(p: number, v: number): void {
    if ((p & 3) === 0) m32[p >> 2] = v;
    else { b[p] = v; b[p + 1] = v >> 8; b[p + 2] = v >> 16; b[p + 3] = v >> 24; }
  }

  return {
    /** The TLB entries and RAM views, for the fast path generated code writes out (emit.ts read/write). */
    TLB: tlb, MEM8: b, MEM16: m16, MEM32: m32,
    rf8(c: Cpu, seg: number, off: number, at: number): number {
      const p = readHost(c, off, 1);
      if (p >= 0) return load8(p);
      c.instructions = c.blockStart + at; return c.readMem8(seg, off);
    },
    rf16(c: Cpu, seg: number, off: number, at: number): number {
      const p = readHost(c, off, 2);
      if (p >= 0) return load16(p);
      c.instructions = c.blockStart + at; return c.readMem16(seg, off);
    },
    rf32(c: Cpu, seg: number, off: number, at: number): number {
      const p = readHost(c, off, 4);
      if (p >= 0) return load32(p);
      c.instructions = c.blockStart + at; return c.readMem32(seg, off);
    },
    rs8(c: Cpu, seg: number, off: number, at: number): number {
      const p = segFast(seg, off, 1, 1) ? readHost(c, (segBase[seg] + off) | 0, 1) : -1;
      if (p >= 0) return load8(p);
      c.instructions = c.blockStart + at; return c.readMem8(seg, off);
    },
    rs16(c: Cpu, seg: number, off: number, at: number): number {
      const p = segFast(seg, off, 2, 1) ? readHost(c, (segBase[seg] + off) | 0, 2) : -1;
      if (p >= 0) return load16(p);
      c.instructions = c.blockStart + at; return c.readMem16(seg, off);
    },
    rs32(c: Cpu, seg: number, off: number, at: number): number {
      const p = segFast(seg, off, 4, 1) ? readHost(c, (segBase[seg] + off) | 0, 4) : -1;
      if (p >= 0) return load32(p);
      c.instructions = c.blockStart + at; return c.readMem32(seg, off);
    },
    wf8(c: Cpu, seg: number, off: number, v: number, at: number): void {
      const p = writeHost(c, off, 1);
      if (p >= 0) store8(p, v);
      else { c.instructions = c.blockStart + at; c.writeMem8(seg, off, v); }
    },
    wf16(c: Cpu, seg: number, off: number, v: number, at: number): void {
      const p = writeHost(c, off, 2);
      if (p >= 0) store16(p, v);
      else { c.instructions = c.blockStart + at; c.writeMem16(seg, off, v); }
    },
    wf32(c: Cpu, seg: number, off: number, v: number, at: number): void {
      const p = writeHost(c, off, 4);
      if (p >= 0) store32(p, v);
      else { c.instructions = c.blockStart + at; c.writeMem32(seg, off, v); }
    },
    ws8(c: Cpu, seg: number, off: number, v: number, at: number): void {
      const p = segFast(seg, off, 1, 2) ? writeHost(c, (segBase[seg] + off) | 0, 1) : -1;
      if (p >= 0) store8(p, v);
      else { c.instructions = c.blockStart + at; c.writeMem8(seg, off, v); }
    },
    ws16(c: Cpu, seg: number, off: number, v: number, at: number): void {
      const p = segFast(seg, off, 2, 2) ? writeHost(c, (segBase[seg] + off) | 0, 2) : -1;
      if (p >= 0) store16(p, v);
      else { c.instructions = c.blockStart + at; c.writeMem16(seg, off, v); }
    },
    ws32(c: Cpu, seg: number, off: number, v: number, at: number): void {
      const p = segFast(seg, off, 4, 2) ? writeHost(c, (segBase[seg] + off) | 0, 4) : -1;
      if (p >= 0) store32(p, v);
      else { c.instructions = c.blockStart + at; c.writeMem32(seg, off, v); }
    },
  };
}

/** Names of the accessors, for the destructuring line of generated code. */
export const MEMORY_ACCESS_NAMES = ['rf8', 'rf16', 'rf32', 'rs8', 'rs16', 'rs32', 'wf8', 'wf16', 'wf32', 'ws8', 'ws16', 'ws32'] as const;
