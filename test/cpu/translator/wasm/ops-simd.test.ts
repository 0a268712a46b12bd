/**
 * The WebAssembly SSE/SSE2 emitters (wasm/ops-simd.ts) against the
 * interpreter: each program runs on a machine that translates on first
 * sight and on one that only interprets, from the same state (XMM
 * registers and memory from a seeded generator whose lanes often repeat,
 * so compares see equal and unequal lanes), and the stop, EIP, registers,
 * EFLAGS, CR2, the instruction count, all XMM registers and every byte
 * written must agree. Memory forms run cold (their first access misses
 * the TLB: the interpreter's path) and warm (a prologue has read and
 * written the data pages, so the inline fast path runs). Variants: memory
 * operands aligned, misaligned, across a page end (the next page mapped
 * or not), the data page unmapped, and CR0.TS, CR0.EM, CR4.OSFXSR clear.
 * Each program is also checked to be emitted, not handed to the
 * interpreter.
 *
 * Then the paths the variants do not reach: CR0.TS cleared by CLTS in the
 * middle of a region, stores into the region's own code, and lockstep
 * catching a wrong SIMD emitter.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../../tools/cpu-harness.js';
import { assemble } from '../../../support/asm.js';
import { Cr0, Cr4, Reg, Vector } from '../../../../src/cpu/registers.js';
import { findBlock, WASM_EMITTERS, type WasmEmitter } from '../../../../src/cpu/translator/index.js';
import { MODE_FLAT } from '../../../../src/cpu/translator/emit.js';
import { compileWasmModule } from '../../../../src/cpu/translator/wasm/region.js';
import { SimdMemOp, SimdOp } from '../../../../src/cpu/translator/wasm/module-builder.js';
import { StateWord } from '../../../../src/cpu/state-block.js';

const CODE = 0x1000;
/** ESI points into DATA, EDI into DATA2; each spans two pages so an operand can cross a page end. */
const DATA = 0x4000, DATA2 = 0x6000, STACK_TOP = 0x9000;
const MEMORY_END = 0x8000;
const PAGES = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/** A program: its instructions, and whether they touch memory at ESI/EDI. */
interface Case { src: string; memory?: boolean }

/** How the machine is prepared besides the seed. */
interface Variant {
  /** Added to ESI and EDI. */
  offset: number;
  /** A linear page left out of the mapping (paging on), or -1. */
  missingPage: number;
  /** CR0 bits set, and whether CR4.OSFXSR is left clear. */
  cr0: number;
  noOsfxsr: boolean;
  /** The data pages are read and written first (their TLB entries filled), so memory operands take the fast path. */
  warm: boolean;
}

const BASE: Variant = { offset: 0, missingPage: -1, cr0: 0, noOsfxsr: false, warm: false };

/** xorshift32: the states are the same on both machines and from run to run. */
function generator(seed: number): () => number {
  let x = seed * 0x9e37_79b9 | 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

/** 16 bytes per lane source: half the dword lanes copy `base`, the rest are new; bytes from edge values or random. */
function vectorBytes(next: () => number, base: Uint8Array, out: Uint8Array, at: number): void {
  const edges = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe];
  for (let lane = 0; lane < 4; lane++) {
    const copy = (next() & 1) === 0;
    for (let k = 0; k < 4; k++) {
      const i = 4 * lane + k;
      const r = next();
      out[at + i] = copy ? base[i]! : (r & 3) === 0 ? r >>> 24 : edges[(r >>> 8) % edges.length]!;
    }
  }
}

let pair: [HarnessMachine, HarnessMachine] | undefined;

/** The interpreter's machine and the translator's (WebAssembly regions, threshold 0), with `code` at CODE. */
function machines(code: Uint8Array): [HarnessMachine, HarnessMachine] {
  pair ??= [false, true].map((jit) => new HarnessMachine({ translator: jit ? { hotThreshold: 0, backend: 'wasm' } : false })) as [HarnessMachine, HarnessMachine];
  for (const m of pair) m.load(CODE, code);
  return pair;
}

/** The memory image a seed gives DATA..MEMORY_END. */
function image(seed: number): Uint8Array {
  const next = generator(seed + 1000);
  const base = new Uint8Array(16);
  vectorBytes(next, new Uint8Array(16), base, 0);
  const bytes = new Uint8Array(MEMORY_END - DATA);
  for (let at = 0; at < bytes.length; at += 16) vectorBytes(next, base, bytes, at);
  return bytes;
}

function prepare(m: HarnessMachine, seed: number, v: Variant, memory: Uint8Array): void {
  m.protectedMode(0);
  if (v.missingPage >= 0) m.enablePaging(PAGES.filter((p) => p !== v.missingPage));
  const cpu = m.cpu;
  cpu.cr0 |= Cr0.NE | Cr0.MP | v.cr0;
  if (!v.noOsfxsr) cpu.cr4 |= Cr4.OSFXSR | Cr4.OSXMMEXCPT;
  const next = generator(seed);
  const base = new Uint8Array(16);
  vectorBytes(next, new Uint8Array(16), base, 0);
  const xmm = new Uint8Array(128);
  for (let r = 0; r < 8; r++) vectorBytes(next, base, xmm, 16 * r);
  cpu.sse.xmm.set(new Int32Array(xmm.buffer));
  const regs = [next() | 0, next() | 0, next() | 0, next() | 0, STACK_TOP, 0, DATA + v.offset, DATA2 + v.offset];
  regs.forEach((value, i) => { cpu.regs[i] = value; });
  cpu.setFlags(0x2 | (next() & 0x8d5));
  cpu.eip = CODE;
  m.load(DATA, memory);
}

/** What a run leaves (the instructions it retired; the bytes written as address:value against `memory`). */
function outcome(m: HarnessMachine, memory: Uint8Array): Record<string, unknown> {
  const cpu = m.cpu;
  const start = cpu.instructions;
  const stop = m.run(200);
  const written: string[] = [];
  for (let i = 0; i < memory.length; i++) {
    const b = m.mem.backing[DATA + i]!;
    if (b !== memory[i]) written.push(`${(DATA + i).toString(16)}:${b.toString(16)}`);
  }
  return {
    stop, eip: cpu.eip >>> 0, regs: Array.from(cpu.regs, (x) => (x >>> 0).toString(16)),
    flags: (cpu.getFlags() >>> 0).toString(16), cr2: cpu.cr2 >>> 0, instructions: cpu.instructions - start,
    xmm: Array.from(cpu.sse.xmm, (x) => (x >>> 0).toString(16)), written,
  };
}

/** The source as run: warm, a prologue that reads and writes a dword at ESI and at EDI first (same values back). */
function program(c: Case, warm: boolean): string {
  return `${warm ? 'add dword [esi], 0\nadd dword [edi], 0\n' : ''}${c.src}\nud2`;
}

/** Asserts the translator emits every instruction of the block itself (the UD2 that ends it aside). */
function assertEmitted(c: Case, code: Uint8Array): void {
  const bytes = new Uint8Array(0x2000);
  bytes.set(code, CODE);
  const plan = findBlock(bytes, CODE, CODE, 0x13 | MODE_FLAT);
  assert.ok(plan);
  const { regions } = compileWasmModule([[plan]], WASM_EMITTERS, { tlb: 0, state: 0x10000 });
  const interpreted = plan.insns.filter((i, k) => regions[0]!.eips[k] === -1 && i.handler !== 'UD2').map((i) => i.handler);
  assert.deepEqual(interpreted, [], `${c.src}: not emitted`);
}

/**
 * The variants of a case: seeds; for memory forms, warm too, then operand
 * placements (cold and warm), the data page missing (cold: the prologue
 * would fault first) and the page after it missing (an operand across the
 * page end); then the CR checks.
 */
function variants(c: Case): [number, Variant][] {
  const out: [number, Variant][] = [1, 2, 3, 4].map((seed) => [seed, BASE]);
  if (c.memory) {
    out.push(...[5, 6, 7, 8].map((seed): [number, Variant] => [seed, { ...BASE, warm: true }]));
    for (const offset of [1, 4, 8, 0x10, 0x7f8, 0xff8, 0xffc]) {
      for (const warm of [false, true]) out.push([9 + offset, { ...BASE, offset, warm }]);
    }
    out.push([20, { ...BASE, missingPage: DATA >> 12 }]);
    for (const warm of [false, true]) {
      out.push([21, { ...BASE, offset: 0xff8, missingPage: (DATA >> 12) + 1, warm }]);
      out.push([22, { ...BASE, offset: 0xff8, missingPage: (DATA2 >> 12) + 1, warm }]);
    }
  }
  for (const warm of c.memory ? [false, true] : [false]) {
    out.push([30, { ...BASE, cr0: Cr0.TS, warm }], [31, { ...BASE, cr0: Cr0.EM, warm }], [32, { ...BASE, noOsfxsr: true, warm }]);
  }
  return out;
}

function check(c: Case): void {
  for (const warm of c.memory ? [false, true] : [false]) {
    const code = assemble(program(c, warm), 32, CODE);
    assertEmitted(c, code);
    const [interp, jit] = machines(code);
    for (const [seed, v] of variants(c).filter(([, x]) => x.warm === warm)) {
      const memory = image(seed);
      prepare(interp, seed, v, memory);
      prepare(jit, seed, v, memory);
      const expected = outcome(interp, memory);
      assert.deepEqual(outcome(jit, memory), expected, `${c.src} seed ${seed} ${JSON.stringify(v)}`);
    }
  }
}

/** The binary packed operations, register and memory forms. */
const BINARY = [
  'paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq',
  'paddsb', 'paddsw', 'paddusb', 'paddusw', 'psubsb', 'psubsw', 'psubusb', 'psubusw',
  'pcmpeqb', 'pcmpeqw', 'pcmpeqd', 'pcmpgtb', 'pcmpgtw', 'pcmpgtd',
  'pand', 'pandn', 'por', 'pxor', 'pmullw', 'pmaddwd', 'pavgb', 'pavgw', 'pminub', 'pmaxub', 'pminsw', 'pmaxsw',
  'packsswb', 'packuswb', 'packssdw',
  'punpcklbw', 'punpcklwd', 'punpckldq', 'punpcklqdq', 'punpckhbw', 'punpckhwd', 'punpckhdq', 'punpckhqdq',
  'andps', 'andnps', 'orps', 'xorps', 'andpd', 'andnpd', 'orpd', 'xorpd',
];

const GROUPS: Record<string, Case[]> = {
  'binary packed operations': BINARY.flatMap((op): Case[] => [
    { src: `${op} xmm0, xmm1\n${op} xmm7, xmm7` },
    { src: `${op} xmm2, [esi]\n${op} xmm3, [edi + 16]`, memory: true },
  ]),
  'MOVD and MOVQ': [
    { src: 'movd xmm3, eax\nmovd xmm4, ebx\nmovd edx, xmm5\nmovd eax, xmm3' },
    { src: 'movd xmm3, [esi + 4]\nmovd [edi + 8], xmm4\nmovd xmm5, [edi + 8]', memory: true },
    { src: 'movq xmm1, xmm2\ndb 0x66, 0x0f, 0xd6, 0xfe' }, // F3 0F 7E, then 66 0F D6 /r with a register: xmm6 ← xmm7
    { src: 'movq xmm1, [esi]\nmovq [edi + 8], xmm5\nmovq xmm6, [edi + 4]', memory: true },
  ],
  '128-bit loads and stores': [
    { src: 'movdqa xmm1, xmm2\nmovdqu xmm3, xmm1\nmovaps xmm4, xmm5\nmovups xmm6, xmm4\nmovapd xmm0, xmm7\nmovupd xmm7, xmm6' },
    { src: 'db 0x66, 0x0f, 0x7f, 0xd1\ndb 0xf3, 0x0f, 0x7f, 0xe5\ndb 0x0f, 0x29, 0xc2' }, // the store forms with register operands
    { src: 'movdqa xmm1, [esi]\nmovdqa [edi], xmm1', memory: true },
    { src: 'movdqu xmm1, [esi + 3]\nmovdqu [edi + 5], xmm2', memory: true },
    { src: 'movaps xmm3, [esi]\nmovaps [edi + 16], xmm4\nmovapd xmm5, [esi + 32]\nmovapd [edi], xmm3', memory: true },
    { src: 'movups xmm3, [esi + 1]\nmovups [edi + 2], xmm4\nmovupd xmm5, [esi + 7]\nmovupd [edi + 9], xmm5', memory: true },
    { src: 'movntdq [edi], xmm1\nmovntps [edi + 16], xmm2\nmovntpd [edi + 32], xmm3', memory: true },
  ],
  'shuffles, byte masks, shifts by an immediate': [
    { src: 'pshufd xmm0, xmm1, 0x1b\npshufd xmm2, xmm2, 0xe4\npshuflw xmm3, xmm4, 0x93\npshufhw xmm5, xmm6, 0x4e' },
    { src: 'pshufd xmm0, [esi], 0x39\npshuflw xmm3, [edi], 0x00\npshufhw xmm5, [esi + 16], 0xff', memory: true },
    { src: 'pmovmskb eax, xmm1\npmovmskb edx, xmm7' },
    ...['psrlw', 'psraw', 'psllw'].map((op): Case => ({ src: `${op} xmm1, 0\n${op} xmm2, 5\n${op} xmm3, 15\n${op} xmm4, 16\n${op} xmm5, 200` })),
    ...['psrld', 'psrad', 'pslld'].map((op): Case => ({ src: `${op} xmm1, 0\n${op} xmm2, 7\n${op} xmm3, 31\n${op} xmm4, 32\n${op} xmm5, 255` })),
    ...['psrlq', 'psllq'].map((op): Case => ({ src: `${op} xmm1, 0\n${op} xmm2, 33\n${op} xmm3, 63\n${op} xmm4, 64\n${op} xmm5, 128` })),
    ...['psrldq', 'pslldq'].map((op): Case => ({ src: `${op} xmm1, 0\n${op} xmm2, 1\n${op} xmm3, 9\n${op} xmm4, 15\n${op} xmm5, 16\n${op} xmm6, 255` })),
  ],
  'glibc SSE2 string-routine idioms': [
    // strlen: compare 16 bytes with zero, the mask of the hits, its lowest bit.
    { src: 'pxor xmm0, xmm0\nmovdqu xmm1, [esi]\npcmpeqb xmm1, xmm0\npmovmskb eax, xmm1\ntest eax, eax\nsetz bl\nlea edx, [eax + eax]', memory: true },
    // memchr/strchr: the byte to find broadcast to all lanes.
    { src: 'movd xmm1, eax\npunpcklbw xmm1, xmm1\npunpcklwd xmm1, xmm1\npshufd xmm1, xmm1, 0\nmovdqa xmm2, [esi + 16]\npcmpeqb xmm2, xmm1\npminub xmm2, [edi]\npmovmskb edx, xmm2\nor edx, eax', memory: true },
  ],
};

describe('WebAssembly SSE/SSE2 emitters agree with the interpreter', () => {
  for (const [name, cases] of Object.entries(GROUPS)) {
    test(name, () => { for (const c of cases) check(c); });
  }
});

/** Runs `src` (ending in ud2) on a new machine with the SSE bits of an OS; returns the machine and its stop. */
function runOn(m: HarnessMachine, src: string, setup?: (m: HarnessMachine) => void): ReturnType<HarnessMachine['run']> {
  m.protectedMode(0);
  m.cpu.cr0 |= Cr0.NE | Cr0.MP;
  m.cpu.cr4 |= Cr4.OSFXSR | Cr4.OSXMMEXCPT;
  m.cpu.regs[Reg.ESP] = STACK_TOP;
  m.load(CODE, assemble(src, 32, CODE));
  m.cpu.eip = CODE;
  setup?.(m);
  return m.run(1000);
}

test('CR0.TS cleared by CLTS in the middle of a region: the SSE instruction after it runs; set, it raises #NM there', () => {
  for (const jit of [false, true]) {
    const m = new HarnessMachine({ translator: jit ? { hotThreshold: 0, backend: 'wasm' } : false });
    // The region is entered with TS set; CLTS runs in the interpreter, then PADDB is the region's own code.
    let stop = runOn(m, 'mov eax, 1\nclts\npaddb xmm0, xmm1\nmov ebx, 2\nud2', (mm) => { mm.cpu.cr0 |= Cr0.TS; mm.cpu.sse.xmm[0] = 0x0101_0101; mm.cpu.sse.xmm[4] = 0x0202_0202; });
    assert.equal(stop.vector, Vector.UD, `${jit}: ran to the ud2`);
    assert.equal(m.cpu.sse.xmm[0], 0x0303_0303);
    assert.equal(m.reg('ebx'), 2);
    // Set again (MOV CR0 ends the block): the next region raises #NM at PADDB, with nothing after it done.
    stop = runOn(m, 'mov eax, cr0\nor eax, 8\nmov cr0, eax\npaddb xmm0, xmm1\nmov ebx, 2\nud2');
    assert.equal(stop.vector, Vector.NM, `${jit}: #NM`);
    assert.equal(m.cpu.eip, CODE + 9, 'EIP at the PADDB');
    assert.equal(m.reg('ebx'), 0);
  }
});

test('a store by MOVDQU, MOVQ or MOVD into the region\'s own code takes effect before that code runs', () => {
  for (const store of ['movdqu [edi], xmm0', 'movq [edi], xmm0', 'movd [edi], xmm0']) {
    const results: number[] = [];
    for (const jit of [false, true]) {
      const m = new HarnessMachine({ translator: jit ? { hotThreshold: 0, backend: 'wasm' } : false });
      // XMM0 holds `mov al, 7` and NOPs; the store overwrites `patch` (MOV AL, 1 and NOPs) in the same block.
      const src = `lea edi, [patch]\nmovdqu xmm0, [bytes]\n${store}\npatch:\nmov al, 1\n${'nop\n'.repeat(14)}ud2\nbytes: db 0xb0, 7, ${new Array(14).fill('0x90').join(', ')}`;
      const stop = runOn(m, src);
      assert.equal(stop.vector, Vector.UD, `${store} (${jit}): ran to the ud2`);
      results.push(m.reg('eax') & 0xff);
    }
    assert.deepEqual(results, [7, 7], store);
  }
});

test('lockstep catches a wrong SIMD emitter (PCMPEQB comparing words)', () => {
  const wrong: WasmEmitter = (e) => {
    // XMM0 ← XMM0 == XMM1 compared as words: differs from PCMPEQB where only one byte of a word matches.
    const at = (r: number): number => e.stateAddress(StateWord.XMM + 4 * r);
    e.b.i32(0).i32(0).simdMem(SimdMemOp.V128Load, at(e.insn.reg)).i32(0).simdMem(SimdMemOp.V128Load, at(e.insn.rm));
    e.b.simd(SimdOp.I16x8Eq).simdMem(SimdMemOp.V128Store, at(e.insn.reg));
    return true;
  };
  const m = new HarnessMachine({ translator: { hotThreshold: 0, lockstep: true, backend: 'wasm', wasmEmitters: { PCMPEQB_VdqWdq: wrong } } });
  runOn(m, 'movd xmm0, eax\nmovd xmm1, ebx\njmp next\nnext: pcmpeqb xmm0, xmm1\nud2', (mm) => { mm.cpu.regs[Reg.EAX] = 0x1234; mm.cpu.regs[Reg.EBX] = 0x1233; });
  const d = m.cpu.translator!.lockstep!.divergence;
  assert.ok(d, 'a divergence was reported');
  assert.ok(d.differences.some((line) => line.startsWith('sse.xmm[0]: ')), d.differences.join('\n'));
});

test('lockstep checks blocks of SSE forms without a prefix (not MMX) and finds the emitters right', () => {
  const m = new HarnessMachine({ translator: { hotThreshold: 0, lockstep: true, backend: 'wasm' } });
  runOn(m, 'movd xmm0, eax\nxorps xmm0, xmm1\nmovaps xmm2, xmm0\npcmpeqb xmm2, xmm1\npmovmskb ebx, xmm2\nud2', (mm) => { mm.cpu.regs[Reg.EAX] = 0x1234; });
  const checker = m.cpu.translator!.lockstep!;
  assert.equal(checker.divergence, undefined, JSON.stringify(checker.divergence));
  assert.ok(checker.checked >= 1, `${checker.checked} blocks checked`);
});
