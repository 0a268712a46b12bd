/**
 * Scaffolding for the ATA tests: a channel with its interrupt line recorded,
 * register-level helpers (the sequences a driver issues), block devices with
 * known contents, and a small ISO 9660 image.
 */
import { AtaChannel } from '../../../src/devices/ata/ata-channel.js';
import type { AtaDrive } from '../../../src/devices/ata/ata-drive.js';
import type { BlockDevice } from '../../../src/devices/block-device.js';
import { MemoryDisk } from '../../../src/host/disk-image.js';

/** A channel and what its interrupt line did. */
export interface Rig {
  channel: AtaChannel;
  /** The line's level now. */
  irq(): boolean;
  /** Rising edges so far. */
  raises(): number;
  out(offset: number, value: number): void;
  inb(offset: number): number;
  inw(): number;
  outw(value: number): void;
  /** Reads `bytes` through the data register, a word at a time. */
  readData(bytes: number): Uint8Array;
  writeData(data: Uint8Array): void;
  /** Alternate status (no interrupt acknowledge). */
  alt(): number;
  control(value: number): void;
}

export function rig(drives: readonly [AtaDrive | undefined, AtaDrive | undefined]): Rig {
  let level = false, raises = 0;
  const channel = new AtaChannel({ raise: () => { level = true; raises++; }, lower: () => { level = false; } }, drives);
  const cb = channel.commandBlock;
  const r: Rig = {
    channel,
    irq: () => level,
    raises: () => raises,
    out: (offset, value) => cb.write(offset, 1, value),
    inb: (offset) => cb.read(offset, 1),
    inw: () => cb.read(0, 2),
    outw: (value) => cb.write(0, 2, value),
    readData(bytes) {
      const out = new Uint8Array(bytes);
      for (let i = 0; i < bytes; i += 2) { const w = cb.read(0, 2); out[i] = w & 0xff; out[i + 1] = w >> 8; }
      return out;
    },
    writeData(data) {
      for (let i = 0; i < data.length; i += 2) cb.write(0, 2, data[i] | (data[i + 1] << 8));
    },
    alt: () => channel.controlBlock.read(0, 1),
    control: (value) => channel.controlBlock.write(0, 1, value),
  };
  return r;
}

/** Writes the LBA28 task file and a command: device register 0xE0 | dev << 4 | LBA bits 27:24. */
export function lba28(r: Rig, command: number, lba: number, count: number, dev = 0, features = 0): void {
  r.out(1, features);
  r.out(2, count & 0xff);
  r.out(3, lba & 0xff);
  r.out(4, (lba >> 8) & 0xff);
  r.out(5, (lba >> 16) & 0xff);
  r.out(6, 0xe0 | (dev << 4) | ((lba >> 24) & 0x0f));
  r.out(7, command);
}

/** Writes the LBA48 task file (previous bytes first, as ATA-6 §6.2 orders them) and a command. */
export function lba48(r: Rig, command: number, lba: number, count: number, dev = 0): void {
  const byte = (n: number) => Math.floor(lba / 2 ** (8 * n)) & 0xff;
  r.out(6, 0x40 | (dev << 4));
  r.out(2, (count >> 8) & 0xff); r.out(3, byte(3)); r.out(4, byte(4)); r.out(5, byte(5));
  r.out(2, count & 0xff); r.out(3, byte(0)); r.out(4, byte(1)); r.out(5, byte(2));
  r.out(7, command);
}

/** A 512-byte sector whose first 8 bytes hold its LBA and whose rest is (LBA + i) & 0xFF. */
export function patternSector(lba: number): Uint8Array {
  const s = new Uint8Array(512);
  for (let i = 0; i < 512; i++) s[i] = (lba + i) & 0xff;
  new DataView(s.buffer).setBigUint64(0, BigInt(lba), true);
  return s;
}

/** A memory disk of `sectors` pattern sectors. */
export function patternDisk(sectors: number): MemoryDisk {
  const disk = new MemoryDisk(sectors * 512);
  for (let lba = 0; lba < sectors; lba++) disk.bytes.set(patternSector(lba), lba * 512);
  return disk;
}

/**
 * A huge disk that holds nothing but computes pattern sectors on read
 * (LBA48 tests need more than 2^28 sectors) and records writes.
 */
export class HugePatternDisk implements BlockDevice {
  readonly readOnly = false;
  readonly writes = new Map<number, Uint8Array>();
  constructor(readonly sizeBytes: number) {}
  read(offset: number, dest: Uint8Array): void {
    for (let done = 0; done < dest.length; done += 512) dest.set(patternSector((offset + done) / 512), done);
  }
  write(offset: number, src: Uint8Array): void { this.writes.set(offset, src.slice()); }
  flush(): void {}
}

/** An ISO 9660 image: a Primary Volume Descriptor at sector 16, a terminator at 17, and pattern sectors after. */
export function isoImage(sectors = 32): Uint8Array {
  const iso = new Uint8Array(sectors * 2048);
  const pvd = 16 * 2048;
  iso.set([1, ...Buffer.from('CD001'), 1], pvd);
  iso.set(Buffer.from('ANILLO_TEST'.padEnd(32, ' ')), pvd + 40);
  new DataView(iso.buffer).setUint32(pvd + 80, sectors, true); // volume space size (both-endian field, LE half)
  new DataView(iso.buffer).setUint32(pvd + 84, sectors, false);
  iso.set([255, ...Buffer.from('CD001'), 1], 17 * 2048);
  for (let s = 18; s < sectors; s++) iso.fill(s, s * 2048, (s + 1) * 2048);
  return iso;
}
