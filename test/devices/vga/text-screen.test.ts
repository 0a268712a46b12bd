// Reading the text screen back: what a guest writes to 0xB8000 in mode 03h,
// following the CRTC's start address and row stride, in code page 437.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VgaRig } from './rig.js';
import { CP437, MODE_13H, programMode } from '../../../src/devices/vga/index.js';

/** Writes a string at (row, col) of an 80-column page at B8000 with an attribute. */
function print(r: VgaRig, row: number, col: number, text: string, attr = 0x07): void {
  for (let i = 0; i < text.length; i++) r.poke(0xb8000 + (row * 80 + col + i) * 2, text.charCodeAt(i) | (attr << 8), 2);
}

describe('VGA text screen', () => {
  test('starts blank: 25 empty rows', () => {
    const r = new VgaRig();
    assert.deepEqual(r.vga.textScreen(), new Array(25).fill(''));
  });

  test('shows what the guest wrote to 0xB8000, row by row, without trailing spaces', () => {
    const r = new VgaRig();
    print(r, 0, 0, 'Linux version 6.1');
    print(r, 1, 4, 'indented', 0x1e);
    print(r, 24, 70, 'last row');
    const screen = r.vga.textScreen();
    assert.equal(screen.length, 25);
    assert.equal(screen[0], 'Linux version 6.1');
    assert.equal(screen[1], '    indented');
    assert.equal(screen[24], `${' '.repeat(70)}last row`);
    const cells = r.vga.textCells()!;
    assert.deepEqual(cells[1][4], { code: 0x69, attribute: 0x1e });
  });

  test('follows the start address, as a scrolled or paged console sets it', () => {
    const r = new VgaRig();
    print(r, 0, 0, 'first');
    print(r, 1, 0, 'second');
    r.set(0x3d4, 0x0c, 0x00);
    r.set(0x3d4, 0x0d, 80); // start one row down (counter units are characters)
    const screen = r.vga.textScreen();
    assert.equal(screen[0], 'second');
  });

  test('translates code page 437 to Unicode', () => {
    const r = new VgaRig();
    r.poke(0xb8000, 0xc9);
    r.poke(0xb8002, 0xcd);
    r.poke(0xb8004, 0xbb);
    r.poke(0xb8006, 0x82);
    assert.equal(r.vga.textScreen()[0], '╔═╗é');
    assert.equal([...CP437].length, 256);
  });

  test('is empty outside text modes', () => {
    const r = new VgaRig();
    programMode(r.vga.state, MODE_13H);
    assert.deepEqual(r.vga.textScreen(), []);
    assert.equal(r.vga.textCells(), undefined);
  });
});
