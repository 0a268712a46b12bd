// The MC146818A RTC and CMOS RAM: time registers in BCD/binary and 12/24
// hours, registers A-D, periodic/alarm/update interrupts as a timed device,
// and the PC CMOS layout (MC146818A datasheet; IBM PC/AT CMOS map).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CmosRtc } from '../../src/devices/cmos-rtc.js';
import { ManualClock } from '../../src/devices/timing.js';

const SECOND = 1e9;

function irqLine() {
  const line = { level: false, raises: 0, raise() { if (!line.level) line.raises++; line.level = true; }, lower() { line.level = false; } };
  return line;
}

/** An RTC whose clock starts at `start` (UTC), exactly on a second. */
function rig(start = Date.UTC(2024, 1, 28, 23, 59, 58)) {
  const clock = new ManualClock();
  const irq = irqLine();
  const rtc = new CmosRtc(clock, irq, start);
  const get = (index: number) => { rtc.write(0, 1, index); return rtc.read(1, 1); };
  const set = (index: number, value: number) => { rtc.write(0, 1, index); rtc.write(1, 1, value); };
  const time = () => [9, 8, 7, 4, 2, 0].map(get);
  return { rtc, clock, irq, get, set, time };
}

describe('MC146818A time registers', () => {
  test('read the start time in BCD, 24-hour mode (register B = 0x02 at power-on)', () => {
    const { get, time } = rig();
    assert.equal(get(0x0b), 0x02);
    assert.deepEqual(time(), [0x24, 0x02, 0x28, 0x23, 0x59, 0x58]);
    assert.equal(get(0x32), 0x20, 'century');
    assert.equal(get(0x06), 4, 'Wednesday (1 = Sunday)');
  });

  test('advance once per second of clock time, across midnight into 29 February of a leap year', () => {
    const { clock, time } = rig();
    clock.set(SECOND - 1);
    assert.deepEqual(time(), [0x24, 0x02, 0x28, 0x23, 0x59, 0x58]);
    clock.set(2 * SECOND);
    assert.deepEqual(time(), [0x24, 0x02, 0x29, 0x00, 0x00, 0x00]);
  });

  test('binary mode (DM) shows the same time in binary', () => {
    const { set, time } = rig();
    set(0x0b, 0x06);
    assert.deepEqual(time(), [24, 2, 28, 23, 59, 58]);
  });

  test('12-hour mode: hours 1-12 with bit 7 for PM, midnight as 12 AM', () => {
    const { set, get, clock } = rig(Date.UTC(2024, 0, 1, 23, 59, 59));
    set(0x0b, 0x00);
    assert.equal(get(4), 0x80 | 0x11);
    clock.set(SECOND);
    assert.equal(get(4), 0x12);
  });

  test('writing the time with SET held stops updates; clearing SET resumes them', () => {
    const { set, time, clock } = rig();
    set(0x0b, 0x82);
    set(9, 0x99); set(8, 0x12); set(7, 0x31); set(4, 0x23); set(2, 0x59); set(0, 0x59);
    set(0x32, 0x19);
    clock.set(5 * SECOND + 1);
    assert.deepEqual(time(), [0x99, 0x12, 0x31, 0x23, 0x59, 0x59], 'frozen while SET');
    set(0x0b, 0x02);
    clock.set(6 * SECOND);
    assert.deepEqual(time(), [0x00, 0x01, 0x01, 0x00, 0x00, 0x00]);
    assert.equal(rig().get(0x32), 0x20);
  });

  test('setting SET clears UIE', () => {
    const { set, get } = rig();
    set(0x0b, 0x12);
    set(0x0b, 0x92);
    assert.equal(get(0x0b), 0x82);
  });

  test('the day of week is a counter of its own: a written value is kept across date changes', () => {
    const { set, get } = rig();
    set(6, 2);
    set(7, 0x10);
    assert.equal(get(6), 2);
  });

  test('years before 1970 and century writes work (no Date.UTC 1900 offset)', () => {
    const { set, get } = rig();
    set(0x0b, 0x82);
    set(0x32, 0x00);
    set(9, 0x05);
    assert.deepEqual([get(0x32), get(9)], [0x00, 0x05]);
  });
});

describe('MC146818A registers A, C, D', () => {
  test('UIP reads 1 in the 244 µs before each update and 0 otherwise', () => {
    const { get, clock } = rig();
    clock.set(SECOND - 300_000);
    assert.equal(get(0x0a) & 0x80, 0);
    clock.set(SECOND - 200_000);
    assert.equal(get(0x0a), 0x80 | 0x26);
    clock.set(SECOND);
    assert.equal(get(0x0a) & 0x80, 0);
  });

  test('register D reads VRT; registers C and D ignore writes', () => {
    const { get, set } = rig();
    set(0x0d, 0);
    set(0x0c, 0xff);
    assert.equal(get(0x0d), 0x80);
    assert.equal(get(0x0c), 0);
  });

  test('the divider held in reset stops the clock; the first update comes 500 ms after release', () => {
    const { get, set, clock } = rig();
    set(0x0a, 0x66);
    clock.set(10 * SECOND);
    assert.equal(get(0), 0x58);
    set(0x0a, 0x26);
    clock.set(10.5 * SECOND - 1);
    assert.equal(get(0), 0x58);
    clock.set(10.5 * SECOND);
    assert.equal(get(0), 0x59);
  });

  test('the index port keeps bit 7 as the NMI mask and reads 0xFF', () => {
    const { rtc, get } = rig();
    rtc.write(0, 1, 0x8f);
    assert.equal(rtc.nmiDisabled, true);
    assert.equal(rtc.read(0, 1), 0xff);
    rtc.write(1, 1, 0x5a);
    assert.equal(get(0x0f), 0x5a, 'register 0x0F selected by the low 7 bits');
    assert.equal(rtc.nmiDisabled, false);
  });
});

describe('MC146818A interrupts', () => {
  test('update-ended: UF each second, IRQ with UIE, register C clears flags and lowers the line', () => {
    const { rtc, set, get, irq, clock } = rig();
    set(0x0b, 0x12);
    assert.equal(rtc.advance(0), SECOND);
    clock.set(SECOND);
    assert.equal(rtc.advance(SECOND), 2 * SECOND);
    assert.equal(irq.level, true);
    assert.equal(get(0x0c), 0x90 | 0x40, 'IRQF, UF, and PF (set at the default 1024 Hz whatever PIE says)');
    assert.equal(irq.level, false);
    assert.equal(get(0x0c), 0x00);
  });

  test('flags are set without their enables, with no IRQ, and IRQF follows PF·PIE at once', () => {
    const { set, get, irq, clock, rtc } = rig();
    clock.set(SECOND);
    rtc.advance(SECOND);
    assert.equal(irq.level, false);
    set(0x0b, 0x42);                     // PIE: PF is already set
    assert.equal(irq.level, true);
    assert.equal(get(0x0c), 0xc0 | 0x10);
  });

  test('periodic interrupt at 1024 Hz (RS = 6): deadlines every 976.5625 µs, on the divider phase', () => {
    const { rtc, set, get, irq, clock } = rig();
    set(0x0b, 0x42);
    let deadline = rtc.advance(0);
    assert.equal(deadline, 976_563);
    for (let i = 1; i <= 2048; i++) {
      clock.set(deadline);
      deadline = rtc.advance(deadline);
      assert.equal(irq.level, true);
      get(0x0c);
    }
    assert.equal(deadline, 2 * SECOND + 976_563);
    assert.equal(irq.raises, 2048);
  });

  test('RS = 1 and 2 are 256 Hz and 128 Hz with a 32.768 kHz time base; RS = 0 is off', () => {
    const { rtc, set } = rig();
    set(0x0b, 0x42);
    set(0x0a, 0x21);
    assert.equal(rtc.advance(0), 3_906_250);
    set(0x0a, 0x22);
    assert.equal(rtc.advance(0), 7_812_500);
    set(0x0a, 0x20);
    assert.equal(rtc.advance(0), Infinity);
  });

  test('alarm: AF when the time matches; 0xC0-0xFF are "don\'t care"', () => {
    const { rtc, set, get, irq, clock } = rig(Date.UTC(2024, 0, 1, 10, 0, 0));
    set(0x0b, 0x22);                     // AIE
    set(1, 0x05); set(3, 0x00); set(5, 0x10);
    for (let s = 1; s <= 4; s++) { clock.set(s * SECOND); rtc.advance(s * SECOND); }
    assert.equal(irq.level, false);
    clock.set(5 * SECOND);
    rtc.advance(5 * SECOND);
    assert.equal(irq.level, true);
    assert.equal(get(0x0c) & 0xb0, 0xa0 | 0x10, 'IRQF, AF, UF');
    set(1, 0xc0); set(3, 0xff); set(5, 0xc0);
    clock.set(6 * SECOND);
    rtc.advance(6 * SECOND);
    assert.equal(get(0x0c) & 0x20, 0x20, 'matches every second');
  });

  test('an alarm passed while nobody advanced the clock is still flagged', () => {
    const { rtc, set, get, clock } = rig(Date.UTC(2024, 0, 1, 10, 0, 0));
    set(1, 0x30); set(3, 0x02); set(5, 0x10);
    clock.set(3600 * SECOND);
    rtc.advance(clock.nowNs());
    assert.equal(get(0x0c) & 0x20, 0x20);
  });

  test('a flag that falls due just before a read of register C is read without an IRQ edge', () => {
    const { set, get, irq, clock } = rig();
    set(0x0b, 0x42);
    clock.set(1_000_000);                // past the first 1024 Hz period, no advance yet
    assert.equal(get(0x0c) & 0xc0, 0xc0);
    assert.equal(irq.raises, 0);
  });

  test('no enabled interrupt: advance returns Infinity', () => {
    const { rtc } = rig();
    assert.equal(rtc.advance(0), Infinity);
  });
});

describe('PC CMOS RAM', () => {
  test('RAM bytes read back what was written', () => {
    const { get, set } = rig();
    for (const i of [0x0e, 0x40, 0x7f]) { set(i, i ^ 0x5a); assert.equal(get(i), i ^ 0x5a); }
  });

  test('configurePc writes memory sizes, equipment and the checksum the BIOS reads', () => {
    const { rtc, get } = rig();
    rtc.configurePc({ ramBelow4GiBBytes: 128 << 20, ramAbove4GiBBytes: 1 << 30, cpus: 2, fpu: true });
    const word = (i: number) => get(i) | (get(i + 1) << 8);
    assert.equal(word(0x15), 640);
    assert.equal(word(0x17), 0xffff, 'KiB above 1 MiB, saturated');
    assert.equal(word(0x30), 0xffff);
    assert.equal(word(0x34), (112 << 20) >> 16);
    assert.deepEqual([get(0x5b), get(0x5c), get(0x5d)], [0x00, 0x40, 0x00]);
    assert.equal(get(0x5f), 1);
    assert.equal(get(0x14), 0x02, 'coprocessor, no floppies, VGA');
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += get(i);
    assert.equal((get(0x2e) << 8) | get(0x2f), sum);
  });

  test('a 32 MiB machine: 31 MiB of extended memory, 16 MiB above 16 MiB, one 1.44 MB floppy', () => {
    const { rtc, get } = rig();
    rtc.configurePc({ ramBelow4GiBBytes: 32 << 20, floppyTypes: [4, 0] });
    assert.equal(get(0x17) | (get(0x18) << 8), 31 * 1024);
    assert.equal(get(0x34) | (get(0x35) << 8), (16 << 20) >> 16);
    assert.equal(get(0x10), 0x40);
    assert.equal(get(0x14) & 0xc1, 0x01, 'one floppy drive');
  });

  test('a system reset keeps time and RAM (battery-backed)', () => {
    const { rtc, set, get } = rig();
    set(0x40, 0x12);
    rtc.reset();
    assert.equal(get(0x40), 0x12);
    assert.equal(get(0), 0x58);
  });
});

test('state is plain data that restores into a fresh RTC', () => {
  const a = rig();
  a.set(0x0b, 0x42);
  const snapshot = JSON.parse(JSON.stringify(a.rtc.state));
  const b = rig(0);
  b.rtc.state = snapshot;
  assert.equal(b.rtc.advance(0), 976_563);
  assert.equal(b.get(0), 0x58);
});
