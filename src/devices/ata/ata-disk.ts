/**
 * An ATA hard disk (ATA/ATAPI-6, ANSI INCITS 361-2002, §8 "Command
 * descriptions"), backed by a {@link BlockDevice} of 512-byte sectors.
 *
 * | opcode      | command                          | protocol              |
 * |-------------|----------------------------------|-----------------------|
 * | 10h-1Fh     | RECALIBRATE (obsolete)           | non-data              |
 * | 20h, 21h    | READ SECTORS (with/without retry)| PIO in, LBA28 or CHS  |
 * | 24h         | READ SECTORS EXT                 | PIO in, LBA48         |
 * | 25h         | READ DMA EXT                     | DMA in, LBA48         |
 * | 29h         | READ MULTIPLE EXT                | PIO in, LBA48         |
 * | 30h, 31h    | WRITE SECTORS                    | PIO out               |
 * | 34h         | WRITE SECTORS EXT                | PIO out, LBA48        |
 * | 35h         | WRITE DMA EXT                    | DMA out, LBA48        |
 * | 39h         | WRITE MULTIPLE EXT               | PIO out, LBA48        |
 * | 40h-42h     | READ VERIFY SECTORS (EXT)        | non-data              |
 * | 70h-7Fh     | SEEK                             | non-data              |
 * | 90h         | EXECUTE DEVICE DIAGNOSTIC        | non-data, signature   |
 * | 91h         | INITIALIZE DEVICE PARAMETERS     | non-data              |
 * | C4h, C5h    | READ / WRITE MULTIPLE            | PIO, blocks of N      |
 * | C6h         | SET MULTIPLE MODE                | non-data              |
 * | C8h-CBh     | READ / WRITE DMA                 | DMA, LBA28 or CHS     |
 * | E0h-E3h, E5h, E6h, 94h-99h | power management  | non-data              |
 * | E7h, EAh    | FLUSH CACHE (EXT)                | non-data              |
 * | ECh         | IDENTIFY DEVICE                  | PIO in                |
 * | EFh         | SET FEATURES                     | non-data              |
 * | others      | aborted (ERR, ABRT)              |                       |
 *
 * PIO reads raise INTRQ before each block and leave DRQ clear after the
 * last; PIO writes take the first block without an interrupt and raise one
 * after each block (ATA-6 §9.7 "PIO data-in", §9.8 "PIO data-out").
 *
 * Deviations from hardware: transfers are instantaneous; the command block
 * registers are not updated with the address reached (ATA-6 makes them
 * reserved after success; on an address error they hold the request);
 * the default geometry is 16 heads × 63 sectors with at least one
 * cylinder, so a disk under 504 KiB has CHS addresses past its end (they
 * fail with IDNF); standby and sleep change nothing.
 */
import type { BlockDevice } from '../block-device.js';
import { BlockDeviceError } from '../block-device.js';
import {
  AtaDrive, DEV_LBA, driveState, ERR_ABRT, ERR_IDNF, ERR_UNC, ST_DRDY, ST_DSC, type AtaDriveState,
} from './ata-drive.js';
import { identifyDisk, type TransferModes } from './identify.js';

const SECTOR_BYTES = 512;
/** Largest READ/WRITE MULTIPLE block, in sectors (IDENTIFY word 47). */
const MAX_MULTIPLE = 16;
/** The default translation of every disk that fits it: 16 heads, 63 sectors per track. */
const DEFAULT_HEADS = 16, DEFAULT_SECTORS_PER_TRACK = 63;
/** Most cylinders a default geometry reports (ATA-6 §8.15.8: 16,383 for disks over 8.4 GB). */
const MAX_DEFAULT_CYLINDERS = 16383;

/** SET FEATURES subcommands (ATA-6 §8.37, Table 43). */
const SF_ENABLE_WRITE_CACHE = 0x02;
const SF_SET_TRANSFER_MODE = 0x03;
const SF_DISABLE_LOOK_AHEAD = 0x55;
const SF_REVERT_DEFAULTS_OFF = 0x66;
const SF_DISABLE_WRITE_CACHE = 0x82;
const SF_ENABLE_LOOK_AHEAD = 0xaa;
const SF_REVERT_DEFAULTS_ON = 0xcc;

/** What a disk's data phase is doing. */
interface DiskTransfer {
  /** Next sector to move. */
  lba: number;
  /** Sectors still to move. */
  remaining: number;
  /** Sectors per DRQ block (1, or the multiple count). */
  blockSectors: number;
  /** First sector of a DMA transfer. */
  dmaLba: number;
}

/** Plain-data state of a disk (snapshot format, version 1). */
export interface AtaDiskState extends AtaDriveState {
  /** Current logical geometry (INITIALIZE DEVICE PARAMETERS). */
  heads: number;
  sectorsPerTrack: number;
  /** READ/WRITE MULTIPLE block size, 0 when disabled. */
  multiple: number;
  modes: TransferModes;
  writeCache: boolean;
  lookAhead: boolean;
  transfer: DiskTransfer;
}

/** Options for an {@link AtaDisk}. */
export interface AtaDiskOptions {
  /** 0 for the master, 1 for the slave (IDENTIFY word 93). */
  deviceNumber: number;
  /** Serial number in IDENTIFY (default derived from the device number). */
  serial?: string;
}

/** Model string in IDENTIFY DEVICE. */
export const DISK_MODEL = 'anillo HARDDISK';
/** Firmware revision in IDENTIFY. */
export const ATA_FIRMWARE = '0.1.0';

/** An ATA hard disk. */
export class AtaDisk extends AtaDrive<AtaDiskState> {
  readonly kind = 'disk';
  /** Total sectors. */
  readonly sectors: number;
  /** Default geometry (IDENTIFY words 1, 3, 6). */
  readonly cylinders: number;
  private readonly serial: string;

  constructor(private readonly media: BlockDevice, private readonly options: AtaDiskOptions) {
    super(powerOnState());
    if (media.sizeBytes % SECTOR_BYTES !== 0) throw new RangeError(`disk size ${media.sizeBytes} is not whole sectors`);
    this.sectors = media.sizeBytes / SECTOR_BYTES;
    this.cylinders = Math.max(1, Math.min(MAX_DEFAULT_CYLINDERS, Math.floor(this.sectors / (DEFAULT_HEADS * DEFAULT_SECTORS_PER_TRACK))));
    this.serial = options.serial ?? `ANL${options.deviceNumber}-${this.sectors.toString(16).toUpperCase()}`;
    this.endReset();
  }

  /** The IDENTIFY DEVICE block as it reads now. */
  identify(): Uint8Array {
    const s = this.state;
    return identifyDisk({
      model: DISK_MODEL, serial: this.serial, firmware: ATA_FIRMWARE, sectors: this.sectors,
      cylinders: this.cylinders, heads: DEFAULT_HEADS, sectorsPerTrack: DEFAULT_SECTORS_PER_TRACK,
      currentCylinders: this.currentCylinders(), currentHeads: s.heads, currentSectorsPerTrack: s.sectorsPerTrack,
      maxMultiple: MAX_MULTIPLE, multiple: s.multiple, modes: s.modes,
      writeCache: s.writeCache, lookAhead: s.lookAhead, deviceNumber: this.options.deviceNumber,
    });
  }

  protected execute(op: number): void {
    this.state.transfer.remaining = 0;
    switch (op) {
      case 0x20: case 0x21: return this.pio(false, false, 1);
      case 0x24: return this.pio(false, true, 1);
      case 0x29: return this.pioMultiple(false, true);
      case 0xc4: return this.pioMultiple(false, false);
      case 0x30: case 0x31: return this.pio(true, false, 1);
      case 0x34: return this.pio(true, true, 1);
      case 0x39: return this.pioMultiple(true, true);
      case 0xc5: return this.pioMultiple(true, false);
      case 0xc8: case 0xc9: return this.dma(false, false);
      case 0x25: return this.dma(false, true);
      case 0xca: case 0xcb: return this.dma(true, false);
      case 0x35: return this.dma(true, true);
      case 0x40: case 0x41: return this.verify(false);
      case 0x42: return this.verify(true);
      case 0x90: this.signature(); this.raiseIrq(); return;
      case 0x91: return this.initializeDeviceParameters();
      case 0xc6: return this.setMultipleMode();
      case 0xe7: case 0xea: return this.flush();
      case 0xec: return this.sendIdentify();
      case 0xef: return this.setFeatures();
      // CHECK POWER MODE: sector count FFh means active or idle.
      case 0xe5: case 0x98: this.state.regs.sectorCount = 0xff; return this.succeed();
      case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe6: case 0x94: case 0x95: case 0x96: case 0x97: case 0x99:
        return this.succeed();
      default:
        if ((op & 0xf0) === 0x10 || (op & 0xf0) === 0x70) return this.succeed(); // RECALIBRATE, SEEK
        return this.fail(ERR_ABRT);
    }
  }

  protected override signature(): void {
    const r = this.state.regs;
    r.sectorCount = 1; r.lbaLow = 1; r.lbaMid = 0; r.lbaHigh = 0; r.device = 0;
    this.state.status = ST_DRDY | ST_DSC;
  }

  protected override resetDevice(): void {
    const fresh = powerOnState();
    const s = this.state;
    // A software reset keeps the settings made by SET FEATURES and friends (ATA-6 §9.2 "Software reset"),
    // unless reverting to defaults was enabled.
    s.transfer = fresh.transfer;
  }

  protected override pioInDone(): void {
    if (this.state.transfer.remaining > 0) this.readBlock();
    else this.succeed(false);
  }

  protected override pioOutDone(): void {
    const t = this.state.transfer;
    const n = this.state.bufferEnd / SECTOR_BYTES;
    if (!this.mediaWrite(t.lba, this.state.buffer.subarray(0, n * SECTOR_BYTES))) return;
    t.lba += n;
    t.remaining -= n;
    if (t.remaining > 0) this.startPioOut(Math.min(t.blockSectors, t.remaining) * SECTOR_BYTES, true);
    else this.succeed();
  }

  protected override dmaSource(offset: number, dest: Uint8Array): void {
    this.media.read(this.state.transfer.dmaLba * SECTOR_BYTES + offset, dest);
  }

  protected override dmaSink(offset: number, src: Uint8Array): void {
    this.media.write(this.state.transfer.dmaLba * SECTOR_BYTES + offset, src);
  }

  // ---- commands -------------------------------------------------------------------

  private pio(write: boolean, ext: boolean, blockSectors: number): void {
    const range = this.requestedRange(ext);
    if (!range) return;
    if (write && this.media.readOnly) return this.fail(ERR_ABRT);
    const t = this.state.transfer;
    t.lba = range.lba;
    t.remaining = range.count;
    t.blockSectors = blockSectors;
    if (write) this.startPioOut(Math.min(blockSectors, range.count) * SECTOR_BYTES, false);
    else this.readBlock();
  }

  private pioMultiple(write: boolean, ext: boolean): void {
    if (this.state.multiple === 0) return this.fail(ERR_ABRT);
    this.pio(write, ext, this.state.multiple);
  }

  private dma(write: boolean, ext: boolean): void {
    const range = this.requestedRange(ext);
    if (!range) return;
    if (write && this.media.readOnly) return this.fail(ERR_ABRT);
    this.state.transfer.dmaLba = range.lba;
    this.startDma(write ? 'out' : 'in', range.count * SECTOR_BYTES);
  }

  private verify(ext: boolean): void {
    if (this.requestedRange(ext)) this.succeed();
  }

  /** Reads the next PIO block into the buffer and offers it (DRQ, interrupt). */
  private readBlock(): void {
    const t = this.state.transfer;
    const n = Math.min(t.blockSectors, t.remaining);
    const block = this.state.buffer.subarray(0, n * SECTOR_BYTES);
    try {
      this.media.read(t.lba * SECTOR_BYTES, block);
    } catch (e) {
      if (!(e instanceof BlockDeviceError)) throw e;
      return this.fail(ERR_UNC);
    }
    t.lba += n;
    t.remaining -= n;
    this.startPioIn(n * SECTOR_BYTES, true);
  }

  /** Writes sectors; on a backend failure ends the command with UNC and returns false. */
  private mediaWrite(lba: number, data: Uint8Array): boolean {
    try {
      this.media.write(lba * SECTOR_BYTES, data);
      return true;
    } catch (e) {
      if (!(e instanceof BlockDeviceError)) throw e;
      this.fail(ERR_UNC);
      return false;
    }
  }

  /**
   * The sectors a command asks for, from the registers: LBA48 for EXT
   * commands, else LBA28 or CHS by the device register's LBA bit. Fails the
   * command with IDNF and returns undefined when they lie past the end.
   */
  private requestedRange(ext: boolean): { lba: number; count: number } | undefined {
    const r = this.state.regs;
    let lba: number, count: number;
    if (ext) {
      lba = (r.hobLbaHigh * 2 ** 40) + (r.hobLbaMid * 2 ** 32) + (r.hobLbaLow * 2 ** 24)
        + ((r.lbaHigh << 16) | (r.lbaMid << 8) | r.lbaLow);
      count = ((r.hobSectorCount << 8) | r.sectorCount) || 0x1_0000;
    } else {
      count = r.sectorCount || 0x100;
      if ((r.device & DEV_LBA) !== 0) {
        lba = ((r.device & 0x0f) * 2 ** 24) + ((r.lbaHigh << 16) | (r.lbaMid << 8) | r.lbaLow);
      } else {
        const cylinder = (r.lbaHigh << 8) | r.lbaMid, head = r.device & 0x0f, sector = r.lbaLow;
        const s = this.state;
        if (sector < 1 || sector > s.sectorsPerTrack || head >= s.heads || cylinder >= this.currentCylinders()) {
          this.fail(ERR_IDNF);
          return undefined;
        }
        lba = (cylinder * s.heads + head) * s.sectorsPerTrack + sector - 1;
      }
    }
    if (lba + count > this.sectors) {
      this.fail(ERR_IDNF);
      return undefined;
    }
    return { lba, count };
  }

  private currentCylinders(): number {
    const s = this.state;
    return Math.min(0xffff, Math.floor(this.sectors / (s.heads * s.sectorsPerTrack)));
  }

  private initializeDeviceParameters(): void {
    const r = this.state.regs;
    if (r.sectorCount === 0) return this.fail(ERR_ABRT);
    this.state.heads = (r.device & 0x0f) + 1;
    this.state.sectorsPerTrack = r.sectorCount;
    this.succeed();
  }

  /** SET MULTIPLE MODE: a power of two up to the maximum, or 0 to disable (ATA-6 §8.39). */
  private setMultipleMode(): void {
    const n = this.state.regs.sectorCount;
    if (n > MAX_MULTIPLE || (n & (n - 1)) !== 0) return this.fail(ERR_ABRT);
    this.state.multiple = n;
    this.succeed();
  }

  private flush(): void {
    try {
      this.media.flush();
    } catch (e) {
      if (!(e instanceof BlockDeviceError)) throw e;
      return this.fail(ERR_ABRT);
    }
    this.succeed();
  }

  private sendIdentify(): void {
    this.state.buffer.set(this.identify());
    this.startPioIn(512, true);
  }

  private setFeatures(): void {
    const s = this.state;
    switch (s.regs.features) {
      case SF_SET_TRANSFER_MODE:
        if (!setTransferMode(s.modes, s.regs.sectorCount)) return this.fail(ERR_ABRT);
        return this.succeed();
      case SF_ENABLE_WRITE_CACHE: s.writeCache = true; return this.succeed();
      case SF_DISABLE_WRITE_CACHE: s.writeCache = false; return this.succeed();
      case SF_ENABLE_LOOK_AHEAD: s.lookAhead = true; return this.succeed();
      case SF_DISABLE_LOOK_AHEAD: s.lookAhead = false; return this.succeed();
      case SF_REVERT_DEFAULTS_ON: case SF_REVERT_DEFAULTS_OFF: return this.succeed();
      default: return this.fail(ERR_ABRT);
    }
  }
}

/**
 * SET FEATURES 03h: the sector count selects a mode (ATA-6 Table 44):
 * 00000_00x PIO default, 00001_nnn PIO mode n, 00100_nnn multiword DMA
 * mode n, 01000_nnn Ultra DMA mode n. Returns false for a mode not supported.
 */
export function setTransferMode(modes: TransferModes, value: number): boolean {
  const kind = value >> 3, mode = value & 7;
  switch (kind) {
    case 0: return mode <= 1;
    case 1: return mode <= 4;
    case 4:
      if (mode > 2) return false;
      modes.mwdma = mode; modes.udma = -1;
      return true;
    case 8:
      if (mode > 5) return false;
      modes.udma = mode; modes.mwdma = -1;
      return true;
    default: return false;
  }
}

function powerOnState(): AtaDiskState {
  return {
    ...driveState(MAX_MULTIPLE * SECTOR_BYTES),
    heads: DEFAULT_HEADS, sectorsPerTrack: DEFAULT_SECTORS_PER_TRACK, multiple: 0,
    modes: { mwdma: 2, udma: -1 }, writeCache: true, lookAhead: true,
    transfer: { lba: 0, remaining: 0, blockSectors: 1, dmaLba: 0 },
  };
}
