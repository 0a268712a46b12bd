// The 8254 PIT: modes 0-5, access modes, latch and read-back, BCD, and the
// IRQ 0 deadlines (Intel 82C54 datasheet), on a manual clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pit8254, PIT_HZ } from '../../src/devices/pit-8254.js';
import { ManualClock, nsOfTick, ticksAt } from '../../src/devices/timing.js';

/** An IRQ line that counts rising edges. */
function edgeCounter() {
  let level = false;
  const line = {
    edges: 0,
    get level() { return level; },
    raise() { if (!level) line.edges++; level = true; },
    lower() { level = false; },
  };
  return line;
}

interface Rig { pit: Pit8254; clock: ManualClock; irq: ReturnType<typeof edgeCounter>; at(tick: number): void }

function rig(): Rig {
  const clock = new ManualClock();
  const irq = edgeCounter();
  const pit = new Pit8254(clock, irq);
  pit.advance(0); // IRQ 0 follows OUT, high at power-on
  irq.edges = 0;
  return { pit, clock, irq, at: (tick) => clock.set(nsOfTick(tick, PIT_HZ)) };
}

const ns = (tick: number) => nsOfTick(tick, PIT_HZ);

/** Control word, then a 16-bit count LSB first. */
function program(pit: Pit8254, counter: number, mode: number, count: number, bcd = false): void {
  pit.write(3, 1, (counter << 6) | 0x30 | (mode << 1) | (bcd ? 1 : 0));
  pit.write(counter, 1, count & 0xff);
  pit.write(counter, 1, count >> 8);
}

/** Latches and reads a 16-bit count. */
function latched(pit: Pit8254, counter: number): number {
  pit.write(3, 1, counter << 6);
  const lo = pit.read(counter, 1);
  return lo | (pit.read(counter, 1) << 8);
}

describe('8254 mode 2 (rate generator) on counter 0', () => {
  test('raises IRQ 0 every N clocks at exact times, with no drift over 1000 periods', () => {
    const { pit, irq, clock } = rig();
    program(pit, 0, 2, 1000);           // written at tick 0, loaded at tick 1
    let deadline = pit.advance(0);
    for (let m = 1; m <= 1000; m++) {
      assert.equal(deadline, ns(1 + 1000 * m), `period ${m}`);
      clock.set(deadline - 1);
      pit.advance(clock.nowNs());
      assert.equal(irq.edges, m - 1, `no edge just before period ${m}`);
      clock.set(deadline);
      deadline = pit.advance(clock.nowNs());
      assert.equal(irq.edges, m);
    }
  });

  test('count 0 means 65536: the BIOS 18.2 Hz tick', () => {
    const { pit } = rig();
    program(pit, 0, 2, 0);
    assert.equal(pit.advance(0), ns(1 + 65536));
  });

  test('the counter reads N, N-1, ... 1 and reloads', () => {
    const { pit, at } = rig();
    program(pit, 0, 2, 5);
    const seen: number[] = [];
    for (let t = 1; t <= 11; t++) { at(t); seen.push(latched(pit, 0)); }
    assert.deepEqual(seen, [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5]);
  });

  test('a late advance keeps the deadline grid and owes the missed edges, delivered 100 µs apart', () => {
    const { pit, irq, clock } = rig();
    program(pit, 0, 2, 1000);
    clock.set(ns(1 + 1000 * 7 + 500));  // the board slept through 7 edges
    let deadline = pit.advance(clock.nowNs());
    assert.equal(irq.edges, 1, 'one edge now');
    assert.equal(deadline, ns(1 + 1000 * 7 + 500 + 120), 'the next owed one 100 µs later (120 clocks)');
    assert.equal(pit.advance(clock.nowNs()), deadline, 'not twice at the same moment');
    while (pit.state.counters[0].owedEdges > 0) { clock.set(deadline); deadline = pit.advance(deadline); }
    const gridEdges = Math.floor((ticksAt(clock.nowNs(), PIT_HZ) - 1) / 1000);
    assert.equal(irq.edges, gridEdges, 'every edge delivered, late ones included');
    assert.equal(deadline, ns(1 + 1000 * (gridEdges + 1)), 'then back on the grid');
  });

  test('owed edges are capped at one second\'s worth and dropped by a new control word', () => {
    const { pit, irq, clock } = rig();
    program(pit, 0, 2, 11932);          // 100 Hz
    clock.set(60e9);
    pit.advance(clock.nowNs());
    assert.equal(irq.edges, 1);
    assert.equal(pit.state.counters[0].owedEdges, 100, 'ceil(1193182 / 11932)');
    pit.write(3, 1, 0x34);
    clock.set(120e9);
    pit.advance(clock.nowNs());
    assert.equal(pit.state.counters[0].owedEdges, 0);
  });

  test('a new count takes effect at the end of the current period', () => {
    const { pit, at } = rig();
    program(pit, 0, 2, 100);
    at(30);
    pit.write(0, 1, 50); pit.write(0, 1, 0);
    assert.equal(pit.advance(ns(30)), ns(101), 'the current period still ends on time');
    at(60);
    assert.equal(latched(pit, 0), 41, 'still counting the old period');
    assert.equal(pit.advance(ns(101)), ns(151), 'then periods of 50');
    at(101);
    assert.equal(latched(pit, 0), 50);
  });
});

describe('8254 mode 3 (square wave)', () => {
  test('OUT is high for ceil(N/2) clocks and low for floor(N/2), rising every N', () => {
    const { pit, at } = rig();
    program(pit, 2, 3, 5);
    pit.setGate(2, true);               // counter 2 gate is low at power-on
    const t0 = 1;                       // gate rose at tick 0: reload on the next clock
    const levels: boolean[] = [];
    for (let t = t0; t < t0 + 10; t++) { at(t); levels.push(pit.output(2)); }
    assert.deepEqual(levels, [true, true, true, false, false, true, true, true, false, false]);
  });

  test('even counts read N, N-2, ... 2 in each half-cycle', () => {
    const { pit, at } = rig();
    program(pit, 0, 3, 8);
    const seen: number[] = [];
    for (let t = 1; t <= 9; t++) { at(t); seen.push(latched(pit, 0)); }
    assert.deepEqual(seen, [8, 6, 4, 2, 8, 6, 4, 2, 8]);
  });

  test('on counter 0 it raises IRQ 0 once per period', () => {
    const { pit, irq, clock } = rig();
    program(pit, 0, 3, 11932);
    let deadline = pit.advance(0);
    for (let i = 0; i < 100; i++) { clock.set(deadline); deadline = pit.advance(deadline); }
    assert.equal(irq.edges, 100);
    assert.equal(deadline, ns(1 + 11932 * 101));
  });
});

describe('8254 mode 0 (interrupt on terminal count)', () => {
  test('OUT goes low on the control word and high N+1 clocks after the count is written', () => {
    const { pit, irq, at } = rig();
    at(10);
    pit.write(3, 1, 0x30);              // counter 0, LSB/MSB, mode 0
    assert.equal(pit.output(0), false);
    pit.write(0, 1, 20); pit.write(0, 1, 0);
    assert.equal(pit.advance(ns(10)), ns(10 + 20 + 1));
    at(30);
    pit.advance(ns(30));
    assert.equal(pit.output(0), false);
    at(31);
    assert.equal(pit.advance(ns(31)), Infinity, 'one-shot: no further deadline');
    assert.equal(pit.output(0), true);
    assert.equal(irq.edges, 1);
    assert.equal(irq.level, true, 'OUT stays high until reprogrammed');
    pit.write(3, 1, 0x30);
    assert.equal(irq.level, false);
  });

  test('the counter keeps counting past zero (wraps to 0xFFFF)', () => {
    const { pit, at } = rig();
    program(pit, 0, 0, 3);
    at(4); assert.equal(latched(pit, 0), 0);
    at(5); assert.equal(latched(pit, 0), 0xffff);
  });

  test('writing the first byte of a new count stops counting and drives OUT low', () => {
    const { pit, at } = rig();
    program(pit, 2, 0, 10);
    pit.setGate(2, true);
    at(20);
    assert.equal(pit.output(2), true);
    pit.write(2, 1, 5);
    assert.equal(pit.output(2), false);
    const held = latched(pit, 2);
    at(25);
    assert.equal(latched(pit, 2), held, 'not counting');
    pit.write(2, 1, 0);                 // count 5, loaded at tick 26
    at(31);
    assert.equal(pit.output(2), true);
  });

  test('GATE low suspends counting on counter 2, GATE high resumes it', () => {
    const { pit, at } = rig();
    program(pit, 2, 0, 100);            // gate low: loaded at tick 1 but held
    at(50);
    assert.equal(latched(pit, 2), 100);
    pit.setGate(2, true);               // counts from tick 50
    at(60);
    assert.equal(latched(pit, 2), 90);
    pit.setGate(2, false);
    at(90);
    assert.equal(latched(pit, 2), 90);
    pit.setGate(2, true);
    at(180);
    assert.equal(pit.output(2), true);
  });
});

describe('8254 modes 1, 4 and 5', () => {
  test('mode 1: a GATE rising edge starts a one-shot low pulse of N clocks, retriggerable', () => {
    const { pit, at } = rig();
    program(pit, 2, 1, 10);
    assert.equal(pit.output(2), true, 'no trigger yet');
    at(5);
    pit.setGate(2, true);               // loads at 6
    at(6);
    assert.equal(pit.output(2), false);
    pit.setGate(2, false);
    at(12);
    pit.setGate(2, true);               // retrigger: loads at 13
    at(20);
    assert.equal(pit.output(2), false);
    at(23);
    assert.equal(pit.output(2), true);
  });

  test('mode 4: a one-clock low strobe N+1 clocks after the count, and an IRQ 0 edge after it', () => {
    const { pit, irq, at } = rig();
    program(pit, 0, 4, 10);             // loaded at 1, strobe at 11
    assert.equal(pit.advance(0), ns(12));
    at(11);
    assert.equal(pit.output(0), false);
    at(12);
    assert.equal(pit.output(0), true);
    pit.advance(ns(12));
    assert.equal(irq.edges, 1);
    assert.equal(pit.advance(ns(12)), Infinity);
  });

  test('mode 5: the strobe comes N+1 clocks after a GATE trigger', () => {
    const { pit, at } = rig();
    program(pit, 2, 5, 4);
    at(3);
    pit.setGate(2, true);               // load at 4, strobe at 8
    at(7); assert.equal(pit.output(2), true);
    at(8); assert.equal(pit.output(2), false);
    at(9); assert.equal(pit.output(2), true);
  });

  test('modes 2 and 3: GATE low forces OUT high and stops; the rising edge reloads', () => {
    const { pit, at } = rig();
    program(pit, 2, 2, 10);
    pit.setGate(2, true);               // loads at 1
    at(5);
    pit.setGate(2, false);
    at(9);
    assert.equal(pit.output(2), true);
    assert.equal(latched(pit, 2), 6);
    pit.setGate(2, true);               // reloads at 10
    at(10);
    assert.equal(latched(pit, 2), 10);
  });
});

describe('8254 access modes, latch and read-back', () => {
  test('LSB-only and MSB-only access read and write one byte', () => {
    const { pit, at } = rig();
    pit.write(3, 1, 0x14);              // counter 0, LSB only, mode 2
    pit.write(0, 1, 0x80);
    at(1);
    assert.equal(pit.read(0, 1), 0x80);
    pit.write(3, 1, 0x64);              // counter 1, MSB only, mode 2
    pit.write(1, 1, 0x02);              // count 0x200
    at(2);
    assert.equal(pit.read(1, 1), 0x02);
    at(3);
    assert.equal(pit.read(1, 1), 0x01, 'MSB of 0x1FF');
  });

  test('the latch holds the count until both bytes are read; a second latch is ignored', () => {
    const { pit, at } = rig();
    program(pit, 0, 2, 1000);
    at(101);
    pit.write(3, 1, 0x00);
    at(201);
    pit.write(3, 1, 0x00);              // ignored: the first latch is unread
    assert.equal(pit.read(0, 1), 900 & 0xff);
    at(301);
    assert.equal(pit.read(0, 1), 900 >> 8);
    assert.equal(latched(pit, 0), 700, 'unlatched after the MSB');
  });

  test('unlatched reads sample the live counter: LSB and MSB may come from different moments', () => {
    const { pit, at } = rig();
    program(pit, 0, 2, 0x1000);
    at(2);                              // 0x0FFF
    const lo = pit.read(0, 1);
    at(0x101);                          // 0x0F00
    const hi = pit.read(0, 1);
    assert.deepEqual([lo, hi], [0xff, 0x0f]);
  });

  test('read-back status shows OUT, NULL COUNT and the control bits as written', () => {
    const { pit, at } = rig();
    at(5);
    pit.write(3, 1, 0x3c);              // counter 0, LSB/MSB, mode 6 (= 2)
    pit.write(3, 1, 0xe2);              // read-back: status of counter 0
    assert.equal(pit.read(0, 1), 0x80 | 0x40 | 0x3c, 'OUT high (mode 2), null count');
    pit.write(0, 1, 10); pit.write(0, 1, 0);
    at(6);
    pit.write(3, 1, 0xe2);
    assert.equal(pit.read(0, 1), 0x80 | 0x3c, 'count loaded');
  });

  test('read-back of status and count returns the status first, then the count', () => {
    const { pit, at } = rig();
    program(pit, 1, 0, 50);
    at(11);
    pit.write(3, 1, 0xc4);              // read-back: count and status of counter 1
    assert.equal(pit.read(1, 1), 0x30);  // OUT low, count loaded, LSB/MSB mode 0
    assert.equal(pit.read(1, 1), 40);
    assert.equal(pit.read(1, 1), 0);
  });

  test('BCD counting: count 0x1000 is a thousand clocks and reads back in BCD', () => {
    const { pit, at } = rig();
    program(pit, 0, 2, 0x1000, true);
    assert.equal(pit.advance(0), ns(1001));
    at(1 + 1);
    assert.equal(latched(pit, 0), 0x0999);
  });

  test('the control port reads 0xFF and an unprogrammed counter ignores count writes', () => {
    const { pit } = rig();
    assert.equal(pit.read(3, 1), 0xff);
    pit.write(0, 1, 5);
    assert.equal(pit.advance(0), Infinity);
  });
});

test('state is plain data that restores into a fresh PIT', () => {
  const a = rig();
  program(a.pit, 0, 2, 500);
  const snapshot = JSON.parse(JSON.stringify(a.pit.state));
  const b = rig();
  b.pit.state = snapshot;
  assert.equal(b.pit.advance(0), ns(501));
});
