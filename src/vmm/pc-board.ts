/**
 * The PC board: the chips of a PC/AT-compatible machine (the PIIX-era set
 * SeaBIOS and Linux expect), attached to the I/O bus at the ports in
 * layout.ts and wired to each other only here:
 *
 *   PIT counter 0 OUT ─► IRQ 0 ┐
 *   COM2/COM4 ─────────► IRQ 3 ├► 8259A master ─INT─► LINT0 ┐
 *   COM1/COM3 ─────────► IRQ 4 │      ▲ IR2          (pin 0)│ local APIC ─► INTR, NMI (CPU)
 *   RTC ───────────────► IRQ 8 ─► 8259A slave                │   ▲  │ EOI of level vectors
 *        (every ISA IRQ also) ──► I/O APIC pin n (IRQ 0: pin 2) ─┘  ▼
 *   8042 keyboard controller (keyboard, mouse) ─► IRQ 1, IRQ 12
 *   CPU FERR# ─► coprocessor error latch ─► IRQ 13; port 0xF0 write ─► IGNNE# (CPU)
 *   port 0x61 ◄─► PIT counter 2 GATE/OUT
 *   port 0x92 bit 1 ─┐
 *   8042 P2 bit 1 ───┴─ OR ─► A20 line;  port 0x92 bit 0, 8042 P2 bit 0 / F0-FE ─► reset request
 *   VGA + Bochs VBE: ports 0x3B4-0x3DA and 0x1CE; A0000-BFFFF and the framebuffer (no IRQ)
 *   PCI bus 0 (config ports 0xCF8/0xCFC): 0.0 i440FX host bridge (PAM ─► shadow RAM C0000-FFFFF),
 *     1.0 PIIX3 ISA bridge (PIRQ A-D ─► ISA IRQs by PIRQRC; reset control 0xCF9),
 *     1.1 PIIX3 IDE: primary 0x1F0/0x3F6 ─► IRQ 14, secondary 0x170/0x376 ─► IRQ 15, bus master DMA
 *     1.3 PIIX4 power management (as QEMU's i440FX board): PM I/O space at PMBA (PM1a, PM timer,
 *         GPE0) ─► SCI on IRQ 9; SUS_EN with soft off ─► power-off
 *   fw_cfg (0x510-0x51B): the machine's configuration for firmware (fw-cfg.ts), DMA into guest memory
 *   (a device in slot d drives INTx pin p on PIRQ (d + p - 1) mod 4, as the firmware's $PIR table says)
 *
 * The CPU sees one interrupt source, the local APIC: INTA asks it first
 * ({@link PcBoard.acknowledgeInterrupt}), and it answers with an APIC vector
 * or defers to the 8259A (ExtINT: virtual wire through LINT0, or an ExtINT
 * message from I/O APIC pin 0). With the APIC disabled, or software-disabled
 * as after reset, LINT0 passes the 8259A's INT straight to INTR.
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
import { CoprocessorError } from '../devices/coprocessor-error.js';
import { I8042 } from '../devices/i8042.js';
import { Ps2Keyboard } from '../devices/ps2-keyboard.js';
import { Ps2Mouse } from '../devices/ps2-mouse.js';
import { Vga, VGA_PORT_RANGES, WINDOW_BYTES } from '../devices/vga/index.js';
import { EXTERNAL_INTERRUPT, LocalApic } from '../devices/apic/local-apic.js';
import { IoApic } from '../devices/apic/io-apic.js';
import type { ApicMessage } from '../devices/apic/apic-message.js';
import type { PhysicalMemory } from '../cpu/physical-memory.js';
import type { BlockDevice } from '../devices/block-device.js';
import { PciBus, PciConfigPorts } from '../devices/pci/pci-bus.js';
import { I440fx } from '../devices/pci/i440fx.js';
import { Piix3Isa } from '../devices/pci/piix3.js';
import { Piix3Ide, type ChannelDrives } from '../devices/pci/piix3-ide.js';
import { AtaDisk } from '../devices/ata/ata-disk.js';
import { AtapiCdrom } from '../devices/ata/atapi-cdrom.js';
import { Piix4Pm, PM_IO_BYTES } from '../devices/pci/piix4-pm.js';
import { FwCfg } from '../devices/fw-cfg.js';
import type { AcpiPlatform } from '../boot/acpi/tables.js';
import { IO_APIC_PINS, IRQS, MMIO, PCI_DEVICES, PIIX_FUNCTIONS, PORTS } from './layout.js';

/** What the board needs from the machine around it. */
export interface PcBoardOptions {
  io: IoBus;
  /** Guest-physical memory, for the APICs' register pages. */
  memory: PhysicalMemory;
  clock: Clock;
  /** The CPU's INTR pin, driven by the local APIC. */
  setIntr(level: boolean): void;
  /** The CPU's NMI input, driven by the local APIC. */
  nmi(): void;
  /** An IPI for a processor other than the one board CPU (none exists yet): observed, not delivered. */
  onIpi?: (message: ApicMessage) => void;
  /** The CPU's A20 line. */
  a20: A20Gate;
  /** The CPU's IGNNE# input (x87 errors ignored while asserted, with CR0.NE = 0). */
  setIgnne?(asserted: boolean): void;
  /** The guest asked for a machine reset (port 0x92 bit 0, the 8042's reset line). */
  requestReset(): void;
  /** The guest powered the machine off (ACPI S5 through the PIIX4's PM1 control). */
  powerOff?: () => void;
  /** The guest wrote to a device with timers: its deadline may have moved. */
  timersChanged(): void;
  /** What the RTC shows at start, in ms since 1970. */
  rtcStartMs: number;
  /** Transmit side of COM1-COM4; a port without one is left off the board. */
  serial: ReadonlyArray<((byte: number) => void) | undefined>;
  /** Observes POST codes written to port 0x80. */
  postCode?: (code: number) => void;
  /** IDE drives: primary master, primary slave, secondary master, secondary slave. */
  ide?: ReadonlyArray<IdeDrive | undefined>;
  /** Diagnostics (PCI BARs that could not be placed, …). */
  log?: (line: string) => void;
}

/** A drive on the IDE controller and the storage behind it. */
export interface IdeDrive {
  kind: 'disk' | 'cdrom';
  media: BlockDevice;
}

const COM_PORTS = [PORTS.com1, PORTS.com2, PORTS.com3, PORTS.com4];
const COM_IRQS = [IRQS.com1, IRQS.com2, IRQS.com1, IRQS.com2];

/** The devices of a PC and their wiring. */
export class PcBoard {
  readonly pic: Pic8259Pair;
  /** The CPU's local APIC (it belongs to the vCPU; the board holds it while there is one). */
  readonly localApic: LocalApic;
  readonly ioApic: IoApic;
  readonly pit: Pit8254;
  readonly port61: Port61;
  readonly rtc: CmosRtc;
  readonly systemControl: SystemControlPortA;
  /** The 8042 keyboard controller. */
  readonly i8042: I8042;
  /** The PS/2 keyboard: inject host key presses here (keyDown/keyUp). */
  readonly keyboard: Ps2Keyboard;
  /** The PS/2 mouse: inject host movement and buttons here (move/setButtons). */
  readonly mouse: Ps2Mouse;
  readonly postCode: PostCodePort;
  /** FERR# → IRQ 13 and port F0h → IGNNE#: feed it the CPU's FERR# (setFerr). */
  readonly coprocessorError: CoprocessorError;
  /** COM1-COM4, undefined where the board has no port. */
  readonly serial: ReadonlyArray<Uart16550 | undefined>;
  /** The VGA (with Bochs VBE): registers, legacy window, linear framebuffer. */
  readonly vga: Vga;
  /** PCI bus 0, its configuration ports, and the chipset's functions on it. */
  readonly pci: PciBus;
  readonly pciConfig: PciConfigPorts;
  readonly hostBridge: I440fx;
  readonly isaBridge: Piix3Isa;
  /** The PIIX3 IDE controller: two channels of two drives. */
  readonly ide: Piix3Ide;
  /** The PIIX4 power management function: ACPI PM1 blocks, PM timer, SCI. */
  readonly pm: Piix4Pm;
  /** QEMU's fw_cfg: what firmware is told about the machine (filled by the boot code). */
  readonly fwCfg: FwCfg;
  /** Makers of inputs to each ISA IRQ shared by several devices. */
  private readonly irqInputs = new Map<number, () => IrqLine>();
  private readonly timed: TimedDevice[];
  private readonly memory: PhysicalMemory;
  /** Where the local APIC's page is mapped, or -1 while it is not. */
  private localApicGpa = -1;

  constructor(o: PcBoardOptions) {
    const io = o.io;
    this.memory = o.memory;
    this.localApic = new LocalApic(o.clock, {
      intr: o.setIntr,
      nmi: o.nmi,
      eoiBroadcast: (vector) => this.ioApic.endOfInterrupt(vector),
      sendIpi: (message) => o.onIpi?.(message),
      timerChanged: o.timersChanged,
    });
    // The APIC bus: one local APIC to offer each message to.
    this.ioApic = new IoApic((message) => this.localApic.receive(message));
    const picOutput = this.ioApic.input(IO_APIC_PINS.pic);
    this.pic = new Pic8259Pair((level) => {
      if (level) { this.localApic.lint0.raise(); picOutput.raise(); } else { this.localApic.lint0.lower(); picOutput.lower(); }
    });
    this.pit = new Pit8254(o.clock, this.isaIrq(IRQS.pit));
    this.port61 = new Port61(o.clock, this.pit);
    this.rtc = new CmosRtc(o.clock, this.isaIrq(IRQS.rtc), o.rtcStartMs);
    const [a20Port92, a20Kbc] = a20Gate(o.a20);
    this.systemControl = new SystemControlPortA(a20Port92, o.requestReset);
    this.keyboard = new Ps2Keyboard();
    this.mouse = new Ps2Mouse();
    this.i8042 = new I8042({
      keyboard: this.keyboard, mouse: this.mouse,
      keyboardIrq: this.isaIrq(IRQS.keyboard), mouseIrq: this.isaIrq(IRQS.mouse),
      a20: a20Kbc, requestReset: o.requestReset,
    });
    this.postCode = new PostCodePort(o.postCode);
    this.coprocessorError = new CoprocessorError(this.isaIrq(IRQS.coprocessorError), (on) => o.setIgnne?.(on));
    this.timed = [this.pit, this.rtc, this.localApic];

    o.memory.mapMmio(MMIO.ioApic, 0x1000, this.ioApic, 'I/O APIC');
    this.mapLocalApic();

    io.attach(PORTS.picMaster, 2, this.pic.master, '8259A master');
    io.attach(PORTS.picSlave, 2, this.pic.slave, '8259A slave');
    io.attach(PORTS.elcr, 2, this.pic.elcr, 'ELCR');
    io.attach(PORTS.pit, 4, reportingWrites(this.pit, o.timersChanged), '8254 PIT');
    io.attach(PORTS.systemControlB, 1, this.port61, 'port B');
    io.attach(PORTS.cmos, 2, reportingWrites(this.rtc, o.timersChanged), 'MC146818 RTC');
    io.attach(PORTS.postCode, 1, this.postCode, 'POST code');
    io.attach(PORTS.coprocessorError, 1, this.coprocessorError, 'coprocessor error');
    io.attach(PORTS.systemControlA, 1, this.systemControl, 'port A');
    io.attach(PORTS.i8042Data, 1, this.i8042.dataPort, '8042 data');
    io.attach(PORTS.i8042Command, 1, this.i8042.commandPort, '8042 status/command');

    this.vga = new Vga({ clock: o.clock });
    for (const r of VGA_PORT_RANGES) io.attach(PORTS.vga + r.offset, r.size, this.vga.portRange(r.offset), r.name);
    io.attach(PORTS.bochsDispi, 3, this.vga.dispi, 'Bochs VBE');
    o.memory.mapMmio(MMIO.vgaWindow, WINDOW_BYTES, this.vga.window, 'VGA window');
    o.memory.mapMmio(MMIO.vgaLfb, this.vga.vramBytes, this.vga.lfb, 'VGA framebuffer');

    this.serial = COM_PORTS.map((base, i) => {
      const transmit = o.serial[i];
      if (!transmit) return undefined;
      const uart = new Uart16550(this.sharedIrq(COM_IRQS[i]), transmit);
      io.attach(base, 8, uart, `COM${i + 1}`);
      return uart;
    });

    // The chipset on PCI bus 0: i440FX, PIIX3 functions 0 (ISA bridge) and 1 (IDE).
    this.pci = new PciBus(io, o.memory, o.log);
    this.hostBridge = new I440fx(o.memory);
    this.isaBridge = new Piix3Isa((irq) => this.sharedIrq(irq), o.requestReset);
    const drives = [0, 1, 2, 3].map((i) => ideDrive(o.ide?.[i], i & 1));
    this.ide = new Piix3Ide(o.memory, [this.sharedIrq(IRQS.idePrimary), this.sharedIrq(IRQS.ideSecondary)],
      [[drives[0], drives[1]], [drives[2], drives[3]]] as const satisfies readonly [ChannelDrives, ChannelDrives]);
    let pmIoAt: number | undefined;
    this.pm = new Piix4Pm({
      clock: o.clock,
      sci: this.sharedIrq(IRQS.sci),
      powerOff: () => o.powerOff?.(),
      timersChanged: o.timersChanged,
      placeIo: (base) => {
        if (pmIoAt !== undefined) io.detach(pmIoAt, this.pm.pmIo);
        pmIoAt = undefined;
        if (base === undefined) return;
        const taken = io.claimant(base, PM_IO_BYTES);
        if (taken !== undefined) { o.log?.(`PIIX4 PM I/O space at 0x${base.toString(16)} overlaps ${taken}; not decoded`); return; }
        io.attach(base, PM_IO_BYTES, this.pm.pmIo, 'PIIX4 PM');
        pmIoAt = base;
      },
    });
    this.timed.push(this.pm);
    this.pci.add(PCI_DEVICES.hostBridge, 0, this.hostBridge);
    this.pci.add(PCI_DEVICES.piix3, PIIX_FUNCTIONS.isa, this.isaBridge);
    this.pci.add(PCI_DEVICES.piix3, PIIX_FUNCTIONS.ide, this.ide);
    this.pci.add(PCI_DEVICES.piix3, PIIX_FUNCTIONS.pm, this.pm);
    this.pciConfig = new PciConfigPorts(this.pci, this.isaBridge.resetControl);
    io.attach(PORTS.pciConfig, 8, this.pciConfig, 'PCI configuration');
    io.attach(PORTS.idePrimary, 8, this.ide.channels[0].commandBlock, 'IDE primary');
    io.attach(PORTS.idePrimaryControl, 1, this.ide.channels[0].controlBlock, 'IDE primary control');
    io.attach(PORTS.ideSecondary, 8, this.ide.channels[1].commandBlock, 'IDE secondary');
    io.attach(PORTS.ideSecondaryControl, 1, this.ide.channels[1].controlBlock, 'IDE secondary control');

    this.fwCfg = new FwCfg(o.memory);
    io.attach(PORTS.fwCfg, 12, this.fwCfg, 'fw_cfg');
  }

  /** What the ACPI tables must say about this board. */
  acpiPlatform(): AcpiPlatform {
    return {
      pmIoBase: PORTS.acpiPm, sciIrq: IRQS.sci,
      localApicGpa: MMIO.localApic, ioApicGpa: MMIO.ioApic, ioApicId: this.ioApic.state.id >>> 24,
      centuryCmosIndex: 0x32,
      // PIIX3 reset control: SRST | RCPU, a hard reset (piix3.ts).
      resetPort: PORTS.pciConfig + 1, resetValue: 0x06,
    };
  }

  /**
   * The chipset as firmware leaves it, for a kernel started without any
   * (direct boot): the PIIX4 PM I/O space at its usual base with the SCI on
   * IRQ 9 (SeaBIOS's piix4_pm_setup does the same), and the BIOS area
   * F0000-FFFFF as read-only RAM (PAM0 RE only), where the boot code puts the
   * ACPI tables before the kernel starts.
   */
  setUpAsFirmware(): void {
    this.pm.writeConfig(0x3c, 1, IRQS.sci); // interrupt line, for software
    this.pm.writeConfig(0x40, 4, PORTS.acpiPm | 1); // PMBA
    this.pm.writeConfig(0x80, 1, 0x01); // PMREGMISC.PMIOSE
    this.hostBridge.writeConfig(0x59, 1, 0x10); // PAM0: F0000-FFFFF reads RAM, writes to PCI (nothing)
  }

  /** A new input to ISA IRQ `n`, wire-ORed with the board's other inputs to it (high while any is high). */
  sharedIrq(n: number): IrqLine {
    let make = this.irqInputs.get(n);
    if (!make) { make = wiredOr(this.isaIrq(n)); this.irqInputs.set(n, make); }
    return make();
  }

  /** The line a PCI device in `slot` drives with INTx pin `pin` (1-4 = INTA#-INTD#): PIRQ (slot + pin - 1) mod 4. */
  pciIntx(slot: number, pin: number): IrqLine {
    return this.isaBridge.pirqLine((slot + pin - 1) & 3);
  }

  /**
   * ISA IRQ `n` as devices drive it: fanned out to the 8259A pair and to the
   * I/O APIC (IRQ 0 on pin 2, the others on pin n), so either controller
   * can serve it, as the guest chooses.
   */
  isaIrq(n: number): IrqLine {
    const pic = this.pic.irqLine(n);
    const ioApic = this.ioApic.input(n === 0 ? IO_APIC_PINS.irq0 : n);
    return {
      raise() { pic.raise(); ioApic.raise(); },
      lower() { pic.lower(); ioApic.lower(); },
    };
  }

  /** INTA: the local APIC's vector, or the 8259A's when the APIC defers to it (ExtINT). */
  acknowledgeInterrupt(): number {
    const vector = this.localApic.acknowledge();
    return vector === EXTERNAL_INTERRUPT ? this.pic.acknowledge() : vector;
  }

  /** The CPU wrote IA32_APIC_BASE: the local APIC may be disabled, enabled or moved. */
  setApicBase(msr: number): void {
    this.localApic.setBaseMsr(msr);
    this.mapLocalApic();
  }

  /** Maps the local APIC's page where IA32_APIC_BASE says, or nowhere while it is disabled. */
  private mapLocalApic(): void {
    const apic = this.localApic;
    let gpa = apic.hardwareEnabled ? apic.baseGpa : -1;
    if (gpa === this.localApicGpa) return;
    if (this.localApicGpa >= 0) this.memory.unmapMmio(this.localApicGpa, apic);
    // A base moved onto another device's page leaves the APIC unreachable (the CPU would shadow the device).
    if (gpa >= 0 && this.memory.mmioClaimant(gpa, 0x1000) !== undefined) gpa = -1;
    if (gpa >= 0) this.memory.mapMmio(gpa, 0x1000, apic, 'local APIC');
    this.localApicGpa = gpa;
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
    this.localApic.reset();
    this.mapLocalApic();
    this.ioApic.reset();
    this.pic.reset();
    this.pit.reset();
    this.port61.reset();
    this.rtc.reset();
    this.systemControl.reset();
    this.coprocessorError.reset();
    this.keyboard.reset();
    this.mouse.reset();
    this.i8042.reset();
    this.vga.reset();
    this.pciConfig.reset();
    this.pci.reset();
    this.fwCfg.reset();
  }
}

/** The device model for a configured IDE position (`deviceNumber` 0 master, 1 slave). */
function ideDrive(drive: IdeDrive | undefined, deviceNumber: number): AtaDisk | AtapiCdrom | undefined {
  if (!drive) return undefined;
  return drive.kind === 'disk' ? new AtaDisk(drive.media, { deviceNumber }) : new AtapiCdrom(drive.media, { deviceNumber });
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

/**
 * The CPU's A20 input as the PIIX drives it: port 0x92's ALT_A20 ORed with
 * the 8042's A20 output (SMSC LPC47M14x datasheet, "Port 92 Fast GateA20 and
 * Keyboard Reset": A20 is masked only while both are low). Returns the two
 * sources, [port 0x92, 8042], at their power-on levels (low, high), so the
 * CPU's line starts enabled, as it powers on.
 */
function a20Gate(cpu: A20Gate): [A20Gate, A20Gate] {
  const levels = [false, true];
  const source = (i: number): A20Gate => ({
    setA20(enabled) {
      const before = levels[0] || levels[1];
      levels[i] = enabled;
      const after = levels[0] || levels[1];
      if (after !== before) cpu.setA20(after);
    },
  });
  return [source(0), source(1)];
}
