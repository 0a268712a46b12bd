/**
 * The VGA's I/O registers (IBM VGA Technical Reference; FreeVGA "VGA/SVGA
 * Video Programming" register pages), as offsets from port 0x3B0:
 *
 * | port        | off  | read                         | write                   |
 * |-------------|------|------------------------------|-------------------------|
 * | 0x3B4/0x3D4 | 04/24| CRTC index                   | CRTC index              |
 * | 0x3B5/0x3D5 | 05/25| CRTC data                    | CRTC data               |
 * | 0x3BA/0x3DA | 0A/2A| input status 1 (resets AC ff)| feature control         |
 * | 0x3C0       | 10   | AC index (bit 5 = PAS)       | AC index / data (ff)    |
 * | 0x3C1       | 11   | AC data                      | —                       |
 * | 0x3C2       | 12   | input status 0               | misc output             |
 * | 0x3C3       | 13   | video subsystem enable       | video subsystem enable  |
 * | 0x3C4/0x3C5 | 14/15| sequencer index / data       | sequencer index / data  |
 * | 0x3C6       | 16   | PEL mask                     | PEL mask                |
 * | 0x3C7       | 17   | DAC state (0 or 3)           | DAC read index          |
 * | 0x3C8       | 18   | DAC write index              | DAC write index         |
 * | 0x3C9       | 19   | DAC data (R, G, B)           | DAC data (R, G, B)      |
 * | 0x3CA       | 1A   | feature control              | —                       |
 * | 0x3CC       | 1C   | misc output                  | —                       |
 * | 0x3CE/0x3CF | 1E/1F| graphics controller index / data                       |
 *
 * The CRTC and input status 1 answer at 0x3Dx when misc output bit 0 (I/O
 * address select) is 1 (colour), at 0x3Bx when it is 0 (mono); the other
 * set is not decoded and reads as all ones.
 */
import type { VgaState } from './state.js';

/** Offsets (from 0x3B0) and sizes of the port ranges a VGA decodes; the board attaches each. */
export const VGA_PORT_RANGES: ReadonlyArray<{ offset: number; size: number; name: string }> = [
  { offset: 0x04, size: 2, name: 'VGA CRTC (mono)' },
  { offset: 0x0a, size: 1, name: 'VGA status 1 (mono)' },
  { offset: 0x10, size: 16, name: 'VGA' },
  { offset: 0x24, size: 2, name: 'VGA CRTC (colour)' },
  { offset: 0x2a, size: 1, name: 'VGA status 1 (colour)' },
];

// Miscellaneous output register.
/** I/O address select: 1 = CRTC at 0x3D4 (colour), 0 = 0x3B4 (mono). */
export const MISC_IO_COLOR = 0x01;
/** RAM enable: 0 disables CPU access to video memory. */
export const MISC_RAM_ENABLE = 0x02;

// Sequencer registers.
export const SR_RESET = 0, SR_CLOCKING = 1, SR_MAP_MASK = 2, SR_CHAR_MAP = 3, SR_MEMORY_MODE = 4;
/** SR1: 8-dot characters (else 9). */
export const SR1_DOTS8 = 0x01;
/** SR1: dot clock divided by 2 (40-column text, 320-pixel planar modes). */
export const SR1_DOT_CLOCK_HALF = 0x08;
/** SR1: screen off. */
export const SR1_SCREEN_OFF = 0x20;
/** SR4: odd/even addressing disabled (sequential). */
export const SR4_SEQUENTIAL = 0x04;
/** SR4: chain 4 (A0-A1 select the plane). */
export const SR4_CHAIN4 = 0x08;

// CRTC registers.
export const CR_HDISP_END = 0x01, CR_OVERFLOW = 0x07, CR_MAX_SCAN = 0x09, CR_CURSOR_START = 0x0a,
  CR_CURSOR_END = 0x0b, CR_START_HI = 0x0c, CR_START_LO = 0x0d, CR_CURSOR_HI = 0x0e, CR_CURSOR_LO = 0x0f,
  CR_VRETRACE_END = 0x11, CR_VDISP_END = 0x12, CR_OFFSET = 0x13, CR_UNDERLINE = 0x14, CR_MODE = 0x17,
  CR_LINE_COMPARE = 0x18;
/** CR09: scan doubling (each line shown twice). */
export const CR09_DOUBLE_SCAN = 0x80;
/** CR0A: text cursor off. */
export const CR0A_CURSOR_OFF = 0x20;
/** CR11: CR00-CR07 write protected (except CR07 bit 4). */
export const CR11_PROTECT = 0x80;
/** CR14: double-word addressing. */
export const CR14_DWORD = 0x40;
/** CR14: memory address counter counts every 4th character clock. */
export const CR14_COUNT_BY_4 = 0x20;
/** CR17: MA13 ← row scan bit 0 when clear (CGA interleave). */
export const CR17_MAP13 = 0x01;
/** CR17: MA14 ← row scan bit 1 when clear (Hercules interleave). */
export const CR17_MAP14 = 0x02;
/** CR17: memory address counter counts every 2nd character clock. */
export const CR17_COUNT_BY_2 = 0x08;
/** CR17: in word mode, MA15 (set) or MA13 (clear) becomes address bit 0. */
export const CR17_ADDRESS_WRAP = 0x20;
/** CR17: byte addressing (else word). */
export const CR17_BYTE_MODE = 0x40;

// Graphics controller registers.
export const GR_SET_RESET = 0, GR_ENABLE_SET_RESET = 1, GR_COLOR_COMPARE = 2, GR_DATA_ROTATE = 3,
  GR_READ_MAP = 4, GR_MODE = 5, GR_MISC = 6, GR_COLOR_DONT_CARE = 7, GR_BIT_MASK = 8;
/** GR5: read mode 1 (colour compare). */
export const GR5_READ_MODE1 = 0x08;
/** GR5: host odd/even (reads). */
export const GR5_ODD_EVEN = 0x10;
/** GR5: CGA-style interleaved shift (modes 4, 5). */
export const GR5_SHIFT_INTERLEAVED = 0x20;
/** GR5: 256-colour shift (4 bytes per character clock). */
export const GR5_SHIFT_256 = 0x40;
/** GR6: graphics mode (else text). */
export const GR6_GRAPHICS = 0x01;
/** GR6: chain odd/even (host A0 replaced by a higher address bit). */
export const GR6_CHAIN_ODD_EVEN = 0x02;

// Attribute controller registers.
export const AR_MODE = 0x10, AR_OVERSCAN = 0x11, AR_PLANE_ENABLE = 0x12, AR_PANNING = 0x13, AR_COLOR_SELECT = 0x14;
/** AC index bit 5: palette address source; 0 blanks the screen while the palette is loaded. */
export const AC_PAS = 0x20;
/** AR10: graphics mode. */
export const AR10_GRAPHICS = 0x01;
/** AR10: line graphics: the 9th column repeats the 8th for characters C0-DF. */
export const AR10_LINE_GRAPHICS = 0x04;
/** AR10: attribute bit 7 blinks (else it selects bright backgrounds). */
export const AR10_BLINK = 0x08;
/** AR10: pixel panning resets to 0 after a line compare match. */
export const AR10_PAN_COMPAT = 0x20;
/** AR10: 8-bit colour (256-colour modes). */
export const AR10_8BIT = 0x40;
/** AR10: palette bits 5-4 come from AR14 bits 1-0. */
export const AR10_P54 = 0x80;

/** Writable bits of each sequencer register. */
const SEQ_MASK = [0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0xff, 0xff, 0xff];
/** Writable bits of each graphics controller register. */
const GC_MASK = [0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff];
/** Writable bits of AR10-AR14 (palette entries AR00-AR0F hold 6 bits). */
const AC_MODE_MASK = [0xef, 0xff, 0x3f, 0x0f, 0x0f];

/** True when the CRTC answers at 0x3Dx (colour) rather than 0x3Bx. */
function colorAddressing(s: VgaState): boolean {
  return (s.misc & MISC_IO_COLOR) !== 0;
}

/** Reads one VGA register port (`offset` from 0x3B0). */
export function readRegister(s: VgaState, offset: number): number {
  switch (offset) {
    case 0x04: case 0x24:
      return colorAddressing(s) === (offset === 0x24) ? s.crtcIndex : 0xff;
    case 0x05: case 0x25:
      if (colorAddressing(s) !== (offset === 0x25)) return 0xff;
      return s.crtcIndex < s.crtc.length ? s.crtc[s.crtcIndex] : 0xff;
    case 0x0a: case 0x2a:
      if (colorAddressing(s) !== (offset === 0x2a)) return 0xff;
      return readInputStatus1(s);
    case 0x10: return s.acIndex;
    case 0x11: {
      const i = s.acIndex & 0x1f;
      return i < s.ac.length ? s.ac[i] : 0;
    }
    case 0x12: return 0x00; // input status 0: no switch sense, no CRT interrupt
    case 0x13: return s.subsystemEnable;
    case 0x14: return s.seqIndex;
    case 0x15: return s.seq[s.seqIndex];
    case 0x16: return s.pelMask;
    case 0x17: return s.dacReadMode ? 0x03 : 0x00;
    case 0x18: return s.dacWriteIndex;
    case 0x19: return readDacData(s);
    case 0x1a: return s.featureControl;
    case 0x1c: return s.misc;
    case 0x1e: return s.gcIndex;
    case 0x1f: return s.gcIndex < s.gc.length ? s.gc[s.gcIndex] : 0xff;
    default: return 0xff;
  }
}

/** Writes one VGA register port (`offset` from 0x3B0). */
export function writeRegister(s: VgaState, offset: number, value: number): void {
  value &= 0xff;
  switch (offset) {
    case 0x04: case 0x24:
      if (colorAddressing(s) === (offset === 0x24)) s.crtcIndex = value & 0x3f;
      return;
    case 0x05: case 0x25:
      if (colorAddressing(s) === (offset === 0x25)) writeCrtc(s, s.crtcIndex, value);
      return;
    case 0x0a: case 0x2a:
      if (colorAddressing(s) === (offset === 0x2a)) s.featureControl = value & 0x03;
      return;
    case 0x10: writeAttribute(s, value); return;
    case 0x12: s.misc = value & 0xef; return;
    case 0x13: s.subsystemEnable = value & 0x01; return;
    case 0x14: s.seqIndex = value & 0x07; return;
    case 0x15: s.seq[s.seqIndex] = value & SEQ_MASK[s.seqIndex]; return;
    case 0x16: s.pelMask = value; return;
    case 0x17:
      s.dacReadIndex = value;
      s.dacReadComponent = 0;
      s.dacReadMode = true;
      return;
    case 0x18:
      s.dacWriteIndex = value;
      s.dacWriteComponents = [];
      s.dacReadMode = false;
      return;
    case 0x19: writeDacData(s, value); return;
    case 0x1e: s.gcIndex = value & 0x0f; return;
    case 0x1f:
      if (s.gcIndex < s.gc.length) s.gc[s.gcIndex] = value & GC_MASK[s.gcIndex];
      return;
    default: return;
  }
}

/**
 * CRTC data. With CR11 bit 7 set, CR00-CR07 ignore writes except the line
 * compare bit 8 in CR07 (IBM VGA Technical Reference, "Vertical Retrace End
 * Register", bit 7 "Protect R0-7").
 */
function writeCrtc(s: VgaState, index: number, value: number): void {
  if (index >= s.crtc.length) return;
  if (index <= CR_OVERFLOW && (s.crtc[CR_VRETRACE_END] & CR11_PROTECT) !== 0) {
    if (index === CR_OVERFLOW) s.crtc[index] = (s.crtc[index] & ~0x10) | (value & 0x10);
    return;
  }
  s.crtc[index] = value;
}

/**
 * Port 0x3C0: alternately the index (with the palette address source bit)
 * and the data for that index; reading input status 1 resets the flip-flop
 * to "index". Palette entries AR00-AR0F take writes only while PAS is 0
 * (FreeVGA "Attribute Address Register").
 */
function writeAttribute(s: VgaState, value: number): void {
  if (!s.acData) {
    s.acIndex = value & 0x3f;
    s.acData = true;
    return;
  }
  s.acData = false;
  const i = s.acIndex & 0x1f;
  if (i < 0x10) {
    if ((s.acIndex & AC_PAS) === 0) s.ac[i] = value & 0x3f;
  } else if (i < s.ac.length) {
    s.ac[i] = value & AC_MODE_MASK[i - 0x10];
  }
}

/**
 * Input status 1: bit 0 (display disabled) and bit 3 (vertical retrace)
 * toggle on each read, so "wait for retrace" loops end at once whatever the
 * guest's speed; the read also resets the attribute flip-flop.
 */
function readInputStatus1(s: VgaState): number {
  s.acData = false;
  s.statusReads = (s.statusReads + 1) >>> 0;
  return (s.statusReads & 1) !== 0 ? 0x09 : 0x00;
}

/** Significant bits of a DAC component: 6, or 8 with the VBE 8-bit DAC. */
export function dacComponentMask(s: VgaState): number {
  return (s.vbe.enable & 0x20) !== 0 ? 0xff : 0x3f;
}

/** 0x3C9 write: red, green, blue; the entry is stored after blue and the index moves on. */
function writeDacData(s: VgaState, value: number): void {
  s.dacWriteComponents.push(value & dacComponentMask(s));
  if (s.dacWriteComponents.length < 3) return;
  const base = s.dacWriteIndex * 3;
  for (let c = 0; c < 3; c++) s.palette[base + c] = s.dacWriteComponents[c];
  s.dacWriteComponents = [];
  s.dacWriteIndex = (s.dacWriteIndex + 1) & 0xff;
}

/** 0x3C9 read: red, green, blue of the read index, which moves on after blue. */
function readDacData(s: VgaState): number {
  const value = s.palette[s.dacReadIndex * 3 + s.dacReadComponent];
  if (++s.dacReadComponent === 3) {
    s.dacReadComponent = 0;
    s.dacReadIndex = (s.dacReadIndex + 1) & 0xff;
  }
  return value;
}
