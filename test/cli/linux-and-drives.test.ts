/**
 * The command line's Linux options (--kernel autodetection, --initrd,
 * --append) on a synthetic bzImage, and the checks of --disk and --cdrom
 * images, which are validated and then attached to the IDE controller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBzImage } from '../support/bzimage.js';
import { parseArgs, UsageError } from '../../src/cli/args.js';

const CLI = fileURLToPath(new URL('../../../bin/anillo.js', import.meta.url));
const GUESTS = fileURLToPath(new URL('../../../build/guests/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'anillo-cli-linux-'));

function anillo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

const kernel = join(dir, 'bzImage');
writeFileSync(kernel, buildBzImage());
const initrd = join(dir, 'initrd.cpio');
writeFileSync(initrd, 'RAMDISK');

test('--kernel recognises a bzImage and boots it with --append and --initrd', () => {
  const r = anillo('run', '--kernel', kernel, '--initrd', initrd, '--append', 'console=ttyS0 root=/dev/ram0');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'console=ttyS0 root=/dev/ram0|RAMDISK|L4');
  assert.match(r.stderr, /booting Linux 6\.6\.6-anillo-test \(boot protocol 2\.15\), 128 MiB RAM, initrd 7 bytes at 0x7fff000/);
});

test('--mem sets the RAM the e820 map and the initrd placement see', () => {
  const r = anillo('run', '--kernel', kernel, '--initrd', initrd, '--mem', '16M');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /16 MiB RAM, initrd 7 bytes at 0xfff000/);
});

test('a malformed bzImage is a one-line error naming the file', () => {
  const f = join(dir, 'old-bzImage');
  writeFileSync(f, buildBzImage({ version: 0x0200 }));
  oneLineError(anillo('run', '--kernel', f), /old-bzImage: Linux boot protocol 2\.00 is too old/);
});

test('--initrd with a Multiboot kernel is refused', () => {
  oneLineError(anillo('run', '--kernel', join(GUESTS, 'hello.elf'), '--initrd', initrd), /--initrd needs a Linux bzImage; .*hello\.elf is a Multiboot kernel/);
});

test('--initrd without --kernel is a usage error', () => {
  assert.throws(() => parseArgs(['run', '--bios', 'x', '--initrd', 'y']), UsageError);
});

test('a missing initrd names the file', () => {
  oneLineError(anillo('run', '--kernel', kernel, '--initrd', join(dir, 'nope.cpio')), /nope\.cpio: cannot open initrd \(ENOENT\)/);
});

test('--disk and --cdrom are parsed (disks repeat, the rest may not)', () => {
  const a = parseArgs(['run', '--kernel', 'k', '--disk', 'a.img', '--disk', 'b.img', '--cdrom', 'c.iso']);
  assert.equal(a.kind, 'run');
  if (a.kind === 'run') {
    assert.deepEqual(a.disks, ['a.img', 'b.img']);
    assert.equal(a.cdrom, 'c.iso');
  }
  assert.throws(() => parseArgs(['run', '--kernel', 'k', '--kernel', 'k2']), /--kernel given twice/);
  assert.throws(() => parseArgs(['run', '--disk', 'a.img']), /needs firmware: give --bios/);
});

test('a missing disk image names the file', () => {
  oneLineError(anillo('run', '--kernel', kernel, '--disk', join(dir, 'none.img')), /none\.img: cannot open disk image \(ENOENT\)/);
});

test('a raw disk image must be whole 512-byte sectors', () => {
  const f = join(dir, 'odd.img');
  writeFileSync(f, new Uint8Array(1000));
  oneLineError(anillo('run', '--kernel', kernel, '--disk', f), /odd\.img: disk image size 1000 is not a multiple of 512 bytes/);
});

test('a valid raw disk image is attached as the primary master, and the machine runs', () => {
  const f = join(dir, 'good.img');
  writeFileSync(f, new Uint8Array(1 << 20));
  const r = anillo('run', '--kernel', kernel, '--disk', f);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /IDE primary master: .*good\.img \(disk, 1 MiB\)/);
  const s = anillo('run', '--kernel', kernel, '--disk', f, '--disk', f, '--snapshot');
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stderr, /IDE primary slave: .*good\.img \(disk, 1 MiB, writes kept in memory\)/);
});

test('booting firmware from a disk without a boot signature (corrupt, or not a boot disk) is a one-line error', () => {
  const f = join(dir, 'blank.img');
  writeFileSync(f, new Uint8Array(1 << 20));
  oneLineError(anillo('run', '--bios', join(GUESTS, 'pmode.bin'), '--disk', f),
    /blank\.img: cannot boot from this disk image: no boot signature 0x55 0xAA at bytes 510-511/);
});

test('more disks than the IDE controller has room for is a usage error', () => {
  const f = join(dir, 'good.img');
  writeFileSync(f, new Uint8Array(1 << 20));
  oneLineError(anillo('run', '--kernel', kernel, '--disk', f, '--disk', f, '--disk', f, '--disk', f, '--disk', f),
    /at most 4 --disk images fit on the IDE controller/);
});

test('an ISO image needs the Primary Volume Descriptor at 0x8000', () => {
  const f = join(dir, 'bad.iso');
  writeFileSync(f, new Uint8Array(0x9000));
  oneLineError(anillo('run', '--kernel', kernel, '--cdrom', f), /bad\.iso: not an ISO 9660 image \(no Primary Volume Descriptor "CD001" at 0x8000\)/);
  const tiny = join(dir, 'tiny.iso');
  writeFileSync(tiny, new Uint8Array(2048));
  oneLineError(anillo('run', '--kernel', kernel, '--cdrom', tiny), /tiny\.iso: not an ISO 9660 image: 2048 bytes is too short/);
});

test('a valid ISO image is attached as the secondary master', () => {
  const iso = new Uint8Array(0x8000 + 2048 * 2);
  iso.set([1, ...Buffer.from('CD001'), 1], 0x8000);
  const f = join(dir, 'good.iso');
  writeFileSync(f, iso);
  const r = anillo('run', '--kernel', kernel, '--cdrom', f);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /IDE secondary master: .*good\.iso \(CD-ROM, 36 KiB\)/);
});

test('an ISO image that is not whole 2048-byte sectors names the file', () => {
  const iso = new Uint8Array(0x8000 + 2048 + 512);
  iso.set([1, ...Buffer.from('CD001'), 1], 0x8000);
  const f = join(dir, 'ragged.iso');
  writeFileSync(f, iso);
  oneLineError(anillo('run', '--kernel', kernel, '--cdrom', f), /ragged\.iso: CD-ROM image size 35328 is not a multiple of 2048 bytes/);
});

test('--vgabios and --firmware-log are parsed; --vgabios needs --bios', () => {
  const a = parseArgs(['run', '--bios', 'b.bin', '--vgabios', 'v.bin', '--firmware-log', 'log.txt']);
  assert.equal(a.kind === 'run' && a.vgaBios, 'v.bin');
  assert.equal(a.kind === 'run' && a.firmwareLog, 'log.txt');
  assert.throws(() => parseArgs(['run', '--kernel', 'k', '--vgabios', 'v.bin']), UsageError);
});
