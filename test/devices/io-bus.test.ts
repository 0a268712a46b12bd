// The I/O port bus: overlapping attaches are refused, unclaimed ports read
// as all ones, and a detached range is free again (PCI BARs move).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../src/devices/io-bus.js';
import type { IoDevice } from '../../src/devices/io-device.js';

const dev = (v: number): IoDevice => ({ read: () => v, write: () => {} });

test('an attach overlapping another range is refused with both names', () => {
  const bus = new IoBus();
  bus.attach(0x100, 8, dev(1), 'first');
  assert.throws(() => bus.attach(0x107, 2, dev(2), 'second'), /second at 0x107 overlaps first/);
  assert.equal(bus.claimant(0x0f0, 0x11), 'first');
  assert.equal(bus.claimant(0x108, 8), undefined);
});

test('a detached range reads as unclaimed and can be claimed again', () => {
  const bus = new IoBus();
  const unclaimed: number[] = [];
  bus.onUnclaimed = (port) => unclaimed.push(port);
  const a = dev(0x11);
  bus.attach(0xc000, 16, a, 'bar');
  assert.equal(bus.read(0xc00f, 1), 0x11);
  bus.detach(0xc000, a);
  assert.equal(bus.read(0xc00f, 1), 0xff);
  assert.equal(bus.read(0xc000, 4), -1);
  assert.deepEqual(unclaimed, [0xc00f, 0xc000]);
  bus.attach(0xc008, 16, dev(0x22), 'moved');
  assert.equal(bus.read(0xc010, 2), 0x22);
  assert.throws(() => bus.detach(0xc000, a), /no device attached at 0xc000/);
});

test('detaching and attaching many times reuses slots (no growth per move)', () => {
  const bus = new IoBus();
  const d = dev(5);
  for (let i = 0; i < 40_000; i++) {
    bus.attach(0x1000 + (i & 0xff) * 16, 16, d, 'moving');
    bus.detach(0x1000 + (i & 0xff) * 16, d);
  }
  bus.attach(0x2000, 1, d, 'last');
  assert.equal(bus.read(0x2000, 1), 5);
});
