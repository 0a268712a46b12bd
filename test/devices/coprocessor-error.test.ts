// The coprocessor error latch: FERR# raises IRQ 13, a write to F0h lowers it
// and asserts IGNNE# while FERR# lasts, and FERR# going away drops IGNNE#.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoprocessorError } from '../../src/devices/coprocessor-error.js';

function latch() {
  const events: string[] = [];
  let irq = false, ignne = false;
  const device = new CoprocessorError(
    { raise() { irq = true; events.push('irq+'); }, lower() { irq = false; events.push('irq-'); } },
    (on) => { ignne = on; events.push(on ? 'ignne+' : 'ignne-'); },
  );
  return { device, events, irq: () => irq, ignne: () => ignne };
}

test('FERR# raises IRQ 13; writing F0h clears it and asserts IGNNE#; clearing FERR# drops IGNNE#', () => {
  const l = latch();
  l.device.setFerr(true);
  assert.equal(l.irq(), true);
  assert.equal(l.ignne(), false);
  l.device.write();
  assert.equal(l.irq(), false);
  assert.equal(l.ignne(), true);
  l.device.setFerr(false);
  assert.equal(l.ignne(), false);
  assert.deepEqual(l.events, ['irq+', 'irq-', 'ignne+', 'ignne-']);
});

test('the IRQ 13 request stays latched after FERR# goes away, until F0h is written', () => {
  const l = latch();
  l.device.setFerr(true);
  l.device.setFerr(false);
  assert.equal(l.irq(), true);
  l.device.write();
  assert.equal(l.irq(), false);
  assert.equal(l.ignne(), false, 'no IGNNE# without FERR#');
});

test('a write to F0h without a pending error does nothing; reads are all ones; reset clears everything', () => {
  const l = latch();
  l.device.write();
  assert.deepEqual(l.events, []);
  assert.equal(l.device.read(), 0xff);
  l.device.setFerr(true);
  l.device.write();
  l.device.reset();
  assert.deepEqual(l.device.state, { ferr: false, irqRequested: false, ignne: false });
  assert.equal(l.ignne(), false);
});
