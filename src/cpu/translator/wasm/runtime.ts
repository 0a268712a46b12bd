/**
 * The JavaScript side of WebAssembly regions: instantiates a compiled
 * region against the machine's memory and this CPU's imports, and wraps it
 * as a `RegionFn` (the same interface as JavaScript regions), so the run
 * loop, chaining and lockstep do not know which kind of code runs.
 *
 * On entry the lazy flag record, the rest of EFLAGS, the TLB masks, the CS
 * limit and what an SSE instruction would raise under CR0/CR4 go into the
 * state block (the general and XMM registers are there already: Cpu.regs
 * and SseState.xmm are views of it); on the way out the flags come back. A guest exception raised
 * by a call out of the region does not unwind through it: the call records
 * it and sets FAULTED, the region stores its state and returns -1, and the
 * wrapper sets the instruction count and prevEip as for a JavaScript region
 * and throws it.
 */
import type { Cpu } from '../../cpu.js';
import { CpuException } from '../../exception.js';
import { Cr4, Flag, Seg } from '../../registers.js';
import { requireCpl0 } from '../../instructions/descriptor-tables.js';
import { sseFaultVector } from '../../instructions/simd-operands.js';
import { readTsc } from '../../msr.js';
import { StateWord } from '../../state-block.js';
import type { Block, Region } from '../code-cache.js';
import {
  chainModule, JUMP_CACHE_ENTRIES, JUMP_CACHE_OFFSET, JUMP_ENTRY_WORDS, JUMP_MAX_SLOT, JumpEntry, jumpSlot, NO_CHAIN_MODE,
} from './chain.js';
import { memoryAccess } from '../memory-access.js';
import { modeKey } from '../mode-key.js';
import { IMPORTS, type WasmLayout, type WasmModuleCode, type WasmRegionInfo } from './region.js';
import { CPU_STATE_OFFSET } from '../../physical-memory.js';

type RegionExport = (s: number, budget: number, done: number) => number;
type ChainExport = (slot: number, s: number, budget: number, mode: number, csBase: number) => number;

/** Largest budget passed in: block counts are added to it without leaving int32. */
const MAX_BUDGET = 0x3fff_ffff;
/** WasmRuntime.chainMode outside the chaining loop (mode keys are below 256). */
const NOT_CHAINING = -1;

/** A compiled region in its table slot: what a fault in it needs, and its slot global (region.ts: -1 once retired). */
interface SlotEntry {
  region: Region;
  eips: readonly number[];
  offsets: readonly number[];
  global: WebAssembly.Global;
}

export class WasmRuntime {
  readonly layout: WasmLayout;
  private readonly st: Int32Array;
  private readonly imports: WebAssembly.Imports;
  /** Instruction count where the running chain (or lone region) began: regions count their instructions from it. */
  private base = 0;
  /** The mode key and CS base the running chain looks blocks up under; NOT_CHAINING outside a chain. */
  private chainMode = NOT_CHAINING;
  private chainCsBase = 0;
  /** The guest exception a call out of the region raised. */
  private pending: CpuException | undefined;
  /** Region functions by slot, for the chaining loop's indirect calls. */
  private readonly table: WebAssembly.Table;
  private readonly slots: (SlotEntry | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly chain: ChainExport;
  /** The jump cache (chain.ts) as words. */
  private readonly jumpCache: Int32Array;
  /** The region the last chain run ended in (runBlock reads its exit block from it). */
  lastRegion: Region | null = null;
  /** Regions the chaining loop ran, and modules instantiated (statistics). */
  chainedRuns = 0;
  modules = 0;

  constructor(private readonly cpu: Cpu, memory: WebAssembly.Memory) {
    if (cpu.areaBase < 0) throw new Error('translator: this CPU has no area in the WebAssembly memory');
    this.layout = { tlb: cpu.areaBase, state: cpu.areaBase + CPU_STATE_OFFSET };
    this.st = cpu.state;
    this.jumpCache = new Int32Array(memory.buffer, this.layout.state + JUMP_CACHE_OFFSET, JUMP_CACHE_ENTRIES * JUMP_ENTRY_WORDS);
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 64 });
    const fns = this.callbacks();
    const env: Record<string, unknown> = { m: memory, t: this.table };
    for (const [name] of IMPORTS) env[name] = fns[name];
    this.imports = { e: env as WebAssembly.ModuleImports };
    const chain = new WebAssembly.Instance(new WebAssembly.Module(chainModule(this.layout, 0) as Uint8Array<ArrayBuffer>), this.imports);
    this.chain = chain.exports.chain as ChainExport;
  }

  /** Instantiates a compiled module: region i of `code` becomes `regions[i]`'s function, with a table slot until it is retired. */
  instantiate(code: WasmModuleCode, regions: readonly Region[]): void {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(code.bytes as Uint8Array<ArrayBuffer>), this.imports);
    this.modules++;
    regions.forEach((region, i) => this.install(region, instance.exports[`r${i}`] as RegionExport, instance.exports[`g${i}`] as WebAssembly.Global, code.regions[i]));
  }

  /**
   * Gives a region its function and a table slot. A method of its own, so
   * that the region's closure holds what it names, not the module's bytes.
   */
  private install(region: Region, fn: RegionExport, global: WebAssembly.Global, { eips, offsets }: WasmRegionInfo): void {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    if (slot >= this.table.length) this.table.grow(Math.max(64, this.table.length));
    this.table.set(slot, fn);
    this.slots[slot] = { region, eips, offsets, global };
    // The regions of its module that jump to it straight (region.ts toSibling) read its slot here.
    global.value = slot;
    region.wasmSlot = slot;
    region.onRetire = () => this.release(slot);
    region.fn = (_c, s, end) => this.run(fn, slot, s, end);
  }

  /** Frees a retired region's slot and drops its blocks from the jump cache (a scan of it, unless it is empty). */
  private release(slot: number): void {
    (this.slots[slot] as SlotEntry).global.value = -1;
    const jc = this.jumpCache;
    if (!this.jumpCacheEmpty) {
      for (let i = 0; i < jc.length; i += JUMP_ENTRY_WORDS) {
        if (jc[i + JumpEntry.TARGET] >>> 12 === slot) jc[i + JumpEntry.HOST] = -1;
      }
    }
    // The entry stays until the slot is reused: the region may be the one running (a store hit its own code).
    this.table.set(slot, null);
    this.freeSlots.push(slot);
  }

  /** Whether no jump cache entry names a region: set by forgetAll, cleared by remember. */
  private jumpCacheEmpty = false;

  /** Empties the jump cache once, before a flush retires every region, so that no release has to scan it. */
  forgetAll(): void {
    const jc = this.jumpCache;
    for (let i = 0; i < jc.length; i += JUMP_ENTRY_WORDS) jc[i + JumpEntry.HOST] = -1;
    this.jumpCacheEmpty = true;
  }

  /** Puts a block of a WebAssembly region in the jump cache, at its linear address under the current CS base, for the chaining loop to find. */
  remember(block: Block): void {
    const slot = block.region.wasmSlot;
    if (slot < 0 || slot > JUMP_MAX_SLOT || !block.region.valid) return;
    const i = jumpSlot((this.cpu.segBase[Seg.CS] + block.eip) | 0) * JUMP_ENTRY_WORDS, jc = this.jumpCache;
    this.jumpCacheEmpty = false;
    jc[i + JumpEntry.HOST] = block.host;
    jc[i + JumpEntry.EIP] = block.eip;
    jc[i + JumpEntry.TARGET] = slot << 12 | block.index;
    jc[i + JumpEntry.META] = block.count << 8 | block.mode;
  }

  /**
   * Runs `block` and the WebAssembly regions chained after it (chain.ts);
   * returns the last region's result, that region in {@link lastRegion}.
   */
  runChain(block: Block, end: number, mode: number): number {
    const c = this.cpu, st = this.st;
    this.enter();
    const n = c.instructions;
    this.base = n;
    const budget = end - n;
    // The jump cache leaves out the CS limit each block needs: chains go on only under a 4 GiB limit.
    const chainMode = c.segLimit[Seg.CS] === 0xffffffff ? mode : NO_CHAIN_MODE;
    this.chainMode = chainMode;
    this.chainCsBase = c.segBase[Seg.CS];
    const result = this.chain(block.region.wasmSlot, block.index, budget > MAX_BUDGET ? MAX_BUDGET : budget, chainMode, this.chainCsBase);
    this.chainMode = NOT_CHAINING;
    this.chainedRuns += st[StateWord.CHAIN_RUNS];
    return this.finish(result, n + st[StateWord.CHAIN_DONE]);
  }

  /**
   * After a run (of a chain or of one region): the flags back to the CPU,
   * the region it ended in (CHAIN_SLOT) in {@link lastRegion}, and its
   * fault thrown, or EIP and the instruction count (`count`) set.
   */
  private finish(result: number, count: number): number {
    const c = this.cpu, st = this.st;
    this.pullFlags();
    const last = this.slots[st[StateWord.CHAIN_SLOT]] as SlotEntry;
    this.lastRegion = last.region;
    if (result < 0) this.throwFault(last.eips, last.offsets);
    c.eip = st[StateWord.EIP];
    c.instructions = count;
    return result;
  }

  /** The CPU's flag record, TLB masks, CS limit and SSE state check into the state block, for a region to start from. */
  private enter(): void {
    const c = this.cpu, st = this.st;
    this.pushFlags();
    st[StateWord.CS_LIMIT] = c.segLimit[Seg.CS];
    st[StateWord.SSE_FAULT] = sseFaultVector(c);
    st[StateWord.ATTENTION] = 0; st[StateWord.FAULTED] = 0;
  }

  /**
   * After a region returned -1: the count and prevEip of its faulting
   * instruction (its DONE counts from the run's start, as the calls out do),
   * then the exception.
   */
  private throwFault(eips: readonly number[], offsets: readonly number[]): never {
    const c = this.cpu, st = this.st;
    const k = st[StateWord.INSN];
    c.instructions = this.base + st[StateWord.DONE] + offsets[k];
    const p = eips[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = c.regs[4]; }
    const e = this.pending as CpuException;
    this.pending = undefined;
    throw e;
  }

  /**
   * Runs one region from JavaScript, not through the chain (lockstep, which
   * checks a block at a time); it may go on into a sibling (region.ts
   * toSibling), so the region it ended in is the one CHAIN_SLOT names, left
   * in {@link lastRegion}.
   */
  private run(fn: RegionExport, slot: number, s: number, end: number): number {
    const c = this.cpu, st = this.st;
    this.enter();
    const n = c.instructions;
    this.base = n;
    st[StateWord.CHAIN_SLOT] = slot;
    const budget = end - n;
    const result = fn(s, budget > MAX_BUDGET ? MAX_BUDGET : budget, 0);
    return this.finish(result, n + st[StateWord.DONE]);
  }

  /** The flag record from the state block to the CPU. */
  private pullFlags(): void {
    const c = this.cpu, st = this.st;
    c.lazyOp = st[StateWord.LAZY_OP]; c.lazyA = st[StateWord.LAZY_A]; c.lazyB = st[StateWord.LAZY_B];
    c.lazyR = st[StateWord.LAZY_R]; c.lazySize = st[StateWord.LAZY_SIZE]; c.lazyMask = st[StateWord.LAZY_MASK];
    c.flags = st[StateWord.FLAGS];
  }

  /** The flag record and TLB masks from the CPU to the state block. */
  private pushFlags(): void {
    const c = this.cpu, st = this.st;
    st[StateWord.LAZY_OP] = c.lazyOp; st[StateWord.LAZY_A] = c.lazyA; st[StateWord.LAZY_B] = c.lazyB;
    st[StateWord.LAZY_R] = c.lazyR; st[StateWord.LAZY_SIZE] = c.lazySize; st[StateWord.LAZY_MASK] = c.lazyMask;
    st[StateWord.FLAGS] = c.flags;
    st[StateWord.READ_MASK] = c.tlbReadMask; st[StateWord.WRITE_MASK] = c.tlbWriteMask;
  }

  /** A call out raised `e`: kept for the wrapper, which throws it once the region has stored its state. */
  private fault(e: unknown): void {
    if (!(e instanceof CpuException)) throw e;
    this.pending = e;
    this.st[StateWord.FAULTED] = 1;
  }

  /** Whether the run loop must look before the region goes on (what a JavaScript region tests at its jumps). */
  private look(): void {
    const c = this.cpu;
    const region = this.running();
    this.st[StateWord.ATTENTION] = c.stopRequested || c.nmiPending || !region.valid ||
      (c.intrLine && (c.flags & Flag.IF) !== 0) ? 1 : 0;
  }

  /** Status of a write: nonzero when it hit the running region's code. */
  private written(): number {
    this.look();
    return this.running().valid ? 0 : 1;
  }

  /** The region running now (its slot is in the state block). */
  private running(): Region {
    return (this.slots[this.st[StateWord.CHAIN_SLOT]] as SlotEntry).region;
  }

  private callbacks(): Record<(typeof IMPORTS)[number][0], (...args: number[]) => number | void> {
    const c = this.cpu;
    const acc = memoryAccess(c);
    const read = (f: (c: Cpu, seg: number, off: number, at: number) => number) => (seg: number, off: number, at: number): number => {
      c.blockStart = this.base + at;
      try {
        const v = f(c, seg, off, 0);
        this.look();
        return v;
      } catch (e) {
        this.fault(e);
        return 0;
      }
    };
    const write = (f: (c: Cpu, seg: number, off: number, v: number, at: number) => void) => (seg: number, off: number, v: number, at: number): number => {
      c.blockStart = this.base + at;
      try {
        f(c, seg, off, v, 0);
      } catch (e) {
        this.fault(e);
        return 0;
      }
      return this.written();
    };
    return {
      read8: read(acc.rs8), read16: read(acc.rs16), read32: read(acc.rs32),
      write8: write(acc.ws8), write16: write(acc.ws16), write32: write(acc.ws32),
      readModify: (size, seg, off, at) => {
        c.instructions = this.base + at;
        try {
          return c.readModifyMem(size as 1 | 2 | 4, seg, off);
        } catch (e) {
          this.fault(e);
          return 0;
        }
      },
      writeModified: (size, v, at) => {
        c.instructions = this.base + at;
        try {
          c.writeModifiedMem(size as 1 | 2 | 4, v);
        } catch (e) {
          this.fault(e);
          return 0;
        }
        return this.written();
      },
      step: (eip, at) => {
        this.pullFlags();
        c.eip = eip;
        c.instructions = this.base + at;
        try {
          c.step();
        } catch (e) {
          this.fault(e);
        }
        this.pushFlags();
        // The instruction may have written CR0 or CR4 (MOV, CLTS, LMSW, a task switch).
        this.st[StateWord.SSE_FAULT] = sseFaultVector(c);
        this.look();
        // What else the run loop checks after a region (translator.ts runBlock): the chain must stop for it too.
        if ((c.flags & (Flag.TF | Flag.RF)) !== 0 || c.interruptShadow || c.halted) this.st[StateWord.ATTENTION] = 1;
        // The chain goes on after it only under the mode, CS base and (4 GiB) CS limit it looks blocks up with.
        if (this.chainMode !== NOT_CHAINING && (modeKey(c) !== this.chainMode || c.segBase[Seg.CS] !== this.chainCsBase ||
            c.segLimit[Seg.CS] !== 0xffffffff)) {
          this.st[StateWord.ATTENTION] = 1;
        }
        return c.eip;
      },
      raise: (vector, code) => {
        this.fault(new CpuException(vector, code));
      },
      rdtsc: (at) => {
        c.instructions = this.base + at;
        try {
          // As instructions/system.ts RDTSC: CR4.TSD restricts it to CPL 0.
          if ((c.cr4 & Cr4.TSD) !== 0) requireCpl0(c);
        } catch (e) {
          this.fault(e);
          return 0;
        }
        const t = readTsc(c);
        this.st[StateWord.RESULT_HIGH] = Math.floor(t / 0x1_0000_0000);
        // As an int32 (the import's type): a number past 2^31 would be boxed on its way back.
        return (t % 0x1_0000_0000) | 0;
      },
    };
  }
}
