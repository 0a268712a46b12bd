/** The translator's command-line switches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args.js';

test('the translator is on by default; --no-jit turns it off; --lockstep needs it', () => {
  const on = parseArgs(['run', '--kernel', 'k']);
  assert.ok(on.kind === 'run' && on.jit && !on.lockstep);
  const off = parseArgs(['run', '--kernel', 'k', '--no-jit']);
  assert.ok(off.kind === 'run' && !off.jit);
  const ls = parseArgs(['run', '--kernel', 'k', '--lockstep']);
  assert.ok(ls.kind === 'run' && ls.jit && ls.lockstep);
  assert.throws(() => parseArgs(['run', '--kernel', 'k', '--lockstep', '--no-jit']), UsageError);
  const sampled = parseArgs(['run', '--kernel', 'k', '--lockstep-every', '100']);
  assert.ok(sampled.kind === 'run' && sampled.lockstep && sampled.lockstepEvery === 100);
  assert.throws(() => parseArgs(['run', '--kernel', 'k', '--lockstep-every', '0']), UsageError);
  assert.throws(() => parseArgs(['run', '--kernel', 'k', '--lockstep-every', '2.5']), UsageError);
});

test('--jit-threshold sets the hot threshold: a whole number 0..65535, with the translator on', () => {
  const a = parseArgs(['run', '--kernel', 'k', '--jit-threshold', '30000']);
  assert.ok(a.kind === 'run' && a.jitThreshold === 30000);
  const zero = parseArgs(['run', '--kernel', 'k', '--jit-threshold', '0']);
  assert.ok(zero.kind === 'run' && zero.jitThreshold === 0);
  const unset = parseArgs(['run', '--kernel', 'k']);
  assert.ok(unset.kind === 'run' && unset.jitThreshold === undefined);
  for (const bad of ['-1', '65536', '1.5', 'many']) {
    assert.throws(() => parseArgs(['run', '--kernel', 'k', '--jit-threshold', bad]), UsageError, bad);
  }
  assert.throws(() => parseArgs(['run', '--kernel', 'k', '--jit-threshold', '10', '--no-jit']), UsageError);
});
