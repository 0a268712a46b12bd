/**
 * Lockstep checking: every translated block is run twice from the same
 * state, once by the interpreter and once as translated code, and the
 * results are compared (registers, EIP, EFLAGS with the lazy flags
 * materialized, segments, control registers, the instruction count, every
 * other scalar of the CPU, the bytes written, and any fault). The first
 * block whose results differ is reported and the run stops.
 *
 * Memory is undone between the two runs through a journal: during a check
 * every write takes the slow path (TLB_FILLED joins the write mask) and
 * PhysicalMemory records each byte's old value. A block that touched a
 * device (port or MMIO) cannot be run twice without doing its I/O twice, so
 * its interpreter run stands and it is counted as unchecked; so is a block
 * whose own code changed under it, and one with x87 or MMX instructions
 * (the FPU stack, which MMX registers alias, is objects this snapshot does
 * not copy) or RDTSC (its value depends on when it runs). XMM registers
 * and MXCSR are compared.
 */
import type { Cpu } from '../cpu.js';
import { CpuException } from '../exception.js';
import type { Block } from './code-cache.js';

/** The first difference found. */
export interface LockstepDivergence {
  /** CS offset of the block's entry, its mode bits and its code. */
  eip: number;
  mode: number;
  source: string;
  /** Each differing field: name, interpreter's value, translator's value. */
  differences: string[];
  /** CPU state before the block (registers and EIP) for reproduction. */
  before: string;
}

/** CPU fields that are scratch, caches or references rather than state to compare. */
const NOT_STATE = new Set([
  'mem', 'backing', 'tlb', 'sys', 'features', 'events', 'translator', 'fpu', 'recentExceptions',
  'fetchPage', 'fetchHost', 'rmwHost', 'rmwLinear', 'tlbReadMask', 'tlbWriteMask',
  'opsize32', 'addrsize32', 'segOverride', 'repPrefix', 'lockPrefix', 'opcode', 'modrmMod', 'modrmReg', 'modrmRm',
  'eaSeg', 'eaOff', 'prevEip', 'prevEsp', 'debugShadow', 'stopReason', 'blockStart',
  'lazyMask', 'lazyOp', 'lazyA', 'lazyB', 'lazyR', 'lazySize', 'flags',
  // The state block's words are scratch of WebAssembly regions, but for the registers (compared as `regs`).
  'state', 'areaBase',
]);

/** A CPU state: values in the order of {@link Layout.keys}. */
type Snapshot = (number | boolean | ArrayLike<number>)[];

/**
 * Which CPU fields a snapshot holds: every scalar and every small typed
 * array of the CPU object (found once, so new CPU fields are covered without
 * touching this file), plus the MSR file, the x87 control words and EFLAGS
 * with the lazy flags materialized.
 */
class Layout {
  readonly keys: string[] = [];
  readonly arrays: boolean[] = [];
  constructor(cpu: Cpu) {
    for (const [key, value] of Object.entries(cpu)) {
      if (key === 'backing') continue;
      if (typeof value === 'number' || typeof value === 'boolean') { this.keys.push(key); this.arrays.push(false); }
      else if (ArrayBuffer.isView(value) && (value as Int32Array).length <= 64) { this.keys.push(key); this.arrays.push(true); }
    }
    // The SSE register file is plain data: restored and compared like the CPU's own fields.
    this.keys.push('sse.xmm', 'sse.mxcsr'); this.arrays.push(true, false);
    for (const extra of ['msrs.lo', 'msrs.hi']) { this.keys.push(extra); this.arrays.push(true); }
    for (const extra of ['fpu.sw', 'fpu.cw', 'fpu.top', 'eflags']) { this.keys.push(extra); this.arrays.push(false); }
    this.allocate = () => [];
    this.snapshot = () => {};
    this.restore = () => {};
    this.compile(cpu);
  }

  index(key: string): number { return this.keys.indexOf(key); }

  /** A new snapshot of the CPU: its arrays are copies that {@link snapshot} refills. */
  readonly allocate: (cpu: Cpu) => Snapshot;
  /**
   * Copies the fields into `s`, made by {@link allocate}, without
   * allocating (a check takes three snapshots a block); generated once with
   * direct property accesses (keyed access over ~100 fields is slow).
   */
  readonly snapshot: (cpu: Cpu, s: Snapshot) => void;
  /** Puts a snapshot back (EFLAGS and the x87 words are compared only: blocks never change the FPU unchecked). */
  readonly restore: (cpu: Cpu, s: Snapshot) => void;

  private compile(cpu: Cpu): void {
    const n = this.keys.length - 6;
    const sources = this.keys.map((k) => (k === 'eflags' ? 'c.getFlags()' : `c.${k}`));
    const make = sources.map((src, i) => (this.arrays[i] ? `${src}.slice()` : src));
    // Small arrays (registers, segment fields) are copied element by element: cheaper than a builtin call.
    const fill = sources.map((src, i) => {
      if (!this.arrays[i]) return `s[${i}] = ${src};`;
      let field: unknown = cpu;
      for (const part of this.keys[i].split('.')) field = (field as Record<string, unknown>)[part];
      const { length } = field as ArrayLike<number>;
      if (length > 8) return `s[${i}].set(${src});`;
      return `{ const d = s[${i}], f = ${src}; ${Array.from({ length }, (_, j) => `d[${j}] = f[${j}];`).join(' ')} }`;
    });
    const set = sources.slice(0, n + 2).map((src, i) => (this.arrays[i] ? `${src}.set(s[${i}]);` : `${src} = s[${i}];`));
    set.push('c.fetchPage = -1;');
    (this as { allocate: unknown }).allocate = new Function('c', `return [${make.join(', ')}];`);
    (this as { snapshot: unknown }).snapshot = new Function('c', 's', fill.join('\n'));
    (this as { restore: unknown }).restore = new Function('c', 's', set.join('\n'));
  }

  differences(a: Snapshot, b: Snapshot): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.keys.length; k++) {
      const key = this.keys[k];
      if (NOT_STATE.has(key)) continue;
      const va = a[k], vb = b[k];
      if (this.arrays[k]) {
        const xa = va as ArrayLike<number>, xb = vb as ArrayLike<number>;
        for (let i = 0; i < xa.length; i++) if (xa[i] !== xb[i]) out.push(`${key}[${i}]: ${fmt(xa[i])} vs ${fmt(xb[i])}`);
      } else if (va !== vb) out.push(`${key}: ${fmt(va)} vs ${fmt(vb)}`);
    }
    return out;
  }
}

function fmt(v: unknown): string {
  return typeof v === 'number' && Number.isInteger(v) ? `0x${(v >>> 0).toString(16)}` : String(v);
}

/** Outcome of one engine's run of a block. */
interface RunResult { fault: CpuException | undefined; state: Snapshot; interpreted: number }

/** Checks blocks against the interpreter; see the file comment. */
export class Lockstep {
  divergence: LockstepDivergence | undefined;
  checked = 0;
  unchecked = 0;
  private deviceAccesses = 0;
  private readonly layout: Layout;
  /** The three states a check compares, refilled for each block. */
  private readonly before: Snapshot;
  private readonly afterInterpreter: Snapshot;
  private readonly afterTranslated: Snapshot;
  private readonly eipAt: number;
  private readonly regsAt: number;
  private readonly flagsAt: number;

  /**
   * @param fillFetch fills the TLB entry for fetching at a linear address, as a block lookup does
   */
  private countdown = 0;

  constructor(private readonly cpu: Cpu, private readonly fillFetch: (lin: number) => void, private readonly every = 1) {
    // Count port I/O by wrapping the system interface's two port methods (this mode's only intrusion).
    this.layout = new Layout(cpu);
    this.before = this.layout.allocate(cpu);
    this.afterInterpreter = this.layout.allocate(cpu);
    this.afterTranslated = this.layout.allocate(cpu);
    this.eipAt = this.layout.index('eip');
    this.regsAt = this.layout.index('regs');
    this.flagsAt = this.layout.index('eflags');
    const sys = cpu.sys;
    const ioRead = sys.ioRead.bind(sys), ioWrite = sys.ioWrite.bind(sys);
    sys.ioRead = (port, size) => { this.deviceAccesses++; return ioRead(port, size); };
    sys.ioWrite = (port, size, value) => { this.deviceAccesses++; ioWrite(port, size, value); };
  }

  /**
   * Runs `block` both ways (when it can) and leaves the CPU as the
   * translated run left it; its region runs on past the block (up to `end`)
   * only when this block is not checked. Returns as the region does
   * (RegionFn); a block left to the interpreter's run reports an
   * interpreted end (1), so the next block is found by a full lookup.
   */
  run(block: Block, end: number): number {
    const cpu = this.cpu;
    if (block.unchecked || this.divergence !== undefined || --this.countdown > 0) return block.run(cpu, end);
    this.countdown = this.every;
    const before = this.before;
    this.layout.snapshot(cpu, before);
    const mem = cpu.mem;
    const devicesBefore = this.deviceAccesses + mem.deviceAccesses;
    this.journalOn();
    const interp = this.interpret(block);
    const devices = this.deviceAccesses + mem.deviceAccesses !== devicesBefore;
    const journal = this.journalOff(!devices && block.valid);
    if (devices || !block.valid) {
      this.unchecked++;
      if (interp.fault) throw interp.fault;
      return 1;
    }
    // Bytes as the interpreter left them, then undo its writes (newest first).
    const b = cpu.backing;
    const written = new Map<number, number>();
    for (let i = 0; i < journal.length; i += 2) written.set(journal[i], b[journal[i]]);
    for (let i = journal.length - 2; i >= 0; i -= 2) b[journal[i]] = journal[i + 1];
    this.layout.restore(cpu, before);
    this.journalOn();
    const jit = this.translated(block);
    const jitJournal = this.journalOff(false);
    for (let i = 0; i < jitJournal.length; i += 2) if (!written.has(jitJournal[i])) written.set(jitJournal[i], jitJournal[i + 1]);
    this.checked++;
    const diffs = this.layout.differences(interp.state, jit.state);
    if ((interp.fault?.vector ?? -1) !== (jit.fault?.vector ?? -1) || (interp.fault?.errorCode ?? -1) !== (jit.fault?.errorCode ?? -1)) {
      diffs.push(`fault: ${interp.fault ? `#${interp.fault.vector}(${interp.fault.errorCode})` : 'none'} vs ${jit.fault ? `#${jit.fault.vector}(${jit.fault.errorCode})` : 'none'}`);
    }
    for (const [addr, value] of written) {
      if (b[addr] !== value) diffs.push(`memory host 0x${addr.toString(16)}: 0x${value.toString(16)} vs 0x${b[addr].toString(16)}`);
    }
    if (diffs.length > 0) {
      const regs = Array.from(before[this.regsAt] as Int32Array, (v) => fmt(v)).join(' ');
      this.divergence = {
        eip: block.eip, mode: block.mode, source: block.region.source ?? '', differences: diffs,
        before: `eip ${fmt(before[this.eipAt])} eflags ${fmt(before[this.flagsAt])} regs ${regs}`,
      };
      cpu.requestStop();
    }
    if (jit.fault) throw jit.fault;
    return jit.interpreted;
  }

  /** The reference: the interpreter over the block's instructions, stopping where the block would. */
  private interpret(block: Block): RunResult {
    const cpu = this.cpu;
    const end = cpu.instructions + block.count;
    let fault: CpuException | undefined;
    try {
      while (cpu.instructions < end) {
        cpu.interruptShadow = false;
        const at = cpu.eip;
        cpu.step();
        cpu.instructions++;
        if (cpu.halted || cpu.stopRequested || cpu.nmiPending || (cpu.intrLine && (cpu.flags & 0x200) !== 0)) break;
        if (!block.follows(at, cpu.eip)) break;
      }
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      fault = e;
    }
    return { fault, state: this.settle(fault, this.afterInterpreter), interpreted: 1 };
  }

  /** The translated run of exactly this block: its region stops at the next block for want of budget. */
  private translated(block: Block): RunResult {
    let fault: CpuException | undefined;
    let interpreted = 0;
    try {
      interpreted = block.run(this.cpu, this.cpu.instructions + block.count);
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      fault = e;
    }
    return { fault, state: this.settle(fault, this.afterTranslated), interpreted };
  }

  /** State after a run, with a fault's rewind (as Cpu.run applies it) shown in the snapshot only. */
  private settle(fault: CpuException | undefined, s: Snapshot): Snapshot {
    this.layout.snapshot(this.cpu, s);
    if (fault) {
      s[this.eipAt] = this.cpu.prevEip;
      (s[this.regsAt] as Int32Array)[4] = this.cpu.prevEsp;
    }
    return s;
  }

  /**
   * Starts a run: the block's code page in the TLB, as a lookup leaves it,
   * and the journals of memory and TLB (so the second run starts from the
   * same TLB and does the same page walks, A/D bits included).
   */
  private journalOn(): void {
    const cpu = this.cpu;
    this.fillFetch((cpu.segBase[1] + cpu.eip) | 0);
    cpu.tlb.beginJournal();
    this.cpu.mem.journal = [];
    this.cpu.forceSlowWrites(true);
  }

  private journalOff(undo: boolean): number[] {
    const j = this.cpu.mem.journal ?? [];
    this.cpu.tlb.endJournal(undo);
    this.cpu.mem.journal = null;
    this.cpu.forceSlowWrites(false);
    return j;
  }
}
