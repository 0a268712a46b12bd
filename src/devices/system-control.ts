/**
 * Two small board ports:
 *
 * - System control port A at 0x92, the PS/2 "fast A20 and reset" port (IBM
 *   PS/2 Hardware Interface Technical Reference, "System Control Port A";
 *   Intel 82371SB PIIX3 datasheet "Port 92 Register"):
 *
 *   | bit | r/w | meaning                                              |
 *   |-----|-----|------------------------------------------------------|
 *   | 0   | rw  | fast reset: a 0 → 1 transition resets the machine    |
 *   | 1   | rw  | alternate A20 gate: 1 = address line 20 enabled      |
 *   | 3   | rw  | power-on password lock (stored only)                 |
 *   | 6-7 | rw  | fixed-disk activity lights (stored only)             |
 *
 * - The POST code port 0x80 (IBM PC/AT BIOS checkpoint port, read back by
 *   POST cards and by most chipsets): each write is the firmware's latest
 *   checkpoint; Linux also writes here as an I/O delay.
 *
 * Bit 1 is one input of the A20 gate: the board ORs it with the 8042's A20
 * output (pc-board.ts), so with the 8042's line high (its power-on state)
 * clearing bit 1 does not mask A20. The port powers on reading 0x00: ALT_A20
 * "upon reset ... is driven low" (SMSC LPC47M14x datasheet, "Port 92 Fast
 * GateA20 and Keyboard Reset").
 *
 * Deviations from hardware: fast reset resets the whole machine (the PIIX
 * pulses the CPU's INIT#).
 */
import type { IoDevice } from './io-device.js';

const FAST_RESET = 0x01;
const A20_ENABLE = 0x02;
const WRITABLE_92 = 0xcb;

/** The A20 line into the CPU, as driven by one of its sources. */
export interface A20Gate {
  /** Enables (true) or masks (false) physical address bit 20. */
  setA20(enabled: boolean): void;
}

/** Plain-data state of port 0x92 (snapshot format, version 1). */
export interface SystemControlState {
  version: 1;
  value: number;
}

/** System control port A (0x92). */
export class SystemControlPortA implements IoDevice {
  state: SystemControlState = { version: 1, value: 0 };

  /** `requestReset` asks the VM for a machine reset; it happens after the current instruction. */
  constructor(private readonly a20: A20Gate, private readonly requestReset: () => void) {}

  /** Power-on state: ALT_A20 low, no reset pending. */
  reset(): void {
    this.state = { version: 1, value: 0 };
    this.a20.setA20(false);
  }

  read(_offset?: number, _size?: 1 | 2 | 4): number { return this.state.value; }

  write(_offset: number, _size: 1 | 2 | 4, value: number): void {
    const old = this.state.value;
    value &= WRITABLE_92;
    this.state.value = value;
    if (((old ^ value) & A20_ENABLE) !== 0) this.a20.setA20((value & A20_ENABLE) !== 0);
    if ((value & FAST_RESET) !== 0 && (old & FAST_RESET) === 0) this.requestReset();
  }
}

/** Plain-data state of the POST code port (snapshot format, version 1). */
export interface PostCodeState {
  version: 1;
  /** The last code written, or -1 before the first. */
  lastCode: number;
}

/** POST checkpoint port 0x80. */
export class PostCodePort implements IoDevice {
  state: PostCodeState = { version: 1, lastCode: -1 };

  /** `onCode` observes each code written (a no-op by default). */
  constructor(private readonly onCode: (code: number) => void = () => {}) {}

  read(_offset?: number, _size?: 1 | 2 | 4): number { return this.state.lastCode < 0 ? 0xff : this.state.lastCode; }

  write(_offset: number, _size: 1 | 2 | 4, value: number): void {
    this.state.lastCode = value & 0xff;
    this.onCode(value & 0xff);
  }
}
