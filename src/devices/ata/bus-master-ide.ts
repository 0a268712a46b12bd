/**
 * Bus master IDE: one channel's DMA engine, as specified by SFF-8038i
 * "Programming Interface for Bus Master IDE Controller" rev 1.0 and
 * implemented by the PIIX3 (82371SB datasheet §2.7 "Bus Master IDE I/O
 * Registers"). Software builds a table of Physical Region Descriptors in
 * memory, points the engine at it, issues a DMA command to the drive and
 * sets Start; the engine moves the drive's data to or from the regions.
 *
 * | off | size | register                                                      |
 * |-----|------|---------------------------------------------------------------|
 * | 0   | 1    | command: bit 0 start/stop, bit 3 direction (1 = to memory)     |
 * | 2   | 1    | status: 0 active (RO), 1 error (RW1C), 2 interrupt (RW1C),    |
 * |     |      | 5/6 drive 0/1 DMA capable (RW), 7 simplex only (RO 0)         |
 * | 4   | 4    | PRD table address (bits 1:0 read 0)                           |
 *
 * A PRD is two dwords: the region's physical address (bit 0 is 0) and its
 * byte count in bits 15:0 (0 means 64 KiB), with bit 31 marking the last
 * entry (EOT). At the end of a transfer (SFF-8038i §3.1 "Status bits"):
 * interrupt = 1, active = 0 when the table was used up exactly; interrupt
 * = 1, active = 1 when the drive finished with table left over; interrupt
 * = 0, active = 0 when the table ran out first (the drive still waits).
 *
 * Deviations from hardware: transfers are instantaneous; the direction bit
 * is not checked against the drive's command (the drive's command decides);
 * nothing enforces the 64 KiB boundary rule for regions.
 */

/** Guest-physical memory as a bus master sees it (PhysicalMemory implements it). */
export interface DmaMemory {
  readBytes(gpa: number, dest: Uint8Array): void;
  writeBytes(gpa: number, src: Uint8Array): void;
}

/** What a drive sees of the DMA engine during a transfer. */
export interface DmaEngine {
  /** Device → memory: stores as much of `bytes` as the table has room for; returns bytes stored. */
  toMemory(bytes: Uint8Array): number;
  /** Memory → device: fills `bytes` as far as the table reaches; returns bytes filled. */
  fromMemory(bytes: Uint8Array): number;
}

/** Command: start (1) or stop (0) the engine. */
const BM_CMD_START = 0x01;
/** Command: direction, 1 = the engine writes memory (a drive read). */
const BM_CMD_TO_MEMORY = 0x08;
/** Status: a transfer is active. */
export const BM_STATUS_ACTIVE = 0x01;
/** Status: the engine hit an error. */
export const BM_STATUS_ERROR = 0x02;
/** Status: the drive raised its interrupt. */
export const BM_STATUS_INTERRUPT = 0x04;
/** Status: drive 0 and drive 1 DMA capable (set by firmware, read by drivers). */
const BM_STATUS_DRIVE_CAPABLE = 0x60;
/** PRD flag: last entry of the table. */
const PRD_EOT = 0x8000_0000;

/** Plain-data state of one channel's engine (snapshot format, version 1). */
export interface BusMasterChannelState {
  version: 1;
  command: number;
  status: number;
  prdTable: number;
  /** Address of the next PRD to fetch. */
  nextPrd: number;
  /** The current region: where the next byte goes, and how many are left in it. */
  regionAddress: number;
  regionRemaining: number;
  /** The current region is the table's last. */
  lastRegion: boolean;
}

/** What the channel offers the engine: the drive side of a transfer. */
export interface DmaClient {
  /** Start was set: run the selected drive's pending transfer, if any. */
  startDma(engine: BusMasterChannel): void;
}

/** One channel's bus master registers and PRD walker (offsets 0-7 of its half of BAR4). */
export class BusMasterChannel implements DmaEngine {
  state: BusMasterChannelState = powerOn();
  client: DmaClient | undefined;

  constructor(private readonly memory: DmaMemory, private readonly busMasterEnabled: () => boolean) {}

  /** The engine is running (Start set and the table not used up). */
  get active(): boolean { return (this.state.status & BM_STATUS_ACTIVE) !== 0; }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(offset + i) << (8 * i);
    return size === 4 ? v : v & ((1 << (8 * size)) - 1);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xff);
  }

  /** The channel's interrupt line rose (set on any drive interrupt, as on the PIIX3). */
  interrupt(): void {
    this.state.status |= BM_STATUS_INTERRUPT;
  }

  /**
   * A drive transfer ended or stalled. `driveDone`: the drive has all its
   * data; otherwise the table ran out (or bus mastering is off) first.
   */
  finish(driveDone: boolean): void {
    const s = this.state;
    const tableUsedUp = s.lastRegion && s.regionRemaining === 0;
    if (tableUsedUp || !driveDone) s.status &= ~BM_STATUS_ACTIVE;
  }

  toMemory(bytes: Uint8Array): number {
    return this.move(bytes, true);
  }

  fromMemory(bytes: Uint8Array): number {
    return this.move(bytes, false);
  }

  reset(): void {
    this.state = powerOn();
  }

  private move(bytes: Uint8Array, toMemory: boolean): number {
    const s = this.state;
    if (!this.busMasterEnabled() || !this.active) return 0;
    let done = 0;
    while (done < bytes.length) {
      if (s.regionRemaining === 0) {
        if (s.lastRegion) break;
        const entry = new Uint8Array(8);
        this.memory.readBytes(s.nextPrd, entry);
        const view = new DataView(entry.buffer);
        s.regionAddress = view.getUint32(0, true) & ~1;
        const count = view.getUint32(4, true) & 0xffff;
        s.regionRemaining = count === 0 ? 0x1_0000 : count;
        s.lastRegion = (view.getUint32(4, true) & PRD_EOT) !== 0;
        s.nextPrd = (s.nextPrd + 8) >>> 0;
      }
      const n = Math.min(s.regionRemaining, bytes.length - done);
      const part = bytes.subarray(done, done + n);
      if (toMemory) this.memory.writeBytes(s.regionAddress >>> 0, part);
      else this.memory.readBytes(s.regionAddress >>> 0, part);
      s.regionAddress = (s.regionAddress + n) >>> 0;
      s.regionRemaining -= n;
      done += n;
    }
    return done;
  }

  private readByte(offset: number): number {
    const s = this.state;
    switch (offset) {
      case 0: return s.command;
      case 2: return s.status;
      case 4: case 5: case 6: case 7: return (s.prdTable >>> (8 * (offset - 4))) & 0xff;
      default: return 0;
    }
  }

  private writeByte(offset: number, value: number): void {
    const s = this.state;
    switch (offset) {
      case 0: {
        const starting = (value & BM_CMD_START) !== 0 && (s.command & BM_CMD_START) === 0;
        const stopping = (value & BM_CMD_START) === 0 && (s.command & BM_CMD_START) !== 0;
        s.command = value & (BM_CMD_START | BM_CMD_TO_MEMORY);
        if (stopping) s.status &= ~BM_STATUS_ACTIVE;
        if (starting) {
          s.status |= BM_STATUS_ACTIVE;
          s.nextPrd = s.prdTable;
          s.regionRemaining = 0;
          s.lastRegion = false;
          this.client?.startDma(this);
        }
        return;
      }
      case 2:
        s.status = (s.status & ~BM_STATUS_DRIVE_CAPABLE & ~(value & (BM_STATUS_ERROR | BM_STATUS_INTERRUPT)))
          | (value & BM_STATUS_DRIVE_CAPABLE);
        return;
      case 4: case 5: case 6: case 7: {
        const shift = 8 * (offset - 4);
        const mask = offset === 4 ? 0xfc : 0xff;
        s.prdTable = ((s.prdTable & ~(0xff << shift)) | ((value & mask) << shift)) >>> 0;
        return;
      }
      default: return;
    }
  }
}

function powerOn(): BusMasterChannelState {
  return {
    version: 1, command: 0, status: 0, prdTable: 0, nextPrd: 0, regionAddress: 0, regionRemaining: 0, lastRegion: false,
  };
}
