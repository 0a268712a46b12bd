/**
 * Software TLB: linear page number → host offset of the backing page, with
 * permission bits in the low 12 bits. One entry per 4 KiB linear page
 * (1 Mi entries, 4 MiB), so a lookup is one typed-array load and a mask test.
 * Filled entries are listed so a flush touches only what was filled.
 */

/** The entry holds a translation. */
export const TLB_VALID = 1;
/** The guest-physical page has no host backing: MMIO or unmapped (always slow path). */
export const TLB_NOBACK = 2;
/** CPL 3 may not read (U/S = 0 somewhere on the walk). */
export const TLB_NO_USER_READ = 4;
/** CPL 3 may not write (R/W = 0 or U/S = 0, or dirty bit still clear, or ROM). */
export const TLB_NO_USER_WRITE = 8;
/** CPL 0-2 may not write on the fast path (CR0.WP and R/W = 0, dirty bit clear, or ROM). */
export const TLB_NO_SUP_WRITE = 16;
/** Translation from a global page (PTE.G with CR4.PGE): survives CR3 writes. */
export const TLB_GLOBAL = 32;
/**
 * Set in every filled entry. A lookup mask that includes it sends every
 * access to the slow path: how alignment checking (#AC) is switched on
 * without costing the fast path anything when it is off.
 */
export const TLB_FILLED = 64;
/**
 * The page holds translated code (translator/code-cache.ts): write masks
 * include it, so every write to the page takes the slow path, which tells
 * the translator what changed.
 */
export const TLB_CODE = 128;
/** Translation from a 4 MiB or 2 MiB page: INVLPG anywhere in that page drops it. */
export const TLB_LARGE = 64;

/** 4 KiB entries per 4 MiB region: the largest page size (a 2 MiB PAE page fits inside one). */
const LARGE_PAGE_ENTRIES = 1024;

/** Past this many filled entries a flush clears the whole array instead of walking the list. */
const LIST_CAPACITY = 1 << 16;

/** The translation cache of one CPU. */
export class Tlb {
  readonly entries: Int32Array;
  private readonly filled = new Int32Array(LIST_CAPACITY);
  private filledCount = 0;
  private overflowed = false;
  /** Some entry may carry TLB_LARGE (cleared by a full flush). */
  private mayHoldLarge = false;
  /** When set, every entry change appends (page, old entry): the undo log of lockstep checking. */
  private journal: number[] | null = null;
  /** List state at beginJournal; the list itself is copied only if a flush is about to reorder it. */
  private saved: { filled: Int32Array | null; filledCount: number; overflowed: boolean; mayHoldLarge: boolean } | undefined;

  /** Starts recording changes so {@link undoJournal} can put the TLB back exactly as it is now. */
  beginJournal(): void {
    this.journal = [];
    this.saved = {
      filled: null, filledCount: this.filledCount,
      overflowed: this.overflowed, mayHoldLarge: this.mayHoldLarge,
    };
  }

  /** Stops recording; with `undo`, restores every entry and the fill list to their state at beginJournal. */
  endJournal(undo: boolean): void {
    const j = this.journal, s = this.saved;
    this.journal = null;
    this.saved = undefined;
    if (!undo || j === null || s === undefined) return;
    for (let i = j.length - 2; i >= 0; i -= 2) this.entries[j[i]] = j[i + 1];
    if (s.filled !== null) this.filled.set(s.filled);
    this.filledCount = s.filledCount;
    this.overflowed = s.overflowed;
    this.mayHoldLarge = s.mayHoldLarge;
  }

  /** `entries`: 1 Mi zeroed entries, which may live in the machine's WebAssembly memory. */
  constructor(entries: Int32Array = new Int32Array(1 << 20)) {
    if (entries.length !== 1 << 20) throw new RangeError('a TLB has 1 Mi entries');
    this.entries = entries;
  }

  private note(page: number): void {
    if (this.journal !== null) this.journal.push(page, this.entries[page]);
  }

  set(page: number, entry: number, global: boolean): void {
    this.note(page);
    if (this.entries[page] === 0) {
      if (this.filledCount < LIST_CAPACITY) this.filled[this.filledCount++] = page;
      else this.overflowed = true;
    }
    this.entries[page] = global ? entry | TLB_GLOBAL : entry;
  }

  /** Marks a just-filled entry as part of a large page. */
  markLarge(page: number): void {
    this.note(page);
    this.entries[page] |= TLB_LARGE;
    this.mayHoldLarge = true;
  }

  /**
   * INVLPG: drops the entry for `page`. A large page is cached here as many
   * 4 KiB entries, but on hardware it is one TLB entry that INVLPG of any
   * address inside it removes (SDM Vol. 3A §4.10.4.1), so every large-page
   * entry of the surrounding 4 MiB region goes too; dropping more than
   * needed is always allowed.
   */
  invalidate(page: number): void {
    const entries = this.entries;
    this.note(page);
    entries[page] = 0;
    if (!this.mayHoldLarge) return;
    const first = page & ~(LARGE_PAGE_ENTRIES - 1);
    for (let i = first; i < first + LARGE_PAGE_ENTRIES; i++) {
      if ((entries[i] & TLB_LARGE) !== 0) { this.note(i); entries[i] = 0; }
    }
  }

  /** Sets TLB_CODE in every entry that maps the host page at `hostPage` (a page-aligned host offset). */
  markHostPage(hostPage: number): void {
    const entries = this.entries;
    const mark = (i: number): void => {
      const e = entries[i];
      if (e !== 0 && (e & ~0xfff) === hostPage) { this.note(i); entries[i] = e | TLB_CODE; }
    };
    if (this.overflowed) for (let i = 0; i < entries.length; i++) mark(i);
    else for (let i = 0; i < this.filledCount; i++) mark(this.filled[i]);
  }

  /** Drops every entry, or every non-global one. */
  flush(includeGlobal: boolean): void {
    const entries = this.entries;
    if (includeGlobal) this.mayHoldLarge = false;
    if (this.journal !== null) {
      for (let i = 0; i < entries.length; i++) if (entries[i] !== 0) this.note(i);
      if (this.saved !== undefined && this.saved.filled === null) this.saved.filled = this.filled.slice(0, this.saved.filledCount);
    }
    if (this.overflowed) {
      if (includeGlobal) entries.fill(0);
      else for (let i = 0; i < entries.length; i++) if ((entries[i] & TLB_GLOBAL) === 0) entries[i] = 0;
      this.rebuildList();
      return;
    }
    let kept = 0;
    for (let i = 0; i < this.filledCount; i++) {
      const page = this.filled[i];
      if (!includeGlobal && (entries[page] & TLB_GLOBAL) !== 0) this.filled[kept++] = page;
      else entries[page] = 0;
    }
    this.filledCount = kept;
  }

  private rebuildList(): void {
    this.filledCount = 0;
    this.overflowed = false;
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i] === 0) continue;
      if (this.filledCount < LIST_CAPACITY) this.filled[this.filledCount++] = i;
      else { this.overflowed = true; return; }
    }
  }
}
