// The PS/2 keyboard (src/devices/ps2-keyboard.ts) on its own: its commands
// and replies, and the host-side key API in scan code sets 1, 2 and 3; and
// the scan code tables (src/devices/ps2-scancodes.ts) against the 8042's
// translation table.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ps2Keyboard } from '../../src/devices/ps2-keyboard.js';
import { KEY_CODE_NAMES, keyScanCode, translateToSet1 } from '../../src/devices/ps2-scancodes.js';

/** A keyboard, a way to send it bytes, and what it sends back. */
function rig() {
  const kbd = new Ps2Keyboard();
  let ready = 0;
  kbd.dataReady = () => { ready++; };
  const sent = (): number[] => {
    const bytes: number[] = [];
    while (kbd.hasData()) bytes.push(kbd.take());
    return bytes;
  };
  /** Sends bytes one at a time, reading the replies to each before the next (as a host waits for ACK). */
  const send = (...bytes: number[]): number[] => bytes.flatMap((b) => {
    kbd.receive(b);
    return sent();
  });
  return { kbd, send, sent, ready: () => ready };
}

describe('PS/2 keyboard commands', () => {
  test('FF resets: ACK, then AA (self-test passed); set 2, scanning', () => {
    const { kbd, send } = rig();
    send(0xf0, 0x01, 0xf5);
    assert.deepEqual(send(0xff), [0xfa, 0xaa]);
    assert.equal(kbd.state.scanCodeSet, 2);
    assert.equal(kbd.state.scanning, true);
  });

  test('F2 identifies an MF2 keyboard: ACK AB 83', () => {
    assert.deepEqual(rig().send(0xf2), [0xfa, 0xab, 0x83]);
  });

  test('EE echoes EE without an ACK', () => {
    assert.deepEqual(rig().send(0xee), [0xee]);
  });

  test('F0 selects a scan code set; F0 00 reports the current one', () => {
    const { kbd, send } = rig();
    assert.deepEqual(send(0xf0, 0x00), [0xfa, 0xfa, 0x02]);
    assert.deepEqual(send(0xf0, 0x03), [0xfa, 0xfa]);
    assert.equal(kbd.state.scanCodeSet, 3);
    assert.deepEqual(send(0xf0, 0x00), [0xfa, 0xfa, 0x03]);
  });

  test('F0 with a set beyond 3 is answered FE and changes nothing', () => {
    const { kbd, send } = rig();
    assert.deepEqual(send(0xf0, 0x04), [0xfa, 0xfe]);
    assert.equal(kbd.state.scanCodeSet, 2);
  });

  test('ED sets the LEDs (both bytes ACKed); bits beyond the three LEDs are refused', () => {
    const { kbd, send } = rig();
    assert.deepEqual(send(0xed, 0x05), [0xfa, 0xfa]);
    assert.equal(kbd.state.leds, 0x05);
    assert.deepEqual(send(0xed, 0x08), [0xfa, 0xfe]);
    assert.equal(kbd.state.leds, 0x05);
  });

  test('a command in place of a parameter runs instead (ED then F2)', () => {
    const { kbd, send } = rig();
    assert.deepEqual(send(0xed, 0xf2), [0xfa, 0xfa, 0xab, 0x83]);
    assert.equal(kbd.state.awaiting, 0);
  });

  test('F3 stores the typematic byte; a byte with bit 7 set (not a command) is refused', () => {
    const { kbd, send } = rig();
    assert.deepEqual(send(0xf3, 0x20), [0xfa, 0xfa]);
    assert.equal(kbd.state.typematic, 0x20);
    assert.deepEqual(send(0xf3, 0x80), [0xfa, 0xfe]);
  });

  test('F5 stops scanning and restores defaults; F4 starts again; both clear pending key codes', () => {
    const { kbd, send, sent } = rig();
    send(0xf3, 0x00, 0xed, 0x07, 0xf0, 0x01);
    kbd.keyDown('KeyA');
    assert.deepEqual(send(0xf5), [0xfa]);
    assert.equal(kbd.state.typematic, 0x2b);
    assert.equal(kbd.state.leds, 0);
    assert.equal(kbd.state.scanCodeSet, 2);
    kbd.keyDown('KeyB');
    assert.deepEqual(sent(), [], 'not scanning');
    kbd.keyDown('KeyC');
    assert.deepEqual(send(0xf4), [0xfa]);
    kbd.keyDown('KeyD');
    assert.deepEqual(sent(), [0x23]);
  });

  test('FE resends the last byte sent', () => {
    const { send } = rig();
    send(0xf2);
    assert.deepEqual(send(0xfe), [0x83]);
  });

  test('unknown commands are answered FE (resend)', () => {
    const { send } = rig();
    assert.deepEqual(send(0xef), [0xfe]);
    assert.deepEqual(send(0x12), [0xfe]);
  });

  test('every reply signals the controller', () => {
    const { send, ready } = rig();
    send(0xf2);
    assert.equal(ready(), 1);
  });
});

describe('PS/2 keyboard keys', () => {
  test('set 2: make c, break F0 c; extended keys E0 c and E0 F0 c', () => {
    const { kbd, sent } = rig();
    kbd.tap('KeyA');
    kbd.tap('ArrowUp');
    assert.deepEqual(sent(), [0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75]);
  });

  test('set 1: make c, break c|80; extended keys keep their E0', () => {
    const { kbd, send, sent } = rig();
    send(0xf0, 0x01);
    kbd.tap('KeyA');
    kbd.tap('ControlRight');
    assert.deepEqual(sent(), [0x1e, 0x9e, 0xe0, 0x1d, 0xe0, 0x9d]);
  });

  test('set 3: one byte per key, break codes only from the keys typed make/break (shift yes, letters no)', () => {
    const { kbd, send, sent } = rig();
    send(0xf0, 0x03);
    kbd.tap('ShiftLeft');
    kbd.tap('KeyA');
    kbd.tap('ArrowUp');
    assert.deepEqual(sent(), [0x12, 0xf0, 0x12, 0x1c, 0x63]);
  });

  test('set 3: F8 makes every key send break codes, F9 none; FC/FD switch single keys', () => {
    const { kbd, send, sent } = rig();
    send(0xf0, 0x03);
    assert.deepEqual(send(0xf8), [0xfa]);
    kbd.tap('KeyA');
    assert.deepEqual(sent(), [0x1c, 0xf0, 0x1c]);
    assert.deepEqual(send(0xf9), [0xfa]);
    kbd.tap('ShiftLeft');
    assert.deepEqual(sent(), [0x12]);
    assert.deepEqual(send(0xfc, 0x1c, 0x1b, 0xf4), [0xfa, 0xfa, 0xfa, 0xfa]);
    kbd.tap('KeyA');
    kbd.tap('KeyS');
    kbd.tap('KeyD');
    assert.deepEqual(sent(), [0x1c, 0xf0, 0x1c, 0x1b, 0xf0, 0x1b, 0x23]);
    send(0xfd, 0x1c, 0xf4);
    kbd.tap('KeyA');
    assert.deepEqual(sent(), [0x1c]);
  });

  test('Pause sends its make and break at once and nothing on release; Ctrl+Pause is Break', () => {
    const { kbd, sent } = rig();
    kbd.tap('Pause');
    assert.deepEqual(sent(), [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
    kbd.keyDown('ControlLeft');
    kbd.tap('Pause');
    assert.deepEqual(sent(), [0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e]);
  });

  test('Print Screen is fake-shifted alone, plain E0 7C with Shift, Alt+SysRq (84) with Alt', () => {
    const { kbd, sent } = rig();
    kbd.tap('PrintScreen');
    assert.deepEqual(sent(), [0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12]);
    kbd.keyDown('ShiftRight');
    kbd.tap('PrintScreen');
    assert.deepEqual(sent(), [0x59, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c]);
    kbd.keyUp('ShiftRight');
    kbd.keyDown('AltLeft');
    sent();
    kbd.tap('PrintScreen');
    assert.deepEqual(sent(), [0x84, 0xf0, 0x84]);
  });

  test('Print Screen and Pause in set 1', () => {
    const { kbd, send, sent } = rig();
    send(0xf0, 0x01);
    kbd.tap('PrintScreen');
    kbd.tap('Pause');
    assert.deepEqual(sent(), [0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
  });

  test('a held key pressed again (host autorepeat) sends its make code again', () => {
    const { kbd, sent } = rig();
    kbd.keyDown('KeyZ');
    kbd.keyDown('KeyZ');
    kbd.keyUp('KeyZ');
    assert.deepEqual(sent(), [0x1a, 0x1a, 0xf0, 0x1a]);
  });

  test('unknown key names are ignored; raw set 2 bytes pass as given', () => {
    const { kbd, sent } = rig();
    kbd.keyDown('NoSuchKey');
    kbd.sendScanCodes([0xe0, 0x32, 0xe0, 0xf0, 0x32]);
    assert.deepEqual(sent(), [0xe0, 0x32, 0xe0, 0xf0, 0x32]);
  });

  test('past 256 buffered bytes one overrun code (00 in set 2) is queued; replies still get through', () => {
    const { kbd, sent } = rig();
    for (let i = 0; i < 200; i++) kbd.tap('KeyA');
    const bytes = sent();
    assert.equal(bytes.length, 256 + 1, '256 bytes, then the overrun code');
    assert.equal(bytes[bytes.length - 1], 0x00);
    for (let i = 0; i < 200; i++) kbd.tap('KeyA');
    kbd.receive(0xee);
    assert.equal(sent().at(-1), 0xee);
  });

  test('reset() returns to power-on: set 2, nothing buffered or held', () => {
    const { kbd, send } = rig();
    send(0xf0, 0x01);
    kbd.keyDown('ShiftLeft');
    kbd.reset();
    assert.equal(kbd.state.scanCodeSet, 2);
    assert.equal(kbd.hasData(), false);
    assert.deepEqual(kbd.state.held, []);
  });
});

describe('scan code tables', () => {
  test('every single-byte set 2 code translates (8042 table) to the key\'s set 1 code', () => {
    let checked = 0;
    for (const key of KEY_CODE_NAMES) {
      const set1 = keyScanCode(key, 1), set2 = keyScanCode(key, 2);
      if (set1 < 0 || set2 < 0) continue;
      if (set2 > 0xff) {
        assert.equal(set1 >> 8, 0xe0, `${key}: both sets extended`);
        assert.equal(translateToSet1(set2 & 0xff), set1 & 0xff, `${key}: E0 ${(set2 & 0xff).toString(16)}`);
      } else {
        assert.equal(translateToSet1(set2), set1, `${key}: set 2 0x${set2.toString(16)}`);
      }
      checked++;
    }
    assert.ok(checked >= 100, `${checked} keys`);
  });

  test('translation is a permutation of 01-7F; 00 → FF; 83 → 41 and 84 → 54; other high bytes unchanged', () => {
    const seen = new Set<number>();
    for (let b = 1; b < 0x80; b++) seen.add(translateToSet1(b));
    assert.equal(seen.size, 0x7f);
    assert.ok([...seen].every((v) => v >= 1 && v < 0x80));
    assert.equal(translateToSet1(0x00), 0xff);
    assert.equal(translateToSet1(0x83), 0x41);
    assert.equal(translateToSet1(0x84), 0x54);
    for (const b of [0xaa, 0xab, 0xee, 0xfa, 0xfe, 0xe0, 0xe1]) assert.equal(translateToSet1(b), b);
  });

  test('set 1 codes are unique per key, and so are set 2 and set 3 codes', () => {
    for (const set of [1, 2, 3] as const) {
      const codes = KEY_CODE_NAMES.map((k) => keyScanCode(k, set)).filter((c) => c >= 0);
      assert.equal(new Set(codes).size, codes.length, `set ${set}`);
    }
  });
});
