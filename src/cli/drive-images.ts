/**
 * Checks of the drive images named on the command line, before any device
 * sees them: the file exists, is readable, and looks like what it claims
 * (a raw disk is whole 512-byte sectors; an ISO 9660 image has its Primary
 * Volume Descriptor at sector 16, byte 0x8000: ECMA-119 §8.4 "Primary Volume
 * Descriptor", type 1, identifier "CD001", version 1). Only the header bytes
 * are read, so multi-gigabyte images cost nothing.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { BootError } from '../boot/index.js';

/** A checked image. */
export interface DriveImage {
  path: string;
  kind: 'disk' | 'cdrom';
  sizeBytes: number;
  /** A disk whose first sector ends in the boot signature 0x55 0xAA (an MBR or a boot sector). */
  bootable?: boolean;
}

const SECTOR_BYTES = 512;
const CD_SECTOR_BYTES = 2048;
/** Volume descriptors start at logical sector 16 (ECMA-119 §6.2.1 "System Area" is sectors 0-15). */
const PVD_OFFSET = 16 * CD_SECTOR_BYTES;
/** MBR partition tables address at most 2^32 sectors (2 TiB); larger raw images are surely a mistake here. */
const MAX_DISK_BYTES = 2 ** 32 * SECTOR_BYTES;

/** Checks a raw hard-disk image. */
export function checkDiskImage(path: string): DriveImage {
  const size = statImage(path, 'disk image');
  if (size % SECTOR_BYTES !== 0) {
    throw new BootError(`${path}: disk image size ${size} is not a multiple of ${SECTOR_BYTES} bytes (a raw image is whole sectors)`);
  }
  if (size > MAX_DISK_BYTES) throw new BootError(`${path}: disk image of ${formatSize(size)} is larger than 2 TiB`);
  const head = readHead(path, Math.min(size, SECTOR_BYTES), 'disk image');
  const bootable = head.length === SECTOR_BYTES && head[510] === 0x55 && head[511] === 0xaa;
  return { path, kind: 'disk', sizeBytes: size, bootable };
}

/**
 * For a BIOS boot from the first disk: its first sector must end in the boot
 * signature (IBM PC BIOS convention; SeaBIOS checks it before jumping to
 * 0000:7C00), or the firmware can only report it unbootable.
 */
export function checkBootDisk(image: DriveImage): void {
  if (image.kind === 'disk' && !image.bootable) {
    throw new BootError(`${image.path}: cannot boot from this disk image: no boot signature 0x55 0xAA at bytes 510-511 of sector 0 (not an MBR or boot sector)`);
  }
}

/** Checks an ISO 9660 CD-ROM image. */
export function checkCdromImage(path: string): DriveImage {
  const size = statImage(path, 'CD-ROM image');
  if (size < PVD_OFFSET + CD_SECTOR_BYTES) {
    throw new BootError(`${path}: not an ISO 9660 image: ${size} bytes is too short to reach the volume descriptors at 0x8000`);
  }
  const head = readHead(path, PVD_OFFSET + 7, 'CD-ROM image');
  const type = head[PVD_OFFSET];
  const id = String.fromCharCode(...head.subarray(PVD_OFFSET + 1, PVD_OFFSET + 6));
  const version = head[PVD_OFFSET + 6];
  if (id !== 'CD001' || type !== 1 || version !== 1) {
    throw new BootError(`${path}: not an ISO 9660 image (no Primary Volume Descriptor "CD001" at 0x8000)`);
  }
  return { path, kind: 'cdrom', sizeBytes: size };
}

/** "10 MiB", "1.5 GiB". */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

function statImage(path: string, what: string): number {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new BootError(`${path}: cannot open ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile() && !st.isBlockDevice()) throw new BootError(`${path}: ${what} is not a regular file`);
  if (st.isFile() && st.size === 0) throw new BootError(`${path}: ${what} is empty`);
  return st.size;
}

function readHead(path: string, bytes: number, what: string): Uint8Array {
  const buf = new Uint8Array(bytes);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new BootError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const n = readSync(fd, buf, 0, bytes, 0);
    if (n < bytes) throw new BootError(`${path}: ${what} is shorter than its size says`);
  } finally {
    closeSync(fd);
  }
  return buf;
}
