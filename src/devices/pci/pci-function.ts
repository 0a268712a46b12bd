/**
 * One PCI function's configuration space: the 256-byte type 0 header and
 * device-specific registers (PCI Local Bus Specification 2.1 §6.1
 * "Configuration Space Organization"), with the masks that make each bit
 * read-only, read/write, or write-one-to-clear, and the Base Address
 * Registers that claim I/O or memory space once the guest programs them.
 *
 * | off  | size | register                                   |
 * |------|------|--------------------------------------------|
 * | 0x00 | 2    | vendor ID (RO)                             |
 * | 0x02 | 2    | device ID (RO)                             |
 * | 0x04 | 2    | command: I/O, memory, bus master, INTx off |
 * | 0x06 | 2    | status: interrupt (RO), errors (RW1C)      |
 * | 0x08 | 1    | revision ID (RO)                           |
 * | 0x09 | 3    | class code: prog-if, sub-class, base class |
 * | 0x0C | 1    | cache line size                            |
 * | 0x0D | 1    | latency timer                              |
 * | 0x0E | 1    | header type (bit 7: multi-function)        |
 * | 0x10 | 4×6  | BAR0-BAR5                                  |
 * | 0x2C | 2+2  | subsystem vendor ID, subsystem ID (RO)     |
 * | 0x3C | 1    | interrupt line (RW, for software only)     |
 * | 0x3D | 1    | interrupt pin: 1-4 = INTA#-INTD#, 0 = none |
 * | 0x40 | 192  | device-specific                            |
 *
 * BAR sizing (PCI 2.1 §6.2.5.1 "Address Maps"): the address bits below the
 * region's size are read-only zeros, so writing all ones and reading back
 * gives the size's two's complement; bit 0 tells I/O (1) from memory (0).
 *
 * Deviations from hardware: none in the header itself; BARs are 32-bit
 * only, and a memory BAR must be at least a 4 KiB page (see pci-bus.ts).
 */
import type { IoDevice, IrqLine } from '../io-device.js';
import { NO_IRQ } from '../io-device.js';

/** Type 0 header offsets (PCI 2.1 §6.1). */
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION = 0x08;
export const PCI_CLASS = 0x09;
export const PCI_LATENCY_TIMER = 0x0d;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BAR0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;

/** Command: respond to I/O space accesses (I/O BARs decode). */
export const CMD_IO = 0x0001;
/** Command: respond to memory space accesses (memory BARs decode). */
export const CMD_MEMORY = 0x0002;
/** Command: the function may master the bus (DMA). */
export const CMD_BUS_MASTER = 0x0004;
/** Command: INTx# is not driven (PCI 2.3 "Interrupt Disable"). */
export const CMD_INTX_DISABLE = 0x0400;
/** Status: the function's INTx# is asserted (read-only, set regardless of CMD_INTX_DISABLE). */
export const STATUS_INTERRUPT = 0x0008;
/** Status bits that software clears by writing 1: parity, system error, master/target aborts. */
const STATUS_WRITE_ONE_CLEARS = 0xf900;
/** Header type bit 7: the device has functions 1-7. */
export const HEADER_MULTI_FUNCTION = 0x80;

/** Which space a BAR claims. */
export type PciBarKind = 'io' | 'memory';

/** What a BAR maps, with its handler. */
export interface PciBar {
  /** BAR number 0-5 (register 0x10 + 4 × index). */
  index: number;
  kind: PciBarKind;
  /** Size of the region in bytes, a power of two. */
  sizeBytes: number;
  /** Offsets within the region; an I/O BAR's handler is an IoDevice, a memory BAR's an MMIO handler (same shape). */
  handler: IoDevice;
  /** For diagnostics ("PIIX3 IDE bus master"). */
  name: string;
  /**
   * Address bits that exist above the size (default all 32; the PIIX3's
   * BMIBA has 16, so an I/O BAR there reads back 0 in bits 31:16).
   */
  addressMask?: number;
}

/** The identity fields of a function's header. */
export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  revision: number;
  /** Base class << 16 | sub-class << 8 | programming interface. */
  classCode: number;
  /** Header type byte, with {@link HEADER_MULTI_FUNCTION} on function 0 of a multi-function device. */
  headerType?: number;
  /** 1-4 for INTA#-INTD#, 0 (default) for none. */
  interruptPin?: number;
  /** Power-on command register. */
  command?: number;
  /** Bits of the command register software may change (default: I/O, memory, bus master, INTx disable). */
  commandWritable?: number;
  /** Power-on status register (capability and timing bits). */
  status?: number;
}

/** Plain-data state of a function (snapshot format, version 1). */
export interface PciFunctionState {
  version: 1;
  /** The 256 bytes of configuration space. */
  config: number[];
}

/** A PCI function: its configuration space, BARs and INTx# pin. Subclasses add device-specific registers. */
export class PciFunction {
  state: PciFunctionState = { version: 1, config: new Array<number>(256).fill(0) };
  /** Per config byte: bits the guest may write. */
  private readonly writable = new Uint8Array(256);
  /** Per config byte: bits a write of 1 clears. */
  private readonly writeOneClears = new Uint8Array(256);
  private powerOn: number[] = [];
  private intxLevel = false;
  /** The function's INTx# output; the bus connects it to the interrupt router. */
  intx: IrqLine = NO_IRQ;
  /** Called after a config write that may change what the BARs decode; set by the bus. */
  decodeChanged: () => void = () => {};

  constructor(readonly name: string, identity: PciIdentity, readonly bars: readonly PciBar[] = []) {
    this.define(PCI_VENDOR_ID, 2, identity.vendorId);
    this.define(PCI_DEVICE_ID, 2, identity.deviceId);
    this.define(PCI_COMMAND, 2, identity.command ?? 0,
      identity.commandWritable ?? (CMD_IO | CMD_MEMORY | CMD_BUS_MASTER | CMD_INTX_DISABLE));
    this.define(PCI_STATUS, 2, identity.status ?? 0);
    for (let i = 0; i < 2; i++) this.writeOneClears[PCI_STATUS + i] = (STATUS_WRITE_ONE_CLEARS >> (8 * i)) & 0xff;
    this.define(PCI_REVISION, 1, identity.revision);
    this.define(PCI_CLASS, 3, identity.classCode);
    this.define(PCI_LATENCY_TIMER, 1, 0, 0xf8);
    this.define(PCI_HEADER_TYPE, 1, identity.headerType ?? 0);
    this.define(PCI_INTERRUPT_LINE, 1, 0, 0xff);
    this.define(PCI_INTERRUPT_PIN, 1, identity.interruptPin ?? 0);
    for (const bar of bars) {
      if (bar.sizeBytes < 4 || (bar.sizeBytes & (bar.sizeBytes - 1)) !== 0) throw new RangeError(`${bar.name}: BAR size must be a power of two`);
      const typeBits = bar.kind === 'io' ? 0x1 : 0x0;
      const lowMask = bar.kind === 'io' ? 0x3 : 0xf;
      const mask = (~(bar.sizeBytes - 1) & ~lowMask & (bar.addressMask ?? 0xffff_ffff)) >>> 0;
      this.define(PCI_BAR0 + 4 * bar.index, 4, typeBits, mask);
    }
  }

  /**
   * Sets a register's power-on value, the bits software may write and the
   * bits a write of 1 clears (little endian, `size` bytes). Subclasses call
   * this from their constructors.
   */
  protected define(offset: number, size: number, value: number, writableMask = 0, clearMask = 0): void {
    for (let i = 0; i < size; i++) {
      this.state.config[offset + i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
      this.writable[offset + i] = Math.floor(writableMask / 2 ** (8 * i)) & 0xff;
      this.writeOneClears[offset + i] = Math.floor(clearMask / 2 ** (8 * i)) & 0xff;
    }
    this.powerOn = [...this.state.config];
  }

  /** A config register's value, `size` bytes little endian. */
  register(offset: number, size: 1 | 2 | 4): number {
    const c = this.state.config;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + c[offset + i];
    return v;
  }

  /** Configuration read (offset within the 256 bytes; the access stays inside one dword). */
  readConfig(offset: number, size: 1 | 2 | 4): number {
    return size === 4 ? this.register(offset, 4) | 0 : this.register(offset, size);
  }

  /** Configuration write: applies the masks, then lets the device react. */
  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    const c = this.state.config;
    let touchesDecode = false;
    for (let i = 0; i < size; i++) {
      const at = offset + i;
      const byte = (value >>> (8 * i)) & 0xff;
      c[at] = ((c[at] & ~this.writable[at]) | (byte & this.writable[at])) & ~(byte & this.writeOneClears[at]) & 0xff;
      if (at === PCI_COMMAND || at === PCI_COMMAND + 1 || (at >= PCI_BAR0 && at < PCI_BAR0 + 24)) touchesDecode = true;
    }
    this.configWritten(offset, size);
    if (offset <= PCI_COMMAND + 1 && offset + size > PCI_COMMAND) this.updateIntx();
    if (touchesDecode) this.decodeChanged();
  }

  /** Hook for device-specific registers: called after every config write. */
  protected configWritten(_offset: number, _size: number): void {}

  /** Command register. */
  get command(): number { return this.register(PCI_COMMAND, 2); }

  /**
   * The address a BAR decodes at, or undefined when the command register
   * disables its space. Whether the address is usable is the bus's call.
   */
  barAddress(bar: PciBar): number | undefined {
    const enabled = bar.kind === 'io' ? (this.command & CMD_IO) !== 0 : (this.command & CMD_MEMORY) !== 0;
    if (!enabled) return undefined;
    const raw = this.register(PCI_BAR0 + 4 * bar.index, 4);
    return bar.kind === 'io' ? raw & 0xffff_fffc : (raw & 0xffff_fff0) >>> 0;
  }

  /** Drives the function's INTx# (level-triggered, shared): high while the device requests service. */
  setInterrupt(level: boolean): void {
    this.intxLevel = level;
    const c = this.state.config;
    c[PCI_STATUS] = level ? c[PCI_STATUS] | STATUS_INTERRUPT : c[PCI_STATUS] & ~STATUS_INTERRUPT;
    this.updateIntx();
  }

  private updateIntx(): void {
    if (this.intxLevel && (this.command & CMD_INTX_DISABLE) === 0) this.intx.raise();
    else this.intx.lower();
  }

  /** PCI reset (RST#): configuration space to power-on values. */
  reset(): void {
    this.state.config = [...this.powerOn];
    this.intxLevel = false;
    this.intx.lower();
    this.resetDevice();
    this.decodeChanged();
  }

  /** Hook for subclasses: reset device-specific state after the config space. */
  protected resetDevice(): void {}
}
