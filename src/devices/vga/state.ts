/**
 * The VGA's plain-data state: every register file, the DAC, the latches, the
 * Bochs VBE (dispi) registers and video memory. One record, so a snapshot is
 * a copy of it; every concept file (registers, memory, vbe, render) works on
 * it and none keeps state of its own.
 *
 * Register files are arrays because the hardware addresses them by index
 * (sequencer SR0-SR4, CRTC CR00-CR18, graphics controller GR0-GR8, attribute
 * controller AR00-AR14); the names of their bits live in registers.ts.
 *
 * Video memory is one linear buffer. The four 64 KiB VGA planes are
 * interleaved in its first 256 KiB: byte `offset` of plane `p` is
 * `vram[offset * 4 + p]`. The VBE linear framebuffer is the same buffer seen
 * byte for byte, as on Bochs's and QEMU's adapters.
 */

/** Number of sequencer registers (SR0-SR4; indexes 5-7 read back as stored). */
export const SEQ_COUNT = 8;
/** Number of CRTC registers (CR00-CR18). */
export const CRTC_COUNT = 0x19;
/** Number of graphics controller registers (GR0-GR8). */
export const GC_COUNT = 9;
/** Number of attribute controller registers (AR00-AR14). */
export const AC_COUNT = 0x15;
/** Default video memory: 16 MiB, as QEMU's stdvga (dispi ID 0xB0C5 reports it in 64 KiB units). */
export const DEFAULT_VRAM_BYTES = 16 << 20;

/** The Bochs display interface registers (vbe.ts). */
export interface VbeState {
  /** Index last written to port 0x1CE. */
  index: number;
  /** Interface version the BIOS asked for (0xB0C0-0xB0C5). */
  id: number;
  xres: number;
  yres: number;
  bpp: number;
  /** ENABLE register: ENABLED, GETCAPS, 8BIT_DAC, LFB_ENABLED, NOCLEARMEM bits. */
  enable: number;
  /** 64 KiB bank shown in the A0000 window while VBE is enabled. */
  bank: number;
  virtWidth: number;
  virtHeight: number;
  xOffset: number;
  yOffset: number;
}

/** Plain-data state of a VGA (snapshot format, version 1). */
export interface VgaState {
  version: 1;
  /** Miscellaneous output register (written at 0x3C2, read at 0x3CC). */
  misc: number;
  /** Feature control (written at 0x3BA/0x3DA, read at 0x3CA). */
  featureControl: number;
  /** Video subsystem enable (0x3C3). */
  subsystemEnable: number;
  seqIndex: number;
  seq: number[];
  crtcIndex: number;
  crtc: number[];
  gcIndex: number;
  gc: number[];
  /** Attribute controller index, including bit 5 (palette address source: 1 = display on). */
  acIndex: number;
  /** The 0x3C0 flip-flop: true when the next write is data, false when it is an index. */
  acData: boolean;
  ac: number[];
  /** PEL mask (0x3C6), ANDed with each pixel's DAC index. */
  pelMask: number;
  /** DAC write index (0x3C8) and the colour components collected for it so far. */
  dacWriteIndex: number;
  dacWriteComponents: number[];
  /** DAC read index (0x3C7 write) and the component the next 0x3C9 read returns (0-2). */
  dacReadIndex: number;
  dacReadComponent: number;
  /** Which index port was written last (0x3C7 read: 3 after a read index, 0 after a write index). */
  dacReadMode: boolean;
  /** 256 entries of red, green, blue; 6-bit values, or 8-bit with the VBE 8-bit DAC. */
  palette: number[];
  /** The four plane latches, plane 0 in bits 0-7 (loaded by every CPU read). */
  latch: number;
  /** Reads of input status 1 so far (its retrace bits toggle on each read). */
  statusReads: number;
  vbe: VbeState;
  /** Video memory (see the file comment for the plane layout). */
  vram: Uint8Array;
}

/** A VGA with every register zero and memory cleared (before any mode is programmed). */
export function createVgaState(vramBytes: number): VgaState {
  return {
    version: 1,
    misc: 0, featureControl: 0, subsystemEnable: 1,
    seqIndex: 0, seq: new Array(SEQ_COUNT).fill(0),
    crtcIndex: 0, crtc: new Array(CRTC_COUNT).fill(0),
    gcIndex: 0, gc: new Array(GC_COUNT).fill(0),
    acIndex: 0, acData: false, ac: new Array(AC_COUNT).fill(0),
    pelMask: 0xff,
    dacWriteIndex: 0, dacWriteComponents: [], dacReadIndex: 0, dacReadComponent: 0, dacReadMode: false,
    palette: new Array(256 * 3).fill(0),
    latch: 0,
    statusReads: 0,
    vbe: {
      index: 0, id: 0xb0c5, xres: 640, yres: 480, bpp: 8, enable: 0, bank: 0,
      virtWidth: 640, virtHeight: 480, xOffset: 0, yOffset: 0,
    },
    vram: new Uint8Array(vramBytes),
  };
}
