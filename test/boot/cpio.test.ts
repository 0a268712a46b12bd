/**
 * The newc cpio writer (src/boot/cpio.ts): byte layout, a round trip through
 * its own reader, and, when the system's GNU cpio is installed, a round trip
 * through it (listing and extraction) in both directions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpioWriter, readCpio, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from '../../src/boot/cpio.js';

function sample(): Uint8Array {
  return new CpioWriter()
    .dir('bin')
    .dir('dev')
    .dir('/tmp/', 0o1777)
    .file('bin/hello', '#!/bin/sh\necho hello\n', 0o755)
    .file('etc-odd-size', new Uint8Array([1, 2, 3, 4, 5]))
    .symlink('bin/sh', '/bin/busybox')
    .charDevice('dev/console', 5, 1)
    .blockDevice('dev/sda', 8, 0, 0o660)
    .finish();
}

test('each entry starts with "070701" on a 4-byte boundary and the archive ends with TRAILER!!!', () => {
  const a = sample();
  const text = Buffer.from(a).toString('latin1');
  let at = 0, n = 0;
  while ((at = text.indexOf('070701', at)) >= 0) { assert.equal(at % 4, 0); at += 6; n++; }
  assert.equal(n, 9);
  assert.match(text, /TRAILER!!!\0/);
  assert.equal(a.length % 4, 0);
  // Header fields are 8 uppercase-free hex digits: mode of bin (dir 0755) is 000041ed.
  assert.equal(text.slice(6 + 8, 6 + 16), '000041ed');
});

test('what the writer writes, the reader reads back: types, modes, devices, link targets, data', () => {
  const m = new Map(readCpio(sample()).map((e) => [e.path, e]));
  assert.deepEqual([...m.keys()], ['bin', 'dev', 'tmp', 'bin/hello', 'etc-odd-size', 'bin/sh', 'dev/console', 'dev/sda']);
  assert.equal(m.get('tmp')!.mode, S_IFDIR | 0o1777);
  assert.equal(m.get('bin/hello')!.mode, S_IFREG | 0o755);
  assert.equal(Buffer.from(m.get('bin/hello')!.data).toString(), '#!/bin/sh\necho hello\n');
  assert.deepEqual([...m.get('etc-odd-size')!.data], [1, 2, 3, 4, 5]);
  assert.equal(m.get('bin/sh')!.mode, S_IFLNK | 0o777);
  assert.equal(Buffer.from(m.get('bin/sh')!.data).toString(), '/bin/busybox');
  assert.equal(m.get('dev/console')!.mode, S_IFCHR | 0o600);
  assert.deepEqual([m.get('dev/console')!.rdevmajor, m.get('dev/console')!.rdevminor], [5, 1]);
  assert.equal(m.get('dev/sda')!.rdevmajor, 8);
});

test('the same input gives the same bytes (mtime 0, inodes in order)', () => {
  assert.deepEqual(sample(), sample());
});

test('bad input is refused: duplicates, "..", mode bits beyond permissions, the trailer name', () => {
  assert.throws(() => new CpioWriter().dir('a').dir('/a/'), /duplicate path 'a'/);
  assert.throws(() => new CpioWriter().file('../x', ''), /contains '\.\.'/);
  assert.throws(() => new CpioWriter().file('x', '', 0o100644), /bits beyond the permission bits/);
  assert.throws(() => new CpioWriter().dir('TRAILER!!!'), /reserved/);
  const w = new CpioWriter();
  w.finish();
  assert.throws(() => w.dir('late'), /already finished/);
});

const hasCpio = spawnSync('cpio', ['--version'], { encoding: 'utf8' }).status === 0;
const skipCpio = hasCpio ? false : 'the system cpio tool is not installed (Debian: apt-get install cpio)';

test('GNU cpio lists the archive with the right types, modes, devices and link targets', { skip: skipCpio }, () => {
  const r = spawnSync('cpio', ['-itv', '--quiet'], { input: sample(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const line = (name: string) => lines.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `)) ?? '';
  assert.match(line('bin'), /^drwxr-xr-x/);
  assert.match(line('tmp'), /^drwxrwxrwt/);
  assert.match(line('bin/hello'), /^-rwxr-xr-x .* 21 /);
  assert.match(line('bin/sh'), /^lrwxrwxrwx .* bin\/sh -> \/bin\/busybox$/);
  assert.match(line('dev/console'), /^crw------- .* 5,\s+1 /);
  assert.match(line('dev/sda'), /^brw-rw---- .* 8,\s+0 /);
});

test('GNU cpio extracts files and symlinks with their contents and modes', { skip: skipCpio }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'anillo-cpio-'));
  // Device nodes need root to create; extract everything else.
  const r = spawnSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames', '-f', 'dev/*'], { cwd: dir, input: sample(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, 'bin/hello'), 'utf8'), '#!/bin/sh\necho hello\n');
  assert.equal(statSync(join(dir, 'bin/hello')).mode & 0o7777, 0o755);
  assert.deepEqual([...readFileSync(join(dir, 'etc-odd-size'))], [1, 2, 3, 4, 5]);
  assert.equal(readlinkSync(join(dir, 'bin/sh')), '/bin/busybox');
  assert.equal(statSync(join(dir, 'tmp')).mode & 0o7777, 0o1777);
});

test('the reader parses what GNU cpio writes in newc format', { skip: skipCpio }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'anillo-cpio-'));
  writeFileSync(join(dir, 'a.txt'), 'alpha\n');
  writeFileSync(join(dir, 'b.bin'), new Uint8Array([9, 8, 7]));
  const r = spawnSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: dir, input: 'a.txt\nb.bin\n' });
  assert.equal(r.status, 0, r.stderr.toString());
  const members = readCpio(new Uint8Array(r.stdout));
  assert.deepEqual(members.map((m) => m.path), ['a.txt', 'b.bin']);
  assert.equal(Buffer.from(members[0].data).toString(), 'alpha\n');
  assert.deepEqual([...members[1].data], [9, 8, 7]);
});
