// Disk backends: a file with positional reads and writes, the copy-on-write
// overlay that never touches the file, the memory disk, and the checks that
// turn bad images into one-line errors naming the file.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockDeviceError } from '../../src/devices/block-device.js';
import { CowOverlay, DiskImageError, MemoryDisk, openDiskImage } from '../../src/host/disk-image.js';

const dir = mkdtempSync(join(tmpdir(), 'anillo-disk-'));

/** A file of `sectors` sectors, each filled with its number. */
function imageFile(name: string, sectors: number): string {
  const path = join(dir, name);
  const bytes = new Uint8Array(sectors * 512);
  for (let s = 0; s < sectors; s++) bytes.fill(s, s * 512, (s + 1) * 512);
  writeFileSync(path, bytes);
  return path;
}

describe('file disks', () => {
  test('read-write: positional reads, and writes that reach the file', () => {
    const path = imageFile('rw.img', 8);
    const disk = openDiskImage(path, { mode: 'read-write' });
    assert.equal(disk.sizeBytes, 4096);
    assert.equal(disk.readOnly, false);
    const buf = new Uint8Array(1024);
    disk.read(3 * 512, buf);
    assert.ok(buf.subarray(0, 512).every((b) => b === 3) && buf.subarray(512).every((b) => b === 4));
    disk.write(6 * 512 + 10, Uint8Array.of(0xee, 0xff));
    disk.flush();
    disk.close();
    const file = readFileSync(path);
    assert.deepEqual([file[6 * 512 + 9], file[6 * 512 + 10], file[6 * 512 + 11], file[6 * 512 + 12]], [6, 0xee, 0xff, 6]);
  });

  test('read-only: writes are refused as a block device error', () => {
    const disk = openDiskImage(imageFile('ro.img', 2), { mode: 'read-only' });
    assert.equal(disk.readOnly, true);
    assert.throws(() => disk.write(0, new Uint8Array(512)), BlockDeviceError);
    disk.close();
  });

  test('reads past the end are a block device error, not a short read', () => {
    const disk = openDiskImage(imageFile('end.img', 2), { mode: 'read-only' });
    assert.throws(() => disk.read(1000, new Uint8Array(512)), (e: unknown) => e instanceof BlockDeviceError && /past the end/.test(e.message));
    disk.close();
  });

  test('snapshot: the guest sees its writes, the file is never modified', () => {
    const path = imageFile('snap.img', 16);
    const before = readFileSync(path);
    const disk = openDiskImage(path, { mode: 'snapshot' });
    assert.equal(disk.readOnly, false);
    disk.write(5 * 512 + 100, new Uint8Array(5000).fill(0xab)); // spans several overlay blocks, partly
    const buf = new Uint8Array(16 * 512);
    disk.read(0, buf);
    for (let i = 0; i < buf.length; i++) {
      const written = i >= 5 * 512 + 100 && i < 5 * 512 + 5100;
      assert.equal(buf[i], written ? 0xab : Math.floor(i / 512), `byte ${i}`);
    }
    disk.flush();
    disk.close();
    assert.deepEqual(readFileSync(path), before);
  });

  test('a file the user may not write fails read-write opening with the read-only code', { skip: process.getuid?.() === 0 ? 'root can write any file' : false }, () => {
    const path = imageFile('locked.img', 2);
    chmodSync(path, 0o444);
    assert.throws(() => openDiskImage(path, { mode: 'read-write' }), (e: unknown) => e instanceof DiskImageError && e.code === 'read-only');
    openDiskImage(path, { mode: 'snapshot' }).close();
  });
});

describe('image checks', () => {
  test('a size that is not whole sectors names the file and the size', () => {
    const path = join(dir, 'odd.img');
    writeFileSync(path, new Uint8Array(1000));
    assert.throws(() => openDiskImage(path, { mode: 'read-only' }), /odd\.img: disk image size 1000 is not a multiple of 512 bytes/);
  });

  test('a CD-ROM image must be whole 2048-byte sectors', () => {
    const path = join(dir, 'odd.iso');
    writeFileSync(path, new Uint8Array(2048 + 512));
    assert.throws(() => openDiskImage(path, { mode: 'read-only', sectorBytes: 2048, what: 'CD-ROM image' }),
      /odd\.iso: CD-ROM image size 2560 is not a multiple of 2048 bytes/);
  });

  test('missing, empty and directory images are one-line errors naming the file', () => {
    assert.throws(() => openDiskImage(join(dir, 'nope.img'), { mode: 'read-only' }), /nope\.img: cannot open disk image \(ENOENT\)/);
    const empty = join(dir, 'empty.img');
    writeFileSync(empty, new Uint8Array(0));
    assert.throws(() => openDiskImage(empty, { mode: 'read-only' }), /empty\.img: disk image is empty/);
    assert.throws(() => openDiskImage(dir, { mode: 'read-only' }), (e: unknown) => e instanceof DiskImageError && !e.message.includes('\n'));
  });
});

describe('memory disks and the overlay', () => {
  test('a memory disk reads and writes its bytes', () => {
    const d = new MemoryDisk(1024);
    d.write(510, Uint8Array.of(1, 2, 3, 4));
    const b = new Uint8Array(4);
    d.read(510, b);
    assert.deepEqual([...b], [1, 2, 3, 4]);
    assert.throws(() => new MemoryDisk(512, true).write(0, Uint8Array.of(1)), BlockDeviceError);
  });

  test('the overlay copies a block in on the first partial write and only reads the base elsewhere', () => {
    const base = new MemoryDisk(new Uint8Array(16384).fill(7), true);
    const cow = new CowOverlay(base);
    cow.write(4096 + 10, Uint8Array.of(9));
    assert.equal(cow.overlayBytes, 4096);
    const b = new Uint8Array(3);
    cow.read(4096 + 9, b);
    assert.deepEqual([...b], [7, 9, 7]);
    assert.equal(base.bytes[4096 + 10], 7);
    cow.write(8192, new Uint8Array(4096).fill(1)); // a whole block needs no copy
    const all = new Uint8Array(16384);
    cow.read(0, all);
    assert.ok(all.subarray(8192, 12288).every((x) => x === 1));
    assert.ok(all.subarray(12288).every((x) => x === 7));
  });
});
