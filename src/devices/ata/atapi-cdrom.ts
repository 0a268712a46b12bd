/**
 * An ATAPI CD-ROM drive: the PACKET command protocol (ATA/ATAPI-6 §9.10
 * "PACKET command protocol") carrying SCSI Multimedia Commands (MMC-2,
 * NCITS 333; SPC-2 for INQUIRY and REQUEST SENSE) over a 2048-byte-sector
 * {@link BlockDevice} (an ISO 9660 image).
 *
 * ATA commands:
 *
 * | opcode | command                          |
 * |--------|----------------------------------|
 * | 08h    | DEVICE RESET                     |
 * | 90h    | EXECUTE DEVICE DIAGNOSTIC        |
 * | A0h    | PACKET                           |
 * | A1h    | IDENTIFY PACKET DEVICE           |
 * | E5h    | CHECK POWER MODE                 |
 * | E0h, E1h, E6h | power management (no-op)  |
 * | EFh    | SET FEATURES (transfer mode)     |
 * | others | aborted, with the ATAPI signature (so IDENTIFY DEVICE tells drivers what we are) |
 *
 * Packet commands (12-byte CDBs):
 *
 * | opcode | command                          | data in                      |
 * |--------|----------------------------------|------------------------------|
 * | 00h    | TEST UNIT READY                  | none                         |
 * | 03h    | REQUEST SENSE                    | 18-byte fixed sense          |
 * | 12h    | INQUIRY                          | 36 bytes                     |
 * | 1Ah/5Ah| MODE SENSE (6)/(10)              | pages 01h, 2Ah, 3Fh          |
 * | 1Bh    | START STOP UNIT                  | none                         |
 * | 1Eh    | PREVENT ALLOW MEDIUM REMOVAL     | none                         |
 * | 25h    | READ CAPACITY                    | last LBA, 2048               |
 * | 28h/A8h| READ (10)/(12)                   | 2048-byte sectors            |
 * | 2Bh    | SEEK (10)                        | none                         |
 * | 43h    | READ TOC/PMA/ATIP                | formats 0 (TOC), 1 (sessions)|
 * | 46h    | GET CONFIGURATION                | profile list, core features  |
 * | 4Ah    | GET EVENT STATUS NOTIFICATION    | media class, polled          |
 * | BBh    | SET CD SPEED                     | none                         |
 *
 * The packet phase: PACKET sets DRQ with interrupt reason C/D = 1 (no
 * interrupt: IDENTIFY word 0 says DRQ comes within 50 µs), the host writes
 * six words, and the drive runs the CDB. Data goes by DMA when the PACKET
 * features register has bit 0 set, else by PIO in pieces no larger than
 * the byte count limit the host put in LBA mid/high: each piece sets DRQ,
 * I/O = 1 and the piece's length in LBA mid/high, and interrupts. The
 * command ends with I/O = C/D = 1, and an interrupt; CHECK CONDITION sets
 * ERR with the sense key in the error register's high nibble.
 *
 * Deviations from hardware: the medium never changes, so there is no UNIT
 * ATTENTION after reset and START STOP UNIT with LoEj does not eject (it
 * is refused while removal is prevented, as a drive would); no audio, no
 * subchannel, no raw or multi-session reads; transfers are instantaneous.
 */
import type { BlockDevice } from '../block-device.js';
import { BlockDeviceError } from '../block-device.js';
import { AtaDrive, driveState, ERR_ABRT, ST_DRDY, ST_DSC, ST_ERR, type AtaDriveState } from './ata-drive.js';
import { ATA_FIRMWARE, setTransferMode } from './ata-disk.js';
import { identifyPacketDevice, type TransferModes } from './identify.js';

/** CD-ROM logical block size. */
export const CD_SECTOR_BYTES = 2048;
/** Interrupt reason (sector count register): C/D, the transfer is a command packet or status. */
const IR_COD = 0x01;
/** Interrupt reason: I/O, the transfer is to the host. */
const IR_IO = 0x02;
/** The largest PIO piece (a byte count limit of 0 or FFFFh means this). */
const MAX_PIECE = 0xfffe;

/** SCSI sense keys (SPC-2 Table 107). */
const SENSE_NONE = 0x00, SENSE_NOT_READY = 0x02, SENSE_MEDIUM_ERROR = 0x03, SENSE_ILLEGAL_REQUEST = 0x05;
/** Additional sense codes (SPC-2 Annex D) as [ASC, ASCQ]. */
const ASC_INVALID_OPCODE = [0x20, 0x00] as const;
const ASC_LBA_OUT_OF_RANGE = [0x21, 0x00] as const;
const ASC_INVALID_FIELD_IN_CDB = [0x24, 0x00] as const;
const ASC_SAVING_NOT_SUPPORTED = [0x39, 0x00] as const;
const ASC_MEDIUM_NOT_PRESENT = [0x3a, 0x00] as const;
const ASC_REMOVAL_PREVENTED = [0x53, 0x02] as const;
const ASC_UNRECOVERED_READ_ERROR = [0x11, 0x00] as const;

/** MMC profile 0008h: CD-ROM. */
const PROFILE_CD_ROM = 0x0008;
/** Frames before LBA 0 in MSF addressing (the 2-second pregap). */
const MSF_OFFSET = 150;

/** Where a data-in phase takes its bytes from. */
type Source = 'response' | 'media';

/** Plain-data state of the CD-ROM drive (snapshot format, version 1). */
export interface AtapiCdromState extends AtaDriveState {
  /** Receiving the 12-byte command packet. */
  awaitingPacket: boolean;
  /** The PACKET command asked for DMA. */
  packetDma: boolean;
  /** Byte count limit from LBA mid/high at PACKET time. */
  byteLimit: number;
  senseKey: number;
  asc: number;
  ascq: number;
  /** PREVENT ALLOW MEDIUM REMOVAL state. */
  locked: boolean;
  modes: TransferModes;
  /** The data-in phase: its source, the media byte where it starts, its length and progress. */
  source: Source;
  response: number[];
  mediaOffset: number;
  total: number;
  sent: number;
}

/** Options for an {@link AtapiCdrom}. */
export interface AtapiCdromOptions {
  deviceNumber: number;
  serial?: string;
}

/** Model string in IDENTIFY PACKET DEVICE. */
export const CDROM_MODEL = 'anillo CD-ROM';

/** An ATAPI CD-ROM drive with an optional medium. */
export class AtapiCdrom extends AtaDrive<AtapiCdromState> {
  readonly kind = 'cdrom';
  private readonly serial: string;

  constructor(private readonly media: BlockDevice | undefined, private readonly options: AtapiCdromOptions) {
    super(powerOnState());
    this.serial = options.serial ?? `ANL${options.deviceNumber}-CD`;
    this.endReset();
  }

  /** Sectors of the medium (0 without one). */
  get sectors(): number { return this.media ? Math.floor(this.media.sizeBytes / CD_SECTOR_BYTES) : 0; }

  /** The IDENTIFY PACKET DEVICE block as it reads now. */
  identify(): Uint8Array {
    return identifyPacketDevice({
      model: CDROM_MODEL, serial: this.serial, firmware: ATA_FIRMWARE, modes: this.state.modes, deviceNumber: this.options.deviceNumber,
    });
  }

  protected override acceptsWhileBusy(op: number): boolean { return op === 0x08; }

  protected execute(op: number): void {
    const s = this.state;
    s.awaitingPacket = false;
    s.total = 0;
    s.sent = 0;
    switch (op) {
      case 0xa0: return this.packet();
      case 0xa1:
        s.buffer.set(this.identify());
        s.source = 'response';
        return this.startPioIn(512, true);
      case 0x08: this.signature(); return; // DEVICE RESET: no interrupt (ATA-6 §8.7)
      case 0x90: this.signature(); this.raiseIrq(); return;
      case 0xe5: s.regs.sectorCount = 0xff; return this.succeed();
      case 0xe0: case 0xe1: case 0xe6: return this.succeed();
      case 0xef:
        if (s.regs.features !== 0x03) return this.succeed();
        return setTransferMode(s.modes, s.regs.sectorCount) ? this.succeed() : this.fail(ERR_ABRT);
      default:
        this.signatureRegisters();
        return this.fail(ERR_ABRT);
    }
  }

  protected override signature(): void {
    this.signatureRegisters();
    this.state.regs.device = 0;
    this.state.status = 0; // a packet device clears DRDY after reset (ATA-6 §9.1)
  }

  protected override resetDevice(): void {
    const s = this.state;
    s.awaitingPacket = false;
    s.total = 0;
    s.sent = 0;
    s.locked = false;
  }

  /** PACKET: take the command packet through the data register. */
  private packet(): void {
    const s = this.state;
    s.packetDma = (s.regs.features & 0x01) !== 0;
    s.byteLimit = (s.regs.lbaHigh << 8) | s.regs.lbaMid;
    s.awaitingPacket = true;
    s.regs.sectorCount = IR_COD;
    this.startPioOut(12, false);
  }

  protected override pioOutDone(): void {
    const s = this.state;
    if (!s.awaitingPacket) return this.succeed();
    s.awaitingPacket = false;
    this.runPacket(s.buffer.slice(0, 12));
  }

  protected override pioInDone(): void {
    const s = this.state;
    if (s.total === 0) return this.succeed(false); // IDENTIFY PACKET DEVICE
    if (s.sent < s.total) this.sendPiece();
    else this.complete();
  }

  protected override dmaSource(offset: number, dest: Uint8Array): void {
    this.fill(offset, dest);
  }

  protected override dmaComplete(): void {
    this.complete();
  }

  protected override mediaError(): void {
    this.checkCondition(SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ_ERROR);
  }

  // ---- the packet commands ----------------------------------------------------------

  private runPacket(cdb: Uint8Array): void {
    const op = cdb[0];
    const needsMedium = op === 0x00 || op === 0x25 || op === 0x28 || op === 0xa8 || op === 0x2b || op === 0x43;
    if (needsMedium && !this.media) return this.checkCondition(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
    switch (op) {
      case 0x00: return this.complete(); // TEST UNIT READY
      case 0x03: return this.requestSense(cdb);
      case 0x12: return this.inquiry(cdb);
      case 0x1a: return this.modeSense(cdb, false);
      case 0x5a: return this.modeSense(cdb, true);
      case 0x1b: return this.startStopUnit(cdb);
      case 0x1e: this.state.locked = (cdb[4] & 0x01) !== 0; return this.complete();
      case 0x25: return this.reply(bytesOf(be32(this.sectors - 1), be32(CD_SECTOR_BYTES)), 8);
      case 0x28: return this.read(be32At(cdb, 2), (cdb[7] << 8) | cdb[8]);
      case 0xa8: return this.read(be32At(cdb, 2), be32At(cdb, 6));
      case 0x2b: case 0xbb: return this.complete(); // SEEK, SET CD SPEED
      case 0x43: return this.readToc(cdb);
      case 0x46: return this.getConfiguration(cdb);
      case 0x4a: return this.getEventStatus(cdb);
      default: return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
    }
  }

  private requestSense(cdb: Uint8Array): void {
    const s = this.state;
    const sense = new Array<number>(18).fill(0);
    sense[0] = 0x70; // current error, fixed format
    sense[2] = s.senseKey;
    sense[7] = 10; // additional sense length
    sense[12] = s.asc;
    sense[13] = s.ascq;
    this.reply(sense, cdb[4]);
  }

  private inquiry(cdb: Uint8Array): void {
    if ((cdb[1] & 0x01) !== 0) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB); // no VPD pages
    const data = [
      0x05, // peripheral device type: CD/DVD
      0x80, // removable medium
      0x00, // version: no standard claimed (as ATAPI drives report)
      0x21, // ATAPI transport version 2, response data format 1
      31, 0, 0, 0,
      ...ascii('anillo', 8), ...ascii('anillo CD-ROM', 16), ...ascii(ATA_FIRMWARE, 4),
    ];
    this.reply(data, (cdb[3] << 8) | cdb[4]);
  }

  private modeSense(cdb: Uint8Array, ten: boolean): void {
    const control = cdb[2] >> 6, page = cdb[2] & 0x3f;
    if (control === 3) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED);
    const pages = modePages(page, control === 1);
    if (!pages) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    const mediumType = this.media ? 0x01 : 0x70; // 120 mm CD-ROM data; door closed, no disc
    const header = ten
      ? [...be16(pages.length + 6), mediumType, 0, 0, 0, 0, 0]
      : [pages.length + 3, mediumType, 0, 0];
    this.reply([...header, ...pages], ten ? (cdb[7] << 8) | cdb[8] : cdb[4]);
  }

  private startStopUnit(cdb: Uint8Array): void {
    const loadEject = (cdb[4] & 0x02) !== 0, start = (cdb[4] & 0x01) !== 0;
    if (loadEject && !start && this.state.locked) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
    this.complete();
  }

  private read(lba: number, count: number): void {
    if (lba + count > this.sectors) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
    if (count === 0) return this.complete();
    const s = this.state;
    s.source = 'media';
    s.mediaOffset = lba * CD_SECTOR_BYTES;
    this.beginDataIn(count * CD_SECTOR_BYTES);
  }

  /** READ TOC/PMA/ATIP (MMC-2 §6.1.27): one data track from LBA 0, and the lead-out. */
  private readToc(cdb: Uint8Array): void {
    const msf = (cdb[1] & 0x02) !== 0;
    // The format is in byte 2; old drivers put it in the top bits of byte 9 (MMC-2 "Format (obsolete)").
    const format = (cdb[2] & 0x0f) || (cdb[9] >> 6);
    const track = cdb[6];
    const allocation = (cdb[7] << 8) | cdb[8];
    const address = (lba: number) => (msf ? toMsf(lba) : be32(lba));
    if (format === 0) {
      if (track > 1 && track !== 0xaa) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
      const descriptors: number[] = [];
      if (track <= 1) descriptors.push(0, 0x14, 1, 0, ...address(0));
      descriptors.push(0, 0x14, 0xaa, 0, ...address(this.sectors));
      return this.reply([...be16(descriptors.length + 2), 1, 1, ...descriptors], allocation);
    }
    if (format === 1) return this.reply([...be16(10), 1, 1, 0, 0x14, 1, 0, ...address(0)], allocation);
    this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
  }

  /** GET CONFIGURATION (MMC-2 §6.1.4): the profile list and the core feature. */
  private getConfiguration(cdb: Uint8Array): void {
    const requestType = cdb[1] & 0x03, first = (cdb[2] << 8) | cdb[3];
    const current = this.media ? 0x01 : 0x00;
    const features: [number, number[]][] = [
      // Profile List (0000h): persistent, current; one profile, CD-ROM.
      [0x0000, [0x00, 0x00, 0x03, 4, ...be16(PROFILE_CD_ROM), current, 0]],
      // Core (0001h): version 0, persistent, current; physical interface 2 = ATAPI.
      [0x0001, [0x00, 0x01, 0x03, 4, ...be32(2)]],
    ];
    const chosen = features.filter(([code]) => (requestType === 2 ? code === first : code >= first)).flatMap(([, f]) => f);
    const header = [...be32(chosen.length + 4), 0, 0, ...be16(this.media ? PROFILE_CD_ROM : 0)];
    this.reply([...header, ...chosen], (cdb[7] << 8) | cdb[8]);
  }

  /** GET EVENT STATUS NOTIFICATION (MMC-2 §6.1.5), polled only: the media class says "no change". */
  private getEventStatus(cdb: Uint8Array): void {
    if ((cdb[1] & 0x01) === 0) return this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    const allocation = (cdb[7] << 8) | cdb[8];
    const MEDIA_CLASS = 0x10;
    if ((cdb[4] & MEDIA_CLASS) === 0) return this.reply([0, 2, 0x80, MEDIA_CLASS], allocation); // no event available
    this.reply([0, 6, 0x04, MEDIA_CLASS, 0x00, this.media ? 0x02 : 0x00, 0, 0], allocation);
  }

  // ---- phases ------------------------------------------------------------------------

  /** Sends a response of at most `allocation` bytes (the CDB's allocation length). */
  private reply(data: number[], allocation: number): void {
    const s = this.state;
    s.source = 'response';
    s.response = data.slice(0, allocation);
    if (s.response.length === 0) return this.complete();
    this.beginDataIn(s.response.length);
  }

  private beginDataIn(total: number): void {
    const s = this.state;
    s.total = total;
    s.sent = 0;
    if (s.packetDma) {
      s.regs.sectorCount = IR_IO;
      this.startDma('in', total);
    } else {
      this.sendPiece();
    }
  }

  /** Offers the next PIO piece: its length in LBA mid/high, I/O = 1, DRQ and an interrupt. */
  private sendPiece(): void {
    const s = this.state;
    const remaining = s.total - s.sent;
    let limit = s.byteLimit === 0 || s.byteLimit === 0xffff ? MAX_PIECE : s.byteLimit & ~1;
    if (limit === 0) limit = 2;
    // Whole sectors per piece when the limit allows, as drives do.
    if (s.source === 'media' && limit >= CD_SECTOR_BYTES) limit -= limit % CD_SECTOR_BYTES;
    const piece = Math.min(remaining, limit);
    try {
      this.fill(s.sent, s.buffer.subarray(0, piece));
    } catch (e) {
      if (!(e instanceof BlockDeviceError)) throw e;
      return this.checkCondition(SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ_ERROR);
    }
    s.sent += piece;
    s.regs.lbaMid = piece & 0xff;
    s.regs.lbaHigh = piece >> 8;
    s.regs.sectorCount = IR_IO;
    this.startPioIn(piece, true);
  }

  /** Copies data-in bytes from byte `offset` of the phase. */
  private fill(offset: number, dest: Uint8Array): void {
    const s = this.state;
    if (s.source === 'media') this.media!.read(s.mediaOffset + offset, dest);
    else for (let i = 0; i < dest.length; i++) dest[i] = s.response[offset + i] ?? 0;
  }

  /** The command ended well: status phase, sense cleared. */
  private complete(): void {
    const s = this.state;
    s.senseKey = SENSE_NONE; s.asc = 0; s.ascq = 0;
    s.total = 0;
    s.regs.sectorCount = IR_IO | IR_COD;
    this.succeed();
  }

  /** CHECK CONDITION: sense data kept for REQUEST SENSE, the key in the error register. */
  private checkCondition(key: number, [asc, ascq]: readonly [number, number]): void {
    const s = this.state;
    s.senseKey = key; s.asc = asc; s.ascq = ascq;
    s.total = 0;
    s.regs.sectorCount = IR_IO | IR_COD;
    this.fail((key << 4) | ERR_ABRT);
    s.status = ST_DRDY | ST_DSC | ST_ERR;
  }

  private signatureRegisters(): void {
    const r = this.state.regs;
    r.sectorCount = 1; r.lbaLow = 1; r.lbaMid = 0x14; r.lbaHigh = 0xeb;
  }
}

/** Mode pages (MMC-2 §5.5): 01h read error recovery, 2Ah capabilities; 3Fh is all of them. */
function modePages(page: number, changeable: boolean): number[] | undefined {
  const errorRecovery = [0x01, 0x06, 0x00, 0x05, 0, 0, 0, 0];
  const capabilities = [
    0x2a, 0x12,
    0x00, 0x00, // reads CD-ROM only; writes nothing
    0x00, 0x00, // no audio play, no subchannel
    0x29, // lock supported, eject supported, tray loading (001b)
    0x00,
    ...be16(16 * 176), // maximum read speed, KB/s (16×)
    ...be16(0), // volume levels
    ...be16(0), // buffer size, KiB
    ...be16(16 * 176), // current read speed
    0, 0, 0, 0,
  ];
  const blank = (p: number[]) => (changeable ? [p[0], p[1], ...new Array<number>(p.length - 2).fill(0)] : p);
  switch (page) {
    case 0x01: return blank(errorRecovery);
    case 0x2a: return blank(capabilities);
    case 0x3f: return [...blank(errorRecovery), ...blank(capabilities)];
    default: return undefined;
  }
}

function be16(v: number): number[] { return [(v >> 8) & 0xff, v & 0xff]; }
function be32(v: number): number[] { return [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]; }
function be32At(b: Uint8Array, at: number): number { return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0; }
function bytesOf(...parts: number[][]): number[] { return parts.flat(); }
/** MSF address of an LBA, as the 4 bytes of a TOC descriptor (reserved, M, S, F). */
function toMsf(lba: number): number[] {
  const f = lba + MSF_OFFSET;
  return [0, Math.floor(f / (60 * 75)), Math.floor(f / 75) % 60, f % 75];
}
/** ASCII bytes, space padded to `length`. */
function ascii(text: string, length: number): number[] {
  return [...text.padEnd(length, ' ').slice(0, length)].map((c) => c.charCodeAt(0));
}

function powerOnState(): AtapiCdromState {
  return {
    ...driveState(0x1_0000),
    awaitingPacket: false, packetDma: false, byteLimit: 0, senseKey: 0, asc: 0, ascq: 0, locked: false,
    modes: { mwdma: 2, udma: -1 }, source: 'response', response: [], mediaOffset: 0, total: 0, sent: 0,
  };
}
