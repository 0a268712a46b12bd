/**
 * A small writer of WebAssembly binary modules (WebAssembly Core
 * Specification 2.0, §5 "Binary Format"): function types, imported
 * functions and memory, functions and their exports. `FunctionBody` writes
 * one function's code with named labels, so a `br` names the construct it
 * leaves instead of counting nesting depths by hand.
 */

/** Value types (§5.3.1); V128 is the 128-bit vector type (§5.3.2). */
export const enum ValType { I32 = 0x7f, I64 = 0x7e, V128 = 0x7b }

/** Opcodes used without an immediate (§5.4). */
export const enum Op {
  Unreachable = 0x00, Return = 0x0f, Drop = 0x1a, Select = 0x1b,
  I32Eqz = 0x45, I32Eq = 0x46, I32Ne = 0x47, I32LtS = 0x48, I32LtU = 0x49, I32GtS = 0x4a, I32GtU = 0x4b,
  I32LeS = 0x4c, I32LeU = 0x4d, I32GeS = 0x4e, I32GeU = 0x4f,
  I64Eqz = 0x50, I64Ne = 0x52,
  I32Clz = 0x67, I32Ctz = 0x68, I32Popcnt = 0x69, I32Add = 0x6a, I32Sub = 0x6b, I32Mul = 0x6c, I32DivS = 0x6d, I32DivU = 0x6e,
  I32RemS = 0x6f, I32RemU = 0x70, I32And = 0x71, I32Or = 0x72, I32Xor = 0x73, I32Shl = 0x74, I32ShrS = 0x75,
  I32ShrU = 0x76, I32Rotl = 0x77, I32Rotr = 0x78,
  I64Add = 0x7c, I64Sub = 0x7d, I64Mul = 0x7e, I64DivS = 0x7f, I64DivU = 0x80, I64RemS = 0x81, I64RemU = 0x82,
  I64And = 0x83, I64Or = 0x84, I64Xor = 0x85, I64Shl = 0x86, I64ShrS = 0x87, I64ShrU = 0x88,
  I32WrapI64 = 0xa7, I64ExtendI32S = 0xac, I64ExtendI32U = 0xad,
  I32Extend8S = 0xc0, I32Extend16S = 0xc1,
}

/** Memory access opcodes (§5.4.6), each with its natural alignment (log2). */
export const enum MemOp {
  I32Load = 0x28, I64Load = 0x29, I32Load8S = 0x2c, I32Load8U = 0x2d, I32Load16S = 0x2e, I32Load16U = 0x2f,
  I32Store = 0x36, I64Store = 0x37, I32Store8 = 0x3a, I32Store16 = 0x3b,
}

const ALIGN: Record<number, number> = { 0x28: 2, 0x29: 3, 0x2c: 0, 0x2d: 0, 0x2e: 1, 0x2f: 1, 0x36: 2, 0x37: 3, 0x3a: 0, 0x3b: 1 };

/**
 * Vector instructions without an immediate (§5.4.8): the opcode after the
 * 0xFD prefix, written as an unsigned LEB128. Lane-wise operations name
 * their shape; the integer comparisons give all-ones or zero lanes.
 */
export const enum SimdOp {
  I8x16Swizzle = 0x0e, I8x16Splat = 0x0f, I16x8Splat = 0x10, I32x4Splat = 0x11, I64x2Splat = 0x12,
  I8x16Eq = 0x23, I8x16GtS = 0x27, I16x8Eq = 0x2d, I16x8GtS = 0x31, I32x4Eq = 0x37, I32x4GtS = 0x3b,
  V128Not = 0x4d, V128And = 0x4e, V128AndNot = 0x4f, V128Or = 0x50, V128Xor = 0x51, V128AnyTrue = 0x53,
  I8x16Bitmask = 0x64, I8x16NarrowI16x8S = 0x65, I8x16NarrowI16x8U = 0x66,
  I8x16Shl = 0x6b, I8x16ShrS = 0x6c, I8x16ShrU = 0x6d,
  I8x16Add = 0x6e, I8x16AddSatS = 0x6f, I8x16AddSatU = 0x70, I8x16Sub = 0x71, I8x16SubSatS = 0x72, I8x16SubSatU = 0x73,
  I8x16MinS = 0x76, I8x16MinU = 0x77, I8x16MaxS = 0x78, I8x16MaxU = 0x79, I8x16AvgrU = 0x7b,
  I16x8Bitmask = 0x84, I16x8NarrowI32x4S = 0x85, I16x8NarrowI32x4U = 0x86,
  I16x8Shl = 0x8b, I16x8ShrS = 0x8c, I16x8ShrU = 0x8d,
  I16x8Add = 0x8e, I16x8AddSatS = 0x8f, I16x8AddSatU = 0x90, I16x8Sub = 0x91, I16x8SubSatS = 0x92, I16x8SubSatU = 0x93,
  I16x8Mul = 0x95, I16x8MinS = 0x96, I16x8MinU = 0x97, I16x8MaxS = 0x98, I16x8MaxU = 0x99, I16x8AvgrU = 0x9b,
  I32x4Bitmask = 0xa4, I32x4Shl = 0xab, I32x4ShrS = 0xac, I32x4ShrU = 0xad, I32x4Add = 0xae, I32x4Sub = 0xb1, I32x4Mul = 0xb5,
  I32x4DotI16x8S = 0xba,
  I64x2Shl = 0xcb, I64x2ShrS = 0xcc, I64x2ShrU = 0xcd, I64x2Add = 0xce, I64x2Sub = 0xd1,
}

/** Vector memory accesses (§5.4.8), each with its natural alignment (log2); the _zero loads clear the lanes above. */
export const enum SimdMemOp { V128Load = 0x00, V128Store = 0x0b, V128Load32Zero = 0x5c, V128Load64Zero = 0x5d }

const SIMD_ALIGN: Record<number, number> = { 0x00: 4, 0x0b: 4, 0x5c: 2, 0x5d: 3 };

/** Vector lane accesses with a lane index immediate (§5.4.8). */
export const enum SimdLaneOp {
  I8x16ExtractLaneU = 0x16, I8x16ReplaceLane = 0x17, I16x8ExtractLaneU = 0x19, I16x8ReplaceLane = 0x1a,
  I32x4ExtractLane = 0x1b, I32x4ReplaceLane = 0x1c, I64x2ExtractLane = 0x1d, I64x2ReplaceLane = 0x1e,
}

/** The prefix of the vector instructions (§5.4.8). */
const SIMD_PREFIX = 0xfd;

/**
 * A growing run of bytes: a function's code or a section. Bytes in a
 * Uint8Array, not an array of numbers: a region's code is tens of
 * kilobytes, and as numbers it would take eight times that in the heap,
 * garbage as soon as the module is written.
 */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = byte;
  }

  /** Drops the bytes from `length` on (an emitter that declined). */
  truncate(length: number): void {
    if (length > this.length) throw new Error('wasm: truncate past the end');
    this.length = length;
  }

  /** The bytes written so far (a view: valid until the next push). */
  view(): Uint8Array { return this.buf.subarray(0, this.length); }

  /** Unsigned LEB128 (§5.2.2). */
  uleb(value: number): void {
    let v = value >>> 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>>= 7;
      if (v === 0) { this.push(byte); return; }
      this.push(byte | 0x80);
    }
  }

  /** Signed LEB128 of a 32-bit integer. */
  sleb(value: number): void {
    let v = value | 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) { this.push(byte); return; }
      this.push(byte | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  sleb64(value: bigint): void {
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) { this.push(byte); return; }
      this.push(byte | 0x80);
    }
  }

  /** A name (§5.2.4): its UTF-8 length, then its bytes. */
  name(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.uleb(bytes.length);
    for (const b of bytes) this.push(b);
  }

  /** Appends another run of bytes. */
  append(other: Bytes): void {
    for (let i = 0; i < other.length; i++) this.push(other.buf[i]);
  }
}

/** A local variable of the function being written. */
export type Local = number & { readonly __local: unique symbol };

/** One function's locals and code. */
export class FunctionBody {
  readonly code = new Bytes();
  /** Branch hints (ModuleBuilder.encode): code offset of a br_if or if, then 1 for likely, 0 for unlikely. */
  readonly hints: number[] = [];
  private readonly localTypes: ValType[] = [];
  private readonly labels: string[] = [];

  constructor(private readonly paramCount: number) {}

  /** Parameter `i` as a local. */
  param(i: number): Local { return i as Local; }

  /** A new local of `type`. */
  local(type: ValType = ValType.I32): Local {
    this.localTypes.push(type);
    return (this.paramCount + this.localTypes.length - 1) as Local;
  }

  op(op: Op): this { this.code.push(op); return this; }
  get(l: Local): this { this.code.push(0x20); this.code.uleb(l); return this; }
  set(l: Local): this { this.code.push(0x21); this.code.uleb(l); return this; }
  tee(l: Local): this { this.code.push(0x22); this.code.uleb(l); return this; }
  i32(v: number): this { this.code.push(0x41); this.code.sleb(v); return this; }
  i64(v: bigint): this { this.code.push(0x42); this.code.sleb64(v); return this; }
  /** A load or store at the address on the stack plus `offset`. */
  mem(op: MemOp, offset = 0): this {
    this.code.push(op);
    this.code.uleb(ALIGN[op]);
    this.code.uleb(offset);
    return this;
  }
  /**
   * A vector load or store at the address on the stack plus `offset`; the
   * alignment hint is the natural one unless `alignLog2` says less (an
   * access of any alignment works, the hint only promises speed).
   */
  simdMem(op: SimdMemOp, offset = 0, alignLog2 = SIMD_ALIGN[op]): this {
    this.code.push(SIMD_PREFIX);
    this.code.uleb(op);
    this.code.uleb(alignLog2);
    this.code.uleb(offset);
    return this;
  }
  /** A vector instruction without an immediate. */
  simd(op: SimdOp): this { this.code.push(SIMD_PREFIX); this.code.uleb(op); return this; }
  /** A lane extract or replace of lane `lane`. */
  lane(op: SimdLaneOp, lane: number): this { this.code.push(SIMD_PREFIX); this.code.uleb(op); this.code.push(lane); return this; }
  /** v128.const of 16 bytes (lane 0 first). */
  v128(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error('wasm: v128.const needs 16 bytes');
    this.code.push(SIMD_PREFIX); this.code.push(0x0c);
    for (const x of bytes) this.code.push(x & 0xff);
    return this;
  }
  /** i8x16.shuffle: byte i of the result is byte `lanes[i]` of the two operands (0-15 the first, 16-31 the second). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !(l >= 0 && l < 32))) throw new Error(`wasm: bad shuffle ${lanes.join(',')}`);
    this.code.push(SIMD_PREFIX); this.code.push(0x0d);
    for (const l of lanes) this.code.push(l);
    return this;
  }
  /**
   * memory.copy (§5.4.6, bulk memory): (destination, source, bytes) on the
   * stack; the bytes land as if read before any is written (memmove).
   */
  memoryCopy(): this { this.code.push(0xfc); this.code.uleb(10); this.code.push(0x00); this.code.push(0x00); return this; }
  /** memory.fill: (destination, byte value, bytes) on the stack. */
  memoryFill(): this { this.code.push(0xfc); this.code.uleb(11); this.code.push(0x00); return this; }
  call(fn: number): this { this.code.push(0x10); this.code.uleb(fn); return this; }
  /** Tail call (return_call, tail-call proposal): the callee's result is this function's, and this frame is gone before it runs. */
  returnCall(fn: number): this { this.code.push(0x12); this.code.uleb(fn); return this; }
  /** Pushes global `index` (ModuleBuilder.addGlobal). */
  globalGet(index: number): this { this.code.push(0x23); this.code.uleb(index); return this; }
  /** Calls the function in table 0 at the index on the stack, of type `typeIndex` (ModuleBuilder.typeIndexOf). */
  callIndirect(typeIndex: number): this { this.code.push(0x11); this.code.uleb(typeIndex); this.code.push(0x00); return this; }

  /** Opens a block whose `br` goes to its end; `result` is the type it leaves on the stack, if any. */
  block(label: string, result?: ValType): this { return this.open(0x02, label, result); }
  /** Opens a loop whose `br` goes back to its start. */
  loop(label: string): this { return this.open(0x03, label); }
  /** Opens an `if` on the condition on the stack. */
  if(label = '', result?: ValType): this { return this.open(0x04, label, result); }
  else(): this { this.code.push(0x05); return this; }
  end(): this {
    if (this.labels.pop() === undefined) throw new Error('wasm: end without an open construct');
    this.code.push(0x0b);
    return this;
  }
  br(label: string): this { this.code.push(0x0c); this.code.uleb(this.depth(label)); return this; }
  /**
   * Marks the br_if or if emitted next as rarely taken (a slow path, a fault,
   * an exit): the branch-hinting proposal's metadata.code.branch_hint, which
   * lets the engine lay that code out of line and keep registers for the
   * rest. Engines that do not know the section ignore it.
   */
  unlikely(): this { this.hints.push(this.code.length, 0); return this; }
  /** Marks the br_if or if emitted next as usually taken. */
  likely(): this { this.hints.push(this.code.length, 1); return this; }
  brIf(label: string): this { this.code.push(0x0d); this.code.uleb(this.depth(label)); return this; }
  /** Branches to `targets[i]` for the index i on the stack, to `fallback` when it is out of range. */
  brTable(targets: readonly string[], fallback: string): this {
    this.code.push(0x0e);
    this.code.uleb(targets.length);
    for (const t of targets) this.code.uleb(this.depth(t));
    this.code.uleb(this.depth(fallback));
    return this;
  }

  /** The local declarations (§5.5.13): runs of one type. */
  localsHeader(): Bytes {
    if (this.labels.length !== 0) throw new Error(`wasm: unclosed ${this.labels.join(', ')}`);
    const out = new Bytes();
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    out.uleb(runs.length);
    for (const [count, type] of runs) { out.uleb(count); out.push(type); }
    return out;
  }

  private open(opcode: number, label: string, result?: ValType): this {
    this.code.push(opcode); this.code.push(result ?? 0x40);
    this.labels.push(label);
    return this;
  }

  private depth(label: string): number {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`wasm: no open label ${label}`);
    return this.labels.length - 1 - i;
  }
}

interface FuncType { params: readonly ValType[]; results: readonly ValType[] }

/** A module: imported memory "e"."m", optionally a function table "e"."t", imported functions "e".name, and functions exported by name. */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private tableImported = false;
  private readonly imports: { name: string; type: number }[] = [];
  private readonly functions: { type: number; body: FunctionBody; exportName?: string }[] = [];
  private readonly globals: { init: number; exportName: string }[] = [];

  /** Declares an imported function; its index for `call`. Imports come before functions. */
  importFunction(importName: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.functions.length > 0) throw new Error('wasm: imports must be declared before functions');
    this.imports.push({ name: importName, type: this.typeIndex({ params, results }) });
    return this.imports.length - 1;
  }

  /** Imports table 0 ("e"."t", function references, at least `minimum` entries) for callIndirect. */
  importTable(minimum: number): void {
    this.tableImported = true;
    this.tableMinimum = minimum;
  }
  private tableMinimum = 0;

  /** The index of a function type, for callIndirect. */
  typeIndexOf(params: readonly ValType[], results: readonly ValType[]): number {
    return this.typeIndex({ params, results });
  }

  /** Adds a function; its index for `call`. */
  addFunction(params: readonly ValType[], results: readonly ValType[], body: FunctionBody, exportName?: string): number {
    this.functions.push({ type: this.typeIndex({ params, results }), body, exportName });
    return this.imports.length + this.functions.length - 1;
  }

  /** Adds a mutable i32 global, exported as `exportName` (so the host can set it); its index for globalGet. */
  addGlobal(init: number, exportName: string): number {
    this.globals.push({ init, exportName });
    return this.globals.length - 1;
  }

  /** The index the next added function will have. */
  get nextFunctionIndex(): number { return this.imports.length + this.functions.length; }

  /** The module's bytes. */
  encode(): Uint8Array {
    const out = new Bytes();
    for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.push(b);
    const section = (id: number, fill: (s: Bytes) => void): void => {
      const s = new Bytes();
      fill(s);
      out.push(id);
      out.uleb(s.length);
      out.append(s);
    };
    section(1, (s) => {
      s.uleb(this.types.length);
      for (const t of this.types) {
        s.push(0x60);
        s.uleb(t.params.length); for (const v of t.params) s.push(v);
        s.uleb(t.results.length); for (const v of t.results) s.push(v);
      }
    });
    section(2, (s) => {
      s.uleb(this.imports.length + 1 + (this.tableImported ? 1 : 0));
      s.name('e'); s.name('m'); s.push(0x02); s.push(0x00); s.push(0x00); // memory, no maximum, minimum 0
      if (this.tableImported) { s.name('e'); s.name('t'); s.push(0x01); s.push(0x70); s.push(0x00); s.uleb(this.tableMinimum); } // funcref table
      for (const im of this.imports) { s.name('e'); s.name(im.name); s.push(0x00); s.uleb(im.type); }
    });
    section(3, (s) => {
      s.uleb(this.functions.length);
      for (const f of this.functions) s.uleb(f.type);
    });
    if (this.globals.length > 0) {
      section(6, (s) => {
        s.uleb(this.globals.length);
        for (const g of this.globals) { s.push(ValType.I32); s.push(0x01); s.push(0x41); s.sleb(g.init); s.push(0x0b); } // mutable i32 = i32.const init
      });
    }
    section(7, (s) => {
      const exported = this.functions.map((f, i) => [f, i] as const).filter(([f]) => f.exportName !== undefined);
      s.uleb(exported.length + this.globals.length);
      for (const [f, i] of exported) { s.name(f.exportName as string); s.push(0x00); s.uleb(this.imports.length + i); }
      this.globals.forEach((g, i) => { s.name(g.exportName); s.push(0x03); s.uleb(i); });
    });
    // Branch hints, before the code they are about: offsets count from the body's start, its locals included.
    const hinted = this.functions.map((f, i) => [f, i] as const).filter(([f]) => f.body.hints.length > 0);
    const localsLength = this.functions.map((f) => f.body.localsHeader().length);
    if (hinted.length > 0) {
      section(0, (s) => {
        s.name('metadata.code.branch_hint');
        s.uleb(hinted.length);
        for (const [f, i] of hinted) {
          s.uleb(this.imports.length + i);
          s.uleb(f.body.hints.length / 2);
          for (let h = 0; h < f.body.hints.length; h += 2) { s.uleb(localsLength[i] + f.body.hints[h]); s.uleb(1); s.push(f.body.hints[h + 1]); }
        }
      });
    }
    // Code section (§5.5.13): each body's size, its locals, its code and `end`.
    // The bodies, nearly all of the bytes, are copied once, straight into the result.
    const heads: Bytes[] = [];
    const count = new Bytes();
    count.uleb(this.functions.length);
    let size = count.length;
    for (const f of this.functions) {
      const locals = f.body.localsHeader();
      const head = new Bytes();
      head.uleb(locals.length + f.body.code.length + 1);
      head.append(locals);
      heads.push(head);
      size += head.length + f.body.code.length + 1;
    }
    out.push(10);
    out.uleb(size);
    out.append(count);
    const bytes = new Uint8Array(out.length + size - count.length);
    bytes.set(out.view());
    let at = out.length;
    this.functions.forEach((f, i) => {
      bytes.set(heads[i].view(), at);
      at += heads[i].length;
      bytes.set(f.body.code.view(), at);
      at += f.body.code.length;
      bytes[at++] = 0x0b;
    });
    return bytes;
  }

  private typeIndex(t: FuncType): number {
    const i = this.types.findIndex((u) => same(u.params, t.params) && same(u.results, t.results));
    if (i >= 0) return i;
    this.types.push(t);
    return this.types.length - 1;
  }
}

function same(a: readonly ValType[], b: readonly ValType[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
