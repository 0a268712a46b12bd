/**
 * The translation cache: compiled regions and their blocks. A block is
 * found by the host offset of its entry (host offsets name physical pages
 * one to one, ROM and RAM alike); a region is the one function that runs
 * the hot blocks of one code page under one mode (emit.ts). A page holding
 * translations is marked in `PhysicalMemory.codePages`; the CPU's TLB
 * carries TLB_CODE for it, which sends every write to such a page down the
 * slow path, where PhysicalMemory tells this cache which bytes changed. A
 * write over any block of a region drops the whole region (its blocks jump
 * to each other directly).
 *
 * The cache is bounded: past {@link MAX_BLOCKS} it is emptied whole (QEMU's
 * tb_flush does the same), which is simple and, with hot code re-translated
 * within a few thousand instructions, cheap.
 */
import type { Cpu } from '../cpu.js';

/**
 * A region's code: runs from block `s` until an exit or `end` instructions.
 * Returns the index of the block it left from, times 2, plus 1 when it
 * stopped after an interpreted instruction.
 */
export type RegionFn = (cpu: Cpu, s: number, end: number) => number;

/** What an invalidated region runs if something still calls it: nothing (callers check `valid` first). */
const STALE: RegionFn = () => 0;

/** The compiled code of some blocks of one page. */
export class Region {
  /** Cleared when the bytes under one of its blocks change or the cache is flushed; its code checks it after stores. */
  valid = true;
  fn: RegionFn = STALE;
  /** A WebAssembly region's slot in the runtime's function table, else -1. */
  wasmSlot = -1;
  /** Told once when the region is dropped (a WebAssembly region frees its table slot). */
  onRetire: (() => void) | null = null;
  readonly blocks: Block[] = [];
  /** The generated source, kept only when asked (lockstep, debugging). */
  source: string | undefined;
  constructor(
    /** What blocks of one page and mode share a region under: host page, host − EIP, mode. */
    readonly key: string,
    /** Bytes of its JavaScript source or WebAssembly module. */
    readonly sourceLength: number,
    readonly kind: 'js' | 'wasm' = 'js',
  ) {}
  /**
   * Marks it invalid and drops its code and its blocks' links, so that a
   * live block linking here keeps small objects alive, not code and a
   * chain of further stale regions behind it.
   */
  retire(): void {
    if (this.onRetire !== null) { this.onRetire(); this.onRetire = null; }
    this.valid = false;
    this.fn = STALE;
    for (const b of this.blocks) b.next0 = b.next1 = null;
  }
}

/** The entries of one page (under one CS base and mode) that became hot, and how many the last build of its regions covered. */
export interface HotGroup {
  entries: number[];
  built: number;
}

/** A block: one entry into its region. */
export class Block {
  /**
   * Lockstep leaves the block unchecked: it has x87 instructions (the FPU
   * stack is not in lockstep's snapshot) or RDTSC (its value depends on
   * when it runs).
   */
  unchecked = false;
  /** Each instruction's CS offset, kept only when asked (lockstep, debugging). */
  eips: readonly number[] | undefined;
  /**
   * Successor links (direct chaining between regions): the blocks last
   * entered after the region left from this block, with the EIP each was
   * entered at. A link is a hint, checked before use (still valid, same
   * EIP, same physical page).
   */
  nextEip0 = -1;
  next0: Block | null = null;
  nextEip1 = -1;
  next1: Block | null = null;
  constructor(
    readonly region: Region,
    /** Its case in the region's code. */
    readonly index: number,
    /** Host offset of the first byte, and one past the last. */
    readonly host: number,
    readonly hostEnd: number,
    /** CS offset of the entry and the mode bits it was compiled under. */
    readonly eip: number,
    readonly mode: number,
    /** Instructions in the block (the most it retires in one run). */
    readonly count: number,
    /** Largest CS offset it fetches from or jumps to directly. */
    readonly limitNeeded: number,
  ) {}

  get valid(): boolean { return this.region.valid; }

  /** Runs the region from this block, up to `end` instructions; returns as RegionFn. */
  run(cpu: Cpu, end: number): number { return this.region.fn(cpu, this.index, end); }

  /** True when `next` is the instruction after the one at `at` in this block (needs `eips`). */
  follows(at: number, next: number): boolean {
    const eips = this.eips ?? [];
    const i = eips.indexOf(at);
    return i >= 0 && i + 1 < eips.length && eips[i + 1] === next;
  }
}

/**
 * Most blocks kept. A block costs its share of its region's V8 heap
 * (bytecode, optimized code, source); 8192 of them stay within tens of
 * MiB, and a Linux boot's working set of hot blocks fits (see README.md
 * for the measurement).
 */
export const MAX_BLOCKS = 8192;

/** The bit of host offset `host`'s 16 bytes in its word of CodeCache.entryBits (word `host >>> 9`). */
function entryBit(host: number): number {
  return 1 << ((host >>> 4) & 31);
}

/** Regions and blocks, with write invalidation. */
export class CodeCache {
  readonly byEntry = new Map<number, Block>();
  /** Live regions by host page. */
  private readonly byPage = new Map<number, Region[]>();
  /** The hot entries of each page and mode (by Region.key), and how many of them the last build of its regions had. */
  private readonly groups = new Map<string, HotGroup>();

  /** Statistics. */
  blocks = 0;
  regions = 0;
  sourceBytes = 0;
  compiled = 0;
  /** Of those, compiled to WebAssembly. */
  compiledWasm = 0;
  invalidated = 0;
  flushes = 0;

  /**
   * One bit for each 16 bytes of host memory, set where a block starts,
   * and cleared with the last region of its page. Most lookups on a page
   * with translations are of code that has none (kernel pages hold hot and
   * cold functions side by side: 4.3 M of the boot's 5.6 M such lookups
   * found no block); a clear bit answers them without the mode key, the
   * jump cache and the Map. The array is 1/128 of host memory; only its
   * parts for code pages are ever written, so only those become resident.
   */
  private readonly entryBits: Uint32Array;

  constructor(private readonly cpu: Cpu, private readonly maxBlocks = MAX_BLOCKS) {
    this.entryBits = new Uint32Array(cpu.mem.codePages.length * 8);
  }

  /** False when no block starts within the 16 bytes that host offset `host` lies in. */
  mayHaveEntry(host: number): boolean {
    return (this.entryBits[host >>> 9] & entryBit(host)) !== 0;
  }

  /** The block entered at host offset `host`, if any. */
  get(host: number): Block | undefined {
    return this.byEntry.get(host);
  }

  /** The hot-entry group of `key` (a page, CS base and mode), made empty when new. */
  group(key: string): HotGroup {
    let g = this.groups.get(key);
    if (g === undefined) {
      g = { entries: [], built: 0 };
      this.groups.set(key, g);
    }
    return g;
  }

  /** Adds a compiled region; regions it replaces (any with a block at one of its entries) are dropped. */
  add(region: Region): void {
    for (const b of region.blocks) {
      const old = this.byEntry.get(b.host);
      if (old !== undefined && old.region.valid) this.removeRegion(old.region, false);
    }
    if (this.blocks + region.blocks.length > this.maxBlocks) this.flush();
    const page = region.blocks[0].host >>> 12;
    for (const b of region.blocks) {
      this.byEntry.set(b.host, b);
      this.entryBits[b.host >>> 9] |= entryBit(b.host);
    }
    let list = this.byPage.get(page);
    if (list === undefined) {
      list = [];
      this.byPage.set(page, list);
      this.cpu.mem.codePages[page] = 1;
      this.cpu.tlb.markHostPage(page << 12);
    }
    list.push(region);
    this.blocks += region.blocks.length;
    this.regions++;
    this.compiled++;
    if (region.kind === 'wasm') this.compiledWasm++;
    this.sourceBytes += region.sourceLength;
  }

  /** Host bytes [host, host + size) were written: drops the regions with blocks over them. */
  invalidate(host: number, size: number): void {
    const page = host >>> 12;
    const list = this.byPage.get(page);
    if (list === undefined) {
      this.cpu.mem.codePages[page] = 0;
      return;
    }
    const end = host + size;
    for (let i = list.length - 1; i >= 0; i--) {
      const region = list[i];
      if (region.blocks.some((b) => b.host < end && host < b.hostEnd)) this.removeRegion(region, true);
    }
    // A write may straddle into the next page.
    if (((end - 1) >>> 12) !== page) this.invalidate((page + 1) << 12, end - ((page + 1) << 12));
  }

  /**
   * Drops a region from the cache (Region.retire); `counted` when code
   * was written over it, not when a rebuild replaced it.
   */
  private removeRegion(region: Region, counted: boolean): void {
    region.retire();
    // Code written over: the page's entries must become hot again before they are compiled.
    if (counted) {
      this.invalidated++;
      this.groups.delete(region.key);
    }
    for (const b of region.blocks) if (this.byEntry.get(b.host) === b) this.byEntry.delete(b.host);
    const page = region.blocks[0].host >>> 12;
    const list = this.byPage.get(page);
    if (list === undefined) return;
    const i = list.indexOf(region);
    if (i >= 0) {
      list.splice(i, 1);
      this.blocks -= region.blocks.length;
      this.regions--;
      this.sourceBytes -= region.sourceLength;
    }
    if (list.length === 0) {
      this.byPage.delete(page);
      this.clearEntryBits(page);
      // The TLB may still send writes to this page the slow way; that costs only until its next flush.
      this.cpu.mem.codePages[page] = 0;
    }
  }

  private clearEntryBits(page: number): void {
    this.entryBits.fill(0, page * 8, page * 8 + 8);
  }

  /** Told before a flush retires every region (the WebAssembly runtime empties its jump cache once). */
  onFlush: () => void = () => {};

  /** Drops every region. */
  flush(): void {
    this.onFlush();
    for (const list of this.byPage.values()) for (const r of list) r.retire();
    for (const page of this.byPage.keys()) {
      this.cpu.mem.codePages[page] = 0;
      this.clearEntryBits(page);
    }
    this.byEntry.clear();
    this.byPage.clear();
    this.groups.clear();
    this.blocks = 0;
    this.regions = 0;
    this.sourceBytes = 0;
    this.flushes++;
  }
}
