/**
 * Instruction family: string operations MOVS, CMPS, STOS, LODS, SCAS, INS,
 * OUTS with the REP/REPE/REPNE prefixes (SDM Vol. 2 "REP/REPE/REPZ/REPNE/
 * REPNZ" and each instruction's page).
 *
 * - Source DS:(E)SI (a segment override applies), destination ES:(E)DI (no
 *   override). The address size picks SI/DI/CX (wrapping at 16 bits) or
 *   ESI/EDI/ECX; DF picks the direction.
 * - A REP instruction updates (E)SI/(E)DI/(E)CX after every iteration, so a
 *   fault leaves them at the faulting iteration with EIP at the instruction:
 *   it restarts where it stopped, as on hardware.
 * - At most REP_CHUNK iterations run per execution; if some remain, EIP is
 *   rewound to the instruction so that it resumes after the run loop has had
 *   a chance to take interrupts (SDM: "the processor checks for pending
 *   interrupts between iterations").
 * - Fast paths: REP MOVS and REP STOS with DF = 0 copy or fill whole runs
 *   within one page straight in host memory when the segment and TLB checks
 *   pass for the run; anything else takes the per-iteration path.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { Flag, Reg, Seg } from '../registers.js';
import { LazyOp, setLazy } from '../flags.js';
import { SegOk } from '../segments.js';
import { TLB_VALID } from '../tlb.js';
import { checkIoPermission } from './io.js';

/**
 * Iterations one execution of a REP instruction may run. Large enough that
 * long copies run at host speed, small enough to keep interrupt latency
 * within a few thousand memory accesses.
 */
export const REP_CHUNK = 4096;

/** Mask of the index and count registers: 16- or 32-bit addressing. */
function addressMask(cpu: Cpu): number {
  return cpu.addrsize32 ? -1 : 0xffff;
}

/** Signed step of (E)SI/(E)DI per element. */
function stepOf(cpu: Cpu, size: number): number {
  return (cpu.flags & Flag.DF) !== 0 ? -size : size;
}

/** Adds `delta` to the index or count register `r` within `mask`. */
function advance(cpu: Cpu, r: number, delta: number, mask: number): void {
  const regs = cpu.regs;
  regs[r] = (regs[r] & ~mask) | ((regs[r] + delta) & mask);
}

/** (E)CX as an unsigned count. */
function countOf(cpu: Cpu, mask: number): number {
  return (cpu.regs[Reg.ECX] & mask) >>> 0;
}

/** Stores the remaining count into (E)CX. */
function setCount(cpu: Cpu, count: number, mask: number): void {
  const regs = cpu.regs;
  regs[Reg.ECX] = (regs[Reg.ECX] & ~mask) | (count & mask);
}

/**
 * The (E)CX value at which one execution of a REP instruction that starts
 * with (E)CX = `count` stops: 0, or REP_CHUNK iterations down.
 */
function chunkEnd(count: number): number {
  return count > REP_CHUNK ? count - REP_CHUNK : 0;
}

/** Retires `k` iterations: (E)CX = `count` - `k`, which it returns. */
function retire(cpu: Cpu, count: number, k: number, mask: number): number {
  count -= k;
  setCount(cpu, count, mask);
  return count;
}

/** Ends a REP execution: rewinds EIP to the instruction when iterations remain. */
function finishRep(cpu: Cpu, count: number): void {
  if (count !== 0) cpu.eip = cpu.prevEip;
}

/**
 * Host offset of `bytes` bytes at seg:off if the whole run passes the
 * segment fast-path check, lies in one page and hits a TLB entry allowing the
 * access; -1 otherwise (the caller then takes the per-iteration path, which
 * raises the right fault or fills the TLB).
 */
function hostRun(cpu: Cpu, seg: number, off: number, bytes: number, write: boolean): number {
  const need = write ? SegOk.Write : SegOk.Read;
  if ((cpu.segOk[seg] & need) === 0 || (off >>> 0) + bytes - 1 > cpu.segLimit[seg]) return -1;
  const lin = (cpu.segBase[seg] + off) | 0;
  if ((lin & 0xfff) + bytes > 0x1000) return -1;
  const e = cpu.tlb.entries[lin >>> 12];
  if ((e & (write ? cpu.tlbWriteMask : cpu.tlbReadMask)) !== TLB_VALID) return -1;
  return (e & ~0xfff) + (lin & 0xfff);
}

/**
 * Elements of `size` bytes that fit, going up from offset `off` of `seg`,
 * before the end of the linear page (and, with 16-bit addressing, before
 * the offset wraps), capped at `limit`.
 */
function elementsInPage(cpu: Cpu, seg: number, off: number, size: number, mask: number, limit: number): number {
  const lin = (cpu.segBase[seg] + off) | 0;
  let k = ((0x1000 - (lin & 0xfff)) / size) | 0;
  if (mask !== -1) {
    const toWrap = ((0x1_0000 - off) / size) | 0;
    if (toWrap < k) k = toWrap;
  }
  return k < limit ? k : limit;
}

// ---- MOVS ----------------------------------------------------------------------

function movsOnce(cpu: Cpu, size: number, src: number, mask: number, delta: number): void {
  const regs = cpu.regs;
  const v = cpu.readMem(size, src, regs[Reg.ESI] & mask);
  cpu.writeMem(size, Seg.ES, regs[Reg.EDI] & mask, v);
  advance(cpu, Reg.ESI, delta, mask);
  advance(cpu, Reg.EDI, delta, mask);
}

/**
 * Copies `bytes` bytes in host memory as MOVS would, element by element in
 * ascending order: when the destination starts inside the source the copy
 * replicates (the classic overlapping fill), unlike memmove.
 */
function copyForward(b: Uint8Array, dst: number, src: number, bytes: number, size: number): void {
  if (dst <= src || dst >= src + bytes) {
    b.copyWithin(dst, src, src + bytes);
    return;
  }
  for (let i = 0; i < bytes; i += size) {
    const s = src + i, d = dst + i;
    if (size === 1) b[d] = b[s];
    else if (size === 2) {
      const lo = b[s], hi = b[s + 1];
      b[d] = lo; b[d + 1] = hi;
    } else {
      const b0 = b[s], b1 = b[s + 1], b2 = b[s + 2], b3 = b[s + 3];
      b[d] = b0; b[d + 1] = b1; b[d + 2] = b2; b[d + 3] = b3;
    }
  }
}

/**
 * REP MOVS fast path (DF = 0): copies up to `limit` elements in host memory
 * when source and destination runs each stay in one page and pass the
 * checks. Returns the elements copied; 0 sends the caller to movsOnce.
 */
function movsRun(cpu: Cpu, size: number, src: number, mask: number, limit: number): number {
  const regs = cpu.regs;
  const si = regs[Reg.ESI] & mask, di = regs[Reg.EDI] & mask;
  let k = elementsInPage(cpu, src, si, size, mask, limit);
  k = elementsInPage(cpu, Seg.ES, di, size, mask, k);
  if (k <= 1) return 0;
  const bytes = k * size;
  const hs = hostRun(cpu, src, si, bytes, false);
  const hd = hs < 0 ? -1 : hostRun(cpu, Seg.ES, di, bytes, true);
  if (hd < 0) return 0;
  copyForward(cpu.backing, hd, hs, bytes, size);
  advance(cpu, Reg.ESI, bytes, mask);
  advance(cpu, Reg.EDI, bytes, mask);
  return k;
}

function movs(cpu: Cpu, size: number): void {
  const mask = addressMask(cpu);
  const src = cpu.dataSeg();
  const delta = stepOf(cpu, size);
  if (cpu.repPrefix === 0) {
    movsOnce(cpu, size, src, mask, delta);
    return;
  }
  let count = countOf(cpu, mask);
  if (count === 0) return;
  const end = chunkEnd(count);
  while (count > end) {
    let k = delta > 0 ? movsRun(cpu, size, src, mask, count - end) : 0;
    if (k === 0) {
      movsOnce(cpu, size, src, mask, delta);
      k = 1;
    }
    count = retire(cpu, count, k, mask);
  }
  finishRep(cpu, count);
}

function MOVS_YbXb(cpu: Cpu): void { movs(cpu, 1); }
function MOVS_YvXv(cpu: Cpu): void { movs(cpu, cpu.osize); }

// ---- STOS ----------------------------------------------------------------------

function stosOnce(cpu: Cpu, size: number, v: number, mask: number, delta: number): void {
  cpu.writeMem(size, Seg.ES, cpu.regs[Reg.EDI] & mask, v);
  advance(cpu, Reg.EDI, delta, mask);
}

/** Fills `bytes` bytes of host memory with the little-endian element `v`. */
function fill(b: Uint8Array, dst: number, bytes: number, size: number, v: number): void {
  if (size === 1) {
    b.fill(v & 0xff, dst, dst + bytes);
    return;
  }
  const b0 = v & 0xff, b1 = (v >> 8) & 0xff, b2 = (v >> 16) & 0xff, b3 = (v >>> 24);
  if (b0 === b1 && (size === 2 || (b0 === b2 && b0 === b3))) {
    b.fill(b0, dst, dst + bytes);
    return;
  }
  for (let i = dst, end = dst + bytes; i < end; i += size) {
    b[i] = b0; b[i + 1] = b1;
    if (size === 4) { b[i + 2] = b2; b[i + 3] = b3; }
  }
}

/**
 * REP STOS fast path (DF = 0): fills up to `limit` elements in host memory
 * when the destination run stays in one page and passes the checks. Returns
 * the elements stored; 0 sends the caller to stosOnce.
 */
function stosRun(cpu: Cpu, size: number, v: number, mask: number, limit: number): number {
  const di = cpu.regs[Reg.EDI] & mask;
  const k = elementsInPage(cpu, Seg.ES, di, size, mask, limit);
  if (k <= 1) return 0;
  const bytes = k * size;
  const hd = hostRun(cpu, Seg.ES, di, bytes, true);
  if (hd < 0) return 0;
  fill(cpu.backing, hd, bytes, size, v);
  advance(cpu, Reg.EDI, bytes, mask);
  return k;
}

function stos(cpu: Cpu, size: number): void {
  const mask = addressMask(cpu);
  const delta = stepOf(cpu, size);
  const v = cpu.getReg(size, Reg.EAX);
  if (cpu.repPrefix === 0) {
    stosOnce(cpu, size, v, mask, delta);
    return;
  }
  let count = countOf(cpu, mask);
  if (count === 0) return;
  const end = chunkEnd(count);
  while (count > end) {
    let k = delta > 0 ? stosRun(cpu, size, v, mask, count - end) : 0;
    if (k === 0) {
      stosOnce(cpu, size, v, mask, delta);
      k = 1;
    }
    count = retire(cpu, count, k, mask);
  }
  finishRep(cpu, count);
}

function STOS_YbAL(cpu: Cpu): void { stos(cpu, 1); }
function STOS_YveAX(cpu: Cpu): void { stos(cpu, cpu.osize); }

// ---- LODS ----------------------------------------------------------------------

function lods(cpu: Cpu, size: number): void {
  const mask = addressMask(cpu);
  const src = cpu.dataSeg();
  const delta = stepOf(cpu, size);
  const regs = cpu.regs;
  if (cpu.repPrefix === 0) {
    cpu.setReg(size, Reg.EAX, cpu.readMem(size, src, regs[Reg.ESI] & mask));
    advance(cpu, Reg.ESI, delta, mask);
    return;
  }
  let count = countOf(cpu, mask);
  if (count === 0) return;
  const end = chunkEnd(count);
  while (count > end) {
    cpu.setReg(size, Reg.EAX, cpu.readMem(size, src, regs[Reg.ESI] & mask));
    advance(cpu, Reg.ESI, delta, mask);
    count = retire(cpu, count, 1, mask);
  }
  finishRep(cpu, count);
}

function LODS_ALXb(cpu: Cpu): void { lods(cpu, 1); }
function LODS_eAXXv(cpu: Cpu): void { lods(cpu, cpu.osize); }

// ---- CMPS and SCAS -----------------------------------------------------------------

/**
 * One CMPS: flags of [src:(E)SI] - [ES:(E)DI] (SDM Vol. 2 "CMPS": the first
 * operand is the source string). Returns true when the elements are equal.
 */
function cmpsOnce(cpu: Cpu, size: number, src: number, mask: number, delta: number): boolean {
  const regs = cpu.regs;
  const a = cpu.readMem(size, src, regs[Reg.ESI] & mask);
  const b = cpu.readMem(size, Seg.ES, regs[Reg.EDI] & mask);
  setLazy(cpu, LazyOp.SUB, a, b, (a - b) | 0, size);
  advance(cpu, Reg.ESI, delta, mask);
  advance(cpu, Reg.EDI, delta, mask);
  return a === b;
}

/** One SCAS: flags of AL/AX/EAX - [ES:(E)DI]. Returns true when equal. */
function scasOnce(cpu: Cpu, size: number, a: number, mask: number, delta: number): boolean {
  const b = cpu.readMem(size, Seg.ES, cpu.regs[Reg.EDI] & mask);
  setLazy(cpu, LazyOp.SUB, a, b, (a - b) | 0, size);
  advance(cpu, Reg.EDI, delta, mask);
  return a === b;
}

/**
 * CMPS (`scan` false) or SCAS (`scan` true), which share the REPE/REPNE
 * termination: after each iteration the count is decremented, then REPE
 * stops on ZF = 0 (not equal) and REPNE on ZF = 1 (equal).
 */
function compare(cpu: Cpu, size: number, scan: boolean): void {
  const mask = addressMask(cpu);
  const delta = stepOf(cpu, size);
  // CMPS reads its first operand from the source string, SCAS takes the accumulator.
  const src = scan ? 0 : cpu.dataSeg();
  const a = scan ? cpu.getReg(size, Reg.EAX) : 0;
  if (cpu.repPrefix === 0) {
    if (scan) scasOnce(cpu, size, a, mask, delta);
    else cmpsOnce(cpu, size, src, mask, delta);
    return;
  }
  const whileEqual = cpu.repPrefix === 0xf3;
  let count = countOf(cpu, mask);
  if (count === 0) return;
  const end = chunkEnd(count);
  while (count > end) {
    const equal = scan ? scasOnce(cpu, size, a, mask, delta) : cmpsOnce(cpu, size, src, mask, delta);
    count = retire(cpu, count, 1, mask);
    if (equal !== whileEqual) return;
  }
  finishRep(cpu, count);
}

function CMPS_XbYb(cpu: Cpu): void { compare(cpu, 1, false); }
function CMPS_XvYv(cpu: Cpu): void { compare(cpu, cpu.osize, false); }
function SCAS_ALYb(cpu: Cpu): void { compare(cpu, 1, true); }
function SCAS_eAXYv(cpu: Cpu): void { compare(cpu, cpu.osize, true); }

// ---- INS and OUTS ------------------------------------------------------------------

/**
 * One INS: the destination is checked (segment and page, for writing) before
 * the port is read, so a faulting iteration does not consume device data.
 */
function insOnce(cpu: Cpu, size: 1 | 2 | 4, port: number, mask: number, delta: number): void {
  const lin = cpu.linearFor(Seg.ES, cpu.regs[Reg.EDI] & mask, size, true);
  const crosses = (lin & 0xfff) > 0x1000 - size;
  if (crosses || (cpu.tlb.entries[lin >>> 12] & cpu.tlbWriteMask) !== TLB_VALID) {
    cpu.translate(lin, true);
    if (crosses) cpu.translate((lin + size - 1) | 0, true);
  }
  const v = cpu.sys.ioRead(port, size);
  if (size === 1) cpu.writeLin8(lin, v);
  else if (size === 2) cpu.writeLin16(lin, v);
  else cpu.writeLin32(lin, v);
  advance(cpu, Reg.EDI, delta, mask);
}

function outsOnce(cpu: Cpu, size: 1 | 2 | 4, src: number, port: number, mask: number, delta: number): void {
  const v = cpu.readMem(size, src, cpu.regs[Reg.ESI] & mask);
  cpu.sys.ioWrite(port, size, v);
  advance(cpu, Reg.ESI, delta, mask);
}

/**
 * INS (`out` false: port DX → ES:(E)DI) or OUTS (`out` true: src:(E)SI →
 * port DX), with the I/O permission check of IN and OUT (SDM Vol. 2 "INS",
 * "OUTS").
 */
function stringIo(cpu: Cpu, size: 1 | 2 | 4, out: boolean): void {
  const mask = addressMask(cpu);
  const src = out ? cpu.dataSeg() : 0;
  const delta = stepOf(cpu, size);
  const port = cpu.regs[Reg.EDX] & 0xffff;
  // The I/O permission check comes first, even when (E)CX is 0 (as the host CPU does; Bochs agrees).
  checkIoPermission(cpu, port, size);
  if (cpu.repPrefix === 0) {
    if (out) outsOnce(cpu, size, src, port, mask, delta);
    else insOnce(cpu, size, port, mask, delta);
    return;
  }
  let count = countOf(cpu, mask);
  if (count === 0) return;
  const end = chunkEnd(count);
  while (count > end) {
    if (out) outsOnce(cpu, size, src, port, mask, delta);
    else insOnce(cpu, size, port, mask, delta);
    count = retire(cpu, count, 1, mask);
    // A device that asked the run loop to stop gets it between iterations.
    if (cpu.stopRequested) break;
  }
  finishRep(cpu, count);
}

function INS_YbDX(cpu: Cpu): void { stringIo(cpu, 1, false); }
function INS_YzDX(cpu: Cpu): void { stringIo(cpu, cpu.opsize32 ? 4 : 2, false); }
function OUTS_DXXb(cpu: Cpu): void { stringIo(cpu, 1, true); }
function OUTS_DXXz(cpu: Cpu): void { stringIo(cpu, cpu.opsize32 ? 4 : 2, true); }

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  MOVS_YbXb, MOVS_YvXv, CMPS_XbYb, CMPS_XvYv, STOS_YbAL, STOS_YveAX,
  LODS_ALXb, LODS_eAXXv, SCAS_ALYb, SCAS_eAXYv, INS_YbDX, INS_YzDX, OUTS_DXXb, OUTS_DXXz,
};
