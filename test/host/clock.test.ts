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

/** A paced real-time clock over a fake host clock and instruction counter. */
function paced() {
  const t = { hostNs: 1_000_000, retired: 0 };
  const clock = new RealTimeClock(() => t.retired, () => t.hostNs);
  /** Runs `instructions` taking `hostNsEach` of host time each, then syncs as the VM does between slices. */
  const slice = (instructions: number, hostNsEach: number) => {
    t.retired += instructions;
    t.hostNs += instructions * hostNsEach;
    clock.sync();
  };
  return { t, clock, slice };
}

test('real time: within a slice guest time advances with instructions only, never with host time', () => {
  const { t, clock } = paced();
  assert.equal(clock.nowNs(), 0);
  t.hostNs += 5e6;
  assert.equal(clock.nowNs(), 0, 'host time alone does not move guest time');
  t.retired += 100;
  const a = clock.nowNs();
  t.retired += 100;
  assert.equal(clock.nowNs() - a, a, 'equal steps for equal instruction counts');
});

test('real time: the pace converges on the host speed and guest time on host time', () => {
  const { clock, slice } = paced();
  for (let i = 0; i < 200; i++) slice(100_000, 20);
  const lag = clock.hostNs() - clock.nowNs();
  assert.ok(Math.abs(lag) < 1e6, `guest time ${lag} ns off host time`);
  const until = clock.instructionsUntil(clock.nowNs() + 20_000_000);
  assert.ok(Math.abs(until / 1_000_000 - 1) < 1e-3, `a 20 ms deadline is about a million instructions at 20 ns, not ${until}`);
});

test('real time: a slow stretch is made up by slewing, at most twice as fast, and guest time never goes back', () => {
  const { clock, slice } = paced();
  for (let i = 0; i < 100; i++) slice(100_000, 20);
  let before = clock.nowNs();
  slice(10_000, 2_000); // an I/O-bound slice: host time runs ahead by ~20 ms
  assert.ok(clock.hostNs() - clock.nowNs() > 15e6, `${clock.hostNs() - clock.nowNs()}`);
  const paceOf = () => { const a = clock.nowNs(); const until = clock.instructionsUntil(a + 1e6); return 1e6 / until; };
  const pace = paceOf();
  assert.ok(pace > 20 && pace <= 2 * 40 + 1, `pace ${pace}`);
  for (let i = 0; i < 100; i++) {
    slice(100_000, 20);
    assert.ok(clock.nowNs() >= before);
    before = clock.nowNs();
  }
  assert.ok(Math.abs(clock.hostNs() - clock.nowNs()) < 1e6, `caught up: ${clock.hostNs() - clock.nowNs()}`);
  // Guest ahead of the host (the host got faster): the clock slows, it does not step back.
  slice(1_000_000, 1);
  const ahead = clock.nowNs();
  slice(1000, 1);
  assert.ok(clock.nowNs() >= ahead);
});

test('real time: more than a second behind (a host stall), the clock jumps to host time', () => {
  const { t, clock, slice } = paced();
  slice(100_000, 20);
  t.hostNs += 3e9;
  clock.sync();
  assert.ok(Math.abs(clock.hostNs() - clock.nowNs()) < 1e3);
});

test('real time: idling steps guest time up to host time and returns the milliseconds to the deadline', () => {
  const { t, clock } = paced();
  t.hostNs += 7e6;
  const wait = clock.idle(clock.hostNs() + 20e6);
  assert.equal(clock.nowNs(), clock.hostNs());
  assert.equal(wait, 20);
  assert.equal(clock.idle(0), 0);
  assert.equal(clock.instructionsUntil(Infinity), Infinity);
});
