/**
 * Scaffolding shared by the CPU unit tests (test/cpu/**): run a short NASM
 * program on a {@link HarnessMachine} (tools/cpu-harness.ts, which also
 * builds descriptors, gates and TSSs) and assert how it stopped.
 *
 * A program is `src` followed by an end marker, assembled at {@link CODE}
 * with ESP = {@link STACK_TOP}. The harness intercepts every exception, so
 * the marker stops the run: `ud2` (the default) with EIP at the marker,
 * `int3` with EIP just past it. A run that reaches the marker has completed;
 * any other exception is a fault.
 *
 * - {@link runProgram} runs a program in a chosen mode and returns a
 *   {@link Run}; {@link run32} and {@link runReal} are its common shapes.
 *   {@link loadProgram} and {@link runLoaded} are its two halves, for tests
 *   that prepare the machine themselves.
 * - {@link completes}, {@link faultsAtStart} and {@link faults} assert on a Run.
 * - {@link exec} and {@link expectRun} run register-and-flag programs (the
 *   ALU-style families): registers by name, arithmetic flags by letter.
 * - {@link runCode} runs code on a machine a test built itself (far
 *   transfers, task switches), without an end marker.
 * - {@link rd}, {@link read32}, {@link read16} and {@link bytes} read guest memory.
 */
import assert from 'node:assert/strict';
import { HarnessMachine, HarnessSel, type HarnessStop } from '../../tools/cpu-harness.js';
import { assemble } from './asm.js';
import { Flag, Reg, Seg, Vector } from '../../src/cpu/registers.js';
import { loadSegmentReal, updateAllSegOk } from '../../src/cpu/segments.js';
import { StopReason } from '../../src/cpu/system-interface.js';

/** Where programs are assembled and loaded, and where EIP starts. */
export const CODE = 0x1000;
/** ESP when a program starts. */
export const STACK_TOP = 0x8000;
/** The harness GDT's 16-bit DPL 3 data segment (index 6, RPL 3). */
export const DATA16_USER = HarnessSel.Data16User;

/**
 * Where a program runs: flat 32-bit protected mode at CPL 0 or 3, real mode
 * at 0000:CODE, or virtual-8086 mode (CPL 3, every segment 0, no VME).
 */
export type Mode = 'pm0' | 'pm3' | 'real' | 'v86';
/** The instruction appended to a program to mark its end. */
export type EndMarker = 'ud2' | 'int3';
/** A test's own preparation, run after the program is loaded and before it runs. */
export type Setup = (m: HarnessMachine) => void;

export interface ProgramOptions {
  /** Default 'pm0'. */
  mode?: Mode;
  /** EFLAGS.IOPL for the run (default: as the mode leaves it, 0). */
  iopl?: number;
  /** Default 'ud2'. */
  marker?: EndMarker;
  setup?: Setup;
  /** The machine to run on, e.g. one with ports or a 16-bit segment base; it is put into `mode` like a new one. */
  machine?: HarnessMachine;
  /** Instructions the run may take (default 10 000). */
  budget?: number;
  /** Accept a stop other than an exception (HLT, the budget); by default the run asserts it stopped at one. */
  anyStop?: boolean;
}

/** How a program stopped. */
export interface Run {
  m: HarnessMachine;
  reason: StopReason;
  /** Exception vector, or -1 when the run stopped otherwise. */
  vector: number;
  /** Exception error code, or -1 when it has none. */
  errorCode: number;
  /** EIP at the stop, unsigned. */
  eip: number;
  /** EIP of a program that completed. */
  end: number;
  marker: EndMarker;
}

/** Puts the CPU in virtual-8086 mode at CPL 3 with every segment 0 (no VME, IOPL 0). */
export function enterV86(m: HarnessMachine): void {
  m.protectedMode(0);
  const cpu = m.cpu;
  cpu.setFlags(Flag.VM);
  cpu.cpl = 3;
  updateAllSegOk(cpu);
  for (let s = Seg.ES; s <= Seg.GS; s++) loadSegmentReal(cpu, s, 0);
  cpu.updatePrivilegeMasks();
}

/** Resets `m` into `mode` (see {@link Mode}). */
export function enterMode(m: HarnessMachine, mode: Mode): void {
  if (mode === 'real') m.realMode(0, CODE);
  else if (mode === 'v86') enterV86(m);
  else m.protectedMode(mode === 'pm3' ? 3 : 0);
}

/**
 * Assembles `src` and the end marker as `bits`-bit code at CODE, loads it and
 * points EIP at CODE and ESP at STACK_TOP. Returns the EIP of completion.
 */
export function loadProgram(m: HarnessMachine, src: string, bits: 16 | 32 = 32, marker: EndMarker = 'ud2'): number {
  const code = assemble(`${src}\n${marker}`, bits, CODE);
  m.load(CODE, code);
  m.cpu.eip = CODE;
  m.cpu.regs[Reg.ESP] = STACK_TOP;
  return CODE + code.length - (marker === 'ud2' ? 2 : 0);
}

/** Runs a program loaded by {@link loadProgram} (which returned `end`) and reports the stop. */
export function runLoaded(m: HarnessMachine, end: number, opts: Pick<ProgramOptions, 'marker' | 'budget' | 'anyStop'> = {}): Run {
  const stop = m.run(opts.budget ?? 10_000);
  if (!opts.anyStop) assert.equal(stop.reason, StopReason.Exception, `stopped by ${stop.reason}`);
  return {
    m, reason: stop.reason, vector: stop.vector, errorCode: stop.errorCode, eip: m.cpu.eip >>> 0, end,
    marker: opts.marker ?? 'ud2',
  };
}

/** Runs `src` as {@link ProgramOptions} say: mode, IOPL, load, the test's setup, run. */
export function runProgram(src: string, opts: ProgramOptions = {}): Run {
  const m = opts.machine ?? new HarnessMachine();
  const mode = opts.mode ?? 'pm0';
  enterMode(m, mode);
  if (opts.iopl !== undefined) m.cpu.flags = (m.cpu.flags & ~Flag.IOPL) | (opts.iopl << 12);
  const end = loadProgram(m, src, mode === 'real' || mode === 'v86' ? 16 : 32, opts.marker);
  opts.setup?.(m);
  return runLoaded(m, end, opts);
}

/** Flat 32-bit protected-mode code at `cpl`, on `m` if given, ending in ud2. */
export function run32(src: string, setup?: Setup, cpl: 0 | 3 = 0, m?: HarnessMachine): Run {
  return runProgram(src, { mode: cpl === 3 ? 'pm3' : 'pm0', setup, machine: m });
}

/** Real-mode code at 0000:CODE with SS:SP = 0000:STACK_TOP, ending in ud2. */
export function runReal(src: string, setup?: Setup): Run {
  return runProgram(src, { mode: 'real', setup });
}

/** Asserts the program ran to its end marker; returns its machine. */
export function completes(r: Run): HarnessMachine {
  const at = `at ${r.eip.toString(16)}, CR2 ${(r.m.cpu.cr2 >>> 0).toString(16)}`;
  assert.equal(r.reason, StopReason.Exception);
  assert.equal(r.vector, r.marker === 'int3' ? Vector.BP : Vector.UD, `stopped by vector ${r.vector} (error ${r.errorCode}) ${at}`);
  assert.equal(r.eip, r.end, `stopped ${at} before the end marker`);
  return r.m;
}

/** Error code of an exception that pushes none, as the harness reports it. */
export const NO_ERROR_CODE = -1;

/**
 * Asserts the first instruction faulted with `vector`, and with `errorCode`
 * when given ({@link NO_ERROR_CODE} for an exception without one).
 */
export function faultsAtStart(r: Run, vector: number, errorCode?: number): void {
  assert.equal(r.reason, StopReason.Exception);
  assert.equal(r.vector, vector, `vector ${r.vector} (error ${r.errorCode})`);
  assert.equal(r.eip, CODE, 'EIP at the faulting instruction');
  if (errorCode !== undefined) assert.equal(r.errorCode, errorCode, 'error code');
}

/** Asserts the program stopped with `vector`(`errorCode`) reported at `eip`; returns its machine. */
export function faults(r: Run, vector: number, errorCode: number, eip: number): HarnessMachine {
  assert.equal(r.vector, vector, `vector ${r.vector}, expected ${vector}`);
  assert.equal(r.errorCode, errorCode, `error code ${r.errorCode.toString(16)}`);
  assert.equal(r.eip, eip, `EIP ${r.eip.toString(16)}`);
  return r.m;
}

/**
 * Loads 32-bit `src` at `at` (no end marker) and runs `m` from its current
 * EIP until an exception, which it returns. For machines a test set up
 * itself: descriptor tables, TSSs, EIP and ESP.
 */
export function runCode(m: HarnessMachine, src: string, at = CODE): HarnessStop {
  m.load(at, assemble(src, 32, at));
  const stop = m.run(10_000);
  assert.equal(stop.reason, StopReason.Exception, `stopped by ${stop.reason}`);
  return stop;
}

// ---- Register-and-flag programs ----------------------------------------------------

const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
/** A general register by name, in encoding order. */
export type RegName = (typeof REGS)[number];
/** The arithmetic flags by letter, in the order {@link Outcome.flags} lists them. */
const FLAG_BITS: [string, number][] = [['C', 0x1], ['P', 0x4], ['A', 0x10], ['Z', 0x40], ['S', 0x80], ['O', 0x800]];

/** Initial state: registers, arithmetic flags by letter (C P A Z S O), memory bytes by address. */
export interface Init { regs?: Partial<Record<RegName, number>>; flags?: string; mem?: Record<number, number[]>; bits?: 16 | 32 }

export interface Outcome {
  m: HarnessMachine;
  /** Vector of the exception that stopped the program before its end, or -1. */
  fault: number;
  /** The set arithmetic flags, as letters in CPAZSO order. */
  flags: string;
  reg(name: RegName): number;
  mem(gpa: number, size?: 1 | 2 | 4): number;
}

function letters(eflags: number): string {
  return FLAG_BITS.filter(([, bit]) => eflags & bit).map(([l]) => l).join('');
}

/** Runs `src` (32-bit flat protected mode, or real mode with bits 16) up to its ud2 end marker. */
export function exec(src: string, init: Init = {}): Outcome {
  const r = runProgram(src, {
    mode: init.bits === 16 ? 'real' : 'pm0',
    anyStop: true,
    setup: (m) => {
      for (const [name, v] of Object.entries(init.regs ?? {})) m.cpu.regs[REGS.indexOf(name as RegName)] = v;
      let f = 0;
      for (const [l, bit] of FLAG_BITS) if (init.flags?.includes(l)) f |= bit;
      m.cpu.setFlags(f);
      for (const [gpa, bytes] of Object.entries(init.mem ?? {})) m.load(Number(gpa), bytes);
    },
  });
  const m = r.m;
  const atEnd = r.vector === Vector.UD && r.eip === r.end;
  return {
    m,
    fault: atEnd ? -1 : r.vector,
    flags: letters(m.cpu.getFlags()),
    reg: (name) => m.cpu.regs[REGS.indexOf(name)] >>> 0,
    mem: (gpa, size = 4) => m.mem.read(gpa, size) >>> 0,
  };
}

/** Runs and asserts completion, register values and the flags in `mask` (default all six). */
export function expectRun(src: string, init: Init, regs: Partial<Record<RegName, number>>, flags?: string, mask = 'CPAZSO'): Outcome {
  const o = exec(src, init);
  assert.equal(o.fault, -1, `faulted with vector ${o.fault}`);
  for (const [name, v] of Object.entries(regs)) assert.equal(o.reg(name as RegName).toString(16), (v >>> 0).toString(16), name);
  if (flags !== undefined) {
    const only = (s: string) => [...s].filter((c) => mask.includes(c)).join('');
    assert.equal(only(o.flags), only(flags), 'flags');
  }
  return o;
}

// ---- Guest memory ----------------------------------------------------------------------

/** `size` bytes at `gpa`, unsigned. */
export const rd = (m: HarnessMachine, gpa: number, size: 1 | 2 | 4 = 4): number => m.mem.read(gpa, size) >>> 0;
export const read32 = (m: HarnessMachine, gpa: number): number => m.mem.read(gpa, 4) >>> 0;
export const read16 = (m: HarnessMachine, gpa: number): number => m.mem.read(gpa, 2);
/** `n` bytes from `gpa`. */
export const bytes = (m: HarnessMachine, gpa: number, n: number): number[] => Array.from({ length: n }, (_, i) => m.mem.read(gpa + i, 1));
