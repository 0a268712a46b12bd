// PIIX4 power management function (82371AB datasheet §3.4, §7): PMBA
// decode, the 3.579545 MHz PM timer, TMROF_STS and the SCI, S5 power-off.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/devices/timing.js';
import { PM_IO, PM_TIMER_HZ, Piix4Pm, SCI_EN, SUS_EN, TMROF } from '../../../src/devices/pci/piix4-pm.js';

function rig() {
  const clock = new ManualClock();
  const sci = { level: false, raise() { sci.level = true; }, lower() { sci.level = false; } };
  const placed: (number | undefined)[] = [];
  let powerOffs = 0;
  const pm = new Piix4Pm({ clock, sci, placeIo: (base) => placed.push(base), powerOff: () => { powerOffs++; } });
  const io = pm.pmIo;
  return { pm, io, clock, sci, placed, powerOffs: () => powerOffs };
}

describe('PIIX4 PM configuration', () => {
  test('identifies as 8086:7113 revision 3, class 06 80 00', () => {
    const { pm } = rig();
    assert.equal(pm.readConfig(0x00, 4), 0x7113_8086);
    assert.equal(pm.readConfig(0x08, 4) >>> 0, 0x0680_0003);
  });

  test('the PM I/O space decodes at PMBA (bits 15:6) only while PMREGMISC.PMIOSE is set', () => {
    const { pm, placed } = rig();
    pm.writeConfig(0x40, 4, 0x0000_0601);
    assert.deepEqual(placed, []);
    pm.writeConfig(0x80, 1, 0x01);
    assert.deepEqual(placed, [0x600]);
    assert.equal(pm.readConfig(0x40, 4), 0x0601, 'bit 0 reads 1: I/O space');
    pm.writeConfig(0x40, 4, 0xb03f);
    assert.deepEqual(placed, [0x600, 0xb000]);
    pm.writeConfig(0x80, 1, 0x00);
    assert.deepEqual(placed, [0x600, 0xb000, undefined]);
  });

  test('DEVACTB.APMC_EN powers on set, so firmware skips its SMM set-up (no SMM here)', () => {
    const { pm } = rig();
    assert.equal(pm.readConfig(0x58, 4) & (1 << 25), 1 << 25);
  });
});

describe('PIIX4 PM timer', () => {
  test('counts at 3.579545 MHz against the clock', () => {
    const { io, clock } = rig();
    assert.equal(io.read(PM_IO.pmtmr, 4), 0);
    clock.set(1e9);
    assert.equal(io.read(PM_IO.pmtmr, 4), PM_TIMER_HZ);
    clock.set(1e9 + 280); // one tick is 279.4 ns
    assert.equal(io.read(PM_IO.pmtmr, 4), PM_TIMER_HZ + 1);
  });

  test('is 24 bits wide: wraps after 2^24 ticks (4.69 s)', () => {
    const { io, clock } = rig();
    clock.set(Math.ceil((2 ** 24 + 5) * 1e9 / PM_TIMER_HZ));
    assert.equal(io.read(PM_IO.pmtmr, 4), 5);
  });

  test('sets TMROF_STS when bit 23 changes, and raises the SCI when TMROF_EN and SCI_EN are set', () => {
    const { io, clock, sci, pm } = rig();
    io.write(PM_IO.pmen, 2, TMROF);
    const due = pm.advance(clock.nowNs());
    assert.equal(due, Math.ceil(2 ** 23 * 1e9 / PM_TIMER_HZ));
    clock.set(due - 1);
    pm.advance(clock.nowNs());
    assert.equal(io.read(PM_IO.pmsts, 2) & TMROF, 0);
    assert.equal(sci.level, false);
    clock.set(due);
    assert.equal(pm.advance(clock.nowNs()), Infinity, 'no deadline while the status is pending');
    assert.equal(io.read(PM_IO.pmsts, 2) & TMROF, TMROF);
    assert.equal(sci.level, true);
    io.write(PM_IO.pmsts, 2, TMROF); // write one to clear
    assert.equal(io.read(PM_IO.pmsts, 2) & TMROF, 0);
    assert.equal(sci.level, false);
  });

  test('the timer is read-only', () => {
    const { io, clock } = rig();
    clock.set(1e6);
    const before = io.read(PM_IO.pmtmr, 4);
    io.write(PM_IO.pmtmr, 4, 0);
    assert.equal(io.read(PM_IO.pmtmr, 4), before);
  });
});

describe('PIIX4 PM1 control', () => {
  test('SCI_EN powers on set (always in ACPI mode: no SMM, FADT SMI_CMD 0)', () => {
    const { io } = rig();
    assert.equal(io.read(PM_IO.pmcntrl, 2) & SCI_EN, SCI_EN);
  });

  test('SUS_EN with SUS_TYP 0 (soft off, the DSDT\'s \\_S5) powers off; SUS_EN reads 0', () => {
    const { io, powerOffs } = rig();
    io.write(PM_IO.pmcntrl, 2, SCI_EN); // SLP_TYP 0 written first, as ACPICA does
    assert.equal(powerOffs(), 0);
    io.write(PM_IO.pmcntrl, 2, SCI_EN | SUS_EN);
    assert.equal(powerOffs(), 1);
    assert.equal(io.read(PM_IO.pmcntrl, 2) & SUS_EN, 0);
  });

  test('SUS_EN with another suspend type does not power off', () => {
    const { io, powerOffs } = rig();
    io.write(PM_IO.pmcntrl, 2, SCI_EN | (1 << 10) | SUS_EN);
    assert.equal(powerOffs(), 0);
  });

  test('SUS_EN written as the high byte alone also counts', () => {
    const { io, powerOffs } = rig();
    io.write(PM_IO.pmcntrl + 1, 1, SUS_EN >> 8);
    assert.equal(powerOffs(), 1);
  });
});
