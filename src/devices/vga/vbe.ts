/**
 * The Bochs VBE extension ("DISPI", Bochs Graphics Adaptor), which QEMU's
 * standard VGA also implements: two 16-bit ports, an index at 0x1CE and its
 * data at 0x1CF (0x1D0 is a data alias, for hosts that cannot do unaligned
 * 16-bit I/O). Specified by Bochs's "VBE Display API" document
 * (vgabios/vbe_display_api.txt) and the OSDev wiki's "Bochs VBE Extensions".
 *
 * | index | register          | notes                                            |
 * |-------|-------------------|--------------------------------------------------|
 * | 0     | ID                | 0xB0C0-0xB0C5; a written version reads back      |
 * | 1     | XRES              | pixels; max with GETCAPS; fixed while enabled    |
 * | 2     | YRES              | lines; max with GETCAPS; fixed while enabled     |
 * | 3     | BPP               | 4, 8, 15, 16, 24, 32 (0 means 8); max with GETCAPS |
 * | 4     | ENABLE            | ENABLED 01, GETCAPS 02, 8BIT_DAC 20, LFB 40, NOCLEARMEM 80 |
 * | 5     | BANK              | 64 KiB bank seen in the A0000 window             |
 * | 6     | VIRT_WIDTH        | pixels per line in memory (≥ XRES)               |
 * | 7     | VIRT_HEIGHT       | read only: lines that fit in video memory        |
 * | 8     | X_OFFSET          | first visible pixel of a line                    |
 * | 9     | Y_OFFSET          | first visible line                               |
 * | 10    | VIDEO_MEMORY_64K  | read only: video memory in 64 KiB units (ID5)    |
 *
 * Enabling a mode resets the virtual size to the mode's, the offsets and
 * bank to 0, and clears video memory unless NOCLEARMEM is given. Pixels are
 * packed: 8 bpp indexes the DAC, 15 bpp is x:5:5:5, 16 bpp 5:6:5, 24 bpp
 * B,G,R bytes, 32 bpp B,G,R,x. 4 bpp is planar, one bit per plane per pixel.
 *
 * Deviations from hardware (Bochs's adapter): writing XRES/YRES/BPP while
 * enabled is ignored rather than a host panic; out-of-range values are
 * clamped when the mode is enabled.
 */
import type { VgaState } from './state.js';

/** Dispi register indexes. */
export const enum Dispi {
  Id = 0, Xres = 1, Yres = 2, Bpp = 3, Enable = 4, Bank = 5, VirtWidth = 6, VirtHeight = 7,
  XOffset = 8, YOffset = 9, VideoMemory64K = 10,
}

/** ENABLE: the VBE mode is on (VGA rendering and window decode are replaced). */
export const DISPI_ENABLED = 0x01;
/** ENABLE: XRES/YRES/BPP read back their maxima. */
export const DISPI_GETCAPS = 0x02;
/** ENABLE: DAC components are 8 bits wide. */
export const DISPI_8BIT_DAC = 0x20;
/** ENABLE: the guest uses the linear framebuffer. */
export const DISPI_LFB_ENABLED = 0x40;
/** ENABLE: keep video memory when enabling. */
export const DISPI_NOCLEARMEM = 0x80;

/** First and latest interface versions. */
export const DISPI_ID0 = 0xb0c0, DISPI_ID5 = 0xb0c5;
/** Largest mode (2560×1600 at 32 bpp fills the default 16 MiB exactly). */
export const DISPI_MAX_XRES = 2560, DISPI_MAX_YRES = 1600, DISPI_MAX_BPP = 32;

const VALID_BPP = new Set([4, 8, 15, 16, 24, 32]);

/** Bytes per pixel at a VBE depth (4 bpp is planar and handled apart). */
export function bytesPerPixel(bpp: number): number {
  return (bpp + 7) >> 3;
}

/** Bytes from one line of the VBE frame to the next. */
export function vbePitch(s: VgaState): number {
  const v = s.vbe;
  return v.bpp === 4 ? v.virtWidth >> 3 : v.virtWidth * bytesPerPixel(v.bpp);
}

/** True while a VBE mode is enabled. */
export function vbeEnabled(s: VgaState): boolean {
  return (s.vbe.enable & DISPI_ENABLED) !== 0;
}

/** True while the A0000 window shows linear video memory (a VBE mode of 8 bpp or more). */
export function vbeWindowActive(s: VgaState): boolean {
  return (s.vbe.enable & DISPI_ENABLED) !== 0 && s.vbe.bpp !== 4;
}

/** Plane offset the dispi bank adds to planar accesses (4 bpp VBE modes), else 0. */
export function vbePlanarBankOffset(s: VgaState): number {
  return (s.vbe.enable & DISPI_ENABLED) !== 0 ? s.vbe.bank << 16 : 0;
}

/** Reads the dispi register selected by the index port. */
export function readDispi(s: VgaState): number {
  const v = s.vbe;
  const caps = (v.enable & DISPI_GETCAPS) !== 0;
  switch (v.index) {
    case Dispi.Id: return v.id;
    case Dispi.Xres: return caps ? DISPI_MAX_XRES : v.xres;
    case Dispi.Yres: return caps ? DISPI_MAX_YRES : v.yres;
    case Dispi.Bpp: return caps ? DISPI_MAX_BPP : v.bpp;
    case Dispi.Enable: return v.enable;
    case Dispi.Bank: return v.bank;
    case Dispi.VirtWidth: return v.virtWidth;
    case Dispi.VirtHeight: return v.virtHeight;
    case Dispi.XOffset: return v.xOffset;
    case Dispi.YOffset: return v.yOffset;
    case Dispi.VideoMemory64K: return Math.min(0xffff, s.vram.length >>> 16);
    default: return 0;
  }
}

/** Writes the dispi register selected by the index port. */
export function writeDispi(s: VgaState, value: number): void {
  const v = s.vbe;
  value &= 0xffff;
  const enabled = (v.enable & DISPI_ENABLED) !== 0;
  switch (v.index) {
    case Dispi.Id:
      if (value >= DISPI_ID0 && value <= DISPI_ID5) v.id = value;
      return;
    case Dispi.Xres: if (!enabled) v.xres = value; return;
    case Dispi.Yres: if (!enabled) v.yres = value; return;
    case Dispi.Bpp: if (!enabled) v.bpp = value; return;
    case Dispi.Enable: writeEnable(s, value); return;
    case Dispi.Bank: {
      const banks = Math.max(1, s.vram.length >>> 16);
      v.bank = value % banks;
      return;
    }
    case Dispi.VirtWidth:
      v.virtWidth = value;
      fitVirtual(s);
      return;
    case Dispi.XOffset: v.xOffset = value; return;
    case Dispi.YOffset: v.yOffset = value; return;
    default: return;
  }
}

/** ENABLE write: switching a mode on validates it and resets the virtual screen. */
function writeEnable(s: VgaState, value: number): void {
  const v = s.vbe;
  const wasEnabled = (v.enable & DISPI_ENABLED) !== 0;
  v.enable = value & (DISPI_ENABLED | DISPI_GETCAPS | DISPI_8BIT_DAC | DISPI_LFB_ENABLED | DISPI_NOCLEARMEM);
  if ((value & DISPI_ENABLED) === 0 || wasEnabled) return;
  if (v.bpp === 0) v.bpp = 8;
  if (!VALID_BPP.has(v.bpp)) v.bpp = 8;
  v.xres = Math.min(Math.max(8, v.xres & ~7), DISPI_MAX_XRES);
  v.yres = Math.min(Math.max(1, v.yres), DISPI_MAX_YRES);
  v.virtWidth = v.xres;
  v.xOffset = 0;
  v.yOffset = 0;
  v.bank = 0;
  fitVirtual(s);
  if ((value & DISPI_NOCLEARMEM) === 0) s.vram.fill(0);
}

/**
 * After a virtual width change: at least XRES, and the virtual height is
 * what fits in video memory at that pitch (planar modes have a quarter of
 * memory per plane).
 */
function fitVirtual(s: VgaState): void {
  const v = s.vbe;
  if (v.virtWidth < v.xres) v.virtWidth = v.xres;
  const pitch = vbePitch(s);
  const bytes = v.bpp === 4 ? s.vram.length >>> 2 : s.vram.length;
  let lines = pitch > 0 ? Math.floor(bytes / pitch) : 0;
  if (lines < v.yres) {
    // Too wide for memory: fall back to the mode's own width.
    v.virtWidth = v.xres;
    lines = Math.floor(bytes / Math.max(1, vbePitch(s)));
  }
  v.virtHeight = Math.min(0xffff, lines);
}
