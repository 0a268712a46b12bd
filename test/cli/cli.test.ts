/** The command line: help, and one-line errors for bad input (never a stack trace). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../bin/anillo.js', import.meta.url));
const GUESTS = fileURLToPath(new URL('../../../build/guests/', import.meta.url));

function anillo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

const dir = mkdtempSync(join(tmpdir(), 'anillo-cli-'));

test('--help lists the options and exits 0', () => {
  const r = anillo('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--kernel FILE/);
  assert.match(r.stdout, /--bios FILE/);
  for (const option of ['--initrd FILE', '--append STRING', '--disk FILE', '--cdrom FILE', '--mem SIZE', 'Ctrl-A x']) {
    assert.ok(r.stdout.includes(option), option);
  }
});

test('an unknown option is a one-line usage error', () => {
  oneLineError(anillo('run', '--kernle', 'x'), /unknown option '--kernle'/);
});

test('a missing kernel file names the file', () => {
  oneLineError(anillo('run', '--kernel', join(dir, 'nope.elf')), /nope\.elf: cannot open kernel \(ENOENT\)/);
});

test('an empty kernel file is rejected', () => {
  const f = join(dir, 'empty.elf');
  writeFileSync(f, '');
  oneLineError(anillo('run', '--kernel', f), /empty\.elf: kernel is empty/);
});

test('a file that is neither a bzImage nor a Multiboot kernel is rejected', () => {
  const f = join(dir, 'text.bin');
  writeFileSync(f, 'this is not a kernel\n'.repeat(100));
  oneLineError(anillo('run', '--kernel', f), /text\.bin: neither a Linux bzImage .* nor a Multiboot kernel/);
});

test('a truncated ELF kernel is rejected', () => {
  const good = new Uint8Array(require_('hello.elf'));
  const f = join(dir, 'truncated.elf');
  writeFileSync(f, good.subarray(0, 200));
  const r = anillo('run', '--kernel', f);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /truncated\.elf: /);
});

test('a BIOS image of the wrong size is rejected', () => {
  const f = join(dir, 'bios.bin');
  writeFileSync(f, new Uint8Array(1000));
  oneLineError(anillo('run', '--bios', f), /bios\.bin: BIOS image size 1000 is not a multiple of 64 KiB/);
});

test('run --kernel prints the guest output and exits with its status', () => {
  const r = anillo('run', '--kernel', join(GUESTS, 'hello.elf'));
  assert.match(r.stdout, /Hello from anillo!/);
  assert.equal(r.status, 0, r.stderr);
});

test('a triple fault exits with status 6 and names CS:EIP', () => {
  const r = anillo('run', '--bios', join(GUESTS, 'tripfault.bin'));
  assert.equal(r.status, 6);
  assert.match(r.stderr, /triple fault at [0-9a-f]{4}:[0-9a-f]{8}/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

function require_(name: string): Buffer {
  return Buffer.from(readFileSyncSafe(join(GUESTS, name)));
}

import { readFileSync } from 'node:fs';
function readFileSyncSafe(path: string): Buffer { return readFileSync(path); }
