/**
 * Chaining of WebAssembly regions without coming back to JavaScript: a
 * loop, itself WebAssembly, that runs a region, finds the block at the EIP
 * it left at through the TLB and a direct-mapped jump cache in the CPU's
 * area (filled and cleared by runtime.ts; slots by linear address, so the
 * entry's load does not wait for the TLB's), and calls that block's region
 * through a function table. A JavaScript region exit costs a return to the
 * run loop, its checks and a lookup; here it costs a TLB load, a cache
 * probe and an indirect call.
 *
 * The loop goes back to the run loop (translator.ts runBlock) when a
 * region faulted, asked for attention (stop, interrupt, its code written,
 * or an instruction run in the interpreter changed the mode key or the CS
 * base the loop looks blocks up with), or when the next block is not in
 * the cache or needs more instructions than the budget has left.
 *
 * Jump cache entry (4 words): host offset of the entry, its CS offset, its
 * region's table slot << 12 | its block index there (a region's blocks lie
 * in one page, so fewer than 4096), its instruction count << 8 | its mode
 * key. Half the size of the 8-word entries it had, in twice as many
 * slots for the same 512 KiB: with the same boot and loops, about a fifth
 * fewer chains stopped at a block the cache had lost to another.
 *
 * The cache does not hold the CS limit a block needs: the chain runs
 * under a 4 GiB CS limit only (the run loop passes a mode no entry has,
 * NO_CHAIN_MODE, under any other limit).
 */
import { StateWord } from '../../state-block.js';
import { FunctionBody, MemOp, ModuleBuilder, Op, ValType } from './module-builder.js';
import type { WasmLayout } from './region.js';

/** Jump cache entries (a power of two). */
export const JUMP_CACHE_ENTRIES = 32768;
/** Byte offset of the jump cache from the state block. */
export const JUMP_CACHE_OFFSET = 4096;
export const JUMP_ENTRY_WORDS = 4;
export const enum JumpEntry { HOST = 0, EIP = 1, TARGET = 2, META = 3 }
/** Largest table slot an entry can name (slot << 12 must fit 32 bits). */
export const JUMP_MAX_SLOT = (1 << 20) - 1;
/** A mode key no block has (keys are below 128): the chain then stops at its first region. */
export const NO_CHAIN_MODE = 0x80;

/**
 * The jump cache slot of a block at linear address `lin` (CS base + EIP);
 * the entry holds its host offset, which the loop checks against the TLB.
 */
export function jumpSlot(lin: number): number {
  return ((lin >>> 2) ^ (lin >>> 17)) & (JUMP_CACHE_ENTRIES - 1);
}

/**
 * The region signature: (block index, budget, instructions done before it)
 * → (index << 1) | interpreted, or -1 after a fault. The instructions done
 * before are those of the run so far: of the regions before it in the
 * chain, and of those of its module it was reached from straight (region.ts
 * toSibling); its DONE counts them too. The runtime's calls out take the
 * instruction count from them (runtime.ts), so RDTSC and the devices see
 * the guest's time move on through a chain.
 */
export const REGION_PARAMS: readonly ValType[] = [ValType.I32, ValType.I32, ValType.I32];
export const REGION_RESULTS: readonly ValType[] = [ValType.I32];

/**
 * The chaining loop's module: `chain(slot, s, budget, mode, csBase) → result`
 * of the last region run; CHAIN_SLOT, CHAIN_DONE and CHAIN_RUNS say which
 * region that was and what ran before it.
 */
export function chainModule(layout: WasmLayout, tableSize: number): Uint8Array {
  const mb = new ModuleBuilder();
  mb.importTable(tableSize);
  const regionType = mb.typeIndexOf(REGION_PARAMS, REGION_RESULTS);
  const b = new FunctionBody(5);
  const [slot, s, budget, mode, csBase] = [0, 1, 2, 3, 4].map((i) => b.param(i));
  const used = b.local(), runs = b.local(), r = b.local(), eip = b.local(), lin = b.local(), te = b.local(), host = b.local(), e = b.local();
  const meta = b.local();
  const st = (w: StateWord): number => layout.state + w * 4;
  const field = (f: JumpEntry): number => f * 4;
  b.block('out');
  b.loop('run');
  // The running region's slot, for the runtime's calls (and the run loop, after).
  b.i32(0).get(slot).mem(MemOp.I32Store, st(StateWord.CHAIN_SLOT));
  b.get(s).get(budget).get(used).get(slot).callIndirect(regionType).set(r);
  b.get(runs).i32(1).op(Op.I32Add).set(runs);
  // A fault or a request to look (which an interpreted instruction that changed the mode or CS makes): back to the run loop.
  b.get(r).i32(0).op(Op.I32LtS).brIf('out');
  b.i32(0).mem(MemOp.I32Load, st(StateWord.DONE)).set(used);
  b.i32(0).mem(MemOp.I32Load, st(StateWord.ATTENTION)).brIf('out');
  // The block at CS:EIP through the TLB (fetch: the read mask of this CPL) and the jump cache.
  b.i32(0).mem(MemOp.I32Load, st(StateWord.EIP)).set(eip);
  b.get(csBase).get(eip).op(Op.I32Add).set(lin);
  b.get(lin).i32(12).op(Op.I32ShrU).i32(2).op(Op.I32Shl).mem(MemOp.I32Load, layout.tlb).tee(te);
  b.i32(0).mem(MemOp.I32Load, st(StateWord.READ_MASK)).op(Op.I32And).i32(1).op(Op.I32Ne).brIf('out');
  b.get(te).i32(-4096).op(Op.I32And).get(lin).i32(0xfff).op(Op.I32And).op(Op.I32Or).set(host);
  // The slot comes from the linear address, so the entry's load need not wait for the TLB's.
  b.get(lin).i32(2).op(Op.I32ShrU).get(lin).i32(17).op(Op.I32ShrU).op(Op.I32Xor).i32(JUMP_CACHE_ENTRIES - 1).op(Op.I32And);
  b.i32(JUMP_ENTRY_WORDS * 4).op(Op.I32Mul).i32(layout.state + JUMP_CACHE_OFFSET).op(Op.I32Add).set(e);
  b.get(e).mem(MemOp.I32Load, field(JumpEntry.HOST)).get(host).op(Op.I32Ne).brIf('out');
  b.get(e).mem(MemOp.I32Load, field(JumpEntry.EIP)).get(eip).op(Op.I32Ne).brIf('out');
  b.get(e).mem(MemOp.I32Load, field(JumpEntry.META)).tee(meta).i32(0xff).op(Op.I32And).get(mode).op(Op.I32Ne).brIf('out');
  b.get(used).get(meta).i32(8).op(Op.I32ShrU).op(Op.I32Add).get(budget).op(Op.I32GtS).brIf('out');
  b.get(e).mem(MemOp.I32Load, field(JumpEntry.TARGET)).tee(slot).i32(0xfff).op(Op.I32And).set(s);
  b.get(slot).i32(12).op(Op.I32ShrU).set(slot);
  b.br('run');
  b.end(); // run
  b.end(); // out
  b.i32(0).get(used).mem(MemOp.I32Store, st(StateWord.CHAIN_DONE));
  b.i32(0).get(runs).mem(MemOp.I32Store, st(StateWord.CHAIN_RUNS));
  b.get(r);
  mb.addFunction([ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32], [ValType.I32], b, 'chain');
  return mb.encode();
}
