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
