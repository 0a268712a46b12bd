// Conversions between nanoseconds and ticks of a device clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nsOfTick, ticksAt } from '../../src/devices/timing.js';

test('ticksAt and nsOfTick are exact inverses at tick boundaries, for days of guest time', () => {
  for (const hz of [1_193_182, 32_768]) {
    for (const tick of [0, 1, 2, hz - 1, hz, hz + 1, 123_456_789, hz * 86_400 * 3 + 17]) {
      const ns = nsOfTick(tick, hz);
      assert.equal(ticksAt(ns, hz), tick, `${hz} Hz tick ${tick}`);
      assert.equal(ticksAt(ns - 1, hz), tick - 1, `${hz} Hz just before tick ${tick}`);
    }
  }
});

test('ticksAt floors: the 1.193182 MHz PIT clock has counted 1193182 ticks after one second', () => {
  assert.equal(ticksAt(1e9, 1_193_182), 1_193_182);
  assert.equal(ticksAt(838, 1_193_182), 0);
  assert.equal(ticksAt(839, 1_193_182), 1);
  assert.equal(nsOfTick(Infinity, 32_768), Infinity);
});
