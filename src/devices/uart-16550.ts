/**
 * 16550A UART (National Semiconductor PC16550D datasheet), as COM1..COM4.
 *
 * | off | DLAB=0 read | DLAB=0 write | DLAB=1   |
 * |-----|-------------|--------------|----------|
 * | 0   | RBR         | THR          | DLL      |
 * | 1   | IER         | IER          | DLM      |
 * | 2   | IIR         | FCR          |          |
 * | 3   | LCR         | LCR          |          |
 * | 4   | MCR         | MCR          |          |
 * | 5   | LSR         | (factory)    |          |
 * | 6   | MSR         | (ignored)    |          |
 * | 7   | SCR         | SCR          |          |
 *
 * Deviations from hardware: transmission is instantaneous (THR is always
 * empty, so THRE/TEMT read 1); the receive FIFO is 16 bytes deep but trigger
 * levels are not modelled (data-ready interrupts fire on any byte); MCR
 * loopback is modelled for transmitted bytes only; no modem-status changes.
 */
import type { IoDevice, IrqLine } from './io-device.js';

const IER_RDA = 0x01, IER_THRE = 0x02;
const IIR_NONE = 0x01, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_FIFO = 0xc0;
const LCR_DLAB = 0x80;
const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
const FIFO_DEPTH = 16;

/** Plain-data state of a UART (snapshot format, version 1). */
export interface Uart16550State {
  version: 1;
  ier: number; lcr: number; mcr: number; scr: number; fcr: number;
  divisor: number;
  /** A THRE interrupt is pending (cleared by reading IIR or writing THR). */
  threPending: boolean;
  rx: number[];
}

/** A 16550A serial port. */
export class Uart16550 implements IoDevice {
  state: Uart16550State = {
    version: 1, ier: 0, lcr: 0x03, mcr: 0, scr: 0, fcr: 0, divisor: 12, threPending: false, rx: [],
  };

  constructor(private readonly irq: IrqLine, private readonly transmit: (byte: number) => void) {}

  /** Queues bytes from the host side (keyboard, pipe) for the guest to read. */
  receive(bytes: Uint8Array | number[]): void {
    for (const b of bytes) if (this.state.rx.length < FIFO_DEPTH * 64) this.state.rx.push(b & 0xff);
    this.updateIrq();
  }

  read(offset: number): number {
    const s = this.state;
    const dlab = (s.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case 0:
        if (dlab) return s.divisor & 0xff;
        {
          const b = s.rx.length > 0 ? s.rx.shift()! : 0;
          this.updateIrq();
          return b;
        }
      case 1: return dlab ? (s.divisor >> 8) & 0xff : s.ier;
      case 2: {
        const iir = this.interruptId();
        if (iir === IIR_THRE) { s.threPending = false; this.updateIrq(); }
        return iir | ((s.fcr & 1) !== 0 ? IIR_FIFO : 0);
      }
      case 3: return s.lcr;
      case 4: return s.mcr;
      case 5: return LSR_THRE | LSR_TEMT | (s.rx.length > 0 ? LSR_DR : 0);
      case 6: return (s.mcr & MCR_LOOP) !== 0 ? ((s.mcr & 0x0f) << 4) : 0xb0; // CTS, DSR, DCD asserted
      default: return s.scr;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const s = this.state;
    value &= 0xff;
    const dlab = (s.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case 0:
        if (dlab) { s.divisor = (s.divisor & 0xff00) | value; return; }
        if ((s.mcr & MCR_LOOP) !== 0) s.rx.push(value);
        else this.transmit(value);
        s.threPending = true;
        this.updateIrq();
        return;
      case 1:
        if (dlab) { s.divisor = (s.divisor & 0xff) | (value << 8); return; }
        // Enabling THRE interrupts with THR empty raises one at once (datasheet §8.6.3).
        if ((value & IER_THRE) !== 0 && (s.ier & IER_THRE) === 0) s.threPending = true;
        s.ier = value & 0x0f;
        this.updateIrq();
        return;
      case 2:
        s.fcr = value & 0xc9;
        if ((value & 0x02) !== 0) s.rx.length = 0;
        this.updateIrq();
        return;
      case 3: s.lcr = value; return;
      case 4: s.mcr = value & 0x1f; this.updateIrq(); return;
      case 7: s.scr = value; return;
      default: return;
    }
  }

  private interruptId(): number {
    const s = this.state;
    if ((s.ier & IER_RDA) !== 0 && s.rx.length > 0) return IIR_RDA;
    if ((s.ier & IER_THRE) !== 0 && s.threPending) return IIR_THRE;
    return IIR_NONE;
  }

  /** PCs gate the UART's interrupt output with MCR.OUT2. */
  private updateIrq(): void {
    if (this.interruptId() !== IIR_NONE && (this.state.mcr & MCR_OUT2) !== 0) this.irq.raise();
    else this.irq.lower();
  }
}
