/**
 * The SSE/SSE2 architectural state (SDM Vol. 1 §10.2): eight 128-bit XMM
 * registers and MXCSR, and the scratch the instructions work in, allocated
 * once per CPU so no instruction allocates.
 *
 * XMM registers are kept as 32 little-endian dwords (register r's dword k at
 * `xmm[4 r + k]`); the byte, word and float views of the scratch lanes rely
 * on the host being little-endian, as every JavaScript host anillo targets
 * is (checked at load).
 */
import { SseFloat } from './sse-float.js';

/** MXCSR bits (SDM Vol. 1 Figure 10-3). */
export const enum Mxcsr {
  IE = 1 << 0, DE = 1 << 1, ZE = 1 << 2, OE = 1 << 3, UE = 1 << 4, PE = 1 << 5,
  /** Denormals are zeros (SDM Vol. 1 §10.2.3.4). */
  DAZ = 1 << 6,
  /** The six exception masks IM..PM (bits 7-12). */
  MASKS = 0x3f << 7,
  RC = 3 << 13,
  /** Flush to zero (SDM Vol. 1 §10.2.3.3). */
  FZ = 1 << 15,
  /** The six exception flags. */
  FLAGS = 0x3f,
}

/** MXCSR after RESET and FNINIT-independent power-up (SDM Vol. 3A Table 9-1): all masked, round to nearest. */
export const MXCSR_RESET = 0x1f80;
/**
 * MXCSR_MASK as FXSAVE stores it (SDM Vol. 1 §11.6.6): bits 0-15 writable,
 * DAZ included. Writing any other bit raises #GP(0).
 */
export const MXCSR_MASK = 0xffff;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('anillo needs a little-endian host');

/** One 128-bit operand's bytes with every integer view (little-endian lanes). */
export class Lanes {
  readonly buf = new ArrayBuffer(16);
  readonly u8 = new Uint8Array(this.buf);
  readonly i8 = new Int8Array(this.buf);
  readonly u16 = new Uint16Array(this.buf);
  readonly i16 = new Int16Array(this.buf);
  readonly i32 = new Int32Array(this.buf);
  readonly u32 = new Uint32Array(this.buf);
}

/** The XMM registers, MXCSR and the SSE arithmetic unit. */
export class SseState {
  mxcsr = MXCSR_RESET;
  /**
   * The float unit the SSE arithmetic uses (the x87's software core in IEEE
   * single/double mode, see sse-float.ts); its own instance, so SSE never
   * disturbs the x87's rounding and masks.
   */
  readonly fp = new SseFloat();
  /** Scratch operands: destination, source, and a temporary. */
  readonly d = new Lanes();
  readonly s = new Lanes();
  readonly t = new Lanes();
  /** The current instruction passed the MMX checks: make the MMX transition when it completes. */
  mmxTransition = false;

  /**
   * @param xmm XMM0-XMM7 as dwords, register r's dword k at index 4r + k:
   * the CPU's state-block words (state-block.ts StateWord.XMM), where
   * WebAssembly regions read and write them, or a plain array of 32.
   */
  constructor(readonly xmm: Int32Array = new Int32Array(32)) {
    if (xmm.length !== 32) throw new Error('SseState: XMM registers need 32 dwords');
  }

  /** RESET (SDM Vol. 3A Table 9-1): XMM registers 0, MXCSR 1F80h. INIT keeps them (not modelled separately). */
  reset(): void {
    this.xmm.fill(0);
    this.mxcsr = MXCSR_RESET;
  }
}
