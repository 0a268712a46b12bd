/**
 * The default guest's initramfs builder (tools/guests/build-initramfs.ts):
 * applet discovery from a busybox binary's name table, and the archive's
 * contents. Uses a fake busybox, so it needs nothing fetched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxApplets, buildInitramfs, INIT_SCRIPT } from '../../tools/guests/build-initramfs.js';
import { readCpio, S_IFCHR, S_IFLNK, S_IFREG } from '../../src/boot/cpio.js';

const APPLETS = ['[', '[[', 'ash', 'busybox', 'cat', 'cttyhack', 'echo', 'ls', 'mount', 'poweroff', 'setsid', 'sh', 'uname',
  'mkdir', 'mknod', 'hostname', 'cut', 'mv', 'rm', 'cp', 'ps', 'kill', 'dmesg'];

/** Bytes that look like a static busybox: some code, the applet name table, more bytes. */
function fakeBusybox(): Uint8Array {
  const table = APPLETS.join('\0') + '\0\0';
  return new Uint8Array([...Buffer.from('\x7fELF....code....\0'), ...Buffer.from(table, 'latin1'), 0xc3, 0x90]);
}

test('applet names are read from the binary\'s NUL-separated table', () => {
  assert.deepEqual(busyboxApplets(fakeBusybox()), APPLETS);
});

test('a binary without an applet table is refused', () => {
  assert.throws(() => busyboxApplets(new Uint8Array(1000)), /no applet name table/);
});

test('the initramfs holds busybox, a link per applet, an executable /init and /dev/console c 5 1', () => {
  const members = new Map(readCpio(buildInitramfs(fakeBusybox())).map((m) => [m.path, m]));
  assert.equal(members.get('bin/busybox')!.mode, S_IFREG | 0o755);
  assert.equal(members.get('init')!.mode, S_IFREG | 0o755);
  assert.equal(Buffer.from(members.get('init')!.data).toString(), INIT_SCRIPT);
  const console = members.get('dev/console')!;
  assert.equal(console.mode, S_IFCHR | 0o600);
  assert.deepEqual([console.rdevmajor, console.rdevminor], [5, 1]);
  for (const link of ['bin/sh', 'bin/ls', 'sbin/poweroff', 'bin/[[']) {
    assert.equal(members.get(link)?.mode, S_IFLNK | 0o777, link);
    assert.equal(Buffer.from(members.get(link)!.data).toString(), '/bin/busybox');
  }
  assert.equal(members.has('bin/busybox') && !members.has('bin/busybox-link'), true);
  for (const d of ['proc', 'sys', 'dev', 'tmp']) assert.ok(members.has(d), d);
});

test('/init mounts proc, sysfs and devtmpfs, prints uname -a, runs a job-control shell and powers off', () => {
  assert.match(INIT_SCRIPT, /^#!\/bin\/busybox sh\n/);
  assert.match(INIT_SCRIPT, /mount -t proc proc \/proc/);
  assert.match(INIT_SCRIPT, /mount -t sysfs sysfs \/sys/);
  assert.match(INIT_SCRIPT, /mount -t devtmpfs devtmpfs \/dev/);
  assert.match(INIT_SCRIPT, /uname -a/);
  assert.match(INIT_SCRIPT, /setsid cttyhack sh/);
  assert.match(INIT_SCRIPT, /poweroff -f\n$/);
});
