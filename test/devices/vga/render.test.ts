// Rendering to RGBA: mode 13h, the 16-colour planar mode 12h, text with the
// font in plane 2 (glyphs, 9th column, cursor, blink), the split screen,
// blanking, and a PNG of a known pattern written to the test's tmp dir.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { pixel, VgaRig } from './rig.js';
import { MODE_12H, MODE_13H, programMode } from '../../../src/devices/vga/index.js';
import { ManualClock } from '../../../src/devices/timing.js';
import { encodePng } from '../../../src/host/png.js';

/** Sets DAC entry `index` to 6-bit red, green, blue through the ports. */
function dac(r: VgaRig, index: number, red: number, green: number, blue: number): void {
  r.out(0x3c8, index);
  r.out(0x3c9, red); r.out(0x3c9, green); r.out(0x3c9, blue);
}

/** Plots a 16-colour pixel in a planar mode through the map mask (as a guest would). */
function plot16(r: VgaRig, x: number, y: number, color: number, bytesPerLine = 80): void {
  const gpa = 0xa0000 + y * bytesPerLine + (x >> 3);
  r.set(0x3ce, 8, 0x80 >> (x & 7)); // bit mask: this pixel
  r.set(0x3c4, 2, 0x0f);
  r.peek(gpa);                       // latch the neighbours
  r.poke(gpa, 0x00);                 // clear the pixel in every plane
  r.set(0x3c4, 2, color);
  r.poke(gpa, 0xff);                 // set it in the colour's planes
  r.set(0x3c4, 2, 0x0f);
  r.set(0x3ce, 8, 0xff);
}

describe('VGA rendering', () => {
  test('mode 13h: byte y × 320 + x at A0000 is the DAC colour of pixel (x, y)', () => {
    const r = new VgaRig();
    programMode(r.vga.state, MODE_13H);
    dac(r, 1, 63, 0, 0);
    dac(r, 2, 0, 63, 0);
    dac(r, 200, 0, 0, 32);
    r.poke(0xa0000, 1);
    r.poke(0xa0000 + 319, 2);
    r.poke(0xa0000 + 199 * 320 + 160, 200);
    const f = r.vga.render();
    assert.deepEqual([f.width, f.height], [320, 200]);
    assert.deepEqual(pixel(f, 0, 0), [255, 0, 0]);
    assert.deepEqual(pixel(f, 319, 0), [0, 255, 0]);
    assert.deepEqual(pixel(f, 160, 199), [0, 0, 130]);
    assert.deepEqual(pixel(f, 1, 0), [0, 0, 0]);
    r.out(0x3c6, 0xfe); // PEL mask: index 1 shows entry 0
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0, 0, 0]);
  });

  test('mode 12h: the four planes give each pixel a colour through the attribute palette', () => {
    const r = new VgaRig();
    programMode(r.vga.state, MODE_12H);
    plot16(r, 0, 0, 9);
    plot16(r, 1, 0, 4);
    plot16(r, 639, 479, 14);
    plot16(r, 6, 0, 6);
    const f = r.vga.render();
    assert.deepEqual([f.width, f.height], [640, 480]);
    assert.deepEqual(pixel(f, 0, 0), [0x55, 0x55, 0xff], 'light blue');
    assert.deepEqual(pixel(f, 1, 0), [0xaa, 0x00, 0x00], 'red');
    assert.deepEqual(pixel(f, 6, 0), [0xaa, 0x55, 0x00], 'brown: attribute 6 maps to EGA colour 0x14');
    assert.deepEqual(pixel(f, 639, 479), [0xff, 0xff, 0x55], 'yellow');
    assert.deepEqual(pixel(f, 2, 0), [0, 0, 0]);
    r.setAttr(0x12, 0x07); // colour plane enable: drop plane 3
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0x00, 0x00, 0xaa], 'colour 9 without plane 3 is 1');
  });

  test('text: glyph rows come from plane 2, foreground over background, with a 9th column', () => {
    const r = new VgaRig();
    // Glyph 0x01: row 0 lights the outer pixels; glyph 0xC4 (a line-graphics code): row 0 all lit.
    r.setPlane(2, 0x01 * 32, 0x81);
    r.setPlane(2, 0xc4 * 32, 0xff);
    r.poke(0xb8000, 0x1e01, 2); // yellow on blue
    r.poke(0xb8002, 0x1ec4, 2);
    r.set(0x3d4, 0x0a, 0x20);   // cursor off
    const f = r.vga.render();
    assert.deepEqual([f.width, f.height], [720, 400]);
    const yellow = [0xff, 0xff, 0x55], blue = [0x00, 0x00, 0xaa];
    assert.deepEqual(pixel(f, 0, 0), yellow);
    assert.deepEqual(pixel(f, 1, 0), blue);
    assert.deepEqual(pixel(f, 7, 0), yellow);
    assert.deepEqual(pixel(f, 8, 0), blue, '9th column is background for ordinary codes');
    assert.deepEqual(pixel(f, 9 + 8, 0), yellow, '9th column repeats the 8th for C0-DF with line graphics');
    assert.deepEqual(pixel(f, 0, 1), blue, 'row 1 of glyph 1 is empty');
  });

  test('text: the cursor covers its scan lines in the cell at the cursor address, and blinks with the clock', () => {
    const clock = new ManualClock();
    const r = new VgaRig({ clock });
    r.set(0x3d4, 0x0e, 0x00);
    r.set(0x3d4, 0x0f, 81);     // row 1, column 1
    r.set(0x3d4, 0x0a, 0x0e);
    r.set(0x3d4, 0x0b, 0x0f);   // scan lines 14-15
    const grey = [0xaa, 0xaa, 0xaa];
    let f = r.vga.render();
    assert.deepEqual(pixel(f, 9 + 3, 16 + 14), grey);
    assert.deepEqual(pixel(f, 9 + 8, 16 + 15), grey, 'the cursor spans the 9th column');
    assert.deepEqual(pixel(f, 9 + 3, 16 + 13), [0, 0, 0]);
    clock.set(Math.ceil((8 * 1e9) / 70)); // frame 8: cursor in its off phase
    f = r.vga.render(f);
    assert.deepEqual(pixel(f, 9 + 3, 16 + 14), [0, 0, 0]);
  });

  test('text: attribute bit 7 blinks the character with AR10 bit 3, and brightens the background without it', () => {
    const clock = new ManualClock();
    const r = new VgaRig({ clock });
    r.setPlane(2, 0x01 * 32, 0x80);
    r.poke(0xb8000, 0x9c01, 2); // blink, blue background, bright red foreground
    r.set(0x3d4, 0x0a, 0x20);
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0xff, 0x55, 0x55]);
    clock.set(Math.ceil((16 * 1e9) / 70)); // frame 16: blinking text hidden
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0x00, 0x00, 0xaa]);
    r.setAttr(0x10, 0x04); // blink off: bit 7 is background intensity
    assert.deepEqual(pixel(r.vga.render(), 1, 0), [0x55, 0x55, 0xff]);
  });

  test('split screen: from the line compare scan line on, the display restarts at address 0', () => {
    const r = new VgaRig();
    programMode(r.vga.state, MODE_12H);
    plot16(r, 0, 0, 15);   // top of memory
    plot16(r, 0, 100, 12); // row 100
    r.set(0x3d4, 0x11, 0x0c); // unprotect
    r.set(0x3d4, 0x0c, (100 * 80) >> 8);
    r.set(0x3d4, 0x0d, (100 * 80) & 0xff);
    r.set(0x3d4, 0x18, 200); // line compare 200 (bits 8 and 9 clear)
    r.set(0x3d4, 0x07, MODE_12H.crtc[7] & ~0x10);
    r.set(0x3d4, 0x09, MODE_12H.crtc[9] & ~0x40);
    const f = r.vga.render();
    assert.deepEqual(pixel(f, 0, 0), [0xff, 0x55, 0x55], 'row 0 shows memory row 100');
    assert.deepEqual(pixel(f, 0, 200), [0xff, 0xff, 0xff], 'row 200 shows memory row 0');
  });

  test('a screen turned off (SR1 bit 5) renders black', () => {
    const r = new VgaRig();
    r.poke(0xb8000, 0x7fdb, 2);
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0xff, 0xff, 0xff]);
    r.set(0x3c4, 1, 0x20);
    assert.equal(r.vga.displayMode().kind, 'blank');
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0, 0, 0]);
  });

  test('a known pattern renders to RGBA and is saved as a PNG that decodes to the same pixels', () => {
    const r = new VgaRig();
    programMode(r.vga.state, MODE_13H);
    // 16 vertical bars of the first 16 DAC colours, a diagonal of colour 15.
    for (let y = 0; y < 200; y++) for (let x = 0; x < 320; x++) r.poke(0xa0000 + y * 320 + x, x === y ? 15 : x >> 4 & 15);
    const f = r.vga.render();
    assert.deepEqual(pixel(f, 16 * 1 + 3, 150), [0x00, 0x00, 0xaa], 'bar 1: blue');
    assert.deepEqual(pixel(f, 16 * 4 + 3, 10), [0xaa, 0x00, 0x00], 'bar 4: red');
    assert.deepEqual(pixel(f, 100, 100), [0xff, 0xff, 0xff], 'diagonal');
    const dir = mkdtempSync(join(tmpdir(), 'anillo-vga-'));
    const file = join(dir, 'mode13h.png');
    writeFileSync(file, encodePng(f.width, f.height, f.rgba));
    const png = readFileSync(file);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'PNG signature');
    // Collect the IDAT data and undo the filter-0 rows.
    const idat: Buffer[] = [];
    for (let p = 8; p < png.length;) {
      const len = png.readUInt32BE(p);
      if (png.toString('latin1', p + 4, p + 8) === 'IDAT') idat.push(png.subarray(p + 8, p + 8 + len));
      p += 12 + len;
    }
    const raw = inflateSync(Buffer.concat(idat));
    assert.equal(raw.length, (320 * 4 + 1) * 200);
    for (const y of [0, 57, 199]) {
      assert.equal(raw[y * 1281], 0);
      assert.deepEqual(raw.subarray(y * 1281 + 1, (y + 1) * 1281), Buffer.from(f.rgba.subarray(y * 1280, (y + 1) * 1280)));
    }
  });
});
