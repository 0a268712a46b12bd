/**
 * The loop tree of a region (loops.ts): which blocks each WebAssembly loop
 * holds, and how a jump between two blocks goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nestable, RegionLoops, type LoopNode } from '../../../src/cpu/translator/loops.js';

test('spans that overlap without nesting merge; nested and equal ones do not', () => {
  assert.deepEqual(nestable([[2, 5], [3, 8]]), [[2, 8]]);
  assert.deepEqual(nestable([[1, 9], [2, 4], [2, 4]]), [[1, 9], [2, 4]]);
  // Sharing one block is overlapping: each merge can make a new overlap.
  assert.deepEqual(nestable([[0, 2], [2, 4], [4, 6]]), [[0, 6]]);
  assert.deepEqual(nestable([[0, 1], [3, 4]]), [[0, 1], [3, 4]]);
});

test('a rotated loop (entered in its middle, two jumps back) is one loop with both targets tested', () => {
  // 0 jumps into the loop at 2; 4 goes back to 1, 5 back to 2; 6 is after it.
  const loops = new RegionLoops(7, [[2], [6, 2], [4, 3], [4], [1, 5], [2, 6], []]);
  const root = loops.root;
  assert.equal(root.items.length, 3);
  const loop = root.items[1] as LoopNode;
  assert.deepEqual([root.items[0], loop.first, loop.last, root.items[2]], [0, 1, 5, 6]);
  assert.deepEqual(loop.items, [1, 2, 3, 4, 5]);
  assert.deepEqual(loop.backTargets, [1, 2]);
  assert.deepEqual(loops.route(0, 2), { kind: 'forward', node: root, item: loop });
  assert.deepEqual(loops.route(4, 1), { kind: 'back', node: loop });
  assert.deepEqual(loops.route(2, 4), { kind: 'forward', node: loop, item: 4 });
  assert.deepEqual(loops.route(5, 6), { kind: 'forward', node: root, item: 6 });
  assert.deepEqual(loops.path(3), [root, loop]);
  assert.equal(loops.itemHolding(root, 3), loop);
});

test('nested loops: a jump back goes to the innermost loop holding both blocks', () => {
  // 1..2 loops inside 0..3; 4 follows.
  const loops = new RegionLoops(5, [[1], [2], [1, 3], [0, 4], []]);
  const outer = loops.root.items[0] as LoopNode;
  const inner = outer.items[1] as LoopNode;
  assert.deepEqual([outer.first, outer.last, inner.first, inner.last], [0, 3, 1, 2]);
  assert.deepEqual(outer.items, [0, inner, 3]);
  assert.deepEqual(loops.route(2, 1), { kind: 'back', node: inner });
  assert.deepEqual(loops.route(3, 0), { kind: 'back', node: outer });
  assert.deepEqual(loops.route(2, 3), { kind: 'forward', node: outer, item: 3 });
  assert.deepEqual(loops.route(0, 1), { kind: 'forward', node: outer, item: inner });
  assert.deepEqual(outer.backTargets, [0]);
  assert.deepEqual(inner.backTargets, [1]);
});

test('a jump back outside any loop, or to itself, is routed back through the region (the root)', () => {
  // Targets out of the region (-1) are not edges; a block that jumps to itself makes no loop here.
  const loops = new RegionLoops(3, [[-1, 1], [1, 2], []]);
  assert.deepEqual(loops.root.items, [0, 1, 2]);
  assert.deepEqual(loops.route(1, 1), { kind: 'back', node: loops.root });
});
