// BCD family: DAA, DAS, AAA, AAS, AAM, AAD and the undocumented SALC. The
// host cannot run these (they are invalid in 64-bit mode and it has no 32-bit
// execution), so expected values come from the SDM pseudocode and examples
// ("DAA", "DAS": the worked examples are reproduced below). OF and, for
// AAA/AAS, SF/ZF/PF are undefined and left out of the flag checks.
// Programs end with `ud2`, which raises #UD whatever family owns it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CODE, exec, expectRun } from '../../support/cpu-test.js';
import { Vector } from '../../../src/cpu/registers.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';
import { handlers } from '../../../src/cpu/instructions/bcd.js';

/** DAA/DAS/AAM/AAD define all flags but OF. */
const DEFINED = 'CPAZS';
/** AAA/AAS define only CF and AF. */
const CF_AF = 'CA';

describe('bcd family table coverage', () => {
  test('implements every handler its table entries name', () => {
    for (const name of ['DAA', 'DAS', 'AAA', 'AAS', 'AAM_Ib', 'AAD_Ib', 'SALC']) {
      assert.ok(OPCODES.some((e) => e?.handler === name), name);
      assert.ok(name in handlers, name);
    }
  });
});

describe('DAA', () => {
  test('SDM example: 79h + 35h = AEh, DAA gives 14h with CF and AF', () => {
    expectRun('add al, bl\ndaa', { regs: { eax: 0x79, ebx: 0x35 } }, { eax: 0x14 }, 'CPA', DEFINED);
  });
  test('9Ah adjusts both digits and carries to 00h', () => {
    expectRun('daa', { regs: { eax: 0x1234_569a } }, { eax: 0x1234_5600 }, 'CPAZ', DEFINED);
  });
  test('99h with no carries is already decimal: nothing changes, CF = 0', () => {
    expectRun('daa', { regs: { eax: 0x99 } }, { eax: 0x99 }, 'PS', DEFINED);
  });
  test('AF and CF in force both adjustments: 00h → 66h', () => {
    expectRun('daa', { regs: { eax: 0x00 }, flags: 'CA' }, { eax: 0x66 }, 'CPA', DEFINED);
  });
  test('FFh → 65h with CF', () => {
    expectRun('daa', { regs: { eax: 0xff } }, { eax: 0x65 }, 'CPA', DEFINED);
  });
  test('a valid digit with CF set adds 60h only', () => {
    expectRun('daa', { regs: { eax: 0x12 }, flags: 'C' }, { eax: 0x72 }, 'CP', DEFINED);
  });
});

describe('DAS', () => {
  test('SDM example: 35h − 47h = EEh, DAS gives 88h with CF and AF', () => {
    expectRun('sub al, bl\ndas', { regs: { eax: 0x35, ebx: 0x47 } }, { eax: 0x88 }, 'CPAS', DEFINED);
  });
  test('a borrow from AL − 6 sets CF even without the second adjustment', () => {
    expectRun('das', { regs: { eax: 0x03 }, flags: 'A' }, { eax: 0xfd }, 'CAS', DEFINED);
  });
  test('9Ah adjusts both digits', () => {
    expectRun('das', { regs: { eax: 0x9a } }, { eax: 0x34 }, 'CA', DEFINED);
  });
  test('CF in subtracts 60h and keeps CF', () => {
    expectRun('das', { regs: { eax: 0x00 }, flags: 'C' }, { eax: 0xa0 }, 'CPS', DEFINED);
  });
  test('a valid BCD value with no flags is unchanged and clears CF and AF', () => {
    expectRun('das', { regs: { eax: 0x45 } }, { eax: 0x45 }, '', DEFINED);
  });
});

describe('AAA, AAS', () => {
  test('AAA with a low digit above 9 adds 106h to AX and keeps the low nibble', () => {
    expectRun('aaa', { regs: { eax: 0xffff_010b } }, { eax: 0xffff_0201 }, 'CA', CF_AF);
  });
  test('AAA carries out of AL into AH (AX + 106h, P6 and later): 00FAh → 0200h', () => {
    expectRun('aaa', { regs: { eax: 0x00fa } }, { eax: 0x0200 }, 'CA', CF_AF);
  });
  test('AAA with AF set adjusts an ASCII digit: 0035h → 010Bh', () => {
    expectRun('aaa', { regs: { eax: 0x0035 }, flags: 'A' }, { eax: 0x010b }, 'CA', CF_AF);
  });
  test('AAA without adjustment clears the high nibble of AL, CF and AF', () => {
    expectRun('aaa', { regs: { eax: 0x0735 }, flags: 'C' }, { eax: 0x0705 }, '', CF_AF);
  });
  test('AAS with a low digit above 9: 020Bh → 0105h', () => {
    expectRun('aas', { regs: { eax: 0x020b } }, { eax: 0x0105 }, 'CA', CF_AF);
  });
  test('AAS borrows from AH through AX − 6: 0203h with AF → 000Dh', () => {
    expectRun('aas', { regs: { eax: 0x0203 }, flags: 'A' }, { eax: 0x000d }, 'CA', CF_AF);
  });
  test('AAS wraps AH: 000Ah → FF04h', () => {
    expectRun('aas', { regs: { eax: 0x1234_000a } }, { eax: 0x1234_ff04 }, 'CA', CF_AF);
  });
  test('AAS without adjustment masks AL only', () => {
    expectRun('aas', { regs: { eax: 0x0337 }, flags: 'C' }, { eax: 0x0307 }, '', CF_AF);
  });
});

describe('AAM, AAD', () => {
  test('AAM 10 splits AL into decimal digits; SF/ZF/PF from AL', () => {
    expectRun('aam', { regs: { eax: 0x1234_004f } }, { eax: 0x1234_0709 }, 'P', 'PZS');
    expectRun('aam', { regs: { eax: 0x0000 } }, { eax: 0 }, 'PZ', 'PZS');
  });
  test('AAM with another base (16)', () => {
    expectRun('aam 16', { regs: { eax: 0x00ab } }, { eax: 0x0a0b }, '', 'PZS');
  });
  test('AAM 0 raises #DE with AX unchanged', () => {
    const o = exec('aam 0', { regs: { eax: 0x1234 } });
    assert.equal(o.fault, Vector.DE);
    assert.equal(o.m.cpu.eip, CODE);
    assert.equal(o.reg('eax'), 0x1234);
  });
  test('AAD 10 joins AH:AL into AL and clears AH', () => {
    expectRun('aad', { regs: { eax: 0xabcd_0709 } }, { eax: 0xabcd_004f }, '', 'PZS');
  });
  test('AAD with another base truncates to 8 bits; AAD 0 just clears AH', () => {
    expectRun('aad 16', { regs: { eax: 0x1234 } }, { eax: 0x0054 }, '', 'PZS');
    expectRun('aad 0', { regs: { eax: 0x1280 } }, { eax: 0x0080 }, 'S', 'PZS');
  });
});

describe('SALC', () => {
  test('sets AL from CF and changes no flag', () => {
    expectRun('salc', { regs: { eax: 0x1234_5600 }, flags: 'CZ' }, { eax: 0x1234_56ff }, 'CZ');
    expectRun('salc', { regs: { eax: 0x1234_56aa }, flags: 'S' }, { eax: 0x1234_5600 }, 'S');
  });
});
