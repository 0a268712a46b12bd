/**
 * The PC board: the chips of a PC/AT-compatible machine (the PIIX-era set
 * SeaBIOS and Linux expect), attached to the I/O bus at the ports in
 * layout.ts and wired to each other only here:
 *
 *   PIT counter 0 OUT ─► IRQ 0 ┐
 *   COM2/COM4 ─────────► IRQ 3 ├► 8259A master ─► INTR (CPU)   INTA ◄─ acknowledge()
 *   COM1/COM3 ─────────► IRQ 4 │      ▲ IR2
 *   RTC ───────────────► IRQ 8 ─► 8259A slave
 *   port 0x61 ◄─► PIT counter 2 GATE/OUT;  port 0x92 ─► A20 line, reset request
 *
 * The board owns no time of its own: the VM calls advanceTimers(now) between
 * vCPU slices and sizes the next slice to the earliest deadline returned.
 * Guest writes to a timed device may move its deadline, so they are reported
 * through `timersChanged` (the VM ends the slice and asks again).
 */
import type { IoBus } from '../devices/io-bus.js';
import type { IoDevice, IrqLine } from '../devices/io-device.js';
import type { Clock, TimedDevice } from '../devices/timing.js';
import { Pic8259Pair } from '../devices/pic-8259.js';
import { Pit8254 } from '../devices/pit-8254.js';
import { Port61 } from '../devices/port-61.js';
import { CmosRtc, type PcCmosConfig } from '../devices/cmos-rtc.js';
import { PostCodePort, SystemControlPortA, type A20Gate } from '../devices/system-control.js';
import { Uart16550 } from '../devices/uart-16550.js';
import { IRQS, PORTS } from './layout.js';

/** What the board needs from the machine around it. */
export interface PcBoardOptions {
  io: IoBus;
  clock: Clock;
  /** The CPU's INTR pin, driven by the master 8259A. */
  setIntr(level: boolean): void;
  /** The CPU's A20 line. */
  a20: A20Gate;
  /** The guest asked for a machine reset (port 0x92 bit 0). */
  requestReset(): void;
  /** The guest wrote to a device with timers: its deadline may have moved. */
  timersChanged(): void;
  /** What the RTC shows at start, in ms since 1970. */
  rtcStartMs: number;
  /** Transmit side of COM1-COM4; a port without one is left off the board. */
  serial: ReadonlyArray<((byte: number) => void) | undefined>;
  /** Observes POST codes written to port 0x80. */
  postCode?: (code: number) => void;
}

const COM_PORTS = [PORTS.com1, PORTS.com2, PORTS.com3, PORTS.com4];
const COM_IRQS = [IRQS.com1, IRQS.com2, IRQS.com1, IRQS.com2];

/** The devices of a PC and their wiring. */
export class PcBoard {
  readonly pic: Pic8259Pair;
  readonly pit: Pit8254;
  readonly port61: Port61;
  readonly rtc: CmosRtc;
  readonly systemControl: SystemControlPortA;
  readonly postCode: PostCodePort;
  /** COM1-COM4, undefined where the board has no port. */
  readonly serial: ReadonlyArray<Uart16550 | undefined>;
  private readonly timed: TimedDevice[];

  constructor(o: PcBoardOptions) {
    const io = o.io;
    this.pic = new Pic8259Pair(o.setIntr);
    this.pit = new Pit8254(o.clock, this.pic.irqLine(IRQS.pit));
    this.port61 = new Port61(o.clock, this.pit);
    this.rtc = new CmosRtc(o.clock, this.pic.irqLine(IRQS.rtc), o.rtcStartMs);
    this.systemControl = new SystemControlPortA(o.a20, o.requestReset);
    this.postCode = new PostCodePort(o.postCode);
    this.timed = [this.pit, this.rtc];

    io.attach(PORTS.picMaster, 2, this.pic.master, '8259A master');
    io.attach(PORTS.picSlave, 2, this.pic.slave, '8259A slave');
    io.attach(PORTS.elcr, 2, this.pic.elcr, 'ELCR');
    io.attach(PORTS.pit, 4, reportingWrites(this.pit, o.timersChanged), '8254 PIT');
    io.attach(PORTS.systemControlB, 1, this.port61, 'port B');
    io.attach(PORTS.cmos, 2, reportingWrites(this.rtc, o.timersChanged), 'MC146818 RTC');
    io.attach(PORTS.postCode, 1, this.postCode, 'POST code');
    io.attach(PORTS.systemControlA, 1, this.systemControl, 'port A');

    const shared = new Map<number, () => IrqLine>();
    this.serial = COM_PORTS.map((base, i) => {
      const transmit = o.serial[i];
      if (!transmit) return undefined;
      const irq = COM_IRQS[i];
      if (!shared.has(irq)) shared.set(irq, wiredOr(this.pic.irqLine(irq)));
      const uart = new Uart16550(shared.get(irq)!(), transmit);
      io.attach(base, 8, uart, `COM${i + 1}`);
      return uart;
    });
  }

  /** Fills the CMOS bytes firmware reads (memory sizes, equipment). */
  configureCmos(config: PcCmosConfig): void {
    this.rtc.configurePc(config);
  }

  /** Brings every timed device up to `nowNs`; returns the earliest next deadline (Infinity if none). */
  advanceTimers(nowNs: number): number {
    let next = Infinity;
    for (const d of this.timed) next = Math.min(next, d.advance(nowNs));
    return next;
  }

  /** System reset (RESET / PCIRST#): every chip but the battery-backed RTC to power-on state. */
  reset(): void {
    this.pic.reset();
    this.pit.reset();
    this.port61.reset();
    this.rtc.reset();
    this.systemControl.reset();
  }
}

/** The device, with `notify` called after each write. */
function reportingWrites(device: IoDevice, notify: () => void): IoDevice {
  return {
    read: (offset, size) => device.read(offset, size),
    write: (offset, size, value) => { device.write(offset, size, value); notify(); },
  };
}

/**
 * One IRQ input shared by several devices (COM1 and COM3 on IRQ 4): the
 * input is high while any of them drives it. Returns a maker of their lines.
 */
function wiredOr(target: IrqLine): () => IrqLine {
  let levels = 0;
  let count = 0;
  return () => {
    const bit = 1 << count++;
    return {
      raise() { const was = levels; levels |= bit; if (was === 0) target.raise(); },
      lower() { if (levels === 0) return; levels &= ~bit; if (levels === 0) target.lower(); },
    };
  };
}
