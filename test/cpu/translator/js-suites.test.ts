/**
 * The CPU suites once more, with every instruction they run going through
 * JavaScript regions (ANILLO_JIT=js, threshold 0; the main run has the
 * default WebAssembly ones): in a child test run,
 * since the harness picks its back end from the environment (and without
 * NODE_TEST_CONTEXT, which would make the child report to this runner).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CPU_TESTS = fileURLToPath(new URL('../', import.meta.url));

/** Test files under dist/test/cpu, but the translator's own (which run both back ends themselves). */
function suiteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = `${dir}${d.name}`;
    if (d.isDirectory()) return d.name === 'translator' ? [] : suiteFiles(`${path}/`);
    return d.name.endsWith('.test.js') ? [path] : [];
  });
}

test('the CPU suites pass with JavaScript regions', { timeout: 20 * 60_000 }, () => {
  const files = suiteFiles(CPU_TESTS);
  assert.ok(files.length > 20, `${files.length} suite files`);
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...files], {
    env: { ...process.env, ANILLO_JIT: 'js', NODE_TEST_CONTEXT: undefined }, encoding: 'utf8', maxBuffer: 256 << 20,
  });
  const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.stdout)?.[1] ?? NaN);
  const failed = run.stdout.split('\n').filter((l) => /^\s*not ok/.test(l));
  assert.deepEqual(failed, [], run.stdout.slice(-4000));
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  assert.ok(count('pass') > 600, `${count('pass')} passed`);
  assert.equal(count('fail'), 0);
});
