/**
 * What every ATA device has, disk or ATAPI (ATA/ATAPI-6, ANSI INCITS
 * 361-2002, §6 "Device register descriptions" and §9 "Protocol"): its copy
 * of the command block registers with the 48-bit "previous content" bytes,
 * status and error, the INTRQ request, the PIO data phase through the data
 * register, and the DMA phase driven by the bus master engine. The command
 * sets themselves are in ata-disk.ts and atapi-cdrom.ts; the channel
 * (ata-channel.ts) decodes the ports and selects between two drives.
 *
 * | off | read                    | write                                    |
 * |-----|-------------------------|------------------------------------------|
 * | 0   | data (PIO in)           | data (PIO out)                           |
 * | 1   | error                   | features                                 |
 * | 2   | sector count            | sector count                             |
 * | 3   | LBA low (sector number) | LBA low                                  |
 * | 4   | LBA mid (cylinder low)  | LBA mid                                  |
 * | 5   | LBA high (cylinder high)| LBA high                                 |
 * | 6   | device (head)           | device: bit 4 DEV, bit 6 LBA             |
 * | 7   | status (clears INTRQ)   | command                                  |
 *
 * Each of features, sector count and LBA low/mid/high is a two-byte FIFO
 * (ATA-6 §6.2 "48-bit address feature set"): a write pushes the previous
 * value back, and with HOB set in device control a read returns it.
 *
 * Deviations from hardware: commands complete at once (BSY is never seen
 * except during a software reset); the data register moves `size` bytes
 * per access whatever the bus width (a 32-bit access moves two words, as
 * the PIIX3's 32-bit PIO does).
 */
import { BlockDeviceError } from '../block-device.js';
import type { DmaEngine } from './bus-master-ide.js';

/** Status: an error occurred (see the error register). */
export const ST_ERR = 0x01;
/** Status: data request, the data register is ready for a PIO transfer. */
export const ST_DRQ = 0x08;
/** Status: device seek complete (obsolete DSC; ATA-6 "service" for queued commands). */
export const ST_DSC = 0x10;
/** Status: device fault. */
export const ST_DF = 0x20;
/** Status: device ready to accept commands. */
export const ST_DRDY = 0x40;
/** Status: busy, the other bits are not valid. */
export const ST_BSY = 0x80;

/** Error: address mark not found; after reset or diagnostics, 0x01 means "no error". */
export const ERR_AMNF = 0x01;
/** Error: command aborted (unsupported command or parameter). */
export const ERR_ABRT = 0x04;
/** Error: ID not found (address out of range). */
export const ERR_IDNF = 0x10;
/** Error: uncorrectable data error. */
export const ERR_UNC = 0x40;

/** Device register: selects device 1. */
export const DEV_SELECT = 0x10;
/** Device register: LBA addressing (else CHS). */
export const DEV_LBA = 0x40;
/** Device register bits that always read 1 on older devices (ATA-1 "obsolete, should be 1"). */
export const DEV_OBSOLETE = 0xa0;

/** The command block registers one device holds. */
export interface AtaRegisters {
  features: number;
  sectorCount: number;
  lbaLow: number;
  lbaMid: number;
  lbaHigh: number;
  device: number;
  /** The previous contents (HOB), for 48-bit commands. */
  hobFeatures: number;
  hobSectorCount: number;
  hobLbaLow: number;
  hobLbaMid: number;
  hobLbaHigh: number;
}

/** Direction of a data phase: `in` is device to host (a read). */
export type Direction = 'none' | 'in' | 'out';

/** The plain state every drive has (snapshot format, version 1). */
export interface AtaDriveState {
  version: 1;
  regs: AtaRegisters;
  status: number;
  error: number;
  /** The device requests an interrupt (INTRQ when selected and nIEN is clear). */
  irqPending: boolean;
  /** PIO data phase and the block being moved through the data register. */
  pio: Direction;
  buffer: Uint8Array;
  bufferPos: number;
  bufferEnd: number;
  /** DMA data phase: direction, total bytes, bytes moved so far. */
  dma: Direction;
  dmaTotal: number;
  dmaDone: number;
}

/** How a drive tells its channel that its outputs changed. */
export interface DriveHost {
  /** irqPending changed. */
  irqChanged(): void;
  /** A DMA phase started: run it if the engine is already going. */
  dmaRequested(): void;
}

/** Bytes moved per step of a DMA transfer (the largest a PRD region holds). */
const DMA_CHUNK = 0x1_0000;

/** The initial state of a drive's base fields, with a data buffer of `bufferBytes`. */
export function driveState(bufferBytes: number): AtaDriveState {
  return {
    version: 1,
    regs: {
      features: 0, sectorCount: 0, lbaLow: 0, lbaMid: 0, lbaHigh: 0, device: 0,
      hobFeatures: 0, hobSectorCount: 0, hobLbaLow: 0, hobLbaMid: 0, hobLbaHigh: 0,
    },
    status: 0, error: 0, irqPending: false,
    pio: 'none', buffer: new Uint8Array(bufferBytes), bufferPos: 0, bufferEnd: 0,
    dma: 'none', dmaTotal: 0, dmaDone: 0,
  };
}

/** An ATA device on a channel. Subclasses implement a command set. */
export abstract class AtaDrive<S extends AtaDriveState = AtaDriveState> {
  host: DriveHost = { irqChanged() {}, dmaRequested() {} };

  constructor(public state: S) {}

  /** Model string, for diagnostics. */
  abstract readonly kind: 'disk' | 'cdrom';

  // ---- registers ------------------------------------------------------------------

  /** A write to command block register 1-6 (every device on the channel sees it). */
  writeRegister(offset: number, value: number): void {
    const r = this.state.regs;
    value &= 0xff;
    switch (offset) {
      case 1: r.hobFeatures = r.features; r.features = value; return;
      case 2: r.hobSectorCount = r.sectorCount; r.sectorCount = value; return;
      case 3: r.hobLbaLow = r.lbaLow; r.lbaLow = value; return;
      case 4: r.hobLbaMid = r.lbaMid; r.lbaMid = value; return;
      case 5: r.hobLbaHigh = r.lbaHigh; r.lbaHigh = value; return;
      case 6: r.device = value; return;
      default: return;
    }
  }

  /** A read of command block register 1-6; `hob` reads the previous contents. */
  readRegister(offset: number, hob: boolean): number {
    const r = this.state.regs;
    switch (offset) {
      case 1: return this.state.error;
      case 2: return hob ? r.hobSectorCount : r.sectorCount;
      case 3: return hob ? r.hobLbaLow : r.lbaLow;
      case 4: return hob ? r.hobLbaMid : r.lbaMid;
      case 5: return hob ? r.hobLbaHigh : r.lbaHigh;
      case 6: return r.device | DEV_OBSOLETE;
      default: return 0xff;
    }
  }

  /** The status register: reading it acknowledges the interrupt. */
  readStatus(): number {
    if (this.state.irqPending) {
      this.state.irqPending = false;
      this.host.irqChanged();
    }
    return this.state.status;
  }

  /** A command written to the command register. */
  command(opcode: number): void {
    const s = this.state;
    if ((s.status & ST_BSY) !== 0 && !this.acceptsWhileBusy(opcode)) return;
    if (s.irqPending) { s.irqPending = false; this.host.irqChanged(); }
    s.pio = 'none';
    s.dma = 'none';
    s.error = 0;
    this.execute(opcode & 0xff);
  }

  /** Software reset (SRST) asserted: busy until released. */
  beginReset(): void {
    const s = this.state;
    s.status = ST_BSY;
    s.pio = 'none';
    s.dma = 'none';
    if (s.irqPending) { s.irqPending = false; this.host.irqChanged(); }
  }

  /** Software reset released, or a hardware reset: the drive's power-on signature and status. */
  endReset(): void {
    const s = this.state;
    s.error = ERR_AMNF; // diagnostic code 01h: no error
    this.resetDevice();
    this.signature();
  }

  // ---- the data register --------------------------------------------------------

  /** A read of the data register (PIO in). */
  readData(size: 1 | 2 | 4): number {
    const s = this.state;
    if (s.pio !== 'in') return size === 4 ? -1 : (1 << (8 * size)) - 1;
    let v = 0;
    for (let i = 0; i < size && s.bufferPos < s.bufferEnd; i++) v |= s.buffer[s.bufferPos++] << (8 * i);
    if (s.bufferPos >= s.bufferEnd) {
      s.pio = 'none';
      s.status &= ~ST_DRQ;
      this.pioInDone();
    }
    return size === 4 ? v : v >>> 0;
  }

  /** A write of the data register (PIO out). */
  writeData(size: 1 | 2 | 4, value: number): void {
    const s = this.state;
    if (s.pio !== 'out') return;
    for (let i = 0; i < size && s.bufferPos < s.bufferEnd; i++) s.buffer[s.bufferPos++] = (value >>> (8 * i)) & 0xff;
    if (s.bufferPos >= s.bufferEnd) {
      s.pio = 'none';
      s.status &= ~ST_DRQ;
      this.pioOutDone();
    }
  }

  // ---- DMA -----------------------------------------------------------------------

  /** A DMA phase is waiting for (or stalled on) the bus master engine. */
  get dmaPending(): boolean { return this.state.dma !== 'none'; }

  /** Moves the pending DMA data through the engine; completes the command if all of it moved. */
  runDma(engine: DmaEngine): void {
    const s = this.state;
    const chunk = new Uint8Array(Math.min(DMA_CHUNK, s.dmaTotal - s.dmaDone));
    try {
      while (s.dma !== 'none' && s.dmaDone < s.dmaTotal) {
        const n = Math.min(chunk.length, s.dmaTotal - s.dmaDone);
        const part = chunk.subarray(0, n);
        let moved: number;
        if (s.dma === 'in') {
          this.dmaSource(s.dmaDone, part);
          moved = engine.toMemory(part);
        } else {
          moved = engine.fromMemory(part);
          this.dmaSink(s.dmaDone, part.subarray(0, moved));
        }
        s.dmaDone += moved;
        if (moved < n) return; // the engine ran out of table: the drive waits for more
      }
    } catch (e) {
      if (!(e instanceof BlockDeviceError)) throw e;
      s.dma = 'none';
      this.mediaError();
      return;
    }
    if (s.dma === 'none') return;
    s.dma = 'none';
    this.dmaComplete();
  }

  // ---- for the command sets -------------------------------------------------------

  /** Sets up a PIO data-in block of `bytes` (filled by the caller into `buffer`), DRQ set. */
  protected startPioIn(bytes: number, interrupt: boolean): void {
    const s = this.state;
    s.pio = 'in';
    s.bufferPos = 0;
    s.bufferEnd = bytes;
    s.status = ST_DRDY | ST_DSC | ST_DRQ;
    if (interrupt) this.raiseIrq();
  }

  /** Sets up a PIO data-out block of `bytes`, DRQ set. */
  protected startPioOut(bytes: number, interrupt: boolean): void {
    const s = this.state;
    s.pio = 'out';
    s.bufferPos = 0;
    s.bufferEnd = bytes;
    s.status = ST_DRDY | ST_DSC | ST_DRQ;
    if (interrupt) this.raiseIrq();
  }

  /** Starts a DMA data phase of `bytes`; it runs when the bus master engine is started. */
  protected startDma(direction: 'in' | 'out', bytes: number): void {
    const s = this.state;
    s.dma = direction;
    s.dmaTotal = bytes;
    s.dmaDone = 0;
    s.status = ST_BSY | ST_DRDY | ST_DSC;
    this.host.dmaRequested();
  }

  /** Ends a command successfully: ready, no data, an interrupt unless told otherwise. */
  protected succeed(interrupt = true): void {
    const s = this.state;
    s.pio = 'none';
    s.dma = 'none';
    s.status = ST_DRDY | ST_DSC;
    if (interrupt) this.raiseIrq();
  }

  /** Ends a command with an error (ABRT unless given). */
  protected fail(error = ERR_ABRT): void {
    const s = this.state;
    s.pio = 'none';
    s.dma = 'none';
    s.error = error;
    s.status = ST_DRDY | ST_ERR;
    this.raiseIrq();
  }

  protected raiseIrq(): void {
    if (this.state.irqPending) return;
    this.state.irqPending = true;
    this.host.irqChanged();
  }

  /** Commands accepted while BSY (DEVICE RESET on ATAPI). */
  protected acceptsWhileBusy(_opcode: number): boolean { return false; }

  protected abstract execute(opcode: number): void;
  /** The host read the whole PIO block. */
  protected pioInDone(): void { this.succeed(false); }
  /** The host wrote the whole PIO block. */
  protected pioOutDone(): void { this.succeed(); }
  /** Fills `dest` with the DMA data at byte `offset` of the transfer. */
  protected dmaSource(_offset: number, _dest: Uint8Array): void {}
  /** Takes `src`, the DMA data at byte `offset` of the transfer. */
  protected dmaSink(_offset: number, _src: Uint8Array): void {}
  /** All DMA data moved. */
  protected dmaComplete(): void { this.succeed(); }
  /** The backend failed during a DMA transfer. */
  protected mediaError(): void { this.fail(ERR_UNC); }
  /** Clears command-set state on reset. */
  protected resetDevice(): void {}
  /** Sets the signature registers and status after a reset or diagnostics. */
  protected abstract signature(): void;
}
