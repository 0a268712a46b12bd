/**
 * System control port B at 0x61 (IBM PC/AT Technical Reference, "Port B";
 * on later boards the south bridge's NMI status and control register, e.g.
 * Intel 82371SB PIIX3 datasheet "NMI Status and Control Register"). It gates
 * PIT counter 2 and the speaker, reads counter 2's OUT, and shows the
 * refresh toggle that BIOS and kernel delay loops poll.
 *
 * | bit | r/w | meaning                                                   |
 * |-----|-----|-----------------------------------------------------------|
 * | 0   | rw  | PIT counter 2 GATE                                        |
 * | 1   | rw  | speaker data enable (counter 2 OUT to the speaker)        |
 * | 2   | rw  | parity/SERR# check disable (1 = NMI source off)           |
 * | 3   | rw  | I/O channel check disable (1 = NMI source off)            |
 * | 4   | r   | refresh toggle: flips every 15.085 µs                     |
 * | 5   | r   | PIT counter 2 OUT                                         |
 * | 6   | r   | I/O channel check (IOCHK#) NMI status                     |
 * | 7   | r   | parity error (SERR#) NMI status                           |
 *
 * Deviations from hardware: the refresh toggle runs from the clock at the
 * AT's rate (PIT counter 1 in mode 2 with count 18, 15.085 µs per toggle)
 * whatever counter 1 is programmed to; there is no speaker (bit 1 is only
 * stored) and no NMI source, so bits 6 and 7 read 0.
 */
import type { IoDevice } from './io-device.js';
import { ticksAt, type Clock } from './timing.js';
import { PIT_HZ } from './pit-8254.js';

const GATE2 = 0x01;
const WRITABLE = 0x0f;
const REFRESH_TOGGLE = 0x10;
const OUT2 = 0x20;
/** PIT clocks per refresh request on the AT (counter 1, mode 2, count 18). */
const REFRESH_TICKS = 18;

/** What port B needs from the PIT: counter 2's GATE in and OUT back. */
export interface Counter2Pins {
  setGate(n: 2, high: boolean): void;
  output(n: 2): boolean;
}

/** Plain-data state of port B (snapshot format, version 1). */
export interface Port61State {
  version: 1;
  /** Bits 0-3 as written. */
  control: number;
}

/** System control port B. */
export class Port61 implements IoDevice {
  state: Port61State = { version: 1, control: 0 };

  constructor(private readonly clock: Clock, private readonly pit: Counter2Pins) {}

  /** Power-on reset: gate and speaker off, NMI sources enabled. */
  reset(): void {
    this.state = { version: 1, control: 0 };
    this.pit.setGate(2, false);
  }

  read(_offset?: number, _size?: 1 | 2 | 4): number {
    const refresh = Math.floor(ticksAt(this.clock.nowNs(), PIT_HZ) / REFRESH_TICKS) & 1;
    return this.state.control | (refresh !== 0 ? REFRESH_TOGGLE : 0) | (this.pit.output(2) ? OUT2 : 0);
  }

  write(_offset: number, _size: 1 | 2 | 4, value: number): void {
    this.state.control = value & WRITABLE;
    this.pit.setGate(2, (value & GATE2) !== 0);
  }
}
