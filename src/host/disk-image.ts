/**
 * Disk backends for Node: the host side of the {@link BlockDevice}
 * contract that drives (src/devices/ata) use.
 *
 * - {@link FileDisk}: a raw image file opened read-write or read-only, with
 *   synchronous positional reads and writes (`fs.readSync`/`fs.writeSync`
 *   at an offset), so a guest's sector access is one system call and the
 *   emulated CPU never waits on a promise.
 * - {@link CowOverlay}: a copy-on-write layer in memory over another
 *   backend: reads see the guest's own writes, the file underneath is
 *   never written (tests, `--snapshot` runs, images the user may not write).
 * - {@link MemoryDisk}: bytes in memory (tests, small generated images).
 *
 * {@link openDiskImage} opens a file in one of three modes and checks it
 * first; every problem is a {@link DiskImageError} whose one-line message
 * names the file.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { BlockDeviceError, type BlockDevice } from '../devices/block-device.js';

/** A disk image that cannot be used, with a one-line message naming the file. */
export class DiskImageError extends Error {
  override readonly name = 'DiskImageError';
  /** `read-only` when the file could be opened for reading but not for writing. */
  constructor(message: string, readonly code: 'read-only' | 'invalid' | 'unreadable' = 'invalid') {
    super(message);
  }
}

/** A raw image file accessed with positional reads and writes. */
export class FileDisk implements BlockDevice {
  private fd: number;

  /** Wraps an open descriptor of a file of `sizeBytes`; prefer {@link openDiskImage}. */
  constructor(readonly path: string, fd: number, readonly sizeBytes: number, readonly readOnly: boolean) {
    this.fd = fd;
  }

  read(offset: number, dest: Uint8Array): void {
    this.check(offset, dest.length);
    let done = 0;
    while (done < dest.length) {
      let n: number;
      try {
        n = readSync(this.fd, dest, done, dest.length - done, offset + done);
      } catch (e) {
        throw new BlockDeviceError(`${this.path}: read at byte ${offset + done} failed (${errnoOf(e)})`);
      }
      if (n === 0) throw new BlockDeviceError(`${this.path}: read at byte ${offset + done} hit the end of the file (did it shrink?)`);
      done += n;
    }
  }

  write(offset: number, src: Uint8Array): void {
    if (this.readOnly) throw new BlockDeviceError(`${this.path}: opened read-only`);
    this.check(offset, src.length);
    let done = 0;
    while (done < src.length) {
      try {
        done += writeSync(this.fd, src, done, src.length - done, offset + done);
      } catch (e) {
        throw new BlockDeviceError(`${this.path}: write at byte ${offset + done} failed (${errnoOf(e)})`);
      }
    }
  }

  flush(): void {
    if (this.readOnly) return;
    try {
      fsyncSync(this.fd);
    } catch (e) {
      throw new BlockDeviceError(`${this.path}: flush failed (${errnoOf(e)})`);
    }
  }

  /** Closes the file; the disk must not be used afterwards. */
  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private check(offset: number, length: number): void {
    if (this.fd < 0) throw new BlockDeviceError(`${this.path}: disk is closed`);
    if (offset < 0 || offset + length > this.sizeBytes) {
      throw new BlockDeviceError(`${this.path}: access at byte ${offset} (+${length}) is past the end (${this.sizeBytes} bytes)`);
    }
  }
}

/** Bytes per overlay block: writes copy at most this much of the base in. */
const OVERLAY_BLOCK = 4096;

/**
 * Copy-on-write in memory over a base backend. The first write to a 4 KiB
 * block copies that block from the base; later reads of it come from the
 * copy. The base is only ever read.
 */
export class CowOverlay implements BlockDevice {
  readonly readOnly = false;
  readonly sizeBytes: number;
  private readonly blocks = new Map<number, Uint8Array>();

  constructor(private readonly base: BlockDevice) {
    this.sizeBytes = base.sizeBytes;
  }

  /** Bytes the overlay holds (blocks written so far × 4 KiB). */
  get overlayBytes(): number { return this.blocks.size * OVERLAY_BLOCK; }

  read(offset: number, dest: Uint8Array): void {
    this.check(offset, dest.length);
    let done = 0;
    while (done < dest.length) {
      const at = offset + done;
      const index = Math.floor(at / OVERLAY_BLOCK), within = at % OVERLAY_BLOCK;
      const block = this.blocks.get(index);
      if (block) {
        const n = Math.min(dest.length - done, OVERLAY_BLOCK - within);
        dest.set(block.subarray(within, within + n), done);
        done += n;
        continue;
      }
      // Read as far as the next block the overlay holds, in one base access.
      let end = (index + 1) * OVERLAY_BLOCK;
      while (end < offset + dest.length && !this.blocks.has(end / OVERLAY_BLOCK)) end += OVERLAY_BLOCK;
      const n = Math.min(offset + dest.length, end) - at;
      this.base.read(at, dest.subarray(done, done + n));
      done += n;
    }
  }

  write(offset: number, src: Uint8Array): void {
    this.check(offset, src.length);
    let done = 0;
    while (done < src.length) {
      const at = offset + done;
      const index = Math.floor(at / OVERLAY_BLOCK), within = at % OVERLAY_BLOCK;
      const n = Math.min(src.length - done, OVERLAY_BLOCK - within);
      let block = this.blocks.get(index);
      if (!block) {
        block = new Uint8Array(OVERLAY_BLOCK);
        const start = index * OVERLAY_BLOCK;
        const whole = within === 0 && n === OVERLAY_BLOCK;
        if (!whole) this.base.read(start, block.subarray(0, Math.min(OVERLAY_BLOCK, this.sizeBytes - start)));
        this.blocks.set(index, block);
      }
      block.set(src.subarray(done, done + n), within);
      done += n;
    }
  }

  /** Nothing to make durable: the overlay lives and dies with the process. */
  flush(): void {}

  private check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.sizeBytes) {
      throw new BlockDeviceError(`access at byte ${offset} (+${length}) is past the end of the disk (${this.sizeBytes} bytes)`);
    }
  }
}

/** A disk held in memory. */
export class MemoryDisk implements BlockDevice {
  readonly sizeBytes: number;

  /** A disk of `bytes` (used, not copied), or of that many zero bytes. */
  constructor(bytes: Uint8Array | number, readonly readOnly = false) {
    this.bytes = typeof bytes === 'number' ? new Uint8Array(bytes) : bytes;
    this.sizeBytes = this.bytes.length;
  }

  /** The disk's contents. */
  readonly bytes: Uint8Array;

  read(offset: number, dest: Uint8Array): void {
    this.check(offset, dest.length);
    dest.set(this.bytes.subarray(offset, offset + dest.length));
  }

  write(offset: number, src: Uint8Array): void {
    if (this.readOnly) throw new BlockDeviceError('disk is read-only');
    this.check(offset, src.length);
    this.bytes.set(src, offset);
  }

  flush(): void {}

  private check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.sizeBytes) {
      throw new BlockDeviceError(`access at byte ${offset} (+${length}) is past the end of the disk (${this.sizeBytes} bytes)`);
    }
  }
}

/**
 * How to open an image: `read-write` writes the guest's changes to the
 * file; `read-only` refuses them; `snapshot` keeps them in memory.
 */
export type DiskImageMode = 'read-write' | 'read-only' | 'snapshot';

/** Options for {@link openDiskImage}. */
export interface OpenDiskImageOptions {
  mode: DiskImageMode;
  /** The image must be whole sectors of this size (512 for disks; CD-ROM images are 2048, but any multiple of 512 is read). */
  sectorBytes?: number;
  /** What to call the image in messages ("disk image", "CD-ROM image"). */
  what?: string;
}

/** Opens and checks an image file; throws a {@link DiskImageError} naming the file. */
export function openDiskImage(path: string, options: OpenDiskImageOptions): BlockDevice & { close(): void } {
  const what = options.what ?? 'disk image';
  const sectorBytes = options.sectorBytes ?? 512;
  const writable = options.mode === 'read-write';
  let fd: number;
  try {
    fd = openSync(path, writable ? 'r+' : 'r');
  } catch (e) {
    const code = errnoOf(e);
    if (writable && (code === 'EACCES' || code === 'EROFS' || code === 'EPERM')) {
      throw new DiskImageError(`${path}: cannot open ${what} for writing (${code})`, 'read-only');
    }
    throw new DiskImageError(`${path}: cannot open ${what} (${code})`, 'unreadable');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new DiskImageError(`${path}: ${what} is not a regular file`);
    if (st.size === 0) throw new DiskImageError(`${path}: ${what} is empty`);
    if (st.size % sectorBytes !== 0) {
      throw new DiskImageError(`${path}: ${what} size ${st.size} is not a multiple of ${sectorBytes} bytes (a raw image is whole sectors)`);
    }
    // Read the first sector now, so an unreadable image fails here and not in the guest.
    const probe = new Uint8Array(Math.min(st.size, 512));
    try {
      if (readSync(fd, probe, 0, probe.length, 0) < probe.length) throw new DiskImageError(`${path}: ${what} is shorter than its size says`);
    } catch (e) {
      if (e instanceof DiskImageError) throw e;
      throw new DiskImageError(`${path}: cannot read ${what} (${errnoOf(e)})`, 'unreadable');
    }
    const file = new FileDisk(path, fd, st.size, !writable);
    if (options.mode !== 'snapshot') return file;
    const overlay = new CowOverlay(file);
    return Object.assign(overlay, { close: () => file.close() });
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : 'error');
}
