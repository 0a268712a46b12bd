// An ATA disk on a channel, driven through its registers as a driver would
// (ATA/ATAPI-6): IDENTIFY DEVICE, PIO reads and writes by LBA28, CHS and
// LBA48, READ/WRITE MULTIPLE, SET FEATURES, errors, resets and interrupts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtaDisk, DISK_MODEL } from '../../../src/devices/ata/ata-disk.js';
import { identifyString } from '../../../src/devices/ata/identify.js';
import { MemoryDisk } from '../../../src/host/disk-image.js';
import { HugePatternDisk, lba28, lba48, patternDisk, patternSector, rig } from './ata-rig.js';

const BSY = 0x80, DRDY = 0x40, DRQ = 0x08, ERR = 0x01;
const ABRT = 0x04, IDNF = 0x10;

function word(block: Uint8Array, n: number): number { return block[2 * n] | (block[2 * n + 1] << 8); }

function diskRig(sectors = 4096) {
  const media = patternDisk(sectors);
  const disk = new AtaDisk(media, { deviceNumber: 0 });
  return { media, disk, ...rig([disk, undefined]) };
}

describe('ATA disk: IDENTIFY DEVICE', () => {
  test('returns 512 bytes with DRQ and an interrupt, then DRDY without DRQ', () => {
    const r = diskRig();
    r.out(6, 0xa0);
    r.out(7, 0xec);
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7), DRDY | 0x10 | DRQ);
    assert.equal(r.irq(), false, 'reading status acknowledges');
    const id = r.readData(512);
    assert.equal(r.inb(7) & (DRQ | BSY | ERR), 0);
    assert.equal(identifyString(id, 27, 20), DISK_MODEL);
    assert.equal(identifyString(id, 27, 20), 'anillo HARDDISK');
  });

  test('reports geometry, capacity (LBA28 and LBA48), modes and feature sets, with a valid checksum', () => {
    const r = diskRig(4096);
    const id = r.disk.identify();
    assert.equal(word(id, 0) & 0x8000, 0, 'ATA device');
    assert.deepEqual([word(id, 1), word(id, 3), word(id, 6)], [4, 16, 63], '4096 sectors: 4 cylinders of 16 × 63');
    assert.equal(word(id, 47) & 0xff, 16, 'READ/WRITE MULTIPLE up to 16 sectors');
    assert.equal(word(id, 49) & 0x0300, 0x0300, 'LBA and DMA');
    assert.equal(word(id, 60) | (word(id, 61) << 16), 4096);
    assert.equal(word(id, 83) & 0x0400, 0x0400, '48-bit address feature set');
    assert.equal(word(id, 86) & 0x0400, 0x0400, '... enabled');
    assert.equal(word(id, 100) + word(id, 101) * 65536, 4096);
    assert.equal(word(id, 63) & 0x07, 0x07, 'multiword DMA 0-2');
    assert.equal(word(id, 88) & 0x3f, 0x3f, 'Ultra DMA 0-5');
    assert.equal(word(id, 53) & 0x07, 0x07);
    assert.equal(id[510], 0xa5);
    assert.equal(id.reduce((a, b) => a + b, 0) & 0xff, 0, 'integrity word: bytes sum to 0');
  });

  test('strings are byte-swapped per word (first character in the high byte) and space padded', () => {
    const id = diskRig().disk.identify();
    assert.equal(id[54], 'n'.charCodeAt(0));
    assert.equal(id[55], 'a'.charCodeAt(0));
    assert.equal(id[93], 0x20);
  });

  test('a disk past 2^28 sectors saturates the LBA28 count and reports the full LBA48 count', () => {
    const disk = new AtaDisk(new HugePatternDisk(2 ** 40), { deviceNumber: 1 });
    const id = disk.identify();
    assert.equal(word(id, 60) | (word(id, 61) << 16), 0x0fff_ffff);
    assert.equal(word(id, 100) + word(id, 101) * 2 ** 16 + word(id, 102) * 2 ** 32, 2 ** 31);
    assert.deepEqual([word(id, 1), word(id, 3), word(id, 6)], [16383, 16, 63]);
    assert.equal(word(id, 93) & 0x0f00, 0x0b00, 'device 1 reset results');
  });

  test('SET FEATURES 03h selects the DMA mode IDENTIFY reports; unsupported modes abort', () => {
    const r = diskRig();
    lba28(r, 0xef, 0, 0x42, 0, 0x03); // Ultra DMA mode 2
    assert.equal(r.inb(7) & ERR, 0);
    const id = r.disk.identify();
    assert.equal(word(id, 88) >> 8, 0x04);
    assert.equal(word(id, 63) >> 8, 0, 'multiword DMA deselected');
    lba28(r, 0xef, 0, 0x47, 0, 0x03); // Ultra DMA mode 7
    assert.equal(r.inb(7) & ERR, ERR);
    assert.equal(r.inb(1), ABRT);
  });
});

describe('ATA disk: PIO transfers', () => {
  test('READ SECTORS by LBA28: one interrupt per sector, the data is the sectors asked for', () => {
    const r = diskRig();
    lba28(r, 0x20, 100, 3);
    const data = new Uint8Array(3 * 512);
    for (let i = 0; i < 3; i++) {
      assert.equal(r.irq(), true, `interrupt before sector ${i}`);
      assert.equal(r.inb(7) & DRQ, DRQ);
      data.set(r.readData(512), i * 512);
    }
    assert.equal(r.irq(), false, 'no interrupt after the last block of a read');
    assert.equal(r.inb(7), DRDY | 0x10);
    for (let i = 0; i < 3; i++) assert.deepEqual(data.subarray(i * 512, (i + 1) * 512), patternSector(100 + i));
  });

  test('a sector count of 0 means 256 sectors', () => {
    const r = diskRig();
    lba28(r, 0x20, 0, 0);
    let sectors = 0;
    while (r.inb(7) & DRQ) { r.readData(512); sectors++; }
    assert.equal(sectors, 256);
  });

  test('32-bit data register reads move two words (PIIX3 32-bit PIO)', () => {
    const r = diskRig();
    lba28(r, 0x20, 7, 1);
    r.inb(7);
    const dw = r.channel.commandBlock.read(0, 4) >>> 0;
    assert.equal(dw, 7, 'the first dword of sector 7 is its LBA');
  });

  test('CHS addressing maps (C, H, S) through 16 heads × 63 sectors', () => {
    const r = diskRig();
    // Cylinder 1, head 2, sector 5: LBA = (1 × 16 + 2) × 63 + 4 = 1138.
    r.out(2, 1); r.out(3, 5); r.out(4, 1); r.out(5, 0); r.out(6, 0xa2); r.out(7, 0x20);
    r.inb(7);
    assert.deepEqual(r.readData(512), patternSector(1138));
  });

  test('CHS sector 0 or beyond the last head is an ID-not-found error', () => {
    const r = diskRig();
    r.out(2, 1); r.out(3, 0); r.out(4, 0); r.out(5, 0); r.out(6, 0xa0); r.out(7, 0x20);
    assert.equal(r.inb(7), DRDY | ERR);
    assert.equal(r.inb(1), IDNF);
  });

  test('INITIALIZE DEVICE PARAMETERS changes the CHS translation', () => {
    const r = diskRig();
    r.out(2, 32); r.out(6, 0xa0 | 3); r.out(7, 0x91); // 4 heads, 32 sectors per track
    assert.equal(r.inb(7) & ERR, 0);
    r.out(2, 1); r.out(3, 1); r.out(4, 2); r.out(5, 0); r.out(6, 0xa1); r.out(7, 0x20); // C2 H1 S1
    r.inb(7);
    assert.deepEqual(r.readData(512), patternSector((2 * 4 + 1) * 32));
    const id = r.disk.identify();
    assert.deepEqual([word(id, 54), word(id, 55), word(id, 56)], [32, 4, 32]);
  });

  test('WRITE SECTORS: DRQ without an interrupt for the first block, an interrupt after each', () => {
    const r = diskRig();
    lba28(r, 0x30, 9, 2);
    assert.equal(r.irq(), false);
    assert.equal(r.alt() & DRQ, DRQ);
    r.writeData(new Uint8Array(512).fill(0x11));
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7) & DRQ, DRQ);
    r.writeData(new Uint8Array(512).fill(0x22));
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7), DRDY | 0x10);
    assert.ok(r.media.bytes.subarray(9 * 512, 10 * 512).every((b) => b === 0x11));
    assert.ok(r.media.bytes.subarray(10 * 512, 11 * 512).every((b) => b === 0x22));
    assert.deepEqual(r.media.bytes.subarray(11 * 512, 12 * 512), patternSector(11), 'nothing past the request');
  });

  test('reads past the end of the disk fail with IDNF before any data', () => {
    const r = diskRig(64);
    lba28(r, 0x20, 63, 2);
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7), DRDY | ERR);
    assert.equal(r.inb(1), IDNF);
  });

  test('writes to a read-only backend are aborted', () => {
    const disk = new AtaDisk(new MemoryDisk(64 * 512, true), { deviceNumber: 0 });
    const r = rig([disk, undefined]);
    lba28(r, 0x30, 0, 1);
    assert.equal(r.inb(7), DRDY | ERR);
    assert.equal(r.inb(1), ABRT);
  });

  test('READ MULTIPLE needs SET MULTIPLE MODE, then moves a block per interrupt', () => {
    const r = diskRig();
    lba28(r, 0xc4, 0, 8);
    assert.equal(r.inb(1), ABRT, 'multiple mode is off at power-on');
    lba28(r, 0xc6, 0, 3);
    assert.equal(r.inb(7) & ERR, ERR, '3 is not a power of two');
    lba28(r, 0xc6, 0, 4);
    assert.equal(r.inb(7) & ERR, 0);
    assert.equal(word(r.disk.identify(), 59), 0x0104);
    lba28(r, 0xc4, 20, 10);
    const blocks: number[] = [];
    while (r.irq()) {
      r.inb(7);
      let n = 0;
      // A block ends where the next interrupt comes (or DRQ drops after the last).
      do { r.readData(512); n++; } while (!r.irq() && (r.alt() & DRQ) !== 0 && n < 64);
      blocks.push(n);
    }
    assert.deepEqual(blocks, [4, 4, 2]);
  });

  test('WRITE MULTIPLE writes blocks of the multiple count', () => {
    const r = diskRig();
    lba28(r, 0xc6, 0, 2);
    lba28(r, 0xc5, 40, 3);
    r.writeData(new Uint8Array(1024).fill(0xaa));
    assert.equal(r.irq(), true);
    r.inb(7);
    r.writeData(new Uint8Array(512).fill(0xbb));
    assert.equal(r.inb(7), DRDY | 0x10);
    assert.equal(r.media.bytes[41 * 512 + 100], 0xaa);
    assert.equal(r.media.bytes[42 * 512 + 100], 0xbb);
  });
});

describe('ATA disk: LBA48', () => {
  test('READ SECTORS EXT reaches sectors past 2^28 with a 16-bit count', () => {
    const media = new HugePatternDisk(2 ** 40);
    const r = rig([new AtaDisk(media, { deviceNumber: 0 }), undefined]);
    const lba = 2 ** 30 + 5;
    lba48(r, 0x24, lba, 0x0102);
    r.inb(7);
    assert.deepEqual(r.readData(512), patternSector(lba));
    let sectors = 1;
    while (r.inb(7) & DRQ) { r.readData(512); sectors++; }
    assert.equal(sectors, 0x102);
  });

  test('WRITE SECTORS EXT writes at the 48-bit address', () => {
    const media = new HugePatternDisk(2 ** 40);
    const r = rig([new AtaDisk(media, { deviceNumber: 0 }), undefined]);
    const lba = 2 ** 31 - 1; // the last sector of a 1 TiB disk
    lba48(r, 0x34, lba, 1);
    r.writeData(new Uint8Array(512).fill(3));
    assert.equal(r.inb(7), DRDY | 0x10);
    assert.ok(media.writes.get(lba * 512)?.every((b) => b === 3));
    lba48(r, 0x34, lba, 2);
    assert.equal(r.inb(1), IDNF, 'one past the end');
  });

  test('with HOB set in device control the registers read their previous bytes; any register write clears HOB', () => {
    const r = diskRig();
    r.out(3, 0x12); r.out(3, 0x34);
    r.control(0x80);
    assert.equal(r.inb(3), 0x12);
    r.control(0x00);
    assert.equal(r.inb(3), 0x34);
    r.control(0x80);
    r.out(4, 0);
    assert.equal(r.inb(3), 0x34, 'HOB was cleared by the write');
  });
});

describe('ATA disk: reset, selection and interrupts', () => {
  test('software reset: BSY while SRST is set, then the ATA signature, DRDY and diagnostic code 01h', () => {
    const r = diskRig();
    r.out(3, 0x77);
    r.control(0x04);
    assert.equal(r.alt() & BSY, BSY);
    r.control(0x00);
    assert.equal(r.alt(), DRDY | 0x10);
    assert.deepEqual([2, 3, 4, 5].map((o) => r.inb(o)), [1, 1, 0, 0]);
    assert.equal(r.inb(1), 0x01);
    assert.equal(r.raises(), 0, 'a software reset raises no interrupt');
  });

  test('nIEN holds the interrupt line low; clearing it lets a pending request through', () => {
    const r = diskRig();
    r.control(0x02);
    lba28(r, 0x20, 0, 1);
    assert.equal(r.irq(), false);
    r.control(0x00);
    assert.equal(r.irq(), true);
  });

  test('an absent slave: the master answers, status 00h, the other registers as written', () => {
    const r = diskRig();
    r.out(6, 0xb0);
    r.out(2, 0x55); r.out(3, 0xaa);
    assert.equal(r.inb(7), 0);
    assert.equal(r.alt(), 0);
    assert.equal(r.inb(2), 0x55);
    assert.equal(r.inb(3), 0xaa);
    r.out(7, 0xec);
    assert.equal(r.irq(), false, 'commands to the absent device go nowhere');
    r.out(6, 0xa0);
    assert.equal(r.inb(7), DRDY | 0x10);
  });

  test('a channel with no drives floats: every register reads FFh', () => {
    const r = rig([undefined, undefined]);
    for (let o = 1; o < 8; o++) assert.equal(r.inb(o), 0xff);
    assert.equal(r.alt(), 0xff);
  });

  test('only the selected drive drives INTRQ', () => {
    const master = new AtaDisk(patternDisk(64), { deviceNumber: 0 });
    const slave = new AtaDisk(patternDisk(64), { deviceNumber: 1 });
    const r = rig([master, slave]);
    lba28(r, 0xe7, 0, 0, 1); // FLUSH CACHE on the slave
    assert.equal(r.irq(), true);
    r.out(6, 0xa0);
    assert.equal(r.irq(), false, 'master selected: the slave\'s request is not on the line');
    r.out(6, 0xb0);
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7), DRDY | 0x10);
    assert.equal(r.irq(), false);
  });

  test('unknown commands abort; CHECK POWER MODE reports active', () => {
    const r = diskRig();
    r.out(7, 0xd0);
    assert.equal(r.inb(7), DRDY | ERR);
    assert.equal(r.inb(1), ABRT);
    r.out(7, 0xe5);
    assert.equal(r.inb(7) & ERR, 0);
    assert.equal(r.inb(2), 0xff);
  });
});
