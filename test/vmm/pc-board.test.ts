// The PC board inside a Vm: interrupt wiring to the CPU, A20 and reset
// through port 0x92, the serial IRQs, and the timer loop (slices sized to
// deadlines, HLT sleeping or jumping to the next deadline), with the timer
// test kernel (guests/tests/timer.asm) as the integration test.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REALTIME_TSC_HZ, Vm, type VmOptions } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { IRQS, PORTS } from '../../src/vmm/layout.js';
import { romImage } from '../support/rom.js';

const GUESTS = fileURLToPath(new URL('../../../build/guests/', import.meta.url));
const PASS_STATUS = 33;

function vm(options: Partial<VmOptions> = {}): Vm {
  return new Vm({ memBytes: 4 << 20, output: () => {}, time: { kind: 'instructions' }, ...options });
}

/** The BIOS's 8259A setup: bases 0x08 and 0x70, everything unmasked. */
function initPic(v: Vm): void {
  for (const [port, value] of [[0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01], [0x21, 0x00],
    [0xa0, 0x11], [0xa1, 0x70], [0xa1, 0x02], [0xa1, 0x01], [0xa1, 0x00]]) v.io.write(port, 1, value);
}

/** A 64 KiB ROM whose reset vector holds `code` (at most 16 bytes). */
function resetVectorRom(code: number[]): Uint8Array {
  const rom = new Uint8Array(0x10000).fill(0xf4);
  rom.set(code, 0xfff0);
  return rom;
}

describe('PC board wiring', () => {
  test('the master 8259A drives the CPU INTR pin, and INTA is answered by the PIC', () => {
    const v = vm();
    initPic(v);
    v.board.pic.irqLine(IRQS.rtc).raise();
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x70);
    assert.equal(v.cpu.intrLine, false);
  });

  test('COM1 raises IRQ 4 when THRE interrupts are enabled with MCR.OUT2', () => {
    const v = vm();
    initPic(v);
    v.io.write(PORTS.com1 + 4, 1, 0x08); // MCR: OUT2
    v.io.write(PORTS.com1 + 1, 1, 0x02); // IER: THRE
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x08 + IRQS.com1);
  });

  test('COM2-COM4 exist only when given an output; COM3 shares IRQ 4 with COM1 as a wired OR', () => {
    const v = vm({ moreSerialOutputs: [undefined, () => {}] });
    assert.equal(v.board.serial[1], undefined);
    assert.equal(v.io.read(PORTS.com2 + 7, 1), 0xff, 'no COM2: unclaimed');
    initPic(v);
    v.io.write(PORTS.com1 + 4, 1, 0x08);
    v.io.write(PORTS.com1 + 1, 1, 0x02);
    v.io.write(PORTS.com3 + 4, 1, 0x08);
    v.io.write(PORTS.com3 + 1, 1, 0x02);
    v.io.read(PORTS.com1 + 2, 1);          // COM1's IIR read clears its THRE interrupt
    v.io.write(0x21, 1, 0xff);
    v.io.write(0x21, 1, 0x00);
    assert.equal(v.io.read(0x20, 1) & 0x10, 0x10, 'IRQ 4 still requested by COM3');
  });

  test('A20 is port 0x92 bit 1 ORed with the 8042 output port bit 1: masked only while both are low', () => {
    const v = vm();
    assert.equal(v.cpu.a20Mask, -1, 'the 8042 powers on with A20 high');
    v.io.write(PORTS.i8042Command, 1, 0xd1);
    v.io.write(PORTS.i8042Data, 1, 0xdd);  // output port: A20 low, reset line high
    assert.equal(v.cpu.a20Mask, ~(1 << 20));
    v.io.write(PORTS.systemControlA, 1, 0x02);
    assert.equal(v.cpu.a20Mask, -1);
    v.io.write(PORTS.systemControlA, 1, 0x00);
    assert.equal(v.cpu.a20Mask, ~(1 << 20));
    v.io.write(PORTS.i8042Command, 1, 0xd1);
    v.io.write(PORTS.i8042Data, 1, 0xdf);
    assert.equal(v.cpu.a20Mask, -1);
  });

  test('the 8042 pulse-reset command 0xFE ends a no-reboot run with the same reset exit as port 0x92', async () => {
    const v = vm({ noReboot: true });
    mapBios(v.memory, resetVectorRom([0xb0, 0xfe, 0xe6, 0x64, 0xfa, 0xf4]), 'rom'); // mov al,0xfe; out 0x64,al; cli; hlt
    v.cpu.reset();
    const r = await v.run(1000);
    assert.equal(r.exit.reason, 'reset');
    assert.equal(r.status, 0);
  });

  test('a key press reaches the CPU as IRQ 1 and reads back as a translated set 1 code', () => {
    const v = vm();
    initPic(v);
    v.io.write(PORTS.i8042Command, 1, 0x60);
    v.io.write(PORTS.i8042Data, 1, 0x45); // translate, SYS, keyboard interrupt
    v.board.keyboard.keyDown('KeyA');
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x08 + IRQS.keyboard);
    assert.equal(v.io.read(PORTS.i8042Data, 1), 0x1e);
  });

  test('mouse data reaches the CPU as IRQ 12 through the slave 8259A', () => {
    const v = vm();
    initPic(v);
    v.io.write(PORTS.i8042Command, 1, 0x60);
    v.io.write(PORTS.i8042Data, 1, 0x47); // translate, SYS, both interrupts
    v.io.write(PORTS.i8042Command, 1, 0xd4);
    v.io.write(PORTS.i8042Data, 1, 0xf4); // enable reporting
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x70 + IRQS.mouse - 8);
    assert.equal(v.io.read(PORTS.i8042Command, 1) & 0x21, 0x21, 'OBF with AUXB');
    assert.equal(v.io.read(PORTS.i8042Data, 1), 0xfa);
  });

  test('a fast reset through port 0x92 ends a no-reboot run', async () => {
    const v = vm({ noReboot: true });
    mapBios(v.memory, resetVectorRom([0xb0, 0x03, 0xe6, 0x92, 0xfa, 0xf4]), 'rom'); // mov al,3; out 0x92,al; cli; hlt
    v.cpu.reset();
    const r = await v.run(1000);
    assert.equal(r.exit.reason, 'reset');
    assert.equal(r.status, 0);
  });

  test('without no-reboot a fast reset restarts the machine at the reset vector, devices reset', async () => {
    const v = vm();
    // mov al,0; out 0x21,al (unmask: state the reset must undo); mov al,3; out 0x92,al (A20 on, reset): again and again.
    mapBios(v.memory, resetVectorRom([0xb0, 0x00, 0xe6, 0x21, 0xb0, 0x03, 0xe6, 0x92, 0xfa, 0xf4]), 'rom');
    v.cpu.reset();
    initPic(v);
    const r = await v.run(100);
    assert.equal(r.status, 124);
    assert.ok(v.exitCounts.reset >= 5, `${v.exitCounts.reset} resets`);
    v.reset();
    assert.equal(v.io.read(0x21, 1), 0xff, 'PIC back to power-on');
    assert.equal(v.io.read(PORTS.systemControlA, 1), 0x00);
    assert.equal(v.cpu.a20Mask, -1, 'A20 enabled: the 8042 output port is back to power-on');
  });

  test('the CMOS reports the RAM size to firmware', () => {
    const v = new Vm({ memBytes: 32 << 20, output: () => {} });
    v.io.write(PORTS.cmos, 1, 0x17);
    const lo = v.io.read(PORTS.cmos + 1, 1);
    v.io.write(PORTS.cmos, 1, 0x18);
    assert.equal(lo | (v.io.read(PORTS.cmos + 1, 1) << 8), 31 * 1024);
  });

  test('the RTC starts at 2020-01-01 on instruction time, or at the time given', () => {
    const read = (v: Vm, i: number) => { v.io.write(PORTS.cmos, 1, i); return v.io.read(PORTS.cmos + 1, 1); };
    const a = vm();
    assert.deepEqual([read(a, 0x32), read(a, 9), read(a, 8), read(a, 7)], [0x20, 0x20, 0x01, 0x01]);
    const b = vm({ rtcStartMs: Date.UTC(1999, 11, 31, 23, 59, 59) });
    assert.deepEqual([read(b, 0x32), read(b, 9), read(b, 4)], [0x19, 0x99, 0x23]);
  });
});

describe('timer loop', () => {
  /** A real-mode ROM: PIC at 0x20, PIT counter 0 mode 2 with count `count`, then HLT until `ticks` IRQ 0s. */
  function tickRom(count: number, ticks: number): Uint8Array {
    // Assembled by hand (16-bit): the IRQ 0 handler at F000:0000, the main code at F000:0100.
    const handler = [0x40, 0xb0, 0x20, 0xe6, 0x20, 0xcf];              // inc ax; mov al,0x20 — see below
    void handler;
    const rom = new Uint8Array(0x10000).fill(0xf4);
    // F000:0000 irq0: inc bx; push ax; mov al,0x20; out 0x20,al; pop ax; iret
    rom.set([0x43, 0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf], 0x0000);
    const main = [
      0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xd0, 0xbc, 0x00, 0x7c,     // cli; xor ax,ax; mov ds,ax; mov ss,ax; mov sp,0x7c00
      0xc7, 0x06, 0x80, 0x00, 0x00, 0x00,                             // mov word [0x80], 0x0000   (IVT 0x20: offset)
      0xc7, 0x06, 0x82, 0x00, 0x00, 0xf0,                             // mov word [0x82], 0xf000   (segment)
      0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x20, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, // ICW1-4
      0xb0, 0xfe, 0xe6, 0x21,                                         // OCW1: IRQ 0 only
      0xb0, 0x34, 0xe6, 0x43,                                         // counter 0, mode 2
      0xb0, count & 0xff, 0xe6, 0x40, 0xb0, count >> 8, 0xe6, 0x40,
      0x31, 0xdb, 0xfb,                                               // xor bx,bx; sti
      0xf4,                                                           // .wait: hlt
      0x81, 0xfb, ticks & 0xff, ticks >> 8,                           // cmp bx, ticks
      0x72, 0xf9,                                                     // jb .wait
      0xb0, 0x10, 0xe6, 0xf4,                                         // mov al,0x10; out 0xf4,al (PASS)
    ];
    rom.set(main, 0x0100);
    rom.set([0xea, 0x00, 0x01, 0x00, 0xf0], 0xfff0);                  // jmp f000:0100
    return rom;
  }

  async function runTicks(options: Partial<VmOptions>, count: number, ticks: number) {
    const v = vm(options);
    mapBios(v.memory, tickRom(count, ticks), 'ticks');
    v.cpu.reset();
    const result = await v.run(10_000_000);
    return { v, result };
  }

  test('instruction time: a guest halting between 1000 IRQ 0s of count 1193 ends at 1000 periods of guest time', async () => {
    const { v, result } = await runTicks({}, 1193, 1000);
    assert.equal(result.status, PASS_STATUS, result.message);
    const periodNs = 1193 / 1_193_182 * 1e9;
    const now = v.clock.nowNs();
    assert.ok(now >= 1000 * periodNs && now < 1000 * periodNs + 20_000, `guest time ${now} ns`);
    assert.ok(v.cpu.instructions < 100_000, 'halted time is skipped, not executed');
    assert.equal(v.exitCounts.hlt, 1000);
  });

  test('instruction time is reproducible: two runs retire the same instructions and end at the same time', async () => {
    const a = await runTicks({}, 500, 300);
    const b = await runTicks({}, 500, 300);
    assert.equal(a.v.cpu.instructions, b.v.cpu.instructions);
    assert.equal(a.v.clock.nowNs(), b.v.clock.nowNs());
  });

  test('real time: 50 IRQ 0s at 100 Hz take half a second, and the halted guest sleeps instead of spinning', { timeout: 20_000 }, async () => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const { result } = await runTicks({ time: { kind: 'realtime' } }, 11932, 50);
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - wall;
    const cpuMs = (used.user + used.system) / 1000;
    assert.equal(result.status, PASS_STATUS, result.message);
    assert.ok(wallMs >= 490, `${wallMs} ms`);
    assert.ok(cpuMs < wallMs * 0.5, `CPU ${cpuMs} ms over ${wallMs} ms of wall time`);
  });

  test('the TSC keeps counting guest time across halts on instruction time', async () => {
    const { v } = await runTicks({ time: { kind: 'instructions', nsPerInstruction: 10 } }, 1193, 100);
    const tsc = v.cpu.tscTicks() + v.cpu.tscOffset;
    assert.ok(v.cpu.instructions * 10 < v.clock.nowNs(), 'the guest halted (time was skipped)');
    assert.equal(tsc * 10, v.clock.nowNs());
  });
});

describe('time-stamp counter on real time', () => {
  test('counts guest time at REALTIME_TSC_HZ, which follows host time while the guest runs, and never repeats a value', async () => {
    const v = vm({ time: { kind: 'realtime' } });
    mapBios(v.memory, romImage(Uint8Array.of(0xeb, 0xfe)), 'rom'); // jmp $
    v.cpu.reset();
    const t0 = v.cpu.tscTicks();
    const wall0 = performance.now();
    // Half a second of host time at least, for the pace to settle after the switch from interpreting
    // the loop to running it translated, which changes the speed a hundredfold (60 M instructions took
    // 0.11 s with WebAssembly regions): run slices until then.
    let result;
    do result = await v.run(v.cpu.instructions + 20_000_000); while (result.status === 124 && performance.now() - wall0 < 500);
    const wallSeconds = (performance.now() - wall0) / 1000;
    assert.equal(result.status, 124, result.message);
    const t1 = v.cpu.tscTicks();
    assert.equal(t1, Math.floor(v.clock.nowNs() * REALTIME_TSC_HZ / 1e9), 'the TSC is guest time in ticks');
    const tscSeconds = (t1 - t0) / REALTIME_TSC_HZ;
    // Guest time slews toward host time (src/host/clock.ts): over a few hundred ms it is close, not exact.
    assert.ok(Math.abs(tscSeconds / wallSeconds - 1) < 0.3, `TSC ${tscSeconds} s over ${wallSeconds} s of host time`);
    let previous = v.cpu.tscTicks();
    for (let i = 0; i < 1000; i++) {
      const next = v.cpu.tscTicks();
      assert.ok(next > previous, `${next} after ${previous}`);
      previous = next;
    }
  });
});

describe('timer test kernel (guests/tests/timer.asm)', () => {
  function boot(options: Partial<VmOptions>) {
    let output = '';
    const v = vm({ memBytes: 32 << 20, debugOutput: (b) => { output += Buffer.from(b).toString('latin1'); }, ...options });
    mapBios(v.memory, new Uint8Array(readFileSync(GUESTS + 'timer.bin')), 'timer.bin');
    v.cpu.reset();
    return { v, output: () => output };
  }

  test('instruction time: 100 IRQ 0s per RTC second, the counter 2 one-shot, PASS at 2.055 s of guest time', async () => {
    const { v, output } = boot({});
    const result = await v.run(50_000_000);
    assert.equal(result.status, PASS_STATUS, `${output()}\n${result.message}`);
    const ticks = /one RTC second: 0x([0-9A-F]{8})/.exec(output());
    assert.ok(ticks && [99, 100].includes(parseInt(ticks[1], 16)), output());
    const now = v.clock.nowNs();
    assert.ok(now > 2.0549e9 && now < 2.0551e9, `guest time ${now} ns`);
  });

  test('real time: PASS', { timeout: 20_000 }, async () => {
    const { v, output } = boot({ time: { kind: 'realtime' } });
    const result = await v.run(500_000_000);
    // Exact counts are checked on instruction time above; here a host stall
    // longer than the 55 ms one-shot could fail the kernel's own ranges.
    if (result.status !== PASS_STATUS) assert.match(output(), /one-shot/, `${output()}\n${result.message}`);
  });
});

