/**
 * WebAssembly emitters of REP string operations, LOCK and BSF/BSR against
 * the interpreter. Each program runs from the same state on a machine that
 * only interprets and on one that translates on first sight to WebAssembly;
 * the stop, EIP, registers, EFLAGS (materialized), CR2, the instruction
 * count and every byte of RAM (page tables and their accessed and dirty
 * bits included) must agree. Each program is also compiled as the
 * translator would compile it, to check that the instructions under test
 * run in WebAssembly rather than in the interpreter's step (or, for the
 * uses that are #UD or not flat, that they do not).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../../tools/cpu-harness.js';
import { assemble } from '../../../support/asm.js';
import { Vector } from '../../../../src/cpu/registers.js';
import { findBlock, modeKey, WASM_EMITTERS } from '../../../../src/cpu/translator/index.js';
import { compileWasmModule } from '../../../../src/cpu/translator/wasm/region.js';

const CODE = 0x1000;
const STACK_TOP = 0x8000;
const RAM_BYTES = 4 << 20;
const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
type RegName = (typeof REGS)[number];

/** One program and the state it starts from. */
interface Case {
  src: string;
  regs?: Partial<Record<RegName, number>>;
  /** Start with DF set. */
  df?: boolean;
  /** Paging on, identity-mapping these linear pages (the code and stack pages are added). */
  pages?: number[];
  /** More mappings: [linear page, physical page]. */
  alias?: [number, number][];
  /** Pages mapped for CPL 0 only (with `cpl` 3, an access there faults). */
  supervisorPages?: number[];
  cpl?: 0 | 3;
  /** Bytes put in memory first. */
  mem?: [number, ArrayLike<number>][];
  budget?: number;
  /** How many of the block's instructions (from the start) must run in WebAssembly; default all but the end marker. */
  native?: number;
  /** Indexes of the block's instructions that must go to the interpreter (#UD, a segment that is not flat). */
  interpreted?: number[];
  /** The exception the run must stop at. */
  vector?: number;
}

/** Deterministic pseudo-random bytes. */
function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}

const CODE_PAGES = [CODE >>> 12, (STACK_TOP - 1) >>> 12];
const PAGE_TABLES = 0x30_0000;

/** The interpreter's machine and the translator's, made once (a machine's memory costs more than many runs) and cleared for each case. */
let pair: [HarnessMachine, HarnessMachine] | undefined;
const ZEROES = new Uint8Array(RAM_BYTES);

function machines(): [HarnessMachine, HarnessMachine] {
  pair ??= [new HarnessMachine({ translator: false }), new HarnessMachine({ translator: { hotThreshold: 0, backend: 'wasm' } })];
  return pair;
}

function prepare(m: HarnessMachine, c: Case, code: Uint8Array): void {
  m.protectedMode(c.cpl ?? 0);
  m.load(0, ZEROES); // as DMA: translations over changed bytes are dropped
  m.load(CODE, code);
  for (const [at, bytes] of c.mem ?? []) m.load(at, Uint8Array.from(bytes));
  if (c.pages !== undefined) {
    m.enablePaging([...CODE_PAGES, ...c.pages], PAGE_TABLES, c.supervisorPages ?? []);
    for (const [linear, physical] of c.alias ?? []) {
      const pde = m.mem.read(PAGE_TABLES + (linear >>> 10) * 4, 4);
      assert.ok((pde & 1) !== 0, 'an alias shares a page table with an identity mapping');
      m.mem.write((pde & ~0xfff) + (linear & 0x3ff) * 4, 4, (physical << 12) | 7);
    }
  }
  const cpu = m.cpu;
  cpu.eip = CODE;
  REGS.forEach((name, i) => { cpu.regs[i] = name === 'esp' ? STACK_TOP : (c.regs?.[name] ?? 0); });
  cpu.setFlags(0x2 | (c.df ? 0x400 : 0));
}

function outcome(m: HarnessMachine, budget: number): Record<string, unknown> {
  const cpu = m.cpu, start = cpu.instructions;
  const stop = m.run(budget);
  return {
    stop, eip: cpu.eip >>> 0, regs: Array.from(cpu.regs, (x) => (x >>> 0).toString(16)),
    flags: (cpu.getFlags() >>> 0).toString(16), cr2: cpu.cr2 >>> 0, instructions: cpu.instructions - start,
  };
}

/** First differing byte of the two machines' RAM, or -1. */
function firstDifference(a: HarnessMachine, b: HarnessMachine): number {
  const x = a.cpu.backing.subarray(0, RAM_BYTES), y = b.cpu.backing.subarray(0, RAM_BYTES);
  if (Buffer.from(x.buffer, x.byteOffset, RAM_BYTES).equals(Buffer.from(y.buffer, y.byteOffset, RAM_BYTES))) return -1;
  for (let i = 0; i < RAM_BYTES; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Asserts which instructions of the program's first block the WebAssembly back end runs itself. */
function assertNative(c: Case, m: HarnessMachine): void {
  const plan = findBlock(m.cpu.backing, CODE, CODE, modeKey(m.cpu));
  assert.ok(plan);
  const { regions } = compileWasmModule([[plan]], WASM_EMITTERS, { tlb: 0, state: 0 });
  const eips = regions[0].eips;
  const native = c.native ?? plan.insns.length - 1;
  for (let i = 0; i < Math.min(native, plan.insns.length); i++) {
    const wanted: number = c.interpreted?.includes(i) ? -1 : plan.insns[i].eip;
    assert.equal(eips[i], wanted, `${c.src}: instruction ${i} ${wanted === -1 ? 'should go to the interpreter' : 'not translated'}`);
  }
}

/** Runs `c` on both machines and compares; returns the translator's machine. */
function check(c: Case): HarnessMachine {
  const code = assemble(`${c.src}\nud2`, 32, CODE);
  const [interp, jit] = machines();
  prepare(interp, c, code);
  prepare(jit, c, code);
  assertNative(c, jit);
  const compiled = jit.cpu.translator!.cache.compiledWasm;
  const budget = c.budget ?? 100_000;
  const expected = outcome(interp, budget);
  const got = outcome(jit, budget);
  const what = `${c.src} ${JSON.stringify(c.regs ?? {})} df=${c.df ?? false}`;
  assert.deepEqual(got, expected, what);
  const at = firstDifference(interp, jit);
  assert.equal(at, -1, `${what}: RAM differs at 0x${at.toString(16)}`);
  assert.ok(jit.cpu.translator!.cache.compiledWasm > compiled, 'regions were compiled to WebAssembly');
  if (c.vector !== undefined) assert.equal((got.stop as { vector: number }).vector, c.vector, `${what}: the exception`);
  return jit;
}

/** A stop at the end marker (UD2 at the program's end). */
function assertCompleted(m: HarnessMachine, c: Case): void {
  const code = assemble(`${c.src}\nud2`, 32, CODE);
  assert.equal(m.cpu.eip, CODE + code.length - 2, `${c.src}: ran to its end`);
}

const SRC = 0x20000, DST = 0x30000;
const DATA = pattern(0x8000);

describe('REP MOVS', () => {
  const sizes = [['movsb', 1], ['movsw', 2], ['movsd', 4]] as const;

  test('within a page, across pages (unaligned), and past one chunk of REP_CHUNK iterations', () => {
    for (const [op, size] of sizes) {
      for (const [esi, edi, ecx] of [[SRC + 0x10, DST + 0x20, 0x30], [SRC + 0xff1, DST + 0xffe, 0x900], [SRC + 1, DST + 3, 0x1400]]) {
        const c: Case = { src: `rep ${op}`, regs: { esi, edi, ecx }, mem: [[SRC, DATA]] };
        const m = check(c);
        assertCompleted(m, c);
        assert.equal(m.reg('ecx'), 0);
        assert.equal(m.reg('edi'), edi + ecx * size);
      }
    }
  });

  test('DF = 1 copies downwards, across pages', () => {
    for (const [op] of sizes) {
      for (const [esi, edi, ecx] of [[SRC + 0x1008, DST + 0x1004, 1000], [SRC + 0x3f, DST + 0x2001, 5], [SRC + 0x2fff, DST + 0x2ffe, 0x1100]]) {
        assertCompleted(check({ src: `rep ${op}`, df: true, regs: { esi, edi, ecx }, mem: [[SRC, DATA]] }), { src: `rep ${op}` });
      }
    }
  });

  test('with ECX = 0 nothing moves and the block goes on', () => {
    const m = check({ src: 'rep movsd\nmov ebx, 7', regs: { esi: SRC, edi: DST, ecx: 0 }, mem: [[SRC, DATA]] });
    assert.equal(m.reg('ebx'), 7);
    assert.equal(m.reg('edi'), DST);
  });

  test('16-bit addressing (0x67): SI, DI and CX wrap at 16 bits both ways and keep their upper halves', () => {
    for (const [op] of sizes) {
      check({ src: `a16 rep ${op}`, regs: { esi: 0x1234_ffe0, edi: 0x5678_2000, ecx: 0xabcd_0030 }, mem: [[0, DATA.subarray(0, 0x100)], [0xff00, DATA.subarray(0, 0x100)]] });
      check({ src: `a16 rep ${op}`, df: true, regs: { esi: 0x1234_0008, edi: 0x5678_2008, ecx: 0xabcd_0030 }, mem: [[0, DATA.subarray(0, 0x100)], [0xff00, DATA.subarray(0, 0x100)]] });
      check({ src: `a16 rep ${op}`, regs: { esi: 0x20, edi: 0xfff0, ecx: 0x1_0000 }, mem: [[0, DATA.subarray(0, 0x100)]] }); // CX = 0
    }
  });

  test('overlapping copies replicate element by element both ways, where memory.copy would not', () => {
    for (const [op, size] of sizes) {
      for (const distance of [-size - 1, -size, -1, 1, size - 1 || 1, size, size + 1, 64]) {
        for (const df of [false, true]) {
          check({ src: `rep ${op}`, df, regs: { esi: SRC + 0x100, edi: SRC + 0x100 + distance, ecx: 40 }, mem: [[SRC, DATA]] });
        }
      }
    }
  });

  test('overlap through two linear pages mapped to one physical page is seen on host addresses', () => {
    // Linear 0x40000 is physical 0x20000: the destination is one byte past the source in RAM.
    for (const df of [false, true]) {
      check({
        src: 'rep movsb', df, pages: [0x20, 0x21], alias: [[0x40, 0x20]],
        regs: { esi: SRC + (df ? 0x80 : 0), edi: 0x40001 + (df ? 0x80 : 0), ecx: 0x81 }, mem: [[SRC, DATA.subarray(0, 0x1000)]],
      });
    }
  });

  test('a #PF in the middle leaves ESI, EDI and ECX at the faulting iteration, with CR2 and the count of the interpreter', () => {
    for (const [op] of sizes) {
      // The destination runs into a missing page; an element straddling it; the source runs into one; DF = 1 down into one.
      check({ src: `rep ${op}`, pages: [0x20, 0x21, 0x30], regs: { esi: SRC + 0x10, edi: DST + 0xff0, ecx: 0x40 }, mem: [[SRC, DATA]] });
      check({ src: `rep ${op}`, pages: [0x20, 0x21, 0x30], regs: { esi: SRC + 0x11, edi: DST + 0xfff, ecx: 0x40 }, mem: [[SRC, DATA]] });
      check({ src: `rep ${op}`, pages: [0x20, 0x30, 0x31], regs: { esi: SRC + 0xfe0, edi: DST + 0x10, ecx: 0x40 }, mem: [[SRC, DATA]] });
      check({ src: `rep ${op}`, df: true, pages: [0x21, 0x30, 0x31], regs: { esi: SRC + 0x1010, edi: DST + 0x1010, ecx: 0x40 }, mem: [[SRC, DATA]] });
      // After a first chunk of 4096: the fault comes in the second execution.
      check({ src: `rep ${op}`, pages: [0x20, 0x21, 0x22, 0x23, 0x24, 0x30, 0x31, 0x32, 0x33], regs: { esi: SRC, edi: DST, ecx: 0x3000 }, mem: [[SRC, DATA]] });
    }
  });

  test('at CPL 3 a supervisor destination page faults with a user write error code', () => {
    const m = check({ src: 'rep movsd', cpl: 3, pages: [0x20, 0x30], supervisorPages: [0x31], regs: { esi: SRC, edi: DST + 0xf00, ecx: 0x100 }, mem: [[SRC, DATA]] });
    assert.equal(m.cpu.cr2, DST + 0x1000);
  });

  test('REPNE (F2) is REP; a segment override that is not flat goes to the interpreter', () => {
    check({ src: 'repne movsb', regs: { esi: SRC, edi: DST, ecx: 100 }, mem: [[SRC, DATA]] });
    // The translator bakes in only DS, ES and SS as flat: a CS or FS source takes the interpreter's loop.
    check({ src: 'rep cs movsb', regs: { esi: SRC, edi: DST, ecx: 100 }, mem: [[SRC, DATA]], interpreted: [0] });
    check({ src: 'rep fs movsd', regs: { esi: SRC, edi: DST, ecx: 100 }, mem: [[SRC, DATA]], interpreted: [0] });
  });
});

describe('REP STOS', () => {
  const sizes = [['stosb', 1], ['stosw', 2], ['stosd', 4]] as const;

  test('fills within a page, across pages, past one chunk, both directions, with repeated-byte and mixed elements', () => {
    for (const [op] of sizes) {
      for (const eax of [0, 0x5a5a_5a5a, 0x0102_0304, 0xffff_00ff]) {
        for (const df of [false, true]) {
          for (const [edi, ecx] of [[DST + 0x10, 0x30], [DST + 0xffd, 0x900], [DST + 0x1003, 0x1400]]) {
            assertCompleted(check({ src: `rep ${op}`, df, regs: { eax, edi, ecx } }), { src: `rep ${op}` });
          }
        }
      }
    }
  });

  test('16-bit addressing wraps DI; ECX = 0 stores nothing', () => {
    for (const [op] of sizes) {
      check({ src: `a16 rep ${op}`, regs: { eax: 0x1122_3344, edi: 0x7777_fff0, ecx: 0x20 } });
      check({ src: `a16 rep ${op}`, df: true, regs: { eax: 0x1122_3344, edi: 0x7777_0010, ecx: 0x20 } });
      check({ src: `rep ${op}\nmov ebx, 1`, regs: { eax: 0x1122_3344, edi: DST, ecx: 0 } });
    }
  });

  test('a #PF in the middle leaves EDI and ECX at the faulting iteration', () => {
    for (const [op] of sizes) {
      check({ src: `rep ${op}`, pages: [0x30], regs: { eax: 0xa5a5_a5a5, edi: DST + 0xff7, ecx: 4 } });
      check({ src: `rep ${op}`, pages: [0x30], regs: { eax: 0x0102_0304, edi: DST + 0xffd, ecx: 0x100 } });
      check({ src: `rep ${op}`, df: true, pages: [0x31], regs: { eax: 0x0102_0304, edi: DST + 0x1010, ecx: 0x100 } });
    }
  });
});

describe('REP LODS, REPE/REPNE CMPS and SCAS', () => {
  const text = Uint8Array.from(Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(200)));

  test('REP LODS leaves the last element, both ways, across a page, with a fault', () => {
    for (const op of ['lodsb', 'lodsw', 'lodsd']) {
      check({ src: `rep ${op}`, regs: { esi: SRC + 0xff0, ecx: 0x30 }, mem: [[SRC, DATA]] });
      check({ src: `rep ${op}`, df: true, regs: { esi: SRC + 0x1008, ecx: 0x30 }, mem: [[SRC, DATA]] });
      check({ src: `rep ${op}`, pages: [0x20], regs: { esi: SRC + 0xff0, ecx: 0x30 }, mem: [[SRC, DATA]] });
    }
  });

  test('REPE CMPS stops at the first difference, REPNE at the first match; flags as CMP; ECX = 0 keeps the flags', () => {
    const other = Uint8Array.from(text);
    other[0x1234] ^= 0x20;
    for (const op of ['cmpsb', 'cmpsw', 'cmpsd']) {
      for (const prefix of ['repe', 'repne']) {
        for (const df of [false, true]) {
          const at = df ? 0x1300 : 0x1000;
          check({ src: `${prefix} ${op}\nsetz bl\nsetc bh\nsetl dl`, df, regs: { esi: SRC + at, edi: DST + at, ecx: 0x200 }, mem: [[SRC, text], [DST, other]] });
        }
      }
      check({ src: `stc\nrepe ${op}\nsetc bl`, regs: { esi: SRC, edi: DST, ecx: 0 } });
      check({ src: `repe ${op}`, pages: [0x20, 0x21, 0x30], regs: { esi: SRC + 0x1f00, edi: DST + 0xf00, ecx: 0x200 }, mem: [[SRC, text], [DST, text.subarray(0x1000)]] });
      check({ src: `a16 repe ${op}`, regs: { esi: 0xfff0, edi: 0x2ff0, ecx: 0x1_0020 }, mem: [[0xff00, text.subarray(0, 0x100)], [0x2f00, text.subarray(0, 0x100)], [0, text.subarray(0x100, 0x200)], [0x3000, text.subarray(0x100, 0x200)]] });
    }
  });

  test('REPNE SCAS finds a byte (strlen), REPE SCAS skips equal elements, past a chunk and into a fault', () => {
    const zeros = new Uint8Array(0x2000);
    for (const op of ['scasb', 'scasw', 'scasd']) {
      check({ src: `repne ${op}\nsetz bl`, regs: { eax: 0, edi: SRC, ecx: -1 }, mem: [[SRC, text.subarray(0, 0x1800)], [SRC + 0x1801, [0]]] });
      check({ src: `repe ${op}\nsetz bl`, df: true, regs: { eax: 0, edi: DST + 0x1ff0, ecx: 0x1200 }, mem: [[DST, zeros]] });
      check({ src: `repe ${op}`, pages: [0x30], regs: { eax: 0, edi: DST + 0xf00, ecx: 0x1000 }, mem: [[DST, zeros]] });
    }
  });
});

test('a budget that ends between chunks leaves (E)CX, (E)SI and (E)DI where the interpreter does', () => {
  for (const src of ['rep movsb', 'rep movsd', 'std\nrep stosw', 'rep lodsb', 'repe scasd', 'repe cmpsb', 'a16 rep stosb']) {
    for (const budget of [2, 3]) check({ src, regs: { ecx: 0x3000, esi: SRC, edi: DST }, budget });
  }
});

describe('REP and self-modifying code', () => {
  test('a REP STOS over the rest of its own block completes, then the new code runs', () => {
    // NOPs (0x90) over `inc ebx` and the first bytes after it: EBX stays 0.
    const m = check({ src: 'mov edi, patch\nmov ecx, 2\nmov al, 0x90\nrep stosb\npatch: inc ebx\ninc ebx\nmov edx, 5', native: 4 });
    assert.equal(m.reg('ebx'), 0);
    assert.equal(m.reg('edx'), 5);
    assert.ok(m.cpu.translator!.cache.invalidated >= 1, 'the region was invalidated');
  });

  test('a REP MOVS copying new code over the next instruction runs it', () => {
    const m = check({ src: 'mov esi, 0x20000\nmov edi, patch\nmov ecx, 5\nrep movsb\npatch: mov eax, 1', mem: [[SRC, [0xb8, 0x2a, 0, 0, 0]]], native: 4 });
    assert.equal(m.reg('eax'), 42);
  });

  test('a REP STOS over its own bytes, in the middle of its second chunk', () => {
    // NOPs from 0 up: the first chunk stops short of this code at 0x1000; the second (3 bytes) covers
    // the REP itself and the INC after it, and EIP goes on to the end marker.
    const m = check({ src: 'rep stosb\ninc ebx', regs: { eax: 0x90, edi: 0, ecx: CODE + 3 }, budget: 1000 });
    assert.equal(m.reg('ebx'), 0);
    assert.equal(m.reg('ecx'), 0);
  });

  test('a REP STOS over another page\'s translated code: that code runs anew when called again', () => {
    const m = check({
      src: 'call 0x3000\nmov ebx, eax\nmov edi, 0x3001\nmov ecx, 4\nmov eax, 0x33\nrep stosb\ncall 0x3000',
      mem: [[0x3000, [0xb8, 0x11, 0x11, 0x11, 0x11, 0xc3]]], native: 1,
    });
    assert.equal(m.reg('ebx'), 0x1111_1111);
    assert.equal(m.reg('eax'), 0x3333_3333);
  });
});

describe('LOCK', () => {
  test('lockable read-modify-write instructions with a memory destination run in WebAssembly', () => {
    const forms = [
      'lock add [esi], eax', 'lock adc word [esi], bx', 'lock sbb byte [esi], cl', 'lock sub [esi], ecx', 'lock and [esi], ebx',
      'lock or dword [esi], 0x10', 'lock xor byte [esi + 1], 0x81', 'lock add dword [esi], -1',
      'lock inc dword [esi]', 'lock dec word [esi]', 'lock not byte [esi]', 'lock neg dword [esi]',
      'lock xadd [esi], eax', 'lock xchg [esi], ebx', 'lock cmpxchg [esi], ecx', 'lock cmpxchg byte [esi], dl',
      'lock bts [esi], eax', 'lock btr word [esi], bx', 'lock btc dword [esi], 33',
    ];
    for (const f of forms) {
      for (const [eax, mem] of [[0, 0], [1, 1], [0x8000_0000, 0x7fff_ffff], [0xffff_ffff, 0x8000_0001]]) {
        check({ src: `${f}\nsetc cl\nsetz ch\nsets dl\nseto dh`, regs: { eax, ebx: eax ^ 5, ecx: 7, edx: 0x80, esi: DST }, mem: [[DST, [mem & 0xff, (mem >>> 8) & 0xff, (mem >>> 16) & 0xff, mem >>> 24]]] });
      }
      // A fault leaves it undone, as without LOCK.
      check({ src: f, pages: [], regs: { esi: DST } });
    }
  });

  test('LOCK with a register destination, or on an instruction that is not lockable, is #UD from the interpreter', () => {
    const forms = [
      'lock add eax, ebx', 'lock xchg eax, ebx', 'lock inc dword [esi]\nlock inc eax', 'lock not ecx',
      'lock mov [esi], eax', 'lock cmp [esi], eax', 'lock bt [esi], eax', 'lock test byte [esi], 1',
      'db 0xf0, 0x90', 'lock bsf eax, [esi]', 'db 0xf0, 0xff, 0x36', // LOCK NOP; LOCK PUSH [esi] (FF /6)
    ];
    for (const f of forms) {
      const first = f.startsWith('lock inc dword') ? 1 : 0;
      const m = check({ src: `mov edx, 3\n${f}`, regs: { esi: DST }, native: first + 2, interpreted: [first + 1], vector: Vector.UD });
      assert.equal(m.cpu.eip, CODE + 5 + 3 * first, `${f}: EIP at the LOCK prefix`);
      assert.equal(m.reg('edx'), 3);
    }
  });
});

describe('BSF, BSR', () => {
  const VALUES = [0, 1, 2, 0x8000_0000, 0x8000, 0x1_0000, 0xffff_0000, 0x1234_5678, 0x7fff_ffff, 6, 0xa0];

  test('register and memory sources, 16 and 32 bits, zero and nonzero, after a pending flag record', () => {
    for (const op of ['bsf', 'bsr', 'rep bsf']) {
      for (const form of [`${op} eax, ecx`, `${op} ax, cx`, `${op} edx, [esi]`, `${op} dx, [esi + 2]`]) {
        for (const v of VALUES) {
          for (const pre of ['add ebx, ebx', 'stc', 'sub ebx, 1']) {
            check({
              src: `${pre}\n${form}\nsetz cl\nsetc ch\nsetp bl\nsets bh\nseto dh\njnz skip\ninc edi\nskip:`,
              regs: { eax: 0xdead_beef, ecx: v, edx: 0x5555_aaaa, ebx: v ^ 0x80, esi: DST },
              mem: [[DST, [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24, 0, 0x80]]],
            });
          }
        }
      }
    }
  });

  test('a zero source sets ZF and PF, clears CF OF SF AF, and leaves the destination', () => {
    for (const op of ['bsf', 'bsr']) {
      const m = check({ src: `add ebx, ecx\n${op} eax, edx`, regs: { eax: 0x1234_5678, ebx: 0x7fff_ffff, ecx: 1 } });
      assert.equal(m.reg('eax'), 0x1234_5678);
      assert.equal(m.cpu.getFlags() & 0x8d5, 0x44);
    }
  });

  test('a memory source that faults leaves the destination and flags', () => {
    check({ src: 'cmp eax, ebx\nbsf eax, [esi]', pages: [], regs: { eax: 1, ebx: 2, esi: DST } });
  });
});

test('the interpreter and the translator agree on which registers a fault in a REP leaves', () => {
  // A direct look at the translated machine, beyond the comparison: MOVSD with the destination's second page missing.
  const m = check({ src: 'rep movsd', pages: [0x20, 0x30], regs: { esi: SRC, edi: DST + 0xff8, ecx: 10 }, mem: [[SRC, DATA]], vector: Vector.PF });
  assert.equal(m.cpu.cr2, DST + 0x1000);
  assert.equal(m.reg('ecx'), 8);
  assert.equal(m.reg('esi'), SRC + 8);
  assert.equal(m.reg('edi'), DST + 0x1000);
  assert.equal(m.cpu.eip, CODE);
});
