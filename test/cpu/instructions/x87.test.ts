// x87 family: stack and tags, loads and stores in every format, the
// arithmetic through the stack, compares into FSW and EFLAGS, FXAM,
// environments and saved states in their four layouts, exceptions (masked
// responses, #MF with CR0.NE, the MS-DOS compatibility freeze with FERR#
// and IGNNE#), #NM for lazy FPU switching, and CPUID's FPU bit. Values the
// hardware decides are checked against the host CPU in
// test/oracle/x87-differential.test.ts; these tests pin the mechanisms.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../tools/cpu-harness.js';
import {
  CODE, completes, faults, faultsAtStart, NO_ERROR_CODE, rd, runProgram, type Run,
} from '../../support/cpu-test.js';
import { Cr0, Flag, Reg, Vector } from '../../../src/cpu/registers.js';
import { StopReason } from '../../../src/cpu/system-interface.js';
import { defaultFeatures, Feature } from '../../../src/cpu/features.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';
import { HANDLERS } from '../../../src/cpu/dispatch.js';
import { handlers } from '../../../src/cpu/instructions/x87.js';
import { FCW_INIT, FCW_RESET } from '../../../src/cpu/fpu/x87.js';

const DATA = 0x5000;

/** Runs `src` (32-bit protected mode, CPL 0, CR0.NE set as an OS would) to its end. */
function run(src: string, setup?: (m: HarnessMachine) => void, mode: 'pm0' | 'real' = 'pm0'): HarnessMachine {
  return completes(runRaw(src, setup, mode));
}

function runRaw(src: string, setup?: (m: HarnessMachine) => void, mode: 'pm0' | 'real' = 'pm0'): Run {
  return runProgram(src, {
    mode, anyStop: true,
    setup: (m) => { m.cpu.cr0 |= Cr0.NE | Cr0.MP; setup?.(m); },
  });
}

const st = (m: HarnessMachine, i: number): string => m.cpu.fpu.st(i).toHex();
const sw = (m: HarnessMachine): number => m.cpu.fpu.getSw();
const u32 = (m: HarnessMachine, gpa: number): number => rd(m, gpa, 4) >>> 0;

describe('x87 family table coverage', () => {
  test('the escape and WAIT dispatch to the x87 family', () => {
    for (const name of ['ESC_Ex', 'WAIT']) {
      assert.ok(OPCODES.some((e) => e?.handler === name), `${name} is in the table`);
      assert.equal(HANDLERS[name], handlers[name], `${name} dispatches to the x87 family`);
    }
  });
});

describe('state', () => {
  test('RESET leaves FCW 0040h and every register valid +0; FNINIT gives FCW 037Fh and an empty stack', () => {
    const m = new HarnessMachine();
    assert.equal(m.cpu.fpu.cw, FCW_RESET);
    assert.equal(m.cpu.fpu.tagWord(), 0x5555);
    const after = run('fninit');
    assert.equal(after.cpu.fpu.cw, FCW_INIT);
    assert.equal(after.cpu.fpu.tagWord(), 0xffff);
    assert.equal(sw(after), 0);
  });

  test('FLD pushes, FSTP pops, TOP wraps and the tags follow the contents', () => {
    const m = run('fninit\nfld1\nfldz\nfldpi\nfstp st0');
    assert.equal((sw(m) >> 11) & 7, 6);
    assert.equal(st(m, 0), '00000000000000000000');
    assert.equal(st(m, 1), '3fff8000000000000000');
    // R6 = +0 (zero), R7 = 1 (valid), the rest empty.
    assert.equal(m.cpu.fpu.tagWord(), 0x1fff);
  });

  test('FXCH, FINCSTP/FDECSTP and FFREE', () => {
    const m = run('fninit\nfld1\nfldz\nfxch st1\nfincstp\nfdecstp\nffree st1');
    assert.equal(st(m, 0), '3fff8000000000000000');
    assert.ok(m.cpu.fpu.isEmpty(1));
  });
});

describe('loads and stores', () => {
  test('every memory format round-trips through the stack', () => {
    const m = run(`fninit
      fld dword [${DATA}]
      fstp dword [${DATA + 0x10}]
      fld qword [${DATA + 4}]
      fstp qword [${DATA + 0x18}]
      fld tword [${DATA + 0x20}]
      fstp tword [${DATA + 0x30}]
      fild word [${DATA + 0x40}]
      fistp word [${DATA + 0x42}]
      fild dword [${DATA + 0x44}]
      fistp dword [${DATA + 0x48}]
      fild qword [${DATA + 0x50}]
      fistp qword [${DATA + 0x58}]
      fbld tword [${DATA + 0x60}]
      fbstp tword [${DATA + 0x70}]`, (mm) => {
      const v = new DataView(new ArrayBuffer(0x80));
      v.setFloat32(0, -1.5, true);
      v.setFloat64(4, Math.PI, true);
      v.setUint32(0x20, 0x2168c235, true); v.setUint32(0x24, 0xc90fdaa2, true); v.setUint16(0x28, 0x4000, true);
      v.setInt16(0x40, -12345, true);
      v.setInt32(0x44, -123456789, true);
      v.setUint32(0x50, 0x89abcdef, true); v.setUint32(0x54, 0x81234567, true);
      [0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0x65, 0x87, 0x80].forEach((b, i) => v.setUint8(0x60 + i, b));
      mm.load(DATA, new Uint8Array(v.buffer));
    });
    const f32 = new DataView(new Uint8Array([rd(m, DATA + 0x10, 1), rd(m, DATA + 0x11, 1), rd(m, DATA + 0x12, 1), rd(m, DATA + 0x13, 1)]).buffer);
    assert.equal(f32.getFloat32(0, true), -1.5);
    assert.equal(u32(m, DATA + 0x18), 0x54442d18);
    assert.equal(u32(m, DATA + 0x1c), 0x400921fb);
    assert.equal(u32(m, DATA + 0x30), 0x2168c235);
    assert.equal(rd(m, DATA + 0x42, 2), (-12345) & 0xffff);
    assert.equal(u32(m, DATA + 0x48), (-123456789) >>> 0);
    assert.equal(u32(m, DATA + 0x58), 0x89abcdef);
    assert.equal(u32(m, DATA + 0x5c), 0x81234567);
    for (let i = 0; i < 10; i++) assert.equal(rd(m, DATA + 0x70 + i, 1), rd(m, DATA + 0x60 + i, 1), `BCD byte ${i}`);
  });

  test('FIST rounds per RC and flags PE, with C1 when it rounded up', () => {
    const m = run(`fninit
      fld dword [${DATA}]
      fist dword [${DATA + 0x10}]
      fnstsw [${DATA + 0x20}]
      fldcw [${DATA + 0x30}]
      fist dword [${DATA + 0x14}]`, (mm) => {
      const v = new DataView(new ArrayBuffer(0x40));
      v.setFloat32(0, 2.5, true);
      v.setUint16(0x30, 0x0b7f, true); // round up
      mm.load(DATA, new Uint8Array(v.buffer));
    });
    assert.equal(u32(m, DATA + 0x10), 2, 'round to nearest even');
    assert.equal(rd(m, DATA + 0x20, 2) & 0x0220, 0x0020, 'PE, C1 clear (rounded down)');
    assert.equal(u32(m, DATA + 0x14), 3, 'round up');
    assert.equal(sw(m) & 0x0220, 0x0220, 'PE and C1');
  });

  test('a store from an empty register writes the indefinite of its format (masked stack underflow)', () => {
    const m = run(`fninit\nfst dword [${DATA}]\nfist word [${DATA + 4}]\nfbstp tword [${DATA + 8}]`);
    assert.equal(u32(m, DATA), 0xffc0_0000);
    assert.equal(rd(m, DATA + 4, 2), 0x8000);
    assert.equal(rd(m, DATA + 8 + 7, 1), 0xc0);
    assert.equal(rd(m, DATA + 8 + 8, 2), 0xffff);
    assert.equal(sw(m) & 0x02c1, 0x0041, 'IE and SF, C1 = 0 (underflow)');
  });

  test('pushing onto a full stack is a stack overflow: IE, SF and C1, the indefinite pushed', () => {
    const m = run('fninit\n' + 'fld1\n'.repeat(9));
    assert.equal(sw(m) & 0x0241, 0x0241);
    assert.equal(st(m, 0), 'ffffc000000000000000');
  });

  test('the load-constant instructions round per RC', () => {
    const m = run(`fninit\nfldpi\nfldcw [${DATA}]\nfldpi`, (mm) => mm.load(DATA, [0x7f, 0x07])); // RC = down
    assert.equal(st(m, 1), '4000c90fdaa22168c235');
    assert.equal(st(m, 0), '4000c90fdaa22168c234');
  });
});

describe('arithmetic and compares', () => {
  test('FADD, FSUBR, FMUL, FDIVRP, FSQRT through the stack', () => {
    const m = run(`fninit
      fild dword [${DATA}]
      fild dword [${DATA + 4}]
      fadd st0, st1
      fsubr st0, st1
      fmul st0, st0
      fdivrp st1, st0
      fsqrt`, (mm) => mm.load(DATA, [9, 0, 0, 0, 7, 0, 0, 0]));
    // st0 = 7 + 9 = 16; 9 − 16 = −7; 49; st1 = 49 / 9 → ST(0) after pop; √(49/9) = 7/3.
    assert.equal(st(m, 0), '4000955555555555555' + '5');
  });

  test('precision control rounds to 24 bits with the exponent range still extended', () => {
    const m = run(`fninit\nfldcw [${DATA}]\nfld1\nfld dword [${DATA + 4}]\nfdivp st1, st0`, (mm) => {
      const v = new DataView(new ArrayBuffer(8));
      v.setUint16(0, 0x007f, true);
      v.setFloat32(4, 3, true);
      mm.load(DATA, new Uint8Array(v.buffer));
    });
    assert.equal(st(m, 0), '3ffdaaaaab0000000000');
  });

  test('FCOM sets C3/C2/C0; FCOMI sets ZF/PF/CF and clears OF/SF/AF; FUCOMI stays quiet on QNaN', () => {
    const m = run(`fninit
      fld1
      fldz
      fcom st1
      fnstsw ax
      mov bx, ax
      fcomi st0, st1
      pushfd
      pop ecx
      fld dword [${DATA}]
      fucomip st0, st1
      pushfd
      pop edx`, (mm) => mm.load(DATA, [0, 0, 0xc0, 0x7f])); // QNaN
    assert.equal(m.cpu.regs[Reg.EBX]! & 0x4500, 0x0100, '0 < 1: C0');
    assert.equal(m.cpu.regs[Reg.ECX]! & (Flag.ZF | Flag.PF | Flag.CF), Flag.CF);
    assert.equal(m.cpu.regs[Reg.EDX]! & (Flag.ZF | Flag.PF | Flag.CF), Flag.ZF | Flag.PF | Flag.CF, 'unordered');
    assert.equal(sw(m) & 1, 0, 'FUCOMI raises no IE for a QNaN');
  });

  test('FCMOVcc moves on the EFLAGS condition', () => {
    const m = run('fninit\nfld1\nfldz\nstc\nfcmovb st0, st1\nfld1\nfldz\nclc\nfcmovb st0, st1');
    assert.equal(st(m, 0), '00000000000000000000');
    assert.equal(st(m, 2), '3fff8000000000000000');
  });

  test('FXAM reports the class and the sign', () => {
    const classes: [string, number][] = [['fldz', 0x4000], ['fld1', 0x0400], ['fchs', 0x0600]];
    for (const [src, bits] of classes) {
      const m = run(`fninit\nfld1\n${src}\nfxam`);
      assert.equal(sw(m) & 0x4700, bits, src);
    }
    const empty = run('fninit\nfxam');
    assert.equal(sw(empty) & 0x4500, 0x4100, 'empty');
  });
});

describe('environment and saved state', () => {
  test('FNSTENV (32-bit protected layout) and FLDENV round-trip, and FNSTENV masks every exception', () => {
    const m = run(`fninit\nfld1\nfldz\nfnstenv [${DATA}]\nfnstcw [${DATA + 0x40}]\nfldenv [${DATA}]`);
    assert.equal(rd(m, DATA, 2), FCW_INIT);
    assert.equal(rd(m, DATA + 8, 2), 0x1fff, 'tags: R6 zero, R7 valid, the rest empty');
    assert.equal(u32(m, DATA + 12), CODE + 4, 'FIP: the fldz');
    assert.equal(rd(m, DATA + 0x40, 2), FCW_INIT | 0x3f);
    assert.equal(m.cpu.fpu.cw, FCW_INIT);
  });

  test('16-bit real-mode FNSTENV stores 20-bit linear pointers with FOP', () => {
    const m = run(`fninit\nfld1\no16 fnstenv [${DATA}]`, undefined, 'real');
    assert.equal(rd(m, DATA + 6, 2), CODE + 2, 'FIP[15:0]');
    assert.equal(rd(m, DATA + 8, 2), 0x1e8, 'FOP of D9 E8, FIP[19:16] = 0');
  });

  test('FNSAVE stores the stack and reinitializes; FRSTOR brings it back', () => {
    const m = run(`fninit\nfld1\nfldpi\nfnsave [${DATA}]\nfnstcw [${DATA + 0x100}]\nfrstor [${DATA}]`);
    assert.equal(u32(m, DATA + 28 + 4), 0xc90fdaa2, 'ST(0) in the image');
    assert.equal(rd(m, DATA + 0x100, 2), FCW_INIT);
    assert.equal(st(m, 0), '4000c90fdaa22168c235');
    assert.equal(st(m, 1), '3fff8000000000000000');
  });
});

describe('exceptions', () => {
  const unmaskZe = (m: HarnessMachine): void => m.load(DATA, [0x7b, 0x03]);

  test('an unmasked exception is pending (ES, B) and the next waiting instruction raises #MF with CR0.NE', () => {
    const r = runRaw(`fninit\nfldcw [${DATA}]\nfld1\nfldz\nfdivp st1, st0\nfld1`, unmaskZe);
    faults(r, Vector.MF, NO_ERROR_CODE, CODE + 14);
    assert.equal(sw(r.m) & 0x8084, 0x8084);
    assert.equal(st(r.m, 1), '3fff8000000000000000', 'unmasked ZE leaves the destination alone');
  });

  test('FNSTSW and FNCLEX do not wait; WAIT does', () => {
    const m = run(`fninit\nfldcw [${DATA}]\nfld1\nfldz\nfdivp st1, st0\nfnstsw ax\nfnclex\nfwait`, unmaskZe);
    assert.equal(m.cpu.regs[Reg.EAX]! & 0x84, 0x84);
    const r = runRaw(`fninit\nfldcw [${DATA}]\nfld1\nfldz\nfdivp st1, st0\nwait`, unmaskZe);
    faults(r, Vector.MF, NO_ERROR_CODE, CODE + 14);
  });

  test('with CR0.NE = 0 the error asserts FERR# and the next waiting instruction freezes until IGNNE# or an interrupt', () => {
    const ferr: boolean[] = [];
    const m = new HarnessMachine({ system: { fpuError: (on) => { ferr.push(on); } } });
    const r = runProgram(`fninit\nfldcw [${DATA}]\nfld1\nfldz\nfdivp st1, st0\nfld1\nfnclex`, {
      machine: m, anyStop: true, setup: unmaskZe,
    });
    assert.equal(r.reason, StopReason.HaltForever, 'frozen (IF = 0: no interrupt can come)');
    assert.equal(r.m.cpu.eip, CODE + 14, 'at the waiting FLD1');
    assert.deepEqual(ferr, [true, true]);
    // IGNNE# asserted: the frozen instruction goes ahead.
    r.m.cpu.halted = false;
    r.m.cpu.fpu.ignne = true;
    const stop = r.m.run(100);
    assert.equal(stop.vector, Vector.UD);
    assert.deepEqual(ferr, [true, true, false], 'FNCLEX deasserts FERR#');
  });

  test('masked responses: 1/0 = ∞ with ZE, 0/0 = the indefinite with IE, overflow to ∞ with OE, PE and C1', () => {
    const m = run(`fninit\nfld1\nfldz\nfdivp st1, st0\nfldz\nfldz\nfdivp st1, st0\nfld tword [${DATA}]\nfmul st0, st0`, (mm) => {
      mm.load(DATA, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x7f]);
    });
    assert.equal(st(m, 2), '7fff8000000000000000');
    assert.equal(st(m, 1), 'ffffc000000000000000');
    assert.equal(st(m, 0), '7fff8000000000000000');
    assert.equal(sw(m) & 0x3f, 0x2d);
    assert.equal(sw(m) & 0x0200, 0x0200);
  });
});

describe('#NM (lazy FPU switching) and CPUID', () => {
  test('ESC raises #NM with CR0.EM or CR0.TS; WAIT only with MP and TS', () => {
    faultsAtStart(runRaw('fld1', (m) => { m.cpu.cr0 |= Cr0.TS; }), Vector.NM, NO_ERROR_CODE);
    faultsAtStart(runRaw('fld1', (m) => { m.cpu.cr0 |= Cr0.EM; }), Vector.NM, NO_ERROR_CODE);
    faultsAtStart(runRaw('fwait', (m) => { m.cpu.cr0 |= Cr0.TS; }), Vector.NM, NO_ERROR_CODE);
    completes(runRaw('fwait', (m) => { m.cpu.cr0 = (m.cpu.cr0 | Cr0.TS) & ~Cr0.MP; }));
  });

  test('undefined escapes raise #UD (after the #NM check)', () => {
    for (const bytes of ['db 0xd9, 0xd1', 'db 0xd9, 0xe2', 'db 0xdb, 0x4b, 0x10', 'db 0xdd, 0x6b, 0x10']) {
      faultsAtStart(runRaw(bytes), Vector.UD, NO_ERROR_CODE);
    }
  });

  test('CPUID.1:EDX reports the FPU', () => {
    assert.notEqual(defaultFeatures().edx & Feature.FPU, 0);
  });
});
