/**
 * Guest-physical memory: one host buffer holding RAM and ROM images, a page
 * map from guest-physical pages to offsets in that buffer, and MMIO ranges
 * dispatched to handlers.
 *
 * The TLB (tlb.ts) caches linear page → host offset, so the hot path is one
 * typed-array load; this file is the slow path behind it and the path for
 * page walks and DMA.
 */

/** A memory-mapped device region: offsets are relative to the region's start. */
export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface MmioRange { start: number; end: number; handler: MmioHandler; name: string }

/** Page map value for pages with no host backing (MMIO or nothing). */
export const NO_BACKING = -1;
const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Host bytes reserved after RAM for ROM images: a 16 MiB flash image plus option ROMs. */
const ROM_RESERVE = 17 << 20;

/** Options for {@link PhysicalMemory}. */
export interface PhysicalMemoryOptions {
  /** Bytes of RAM from guest-physical 0; rounded up to a page. */
  ramBytes: number;
  /** Called once per unmapped page touched (reads return all ones, writes are dropped). */
  onUnmapped?: (gpa: number, write: boolean) => void;
}

/** Guest-physical address space of one machine. */
export class PhysicalMemory {
  /** Backing store: RAM first, then ROM images. */
  readonly backing: Uint8Array;
  /** Host offset of each 4 KiB guest-physical page, or NO_BACKING. */
  readonly pageHost = new Int32Array(1 << 20).fill(NO_BACKING);
  /** 1 where a backed page is read-only (ROM): writes are ignored. */
  readonly pageReadOnly = new Uint8Array(1 << 20);
  readonly ramBytes: number;
  /** Next free host offset in the ROM reserve. */
  private romTop: number;
  /** Bumped whenever the page map changes, so TLBs know to flush. */
  generation = 0;
  private readonly mmio: MmioRange[] = [];
  private readonly reportedUnmapped = new Set<number>();
  private readonly onUnmapped: (gpa: number, write: boolean) => void;

  constructor(options: PhysicalMemoryOptions) {
    if (!(options.ramBytes > 0) || options.ramBytes > 0xf000_0000) {
      throw new RangeError(`RAM size ${options.ramBytes} is out of range (1 byte .. 3.75 GiB)`);
    }
    this.ramBytes = Math.ceil(options.ramBytes / PAGE_SIZE) * PAGE_SIZE;
    // ROM images go into a reserve after RAM, so mapping one never copies RAM
    // (untouched pages of the reserve cost the host nothing).
    this.backing = new Uint8Array(this.ramBytes + ROM_RESERVE);
    this.romTop = this.ramBytes;
    for (let page = 0; page < this.ramBytes >>> PAGE_SHIFT; page++) this.pageHost[page] = page << PAGE_SHIFT;
    this.onUnmapped = options.onUnmapped ?? (() => {});
  }

  /**
   * Maps a read-only image at a guest-physical address (page aligned). The image
   * gets its own backing, so it can shadow RAM (as the BIOS does below 1 MiB)
   * or sit above it (the reset-vector alias below 4 GiB).
   */
  mapRom(gpa: number, image: Uint8Array): void {
    if (gpa % PAGE_SIZE !== 0) throw new RangeError(`ROM address 0x${gpa.toString(16)} is not page aligned`);
    const pages = Math.ceil(image.length / PAGE_SIZE);
    const hostStart = this.romTop;
    if (hostStart + pages * PAGE_SIZE > this.backing.length) {
      throw new RangeError(`ROM images exceed the ${ROM_RESERVE >> 20} MiB reserved for them`);
    }
    this.backing.set(image, hostStart);
    this.romTop += pages * PAGE_SIZE;
    for (let i = 0; i < pages; i++) {
      const page = (gpa >>> PAGE_SHIFT) + i;
      this.pageHost[page] = hostStart + i * PAGE_SIZE;
      this.pageReadOnly[page] = 1;
    }
    this.generation++;
  }

  /** Routes a page-aligned guest-physical range to a device; it must not overlap another. */
  mapMmio(gpa: number, sizeBytes: number, handler: MmioHandler, name: string): void {
    const end = gpa + sizeBytes;
    if (gpa % PAGE_SIZE !== 0 || sizeBytes % PAGE_SIZE !== 0) throw new RangeError(`MMIO ${name} must be page aligned`);
    for (const r of this.mmio) {
      if (gpa < r.end && r.start < end) throw new RangeError(`MMIO ${name} overlaps ${r.name}`);
    }
    this.mmio.push({ start: gpa, end, handler, name });
    for (let page = gpa >>> PAGE_SHIFT; page < end / PAGE_SIZE; page++) {
      this.pageHost[page] = NO_BACKING;
      this.pageReadOnly[page] = 0;
    }
    this.generation++;
  }

  /** Reads 1, 2 or 4 bytes at a guest-physical address (little endian, any alignment). */
  read(gpa: number, size: 1 | 2 | 4): number {
    gpa >>>= 0;
    const host = this.pageHost[gpa >>> PAGE_SHIFT];
    if (host !== NO_BACKING && (gpa & (PAGE_SIZE - 1)) + size <= PAGE_SIZE) {
      const p = host + (gpa & (PAGE_SIZE - 1));
      const b = this.backing;
      if (size === 1) return b[p];
      if (size === 2) return b[p] | (b[p + 1] << 8);
      return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    }
    if (host === NO_BACKING) return this.readDevice(gpa, size);
    let value = 0;
    for (let i = 0; i < size; i++) value |= this.read((gpa + i) >>> 0, 1) << (8 * i);
    return value;
  }

  /** Writes 1, 2 or 4 bytes at a guest-physical address; ROM ignores writes. */
  write(gpa: number, size: 1 | 2 | 4, value: number): void {
    gpa >>>= 0;
    const page = gpa >>> PAGE_SHIFT;
    const host = this.pageHost[page];
    if (host !== NO_BACKING && (gpa & (PAGE_SIZE - 1)) + size <= PAGE_SIZE) {
      if (this.pageReadOnly[page]) return;
      const p = host + (gpa & (PAGE_SIZE - 1));
      const b = this.backing;
      b[p] = value;
      if (size >= 2) b[p + 1] = value >> 8;
      if (size === 4) { b[p + 2] = value >> 16; b[p + 3] = value >> 24; }
      return;
    }
    if (host === NO_BACKING) { this.writeDevice(gpa, size, value); return; }
    for (let i = 0; i < size; i++) this.write((gpa + i) >>> 0, 1, value >> (8 * i));
  }

  /** Copies bytes into guest-physical memory (loaders, DMA); ROM pages included. */
  load(gpa: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const a = (gpa + done) >>> 0;
      const host = this.pageHost[a >>> PAGE_SHIFT];
      if (host === NO_BACKING) throw new RangeError(`load at 0x${a.toString(16)}: no memory there`);
      const chunk = Math.min(bytes.length - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      this.backing.set(bytes.subarray(done, done + chunk), host + (a & (PAGE_SIZE - 1)));
      done += chunk;
    }
  }

  /** The MMIO handler covering an address, or undefined. */
  private findMmio(gpa: number): MmioRange | undefined {
    for (const r of this.mmio) if (gpa >= r.start && gpa < r.end) return r;
    return undefined;
  }

  private readDevice(gpa: number, size: 1 | 2 | 4): number {
    const r = this.findMmio(gpa);
    if (r) return r.handler.read(gpa - r.start, size);
    this.reportUnmapped(gpa, false);
    return size === 4 ? -1 : (1 << (8 * size)) - 1;
  }

  private writeDevice(gpa: number, size: 1 | 2 | 4, value: number): void {
    const r = this.findMmio(gpa);
    if (r) { r.handler.write(gpa - r.start, size, value); return; }
    this.reportUnmapped(gpa, true);
  }

  private reportUnmapped(gpa: number, write: boolean): void {
    const page = gpa >>> PAGE_SHIFT;
    if (this.reportedUnmapped.has(page)) return;
    this.reportedUnmapped.add(page);
    this.onUnmapped(gpa, write);
  }
}
