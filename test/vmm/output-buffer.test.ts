import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputBuffer } from '../../src/vmm/output-buffer.js';

function collecting(): { chunks: number[][]; buffer: OutputBuffer } {
  const chunks: number[][] = [];
  return { chunks, buffer: new OutputBuffer((bytes) => chunks.push([...bytes])) };
}

test('bytes wait for a flush, then go on as one piece in order', () => {
  const { chunks, buffer } = collecting();
  for (const b of Buffer.from('hello\n')) buffer.push(b);
  assert.deepEqual(chunks, []);
  buffer.flush();
  assert.deepEqual(chunks, [[...Buffer.from('hello\n')]]);
});

test('a flush with nothing new hands on nothing', () => {
  const { chunks, buffer } = collecting();
  buffer.flush();
  buffer.push(0x41);
  buffer.flush();
  buffer.flush();
  assert.deepEqual(chunks, [[0x41]]);
});

test('a full buffer goes on by itself, and no byte is lost or reordered', () => {
  const { chunks, buffer } = collecting();
  for (let i = 0; i < 2500; i++) buffer.push(i & 0xff);
  assert.equal(chunks.length, 2, 'two full pieces before the flush');
  buffer.flush();
  assert.deepEqual(chunks.map((c) => c.length), [1024, 1024, 452]);
  assert.deepEqual(chunks.flat(), Array.from({ length: 2500 }, (_, i) => i & 0xff));
});

test('a piece handed on is a copy: later bytes do not change it', () => {
  const kept: Uint8Array[] = [];
  const buffer = new OutputBuffer((bytes) => kept.push(bytes));
  buffer.push(1);
  buffer.flush();
  buffer.push(2);
  buffer.flush();
  assert.deepEqual(kept.map((k) => [...k]), [[1], [2]]);
});
