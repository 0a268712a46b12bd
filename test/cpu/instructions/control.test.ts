// Control-transfer family: Jcc, JMP, CALL, RET, LOOP/LOOPcc/JCXZ, group 5,
// INT n/INT3/INTO/INT1, real-mode far transfers and IRET, SYSENTER/SYSEXIT.
// Programs end with `int3`: the harness intercepts #BP and reports it with
// EIP just past the marker. Protected-mode far transfers, gates and task
// switches are tested in ../far-transfer.test.ts and ../task-switch.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine, HarnessSel } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import {
  CODE, completes, faults, read16, read32, runProgram, STACK_TOP, type Run, type Setup,
} from '../../support/cpu-test.js';
import { Flag, Reg, Seg, Vector } from '../../../src/cpu/registers.js';
import { handlers } from '../../../src/cpu/instructions/control.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';

const DATA = 0x4000;

/** Runs flat 32-bit protected-mode code at `cpl` until the trailing int3 (or another exception). */
function run32(src: string, setup?: Setup, cpl: 0 | 3 = 0): Run {
  return runProgram(src, { mode: cpl === 3 ? 'pm3' : 'pm0', setup, marker: 'int3' });
}

/** Runs real-mode code at 0000:1000 until the trailing int3 (or another exception). */
function runReal(src: string, setup?: Setup): Run {
  return runProgram(src, { mode: 'real', setup, marker: 'int3' });
}

describe('control family table coverage', () => {
  test('every handler the opcode table names for this family is defined here', () => {
    const mine = new Set(['Jcc_Jb', 'Jcc_Jz', 'JMP_Jb', 'JMP_Jz', 'CALL_Jz', 'RET', 'RET_Iw', 'RETF', 'RETF_Iw',
      'JMPF_Ap', 'CALLF_Ap', 'LOOP_Jb', 'LOOPE_Jb', 'LOOPNE_Jb', 'JCXZ_Jb', 'G5_Ev', 'INT3', 'INT_Ib', 'INTO',
      'INT1', 'IRET', 'SYSENTER', 'SYSEXIT']);
    const named = new Set(OPCODES.filter((e) => e && mine.has(e.handler)).map((e) => e!.handler));
    assert.deepEqual([...named].sort(), [...mine].sort());
    for (const name of mine) assert.equal(typeof handlers[name], 'function', name);
  });
});

describe('Jcc', () => {
  // SDM Vol. 1 Table B-1, by the low nibble of the opcode.
  const holds = (cc: number, f: number): boolean => {
    const cf = (f & Flag.CF) !== 0, zf = (f & Flag.ZF) !== 0, sf = (f & Flag.SF) !== 0;
    const of = (f & Flag.OF) !== 0, pf = (f & Flag.PF) !== 0;
    const base = [of, cf, zf, cf || zf, sf, pf, sf !== of, zf || sf !== of][cc >> 1];
    return (cc & 1) !== 0 ? !base : base;
  };
  const bits = [Flag.CF, Flag.ZF, Flag.SF, Flag.OF, Flag.PF];

  test('rel8 jumps exactly when the condition of the low opcode nibble holds', () => {
    for (let cc = 0; cc < 16; cc++) {
      for (let combo = 0; combo < 32; combo++) {
        const flags = bits.reduce((acc, b, i) => ((combo >> i) & 1 ? acc | b : acc), Flag.FIXED1);
        // Jcc +1 skips the first int3 when taken.
        const m = new HarnessMachine().protectedMode(0);
        m.load(CODE, [0x70 | cc, 0x01, 0xcc, 0xcc]);
        m.cpu.eip = CODE;
        m.cpu.setFlags(flags);
        m.run(10);
        assert.equal(m.cpu.eip, holds(cc, flags) ? CODE + 4 : CODE + 3, `cc ${cc} flags ${flags.toString(16)}`);
      }
    }
  });

  test('0F 8x takes a 32-bit displacement, backwards too', () => {
    const r = run32('jmp start\nback: jmp done\nstart: jz near back\nint3\ndone:', (m) => m.cpu.setFlags(Flag.ZF | Flag.FIXED1));
    completes(r);
  });

  test('a 16-bit operand size truncates the target EIP to 16 bits', () => {
    // At 0x11000 in flat code, `o16 jmp` lands at (0x11004 + 0x10) & 0xffff = 0x1014.
    const m = new HarnessMachine().protectedMode(0);
    m.load(0x11000, [0x66, 0xe9, 0x10, 0x00]);
    m.load(0x1014, [0xcc]);
    m.cpu.eip = 0x11000;
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.BP);
    assert.equal(m.cpu.eip, 0x1015);
  });

  test('a target beyond the CS limit raises #GP(0) at the jump', () => {
    faults(runReal('jmp dword 0x12000'), Vector.GP, 0, CODE);
  });

  test('a not-taken Jcc to beyond the limit does not fault', () => {
    completes(runReal('o32 jz near dword 0x12000', (m) => m.cpu.setFlags(Flag.FIXED1)));
  });
});

describe('CALL and RET (near)', () => {
  test('CALL rel32 pushes the address of the next instruction', () => {
    const r = run32('call f\nnop\nf:');
    const m = completes(r);
    assert.equal(m.reg('esp'), STACK_TOP - 4);
    assert.equal(read32(m, STACK_TOP - 4), CODE + 5);
  });

  test('RET pops EIP; RET imm16 then releases the parameters', () => {
    completes(run32('call f\njmp done\nf: ret\ndone:'));
    const m = completes(run32('call f\njmp done\nf: ret 8\ndone:'));
    assert.equal(m.reg('esp'), STACK_TOP + 8);
  });

  test('16-bit CALL and RET in real mode use IP and SP', () => {
    const m = completes(runReal('call f\njmp done\nf: ret 2\ndone:', (mm) => { mm.cpu.regs[Reg.ESP] = 0x1234_8000; }));
    assert.equal(m.reg('esp'), 0x1234_8002, 'the upper half of ESP is kept');
  });

  test('a CALL whose push faults leaves EIP and ESP unchanged (#SS(0))', () => {
    const r = runReal('call f\nf:', (m) => { m.cpu.regs[Reg.ESP] = 1; });
    const m = faults(r, Vector.SS, 0, CODE);
    assert.equal(m.reg('esp'), 1);
  });

  test('RET to an offset beyond the CS limit raises #GP(0) with ESP restored', () => {
    const r = runReal('o32 ret', (m) => m.mem.write(STACK_TOP, 4, 0x12000));
    const m = faults(r, Vector.GP, 0, CODE);
    assert.equal(m.reg('esp'), STACK_TOP);
  });
});

describe('LOOP, LOOPE, LOOPNE, JCXZ', () => {
  test('LOOP decrements ECX and repeats until it reaches zero', () => {
    const m = completes(run32('l: loop l', (mm) => { mm.cpu.regs[Reg.ECX] = 5; }));
    assert.equal(m.reg('ecx'), 0);
  });

  test('with a 16-bit address size LOOP counts in CX only', () => {
    const m = completes(run32('l: a16 loop l', (mm) => { mm.cpu.regs[Reg.ECX] = 0x0001_0003; }));
    assert.equal(m.reg('ecx'), 0x0001_0000);
  });

  test('LOOPE continues while ZF = 1; LOOPNE while ZF = 0', () => {
    const withZf = (zf: boolean) => (mm: HarnessMachine) => {
      mm.cpu.regs[Reg.ECX] = 5;
      mm.cpu.setFlags(zf ? Flag.ZF | Flag.FIXED1 : Flag.FIXED1);
    };
    assert.equal(completes(run32('l: loope l', withZf(true))).reg('ecx'), 0);
    assert.equal(completes(run32('l: loope l', withZf(false))).reg('ecx'), 4);
    assert.equal(completes(run32('l: loopne l', withZf(false))).reg('ecx'), 0);
    assert.equal(completes(run32('l: loopne l', withZf(true))).reg('ecx'), 4);
  });

  test('a LOOP whose target faults leaves ECX unchanged', () => {
    // IP 0xFFF0: o32 loop +0x20 targets 0x10013, beyond the real-mode limit.
    const m = new HarnessMachine().realMode(0, 0xfff0);
    m.load(0xfff0, [0x66, 0xe2, 0x20]);
    m.cpu.regs[Reg.ECX] = 7;
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.GP);
    assert.equal(stop.errorCode, 0);
    assert.equal(m.reg('ecx'), 7);
    assert.equal(m.cpu.eip, 0xfff0);
  });

  test('JECXZ tests ECX; JCXZ (address size 16) tests CX', () => {
    completes(run32('jecxz done\nint3\ndone:', (m) => { m.cpu.regs[Reg.ECX] = 0; }));
    assert.equal(run32('jecxz done\nint3\ndone:', (m) => { m.cpu.regs[Reg.ECX] = 0x10000; }).eip, CODE + 3);
    completes(run32('jcxz done\nint3\ndone:', (m) => { m.cpu.regs[Reg.ECX] = 0x10000; }));
  });
});

describe('group 5 (FF)', () => {
  test('INC and DEC on memory keep CF', () => {
    const m = completes(run32(`inc dword [${DATA}]\ndec word [${DATA + 4}]`, (mm) => {
      mm.mem.write(DATA, 4, -1);
      mm.mem.write(DATA + 4, 2, 0x8000);
      mm.cpu.setFlags(Flag.CF | Flag.FIXED1);
    }));
    assert.equal(read32(m, DATA), 0);
    assert.equal(read16(m, DATA + 4), 0x7fff);
    const f = m.cpu.getFlags();
    assert.equal(f & Flag.CF, Flag.CF);
    assert.equal(f & (Flag.OF | Flag.ZF), Flag.OF, 'DEC 8000h overflows; result non-zero');
  });

  test('CALL and JMP through a register or memory operand', () => {
    // call eax (2 bytes), jmp short done (2), f: jmp [0x4000] (6), int3, done: int3 at CODE + 11.
    const m = completes(run32('call eax\njmp short done\nf: jmp [0x4000]\nint3\ndone:', (mm) => {
      mm.cpu.regs[Reg.EAX] = CODE + 4;
      mm.mem.write(DATA, 4, CODE + 11);
    }));
    assert.equal(read32(m, STACK_TOP - 4), CODE + 2);
  });

  test('PUSH Ev pushes a memory operand', () => {
    const m = completes(run32(`push dword [${DATA}]\npush word [${DATA}]`, (mm) => mm.mem.write(DATA, 4, 0x1234_5678)));
    assert.equal(m.reg('esp'), STACK_TOP - 6);
    assert.equal(read32(m, STACK_TOP - 4), 0x1234_5678);
    assert.equal(read16(m, STACK_TOP - 6), 0x5678);
  });

  test('/7 and the register forms of CALLF and JMPF are #UD', () => {
    for (const bytes of [[0xff, 0xf8], [0xff, 0xd8], [0xff, 0xe8]]) {
      const m = new HarnessMachine().protectedMode(0);
      m.load(CODE, bytes);
      m.cpu.eip = CODE;
      assert.equal(m.run(10).vector, Vector.UD, bytes.join(','));
      assert.equal(m.cpu.eip, CODE);
    }
  });

  test('JMPF m16:16 and CALLF m16:32 in real mode load CS with base selector × 16', () => {
    const m = new HarnessMachine().realMode(0, CODE);
    m.load(CODE, assemble('jmp far [0x4000]', 16, CODE));
    m.mem.write(DATA, 2, 0x0010);
    m.mem.write(DATA + 2, 2, 0x0200);
    m.load(0x2010, assemble('call far dword [0x4004]', 16, 0x10));
    m.mem.write(DATA + 4, 4, 0x0000_0020);
    m.mem.write(DATA + 8, 2, 0x0300);
    m.load(0x3020, [0xcc]);
    m.cpu.regs[Reg.ESP] = STACK_TOP;
    assert.equal(m.run(10).vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], 0x0300);
    assert.equal(m.cpu.segBase[Seg.CS], 0x3000);
    assert.equal(m.cpu.eip, 0x21);
    assert.equal(m.reg('esp'), STACK_TOP - 8);
    assert.equal(read32(m, STACK_TOP - 8), 0x15, 'EIP after the 5-byte CALLF at 0200:0010');
    assert.equal(read32(m, STACK_TOP - 4), 0x0200, 'CS pushed as a zero-extended dword');
  });
});

describe('far transfers in real mode', () => {
  test('JMP ptr16:16, CALL ptr16:16 and RETF imm16', () => {
    const m = new HarnessMachine().realMode(0, CODE);
    m.load(CODE, assemble('jmp 0x0200:0x0010', 16, CODE));
    m.load(0x2010, assemble('call 0x0300:0x0000\nint3', 16, 0x10));
    m.load(0x3000, assemble('retf 6', 16, 0));
    m.cpu.regs[Reg.ESP] = STACK_TOP;
    assert.equal(m.run(10).vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], 0x0200);
    assert.equal(m.cpu.segBase[Seg.CS], 0x2000);
    assert.equal(m.cpu.eip, 0x16);
    assert.equal(m.reg('esp'), STACK_TOP + 6);
  });

  test('IRET pops IP, CS and FLAGS', () => {
    const r = runReal('iret', (m) => {
      m.mem.write(STACK_TOP, 2, 0x0010);
      m.mem.write(STACK_TOP + 2, 2, 0x0200);
      m.mem.write(STACK_TOP + 4, 2, 0x0ad5);
      m.load(0x2010, [0xcc]);
    });
    assert.equal(r.vector, Vector.BP);
    assert.equal(r.m.cpu.segBase[Seg.CS], 0x2000);
    assert.equal(r.eip, 0x11);
    assert.equal(r.m.cpu.getFlags(), 0x0ad7);
    assert.equal(r.m.reg('esp'), STACK_TOP + 6);
  });

  test('a 32-bit IRET keeps VM, VIF and VIP and rejects an EIP above FFFFh', () => {
    const r = runReal('o32 iret', (m) => {
      m.mem.write(STACK_TOP, 4, 0x10);
      m.mem.write(STACK_TOP + 4, 4, 0x200);
      m.mem.write(STACK_TOP + 8, 4, Flag.VIF | Flag.AC | Flag.CF | Flag.FIXED1);
      m.load(0x2010, [0xcc]);
    });
    assert.equal(r.vector, Vector.BP);
    assert.equal(r.m.cpu.getFlags(), Flag.AC | Flag.CF | Flag.FIXED1);
    faults(runReal('o32 iret', (m) => { m.mem.write(STACK_TOP, 4, 0x10000); }), Vector.GP, 0, CODE);
  });
});

describe('software interrupts', () => {
  test('INT n in real mode pushes FLAGS, CS, IP and jumps through the IVT, clearing IF and TF', () => {
    const r = runReal('int 0x21', (m) => {
      m.mem.write(0x21 * 4, 2, 0x0010);
      m.mem.write(0x21 * 4 + 2, 2, 0x0200);
      m.load(0x2010, [0xcc]);
      m.cpu.setFlags(Flag.IF | Flag.CF | Flag.FIXED1);
    });
    assert.equal(r.vector, Vector.BP);
    assert.equal(r.m.cpu.segSel[Seg.CS], 0x200);
    assert.equal(r.eip, 0x11);
    assert.equal(read16(r.m, STACK_TOP - 2), Flag.IF | Flag.CF | Flag.FIXED1);
    assert.equal(read16(r.m, STACK_TOP - 4), 0);
    assert.equal(read16(r.m, STACK_TOP - 6), CODE + 2);
    assert.equal(r.m.cpu.getFlags() & Flag.IF, 0);
  });

  test('INT3 is reported with EIP after the instruction', () => {
    assert.equal(runReal('nop').eip, CODE + 2);
  });

  test('INTO raises #OF only when OF = 1, as a trap', () => {
    completes(run32('into', (m) => m.cpu.setFlags(Flag.FIXED1)));
    const r = run32('into', (m) => m.cpu.setFlags(Flag.OF | Flag.FIXED1));
    assert.equal(r.vector, Vector.OF);
    assert.equal(r.eip, CODE + 1);
  });

  test('INT1 (ICEBP) raises #DB as a trap', () => {
    const r = run32('int1');
    assert.equal(r.vector, Vector.DB);
    assert.equal(r.errorCode, -1);
    assert.equal(r.eip, CODE + 1);
  });

  test('INT n in virtual-8086 mode with IOPL < 3 raises #GP(0)', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(0x2010, assemble('int 0x21', 16, 0x10));
    enterV86(m, 0x0200, 0x0010, 0);
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.GP);
    assert.equal(stop.errorCode, 0);
    assert.equal(m.cpu.eip, 0x10);
  });

  test('INT3 in virtual-8086 mode is not IOPL-sensitive', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(0x2010, [0xcc]);
    enterV86(m, 0x0200, 0x0010, 0);
    assert.equal(m.run(10).vector, Vector.BP);
  });
});

/** Puts the harness CPU straight into virtual-8086 mode at cs:ip with all data segments = cs. */
function enterV86(m: HarnessMachine, cs: number, ip: number, iopl: number): void {
  const cpu = m.cpu;
  cpu.setFlags(Flag.VM | (iopl << 12) | Flag.FIXED1);
  cpu.cpl = 3;
  cpu.updatePrivilegeMasks();
  for (let s = 0; s < 6; s++) {
    cpu.segSel[s] = cs;
    cpu.segBase[s] = cs << 4;
    cpu.segLimit[s] = 0xffff;
    cpu.segAttr[s] = 0xf300;
  }
  cpu.segAttr[Seg.CS] = 0xfb00;
  for (let s = 0; s < 6; s++) cpu.segOk[s] = 3;
  cpu.codeSize32 = false;
  cpu.stackSize32 = false;
  cpu.eip = ip;
  cpu.regs[Reg.ESP] = 0xfff0;
}

describe('SYSENTER and SYSEXIT', () => {
  const KERNEL = 0x2000;

  test('SYSENTER enters CPL 0 with flat CS/SS from IA32_SYSENTER_CS and clears IF', () => {
    const m = new HarnessMachine().protectedMode(3);
    m.load(CODE, assemble('sysenter', 32, CODE));
    m.load(KERNEL, [0xcc]);
    m.cpu.eip = CODE;
    m.cpu.sysenterCs = HarnessSel.Code32;
    m.cpu.sysenterEsp = 0x9000;
    m.cpu.sysenterEip = KERNEL;
    m.cpu.setFlags(Flag.IF | Flag.FIXED1);
    assert.equal(m.run(10).vector, Vector.BP);
    assert.equal(m.cpu.cpl, 0);
    assert.equal(m.cpu.segSel[Seg.CS], 0x08);
    assert.equal(m.cpu.segSel[Seg.SS], 0x10);
    assert.equal(m.cpu.segLimit[Seg.SS], 0xffff_ffff);
    assert.ok(m.cpu.codeSize32 && m.cpu.stackSize32);
    assert.equal(m.reg('esp'), 0x9000);
    assert.equal(m.cpu.eip, KERNEL + 1);
    assert.equal(m.cpu.getFlags() & Flag.IF, 0);
  });

  test('SYSEXIT returns to CPL 3 at EDX with ESP = ECX and selectors MSR+16 / MSR+24 with RPL 3', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('sysexit', 32, CODE));
    m.load(0x3000, [0xcc]);
    m.cpu.eip = CODE;
    m.cpu.sysenterCs = HarnessSel.Code32;
    m.cpu.regs[Reg.ECX] = 0x7000;
    m.cpu.regs[Reg.EDX] = 0x3000;
    assert.equal(m.run(10).vector, Vector.BP);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.segSel[Seg.CS], HarnessSel.Code32User);
    assert.equal(m.cpu.segSel[Seg.SS], HarnessSel.Data32User);
    assert.equal(m.reg('esp'), 0x7000);
    assert.equal(m.cpu.eip, 0x3001);
  });

  test('#GP(0): SYSENTER with IA32_SYSENTER_CS = 0 or in real mode; SYSEXIT at CPL 3', () => {
    faults(run32('sysenter', undefined, 3), Vector.GP, 0, CODE);
    faults(runReal('sysenter', (m) => { m.cpu.sysenterCs = 0x08; }), Vector.GP, 0, CODE);
    faults(run32('sysexit', (m) => { m.cpu.sysenterCs = 0x08; }, 3), Vector.GP, 0, CODE);
  });
});
