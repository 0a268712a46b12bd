/**
 * The 512-byte blocks returned by IDENTIFY DEVICE (ATA/ATAPI-6 §8.15, Table
 * 27) and IDENTIFY PACKET DEVICE (§8.16, Table 29): 256 little-endian
 * words describing geometry, capacity, transfer modes and command sets.
 * Strings are ASCII, two characters per word with the first in the high
 * byte, padded with spaces. Word 255 is the integrity word: 0xA5 in the low
 * byte and a checksum in the high byte that makes all 512 bytes sum to 0.
 *
 * Words set here, for a disk: 0 (fixed ATA device), 1/3/6 default CHS,
 * 10-19 serial, 23-26 firmware, 27-46 model, 47 multiple max, 49 LBA/DMA/
 * IORDY, 50, 51 PIO timing, 53 validity, 54-58 current CHS, 59 current
 * multiple, 60-61 LBA28 sectors, 63 multiword DMA, 64-68 PIO modes and
 * cycle times, 80-88 versions, command sets and Ultra DMA, 93 reset
 * results, 100-103 LBA48 sectors, 106 sector size, 255 integrity.
 * For a packet device: word 0 (ATAPI CD-ROM, removable, 12-byte packets),
 * and the same identity, timing and mode words.
 */

/** Transfer modes currently selected with SET FEATURES (-1 = none of that kind). */
export interface TransferModes {
  /** Multiword DMA mode 0-2, or -1. */
  mwdma: number;
  /** Ultra DMA mode 0-5, or -1. */
  udma: number;
}

/** What a disk's IDENTIFY DEVICE block reports. */
export interface DiskIdentity {
  model: string;
  serial: string;
  firmware: string;
  /** Total sectors (LBA48 capacity). */
  sectors: number;
  /** Default geometry (words 1, 3, 6). */
  cylinders: number; heads: number; sectorsPerTrack: number;
  /** Current geometry after INITIALIZE DEVICE PARAMETERS (words 54-58). */
  currentCylinders: number; currentHeads: number; currentSectorsPerTrack: number;
  /** Largest READ/WRITE MULTIPLE block (word 47). */
  maxMultiple: number;
  /** Current block size, 0 when multiple mode is off (word 59). */
  multiple: number;
  modes: TransferModes;
  writeCache: boolean;
  lookAhead: boolean;
  /** 0 for the master, 1 for the slave (word 93). */
  deviceNumber: number;
}

/** What a packet device's IDENTIFY PACKET DEVICE block reports. */
export interface PacketIdentity {
  model: string;
  serial: string;
  firmware: string;
  modes: TransferModes;
  deviceNumber: number;
}

/** Word 0 of a packet device: ATAPI (10b), CD-ROM (5), removable, DRQ within 50 µs, 12-byte packets. */
const ATAPI_CDROM_CONFIG = (0b10 << 14) | (0x05 << 8) | 0x80 | (0b10 << 5);
/** Word 49: IORDY supported, IORDY may be disabled, LBA, DMA. */
const CAPABILITIES = (1 << 11) | (1 << 10) | (1 << 9) | (1 << 8);
/** Words 80: ATA/ATAPI-1 through -6 supported. */
const MAJOR_VERSIONS = 0x007e;
/** Largest LBA28 sector count (words 60-61 saturate here). */
const LBA28_MAX = 0x0fff_ffff;

/** Stores an ATA string in `count` words from `first`, space padded. */
function putString(words: Uint16Array, first: number, count: number, text: string): void {
  const padded = text.padEnd(count * 2, ' ').slice(0, count * 2);
  for (let i = 0; i < count; i++) words[first + i] = (padded.charCodeAt(2 * i) << 8) | padded.charCodeAt(2 * i + 1);
}

/** Stores a number of up to 64 bits in consecutive words, least significant first. */
function putNumber(words: Uint16Array, first: number, count: number, value: number): void {
  for (let i = 0; i < count; i++) words[first + i] = Math.floor(value / 2 ** (16 * i)) & 0xffff;
}

/** Selected-mode bits: supported modes 0..max in the low byte, the selected one in the high byte. */
function modeWord(max: number, selected: number): number {
  return ((1 << (max + 1)) - 1) | (selected >= 0 ? 1 << (8 + selected) : 0);
}

/** Word 93 (hardware reset results): device 0 or 1 passed diagnostics, jumper-selected, 80-conductor cable. */
function resetResults(deviceNumber: number): number {
  const fields = deviceNumber === 0 ? 0x000b : 0x0b00;
  return 0x4000 | 0x2000 | fields;
}

/** The identity, timing and mode words common to both blocks. */
function common(words: Uint16Array, id: { serial: string; firmware: string; model: string; modes: TransferModes; deviceNumber: number }): void {
  putString(words, 10, 10, id.serial);
  putString(words, 23, 4, id.firmware);
  putString(words, 27, 20, id.model);
  words[49] = CAPABILITIES;
  words[50] = 0x4000;
  words[51] = 0x0200; // PIO mode 2 timing (obsolete field)
  words[63] = modeWord(2, id.modes.mwdma);
  words[64] = 0x0003; // PIO modes 3 and 4
  words[65] = 120; words[66] = 120; words[67] = 120; words[68] = 120; // ns cycle times
  words[80] = MAJOR_VERSIONS;
  words[88] = modeWord(5, id.modes.udma);
  words[93] = resetResults(id.deviceNumber);
}

/** Computes the integrity word and returns the block as bytes. */
function seal(words: Uint16Array): Uint8Array {
  words[255] = 0x00a5;
  const bytes = new Uint8Array(512);
  for (let i = 0; i < 256; i++) { bytes[2 * i] = words[i] & 0xff; bytes[2 * i + 1] = words[i] >> 8; }
  let sum = 0;
  for (let i = 0; i < 511; i++) sum += bytes[i];
  bytes[511] = (256 - (sum & 0xff)) & 0xff;
  return bytes;
}

/** The IDENTIFY DEVICE block of a hard disk. */
export function identifyDisk(id: DiskIdentity): Uint8Array {
  const w = new Uint16Array(256);
  w[0] = 0x0040; // fixed device, ATA
  w[1] = id.cylinders;
  w[3] = id.heads;
  w[6] = id.sectorsPerTrack;
  common(w, id);
  w[47] = 0x8000 | id.maxMultiple;
  w[53] = 0x0007; // words 54-58, 64-70 and 88 are valid
  w[54] = id.currentCylinders;
  w[55] = id.currentHeads;
  w[56] = id.currentSectorsPerTrack;
  putNumber(w, 57, 2, Math.min(id.currentCylinders * id.currentHeads * id.currentSectorsPerTrack, id.sectors));
  w[59] = id.multiple > 0 ? 0x0100 | id.multiple : 0;
  putNumber(w, 60, 2, Math.min(id.sectors, LBA28_MAX));
  // Words 82-87: NOP, look-ahead, write cache, power management; FLUSH CACHE (EXT), 48-bit.
  w[82] = (1 << 14) | (1 << 6) | (1 << 5) | (1 << 3);
  w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);
  w[84] = 1 << 14;
  w[85] = (1 << 14) | (id.lookAhead ? 1 << 6 : 0) | (id.writeCache ? 1 << 5 : 0) | (1 << 3);
  w[86] = (1 << 13) | (1 << 12) | (1 << 10);
  w[87] = 1 << 14;
  putNumber(w, 100, 4, id.sectors);
  w[106] = 0x4000; // word valid; one 512-byte logical sector per physical sector
  return seal(w);
}

/** The IDENTIFY PACKET DEVICE block of a CD-ROM drive. */
export function identifyPacketDevice(id: PacketIdentity): Uint8Array {
  const w = new Uint16Array(256);
  w[0] = ATAPI_CDROM_CONFIG;
  common(w, id);
  w[53] = 0x0006; // words 64-70 and 88 are valid
  // Words 82-87: NOP and PACKET.
  w[82] = (1 << 14) | (1 << 4);
  w[83] = 1 << 14;
  w[84] = 1 << 14;
  w[85] = (1 << 14) | (1 << 4);
  w[87] = 1 << 14;
  return seal(w);
}

/** Reads an ATA string back out of an identify block (for tests and diagnostics). */
export function identifyString(block: Uint8Array, firstWord: number, words: number): string {
  let s = '';
  for (let i = firstWord; i < firstWord + words; i++) s += String.fromCharCode(block[2 * i + 1], block[2 * i]);
  return s.trimEnd();
}
