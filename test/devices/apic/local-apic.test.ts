// The local APIC (SDM Vol. 3A ch. 10): register semantics, priority and TPR
// masking, EOI, the timer on a manual clock, LINT0/LINT1 in virtual wire,
// IPIs, errors and the IA32_APIC_BASE enable, with the APIC's pins recorded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APIC_BASE_RESET, APIC_BUS_HZ, EXTERNAL_INTERRUPT, LOCAL_APIC_VERSION, LocalApic,
} from '../../../src/devices/apic/local-apic.js';
import { DeliveryMode, describeMessage, Shorthand, type ApicMessage } from '../../../src/devices/apic/apic-message.js';
import { ManualClock } from '../../../src/devices/timing.js';

const ID = 0x020, VERSION = 0x030, TPR = 0x080, APR = 0x090, PPR = 0x0a0, EOI = 0x0b0, LDR = 0x0d0, DFR = 0x0e0,
  SVR = 0x0f0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR_LOW = 0x300, ICR_HIGH = 0x310,
  LVT_TIMER = 0x320, LVT_PERF = 0x340, LVT_LINT0 = 0x350, LVT_LINT1 = 0x360, LVT_ERROR = 0x370,
  TIMER_INITIAL = 0x380, TIMER_CURRENT = 0x390, TIMER_DIVIDE = 0x3e0;
const MASKED = 1 << 16;

interface Rig {
  apic: LocalApic;
  clock: ManualClock;
  intr: () => boolean;
  nmis: () => number;
  eois: number[];
  ipis: ApicMessage[];
  timerChanges: () => number;
  /** Reads a register. */
  r(offset: number): number;
  /** Writes a register. */
  w(offset: number, value: number): void;
}

function rig(options: { enable?: boolean } = {}): Rig {
  const clock = new ManualClock();
  let intr = false, nmis = 0, timerChanges = 0;
  const eois: number[] = [], ipis: ApicMessage[] = [];
  const apic = new LocalApic(clock, {
    intr: (level) => { intr = level; },
    nmi: () => { nmis++; },
    eoiBroadcast: (v) => eois.push(v),
    sendIpi: (m) => ipis.push(m),
    timerChanged: () => { timerChanges++; },
  });
  const rg: Rig = {
    apic, clock, eois, ipis,
    intr: () => intr, nmis: () => nmis, timerChanges: () => timerChanges,
    r: (offset) => apic.read(offset, 4) >>> 0,
    w: (offset, value) => apic.write(offset, 4, value),
  };
  if (options.enable ?? true) rg.w(SVR, 0x1ff);
  return rg;
}

/** A fixed interrupt message to APIC 0 (physical). */
function fixed(vector: number, level = false): ApicMessage {
  return { vector, deliveryMode: DeliveryMode.Fixed, logical: false, destination: 0, level, assert: true, shorthand: Shorthand.None };
}

/** Reads the 256-bit register at `base` as the list of set vectors. */
function vectors(rg: Rig, base: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    const dword = rg.r(base + i * 0x10);
    for (let b = 0; b < 32; b++) if ((dword & (1 << b)) !== 0) out.push(i * 32 + b);
  }
  return out;
}

describe('local APIC registers (SDM §10.4)', () => {
  test('power-up state: ID 0, P6 version, DFR all ones, SVR 0xFF, every LVT entry masked', () => {
    const rg = rig({ enable: false });
    assert.equal(rg.r(ID), 0);
    assert.equal(rg.r(VERSION), LOCAL_APIC_VERSION);
    assert.equal(LOCAL_APIC_VERSION, 0x0004_0011, 'version 0x11, max LVT entry 4 (five entries)');
    assert.equal(rg.r(DFR), 0xffff_ffff);
    assert.equal(rg.r(SVR), 0xff);
    for (const lvt of [LVT_TIMER, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR]) assert.equal(rg.r(lvt), MASKED, lvt.toString(16));
    for (const reg of [TPR, PPR, APR, LDR, ESR, ICR_LOW, ICR_HIGH, TIMER_INITIAL, TIMER_CURRENT, TIMER_DIVIDE]) {
      assert.equal(rg.r(reg), 0, reg.toString(16));
    }
    assert.equal(rg.apic.state.baseMsr, APIC_BASE_RESET);
    assert.equal(rg.apic.baseGpa, 0xfee0_0000);
  });

  test('writable bits: ID 27:24, TPR 7:0, LDR 31:24, DFR 31:28, SVR vector bits 3:0 hardwired to 1 on a P6', () => {
    const rg = rig();
    rg.w(ID, -1); assert.equal(rg.r(ID), 0x0f00_0000);
    rg.w(TPR, 0x1234); assert.equal(rg.r(TPR), 0x34);
    rg.w(LDR, -1); assert.equal(rg.r(LDR), 0xff00_0000);
    rg.w(DFR, 0); assert.equal(rg.r(DFR), 0x0fff_ffff);
    rg.w(SVR, 0x1f0); assert.equal(rg.r(SVR), 0x1ff);
    rg.w(SVR, 0x3a5); assert.equal(rg.r(SVR), 0x3af, 'focus-check bit 9 kept');
    rg.w(VERSION, 0); assert.equal(rg.r(VERSION), LOCAL_APIC_VERSION, 'version is read-only');
    rg.w(ICR_HIGH, -1); assert.equal(rg.r(ICR_HIGH), 0xff00_0000);
    rg.w(TIMER_DIVIDE, -1); assert.equal(rg.r(TIMER_DIVIDE), 0xb);
  });

  test('LVT entries keep only their fields; delivery status and remote IRR are read-only', () => {
    const rg = rig();
    rg.w(LVT_TIMER, -1); assert.equal(rg.r(LVT_TIMER), 0x3_00ff, 'vector, mask, periodic');
    rg.w(LVT_LINT0, -1); assert.equal(rg.r(LVT_LINT0), 0x1_a7ff, 'vector, mode, polarity, trigger, mask');
    rg.w(LVT_ERROR, -1); assert.equal(rg.r(LVT_ERROR), 0x1_00ff);
    rg.w(LVT_PERF, -1); assert.equal(rg.r(LVT_PERF), 0x1_07ff);
  });

  test('software disable sets every LVT mask, and the masks cannot be cleared until it is enabled again', () => {
    const rg = rig();
    rg.w(LVT_LINT0, 0x700);
    rg.w(LVT_TIMER, 0x40);
    rg.w(SVR, 0xff);
    assert.equal(rg.r(LVT_LINT0), 0x700 | MASKED);
    assert.equal(rg.r(LVT_TIMER), 0x40 | MASKED);
    rg.w(LVT_TIMER, 0x41);
    assert.equal(rg.r(LVT_TIMER), 0x41 | MASKED);
    rg.w(SVR, 0x1ff);
    rg.w(LVT_TIMER, 0x41);
    assert.equal(rg.r(LVT_TIMER), 0x41);
  });

  test('narrow loads return the addressed bytes; narrow stores are ignored', () => {
    const rg = rig();
    assert.equal(rg.apic.read(VERSION + 2, 1), 0x04, 'max LVT entry byte');
    assert.equal(rg.apic.read(VERSION, 2), 0x0011);
    rg.apic.write(TPR, 1, 0x20);
    assert.equal(rg.r(TPR), 0);
    assert.equal(rg.apic.read(VERSION + 4, 4), 0, 'bytes 4-15 of a register slot');
  });

  test('a reserved register sets ESR bit 7 (illegal register address), latched by the next ESR write', () => {
    const rg = rig();
    assert.equal(rg.r(0x330), 0, 'no thermal LVT on a P6');
    assert.equal(rg.r(ESR), 0, 'errors wait for an ESR write');
    rg.w(ESR, 0);
    assert.equal(rg.r(ESR), 0x80);
    rg.w(ESR, 0);
    assert.equal(rg.r(ESR), 0, 'the write also clears what it latched');
  });
});

describe('local APIC interrupt acceptance and priority (SDM §10.8)', () => {
  test('a fixed message sets IRR, raises INTR, and INTA moves it to ISR', () => {
    const rg = rig();
    assert.equal(rg.apic.receive(fixed(0x31)), true);
    assert.deepEqual(vectors(rg, IRR), [0x31]);
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), 0x31);
    assert.deepEqual(vectors(rg, IRR), []);
    assert.deepEqual(vectors(rg, ISR), [0x31]);
    assert.equal(rg.intr(), false);
    assert.equal(rg.r(PPR), 0x30, 'PPR takes the in-service class');
  });

  test('the highest vector wins, and only a higher priority class interrupts one in service', () => {
    const rg = rig();
    rg.apic.receive(fixed(0x41));
    rg.apic.receive(fixed(0x62));
    assert.equal(rg.apic.acknowledge(), 0x62);
    rg.apic.receive(fixed(0x6f));
    assert.equal(rg.intr(), false, '0x6F is in the same class as 0x62 in service');
    rg.apic.receive(fixed(0x70));
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), 0x70);
    rg.w(EOI, 0);
    assert.deepEqual(vectors(rg, ISR), [0x62], 'EOI retires the highest in service');
    rg.w(EOI, 0);
    assert.equal(rg.apic.acknowledge(), 0x6f);
    rg.w(EOI, 0);
    assert.equal(rg.apic.acknowledge(), 0x41);
  });

  test('TPR masks interrupts of its class and below; lowering it releases them', () => {
    const rg = rig();
    rg.w(TPR, 0x50);
    assert.equal(rg.r(PPR), 0x50);
    rg.apic.receive(fixed(0x55));
    assert.equal(rg.intr(), false, 'class 5 is not above TPR class 5');
    assert.deepEqual(vectors(rg, IRR), [0x55], 'held in IRR');
    rg.w(TPR, 0x4f);
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), 0x55);
  });

  test('INTA after TPR rose over a pending request answers the spurious vector without touching ISR (SDM §10.9)', () => {
    const rg = rig();
    rg.w(SVR, 0x1e0);
    rg.apic.receive(fixed(0x40));
    rg.w(TPR, 0xf0);
    assert.equal(rg.apic.acknowledge(), 0xef);
    assert.deepEqual(vectors(rg, ISR), []);
    assert.deepEqual(vectors(rg, IRR), [0x40]);
  });

  test('APR follows TPR, or the highest class of TPR, ISR and IRR', () => {
    const rg = rig();
    rg.w(TPR, 0x35);
    assert.equal(rg.r(APR), 0x35);
    rg.apic.receive(fixed(0x52));
    assert.equal(rg.r(APR), 0x50);
  });

  test('vectors 0-15 are refused as illegal (ESR bit 6) and the error LVT interrupts', () => {
    const rg = rig();
    rg.w(LVT_ERROR, 0xfe);
    assert.equal(rg.apic.receive(fixed(0x0e)), false);
    assert.equal(rg.apic.acknowledge(), 0xfe, 'the error interrupt');
    rg.w(ESR, 0);
    assert.equal(rg.r(ESR), 0x40);
  });

  test('level-triggered interrupts set TMR and their EOI is broadcast; edge ones clear TMR and are not', () => {
    const rg = rig();
    rg.apic.receive(fixed(0x90, true));
    assert.deepEqual(vectors(rg, TMR), [0x90]);
    rg.apic.acknowledge();
    rg.w(EOI, 0);
    assert.deepEqual(rg.eois, [0x90]);
    rg.apic.receive(fixed(0x90));
    assert.deepEqual(vectors(rg, TMR), []);
    rg.apic.acknowledge();
    rg.w(EOI, 0);
    assert.deepEqual(rg.eois, [0x90]);
  });

  test('a software-disabled APIC refuses fixed messages but still takes NMI', () => {
    const rg = rig({ enable: false });
    assert.equal(rg.apic.receive(fixed(0x40)), false);
    assert.deepEqual(vectors(rg, IRR), []);
    assert.equal(rg.apic.receive({ ...fixed(0), deliveryMode: DeliveryMode.Nmi }), true);
    assert.equal(rg.nmis(), 1);
  });

  test('destinations: physical ID or broadcast 0xF; logical flat and cluster models', () => {
    const rg = rig();
    rg.w(ID, 0x0300_0000);
    const at = (destination: number, logical: boolean) => rg.apic.addressed({ ...fixed(0x40), destination, logical });
    assert.equal(at(3, false), true);
    assert.equal(at(2, false), false);
    assert.equal(at(0xff, false), true, 'physical broadcast');
    rg.w(LDR, 0x0400_0000);
    assert.equal(at(0x04, true), true, 'flat: bit 2');
    assert.equal(at(0x0b, true), false);
    rg.w(DFR, 0x0fff_ffff);            // cluster model
    rg.w(LDR, 0x2100_0000);            // cluster 2, member bit 0
    assert.equal(at(0x21, true), true);
    assert.equal(at(0x23, true), true);
    assert.equal(at(0x31, true), false, 'another cluster');
    assert.equal(at(0xf1, true), true, 'cluster broadcast');
  });
});

describe('local APIC timer (SDM §10.5.4) at the 100 MHz bus clock', () => {
  test('one-shot: counts down at bus clock / divider and interrupts once at zero', () => {
    const rg = rig();
    rg.w(TIMER_DIVIDE, 0x3);           // divide by 16: 160 ns per count
    rg.w(LVT_TIMER, 0x40);
    rg.w(TIMER_INITIAL, 1000);
    assert.equal(rg.timerChanges(), 2, 'divide and initial count move the deadline');
    assert.equal(rg.apic.advance(0), 160_000);
    rg.clock.set(80_000);
    assert.equal(rg.r(TIMER_CURRENT), 500);
    assert.equal(rg.apic.advance(159_999), 160_000);
    assert.equal(rg.intr(), false);
    rg.clock.set(160_000);
    assert.equal(rg.apic.advance(160_000), Infinity);
    assert.equal(rg.apic.acknowledge(), 0x40);
    assert.equal(rg.r(TIMER_CURRENT), 0, 'stays at zero');
    rg.clock.set(10_000_000);
    assert.equal(rg.apic.advance(10_000_000), Infinity);
  });

  test('periodic: interrupts every initial-count periods on an exact grid and reloads the count', () => {
    const rg = rig();
    rg.w(TIMER_DIVIDE, 0xb);           // divide by 1: 10 ns per count
    rg.w(LVT_TIMER, 0x2_0050);
    rg.w(TIMER_INITIAL, 100_000);      // 1 ms
    let fired = 0;
    for (let ms = 1; ms <= 1000; ms++) {
      rg.clock.set(ms * 1_000_000);
      assert.equal(rg.apic.advance(ms * 1_000_000), (ms + 1) * 1_000_000);
      if (rg.intr()) { assert.equal(rg.apic.acknowledge(), 0x50); rg.w(EOI, 0); fired++; }
    }
    assert.equal(fired, 1000);
    rg.clock.set(1_000_250_000 - 1);
    assert.equal(rg.r(TIMER_CURRENT), 75_001, 'counting down within the period');
  });

  test('divider encodings 1, 2 … 128 give periods of count × 10 ns × divider', () => {
    const codes: [number, number][] = [[0xb, 1], [0x0, 2], [0x1, 4], [0x2, 8], [0x3, 16], [0x8, 32], [0x9, 64], [0xa, 128]];
    for (const [code, divider] of codes) {
      const rg = rig();
      rg.w(TIMER_DIVIDE, code);
      rg.w(TIMER_INITIAL, 7);
      assert.equal(rg.apic.advance(0), 7 * divider * (1e9 / APIC_BUS_HZ), `divide code ${code}`);
    }
  });

  test('periodic expiries the loop reaches late are owed and delivered 100 µs apart', () => {
    const rg = rig();
    rg.w(TIMER_DIVIDE, 0xb);
    rg.w(LVT_TIMER, 0x2_0050);
    rg.w(TIMER_INITIAL, 100_000);      // 1 ms
    const take = () => { assert.equal(rg.apic.acknowledge(), 0x50); rg.w(EOI, 0); };
    rg.clock.set(5_500_000);           // five periods fell since the last advance
    assert.equal(rg.apic.advance(5_500_000), 5_600_000);
    take();
    for (const t of [5_600_000, 5_700_000, 5_800_000]) {
      assert.equal(rg.apic.advance(t), t + 100_000);
      take();
    }
    assert.equal(rg.apic.advance(5_900_000), 6_000_000, 'all five delivered: back on the grid');
    take();
    assert.equal(rg.intr(), false);
    assert.equal(rg.apic.advance(6_000_000), 7_000_000);
    take();
  });

  test('a masked timer keeps counting without interrupting; writing 0 stops it', () => {
    const rg = rig();
    rg.w(LVT_TIMER, 0x3_0040);         // periodic, masked
    rg.w(TIMER_INITIAL, 100);          // divide by 2: 2 µs
    rg.clock.set(2000);
    assert.equal(rg.apic.advance(2000), 4000);
    assert.equal(rg.intr(), false);
    rg.w(TIMER_INITIAL, 0);
    assert.equal(rg.apic.advance(2000), Infinity);
    assert.equal(rg.r(TIMER_CURRENT), 0);
  });

  test('changing the divider mid-count keeps the remaining count', () => {
    const rg = rig();
    rg.w(TIMER_DIVIDE, 0xb);
    rg.w(LVT_TIMER, 0x40);
    rg.w(TIMER_INITIAL, 1000);         // 10 µs at divide by 1
    rg.clock.set(4000);                // 400 counts done
    rg.w(TIMER_DIVIDE, 0x0);           // divide by 2: 20 ns per count
    assert.equal(rg.r(TIMER_CURRENT), 600);
    assert.equal(rg.apic.advance(4000), 4000 + 600 * 20);
  });

  test('an expiry the loop reaches late is still delivered when the timer is reprogrammed', () => {
    const rg = rig();
    rg.w(TIMER_DIVIDE, 0xb);
    rg.w(LVT_TIMER, 0x40);
    rg.w(TIMER_INITIAL, 10);
    rg.clock.set(1000);
    rg.w(TIMER_INITIAL, 10);
    assert.equal(rg.apic.acknowledge(), 0x40);
  });
});

describe('local APIC LINT pins and virtual wire', () => {
  test('while software-disabled, LINT0 is INTR and INTA goes to the 8259A; LINT1 is NMI', () => {
    const rg = rig({ enable: false });
    rg.apic.lint0.raise();
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), EXTERNAL_INTERRUPT);
    rg.apic.lint0.lower();
    assert.equal(rg.intr(), false);
    rg.apic.lint1.raise();
    assert.equal(rg.nmis(), 1);
  });

  test('enabled with LINT0 masked, the 8259A is cut off; ExtINT passes it through', () => {
    const rg = rig();
    rg.apic.lint0.raise();
    assert.equal(rg.intr(), false);
    rg.w(LVT_LINT0, 0x700);
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), EXTERNAL_INTERRUPT);
    rg.apic.lint0.lower();
    assert.equal(rg.intr(), false);
  });

  test('ExtINT bypasses TPR and is answered before pending fixed vectors', () => {
    const rg = rig();
    rg.w(LVT_LINT0, 0x700);
    rg.w(TPR, 0xff);
    rg.apic.receive(fixed(0xf0));
    rg.apic.lint0.raise();
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), EXTERNAL_INTERRUPT);
  });

  test('LINT1 programmed as NMI delivers an NMI on each rising edge', () => {
    const rg = rig();
    rg.w(LVT_LINT1, 0x400);
    rg.apic.lint1.raise(); rg.apic.lint1.lower(); rg.apic.lint1.raise();
    assert.equal(rg.nmis(), 2);
  });

  test('a level-triggered fixed LINT0 sets remote IRR until EOI and requests again while still asserted', () => {
    const rg = rig();
    rg.w(LVT_LINT0, 0x8000 | 0x60);
    rg.apic.lint0.raise();
    assert.equal(rg.r(LVT_LINT0) & (1 << 14), 1 << 14);
    assert.equal(rg.apic.acknowledge(), 0x60);
    rg.w(EOI, 0);
    assert.equal(rg.r(LVT_LINT0) & (1 << 14), 1 << 14, 'still asserted: accepted again');
    assert.equal(rg.apic.acknowledge(), 0x60);
    rg.apic.lint0.lower();
    rg.w(EOI, 0);
    assert.equal(rg.r(LVT_LINT0) & (1 << 14), 0);
    assert.equal(rg.intr(), false);
  });

  test('an edge-triggered fixed LINT0 requests once per rising edge', () => {
    const rg = rig();
    rg.w(LVT_LINT0, 0x61);
    rg.apic.lint0.raise();
    assert.equal(rg.apic.acknowledge(), 0x61);
    rg.w(EOI, 0);
    assert.equal(rg.intr(), false);
  });
});

describe('local APIC interrupt command register (SDM §10.6.1)', () => {
  test('a self IPI (shorthand self) is a fixed interrupt to this APIC and leaves nothing on the bus', () => {
    const rg = rig();
    rg.w(ICR_LOW, (Shorthand.Self << 18) | 0x45);
    assert.equal(rg.apic.acknowledge(), 0x45);
    assert.deepEqual(rg.ipis, []);
    assert.equal(rg.r(ICR_LOW) & (1 << 12), 0, 'delivery status idle');
  });

  test('an IPI to its own physical ID reaches this APIC and the bus', () => {
    const rg = rig();
    rg.w(ICR_HIGH, 0);
    rg.w(ICR_LOW, 0x4046);
    assert.equal(rg.apic.acknowledge(), 0x46);
    assert.equal(rg.ipis.length, 1);
  });

  test('INIT and start-up IPIs to another processor are recorded on the bus', () => {
    const rg = rig();
    rg.w(ICR_HIGH, 0x0100_0000);
    rg.w(ICR_LOW, 0x4500);             // INIT, assert
    rg.w(ICR_LOW, 0x4609);             // start-up at 0x9000
    assert.deepEqual(rg.ipis.map((m) => [m.deliveryMode, m.vector, m.destination]), [[DeliveryMode.Init, 0, 1], [DeliveryMode.StartUp, 9, 1]]);
    assert.deepEqual(rg.ipis.map(describeMessage), ['INIT to APIC 0x1', 'start-up vector 0x09 to APIC 0x1']);
    assert.equal(rg.intr(), false);
  });

  test('all-excluding-self goes to the bus only; an NMI IPI to self is an NMI', () => {
    const rg = rig();
    rg.w(ICR_LOW, (Shorthand.AllExcludingSelf << 18) | 0x50);
    assert.equal(rg.intr(), false);
    assert.equal(rg.ipis.length, 1);
    rg.w(ICR_LOW, (Shorthand.Self << 18) | 0x400);
    assert.equal(rg.nmis(), 1);
  });

  test('sending a fixed vector below 16 is refused with ESR bit 5', () => {
    const rg = rig();
    rg.w(ICR_LOW, (Shorthand.Self << 18) | 0x05);
    assert.equal(rg.intr(), false);
    rg.w(ESR, 0);
    assert.equal(rg.r(ESR), 0x20);
  });
});

describe('IA32_APIC_BASE', () => {
  test('clearing the enable bit returns the APIC to power-up state and hands INTR to LINT0', () => {
    const rg = rig();
    rg.w(TPR, 0x20);
    rg.apic.receive(fixed(0x80));
    rg.apic.setBaseMsr(0xfee0_0100);
    assert.equal(rg.apic.hardwareEnabled, false);
    assert.equal(rg.intr(), false, 'IRR cleared');
    assert.equal(rg.r(TPR), 0);
    assert.equal(rg.apic.receive(fixed(0x80)), false, 'no APIC: nothing accepted');
    rg.apic.lint0.raise();
    assert.equal(rg.intr(), true);
    assert.equal(rg.apic.acknowledge(), EXTERNAL_INTERRUPT);
  });

  test('the base address moves with the MSR', () => {
    const rg = rig();
    rg.apic.setBaseMsr(0x1234_5900);
    assert.equal(rg.apic.baseGpa, 0x1234_5000);
    assert.equal(rg.apic.softwareEnabled, true, 'relocation keeps the state');
  });
});
