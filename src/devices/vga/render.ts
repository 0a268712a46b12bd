/**
 * Turns the VGA's current mode into RGBA pixels, the way the display
 * pipeline does (IBM VGA Technical Reference, "Attribute Controller",
 * "Video DAC"; FreeVGA "Attribute Controller Registers"):
 *
 *   planes ─► serializer ─► attribute controller ─► DAC ─► RGB
 *
 * - Text (AR10 bit 0 clear): per character clock, plane 0 holds the code,
 *   plane 1 the attribute, and plane 2 the font: glyph row = plane 2 at
 *   character map base + code × 32 + row scan (map A for attribute bit 3 = 1,
 *   map B for 0, SR3). Cursor (CR0A-CR0F), underline (CR14), blink (AR10
 *   bit 3) and the 9th column (SR1 bit 0, AR10 bit 2) are drawn.
 * - 16 colours (GR5 shift mode 0): one bit per plane per pixel, 8 pixels
 *   per character clock; CGA interleave (GR5 bit 5): 2-bit pixels from
 *   planes 0/2 then 1/3.
 * - 256 colours (GR5 bit 6): the four plane bytes are four pixels.
 * - 4-bit pixels pass the colour plane enable (AR12), the palette
 *   (AR00-AR0F) and colour select (AR14, AR10 bit 7) to become 8-bit DAC
 *   indexes; every DAC index is ANDed with the PEL mask.
 * - A Bochs VBE mode bypasses all of that: packed pixels from the framebuffer.
 *
 * Pixels come out at the mode's own resolution: text in dots (720×400 for
 * mode 03h), graphics in pixels with scan doubling and row repetition
 * removed (320×200 for mode 13h, 640×480 for mode 12h).
 *
 * Deviations from hardware: in 256-colour mode the attribute palette is
 * bypassed (values go straight to the DAC); the overscan border is not
 * drawn; a blanked screen (SR1 bit 5, or AC index bit 5 clear) renders black.
 */
import type { VgaState } from './state.js';
import {
  AC_PAS, AR10_BLINK, AR10_GRAPHICS, AR10_LINE_GRAPHICS, AR10_P54, AR_COLOR_SELECT, AR_MODE, AR_PANNING,
  AR_PLANE_ENABLE, CR0A_CURSOR_OFF, CR17_MAP13, CR17_MAP14, CR_CURSOR_END, CR_CURSOR_START, CR_MODE, CR_UNDERLINE,
  GR5_SHIFT_256, GR5_SHIFT_INTERLEAVED, GR_MODE, SR1_DOT_CLOCK_HALF, SR1_DOTS8, SR1_SCREEN_OFF, SR_CHAR_MAP,
  SR_CLOCKING,
} from './registers.js';
import { crtcGeometry, scanAddress } from './crtc.js';
import { DISPI_8BIT_DAC, vbeEnabled, vbePitch, bytesPerPixel } from './vbe.js';

/** An RGBA picture: 4 bytes per pixel, rows top to bottom. */
export interface VgaFrame {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Where the blink cycles are (a VGA blinks the cursor every 8 frames, blinking text every 16). */
export interface BlinkPhase {
  cursorVisible: boolean;
  blinkingTextVisible: boolean;
}

/** What the display shows now. */
export type DisplayMode =
  | { kind: 'text'; columns: number; rows: number; width: number; height: number }
  | { kind: 'graphics'; bitsPerPixel: 2 | 4 | 8; width: number; height: number }
  | { kind: 'vbe'; bitsPerPixel: number; width: number; height: number }
  | { kind: 'blank'; width: number; height: number };

/** Frame size used when the CRTC describes no picture at all. */
const FALLBACK_WIDTH = 640, FALLBACK_HEIGHT = 480;
const OPAQUE_BLACK = 0xff00_0000;

/** True when the AC is in text mode (character generator on). */
function isText(s: VgaState): boolean {
  return (s.ac[AR_MODE] & AR10_GRAPHICS) === 0;
}

/** Scan lines per output line: scan doubling, and row repetition in graphics modes without CGA interleave. */
function lineRepeat(s: VgaState): number {
  const g = crtcGeometry(s);
  let repeat = g.doubleScan ? 2 : 1;
  const interleaved = (s.crtc[CR_MODE] & (CR17_MAP13 | CR17_MAP14)) !== (CR17_MAP13 | CR17_MAP14);
  if (!isText(s) && !interleaved) repeat *= g.rowScans;
  return repeat;
}

/** Pixels per character clock of a graphics mode. */
function pixelsPerClock(s: VgaState): number {
  return (s.gc[GR_MODE] & GR5_SHIFT_256) !== 0 ? 4 : 8;
}

/** The display's mode and size as the renderer would draw it. */
export function displayMode(s: VgaState): DisplayMode {
  if (vbeEnabled(s)) return { kind: 'vbe', bitsPerPixel: s.vbe.bpp, width: s.vbe.xres, height: s.vbe.yres };
  const g = crtcGeometry(s);
  const height = Math.floor(g.scanLines / lineRepeat(s));
  if (isText(s)) {
    const dots = (s.seq[SR_CLOCKING] & SR1_DOTS8) !== 0 ? 8 : 9;
    const widen = (s.seq[SR_CLOCKING] & SR1_DOT_CLOCK_HALF) !== 0 ? 2 : 1;
    const mode = {
      kind: 'text' as const, columns: g.columns, rows: Math.floor(g.scanLines / ((g.doubleScan ? 2 : 1) * g.rowScans)),
      width: g.columns * dots * widen, height,
    };
    return blanked(s) ? { kind: 'blank', width: mode.width, height } : mode;
  }
  const width = g.columns * pixelsPerClock(s);
  if (blanked(s)) return { kind: 'blank', width, height };
  const bits = (s.gc[GR_MODE] & GR5_SHIFT_256) !== 0 ? 8 : (s.gc[GR_MODE] & GR5_SHIFT_INTERLEAVED) !== 0 ? 2 : 4;
  return { kind: 'graphics', bitsPerPixel: bits, width, height };
}

/** The screen is off (SR1 bit 5) or the palette is being loaded (AC index bit 5 clear). */
function blanked(s: VgaState): boolean {
  return (s.seq[SR_CLOCKING] & SR1_SCREEN_OFF) !== 0 || (s.acIndex & AC_PAS) === 0;
}

/** A frame of the given size, reusing `target` when it fits. */
function frameOf(width: number, height: number, target?: VgaFrame): VgaFrame {
  width = Math.max(1, Math.min(width, 8192));
  height = Math.max(1, Math.min(height, 8192));
  if (target && target.width === width && target.height === height) return target;
  return { width, height, rgba: new Uint8Array(width * height * 4) };
}

/** 32-bit view of a frame's pixels (little endian: R, G, B, A in memory). */
function pixels32(frame: VgaFrame): Uint32Array {
  return new Uint32Array(frame.rgba.buffer, frame.rgba.byteOffset, frame.width * frame.height);
}

/** Packs 8-bit components into a little-endian RGBA word. */
function rgba(r: number, g: number, b: number): number {
  return (r | (g << 8) | (b << 16) | OPAQUE_BLACK) >>> 0;
}

/** The DAC's 256 colours as RGBA words, after the PEL mask. */
function dacColors(s: VgaState): Uint32Array {
  const wide = (s.vbe.enable & DISPI_8BIT_DAC) !== 0;
  const scale = (v: number) => (wide ? v & 0xff : ((v & 0x3f) << 2) | ((v & 0x3f) >> 4));
  const raw = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    raw[i] = rgba(scale(s.palette[i * 3]), scale(s.palette[i * 3 + 1]), scale(s.palette[i * 3 + 2]));
  }
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) out[i] = raw[i & s.pelMask];
  return out;
}

/** The 16 attribute colours (4-bit pixel → AR12, AR00-0F, AR14 → DAC) as RGBA words. */
function attributeColors(s: VgaState, dac: Uint32Array): Uint32Array {
  const ac = s.ac;
  const out = new Uint32Array(16);
  for (let i = 0; i < 16; i++) {
    let v = ac[i & ac[AR_PLANE_ENABLE] & 0x0f] & 0x3f;
    if ((ac[AR_MODE] & AR10_P54) !== 0) v = (v & 0x0f) | ((ac[AR_COLOR_SELECT] & 0x03) << 4);
    v |= (ac[AR_COLOR_SELECT] & 0x0c) << 4;
    out[i] = dac[v];
  }
  return out;
}

/** Renders the current picture into `target` (reused when its size matches) or a new frame. */
export function renderFrame(s: VgaState, blink: BlinkPhase, target?: VgaFrame): VgaFrame {
  const mode = displayMode(s);
  const frame = frameOf(mode.width || FALLBACK_WIDTH, mode.height || FALLBACK_HEIGHT, target);
  const out = pixels32(frame);
  switch (mode.kind) {
    case 'blank': out.fill(OPAQUE_BLACK); break;
    case 'vbe': renderVbe(s, frame, out); break;
    case 'text': renderText(s, frame, out, blink); break;
    case 'graphics': renderGraphics(s, frame, out); break;
  }
  return frame;
}

/**
 * Walks the scan lines as the CRTC does (row scan counter, row starts, line
 * compare, scan doubling), calling `line` for the first scan line of each
 * output line with the counter at the line's start and its row scan.
 */
function scanOut(s: VgaState, outputLines: number, repeat: number, line: (y: number, counter: number, rowScan: number, afterSplit: boolean) => void): void {
  const g = crtcGeometry(s);
  let rowStart = g.startAddress;
  let rowScan = 0;
  let afterSplit = false;
  for (let scan = 0; scan < g.scanLines; scan++) {
    if (scan === g.lineCompare) {
      rowStart = 0;
      rowScan = 0;
      afterSplit = true;
    }
    if (scan % repeat === 0 && scan / repeat < outputLines) line(scan / repeat, rowStart, rowScan, afterSplit);
    if (g.doubleScan && (scan & 1) === 0) continue;
    if (rowScan + 1 >= g.rowScans) {
      rowScan = 0;
      rowStart = (rowStart + g.rowStride) & 0xffff;
    } else {
      rowScan++;
    }
  }
}

/** Horizontal pixel panning in output pixels (AR13), 0 below a split with AR10 bit 5. */
function panning(s: VgaState, text: boolean, nineDots: boolean, afterSplit: boolean): number {
  if (afterSplit && (s.ac[AR_MODE] & 0x20) !== 0) return 0;
  const pan = s.ac[AR_PANNING] & 0x0f;
  if (text && nineDots) return pan >= 8 ? 0 : pan + 1;
  if ((s.gc[GR_MODE] & GR5_SHIFT_256) !== 0) return (pan & 7) >> 1;
  return pan & 7;
}

function renderText(s: VgaState, frame: VgaFrame, out: Uint32Array, blink: BlinkPhase): void {
  const g = crtcGeometry(s);
  const vram = s.vram;
  const dac = dacColors(s);
  const colors = attributeColors(s, dac);
  const nine = (s.seq[SR_CLOCKING] & SR1_DOTS8) === 0;
  const dotWidth = nine ? 9 : 8;
  const widen = (s.seq[SR_CLOCKING] & SR1_DOT_CLOCK_HALF) !== 0 ? 2 : 1;
  const lineGraphics = (s.ac[AR_MODE] & AR10_LINE_GRAPHICS) !== 0;
  const blinkEnabled = (s.ac[AR_MODE] & AR10_BLINK) !== 0;
  const charMap = s.seq[SR_CHAR_MAP];
  const mapBase = (m: number) => ((m & 3) << 14) | ((m & 4) << 11);
  const fontA = mapBase(((charMap >> 2) & 3) | ((charMap >> 3) & 4));
  const fontB = mapBase((charMap & 3) | ((charMap >> 2) & 4));
  const cursorStart = s.crtc[CR_CURSOR_START] & 0x1f;
  const cursorEnd = s.crtc[CR_CURSOR_END] & 0x1f;
  const cursorOn = (s.crtc[CR_CURSOR_START] & CR0A_CURSOR_OFF) === 0 && blink.cursorVisible;
  const underlineRow = s.crtc[CR_UNDERLINE] & 0x1f;
  const lineBuffer = new Uint32Array((g.columns + 1) * dotWidth);
  const width = frame.width;
  scanOut(s, frame.height, g.doubleScan ? 2 : 1, (y, counter, rowScan, afterSplit) => {
    let x = 0;
    for (let col = 0; col <= g.columns; col++) {
      const c = (counter + Math.floor(col / g.countBy)) & 0xffff;
      const a = scanAddress(s, c, rowScan) * 4;
      const code = vram[a];
      const attr = vram[a + 1];
      let fg = attr & 0x0f;
      let bg = attr >> 4;
      if (blinkEnabled) {
        bg &= 7;
        if ((attr & 0x80) !== 0 && !blink.blinkingTextVisible) fg = bg;
      }
      const glyphRow = ((attr & 0x08) !== 0 ? fontA : fontB) + code * 32 + rowScan;
      let bits = vram[glyphRow * 4 + 2];
      let ninth = nine && lineGraphics && code >= 0xc0 && code <= 0xdf ? bits & 1 : 0;
      const underline = rowScan === underlineRow && (attr & 0x77) === 0x01;
      const cursor = cursorOn && c === g.cursorAddress && rowScan >= cursorStart && rowScan <= cursorEnd;
      if (underline || cursor) { bits = 0xff; ninth = 1; }
      const fgc = colors[fg], bgc = colors[bg];
      for (let d = 0; d < 8; d++) lineBuffer[x++] = (bits & (0x80 >> d)) !== 0 ? fgc : bgc;
      if (nine) lineBuffer[x++] = ninth !== 0 ? fgc : bgc;
    }
    const pan = panning(s, true, nine, afterSplit);
    const row = y * width;
    for (let i = 0; i < width; i++) out[row + i] = lineBuffer[Math.floor(i / widen) + pan];
  });
}

function renderGraphics(s: VgaState, frame: VgaFrame, out: Uint32Array): void {
  const g = crtcGeometry(s);
  const vram = s.vram;
  const dac = dacColors(s);
  const colors = attributeColors(s, dac);
  const mode = s.gc[GR_MODE];
  const shift256 = (mode & GR5_SHIFT_256) !== 0;
  const interleaved = !shift256 && (mode & GR5_SHIFT_INTERLEAVED) !== 0;
  const perClock = shift256 ? 4 : 8;
  const lineBuffer = new Uint32Array((g.columns + 1) * perClock);
  const width = frame.width;
  scanOut(s, frame.height, lineRepeat(s), (y, counter, rowScan, afterSplit) => {
    let x = 0;
    for (let col = 0; col <= g.columns; col++) {
      const c = (counter + Math.floor(col / g.countBy)) & 0xffff;
      const a = scanAddress(s, c, rowScan) * 4;
      const p0 = vram[a], p1 = vram[a + 1], p2 = vram[a + 2], p3 = vram[a + 3];
      if (shift256) {
        lineBuffer[x++] = dac[p0];
        lineBuffer[x++] = dac[p1];
        lineBuffer[x++] = dac[p2];
        lineBuffer[x++] = dac[p3];
      } else if (interleaved) {
        for (let i = 0; i < 4; i++) {
          const sh = 6 - 2 * i;
          lineBuffer[x++] = colors[((p0 >> sh) & 3) | (((p2 >> sh) & 3) << 2)];
        }
        for (let i = 0; i < 4; i++) {
          const sh = 6 - 2 * i;
          lineBuffer[x++] = colors[((p1 >> sh) & 3) | (((p3 >> sh) & 3) << 2)];
        }
      } else {
        for (let bit = 7; bit >= 0; bit--) {
          lineBuffer[x++] = colors[((p0 >> bit) & 1) | (((p1 >> bit) & 1) << 1) | (((p2 >> bit) & 1) << 2) | (((p3 >> bit) & 1) << 3)];
        }
      }
    }
    const pan = panning(s, false, false, afterSplit);
    out.set(lineBuffer.subarray(pan, pan + width), y * width);
  });
}

/** Packed-pixel VBE modes (and 4 bpp planar) from the framebuffer at the display offset. */
function renderVbe(s: VgaState, frame: VgaFrame, out: Uint32Array): void {
  const v = s.vbe;
  const vram = s.vram;
  const width = frame.width, height = frame.height;
  const pitch = vbePitch(s);
  if (v.bpp === 4) {
    const colors = attributeColors(s, dacColors(s));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const index = (y + v.yOffset) * v.virtWidth + x + v.xOffset;
        const p = (index >>> 3) * 4;
        const bit = 7 - (index & 7);
        const value = p + 3 < vram.length
          ? ((vram[p] >> bit) & 1) | (((vram[p + 1] >> bit) & 1) << 1) | (((vram[p + 2] >> bit) & 1) << 2) | (((vram[p + 3] >> bit) & 1) << 3)
          : 0;
        out[y * width + x] = colors[value];
      }
    }
    return;
  }
  const bpp = bytesPerPixel(v.bpp);
  const dac = v.bpp === 8 ? dacColors(s) : undefined;
  const expand5 = (c: number) => (c << 3) | (c >> 2);
  const expand6 = (c: number) => (c << 2) | (c >> 4);
  for (let y = 0; y < height; y++) {
    let p = (y + v.yOffset) * pitch + v.xOffset * bpp;
    const row = y * width;
    for (let x = 0; x < width; x++, p += bpp) {
      if (p + bpp > vram.length) { out[row + x] = OPAQUE_BLACK; continue; }
      switch (v.bpp) {
        case 8: out[row + x] = dac![vram[p]]; break;
        case 15: {
          const w = vram[p] | (vram[p + 1] << 8);
          out[row + x] = rgba(expand5((w >> 10) & 0x1f), expand5((w >> 5) & 0x1f), expand5(w & 0x1f));
          break;
        }
        case 16: {
          const w = vram[p] | (vram[p + 1] << 8);
          out[row + x] = rgba(expand5((w >> 11) & 0x1f), expand6((w >> 5) & 0x3f), expand5(w & 0x1f));
          break;
        }
        default: // 24 and 32: blue, green, red in memory order
          out[row + x] = rgba(vram[p + 2], vram[p + 1], vram[p]);
      }
    }
  }
}
