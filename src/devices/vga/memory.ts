/**
 * CPU access to video memory through the legacy window A0000-BFFFF (IBM VGA
 * Technical Reference, "Graphics Controller" and "Sequencer"; FreeVGA "VGA
 * Memory Organization", "Graphics Registers"):
 *
 * 1. GR6 bits 3-2 select which part of the 128 KiB window is decoded
 *    (A0000 128K, A0000 64K, B0000 32K, B8000 32K); the rest reads as all
 *    ones and ignores writes, as does everything while misc output bit 1
 *    (RAM enable) is clear.
 * 2. The host address picks planes and a plane offset:
 *    - chain 4 (SR4 bit 3): A1-A0 pick the one plane, the offset is A with
 *      A1-A0 cleared (so four consecutive bytes share one plane offset);
 *    - odd/even (SR4 bit 2 clear for writes, GR5 bit 4 set for reads): A0
 *      picks planes 0/2 (even) or 1/3 (odd); with GR6 bit 1 (chain odd/even)
 *      the offset is A with A0 replaced by A16;
 *    - otherwise sequential: the offset is A, writes go to the planes of the
 *      map mask (SR2), reads come from the plane of the read map select (GR4).
 * 3. Every read loads the four latches from the plane offset. Read mode 0
 *    returns the selected plane; read mode 1 compares all planes with the
 *    colour compare register (GR2), ignoring planes not in GR7.
 * 4. Writes pass through the write mode (GR5 bits 1-0): 0 rotates (GR3) and
 *    applies set/reset (GR0/GR1), 1 copies the latches, 2 spreads the data's
 *    low 4 bits over the planes, 3 uses set/reset masked by the rotated data;
 *    then the logical function with the latches (GR3 bits 4-3: none, AND, OR,
 *    XOR), the bit mask (GR8: 0 keeps the latch bit), and the plane enables.
 *
 * While the Bochs VBE is enabled at 8 bpp or more, the window shows 64 KiB
 * of linear video memory at the dispi bank instead (see vbe.ts).
 *
 * Deviations from hardware: with chain odd/even in a 32 KiB or 64 KiB
 * window the misc output page bit (bit 5) is not used as address bit 0
 * (A0 is simply cleared, matching the CRTC's word-mode fetch); 4-byte
 * accesses are split into bytes, in address order.
 */
import type { VgaState } from './state.js';
import {
  GR5_ODD_EVEN, GR5_READ_MODE1, GR6_CHAIN_ODD_EVEN, GR_BIT_MASK, GR_COLOR_COMPARE, GR_COLOR_DONT_CARE,
  GR_DATA_ROTATE, GR_ENABLE_SET_RESET, GR_MISC, GR_MODE, GR_READ_MAP, GR_SET_RESET, MISC_RAM_ENABLE,
  SR4_CHAIN4, SR4_SEQUENTIAL, SR_MAP_MASK, SR_MEMORY_MODE,
} from './registers.js';
import { vbeWindowActive, vbePlanarBankOffset } from './vbe.js';

/** Size of the legacy window A0000-BFFFF. */
export const WINDOW_BYTES = 0x2_0000;
/** Bytes in one VGA plane. */
export const PLANE_BYTES = 0x1_0000;

/** Start and length (within the 128 KiB window) of each GR6 memory map. */
const MAP_START = [0x0_0000, 0x0_0000, 0x1_0000, 0x1_8000];
const MAP_SIZE = [0x2_0000, 0x1_0000, 0x8000, 0x8000];

/** A byte in all four planes (for the 32-bit latch arithmetic). */
const SPREAD = 0x0101_0101;

/** Host address within the selected memory map, or -1 when the window offset is not decoded. */
function hostAddress(s: VgaState, windowOffset: number): number {
  if ((s.misc & MISC_RAM_ENABLE) === 0) return -1;
  const map = (s.gc[GR_MISC] >> 2) & 3;
  const a = windowOffset - MAP_START[map];
  return a >= 0 && a < MAP_SIZE[map] ? a : -1;
}

/** Reads one byte of the window at `windowOffset` (0 = A0000). */
export function readWindowByte(s: VgaState, windowOffset: number): number {
  if (vbeWindowActive(s)) {
    const a = s.vbe.bank * PLANE_BYTES + windowOffset;
    return windowOffset < PLANE_BYTES && a < s.vram.length ? s.vram[a] : 0xff;
  }
  const a = hostAddress(s, windowOffset);
  if (a < 0) return 0xff;
  const vram = s.vram;
  const memoryMode = s.seq[SR_MEMORY_MODE];
  const mode = s.gc[GR_MODE];
  let plane: number;
  let offset: number;
  if ((memoryMode & SR4_CHAIN4) !== 0) {
    plane = a & 3;
    offset = a & 0xfffc;
  } else if ((mode & GR5_ODD_EVEN) !== 0) {
    plane = (s.gc[GR_READ_MAP] & 2) | (a & 1);
    offset = oddEvenOffset(s, a);
  } else {
    plane = s.gc[GR_READ_MAP] & 3;
    offset = a & 0xffff;
  }
  offset += vbePlanarBankOffset(s);
  const p = offset * 4;
  if (p + 3 >= vram.length) return 0xff;
  s.latch = (vram[p] | (vram[p + 1] << 8) | (vram[p + 2] << 16) | (vram[p + 3] << 24)) >>> 0;
  if ((mode & GR5_READ_MODE1) === 0) return vram[p + plane];
  // Read mode 1: a 1 where every plane in "don't care" matches its colour compare bit.
  const care = expandBits(s.gc[GR_COLOR_DONT_CARE]);
  const diff = (s.latch ^ expandBits(s.gc[GR_COLOR_COMPARE])) & care;
  return ~(diff | (diff >>> 8) | (diff >>> 16) | (diff >>> 24)) & 0xff;
}

/** Writes one byte of the window at `windowOffset` (0 = A0000). */
export function writeWindowByte(s: VgaState, windowOffset: number, value: number): void {
  if (vbeWindowActive(s)) {
    const a = s.vbe.bank * PLANE_BYTES + windowOffset;
    if (windowOffset < PLANE_BYTES && a < s.vram.length) s.vram[a] = value;
    return;
  }
  const a = hostAddress(s, windowOffset);
  if (a < 0) return;
  const memoryMode = s.seq[SR_MEMORY_MODE];
  let planes = s.seq[SR_MAP_MASK] & 0x0f;
  let offset: number;
  if ((memoryMode & SR4_CHAIN4) !== 0) {
    planes &= 1 << (a & 3);
    offset = a & 0xfffc;
  } else if ((memoryMode & SR4_SEQUENTIAL) === 0) {
    planes &= (a & 1) !== 0 ? 0b1010 : 0b0101;
    offset = oddEvenOffset(s, a);
  } else {
    offset = a & 0xffff;
  }
  if (planes === 0) return;
  offset += vbePlanarBankOffset(s);
  const p = offset * 4;
  const vram = s.vram;
  if (p + 3 >= vram.length) return;
  const data = writeData(s, value & 0xff);
  for (let plane = 0; plane < 4; plane++) {
    if ((planes & (1 << plane)) !== 0) vram[p + plane] = data >>> (8 * plane);
  }
}

/** Odd/even plane offset: A0 dropped, or replaced by A16 when the planes are chained (GR6 bit 1). */
function oddEvenOffset(s: VgaState, a: number): number {
  const chained = (s.gc[GR_MISC] & GR6_CHAIN_ODD_EVEN) !== 0;
  return ((a & 0xfffe) | (chained ? (a >>> 16) & 1 : 0)) & 0xffff;
}

/** Each of the low 4 bits of `bits` as a whole byte of a 32-bit plane word (bit p → byte p). */
function expandBits(bits: number): number {
  return ((bits & 1 ? 0xff : 0) | (bits & 2 ? 0xff00 : 0) | (bits & 4 ? 0xff_0000 : 0) | (bits & 8 ? 0xff00_0000 : 0)) >>> 0;
}

/**
 * The four plane bytes a CPU write of `value` produces (write modes 0-3,
 * logical function, bit mask), plane 0 in bits 0-7.
 */
function writeData(s: VgaState, value: number): number {
  const gc = s.gc;
  const writeMode = gc[GR_MODE] & 3;
  if (writeMode === 1) return s.latch;
  const rotate = gc[GR_DATA_ROTATE] & 7;
  let bitMask = gc[GR_BIT_MASK];
  let data: number;
  switch (writeMode) {
    case 0: {
      const rotated = ((value >>> rotate) | (value << (8 - rotate))) & 0xff;
      const enable = expandBits(gc[GR_ENABLE_SET_RESET]);
      data = (((rotated * SPREAD) & ~enable) | (expandBits(gc[GR_SET_RESET]) & enable)) >>> 0;
      break;
    }
    case 2:
      data = expandBits(value);
      break;
    default: { // 3
      const rotated = ((value >>> rotate) | (value << (8 - rotate))) & 0xff;
      bitMask &= rotated;
      data = expandBits(gc[GR_SET_RESET]);
      break;
    }
  }
  const latch = s.latch;
  switch ((gc[GR_DATA_ROTATE] >> 3) & 3) {
    case 1: data &= latch; break;
    case 2: data |= latch; break;
    case 3: data ^= latch; break;
    default: break;
  }
  const mask = bitMask * SPREAD;
  return ((data & mask) | (latch & ~mask)) >>> 0;
}
