// Bit family: BT/BTS/BTR/BTC (register and imm8 offsets, register and memory
// operands, offsets beyond the operand), BSF/BSR, BSWAP. Expected flags follow
// the SDM; undefined ones follow the host CPU (AMD EPYC), see bit.ts.
// Programs end with `ud2`, which raises #UD whatever family owns it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, exec, expectRun } from '../../support/cpu-test.js';
import { Vector } from '../../../src/cpu/registers.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';
import { handlers } from '../../../src/cpu/instructions/bit.js';

const DATA = 0x4000;

describe('bit family table coverage', () => {
  test('implements every handler its table entries name', () => {
    const names = OPCODES.filter((e) => e && /^(BT|BTS|BTR|BTC|G8|BSF|BSR|BSWAP)_/.test(e.handler)).map((e) => e!.handler);
    assert.equal(names.length, 15);
    for (const name of names) assert.ok(name in handlers, name);
  });
});

describe('BT, BTS, BTR, BTC with a register offset', () => {
  test('register operand: the offset is taken modulo the width; only CF changes', () => {
    expectRun('bt eax, ecx', { regs: { eax: 0x2, ecx: 33 }, flags: 'PAZSO' }, { eax: 2 }, 'CPAZSO');
    expectRun('bt eax, ecx', { regs: { eax: 0x2, ecx: 32 }, flags: 'CZ' }, { eax: 2 }, 'Z');
    expectRun('bt ax, cx', { regs: { eax: 0x2, ecx: 0xffff_0011 } }, {}, 'C');
  });
  test('BTS/BTR/BTC on registers return the old bit in CF', () => {
    expectRun('bts ecx, edx', { regs: { ecx: 0x10, edx: 5 } }, { ecx: 0x30 }, '');
    expectRun('btr ecx, edx', { regs: { ecx: 0x8000_0010, edx: 31 } }, { ecx: 0x10 }, 'C');
    expectRun('btc cx, dx', { regs: { ecx: 0xffff_0001, edx: 0x10 } }, { ecx: 0xffff_0000 }, 'C');
  });
  test('memory operand: a positive offset selects a dword past the operand', () => {
    const o = expectRun('bts dword [0x4000], ecx', { regs: { ecx: 35 }, mem: { [DATA + 4]: [0x01] } }, {}, '');
    assert.equal(o.mem(DATA + 4), 0x09);
    assert.equal(o.mem(DATA), 0);
    expectRun('bt dword [0x4000], ecx', { regs: { ecx: 32 * 100 + 7 }, mem: { [DATA + 400]: [0x80] } }, {}, 'C');
  });
  test('memory operand: a negative offset addresses below the operand (signed, SDM "BT")', () => {
    const o = expectRun('btr dword [0x4000], ecx', { regs: { ecx: 0xffff_ffff }, mem: { [DATA - 4]: [0, 0, 0, 0x80] } }, {}, 'C');
    assert.equal(o.mem(DATA - 4), 0);
    const p = expectRun('btc dword [0x4000], ecx', { regs: { ecx: -33 } }, {}, '');
    assert.equal(p.mem(DATA - 8), 0x8000_0000);
  });
  test('16-bit operand: the offset is a signed word selecting words', () => {
    const o = expectRun('bts word [0x4000], cx', { regs: { ecx: 0x1234_ffff } }, {}, '');
    assert.equal(o.mem(DATA - 2, 2), 0x8000);
    const p = expectRun('bts word [0x4000], cx', { regs: { ecx: 0x0000_0011 } }, {}, '');
    assert.equal(p.mem(DATA + 2, 2), 0x0002);
  });
  test('16-bit addressing wraps the adjusted offset at 64 KiB (real mode)', () => {
    const o = expectRun('bts word [0x0000], cx', { bits: 16, regs: { ecx: 0xfff0 } }, {}, '');
    assert.equal(o.mem(0xfffe, 2), 0x0001);
  });
  test('LOCK is accepted with BTS on memory and #UD with BT', () => {
    const o = expectRun('lock bts dword [0x4000], ecx', { regs: { ecx: 0 } }, {}, '');
    assert.equal(o.mem(DATA), 1);
    assert.equal(exec('lock bt dword [0x4000], ecx').fault, Vector.UD);
  });
});

describe('group 8 (0F BA): BT/BTS/BTR/BTC with imm8', () => {
  test('the immediate is taken modulo the width, also with memory', () => {
    expectRun('bt eax, 33', { regs: { eax: 2 } }, {}, 'C');
    const o = expectRun('bts dword [0x4000], 39', { mem: { [DATA]: [0x01] } }, {}, '');
    assert.equal(o.mem(DATA), 0x81);
    assert.equal(o.mem(DATA + 4), 0);
    expectRun('btr dx, 17', { regs: { edx: 0xffff_ffff } }, { edx: 0xffff_fffd }, 'C');
    expectRun('btc ebx, 0', { regs: { ebx: 0 }, flags: 'C' }, { ebx: 1 }, '');
  });
  test('/0../3 are #UD', () => {
    for (const reg of [0, 1, 2, 3]) {
      const o = exec(`db 0x0f, 0xba, ${0xc0 | (reg << 3)}, 1`);
      assert.equal(o.fault, Vector.UD, `/${reg}`);
      assert.equal(o.m.cpu.eip, CODE);
    }
  });
});

describe('BSF, BSR', () => {
  test('index of the lowest and highest set bit; ZF = 0, PF from the index', () => {
    expectRun('bsf eax, ecx', { regs: { ecx: 0x0001_0100 }, flags: 'CZSO' }, { eax: 8 }, '');
    expectRun('bsr eax, ecx', { regs: { ecx: 0x0001_0100 } }, { eax: 16 }, '');
    expectRun('bsr eax, ecx', { regs: { ecx: 7 } }, { eax: 2 }, '');
    expectRun('bsf eax, ecx', { regs: { ecx: 8 } }, { eax: 3 }, 'P');
    expectRun('bsr eax, [0x4000]', { mem: { [DATA]: [0, 0, 0, 0x80] } }, { eax: 31 }, '');
  });
  test('16-bit operands scan only the low word and write only the low word', () => {
    expectRun('bsr ax, cx', { regs: { eax: 0xabcd_0000, ecx: 0x8001_0002 } }, { eax: 0xabcd_0001 }, '');
    expectRun('bsf ax, cx', { regs: { eax: 0xabcd_1234, ecx: 0x8000_0000 } }, { eax: 0xabcd_1234 }, 'PZ');
  });
  test('a zero source sets ZF and leaves the destination unchanged', () => {
    expectRun('bsf eax, ecx', { regs: { eax: 0x1, ecx: 0 }, flags: 'CS' }, { eax: 1 }, 'PZ');
    expectRun('bsr eax, ecx', { regs: { eax: 0xdead_beef, ecx: 0 } }, { eax: 0xdead_beef }, 'PZ');
  });
});

describe('BSWAP', () => {
  test('reverses the bytes of a 32-bit register', () => {
    expectRun('bswap eax\nbswap edi', { regs: { eax: 0x1122_3344, edi: 0x8000_00ff } }, { eax: 0x4433_2211, edi: 0xff00_0080 });
  });
  test('with a 16-bit operand size clears the low word (as Intel and AMD do)', () => {
    expectRun('db 0x66, 0x0f, 0xcb', { regs: { ebx: 0x1122_3344 } }, { ebx: 0x1122_0000 });
  });
});
