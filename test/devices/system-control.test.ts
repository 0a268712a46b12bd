// System control port A (0x92) and the POST code port (0x80).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PostCodePort, SystemControlPortA } from '../../src/devices/system-control.js';

function rig() {
  const a20: boolean[] = [];
  let resets = 0;
  const port = new SystemControlPortA({ setA20: (on) => a20.push(on) }, () => { resets++; });
  return { port, a20, resets: () => resets };
}

test('powers on reading 0x00: ALT_A20 low (the 8042 holds A20 enabled)', () => {
  assert.equal(rig().port.read(0, 1), 0x00);
});

test('bit 1 drives the A20 gate, on changes only', () => {
  const { port, a20 } = rig();
  port.write(0, 1, 0x02);
  port.write(0, 1, 0x02);
  port.write(0, 1, 0x00);
  assert.deepEqual(a20, [true, false]);
  assert.equal(port.read(0, 1), 0x00);
});

test('a 0 → 1 transition of bit 0 requests one reset; holding it at 1 does not repeat', () => {
  const { port, resets } = rig();
  port.write(0, 1, 0x03);
  port.write(0, 1, 0x03);
  assert.equal(resets(), 1);
  port.write(0, 1, 0x02);
  port.write(0, 1, 0x03);
  assert.equal(resets(), 2);
});

test('reset returns to the power-on value and drives ALT_A20 low', () => {
  const { port, a20 } = rig();
  port.write(0, 1, 0x0a);
  port.reset();
  assert.equal(port.read(0, 1), 0x00);
  assert.deepEqual(a20, [true, false]);
});

test('the POST code port keeps the last code, reads it back, and reports each one', () => {
  const codes: number[] = [];
  const post = new PostCodePort((c) => codes.push(c));
  assert.equal(post.read(0, 1), 0xff);
  post.write(0, 1, 0x12);
  post.write(0, 1, 0x1ab);
  assert.equal(post.read(0, 1), 0xab);
  assert.deepEqual(codes, [0x12, 0xab]);
});
