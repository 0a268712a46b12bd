// Guest-physical page routing: ROM images over RAM, MMIO ranges mapped and
// unmapped again, shadowable pages, bus-master copies, and the map-change
// notifications TLBs rely on.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_BACKING, PhysicalMemory, type MmioHandler } from '../../src/cpu/physical-memory.js';

function device(): MmioHandler & { writes: [number, number][] } {
  const writes: [number, number][] = [];
  return { writes, read: (o) => 0x40 + (o & 0xf), write: (o, _s, v) => { writes.push([o, v]); } };
}

describe('PhysicalMemory routing', () => {
  test('unmapMmio gives the pages back to the RAM under them, unchanged', () => {
    const m = new PhysicalMemory({ ramBytes: 1 << 20 });
    m.write(0x5000, 4, 0xcafe_f00d);
    const d = device();
    m.mapMmio(0x5000, 0x1000, d, 'dev');
    assert.equal(m.read(0x5003, 1), 0x43);
    m.write(0x5008, 1, 1);
    assert.deepEqual(d.writes, [[8, 1]]);
    m.unmapMmio(0x5000, d);
    assert.equal(m.read(0x5000, 4) >>> 0, 0xcafe_f00d);
    assert.throws(() => m.unmapMmio(0x5000, d), /no MMIO range mapped at 0x5000/);
  });

  test('unmapping an MMIO range above RAM leaves the pages unbacked; over a ROM, the ROM returns', () => {
    const m = new PhysicalMemory({ ramBytes: 1 << 20 });
    const d = device();
    m.mapMmio(0xfebf_0000, 0x1000, d, 'dev');
    m.unmapMmio(0xfebf_0000, d);
    assert.equal(m.pageHost[0xfebf0], NO_BACKING);
    m.mapRom(0xffff_0000, new Uint8Array(0x1_0000).fill(0x11));
    m.mapMmio(0xffff_0000, 0x1000, d, 'dev');
    assert.equal(m.read(0xffff_0000, 1), 0x40);
    m.unmapMmio(0xffff_0000, d);
    assert.equal(m.read(0xffff_0000, 1), 0x11);
  });

  test('mmioClaimant names an overlapping range', () => {
    const m = new PhysicalMemory({ ramBytes: 1 << 20 });
    m.mapMmio(0xe000_0000, 0x2000, device(), 'framebuffer');
    assert.equal(m.mmioClaimant(0xe000_1000, 0x1000), 'framebuffer');
    assert.equal(m.mmioClaimant(0xe000_2000, 0x1000), undefined);
  });

  test('every routing change bumps the generation and calls the listeners', () => {
    const m = new PhysicalMemory({ ramBytes: 1 << 20 });
    let calls = 0;
    m.onMapChange(() => calls++);
    const g = m.generation;
    const d = device();
    m.mapMmio(0x8000, 0x1000, d, 'dev');
    m.unmapMmio(0x8000, d);
    m.setShadowRouting(0xf_0000, 0x1_0000, { readRam: true, writeRam: true });
    assert.equal(calls, 3);
    assert.equal(m.generation, g + 3);
  });

  test('a shadowable page with nothing behind it reads all ones without reporting an unmapped access', () => {
    const reports: number[] = [];
    const m = new PhysicalMemory({ ramBytes: 1 << 20, onUnmapped: (gpa) => reports.push(gpa) });
    m.setShadowRouting(0xc_0000, 0x4000, { readRam: false, writeRam: false });
    assert.equal(m.read(0xc_0000, 4), -1);
    m.write(0xc_0000, 4, 0);
    assert.deepEqual(reports, []);
    assert.equal(m.read(0xd_0000, 1), 0, 'a page never made shadowable is plain RAM');
  });

  test('readBytes and writeBytes move data as a bus master sees it: RAM, ROM ignoring writes, MMIO', () => {
    const m = new PhysicalMemory({ ramBytes: 1 << 20 });
    m.mapRom(0x9_0000, new Uint8Array(0x1000).fill(0x77));
    const d = device();
    m.mapMmio(0x9_1000, 0x1000, d, 'dev');
    const src = new Uint8Array(0x3000).map((_, i) => i & 0xff);
    m.writeBytes(0x8_f000, src);
    const back = new Uint8Array(0x3000);
    m.readBytes(0x8_f000, back);
    assert.deepEqual(back.subarray(0, 0x1000), src.subarray(0, 0x1000), 'RAM');
    assert.ok(back.subarray(0x1000, 0x2000).every((b) => b === 0x77), 'ROM ignored the writes');
    assert.equal(d.writes.length, 0x1000, 'MMIO got every byte');
    assert.equal(back[0x2005], 0x45, 'MMIO read through the handler');
  });
});
