// The PIIX3 IDE function: its configuration space, the legacy channel
// decode, and bus master DMA through a PRD table into guest memory
// (SFF-8038i; 82371SB datasheet §2.7), for disk and ATAPI reads and writes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../../src/devices/io-bus.js';
import { PhysicalMemory } from '../../../src/cpu/physical-memory.js';
import { PciBus } from '../../../src/devices/pci/pci-bus.js';
import { Piix3Ide } from '../../../src/devices/pci/piix3-ide.js';
import { AtaDisk } from '../../../src/devices/ata/ata-disk.js';
import { AtapiCdrom } from '../../../src/devices/ata/atapi-cdrom.js';
import { MemoryDisk } from '../../../src/host/disk-image.js';
import { HugePatternDisk, isoImage, patternDisk, patternSector } from '../ata/ata-rig.js';

const BMIBA = 0xc000, PRD = 0x1000;
const PRIMARY = 0x1f0, PRIMARY_CONTROL = 0x3f6, SECONDARY = 0x170;
const BM_ACTIVE = 0x01, BM_ERROR = 0x02, BM_INTERRUPT = 0x04;
const DRDY = 0x40, BSY = 0x80, DRQ = 0x08, ERR = 0x01;

function machine(secondary: 'cdrom' | 'none' = 'none', disk = patternDisk(1024)) {
  const io = new IoBus();
  const memory = new PhysicalMemory({ ramBytes: 1 << 20 });
  const irqs = [false, false];
  const line = (i: number) => ({ raise: () => { irqs[i] = true; }, lower: () => { irqs[i] = false; } });
  const cd = secondary === 'cdrom' ? new AtapiCdrom(new MemoryDisk(isoImage(), true), { deviceNumber: 0 }) : undefined;
  const ide = new Piix3Ide(memory, [line(0), line(1)], [[new AtaDisk(disk, { deviceNumber: 0 }), undefined], [cd, undefined]]);
  const bus = new PciBus(io, memory);
  bus.add(1, 1, ide);
  io.attach(PRIMARY, 8, ide.channels[0].commandBlock, 'IDE primary');
  io.attach(PRIMARY_CONTROL, 1, ide.channels[0].controlBlock, 'IDE primary control');
  io.attach(SECONDARY, 8, ide.channels[1].commandBlock, 'IDE secondary');
  return { io, memory, ide, irqs, disk };
}

/** Firmware's setup: BMIBA, I/O space and bus mastering on. */
function enableBusMaster(m: ReturnType<typeof machine>): void {
  m.ide.writeConfig(0x20, 4, BMIBA);
  m.ide.writeConfig(0x04, 2, 0x0005);
}

/** Writes a PRD table at PRD: [address, bytes] regions, EOT on the last. */
function prdTable(memory: PhysicalMemory, regions: [number, number][]): void {
  regions.forEach(([address, bytes], i) => {
    memory.write(PRD + 8 * i, 4, address);
    memory.write(PRD + 8 * i + 4, 4, (bytes & 0xffff) | (i === regions.length - 1 ? 0x8000_0000 : 0));
  });
}

function readDma(m: ReturnType<typeof machine>, lba: number, count: number, command = 0xc8): void {
  const io = m.io;
  io.write(BMIBA + 4, 4, PRD);
  io.write(BMIBA + 2, 1, BM_INTERRUPT | BM_ERROR); // clear
  io.write(BMIBA, 1, 0x08); // direction: to memory; not started
  io.write(PRIMARY + 2, 1, count); io.write(PRIMARY + 3, 1, lba & 0xff);
  io.write(PRIMARY + 4, 1, (lba >> 8) & 0xff); io.write(PRIMARY + 5, 1, (lba >> 16) & 0xff);
  io.write(PRIMARY + 6, 1, 0xe0);
  io.write(PRIMARY + 7, 1, command);
}

describe('PIIX3 IDE configuration', () => {
  test('identifies as 8086:7010, IDE in legacy mode with bus mastering, no interrupt pin', () => {
    const { ide } = machine();
    assert.equal(ide.readConfig(0x00, 4), 0x7010_8086);
    assert.equal(ide.readConfig(0x08, 4) >>> 8, 0x01_0180);
    assert.equal(ide.readConfig(0x3d, 1), 0);
  });

  test('BAR4 sizes as 16 bytes of I/O over all 32 bits, as SeaBIOS expects; BARs 0-3 do not exist', () => {
    const { ide } = machine();
    ide.writeConfig(0x20, 4, 0xffff_ffff);
    assert.equal(ide.readConfig(0x20, 4) >>> 0, 0xffff_fff1);
    ide.writeConfig(0x10, 4, 0xffff_ffff);
    assert.equal(ide.readConfig(0x10, 4), 0);
  });

  test('clearing IDETIM decode enable takes a channel off the legacy ports', () => {
    const m = machine();
    assert.equal(m.ide.readConfig(0x40, 2) & 0x8000, 0x8000);
    assert.equal(m.io.read(PRIMARY + 7, 1), DRDY | 0x10);
    m.ide.writeConfig(0x40, 2, 0x0000);
    assert.equal(m.io.read(PRIMARY + 7, 1), 0xff);
    m.ide.writeConfig(0x40, 2, 0x8000);
    assert.equal(m.io.read(PRIMARY + 7, 1), DRDY | 0x10);
  });

  test('the bus master registers appear at BMIBA once I/O space is enabled', () => {
    const m = machine();
    m.ide.writeConfig(0x20, 4, BMIBA);
    assert.equal(m.io.read(BMIBA + 2, 1), 0xff);
    m.ide.writeConfig(0x04, 2, 0x0001);
    assert.equal(m.io.read(BMIBA + 2, 1), 0);
    m.io.write(BMIBA + 4, 4, 0x0012_3457);
    assert.equal(m.io.read(BMIBA + 4, 4), 0x0012_3454, 'PRD pointer is dword aligned');
    m.io.write(BMIBA + 10, 1, 0x60);
    assert.equal(m.io.read(BMIBA + 10, 1), 0x60, 'secondary status: drive DMA capable bits');
  });
});

describe('bus master DMA', () => {
  test('READ DMA scatters sectors over the PRD regions, then interrupt set, active clear', () => {
    const m = machine();
    enableBusMaster(m);
    prdTable(m.memory, [[0x2_0000, 1024], [0x3_0000, 3072]]);
    readDma(m, 5, 8);
    assert.equal(m.io.read(PRIMARY_CONTROL, 1) & BSY, BSY, 'waiting for the engine');
    assert.equal(m.irqs[0], false);
    m.io.write(BMIBA, 1, 0x09); // start
    assert.equal(m.irqs[0], true);
    assert.equal(m.io.read(BMIBA + 2, 1), BM_INTERRUPT);
    const got = new Uint8Array(4096);
    m.memory.readBytes(0x2_0000, got.subarray(0, 1024));
    m.memory.readBytes(0x3_0000, got.subarray(1024));
    for (let i = 0; i < 8; i++) assert.deepEqual(got.subarray(i * 512, (i + 1) * 512), patternSector(5 + i));
    assert.equal(m.io.read(PRIMARY + 7, 1), DRDY | 0x10);
    m.io.write(BMIBA, 1, 0x00); // stop
  });

  test('starting the engine before the command works too', () => {
    const m = machine();
    enableBusMaster(m);
    prdTable(m.memory, [[0x2_0000, 512]]);
    m.io.write(BMIBA + 4, 4, PRD);
    m.io.write(BMIBA, 1, 0x09);
    assert.equal(m.io.read(BMIBA + 2, 1), BM_ACTIVE);
    m.io.write(PRIMARY + 2, 1, 1); m.io.write(PRIMARY + 3, 1, 3); m.io.write(PRIMARY + 4, 1, 0); m.io.write(PRIMARY + 5, 1, 0);
    m.io.write(PRIMARY + 6, 1, 0xe0);
    m.io.write(PRIMARY + 7, 1, 0xc8);
    assert.equal(m.io.read(BMIBA + 2, 1), BM_INTERRUPT);
    assert.equal(m.memory.read(0x2_0000, 4), 3);
  });

  test('a PRD table larger than the transfer leaves active set with the interrupt (normal end)', () => {
    const m = machine();
    enableBusMaster(m);
    prdTable(m.memory, [[0x2_0000, 0]]); // 64 KiB
    readDma(m, 0, 1);
    m.io.write(BMIBA, 1, 0x09);
    assert.equal(m.io.read(BMIBA + 2, 1), BM_INTERRUPT | BM_ACTIVE);
    assert.equal(m.io.read(PRIMARY + 7, 1), DRDY | 0x10);
  });

  test('a PRD table smaller than the transfer stops the engine without an interrupt; the drive waits', () => {
    const m = machine();
    enableBusMaster(m);
    prdTable(m.memory, [[0x2_0000, 512]]);
    readDma(m, 0, 2);
    m.io.write(BMIBA, 1, 0x09);
    assert.equal(m.io.read(BMIBA + 2, 1), 0);
    assert.equal(m.irqs[0], false);
    assert.equal(m.io.read(PRIMARY_CONTROL, 1) & BSY, BSY);
    // A new table for the rest, restarted: the transfer goes on where it stopped.
    prdTable(m.memory, [[0x4_0000, 512]]);
    m.io.write(BMIBA, 1, 0x08);
    m.io.write(BMIBA, 1, 0x09);
    assert.equal(m.io.read(BMIBA + 2, 1), BM_INTERRUPT);
    assert.equal(m.memory.read(0x4_0000, 4), 1, 'sector 1 landed in the second table');
  });

  test('no transfer while PCICMD bus master is off', () => {
    const m = machine();
    m.ide.writeConfig(0x20, 4, BMIBA);
    m.ide.writeConfig(0x04, 2, 0x0001);
    prdTable(m.memory, [[0x2_0000, 512]]);
    readDma(m, 9, 1);
    m.io.write(BMIBA, 1, 0x09);
    assert.equal(m.memory.read(0x2_0000, 4), 0);
    assert.equal(m.irqs[0], false);
  });

  test('WRITE DMA gathers memory into sectors', () => {
    const m = machine();
    enableBusMaster(m);
    m.memory.writeBytes(0x5_0000, new Uint8Array(1024).map((_, i) => i * 3));
    prdTable(m.memory, [[0x5_0000, 1024]]);
    m.io.write(BMIBA + 4, 4, PRD);
    m.io.write(PRIMARY + 2, 1, 2); m.io.write(PRIMARY + 3, 1, 40); m.io.write(PRIMARY + 4, 1, 0); m.io.write(PRIMARY + 5, 1, 0);
    m.io.write(PRIMARY + 6, 1, 0xe0);
    m.io.write(PRIMARY + 7, 1, 0xca);
    m.io.write(BMIBA, 1, 0x01); // start, direction: from memory
    assert.equal(m.io.read(BMIBA + 2, 1), BM_INTERRUPT);
    assert.deepEqual(m.disk.bytes.subarray(40 * 512, 42 * 512), new Uint8Array(1024).map((_, i) => i * 3));
  });

  test('READ DMA EXT reads past 2^28 sectors', () => {
    const m = machine('none', new HugePatternDisk(2 ** 40) as unknown as ReturnType<typeof patternDisk>);
    enableBusMaster(m);
    prdTable(m.memory, [[0x2_0000, 512]]);
    m.io.write(BMIBA + 4, 4, PRD);
    const lba = 2 ** 29 + 77;
    const bytes = [0, 1, 2, 3, 4, 5].map((n) => Math.floor(lba / 2 ** (8 * n)) & 0xff);
    m.io.write(PRIMARY + 6, 1, 0x40);
    m.io.write(PRIMARY + 2, 1, 0); m.io.write(PRIMARY + 3, 1, bytes[3]); m.io.write(PRIMARY + 4, 1, bytes[4]); m.io.write(PRIMARY + 5, 1, bytes[5]);
    m.io.write(PRIMARY + 2, 1, 1); m.io.write(PRIMARY + 3, 1, bytes[0]); m.io.write(PRIMARY + 4, 1, bytes[1]); m.io.write(PRIMARY + 5, 1, bytes[2]);
    m.io.write(PRIMARY + 7, 1, 0x25);
    m.io.write(BMIBA, 1, 0x09);
    const got = new Uint8Array(512);
    m.memory.readBytes(0x2_0000, got);
    assert.deepEqual(got, patternSector(lba));
  });

  test('ATAPI READ(10) by DMA on the secondary channel', () => {
    const m = machine('cdrom');
    enableBusMaster(m);
    prdTable(m.memory, [[0x6_0000, 4096]]);
    m.io.write(BMIBA + 8 + 4, 4, PRD);
    m.io.write(BMIBA + 8, 1, 0x09);
    m.io.write(SECONDARY + 1, 1, 0x01); // DMA
    m.io.write(SECONDARY + 6, 1, 0xa0);
    m.io.write(SECONDARY + 7, 1, 0xa0);
    const cdb = [0x28, 0, 0, 0, 0, 16, 0, 0, 2, 0, 0, 0];
    for (let i = 0; i < 12; i += 2) m.io.write(SECONDARY, 2, cdb[i] | (cdb[i + 1] << 8));
    assert.equal(m.irqs[1], true);
    assert.equal(m.io.read(BMIBA + 10, 1), BM_INTERRUPT);
    assert.equal(m.io.read(SECONDARY + 2, 1) & 3, 3, 'status phase');
    assert.equal(m.io.read(SECONDARY + 7, 1) & (ERR | DRQ | BSY), 0);
    const pvd = new Uint8Array(6);
    m.memory.readBytes(0x6_0000, pvd);
    assert.deepEqual([...pvd], [1, ...Buffer.from('CD001')]);
    assert.equal(m.memory.read(0x6_0800, 1), 0xff, 'sector 17 is the terminator');
  });
});
