// PCI configuration mechanism #1 and the bus: CONFIG_ADDRESS/CONFIG_DATA
// access patterns, absent functions, BAR sizing and the mapping of I/O and
// memory BARs as the guest programs them (PCI Local Bus Specification 2.1
// §3.7.4.1, §6.2.5.1), INTx and the PIIX3 PIRQ router.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../../src/devices/io-bus.js';
import type { IoDevice, IrqLine } from '../../../src/devices/io-device.js';
import { PhysicalMemory } from '../../../src/cpu/physical-memory.js';
import { PciBus, PciConfigPorts } from '../../../src/devices/pci/pci-bus.js';
import { CMD_INTX_DISABLE, CMD_IO, CMD_MEMORY, PciFunction, type PciBar } from '../../../src/devices/pci/pci-function.js';
import { Piix3Isa } from '../../../src/devices/pci/piix3.js';

const CF8 = 0xcf8, CFC = 0xcfc;

/** A register file device that remembers what was written at each offset. */
function scratch(): IoDevice & { cells: Map<number, number> } {
  const cells = new Map<number, number>();
  return { cells, read: (o) => cells.get(o) ?? 0x5a, write: (o, _s, v) => { cells.set(o, v); } };
}

/** A test function: one 32-byte I/O BAR (BAR0) and one 8 KiB memory BAR (BAR1), INTA#. */
class TestFunction extends PciFunction {
  declare readonly io: ReturnType<typeof scratch>;
  declare readonly mmio: ReturnType<typeof scratch>;
  constructor() {
    const io = scratch(), mmio = scratch();
    const bars: PciBar[] = [
      { index: 0, kind: 'io', sizeBytes: 32, handler: io, name: 'test I/O' },
      { index: 1, kind: 'memory', sizeBytes: 0x2000, handler: mmio, name: 'test MMIO' },
    ];
    super('test device', { vendorId: 0x1234, deviceId: 0x5678, revision: 0x42, classCode: 0xff_0000, interruptPin: 1 }, bars);
    Object.assign(this, { io, mmio });
  }
}

function machine() {
  const io = new IoBus();
  const memory = new PhysicalMemory({ ramBytes: 1 << 20 });
  const log: string[] = [];
  const bus = new PciBus(io, memory, (l) => log.push(l));
  io.attach(CF8, 8, new PciConfigPorts(bus), 'PCI config');
  const f = new TestFunction();
  bus.add(3, 0, f);
  const select = (device: number, fn: number, reg: number, busNo = 0) =>
    io.write(CF8, 4, (0x8000_0000 | (busNo << 16) | (device << 11) | (fn << 8) | reg) >>> 0);
  const cfgRead = (device: number, fn: number, reg: number, size: 1 | 2 | 4 = 4) => {
    select(device, fn, reg & 0xfc);
    return io.read(CFC + (reg & 3), size) >>> 0;
  };
  const cfgWrite = (device: number, fn: number, reg: number, size: 1 | 2 | 4, value: number) => {
    select(device, fn, reg & 0xfc);
    io.write(CFC + (reg & 3), size, value);
  };
  return { io, memory, bus, f, log, select, cfgRead, cfgWrite };
}

describe('configuration mechanism #1', () => {
  test('CONFIG_ADDRESS reads back with reserved bits 30:24 and 1:0 as zero (the Linux type 1 probe)', () => {
    const m = machine();
    m.io.write(CF8, 4, 0x8000_0000);
    assert.equal(m.io.read(CF8, 4) >>> 0, 0x8000_0000);
    m.io.write(CF8, 4, 0xffff_ffff);
    assert.equal(m.io.read(CF8, 4) >>> 0, 0x80ff_fffc);
  });

  test('byte and word accesses to 0xCF8-0xCFB do not touch CONFIG_ADDRESS', () => {
    const m = machine();
    m.io.write(CF8, 4, 0x8000_1800);
    m.io.write(CF8 + 3, 1, 0x01); // Linux's mechanism-2 probe writes here
    m.io.write(CF8, 2, 0x1234);
    assert.equal(m.io.read(CF8, 4) >>> 0, 0x8000_1800);
    assert.equal(m.io.read(CF8 + 2, 1), 0xff);
  });

  test('reads the ID dword, and its words and bytes at CONFIG_DATA offsets', () => {
    const m = machine();
    assert.equal(m.cfgRead(3, 0, 0x00), 0x5678_1234);
    assert.equal(m.cfgRead(3, 0, 0x00, 2), 0x1234);
    assert.equal(m.cfgRead(3, 0, 0x02, 2), 0x5678);
    assert.equal(m.cfgRead(3, 0, 0x01, 1), 0x12);
    assert.equal(m.cfgRead(3, 0, 0x03, 1), 0x56);
    assert.equal(m.cfgRead(3, 0, 0x08), 0xff00_0042, 'class code and revision');
    assert.equal(m.cfgRead(3, 0, 0x3d, 1), 1, 'INTA#');
  });

  test('an absent device, a function behind an absent function 0, and other buses read all ones', () => {
    const m = machine();
    assert.equal(m.cfgRead(4, 0, 0), 0xffff_ffff);
    assert.equal(m.cfgRead(4, 0, 0, 2), 0xffff);
    m.bus.add(5, 1, new TestFunction());
    assert.equal(m.cfgRead(5, 1, 0), 0xffff_ffff, 'function 1 without function 0');
    m.select(3, 0, 0, 1);
    assert.equal(m.io.read(CFC, 4) >>> 0, 0xffff_ffff, 'bus 1');
  });

  test('with the enable bit clear CONFIG_DATA reads all ones and ignores writes', () => {
    const m = machine();
    m.io.write(CF8, 4, 0x0000_1804);
    assert.equal(m.io.read(CFC, 4) >>> 0, 0xffff_ffff);
    m.io.write(CFC, 2, 0x0007);
    assert.equal(m.f.command, 0);
  });

  test('read-only fields ignore writes; status error bits clear by writing one', () => {
    const m = machine();
    m.cfgWrite(3, 0, 0x00, 4, 0);
    assert.equal(m.cfgRead(3, 0, 0x00), 0x5678_1234);
    m.f.state.config[0x07] = 0x30; // received target + master abort
    m.cfgWrite(3, 0, 0x06, 2, 0x1000);
    assert.equal(m.cfgRead(3, 0, 0x06, 2), 0x2000);
    m.cfgWrite(3, 0, 0x3c, 1, 11);
    assert.equal(m.cfgRead(3, 0, 0x3c, 1), 11, 'interrupt line is scratch for software');
  });
});

describe('BARs', () => {
  test('sizing: all ones reads back the size with the type bits', () => {
    const m = machine();
    m.cfgWrite(3, 0, 0x10, 4, 0xffff_ffff);
    assert.equal(m.cfgRead(3, 0, 0x10), 0xffff_ffe1, '32 bytes of I/O');
    m.cfgWrite(3, 0, 0x14, 4, 0xffff_ffff);
    assert.equal(m.cfgRead(3, 0, 0x14), 0xffff_e000, '8 KiB of 32-bit memory');
    m.cfgWrite(3, 0, 0x18, 4, 0xffff_ffff);
    assert.equal(m.cfgRead(3, 0, 0x18), 0, 'unimplemented BAR');
  });

  test('an I/O BAR decodes at its address once the command register enables I/O, and moves with it', () => {
    const m = machine();
    m.cfgWrite(3, 0, 0x10, 4, 0xc000);
    assert.equal(m.io.read(0xc004, 1), 0xff, 'not decoded before CMD_IO');
    m.cfgWrite(3, 0, 0x04, 2, CMD_IO);
    assert.equal(m.io.read(0xc004, 1), 0x5a);
    m.io.write(0xc01f, 1, 0x77);
    assert.equal(m.f.io.cells.get(0x1f), 0x77, 'the device sees offsets');
    m.cfgWrite(3, 0, 0x10, 4, 0xd000);
    assert.equal(m.io.read(0xc004, 1), 0xff, 'old place released');
    assert.equal(m.io.read(0xd004, 1), 0x5a);
    m.cfgWrite(3, 0, 0x04, 2, 0);
    assert.equal(m.io.read(0xd004, 1), 0xff, 'decoding disabled');
  });

  test('a memory BAR maps over the address space while CMD_MEMORY is set, and unmapping restores RAM', () => {
    const m = machine();
    m.memory.write(0x8_0000, 4, 0x1122_3344);
    m.cfgWrite(3, 0, 0x14, 4, 0x8_0000);
    m.cfgWrite(3, 0, 0x04, 2, CMD_MEMORY);
    assert.equal(m.memory.read(0x8_0004, 1), 0x5a);
    m.memory.write(0x8_1ffc, 1, 9);
    assert.equal(m.f.mmio.cells.get(0x1ffc), 9);
    m.cfgWrite(3, 0, 0x04, 2, 0);
    assert.equal(m.memory.read(0x8_0000, 4), 0x1122_3344, 'RAM is back, unchanged');
  });

  test('a BAR at 0 or overlapping a claimed range does not decode, and the overlap is logged once', () => {
    const m = machine();
    m.cfgWrite(3, 0, 0x04, 2, CMD_IO);
    assert.equal(m.io.read(0x0004, 1), 0xff, 'BAR still 0: unassigned');
    m.cfgWrite(3, 0, 0x10, 4, 0xce0); // 0xCE0-0xCFF takes in the config ports
    assert.match(m.log.join('\n'), /test I\/O at 0xce0 overlaps PCI config; not decoded/);
    m.cfgWrite(3, 0, 0x10, 4, 0);
    m.cfgWrite(3, 0, 0x10, 4, 0xce0);
    assert.equal(m.log.length, 1);
    assert.equal(m.io.read(CF8, 4) >>> 0, 0x8000_1810, 'the config ports still answer');
  });
});

describe('INTx and PIRQ routing (PIIX3 PIRQRC)', () => {
  function routed() {
    const m = machine();
    const levels = new Map<number, boolean>();
    const isaIrq = (irq: number): IrqLine => ({ raise: () => levels.set(irq, true), lower: () => levels.set(irq, false) });
    const resets: number[] = [];
    const isa = new Piix3Isa(isaIrq, () => resets.push(1));
    m.bus.add(1, 0, isa);
    const a = new TestFunction(), b = new TestFunction();
    m.bus.add(6, 0, a, isa.pirqLine(0));
    m.bus.add(7, 0, b, isa.pirqLine(0));
    return { ...m, isa, a, b, levels, resets };
  }

  test('PIRQRC powers on disabled (80h); routing PIRQA to IRQ 11 drives it while INTA# is asserted', () => {
    const m = routed();
    assert.equal(m.cfgRead(1, 0, 0x60), 0x8080_8080);
    m.a.setInterrupt(true);
    assert.equal(m.levels.get(11), undefined, 'not routed yet');
    m.cfgWrite(1, 0, 0x60, 1, 0x0b);
    assert.equal(m.levels.get(11), true);
    assert.equal(m.cfgRead(6, 0, 0x06, 2) & 0x08, 0x08, 'status shows the interrupt');
    m.a.setInterrupt(false);
    assert.equal(m.levels.get(11), false);
  });

  test('two devices on one PIRQ share it: the IRQ stays high until both release', () => {
    const m = routed();
    m.cfgWrite(1, 0, 0x60, 1, 0x0a);
    m.a.setInterrupt(true);
    m.b.setInterrupt(true);
    m.a.setInterrupt(false);
    assert.equal(m.levels.get(10), true);
    m.b.setInterrupt(false);
    assert.equal(m.levels.get(10), false);
  });

  test('rerouting moves the level; reserved IRQ numbers and the disable bit leave it unrouted', () => {
    const m = routed();
    m.cfgWrite(1, 0, 0x60, 1, 0x0a);
    m.a.setInterrupt(true);
    m.cfgWrite(1, 0, 0x60, 1, 0x05);
    assert.equal(m.levels.get(10), false);
    assert.equal(m.levels.get(5), true);
    m.cfgWrite(1, 0, 0x60, 1, 0x0d); // IRQ 13 is reserved
    assert.equal(m.levels.get(5), false);
    assert.equal(m.levels.get(13), undefined);
    m.cfgWrite(1, 0, 0x60, 1, 0x85);
    assert.equal(m.levels.get(5), false);
    assert.equal(m.cfgRead(1, 0, 0x60, 1), 0x85);
  });

  test('the command register INTx disable bit masks the pin but not the status bit', () => {
    const m = routed();
    m.cfgWrite(1, 0, 0x60, 1, 0x0b);
    m.cfgWrite(6, 0, 0x04, 2, CMD_INTX_DISABLE);
    m.a.setInterrupt(true);
    assert.notEqual(m.levels.get(11), true);
    assert.equal(m.cfgRead(6, 0, 0x06, 2) & 0x08, 0x08);
    m.cfgWrite(6, 0, 0x04, 2, 0);
    assert.equal(m.levels.get(11), true);
  });

  test('the PIIX3 identifies as 8086:7000, a multi-function ISA bridge', () => {
    const m = routed();
    assert.equal(m.cfgRead(1, 0, 0x00), 0x7000_8086);
    assert.equal(m.cfgRead(1, 0, 0x08) >>> 8, 0x06_0100);
    assert.equal(m.cfgRead(1, 0, 0x0e, 1), 0x80);
  });

  test('reset control at 0xCF9 resets the machine on a 0→1 edge of RCPU', () => {
    const io = new IoBus();
    const resets: number[] = [];
    const isa = new Piix3Isa(() => ({ raise() {}, lower() {} }), () => resets.push(1));
    const bus = new PciBus(io, new PhysicalMemory({ ramBytes: 1 << 20 }));
    bus.add(1, 0, isa);
    io.attach(CF8, 8, new PciConfigPorts(bus, isa.resetControl), 'PCI config');
    io.write(0xcf9, 1, 0x02);
    assert.equal(resets.length, 0);
    assert.equal(io.read(0xcf9, 1), 0x02);
    io.write(0xcf9, 1, 0x06);
    assert.equal(resets.length, 1);
  });
});
