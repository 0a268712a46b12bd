/**
 * The emitters of emit-ops-more.ts (and ADC/SBB and the read-modify-write forms of emit-ops.ts) against the interpreter: each program
 * runs on a machine that translates on first sight and on one that only
 * interprets, from the same state over a grid of edge values (0, ±1,
 * 0x8000_0000, 0x7fff_ffff…), with DF clear and set for the string forms,
 * and with the data pages unmapped for the memory forms; registers, EFLAGS
 * (materialized), EIP, CR2, the instruction count, the stop and the data
 * bytes must agree. Each program is also checked to be translated, not
 * handed to the interpreter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import { Reg, Vector } from '../../../src/cpu/registers.js';
import { emitBlock, findBlock, DEFAULT_EMITTERS } from '../../../src/cpu/translator/index.js';

const CODE = 0x1000;
/** ESI points here, EDI at DATA2, EBP at FRAME; each on its own page so one can be unmapped. */
const DATA = 0x4000, DATA2 = 0x5000, FRAME = 0x7000, STACK_TOP = 0x8000;
const PAGES = [0, 1, 2, 3, 4, 5, 6, 7, 8];

const VALUES = [0, 1, -1, 0x8000_0000 | 0, 0x7fff_ffff, 0x1234_5678, 0x80, 0xffff, -3, 0x8000, 33];

/** One program: its source, its code size, and which variants it runs in. */
interface Case {
  src: string;
  bits?: 16 | 32;
  /** Run with DF set too (string forms). */
  df?: boolean;
  /** Touches DATA or DATA2: run with each of those pages unmapped too. */
  memory?: boolean;
}

/** How the machine is prepared besides the values: DF, and a page left out of the mapping. */
interface Variant { df: boolean; missingPage: number }

/** The two machines, made once (a machine's 4 MiB of RAM costs more than a hundred runs). */
let pair: [HarnessMachine, HarnessMachine] | undefined;

/** The interpreter's machine and the translator's, with `code` loaded at CODE (which invalidates older translations). */
function machines(code: Uint8Array): [HarnessMachine, HarnessMachine] {
  pair ??= [false, true].map((jit) => new HarnessMachine({ translator: jit ? { hotThreshold: 0 } : false })) as [HarnessMachine, HarnessMachine];
  for (const m of pair) m.load(CODE, code);
  return pair;
}

function prepare(m: HarnessMachine, c: Case, a: number, b: number, v: Variant): void {
  const bits = c.bits ?? 32;
  m.protectedMode(0, bits);
  if (v.missingPage >= 0) m.enablePaging(PAGES.filter((p) => p !== v.missingPage));
  const cpu = m.cpu;
  // 16-bit code: garbage in the upper halves, which the address size must ignore.
  const hi = bits === 16 ? 0x5a5a_0000 : 0;
  const regs = [a, b, a ^ b, b, STACK_TOP, FRAME | hi, DATA | hi, DATA2 | hi];
  regs.forEach((value, i) => { cpu.regs[i] = value; });
  cpu.eip = CODE;
  cpu.setFlags(0x2 | (a & 0x8d5) | (v.df ? 0x400 : 0));
  for (const [at, x, y] of [[DATA, b, a], [DATA2, a, b], [FRAME, a, b], [STACK_TOP - 8, b, a]]) {
    m.mem.write(at, 4, x);
    m.mem.write(at + 4, 4, y);
    m.mem.write(at + 8, 4, ~x);
  }
}

function outcome(m: HarnessMachine): Record<string, unknown> {
  const stop = m.run(100);
  const cpu = m.cpu;
  const bytes = (at: number, n: number): string => Array.from({ length: n }, (_, i) => m.mem.read(at + i, 1)).join(',');
  return {
    stop, eip: cpu.eip >>> 0, regs: Array.from(cpu.regs, (x) => (x >>> 0).toString(16)),
    flags: (cpu.getFlags() >>> 0).toString(16), cr2: cpu.cr2 >>> 0, instructions: cpu.instructions,
    data: bytes(DATA - 4, 16), data2: bytes(DATA2 - 4, 16), frame: bytes(FRAME, 8), stack: bytes(STACK_TOP - 8, 8),
  };
}

/** Asserts the translator emits every instruction of the program itself (only the end marker is interpreted). */
function assertTranslated(c: Case, code: Uint8Array): void {
  const bits = c.bits ?? 32;
  const bytes = new Uint8Array(0x2000);
  bytes.set(code, CODE);
  const plan = findBlock(bytes, CODE, CODE, bits === 32 ? 0x13 : 0x10);
  assert.ok(plan);
  const { source } = emitBlock(plan, DEFAULT_EMITTERS);
  const interpreted = source.split('\n').filter((l) => l.includes('(interpreter)') && !l.includes('UD2'));
  assert.deepEqual(interpreted, [], `${c.src}: not translated`);
}

function check(c: Case): void {
  const code = assemble(`${c.src}\nud2`, c.bits ?? 32, CODE);
  assertTranslated(c, code);
  const [interp, jit] = machines(code);
  const variants: Variant[] = [{ df: false, missingPage: -1 }];
  if (c.df) variants.push({ df: true, missingPage: -1 });
  const faulting: Variant[] = c.memory ? [DATA >> 12, DATA2 >> 12].map((p) => ({ df: false, missingPage: p })) : [];
  for (const v of [...variants, ...faulting]) {
    const values = v.missingPage >= 0 ? VALUES.slice(0, 3) : VALUES;
    for (const a of values) {
      for (const b of values) {
        prepare(interp, c, a, b, v);
        prepare(jit, c, a, b, v);
        const expected = outcome(interp);
        assert.deepEqual(outcome(jit), expected,
          `${c.src} (${c.bits ?? 32}-bit) a=${a.toString(16)} b=${b.toString(16)} df=${v.df} missing page ${v.missingPage}`);
      }
    }
  }
}

/** The condition codes read after a flag producer, so the block's known-flags paths run too. */
const SETCC = 'setc cl\nsetz ch\nsets dl\nseto dh\nsetbe bl\nsetl bh\nsetp al';

const GROUPS: Record<string, Case[]> = {
  'IMUL two and three operands': [
    { src: `imul eax, ebx\n${SETCC}` },
    { src: `imul ax, bx\n${SETCC}` },
    { src: 'imul eax, [esi]\njo l\ninc ebx\nl:', memory: true },
    { src: 'imul cx, [esi]', memory: true },
    { src: `imul ecx, ebx, 1000\n${SETCC}` },
    { src: 'imul cx, bx, -3\nsetc dl' },
    { src: 'imul edx, [esi + 4], -128', memory: true },
    { src: 'imul eax, eax, 0x7fff_ffff\nsetc cl' },
    { src: 'imul bx, ax, 0x8000\nseto cl' },
  ],
  'ADC and SBB, carry from a known producer or from the incoming flags': [
    { src: `adc eax, ebx\n${SETCC}` },
    { src: `sbb eax, ebx\n${SETCC}` },
    { src: `add eax, ebx\nadc ecx, edx\n${SETCC}` },
    { src: `sub eax, ebx\nsbb ecx, edx\n${SETCC}` },
    { src: `cmp ax, bx\nadc cx, dx\n${SETCC}` },
    { src: `inc ebx\nsbb al, bl\n${SETCC}` },
    { src: 'xor eax, eax\nadc eax, ebx\nsetc cl' },
    { src: 'shr ebx, 1\nadc eax, 0\nsetz cl' },
    { src: `sub ecx, ebx\nadc [esi], eax\nsbb word [edi], bx\n${SETCC}`, memory: true },
    { src: 'adc eax, [esi + 4]\nsbb bl, [edi]\nsetc cl', memory: true },
  ],
  'ROL and ROR by a constant, and flags left dead by a later full record': [
    { src: `rol eax, 7\n${SETCC}` },
    { src: `add eax, ebx\nrol eax, 7\n${SETCC}` },
    { src: `sub eax, ebx\nror eax, 31\n${SETCC}` },
    { src: 'ror bx, 3\nseto cl\nrol dl, 8\nsetc ch\nseto dh' },
    { src: 'rol ah, 1\nseto cl\nror al, 9\nsetc ch\nseto dl\nror bx, 16\nsetc bl' },
    { src: `add eax, ebx\nrol eax, 12\nadd eax, ecx\n${SETCC}` },
    { src: `xor esi, eax\nand esi, ebx\nmov edx, esi\nlea esi, [esi + 5]\nror esi, 2\nsub esi, ecx\n${SETCC}` },
    { src: `add eax, ebx\nrol eax, 3\ninc eax\n${SETCC}` },
    { src: `cmp eax, ebx\nrol ecx, 1\nshl edx, 2\n${SETCC}` },
    { src: `ror dword [esi], 5\nrol word [edi + 1], 4\n${SETCC}`, memory: true },
    { src: `add eax, [esi]\nmov ecx, eax\nrol ecx, 3\nadd ecx, ebx\n${SETCC}`, memory: true },
    { src: `add [esi], eax\nadd ecx, ebx\nrol byte [edi], 1\n${SETCC}`, memory: true },
  ],
  'read-modify-write of memory operands': [
    { src: `add [esi], eax\nor byte [edi + 1], bl\n${SETCC}`, memory: true },
    { src: `inc dword [esi]\ndec word [edi + 2]\n${SETCC}`, memory: true },
    { src: 'shl dword [esi], 3\nsar byte [edi], 1\nsetc cl', memory: true },
    { src: 'rol dword [esi], cl\nshr word [edi + 1], cl\nsetc dl', memory: true },
    { src: 'add [esi + 3], eax\nsub [edi + 1], bx\nsetb cl', memory: true }, // unaligned: the accessor's path
    { src: 'xchg [esi], eax\nxadd [edi], ebx', memory: true },
    { src: 'cmpxchg [esi], ebx\nsetz cl', memory: true },
    { src: 'bts dword [esi], 5\nbtr dword [edi], ebx\nsetc cl', memory: true },
  ],
  'group 3: TEST NOT NEG': [
    { src: `test bl, 0x80\n${SETCC}` },
    { src: 'test byte [esi], 0x81\nsetz al', memory: true },
    { src: `test eax, 0x8000_0000\n${SETCC}` },
    { src: 'test word [esi], 0x8000\nsets al', memory: true },
    { src: 'db 0xf7, 0xc8, 0x01, 0x00, 0x00, 0x80\nsetz al' }, // F7 /1: the TEST alias
    { src: 'not eax\nnot bh' },
    { src: 'not byte [esi]\nnot word [edi]\nnot dword [esi + 4]', memory: true },
    { src: `neg eax\n${SETCC}` },
    { src: 'neg bl\nsetc cl\nneg ah\nsetl dl' },
    { src: 'neg word [esi]\nsetc cl\nneg dword [edi]\nseto dl', memory: true },
  ],
  'group 3: MUL IMUL DIV IDIV': [
    { src: 'mul ebx\nsetc cl' },
    { src: 'mul bl' },
    { src: 'mul bx\nsetz cl' },
    { src: 'mul dword [esi]', memory: true },
    { src: 'imul ebx\nseto cl' },
    { src: 'imul byte [esi]', memory: true },
    { src: 'imul word [esi]', memory: true },
    { src: 'div ebx' },
    { src: 'div bl' },
    { src: 'div bx' },
    { src: 'div dword [esi]', memory: true },
    { src: 'idiv ebx' },
    { src: 'idiv bl' },
    { src: 'idiv bx' },
    { src: 'idiv dword [esi]', memory: true },
    { src: 'cmp eax, ebx\ndiv ecx\nsetb cl\nsetl ch' }, // DIV keeps the flags of the CMP
    { src: 'cmp eax, ebx\nmul ecx\nsetb cl\nsetz ch' }, // MUL replaces them
    { src: 'sub eax, ebx\nimul ecx\nsetc cl\nsetl ch' },
  ],
  'string operations without REP': [
    ...['lodsb', 'lodsw', 'lodsd', 'stosb', 'stosw', 'stosd', 'movsb', 'movsw', 'movsd',
      'scasb', 'scasw', 'scasd', 'cmpsb', 'cmpsw', 'cmpsd'].flatMap((op): Case[] => [
      { src: `${op}\n${SETCC}`, df: true, memory: true },
      { src: `${op}\n${op}`, bits: 16, df: true, memory: true },
    ]),
    { src: 'fs lodsd\nes movsb\nss cmpsw', memory: true },
    { src: 'a16 lodsb', memory: true },
  ],
  'LEAVE and POP r/m': [
    { src: 'leave' },
    { src: 'o16 leave' },
    { src: 'leave', bits: 16 },
    { src: 'o32 leave', bits: 16 },
    { src: 'db 0x8f, 0xc3' }, // pop ebx
    { src: 'db 0x66, 0x8f, 0xc4' }, // pop sp
    { src: 'db 0x8f, 0xc1', bits: 16 }, // pop cx
  ],
  'exchange and compare': [
    { src: `cmpxchg ebx, ecx\n${SETCC}` },
    { src: 'cmpxchg eax, ebx\nsetz cl' },
    { src: 'cmpxchg bl, cl\nsetz dl\ncmpxchg ah, bh' },
    { src: 'cmpxchg bx, dx\nsetb cl' },
    { src: 'cmpxchg [esi], ecx\nsetz cl', memory: true },
    { src: 'cmpxchg word [esi], cx\ncmpxchg byte [edi], dl', memory: true },
    { src: `xadd ebx, eax\n${SETCC}` },
    { src: 'xadd eax, eax\nxadd bl, al\nxadd cx, dx' },
    { src: 'xadd [esi], eax\nsetc cl\nxadd word [edi], bx', memory: true },
    { src: 'xchg [esi], eax\nxchg [edi], al\nxchg word [esi + 4], bx', memory: true },
    { src: 'xchg bl, ah\nxchg ebx, ecx\nxchg cx, dx' },
  ],
  'bit tests, BSWAP, double shifts': [
    { src: 'bt ebx, eax\nsetc cl\nbts ebx, eax\nbtr bx, ax\nbtc ebx, eax\nsetc dl' },
    { src: 'bt [esi], eax\nsetc cl', memory: true },
    { src: 'bts dword [esi], eax\nbtr word [esi], ax\nbtc dword [esi + 4], ebx\nsetc dl', memory: true },
    { src: 'bt eax, 31\nsetc cl\nbts word [esi], 15\nbtr dword [esi], 33\nbtc ebx, 7\nsetc dl', memory: true },
    { src: 'add eax, ebx\nbt ecx, 3\nsetz cl\nsetc dl' }, // only CF changes
    { src: 'bt ax, bx\nbts word [esi], bx', bits: 16, memory: true },
    { src: 'bswap eax\nbswap ebx\ndb 0x66, 0x0f, 0xc9' }, // the last: BSWAP with a 16-bit operand
    { src: `shld eax, ebx, 4\n${SETCC}` },
    { src: 'shrd eax, ebx, 31\nsetc cl\nseto dl' },
    { src: 'shld ax, bx, 20\nsetc cl\nshrd bx, ax, 17\nseto dl' },
    { src: 'shrd [esi], ebx, 8\nsetc cl\nshld word [edi], bx, 1', memory: true },
    { src: `shld eax, ebx, cl\n${SETCC}` },
    { src: 'shrd word [esi], bx, cl\nsetc cl\nshrd dword [edi], eax, cl', memory: true },
    { src: 'cmp eax, ebx\nshld eax, ebx, 0\nsetb cl\nshrd eax, ebx, 32\nsetl dl' },
    { src: 'shld dword [esi], ebx, 0', memory: true },
  ],
  'flag instructions': [
    { src: 'cmp eax, ebx\ncmc\nsetc cl\ncmc\nsetbe dl' },
    { src: 'cmc\nsetc cl' },
    { src: 'add eax, ebx\nclc\nsetc cl\nsetz ch\nstc\nsetbe dl' },
    { src: 'lahf\nmov ecx, eax' },
    { src: 'sub eax, ebx\nlahf\nmov ah, bl\nsahf\nsetc cl\nsetz ch\nseto dl\nsetp dh' },
    { src: 'inc eax\ncmc\nsetc cl' },
  ],
};

for (const [group, cases] of Object.entries(GROUPS)) {
  test(`emitters agree with the interpreter: ${group}`, () => {
    for (const c of cases) check(c);
  });
}

test('DIV by zero raises #DE with the registers and flags untouched', () => {
  for (const jit of [false, true]) {
    const m = new HarnessMachine({ translator: jit ? { hotThreshold: 0 } : false });
    m.protectedMode(0);
    m.load(CODE, assemble('cmp eax, 1\ndiv ebx\nud2', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.regs[Reg.EAX] = 0x1234; m.cpu.regs[Reg.EDX] = 7; m.cpu.regs[Reg.EBX] = 0;
    m.cpu.regs[Reg.ESP] = STACK_TOP;
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.DE);
    assert.equal(m.cpu.eip, CODE + 3, 'EIP at the DIV');
    assert.deepEqual([m.reg('eax'), m.reg('edx')], [0x1234, 7]);
    assert.equal(m.cpu.getFlags() & 0x8d5, 0x4, 'the flags of CMP 0x1234, 1 (PF)');
  }
});

test('a page fault on a string operand leaves (E)SI, (E)DI and the accumulator as they were', () => {
  for (const jit of [false, true]) {
    const m = new HarnessMachine({ translator: jit ? { hotThreshold: 0 } : false });
    m.protectedMode(0);
    m.load(CODE, assemble('lodsd\nmovsd\nud2', 32, CODE));
    m.enablePaging(PAGES.filter((p) => p !== DATA2 >> 12));
    m.cpu.eip = CODE;
    m.cpu.regs[Reg.ESI] = DATA; m.cpu.regs[Reg.EDI] = DATA2; m.cpu.regs[Reg.ESP] = STACK_TOP;
    m.mem.write(DATA, 4, 0x1111_1111);
    m.mem.write(DATA + 4, 4, 0x2222_2222);
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.PF);
    assert.equal(m.cpu.eip, CODE + 1, 'EIP at the MOVSD');
    assert.equal(m.cpu.cr2, DATA2);
    assert.deepEqual([m.reg('eax'), m.reg('esi'), m.reg('edi')], [0x1111_1111, DATA + 4, DATA2], 'LODSD done, MOVSD not');
  }
});

test('a string store into the block\'s own later code completes the instruction, then runs the new code', () => {
  for (const jit of [false, true]) {
    const m = new HarnessMachine({ translator: jit ? { hotThreshold: 0 } : false });
    m.protectedMode(0);
    m.load(CODE, assemble('mov edi, patch + 1\nmov al, 42\nstosb\npatch: mov ecx, 1\nud2', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.regs[Reg.ESP] = STACK_TOP;
    m.run(10);
    assert.equal(m.reg('ecx'), 42, 'the patched MOV ran');
    assert.equal(m.reg('edi'), CODE + 8 + 2, 'EDI stepped past the stored byte');
    if (jit) assert.ok(m.cpu.translator!.cache.invalidated >= 1, 'the block was invalidated');
  }
});
