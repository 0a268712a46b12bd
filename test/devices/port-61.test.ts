// System control port B (0x61): counter 2 gate and OUT, refresh toggle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Port61 } from '../../src/devices/port-61.js';
import { Pit8254, PIT_HZ } from '../../src/devices/pit-8254.js';
import { ManualClock, nsOfTick } from '../../src/devices/timing.js';
import { NO_IRQ } from '../../src/devices/io-device.js';

function rig() {
  const clock = new ManualClock();
  const pit = new Pit8254(clock, NO_IRQ);
  return { clock, pit, port: new Port61(clock, pit), at: (tick: number) => clock.set(nsOfTick(tick, PIT_HZ)) };
}

test('the calibration loop: mode 0 count N on counter 2, gate on through bit 0, bit 5 rises N clocks later', () => {
  const { pit, port, at } = rig();
  port.write(0, 1, 0x00);
  pit.write(3, 1, 0xb0);                   // counter 2, LSB/MSB, mode 0
  pit.write(2, 1, 0xff); pit.write(2, 1, 0xff);
  at(1000);
  assert.equal(port.read(0, 1) & 0x20, 0, 'gate low: not counting');
  port.write(0, 1, 0x01);                  // gate on at tick 1000
  at(1000 + 0xffff - 1);
  assert.equal(port.read(0, 1) & 0x20, 0);
  at(1000 + 0xffff);
  assert.equal(port.read(0, 1) & 0x20, 0x20);
});

test('bits 0-3 read back as written; bits 4-7 ignore writes', () => {
  const { port } = rig();
  port.write(0, 1, 0xfe);
  assert.equal(port.read(0, 1) & 0xcf, 0x0e);
});

test('bit 4 (refresh toggle) flips every 18 PIT clocks (15.085 µs)', () => {
  const { port, at } = rig();
  const bits: number[] = [];
  for (const t of [0, 17, 18, 35, 36]) { at(t); bits.push(port.read(0, 1) & 0x10); }
  assert.deepEqual(bits, [0, 0, 0x10, 0x10, 0]);
});

test('reset clears the register and drops counter 2\'s gate', () => {
  const { pit, port, at } = rig();
  port.write(0, 1, 0x03);
  pit.write(3, 1, 0xb0);
  pit.write(2, 1, 10); pit.write(2, 1, 0);
  port.reset();
  at(100);
  assert.equal(port.read(0, 1) & 0x2f, 0);
});
