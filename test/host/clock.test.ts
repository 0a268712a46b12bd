// Guest clocks: real time and instruction-counted time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstructionClock, RealTimeClock } from '../../src/host/clock.js';

test('instruction time is retired instructions × ns per instruction', () => {
  let retired = 0;
  const clock = new InstructionClock(() => retired, 10);
  retired = 1234;
  assert.equal(clock.nowNs(), 12_340);
});

test('idling on instruction time jumps to the deadline (rounded up to whole instructions) without waiting', () => {
  let retired = 100;
  const clock = new InstructionClock(() => retired, 10);
  assert.equal(clock.idle(5_005), 0);
  assert.equal(clock.nowNs(), 5_010);
  retired += 1;
  assert.equal(clock.nowNs(), 5_020);
  assert.equal(clock.idle(5_020), 0);
  assert.ok(clock.nowNs() > 5_020, 'a deadline at now still moves time');
  assert.equal(clock.idle(Infinity), Infinity, 'nothing to jump to: wait for the host');
});

test('real time starts near 0, moves forward, and idling returns the milliseconds to wait', async () => {
  const clock = new RealTimeClock();
  const a = clock.nowNs();
  assert.ok(a >= 0 && a < 50e6);
  await new Promise((r) => setTimeout(r, 5));
  assert.ok(clock.nowNs() - a >= 4e6);
  const wait = clock.idle(clock.nowNs() + 20e6);
  assert.ok(wait > 19 && wait <= 20, `${wait}`);
  assert.equal(clock.idle(0), 0);
});
