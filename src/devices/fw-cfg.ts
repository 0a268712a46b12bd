/**
 * QEMU's firmware configuration device, fw_cfg, in its x86 I/O-port form
 * (QEMU docs/specs/fw_cfg.rst, "Guest-side Hardware Interface" and "Guest-side
 * DMA Interface"). The board hands firmware its configuration through it:
 * RAM size, CPU counts, the memory map, boot order, ACPI tables, option ROMs.
 * SeaBIOS's QEMU build and Linux's qemu_fw_cfg driver read it.
 *
 * | port        | off | width  | register                                               |
 * |-------------|-----|--------|--------------------------------------------------------|
 * | 0x510       | 0   | 16 (w) | selector: item key; sets the data offset to 0          |
 * | 0x511       | 1   | 8 (r)  | data: the selected item's next byte (0 past its end)   |
 * | 0x514-0x517 | 4   | 32     | DMA address bits 63:32, big endian                     |
 * | 0x518-0x51B | 8   | 32     | DMA address bits 31:0, big endian; writing it starts DMA |
 *
 * Reading the DMA address register gives the signature "QEMU CFG" (big
 * endian, so a 32-bit read of 0x514 is 0x51454D55 'QEMU').
 *
 * | key     | item (fixed keys; writes to keys with bit 14 set are ignored) |
 * |---------|---------------------------------------------------------------|
 * | 0x0000  | signature "QEMU"                                              |
 * | 0x0001  | ID: bit 0 traditional interface, bit 1 DMA (LE u32)           |
 * | 0x0019  | file directory: BE u32 count, then per file BE u32 size,      |
 * |         | BE u16 key, u16 reserved, 56-byte NUL-padded name             |
 * | 0x0020+ | files, in the order added                                     |
 * | others  | as the board adds them (RAM size 0x03, nb_cpus 0x05, …)       |
 *
 * DMA (FWCfgDmaAccess at the written address, all fields big endian):
 * `control` (u32: bit 0 error, 1 read, 2 skip, 3 select with the key in
 * bits 31:16, 4 write), `length` (u32), `address` (u64). Select happens
 * first, then read, skip or write of `length` bytes at the data offset,
 * which advances; reading past an item's end (or from a key with no item)
 * gives zeros. On completion `control` is written back as 0, or with the
 * error bit set.
 *
 * Deviations from QEMU: items are read-only (writes through the data port
 * or DMA are refused: the DMA sets the error bit), and DMA addresses above
 * 4 GiB fail with the error bit (the machine's physical space is 32-bit).
 * The transfer completes at once, inside the write that starts it.
 */
import type { IoDevice } from './io-device.js';

/** Fixed item keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h names). */
export const FW_CFG = {
  signature: 0x00,
  id: 0x01,
  uuid: 0x02,
  ramSize: 0x03,
  noGraphic: 0x04,
  nbCpus: 0x05,
  bootMenu: 0x0e,
  maxCpus: 0x0f,
  fileDir: 0x19,
  fileFirst: 0x20,
} as const;

/** ID bit 0: the traditional (selector/data port) interface. */
export const FW_CFG_ID_TRADITIONAL = 0x1;
/** ID bit 1: the DMA interface. */
export const FW_CFG_ID_DMA = 0x2;

/** DMA control: the transfer failed (set by the device). */
export const DMA_ERROR = 0x01;
/** DMA control: read `length` bytes of the item into guest memory. */
export const DMA_READ = 0x02;
/** DMA control: advance the data offset by `length`. */
export const DMA_SKIP = 0x04;
/** DMA control: select the key in bits 31:16 first. */
export const DMA_SELECT = 0x08;
/** DMA control: write guest memory into the item (refused here). */
export const DMA_WRITE = 0x10;

/** The DMA interface's signature "QEMU CFG", first half ("QEMU") as a big-endian 32-bit read gives it. */
export const DMA_SIGNATURE_HIGH = 0x5145_4d55;
/** The signature's second half (" CFG"). */
export const DMA_SIGNATURE_LOW = 0x2043_4647;

/** Longest file name, with its NUL (FW_CFG_MAX_FILE_PATH). */
export const FILE_NAME_BYTES = 56;
/** Selector bit 14: write channel; bit 15: architecture-specific item. */
const KEY_WRITE = 0x4000;
/** Bytes of one FWCfgDmaAccess. */
const DMA_ACCESS_BYTES = 16;
/** Bytes of one directory entry. */
const DIR_ENTRY_BYTES = 8 + FILE_NAME_BYTES;

/** Memory the DMA interface reads and writes (PhysicalMemory fits). */
export interface FwCfgMemory {
  readBytes(gpa: number, dest: Uint8Array): void;
  writeBytes(gpa: number, src: Uint8Array): void;
}

/** Plain-data state (snapshot format, version 1); items are configuration, not state. */
export interface FwCfgState {
  version: 1;
  /** The selected key. */
  selector: number;
  /** The data offset within the selected item. */
  offset: number;
  /** DMA address bits 63:32 as last written. */
  dmaAddressHigh: number;
}

/** The fw_cfg device: a keyed store of blobs, read through ports or DMA. */
export class FwCfg implements IoDevice {
  state: FwCfgState = { version: 1, selector: 0, offset: 0, dmaAddressHigh: 0 };
  private readonly items = new Map<number, Uint8Array>();
  private readonly files: { name: string; key: number }[] = [];

  constructor(private readonly memory: FwCfgMemory) {
    this.setItem(FW_CFG.signature, new TextEncoder().encode('QEMU'));
    this.setItem(FW_CFG.id, le32(FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA));
    this.updateDirectory();
  }

  /** Sets a fixed-key item. */
  setItem(key: number, data: Uint8Array): void {
    this.items.set(key, data);
  }

  /** A fixed item holding a little-endian integer of `bytes` (2, 4 or 8) bytes. */
  setInt(key: number, value: number, bytes: 2 | 4 | 8): void {
    const data = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) data[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    this.setItem(key, data);
  }

  /** Adds (or replaces) a named file; returns its key. */
  addFile(name: string, data: Uint8Array): number {
    const nameBytes = new TextEncoder().encode(name);
    if (nameBytes.length >= FILE_NAME_BYTES) throw new RangeError(`fw_cfg file name '${name}' is longer than ${FILE_NAME_BYTES - 1} bytes`);
    const existing = this.files.find((f) => f.name === name);
    const key = existing?.key ?? FW_CFG.fileFirst + this.files.length;
    if (!existing) this.files.push({ name, key });
    this.items.set(key, data);
    this.updateDirectory();
    return key;
  }

  /** The item at `key`, if any (for tests and diagnostics). */
  item(key: number): Uint8Array | undefined {
    return this.items.get(key);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    switch (offset) {
      case 1: return this.readData(size);
      case 4: return size === 4 ? DMA_SIGNATURE_HIGH : bigEndianPart(DMA_SIGNATURE_HIGH, size);
      case 8: return size === 4 ? DMA_SIGNATURE_LOW : bigEndianPart(DMA_SIGNATURE_LOW, size);
      default: return 0;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    switch (offset) {
      case 0:
        if (size >= 2) this.select(value & 0xffff);
        break;
      case 4:
        if (size === 4) this.state.dmaAddressHigh = byteSwap32(value);
        break;
      case 8:
        if (size === 4) this.dma(this.state.dmaAddressHigh, byteSwap32(value));
        break;
      // Data port writes: ignored (QEMU 2.4+; items are read-only here).
    }
  }

  /** Power-on state: nothing selected. Items survive (they are the machine's configuration). */
  reset(): void {
    this.state = { version: 1, selector: 0, offset: 0, dmaAddressHigh: 0 };
  }

  private select(key: number): void {
    this.state.selector = key;
    this.state.offset = 0;
  }

  /** The data port: `size` bytes from the data offset (wider reads take consecutive bytes, first in the low byte). */
  private readData(size: 1 | 2 | 4): number {
    const data = this.items.get(this.state.selector & ~KEY_WRITE);
    let v = 0;
    for (let i = 0; i < size; i++) {
      const at = this.state.offset;
      const byte = data !== undefined && at < data.length ? data[at] : 0;
      if (data !== undefined && at < data.length) this.state.offset++;
      v |= byte << (8 * i);
    }
    return v >>> 0;
  }

  /** Runs the FWCfgDmaAccess at (high:low) and writes its control word back. */
  private dma(high: number, low: number): void {
    if (high !== 0) return; // no memory above 4 GiB to hold the structure
    const access = new Uint8Array(DMA_ACCESS_BYTES);
    this.memory.readBytes(low, access);
    const view = new DataView(access.buffer);
    const control = view.getUint32(0);
    const length = view.getUint32(4);
    const addressHigh = view.getUint32(8);
    const address = view.getUint32(12);
    let error = false;
    if ((control & DMA_SELECT) !== 0) this.select(control >>> 16);
    if ((control & (DMA_READ | DMA_WRITE | DMA_SKIP)) !== 0) {
      if ((control & DMA_WRITE) !== 0) error = true;
      else if ((control & DMA_READ) !== 0) error = !this.dmaRead(addressHigh, address, length);
      else this.skip(length);
    }
    const done = new Uint8Array(4);
    new DataView(done.buffer).setUint32(0, error ? DMA_ERROR : 0);
    this.memory.writeBytes(low, done);
  }

  /** Copies `length` bytes from the data offset to guest memory (zeros past the item's end). */
  private dmaRead(addressHigh: number, address: number, length: number): boolean {
    if (addressHigh !== 0 || address + length > 0x1_0000_0000) return false;
    const data = this.items.get(this.state.selector & ~KEY_WRITE);
    const out = new Uint8Array(length);
    if (data !== undefined) {
      const from = Math.min(this.state.offset, data.length);
      const n = Math.min(length, data.length - from);
      out.set(data.subarray(from, from + n));
    }
    this.skip(length);
    this.memory.writeBytes(address, out);
    return true;
  }

  /** Advances the data offset, stopping at the item's end. */
  private skip(length: number): void {
    const data = this.items.get(this.state.selector & ~KEY_WRITE);
    this.state.offset = Math.min(this.state.offset + length, data?.length ?? 0);
  }

  /** Rebuilds the file directory item (key 0x19). */
  private updateDirectory(): void {
    const dir = new Uint8Array(4 + this.files.length * DIR_ENTRY_BYTES);
    const view = new DataView(dir.buffer);
    view.setUint32(0, this.files.length);
    this.files.forEach((f, i) => {
      const at = 4 + i * DIR_ENTRY_BYTES;
      view.setUint32(at, this.items.get(f.key)!.length);
      view.setUint16(at + 4, f.key);
      dir.set(new TextEncoder().encode(f.name), at + 8);
    });
    this.items.set(FW_CFG.fileDir, dir);
  }
}

function le32(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

function byteSwap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** The first `size` bytes (in memory order) of a big-endian register, as a little-endian port read sees them. */
function bigEndianPart(value: number, size: 1 | 2): number {
  const b0 = value >>> 24, b1 = (value >>> 16) & 0xff;
  return size === 1 ? b0 : b0 | (b1 << 8);
}
