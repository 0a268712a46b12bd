/**
 * The x87 FPU's architectural state (SDM Vol. 1 §8.1): eight 80-bit data
 * registers used as a stack (TOP in FSW), the control word, the status word
 * with the condition codes C0-C3, the tag word, and the last instruction
 * and data pointers and opcode that FSTENV/FSAVE store. Everything lives in
 * preallocated objects; the instruction family in
 * src/cpu/instructions/x87.ts gives it meaning.
 *
 * The tag word is kept as "empty or not" per physical register; the full
 * two-bit tags (valid, zero, special) are computed from the contents when
 * stored, as the P6 family does (SDM Vol. 1 §8.1.7: FLDENV/FRSTOR only
 * honour the empty tag).
 */
import { Cls, EX_ALL, Ex, Float80, FpCore, classify } from './float80.js';
import { StoreResult } from './convert.js';

/** FSW bits (SDM Vol. 1 Figure 8-4). */
export const enum Sw {
  IE = 0x0001, DE = 0x0002, ZE = 0x0004, OE = 0x0008, UE = 0x0010, PE = 0x0020,
  SF = 0x0040, ES = 0x0080,
  C0 = 0x0100, C1 = 0x0200, C2 = 0x0400, TOP = 0x3800, C3 = 0x4000, B = 0x8000,
  /** C0, C1, C2 and C3. */
  CC = 0x4700,
}

/** FCW bits (SDM Vol. 1 Figure 8-6). */
export const enum Cw {
  /** The six exception masks. */
  MASKS = 0x003f,
  PC = 0x0300,
  RC = 0x0c00,
  /** Infinity control: kept for compatibility with the 287, has no effect. */
  X = 0x1000,
}

/** FCW after FNINIT/FINIT (SDM Vol. 1 §8.1.5: all exceptions masked, 64-bit precision, round to nearest). */
export const FCW_INIT = 0x037f;
/** FCW after RESET (SDM Vol. 3A Table 9-1). */
export const FCW_RESET = 0x0040;

/** Significand bits by FCW.PC (SDM Vol. 1 Table 8-2); the reserved 01 gives 64 bits on the host CPU. */
const PRECISION = [24, 64, 53, 64];

/** The x87 register file and control state. */
export class X87 {
  /** Physical registers R0..R7. */
  readonly regs: Float80[] = Array.from({ length: 8 }, () => new Float80());
  /** Bit i set: physical register i is empty. */
  emptyMask = 0;
  /** Stack top: ST(0) is regs[top]. */
  top = 0;
  /** Control word (only its defined bits). */
  cw = FCW_RESET;
  /** Status word without TOP (kept in {@link top}). */
  sw = 0;
  /** Last non-control instruction: offset, CS selector, opcode (11 bits). */
  fip = 0;
  fcs = 0;
  fop = 0;
  /** Last memory operand: offset and segment selector. */
  fdp = 0;
  fds = 0;
  /** The IGNNE# pin, driven by the board (PC: port F0h): with CR0.NE = 0, pending errors are ignored. */
  ignne = false;
  /** Significand bits the precision control asks for (24, 53, 64). */
  precision = 64;

  /** The arithmetic unit and scratch values (no allocation while running). */
  readonly core = new FpCore();
  readonly t0 = new Float80();
  readonly t1 = new Float80();
  readonly t2 = new Float80();
  readonly t3 = new Float80();
  readonly store = new StoreResult();
  readonly bytes = new Uint8Array(10);

  constructor() {
    this.reset();
  }

  /** RESET state (SDM Vol. 3A Table 9-1): FCW 0040h, FSW 0, all tags valid (+0.0), pointers 0. */
  reset(): void {
    for (const r of this.regs) r.set(0, 0, 0);
    this.emptyMask = 0;
    this.top = 0;
    this.setCw(FCW_RESET);
    this.sw = 0;
    this.clearPointers();
  }

  /** FNINIT (SDM Vol. 2 "FINIT/FNINIT"): FCW 037Fh, FSW 0, all empty, pointers 0; registers keep their contents. */
  init(): void {
    this.setCw(FCW_INIT);
    this.sw = 0;
    this.top = 0;
    this.emptyMask = 0xff;
    this.clearPointers();
  }

  private clearPointers(): void {
    this.fip = 0; this.fcs = 0; this.fop = 0; this.fdp = 0; this.fds = 0;
  }

  /** Loads FCW; bits 6-7 and 13-15 are reserved (bit 6 reads as 1 on the P6 family). */
  setCw(v: number): void {
    this.cw = (v & 0x1f3f) | 0x0040;
    this.core.masks = v & EX_ALL;
    this.core.rc = (v >> 10) & 3;
    this.precision = PRECISION[(v >> 8) & 3]!;
  }

  /** FSW with TOP. */
  getSw(): number {
    return (this.sw & ~Sw.TOP) | (this.top << 11);
  }

  /** Loads FSW (FLDENV/FRSTOR): TOP from bits 11-13. */
  setSw(v: number): void {
    this.top = (v >> 11) & 7;
    this.sw = v & 0xffff & ~Sw.TOP;
  }

  /** Physical register number of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  /** ST(i). */
  st(i: number): Float80 {
    return this.regs[(this.top + i) & 7]!;
  }

  /** Whether ST(i) is empty. */
  isEmpty(i: number): boolean {
    return ((this.emptyMask >> ((this.top + i) & 7)) & 1) !== 0;
  }

  /** Marks ST(i) valid (non-empty). */
  setValid(i: number): void {
    this.emptyMask &= ~(1 << ((this.top + i) & 7));
  }

  /** Marks ST(i) empty (FFREE). */
  setEmpty(i: number): void {
    this.emptyMask |= 1 << ((this.top + i) & 7);
  }

  /** Pops the stack: ST(0) becomes empty, TOP + 1. */
  pop(): void {
    this.emptyMask |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  /** TOP − 1 and marks the new ST(0) valid (the caller writes it). */
  push(): void {
    this.top = (this.top - 1) & 7;
    this.emptyMask &= ~(1 << this.top);
  }

  /** Two-bit tag of physical register `r` (SDM Vol. 1 Figure 8-7): 0 valid, 1 zero, 2 special, 3 empty. */
  tagOf(r: number): number {
    if (((this.emptyMask >> r) & 1) !== 0) return 3;
    switch (classify(this.regs[r]!)) {
      case Cls.Zero: return 1;
      case Cls.Normal: return 0;
      default: return 2;
    }
  }

  /** The full tag word. */
  tagWord(): number {
    let t = 0;
    for (let r = 0; r < 8; r++) t |= this.tagOf(r) << (2 * r);
    return t;
  }

  /** Loads the tag word: only "empty" (11) matters. */
  setTagWord(t: number): void {
    let m = 0;
    for (let r = 0; r < 8; r++) if (((t >> (2 * r)) & 3) === 3) m |= 1 << r;
    this.emptyMask = m;
  }

  /** FXSAVE's abridged tag: bit i set when physical register i is not empty. */
  abridgedTag(): number {
    return ~this.emptyMask & 0xff;
  }

  /**
   * Records the exceptions `flags` (Ex bits from the core) of the current
   * instruction in FSW: the sticky flags, SF, C1 (rounded-up / stack
   * overflow, otherwise cleared unless `keepC1`: FCMOVcc and FCOMI leave it
   * alone on the host CPU), and ES and B when one is unmasked.
   * Returns true when an unmasked exception is now pending.
   */
  signal(flags: number, keepC1 = false): boolean {
    let sw = (keepC1 && (flags & Ex.SF) === 0 ? this.sw : this.sw & ~Sw.C1) | (flags & (EX_ALL | Ex.SF | Ex.C1));
    const unmasked = (flags & ~this.cw & EX_ALL) !== 0;
    if (unmasked) sw |= Sw.ES | Sw.B;
    this.sw = sw;
    return unmasked;
  }

  /** Whether an unmasked exception is pending (FSW.ES). */
  get pending(): boolean {
    return (this.sw & Sw.ES) !== 0;
  }

  /**
   * Recomputes ES and B from the flags and masks (after FLDCW, FLDENV,
   * FRSTOR: unmasking a set flag makes an exception pending, masking all of
   * them clears it).
   */
  updateSummary(): void {
    if ((this.sw & ~this.cw & EX_ALL) !== 0) this.sw |= Sw.ES | Sw.B;
    else this.sw &= ~(Sw.ES | Sw.B);
  }
}
