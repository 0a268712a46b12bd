/**
 * A VGA on its own for the VGA tests: port access by absolute port number,
 * the legacy window by physical address, and the dispi ports.
 */
import { Vga, type VgaOptions } from '../../../src/devices/vga/index.js';

/** Small video memory keeps tests quick (the VGA planes need 256 KiB; VBE tests use more). */
export const TEST_VRAM_BYTES = 4 << 20;

/** A VGA with helpers named after the instructions a guest would use. */
export class VgaRig {
  readonly vga: Vga;
  constructor(options: VgaOptions = {}) {
    this.vga = new Vga({ vramBytes: TEST_VRAM_BYTES, ...options });
  }
  /** OUT to a VGA port (0x3B0-0x3DF) or a dispi port (0x1CE-0x1D0). */
  out(port: number, value: number, size: 1 | 2 = 1): void {
    if (port >= 0x1ce && port <= 0x1d0) this.vga.dispi.write(port - 0x1ce, 2, value);
    else this.vga.ports.write(port - 0x3b0, size, value);
  }
  /** IN from a VGA or dispi port. */
  inp(port: number, size: 1 | 2 = 1): number {
    if (port >= 0x1ce && port <= 0x1d0) return this.vga.dispi.read(port - 0x1ce, 2);
    return this.vga.ports.read(port - 0x3b0, size);
  }
  /** An indexed register write: index to `port`, data to `port + 1`. */
  set(port: number, index: number, value: number): void { this.out(port, index); this.out(port + 1, value); }
  /** An indexed register read. */
  get(port: number, index: number): number { this.out(port, index); return this.inp(port + 1); }
  /** Attribute controller write (resets the flip-flop first; keeps the display on). */
  setAttr(index: number, value: number): void { this.inp(0x3da); this.out(0x3c0, index); this.out(0x3c0, value); this.out(0x3c0, 0x20); }
  /** Memory write at a physical address in A0000-BFFFF. */
  poke(gpa: number, value: number, size: 1 | 2 | 4 = 1): void { this.vga.window.write(gpa - 0xa0000, size, value); }
  /** Memory read at a physical address in A0000-BFFFF. */
  peek(gpa: number, size: 1 | 2 | 4 = 1): number { return this.vga.window.read(gpa - 0xa0000, size); }
  /** Byte `offset` of plane `plane`, straight from video memory. */
  plane(plane: number, offset: number): number { return this.vga.state.vram[offset * 4 + plane]; }
  /** Sets byte `offset` of plane `plane` in video memory. */
  setPlane(plane: number, offset: number, value: number): void { this.vga.state.vram[offset * 4 + plane] = value; }
  /** Dispi register write through the index/data ports. */
  dispi(index: number, value: number): void { this.out(0x1ce, index); this.out(0x1cf, value); }
  /** Dispi register read. */
  dispiRead(index: number): number { this.out(0x1ce, index); return this.inp(0x1cf); }
}

/** RGB of pixel (x, y) of an RGBA frame. */
export function pixel(frame: { width: number; rgba: Uint8Array }, x: number, y: number): [number, number, number] {
  const i = (y * frame.width + x) * 4;
  return [frame.rgba[i], frame.rgba[i + 1], frame.rgba[i + 2]];
}
