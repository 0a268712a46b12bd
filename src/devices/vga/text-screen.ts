/**
 * Reads the text a guest shows in a VGA text mode, as strings: for tests
 * that assert what a guest printed to 0xB8000 and for the command line.
 * Characters are fetched the way the CRTC fetches them (start address, row
 * stride, addressing mode; see crtc.ts) and translated from code page 437,
 * the VGA's built-in character set, to Unicode.
 */
import type { VgaState } from './state.js';
import { crtcGeometry, scanAddress } from './crtc.js';
import { AR10_GRAPHICS, AR_MODE } from './registers.js';
import { vbeEnabled } from './vbe.js';

/** Code page 437 as Unicode: the glyphs of codes 0x00-0xFF (0x00 and 0xFF shown as spaces). */
export const CP437 =
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
  ' !"#$%&\'()*+,-./0123456789:;<=>?' +
  '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_' +
  '`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ';

/** A text cell: its code page 437 code and attribute byte. */
export interface TextCell {
  code: number;
  attribute: number;
}

/**
 * The cells of the visible text screen, row by row, or undefined when the
 * display is not in a text mode (a blanked text screen still has its text).
 */
export function textCells(s: VgaState): TextCell[][] | undefined {
  if (vbeEnabled(s) || (s.ac[AR_MODE] & AR10_GRAPHICS) !== 0) return undefined;
  const g = crtcGeometry(s);
  const rowCount = Math.floor(g.scanLines / ((g.doubleScan ? 2 : 1) * g.rowScans));
  const rows: TextCell[][] = [];
  for (let r = 0; r < rowCount; r++) {
    const rowStart = (g.startAddress + r * g.rowStride) & 0xffff;
    const row: TextCell[] = [];
    for (let col = 0; col < g.columns; col++) {
      const a = scanAddress(s, (rowStart + Math.floor(col / g.countBy)) & 0xffff, 0) * 4;
      row.push({ code: s.vram[a], attribute: s.vram[a + 1] });
    }
    rows.push(row);
  }
  return rows;
}

/**
 * The visible text screen as one string per row, trailing spaces removed;
 * an empty array when the display is not in a text mode.
 */
export function textScreen(s: VgaState): string[] {
  const cells = textCells(s);
  if (!cells) return [];
  return cells.map((row) => row.map((c) => CP437[c.code]).join('').trimEnd());
}
