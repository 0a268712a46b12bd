/**
 * anillo's built-in 8×16 text font, for boots without a VGA BIOS (which
 * would load its own font into plane 2). Drawn for this project: printable
 * ASCII as 5×8 glyphs (caps 7 rows high, one descender row), each design row
 * shown twice, in columns 1-5 of the cell; box drawing, shades, blocks and a
 * few symbols of code page 437 are generated from their geometry. Codes it
 * does not draw show a hollow box, so text is never silently invisible.
 */

/** Printable ASCII 0x20-0x7E: 8 rows of 5 columns each ('#' = lit). */
const ASCII_GLYPHS: readonly string[] = [
  '..... ..... ..... ..... ..... ..... ..... .....', // space
  '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.. .....', // !
  '.#.#. .#.#. .#.#. ..... ..... ..... ..... .....', // "
  '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#. .....', // #
  '..#.. .#### #.#.. .###. ..#.# ####. ..#.. .....', // $
  '##... ##..# ...#. ..#.. .#... #..## ...## .....', // %
  '.##.. #..#. #.#.. .#... #.#.# #..#. .##.# .....', // &
  '..#.. ..#.. .#... ..... ..... ..... ..... .....', // '
  '...#. ..#.. .#... .#... .#... ..#.. ...#. .....', // (
  '.#... ..#.. ...#. ...#. ...#. ..#.. .#... .....', // )
  '..... ..#.. #.#.# .###. #.#.# ..#.. ..... .....', // *
  '..... ..#.. ..#.. ##### ..#.. ..#.. ..... .....', // +
  '..... ..... ..... ..... ..... .##.. ..#.. .#...', // ,
  '..... ..... ..... ##### ..... ..... ..... .....', // -
  '..... ..... ..... ..... ..... .##.. .##.. .....', // .
  '....# ...#. ...#. ..#.. .#... .#... #.... .....', // /
  '.###. #...# #..## #.#.# ##..# #...# .###. .....', // 0
  '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###. .....', // 1
  '.###. #...# ....# ...#. ..#.. .#... ##### .....', // 2
  '##### ...#. ..#.. ...#. ....# #...# .###. .....', // 3
  '...#. ..##. .#.#. #..#. ##### ...#. ...#. .....', // 4
  '##### #.... ####. ....# ....# #...# .###. .....', // 5
  '..##. .#... #.... ####. #...# #...# .###. .....', // 6
  '##### ....# ...#. ..#.. .#... .#... .#... .....', // 7
  '.###. #...# #...# .###. #...# #...# .###. .....', // 8
  '.###. #...# #...# .#### ....# ...#. .##.. .....', // 9
  '..... .##.. .##.. ..... .##.. .##.. ..... .....', // :
  '..... .##.. .##.. ..... .##.. ..#.. .#... .....', // ;
  '...#. ..#.. .#... #.... .#... ..#.. ...#. .....', // <
  '..... ..... ##### ..... ##### ..... ..... .....', // =
  '.#... ..#.. ...#. ....# ...#. ..#.. .#... .....', // >
  '.###. #...# ....# ...#. ..#.. ..... ..#.. .....', // ?
  '.###. #...# ....# .##.# #.#.# #.#.# .###. .....', // @
  '.###. #...# #...# #...# ##### #...# #...# .....', // A
  '####. #...# #...# ####. #...# #...# ####. .....', // B
  '.###. #...# #.... #.... #.... #...# .###. .....', // C
  '###.. #..#. #...# #...# #...# #..#. ###.. .....', // D
  '##### #.... #.... ####. #.... #.... ##### .....', // E
  '##### #.... #.... ####. #.... #.... #.... .....', // F
  '.###. #...# #.... #.### #...# #...# .#### .....', // G
  '#...# #...# #...# ##### #...# #...# #...# .....', // H
  '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###. .....', // I
  '..### ...#. ...#. ...#. ...#. #..#. .##.. .....', // J
  '#...# #..#. #.#.. ##... #.#.. #..#. #...# .....', // K
  '#.... #.... #.... #.... #.... #.... ##### .....', // L
  '#...# ##.## #.#.# #.#.# #...# #...# #...# .....', // M
  '#...# #...# ##..# #.#.# #..## #...# #...# .....', // N
  '.###. #...# #...# #...# #...# #...# .###. .....', // O
  '####. #...# #...# ####. #.... #.... #.... .....', // P
  '.###. #...# #...# #...# #.#.# #..#. .##.# .....', // Q
  '####. #...# #...# ####. #.#.. #..#. #...# .....', // R
  '.#### #.... #.... .###. ....# ....# ####. .....', // S
  '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. .....', // T
  '#...# #...# #...# #...# #...# #...# .###. .....', // U
  '#...# #...# #...# #...# #...# .#.#. ..#.. .....', // V
  '#...# #...# #...# #.#.# #.#.# #.#.# .#.#. .....', // W
  '#...# #...# .#.#. ..#.. .#.#. #...# #...# .....', // X
  '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.. .....', // Y
  '##### ....# ...#. ..#.. .#... #.... ##### .....', // Z
  '.###. .#... .#... .#... .#... .#... .###. .....', // [
  '#.... .#... .#... ..#.. ...#. ...#. ....# .....', // backslash
  '.###. ...#. ...#. ...#. ...#. ...#. .###. .....', // ]
  '..#.. .#.#. #...# ..... ..... ..... ..... .....', // ^
  '..... ..... ..... ..... ..... ..... ..... #####', // _
  '.#... ..#.. ...#. ..... ..... ..... ..... .....', // `
  '..... ..... .###. ....# .#### #...# .#### .....', // a
  '#.... #.... #.##. ##..# #...# #...# ####. .....', // b
  '..... ..... .###. #.... #.... #...# .###. .....', // c
  '....# ....# .##.# #..## #...# #...# .#### .....', // d
  '..... ..... .###. #...# ##### #.... .###. .....', // e
  '..##. .#..# .#... ###.. .#... .#... .#... .....', // f
  '..... ..... .#### #...# #...# .#### ....# .###.', // g
  '#.... #.... #.##. ##..# #...# #...# #...# .....', // h
  '..#.. ..... .##.. ..#.. ..#.. ..#.. .###. .....', // i
  '...#. ..... ..##. ...#. ...#. ...#. #..#. .##..', // j
  '#.... #.... #..#. #.#.. ##... #.#.. #..#. .....', // k
  '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###. .....', // l
  '..... ..... ##.#. #.#.# #.#.# #.#.# #.#.# .....', // m
  '..... ..... #.##. ##..# #...# #...# #...# .....', // n
  '..... ..... .###. #...# #...# #...# .###. .....', // o
  '..... ..... ####. #...# #...# ####. #.... #....', // p
  '..... ..... .#### #...# #...# .#### ....# ....#', // q
  '..... ..... #.##. ##..# #.... #.... #.... .....', // r
  '..... ..... .###. #.... .###. ....# ####. .....', // s
  '.#... .#... ###.. .#... .#... .#..# ..##. .....', // t
  '..... ..... #...# #...# #...# #..## .##.# .....', // u
  '..... ..... #...# #...# #...# .#.#. ..#.. .....', // v
  '..... ..... #...# #...# #.#.# #.#.# .#.#. .....', // w
  '..... ..... #...# .#.#. ..#.. .#.#. #...# .....', // x
  '..... ..... #...# #...# #...# .#### ....# .###.', // y
  '..... ..... ##### ...#. ..#.. .#... ##### .....', // z
  '...#. ..#.. ..#.. .#... ..#.. ..#.. ...#. .....', // {
  '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. .....', // |
  '.#... ..#.. ..#.. ...#. ..#.. ..#.. .#... .....', // }
  '..... ..... .#... #.#.# ...#. ..... ..... .....', // ~
];

/** Symbols of code page 437 drawn in the same 5×8 style. */
const SYMBOL_GLYPHS: ReadonlyArray<[number, string]> = [
  [0x04, '..... ..#.. .###. ##### .###. ..#.. ..... .....'], // ♦
  [0x07, '..... ..... .###. .###. .###. ..... ..... .....'], // •
  [0x10, '#.... ##... ###.. ####. ###.. ##... #.... .....'], // ►
  [0x11, '....# ...## ..### .#### ..### ...## ....# .....'], // ◄
  [0x18, '..#.. .###. #.#.# ..#.. ..#.. ..#.. ..#.. .....'], // ↑
  [0x19, '..#.. ..#.. ..#.. ..#.. #.#.# .###. ..#.. .....'], // ↓
  [0x1a, '..... ..#.. ...#. ##### ...#. ..#.. ..... .....'], // →
  [0x1b, '..... ..#.. .#... ##### .#... ..#.. ..... .....'], // ←
  [0x1e, '..... ..#.. ..#.. .###. .###. ##### ..... .....'], // ▲
  [0x1f, '..... ##### .###. .###. ..#.. ..#.. ..... .....'], // ▼
  [0xf8, '.##.. #..#. #..#. .##.. ..... ..... ..... .....'], // °
  [0xf9, '..... ..... ..... .##.. .##.. ..... ..... .....'], // ∙
  [0xfa, '..... ..... ..... ..#.. ..... ..... ..... .....'], // ·
  [0xfe, '..... ..... .###. .###. .###. ..... ..... .....'], // ■
];

/** Box-drawing characters 0xB3-0xDA: line style up, down, left, right (0 none, 1 single, 2 double). */
const BOX_LINES: ReadonlyArray<[number, number, number, number, number]> = [
  [0xb3, 1, 1, 0, 0], [0xb4, 1, 1, 1, 0], [0xb5, 1, 1, 2, 0], [0xb6, 2, 2, 1, 0], [0xb7, 0, 2, 1, 0],
  [0xb8, 0, 1, 2, 0], [0xb9, 2, 2, 2, 0], [0xba, 2, 2, 0, 0], [0xbb, 0, 2, 2, 0], [0xbc, 2, 0, 2, 0],
  [0xbd, 2, 0, 1, 0], [0xbe, 1, 0, 2, 0], [0xbf, 0, 1, 1, 0], [0xc0, 1, 0, 0, 1], [0xc1, 1, 0, 1, 1],
  [0xc2, 0, 1, 1, 1], [0xc3, 1, 1, 0, 1], [0xc4, 0, 0, 1, 1], [0xc5, 1, 1, 1, 1], [0xc6, 1, 1, 0, 2],
  [0xc7, 2, 2, 0, 1], [0xc8, 2, 0, 0, 2], [0xc9, 0, 2, 0, 2], [0xca, 2, 0, 2, 2], [0xcb, 0, 2, 2, 2],
  [0xcc, 2, 2, 0, 2], [0xcd, 0, 0, 2, 2], [0xce, 2, 2, 2, 2], [0xcf, 1, 0, 2, 2], [0xd0, 2, 0, 1, 1],
  [0xd1, 0, 1, 2, 2], [0xd2, 0, 2, 1, 1], [0xd3, 2, 0, 0, 1], [0xd4, 1, 0, 0, 2], [0xd5, 0, 1, 0, 2],
  [0xd6, 0, 2, 0, 1], [0xd7, 2, 2, 1, 1], [0xd8, 1, 1, 2, 2], [0xd9, 1, 0, 1, 0], [0xda, 0, 1, 0, 1],
];

/** Lines of a cell. */
const HEIGHT = 16;
/** Centre column and row of single lines; the two columns and rows of double lines. */
const MID_X = 3, MID_Y = 8, DOUBLE_X = [2, 5], DOUBLE_Y = [6, 10];

/** The 256 glyphs of the built-in font, 16 bytes each (bit 7 = leftmost pixel). */
export function builtinFont8x16(): Uint8Array {
  const font = new Uint8Array(256 * HEIGHT);
  for (let c = 1; c < 256; c++) if (c !== 0x20 && c !== 0xff) hollowBox(font, c);
  ASCII_GLYPHS.forEach((art, i) => drawArt(font, 0x20 + i, art));
  for (const [code, art] of SYMBOL_GLYPHS) drawArt(font, code, art);
  for (const [code, up, down, left, right] of BOX_LINES) drawBox(font, code, up, down, left, right);
  drawShades(font);
  drawBlocks(font);
  font.fill(0, 0xff * HEIGHT, 0x100 * HEIGHT); // non-breaking space
  return font;
}

/** A 5×8 drawing, each row doubled, in columns 1-5. */
function drawArt(font: Uint8Array, code: number, art: string): void {
  const rows = art.split(' ');
  if (rows.length !== 8 || rows.some((r) => r.length !== 5)) throw new Error(`glyph 0x${code.toString(16)} is malformed`);
  rows.forEach((row, r) => {
    let bits = 0;
    for (let x = 0; x < 5; x++) if (row[x] === '#') bits |= 0x40 >> x;
    font[code * HEIGHT + 2 * r] = bits;
    font[code * HEIGHT + 2 * r + 1] = bits;
  });
}

/** The placeholder for codes without a drawing. */
function hollowBox(font: Uint8Array, code: number): void {
  const g = code * HEIGHT;
  font.fill(0, g, g + HEIGHT);
  font[g + 3] = 0x7c;
  for (let y = 4; y < 12; y++) font[g + y] = 0x44;
  font[g + 12] = 0x7c;
}

function setPixel(font: Uint8Array, code: number, x: number, y: number): void {
  font[code * HEIGHT + y] |= 0x80 >> x;
}

function vline(font: Uint8Array, code: number, x: number, y0: number, y1: number): void {
  for (let y = y0; y <= y1; y++) setPixel(font, code, x, y);
}

function hline(font: Uint8Array, code: number, y: number, x0: number, x1: number): void {
  for (let x = x0; x <= x1; x++) setPixel(font, code, x, y);
}

/**
 * A box-drawing character from its four arms. Double arms are two lines;
 * where two double arms meet, the outer lines join at the outer corner and
 * the inner lines at the inner corner (╔ is two nested corners).
 */
function drawBox(font: Uint8Array, code: number, up: number, down: number, left: number, right: number): void {
  font.fill(0, code * HEIGHT, (code + 1) * HEIGHT);
  const vDouble = up === 2 || down === 2;
  const hDouble = left === 2 || right === 2;
  const [xl, xr] = DOUBLE_X;
  const [yt, yb] = DOUBLE_Y;
  // Vertical arms.
  if (up === 1) vline(font, code, MID_X, 0, hDouble ? yt : MID_Y);
  if (down === 1) vline(font, code, MID_X, hDouble ? yb : MID_Y, HEIGHT - 1);
  if (up === 2) {
    vline(font, code, xl, 0, left === 2 ? yt : hDouble ? yb : MID_Y);
    vline(font, code, xr, 0, right === 2 ? yt : hDouble ? yb : MID_Y);
  }
  if (down === 2) {
    vline(font, code, xl, left === 2 ? yb : hDouble ? yt : MID_Y, HEIGHT - 1);
    vline(font, code, xr, right === 2 ? yb : hDouble ? yt : MID_Y, HEIGHT - 1);
  }
  // Horizontal arms.
  if (left === 1) hline(font, code, MID_Y, 0, vDouble ? xl : MID_X);
  if (right === 1) hline(font, code, MID_Y, vDouble ? xr : MID_X, 7);
  if (left === 2) {
    hline(font, code, yt, 0, up === 2 ? xl : vDouble ? xr : MID_X);
    hline(font, code, yb, 0, down === 2 ? xl : vDouble ? xr : MID_X);
  }
  if (right === 2) {
    hline(font, code, yt, up === 2 ? xr : vDouble ? xl : MID_X, 7);
    hline(font, code, yb, down === 2 ? xr : vDouble ? xl : MID_X, 7);
  }
}

/** 0xB0-0xB2: light, medium and dark shade as dither patterns. */
function drawShades(font: Uint8Array): void {
  for (let y = 0; y < HEIGHT; y++) {
    const light = (y & 1) === 0 ? ((y & 2) === 0 ? 0x88 : 0x22) : 0x00;
    font[0xb0 * HEIGHT + y] = light;
    font[0xb1 * HEIGHT + y] = (y & 1) === 0 ? 0xaa : 0x55;
    font[0xb2 * HEIGHT + y] = ~light & 0xff;
  }
}

/** 0xDB-0xDF: full block, lower half, left half, right half, upper half. */
function drawBlocks(font: Uint8Array): void {
  for (let y = 0; y < HEIGHT; y++) {
    font[0xdb * HEIGHT + y] = 0xff;
    font[0xdc * HEIGHT + y] = y >= HEIGHT / 2 ? 0xff : 0;
    font[0xdd * HEIGHT + y] = 0xf0;
    font[0xde * HEIGHT + y] = 0x0f;
    font[0xdf * HEIGHT + y] = y < HEIGHT / 2 ? 0xff : 0;
  }
}
