// Shift family: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR) in its six forms and
// SHLD/SHRD. Expected values were recorded on the host CPU (AMD EPYC, 64-bit
// mode, same operand sizes) except where Intel and AMD differ on undefined
// results, which follow Intel and say so. AF after a shift is undefined (AMD
// sets it, we clear it), so shift flag checks leave AF out.
// Programs end with `ud2`, which raises #UD whatever family owns it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectRun } from '../../support/cpu-test.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';
import { handlers } from '../../../src/cpu/instructions/shift.js';

const DATA = 0x4000;

/** Flags compared after shifts: AF is undefined. */
const NO_AF = 'CPZSO';

describe('shift family table coverage', () => {
  test('implements every handler its table entries name', () => {
    const names = OPCODES.filter((e) => e && /^(G2|SHLD|SHRD)_/.test(e.handler)).map((e) => e!.handler);
    assert.equal(names.length, 10);
    for (const name of names) assert.ok(name in handlers, name);
  });
});

describe('SHL/SAL, SHR, SAR', () => {
  test('D0 SHL Eb,1: CF = old MSB, OF = MSB XOR CF', () => {
    expectRun('shl al, 1', { regs: { eax: 0x81 } }, { eax: 0x02 }, 'CO', NO_AF);
  });
  test('D3 SHL Ev,CL by 4 and C1 SHL Ev,Ib by 31', () => {
    expectRun('shl eax, cl', { regs: { eax: 0x1234_5678, ecx: 4 } }, { eax: 0x2345_6780 }, 'CO', NO_AF);
    expectRun('shl eax, 31', { regs: { eax: 0x8000_0001 }, flags: 'PZ' }, { eax: 0x8000_0000 }, 'PSO', NO_AF);
    expectRun('shl eax, 31', { regs: { eax: 3 } }, { eax: 0x8000_0000 }, 'CPS', NO_AF);
  });
  test('16-bit SHL by 16 moves bit 0 into CF; by 17 shifts everything out', () => {
    expectRun('shl ax, cl', { regs: { eax: 0x8001, ecx: 16 } }, { eax: 0 }, 'CPZO', NO_AF);
    expectRun('shl ax, cl', { regs: { eax: 0x8001, ecx: 17 } }, { eax: 0 }, 'PZ', NO_AF);
  });
  test('8-bit SHL by 8 and 9 (C0 form)', () => {
    expectRun('shl al, 8', { regs: { eax: 0x81 } }, { eax: 0 }, 'CPZO', NO_AF);
    expectRun('shl al, 9', { regs: { eax: 0xff } }, { eax: 0 }, 'PZ', NO_AF);
  });
  test('SHR by 1 sets OF to the old MSB; by 31 clears it', () => {
    expectRun('shr eax, 1', { regs: { eax: 0x8000_0001 } }, { eax: 0x4000_0000 }, 'CPO', NO_AF);
    expectRun('shr eax, 31', { regs: { eax: 0x8000_0000 } }, { eax: 1 }, '', NO_AF);
    expectRun('shr ax, 15', { regs: { eax: 0x8000 } }, { eax: 1 }, '', NO_AF);
  });
  test('SAR keeps the sign, OF = 0, fills with it beyond the width', () => {
    expectRun('sar eax, 31', { regs: { eax: 0x8000_0000 }, flags: 'O' }, { eax: 0xffff_ffff }, 'PS', NO_AF);
    expectRun('sar eax, 1', { regs: { eax: 0x8000_0000 } }, { eax: 0xc000_0000 }, 'PS', NO_AF);
    expectRun('sar ax, 1', { regs: { eax: 0x4000 } }, { eax: 0x2000 }, 'P', NO_AF);
    expectRun('sar ax, cl', { regs: { eax: 0x8000, ecx: 20 } }, { eax: 0xffff }, 'CPS', NO_AF);
  });
  test('D2 SAR Eb,CL and D1 SHR Ev,1 on memory', () => {
    const o = expectRun('sar byte [0x4000], cl\nshr dword [0x4004], 1', {
      regs: { ecx: 2 }, mem: { [DATA]: [0x81], [DATA + 4]: [0, 0, 0, 0x80] },
    }, {}, 'PO', NO_AF);
    assert.equal(o.mem(DATA, 1), 0xe0);
    assert.equal(o.mem(DATA + 4), 0x4000_0000);
  });
  test('/6 is SAL, the same as SHL (D0 /6 and C0 /6)', () => {
    expectRun('db 0xd0, 0xf0', { regs: { eax: 0x81 } }, { eax: 0x02 }, 'CO', NO_AF);
    expectRun('db 0xc0, 0xf0, 3', { regs: { eax: 0x81 } }, { eax: 0x08 }, '', NO_AF);
  });
  test('a count of 0 (or 32, masked to 0) changes neither the operand nor any flag', () => {
    for (const src of ['shl eax, cl', 'sar eax, cl', 'rcl eax, cl', 'ror eax, cl']) {
      expectRun(src, { regs: { eax: 0x1234_5678, ecx: 32 }, flags: 'CPAZSO' }, { eax: 0x1234_5678 }, 'CPAZSO');
      expectRun(src, { regs: { eax: 0x1234_5678, ecx: 0 } }, { eax: 0x1234_5678 }, '');
    }
    expectRun('shl byte [0x4000], 0', { mem: { [DATA]: [0x81] }, flags: 'ZO' }, {}, 'ZO');
  });
});

describe('by CL (D2, D3): SHR, SAR, ROL, ROR, RCL, RCR', () => {
  // Count-dependent CF and OF (SDM Vol. 2 "SAL/SAR/SHL/SHR": CF is the last bit shifted out;
  // OF for counts other than 1 is undefined, here the interpreter's count-1 formula on the result).
  test('SHR by CL: CF is bit (count - 1) of the operand', () => {
    expectRun('shr eax, cl', { regs: { eax: 0x8000_0003, ecx: 2 } }, { eax: 0x2000_0000 }, 'CP', NO_AF);
    expectRun('shr eax, cl', { regs: { eax: 0x8000_0004, ecx: 0x22 } }, { eax: 0x2000_0001 }, '', NO_AF);
    expectRun('shr al, cl', { regs: { eax: 0x1234_5681, ecx: 8 } }, { eax: 0x1234_5600 }, 'CPZ', NO_AF);
    expectRun('shr ax, cl', { regs: { eax: 0xffff, ecx: 17 }, flags: 'CSO' }, { eax: 0 }, 'PZ', NO_AF);
    expectRun('shr bh, cl', { regs: { ebx: 0xc000, ecx: 1 } }, { ebx: 0x6000 }, 'PO', NO_AF);
  });
  test('SHR word [mem], CL', () => {
    const o = expectRun('shr word [0x4000], cl', { regs: { ecx: 4 }, mem: { [DATA]: [0x18, 0x80] } }, {}, 'C', NO_AF);
    assert.equal(o.mem(DATA, 2), 0x0801);
  });
  test('32-bit ROL/ROR by CL: the count masked to 5 bits, CF and OF from the result', () => {
    expectRun('rol eax, cl', { regs: { eax: 0x8000_0001, ecx: 0x21 } }, { eax: 3 }, 'CO');
    expectRun('ror eax, cl', { regs: { eax: 0x1234_5678, ecx: 4 }, flags: 'PZ' }, { eax: 0x8123_4567 }, 'CPZO');
    const o = expectRun('rol dword [0x4000], cl', { regs: { ecx: 8 }, mem: { [DATA]: [0x78, 0x56, 0x34, 0x92] } }, {}, '');
    assert.equal(o.mem(DATA), 0x3456_7892);
  });
  test('SAR by CL: CF is bit (count - 1) of the sign-extended operand, OF = 0', () => {
    expectRun('sar eax, cl', { regs: { eax: 0x8000_0002, ecx: 2 }, flags: 'O' }, { eax: 0xe000_0000 }, 'CPS', NO_AF);
    expectRun('sar ax, cl', { regs: { eax: 0x4001, ecx: 1 } }, { eax: 0x2000 }, 'CP', NO_AF);
    expectRun('sar bl, cl', { regs: { ebx: 0x7f, ecx: 9 }, flags: 'C' }, { ebx: 0 }, 'PZ', NO_AF);
  });
  test('32-bit RCL/RCR by CL, counts 1, 4 (CL = 0x24) and 31', () => {
    expectRun('rcl eax, cl', { regs: { eax: 0x8000_0001, ecx: 1 }, flags: 'C' }, { eax: 3 }, 'CO');
    expectRun('rcl eax, cl', { regs: { eax: 0x1234_5678, ecx: 0x24 }, flags: 'C' }, { eax: 0x2345_6788 }, 'CO');
    expectRun('rcr eax, cl', { regs: { eax: 0x8000_0001, ecx: 1 } }, { eax: 0x4000_0000 }, 'CO');
    expectRun('rcr eax, cl', { regs: { eax: 0x1234_5678, ecx: 31 }, flags: 'C' }, { eax: 0x48d1_59e2 }, 'O');
  });
});

describe('ROL, ROR', () => {
  test('ROL by 1 and 8; only CF and OF change', () => {
    expectRun('rol eax, 1', { regs: { eax: 0x8000_0001 }, flags: 'PAZS' }, { eax: 3 }, 'CPAZSO');
    expectRun('rol eax, 8', { regs: { eax: 0x1234_5678 } }, { eax: 0x3456_7812 }, '');
  });
  test('16-bit ROL by 16 rotates back but sets CF from bit 0; by 20 rotates 4', () => {
    expectRun('rol ax, cl', { regs: { eax: 0x8001, ecx: 16 } }, { eax: 0x8001 }, 'C');
    expectRun('rol ax, cl', { regs: { eax: 0x8001, ecx: 20 } }, { eax: 0x0018 }, '');
  });
  test('8-bit ROL by 8 (D2 form): CF = bit 0, OF = MSB XOR CF', () => {
    expectRun('rol al, cl', { regs: { eax: 0x40, ecx: 8 }, flags: 'CO' }, { eax: 0x40 }, '');
    expectRun('rol al, cl', { regs: { eax: 0x81, ecx: 8 } }, { eax: 0x81 }, 'C');
  });
  test('ROR by 1 and 4: CF = new MSB, OF = top two bits differ', () => {
    expectRun('ror eax, 1', { regs: { eax: 1 } }, { eax: 0x8000_0000 }, 'CO');
    expectRun('ror eax, 4', { regs: { eax: 0x1234_5678 } }, { eax: 0x8123_4567 }, 'CO');
    expectRun('ror ax, cl', { regs: { eax: 0x8001, ecx: 16 } }, { eax: 0x8001 }, 'CO');
    expectRun('ror al, 2', { regs: { eax: 0x81 } }, { eax: 0x60 }, 'O');
  });
});

describe('RCL, RCR', () => {
  test('32-bit RCL by 1, 4 and 31 through CF', () => {
    expectRun('rcl eax, 1', { regs: { eax: 0x8000_0000 } }, { eax: 0 }, 'CO');
    expectRun('rcl eax, 1', { regs: { eax: 0x4000_0000 }, flags: 'C' }, { eax: 0x8000_0001 }, 'O');
    expectRun('rcl eax, 4', { regs: { eax: 0x1234_5678 }, flags: 'C' }, { eax: 0x2345_6788 }, 'CO');
    expectRun('rcl eax, 31', { regs: { eax: 0x1234_5678 }, flags: 'C' }, { eax: 0x448d_159e }, '');
  });
  test('32-bit RCR by 1, 4 and 31 through CF', () => {
    expectRun('rcr eax, 1', { regs: { eax: 1 } }, { eax: 0 }, 'C');
    expectRun('rcr eax, 4', { regs: { eax: 0x1234_5678 }, flags: 'C' }, { eax: 0x1123_4567 }, 'C');
    expectRun('rcr eax, 31', { regs: { eax: 0x1234_5678 }, flags: 'C' }, { eax: 0x48d1_59e2 }, 'O');
  });
  test('16-bit RCL/RCR rotate modulo 17', () => {
    expectRun('rcl ax, cl', { regs: { eax: 0x8001, ecx: 16 }, flags: 'C' }, { eax: 0xc000 }, 'C');
    expectRun('rcl ax, cl', { regs: { eax: 0x8001, ecx: 17 }, flags: 'C' }, { eax: 0x8001 }, 'C');
    expectRun('rcl ax, cl', { regs: { eax: 0x8001, ecx: 18 } }, { eax: 0x0002 }, 'CO');
    expectRun('rcr ax, cl', { regs: { eax: 0x8001, ecx: 16 }, flags: 'C' }, { eax: 0x0003 }, 'C');
    expectRun('rcr ax, cl', { regs: { eax: 0x8001, ecx: 17 }, flags: 'C' }, { eax: 0x8001 }, 'CO');
    expectRun('rcr ax, cl', { regs: { eax: 0x8001, ecx: 18 } }, { eax: 0x4000 }, 'CO');
  });
  test('8-bit RCL/RCR rotate modulo 9', () => {
    expectRun('rcl al, cl', { regs: { eax: 0x81, ecx: 9 }, flags: 'C' }, { eax: 0x81 }, 'C');
    expectRun('rcr al, cl', { regs: { eax: 0x81, ecx: 10 }, flags: 'C' }, { eax: 0xc0 }, 'C');
    expectRun('rcl al, cl', { regs: { eax: 0x40, ecx: 9 }, flags: 'C' }, { eax: 0x40 }, 'CO');
    expectRun('rcl al, cl', { regs: { eax: 0x81, ecx: 17 } }, { eax: 0x40 }, 'CO');
    expectRun('rcr byte [0x4000], 1', { mem: { [DATA]: [0x40] }, flags: 'C' }, {}, 'O');
  });
});

describe('SHLD, SHRD', () => {
  test('32-bit SHLD by 1, 4 (Ib) and 31 (CL)', () => {
    expectRun('shld eax, ebx, 1', { regs: { eax: 0x8000_8421, ebx: 0x5555_c3e7 } }, { eax: 0x0001_0842 }, 'CPO', NO_AF);
    expectRun('shld eax, ebx, 4', { regs: { eax: 0x8000_8421, ebx: 0x5555_c3e7 } }, { eax: 0x0008_4215 }, '', NO_AF);
    expectRun('shld eax, ebx, cl', { regs: { eax: 0x8000_8421, ebx: 0x5555_c3e7, ecx: 31 } }, { eax: 0xaaaa_e1f3 }, 'PSO', NO_AF);
  });
  test('32-bit SHRD by 1, 4 (Ib) and 31 (CL)', () => {
    expectRun('shrd eax, ebx, 1', { regs: { eax: 0x8000_8421, ebx: 0x5555_c3e7 } }, { eax: 0xc000_4210 }, 'CS', NO_AF);
    expectRun('shrd eax, ebx, 4', { regs: { eax: 0x8000_8421, ebx: 0x5555_c3e7 } }, { eax: 0x7800_0842 }, 'PO', NO_AF);
    expectRun('shrd eax, ebx, cl', { regs: { eax: 0x8000_8421, ebx: 0x5555_c3e7, ecx: 31 } }, { eax: 0xaaab_87cf }, 'PSO', NO_AF);
  });
  test('16-bit SHLD/SHRD up to 16', () => {
    const regs = { eax: 0xaaaa_8421, ebx: 0x5555_c3e7 };
    expectRun('shld ax, bx, 1', { regs }, { eax: 0xaaaa_0843 }, 'CO', NO_AF);
    expectRun('shld ax, bx, 4', { regs }, { eax: 0xaaaa_421c }, '', NO_AF);
    expectRun('shld ax, bx, 15', { regs }, { eax: 0xaaaa_e1f3 }, 'PSO', NO_AF);
    expectRun('shld ax, bx, 16', { regs }, { eax: 0xaaaa_c3e7 }, 'CPS', 'CPZS');
    expectRun('shrd ax, bx, 1', { regs }, { eax: 0xaaaa_c210 }, 'CS', NO_AF);
    expectRun('shrd ax, bx, 4', { regs }, { eax: 0xaaaa_7842 }, 'PO', NO_AF);
    expectRun('shrd ax, bx, 16', { regs }, { eax: 0xaaaa_c3e7 }, 'CPS', 'CPZS');
  });
  test('16-bit counts 17..31 shift the Intel pattern dest:src:dest (undefined in the SDM; AMD differs)', () => {
    const regs = { eax: 0xaaaa_8421, ebx: 0x5555_c3e7 };
    // Result only: the flags are undefined for counts above the width.
    expectRun('shld ax, bx, 17', { regs }, { eax: 0xaaaa_87cf });
    expectRun('shld ax, bx, 20', { regs }, { eax: 0xaaaa_3e78 });
    expectRun('shld ax, bx, 31', { regs }, { eax: 0xaaaa_c210 });
    expectRun('shrd ax, bx, 17', { regs }, { eax: 0xaaaa_e1f3 });
    expectRun('shrd ax, bx, 20', { regs }, { eax: 0xaaaa_1c3e });
  });
  test('SHLD/SHRD by 0 change nothing; memory destination', () => {
    expectRun('shld eax, ebx, cl', { regs: { eax: 1, ebx: 2, ecx: 32 }, flags: 'CAO' }, { eax: 1 }, 'CAO');
    const o = expectRun('shrd [0x4000], ebx, 8', { regs: { ebx: 0xab }, mem: { [DATA]: [0x80, 0x34, 0x12, 0x00] } }, {}, 'CSO', NO_AF);
    assert.equal(o.mem(DATA), 0xab00_1234);
  });
});
