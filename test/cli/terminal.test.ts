/**
 * The terminal face (src/cli/terminal.ts): the Ctrl-A escape decoder, raw
 * mode on a TTY and its restoration, and plain forwarding from a pipe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { EscapeDecoder, Terminal } from '../../src/cli/terminal.js';

test('bytes pass through unchanged until Ctrl-A', () => {
  const keys: string[] = [];
  const d = new EscapeDecoder((k) => keys.push(k));
  assert.deepEqual([...d.feed(Buffer.from('ls -l\r\x03'))], [...Buffer.from('ls -l\r\x03')]);
  assert.deepEqual(keys, []);
});

test('Ctrl-A x and Ctrl-A h are commands; Ctrl-A Ctrl-A sends one Ctrl-A', () => {
  const keys: string[] = [];
  const d = new EscapeDecoder((k) => keys.push(k));
  assert.deepEqual([...d.feed(Uint8Array.from([0x61, 0x01, 0x68, 0x62, 0x01, 0x01, 0x01, 0x58]))], [0x61, 0x62, 0x01]);
  assert.deepEqual(keys, ['h', 'x']);
});

test('an escape split across two reads still works', () => {
  const keys: string[] = [];
  const d = new EscapeDecoder((k) => keys.push(k));
  assert.equal(d.feed(Uint8Array.from([0x01])).length, 0);
  assert.equal(d.feed(Buffer.from('x')).length, 0);
  assert.deepEqual(keys, ['x']);
});

/** A stream that claims to be a TTY and records raw-mode changes. */
function fakeTty(): PassThrough & { isTTY: boolean; rawModes: boolean[]; setRawMode(raw: boolean): void } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; rawModes: boolean[]; setRawMode(raw: boolean): void };
  s.isTTY = true;
  s.rawModes = [];
  s.setRawMode = (raw: boolean) => { s.rawModes.push(raw); };
  return s;
}

test('on a TTY: raw mode while running, keys to the guest, Ctrl-A x quits, and the terminal is restored on close', async () => {
  const input = fakeTty();
  const toGuest: number[] = [];
  let notices = '';
  let quits = 0;
  const t = new Terminal({ input, notice: (s) => { notices += s; } }, { toGuest: (b) => toGuest.push(...b), quit: () => { quits++; } });
  assert.equal(t.interactive, true);
  assert.deepEqual(input.rawModes, [true]);
  input.write(Buffer.from('ab\x01h'));
  input.write(Buffer.from('\x01x'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(toGuest, [0x61, 0x62]);
  assert.equal(quits, 1);
  assert.match(notices, /Ctrl-A x {4}quit anillo/);
  assert.match(notices, /terminated by the user \(Ctrl-A x\)\r\n/);
  t.close();
  assert.deepEqual(input.rawModes, [true, false]);
  t.close();
  assert.deepEqual(input.rawModes, [true, false], 'restored once');
});

test('from a pipe: bytes go to the guest as they are, Ctrl-A included, and raw mode is never touched', async () => {
  const input = new PassThrough();
  const toGuest: number[] = [];
  const t = new Terminal({ input, notice: () => {} }, { toGuest: (b) => toGuest.push(...b), quit: () => assert.fail('no quit from a pipe') });
  assert.equal(t.interactive, false);
  input.write(Buffer.from('echo\x01x\n'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(Buffer.from(toGuest).toString('latin1'), 'echo\x01x\n');
  t.close();
});
