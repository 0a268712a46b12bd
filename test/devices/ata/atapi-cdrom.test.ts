// The ATAPI CD-ROM drive: its signature and identification, the PACKET
// protocol (command phase, PIO pieces bounded by the byte count limit,
// status phase), and the MMC commands on an ISO 9660 image made here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtapiCdrom, CDROM_MODEL } from '../../../src/devices/ata/atapi-cdrom.js';
import { identifyString } from '../../../src/devices/ata/identify.js';
import { MemoryDisk } from '../../../src/host/disk-image.js';
import { isoImage, rig, type Rig } from './ata-rig.js';

const DRDY = 0x40, DRQ = 0x08, ERR = 0x01, BSY = 0x80;
const IR_COD = 1, IR_IO = 2;

/** A drive with an ISO image, or with no medium (null). */
function cdRig(media: MemoryDisk | null = new MemoryDisk(isoImage(), true)) {
  const cd = new AtapiCdrom(media ?? undefined, { deviceNumber: 0 });
  return { cd, ...rig([cd, undefined]) };
}

/** Issues PACKET with a byte count limit, sends the 12-byte CDB. */
function packet(r: Rig, cdb: number[], byteLimit = 0xfffe, dma = false): void {
  r.out(1, dma ? 1 : 0);
  r.out(4, byteLimit & 0xff);
  r.out(5, byteLimit >> 8);
  r.out(6, 0xa0);
  r.out(7, 0xa0);
  const padded = [...cdb, ...new Array(12).fill(0)].slice(0, 12);
  for (let i = 0; i < 12; i += 2) r.outw(padded[i] | (padded[i + 1] << 8));
}

/** Reads every PIO piece of a data-in command; returns the data and the piece sizes. */
function dataIn(r: Rig): { data: Uint8Array; pieces: number[] } {
  const chunks: Uint8Array[] = [];
  const pieces: number[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    if (!r.irq()) break;
    const status = r.inb(7);
    if ((status & DRQ) === 0) break;
    assert.equal(r.inb(2) & 3, IR_IO, 'data phase: I/O = 1, C/D = 0');
    const bytes = r.inb(4) | (r.inb(5) << 8);
    pieces.push(bytes);
    chunks.push(r.readData(bytes));
  }
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { data.set(c, at); at += c.length; }
  return { data, pieces };
}

/** Asserts the status phase of a good command: I/O = C/D = 1, DRDY, no error, no DRQ. */
function completed(r: Rig): void {
  assert.equal(r.inb(2) & 3, IR_IO | IR_COD);
  assert.equal(r.alt() & (BSY | DRQ | ERR), 0);
  assert.equal(r.alt() & DRDY, DRDY);
}

function be32(b: Uint8Array, at: number): number { return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0; }

describe('ATAPI CD-ROM: identification', () => {
  test('after reset it shows the packet signature (LBA mid 14h, high EBh) and status 00h', () => {
    const r = cdRig();
    r.control(0x04);
    r.control(0x00);
    assert.deepEqual([2, 3, 4, 5].map((o) => r.inb(o)), [1, 1, 0x14, 0xeb]);
    assert.equal(r.inb(7), 0);
  });

  test('IDENTIFY DEVICE is aborted with the signature, so drivers know to ask IDENTIFY PACKET DEVICE', () => {
    const r = cdRig();
    r.out(4, 0); r.out(5, 0);
    r.out(7, 0xec);
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7) & ERR, ERR);
    assert.equal(r.inb(1) & 0x04, 0x04);
    assert.equal(r.inb(4), 0x14);
    assert.equal(r.inb(5), 0xeb);
  });

  test('IDENTIFY PACKET DEVICE: ATAPI CD-ROM, removable, 12-byte packets, the model string', () => {
    const r = cdRig();
    r.out(7, 0xa1);
    assert.equal(r.inb(7) & DRQ, DRQ);
    const id = r.readData(512);
    const w0 = id[0] | (id[1] << 8);
    assert.equal(w0 >> 14, 2, 'ATAPI');
    assert.equal((w0 >> 8) & 0x1f, 5, 'CD-ROM device type');
    assert.equal(w0 & 0x80, 0x80, 'removable');
    assert.equal(w0 & 3, 0, '12-byte packets');
    assert.equal(identifyString(id, 27, 20), CDROM_MODEL);
    assert.equal(id.reduce((a, b) => a + b, 0) & 0xff, 0);
    assert.equal(r.alt() & (DRQ | ERR), 0);
  });
});

describe('ATAPI CD-ROM: the packet protocol', () => {
  test('PACKET asks for the command with C/D = 1 and DRQ, without an interrupt', () => {
    const r = cdRig();
    r.out(4, 0xfe); r.out(5, 0xff); r.out(7, 0xa0);
    assert.equal(r.irq(), false);
    assert.equal(r.alt() & DRQ, DRQ);
    assert.equal(r.inb(2) & 3, IR_COD);
  });

  test('TEST UNIT READY completes with an interrupt and no data', () => {
    const r = cdRig();
    packet(r, [0x00]);
    assert.equal(r.irq(), true);
    completed(r);
  });

  test('INQUIRY: a removable CD/DVD device, cut to the allocation length', () => {
    const r = cdRig();
    packet(r, [0x12, 0, 0, 0, 36]);
    const { data } = dataIn(r);
    assert.equal(data.length, 36);
    assert.equal(data[0], 0x05);
    assert.equal(data[1], 0x80);
    assert.equal(Buffer.from(data.subarray(16, 32)).toString('ascii').trim(), 'anillo CD-ROM');
    completed(r);
    packet(r, [0x12, 0, 0, 0, 5]);
    assert.equal(dataIn(r).data.length, 5);
  });

  test('READ CAPACITY: last LBA and 2048-byte blocks', () => {
    const r = cdRig();
    packet(r, [0x25]);
    const { data } = dataIn(r);
    assert.equal(be32(data, 0), 31);
    assert.equal(be32(data, 4), 2048);
  });

  test('READ(10) of sector 16 returns the Primary Volume Descriptor', () => {
    const r = cdRig();
    packet(r, [0x28, 0, 0, 0, 0, 16, 0, 0, 1]);
    const { data, pieces } = dataIn(r);
    assert.deepEqual(pieces, [2048]);
    assert.equal(data[0], 1);
    assert.equal(Buffer.from(data.subarray(1, 6)).toString('ascii'), 'CD001');
    assert.equal(Buffer.from(data.subarray(40, 51)).toString('ascii'), 'ANILLO_TEST');
    completed(r);
  });

  test('a multi-sector READ(10) comes in whole-sector pieces within the byte count limit', () => {
    const r = cdRig();
    packet(r, [0x28, 0, 0, 0, 0, 18, 0, 0, 5], 0x2000); // 4 sectors fit under 8 KiB
    const { data, pieces } = dataIn(r);
    assert.deepEqual(pieces, [8192, 2048]);
    for (let s = 0; s < 5; s++) assert.ok(data.subarray(s * 2048, (s + 1) * 2048).every((b) => b === 18 + s));
    completed(r);
  });

  test('a byte count limit under a sector splits it into even pieces', () => {
    const r = cdRig();
    packet(r, [0x28, 0, 0, 0, 0, 20, 0, 0, 1], 1001);
    const { data, pieces } = dataIn(r);
    assert.deepEqual(pieces, [1000, 1000, 48]);
    assert.ok(data.every((b) => b === 20));
  });

  test('READ(12) with a 32-bit count', () => {
    const r = cdRig();
    packet(r, [0xa8, 0, 0, 0, 0, 30, 0, 0, 0, 2]);
    const { data } = dataIn(r);
    assert.equal(data.length, 4096);
    assert.ok(data.every((b, i) => b === (i < 2048 ? 30 : 31)));
  });

  test('a read past the end: CHECK CONDITION, ILLEGAL REQUEST / LBA out of range in the sense data', () => {
    const r = cdRig();
    packet(r, [0x28, 0, 0, 0, 0, 31, 0, 0, 2]);
    assert.equal(r.irq(), true);
    assert.equal(r.inb(7) & ERR, ERR);
    assert.equal(r.inb(1) >> 4, 0x05, 'sense key in the error register');
    assert.equal(r.inb(2) & 3, IR_IO | IR_COD);
    packet(r, [0x03, 0, 0, 0, 18]);
    const { data } = dataIn(r);
    assert.equal(data[0], 0x70);
    assert.equal(data[2], 0x05);
    assert.equal(data[12], 0x21);
    completed(r);
    packet(r, [0x03, 0, 0, 0, 18]);
    assert.equal(dataIn(r).data[2], 0, 'a good command cleared the sense');
  });

  test('READ TOC: one data track at 0 and the lead-out, in LBA and MSF', () => {
    const r = cdRig();
    packet(r, [0x43, 0, 0, 0, 0, 0, 0, 0, 100]);
    let { data } = dataIn(r);
    assert.equal((data[0] << 8) | data[1], 18, 'length: 2 + two 8-byte descriptors');
    assert.deepEqual([data[2], data[3]], [1, 1]);
    assert.deepEqual([data[5], data[6], be32(data, 8)], [0x14, 1, 0]);
    assert.deepEqual([data[14], be32(data, 16)], [0xaa, 32]);
    packet(r, [0x43, 0x02, 0, 0, 0, 0, 0, 0, 100]);
    ({ data } = dataIn(r));
    assert.deepEqual([...data.subarray(8, 12)], [0, 0, 2, 0], 'track 1 at 00:02:00');
    packet(r, [0x43, 0, 1, 0, 0, 0, 0, 0, 12]);
    ({ data } = dataIn(r));
    assert.deepEqual([...data.subarray(0, 4)], [0, 10, 1, 1], 'session info');
  });

  test('MODE SENSE(10) of the capabilities page, and an unknown page is refused', () => {
    const r = cdRig();
    packet(r, [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64]);
    const { data } = dataIn(r);
    assert.equal((data[0] << 8) | data[1], data.length - 2);
    assert.equal(data[8], 0x2a);
    assert.equal(data[9], 0x12);
    packet(r, [0x5a, 0, 0x05, 0, 0, 0, 0, 0, 64]);
    assert.equal(r.inb(7) & ERR, ERR);
  });

  test('GET CONFIGURATION: current profile CD-ROM', () => {
    const r = cdRig();
    packet(r, [0x46, 0, 0, 0, 0, 0, 0, 0, 64]);
    const { data } = dataIn(r);
    assert.equal((data[6] << 8) | data[7], 0x0008);
    assert.equal(be32(data, 0), data.length - 4);
  });

  test('PREVENT ALLOW MEDIUM REMOVAL blocks an eject by START STOP UNIT until allowed', () => {
    const r = cdRig();
    packet(r, [0x1e, 0, 0, 0, 1]);
    completed(r);
    packet(r, [0x1b, 0, 0, 0, 0x02]);
    assert.equal(r.inb(7) & ERR, ERR);
    packet(r, [0x1e, 0, 0, 0, 0]);
    packet(r, [0x1b, 0, 0, 0, 0x02]);
    completed(r);
  });

  test('with no medium, TEST UNIT READY reports NOT READY / medium not present', () => {
    const r = cdRig(null);
    packet(r, [0x00]);
    assert.equal(r.inb(1) >> 4, 0x02);
    packet(r, [0x03, 0, 0, 0, 18]);
    assert.equal(dataIn(r).data[12], 0x3a);
  });

  test('an unknown packet command is ILLEGAL REQUEST / invalid operation code', () => {
    const r = cdRig();
    packet(r, [0xff]);
    assert.equal(r.inb(1) >> 4, 0x05);
    packet(r, [0x03, 0, 0, 0, 18]);
    assert.equal(dataIn(r).data[12], 0x20);
  });
});
