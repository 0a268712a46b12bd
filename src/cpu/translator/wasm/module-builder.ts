/**
 * A small writer of WebAssembly binary modules (WebAssembly Core
 * Specification 2.0, §5 "Binary Format"): function types, imported
 * functions and memory, functions and their exports. `FunctionBody` writes
 * one function's code with named labels, so a `br` names the construct it
 * leaves instead of counting nesting depths by hand.
 */

/** Value types (§5.3.1). */
export const enum ValType { I32 = 0x7f, I64 = 0x7e }

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
  I32Load = 0x28, I32Load8S = 0x2c, I32Load8U = 0x2d, I32Load16S = 0x2e, I32Load16U = 0x2f,
  I32Store = 0x36, I32Store8 = 0x3a, I32Store16 = 0x3b,
}

const ALIGN: Record<number, number> = { 0x28: 2, 0x2c: 0, 0x2d: 0, 0x2e: 1, 0x2f: 1, 0x36: 2, 0x3a: 0, 0x3b: 1 };

/** Unsigned LEB128 (§5.2.2). */
export function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>>= 7;
    if (v === 0) { out.push(byte); return; }
    out.push(byte | 0x80);
  }
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) { out.push(byte); return; }
    out.push(byte | 0x80);
  }
}

/** Signed LEB128 of a 64-bit integer. */
function sleb64(out: number[], value: bigint): void {
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) { out.push(byte); return; }
    out.push(byte | 0x80);
  }
}

function name(out: number[], text: string): void {
  const bytes = new TextEncoder().encode(text);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** A local variable of the function being written. */
export type Local = number & { readonly __local: unique symbol };

/** One function's locals and code. */
export class FunctionBody {
  readonly code: number[] = [];
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
  get(l: Local): this { this.code.push(0x20); uleb(this.code, l); return this; }
  set(l: Local): this { this.code.push(0x21); uleb(this.code, l); return this; }
  tee(l: Local): this { this.code.push(0x22); uleb(this.code, l); return this; }
  i32(v: number): this { this.code.push(0x41); sleb(this.code, v); return this; }
  i64(v: bigint): this { this.code.push(0x42); sleb64(this.code, v); return this; }
  /** A load or store at the address on the stack plus `offset`. */
  mem(op: MemOp, offset = 0): this {
    this.code.push(op);
    uleb(this.code, ALIGN[op]);
    uleb(this.code, offset);
    return this;
  }
  /**
   * memory.copy (§5.4.6, bulk memory): (destination, source, bytes) on the
   * stack; the bytes land as if read before any is written (memmove).
   */
  memoryCopy(): this { this.code.push(0xfc); uleb(this.code, 10); this.code.push(0x00, 0x00); return this; }
  /** memory.fill: (destination, byte value, bytes) on the stack. */
  memoryFill(): this { this.code.push(0xfc); uleb(this.code, 11); this.code.push(0x00); return this; }
  call(fn: number): this { this.code.push(0x10); uleb(this.code, fn); return this; }
  /** Calls the function in table 0 at the index on the stack, of type `typeIndex` (ModuleBuilder.typeIndexOf). */
  callIndirect(typeIndex: number): this { this.code.push(0x11); uleb(this.code, typeIndex); this.code.push(0x00); return this; }

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
  br(label: string): this { this.code.push(0x0c); uleb(this.code, this.depth(label)); return this; }
  brIf(label: string): this { this.code.push(0x0d); uleb(this.code, this.depth(label)); return this; }
  /** Branches to `targets[i]` for the index i on the stack, to `fallback` when it is out of range. */
  brTable(targets: readonly string[], fallback: string): this {
    this.code.push(0x0e);
    uleb(this.code, targets.length);
    for (const t of targets) uleb(this.code, this.depth(t));
    uleb(this.code, this.depth(fallback));
    return this;
  }

  /** The encoded function (locals and expression), with its final `end`. */
  encode(): number[] {
    if (this.labels.length !== 0) throw new Error(`wasm: unclosed ${this.labels.join(', ')}`);
    const out: number[] = [];
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(out, runs.length);
    for (const [count, type] of runs) { uleb(out, count); out.push(type); }
    for (const b of this.code) out.push(b);
    out.push(0x0b);
    return out;
  }

  private open(opcode: number, label: string, result?: ValType): this {
    this.code.push(opcode, result ?? 0x40);
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

  /** The index the next added function will have. */
  get nextFunctionIndex(): number { return this.imports.length + this.functions.length; }

  encode(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, fill: (s: number[]) => void): void => {
      const s: number[] = [];
      fill(s);
      out.push(id);
      uleb(out, s.length);
      for (const b of s) out.push(b);
    };
    section(1, (s) => {
      uleb(s, this.types.length);
      for (const t of this.types) {
        s.push(0x60);
        uleb(s, t.params.length); s.push(...t.params);
        uleb(s, t.results.length); s.push(...t.results);
      }
    });
    section(2, (s) => {
      uleb(s, this.imports.length + 1 + (this.tableImported ? 1 : 0));
      name(s, 'e'); name(s, 'm'); s.push(0x02, 0x00, 0x00); // memory, no maximum, minimum 0
      if (this.tableImported) { name(s, 'e'); name(s, 't'); s.push(0x01, 0x70, 0x00); uleb(s, this.tableMinimum); } // funcref table
      for (const im of this.imports) { name(s, 'e'); name(s, im.name); s.push(0x00); uleb(s, im.type); }
    });
    section(3, (s) => {
      uleb(s, this.functions.length);
      for (const f of this.functions) uleb(s, f.type);
    });
    section(7, (s) => {
      const exported = this.functions.map((f, i) => [f, i] as const).filter(([f]) => f.exportName !== undefined);
      uleb(s, exported.length);
      for (const [f, i] of exported) { name(s, f.exportName as string); s.push(0x00); uleb(s, this.imports.length + i); }
    });
    section(10, (s) => {
      uleb(s, this.functions.length);
      for (const f of this.functions) {
        const body = f.body.encode();
        uleb(s, body.length);
        for (const b of body) s.push(b);
      }
    });
    return new Uint8Array(out);
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
