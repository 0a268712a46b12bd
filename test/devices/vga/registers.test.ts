// VGA register ports: index/data pairs, the CRTC's colour/mono decode and
// write protection, the attribute flip-flop, input status 1 and the DAC
// (IBM VGA Technical Reference; FreeVGA register pages).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VgaRig } from './rig.js';
import { MODE_03H } from '../../../src/devices/vga/index.js';

describe('VGA registers', () => {
  test('power-on leaves mode 03h programmed, as a VGA BIOS would', () => {
    const r = new VgaRig();
    assert.equal(r.inp(0x3cc), MODE_03H.misc);
    for (let i = 0; i < 5; i++) assert.equal(r.get(0x3c4, i), MODE_03H.seq[i], `SR${i}`);
    for (let i = 0; i < 0x19; i++) assert.equal(r.get(0x3d4, i), MODE_03H.crtc[i], `CR${i.toString(16)}`);
    for (let i = 0; i < 9; i++) assert.equal(r.get(0x3ce, i), MODE_03H.gc[i], `GR${i}`);
    assert.deepEqual(r.vga.displayMode(), { kind: 'text', columns: 80, rows: 25, width: 720, height: 400 });
  });

  test('sequencer and graphics controller registers read back their defined bits', () => {
    const r = new VgaRig();
    r.set(0x3c4, 2, 0xff);
    assert.equal(r.get(0x3c4, 2), 0x0f, 'map mask is 4 bits');
    r.set(0x3c4, 4, 0xff);
    assert.equal(r.get(0x3c4, 4), 0x0e, 'memory mode bits 1-3');
    r.set(0x3ce, 3, 0xff);
    assert.equal(r.get(0x3ce, 3), 0x1f, 'data rotate: count and function');
    r.set(0x3ce, 5, 0xff);
    assert.equal(r.get(0x3ce, 5), 0x7b, 'mode register has no bit 2 or 7');
    r.set(0x3ce, 8, 0x5a);
    assert.equal(r.get(0x3ce, 8), 0x5a);
    assert.equal(r.inp(0x3c4), 4, 'index reads back');
    assert.equal(r.inp(0x3ce), 8);
  });

  test('a word OUT to an index port writes the index and the data register after it', () => {
    const r = new VgaRig();
    r.out(0x3c4, 0x0302, 2); // SR2 = 3
    assert.equal(r.get(0x3c4, 2), 0x03);
    r.out(0x3ce, 0xa508, 2); // GR8 = 0xa5
    assert.equal(r.get(0x3ce, 8), 0xa5);
    r.out(0x3d4, 0x120e, 2); // CR0E = 0x12
    assert.equal(r.inp(0x3d4 + 1, 1), 0x12);
    assert.equal(r.inp(0x3d4, 2), 0x120e, 'word IN reads index and data');
  });

  test('the CRTC answers at 0x3D4/0x3DA when misc bit 0 is set and at 0x3B4/0x3BA when it is clear', () => {
    const r = new VgaRig();
    r.set(0x3d4, 0x0c, 0x12);
    assert.equal(r.get(0x3d4, 0x0c), 0x12);
    assert.equal(r.inp(0x3b5), 0xff, 'mono CRTC not decoded in colour mode');
    assert.equal(r.inp(0x3ba), 0xff);
    r.out(0x3c2, 0x66); // mono
    assert.equal(r.inp(0x3cc), 0x66);
    assert.equal(r.get(0x3b4, 0x0c), 0x12, 'same CRTC, mono address');
    assert.equal(r.inp(0x3d5), 0xff);
    r.out(0x3d5, 0x34);
    assert.equal(r.get(0x3b4, 0x0c), 0x12, 'writes at the colour address are ignored');
  });

  test('CR11 bit 7 protects CR00-CR07, except the line compare bit 8 in CR07', () => {
    const r = new VgaRig();
    r.set(0x3d4, 0x11, 0x8e); // protect on (mode 03h's value)
    r.set(0x3d4, 0x01, 0x27);
    assert.equal(r.get(0x3d4, 0x01), MODE_03H.crtc[1], 'CR01 unchanged');
    r.set(0x3d4, 0x07, 0x00);
    assert.equal(r.get(0x3d4, 0x07), MODE_03H.crtc[7] & ~0x10, 'only bit 4 changed');
    r.set(0x3d4, 0x11, 0x0e); // protect off
    r.set(0x3d4, 0x01, 0x27);
    assert.equal(r.get(0x3d4, 0x01), 0x27);
  });

  test('0x3C0 alternates index and data; reading input status 1 resets it to index', () => {
    const r = new VgaRig();
    r.inp(0x3da);
    r.out(0x3c0, 0x30); // index AR10, PAS set
    r.out(0x3c0, 0x41); // data
    assert.equal(r.inp(0x3c0), 0x30, 'index reads back with PAS');
    assert.equal(r.inp(0x3c1), 0x41);
    r.out(0x3c0, 0x33); // index again: AR13
    r.inp(0x3da);       // reset: the next write is an index even mid-pair
    r.out(0x3c0, 0x34);
    r.out(0x3c0, 0x05);
    r.out(0x3c0, 0x30);
    assert.equal(r.inp(0x3c1), 0x41, 'AR10 untouched');
    r.inp(0x3da);
    r.out(0x3c0, 0x34);
    assert.equal(r.inp(0x3c1), 0x05, 'AR14 written');
  });

  test('palette entries AR00-AR0F take writes only while PAS is clear', () => {
    const r = new VgaRig();
    r.inp(0x3da);
    r.out(0x3c0, 0x21); r.out(0x3c0, 0x3f); // PAS set: ignored
    r.out(0x3c0, 0x21);
    assert.equal(r.inp(0x3c1), 0x01);
    r.inp(0x3da);
    r.out(0x3c0, 0x01); r.out(0x3c0, 0xff); // PAS clear: 6 bits stored
    r.out(0x3c0, 0x01);
    assert.equal(r.inp(0x3c1), 0x3f);
    assert.equal(r.vga.displayMode().kind, 'blank', 'PAS clear blanks the screen');
    r.inp(0x3da);
    r.out(0x3c0, 0x20);
    assert.equal(r.vga.displayMode().kind, 'text');
  });

  test('input status 1 toggles vertical retrace and display-disabled on every read', () => {
    const r = new VgaRig();
    const reads = [r.inp(0x3da), r.inp(0x3da), r.inp(0x3da), r.inp(0x3da)];
    assert.deepEqual(reads.map((v) => v & 0x09), [0x09, 0x00, 0x09, 0x00]);
  });

  test('the DAC stores an entry after its blue component and moves to the next; reads follow the same order', () => {
    const r = new VgaRig();
    r.out(0x3c8, 0x10);
    assert.equal(r.inp(0x3c7), 0x00, 'DAC state: write mode');
    for (const v of [0x3f, 0x20, 0x01, 0x02, 0x03]) r.out(0x3c9, v);
    assert.equal(r.inp(0x3c8), 0x11, 'write index advanced after one entry');
    r.out(0x3c9, 0xff); // blue of entry 0x11, masked to 6 bits
    r.out(0x3c7, 0x10);
    assert.equal(r.inp(0x3c7), 0x03, 'DAC state: read mode');
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(() => r.inp(0x3c9)), [0x3f, 0x20, 0x01, 0x02, 0x03, 0x3f]);
    r.out(0x3c6, 0x0f);
    assert.equal(r.inp(0x3c6), 0x0f, 'PEL mask');
  });

  test('unused ports in the decoded block read as all ones', () => {
    const r = new VgaRig();
    assert.equal(r.inp(0x3cb), 0xff);
    assert.equal(r.inp(0x3cd), 0xff);
  });
});
