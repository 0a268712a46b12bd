/**
 * Compiles regions (the hot blocks of one code page, as emit.ts does for
 * JavaScript) to WebAssembly functions `region(s, budget, done) → (s << 1) | fb`,
 * or -1 when a guest exception was raised (runtime.ts rethrows it).
 *
 * The function works on the machine's WebAssembly memory, where RAM (host
 * offset = address), this CPU's TLB and its state block (state-block.ts)
 * lie. Guest registers and the lazy flag record live in locals, loaded from
 * the state block at entry and stored back at every exit, before every
 * call that reads them (the interpreter's step) and on the way out after a
 * fault. A flat DS/ES/SS access has the TLB fast path inline (one TLB load,
 * one test of permissions and page end, and the access); its slow path and
 * every other access call runtime.ts, which uses the CPU's own accessors.
 *
 * Shape:
 *
 *     block $fault  block $exit  block $sib0 … block $sib(m-1)
 *     loop $loop  block $tail  block $default
 *       block $b(last item) … block $b(first item)
 *         (s < 0, after an indirect jump: br to the item holding the block at EIP, else exit)
 *         br_table s  end  …item…  end  …item…  …
 *     end $default   (unreachable)
 *     end $tail      (a jump within the region: count, look at ATTENTION, s = t, br $loop)
 *     end $loop
 *     end $sib(m-1) … end $sib0   (a jump to block t of sibling region j: checks, store the state, return_call)
 *     end $exit      (store the state, return (s << 1) | fb)
 *     end $fault     (store the state and the instruction index, return -1)
 *
 * The items are the region's blocks and its loops (../loops.ts), in
 * address order, each under a label named after its first block. A loop
 * item has the same shape inside a WebAssembly `loop` $L(id): a label
 * for each of its items, then a dispatch on s (a compare for each block a
 * jump back goes to, then a br_table), then the items. A jump back within
 * a loop sets s and branches to the start of the innermost loop holding
 * both blocks; only one that no loop holds takes $tail.
 *
 * `done` counts the instructions of the blocks finished since the run
 * began: those of the regions before it in the chain (chain.ts passes
 * them), of the sibling regions that tail-called this one, and its own; an
 * exit after x instructions of the current block stores done + x.
 */
import type { DecodedInsn } from '../decode.js';
import type { BlockPlan, EmittedBlockInfo } from '../emit.js';
import { MODE_FLAT } from '../emit.js';
import { lockAllows, relTarget } from '../insn-operands.js';
import { Seg } from '../../registers.js';
import { SegOk } from '../../segments.js';
import { StateWord } from '../../state-block.js';
import { FLAG_LOCALS, FLAGS_HELPER_PARAMS, flagsHelperBody, pushPendingCarry, pushSignBitIndex, pushSizeMask } from './flags-helper.js';
import { REGION_PARAMS, REGION_RESULTS } from './chain.js';
import { FunctionBody, type Local, MemOp, ModuleBuilder, Op, ValType } from './module-builder.js';
import { itemFirst, type LoopItem, type LoopNode, RegionLoops, RELATIVE_JUMPS, successors } from '../loops.js';

/** Where this CPU's arrays lie in the WebAssembly memory (physical-memory.ts allocateCpuArea). */
export interface WasmLayout {
  /** Byte address of the TLB entries. */
  tlb: number;
  /** Byte address of the state block. */
  state: number;
}

/** The imports a region module calls (runtime.ts provides them), in index order. */
export const IMPORTS = [
  // Reads and writes through the CPU's accessors: (seg, offset[, value], count) → value / status.
  ['read8', 3, 1], ['read16', 3, 1], ['read32', 3, 1],
  ['write8', 4, 1], ['write16', 4, 1], ['write32', 4, 1],
  // Read-modify-write through the CPU: (size, seg, offset, count) → old value; (size, value, count) → status.
  ['readModify', 4, 1], ['writeModified', 3, 1],
  // The interpreter runs one instruction: (eip, count) → EIP after it.
  ['step', 2, 1],
  // Raises a guest exception: (vector, error code).
  ['raise', 2, 0],
  // RDTSC as the interpreter does it: (count) → EAX; EDX in the state block's RESULT_HIGH.
  ['rdtsc', 1, 1],
] as const;
const IMPORT_INDEX = Object.fromEntries(IMPORTS.map(([n], i) => [n, i])) as Record<(typeof IMPORTS)[number][0], number>;
const READ_IMPORT: Record<number, number> = { 1: IMPORT_INDEX.read8, 2: IMPORT_INDEX.read16, 4: IMPORT_INDEX.read32 };
const WRITE_IMPORT: Record<number, number> = { 1: IMPORT_INDEX.write8, 2: IMPORT_INDEX.write16, 4: IMPORT_INDEX.write32 };

/** A write's status (runtime.ts): the region is still valid, or a write hit its code. */
export const WRITE_OK = 0;

/** A constant operand (a Local is a number too, so constants are boxed). */
export interface Imm { readonly imm: number }
/** An operand: a local or a constant. */
export type Operand = Local | Imm;
export const imm = (v: number): Imm => ({ imm: v | 0 });

/** What an emitter knows of the flags' producer in this block: its kind and size (operands are in the flag locals). */
export interface WasmKnownFlags { kind: number; size: number }

/**
 * A block of another region of the same module and page group, which a
 * direct jump reaches with a tail call (toSibling): its index and
 * instruction count, and its region, the `region`th of the caller's
 * siblings (each has one shared tail in the caller: regionFunction).
 */
export interface Sibling { block: number; count: number; region: number }

/** A region of the same module and page group: its function index, and the global that holds its table slot (-1 once retired). */
export interface SiblingRegion { fn: number; slot: number }

/** Scratch locals of a region function by type, which each instruction's emitter reuses. */
export type LocalPools = Map<ValType, Local[]>;

/** Emits one instruction class's code, or returns false (having emitted nothing) to leave it to the interpreter. */
export type WasmEmitter = (e: WasmInsnEmitter) => boolean;
export type WasmEmitterTable = Readonly<Record<string, WasmEmitter>>;

/** The region function's locals that emitters use. */
interface RegionLocals {
  s: Local; budget: Local;
  regs: Local[];
  /** lazyOp, lazyA, lazyB, lazyR, lazySize, lazyMask, flags. */
  flags: Local[];
  readMask: Local; writeMask: Local; csLimit: Local;
  done: Local; x: Local; t: Local; eip: Local; fb: Local; k: Local; ea: Local; te: Local; lin: Local;
  /** The instruction count of the sibling block a jump goes to (toSibling). */
  c: Local;
}

/** Indexes of the flag locals. */
export const enum F { OP = 0, A = 1, B = 2, R = 3, SIZE = 4, MASK = 5, FLAGS = 6 }

const MEM_LOAD: Record<number, MemOp> = { 1: MemOp.I32Load8U, 2: MemOp.I32Load16U, 4: MemOp.I32Load };
const MEM_STORE: Record<number, MemOp> = { 1: MemOp.I32Store8, 2: MemOp.I32Store16, 4: MemOp.I32Store };

/** The per-instruction interface emitters see: stack code into the region's function. */
export class WasmInsnEmitter {
  ended = false;
  /** The label of the loop around this block's code, when the block jumps back to its own start. */
  blockLoop: string | undefined;
  /** The region's loops (loops.ts), which jumps within the region go by. */
  loops: RegionLoops | undefined;
  /** Targets beyond the block's bytes that the CS limit must cover. */
  targets: number[] = [];
  /** Scratch locals of each type this instruction took so far. */
  private readonly used = new Map<ValType, number>();

  constructor(
    readonly b: FunctionBody,
    readonly L: RegionLocals,
    readonly insn: DecodedInsn,
    /** Index in the region, in the block, and the block's length. */
    readonly k: number,
    readonly i: number,
    readonly count: number,
    /** The block's index in the region. */
    readonly block: number,
    public flags: WasmKnownFlags | undefined,
    private readonly resolve: (eip: number) => number,
    readonly mode: number,
    private readonly layout: WasmLayout,
    private readonly pools: LocalPools,
    /** The module's flags helper (flags-helper.ts), by function index. */
    private readonly flagsHelper: number,
    /** The sibling block at an EIP this region does not have, if any. */
    private readonly sibling: (eip: number) => Sibling | undefined = () => undefined,
  ) {}

  get next(): number { return (this.insn.eip + this.insn.length) | 0; }
  get osize(): number { return this.insn.opsize32 ? 4 : 2; }
  /** SS.B: the stack pointer is ESP, else SP. */
  get stack32(): boolean { return (this.mode & 2) !== 0; }

  /** A scratch local of `type` for this instruction (reused by later instructions). */
  tmp(type: ValType = ValType.I32): Local {
    let pool = this.pools.get(type);
    if (pool === undefined) { pool = []; this.pools.set(type, pool); }
    const n = this.used.get(type) ?? 0;
    this.used.set(type, n + 1);
    if (n === pool.length) pool.push(this.b.local(type));
    return pool[n];
  }

  /** The byte address of state-block word `word` (state-block.ts) in the WebAssembly memory. */
  stateAddress(word: number): number { return this.layout.state + word * 4; }

  // ---- registers ----------------------------------------------------------

  /** Pushes register `n` as a `size`-byte operand (8-bit: AL..BH encoding), zero-extended. */
  reg(size: number, n: number): void {
    const b = this.b, r = this.L.regs;
    if (size === 4) b.get(r[n]);
    else if (size === 2) b.get(r[n]).i32(0xffff).op(Op.I32And);
    else if (n < 4) b.get(r[n]).i32(0xff).op(Op.I32And);
    else b.get(r[n - 4]).i32(8).op(Op.I32ShrU).i32(0xff).op(Op.I32And);
  }

  /** Writes the value on the stack to register `n` as a `size`-byte operand. */
  setReg(size: number, n: number): void {
    const b = this.b, r = this.L.regs;
    if (size === 4) { b.set(r[n]); return; }
    const v = this.tmp();
    b.set(v);
    if (size === 2) b.get(r[n]).i32(-65536).op(Op.I32And).get(v).i32(0xffff).op(Op.I32And).op(Op.I32Or).set(r[n]);
    else if (n < 4) b.get(r[n]).i32(-256).op(Op.I32And).get(v).i32(0xff).op(Op.I32And).op(Op.I32Or).set(r[n]);
    else b.get(r[n - 4]).i32(-65281).op(Op.I32And).get(v).i32(0xff).op(Op.I32And).i32(8).op(Op.I32Shl).op(Op.I32Or).set(r[n - 4]);
  }

  // ---- memory -------------------------------------------------------------

  /** Pushes the memory operand's offset (with the address size). */
  ea(): void {
    const i = this.insn, b = this.b, r = this.L.regs;
    let terms = 0;
    if (i.base >= 0) { b.get(r[i.base]); terms++; }
    if (i.index >= 0) {
      b.get(r[i.index]);
      if (i.scale !== 0 && i.addrsize32) b.i32(i.scale).op(Op.I32Shl);
      if (terms++ > 0) b.op(Op.I32Add);
    }
    if (i.disp !== 0 || terms === 0) {
      b.i32(i.disp | 0);
      if (terms++ > 0) b.op(Op.I32Add);
    }
    if (!i.addrsize32) b.i32(0xffff).op(Op.I32And);
  }

  /** DS, ES and SS when the mode says they are flat: the offset is the linear address. */
  flatSeg(seg: number): boolean {
    return (this.mode & MODE_FLAT) !== 0 && (seg === Seg.DS || seg === Seg.ES || seg === Seg.SS);
  }

  /** Pushes the instruction count of this instruction relative to the region entry (for the runtime). */
  private countArg(): void { this.b.get(this.L.done).i32(this.i).op(Op.I32Add); }

  /** After a call out: to $fault if it raised a guest exception. */
  private checkFault(): void {
    this.b.i32(0).mem(MemOp.I32Load, this.layout.state + StateWord.FAULTED * 4).unlikely().if();
    this.toFault();
    this.b.end();
  }

  /**
   * To $fault, which reports this instruction's index to the runtime. The
   * index is set here, on the way out, not before each instruction: a local
   * live across the whole function is one more register the hot path spills.
   */
  private toFault(): void {
    this.b.i32(this.k).set(this.L.k).br('fault');
  }

  /** FS and GS: their base and fast-path bits are in the state block (segments.ts updateSegOk), checked when run. */
  private viaBase(seg: number): boolean {
    return !this.flatSeg(seg) && (seg === Seg.FS || seg === Seg.GS);
  }

  /**
   * Pops an offset in `seg`, pushes the `size`-byte value there. Flat, or
   * FS/GS with a 4 GiB limit: when the TLB entry allows the read at this CPL
   * and the access stays within the page, RAM is read directly; else the
   * runtime's accessor.
   */
  read(size: number, seg: number): void {
    const b = this.b, { ea } = this.L;
    b.set(ea);
    this.access(seg, SegOk.Read, this.L.readMask, size, ValType.I32, () => {
      this.hostAddress();
      b.mem(MEM_LOAD[size]);
    }, () => {
      b.i32(seg).get(ea); this.countArg(); b.call(READ_IMPORT[size]);
      this.checkFault();
    });
  }

  /**
   * The access at `seg`:ea (ea in its local): `fast` when the TLB entry
   * allows it under mask `mask` at this CPL without leaving the page (and,
   * for FS/GS, the segment's fast bits `need` and its 4 GiB limit allow
   * it), with `lin` and `te` set; else `slow`. Each leaves a `result` on the
   * stack, or nothing. A segment that always takes the runtime emits only
   * `slow`, and the result is false.
   *
   * The tests make one word, nonzero for the slow path, and one branch,
   * marked unlikely (FunctionBody.unlikely).
   */
  private access(seg: number, need: SegOk, mask: Local, size: number, result: ValType | undefined, fast: () => void, slow: () => void): boolean {
    const b = this.b, { ea, lin, te } = this.L;
    const viaBase = this.viaBase(seg);
    if (!viaBase && !this.flatSeg(seg)) { slow(); return false; }
    const segWord = (w: StateWord): number => this.layout.state + (w + (seg === Seg.FS ? 0 : 1)) * 4;
    b.block('access', result);
    b.block('slow');
    b.get(ea);
    if (viaBase) b.i32(0).mem(MemOp.I32Load, segWord(StateWord.FS_BASE)).op(Op.I32Add);
    b.tee(lin);
    this.tlbEntry();
    b.tee(te);
    // Nonzero when the TLB entry does not allow it, or the last byte is on the next page (bit 12 of offset + size - 1).
    b.get(mask).op(Op.I32And).i32(1).op(Op.I32Xor);
    if (size > 1) b.get(lin).i32(0xfff).op(Op.I32And).i32(size - 1).op(Op.I32Add).i32(0x1000).op(Op.I32And).op(Op.I32Or);
    if (viaBase) {
      // Cpu.linearFor: the segment allows the access and the offset's last byte is within the 4 GiB limit.
      b.i32(0).mem(MemOp.I32Load, segWord(StateWord.FS_FAST)).i32(need).op(Op.I32And).op(Op.I32Eqz).op(Op.I32Or);
      if (size > 1) b.get(ea).i32(-size).op(Op.I32GtU).op(Op.I32Or);
    }
    b.unlikely().brIf('slow');
    fast();
    b.br('access');
    b.end();
    slow();
    b.end();
    return true;
  }

  /** Pushes the host address of `lin` from its TLB entry `te`. */
  private hostAddress(): void {
    this.b.get(this.L.te).i32(-4096).op(Op.I32And).get(this.L.lin).i32(0xfff).op(Op.I32And).op(Op.I32Or);
  }

  /**
   * Pops an offset in `seg`, which must be flat here. When its TLB entry
   * allows a `size`-byte read (a write with `write`) at this CPL within the
   * page, `fast` emits the access given a local holding the host address;
   * otherwise `slow` runs (both leave the stack as they found it). Writes
   * never reach a code page this way (TLB_CODE is in every write mask), so
   * `fast` needs no self-modification check.
   */
  flatAccess(size: number, seg: number, write: boolean, fast: (host: Local) => void, slow: () => void): void {
    if (!this.flatSeg(seg)) throw new Error('translator: flatAccess on a segment that is not flat');
    const b = this.b;
    b.set(this.L.ea);
    this.access(seg, write ? SegOk.Write : SegOk.Read, write ? this.L.writeMask : this.L.readMask, size, undefined, () => {
      this.hostAddress();
      const host = this.tmp();
      b.set(host);
      fast(host);
    }, slow);
  }

  /**
   * Writes local `value` at `seg`:offset (the offset on the stack); then,
   * with `check`, leaves the region if the write hit its code.
   */
  write(size: number, seg: number, value: Local, check = true): void {
    if (check) {
      this.store(size, seg, value, () => this.afterCallStatus(true));
      return;
    }
    const stale = this.stale = this.tmp();
    this.b.i32(0).set(stale);
    this.store(size, seg, value, () => { this.checkFault(); this.b.set(stale); });
  }

  /**
   * Writes local `value` at `seg`:offset (the offset on the stack) and
   * stays in the region even when the write hit its code: the runtime then
   * sets ATTENTION (runtime.ts look), which an instruction that stores
   * many times (REP STOS, REP MOVS) tests once it is complete.
   */
  writeStaying(size: number, seg: number, value: Local): void {
    this.store(size, seg, value, () => this.afterCallStatus(false));
  }

  /** A write with the TLB fast path; `afterCall` takes the slow path's status off the stack. */
  private store(size: number, seg: number, value: Local, afterCall: () => void): void {
    const b = this.b, { ea } = this.L;
    b.set(ea);
    this.access(seg, SegOk.Write, this.L.writeMask, size, undefined, () => {
      this.hostAddress();
      b.get(value).mem(MEM_STORE[size]);
    }, () => {
      b.i32(seg).get(ea).get(value); this.countArg(); b.call(WRITE_IMPORT[size]);
      afterCall();
    });
  }

  /** Pops a linear address, pushes its TLB entry (host page | permission bits; tlb.ts). */
  tlbEntry(): void {
    this.b.i32(12).op(Op.I32ShrU).i32(2).op(Op.I32Shl).mem(MemOp.I32Load, this.layout.tlb);
  }

  /** Status of the last write made with `check` false: nonzero when it hit this region's code. */
  private stale: Local | undefined;

  /** After a write made with `check` false, once the instruction is complete: leave if it hit this region's code. */
  afterStore(): void {
    if (this.stale === undefined) throw new Error('translator: afterStore without a deferred write');
    this.b.get(this.stale).unlikely().if();
    this.exitConst(this.i + 1, this.next, 0);
    this.b.end();
  }

  /** After a write's call (its status on the stack): to $fault on an exception; out of the region if its code changed. */
  private afterCallStatus(leave: boolean): void {
    const b = this.b;
    this.checkFault();
    if (leave) {
      b.unlikely().if();
      this.exitConst(this.i + 1, this.next, 0);
      b.end();
    } else {
      b.op(Op.Drop);
    }
  }

  /** Leaves the region now, x instructions into the block, at EIP `eip`. */
  private exitConst(x: number, eip: number, fb: number): void {
    const b = this.b, L = this.L;
    b.i32(x).set(L.x).i32(eip).set(L.eip);
    if (fb !== 0) b.i32(fb).set(L.fb);
    b.br('exit');
  }

  /** Host address local of the operand readModify read, or undefined when it took the runtime. */
  private rmwHost: Local | undefined;
  private rmwFast = false;

  /**
   * Pops an offset, pushes the old value of a read-modify-write operand
   * (write permission checked now, as Cpu.readModifyMem does).
   */
  readModify(size: number, seg: number): void {
    const b = this.b, { ea } = this.L;
    b.set(ea);
    const h = this.tmp();
    this.rmwHost = h;
    this.rmwFast = this.access(seg, SegOk.Write, this.L.writeMask, size, ValType.I32, () => {
      this.hostAddress();
      b.tee(h).mem(MEM_LOAD[size]);
    }, () => {
      b.i32(-1).set(h);
      b.i32(size).i32(seg).get(ea); this.countArg(); b.call(IMPORT_INDEX.readModify);
      this.checkFault();
    });
  }

  /** Writes local `value` to the operand readModify read, then leaves if that hit this region's code. */
  writeModified(size: number, value: Local): void {
    const b = this.b;
    const slow = (): void => {
      b.i32(size).get(value); this.countArg(); b.call(IMPORT_INDEX.writeModified);
      this.afterCallStatus(true);
    };
    if (!this.rmwFast || this.rmwHost === undefined) { slow(); return; }
    b.get(this.rmwHost).i32(0).op(Op.I32GeS);
    b.likely().if('fast');
    b.get(this.rmwHost).get(value).mem(MEM_STORE[size]);
    b.else();
    slow();
    b.end();
  }

  /** Pushes operand E (register or memory). */
  readE(size: number): void {
    const i = this.insn;
    if (i.mod === 3) this.reg(size, i.rm);
    else { this.ea(); this.read(size, i.eaSeg); }
  }

  /** Writes local `value` to operand E. */
  writeE(size: number, value: Local): void {
    const i = this.insn;
    if (i.mod === 3) { this.b.get(value); this.setReg(size, i.rm); } else { this.ea(); this.write(size, i.eaSeg, value); }
  }

  // ---- stack --------------------------------------------------------------

  /** PUSH of local `value`: the store below (E)SP first, then (E)SP moves (so a fault leaves it). */
  push(size: number, value: Local): void {
    const b = this.b, sp = this.L.regs[4];
    const nsp = this.tmp();
    b.get(sp).i32(size).op(Op.I32Sub);
    if (!this.stack32) b.i32(0xffff).op(Op.I32And);
    b.set(nsp);
    b.get(nsp);
    this.write(size, Seg.SS, value, false);
    if (this.stack32) b.get(nsp).set(sp);
    else b.get(sp).i32(-65536).op(Op.I32And).get(nsp).op(Op.I32Or).set(sp);
  }

  /** Pushes the `size` bytes at SS:(E)SP; (E)SP moves only at popDone. */
  popRead(size: number): void {
    const b = this.b;
    b.get(this.L.regs[4]);
    if (!this.stack32) b.i32(0xffff).op(Op.I32And);
    this.read(size, Seg.SS);
  }

  /** (E)SP += bytes with SS.B's width. */
  popDone(bytes: number): void {
    const b = this.b, sp = this.L.regs[4];
    if (this.stack32) b.get(sp).i32(bytes).op(Op.I32Add).set(sp);
    else b.get(sp).i32(-65536).op(Op.I32And).get(sp).i32(bytes).op(Op.I32Add).i32(0xffff).op(Op.I32And).op(Op.I32Or).set(sp);
  }

  // ---- flags --------------------------------------------------------------

  /** Records the lazy flags (flags.ts setLazy) from locals. */
  setLazy(kind: number, a: Local, bv: Operand, r: Local, size: number): void {
    const b = this.b, f = this.L.flags;
    b.i32(kind).set(f[F.OP]).get(a).set(f[F.A]);
    this.operand(bv);
    b.set(f[F.B]).get(r).set(f[F.R]).i32(size).set(f[F.SIZE]).i32(0x8d5).set(f[F.MASK]);
    this.flags = { kind, size };
  }

  /** Truncates the value on the stack to a `size`-byte operand. */
  fit(size: number): void {
    if (size !== 4) this.b.i32(size === 2 ? 0xffff : 0xff).op(Op.I32And);
  }

  /** Sign-extends the `size`-byte value on the stack to 32 bits. */
  signExtend(size: number): void {
    if (size === 2) this.b.op(Op.I32Extend16S);
    else if (size === 1) this.b.op(Op.I32Extend8S);
  }

  /** Pops the value on the stack into a new scratch local. */
  keep(): Local {
    const l = this.tmp();
    this.b.set(l);
    return l;
  }

  /** The immediate as the handler fetches it for a `size`-byte operand: fetch8/fetch16 unsigned, fetch32 int32. */
  immediate(size: number): number {
    return size === 4 ? this.insn.imm | 0 : this.insn.imm & (size === 2 ? 0xffff : 0xff);
  }

  /** Pushes a local or a constant. */
  operand(v: Operand): void {
    if (typeof v === 'object') this.b.i32(v.imm); else this.b.get(v);
  }

  /** Pushes EFLAGS with every pending flag computed (the region's flags helper). */
  materializedFlags(): void {
    for (const l of this.L.flags) this.b.get(l);
    this.b.call(this.flagsHelper);
  }

  /** Computes the pending flags into the flags local (flags.ts materializeFlags). */
  materialize(): void {
    const f = this.L.flags;
    this.materializedFlags();
    this.b.set(f[F.FLAGS]).i32(0).set(f[F.MASK]);
  }

  /** Pushes CF (0 or 1), from the known producer when there is one. */
  carry(): void {
    const b = this.b, f = this.flags, L = this.L.flags;
    if (f !== undefined && (f.kind === 1 || f.kind === 3)) {
      if (f.kind === 1) { this.unsignedLocal(L[F.R], f.size); this.unsignedLocal(L[F.A], f.size); } else { this.unsignedLocal(L[F.A], f.size); this.unsignedLocal(L[F.B], f.size); }
      b.op(Op.I32LtU);
      return;
    }
    if (f !== undefined && f.kind === 5) { b.i32(0); return; }
    if (f !== undefined && (f.kind === 6 || f.kind === 7 || f.kind === 8)) { b.get(L[F.FLAGS]).i32(1).op(Op.I32And); return; }
    // Unknown producer: computed here when CF is pending (a call would cost the region its registers), else the flags word's.
    const scratch = [this.tmp(), this.tmp(), this.tmp()];
    b.get(L[F.MASK]).i32(1).op(Op.I32And).if('', ValType.I32);
    pushPendingCarry(b, L[F.OP], L[F.A], L[F.B], L[F.R], L[F.SIZE], scratch);
    b.else();
    b.get(L[F.FLAGS]).i32(1).op(Op.I32And);
    b.end();
  }

  private unsignedLocal(l: Local, size: number): void {
    this.b.get(l);
    if (size !== 4) this.b.i32(size === 2 ? 0xffff : 0xff).op(Op.I32And);
  }

  private signedLocal(l: Local, size: number): void {
    this.b.get(l);
    if (size === 2) this.b.op(Op.I32Extend16S);
    else if (size === 1) this.b.op(Op.I32Extend8S);
  }

  /** Pushes whether condition `cc` (low nibble of Jcc/SETcc/CMOVcc) holds. */
  condition(cc: number): void {
    const b = this.b;
    if (!this.knownCondition(cc >> 1) && !this.pendingCondition(cc >> 1)) {
      this.materializedFlags();
      testFlags(b, cc >> 1, this.tmp());
    }
    if ((cc & 1) !== 0) b.op(Op.I32Eqz);
  }

  /**
   * B, Z and S without the flags helper when the producer is not known
   * here: CF as carry() has it, ZF and SF from the result when pending
   * (every kind computes them so), else from the flags word.
   */
  private pendingCondition(pair: number): boolean {
    const b = this.b, L = this.L.flags;
    if (pair === 1) { this.carry(); return true; }
    if (pair !== 2 && pair !== 4) return false;
    const bit = pair === 2 ? 6 : 7;
    b.get(L[F.MASK]).i32(1 << bit).op(Op.I32And).if('', ValType.I32);
    if (pair === 2) { b.get(L[F.R]); pushSizeMask(b, L[F.SIZE]); b.op(Op.I32And).op(Op.I32Eqz); } else {
      b.get(L[F.R]);
      pushSignBitIndex(b, L[F.SIZE]);
      b.op(Op.I32ShrU).i32(1).op(Op.I32And);
    }
    b.else();
    b.get(L[F.FLAGS]).i32(bit).op(Op.I32ShrU).i32(1).op(Op.I32And);
    b.end();
    return true;
  }

  /** The condition pair (SDM Vol. 1 Table B-1) straight from the known producer; false when it is not known here. */
  private knownCondition(pair: number): boolean {
    const f = this.flags;
    if (f === undefined) return false;
    const b = this.b, L = this.L.flags, size = f.size;
    const sign = size === 4 ? 0x8000_0000 | 0 : size === 2 ? 0x8000 : 0x80;
    const zero = (): void => { b.get(L[F.R]).op(Op.I32Eqz); };
    const neg = (): void => { b.get(L[F.R]).i32(sign).op(Op.I32And).i32(0).op(Op.I32Ne); };
    if (f.kind === 3) { // SUB, CMP
      switch (pair) {
        case 1: this.unsignedLocal(L[F.A], size); this.unsignedLocal(L[F.B], size); b.op(Op.I32LtU); return true;
        case 2: zero(); return true;
        case 3: this.unsignedLocal(L[F.A], size); this.unsignedLocal(L[F.B], size); b.op(Op.I32LeU); return true;
        case 4: neg(); return true;
        case 6: this.signedLocal(L[F.A], size); this.signedLocal(L[F.B], size); b.op(Op.I32LtS); return true;
        case 7: this.signedLocal(L[F.A], size); this.signedLocal(L[F.B], size); b.op(Op.I32LeS); return true;
        default: return false;
      }
    }
    if (f.kind === 5) { // LOGIC: CF = OF = 0
      switch (pair) {
        case 0: case 1: b.i32(0); return true;
        case 2: case 3: zero(); return true;
        case 4: case 6: neg(); return true;
        case 7: zero(); neg(); b.op(Op.I32Or); return true;
        default: return false;
      }
    }
    if (f.kind === 6 || f.kind === 7 || f.kind === 8) { // INC, DEC, shifts: CF eager in the flags local
      switch (pair) {
        case 1: b.get(L[F.FLAGS]).i32(1).op(Op.I32And); return true;
        case 2: zero(); return true;
        case 3: b.get(L[F.FLAGS]).i32(1).op(Op.I32And); zero(); b.op(Op.I32Or); return true;
        case 4: neg(); return true;
        default: return false;
      }
    }
    if (f.kind === 1) { // ADD
      switch (pair) {
        case 1: this.unsignedLocal(L[F.R], size); this.unsignedLocal(L[F.A], size); b.op(Op.I32LtU); return true;
        case 2: zero(); return true;
        case 4: neg(); return true;
        default: return false;
      }
    }
    return false;
  }

  // ---- faults and control -------------------------------------------------

  /** Raises guest exception `vector` (error code `code`, -1 for none) at this instruction. */
  raise(vector: number, code: number): void {
    this.b.i32(vector).i32(code).call(IMPORT_INDEX.raise);
    this.toFault();
  }

  /** Raises the guest exception whose vector is in local `vector` (error code `code`, -1 for none) at this instruction. */
  raiseVector(vector: Local, code: number): void {
    this.b.get(vector).i32(code).call(IMPORT_INDEX.raise);
    this.toFault();
  }

  /** Leaves the region after this instruction with EIP = the value on the stack. */
  exit(): void {
    const b = this.b, L = this.L;
    b.set(L.eip).i32(this.i + 1).set(L.x).br('exit');
  }

  /** Ends the block with an indirect jump to the EIP on the stack: to a block of this region if it has one. */
  indirect(): void {
    const b = this.b, L = this.L;
    b.set(L.eip).i32(this.i + 1).set(L.x);
    b.i32(-1).get(L.s).op(Op.I32Xor).set(L.t).br('tail');
    this.ended = true;
  }

  /** Ends the block with a direct jump to `target`. */
  jump(target: number): void {
    this.transfer(target);
    this.ended = true;
  }

  /** Ends the block with a branch: the condition on the stack ? `taken` : the next instruction. */
  branch(taken: number): void {
    this.b.if();
    this.transfer(taken);
    this.b.end();
    this.transfer(this.next);
    this.ended = true;
  }

  /**
   * Moves to `target` after this instruction: within the region when it has
   * that block. A block further down is reached by a branch straight to its
   * code, or to the loop that holds it (its label is still open here). One
   * at or above this one goes back to the start of the innermost loop that
   * holds both (loops.ts), or, when none does, through the region's
   * dispatch ($tail). Either way s is the block's index, for the dispatch
   * of the loops it enters.
   */
  transfer(target: number): void {
    const b = this.b, L = this.L;
    const index = this.resolve(target);
    b.i32(this.i + 1).set(L.x).i32(target).set(L.eip);
    if (index < 0) {
      const sibling = this.sibling(target);
      if (sibling !== undefined) this.toSibling(sibling);
      b.br('exit');
      return;
    }
    if (index === this.block && this.blockLoop !== undefined) {
      // Straight back to this block's start (its budget check).
      this.countAndLook();
      b.br(this.blockLoop);
      return;
    }
    const route = this.loops?.route(this.block, index);
    if (route === undefined ? index <= this.block : route.kind === 'back' && route.node.id === 0) {
      b.i32(index).set(L.t).br('tail');
      return;
    }
    this.countAndLook();
    b.i32(index).set(L.s);
    b.br(route === undefined ? `b${index}` : route.kind === 'forward' ? itemLabel(route.node, route.item) : loopLabel(route.node));
  }

  private countAndLook(): void { countAndLook(this.b, this.L, this.layout); }

  /**
   * Goes on in a sibling region, as the chaining loop would after this
   * region's exit but without its lookups: counts and looks, then the
   * sibling region's shared tail (siblingTail) makes the tail call. x and
   * eip are set for that exit, which is taken instead when the runtime asks
   * to look or the tail cannot go on.
   */
  private toSibling(sibling: Sibling): void {
    const b = this.b, L = this.L;
    this.countAndLook();
    b.i32(sibling.block).set(L.t).i32(sibling.count).set(L.c).br(`sib${sibling.region}`);
  }

  /** The CS limit (unsigned), pushed. */
  csLimit(): void { this.b.get(this.L.csLimit); }

  /**
   * Runs this instruction in the interpreter (runtime.ts step): the state
   * goes to the state block and comes back after it. Returns the local
   * holding the EIP it left.
   */
  interpret(): Local {
    const b = this.b;
    const after = this.tmp();
    storeState(b, this.L, this.layout);
    b.i32(this.insn.eip); this.countArg(); b.call(IMPORT_INDEX.step).set(after);
    loadState(b, this.L, this.layout);
    this.checkFault();
    return after;
  }

  /**
   * Runs this instruction in the interpreter, as the region does for one
   * without an emitter in the middle of a block: the region goes on only
   * if it went on to the next instruction and nothing asks the run loop to
   * look (a write that hit this region's code, an interrupt, a stop);
   * otherwise it leaves at the EIP the interpreter left, as an interpreted
   * end. An emitter may call this on a path it does not handle inline.
   */
  interpretAndContinue(): void {
    const b = this.b, L = this.L;
    const after = this.interpret();
    b.get(after).i32(this.next).op(Op.I32Ne);
    this.attention();
    b.op(Op.I32Or).unlikely().if();
    b.get(after).set(L.eip).i32(this.i + 1).set(L.x).i32(1).set(L.fb).br('exit');
    b.end();
  }

  /** Calls RDTSC in the runtime and sets EDX:EAX from it. */
  rdtsc(): void {
    const b = this.b;
    this.countArg();
    b.call(IMPORT_INDEX.rdtsc);
    const low = this.keep();
    this.checkFault();
    b.get(low);
    this.setReg(4, 0);
    b.i32(0).mem(MemOp.I32Load, this.layout.state + StateWord.RESULT_HIGH * 4);
    this.setReg(4, 2);
  }

  /** The runtime asks the run loop to look (stop, interrupt, region dropped, single-step). */
  attention(): void {
    this.b.i32(0).mem(MemOp.I32Load, this.layout.state + StateWord.ATTENTION * 4);
  }
}

/** Pushes condition pair `pair` (Table B-1) from the EFLAGS value on the stack. */
function testFlags(b: FunctionBody, pair: number, t: Local): void {
  const bit = (mask: number): void => { b.get(t).i32(mask).op(Op.I32And).i32(0).op(Op.I32Ne); };
  const sfNeOf = (): void => { b.get(t).i32(7).op(Op.I32ShrU).get(t).i32(11).op(Op.I32ShrU).op(Op.I32Xor).i32(1).op(Op.I32And); };
  b.set(t);
  switch (pair) {
    case 0: bit(0x800); break;
    case 1: bit(0x1); break;
    case 2: bit(0x40); break;
    case 3: bit(0x41); break;
    case 4: bit(0x80); break;
    case 5: bit(0x4); break;
    case 6: sfNeOf(); break;
    default: bit(0x40); sfNeOf(); b.op(Op.I32Or); break;
  }
}

/**
 * Before a jump within the region goes on ($tail, and the straight branches
 * of `transfer`): counts the block's x instructions into `done`, and leaves
 * if the runtime asked to look.
 */
function countAndLook(b: FunctionBody, L: RegionLocals, layout: WasmLayout): void {
  b.get(L.done).get(L.x).op(Op.I32Add).set(L.done).i32(0).set(L.x);
  b.i32(0).mem(MemOp.I32Load, layout.state + StateWord.ATTENTION * 4).unlikely().brIf('exit');
}

/**
 * A sibling region's tail: to block t (c instructions) there by a tail call
 * when the region is still valid (its slot global), the CS limit is 4 GiB
 * (the chain's condition: the sibling's blocks' limits are not checked)
 * and the budget covers the block; else the exit to that block's EIP. The
 * sibling loads the state this one stores, and is named the running region
 * for the runtime.
 */
function siblingTail(b: FunctionBody, L: RegionLocals, layout: WasmLayout, sibling: SiblingRegion): void {
  const slot = L.te; // free here: the TLB entry of an access
  b.globalGet(sibling.slot).tee(slot).i32(0).op(Op.I32LtS).unlikely().brIf('exit');
  b.get(L.csLimit).i32(-1).op(Op.I32Ne).unlikely().brIf('exit');
  b.get(L.done).get(L.c).op(Op.I32Add).get(L.budget).op(Op.I32GtS).unlikely().brIf('exit');
  storeState(b, L, layout);
  b.i32(0).get(slot).mem(MemOp.I32Store, layout.state + StateWord.CHAIN_SLOT * 4);
  b.get(L.t).get(L.budget).get(L.done).returnCall(sibling.fn);
}

/** Stores registers and the flag locals into the state block. */
function storeState(b: FunctionBody, L: RegionLocals, layout: WasmLayout): void {
  L.regs.forEach((r, n) => { b.i32(0).get(r).mem(MemOp.I32Store, layout.state + (StateWord.REGS + n) * 4); });
  L.flags.forEach((f, n) => { b.i32(0).get(f).mem(MemOp.I32Store, layout.state + (StateWord.LAZY_OP + n) * 4); });
}

/** Loads registers, flag locals and TLB masks from the state block. */
function loadState(b: FunctionBody, L: RegionLocals, layout: WasmLayout): void {
  L.regs.forEach((r, n) => { b.i32(0).mem(MemOp.I32Load, layout.state + (StateWord.REGS + n) * 4).set(r); });
  L.flags.forEach((f, n) => { b.i32(0).mem(MemOp.I32Load, layout.state + (StateWord.LAZY_OP + n) * 4).set(f); });
  b.i32(0).mem(MemOp.I32Load, layout.state + StateWord.READ_MASK * 4).set(L.readMask);
  b.i32(0).mem(MemOp.I32Load, layout.state + StateWord.WRITE_MASK * 4).set(L.writeMask);
}

/** What the runtime needs of one compiled region to account for a fault in it. */
export interface WasmRegionInfo {
  blocks: EmittedBlockInfo[];
  /** Per instruction of the region: its EIP when a fault there needs prevEip set (-1: the interpreter did), and its index in its block. */
  eips: number[];
  offsets: number[];
  /** Instructions run by the interpreter's step, of all of them. */
  interpreted: number;
}

/** A compiled module: region i is its export `r<i>`. */
export interface WasmModuleCode {
  bytes: Uint8Array;
  regions: WasmRegionInfo[];
}

/**
 * Compiles regions (each a list of blocks of one page, under one mode)
 * into one module: the imports and the flags helper are shared, and a
 * module costs the host far more than a function in it.
 */
export function compileWasmModule(
  regions: readonly (readonly BlockPlan[])[], emitters: WasmEmitterTable, layout: WasmLayout,
  /** The page group of each region (translator.ts): a direct jump to a block of a region of the same group is a tail call. */
  groups: readonly string[] = [],
): WasmModuleCode {
  const mb = new ModuleBuilder();
  for (const [name, params, results] of IMPORTS) {
    mb.importFunction(name, Array(params).fill(ValType.I32), Array(results).fill(ValType.I32));
  }
  const flagsHelper = mb.addFunction(FLAGS_HELPER_PARAMS, [ValType.I32], flagsHelperBody());
  // Region i is function firstRegion + i, and global i holds its table slot (runtime.ts install).
  const firstRegion = mb.nextFunctionIndex;
  const slots = regions.map((_, i) => mb.addGlobal(-1, `g${i}`));
  const infos = regions.map((plans, i) => {
    const siblingRegions: SiblingRegion[] = [];
    const byEip = new Map<number, Sibling>();
    regions.forEach((other, j) => {
      if (j === i || groups[j] === undefined || groups[j] !== groups[i]) return;
      const region = siblingRegions.push({ fn: firstRegion + j, slot: slots[j] }) - 1;
      other.forEach((p, block) => byEip.set(p.eip, { block, count: p.insns.length, region }));
    });
    const { body, info } = regionFunction(plans, emitters, layout, flagsHelper, (eip) => byEip.get(eip), siblingRegions);
    const fn = mb.addFunction(REGION_PARAMS, REGION_RESULTS, body, `r${i}`);
    if (fn !== firstRegion + i) throw new Error('translator: region function indexes out of order');
    return info;
  });
  return { bytes: mb.encode(), regions: infos };
}

/** The label before an item of a loop (or of the region, loop 0): a branch to it goes to the item's code. */
function itemLabel(node: LoopNode, item: LoopItem): string {
  return node.id === 0 ? `b${itemFirst(item)}` : `n${node.id}_${itemFirst(item)}`;
}

/** The label of a loop's start (its dispatch). */
function loopLabel(node: LoopNode): string { return `L${node.id}`; }

/** True when the block ends with a direct jump or branch to its own first instruction. */
function jumpsToItself(plan: BlockPlan): boolean {
  const last = plan.insns[plan.insns.length - 1];
  if (!RELATIVE_JUMPS.has(last.handler)) return false;
  return relTarget({ insn: last, next: (last.eip + last.length) | 0 }) === plan.eip;
}

/** One region's function (see the file comment for its shape). */
function regionFunction(
  plans: readonly BlockPlan[], emitters: WasmEmitterTable, layout: WasmLayout, flagsHelper: number,
  sibling: (eip: number) => Sibling | undefined, siblingRegions: readonly SiblingRegion[],
): { body: FunctionBody; info: WasmRegionInfo } {
  const b = new FunctionBody(REGION_PARAMS.length);
  const L: RegionLocals = {
    s: b.param(0), budget: b.param(1), done: b.param(2), c: b.local(),
    regs: Array.from({ length: 8 }, () => b.local()),
    flags: FLAG_LOCALS.map(() => b.local()),
    readMask: b.local(), writeMask: b.local(), csLimit: b.local(),
    x: b.local(), t: b.local(), eip: b.local(), fb: b.local(), k: b.local(), ea: b.local(), te: b.local(), lin: b.local(),
  };
  const pools: LocalPools = new Map();
  const index = new Map<number, number>();
  plans.forEach((p, i) => index.set(p.eip, i));
  const resolve = (eip: number): number => index.get(eip) ?? -1;

  loadState(b, L, layout);
  b.i32(0).mem(MemOp.I32Load, layout.state + StateWord.CS_LIMIT * 4).set(L.csLimit);
  b.block('fault').block('exit');
  siblingRegions.forEach((_, j) => b.block(`sib${j}`));
  b.loop('loop').block('tail').block('default');
  const loops = new RegionLoops(plans.length, plans.map((p) => successors(p).map(resolve)));
  const root = loops.root;
  const rootLabel = (i: number): string => itemLabel(root, loops.itemHolding(root, i));
  for (let k = root.items.length - 1; k >= 0; k--) b.block(itemLabel(root, root.items[k]));
  // After an indirect jump from block ~s: straight to the block at EIP if this region has it, else out.
  b.get(L.s).i32(0).op(Op.I32LtS).if();
  b.i32(-1).get(L.s).op(Op.I32Xor).set(L.s);
  plans.forEach((p, i) => {
    b.get(L.eip).i32(p.eip).op(Op.I32Eq).if().i32(i).set(L.s).br(rootLabel(i)).end();
  });
  b.br('exit');
  b.end();
  b.get(L.s).brTable(plans.map((_, i) => rootLabel(i)), 'default');

  const eips: number[] = [];
  const offsets: number[] = [];
  const infos: EmittedBlockInfo[] = [];
  let interpreted = 0;
  const emitItems = (node: LoopNode): void => {
    for (const item of node.items) {
      b.end(); // the item's label: its code follows
      if (typeof item === 'number') emitBlock(item);
      else emitLoop(item);
    }
  };
  // A loop: its items' labels, the dispatch on s (compares for the blocks jumps back go to, then a br_table), the items.
  const emitLoop = (node: LoopNode): void => {
    b.loop(loopLabel(node));
    for (let k = node.items.length - 1; k >= 0; k--) b.block(itemLabel(node, node.items[k]));
    for (const t of node.backTargets) b.get(L.s).i32(t).op(Op.I32Eq).brIf(itemLabel(node, loops.itemHolding(node, t)));
    const labels: string[] = [];
    for (let i = node.first; i <= node.last; i++) labels.push(itemLabel(node, loops.itemHolding(node, i)));
    b.get(L.s).i32(node.first).op(Op.I32Sub).brTable(labels, 'default');
    emitItems(node);
    b.end(); // loop
  };
  const emitBlock = (bi: number): void => {
    const plan = plans[bi];
    const n = plan.insns.length;
    // A block that branches back to its own start (a tight loop) is a WebAssembly loop of its own.
    const blockLoop = jumpsToItself(plan) ? `self${bi}` : undefined;
    if (blockLoop !== undefined) b.loop(blockLoop);
    // Budget: the block runs only whole.
    b.get(L.done).i32(n).op(Op.I32Add).get(L.budget).op(Op.I32GtS).unlikely().if();
    b.i32(0).set(L.x).i32(plan.eip).set(L.eip).br('exit');
    b.end();
    let flags: WasmKnownFlags | undefined;
    let limitNeeded = 0;
    let ended = false;
    let lastInInterpreter = false;
    for (let i = 0; i < n; i++) {
      const insn = plan.insns[i];
      const k = eips.length;
      const last = insn.eip + insn.length - 1;
      if ((last >>> 0) > limitNeeded) limitNeeded = last >>> 0;
      offsets.push(i);
      const e = new WasmInsnEmitter(b, L, insn, k, i, n, bi, flags, resolve, plan.mode, layout, pools, flagsHelper, sibling);
      e.blockLoop = blockLoop;
      e.loops = loops;
      const emitter = lockAllows(insn) ? emitters[insn.handler] : undefined;
      // An emitter that declines must have emitted nothing: its code is dropped.
      const mark = b.code.length;
      const done = emitter !== undefined && emitter(e);
      if (done) {
        eips.push(insn.eip);
        flags = e.flags;
        for (const t of e.targets) if ((t >>> 0) > limitNeeded) limitNeeded = t >>> 0;
        ended = e.ended;
      } else {
        b.code.truncate(mark);
        interpreted++;
        eips.push(-1);
        flags = undefined;
        if (i === n - 1) {
          const after = e.interpret();
          lastInInterpreter = true;
          b.get(after).set(L.eip).i32(i + 1).set(L.x).i32(1).set(L.fb).br('exit');
          ended = true;
        } else {
          e.interpretAndContinue();
        }
      }
      if (ended && i !== n - 1) throw new Error(`translator: instruction ${i} of ${n} ended the block early`);
    }
    if (!ended) {
      const lastInsn = plan.insns[n - 1];
      const e = new WasmInsnEmitter(b, L, lastInsn, eips.length - 1, n - 1, n, bi, undefined, resolve, plan.mode, layout, pools, flagsHelper, sibling);
      e.loops = loops;
      e.transfer((lastInsn.eip + lastInsn.length) | 0);
    }
    if (blockLoop !== undefined) b.end();
    infos.push({ limitNeeded, lastInInterpreter });
  };
  emitItems(root);
  b.end(); // default: the block index is never out of range
  b.op(Op.Unreachable);
  b.end(); // tail: a jump within the region to block t after x instructions
  countAndLook(b, L, layout);
  b.get(L.t).set(L.s).br('loop');
  b.end(); // loop
  for (let j = siblingRegions.length - 1; j >= 0; j--) {
    b.end(); // sib j: a jump to a block of sibling region j
    siblingTail(b, L, layout, siblingRegions[j]);
  }
  b.end(); // exit
  storeState(b, L, layout);
  b.i32(0).get(L.eip).mem(MemOp.I32Store, layout.state + StateWord.EIP * 4);
  b.i32(0).get(L.done).get(L.x).op(Op.I32Add).mem(MemOp.I32Store, layout.state + StateWord.DONE * 4);
  b.get(L.s).i32(1).op(Op.I32Shl).get(L.fb).op(Op.I32Or).op(Op.Return);
  b.end(); // fault
  storeState(b, L, layout);
  b.i32(0).get(L.done).mem(MemOp.I32Store, layout.state + StateWord.DONE * 4);
  b.i32(0).get(L.k).mem(MemOp.I32Store, layout.state + StateWord.INSN * 4);
  b.i32(-1);
  return { body: b, info: { blocks: infos, eips, offsets, interpreted } };
}
