/**
 * The translation cache: compiled blocks by the host offset of their entry
 * (host offsets name physical pages one to one, ROM and RAM alike), and by
 * host page for invalidation. A page holding translations is marked in
 * `PhysicalMemory.codePages`; the CPU's TLB carries TLB_CODE for it, which
 * sends every write to such a page down the slow path, where
 * PhysicalMemory tells this cache which bytes changed.
 *
 * The cache is bounded: past {@link MAX_BLOCKS} it is emptied whole (QEMU's
 * tb_flush does the same), which is simple and, with hot code re-translated
 * within a few thousand instructions, cheap.
 */
import type { Cpu } from '../cpu.js';

/** What an invalidated block runs if something still calls it: nothing (callers check `valid` first). */
function STALE(): void {}

/** A compiled block. */
export class Block {
  /** Cleared when the bytes under it change or the cache is flushed; running code checks it after stores. */
  valid = true;
  fn: (cpu: Cpu) => void = () => {};
  /** The generated source and each instruction's CS offset, kept only when asked (lockstep, debugging). */
  source: string | undefined;
  eips: readonly number[] | undefined;
  /**
   * Lockstep leaves the block unchecked: it has x87 instructions (the FPU
   * stack is not in lockstep's snapshot) or RDTSC (its value depends on
   * when it runs).
   */
  unchecked = false;
  /**
   * The last instruction ran in the interpreter: it may have changed the
   * mode (far transfer, IRET, segment load…), so what follows is found by
   * a full lookup rather than through the successor links.
   */
  endsInFallback = false;
  /**
   * Successor links (direct chaining): the blocks last seen at two exits,
   * with the EIP each was entered at. A link is a hint, checked before use
   * (still valid, same EIP, same physical page through the TLB).
   */
  nextEip0 = -1;
  next0: Block | null = null;
  nextEip1 = -1;
  next1: Block | null = null;
  constructor(
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
    /** Length of the generated source, for the memory estimate. */
    readonly sourceLength: number,
  ) {}

  /** True when `next` is the instruction after the one at `at` in this block (needs `eips`). */
  follows(at: number, next: number): boolean {
    const eips = this.eips ?? [];
    const i = eips.indexOf(at);
    return i >= 0 && i + 1 < eips.length && eips[i + 1] === next;
  }
}

/**
 * Most blocks kept. A compiled block costs a few KiB of V8 heap (closure,
 * bytecode, optimized code, source); 8192 of them stay within tens of MiB,
 * and a Linux boot's working set of hot blocks fits (see README.md for the
 * measurement).
 */
export const MAX_BLOCKS = 8192;

/** Blocks by entry and by page, with write invalidation. */
export class CodeCache {
  readonly byEntry = new Map<number, Block>();
  private readonly byPage = new Map<number, Block[]>();
  /**
   * Drops what an invalid block holds: its compiled code and its links, so
   * that a live block linking to it keeps one small object alive, not its
   * code and a chain of further stale blocks behind it.
   */
  private retire(block: Block): void {
    block.valid = false;
    block.fn = STALE;
    block.next0 = block.next1 = null;
  }

  /** Statistics. */
  blocks = 0;
  sourceBytes = 0;
  compiled = 0;
  invalidated = 0;
  flushes = 0;

  constructor(private readonly cpu: Cpu, private readonly maxBlocks = MAX_BLOCKS) {}

  /** The block entered at host offset `host`, if any. */
  get(host: number): Block | undefined {
    return this.byEntry.get(host);
  }

  add(block: Block): void {
    if (this.blocks >= this.maxBlocks) this.flush();
    const old = this.byEntry.get(block.host);
    if (old !== undefined) this.remove(old);
    this.byEntry.set(block.host, block);
    const page = block.host >>> 12;
    let list = this.byPage.get(page);
    if (list === undefined) {
      list = [];
      this.byPage.set(page, list);
      this.cpu.mem.codePages[page] = 1;
      this.cpu.tlb.markHostPage(page << 12);
    }
    list.push(block);
    this.blocks++;
    this.compiled++;
    this.sourceBytes += block.sourceLength;
  }

  /** Host bytes [host, host + size) were written: drops the blocks over them. */
  invalidate(host: number, size: number): void {
    const page = host >>> 12;
    const list = this.byPage.get(page);
    if (list === undefined) {
      this.cpu.mem.codePages[page] = 0;
      return;
    }
    const end = host + size;
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i];
      if (b.host < end && host < b.hostEnd) this.remove(b);
    }
    // A write may straddle into the next page.
    if (((end - 1) >>> 12) !== page) this.invalidate((page + 1) << 12, end - ((page + 1) << 12));
  }

  private remove(block: Block): void {
    this.retire(block);
    this.invalidated++;
    if (this.byEntry.get(block.host) === block) this.byEntry.delete(block.host);
    const page = block.host >>> 12;
    const list = this.byPage.get(page);
    if (list === undefined) return;
    const i = list.indexOf(block);
    if (i >= 0) {
      list.splice(i, 1);
      this.blocks--;
      this.sourceBytes -= block.sourceLength;
    }
    if (list.length === 0) {
      this.byPage.delete(page);
      // The TLB may still send writes to this page the slow way; that costs only until its next flush.
      this.cpu.mem.codePages[page] = 0;
    }
  }

  /** Drops every block. */
  flush(): void {
    for (const list of this.byPage.values()) for (const b of list) this.retire(b);
    for (const page of this.byPage.keys()) this.cpu.mem.codePages[page] = 0;
    this.byEntry.clear();
    this.byPage.clear();
    this.blocks = 0;
    this.sourceBytes = 0;
    this.flushes++;
  }
}
