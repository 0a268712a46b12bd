// The 8042 keyboard controller (src/devices/i8042.ts) with its keyboard and
// mouse: status and command byte, controller commands, translation, IRQ 1 and
// IRQ 12, A20 and reset; then the probe sequences of Linux's i8042/atkbd/
// psmouse drivers and of SeaBIOS's ps2port, replayed port access by port access.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { I8042 } from '../../src/devices/i8042.js';
import { Ps2Keyboard } from '../../src/devices/ps2-keyboard.js';
import { Ps2Mouse } from '../../src/devices/ps2-mouse.js';
import type { IrqLine } from '../../src/devices/io-device.js';

const DATA = 0x60, STATUS = 0x64;
const OBF = 0x01, IBF = 0x02, SYS = 0x04, A2 = 0x08, AUXB = 0x20;

/** An IRQ line that remembers its level and counts rising edges. */
function line(): IrqLine & { high: boolean; edges: number } {
  const l = {
    high: false, edges: 0,
    raise() { if (!l.high) l.edges++; l.high = true; },
    lower() { l.high = false; },
  };
  return l;
}

function rig() {
  const irq1 = line(), irq12 = line();
  const a20: boolean[] = [];
  let resets = 0;
  const keyboard = new Ps2Keyboard();
  const mouse = new Ps2Mouse();
  const kbc = new I8042({
    keyboard, mouse, keyboardIrq: irq1, mouseIrq: irq12,
    a20: { setA20: (on) => a20.push(on) }, requestReset: () => { resets++; },
  });
  const inb = (port: number) => (port === DATA ? kbc.dataPort : kbc.commandPort).read(0, 1);
  const outb = (port: number, value: number) => {
    // Every driver waits for IBF to clear before writing.
    assert.equal(inb(STATUS) & IBF, 0, 'input buffer empty');
    (port === DATA ? kbc.dataPort : kbc.commandPort).write(0, 1, value);
  };
  /** A controller command with its data bytes (i8042_command / SeaBIOS i8042_command). */
  const command = (cmd: number, ...data: number[]) => {
    outb(STATUS, cmd);
    for (const d of data) outb(DATA, d);
  };
  /** Reads what the output buffer has, as [byte, fromMouse] pairs. */
  const drain = (): [number, boolean][] => {
    const got: [number, boolean][] = [];
    for (let i = 0; i < 64 && (inb(STATUS) & OBF) !== 0; i++) {
      const aux = (inb(STATUS) & AUXB) !== 0;
      got.push([inb(DATA), aux]);
    }
    return got;
  };
  /** Reads the bytes waiting, checking that they all come from one side. */
  const bytes = (fromMouse = false): number[] => drain().map(([b, aux]) => {
    assert.equal(aux, fromMouse, `0x${b.toString(16)} from the ${fromMouse ? 'mouse' : 'keyboard'} side`);
    return b;
  });
  return { kbc, keyboard, mouse, irq1, irq12, a20, resets: () => resets, inb, outb, command, drain, bytes };
}

describe('8042 controller', () => {
  test('powers on with an empty output buffer, SYS clear, keyboard not inhibited, command byte 0x40', () => {
    const r = rig();
    assert.equal(r.inb(STATUS), 0x10);
    r.command(0x20);
    assert.deepEqual(r.bytes(), [0x40]);
  });

  test('a write to 0x64 sets A2, a write to 0x60 clears it', () => {
    const r = rig();
    r.outb(STATUS, 0xae);
    assert.equal(r.inb(STATUS) & A2, A2);
    r.command(0x60, 0x40);
    assert.equal(r.inb(STATUS) & A2, 0);
  });

  test('command byte: 0x60 writes it, 0x20 reads it back, bit 2 shows as SYS in the status', () => {
    const r = rig();
    r.command(0x60, 0x65);
    assert.equal(r.inb(STATUS) & SYS, SYS);
    r.command(0x20);
    assert.deepEqual(r.bytes(), [0x65]);
    r.command(0x60, 0x61);
    assert.equal(r.inb(STATUS) & SYS, 0);
  });

  test('controller RAM bytes 1-31 read (0x21-0x3F) what 0x61-0x7F wrote', () => {
    const r = rig();
    r.command(0x7f, 0x5a);
    r.command(0x61, 0x12);
    r.command(0x3f);
    r.command(0x21);
    assert.deepEqual(r.bytes(), [0x5a, 0x12]);
  });

  test('self-test answers 0x55 and sets SYS; interface tests answer 0x00', () => {
    const r = rig();
    r.command(0xaa);
    assert.deepEqual(r.bytes(), [0x55]);
    assert.equal(r.inb(STATUS) & SYS, SYS);
    r.command(0xab);
    r.command(0xa9);
    assert.deepEqual(r.bytes(), [0x00, 0x00]);
  });

  test('A7/A8 and AD/AE set and clear the command byte\'s mouse and keyboard disable bits', () => {
    const r = rig();
    r.command(0xa7);
    r.command(0xad);
    assert.equal(r.kbc.commandByte, 0x70);
    r.command(0xa8);
    assert.equal(r.kbc.commandByte, 0x50);
    r.command(0xae);
    assert.equal(r.kbc.commandByte, 0x40);
  });

  test('an inhibited keyboard keeps its bytes until the controller enables it again', () => {
    const r = rig();
    r.command(0xad);
    r.keyboard.tap('KeyA');
    assert.equal(r.inb(STATUS) & OBF, 0);
    r.command(0xae);
    assert.deepEqual(r.bytes(), [0x1e, 0x9e]);
  });

  test('writing to the keyboard clears its inhibit bit (any keyboard command enables the keyboard)', () => {
    const r = rig();
    r.command(0xad);
    r.outb(DATA, 0xee);
    assert.equal(r.kbc.commandByte & 0x10, 0);
    assert.deepEqual(r.bytes(), [0xee]);
  });

  test('D2 and D3 put their byte in the output buffer as keyboard and as mouse data, untranslated', () => {
    const r = rig();
    r.command(0xd2, 0x83);
    r.command(0xd3, 0x5a);
    assert.deepEqual(r.drain(), [[0x83, false], [0x5a, true]]);
  });

  test('D4 sends the next data byte to the mouse, whose reply reads with AUXB set', () => {
    const r = rig();
    r.command(0xd4, 0xf2);
    assert.deepEqual(r.bytes(true), [0xfa, 0x00]);
  });

  test('a new command cancels one still waiting for its data byte', () => {
    const r = rig();
    r.outb(STATUS, 0xd4);
    r.command(0x20);
    r.outb(DATA, 0xee); // now goes to the keyboard
    assert.deepEqual(r.bytes(), [0x40, 0xee]);
  });

  test('C0 reads the input port; E0 reads both clock lines high while the ports are enabled', () => {
    const r = rig();
    r.command(0xc0);
    r.command(0xe0);
    r.command(0xa7);
    r.command(0xe0);
    assert.deepEqual(r.bytes(), [0xa0, 0x03, 0x01]);
  });

  test('unknown controller commands are ignored', () => {
    const r = rig();
    r.command(0xa1);
    r.command(0xc8);
    assert.deepEqual(r.drain(), []);
    assert.equal(r.resets(), 0);
  });
});

describe('8042 interrupts', () => {
  test('IRQ 1 is high while keyboard data waits with the command byte\'s bit 0 set, and falls on the read', () => {
    const r = rig();
    r.command(0x60, 0x41);
    r.keyboard.keyDown('KeyA');
    assert.equal(r.irq1.high, true);
    assert.equal(r.irq12.high, false);
    assert.equal(r.inb(DATA), 0x1e);
    assert.equal(r.irq1.high, false);
  });

  test('each queued byte is a new IRQ 1 edge: the line falls with the read before the next byte loads', () => {
    const r = rig();
    r.command(0x60, 0x41);
    r.keyboard.tap('Enter');
    assert.equal(r.irq1.edges, 1);
    assert.equal(r.inb(DATA), 0x1c);
    assert.equal(r.irq1.high, true);
    assert.equal(r.irq1.edges, 2);
    assert.equal(r.inb(DATA), 0x9c);
    assert.equal(r.irq1.high, false);
  });

  test('no IRQ without the enable bit; setting the bit with data waiting raises the line', () => {
    const r = rig();
    r.keyboard.keyDown('KeyA');
    assert.equal(r.irq1.high, false);
    r.command(0x60, 0x41);
    assert.equal(r.irq1.high, true);
  });

  test('controller replies interrupt like keyboard data (IRQ 1), D3 like mouse data (IRQ 12)', () => {
    const r = rig();
    r.command(0x60, 0x43);
    r.command(0x20);
    assert.equal(r.irq1.high, true);
    assert.deepEqual(r.bytes(), [0x43]);
    r.command(0xd3, 0xa5);
    assert.equal(r.irq12.high, true);
    assert.equal(r.irq1.high, false);
    assert.deepEqual(r.bytes(true), [0xa5]);
    assert.equal(r.irq12.high, false);
  });

  test('D0 reports the live IRQ outputs in bits 4 and 5 (its reply waits behind the byte in the buffer)', () => {
    const r = rig();
    r.command(0x60, 0x41);
    r.keyboard.keyDown('KeyA');
    r.command(0xd0);
    assert.deepEqual(r.bytes(), [0x1e, 0xcf | 0x10]);
  });
});

describe('8042 translation', () => {
  test('with bit 6 set, set 2 bytes are translated and F0 becomes bit 7 of the next byte', () => {
    const r = rig();
    r.keyboard.sendScanCodes([0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75]);
    assert.deepEqual(r.bytes(), [0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8]);
  });

  test('with bit 6 clear, keyboard bytes pass unchanged', () => {
    const r = rig();
    r.command(0x60, 0x00);
    r.keyboard.tap('KeyA');
    assert.deepEqual(r.bytes(), [0x1c, 0xf0, 0x1c]);
  });

  test('replies translate too: F2 reads FA AB 41, F0 00 reads FA 41', () => {
    const r = rig();
    r.outb(DATA, 0xf2);
    assert.deepEqual(r.bytes(), [0xfa, 0xab, 0x41]);
    r.outb(DATA, 0xf0);
    r.outb(DATA, 0x00);
    assert.deepEqual(r.bytes(), [0xfa, 0xfa, 0x41]);
  });

  test('mouse bytes are never translated', () => {
    const r = rig();
    r.command(0xd4, 0xe9);
    assert.deepEqual(r.bytes(true), [0xfa, 0x00, 0x02, 100]);
  });
});

describe('8042 A20 and reset', () => {
  test('D1 writes the output port: bit 1 drives A20 on changes, D0 reads it back', () => {
    const r = rig();
    r.command(0xd1, 0xdd);
    r.command(0xd1, 0xdd);
    r.command(0xd1, 0xdf);
    assert.deepEqual(r.a20, [false, true]);
    r.command(0xd0);
    assert.deepEqual(r.bytes(), [0xcf]);
  });

  test('DD and DF turn A20 off and on', () => {
    const r = rig();
    r.command(0xdd);
    r.command(0xdf);
    assert.deepEqual(r.a20, [false, true]);
  });

  test('FE pulses the reset line; F0-FF with bit 0 set do not (Linux sends FF after D1)', () => {
    const r = rig();
    r.command(0xff);
    r.command(0xfd);
    assert.equal(r.resets(), 0);
    r.command(0xfe);
    assert.equal(r.resets(), 1);
    r.command(0xf0);
    assert.equal(r.resets(), 2);
  });

  test('writing the output port with bit 0 low resets the machine', () => {
    const r = rig();
    r.command(0xd1, 0xde);
    assert.equal(r.resets(), 1);
  });

  test('reset returns to power-on and drives A20 high', () => {
    const r = rig();
    r.command(0xd1, 0xdd);
    r.command(0x60, 0x03);
    r.command(0x20);
    r.kbc.reset();
    assert.deepEqual(r.a20, [false, true]);
    assert.equal(r.inb(STATUS), 0x10);
    assert.equal(r.kbc.commandByte, 0x40);
  });
});

describe('probe sequences', () => {
  // Linux 6.1 drivers/input/serio/i8042.c (i8042_controller_check, _init,
  // i8042_check_aux, i8042_check_mux), atkbd.c (atkbd_probe, atkbd_activate)
  // and psmouse-base.c (psmouse_probe, intellimouse_detect, im_explorer_detect).
  test('Linux: flush, CTR read twice, ports disabled, AUX loopback and bit test, MUX probe, AUX IRQ test, atkbd, psmouse', () => {
    const r = rig();
    r.keyboard.tap('KeyQ'); // stale bytes for the flush to eat
    assert.ok(r.drain().length > 0);

    // i8042_controller_init: the CTR must read the same twice.
    r.command(0x20);
    const [ctr1] = r.bytes();
    r.command(0x20);
    assert.deepEqual(r.bytes(), [ctr1]);
    const xlate = (ctr1 & 0x40) !== 0;
    assert.equal(xlate, true, 'the keyboard port is registered as translated');
    let ctr = (ctr1 | 0x10) & ~0x03; // keyboard disabled, interrupts off
    r.command(0x60, ctr);

    // i8042_check_aux: loopback 0x5A must come back as mouse data.
    r.command(0xd3, 0x5a);
    assert.deepEqual(r.drain(), [[0x5a, true]]);
    r.command(0xa7);
    r.command(0x20);
    assert.equal(r.bytes()[0] & 0x20, 0x20, 'A7 sets AUXDIS');
    r.command(0xa8);
    r.command(0x20);
    assert.equal(r.bytes()[0] & 0x20, 0, 'A8 clears AUXDIS');

    // i8042_check_mux: the third loopback byte echoing unchanged means "no multiplexer".
    for (const b of [0xf0, 0x56, 0xa4]) {
      r.command(0xd3, b);
      assert.deepEqual(r.drain(), [[b, true]]);
    }

    // AUX IRQ delivery test: AUX enabled with its interrupt, then a loopback byte nobody polls for.
    ctr = (ctr & ~0x20) | 0x02;
    r.command(0x60, ctr);
    const edges = r.irq12.edges;
    r.command(0xd3, 0xa5);
    assert.equal(r.irq12.edges, edges + 1, 'IRQ 12 delivered');
    assert.deepEqual(r.drain(), [[0xa5, true]]);

    // Keyboard port: enabled with its interrupt; atkbd talks to 0x60 and reads on IRQ 1.
    ctr = (ctr & ~0x10) | 0x01;
    r.command(0x60, ctr);
    const atkbd = (...sent: number[]) => {
      for (const b of sent) r.outb(DATA, b);
      return r.bytes();
    };
    assert.deepEqual(atkbd(0xf5), [0xfa], 'atkbd_deactivate');
    assert.deepEqual(atkbd(0xf2), [0xfa, 0xab, 0x41], 'GETID, translated');
    assert.deepEqual(atkbd(0xff), [0xfa, 0xaa], 'RESET_BAT');
    assert.deepEqual(atkbd(0xed, 0x00), [0xfa, 0xfa], 'SETLEDS');
    assert.deepEqual(atkbd(0xf3, 0x00), [0xfa, 0xfa], 'SETREP');
    assert.deepEqual(atkbd(0xf4), [0xfa], 'ENABLE');
    r.keyboard.tap('KeyA');
    assert.deepEqual(r.bytes(), [0x1e, 0x9e]);

    // psmouse: every byte through D4, every reply as mouse data on IRQ 12.
    const psmouse = (...sent: number[]) => {
      for (const b of sent) r.command(0xd4, b);
      return r.bytes(true);
    };
    assert.deepEqual(psmouse(0xff), [0xfa, 0xaa, 0x00], 'RESET_BAT');
    assert.deepEqual(psmouse(0xf2), [0xfa, 0x00], 'GETID');
    assert.deepEqual(psmouse(0xe8, 0x00, 0xe8, 0x00, 0xe8, 0x00, 0xe8, 0x00, 0xe9), [
      0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x00, 0x00, 100,
    ], 'Synaptics probe: the middle byte is not 0x47');
    assert.deepEqual(psmouse(0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf2), [0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03]);
    assert.deepEqual(psmouse(0xf3, 200, 0xf3, 200, 0xf3, 80, 0xf2), [0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x04]);
    assert.deepEqual(psmouse(0xf3, 100, 0xe8, 0x03, 0xe6, 0xf4), [0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa]);
    const before = r.irq12.edges;
    r.mouse.move(5, -3, 1);
    assert.equal(r.irq12.edges, before + 1);
    assert.deepEqual(r.bytes(true), [0x28, 0x05, 0xfd, 0x01]);
  });

  // SeaBIOS src/hw/ps2port.c: ps2_keyboard_setup and ps2_command, which
  // masks interrupts and inhibits both ports around each device command,
  // enabling only the port it talks to, and polls the status register.
  test('SeaBIOS: self-test, keyboard test, keyboard reset with ports inhibited, set 2, enable, CTR with translation', () => {
    const r = rig();
    const recv = (aux: boolean): number => {
      for (let i = 0; i < 100; i++) {
        const status = r.inb(STATUS);
        if ((status & OBF) === 0) continue;
        const data = r.inb(DATA);
        if (((status & AUXB) !== 0) === aux) return data;
      }
      return -1;
    };
    r.drain();
    r.command(0xaa);
    assert.equal(recv(false), 0x55);
    r.command(0xab);
    assert.equal(recv(false), 0x00);

    let ctr = 0x30; // what SeaBIOS keeps while it has not set the CTR yet: both ports off, no interrupts
    const kbdCommand = (command: number, param: number[], replies: number) => {
      r.command(0x60, (ctr | 0x30) & ~0x03);
      r.drain();
      r.command(0x60, ((ctr | 0x30) & ~0x03) & ~0x10);
      r.outb(DATA, command);
      assert.equal(recv(false), 0xfa, `ACK for 0x${command.toString(16)}`);
      const got: number[] = [];
      for (const p of param) {
        r.outb(DATA, p);
        assert.equal(recv(false), 0xfa);
      }
      for (let i = 0; i < replies; i++) got.push(recv(false));
      r.command(0x60, ctr);
      return got;
    };
    assert.deepEqual(kbdCommand(0xff, [], 1), [0xaa], 'ATKBD_CMD_RESET_BAT');
    assert.deepEqual(kbdCommand(0xf5, [], 0), [], 'ATKBD_CMD_RESET_DIS');
    assert.deepEqual(kbdCommand(0xf0, [0x02], 0), [], 'ATKBD_CMD_SSCANSET 2');
    assert.deepEqual(kbdCommand(0xf4, [], 0), [], 'ATKBD_CMD_ENABLE');
    ctr = 0x61; // translate, mouse port off, keyboard interrupt
    r.command(0x60, ctr);
    assert.equal(r.irq1.high, false);
    r.keyboard.keyDown('Escape');
    assert.equal(r.irq1.high, true);
    assert.deepEqual(r.bytes(), [0x01]);
  });
});
