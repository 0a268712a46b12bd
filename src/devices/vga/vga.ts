/**
 * An IBM VGA with the Bochs VBE extension, as QEMU's standard VGA ("stdvga",
 * PCI 1234:1111) and Bochs present it. Datasheets: IBM Personal System/2
 * Display Adapter / VGA Technical Reference; the VBE Display API of Bochs;
 * FreeVGA and the OSDev wiki for the register details.
 *
 * | what                  | where (board)          | file          |
 * |-----------------------|------------------------|---------------|
 * | VGA registers         | ports 0x3B4-0x3DA      | registers.ts  |
 * | legacy memory window  | 0xA0000-0xBFFFF        | memory.ts     |
 * | dispi index / data    | ports 0x1CE / 0x1CF    | vbe.ts        |
 * | linear framebuffer    | layout.ts (`vgaLfb`)   | this file     |
 * | CRTC scan-out         | —                      | crtc.ts       |
 * | picture → RGBA        | —                      | render.ts     |
 * | text scraper          | —                      | text-screen.ts|
 *
 * The VGA raises no interrupt (the IBM VGA's vertical retrace IRQ 2 is not
 * wired on PCs of this era).
 *
 * Deviations from hardware: at power-on and reset the VGA is already in
 * mode 03h (80×25 text) with the built-in font in plane 2 and a blank
 * screen, as if a VGA BIOS had run, so guests booted without one (Linux,
 * Multiboot kernels) can write to 0xB8000 at once; a VGA BIOS reprograms
 * everything anyway. Multi-byte port accesses are split into bytes at
 * consecutive ports (OUT DX, AX to 0x3C4 writes index and data).
 * See each concept file for its own deviations.
 */
import type { IoDevice } from '../io-device.js';
import type { MmioHandler } from '../../cpu/physical-memory.js';
import type { Clock } from '../timing.js';
import { createVgaState, DEFAULT_VRAM_BYTES, type VgaState } from './state.js';
import { readRegister, writeRegister } from './registers.js';
import { readWindowByte, writeWindowByte, PLANE_BYTES } from './memory.js';
import { readDispi, writeDispi } from './vbe.js';
import { displayMode, renderFrame, type BlinkPhase, type DisplayMode, type VgaFrame } from './render.js';
import { textCells, textScreen, type TextCell } from './text-screen.js';
import { loadFont, MODE_03H, programMode } from './modes.js';
import { builtinFont8x16 } from './font.js';

/** Options for a {@link Vga}. */
export interface VgaOptions {
  /** Video memory in bytes: a multiple of 64 KiB, at least 256 KiB (default 16 MiB). */
  vramBytes?: number;
  /** Guest time, for the blink cycles; without one the cursor and blinking text stay visible. */
  clock?: Clock;
}

/** Frames per second used to time the blink cycles (mode 03h's 70 Hz). */
const BLINK_FRAME_HZ = 70;

/** The built-in font, generated once per process (it is immutable). */
let builtinFont: Uint8Array | undefined;

/** A VGA adapter with the Bochs VBE extension. */
export class Vga {
  state: VgaState;
  /** The VGA register ports, at offsets from 0x3B0; attach the ranges in VGA_PORT_RANGES with {@link portRange}. */
  readonly ports: IoDevice;
  /** Ports 0x1CE-0x1D0: dispi index (offset 0) and data (offsets 1 and 2). */
  readonly dispi: IoDevice;
  /** The legacy memory window 0xA0000-0xBFFFF (offset 0 = 0xA0000). */
  readonly window: MmioHandler;
  /** The linear framebuffer: all of video memory, byte for byte (map it at layout.ts's address). */
  readonly lfb: MmioHandler;
  private readonly clock?: Clock;

  constructor(options: VgaOptions = {}) {
    const vramBytes = options.vramBytes ?? DEFAULT_VRAM_BYTES;
    if (vramBytes < 4 * PLANE_BYTES || vramBytes % PLANE_BYTES !== 0) {
      throw new RangeError(`VGA memory of ${vramBytes} bytes: need a multiple of 64 KiB, at least 256 KiB`);
    }
    this.clock = options.clock;
    this.state = createVgaState(vramBytes);
    this.powerOnTextMode();

    this.ports = {
      read: (offset, size) => this.splitRead(offset, size, (o) => readRegister(this.state, o)),
      write: (offset, size, value) => this.splitWrite(offset, size, value, (o, v) => writeRegister(this.state, o, v)),
    };
    this.dispi = {
      read: (offset, size) => {
        const v = offset === 0 ? this.state.vbe.index : readDispi(this.state);
        return size === 1 ? v & 0xff : v;
      },
      write: (offset, _size, value) => {
        if (offset === 0) this.state.vbe.index = value & 0xffff;
        else writeDispi(this.state, value);
      },
    };
    this.window = {
      read: (offset, size) => this.splitRead(offset, size, (o) => readWindowByte(this.state, o)),
      write: (offset, size, value) => this.splitWrite(offset, size, value, (o, v) => writeWindowByte(this.state, o, v)),
    };
    this.lfb = {
      read: (offset, size) => {
        const vram = this.state.vram;
        if (offset + size > vram.length) return size === 4 ? -1 : (1 << (8 * size)) - 1;
        if (size === 1) return vram[offset];
        if (size === 2) return vram[offset] | (vram[offset + 1] << 8);
        return vram[offset] | (vram[offset + 1] << 8) | (vram[offset + 2] << 16) | (vram[offset + 3] << 24);
      },
      write: (offset, size, value) => {
        const vram = this.state.vram;
        if (offset + size > vram.length) return;
        vram[offset] = value;
        if (size >= 2) vram[offset + 1] = value >> 8;
        if (size === 4) { vram[offset + 2] = value >> 16; vram[offset + 3] = value >> 24; }
      },
    };
  }

  /** Bytes of video memory (the size of the linear framebuffer). */
  get vramBytes(): number { return this.state.vram.length; }

  /** A view of {@link ports} for a range attached at 0x3B0 + `offset` (its offset 0 is that port). */
  portRange(offset: number): IoDevice {
    return {
      read: (o, size) => this.ports.read(offset + o, size),
      write: (o, size, value) => this.ports.write(offset + o, size, value),
    };
  }

  /**
   * System reset: registers to mode 03h, the VGA planes cleared to a blank
   * text page, the built-in font in plane 2; VBE off. Video memory past the
   * planes keeps its contents, as DRAM does.
   */
  reset(): void {
    const vram = this.state.vram;
    this.state = { ...createVgaState(0), vram };
    this.powerOnTextMode();
  }

  /** The picture now, as RGBA (reusing `target` when its size matches). */
  render(target?: VgaFrame): VgaFrame {
    return renderFrame(this.state, this.blinkPhase(), target);
  }

  /** What the display shows: text, VGA graphics, a VBE mode, or nothing. */
  displayMode(): DisplayMode {
    return displayMode(this.state);
  }

  /** The visible text, one string per row without trailing spaces; [] outside text modes. */
  textScreen(): string[] {
    return textScreen(this.state);
  }

  /** The visible text cells (code page 437 code and attribute), or undefined outside text modes. */
  textCells(): TextCell[][] | undefined {
    return textCells(this.state);
  }

  private blinkPhase(): BlinkPhase {
    if (!this.clock) return { cursorVisible: true, blinkingTextVisible: true };
    const frame = Math.floor((this.clock.nowNs() * BLINK_FRAME_HZ) / 1e9);
    return { cursorVisible: (frame & 8) === 0, blinkingTextVisible: (frame & 16) === 0 };
  }

  /** Mode 03h as a VGA BIOS leaves it: registers, EGA colours, font in plane 2, spaces on grey. */
  private powerOnTextMode(): void {
    programMode(this.state, MODE_03H);
    builtinFont ??= builtinFont8x16();
    loadFont(this.state, builtinFont, 16);
  }

  private splitRead(offset: number, size: 1 | 2 | 4, one: (offset: number) => number): number {
    let value = 0;
    for (let i = 0; i < size; i++) value |= one(offset + i) << (8 * i);
    return size === 4 ? value | 0 : value;
  }

  private splitWrite(offset: number, size: 1 | 2 | 4, value: number, one: (offset: number, value: number) => void): void {
    for (let i = 0; i < size; i++) one(offset + i, (value >>> (8 * i)) & 0xff);
  }
}
