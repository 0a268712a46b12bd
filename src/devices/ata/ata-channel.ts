/**
 * One ATA channel (an IDE cable): up to two drives, device 0 (master) and
 * device 1 (slave), sharing the command block registers, the control block
 * register and one interrupt line (ATA/ATAPI-6 §5 "Interface signal
 * assignments", §6 "Register descriptions"). The PC's legacy channels sit
 * at 0x1F0-0x1F7/0x3F6 on IRQ 14 and 0x170-0x177/0x376 on IRQ 15.
 *
 * Command block (offsets 0-7): see ata-drive.ts. Writes to registers 1-6
 * reach both drives (each keeps its own copy); the device register's DEV
 * bit selects which drive answers reads, takes commands and drives INTRQ.
 *
 * Control block (offset 0, at 0x3F6/0x376):
 *
 * | read              | write: device control                               |
 * |-------------------|-----------------------------------------------------|
 * | alternate status  | bit 1 nIEN (INTRQ off), bit 2 SRST (reset both      |
 * | (no INTRQ ack)    | drives while set), bit 7 HOB (read previous bytes)  |
 *
 * With one drive, reads of the absent one's registers are answered by the
 * present one (ATA-6 §9.16 "Device 0 only configurations"): status and
 * alternate status read 00h, the others the values written. With no drive
 * the bus floats and every register reads FFh.
 *
 * Deviations from hardware: a software reset completes as soon as SRST
 * is cleared (no 2 ms of BSY); EXECUTE DEVICE DIAGNOSTIC runs on the
 * selected drive only.
 */
import type { IoDevice, IrqLine } from '../io-device.js';
import { type AtaDrive, type AtaRegisters, DEV_OBSOLETE, DEV_SELECT } from './ata-drive.js';
import type { BusMasterChannel, DmaClient } from './bus-master-ide.js';

/** Device control: INTRQ disabled. */
const DC_NIEN = 0x02;
/** Device control: software reset. */
const DC_SRST = 0x04;
/** Device control: high order byte, reads return the previous register contents. */
const DC_HOB = 0x80;

/** Plain-data state of a channel (snapshot format, version 1). */
export interface AtaChannelState {
  version: 1;
  deviceControl: number;
  /** The drive the DEV bit selects. */
  selected: 0 | 1;
  /** The registers as written, which the present drive returns for an absent one. */
  latched: AtaRegisters;
  /** The level driven on the interrupt line. */
  irqLevel: boolean;
}

/** An ATA channel with its two drive positions. */
export class AtaChannel implements DmaClient {
  state: AtaChannelState = powerOn();
  /** Whether the channel's ports decode (the PIIX3 IDETIM decode enable); when off they read as nothing there. */
  enabled = true;
  /** The bus master engine, when the controller has one. */
  dma: BusMasterChannel | undefined;
  /** The command block, 8 ports. */
  readonly commandBlock: IoDevice;
  /** The control block, 1 port. */
  readonly controlBlock: IoDevice;

  constructor(private readonly irq: IrqLine, readonly drives: readonly [AtaDrive | undefined, AtaDrive | undefined]) {
    for (const d of drives) {
      if (!d) continue;
      d.host = {
        irqChanged: () => this.updateIrq(),
        dmaRequested: () => { if (d === this.selectedDrive && this.dma?.active) this.startDma(this.dma); },
      };
    }
    this.commandBlock = {
      read: (offset, size) => this.readCommandBlock(offset, size),
      write: (offset, size, value) => this.writeCommandBlock(offset, size, value),
    };
    this.controlBlock = {
      read: () => (this.decodes ? this.alternateStatus() : 0xff),
      write: (_offset, _size, value) => { if (this.decodes) this.writeDeviceControl(value & 0xff); },
    };
  }

  /** The drive DEV selects, if present. */
  get selectedDrive(): AtaDrive | undefined { return this.drives[this.state.selected]; }

  /** Runs the selected drive's pending DMA through the engine (Start was set, or a DMA command came while started). */
  startDma(engine: BusMasterChannel): void {
    const d = this.selectedDrive;
    if (!d || !d.dmaPending) return;
    d.runDma(engine);
    engine.finish(!d.dmaPending);
  }

  /** Hardware reset (RESET-): drives to their power-on signature, device 0 selected. */
  reset(): void {
    this.state = powerOn();
    for (const d of this.drives) { d?.beginReset(); d?.endReset(); }
    this.updateIrq();
  }

  private get decodes(): boolean {
    return this.enabled && (this.drives[0] !== undefined || this.drives[1] !== undefined);
  }

  private readCommandBlock(offset: number, size: 1 | 2 | 4): number {
    if (!this.decodes) return size === 4 ? -1 : (1 << (8 * size)) - 1;
    const d = this.selectedDrive;
    if (offset === 0) return d ? d.readData(size) : (size === 4 ? -1 : (1 << (8 * size)) - 1);
    // Wider accesses to the byte registers read consecutive registers.
    let v = 0;
    for (let i = 0; i < size && offset + i < 8; i++) v |= this.readRegister(offset + i) << (8 * i);
    return v;
  }

  private readRegister(offset: number): number {
    const d = this.selectedDrive;
    const hob = (this.state.deviceControl & DC_HOB) !== 0;
    if (offset === 7) return d ? d.readStatus() : 0;
    if (d) return d.readRegister(offset, hob);
    const r = this.state.latched;
    switch (offset) {
      case 2: return hob ? r.hobSectorCount : r.sectorCount;
      case 3: return hob ? r.hobLbaLow : r.lbaLow;
      case 4: return hob ? r.hobLbaMid : r.lbaMid;
      case 5: return hob ? r.hobLbaHigh : r.lbaHigh;
      case 6: return r.device | DEV_OBSOLETE;
      default: return 0;
    }
  }

  private writeCommandBlock(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!this.decodes) return;
    if (offset === 0) { this.selectedDrive?.writeData(size, value); return; }
    for (let i = 0; i < size && offset + i < 8; i++) this.writeRegister(offset + i, (value >>> (8 * i)) & 0xff);
  }

  private writeRegister(offset: number, value: number): void {
    // A write to any command block register clears HOB (ATA-6 §6.20 "Device Control register").
    this.state.deviceControl &= ~DC_HOB;
    if (offset === 7) {
      this.selectedDrive?.command(value);
      return;
    }
    const r = this.state.latched;
    switch (offset) {
      case 1: r.hobFeatures = r.features; r.features = value; break;
      case 2: r.hobSectorCount = r.sectorCount; r.sectorCount = value; break;
      case 3: r.hobLbaLow = r.lbaLow; r.lbaLow = value; break;
      case 4: r.hobLbaMid = r.lbaMid; r.lbaMid = value; break;
      case 5: r.hobLbaHigh = r.lbaHigh; r.lbaHigh = value; break;
      case 6: r.device = value; break;
    }
    for (const d of this.drives) d?.writeRegister(offset, value);
    if (offset === 6) {
      this.state.selected = (value & DEV_SELECT) !== 0 ? 1 : 0;
      this.updateIrq();
    }
  }

  private alternateStatus(): number {
    const d = this.selectedDrive;
    return d ? d.state.status : 0;
  }

  private writeDeviceControl(value: number): void {
    const s = this.state;
    const was = s.deviceControl;
    s.deviceControl = value & (DC_NIEN | DC_SRST | DC_HOB);
    if ((value & DC_SRST) !== 0 && (was & DC_SRST) === 0) {
      for (const d of this.drives) d?.beginReset();
    } else if ((value & DC_SRST) === 0 && (was & DC_SRST) !== 0) {
      // The reset selects device 0 (ATA-6 §9.2: DEV is cleared).
      s.selected = 0;
      s.latched.device = 0;
      for (const d of this.drives) d?.endReset();
    }
    this.updateIrq();
  }

  /** INTRQ follows the selected drive's request unless nIEN is set. */
  private updateIrq(): void {
    const d = this.selectedDrive;
    const level = d !== undefined && d.state.irqPending && (this.state.deviceControl & DC_NIEN) === 0;
    if (level === this.state.irqLevel) return;
    this.state.irqLevel = level;
    if (level) this.irq.raise();
    else this.irq.lower();
  }
}

function powerOn(): AtaChannelState {
  return {
    version: 1, deviceControl: 0, selected: 0, irqLevel: false,
    latched: {
      features: 0, sectorCount: 0, lbaLow: 0, lbaMid: 0, lbaHigh: 0, device: 0,
      hobFeatures: 0, hobSectorCount: 0, hobLbaLow: 0, hobLbaMid: 0, hobLbaHigh: 0,
    },
  };
}
