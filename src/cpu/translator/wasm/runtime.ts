/**
 * The JavaScript side of WebAssembly regions: instantiates a compiled
 * region against the machine's memory and this CPU's imports, and wraps it
 * as a `RegionFn` (the same interface as JavaScript regions), so the run
 * loop, chaining and lockstep do not know which kind of code runs.
 *
 * On entry the lazy flag record, the rest of EFLAGS, the TLB masks and the
 * CS limit go into the state block (the registers are there already: Cpu.regs
 * is a view of it); on the way out they come back. A guest exception raised
 * by a call out of the region does not unwind through it: the call records
 * it and sets FAULTED, the region stores its state and returns -1, and the
 * wrapper sets the instruction count and prevEip as for a JavaScript region
 * and throws it.
 */
import type { Cpu } from '../../cpu.js';
import { CpuException } from '../../exception.js';
import { Flag, Seg } from '../../registers.js';
import { StateWord } from '../../state-block.js';
import type { Region, RegionFn } from '../code-cache.js';
import { memoryAccess } from '../memory-access.js';
import { IMPORTS, type WasmLayout, type WasmRegionCode } from './region.js';
import { CPU_STATE_OFFSET } from '../../physical-memory.js';

type RegionExport = (s: number, budget: number) => number;

/** Largest budget passed in: block counts are added to it without leaving int32. */
const MAX_BUDGET = 0x3fff_ffff;

export class WasmRuntime {
  readonly layout: WasmLayout;
  private readonly st: Int32Array;
  private readonly imports: WebAssembly.Imports;
  /** Instruction count at the entry of the running region. */
  private base = 0;
  private region: Region | null = null;
  /** The guest exception a call out of the region raised. */
  private pending: CpuException | undefined;

  constructor(private readonly cpu: Cpu, memory: WebAssembly.Memory) {
    if (cpu.areaBase < 0) throw new Error('translator: this CPU has no area in the WebAssembly memory');
    this.layout = { tlb: cpu.areaBase, state: cpu.areaBase + CPU_STATE_OFFSET };
    this.st = cpu.state;
    const fns = this.callbacks();
    const env: Record<string, unknown> = { m: memory };
    for (const [name] of IMPORTS) env[name] = fns[name];
    this.imports = { e: env as WebAssembly.ModuleImports };
  }

  /** The region function for compiled `code`. */
  instantiate(code: WasmRegionCode, region: Region): RegionFn {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(code.bytes as Uint8Array<ArrayBuffer>), this.imports);
    const fn = instance.exports.region as RegionExport;
    const { eips, offsets } = code;
    return (_c, s, end) => this.run(region, fn, eips, offsets, s, end);
  }

  private run(region: Region, fn: RegionExport, eips: readonly number[], offsets: readonly number[], s: number, end: number): number {
    const c = this.cpu, st = this.st;
    st[StateWord.LAZY_OP] = c.lazyOp; st[StateWord.LAZY_A] = c.lazyA; st[StateWord.LAZY_B] = c.lazyB;
    st[StateWord.LAZY_R] = c.lazyR; st[StateWord.LAZY_SIZE] = c.lazySize; st[StateWord.LAZY_MASK] = c.lazyMask;
    st[StateWord.FLAGS] = c.flags;
    st[StateWord.READ_MASK] = c.tlbReadMask; st[StateWord.WRITE_MASK] = c.tlbWriteMask;
    st[StateWord.CS_LIMIT] = c.segLimit[Seg.CS];
    st[StateWord.ATTENTION] = 0; st[StateWord.FAULTED] = 0;
    const n = c.instructions;
    this.base = n;
    this.region = region;
    const budget = end - n;
    const result = fn(s, budget > MAX_BUDGET ? MAX_BUDGET : budget);
    this.pullFlags();
    if (result < 0) {
      const k = st[StateWord.INSN];
      c.instructions = n + st[StateWord.DONE] + offsets[k];
      const p = eips[k];
      if (p !== -1) { c.prevEip = p; c.prevEsp = c.regs[4]; }
      const e = this.pending as CpuException;
      this.pending = undefined;
      throw e;
    }
    c.eip = st[StateWord.EIP];
    c.instructions = n + st[StateWord.DONE];
    return result;
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
    const region = this.region as Region;
    this.st[StateWord.ATTENTION] = c.stopRequested || c.nmiPending || !region.valid ||
      (c.intrLine && (c.flags & Flag.IF) !== 0) ? 1 : 0;
  }

  /** Status of a write: nonzero when it hit the running region's code. */
  private written(): number {
    this.look();
    return (this.region as Region).valid ? 0 : 1;
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
        this.look();
        if ((c.flags & (Flag.TF | Flag.RF)) !== 0) this.st[StateWord.ATTENTION] = 1;
        return c.eip;
      },
      raise: (vector, code) => {
        this.fault(new CpuException(vector, code));
      },
    };
  }
}
