/**
 * The WebAssembly writer: LEB128 as the specification's examples give it,
 * and modules V8 accepts whose labels go where their names say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionBody, MemOp, ModuleBuilder, Op, ValType, sleb, uleb } from '../../../../src/cpu/translator/wasm/module-builder.js';

function leb(write: (out: number[], v: number) => void, v: number): number[] {
  const out: number[] = [];
  write(out, v);
  return out;
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
  assert.throws(() => b.encode(), /unclosed a/);
  assert.throws(() => b.br('nowhere'), /no open label nowhere/);
});
