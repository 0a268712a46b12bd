// The PS/2 mouse (src/devices/ps2-mouse.ts) on its own: commands and
// replies, packets from host movement and buttons, scaling, remote and wrap
// modes, and the IntelliMouse knocks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MouseButton, Ps2Mouse } from '../../src/devices/ps2-mouse.js';

function rig() {
  const mouse = new Ps2Mouse();
  let ready = 0;
  mouse.dataReady = () => { ready++; };
  const sent = (): number[] => {
    const bytes: number[] = [];
    while (mouse.hasData()) bytes.push(mouse.take());
    return bytes;
  };
  /** Sends bytes one at a time, reading the replies to each before the next. */
  const send = (...bytes: number[]): number[] => bytes.flatMap((b) => {
    mouse.receive(b);
    return sent();
  });
  return { mouse, send, sent, ready: () => ready };
}

/** A mouse with data reporting on. */
function enabled(...setup: number[]) {
  const r = rig();
  r.send(...setup, 0xf4);
  return r;
}

describe('PS/2 mouse commands', () => {
  test('FF resets: ACK, AA, ID 00; reporting off, defaults', () => {
    const { mouse, send } = rig();
    send(0xf3, 40, 0xe7, 0xf4);
    assert.deepEqual(send(0xff), [0xfa, 0xaa, 0x00]);
    assert.equal(mouse.state.reporting, false);
    assert.equal(mouse.state.sampleRate, 100);
    assert.equal(mouse.state.scaling21, false);
  });

  test('F2 reads ID 00 for a plain mouse', () => {
    assert.deepEqual(rig().send(0xf2), [0xfa, 0x00]);
  });

  test('the knock 200, 100, 80 makes an IntelliMouse (ID 03); then 200, 200, 80 an Explorer (ID 04)', () => {
    const { send } = rig();
    assert.deepEqual(send(0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf2), [0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03]);
    assert.deepEqual(send(0xf3, 200, 0xf3, 200, 0xf3, 80, 0xf2), [0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x04]);
    assert.deepEqual(send(0xff, 0xf2), [0xfa, 0xaa, 0x00, 0xfa, 0x00], 'reset forgets the extensions');
  });

  test('the Explorer knock alone does nothing: it needs the IntelliMouse ID first', () => {
    const { send } = rig();
    send(0xf3, 200, 0xf3, 200, 0xf3, 80);
    assert.deepEqual(send(0xf2), [0xfa, 0x00]);
  });

  test('E9 reports mode, reporting, scaling and buttons (L M R in bits 2-0), resolution and rate', () => {
    const { mouse, send } = rig();
    send(0xe8, 0x03, 0xf3, 40, 0xe7, 0xf0, 0xf4);
    mouse.setButtons(MouseButton.Left | MouseButton.Right);
    assert.deepEqual(send(0xe9), [0xfa, 0x40 | 0x20 | 0x10 | 0x04 | 0x01, 0x03, 40]);
  });

  test('F3 refuses rates other than 10, 20, 40, 60, 80, 100, 200: FE, then FC on a second bad byte', () => {
    const { mouse, send } = rig();
    assert.deepEqual(send(0xf3, 50), [0xfa, 0xfe]);
    assert.deepEqual(send(60), [0xfa], 'the corrected byte is accepted');
    assert.equal(mouse.state.sampleRate, 60);
    assert.deepEqual(send(0xf3, 7, 9), [0xfa, 0xfe, 0xfc]);
    assert.equal(mouse.state.awaiting, 0);
  });

  test('E8 takes resolutions 0-3 only', () => {
    const { mouse, send } = rig();
    assert.deepEqual(send(0xe8, 0x01), [0xfa, 0xfa]);
    assert.deepEqual(send(0xe8, 0x04), [0xfa, 0xfe]);
    assert.equal(mouse.state.resolution, 1);
  });

  test('unknown commands are answered FE', () => {
    assert.deepEqual(rig().send(0xd0), [0xfe]);
  });

  test('wrap mode echoes everything but EC (leave) and FF (reset)', () => {
    const { send } = rig();
    assert.deepEqual(send(0xee), [0xfa]);
    assert.deepEqual(send(0xf2, 0x12), [0xf2, 0x12]);
    assert.deepEqual(send(0xec, 0xf2), [0xfa, 0xfa, 0x00]);
  });

  test('F6 restores defaults and turns reporting off but keeps the ID', () => {
    const { mouse, send } = rig();
    send(0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf4);
    assert.deepEqual(send(0xf6), [0xfa]);
    assert.equal(mouse.state.reporting, false);
    assert.equal(mouse.state.sampleRate, 100);
    assert.deepEqual(send(0xf2), [0xfa, 0x03]);
  });
});

describe('PS/2 mouse packets', () => {
  test('no packets while reporting is off', () => {
    const { mouse, sent } = rig();
    mouse.move(3, 4);
    mouse.setButtons(MouseButton.Left);
    assert.deepEqual(sent(), []);
  });

  test('a move sends a 3-byte packet: sync bit, signs, 8-bit deltas; +y is up', () => {
    const { mouse, sent, ready } = enabled();
    const before = ready();
    mouse.move(10, -20);
    assert.equal(ready(), before + 1);
    assert.deepEqual(sent(), [0x08 | 0x20, 10, 0xec]);
  });

  test('buttons alone send a packet; L R M are bits 0-2', () => {
    const { mouse, sent } = enabled();
    mouse.setButtons(MouseButton.Middle | MouseButton.Left);
    assert.deepEqual(sent(), [0x08 | 0x05, 0, 0]);
    mouse.setButtons(MouseButton.Middle | MouseButton.Left);
    assert.deepEqual(sent(), [], 'no change, no packet');
  });

  test('movement while a packet waits is summed into the next one, sent when the first has left', () => {
    const { mouse } = enabled();
    mouse.move(1, 1);
    mouse.move(2, 2);
    mouse.move(3, -10);
    const bytes: number[] = [];
    while (mouse.hasData()) bytes.push(mouse.take());
    assert.deepEqual(bytes, [0x08, 1, 1, 0x08 | 0x20, 5, 0xf8]);
  });

  test('a move beyond -256..255 is carried into further packets', () => {
    const { mouse } = enabled();
    mouse.move(600, 0);
    const bytes: number[] = [];
    while (mouse.hasData()) bytes.push(mouse.take());
    assert.deepEqual(bytes, [0x08, 0xff, 0, 0x08, 0xff, 0, 0x08, 90, 0]);
  });

  test('2:1 scaling maps 1..5 to 1 1 3 6 9 and doubles from 6 up', () => {
    const { mouse } = enabled(0xe7);
    const xs: number[] = [];
    for (const dx of [1, 2, 3, 4, 5, 6, -4]) {
      mouse.move(dx, 0);
      xs.push(mouse.take(), mouse.take(), mouse.take());
    }
    assert.deepEqual(xs.filter((_, i) => i % 3 === 1), [1, 1, 3, 6, 9, 12, 0xfa]);
  });

  test('IntelliMouse packets carry the wheel in a 4th byte, sign-extended', () => {
    const { mouse, sent } = enabled(0xf3, 200, 0xf3, 100, 0xf3, 80);
    mouse.move(0, 0, -2);
    assert.deepEqual(sent(), [0x08, 0, 0, 0xfe]);
    mouse.move(0, 0, 20);
    assert.deepEqual(sent(), [0x08, 0, 0, 7, 0x08, 0, 0, 7, 0x08, 0, 0, 6], 'clamped to -8..7, the rest carried');
  });

  test('Explorer packets carry the wheel in bits 0-3 and buttons 4 and 5 in bits 4-5', () => {
    const { mouse, sent } = enabled(0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf3, 200, 0xf3, 200, 0xf3, 80);
    mouse.setButtons(MouseButton.Fifth | MouseButton.Right);
    mouse.move(0, 0, -1);
    assert.deepEqual(sent(), [0x08 | 0x02, 0, 0, 0x20, 0x08 | 0x02, 0, 0, 0x2f]);
  });

  test('a plain mouse ignores the wheel', () => {
    const { mouse, sent } = enabled();
    mouse.move(0, 0, 3);
    assert.deepEqual(sent(), []);
  });

  test('remote mode: movement accumulates until EB reads it (unscaled), no packets otherwise', () => {
    const { mouse, send, sent } = rig();
    send(0xf0, 0xe7);
    mouse.move(4, 5);
    mouse.move(1, 0);
    assert.deepEqual(sent(), []);
    assert.deepEqual(send(0xeb), [0xfa, 0x08, 5, 5]);
    assert.deepEqual(send(0xeb), [0xfa, 0x08, 0, 0]);
  });

  test('F5 drops a packet not yet sent and stops reporting', () => {
    const { mouse, send } = enabled();
    mouse.move(1, 1);
    assert.deepEqual(send(0xf5), [0xfa]);
    mouse.move(1, 1);
    assert.equal(mouse.hasData(), false);
  });

  test('FE resends the last packet', () => {
    const { mouse, send, sent } = enabled();
    mouse.move(7, 7);
    sent();
    assert.deepEqual(send(0xfe), [0x08, 7, 7]);
  });
});
