/**
 * Two debugging ports that test kernels use, following Bochs and QEMU:
 *
 * - DebugConsole: port 0xE9 (Bochs "port E9 hack", QEMU `-debugcon`): each
 *   byte written is output; a read returns 0xE9 so guests can detect it.
 * - DebugExit: QEMU's `isa-debug-exit` at 0xF4: a write of v ends the run
 *   with host status (v << 1) | 1.
 *
 * Deviations from hardware: none; these are emulator conventions, not chips.
 */
import type { IoDevice } from './io-device.js';

/** Port 0xE9 output, one byte at a time. */
export class DebugConsole implements IoDevice {
  constructor(private readonly output: (byte: number) => void) {}
  read(): number { return 0xe9; }
  write(_offset: number, _size: 1 | 2 | 4, value: number): void { this.output(value & 0xff); }
}

/** QEMU isa-debug-exit: the guest asks the host to exit with a status. */
export class DebugExit implements IoDevice {
  constructor(private readonly exit: (status: number) => void) {}
  read(): number { return 0xff; }
  write(_offset: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 4 ? value >>> 0 : value & ((1 << (8 * size)) - 1);
    this.exit(((v << 1) | 1) >>> 0);
  }
}
