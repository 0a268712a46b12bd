// Arithmetic family: the eight ALU operations in all forms and group 1, INC/DEC,
// group 3 (TEST NOT NEG MUL IMUL DIV IDIV), group 4, TEST, IMUL 2/3-operand,
// CBW/CWD, CMPXCHG, XADD, CMPXCHG8B. Expected flags come from the SDM and were
// cross-checked on the host CPU (AMD EPYC, same operations in 64-bit mode).
// Programs end with `ud2`, which raises #UD whatever family owns it; the
// harness reports it with EIP at the marker.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, exec, expectRun } from '../../support/cpu-test.js';
import { Vector } from '../../../src/cpu/registers.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';
import { handlers } from '../../../src/cpu/instructions/arith.js';

const DATA = 0x4000;

describe('arith family table coverage', () => {
  test('implements every handler its table entries name', () => {
    const mine = /^(ADD|OR|ADC|SBB|AND|SUB|XOR|CMP|G1|INC|DEC|G3|G4|TEST|IMUL|CBW|CWD|CMPXCHG|XADD|G9)_|^(CBW|CWD)$/;
    const names = OPCODES.filter((e) => e && mine.test(e.handler)).map((e) => e!.handler);
    assert.ok(names.length > 60);
    for (const name of names) assert.ok(name in handlers, name);
  });
});

describe('the eight ALU operations', () => {
  test('ADD Ev,Gv wraps 32 bits with CF, ZF, AF and PF', () => {
    expectRun('add eax, ebx', { regs: { eax: 0xffff_ffff, ebx: 1 } }, { eax: 0 }, 'CPAZ');
  });
  test('ADD Eb,Gb signed overflow at 8 bits sets OF and SF without CF', () => {
    expectRun('add al, bl', { regs: { eax: 0x1234_567f, ebx: 1 } }, { eax: 0x1234_5680 }, 'ASO');
  });
  test('ADD Ev,Gv at 16 bits: 8000h + 8000h carries and overflows, upper half kept', () => {
    expectRun('add ax, bx', { regs: { eax: 0xabcd_8000, ebx: 0x8000 } }, { eax: 0xabcd_0000 }, 'CPZO');
  });
  test('ADD Gb,Eb and Gv,Ev read memory and write the register', () => {
    const o = expectRun('add bh, [0x4000]\nadd ecx, [0x4004]', {
      regs: { ebx: 0x0000_f000, ecx: 0x10 }, mem: { [DATA]: [0x20], [DATA + 4]: [0xf0, 0xff, 0xff, 0xff] },
    }, { ebx: 0x0000_1000, ecx: 0 }, 'CPZ');
    assert.equal(o.mem(DATA, 1), 0x20);
  });
  test('ADD Eb,Gb and Ev,Gv write memory', () => {
    const o = expectRun('add [0x4000], al\nadd [0x4004], ecx', {
      regs: { eax: 0x05, ecx: 0x8000_0000 }, mem: { [DATA]: [0xfe], [DATA + 4]: [0, 0, 0, 0x80] },
    }, {}, 'CPZO');
    assert.equal(o.mem(DATA, 1), 0x03);
    assert.equal(o.mem(DATA + 4), 0);
  });
  test('ADD AL,Ib and eAX,Iz (both operand sizes)', () => {
    expectRun('add al, 0x90', { regs: { eax: 0x1111_1190 } }, { eax: 0x1111_1120 }, 'CO');
    expectRun('add ax, 0x1234', { regs: { eax: 0xffff_0001 } }, { eax: 0xffff_1235 }, 'P');
    expectRun('add eax, 0x7fffffff', { regs: { eax: 1 } }, { eax: 0x8000_0000 }, 'PASO');
  });
  test('ADC adds the incoming carry: 32-bit wrap with CF = 1', () => {
    expectRun('adc eax, ebx', { regs: { eax: 0xffff_ffff, ebx: 0 }, flags: 'C' }, { eax: 0 }, 'CPAZ');
  });
  test('ADC at 8 bits: 0 + 7Fh + 1 overflows into the sign, AF from the low nibble', () => {
    expectRun('adc al, 0x7f', { regs: { eax: 0 }, flags: 'C' }, { eax: 0x80 }, 'ASO');
  });
  test('ADC at 16 bits: FFFFh + FFFFh + 1 = 1FFFFh carries', () => {
    expectRun('adc ax, bx', { regs: { eax: 0xffff, ebx: 0xffff }, flags: 'C' }, { eax: 0xffff }, 'CPAS');
  });
  test('ADC without carry in is ADD', () => {
    expectRun('adc ecx, 1', { regs: { ecx: 0xffff_ffff } }, { ecx: 0 }, 'CPAZ');
  });
  test('SBB subtracts the incoming borrow: 0 − 0 − 1 borrows at 32 bits', () => {
    expectRun('sbb eax, ebx', { regs: { eax: 0, ebx: 0 }, flags: 'C' }, { eax: 0xffff_ffff }, 'CPAS');
  });
  test('SBB at 8 bits: 80h − 7Fh − 1 = 0 overflows without a borrow', () => {
    expectRun('sbb al, 0x7f', { regs: { eax: 0x80 }, flags: 'C' }, { eax: 0 }, 'PAZO');
  });
  test('SBB with equal operands and carry in borrows (CF = 1 when a ≤ b)', () => {
    expectRun('sbb dx, cx', { regs: { edx: 0x1234, ecx: 0x1234 }, flags: 'C' }, { edx: 0xffff }, 'CPAS');
  });
  test('SUB sets CF on borrow and OF on signed overflow', () => {
    expectRun('sub eax, ebx', { regs: { eax: 0x8000_0000, ebx: 1 } }, { eax: 0x7fff_ffff }, 'PAO');
    expectRun('sub al, 1', { regs: { eax: 0 } }, { eax: 0xff }, 'CPAS');
  });
  test('CMP sets flags like SUB and writes nothing', () => {
    const o = expectRun('cmp [0x4000], ecx\ncmp ecx, [0x4000]', {
      regs: { ecx: 5 }, mem: { [DATA]: [3, 0, 0, 0] },
    }, { ecx: 5 }, '');
    assert.equal(o.mem(DATA), 3);
    expectRun('cmp eax, 5', { regs: { eax: 3 } }, { eax: 3 }, 'CAS');
    expectRun('cmp al, 0x80', { regs: { eax: 0x7f } }, { eax: 0x7f }, 'CPSO');
  });
  test('AND, OR and XOR clear CF and OF and set SF, ZF, PF from the result', () => {
    expectRun('and eax, ebx', { regs: { eax: 0xf0f0_f0f0, ebx: 0x8f00_00ff }, flags: 'CO' }, { eax: 0x8000_00f0 }, 'PS');
    expectRun('or cl, dl', { regs: { ecx: 0x01, edx: 0x02 }, flags: 'CAO' }, { ecx: 0x03 }, 'P');
    expectRun('xor eax, eax', { regs: { eax: 0x1234 }, flags: 'CSO' }, { eax: 0 }, 'PZ');
  });
});

describe('group 1 (80-83)', () => {
  test('80 /0 ADD Eb,Ib on memory', () => {
    const o = expectRun('add byte [0x4000], 0x81', { mem: { [DATA]: [0x80] } }, {}, 'CO');
    assert.equal(o.mem(DATA, 1), 0x01);
  });
  test('81 /5 SUB Ev,Iz at 32 and 16 bits', () => {
    expectRun('sub ebx, 0x12345678', { regs: { ebx: 0x1234_5678 } }, { ebx: 0 }, 'PZ');
    expectRun('sub bx, 0x1000', { regs: { ebx: 0xaaaa_0fff } }, { ebx: 0xaaaa_ffff }, 'CPS');
  });
  test('82 is an alias of 80 (ADC Eb,Ib)', () => {
    expectRun('db 0x82, 0xd1, 0x10', { regs: { ecx: 0x0f }, flags: 'C' }, { ecx: 0x20 }, 'A');
  });
  test('83 sign-extends its imm8 (CMP Ev,-1; AND Ev,-16; OR Ew,-1)', () => {
    expectRun('cmp eax, byte -1', { regs: { eax: 0xffff_ffff } }, {}, 'PZ');
    expectRun('and esi, byte -16', { regs: { esi: 0x1234_5678 } }, { esi: 0x1234_5670 }, '');
    expectRun('or si, byte -1', { regs: { esi: 0x1234_0000 } }, { esi: 0x1234_ffff }, 'PS');
  });
  test('83 /2 ADC and /3 SBB use the carry', () => {
    expectRun('adc edx, byte 0', { regs: { edx: 0x7fff_ffff }, flags: 'C' }, { edx: 0x8000_0000 }, 'PASO');
    expectRun('sbb edx, byte 0', { regs: { edx: 0 }, flags: 'C' }, { edx: 0xffff_ffff }, 'CPAS');
  });
  test('LOCK is accepted on a memory destination and #UD on a register one', () => {
    const o = expectRun('lock add dword [0x4000], 2', { mem: { [DATA]: [1] } }, {});
    assert.equal(o.mem(DATA), 3);
    assert.equal(exec('lock add eax, 2').fault, Vector.UD);
    assert.equal(exec('lock cmp dword [0x4000], 2').fault, Vector.UD);
  });
  test('16-bit addressing in real mode: ADD [bx+si+2], ax', () => {
    const o = expectRun('add [bx+si+2], ax', { bits: 16, regs: { ebx: 0x3ff0, esi: 0x0e, eax: 0x0101 }, mem: { [DATA]: [0xff, 0x00] } }, {}, 'PA');
    assert.equal(o.mem(DATA, 2), 0x0200);
  });
});

describe('INC, DEC and group 4', () => {
  test('INC r32 keeps CF and overflows at 7FFFFFFFh', () => {
    expectRun('inc eax', { regs: { eax: 0x7fff_ffff }, flags: 'C' }, { eax: 0x8000_0000 }, 'CPASO');
  });
  test('DEC r16 wraps 0 → FFFFh and keeps CF clear', () => {
    expectRun('dec cx', { regs: { ecx: 0x5555_0000 } }, { ecx: 0x5555_ffff }, 'PAS');
  });
  test('FE /0 INC and /1 DEC on bytes in memory and high-byte registers', () => {
    const o = expectRun('inc byte [0x4000]\ndec bh', { regs: { ebx: 0x0100 }, mem: { [DATA]: [0xff] }, flags: 'C' }, { ebx: 0 }, 'CPZ');
    assert.equal(o.mem(DATA, 1), 0);
  });
  test('FE /2../7 are #UD', () => {
    assert.equal(exec('db 0xfe, 0xd0').fault, Vector.UD);
    const o = exec('db 0xfe, 0x38');
    assert.equal(o.fault, Vector.UD);
    assert.equal(o.m.cpu.eip, CODE);
  });
});

describe('group 3 (F6/F7)', () => {
  test('TEST Eb,Ib and its /1 alias set flags only', () => {
    expectRun('test byte [0x4000], 0x80', { mem: { [DATA]: [0x81] }, flags: 'CO' }, {}, 'S');
    expectRun('db 0xf6, 0xc8, 0x01', { regs: { eax: 0x02 } }, { eax: 0x02 }, 'PZ');
  });
  test('NOT inverts without touching flags', () => {
    const o = expectRun('not dword [0x4000]\nnot ax', { regs: { eax: 0x1234_00ff }, mem: { [DATA]: [0xf0, 0, 0, 0] }, flags: 'CZ' },
      { eax: 0x1234_ff00 }, 'CZ');
    assert.equal(o.mem(DATA), 0xffff_ff0f);
  });
  test('NEG sets CF unless the operand is 0, OF for the most negative value', () => {
    expectRun('neg eax', { regs: { eax: 0 }, flags: 'C' }, { eax: 0 }, 'PZ');
    expectRun('neg al', { regs: { eax: 0x80 } }, { eax: 0x80 }, 'CSO');
    expectRun('neg cx', { regs: { ecx: 1 } }, { ecx: 0xffff }, 'CPAS');
  });
  test('MUL 8/16/32: CF = OF = upper half non-zero', () => {
    expectRun('mul bl', { regs: { eax: 0x1234_5680, ebx: 2 } }, { eax: 0x1234_0100 }, 'CO', 'CO');
    expectRun('mul bl', { regs: { eax: 0x7f, ebx: 2 } }, { eax: 0xfe }, '', 'CO');
    expectRun('mul cx', { regs: { eax: 0xffff, ecx: 0xffff, edx: 0xabcd_0000 } }, { eax: 0x0001, edx: 0xabcd_fffe }, 'CO', 'CO');
    expectRun('mul ecx', { regs: { eax: 0xffff_ffff, ecx: 0xffff_ffff } }, { eax: 1, edx: 0xffff_fffe }, 'CO', 'CO');
    expectRun('mul dword [0x4000]', { regs: { eax: 0x1234_5678 }, mem: { [DATA]: [2, 0, 0, 0] } }, { eax: 0x2468_acf0, edx: 0 }, '', 'CO');
  });
  test('IMUL one operand 8/16/32: CF = OF = product does not fit the low half', () => {
    expectRun('imul bl', { regs: { eax: 0x80, ebx: 0xff } }, { eax: 0x0080 }, 'CO', 'CO');
    expectRun('imul bl', { regs: { eax: 0xff, ebx: 0x7f } }, { eax: 0xff81 }, '', 'CO');
    expectRun('imul cx', { regs: { eax: 0x8000, ecx: 0x8000 } }, { eax: 0, edx: 0x4000 }, 'CO', 'CO');
    expectRun('imul ecx', { regs: { eax: 0xffff_ffff, ecx: 0xffff_ffff } }, { eax: 1, edx: 0 }, '', 'CO');
    expectRun('imul ecx', { regs: { eax: 0x8000_0000, ecx: 0xffff_ffff } }, { eax: 0x8000_0000, edx: 0 }, 'CO', 'CO');
    expectRun('imul ecx', { regs: { eax: 0x1234_5678, ecx: 0xfedc_ba98 } }, { eax: 0x3506_8740, edx: 0xffeb_4992 }, 'CO', 'CO');
  });
  test('DIV 8/16/32 quotient and remainder', () => {
    expectRun('div bl', { regs: { eax: 0x1234_03e8, ebx: 7 } }, { eax: 0x1234_068e });
    expectRun('div cx', { regs: { eax: 0x5678, edx: 0x1234, ecx: 0x2000 } }, { eax: 0x91a2, edx: 0x1678 });
    expectRun('div ecx', { regs: { eax: 0xffff_ffff, edx: 0xffff_fffe, ecx: 0xffff_ffff } }, { eax: 0xffff_ffff, edx: 0xffff_fffe });
    expectRun('div ecx', { regs: { eax: 0, edx: 1, ecx: 2 } }, { eax: 0x8000_0000, edx: 0 });
    expectRun('div dword [0x4000]', { regs: { eax: 0x8765_4321, edx: 0x0123_4567 }, mem: { [DATA]: [0x00, 0xbc, 0x9a, 0x78] } },
      { eax: 0x026a_43a3, edx: 0x65ab_8f21 });
  });
  test('DIV leaves the status flags unchanged', () => {
    expectRun('div ecx', { regs: { eax: 10, edx: 0, ecx: 3 }, flags: 'CZO' }, { eax: 3, edx: 1 }, 'CZO');
  });
  test('DIV raises #DE for a zero divisor and for a quotient too wide, changing nothing', () => {
    for (const [src, eax, edx, ebx, ecx] of [
      ['div bl', 0x1234, 0, 0, 0],
      ['div bl', 0x1000, 0, 0x10, 0],
      ['div cx', 0, 0x10, 0, 0],
      ['div cx', 0, 0x10, 0, 0x10],
      ['div ecx', 5, 0, 0, 0],
      ['div ecx', 0, 2, 0, 2],
    ] as const) {
      const o = exec(src, { regs: { eax, edx, ebx, ecx } });
      assert.equal(o.fault, Vector.DE, `${src} ${edx.toString(16)}:${eax.toString(16)}`);
      assert.equal(o.m.cpu.eip, CODE);
      assert.equal(o.reg('eax'), eax);
      assert.equal(o.reg('edx'), edx);
    }
  });
  test('IDIV truncates toward zero, remainder takes the dividend sign', () => {
    expectRun('idiv bl', { regs: { eax: 0xfff9, ebx: 2 } }, { eax: 0xfffd });
    expectRun('idiv cx', { regs: { eax: 0xfff9, edx: 0xffff, ecx: 0xfffe } }, { eax: 3, edx: 0xffff });
    expectRun('idiv ecx', { regs: { eax: 7, edx: 0, ecx: 0xffff_fffe } }, { eax: 0xffff_fffd, edx: 1 });
    expectRun('idiv ecx', { regs: { eax: 0, edx: 0xffff_ffff, ecx: 0x8000_0000 } }, { eax: 0x2, edx: 0 });
    expectRun('idiv ecx', { regs: { eax: 0x8000_0000, edx: 0xffff_ffff, ecx: 1 } }, { eax: 0x8000_0000, edx: 0 });
    expectRun('idiv ecx', { regs: { eax: 0x5, edx: 0xc000_0000, ecx: 0x8000_0000 } }, { eax: 0x7fff_ffff, edx: 0x8000_0005 });
    expectRun('idiv ecx', { regs: { eax: 0x4321_8765, edx: 0xfedc_ba98, ecx: 0x1234_5678 } }, { eax: 0xefff_fffd, edx: 0xf9be_8acd });
  });
  test('IDIV raises #DE on −2^31 / −1 and the 8/16-bit equivalents', () => {
    for (const [src, eax, edx, ecx] of [
      ['idiv ecx', 0x8000_0000, 0xffff_ffff, 0xffff_ffff],
      ['idiv cl', 0xff80, 0, 0xff],
      ['idiv cx', 0x0000, 0xffff_8000, 0xffff],
      ['idiv ecx', 0x8000_0000, 0x4000_0000, 0x8000_0000],
      ['idiv ecx', 0, 0xc000_0000, 0x8000_0000],
      ['idiv ecx', 3, 0, 0],
    ] as const) {
      const o = exec(src, { regs: { eax, edx, ecx } });
      assert.equal(o.fault, Vector.DE, `${src} ${edx.toString(16)}:${eax.toString(16)} / ${ecx.toString(16)}`);
      assert.equal(o.reg('eax'), eax);
    }
  });
  test('IDIV accepts the most negative quotient', () => {
    expectRun('idiv cl', { regs: { eax: 0xff00, ecx: 2 } }, { eax: 0x0080 });
    expectRun('idiv ecx', { regs: { eax: 0, edx: 0xffff_ffff, ecx: 2 } }, { eax: 0x8000_0000, edx: 0 });
  });
});

describe('TEST', () => {
  test('TEST Eb,Gb / Ev,Gv / AL,Ib / eAX,Iz', () => {
    expectRun('test [0x4000], cl', { regs: { ecx: 0x0f }, mem: { [DATA]: [0xf0] }, flags: 'CAO' }, {}, 'PZ');
    expectRun('test eax, ebx', { regs: { eax: 0x8000_0001, ebx: 0x8000_0000 } }, { eax: 0x8000_0001 }, 'PS');
    expectRun('test al, 0x03', { regs: { eax: 0x01 } }, {}, '');
    expectRun('test ax, 0x8000', { regs: { eax: 0xffff_8000 } }, {}, 'PS');
  });
});

describe('IMUL two and three operands', () => {
  test('IMUL Gv,Ev truncates and flags overflow', () => {
    expectRun('imul eax, ebx', { regs: { eax: 0x10000, ebx: 0x10000 } }, { eax: 0 }, 'CO', 'CO');
    expectRun('imul eax, [0x4000]', { regs: { eax: 0xffff_fffd }, mem: { [DATA]: [7, 0, 0, 0] } }, { eax: 0xffff_ffeb }, '', 'CO');
    expectRun('imul cx, dx', { regs: { ecx: 0xaaaa_0100, edx: 0x80 } }, { ecx: 0xaaaa_8000 }, 'CO', 'CO');
  });
  test('IMUL Gv,Ev,Ib sign-extends the immediate', () => {
    expectRun('imul ecx, edx, -2', { regs: { edx: 0x4000_0000 } }, { ecx: 0x8000_0000 }, '', 'CO');
    expectRun('imul ecx, edx, 2', { regs: { edx: 0x4000_0000 } }, { ecx: 0x8000_0000 }, 'CO', 'CO');
  });
  test('IMUL Gv,Ev,Iz reads the immediate after the displacement (16 and 32 bits)', () => {
    expectRun('imul esi, [0x4000], 0x10000', { mem: { [DATA]: [0x34, 0x12, 0, 0] } }, { esi: 0x1234_0000 }, '', 'CO');
    expectRun('imul si, [0x4000], 0x100', { regs: { esi: 0xdead_0000 }, mem: { [DATA]: [0x34, 0x12] } }, { esi: 0xdead_3400 }, 'CO', 'CO');
  });
});

describe('CBW/CWDE and CWD/CDQ', () => {
  test('CBW and CWDE sign-extend the accumulator', () => {
    expectRun('cbw', { regs: { eax: 0x1234_5680 } }, { eax: 0x1234_ff80 });
    expectRun('cwde', { regs: { eax: 0x1234_8000 } }, { eax: 0xffff_8000 });
    expectRun('cwde', { regs: { eax: 0xffff_7fff } }, { eax: 0x7fff });
  });
  test('CWD and CDQ fill DX/EDX with the sign', () => {
    expectRun('cwd', { regs: { eax: 0x8000, edx: 0x1234_5678 } }, { edx: 0x1234_ffff });
    expectRun('cdq', { regs: { eax: 0x8000_0000 } }, { edx: 0xffff_ffff });
    expectRun('cdq', { regs: { eax: 0x7fff_ffff, edx: 5 } }, { edx: 0 });
  });
});

describe('CMPXCHG, XADD, CMPXCHG8B', () => {
  test('CMPXCHG equal: destination ← source, ZF = 1', () => {
    const o = expectRun('cmpxchg [0x4000], ecx', { regs: { eax: 5, ecx: 9 }, mem: { [DATA]: [5, 0, 0, 0] } }, { eax: 5 }, 'PZ');
    assert.equal(o.mem(DATA), 9);
  });
  test('CMPXCHG not equal: accumulator ← destination, ZF = 0, flags of CMP', () => {
    const o = expectRun('cmpxchg [0x4000], ecx', { regs: { eax: 3, ecx: 9 }, mem: { [DATA]: [5, 0, 0, 0] } }, { eax: 5 }, 'CAS');
    assert.equal(o.mem(DATA), 5);
  });
  test('CMPXCHG Eb,Gb with AH as the destination', () => {
    expectRun('cmpxchg ah, bl', { regs: { eax: 0x7712, ebx: 0x33 } }, { eax: 0x7777 }, 'CAS');
    expectRun('cmpxchg ah, bl', { regs: { eax: 0x1212, ebx: 0x33 } }, { eax: 0x3312 }, 'PZ');
  });
  test('CMPXCHG 16-bit compares only AX', () => {
    expectRun('cmpxchg dx, cx', { regs: { eax: 0xffff_1234, edx: 0x0000_1234, ecx: 0xabcd } }, { edx: 0xabcd, eax: 0xffff_1234 }, 'PZ');
  });
  test('XADD exchanges and adds; XADD EAX, EAX leaves the sum', () => {
    const o = expectRun('xadd [0x4000], ecx', { regs: { ecx: 0xffff_ffff }, mem: { [DATA]: [1, 0, 0, 0] } }, { ecx: 1 }, 'CPAZ');
    assert.equal(o.mem(DATA), 0);
    expectRun('xadd eax, eax', { regs: { eax: 0x4000_0000 } }, { eax: 0x8000_0000 }, 'PSO');
    expectRun('xadd bl, cl', { regs: { ebx: 0x70, ecx: 0x20 } }, { ebx: 0x90, ecx: 0x70 }, 'PSO');
  });
  test('CMPXCHG8B equal: m64 ← ECX:EBX, ZF = 1, other flags kept', () => {
    const o = expectRun('cmpxchg8b [0x4000]', {
      regs: { eax: 0x1111_1111, edx: 0x2222_2222, ebx: 0x3333_3333, ecx: 0x4444_4444 },
      mem: { [DATA]: [0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22] }, flags: 'CS',
    }, { eax: 0x1111_1111, edx: 0x2222_2222 }, 'CZS');
    assert.equal(o.mem(DATA), 0x3333_3333);
    assert.equal(o.mem(DATA + 4), 0x4444_4444);
  });
  test('CMPXCHG8B not equal: EDX:EAX ← m64, ZF = 0, memory unchanged', () => {
    const o = expectRun('cmpxchg8b [0x4000]', {
      regs: { eax: 0x1111_1111, edx: 0x2222_2223, ebx: 0x3333_3333, ecx: 0x4444_4444 },
      mem: { [DATA]: [0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22] }, flags: 'ZP',
    }, { eax: 0x1111_1111, edx: 0x2222_2222 }, 'P');
    assert.equal(o.mem(DATA), 0x1111_1111);
    assert.equal(o.mem(DATA + 4), 0x2222_2222);
  });
  test('CMPXCHG8B: register form and /reg other than 1 are #UD; LOCK is accepted', () => {
    assert.equal(exec('db 0x0f, 0xc7, 0xc8').fault, Vector.UD);
    assert.equal(exec('db 0x0f, 0xc7, 0x05, 0x00, 0x40, 0x00, 0x00').fault, Vector.UD);
    expectRun('lock cmpxchg8b [0x4000]', { regs: { eax: 0, edx: 0, ebx: 1 } }, {}, 'Z', 'Z');
  });
});
