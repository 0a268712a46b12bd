/**
 * The WebAssembly writer: LEB128 as the specification's examples give it,
 * modules V8 accepts whose labels go where their names say, and the vector
 * instructions (0xFD prefix, LEB128 sub-opcodes) doing what their names say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FunctionBody, type Local, MemOp, ModuleBuilder, Op, SimdLaneOp, SimdMemOp, SimdOp, ValType, Bytes,
} from '../../../../src/cpu/translator/wasm/module-builder.js';

const uleb = (out: Bytes, v: number): void => out.uleb(v);
const sleb = (out: Bytes, v: number): void => out.sleb(v);

function leb(write: (out: Bytes, v: number) => void, v: number): number[] {
  const out = new Bytes();
  write(out, v);
  return [...out.view()];
}

test('LEB128: unsigned and signed encodings', () => {
  assert.deepEqual(leb(uleb, 0), [0]);
  assert.deepEqual(leb(uleb, 624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(leb(uleb, 0xffff_ffff), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(leb(sleb, -123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(leb(sleb, 63), [0x3f]);
  assert.deepEqual(leb(sleb, 64), [0xc0, 0x00]);
  assert.deepEqual(leb(sleb, -64), [0x40]);
  assert.deepEqual(leb(sleb, -0x8000_0000), [0x80, 0x80, 0x80, 0x80, 0x78]);
});

test('Bytes: grows past its first buffer, truncates, appends', () => {
  const a = new Bytes();
  for (let i = 0; i < 1000; i++) a.push(i & 0xff);
  assert.equal(a.length, 1000);
  assert.equal(a.view()[999], 999 & 0xff);
  a.truncate(3);
  assert.deepEqual([...a.view()], [0, 1, 2]);
  assert.throws(() => a.truncate(4), /past the end/);
  const b = new Bytes();
  b.push(9);
  b.append(a);
  assert.deepEqual([...b.view()], [9, 0, 1, 2]);
});

function instantiate(mb: ModuleBuilder, memory: WebAssembly.Memory, imports: Record<string, unknown> = {}): WebAssembly.Exports {
  const module = new WebAssembly.Module(mb.encode() as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, { e: { m: memory, ...imports } as WebAssembly.ModuleImports }).exports;
}

test('named labels: br_table dispatch, a loop, and a branch out of nested blocks', () => {
  // f(s, n): s selects a start (0: sum 1..n in a loop, 1: return 1000, else: return -1).
  const mb = new ModuleBuilder();
  const b = new FunctionBody(2);
  const s = b.param(0), n = b.param(1), acc = b.local();
  b.block('out').block('other').block('sum');
  b.get(s).brTable(['sum', 'other'], 'out');
  b.end(); // sum
  b.loop('again');
  b.get(n).op(Op.I32Eqz).if().get(acc).op(Op.Return).end();
  b.get(acc).get(n).op(Op.I32Add).set(acc);
  b.get(n).i32(1).op(Op.I32Sub).set(n);
  b.br('again');
  b.end(); // loop
  b.end(); // other
  b.i32(1000).op(Op.Return);
  b.end(); // out
  b.i32(-1);
  mb.addFunction([ValType.I32, ValType.I32], [ValType.I32], b, 'f');
  const f = instantiate(mb, new WebAssembly.Memory({ initial: 1 })).f as (s: number, n: number) => number;
  assert.equal(f(0, 10), 55);
  assert.equal(f(1, 10), 1000);
  assert.equal(f(7, 10), -1);
});

test('memory accesses at an offset, imports and calls between functions', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const seen: number[] = [];
  const mb = new ModuleBuilder();
  const note = mb.importFunction('note', [ValType.I32], []);
  const twice = new FunctionBody(1);
  twice.get(twice.param(0)).i32(1).op(Op.I32Shl);
  const twiceIndex = mb.addFunction([ValType.I32], [ValType.I32], twice);
  const b = new FunctionBody(1);
  // mem32[0x100 + 8] = twice(x); note(mem16u[0x108]); return mem8s[0x109]
  b.i32(0x100).get(b.param(0)).call(twiceIndex).mem(MemOp.I32Store, 8);
  b.i32(0x100).mem(MemOp.I32Load16U, 8).call(note);
  b.i32(0x100).mem(MemOp.I32Load8S, 9);
  mb.addFunction([ValType.I32], [ValType.I32], b, 'g');
  const g = instantiate(mb, memory, { note: (v: number) => seen.push(v) }).g as (x: number) => number;
  assert.equal(g(0x4080), (0x81 << 24) >> 24, "the byte at 0x109 of 0x8100, sign-extended");
  assert.equal(new Int32Array(memory.buffer)[0x108 / 4], 0x8100);
  assert.deepEqual(seen, [0x8100]);
});

test('memory.copy moves bytes as memmove does, memory.fill sets them', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const mb = new ModuleBuilder();
  const copy = new FunctionBody(3);
  copy.get(copy.param(0)).get(copy.param(1)).get(copy.param(2)).memoryCopy();
  mb.addFunction([ValType.I32, ValType.I32, ValType.I32], [], copy, 'copy');
  const fill = new FunctionBody(3);
  fill.get(fill.param(0)).get(fill.param(1)).get(fill.param(2)).memoryFill();
  mb.addFunction([ValType.I32, ValType.I32, ValType.I32], [], fill, 'fill');
  const x = instantiate(mb, memory);
  const bytes = new Uint8Array(memory.buffer);
  bytes.set([1, 2, 3, 4, 5, 6], 0x10);
  (x.copy as (d: number, s: number, n: number) => void)(0x11, 0x10, 5); // overlapping, upwards
  assert.deepEqual([...bytes.subarray(0x10, 0x16)], [1, 1, 2, 3, 4, 5]);
  (x.fill as (d: number, v: number, n: number) => void)(0x12, 0x1a5, 3); // the value's low byte
  assert.deepEqual([...bytes.subarray(0x10, 0x16)], [1, 1, 0xa5, 0xa5, 0xa5, 5]);
});

test('an unclosed construct or an unknown label is an error, not a bad module', () => {
  const b = new FunctionBody(0);
  b.block('a');
  const mb = new ModuleBuilder();
  mb.addFunction([], [], b);
  assert.throws(() => mb.encode(), /unclosed a/);
  assert.throws(() => b.br('nowhere'), /no open label nowhere/);
});

test('vector instructions: the 0xFD prefix, then the sub-opcode in LEB128 and the immediates', () => {
  const b = new FunctionBody(0);
  b.simd(SimdOp.I8x16Eq); // 0x23: one byte
  b.simd(SimdOp.I16x8Add); // 0x8e: two LEB128 bytes
  b.simdMem(SimdMemOp.V128Load, 0x90); // align 2^4, offset 0x90 in LEB128
  b.simdMem(SimdMemOp.V128Store, 0, 0); // alignment hint 1
  b.lane(SimdLaneOp.I32x4ExtractLane, 3);
  assert.deepEqual([...b.code.view()], [0xfd, 0x23, 0xfd, 0x8e, 0x01, 0xfd, 0x00, 4, 0x90, 0x01, 0xfd, 0x0b, 0, 0, 0xfd, 0x1b, 3]);
  assert.throws(() => new FunctionBody(0).shuffle([32, ...new Array(15).fill(0)]), /bad shuffle/);
  assert.throws(() => new FunctionBody(0).v128([1, 2]), /16 bytes/);
});

/** A module over one page of memory: v(a, b) → writes the result vector of `body` (given v128 locals a and b loaded from 0x100 and 0x110) at 0x120. */
function vectorFunction(body: (b: FunctionBody, a: Local, c: Local) => void): (x: number[], y: number[]) => number[] {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const mb = new ModuleBuilder();
  const b = new FunctionBody(0);
  const a = b.local(ValType.V128), c = b.local(ValType.V128);
  b.i32(0).simdMem(SimdMemOp.V128Load, 0x100).set(a);
  b.i32(0).simdMem(SimdMemOp.V128Load, 0x110).set(c);
  b.i32(0x120);
  body(b, a, c);
  b.simdMem(SimdMemOp.V128Store);
  mb.addFunction([], [], b, 'v');
  const v = instantiate(mb, memory).v as () => void;
  const bytes = new Uint8Array(memory.buffer);
  return (x, y) => {
    bytes.set(x, 0x100);
    bytes.set(y, 0x110);
    v();
    return [...bytes.subarray(0x120, 0x130)];
  };
}

const iota = (start: number): number[] => Array.from({ length: 16 }, (_, i) => (start + i) & 0xff);

test('vector operations run as named: compare, logic, saturating add, unsigned minimum, narrowing', () => {
  const x = iota(0x7c), y = [...iota(0x7c).slice(0, 8), ...new Array(8).fill(0x80)];
  const binary = (op: SimdOp) => vectorFunction((b, a, c) => { b.get(a).get(c).simd(op); })(x, y);
  assert.deepEqual(binary(SimdOp.I8x16Eq), [...new Array(8).fill(0xff), ...new Array(8).fill(0)]);
  assert.deepEqual(binary(SimdOp.V128AndNot), x.map((v, i) => v & ~y[i]! & 0xff));
  assert.deepEqual(binary(SimdOp.I8x16AddSatU), x.map((v, i) => Math.min(0xff, v + y[i]!)));
  assert.deepEqual(binary(SimdOp.I8x16MinU), x.map((v, i) => Math.min(v, y[i]!)));
  // Words 7c7d 7e7f 8081 8283 …: signed, narrowed to bytes with signed saturation; a's lanes first.
  const narrowed = binary(SimdOp.I8x16NarrowI16x8S);
  assert.deepEqual(narrowed.slice(0, 4), [0x7f, 0x7f, 0x80, 0x80]);
});

test('vector lanes: shuffle, bitmask, lane extract and replace, the zero-extending loads, constants', () => {
  const x = iota(0), y = iota(0x80);
  // Interleave the low bytes of a and b (PUNPCKLBW's order).
  const unpack = vectorFunction((b, a, c) => { b.get(a).get(c).shuffle(Array.from({ length: 16 }, (_, i) => (i >> 1) + ((i & 1) << 4))); });
  assert.deepEqual(unpack(x, y), [0, 0x80, 1, 0x81, 2, 0x82, 3, 0x83, 4, 0x84, 5, 0x85, 6, 0x86, 7, 0x87]);
  // Bitmask of b (bytes 80h.. have the top bit) into lane 1 of a constant.
  const mask = vectorFunction((b, _a, c) => { b.v128(new Array(16).fill(0)).get(c).simd(SimdOp.I8x16Bitmask).lane(SimdLaneOp.I32x4ReplaceLane, 1); });
  assert.deepEqual(mask(x, y), [0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // Lane 3 of a as i32, splatted.
  const splat = vectorFunction((b, a) => { b.get(a).lane(SimdLaneOp.I32x4ExtractLane, 3).simd(SimdOp.I32x4Splat); });
  assert.deepEqual(splat(x, y), [12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15]);
  // The low quadword of the bytes at 0x110 (b), the rest zero; a 64-bit lane store and load.
  const low = vectorFunction((b) => { b.i32(0).simdMem(SimdMemOp.V128Load64Zero, 0x110); });
  assert.deepEqual(low(x, y), [...y.slice(0, 8), ...new Array(8).fill(0)]);
  const dword = vectorFunction((b) => { b.i32(0).simdMem(SimdMemOp.V128Load32Zero, 0x104, 0); });
  assert.deepEqual(dword(x, y), [4, 5, 6, 7, ...new Array(12).fill(0)]);
  const viaI64 = vectorFunction((b, a) => {
    b.i32(0x130).get(a).lane(SimdLaneOp.I64x2ExtractLane, 1).mem(MemOp.I64Store);
    b.v128(new Array(16).fill(0)).i32(0x130).mem(MemOp.I64Load).lane(SimdLaneOp.I64x2ReplaceLane, 0);
  });
  assert.deepEqual(viaI64(x, y), [8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('globals the host sets, and tail calls: a module V8 runs', () => {
  // f(x) = g(x) by return_call, g(x) = x + the global the host set.
  const mb = new ModuleBuilder();
  const addend = mb.addGlobal(-1, 'addend');
  const g = new FunctionBody(1);
  g.get(g.param(0)).globalGet(addend).op(Op.I32Add);
  const gIndex = mb.addFunction([ValType.I32], [ValType.I32], g, 'g');
  const f = new FunctionBody(1);
  f.get(f.param(0)).returnCall(gIndex);
  mb.addFunction([ValType.I32], [ValType.I32], f, 'f');
  const exports = instantiate(mb, new WebAssembly.Memory({ initial: 1 }));
  assert.equal((exports.f as (x: number) => number)(10), 9, 'the initial value');
  (exports.addend as WebAssembly.Global).value = 32;
  assert.equal((exports.f as (x: number) => number)(10), 42);
});

test('branch hints: a metadata.code.branch_hint section before the code, each offset on its br_if or if', () => {
  const mb = new ModuleBuilder();
  const b = new FunctionBody(1);
  const x = b.param(0), t = b.local(), u = b.local(ValType.I64);
  b.block('out');
  b.get(x).op(Op.I32Eqz).unlikely().brIf('out');
  b.get(x).i32(1).op(Op.I32Sub).set(t);
  b.get(t).likely().if().get(t).op(Op.Return).end();
  b.end();
  b.i64(0n).set(u);
  b.i32(-1);
  mb.addFunction([ValType.I32], [ValType.I32], b, 'f');
  const bytes = mb.encode();
  const f = instantiate(mb, new WebAssembly.Memory({ initial: 1 })).f as (x: number) => number;
  assert.deepEqual([f(0), f(1), f(5)], [-1, -1, 4], 'the hints change nothing of what runs');
  // Walk the sections: the hint section comes before the code section, and its offsets (from the
  // start of the function body, locals included) land on br_if (0x0d) and if (0x04).
  let at = 8, hints: number[][] = [], body = -1;
  const u32 = (): number => { let v = 0, shift = 0, byte; do { byte = bytes[at++]; v |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80); return v >>> 0; };
  while (at < bytes.length) {
    const id = bytes[at++], size = u32(), end = at + size;
    if (id === 0) {
      const nameLength = u32();
      const name = Buffer.from(bytes.subarray(at, at + nameLength)).toString();
      at += nameLength;
      assert.equal(name, 'metadata.code.branch_hint');
      assert.equal(body, -1, 'before the code section');
      assert.equal(u32(), 1);
      assert.equal(u32(), 0, 'function 0');
      const n = u32();
      for (let i = 0; i < n; i++) { const offset = u32(); assert.equal(u32(), 1); hints.push([offset, bytes[at++]]); }
    }
    if (id === 10) { at++; u32(); body = at; } // one function: skip the count and its size
    at = end;
  }
  assert.deepEqual(hints.map(([, v]) => v), [0, 1]);
  assert.deepEqual(hints.map(([o]) => bytes[body + o]), [0x0d, 0x04]);
});
