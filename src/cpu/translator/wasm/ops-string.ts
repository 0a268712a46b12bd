/**
 * WebAssembly emitters for the string operations (LODS STOS MOVS SCAS
 * CMPS), with and without REP, with string.ts's meaning.
 *
 * Without REP, as emit-ops-string.ts and string.ts's single iteration:
 * (E)SI/(E)DI of the address size, stepped by the element size in the
 * direction of DF (from the flags local) after the element is read and
 * written, so a fault leaves them as they were. A store defers its
 * self-modification check until the index registers have stepped (the
 * instruction must be complete when the region is left).
 *
 * With REP (F3, or F2, which acts as REP for MOVS STOS LODS), a loop in the
 * region with string.ts's bounds. The count is (E)CX of the address size;
 * one execution runs at most REP_CHUNK iterations; (E)SI, (E)DI and (E)CX
 * are updated after each iteration (or run of them), so a fault leaves
 * them at the faulting iteration with EIP at the instruction, which
 * restarts there. When iterations remain after a chunk, the instruction is
 * retired with EIP back at itself and the region is left, as the
 * interpreter's rewind ends its block: the run loop looks for interrupts
 * before the next chunk. REPE/REPNE CMPS and SCAS stop after the iteration
 * whose ZF ends them, with EIP after the instruction.
 *
 * MOVS and STOS move whole runs at once where element order gives the
 * same bytes: the elements left in this chunk that stay within one page
 * for the source and one for the destination, each TLB entry allowing the
 * access on the fast path (RAM, no fault, no page holding translations:
 * TLB_CODE is in the write mask), and for MOVS no overlap that element
 * order makes replicate (a destination just above the source going up,
 * just below it going down) where memory.copy would not. Anything else
 * takes one element through the region's accessors: the TLB fast path, or
 * the runtime's slow path, which raises the fault, walks the page tables
 * or invalidates the translations written over. A store that hit this
 * region's code does not stop the chunk, as in the interpreter; the
 * runtime asks the run loop to look (ATTENTION), and the region is left
 * once the instruction is complete.
 *
 * A REP form over a segment that is not flat (an override, real mode) is
 * declined: the interpreter's own loop runs it.
 */
import { REP_CHUNK } from '../../instructions/string.js';
import { Reg, Seg } from '../../registers.js';
import type { FunctionBody, Local } from './module-builder.js';
import { MemOp, Op } from './module-builder.js';
import { F, imm, type Operand, type WasmEmitter, type WasmEmitterTable, type WasmInsnEmitter } from './region.js';
import { dataSeg } from '../insn-operands.js';

/** LazyOp.SUB (flags.ts). */
const LAZY_SUB = 3;
/** EFLAGS.DF. */
const FLAG_DF = 0x400;
/** log2 of an element size. */
const SHIFT: Record<number, number> = { 1: 0, 2: 1, 4: 2 };
const STORE: Record<number, MemOp> = { 1: MemOp.I32Store8, 2: MemOp.I32Store16, 4: MemOp.I32Store };

/** Pushes (E)SI or (E)DI as an offset of the address size. */
function stringIndex(e: WasmInsnEmitter, n: number): void {
  e.reg(e.insn.addrsize32 ? 4 : 2, n);
}

/** A local holding the per-element step: −size with DF set, else +size (string.ts stepOf). */
function stepLocal(e: WasmInsnEmitter, size: number): Local {
  const d = e.tmp();
  e.b.i32(-size).i32(size).get(e.L.flags[F.FLAGS]).i32(FLAG_DF).op(Op.I32And).op(Op.Select).set(d);
  return d;
}

/** (E)SI or (E)DI += step within the address size; with 16-bit addressing the upper half stays (string.ts advance). */
function advance(e: WasmInsnEmitter, n: number, step: Local): void {
  const b = e.b, r = e.L.regs[n];
  if (e.insn.addrsize32) b.get(r).get(step).op(Op.I32Add).set(r);
  else b.get(r).i32(-65536).op(Op.I32And).get(r).get(step).op(Op.I32Add).i32(0xffff).op(Op.I32And).op(Op.I32Or).set(r);
}

/** A string operation of `size` bytes (1, or the operand size for the v forms) without REP. */
type StringOp = (e: WasmInsnEmitter, size: number) => void;
/** The same with REP; false when it declines, having emitted nothing. */
type RepOp = (e: WasmInsnEmitter, size: number) => boolean;

/** The emitter of one string instruction class: `once` without REP, `rep` with it. */
const stringForm = (once: StringOp, rep: RepOp, byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  if (e.insn.rep !== 0) return rep(e, size);
  once(e, size);
  return true;
};

/** LODS: accumulator ← [src:(E)SI]; (E)SI steps. */
const lods: StringOp = (e, size) => {
  stringIndex(e, Reg.ESI);
  e.read(size, dataSeg(e));
  e.setReg(size, Reg.EAX);
  advance(e, Reg.ESI, stepLocal(e, size));
};

/** STOS: [ES:(E)DI] ← accumulator; (E)DI steps; then the deferred code check. */
const stos: StringOp = (e, size) => {
  e.reg(size, Reg.EAX);
  const v = e.keep();
  stringIndex(e, Reg.EDI);
  e.write(size, Seg.ES, v, false);
  advance(e, Reg.EDI, stepLocal(e, size));
  e.afterStore();
};

/** MOVS: [ES:(E)DI] ← [src:(E)SI]; both step; then the deferred code check. */
const movs: StringOp = (e, size) => {
  stringIndex(e, Reg.ESI);
  e.read(size, dataSeg(e));
  const v = e.keep();
  stringIndex(e, Reg.EDI);
  e.write(size, Seg.ES, v, false);
  const d = stepLocal(e, size);
  advance(e, Reg.ESI, d);
  advance(e, Reg.EDI, d);
  e.afterStore();
};

/**
 * SCAS (accumulator − [ES:(E)DI]) and CMPS ([src:(E)SI] − [ES:(E)DI], SDM
 * Vol. 2 "CMPS": the source string is the first operand): flags as CMP.
 * string.ts records the difference unmasked; the masked one recorded here
 * gives the same six flags (flags.ts masks it on every read), and the
 * known-flags conditions of region.ts need it masked.
 */
const compare = (scan: boolean): StringOp => (e, size) => {
  const b = e.b;
  if (scan) e.reg(size, Reg.EAX);
  else { stringIndex(e, Reg.ESI); e.read(size, dataSeg(e)); }
  const a = e.keep();
  stringIndex(e, Reg.EDI);
  e.read(size, Seg.ES);
  const bv = e.keep();
  const r = e.tmp();
  b.get(a).get(bv).op(Op.I32Sub);
  if (size !== 4) b.i32(size === 2 ? 0xffff : 0xff).op(Op.I32And);
  b.set(r);
  e.setLazy(LAZY_SUB, a, bv, r, size);
  const d = stepLocal(e, size);
  if (!scan) advance(e, Reg.ESI, d);
  advance(e, Reg.EDI, d);
};

// ---- REP -----------------------------------------------------------------------------

/**
 * One REP instruction's loop: its locals, set up at the start as string.ts
 * does (the count, the chunk's end, DF), and the pieces its turns share.
 */
class RepLoop {
  /** Iterations left: (E)CX of the address size, unsigned. */
  readonly count: Local;
  /** The count at which this execution stops (string.ts chunkEnd). */
  readonly end: Local;
  /** 1 with DF set. */
  readonly df: Local;
  /** The per-element step, ±size. */
  readonly step: Local;
  private readonly b: FunctionBody;

  constructor(private readonly e: WasmInsnEmitter, private readonly size: number) {
    const b = this.b = e.b;
    e.reg(e.insn.addrsize32 ? 4 : 2, Reg.ECX);
    const count = this.count = e.keep();
    b.get(count).i32(REP_CHUNK).op(Op.I32Sub).i32(0).get(count).i32(REP_CHUNK).op(Op.I32GtU).op(Op.Select);
    this.end = e.keep();
    b.get(e.L.flags[F.FLAGS]).i32(10).op(Op.I32ShrU).i32(1).op(Op.I32And);
    this.df = e.keep();
    this.step = stepLocal(e, size);
  }

  /**
   * The loop: `turn` runs one iteration, or a run of them, while the count
   * is above the chunk's end, and goes back to `rep` or falls through to
   * the next turn; a REPE/REPNE turn leaves by `repDone`.
   */
  loop(turn: () => void): void {
    const b = this.b;
    b.block('repDone').loop('rep');
    b.get(this.count).get(this.end).op(Op.I32LeU).brIf('repDone');
    turn();
    b.br('rep');
    b.end().end();
  }

  /** `k` iterations done: the count and (E)CX go down by k (string.ts retire). */
  retire(k: Operand): void {
    const e = this.e, b = this.b, ecx = e.L.regs[Reg.ECX];
    b.get(this.count);
    e.operand(k);
    b.op(Op.I32Sub).set(this.count);
    if (e.insn.addrsize32) b.get(this.count).set(ecx);
    else b.get(ecx).i32(-65536).op(Op.I32And).get(this.count).op(Op.I32Or).set(ecx);
  }

  /**
   * A local holding how many elements the next run may take: those left in
   * the chunk that lie within the page of each offset in `offsets` (flat:
   * the linear address), going up or down by DF; to `fail` if none.
   * Flat segments start at 0 and 64 KiB is a page boundary, so with 16-bit
   * addressing a run ends at the page before the offset could wrap.
   */
  runLength(offsets: Local[], fail: string): Local {
    const e = this.e, b = this.b, z = this.size, sh = SHIFT[z];
    const k = e.tmp(), t = e.tmp(), o = e.tmp();
    b.get(this.count).get(this.end).op(Op.I32Sub).set(k);
    for (const off of offsets) {
      b.get(off).i32(0xfff).op(Op.I32And).set(o);
      // Down: the elements at o, o − z, … to the page start, if the first one fits in the page.
      b.get(o).i32(sh).op(Op.I32ShrU).i32(1).op(Op.I32Add).i32(0).get(o).i32(0x1000 - z).op(Op.I32LeU).op(Op.Select);
      // Up: the elements from o to the page end.
      b.i32(0x1000).get(o).op(Op.I32Sub).i32(sh).op(Op.I32ShrU);
      b.get(this.df).op(Op.Select).set(t);
      b.get(t).get(k).get(t).get(k).op(Op.I32LtU).op(Op.Select).set(k);
    }
    b.get(k).op(Op.I32Eqz).brIf(fail);
    return k;
  }

  /**
   * A local holding the host address of the element at offset `off` if its
   * TLB entry allows the access on the fast path under `mask` (else to `fail`).
   */
  host(off: Local, mask: Local, fail: string): Local {
    const e = this.e, b = this.b, te = e.tmp(), h = e.tmp();
    b.get(off);
    e.tlbEntry();
    b.tee(te).get(mask).op(Op.I32And).i32(1).op(Op.I32Ne).brIf(fail);
    b.get(te).i32(-4096).op(Op.I32And).get(off).i32(0xfff).op(Op.I32And).op(Op.I32Or).set(h);
    return h;
  }

  /** Moves host address `h` of a run's first element to the run's lowest byte: down by bytes − size when DF is set. */
  lowest(h: Local, bytes: Local): void {
    this.b.get(h).get(bytes).op(Op.I32Sub).i32(this.size).op(Op.I32Add).get(h).get(this.df).op(Op.Select).set(h);
  }

  /** A local holding the index registers' move over a run of `bytes`: −bytes with DF set. */
  delta(bytes: Local): Local {
    const d = this.e.tmp();
    this.b.i32(0).get(bytes).op(Op.I32Sub).get(bytes).get(this.df).op(Op.Select).set(d);
    return d;
  }

  /**
   * After the loop: leaves the region when iterations remain (EIP back at
   * the instruction, string.ts finishRep) unless a REPE/REPNE condition
   * `stopped` it, or when a call out asked the run loop to look, which
   * includes a store over this region's code (runtime.ts look); else the
   * block goes on.
   */
  finish(stopped?: Local): void {
    const e = this.e, b = this.b, remaining = e.tmp();
    b.get(this.count).i32(0).op(Op.I32Ne);
    if (stopped !== undefined) b.get(stopped).op(Op.I32Eqz).op(Op.I32And);
    b.tee(remaining);
    e.attention();
    b.op(Op.I32Or).if();
    b.i32(e.insn.eip).i32(e.next).get(remaining).op(Op.Select);
    e.exit();
    b.end();
  }
}

/** Fills `bytes` bytes at host address `h` with the `size`-byte element `v` (string.ts fill). */
function fill(e: WasmInsnEmitter, h: Local, v: Local, bytes: Local, size: number): void {
  const b = e.b;
  if (size === 1) { b.get(h).get(v).get(bytes).memoryFill(); return; }
  // An element of one repeated byte is a byte fill (memset's zeroes); else element stores.
  b.get(v).get(v).i32(0xff).op(Op.I32And).i32(size === 2 ? 0x0101 : 0x0101_0101).op(Op.I32Mul).op(Op.I32Eq);
  b.if();
  b.get(h).get(v).get(bytes).memoryFill();
  b.else();
  const end = e.tmp();
  b.get(h).get(bytes).op(Op.I32Add).set(end);
  b.loop('fill');
  b.get(h).get(v).mem(STORE[size]);
  b.get(h).i32(size).op(Op.I32Add).tee(h).get(end).op(Op.I32LtU).brIf('fill');
  b.end();
  b.end();
}

/** REP MOVS: runs by memory.copy, else element by element (string.ts movs). */
const repMovs: RepOp = (e, size) => {
  const src = dataSeg(e);
  if (!e.flatSeg(src) || !e.flatSeg(Seg.ES)) return false;
  const b = e.b, rep = new RepLoop(e, size);
  rep.loop(() => {
    b.block('repOne');
    stringIndex(e, Reg.ESI);
    const si = e.keep();
    stringIndex(e, Reg.EDI);
    const di = e.keep();
    const k = rep.runLength([si, di], 'repOne');
    const hs = rep.host(si, e.L.readMask, 'repOne');
    const hd = rep.host(di, e.L.writeMask, 'repOne');
    const bytes = e.tmp();
    b.get(k).i32(SHIFT[size]).op(Op.I32Shl).set(bytes);
    rep.lowest(hs, bytes);
    rep.lowest(hd, bytes);
    // Element order replicates when the destination starts 1..bytes − 1 after the source in the
    // direction of the copy (the elements read later were written already); memory.copy would not.
    b.get(hs).get(hd).op(Op.I32Sub).get(hd).get(hs).op(Op.I32Sub).get(rep.df).op(Op.Select);
    b.i32(1).op(Op.I32Sub).get(bytes).i32(1).op(Op.I32Sub).op(Op.I32LtU).brIf('repOne');
    b.get(hd).get(hs).get(bytes).memoryCopy();
    const d = rep.delta(bytes);
    advance(e, Reg.ESI, d);
    advance(e, Reg.EDI, d);
    rep.retire(k);
    b.br('rep');
    b.end();
    b.get(si);
    e.read(size, src);
    const v = e.keep();
    b.get(di);
    e.writeStaying(size, Seg.ES, v);
    advance(e, Reg.ESI, rep.step);
    advance(e, Reg.EDI, rep.step);
    rep.retire(imm(1));
  });
  rep.finish();
  return true;
};

/** REP STOS: runs by memory.fill or a store loop, else element by element (string.ts stos). */
const repStos: RepOp = (e, size) => {
  if (!e.flatSeg(Seg.ES)) return false;
  const b = e.b;
  e.reg(size, Reg.EAX);
  const v = e.keep();
  const rep = new RepLoop(e, size);
  rep.loop(() => {
    b.block('repOne');
    stringIndex(e, Reg.EDI);
    const di = e.keep();
    const k = rep.runLength([di], 'repOne');
    const hd = rep.host(di, e.L.writeMask, 'repOne');
    const bytes = e.tmp();
    b.get(k).i32(SHIFT[size]).op(Op.I32Shl).set(bytes);
    rep.lowest(hd, bytes);
    fill(e, hd, v, bytes, size);
    advance(e, Reg.EDI, rep.delta(bytes));
    rep.retire(k);
    b.br('rep');
    b.end();
    b.get(di);
    e.writeStaying(size, Seg.ES, v);
    advance(e, Reg.EDI, rep.step);
    rep.retire(imm(1));
  });
  rep.finish();
  return true;
};

/** REP LODS, element by element: the accumulator keeps the last one (string.ts lods). */
const repLods: RepOp = (e, size) => {
  const src = dataSeg(e);
  if (!e.flatSeg(src)) return false;
  const rep = new RepLoop(e, size);
  rep.loop(() => {
    stringIndex(e, Reg.ESI);
    e.read(size, src);
    e.setReg(size, Reg.EAX);
    advance(e, Reg.ESI, rep.step);
    rep.retire(imm(1));
  });
  rep.finish();
  return true;
};

/**
 * REPE/REPNE SCAS (`scan`) and CMPS, element by element (string.ts
 * compare): flags as CMP each time; after the count goes down, REPE (F3)
 * stops on a difference and REPNE (F2) on equality.
 */
const repCompare = (scan: boolean): RepOp => (e, size) => {
  const src = dataSeg(e);
  if ((!scan && !e.flatSeg(src)) || !e.flatSeg(Seg.ES)) return false;
  const b = e.b, whileEqual = e.insn.rep === 0xf3;
  let acc: Local | undefined;
  if (scan) { e.reg(size, Reg.EAX); acc = e.keep(); }
  const rep = new RepLoop(e, size), stopped = e.tmp();
  b.i32(0).set(stopped);
  rep.loop(() => {
    let a: Local;
    if (acc !== undefined) a = acc;
    else { stringIndex(e, Reg.ESI); e.read(size, src); a = e.keep(); }
    stringIndex(e, Reg.EDI);
    e.read(size, Seg.ES);
    const bv = e.keep();
    const r = e.tmp();
    b.get(a).get(bv).op(Op.I32Sub);
    e.fit(size);
    b.set(r);
    e.setLazy(LAZY_SUB, a, bv, r, size);
    if (!scan) advance(e, Reg.ESI, rep.step);
    advance(e, Reg.EDI, rep.step);
    rep.retire(imm(1));
    b.get(r);
    if (!whileEqual) b.op(Op.I32Eqz);
    b.if();
    b.i32(1).set(stopped).br('repDone');
    b.end();
  });
  e.flags = undefined; // no iteration when the count is 0: the flags stay as they were
  rep.finish(stopped);
  return true;
};

/** The string emitters, merged into WASM_EMITTERS. */
export const WASM_STRING_EMITTERS: WasmEmitterTable = {
  LODS_ALXb: stringForm(lods, repLods, true),
  LODS_eAXXv: stringForm(lods, repLods, false),
  STOS_YbAL: stringForm(stos, repStos, true),
  STOS_YveAX: stringForm(stos, repStos, false),
  MOVS_YbXb: stringForm(movs, repMovs, true),
  MOVS_YvXv: stringForm(movs, repMovs, false),
  SCAS_ALYb: stringForm(compare(true), repCompare(true), true),
  SCAS_eAXYv: stringForm(compare(true), repCompare(true), false),
  CMPS_XbYb: stringForm(compare(false), repCompare(false), true),
  CMPS_XvYv: stringForm(compare(false), repCompare(false), false),
};
