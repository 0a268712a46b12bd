/**
 * Guest-physical memory: one host buffer holding RAM and ROM images, a page
 * map from guest-physical pages to offsets in that buffer, and MMIO ranges
 * dispatched to handlers.
 *
 * The TLB (tlb.ts) caches linear page → host offset, so the hot path is one
 * typed-array load; this file is the slow path behind it and the path for
 * page walks and DMA.
 *
 * Each page is routed from what lies under it, in this order: an MMIO range
 * (a device wins), else for a shadowable page (the chipset's legacy region
 * 0xC0000-0xFFFFF, see {@link PhysicalMemory.setShadowRouting}) RAM or the
 * ROM/bus behind it as the chipset says, else a ROM image, else RAM. Every
 * change of routing bumps `generation` and tells the map-change listeners
 * (the CPU flushes its TLB).
 */

/** A memory-mapped device region: offsets are relative to the region's start. */
export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface MmioRange { start: number; end: number; handler: MmioHandler; name: string }

/** How the chipset routes a shadowable page (the two PAM attribute bits: RE, WE). */
export interface ShadowRouting {
  /** Reads go to RAM (else to the ROM or bus behind it). */
  readRam: boolean;
  /** Writes go to RAM (else to the ROM or bus behind it, which ignores them). */
  writeRam: boolean;
}

/** Page map value for pages with no host backing (MMIO or nothing). */
export const NO_BACKING = -1;
const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Host bytes reserved after RAM for ROM images: a 16 MiB flash image plus option ROMs. */
const ROM_RESERVE = 17 << 20;
/** Bytes of one CPU's area after the ROM reserve: its TLB (4 MiB), then 1 MiB for its state block and the WebAssembly jump cache. */
export const CPU_AREA_BYTES = (4 << 20) + (1 << 20);
/** Byte offset of the state block within a CPU's area. */
export const CPU_STATE_OFFSET = 4 << 20;
/** CPU areas reserved in the host buffer (untouched ones cost the host nothing). */
const CPU_AREAS = 4;
const WASM_PAGE = 64 << 10;
/** The largest WebAssembly (32-bit) memory. */
const WASM_MAX_BYTES = 2 ** 32;

/**
 * One CPU's arrays that translated code reaches: its TLB entries and its
 * state block. `base` is the byte offset of the area in the machine's
 * WebAssembly memory, or -1 when they are plain arrays (no such memory).
 */
export interface CpuArea {
  tlb: Int32Array;
  state: Int32Array;
  base: number;
}

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
  /**
   * The WebAssembly memory `backing` lies in, followed by the CPUs' areas
   * (allocateCpuArea): WebAssembly regions (translator/wasm) address RAM,
   * TLB and CPU state in it directly. Null when RAM is too large for a
   * 32-bit memory or the host cannot provide one.
   */
  readonly wasmMemory: WebAssembly.Memory | null;
  private cpuAreasUsed = 0;
  /** Host offset of each 4 KiB guest-physical page, or NO_BACKING. */
  readonly pageHost = new Int32Array(1 << 20).fill(NO_BACKING);
  /** 1 where a backed page is read-only (ROM): writes are ignored. */
  readonly pageReadOnly = new Uint8Array(1 << 20);
  readonly ramBytes: number;
  /** Next free host offset in the ROM reserve. */
  private romTop: number;
  /**
   * 1 where a host page (host offset >> 12) holds translated code: writes to
   * it call {@link onCodeWrite}. The CPU's own fast paths never write such a
   * page (its TLB entries carry TLB_CODE), so every write passes here.
   */
  readonly codePages: Uint8Array;
  /** Told of every write to a page marked in codePages: host offset and byte count. */
  onCodeWrite: (host: number, size: number) => void = () => {};
  /** When set, every write through {@link write} appends (host offset, old byte) pairs: lockstep's undo log. */
  journal: number[] | null = null;
  /** Reads and writes that reached an MMIO handler (or nothing). */
  deviceAccesses = 0;
  /** Bumped whenever the page map changes, so TLBs know to flush. */
  generation = 0;
  private readonly mmio: MmioRange[] = [];
  /** Host offset of the ROM image mapped at each page (only pages that have one). */
  private readonly romPages = new Map<number, number>();
  /** Chipset routing of shadowable pages (only pages that are shadowable). */
  private readonly shadowPages = new Map<number, ShadowRouting>();
  /** Where writes to a page go when they do not go where its reads do (write-only shadow RAM). */
  private readonly writeRedirect = new Map<number, number>();
  private readonly mapListeners: (() => void)[] = [];
  private readonly reportedUnmapped = new Set<number>();
  private readonly onUnmapped: (gpa: number, write: boolean) => void;

  constructor(options: PhysicalMemoryOptions) {
    if (!(options.ramBytes > 0) || options.ramBytes > 0xf000_0000) {
      throw new RangeError(`RAM size ${options.ramBytes} is out of range (1 byte .. 3.75 GiB)`);
    }
    this.ramBytes = Math.ceil(options.ramBytes / PAGE_SIZE) * PAGE_SIZE;
    // ROM images go into a reserve after RAM, so mapping one never copies RAM
    // (untouched pages of the reserve cost the host nothing).
    const backingBytes = this.ramBytes + ROM_RESERVE;
    this.wasmMemory = createWasmMemory(backingBytes + CPU_AREAS * CPU_AREA_BYTES);
    this.backing = this.wasmMemory !== null
      ? new Uint8Array(this.wasmMemory.buffer, 0, backingBytes)
      : new Uint8Array(backingBytes);
    this.romTop = this.ramBytes;
    this.codePages = new Uint8Array(this.backing.length >>> PAGE_SHIFT);
    for (let page = 0; page < this.ramBytes >>> PAGE_SHIFT; page++) this.pageHost[page] = page << PAGE_SHIFT;
    this.onUnmapped = options.onUnmapped ?? (() => {});
  }

  /**
   * The TLB and state arrays of a new CPU: views into the WebAssembly memory
   * while it has a free area, else plain arrays (that CPU then runs no
   * WebAssembly regions).
   */
  allocateCpuArea(stateWords: number): CpuArea {
    const memory = this.wasmMemory;
    if (memory === null || this.cpuAreasUsed === CPU_AREAS) {
      return { tlb: new Int32Array(1 << 20), state: new Int32Array(stateWords), base: -1 };
    }
    const base = this.backing.length + this.cpuAreasUsed++ * CPU_AREA_BYTES;
    return {
      tlb: new Int32Array(memory.buffer, base, 1 << 20),
      state: new Int32Array(memory.buffer, base + CPU_STATE_OFFSET, stateWords),
      base,
    };
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
    for (let i = 0; i < pages; i++) this.romPages.set((gpa >>> PAGE_SHIFT) + i, hostStart + i * PAGE_SIZE);
    this.reroute(gpa >>> PAGE_SHIFT, pages);
  }

  /** Routes a page-aligned guest-physical range to a device; it must not overlap another. */
  mapMmio(gpa: number, sizeBytes: number, handler: MmioHandler, name: string): void {
    const end = gpa + sizeBytes;
    if (gpa % PAGE_SIZE !== 0 || sizeBytes % PAGE_SIZE !== 0) throw new RangeError(`MMIO ${name} must be page aligned`);
    const taken = this.mmioClaimant(gpa, sizeBytes);
    if (taken !== undefined) throw new RangeError(`MMIO ${name} overlaps ${taken}`);
    this.mmio.push({ start: gpa, end, handler, name });
    this.reroute(gpa >>> PAGE_SHIFT, sizeBytes / PAGE_SIZE);
  }

  /** Name of the MMIO range overlapping gpa..gpa+sizeBytes-1, or undefined. */
  mmioClaimant(gpa: number, sizeBytes: number): string | undefined {
    const end = gpa + sizeBytes;
    for (const r of this.mmio) if (gpa < r.end && r.start < end) return r.name;
    return undefined;
  }

  /**
   * Removes the MMIO range that `handler` was mapped with at `gpa` (a PCI BAR
   * moved or disabled); its pages fall back to what lies under them.
   */
  unmapMmio(gpa: number, handler: MmioHandler): void {
    const index = this.mmio.findIndex((r) => r.start === gpa && r.handler === handler);
    if (index < 0) throw new RangeError(`no MMIO range mapped at 0x${gpa.toString(16)} to unmap`);
    const [r] = this.mmio.splice(index, 1);
    this.reroute(r.start >>> PAGE_SHIFT, (r.end - r.start) / PAGE_SIZE);
  }

  /**
   * Makes a page-aligned range shadowable and sets how its reads and writes
   * are routed: to RAM, or to the ROM image mapped there (or nothing, which
   * reads as all ones). This is the i440FX's PAM (82441FX datasheet
   * "PAM—Programmable Attribute Map Registers"): firmware copies itself from
   * ROM into the RAM beneath, then write-protects the copy.
   */
  setShadowRouting(gpa: number, sizeBytes: number, routing: ShadowRouting): void {
    if (gpa % PAGE_SIZE !== 0 || sizeBytes % PAGE_SIZE !== 0) throw new RangeError('shadow range must be page aligned');
    const first = gpa >>> PAGE_SHIFT, pages = sizeBytes / PAGE_SIZE;
    for (let page = first; page < first + pages; page++) {
      this.shadowPages.set(page, { readRam: routing.readRam, writeRam: routing.writeRam });
    }
    this.reroute(first, pages);
  }

  /** Calls `listener` after every change of the page map (TLBs must drop what they cached). */
  onMapChange(listener: () => void): void {
    this.mapListeners.push(listener);
  }

  /** Recomputes the routing of `count` pages from `first`, then tells the listeners. */
  private reroute(first: number, count: number): void {
    for (let page = first; page < first + count; page++) this.route(page);
    this.generation++;
    for (const listener of this.mapListeners) listener();
  }

  private route(page: number): void {
    this.writeRedirect.delete(page);
    const gpa = page * PAGE_SIZE;
    if (this.mmio.some((r) => gpa >= r.start && gpa < r.end)) {
      this.pageHost[page] = NO_BACKING;
      this.pageReadOnly[page] = 0;
      return;
    }
    const ram = gpa < this.ramBytes ? gpa : NO_BACKING;
    const rom = this.romPages.get(page) ?? NO_BACKING;
    const shadow = this.shadowPages.get(page);
    if (shadow === undefined) {
      this.pageHost[page] = rom !== NO_BACKING ? rom : ram;
      this.pageReadOnly[page] = rom !== NO_BACKING ? 1 : 0;
      return;
    }
    const readHost = shadow.readRam ? ram : rom;
    const writeHost = shadow.writeRam ? ram : NO_BACKING;
    this.pageHost[page] = readHost;
    // A page whose writes do not land where its reads come from takes the slow path for writes.
    this.pageReadOnly[page] = readHost !== NO_BACKING && writeHost !== readHost ? 1 : 0;
    if (writeHost !== NO_BACKING && writeHost !== readHost) this.writeRedirect.set(page, writeHost);
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
      if (this.pageReadOnly[page]) { this.writeRedirected(gpa, size, value); return; }
      const p = host + (gpa & (PAGE_SIZE - 1));
      const b = this.backing;
      if (this.journal !== null) for (let i = 0; i < size; i++) this.journal.push(p + i, b[p + i]);
      b[p] = value;
      if (size >= 2) b[p + 1] = value >> 8;
      if (size === 4) { b[p + 2] = value >> 16; b[p + 3] = value >> 24; }
      if (this.codePages[p >>> PAGE_SHIFT] !== 0) this.onCodeWrite(p, size);
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
      const p = host + (a & (PAGE_SIZE - 1));
      this.backing.set(bytes.subarray(done, done + chunk), p);
      if (this.codePages[p >>> PAGE_SHIFT] !== 0) this.onCodeWrite(p, chunk);
      done += chunk;
    }
  }

  /**
   * Bus-master read: fills `dest` from guest-physical memory as a device sees
   * it (RAM and ROM directly, MMIO through its handler, nothing as all ones).
   */
  readBytes(gpa: number, dest: Uint8Array): void {
    let done = 0;
    while (done < dest.length) {
      const a = (gpa + done) >>> 0;
      const chunk = Math.min(dest.length - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      const host = this.pageHost[a >>> PAGE_SHIFT];
      if (host !== NO_BACKING) {
        const p = host + (a & (PAGE_SIZE - 1));
        dest.set(this.backing.subarray(p, p + chunk), done);
      } else {
        for (let i = 0; i < chunk; i++) dest[done + i] = this.read((a + i) >>> 0, 1);
      }
      done += chunk;
    }
  }

  /**
   * Bus-master write: copies `src` into guest-physical memory as a device
   * sees it (RAM directly; ROM and nothing ignore it; MMIO through its
   * handler; shadow routing as the chipset says).
   */
  writeBytes(gpa: number, src: Uint8Array): void {
    let done = 0;
    while (done < src.length) {
      const a = (gpa + done) >>> 0;
      const page = a >>> PAGE_SHIFT;
      const chunk = Math.min(src.length - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      const host = this.pageHost[page];
      if (host !== NO_BACKING && !this.pageReadOnly[page]) {
        const p = host + (a & (PAGE_SIZE - 1));
        this.backing.set(src.subarray(done, done + chunk), p);
        if (this.codePages[p >>> PAGE_SHIFT] !== 0) this.onCodeWrite(p, chunk);
      } else {
        for (let i = 0; i < chunk; i++) this.write((a + i) >>> 0, 1, src[done + i]);
      }
      done += chunk;
    }
  }

  /** A write to a page whose writes do not go where its reads come from: to shadow RAM, or nowhere. */
  private writeRedirected(gpa: number, size: 1 | 2 | 4, value: number): void {
    const host = this.writeRedirect.get(gpa >>> PAGE_SHIFT);
    if (host === undefined) return;
    const p = host + (gpa & (PAGE_SIZE - 1));
    if (this.journal !== null) for (let i = 0; i < size; i++) this.journal.push(p + i, this.backing[p + i]);
    for (let i = 0; i < size; i++) this.backing[p + i] = value >> (8 * i);
    if (this.codePages[p >>> PAGE_SHIFT] !== 0) this.onCodeWrite(p, size);
  }

  /** The MMIO handler covering an address, or undefined. */
  private findMmio(gpa: number): MmioRange | undefined {
    for (const r of this.mmio) if (gpa >= r.start && gpa < r.end) return r;
    return undefined;
  }

  private readDevice(gpa: number, size: 1 | 2 | 4): number {
    this.deviceAccesses++;
    const r = this.findMmio(gpa);
    if (r) return r.handler.read(gpa - r.start, size);
    this.reportUnmapped(gpa, false);
    return size === 4 ? -1 : (1 << (8 * size)) - 1;
  }

  private writeDevice(gpa: number, size: 1 | 2 | 4, value: number): void {
    this.deviceAccesses++;
    const r = this.findMmio(gpa);
    if (r) { r.handler.write(gpa - r.start, size, value); return; }
    if (this.writeRedirect.has(gpa >>> PAGE_SHIFT)) { this.writeRedirected(gpa, size, value); return; }
    this.reportUnmapped(gpa, true);
  }

  private reportUnmapped(gpa: number, write: boolean): void {
    const page = gpa >>> PAGE_SHIFT;
    // A shadowable page routed to the bus with nothing there is a normal state (no option ROM), not a mistake.
    if (this.shadowPages.has(page) || this.reportedUnmapped.has(page)) return;
    this.reportedUnmapped.add(page);
    this.onUnmapped(gpa, write);
  }
}

/** A WebAssembly memory of at least `bytes`, or null when it cannot be had (too large, or refused). */
function createWasmMemory(bytes: number): WebAssembly.Memory | null {
  if (bytes > WASM_MAX_BYTES) return null;
  const pages = Math.ceil(bytes / WASM_PAGE);
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return null;
  }
}
