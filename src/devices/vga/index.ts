/**
 * The VGA's public surface: the adapter, its port ranges, and the helpers
 * tests and the command line use (modes, font, frames, text scraping).
 */
export { Vga, type VgaOptions } from './vga.js';
export { VGA_PORT_RANGES } from './registers.js';
export type { VgaState, VbeState } from './state.js';
export { DEFAULT_VRAM_BYTES } from './state.js';
export { WINDOW_BYTES } from './memory.js';
export {
  Dispi, DISPI_ENABLED, DISPI_GETCAPS, DISPI_8BIT_DAC, DISPI_LFB_ENABLED, DISPI_NOCLEARMEM,
  DISPI_ID0, DISPI_ID5, DISPI_MAX_XRES, DISPI_MAX_YRES, DISPI_MAX_BPP,
} from './vbe.js';
export type { VgaFrame, DisplayMode, BlinkPhase } from './render.js';
export { CP437, type TextCell } from './text-screen.js';
export { MODE_03H, MODE_12H, MODE_13H, programMode, loadFont, type VgaModeRegisters } from './modes.js';
export { builtinFont8x16 } from './font.js';
