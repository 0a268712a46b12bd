/**
 * Intel 82371SB PIIX3 PCI-to-ISA bridge, function 0 (Intel 82371FB (PIIX)
 * and 82371SB (PIIX3) PCI ISA IDE Xcelerator datasheet, order no. 290550):
 * vendor 0x8086, device 0x7000, a multi-function device whose function 1 is
 * the IDE controller (piix3-ide.ts). Here: its configuration registers, the
 * PCI interrupt router (PIRQ[A:D]# to ISA IRQs) and the reset control
 * register at I/O 0xCF9. The ISA-side chips it contains (8259A pair with
 * ELCR, 8254, RTC, port 61/92) are their own files.
 *
 * | off       | register    | modelled                                         |
 * |-----------|-------------|--------------------------------------------------|
 * | 0x00-0x3F | header      | class 06 01 00 (ISA bridge), header type 0x80    |
 * | 0x4C      | IORT        | stored (default 0x4D)                            |
 * | 0x4E-0x4F | XBCS        | stored (default 0x0003)                          |
 * | 0x60-0x63 | PIRQRC[A:D] | bit 7 = not routed, bits 3:0 = ISA IRQ; routes   |
 * | 0x69      | TOM         | stored (default 0x02)                            |
 * | 0x6A-0x6B | MSTAT       | stored                                           |
 * | 0x70-0x71 | MBIRQ0-1    | stored (default 0x80); not routed                |
 * | 0x76-0x77 | MBDMA0-1    | stored (default 0x04)                            |
 * | 0x80-0xFF | APIC, DLC, SMI, … | stored                                     |
 *
 * | I/O   | register                                                          |
 * |-------|-------------------------------------------------------------------|
 * | 0xCF9 | reset control: bit 1 SRST (hard/soft), bit 2 RCPU (0→1 resets)   |
 *
 * PIRQ routing (datasheet §2.2.10 "PIRQRC"): a PIRQ input is level
 * triggered and active while any device on it asserts INTx#; a routed PIRQ
 * drives its ISA IRQ, and several PIRQs may share one IRQ (wired-OR).
 * Firmware must also mark the IRQ level-triggered in the ELCR (pic-8259.ts).
 * IRQ 0, 1, 2, 8 and 13 are reserved values, treated as not routed.
 *
 * Deviations from hardware: motherboard IRQs (MBIRQ), the DMA controller
 * routing and the APIC chip select are stored only; a soft reset (SRST = 0)
 * resets the whole machine, as a hard one does.
 */
import type { IoDevice, IrqLine } from '../io-device.js';
import { HEADER_MULTI_FUNCTION, PciFunction } from './pci-function.js';

/** PIRQRC[A]: the first of four route control registers. */
const PIRQRC = 0x60;
/** PIRQRC bit 7: the PIRQ is not routed to an ISA IRQ. */
const PIRQRC_DISABLE = 0x80;
/** PIRQRC bits that exist: disable and the IRQ number. */
const PIRQRC_WRITABLE = 0x8f;
/** ISA IRQs a PIRQ may be routed to (datasheet: 3-7, 9-12, 14, 15). */
const ROUTABLE_IRQS = 0b1101_1110_1111_1000;
/** Reset control: CPU reset on a 0→1 transition. */
const RC_RCPU = 0x04;
/** Reset control: the reset is a hard one (the whole system). */
const RC_SRST = 0x02;

/** The PIIX3 PCI-to-ISA bridge (function 0) with its PIRQ router. */
export class Piix3Isa extends PciFunction {
  /** Per PIRQ: a bit per device line currently asserting it. */
  private readonly pirqLevels = [0, 0, 0, 0];
  private readonly pirqSources = [0, 0, 0, 0];
  /** ISA IRQs this router drives high now (bit per IRQ). */
  private driven = 0;
  private readonly isaLines = new Map<number, IrqLine>();
  /** The reset control register at 0xCF9 (offset 0). */
  readonly resetControl: IoDevice;
  private resetControlValue = 0;

  /**
   * `isaIrq(n)` gives the router's own input to ISA IRQ n (shared with the
   * other devices on that IRQ); `requestReset` is called on a reset through 0xCF9.
   */
  constructor(private readonly isaIrq: (irq: number) => IrqLine, requestReset: () => void) {
    super('PIIX3 PCI-to-ISA bridge', {
      vendorId: 0x8086, deviceId: 0x7000, revision: 0x00, classCode: 0x06_0100,
      headerType: HEADER_MULTI_FUNCTION, command: 0x0007, commandWritable: 0x0008, status: 0x0200,
    });
    for (let r = 0x40; r <= 0xff; r++) this.define(r, 1, 0, 0xff);
    this.define(0x4c, 1, 0x4d, 0xff);
    this.define(0x4e, 2, 0x0003, 0xffff);
    for (let i = 0; i < 4; i++) this.define(PIRQRC + i, 1, PIRQRC_DISABLE, PIRQRC_WRITABLE);
    this.define(0x69, 1, 0x02, 0xff);
    this.define(0x70, 2, 0x8080, 0xffff);
    this.define(0x76, 2, 0x0404, 0xffff);
    this.resetControl = {
      read: () => this.resetControlValue,
      write: (_offset, _size, value) => {
        const rising = (value & RC_RCPU) !== 0 && (this.resetControlValue & RC_RCPU) === 0;
        this.resetControlValue = value & (RC_RCPU | RC_SRST);
        if (rising) {
          this.resetControlValue = 0;
          requestReset();
        }
      },
    };
  }

  /** A new device input to PIRQ n (0-3 = A-D), wire-ORed with the others on it. */
  pirqLine(n: number): IrqLine {
    const bit = 1 << this.pirqSources[n]++;
    return {
      raise: () => { this.pirqLevels[n] |= bit; this.route(); },
      lower: () => { this.pirqLevels[n] &= ~bit; this.route(); },
    };
  }

  /** The ISA IRQ PIRQ n is routed to, or undefined. */
  routedIrq(n: number): number | undefined {
    const v = this.state.config[PIRQRC + n];
    const irq = v & 0x0f;
    return (v & PIRQRC_DISABLE) === 0 && (ROUTABLE_IRQS & (1 << irq)) !== 0 ? irq : undefined;
  }

  protected override configWritten(offset: number, size: number): void {
    if (offset < PIRQRC + 4 && offset + size > PIRQRC) this.route();
  }

  protected override resetDevice(): void {
    this.resetControlValue = 0;
    this.route();
  }

  /** Drives each ISA IRQ high while any PIRQ routed to it is asserted. */
  private route(): void {
    let want = 0;
    for (let n = 0; n < 4; n++) {
      const irq = this.routedIrq(n);
      if (irq !== undefined && this.pirqLevels[n] !== 0) want |= 1 << irq;
    }
    const changed = want ^ this.driven;
    this.driven = want;
    for (let irq = 0; irq < 16; irq++) {
      if ((changed & (1 << irq)) === 0) continue;
      const line = this.line(irq);
      if ((want & (1 << irq)) !== 0) line.raise();
      else line.lower();
    }
  }

  private line(irq: number): IrqLine {
    let l = this.isaLines.get(irq);
    if (!l) { l = this.isaIrq(irq); this.isaLines.set(irq, l); }
    return l;
  }
}
