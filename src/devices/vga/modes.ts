/**
 * Register sets of three standard IBM VGA modes and the colour tables a BIOS
 * loads with them, so the VGA can start in 80×25 text without a VGA BIOS
 * (direct Linux and Multiboot boots) and tests can enter a mode without one.
 * The values are the IBM VGA BIOS's, as tabulated in the IBM VGA Technical
 * Reference ("Video Modes") and reproduced by FreeVGA and the OSDev wiki
 * ("VGA Hardware", mode register dumps).
 */
import type { VgaState } from './state.js';
import { AC_PAS, GR6_GRAPHICS, GR_MISC } from './registers.js';
import { PLANE_BYTES } from './memory.js';

/** The registers that define a VGA mode. */
export interface VgaModeRegisters {
  /** BIOS mode number, for messages. */
  number: number;
  misc: number;
  /** SR0-SR4. */
  seq: readonly number[];
  /** CR00-CR18. */
  crtc: readonly number[];
  /** GR0-GR8. */
  gc: readonly number[];
  /** AR00-AR14. */
  ac: readonly number[];
}

/** The EGA-compatible attribute palette of the 16-colour modes (brown at 6 = 0x14). */
const EGA_ATTRIBUTE_PALETTE = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f];

/** Mode 03h: 80×25 colour text, 9×16 cells, 720×400. */
export const MODE_03H: VgaModeRegisters = {
  number: 0x03,
  misc: 0x67,
  seq: [0x03, 0x00, 0x03, 0x00, 0x02],
  crtc: [0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff],
  gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff],
  ac: [...EGA_ATTRIBUTE_PALETTE, 0x0c, 0x00, 0x0f, 0x08, 0x00],
};

/** Mode 12h: 640×480, 16 colours, planar. */
export const MODE_12H: VgaModeRegisters = {
  number: 0x12,
  misc: 0xe3,
  seq: [0x03, 0x01, 0x0f, 0x00, 0x06],
  crtc: [0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff],
  gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff],
  ac: [...EGA_ATTRIBUTE_PALETTE, 0x01, 0x00, 0x0f, 0x00, 0x00],
};

/** Mode 13h: 320×200, 256 colours, chain 4. */
export const MODE_13H: VgaModeRegisters = {
  number: 0x13,
  misc: 0x63,
  seq: [0x03, 0x01, 0x0f, 0x00, 0x0e],
  crtc: [0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff],
  gc: [0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff],
  ac: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x41, 0x00, 0x0f, 0x00, 0x00],
};

/**
 * The 64 EGA colours as 6-bit DAC entries: attribute bits 0-2 are blue,
 * green, red at 2/3 intensity, bits 3-5 the same at 1/3.
 */
export function egaDacColor(index: number): [number, number, number] {
  const level = (primary: number, secondary: number) =>
    ((index >> primary) & 1) * 0x2a + ((index >> secondary) & 1) * 0x15;
  return [level(2, 5), level(1, 4), level(0, 3)];
}

/**
 * A 256-colour table for mode 13h: the 16 text colours, a 16-step grey
 * ramp, then 216 colours (6 levels each of red, green, blue), then black.
 * (IBM's own default table orders its hues differently; guests that care
 * load their own palette.)
 */
export function default256DacColor(index: number): [number, number, number] {
  if (index < 16) {
    // Text colour i sits at attribute palette entry EGA_ATTRIBUTE_PALETTE[i].
    return egaDacColor(EGA_ATTRIBUTE_PALETTE[index]);
  }
  if (index < 32) {
    const g = Math.round(((index - 16) * 63) / 15);
    return [g, g, g];
  }
  if (index < 248) {
    const i = index - 32;
    const step = (n: number) => Math.round((n * 63) / 5);
    return [step(Math.floor(i / 36)), step(Math.floor(i / 6) % 6), step(i % 6)];
  }
  return [0, 0, 0];
}

/**
 * Loads a mode's registers straight into the state (as a BIOS mode set
 * would through the ports), enables the display (attribute PAS), loads the
 * DAC (EGA colours for 16-colour and text modes, the 256-colour table for
 * mode 13h) and, unless `clear` is false, clears the four planes as the BIOS
 * does (a text mode's page gets spaces in light grey; the font in plane 2 is
 * then for the caller to load).
 */
export function programMode(s: VgaState, mode: VgaModeRegisters, clear = true): void {
  s.misc = mode.misc;
  mode.seq.forEach((v, i) => { s.seq[i] = v; });
  mode.crtc.forEach((v, i) => { s.crtc[i] = v; });
  mode.gc.forEach((v, i) => { s.gc[i] = v; });
  mode.ac.forEach((v, i) => { s.ac[i] = v; });
  s.acIndex = AC_PAS;
  s.acData = false;
  s.pelMask = 0xff;
  const color = mode.number === 0x13 ? default256DacColor : (i: number) => (i < 64 ? egaDacColor(i) : [0, 0, 0]);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = color(i);
    s.palette[i * 3] = r;
    s.palette[i * 3 + 1] = g;
    s.palette[i * 3 + 2] = b;
  }
  if (!clear) return;
  s.vram.fill(0, 0, 4 * PLANE_BYTES);
  if ((mode.gc[GR_MISC] & GR6_GRAPHICS) === 0) clearTextScreen(s);
}

/**
 * Writes a font into plane 2, as the BIOS's character generator load does:
 * glyph c of a `height`-line font at plane offset map base + c × 32, where
 * map base is the character map's 8 KiB slot (maps 0-3 at 0, 16, 32, 48 KiB;
 * 4-7 at 8, 24, 40, 56 KiB).
 */
export function loadFont(s: VgaState, glyphs: Uint8Array, height: number, map = 0): void {
  const base = ((map & 3) << 14) | ((map & 4) << 11);
  const count = Math.min(256, Math.floor(glyphs.length / height));
  for (let c = 0; c < count; c++) {
    for (let row = 0; row < 32; row++) {
      s.vram[(base + c * 32 + row) * 4 + 2] = row < height ? glyphs[c * height + row] : 0;
    }
  }
}

/** Fills the 32 KiB text window's planes 0 and 1 with spaces in light grey on black. */
function clearTextScreen(s: VgaState): void {
  for (let offset = 0; offset < 0x8000; offset += 2) {
    s.vram[offset * 4] = 0x20;
    s.vram[offset * 4 + 1] = 0x07;
  }
}
