// CPU access to VGA memory through the A0000-BFFFF window: plane selection
// in sequential, odd/even and chain-4 addressing, the memory map select,
// latches, the four write modes, the logical functions, rotation, the bit
// mask and the two read modes (IBM VGA Technical Reference, "Graphics
// Controller"; FreeVGA "VGA Memory Organization").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VgaRig } from './rig.js';
import { MODE_12H, MODE_13H, programMode } from '../../../src/devices/vga/index.js';

function planar(): VgaRig {
  const r = new VgaRig();
  programMode(r.vga.state, MODE_12H);
  return r;
}

describe('VGA memory mapping', () => {
  test('sequential: a write reaches every plane in the map mask; a read comes from the read map select plane', () => {
    const r = planar();
    r.set(0x3c4, 2, 0x05);
    r.poke(0xa000a, 0xab);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 10)), [0xab, 0, 0xab, 0]);
    r.set(0x3ce, 4, 2);
    assert.equal(r.peek(0xa000a), 0xab);
    r.set(0x3ce, 4, 1);
    assert.equal(r.peek(0xa000a), 0x00);
  });

  test('odd/even: even addresses reach planes 0 and 2, odd ones planes 1 and 3, at the address with A0 cleared', () => {
    const r = new VgaRig(); // mode 03h
    r.set(0x3c4, 2, 0x0f);
    r.poke(0xb8004, 0x41);
    r.poke(0xb8005, 0x1e);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 4)), [0x41, 0x1e, 0x41, 0x1e]);
    assert.equal(r.plane(0, 5), 0, 'nothing at the odd plane offset');
    assert.equal(r.peek(0xb8004), 0x41);
    assert.equal(r.peek(0xb8005), 0x1e);
    r.set(0x3ce, 4, 2); // read map select bit 1 picks planes 2/3
    r.setPlane(2, 4, 0x99);
    assert.equal(r.peek(0xb8004), 0x99);
  });

  test('chain 4: A1-A0 select the plane, and four consecutive bytes share one plane offset', () => {
    const r = new VgaRig();
    programMode(r.vga.state, MODE_13H);
    for (let i = 0; i < 8; i++) r.poke(0xa0100 + i, 0x10 + i);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0x100)), [0x10, 0x11, 0x12, 0x13]);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0x104)), [0x14, 0x15, 0x16, 0x17]);
    for (let i = 0; i < 8; i++) assert.equal(r.peek(0xa0100 + i), 0x10 + i);
  });

  test('the memory map select decodes only its part of the window; the rest reads as all ones', () => {
    const r = planar(); // A0000, 64 KiB
    r.poke(0xb8000, 0x55);
    assert.equal(r.peek(0xb8000), 0xff);
    r.set(0x3ce, 6, 0x0d); // B8000, 32 KiB
    assert.equal(r.peek(0xa0000), 0xff);
    r.poke(0xb8000, 0x55);
    assert.equal(r.plane(0, 0), 0x55, 'B8000 is plane offset 0');
    r.set(0x3ce, 6, 0x01); // A0000, 128 KiB: B0000 is plane offset 0x10000, which wraps to 0
    r.poke(0xb0001, 0x66);
    assert.equal(r.plane(0, 1), 0x66);
  });

  test('with misc output RAM enable clear the window neither reads nor writes', () => {
    const r = planar();
    r.out(0x3c2, MODE_12H.misc & ~0x02);
    r.poke(0xa0000, 0x12);
    assert.equal(r.plane(0, 0), 0);
    assert.equal(r.peek(0xa0000), 0xff);
  });

  test('16- and 32-bit accesses are bytes at consecutive addresses', () => {
    const r = new VgaRig();
    r.poke(0xb8000, 0x1f41, 2);
    assert.deepEqual([r.plane(0, 0), r.plane(1, 0)], [0x41, 0x1f]);
    r.poke(0xb8002, 0x0743_0742, 4);
    assert.deepEqual([r.plane(0, 2), r.plane(1, 2), r.plane(0, 4), r.plane(1, 4)], [0x42, 0x07, 0x43, 0x07]);
    assert.equal(r.peek(0xb8002, 4), 0x0743_0742);
  });
});

describe('VGA read and write modes', () => {
  test('every read loads the four latches; write mode 1 stores them into the enabled planes', () => {
    const r = planar();
    [0x11, 0x22, 0x33, 0x44].forEach((v, p) => r.setPlane(p, 0, v));
    r.peek(0xa0000);
    r.set(0x3ce, 5, 0x01);
    r.poke(0xa0001, 0x00);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 1)), [0x11, 0x22, 0x33, 0x44]);
  });

  test('write mode 0: set/reset fills its enabled planes, and the bit mask keeps latch bits', () => {
    const r = planar();
    [0xaa, 0xaa, 0xaa, 0xaa].forEach((v, p) => r.setPlane(p, 0, v));
    r.set(0x3ce, 1, 0x0f); // set/reset enabled on every plane
    r.set(0x3ce, 0, 0x05); // colour 5: planes 0 and 2 set
    r.set(0x3ce, 8, 0x0f); // only the low 4 pixels
    r.peek(0xa0000);       // latch the old contents
    r.poke(0xa0000, 0x00); // data ignored: set/reset covers every plane
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0)), [0xaf, 0xa0, 0xaf, 0xa0]);
  });

  test('write mode 0 rotates the data right by the rotate count, then combines it with the latches', () => {
    const r = planar();
    [0xff, 0x0f, 0xf0, 0x00].forEach((v, p) => r.setPlane(p, 0, v));
    r.peek(0xa0000);
    r.set(0x3ce, 3, 0x18 | 4); // XOR, rotate 4
    r.poke(0xa0000, 0x12);     // rotated: 0x21
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0)), [0xde, 0x2e, 0xd1, 0x21]);
    r.set(0x3ce, 3, 0x08);     // AND, no rotation
    r.peek(0xa0000);
    r.poke(0xa0000, 0x0f);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0)), [0x0e, 0x0e, 0x01, 0x01]);
    r.set(0x3ce, 3, 0x10);     // OR
    r.peek(0xa0000);
    r.poke(0xa0000, 0x80);
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0)), [0x8e, 0x8e, 0x81, 0x81]);
  });

  test('write mode 2 spreads data bits 0-3 over the planes, through the bit mask', () => {
    const r = planar();
    [0x00, 0xff, 0x00, 0xff].forEach((v, p) => r.setPlane(p, 0, v));
    r.peek(0xa0000);
    r.set(0x3ce, 5, 0x02);
    r.set(0x3ce, 8, 0x80);  // leftmost pixel only
    r.poke(0xa0000, 0x09);  // colour 9: planes 0 and 3
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0)), [0x80, 0x7f, 0x00, 0xff]);
  });

  test('write mode 3 writes the set/reset colour through the rotated data ANDed with the bit mask', () => {
    const r = planar();
    [0xff, 0xff, 0x00, 0x00].forEach((v, p) => r.setPlane(p, 0, v));
    r.peek(0xa0000);
    r.set(0x3ce, 5, 0x03);
    r.set(0x3ce, 0, 0x0c); // colour 12: planes 2 and 3
    r.set(0x3ce, 8, 0xf0);
    r.poke(0xa0000, 0x3c); // mask 0x30
    assert.deepEqual([0, 1, 2, 3].map((p) => r.plane(p, 0)), [0xcf, 0xcf, 0x30, 0x30]);
  });

  test('read mode 1 sets a bit for each pixel whose colour matches the compare value in the cared-for planes', () => {
    const r = planar();
    [0xf0, 0xcc, 0xaa, 0x00].forEach((v, p) => r.setPlane(p, 0, v));
    r.set(0x3ce, 5, 0x08);
    r.set(0x3ce, 2, 0x03); // colour 3
    r.set(0x3ce, 7, 0x0f);
    assert.equal(r.peek(0xa0000), 0x40, 'only pixel 1 is exactly colour 3');
    r.set(0x3ce, 7, 0x03); // planes 2 and 3 do not matter
    assert.equal(r.peek(0xa0000), 0xc0);
    r.set(0x3ce, 7, 0x00);
    assert.equal(r.peek(0xa0000), 0xff, 'nothing cared for: everything matches');
  });
});
