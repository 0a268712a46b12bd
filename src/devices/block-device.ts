/**
 * The storage contract between drives (ATA disks, the ATAPI CD-ROM) and the
 * host backends that hold their bytes (src/host/disk-image.ts: a file, a
 * copy-on-write overlay, memory). Devices see only this interface, so they
 * never import host code; the VMM injects a backend.
 *
 * Access is synchronous and by byte offset: the emulated CPU stops while a
 * device moves data, as a guest sees an instantaneous drive.
 */

/** A random-access store of bytes, sized in whole 512-byte sectors. */
export interface BlockDevice {
  /** Capacity in bytes (a multiple of 512). */
  readonly sizeBytes: number;
  /** Writes are refused (a CD-ROM, a file opened read-only without an overlay). */
  readonly readOnly: boolean;
  /** Fills `dest` from `offset`; throws a {@link BlockDeviceError} if the backend fails. */
  read(offset: number, dest: Uint8Array): void;
  /** Stores `src` at `offset`; throws a {@link BlockDeviceError} if read-only or the backend fails. */
  write(offset: number, src: Uint8Array): void;
  /** Makes completed writes durable (FLUSH CACHE). */
  flush(): void;
}

/** A backend failure a drive reports to the guest as a medium error, not a crash of the VMM. */
export class BlockDeviceError extends Error {
  override readonly name = 'BlockDeviceError';
}
