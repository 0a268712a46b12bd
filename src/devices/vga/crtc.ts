/**
 * What the CRT controller scans out: the display's size in character clocks
 * and scan lines, where each line starts in video memory, and how the
 * memory address counter becomes a plane offset (IBM VGA Technical
 * Reference, "CRT Controller Registers"; FreeVGA "CRTC Registers").
 *
 * The counter starts each frame at the start address (CR0C:CR0D) and each
 * character row at the previous row's start plus 2 × Offset (CR13); it
 * advances once per character clock (or per 2 or 4, with CR17 bit 3 / CR14
 * bit 5). Its value becomes a plane offset by the addressing mode:
 * - byte mode (CR17 bit 6): as is;
 * - word mode: shifted left 1, with MA13 or MA15 (CR17 bit 5) as bit 0;
 * - double-word mode (CR14 bit 6): shifted left 2.
 * CR17 bits 0 and 1, when clear, put row scan bits 0 and 1 on address bits
 * 13 and 14 (the CGA and Hercules interleaved graphics layouts). When the
 * scan line reaches the line compare value (CR18 with bits in CR07 and
 * CR09) the counter restarts at 0: the split screen.
 *
 * Deviations from hardware: in double-word mode IBM's chip also feeds MA12
 * and MA13 into address bits 0 and 1; that is not modelled (and chain-4
 * writes in memory.ts clear A1-A0 to match, so mode 13h reads back as
 * written). Horizontal and vertical timing (sync, blanking, totals) only
 * serve to size the display: the picture is the display-enable area.
 */
import type { VgaState } from './state.js';
import {
  CR09_DOUBLE_SCAN, CR14_COUNT_BY_4, CR14_DWORD, CR17_ADDRESS_WRAP, CR17_BYTE_MODE, CR17_COUNT_BY_2, CR17_MAP13,
  CR17_MAP14, CR_CURSOR_HI, CR_CURSOR_LO, CR_HDISP_END, CR_LINE_COMPARE, CR_MAX_SCAN, CR_MODE, CR_OFFSET,
  CR_OVERFLOW, CR_START_HI, CR_START_LO, CR_UNDERLINE, CR_VDISP_END,
} from './registers.js';

/** The CRTC's view of the display, decoded from its registers. */
export interface CrtcGeometry {
  /** Character clocks per displayed line (CR01 + 1). */
  columns: number;
  /** Displayed scan lines (vertical display end + 1). */
  scanLines: number;
  /** Scan lines per character row (CR09 bits 4-0, + 1). */
  rowScans: number;
  /** Each scan line is shown twice (CR09 bit 7). */
  doubleScan: boolean;
  /** Counter value at the top of the screen. */
  startAddress: number;
  /** Counter units from one character row to the next (2 × CR13). */
  rowStride: number;
  /** Scan line at which the counter restarts at 0 (split screen). */
  lineCompare: number;
  /** Character clocks per counter step (1, 2 or 4). */
  countBy: number;
  /** Counter value of the text cursor. */
  cursorAddress: number;
}

/** Decodes the CRTC registers. */
export function crtcGeometry(s: VgaState): CrtcGeometry {
  const cr = s.crtc;
  const overflow = cr[CR_OVERFLOW];
  const maxScan = cr[CR_MAX_SCAN];
  return {
    columns: cr[CR_HDISP_END] + 1,
    scanLines: (cr[CR_VDISP_END] | ((overflow & 0x02) << 7) | ((overflow & 0x40) << 3)) + 1,
    rowScans: (maxScan & 0x1f) + 1,
    doubleScan: (maxScan & CR09_DOUBLE_SCAN) !== 0,
    startAddress: (cr[CR_START_HI] << 8) | cr[CR_START_LO],
    rowStride: cr[CR_OFFSET] * 2,
    lineCompare: cr[CR_LINE_COMPARE] | ((overflow & 0x10) << 4) | ((maxScan & 0x40) << 3),
    countBy: (cr[CR_UNDERLINE] & CR14_COUNT_BY_4) !== 0 ? 4 : (cr[CR_MODE] & CR17_COUNT_BY_2) !== 0 ? 2 : 1,
    cursorAddress: (cr[CR_CURSOR_HI] << 8) | cr[CR_CURSOR_LO],
  };
}

/** The plane offset the counter value `counter` addresses on row scan line `rowScan`. */
export function scanAddress(s: VgaState, counter: number, rowScan: number): number {
  const mode = s.crtc[CR_MODE];
  let a: number;
  if ((s.crtc[CR_UNDERLINE] & CR14_DWORD) !== 0) {
    a = counter << 2;
  } else if ((mode & CR17_BYTE_MODE) !== 0) {
    a = counter;
  } else {
    const wrapBit = (mode & CR17_ADDRESS_WRAP) !== 0 ? 15 : 13;
    a = (counter << 1) | ((counter >> wrapBit) & 1);
  }
  if ((mode & CR17_MAP13) === 0) a = (a & ~0x2000) | ((rowScan & 1) << 13);
  if ((mode & CR17_MAP14) === 0) a = (a & ~0x4000) | ((rowScan & 2) << 13);
  return a & 0xffff;
}
