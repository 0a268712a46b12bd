/**
 * Emits the JavaScript source of one region: the hot blocks of one code
 * page, compiled into one function. A pure function from decoded
 * instructions to text, so golden tests can pin it down.
 *
 * Shape of a region (see README.md for the why of each part):
 *
 *     return function region(c, s, end) {
 *       const r = c.regs; let r0 = r[0], …, r7 = r[7];      // registers in locals
 *       let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0;
 *       try {
 *         loop: for (;;) {
 *           sw: switch (s) {
 *             case 0: { if (n + COUNT > end) { eip = …; break loop; } …block 0…; }
 *             …
 *           }
 *           n += x; x = 0; if (…the run loop's checks…) break loop; s = t;
 *         }
 *       } catch (e) { …locals back to c.regs unless spilled; count and prevEip of instruction k…; throw e; }
 *       r[0] = r0; …; c.eip = eip; c.instructions = n + x; return (s << 1) | fb;
 *     };
 *
 * A direct jump to a block of the same region is `x = count; eip = …;
 * t = index; break sw`: one shared tail counts the instructions and makes
 * the run loop's checks (stop, interrupts, the region still valid), so a
 * loop within a page runs inside one function that V8 optimizes as a
 * loop. A jump out of the region is `x = count; eip = …; break loop`.
 * `n` counts instructions up to the current block's start; instruction i
 * of a block counts as n + i.
 *
 * Exits and jumps are only assignments of constants: V8 compiles a region
 * with the type feedback its code has gathered, and code that never ran
 * (a branch direction not taken yet) has none, so arithmetic or property
 * access there would deoptimize the whole region the first time it runs.
 * The shared tail and the epilogue run on every jump and exit.
 *
 * Each instruction either has a specialised emitter (emit-ops.ts), which
 * inlines its meaning or calls the interpreter's own semantic helpers
 * (`alu`, `inc`, `shift`, `testCondition`…), or falls back to the
 * interpreter: registers are spilled to c.regs, EIP set to the instruction
 * and `c.step()` runs it with the same handler as always. A memory access
 * through a flat DS/ES/SS has the TLB fast path written out inline (one TLB
 * load, a mask test, a typed-array access); its slow path, and every access
 * through another segment, calls memory-access.ts. A fault anywhere leaves the architectural
 * state exactly as the interpreter would: emitters fault before they write
 * a register, and the catch writes the locals back.
 */
import type { DecodedInsn } from './decode.js';
import { REG8_NAMES, REG16_NAMES, REG32_NAMES, SEG_NAMES, Seg } from '../registers.js';
import { CONDITIONS } from '../opcode-table.js';
import { MEMORY_ACCESS_NAMES } from './memory-access.js';
import { lockAllows } from './insn-operands.js';


/** What an emitter knows of the flags' producer when the flags are still those it set. */
export interface KnownFlags {
  /** The lazy kind the producer recorded (flags.ts LazyOp): 1 ADD, 3 SUB, 5 LOGIC, 6 INC, 7 DEC, 8 RESULT (shifts). */
  kind: number;
  /** For INC, DEC and shifts: a local holding CF (0 or 1). */
  cf?: string;
  size: number;
  /** JS expressions (locals or literals) of the operands and the masked result. */
  a: string;
  b: string;
  r: string;
}

/**
 * Emits the code of one instruction class: returns false (having emitted
 * nothing) to leave the instruction to the interpreter.
 */
export type Emitter = (e: InsnEmitter) => boolean;

/** Emitters by instruction class: the handler name of the opcode table entry (`ADD_EvGv`, `G5_Ev`). */
export type EmitterTable = Readonly<Record<string, Emitter>>;

/** One block ready to be emitted. */
export interface BlockPlan {
  /** CS offset of the first instruction. */
  eip: number;
  insns: readonly DecodedInsn[];
  /** Mode bits the block was decoded under (see translator.ts modeKey). */
  mode: number;
}

/** Mode bit (mode-key.ts modeKey): CS.D, the default operand and address size is 32 bits. */
export const MODE_CODE32 = 1;
/** Mode bit (mode-key.ts modeKey): DS, ES and SS are flat (base 0, limit 4 GiB, readable and writable). */
export const MODE_FLAT = 64;

/** The per-instruction emission interface emitters see. */
export class InsnEmitter {
  /** Lines of the current instruction. */
  readonly lines: string[] = [];
  /** The instruction may throw a guest fault: record its index first. */
  canFault = false;
  /** The instruction ends the block (it emitted its exits). */
  ended = false;
  /** Flags as left by the last producer in this block, if still known. */
  flags: KnownFlags | undefined;
  /** Targets beyond the block's own bytes that the CS limit must cover. */
  targets: number[] = [];

  constructor(
    readonly insn: DecodedInsn,
    /** Index of the instruction in the region (names its locals, indexes the fault tables). */
    readonly k: number,
    /** Index of the instruction in its block, and the block's length. */
    readonly i: number,
    readonly count: number,
    flags: KnownFlags | undefined,
    /** The region's block index entered at a CS offset, or -1. */
    private readonly resolve: (eip: number) => number,
    private readonly mode: number,
  ) {
    this.flags = flags;
  }

  /** CS offset of the next instruction. */
  get next(): number { return (this.insn.eip + this.insn.length) | 0; }
  /** Operand size in bytes for v-sized operands. */
  get osize(): number { return this.insn.opsize32 ? 4 : 2; }

  emit(line: string): void { this.lines.push(line); }

  /** A local name unique to this instruction. */
  v(name: string): string { return `${name}_${this.k}`; }

  /** Marks the instruction as able to fault; the instruction counter is brought up to date first (MMIO may read it). */
  fault(): void {
    this.markFault();
    if (this.countSet) return;
    this.countSet = true;
    this.lines.splice(1, 0, `c.instructions = n + ${this.i};`);
  }

  /** Records the instruction's index for the catch; the memory accessors set the count themselves on their slow path. */
  private markFault(): void {
    if (this.canFault) return;
    this.canFault = true;
    this.lines.unshift(`k = ${this.k};`);
  }
  private countSet = false;

  // ---- registers --------------------------------------------------------------

  /** Expression reading register `n` as a `size`-byte operand (8-bit: AL..BH encoding). */
  reg(size: number, n: number): string {
    if (size === 4) return `r${n}`;
    if (size === 2) return `(r${n} & 0xffff)`;
    return n < 4 ? `(r${n} & 0xff)` : `((r${n - 4} >> 8) & 0xff)`;
  }

  /** Statement writing `value` (an expression evaluated once) to register `n`. */
  setReg(size: number, n: number, value: string): void {
    // Parenthesised unless a plain name or number: `a | b & 0xffff` would mask only b.
    if (size !== 4 && !/^[\w.[\]]+$/.test(value)) value = `(${value})`;
    if (size === 4) this.emit(`r${n} = ${value};`);
    else if (size === 2) this.emit(`r${n} = (r${n} & -65536) | (${value} & 0xffff);`);
    else if (n < 4) this.emit(`r${n} = (r${n} & -256) | (${value} & 0xff);`);
    else this.emit(`r${n - 4} = (r${n - 4} & -65281) | ((${value} & 0xff) << 8);`);
  }

  /**
   * Before code that reads or writes guest registers through `c.regs`
   * rather than through {@link reg}/{@link setReg} (c.push, c.pop,
   * c.adjustSp, the interpreter's step, a semantic helper that takes `c`
   * and touches registers): writes the locals back. Until {@link reload},
   * c.regs is the truth, also for the catch.
   */
  spill(): void {
    this.emit(`${SPILL} w = 0; c.instructions = n + ${this.i};`);
  }

  /** After such code: takes the registers back from `c.regs`. */
  reload(): void {
    this.emit(`${RELOAD} w = 1;`);
  }

  // ---- memory -----------------------------------------------------------------

  /** Expression of the memory operand's offset (computed with the address size). */
  ea(): string {
    const i = this.insn;
    const parts: string[] = [];
    if (i.base >= 0) parts.push(`r${i.base}`);
    if (i.index >= 0) parts.push(i.scale === 0 || !i.addrsize32 ? `r${i.index}` : `(r${i.index} << ${i.scale})`);
    if (i.disp !== 0 || parts.length === 0) parts.push(String(i.disp));
    const noRegs = i.base < 0 && i.index < 0;
    if (!i.addrsize32) return noRegs ? String(i.disp & 0xffff) : `((${parts.join(' + ')}) & 0xffff)`;
    if (noRegs) return String(i.disp | 0);
    if (parts.length === 1 && i.index < 0) return parts[0];
    return `((${parts.join(' + ')}) | 0)`;
  }

  /** The accessor (memory-access.ts) for seg: the flat form for DS/ES/SS when the mode says they are flat. */
  private accessor(kind: 'r' | 'w', size: number, seg: number): string {
    return `${kind}${this.flatSeg(seg) ? 'f' : 's'}${size * 8}`;
  }

  /**
   * Expression reading `size` bytes at seg:off: the TLB fast path, which
   * TurboFan inlines, or the CPU's accessor, given the instruction count
   * (a device may read the time).
   */
  read(size: number, seg: number, off: string): string {
    this.markFault();
    const call = (offset: string): string => `${this.accessor('r', size, seg)}(c, ${seg}, ${offset}, ${this.i})`;
    if (!this.flatSeg(seg)) return call(off);
    // The TLB fast path written out (no call for TurboFan to inline; its inlining budget runs
    // out within a few accesses of a region): an aligned access, so it cannot cross the page.
    // `ea` and `te` are the region's scratch: nothing else runs between their set and use.
    return `(${fastPath(off, 'tlbReadMask', size)} ? ${HOST_ELEMENT[size]} : ${call('ea')})`;
  }

  /**
   * Statement writing `value` to seg:off, then leaving the block if that
   * write hit the block's own code. An instruction with more to do after
   * the store (a string operation stepping EDI) passes `check` false and
   * calls {@link afterStore} itself once it is complete.
   */
  write(size: number, seg: number, off: string, value: string, check = true): void {
    this.markFault();
    const call = (offset: string, v: string): string => `${this.accessor('w', size, seg)}(c, ${seg}, ${offset}, ${v}, ${this.i});`;
    if (!this.flatSeg(seg)) {
      this.emit(call(off, value));
      if (check) this.afterStore();
      return;
    }
    // As read() does; only the slow path can hit this region's code (TLB_CODE is in the write mask).
    const v = this.v(`wv${this.stores++}`);
    this.emit(`const ${v} = ${value};`);
    this.emit(`if (${fastPath(off, 'tlbWriteMask', size)}) ${HOST_ELEMENT[size]} = ${v};`);
    this.emit(`else { ${call('ea', v)}${check ? ` ${this.staleExit()}` : ''} }`);
  }
  private stores = 0;

  /**
   * Statement reading the old value of a read-modify-write operand into
   * `local`, as Cpu.readModifyMem does (write permission checked now, so a
   * fault is a write fault). With a flat segment the TLB fast path is
   * inline and remembers the host index for {@link writeModified}.
   */
  readModify(local: string, size: number, seg: number, off: string): void {
    if (!this.flatSeg(seg)) {
      this.emit(`const ${local} = c.readModifyMem(${size}, ${seg}, ${off});`);
      return;
    }
    const h = this.v('h');
    this.rmwHost = h;
    this.emit(`const ${h} = ${fastPath(off, 'tlbWriteMask', size)} ? ${HOST[size]} : -1;`);
    this.emit(`const ${local} = ${h} >= 0 ? ${HOST_ARRAY[size]}[${h}] : c.readModifyMem(${size}, ${seg}, ea);`);
  }

  /** Statement writing the new value of the operand {@link readModify} read (Cpu.writeModifiedMem). */
  writeModified(size: number, value: string): string {
    const h = this.rmwHost;
    if (h === undefined) return `c.writeModifiedMem(${size}, ${value});`;
    const v = this.v(`wv${this.stores++}`);
    return `{ const ${v} = ${value}; if (${h} >= 0) ${HOST_ARRAY[size]}[${h}] = ${v}; else c.writeModifiedMem(${size}, ${v}); }`;
  }
  private rmwHost: string | undefined;

  /** DS, ES and SS when the mode says they are flat: the offset is the linear address. */
  private flatSeg(seg: number): boolean {
    return (this.mode & MODE_FLAT) !== 0 && (seg === Seg.DS || seg === Seg.ES || seg === Seg.SS);
  }

  // ---- stack ------------------------------------------------------------------

  /** SS.B (in the mode key): the stack pointer is ESP, else SP. */
  private get stack32(): boolean { return (this.mode & 2) !== 0; }

  /**
   * PUSH inline: the store below the stack pointer, then the pointer moves,
   * so a fault leaves (E)SP as it was (Cpu.push does the same).
   */
  push(size: number, value: string): void {
    const sp = this.v('psp');
    this.emit(`const ${sp} = ${this.stack32 ? `(r4 - ${size}) | 0` : `(r4 - ${size}) & 0xffff`};`);
    this.write(size, Seg.SS, sp, value, false);
    this.emit(this.stack32 ? `r4 = ${sp};` : `r4 = (r4 & -65536) | ${sp};`);
  }

  /** The read half of POP: a local holding `size` bytes at SS:(E)SP; (E)SP moves only at {@link popDone}. */
  popRead(size: number): string {
    const v = this.v('pop');
    this.emit(`const ${v} = ${this.read(size, Seg.SS, this.stack32 ? 'r4' : '(r4 & 0xffff)')};`);
    return v;
  }

  /** Releases `bytes` of stack: (E)SP += bytes, with SS.B's width. */
  popDone(bytes: number): void {
    this.emit(this.stack32 ? `r4 = (r4 + ${bytes}) | 0;` : `r4 = (r4 & -65536) | ((r4 + ${bytes}) & 0xffff);`);
  }

  /** After a store: a write to this region's code invalidated it, so stop before running stale code. */
  afterStore(): void {
    this.emit(this.staleExit());
  }

  private staleExit(): string {
    return `if (!R.valid) { x = ${this.i + 1}; eip = ${this.next}; break loop; }`;
  }

  /** Expression reading operand E (register or memory); evaluate once. */
  readE(size: number): string {
    const i = this.insn;
    return i.mod === 3 ? this.reg(size, i.rm) : this.read(size, i.eaSeg, this.ea());
  }

  /** Writes operand E. */
  writeE(size: number, value: string): void {
    const i = this.insn;
    if (i.mod === 3) this.setReg(size, i.rm, value);
    else this.write(size, i.eaSeg, this.ea(), value);
  }

  // ---- flags ------------------------------------------------------------------

  /** Records the lazy flags as flags.ts setLazy does, and remembers the producer for a following Jcc. */
  setLazy(kind: number, a: string, b: string, result: string, size: number): void {
    this.emit(`c.lazyOp = ${kind}; c.lazyA = ${a}; c.lazyB = ${b}; c.lazyR = ${result}; c.lazySize = ${size}; c.lazyMask = 0x8d5;`);
    this.flags = { kind, size, a, b, r: result };
  }

  /** Expression of CF (0 or 1) from the known producer, or undefined when it is not known here. */
  knownCarry(): string | undefined {
    const f = this.flags;
    if (f === undefined) return undefined;
    switch (f.kind) {
      case 1: return `(${unsigned(f.r, f.size)} < ${unsigned(f.a, f.size)} ? 1 : 0)`;
      case 3: return `(${unsigned(f.a, f.size)} < ${unsigned(f.b, f.size)} ? 1 : 0)`;
      case 5: return '0';
      default: return f.cf;
    }
  }

  /** Expression: condition `cc` (low nibble of Jcc/SETcc/CMOVcc) holds. */
  condition(cc: number): string {
    const f = this.flags;
    const direct = f === undefined ? undefined : knownCondition(f, cc >> 1);
    if (direct === undefined) return `testCondition(c, ${cc})`;
    return (cc & 1) !== 0 ? `!(${direct})` : direct;
  }

  // ---- control ----------------------------------------------------------------

  /** Leaves the block with EIP = `eip` (an expression) after this instruction: out of the region. */
  exit(eip: string): void {
    this.emit(`x = ${this.i + 1}; eip = ${eip}; break loop;`);
  }

  /**
   * Ends the block with an indirect jump (RET, JMP/CALL r/m) to `eip`, an
   * expression: to the region's block there if it has one (found by the
   * region's `default` case), else out of the region. The region's own
   * page is mapped as when it was entered (nothing inside a region changes
   * the TLB; interpreted instructions leave it), so its blocks' CS offsets
   * still name their code.
   */
  indirect(eip: string): void {
    this.emit(`x = ${this.i + 1}; eip = ${eip}; t = ~s; break sw;`);
    this.ended = true;
  }

  /** Ends the block with a direct jump to CS offset `target`: within the region when it has that block. */
  jump(target: number): void {
    this.emit(this.transfer(target));
    this.ended = true;
  }

  /** Ends the block with a conditional branch: `cond` ? `taken` : the next instruction. */
  branch(cond: string, taken: number): void {
    this.emit(`if (${cond}) { ${this.transfer(taken)} }`);
    this.emit(this.transfer(this.next));
    this.ended = true;
  }

  /** Code that moves to `target` after this instruction (see the file comment). */
  transfer(target: number): string {
    const index = this.resolve(target);
    const head = `x = ${this.i + 1}; eip = ${target};`;
    if (index < 0) return `${head} break loop;`;
    return `${head} t = ${index}; break sw;`;
  }
}

/** What makes a region stop at a jump between its blocks: what the run loop must see (translator.ts runBlock). */
const ATTENTION = 'c.stopRequested || c.nmiPending || !R.valid || (c.intrLine && (c.flags & 0x200) !== 0)';

/** Inline TLB fast path by access size: the alignment test (an aligned access stays in its page) and the host index. */
const ALIGNED: Record<number, string> = { 1: '', 2: ' && (ea & 1) === 0', 4: ' && (ea & 3) === 0' };
const HOST: Record<number, string> = { 1: '(te & -4096) | (ea & 0xfff)', 2: '((te & -4096) | (ea & 0xfff)) >> 1', 4: '((te & -4096) | (ea & 0xfff)) >> 2' };
const HOST_ARRAY: Record<number, string> = { 1: 'MEM8', 2: 'MEM16', 4: 'MEM32' };
/** The RAM element an aligned access of each size reads or writes. */
const HOST_ELEMENT: Record<number, string> = Object.fromEntries([1, 2, 4].map((n) => [n, `${HOST_ARRAY[n]}[${HOST[n]}]`]));

/**
 * Condition of the inline fast path: the TLB entry of the offset `off`
 * (flat: the linear address) allows the access under the CPU's read or
 * write mask, and the access is aligned. Sets the region's scratch `ea`
 * (the offset) and `te` (the entry) for the host index and the slow call.
 */
function fastPath(off: string, mask: 'tlbReadMask' | 'tlbWriteMask', size: number): string {
  return `((te = TLB[(ea = ${off}) >>> 12]) & c.${mask}) === 1${ALIGNED[size]}`;
}

const REGS = [0, 1, 2, 3, 4, 5, 6, 7];
const SPILL = REGS.map((n) => `r[${n}] = r${n};`).join(' ');
const RELOAD = REGS.map((n) => `r${n} = r[${n}];`).join(' ');

/**
 * Lines that store every arithmetic flag without reading the ones pending
 * (the previous record is dead after them): a full lazy record (ALU ops,
 * ADC/SBB with a known carry-in), a shift's eager CF/OF/AF with SF/ZF/PF
 * lazy, INC/DEC with CF from a local.
 */
const FULL_FLAG_STORES = [
  /^\s*c\.lazyOp = [^;]+; c\.lazyA = [^;]+; c\.lazyB = [^;]+; c\.lazyR = [^;]+; c\.lazySize = \d; c\.lazyMask = 0x8d5;$/,
  /^\s*c\.flags = \(c\.flags & -2066\) \| [^;]+; c\.lazyOp = 8; c\.lazyR = [^;]+; c\.lazySize = \d; c\.lazyMask = 0xc4;$/,
  /^\s*c\.flags = \(c\.flags & -2\) \| \w+; c\.lazyOp = [67]; c\.lazyA = [^;]+; c\.lazyB = 1; c\.lazyR = [^;]+; c\.lazySize = \d; c\.lazyMask = 0x8d4;$/,
];

/** A line that writes some flags over the pending ones (rotates, BT, CLC, SAHF): it reads the previous record. */
const PARTIAL_FLAG_STORE = /^\s*setSomeFlags\(c, [^;]+\);$/;

/** The flag-store forms with their own mentions of the CPU object taken out, to see whether anything else is read. */
const FLAG_STORE_SYNTAX = /c\.lazy\w+ = |c\.flags = \(c\.flags & -?\d+\)|setSomeFlags\(c, /g;

/** Kind of a line for dead-flag elimination: a full or partial flag store, other code touching the CPU or leaving, or neither. */
function flagLineKind(line: string): 'full' | 'partial' | 'observes' | 'quiet' {
  if (line.trimStart().startsWith('//')) return 'quiet';
  const flagStore = FULL_FLAG_STORES.some((re) => re.test(line)) ? 'full' : PARTIAL_FLAG_STORE.test(line) ? 'partial' : undefined;
  const rest = flagStore === undefined ? line : line.replace(FLAG_STORE_SYNTAX, '');
  // `c` is the CPU, `R` the region (its valid flag); leaving the region or throwing lets the flags be seen.
  if (/\b[cR]\b/.test(rest) || /break (loop|sw)/.test(rest) || rest.includes('throw')) return 'observes';
  return flagStore ?? 'quiet';
}

/**
 * One specialised instruction's lines, held back while the flags it stores
 * may still prove dead (see {@link FlagLiveness}).
 */
interface HeldInsn {
  lines: string[];
  /** Indexes in `lines` of its flag stores, which may be dropped. */
  flagStores: number[];
}

/**
 * Dead-flag elimination within a block. Lines are held back from an
 * instruction through each following one that is
 * quiet (no fault, no exit, no call, nothing that reads the CPU object
 * besides flag stores: register moves and ALU, rotates, LEA). When a
 * quiet instruction then stores every flag, nothing can have observed the
 * held flag stores, so they are dropped: `xor; and; xor; add; rol; add`
 * stores one record. Anything else releases the held lines unchanged.
 */
class FlagLiveness {
  private held: HeldInsn[] = [];

  constructor(private readonly body: string[]) {}

  /** Adds an instruction's lines (the first is its comment) and flushes them when the block must see them now. */
  add(lines: string[], ended: boolean): void {
    const kinds = lines.map(flagLineKind);
    const observes = kinds.includes('observes');
    const full = !observes && kinds.includes('full');
    if (full && this.held.length > 0) {
      for (const h of this.held) for (let j = h.flagStores.length - 1; j >= 0; j--) h.lines.splice(h.flagStores[j], 1);
    }
    if (observes || full) this.release();
    // Its own flag stores may be dropped later only if nothing observable follows them in this instruction:
    // emitters set flags after their last possible fault, but a read-modify-write's store may still leave
    // the region (it hit this region's code) after the flags are set.
    const stores = kinds.flatMap((k, j) => (k === 'full' || k === 'partial' ? [j] : []));
    const droppable = stores.length > 0 && stores[0] > kinds.lastIndexOf('observes');
    this.held.push({ lines, flagStores: droppable ? stores : [] });
    if (ended) this.release();
  }

  /** Emits everything held. */
  release(): void {
    for (const h of this.held) this.body.push(...h.lines);
    this.held = [];
  }
}

/** Masked signed value of a `size`-byte operand expression, for signed compares. */
function signed(expr: string, size: number): string {
  return size === 4 ? `(${expr} | 0)` : size === 2 ? `((${expr} << 16) >> 16)` : `((${expr} << 24) >> 24)`;
}

function unsigned(expr: string, size: number): string {
  return size === 4 ? `(${expr} >>> 0)` : size === 2 ? `(${expr} & 0xffff)` : `(${expr} & 0xff)`;
}

/**
 * The condition (SDM Vol. 1 Table B-1, by cc >> 1) straight from a known
 * producer's operands, or undefined to ask flags.ts. For SUB/CMP: B is
 * a < b unsigned, L is a < b signed, and so on.
 */
function knownCondition(f: KnownFlags, pair: number): string | undefined {
  const sign = f.size === 4 ? '-2147483648' : f.size === 2 ? '0x8000' : '0x80';
  const zero = `(${f.r} === 0)`;
  const neg = `((${f.r} & ${sign}) !== 0)`;
  if (f.kind === 3) { // SUB, CMP
    switch (pair) {
      case 1: return `(${unsigned(f.a, f.size)} < ${unsigned(f.b, f.size)})`;
      case 2: return zero;
      case 3: return `(${unsigned(f.a, f.size)} <= ${unsigned(f.b, f.size)})`;
      case 4: return neg;
      case 6: return `(${signed(f.a, f.size)} < ${signed(f.b, f.size)})`;
      case 7: return `(${signed(f.a, f.size)} <= ${signed(f.b, f.size)})`;
      default: return undefined;
    }
  }
  if (f.kind === 5) { // LOGIC: CF = OF = 0
    switch (pair) {
      case 0: case 1: return 'false';
      case 2: case 3: return zero;
      case 4: case 6: return neg;
      case 7: return `(${zero} || ${neg})`;
      default: return undefined;
    }
  }
  if (f.kind === 6 || f.kind === 7 || f.kind === 8) { // INC, DEC, shifts: CF in a local; OF left to flags.ts
    switch (pair) {
      case 1: return f.cf === undefined ? undefined : `(${f.cf} !== 0)`;
      case 2: return zero;
      case 3: return f.cf === undefined ? undefined : `(${f.cf} !== 0 || ${zero})`;
      case 4: return neg;
      default: return undefined;
    }
  }
  if (f.kind === 1) { // ADD
    switch (pair) {
      case 1: return `(${unsigned(f.r, f.size)} < ${unsigned(f.a, f.size)})`;
      case 2: return zero;
      case 4: return neg;
      default: return undefined;
    }
  }
  return undefined;
}

/** A readable one-line description of an instruction for the comment above its code. */
export function describe(i: DecodedInsn): string {
  let name = i.handler;
  if (i.entry.group !== undefined) name += `/${i.reg}`;
  if (i.entry.mnemonic === 'Jcc' || i.entry.mnemonic === 'SETcc' || i.entry.mnemonic === 'CMOVcc') {
    name = name.replace('cc', CONDITIONS[i.opcode & 15]);
  }
  const parts = [name];
  if (i.mod >= 0 && i.mod !== 3) {
    const regs = i.addrsize32 ? REG32_NAMES : REG16_NAMES;
    const terms: string[] = [];
    if (i.base >= 0) terms.push(regs[i.base]);
    if (i.index >= 0) terms.push(i.scale ? `${regs[i.index]}*${1 << i.scale}` : regs[i.index]);
    if (i.disp !== 0 || terms.length === 0) terms.push(`0x${(i.disp >>> 0).toString(16)}`);
    parts.push(`${SEG_NAMES[i.eaSeg]}:[${terms.join('+')}]`);
  } else if (i.mod === 3) {
    parts.push(`rm=${(i.opsize32 ? REG32_NAMES : REG16_NAMES)[i.rm]}/${REG8_NAMES[i.rm]}`);
  }
  if (i.mod >= 0) parts.push(`reg=${i.reg}`);
  if (i.imm !== 0 || i.imm2 !== 0) parts.push(`imm=0x${(i.imm >>> 0).toString(16)}`);
  if (!i.opsize32) parts.push('o16');
  if (!i.addrsize32) parts.push('a16');
  if (i.rep) parts.push(i.rep === 0xf3 ? 'rep' : 'repne');
  if (i.lock) parts.push('lock');
  return parts.join(' ');
}

/** What one emitted block needs checked before it runs. */
export interface EmittedBlockInfo {
  /** The largest CS offset the block fetches from or jumps to (unsigned): must be within the CS limit. */
  limitNeeded: number;
  /** The last instruction falls back to the interpreter (it may change the mode). */
  lastInInterpreter: boolean;
}

/** The emitted source of a region, and per block what it needs. */
export interface EmittedRegion {
  source: string;
  blocks: EmittedBlockInfo[];
}

/** The emitted source of a one-block region (golden tests, diagnostics). */
export interface EmittedBlock extends EmittedBlockInfo {
  source: string;
}

/** Emits a region of one block (its jumps leave the region). */
export function emitBlock(plan: BlockPlan, emitters: EmitterTable): EmittedBlock {
  const { source, blocks } = emitRegion([plan], emitters);
  return { source, ...blocks[0] };
}

/**
 * Emits a region's source: `plans` are its blocks, all on one code page
 * and under one mode; block i is entered with s = i. `emitters` maps
 * instruction classes to their emitters; a class without one (or whose
 * emitter declines) falls back to the interpreter.
 */
export function emitRegion(plans: readonly BlockPlan[], emitters: EmitterTable): EmittedRegion {
  const index = new Map<number, number>();
  plans.forEach((p, b) => index.set(p.eip, b));
  const resolve = (eip: number): number => index.get(eip) ?? -1;
  const body: string[] = [];
  const eips: number[] = [];
  const offsets: number[] = [];
  const infos: EmittedBlockInfo[] = [];
  plans.forEach((plan, b) => {
    const n = plan.insns.length;
    body.push(`case ${b}: { // block at cs:${hex(plan.eip)}, ${n} instructions`);
    body.push(`  if (n + ${n} > end) { eip = ${plan.eip}; break loop; }`);
    body.push('  c.blockStart = n;');
    let flags: KnownFlags | undefined;
    let limitNeeded = 0;
    let ended = false;
    let lastInInterpreter = false;
    const liveness = new FlagLiveness(body);
    for (let i = 0; i < n; i++) {
      const insn = plan.insns[i];
      const k = eips.length;
      const last = insn.eip + insn.length - 1;
      if ((last >>> 0) > limitNeeded) limitNeeded = last >>> 0;
      const e = new InsnEmitter(insn, k, i, n, flags, resolve, plan.mode);
      const emitter = lockAllows(insn) ? emitters[insn.handler] : undefined;
      const done = emitter !== undefined && emitter(e);
      const comment = `  // ${k}: ${hex(insn.eip)} ${describe(insn)}${done ? '' : ' (interpreter)'}`;
      offsets.push(i);
      if (done) {
        liveness.add([comment, ...e.lines.map((l) => `  ${l}`)], e.ended);
        eips.push(e.canFault ? insn.eip : -1);
        flags = e.flags;
        for (const t of e.targets) if ((t >>> 0) > limitNeeded) limitNeeded = t >>> 0;
        ended = e.ended;
      } else {
        liveness.release();
        body.push(comment);
        // The interpreter's own step: same decode, same handler; it sets prevEip/prevEsp itself.
        eips.push(-1);
        flags = undefined;
        const next = (insn.eip + insn.length) | 0;
        body.push(`  k = ${k}; ${SPILL} w = 0; c.eip = ${insn.eip}; c.instructions = n + ${i}; c.step(); ${RELOAD} w = 1;`);
        if (i === n - 1) {
          lastInInterpreter = true;
          body.push(`  x = ${i + 1}; eip = c.eip; fb = 1; break loop;`);
          ended = true;
        } else {
          // Stay only if execution went on to the next instruction, nothing asked to stop, and no
          // interrupt became deliverable (an OUT to the PIC, say) nor single-stepping began.
          body.push(`  eip = c.eip; if (eip !== ${next} || (c.flags & 0x10100) !== 0 || ${ATTENTION}) { x = ${i + 1}; fb = 1; break loop; }`);
        }
      }
      if (ended && i !== n - 1) throw new Error(`translator: instruction ${i} of ${n} ended the block early`);
    }
    liveness.release();
    if (!ended) {
      const lastInsn = plan.insns[n - 1];
      const e = new InsnEmitter(lastInsn, eips.length - 1, n - 1, n, undefined, resolve, plan.mode);
      body.push(`  ${e.transfer((lastInsn.eip + lastInsn.length) | 0)}`);
    }
    body.push('}');
    infos.push({ limitNeeded, lastInInterpreter });
  });
  const first = plans[0];
  const regs = REGS.map((n) => `r${n} = r[${n}]`).join(', ');
  const source = [
    `// region at cs:${hex(first.eip)} mode 0x${first.mode.toString(16)}, ${plans.length} blocks, ${eips.length} instructions`,
    `const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;`,
    `const { ${MEMORY_ACCESS_NAMES.join(', ')}, TLB, MEM8, MEM16, MEM32 } = H;`,
    `const EIPS = [${eips.join(', ')}];`,
    `const KOFF = [${offsets.join(', ')}];`,
    `return function region(c, s, end) {`,
    `  const r = c.regs;`,
    `  let ${regs};`,
    `  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;`,
    `  try {`,
    `    loop: for (;;) {`,
    `      sw: switch (s) {`,
    ...body.map((l) => `        ${l}`),
    '        default:',
    '          // After an indirect jump from block ~s: the block at EIP, if this region has it.',
    '          if (s < 0) {',
    '            s = ~s;',
    `            switch (eip) { ${plans.map((p, b) => `case ${p.eip | 0}: s = ${b}; continue loop;`).join(' ')} }`,
    '            break loop;',
    '          }',
    `          throw new Error('translator: no block ' + s);`,
    `      }`,
    '      // A jump within the region (to block t) after x instructions: the run loop\'s checks first.',
    `      n += x; x = 0;`,
    `      if (${ATTENTION}) break loop;`,
    `      s = t;`,
    `    }`,
    `  } catch (e) {`,
    `    if (w !== 0) { ${SPILL} }`,
    `    c.instructions = n + KOFF[k];`,
    `    const p = EIPS[k];`,
    `    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }`,
    `    throw e;`,
    `  }`,
    `  ${SPILL}`,
    `  c.eip = eip; c.instructions = n + x;`,
    `  return (s << 1) | fb;`,
    `};`,
    '',
  ].join('\n');
  return { source, blocks: infos };
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/** Segment register number of CS, for emitters checking near targets. */
export const CS = Seg.CS;
