/**
 * Intel 82371AB PIIX4 power management function, PCI function 3 of the
 * PIIX4 (82371AB PCI-to-ISA/IDE Xcelerator datasheet, order no. 290562,
 * §3.4 "Power Management Registers (PCI Function 3)" and §7 "Power
 * Management I/O Space Registers"): vendor 0x8086, device 0x7113. QEMU's
 * i440FX board puts it at 00:01.3 beside the PIIX3, and SeaBIOS and Linux
 * expect it there: it holds the ACPI fixed hardware (PM1 event and control
 * blocks, the PM timer, a GPE0 block) that the FADT points to.
 *
 * | off       | register   | modelled                                            |
 * |-----------|------------|-----------------------------------------------------|
 * | 0x00-0x3F | header     | class 06 80 00 (other bridge), revision 03, INTA#   |
 * | 0x40-0x43 | PMBA       | bits 15:6 base of the 64-byte PM I/O space; bit 0 = 1 |
 * | 0x44-0x7F | CNTA, DEVACTA, DEVRES … | stored                                 |
 * | 0x58-0x5B | DEVACTB    | stored; bit 25 APMC_EN powers on set (see deviations) |
 * | 0x80      | PMREGMISC  | bit 0 PMIOSE: the PM I/O space decodes at PMBA      |
 * | 0x90-0x93 | SMBBA      | stored (bits 15:4; bit 0 = 1), no SMBus controller   |
 * | 0xD2      | SMBHSTCFG  | stored                                              |
 *
 * | PMBA+ | size | register | modelled                                          |
 * |-------|------|----------|---------------------------------------------------|
 * | 0x00  | 2    | PMSTS    | bit 0 TMROF_STS (timer bit 23 toggled), RW1C; others stored RW1C |
 * | 0x02  | 2    | PMEN     | bit 0 TMROF_EN; others stored                      |
 * | 0x04  | 2    | PMCNTRL  | bit 0 SCI_EN, 12:10 SUS_TYP, 13 SUS_EN (write-only: 1 enters SUS_TYP) |
 * | 0x08  | 4    | PMTMR    | 24-bit count at 3.579545 MHz, read-only            |
 * | 0x0C  | 2    | GPSTS    | RW1C, no sources (the FADT's GPE0 status half)     |
 * | 0x0E  | 2    | GPEN     | stored (GPE0 enable half)                          |
 * | 0x10-0x3F | | PCNTRL, PLVL2/3, GLBSTS, DEVSTS, GLBEN, GLBCTL, DEVCTL, GPI/GPO | stored; PLVL2/3 read 0 |
 *
 * SUS_TYP (datasheet §7.1.3 "PMCNTRL"): 000 is soft off, the state the DSDT
 * names \_S5; writing SUS_EN with it powers the machine off. The SCI is
 * asserted while SCI_EN is set and any PMSTS bit is set with its PMEN bit.
 *
 * Deviations from hardware:
 * - The SCI is wired to ISA IRQ 9 (what the FADT says and QEMU does); the
 *   PIIX4 routes it through its own SCI routing register.
 * - SCI_EN powers on set and the FADT's SMI_CMD is 0: the board has no SMM,
 *   so the machine is always in ACPI mode (ACPI 6.5 §4.8.2.5: SMI_CMD 0
 *   means the OS finds the hardware in ACPI mode). The PIIX4 leaves SCI_EN
 *   to the BIOS's SMI handler.
 * - The board has no SMM, so writes to the APM control port 0xB2 cannot
 *   raise an SMI; DEVACTB.APMC_EN powers on set, which tells SeaBIOS its
 *   SMM set-up is already done (it would otherwise raise an SMI to relocate
 *   SMBASE and wait forever for the handler's answer on port 0xB3). QEMU
 *   does the same when SMM is off.
 * - Suspend states other than soft off, C2/C3 (PLVL2/3), global and device
 *   events, throttling, GPIO and the SMBus controller are not modelled.
 */
import type { IoDevice, IrqLine } from '../io-device.js';
import { nsOfTick, ticksAt, type Clock, type TimedDevice } from '../timing.js';
import { PciFunction } from './pci-function.js';

/** The ACPI PM timer's rate (ACPI 6.5 §4.8.3.3 "Power Management Timer"). */
export const PM_TIMER_HZ = 3_579_545;
/** Bytes of the PM I/O space. */
export const PM_IO_BYTES = 64;

/** PM I/O register offsets. */
export const PM_IO = {
  pmsts: 0x00, pmen: 0x02, pmcntrl: 0x04, pmtmr: 0x08, gpsts: 0x0c, gpen: 0x0e, plvl2: 0x14, plvl3: 0x15,
} as const;

/** PMSTS/PMEN bit 0: the timer's bit 23 changed. */
export const TMROF = 0x0001;
/** PMCNTRL bit 0: power management events raise the SCI (not an SMI). */
export const SCI_EN = 0x0001;
/** PMCNTRL bits 12:10: the suspend type SUS_EN enters. */
export const SUS_TYP_SHIFT = 10;
/** PMCNTRL bit 13: enter the state in SUS_TYP (write-only). */
export const SUS_EN = 0x2000;
/** SUS_TYP value for soft off. */
export const SUS_TYP_SOFT_OFF = 0;

/** Config offsets. */
const PMBA = 0x40;
const PMREGMISC = 0x80;
const PMIOSE = 0x01;
const SMBBA = 0x90;
const DEVACTB = 0x58;
/** DEVACTB bit 25: an APM control port write raises an SMI. */
const DEVACTB_APMC_EN = 1 << 25;
/** PMBA bits that exist: 15:6. */
const PMBA_MASK = 0xffc0;
/** The timer counts 24 bits; TMROF_STS is set when bit 23 changes. */
const TIMER_BITS = 24;
const TIMER_HALF = 2 ** (TIMER_BITS - 1);

/** Plain-data state of the PM I/O registers (snapshot format, version 1). */
export interface Piix4PmState {
  version: 1;
  /** The 64 bytes of PM I/O space as stored (PMSTS bit 0, PMTMR and SUS_EN are computed). */
  io: number[];
  /** Carries of timer bit 23 acknowledged (TMROF_STS cleared) so far. */
  timerOverflowsAcked: number;
}

/** What the PM function does to the machine around it. */
export interface Piix4PmWiring {
  clock: Clock;
  /** ISA IRQ 9. */
  sci: IrqLine;
  /** The PM I/O space moved: decode it at `base`, or nowhere when undefined. */
  placeIo(base: number | undefined): void;
  /** SUS_EN with SUS_TYP = soft off. */
  powerOff(): void;
  /** The guest wrote a register that may move a timer deadline (TMROF_EN). */
  timersChanged?: () => void;
}

/** The PIIX4 power management function (00:01.3) and its PM I/O space. */
export class Piix4Pm extends PciFunction implements TimedDevice {
  pm: Piix4PmState = powerOnState();
  /** The PM I/O space, to attach at PMBA. */
  readonly pmIo: IoDevice;
  private placedAt: number | undefined;
  private sciLevel = false;

  constructor(private readonly wiring: Piix4PmWiring) {
    super('PIIX4 power management', {
      vendorId: 0x8086, deviceId: 0x7113, revision: 0x03, classCode: 0x06_8000,
      interruptPin: 1, command: 0x0000, commandWritable: 0x0001, status: 0x0280,
    });
    for (let r = 0x44; r <= 0xff; r++) this.define(r, 1, 0, 0xff);
    this.define(PMBA, 4, 0x0000_0001, PMBA_MASK);
    this.define(DEVACTB, 4, DEVACTB_APMC_EN, 0xffff_ffff);
    this.define(PMREGMISC, 1, 0, PMIOSE);
    this.define(SMBBA, 4, 0x0000_0001, 0xfff0);
    this.pmIo = {
      read: (offset, size) => this.readIo(offset, size),
      write: (offset, size, value) => this.writeIo(offset, size, value),
    };
  }

  /** The 24-bit PM timer now. */
  timerValue(): number {
    return this.ticks() % 2 ** TIMER_BITS;
  }

  /** Brings the SCI up to date (TMROF_STS may have been set) and returns when the timer next sets it, if enabled. */
  advance(_nowNs: number): number {
    this.updateSci();
    const enabled = (this.register16(PM_IO.pmen) & TMROF) !== 0;
    // While TMROF_STS is set the SCI stays asserted; nothing new happens until it is cleared.
    if (!enabled || this.timerOverflowPending()) return Infinity;
    return nsOfTick((this.overflows() + 1) * TIMER_HALF, PM_TIMER_HZ);
  }

  protected override configWritten(offset: number, size: number): void {
    if ((offset < PMBA + 4 && offset + size > PMBA) || (offset <= PMREGMISC && offset + size > PMREGMISC)) this.place();
  }

  protected override resetDevice(): void {
    this.pm = powerOnState();
    this.pm.timerOverflowsAcked = this.overflows();
    this.place();
    this.updateSci();
  }

  private readIo(offset: number, size: 1 | 2 | 4): number {
    const timer = this.timerValue();
    const pmsts = this.register16(PM_IO.pmsts) | (this.timerOverflowPending() ? TMROF : 0);
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const at = offset + i;
      let byte: number;
      if (at >= PM_IO.pmtmr && at < PM_IO.pmtmr + 4) byte = Math.floor(timer / 2 ** (8 * (at - PM_IO.pmtmr))) & 0xff;
      else if (at === PM_IO.pmsts || at === PM_IO.pmsts + 1) byte = (pmsts >> (8 * (at - PM_IO.pmsts))) & 0xff;
      else if (at === PM_IO.pmcntrl + 1) byte = this.pm.io[at] & ~(SUS_EN >> 8); // SUS_EN reads 0
      else if (at === PM_IO.plvl2 || at === PM_IO.plvl3) byte = 0; // a read would enter C2/C3 on hardware
      else byte = this.pm.io[at] ?? 0xff;
      v = v * 256 + byte;
    }
    return size === 4 ? v | 0 : v;
  }

  private writeIo(offset: number, size: 1 | 2 | 4, value: number): void {
    let sleep = false;
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      const byte = (value >>> (8 * i)) & 0xff;
      if (at >= PM_IO.pmtmr && at < PM_IO.pmtmr + 4) continue; // read-only
      if (at === PM_IO.pmsts || at === PM_IO.pmsts + 1 || at === PM_IO.gpsts || at === PM_IO.gpsts + 1) {
        this.pm.io[at] &= ~byte; // write one to clear
        if (at === PM_IO.pmsts && (byte & TMROF) !== 0) this.pm.timerOverflowsAcked = this.overflows();
        continue;
      }
      if (at === PM_IO.pmcntrl + 1 && (byte & (SUS_EN >> 8)) !== 0) sleep = true;
      this.pm.io[at] = byte;
    }
    this.updateSci();
    if (offset <= PM_IO.pmen + 1 && offset + size > PM_IO.pmen) this.wiring.timersChanged?.();
    if (sleep) {
      const type = (this.register16(PM_IO.pmcntrl) >> SUS_TYP_SHIFT) & 7;
      if (type === SUS_TYP_SOFT_OFF) this.wiring.powerOff();
    }
  }

  /** Attaches the PM I/O space where PMBA says while PMIOSE is set. */
  private place(): void {
    const c = this.state.config;
    const base = (c[PMREGMISC] & PMIOSE) !== 0 ? this.register(PMBA, 2) & PMBA_MASK : undefined;
    const at = base === 0 ? undefined : base;
    if (at === this.placedAt) return;
    this.placedAt = at;
    this.wiring.placeIo(at);
  }

  private updateSci(): void {
    const sts = this.register16(PM_IO.pmsts) | (this.timerOverflowPending() ? TMROF : 0);
    const level = (this.register16(PM_IO.pmcntrl) & SCI_EN) !== 0 && (sts & this.register16(PM_IO.pmen)) !== 0;
    if (level === this.sciLevel) return;
    this.sciLevel = level;
    if (level) this.wiring.sci.raise();
    else this.wiring.sci.lower();
  }

  private register16(offset: number): number {
    return this.pm.io[offset] | (this.pm.io[offset + 1] << 8);
  }

  private ticks(): number {
    return ticksAt(this.wiring.clock.nowNs(), PM_TIMER_HZ);
  }

  /** Changes of timer bit 23 since power-on. */
  private overflows(): number {
    return Math.floor(this.ticks() / TIMER_HALF);
  }

  private timerOverflowPending(): boolean {
    return this.overflows() > this.pm.timerOverflowsAcked;
  }
}

function powerOnState(): Piix4PmState {
  const io = new Array<number>(PM_IO_BYTES).fill(0);
  io[PM_IO.pmcntrl] = SCI_EN;
  return { version: 1, io, timerOverflowsAcked: 0 };
}
