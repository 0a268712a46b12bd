// The Bochs VBE extension through the dispi ports 0x1CE/0x1CF: version
// handshake, capabilities, mode set, the linear framebuffer at every depth,
// the banked A0000 window, virtual size and panning (Bochs "VBE Display API").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pixel, TEST_VRAM_BYTES, VgaRig } from './rig.js';
import { Dispi, DISPI_ENABLED, DISPI_GETCAPS, DISPI_LFB_ENABLED, DISPI_NOCLEARMEM, DISPI_8BIT_DAC } from '../../../src/devices/vga/index.js';

/** Sets a VBE mode the way a driver does: disable, program, enable with the LFB. */
function setMode(r: VgaRig, xres: number, yres: number, bpp: number, flags = 0): void {
  r.dispi(Dispi.Enable, 0);
  r.dispi(Dispi.Xres, xres);
  r.dispi(Dispi.Yres, yres);
  r.dispi(Dispi.Bpp, bpp);
  r.dispi(Dispi.Enable, DISPI_ENABLED | DISPI_LFB_ENABLED | flags);
}

describe('Bochs VBE (dispi)', () => {
  test('the ID register reads 0xB0C5 and takes back any version 0xB0C0-0xB0C5 the BIOS writes', () => {
    const r = new VgaRig();
    assert.equal(r.dispiRead(Dispi.Id), 0xb0c5);
    r.dispi(Dispi.Id, 0xb0c0);
    assert.equal(r.dispiRead(Dispi.Id), 0xb0c0);
    r.dispi(Dispi.Id, 0x1234);
    assert.equal(r.dispiRead(Dispi.Id), 0xb0c0, 'not a version: ignored');
    assert.equal(r.inp(0x1ce), Dispi.Id, 'the index reads back');
  });

  test('GETCAPS makes XRES, YRES and BPP read their maxima; VIDEO_MEMORY_64K counts video memory', () => {
    const r = new VgaRig();
    r.dispi(Dispi.Enable, DISPI_GETCAPS);
    assert.deepEqual([r.dispiRead(Dispi.Xres), r.dispiRead(Dispi.Yres), r.dispiRead(Dispi.Bpp)], [2560, 1600, 32]);
    r.dispi(Dispi.Enable, 0);
    assert.equal(r.dispiRead(Dispi.Xres), 640);
    assert.equal(r.dispiRead(Dispi.VideoMemory64K), TEST_VRAM_BYTES / 0x10000);
  });

  test('enabling a mode sizes the virtual screen to fit memory and clears it; XRES/YRES/BPP stay fixed while enabled', () => {
    const r = new VgaRig();
    r.vga.state.vram[12345] = 7;
    setMode(r, 800, 600, 32);
    assert.equal(r.vga.state.vram[12345], 0, 'memory cleared');
    assert.equal(r.dispiRead(Dispi.VirtWidth), 800);
    assert.equal(r.dispiRead(Dispi.VirtHeight), Math.floor(TEST_VRAM_BYTES / (800 * 4)));
    r.dispi(Dispi.Xres, 1024);
    assert.equal(r.dispiRead(Dispi.Xres), 800);
    assert.equal(r.dispiRead(Dispi.Enable), DISPI_ENABLED | DISPI_LFB_ENABLED);
    assert.deepEqual(r.vga.displayMode(), { kind: 'vbe', bitsPerPixel: 32, width: 800, height: 600 });
    assert.deepEqual(r.vga.textScreen(), [], 'no text in a VBE mode');
    r.dispi(Dispi.Enable, 0);
    assert.equal(r.vga.displayMode().kind, 'text', 'disabling returns to the VGA mode');
  });

  test('NOCLEARMEM keeps video memory across the mode set', () => {
    const r = new VgaRig();
    r.vga.state.vram[100] = 9;
    setMode(r, 640, 480, 8, DISPI_NOCLEARMEM);
    assert.equal(r.vga.state.vram[100], 9);
  });

  const depths: Array<[number, (lfb: (o: number, size: 1 | 2 | 4, v: number) => void, at: number) => void]> = [
    [32, (w, at) => w(at, 4, 0x00ff_8040)],            // x, R=ff, G=80, B=40
    [24, (w, at) => { w(at, 2, 0x8040); w(at + 2, 1, 0xff); }],
    [16, (w, at) => w(at, 2, (0x1f << 11) | (0x20 << 5) | 0x08)],
    [15, (w, at) => w(at, 2, (0x1f << 10) | (0x10 << 5) | 0x08)],
  ];
  for (const [bpp, write] of depths) {
    test(`a ${bpp} bpp mode set through the dispi ports shows pixels written to the linear framebuffer`, () => {
      const r = new VgaRig();
      setMode(r, 320, 240, bpp);
      const bytes = (bpp + 7) >> 3;
      const at = (10 * 320 + 5) * bytes;
      write((o, size, v) => r.vga.lfb.write(o, size, v), at);
      const f = r.vga.render();
      assert.deepEqual([f.width, f.height], [320, 240]);
      const [red, green, blue] = pixel(f, 5, 10);
      assert.equal(red, 0xff);
      assert.ok(Math.abs(green - 0x80) <= 4 && Math.abs(blue - 0x40) <= 4, `got ${green}, ${blue}`);
      assert.deepEqual(pixel(f, 6, 10), [0, 0, 0]);
      assert.equal(r.vga.lfb.read(at, 1), r.vga.state.vram[at], 'the LFB reads video memory');
    });
  }

  test('an 8 bpp mode indexes the DAC, 6-bit by default, 8-bit with 8BIT_DAC', () => {
    const r = new VgaRig();
    setMode(r, 320, 200, 8);
    r.out(0x3c8, 5); r.out(0x3c9, 0x3f); r.out(0x3c9, 0x00); r.out(0x3c9, 0x20);
    r.vga.lfb.write(0, 1, 5);
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0xff, 0x00, 0x82]);
    r.dispi(Dispi.Enable, DISPI_ENABLED | DISPI_LFB_ENABLED | DISPI_8BIT_DAC);
    r.out(0x3c8, 5); r.out(0x3c9, 0x12); r.out(0x3c9, 0xfe); r.out(0x3c9, 0x80);
    assert.deepEqual(pixel(r.vga.render(), 0, 0), [0x12, 0xfe, 0x80]);
  });

  test('a 4 bpp mode is planar: the A0000 window keeps the VGA plane logic, one bit per plane per pixel', () => {
    const r = new VgaRig();
    r.set(0x3c4, 4, 0x06);     // sequential addressing, as a BIOS sets for a planar mode
    r.set(0x3ce, 5, 0x00);
    r.set(0x3ce, 6, 0x05);     // graphics, A0000 64 KiB
    setMode(r, 800, 600, 4);
    r.set(0x3c4, 2, 0x0a);     // colour 10: planes 1 and 3
    r.poke(0xa0000 + 100 * 100 + 2, 0x80); // pixel (16, 100): 100 bytes per line
    r.dispi(Dispi.Bank, 1);    // the next 64 KiB of each plane
    r.set(0x3c4, 2, 0x04);
    r.poke(0xa0000, 0x01);
    const f = r.vga.render();
    assert.deepEqual([f.width, f.height], [800, 600]);
    assert.deepEqual(pixel(f, 16, 100), [0x55, 0xff, 0x55], 'light green');
    assert.deepEqual(pixel(f, 17, 100), [0, 0, 0]);
    assert.equal(r.vga.state.vram[(0x10000) * 4 + 2], 0x01, 'bank 1 reaches plane offset 64 KiB');
  });

  test('the A0000 window shows 64 KiB of video memory at the bank register', () => {
    const r = new VgaRig();
    setMode(r, 640, 480, 8);
    r.poke(0xa0010, 0x42);
    assert.equal(r.vga.state.vram[0x10], 0x42);
    r.dispi(Dispi.Bank, 3);
    r.poke(0xa0010, 0x43);
    assert.equal(r.vga.state.vram[3 * 0x10000 + 0x10], 0x43);
    assert.equal(r.peek(0xa0010), 0x43);
    assert.equal(r.peek(0xb0000), 0xff, 'only the first 64 KiB of the window');
  });

  test('a wider virtual screen and the X/Y offsets pan the visible part', () => {
    const r = new VgaRig();
    setMode(r, 320, 200, 8);
    r.dispi(Dispi.VirtWidth, 640);
    assert.equal(r.dispiRead(Dispi.VirtWidth), 640);
    r.out(0x3c8, 1); r.out(0x3c9, 0x3f); r.out(0x3c9, 0x3f); r.out(0x3c9, 0x3f);
    r.vga.lfb.write(50 * 640 + 400, 1, 1); // virtual pixel (400, 50)
    r.dispi(Dispi.XOffset, 300);
    r.dispi(Dispi.YOffset, 40);
    assert.deepEqual(pixel(r.vga.render(), 100, 10), [0xff, 0xff, 0xff]);
  });
});
