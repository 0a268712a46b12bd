// MMX/SSE/SSE2 families (instructions/simd-*.ts): the mechanisms the
// differential oracle cannot vary on the host — CR0.EM/TS and CR4.OSFXSR/
// OSXMMEXCPT, the MMX aliasing of the x87 registers, FXSAVE/FXRSTOR's image
// in 32-bit protected mode, MXCSR loads, alignment, and how mandatory
// prefixes select forms (also in 16-bit code). Values are compared with the
// host CPU in test/oracle/simd-differential.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../tools/cpu-harness.js';
import { completes, faultsAtStart, rd, runProgram, type Run } from '../../support/cpu-test.js';
import { Cr0, Cr4, Vector } from '../../../src/cpu/registers.js';
import { MXCSR_RESET } from '../../../src/cpu/simd/sse-state.js';

const DATA = 0x5000;
const OS = Cr4.OSFXSR | Cr4.OSXMMEXCPT;

/** Runs `src` in 32-bit protected mode at CPL 0 with CR0.NE and the CR4 bits `cr4` (an OS's setup by default). */
function runRaw(src: string, setup?: (m: HarnessMachine) => void, cr4 = OS, mode: 'pm0' | 'real' = 'pm0'): Run {
  return runProgram(src, { mode, anyStop: true, setup: (m) => { m.cpu.cr0 |= Cr0.NE | Cr0.MP; m.cpu.cr4 |= cr4; setup?.(m); } });
}
const run = (src: string, setup?: (m: HarnessMachine) => void, cr4 = OS): HarnessMachine => completes(runRaw(src, setup, cr4));
const u32 = (m: HarnessMachine, gpa: number): number => rd(m, gpa, 4) >>> 0;
const xmm = (m: HarnessMachine, r: number): number[] => [...m.cpu.sse.xmm.subarray(4 * r, 4 * r + 4)].map((v) => v >>> 0);
/** Loads dwords at DATA. */
const data = (...dwords: number[]) => (m: HarnessMachine): void => {
  const b = new Uint8Array(dwords.length * 4);
  const v = new DataView(b.buffer);
  dwords.forEach((d, i) => v.setUint32(4 * i, d >>> 0, true));
  m.load(DATA, b);
};

describe('state', () => {
  test('RESET: MXCSR 1F80h, XMM registers zero', () => {
    const m = new HarnessMachine();
    m.cpu.sse.xmm.fill(7);
    m.cpu.sse.mxcsr = 0;
    m.cpu.reset();
    assert.equal(m.cpu.sse.mxcsr, MXCSR_RESET);
    assert.deepEqual(xmm(m, 7), [0, 0, 0, 0]);
  });
});

describe('CR0 and CR4 (SDM Vol. 3A §13.1-§13.2)', () => {
  test('an SSE instruction raises #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS', () => {
    faultsAtStart(runRaw('addps xmm0, xmm1', undefined, 0), Vector.UD);
    faultsAtStart(runRaw('addps xmm0, xmm1', (m) => { m.cpu.cr0 |= Cr0.EM; }), Vector.UD);
    faultsAtStart(runRaw('addps xmm0, xmm1', (m) => { m.cpu.cr0 |= Cr0.TS; }), Vector.NM);
    faultsAtStart(runRaw('ldmxcsr [0x5000]', undefined, 0), Vector.UD);
  });

  test('MMX needs no CR4 bit: #UD only with CR0.EM, #NM with CR0.TS, #MF for a pending x87 error', () => {
    run('paddb mm0, mm1', undefined, 0);
    faultsAtStart(runRaw('paddb mm0, mm1', (m) => { m.cpu.cr0 |= Cr0.EM; }), Vector.UD);
    faultsAtStart(runRaw('emms', (m) => { m.cpu.cr0 |= Cr0.TS; }), Vector.NM);
    const r = runRaw('fninit\nfldcw [0x5000]\nfldz\nfld1\nfdiv st0, st1\npxor mm0, mm0', data(0x037b));
    assert.equal(r.vector, Vector.MF);
  });

  test('FXSAVE/FXRSTOR raise #NM for CR0.EM or CR0.TS; they run without CR4.OSFXSR', () => {
    faultsAtStart(runRaw('fxsave [0x5000]', (m) => { m.cpu.cr0 |= Cr0.EM; }), Vector.NM);
    faultsAtStart(runRaw('fxrstor [0x5000]', (m) => { m.cpu.cr0 |= Cr0.TS; }), Vector.NM);
    run('fxsave [0x5000]', undefined, 0);
  });

  test('an unmasked SIMD exception: #XM with OSXMMEXCPT, #UD without; the flag is set, the destination kept', () => {
    const src = 'ldmxcsr [0x5000]\nmovss xmm1, [0x5004]\nmovss xmm0, [0x5008]\ndivss xmm0, xmm1';
    const setup = data(0x1f80 & ~(1 << 9), 0, 0x3f80_0000);
    const xm = runRaw(src, setup);
    assert.equal(xm.vector, Vector.XM);
    assert.equal(xm.m.cpu.sse.mxcsr & 0x3f, 0x04, 'ZE');
    assert.equal(xmm(xm.m, 0)[0], 0x3f80_0000);
    assert.equal(runRaw(src, setup, Cr4.OSFXSR).vector, Vector.UD);
  });

  test('CPUID reports MMX, FXSR, SSE, SSE2 and CLFSH (and CR4 accepts OSFXSR/OSXMMEXCPT)', () => {
    const m = run('mov eax, 1\ncpuid\nmov eax, cr4\nor eax, 0x600\nmov cr4, eax');
    assert.equal((m.reg('edx') >>> 23) & 0xf, 0xf);
    assert.equal((m.reg('edx') >>> 19) & 1, 1);
  });
});

describe('MMX registers alias the x87 registers (SDM Vol. 1 §9.5)', () => {
  test('an MMX write fills the significand, sets the exponent field to all ones, TOP to 0 and every tag valid', () => {
    const m = run('fninit\nfld1\nmovq mm3, [0x5000]', data(0x89ab_cdef, 0x0123_4567));
    const r3 = m.cpu.fpu.regs[3]!;
    assert.equal(r3.toHex(), 'ffff0123456789abcdef');
    assert.equal(m.cpu.fpu.top, 0);
    assert.equal(m.cpu.fpu.abridgedTag(), 0xff);
  });

  test('x87 values read as MMX registers (physical register order); EMMS empties every tag and clears TOP', () => {
    const m = run('fninit\nfld1\nmovq [0x5000], mm7\nemms');
    assert.equal(u32(m, DATA), 0);
    assert.equal(u32(m, DATA + 4), 0x8000_0000, '1.0 in R7: significand 8000…');
    assert.equal(m.cpu.fpu.abridgedTag(), 0);
    assert.equal(m.cpu.fpu.top, 0);
  });

  test('a faulting memory operand leaves the x87 state alone', () => {
    const r = runRaw('fninit\nfld1\nxor eax, eax\nmov fs, ax\nmovq mm0, [fs:0]');
    assert.equal(r.vector, Vector.GP, 'a null FS');
    assert.equal(r.m.cpu.fpu.top, 7);
  });
});

describe('FXSAVE/FXRSTOR, LDMXCSR/STMXCSR', () => {
  test('FXSAVE stores the 512-byte image of SDM Vol. 2 Table 3-53', () => {
    const m = run([
      'fninit', 'fld1', 'fldz', 'ldmxcsr [0x5200]', 'movups xmm0, [0x5210]', 'movups xmm7, [0x5210]', 'fxsave [0x5000]',
    ].join('\n'), data(...new Array(0x80).fill(0), 0x1f80 | 0x2000, 0, 0, 0, 0x1111_1111, 0x2222_2222, 0x3333_3333, 0x4444_4444));
    assert.equal(rd(m, DATA, 2), 0x037f, 'FCW');
    assert.equal(rd(m, DATA + 2, 2), 6 << 11, 'FSW with TOP 6');
    assert.equal(rd(m, DATA + 4, 1), 0xc0, 'abridged tag: R6, R7 in use');
    assert.equal(u32(m, DATA + 24), 0x3f80, 'MXCSR');
    assert.equal(u32(m, DATA + 28), 0xffff, 'MXCSR_MASK');
    assert.equal(rd(m, DATA + 32 + 8, 2), 0, 'ST(0) = +0');
    assert.equal(rd(m, DATA + 48 + 8, 2), 0x3fff, 'ST(1) = 1.0');
    assert.equal(u32(m, DATA + 48 + 4), 0x8000_0000);
    assert.equal(u32(m, DATA + 160), 0x1111_1111, 'XMM0');
    assert.equal(u32(m, DATA + 160 + 7 * 16 + 12), 0x4444_4444, 'XMM7');
  });

  test('FXRSTOR brings back what FXSAVE stored', () => {
    const m = run([
      'fninit', 'fld1', 'ldmxcsr [0x5300]', 'movups xmm5, [0x5310]', 'fxsave [0x5000]',
      'fninit', 'xorps xmm5, xmm5', 'ldmxcsr [0x5320]', 'fxrstor [0x5000]',
    ].join('\n'), data(...new Array(0xc0).fill(0), 0x9f80, 0, 0, 0, 1, 2, 3, 4, 0x1f80));
    assert.equal(m.cpu.sse.mxcsr, 0x9f80);
    assert.deepEqual(xmm(m, 5), [1, 2, 3, 4]);
    assert.equal(m.cpu.fpu.st(0).toHex(), '3fff8000000000000000');
    assert.equal(m.cpu.fpu.top, 7);
    assert.equal(m.cpu.fpu.abridgedTag(), 0x80);
  });

  test('a misaligned image raises #GP(0); so does an MXCSR with a reserved bit, before anything changes', () => {
    faultsAtStart(runRaw('fxsave [0x5008]'), Vector.GP, 0);
    const image = new Array(0x80).fill(0);
    image[6] = 0x1_1f80; // MXCSR at byte 24
    const r = runRaw('fxrstor [0x5000]', data(...image));
    faultsAtStart(r, Vector.GP, 0);
    assert.equal(r.m.cpu.sse.mxcsr, MXCSR_RESET);
  });

  test('LDMXCSR raises #GP(0) for a reserved bit; STMXCSR stores MXCSR', () => {
    faultsAtStart(runRaw('ldmxcsr [0x5000]', data(0x1_0000)), Vector.GP, 0);
    const m = run('ldmxcsr [0x5000]\nstmxcsr [0x5004]', data(0xffff));
    assert.equal(u32(m, DATA + 4), 0xffff);
  });
});

describe('forms and operands', () => {
  // 0F 58 /r with xmm0 = 1.0 (single) / 1.0 (double), xmm1 likewise 2.0: the prefix picks the form.
  const setup = (m: HarnessMachine): void => {
    const x = m.cpu.sse.xmm;
    x.set([0x3f80_0000, 0x3ff0_0000, 0, 0x3ff0_0000], 0);
    x.set([0x4000_0000, 0x4000_0000, 0, 0x4000_0000], 4);
  };
  test('the mandatory prefix selects ADDPS, ADDPD, ADDSS, ADDSD; F3/F2 win over 66', () => {
    // As singles 3FF0_0000h is 1.875: 1.875 + 2 = 3.875 (4078_0000h).
    assert.deepEqual(xmm(run('addps xmm0, xmm1', setup), 0), [0x4040_0000, 0x4078_0000, 0, 0x4078_0000]);
    assert.deepEqual(xmm(run('addpd xmm0, xmm1', setup), 0).slice(2), [0, 0x4008_0000], 'high double 1 + 2 = 3');
    assert.deepEqual(xmm(run('addss xmm0, xmm1', setup), 0), [0x4040_0000, 0x3ff0_0000, 0, 0x3ff0_0000], 'only the low single');
    assert.deepEqual(xmm(run('db 0x66, 0xf3, 0x0f, 0x58, 0xc1', setup), 0), [0x4040_0000, 0x3ff0_0000, 0, 0x3ff0_0000], 'F3 wins over 66');
  });

  test('in 16-bit code the 66 prefix still selects the 66 form', () => {
    const r = runRaw('addpd xmm0, xmm1', setup, OS, 'real');
    assert.deepEqual(xmm(completes(r), 0).slice(2), [0, 0x4008_0000]);
  });

  test('a prefix without a form, LOCK, or a register where memory is required: #UD', () => {
    faultsAtStart(runRaw('db 0x66, 0x0f, 0x52, 0xc1'), Vector.UD);
    faultsAtStart(runRaw('db 0xf0, 0x0f, 0x58, 0xc1'), Vector.UD);
    faultsAtStart(runRaw('db 0x0f, 0x2b, 0xc1'), Vector.UD);
  });

  test('aligned forms raise #GP(0) for a misaligned 16-byte operand; the unaligned ones and scalars do not', () => {
    faultsAtStart(runRaw('movaps xmm0, [0x5004]'), Vector.GP, 0);
    faultsAtStart(runRaw('paddd xmm0, [0x5004]'), Vector.GP, 0);
    run('movups xmm0, [0x5004]\nmovdqu [0x5024], xmm0\naddss xmm0, [0x5001]');
  });

  test('PAUSE (F3 90) is a NOP', () => {
    const m = run('mov eax, 5\npause\ninc eax');
    assert.equal(m.reg('eax'), 6);
  });

  test('MASKMOVQ stores the selected bytes at DS:EDI', () => {
    const m = run('mov edi, 0x5100\nmovq mm0, [0x5000]\nmovq mm1, [0x5008]\nmaskmovq mm0, mm1', data(0x4433_2211, 0x8877_6655, 0x0080_ff00, 0x8000_0000));
    assert.equal(u32(m, 0x5100), 0x0033_2200);
    assert.equal(u32(m, 0x5104), 0x8800_0000);
  });
});
