// The 82093AA I/O APIC: the IOREGSEL/IOWIN window, ID and version, the
// redirection table, edge and level pins with remote IRR and EOI, polarity
// and masking; and the I/O APIC delivering to a local APIC.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IO_APIC_VERSION, IoApic } from '../../../src/devices/apic/io-apic.js';
import { LocalApic } from '../../../src/devices/apic/local-apic.js';
import { DeliveryMode, type ApicMessage } from '../../../src/devices/apic/apic-message.js';
import { ManualClock } from '../../../src/devices/timing.js';

const MASKED = 1 << 16, LEVEL = 1 << 15, REMOTE_IRR = 1 << 14, ACTIVE_LOW = 1 << 13, LOGICAL = 1 << 11;

function rig(accept = true) {
  const sent: ApicMessage[] = [];
  let accepting = accept;
  const io = new IoApic((m) => { sent.push(m); return accepting; });
  const reg = (index: number) => { io.write(0, 4, index); return io.read(0x10, 4) >>> 0; };
  const setReg = (index: number, value: number) => { io.write(0, 4, index); io.write(0x10, 4, value); };
  const route = (pin: number, low: number, high = 0) => { setReg(0x10 + 2 * pin + 1, high); setReg(0x10 + 2 * pin, low); };
  return { io, sent, reg, setReg, route, accepting: (a: boolean) => { accepting = a; } };
}

describe('I/O APIC registers (82093AA §3)', () => {
  test('IOREGSEL selects what IOWIN shows: ID, version 0x11 with 24 entries, arbitration ID', () => {
    const { io, reg, setReg } = rig();
    assert.equal(reg(1), IO_APIC_VERSION);
    assert.equal(IO_APIC_VERSION, 0x0017_0011);
    setReg(0, 0xffff_ffff);
    assert.equal(reg(0), 0x0f00_0000, 'ID bits 27:24');
    assert.equal(reg(2), 0x0f00_0000);
    io.write(0, 1, 0x12);
    assert.equal(io.read(0, 1), 0x12, 'IOREGSEL reads back');
  });

  test('every entry is masked after reset; an entry keeps its fields, delivery status and remote IRR read-only', () => {
    const { reg, setReg } = rig();
    for (let pin = 0; pin < 24; pin++) assert.equal(reg(0x10 + 2 * pin), MASKED, `pin ${pin}`);
    setReg(0x12, 0xffff_ffff);
    assert.equal(reg(0x12), 0x1_afff);
    setReg(0x13, 0xffff_ffff);
    assert.equal(reg(0x13), 0xff00_0000, 'destination bits 63:56');
  });

  test('byte loads of IOWIN return the addressed byte; other offsets of the page read all ones', () => {
    const { io, setReg } = rig();
    setReg(0x10, 0x0000_a7b1);
    io.write(0, 4, 0x10);
    assert.equal(io.read(0x11, 1), 0xa7);
    assert.equal(io.read(0x20, 4), -1);
  });
});

describe('I/O APIC redirection', () => {
  test('an edge on an unmasked pin sends its vector once; edges on a masked pin are lost', () => {
    const { io, sent, route } = rig();
    route(4, 0x34, 0x0100_0000);
    io.input(4).raise();
    io.input(4).raise();
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0], {
      vector: 0x34, deliveryMode: DeliveryMode.Fixed, logical: false, destination: 1, level: false, assert: true, shorthand: 0,
    });
    io.input(4).lower();
    route(4, 0x34 | MASKED);
    io.input(4).raise();
    route(4, 0x34);
    assert.equal(sent.length, 1, 'not held while masked');
  });

  test('level-triggered: remote IRR set on acceptance blocks resends until the EOI of its vector', () => {
    const { io, sent, route, reg } = rig();
    route(10, LEVEL | 0x5a);
    io.input(10).raise();
    assert.equal(sent.length, 1);
    assert.equal(reg(0x10 + 20) & REMOTE_IRR, REMOTE_IRR);
    io.endOfInterrupt(0x5b);
    assert.equal(sent.length, 1, 'another vector');
    io.endOfInterrupt(0x5a);
    assert.equal(sent.length, 2, 'still asserted: sent again');
    io.input(10).lower();
    io.endOfInterrupt(0x5a);
    assert.equal(reg(0x10 + 20) & REMOTE_IRR, 0);
    assert.equal(sent.length, 2);
  });

  test('unmasking a level pin that is asserted sends it; a refused message leaves remote IRR clear', () => {
    const { io, sent, route, reg, accepting } = rig(false);
    route(11, LEVEL | MASKED | 0x60);
    io.input(11).raise();
    assert.equal(sent.length, 0);
    route(11, LEVEL | 0x60);
    assert.equal(sent.length, 1);
    assert.equal(reg(0x10 + 22) & REMOTE_IRR, 0);
    accepting(true);
    route(11, LEVEL | 0x60);
    assert.equal(reg(0x10 + 22) & REMOTE_IRR, REMOTE_IRR);
  });

  test('switching an entry to edge clears a stuck remote IRR', () => {
    const { io, route, reg } = rig();
    route(9, LEVEL | 0x70);
    io.input(9).raise();
    assert.equal(reg(0x10 + 18) & REMOTE_IRR, REMOTE_IRR);
    route(9, MASKED | 0x70);
    assert.equal(reg(0x10 + 18) & REMOTE_IRR, 0);
  });

  test('active-low polarity: the pin is asserted while its line is low', () => {
    const { io, sent, route } = rig();
    io.input(16).raise();                // idle high
    route(16, LEVEL | ACTIVE_LOW | 0x80);
    assert.equal(sent.length, 0);
    io.input(16).lower();
    assert.equal(sent.length, 1);
  });

  test('logical destination mode and delivery mode reach the message', () => {
    const { io, sent, route } = rig();
    route(1, LOGICAL | (DeliveryMode.LowestPriority << 8) | 0x31, 0xff00_0000);
    io.input(1).raise();
    assert.equal(sent[0].logical, true);
    assert.equal(sent[0].destination, 0xff);
    assert.equal(sent[0].deliveryMode, DeliveryMode.LowestPriority);
  });
});

describe('I/O APIC to local APIC', () => {
  function system() {
    const clock = new ManualClock();
    let intr = false;
    let ioApic: IoApic | undefined;
    const lapic = new LocalApic(clock, {
      intr: (level) => { intr = level; }, nmi: () => {}, sendIpi: () => {},
      eoiBroadcast: (v) => ioApic!.endOfInterrupt(v),
    });
    ioApic = new IoApic((m) => lapic.receive(m));
    lapic.write(0xf0, 4, 0x1ff);
    const route = (pin: number, low: number, high = 0) => {
      ioApic!.write(0, 4, 0x11 + 2 * pin); ioApic!.write(0x10, 4, high);
      ioApic!.write(0, 4, 0x10 + 2 * pin); ioApic!.write(0x10, 4, low);
    };
    return { lapic, ioApic, route, intr: () => intr };
  }

  test('a pin redirected to a vector interrupts the CPU with it', () => {
    const { lapic, ioApic, route, intr } = system();
    route(2, 0x30);                       // IRQ 0's pin, physical destination APIC 0
    ioApic.input(2).raise();
    assert.equal(intr(), true);
    assert.equal(lapic.acknowledge(), 0x30);
  });

  test('level-triggered: the local APIC\'s EOI clears remote IRR and a still-asserted pin interrupts again', () => {
    const { lapic, ioApic, route, intr } = system();
    route(10, LEVEL | 0x41);
    ioApic.input(10).raise();
    assert.equal(lapic.acknowledge(), 0x41);
    lapic.write(0xb0, 4, 0);              // EOI, broadcast to the I/O APIC
    assert.equal(intr(), true);
    assert.equal(lapic.acknowledge(), 0x41);
    ioApic.input(10).lower();
    lapic.write(0xb0, 4, 0);
    assert.equal(intr(), false);
    ioApic.write(0, 4, 0x10 + 20);
    assert.equal(ioApic.read(0x10, 4) & REMOTE_IRR, 0);
  });

  test('a destination naming another APIC is not accepted', () => {
    const { ioApic, route, intr } = system();
    route(3, 0x33, 0x0500_0000);
    ioApic.input(3).raise();
    assert.equal(intr(), false);
  });
});
