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
 * whose own code changed under it, and one with x87 instructions (the FPU
 * stack is objects this snapshot does not copy).
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
  'eaSeg', 'eaOff', 'prevEip', 'prevEsp', 'debugShadow', 'stopReason',
  'lazyMask', 'lazyOp', 'lazyA', 'lazyB', 'lazyR', 'lazySize', 'flags',
]);

type Snapshot = Map<string, number | boolean | number[]>;

function snapshot(cpu: Cpu): Snapshot {
  const s: Snapshot = new Map();
  for (const [key, value] of Object.entries(cpu)) {
    if (key === 'backing') continue;
    if (typeof value === 'number' || typeof value === 'boolean') s.set(key, value);
    else if (ArrayBuffer.isView(value) && (value as Int32Array).length <= 64) s.set(key, Array.from(value as Int32Array));
  }
  s.set('msrs.lo', Array.from(cpu.msrs.lo));
  s.set('msrs.hi', Array.from(cpu.msrs.hi));
  s.set('fpu.sw', cpu.fpu.sw);
  s.set('fpu.cw', cpu.fpu.cw);
  s.set('fpu.top', cpu.fpu.top);
  s.set('eflags', cpu.getFlags());
  return s;
}

function restore(cpu: Cpu, s: Snapshot): void {
  const target = cpu as unknown as Record<string, unknown>;
  for (const [key, value] of s) {
    if (key === 'eflags' || key.startsWith('fpu.')) continue;
    if (key === 'msrs.lo') cpu.msrs.lo.set(value as number[]);
    else if (key === 'msrs.hi') cpu.msrs.hi.set(value as number[]);
    else if (Array.isArray(value)) (target[key] as Int32Array).set(value);
    else target[key] = value;
  }
  cpu.fetchPage = -1;
}

function differences(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const [key, va] of a) {
    if (NOT_STATE.has(key)) continue;
    const vb = b.get(key);
    if (Array.isArray(va)) {
      const arr = vb as number[];
      va.forEach((x, i) => { if (x !== arr[i]) out.push(`${key}[${i}]: ${fmt(x)} vs ${fmt(arr[i])}`); });
    } else if (va !== vb) out.push(`${key}: ${fmt(va)} vs ${fmt(vb)}`);
  }
  return out;
}

function fmt(v: unknown): string {
  return typeof v === 'number' && Number.isInteger(v) ? `0x${(v >>> 0).toString(16)}` : String(v);
}

/** Outcome of one engine's run of a block. */
interface RunResult { fault: CpuException | undefined; state: Snapshot }

/** Checks blocks against the interpreter; see the file comment. */
export class Lockstep {
  divergence: LockstepDivergence | undefined;
  checked = 0;
  unchecked = 0;
  private deviceAccesses = 0;

  constructor(private readonly cpu: Cpu) {
    // Count port I/O by wrapping the system interface's two port methods (this mode's only intrusion).
    const sys = cpu.sys;
    const ioRead = sys.ioRead.bind(sys), ioWrite = sys.ioWrite.bind(sys);
    sys.ioRead = (port, size) => { this.deviceAccesses++; return ioRead(port, size); };
    sys.ioWrite = (port, size, value) => { this.deviceAccesses++; ioWrite(port, size, value); };
  }

  /** Runs `block` both ways (when it can) and leaves the CPU as the translated run left it. */
  run(block: Block, hasX87: boolean): void {
    const cpu = this.cpu;
    if (hasX87 || this.divergence !== undefined) { block.fn(cpu); return; }
    const before = snapshot(cpu);
    const mem = cpu.mem;
    const devicesBefore = this.deviceAccesses + mem.deviceAccesses;
    this.journalOn();
    const interp = this.interpret(block);
    const journal = this.journalOff();
    if (this.deviceAccesses + mem.deviceAccesses !== devicesBefore || !block.valid) {
      this.unchecked++;
      if (interp.fault) throw interp.fault;
      return;
    }
    // Bytes as the interpreter left them, then undo its writes (newest first).
    const b = cpu.backing;
    const written = new Map<number, number>();
    for (let i = 0; i < journal.length; i += 2) written.set(journal[i], b[journal[i]]);
    for (let i = journal.length - 2; i >= 0; i -= 2) b[journal[i]] = journal[i + 1];
    restore(cpu, before);
    this.journalOn();
    const jit = this.translated(block);
    const jitJournal = this.journalOff();
    for (let i = 0; i < jitJournal.length; i += 2) if (!written.has(jitJournal[i])) written.set(jitJournal[i], jitJournal[i + 1]);
    this.checked++;
    const diffs = differences(interp.state, jit.state);
    if ((interp.fault?.vector ?? -1) !== (jit.fault?.vector ?? -1) || (interp.fault?.errorCode ?? -1) !== (jit.fault?.errorCode ?? -1)) {
      diffs.push(`fault: ${interp.fault ? `#${interp.fault.vector}(${interp.fault.errorCode})` : 'none'} vs ${jit.fault ? `#${jit.fault.vector}(${jit.fault.errorCode})` : 'none'}`);
    }
    for (const [addr, value] of written) {
      if (b[addr] !== value) diffs.push(`memory host 0x${addr.toString(16)}: 0x${value.toString(16)} vs 0x${b[addr].toString(16)}`);
    }
    if (diffs.length > 0) {
      const regs = (before.get('regs') as number[]).map((v) => fmt(v)).join(' ');
      this.divergence = {
        eip: block.eip, mode: block.mode, source: block.source ?? '', differences: diffs,
        before: `eip ${fmt(before.get('eip'))} eflags ${fmt(before.get('eflags'))} regs ${regs}`,
      };
      cpu.requestStop();
    }
    if (jit.fault) throw jit.fault;
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
    return { fault, state: this.settle(fault) };
  }

  private translated(block: Block): RunResult {
    let fault: CpuException | undefined;
    try {
      block.fn(this.cpu);
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      fault = e;
    }
    return { fault, state: this.settle(fault) };
  }

  /** State after a run, with a fault's rewind (as Cpu.run applies it) shown in the snapshot only. */
  private settle(fault: CpuException | undefined): Snapshot {
    const s = snapshot(this.cpu);
    if (fault) {
      s.set('eip', this.cpu.prevEip);
      const regs = (s.get('regs') as number[]).slice();
      regs[4] = this.cpu.prevEsp;
      s.set('regs', regs);
    }
    return s;
  }

  /** Starts a run: an empty TLB (so both runs do the same page walks, A/D bits included) and the journal. */
  private journalOn(): void {
    this.cpu.flushTlb(true);
    this.cpu.mem.journal = [];
    this.cpu.forceSlowWrites(true);
  }

  private journalOff(): number[] {
    const j = this.cpu.mem.journal ?? [];
    this.cpu.mem.journal = null;
    this.cpu.forceSlowWrites(false);
    return j;
  }
}
