// The 8259A pair: initialisation, masking, priority, EOI commands, OCW3,
// trigger modes and the INTA sequence (Intel 8259A datasheet).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pic8259Pair } from '../../src/devices/pic-8259.js';

const MASTER_BASE = 0x20, SLAVE_BASE = 0x28;

interface Rig { pic: Pic8259Pair; intr: () => boolean; edges: number[] }

/** A pair whose INTR output is recorded. */
function rig(): Rig {
  let level = false;
  const edges: number[] = [];
  const pic = new Pic8259Pair((l) => { level = l; edges.push(l ? 1 : 0); });
  return { pic, intr: () => level, edges };
}

const out = (pic: Pic8259Pair, chip: 'master' | 'slave', offset: number, value: number) => pic[chip].write(offset, 1, value);
const inp = (pic: Pic8259Pair, chip: 'master' | 'slave', offset: number) => pic[chip].read(offset, 1);

/** The PC BIOS sequence: edge, cascade, ICW4; bases 0x20/0x28; slave on IR2; 8086 mode. */
function init(pic: Pic8259Pair, icw4 = 0x01, icw1 = 0x11): void {
  out(pic, 'master', 0, icw1); out(pic, 'slave', 0, icw1);
  out(pic, 'master', 1, MASTER_BASE); out(pic, 'slave', 1, SLAVE_BASE);
  if ((icw1 & 0x02) === 0) { out(pic, 'master', 1, 0x04); out(pic, 'slave', 1, 0x02); }
  if ((icw1 & 0x01) !== 0) { out(pic, 'master', 1, icw4); out(pic, 'slave', 1, icw4); }
}

function initialised(icw4 = 0x01): Rig {
  const r = rig();
  init(r.pic, icw4);
  return r;
}

/** Raises and lowers IRQ n: one edge. */
function pulse(pic: Pic8259Pair, n: number): void {
  const line = pic.irqLine(n);
  line.raise();
  line.lower();
}

const readIsr = (pic: Pic8259Pair, chip: 'master' | 'slave' = 'master') => { out(pic, chip, 0, 0x0b); return inp(pic, chip, 0); };
const readIrr = (pic: Pic8259Pair, chip: 'master' | 'slave' = 'master') => { out(pic, chip, 0, 0x0a); return inp(pic, chip, 0); };
const eoi = (pic: Pic8259Pair, chip: 'master' | 'slave' = 'master') => out(pic, chip, 0, 0x20);

describe('8259A initialisation', () => {
  test('after ICW1-ICW4 an IRQ 0 edge raises INTR and INTA returns vector base + 0', () => {
    const { pic, intr } = initialised();
    assert.equal(intr(), false);
    pulse(pic, 0);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), MASTER_BASE);
    assert.equal(intr(), false);
    assert.equal(readIsr(pic), 0x01);
  });

  test('powers on with every input masked until firmware initialises the pair', () => {
    const { pic, intr } = rig();
    assert.equal(inp(pic, 'master', 1), 0xff);
    pulse(pic, 0);
    assert.equal(intr(), false);
  });

  test('ICW1 clears IMR, ISR and edge-latched requests; IMR then reads back what OCW1 wrote', () => {
    const { pic } = initialised();
    out(pic, 'master', 1, 0xff);
    pulse(pic, 3);
    out(pic, 'master', 1, 0x00);
    pic.acknowledge();
    init(pic);
    assert.equal(inp(pic, 'master', 1), 0x00);
    assert.equal(readIsr(pic), 0);
    assert.equal(readIrr(pic), 0);
    out(pic, 'master', 1, 0xa5);
    assert.equal(inp(pic, 'master', 1), 0xa5);
  });

  test('single mode (SNGL) takes no ICW3, and without IC4 the next offset-1 write is OCW1', () => {
    const { pic } = rig();
    out(pic, 'master', 0, 0x12); // ICW1: single, no ICW4
    out(pic, 'master', 1, 0x40); // ICW2
    out(pic, 'master', 1, 0xfe); // OCW1 already
    assert.equal(inp(pic, 'master', 1), 0xfe);
    pulse(pic, 0);
    assert.equal(pic.acknowledge(), 0x40);
  });

  test('ICW2 keeps only T7-T3 of the vector base', () => {
    const { pic } = rig();
    out(pic, 'master', 0, 0x11);
    out(pic, 'master', 1, 0x27);
    out(pic, 'master', 1, 0x04);
    out(pic, 'master', 1, 0x01);
    out(pic, 'master', 1, 0x00);
    pulse(pic, 1);
    assert.equal(pic.acknowledge(), 0x21);
  });
});

describe('8259A masking and priority', () => {
  test('a masked request waits in IRR without raising INTR, and is delivered when unmasked', () => {
    const { pic, intr } = initialised();
    out(pic, 'master', 1, 0x08);
    pulse(pic, 3);
    assert.equal(intr(), false);
    assert.equal(readIrr(pic) & 0x08, 0x08);
    out(pic, 'master', 1, 0x00);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), MASTER_BASE + 3);
  });

  test('of two requests the lower-numbered IR wins (fixed priority, IR0 highest)', () => {
    const { pic } = initialised();
    pulse(pic, 5);
    pulse(pic, 1);
    assert.equal(pic.acknowledge(), MASTER_BASE + 1);
  });

  test('fully nested: a lower-priority request waits for the EOI of the one in service', () => {
    const { pic, intr } = initialised();
    pulse(pic, 3);
    assert.equal(pic.acknowledge(), MASTER_BASE + 3);
    pulse(pic, 5);
    assert.equal(intr(), false);
    eoi(pic);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), MASTER_BASE + 5);
  });

  test('fully nested: a higher-priority request interrupts the one in service', () => {
    const { pic, intr } = initialised();
    pulse(pic, 3);
    pic.acknowledge();
    pulse(pic, 1);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), MASTER_BASE + 1);
    assert.equal(readIsr(pic), 0x0a);
  });

  test('special mask mode: with the in-service level masked, lower levels are served', () => {
    const { pic, intr } = initialised();
    pulse(pic, 3);
    pic.acknowledge();
    out(pic, 'master', 0, 0x68); // OCW3: ESMM + SMM
    out(pic, 'master', 1, 0x08); // mask IR3 (in service)
    pulse(pic, 6);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), MASTER_BASE + 6);
    out(pic, 'master', 0, 0x48); // OCW3: ESMM, SMM off
    pulse(pic, 7);
    assert.equal(intr(), false, 'normal nesting again: IR3 and IR6 in service block IR7');
  });
});

describe('8259A OCW2: EOI and rotation', () => {
  test('non-specific EOI clears the highest-priority ISR bit', () => {
    const { pic } = initialised();
    pulse(pic, 4); pic.acknowledge();
    pulse(pic, 1); pic.acknowledge();
    assert.equal(readIsr(pic), 0x12);
    eoi(pic);
    assert.equal(readIsr(pic), 0x10);
  });

  test('specific EOI clears the named ISR bit only', () => {
    const { pic } = initialised();
    pulse(pic, 4); pic.acknowledge();
    pulse(pic, 1); pic.acknowledge();
    out(pic, 'master', 0, 0x64); // specific EOI, level 4
    assert.equal(readIsr(pic), 0x02);
  });

  test('rotate on non-specific EOI makes the serviced IR the lowest priority', () => {
    const { pic } = initialised();
    pulse(pic, 1); pic.acknowledge();
    out(pic, 'master', 0, 0xa0); // rotate on non-specific EOI
    pulse(pic, 1); pulse(pic, 3);
    assert.equal(pic.acknowledge(), MASTER_BASE + 3, 'IR1 is now the lowest priority');
  });

  test('rotate on specific EOI and set priority choose the lowest-priority IR', () => {
    const { pic } = initialised();
    pulse(pic, 6); pic.acknowledge();
    out(pic, 'master', 0, 0xe6); // rotate on specific EOI, level 6: IR7 highest
    pulse(pic, 0); pulse(pic, 7);
    assert.equal(pic.acknowledge(), MASTER_BASE + 7);
    eoi(pic);
    out(pic, 'master', 0, 0xc4); // set priority: IR4 lowest, IR5 highest
    pulse(pic, 5);
    assert.equal(pic.acknowledge(), MASTER_BASE + 5);
  });

  test('automatic EOI leaves ISR clear after INTA', () => {
    const { pic, intr } = initialised(0x03);
    pulse(pic, 3);
    assert.equal(pic.acknowledge(), MASTER_BASE + 3);
    assert.equal(readIsr(pic), 0);
    pulse(pic, 5);
    assert.equal(intr(), true, 'nothing in service blocks IR5');
  });

  test('rotate in automatic EOI mode rotates priority at each INTA', () => {
    const { pic } = initialised(0x03);
    out(pic, 'master', 0, 0x80); // set rotate in AEOI
    pulse(pic, 1);
    pic.acknowledge();
    pulse(pic, 1); pulse(pic, 3);
    assert.equal(pic.acknowledge(), MASTER_BASE + 3, 'IR1 went to the lowest priority');
    out(pic, 'master', 0, 0x00); // clear rotate in AEOI
    pulse(pic, 3); pulse(pic, 4);
    assert.equal(pic.acknowledge(), MASTER_BASE + 4, 'IR3 went lowest, IR4 is highest');
    pulse(pic, 5); pulse(pic, 4);
    assert.equal(pic.acknowledge(), MASTER_BASE + 4, 'no rotation any more');
  });
});

describe('8259A OCW3: register reads and poll', () => {
  test('port 0 reads IRR by default and ISR after OCW3 RR+RIS, until changed back', () => {
    const { pic } = initialised();
    out(pic, 'master', 1, 0xff);
    pulse(pic, 6);
    assert.equal(inp(pic, 'master', 0), 0x40);
    out(pic, 'master', 1, 0x00);
    pic.acknowledge();
    out(pic, 'master', 0, 0x0b);
    assert.equal(inp(pic, 'master', 0), 0x40);
    assert.equal(inp(pic, 'master', 0), 0x40, 'the choice persists');
    out(pic, 'master', 0, 0x08); // OCW3 with RR=0: no change
    assert.equal(inp(pic, 'master', 0), 0x40);
    out(pic, 'master', 0, 0x0a);
    assert.equal(inp(pic, 'master', 0), 0x00);
  });

  test('poll returns 0x80 | the highest pending level and puts it in service', () => {
    const { pic, intr } = initialised();
    pulse(pic, 5);
    out(pic, 'master', 0, 0x0c); // OCW3: poll
    assert.equal(inp(pic, 'master', 0), 0x85);
    assert.equal(intr(), false);
    assert.equal(readIsr(pic), 0x20);
  });

  test('poll with nothing pending returns 0, and the poll is one-shot', () => {
    const { pic } = initialised();
    out(pic, 'master', 0, 0x0c);
    assert.equal(inp(pic, 'master', 0), 0x00);
    out(pic, 'master', 1, 0xff);
    pulse(pic, 1);
    assert.equal(inp(pic, 'master', 0), 0x02, 'back to reading IRR');
  });
});

describe('8259A cascade', () => {
  test('a slave IRQ is delivered with the slave vector and sets ISR bit 2 on the master', () => {
    const { pic, intr } = initialised();
    pulse(pic, 10);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), SLAVE_BASE + 2);
    assert.equal(readIsr(pic, 'master'), 0x04);
    assert.equal(readIsr(pic, 'slave'), 0x04);
    eoi(pic, 'slave'); eoi(pic, 'master');
    assert.equal(readIsr(pic, 'master') | readIsr(pic, 'slave'), 0);
  });

  test('slave IRQs rank between master IRQ 1 and IRQ 3', () => {
    const { pic } = initialised();
    pulse(pic, 3); pulse(pic, 15);
    assert.equal(pic.acknowledge(), SLAVE_BASE + 7);
    pulse(pic, 1);
    assert.equal(pic.acknowledge(), MASTER_BASE + 1);
  });

  test('a slave request pending while IR2 is in service is delivered after the master EOI', () => {
    const { pic, intr } = initialised();
    pulse(pic, 12);
    pic.acknowledge();
    eoi(pic, 'slave');
    pulse(pic, 8);
    assert.equal(intr(), false, 'IR2 still in service on the master');
    eoi(pic, 'master');
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), SLAVE_BASE + 0);
  });

  test('special fully nested mode lets a higher-priority slave request through an in-service IR2', () => {
    const { pic, intr } = initialised(0x11); // SFNM + 8086
    pulse(pic, 12);
    pic.acknowledge();
    pulse(pic, 9);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), SLAVE_BASE + 1);
    pulse(pic, 14);
    assert.equal(intr(), false, 'a lower slave request still waits');
  });

  test('a masked cascade input hides every slave IRQ', () => {
    const { pic, intr } = initialised();
    out(pic, 'master', 1, 0x04);
    pulse(pic, 8);
    assert.equal(intr(), false);
  });

  test('IRQ 2 has no line of its own (it is the cascade; ISA IRQ 2 is IRQ 9)', () => {
    const { pic } = rig();
    assert.throws(() => pic.irqLine(2), RangeError);
    assert.throws(() => pic.irqLine(16), RangeError);
  });
});

describe('8259A spurious interrupts', () => {
  test('INTA with nothing pending answers IR7 of the master and sets no ISR bit', () => {
    const { pic } = initialised();
    assert.equal(pic.acknowledge(), MASTER_BASE + 7);
    assert.equal(readIsr(pic), 0);
  });

  test('a slave request gone before INTA answers IR7 of the slave (IRQ 15) with only master ISR bit 2 set', () => {
    const { pic } = initialised();
    out(pic, 'slave', 0, 0x68); // not needed for the race, but exercises OCW3 on the slave
    pulse(pic, 11);
    // The slave's request disappears between INTR and INTA (as when a device drops a level request).
    pic.state.slave.irr = 0;
    assert.equal(pic.acknowledge(), SLAVE_BASE + 7);
    assert.equal(readIsr(pic, 'slave'), 0);
    assert.equal(readIsr(pic, 'master'), 0x04);
  });
});

describe('8259A trigger modes', () => {
  test('edge-triggered: a line held high requests once and must fall and rise to request again', () => {
    const { pic, intr } = initialised();
    const line = pic.irqLine(4);
    line.raise();
    pic.acknowledge();
    eoi(pic);
    line.raise();
    assert.equal(intr(), false, 'still high: no new edge');
    line.lower();
    line.raise();
    assert.equal(intr(), true);
  });

  test('edge-triggered: a request stays latched after the line falls', () => {
    const { pic, intr } = initialised();
    pulse(pic, 4);
    assert.equal(intr(), true);
    assert.equal(pic.acknowledge(), MASTER_BASE + 4);
  });

  test('level-triggered through ELCR: IRR follows the line, and a request held high returns after EOI', () => {
    const { pic, intr } = initialised();
    pic.elcr.write(1, 1, 0x08); // IRQ 11 level
    assert.equal(pic.elcr.read(1, 1), 0x08);
    const line = pic.irqLine(11);
    line.raise();
    assert.equal(pic.acknowledge(), SLAVE_BASE + 3);
    eoi(pic, 'slave'); eoi(pic, 'master');
    assert.equal(intr(), true, 'still high: requested again');
    line.lower();
    assert.equal(intr(), false);
    assert.equal(readIrr(pic, 'slave') & 0x08, 0);
  });

  test('ICW1.LTIM makes every input of that chip level-triggered', () => {
    const { pic, intr } = rig();
    init(pic, 0x01, 0x19);
    out(pic, 'master', 1, 0x00);
    const line = pic.irqLine(5);
    line.raise();
    assert.equal(intr(), true);
    line.lower();
    assert.equal(intr(), false);
  });

  test('ELCR bits of IRQ 0, 1, 2, 8 and 13 are read-only zero (PIIX)', () => {
    const { pic } = rig();
    pic.elcr.write(0, 1, 0xff);
    pic.elcr.write(1, 1, 0xff);
    assert.equal(pic.elcr.read(0, 1), 0xf8);
    assert.equal(pic.elcr.read(1, 1), 0xde);
  });
});

test('the INTR output changes only on a change of level', () => {
  const { pic, edges } = initialised();
  pulse(pic, 3);
  pulse(pic, 4);
  pic.acknowledge();
  assert.deepEqual(edges, [1, 0]);
});

test('state restores into a fresh pair, pending interrupt included', () => {
  const a = initialised();
  pulse(a.pic, 6);
  const snapshot = JSON.parse(JSON.stringify(a.pic.state));
  const b = rig();
  b.pic.state = snapshot;
  assert.equal(b.intr(), true);
  assert.equal(b.pic.acknowledge(), MASTER_BASE + 6);
});
