// Data-movement family: MOV (all forms), MOVZX/MOVSX, LEA, XCHG, NOPs,
// LAHF/SAHF, flag instructions, XLAT, SETcc, CMOVcc, LES…LGS, BOUND.
// Programs end with `ud2`: it raises #UD whether or not the system family is
// present, and the harness reports it with EIP at the marker.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine, HarnessSel } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import { CODE, completes, DATA16_USER, faultsAtStart, rd, run32 } from '../../support/cpu-test.js';
import { Flag, Reg, Seg, Vector } from '../../../src/cpu/registers.js';
import { MISSING_HANDLERS } from '../../../src/cpu/dispatch.js';
import { handlers } from '../../../src/cpu/instructions/data.js';

const DATA = 0x4000;

describe('data family table coverage', () => {
  test('every data-family handler name is in the opcode table and none is missing', () => {
    for (const name of Object.keys(handlers)) {
      assert.ok(!MISSING_HANDLERS.some((e) => e.endsWith(` ${name}`)), name);
    }
    for (const name of ['MOV_EvSw', 'MOV_SwEw', 'G11_EvIz', 'LEA_GvM', 'CMOVcc_GvEv', 'SETcc_Eb', 'LSS_GzMp', 'BOUND_GvMa']) {
      assert.ok(name in handlers, name);
    }
  });
});

describe('MOV', () => {
  test('moves between registers and memory in 8, 16 and 32 bits', () => {
    const m = completes(run32(`
      mov ebx, ${DATA}
      mov dword [ebx], 0x11223344
      mov ecx, [ebx]
      mov dl, [ebx+1]
      mov [ebx+4], dl
      mov ax, [ebx+2]
      mov [ebx+8], eax
      mov [ebx+12], cx
      mov dh, 0x99
      mov [ebx+6], dh`));
    assert.equal(m.reg('ecx'), 0x11223344);
    assert.equal(m.reg('edx') & 0xffff, 0x9933);
    assert.equal(rd(m, DATA + 4, 1), 0x33);
    assert.equal(rd(m, DATA + 6, 1), 0x99);
    assert.equal(rd(m, DATA + 8, 2), 0x1122);
    assert.equal(rd(m, DATA + 12, 2), 0x3344);
  });

  test('16-bit register moves keep the upper half', () => {
    const m = completes(run32(`
      mov eax, 0xaaaabbbb
      mov ecx, 0x12345678
      mov ax, cx
      mov bl, ch
      mov bh, 0x7f`));
    assert.equal(m.reg('eax'), 0xaaaa5678);
    assert.equal(m.reg('ebx') & 0xffff, 0x7f56);
  });

  test('immediate forms write Zb (AL..BH) and Zv registers', () => {
    const m = completes(run32(`
      mov eax, 0xffffffff
      mov ah, 0x12
      mov bh, 0x34
      mov bl, 0x56
      mov si, 0x7788
      mov edi, 0x89abcdef`));
    assert.equal(m.reg('eax'), 0xffff12ff);
    assert.equal(m.reg('ebx') & 0xffff, 0x3456);
    assert.equal(m.reg('esi') & 0xffff, 0x7788);
    assert.equal(m.reg('edi'), 0x89abcdef);
  });

  test('moffs forms use a 32-bit offset, or a 16-bit one under 0x67, and honour segment overrides', () => {
    const m = new HarnessMachine({ data16Base: 0x20000 });
    m.load(0x1234, [0xaa, 0xbb, 0xcc, 0xdd]);
    m.load(0x20010, [0x5a]);
    const r = completes(run32(`
      mov eax, [0x1234]
      mov ecx, eax
      mov al, [0x1236]
      mov edx, eax
      db 0x67, 0xa0, 0x34, 0x12     ; mov al, [word 0x1234]
      mov [0x3000], ecx
      mov [0x3005], al
      db 0x66, 0xa3, 0x10, 0x30, 0, 0 ; mov [0x3010], ax
      mov bx, ${DATA16_USER}
      mov fs, bx
      mov al, [fs:0x10]
      mov ebx, eax`, undefined, 0, m));
    assert.equal(r.reg('ecx'), 0xddccbbaa);
    assert.equal(r.reg('edx'), 0xddccbbcc);
    assert.equal(rd(r, 0x3000), 0xddccbbaa);
    assert.equal(rd(r, 0x3005, 1), 0xaa);
    assert.equal(rd(r, 0x3010, 2), 0xbbaa);
    assert.equal(r.reg('ebx') & 0xff, 0x5a);
  });

  test('C6/C7 /0 store immediates after the displacement', () => {
    const m = completes(run32(`
      mov ebx, ${DATA}
      mov byte [ebx+3], 0x7e
      mov dword [ebx+8], 0xcafef00d
      mov word [ebx+16], 0x1234
      mov ecx, 0
      db 0xc7, 0xc1, 0x78, 0x56, 0x34, 0x12 ; mov ecx, 0x12345678 (C7 register form)`));
    assert.equal(rd(m, DATA + 3, 1), 0x7e);
    assert.equal(rd(m, DATA + 8), 0xcafef00d);
    assert.equal(rd(m, DATA + 16, 2), 0x1234);
    assert.equal(m.reg('ecx'), 0x12345678);
  });

  test('C6/C7 with ModRM.reg other than 0 raise #UD', () => {
    faultsAtStart(run32('db 0xc6, 0xc8, 0x01'), Vector.UD);
    faultsAtStart(run32('db 0xc7, 0x38, 0x01, 0, 0, 0'), Vector.UD);
  });
});

describe('MOV with segment registers', () => {
  test('a store to memory writes 16 bits; a 32-bit register gets the selector zero-extended (P6)', () => {
    const m = completes(run32(`
      mov dword [${DATA}], 0xffffffff
      mov [${DATA}], ds
      mov eax, 0xffffffff
      mov eax, ss
      mov ecx, 0xffffffff
      mov cx, es
      db 0x66
      mov [${DATA + 8}], cs   ; operand size 16 with a memory destination`));
    assert.equal(rd(m, DATA), 0xffff0010, 'upper bytes of the memory operand are untouched');
    assert.equal(m.reg('eax'), 0x10);
    assert.equal(m.reg('ecx'), 0xffff0010, 'a 16-bit operand keeps the register upper half');
    assert.equal(rd(m, DATA + 8, 2), 0x08);
  });

  test('loading a data segment in protected mode loads its descriptor', () => {
    const m = new HarnessMachine({ data16Base: 0x20000 });
    const r = completes(run32(`
      mov ax, ${DATA16_USER}
      mov es, ax
      mov gs, [${DATA}]`, (h) => h.mem.write(DATA, 2, DATA16_USER), 0, m));
    assert.equal(r.cpu.segSel[Seg.ES], DATA16_USER);
    assert.equal(r.cpu.segBase[Seg.ES], 0x20000);
    assert.equal(r.cpu.segLimit[Seg.ES], 0xffff);
    assert.equal(r.cpu.segBase[Seg.GS], 0x20000);
  });

  test('MOV CS and Sreg encodings 6 and 7 raise #UD', () => {
    faultsAtStart(run32('db 0x8e, 0xc8'), Vector.UD);
    faultsAtStart(run32('db 0x8e, 0xf0'), Vector.UD);
    faultsAtStart(run32('db 0x8c, 0xf8'), Vector.UD);
  });

  test('a selector beyond the GDT limit raises #GP(selector)', () => {
    const r = run32('mov ds, [0x3000]', (m) => m.mem.write(0x3000, 2, 0x78));
    faultsAtStart(r, Vector.GP, 0x78);
  });

  test('MOV SS blocks interrupts until after the next instruction', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('mov ss, ax\nnop', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.regs[Reg.EAX] = 0x10;
    m.cpu.step();
    assert.equal(m.cpu.interruptShadow, true);
    const other = new HarnessMachine().protectedMode(0);
    other.load(CODE, assemble('mov ds, ax', 32, CODE));
    other.cpu.eip = CODE;
    other.cpu.regs[Reg.EAX] = 0x10;
    other.cpu.step();
    assert.equal(other.cpu.interruptShadow, false);
  });

  test('real mode: loading a segment sets base = selector * 16', () => {
    const m = new HarnessMachine().realMode(0, CODE);
    m.load(CODE, assemble('mov ax, 0x1234\nmov ds, ax\nmov al, [0x10]\nud2', 16, CODE));
    m.load(0x12350, [0x77]);
    const stop = m.run(100);
    assert.equal(stop.vector, Vector.UD);
    assert.equal(m.cpu.segBase[Seg.DS], 0x12340);
    assert.equal(m.reg('eax') & 0xff, 0x77);
  });
});

describe('MOVZX and MOVSX', () => {
  test('zero- and sign-extend bytes and words into 16- and 32-bit registers', () => {
    const m = completes(run32(`
      mov dword [${DATA}], 0x8081f2f3
      mov eax, 0xffffffff
      mov ecx, 0xffffffff
      movzx eax, byte [${DATA}]
      movsx ebx, byte [${DATA}]
      movzx ecx, word [${DATA + 2}]
      movsx edx, word [${DATA + 2}]
      mov esi, 0x11111111
      movsx si, byte [${DATA + 2}]
      mov edi, 0x22222222
      movzx di, byte [${DATA}]
      mov ebp, 0x7f
      movsx ebp, bp`));
    assert.equal(m.reg('eax'), 0xf3);
    assert.equal(m.reg('ebx'), 0xfffffff3);
    assert.equal(m.reg('ecx'), 0x8081);
    assert.equal(m.reg('edx'), 0xffff8081);
    assert.equal(m.reg('esi'), 0x1111ff81);
    assert.equal(m.reg('edi'), 0x222200f3);
    assert.equal(m.reg('ebp'), 0x7f);
  });
});

describe('LEA', () => {
  test('computes the offset without accessing memory, truncated or zero-extended to the operand size', () => {
    const m = completes(run32(`
      mov ebx, 0x10000
      mov ecx, 0x3
      lea eax, [ebx+ecx*4+0x10]
      lea dx, [ebx+ecx*8+0xffff]
      mov esi, 0xffffffff
      lea esi, [bx+si+2]        ; 16-bit addressing: (0 + 0xffff + 2) & 0xffff
      lea edi, [0xfffffff0]`));
    assert.equal(m.reg('eax'), 0x1001c);
    assert.equal(m.reg('edx') & 0xffff, 0x0017);
    assert.equal(m.reg('esi'), 0x0001);
    assert.equal(m.reg('edi'), 0xfffffff0);
  });

  test('the register form raises #UD', () => {
    faultsAtStart(run32('db 0x8d, 0xc1'), Vector.UD);
  });
});

describe('XCHG and NOP', () => {
  test('exchanges registers and memory in all sizes', () => {
    const m = completes(run32(`
      mov dword [${DATA}], 0xa1a2a3a4
      mov eax, 0x11111111
      mov ecx, 0x22222222
      xchg eax, ecx
      mov edx, 0x33333333
      xchg [${DATA}], edx
      mov bl, 0x55
      xchg bl, [${DATA}]
      mov esi, 0x66667777
      xchg si, [${DATA + 2}]
      mov edi, 0x12345678
      xchg di, ax
      mov ebp, 0xaabbccdd
      xchg ch, cl`));
    assert.equal(m.reg('eax') >>> 0, 0x22225678);
    assert.equal(m.reg('edi'), 0x12342222);
    assert.equal(m.reg('ecx'), 0x11111111);
    assert.equal(m.reg('edx'), 0xa1a2a3a4);
    assert.equal(m.reg('ebx') & 0xff, 0x33);
    assert.equal(m.reg('esi'), 0x66663333);
    assert.equal(rd(m, DATA), 0x77773355);
  });

  test('XCHG with a read-only memory operand faults before either side changes', () => {
    const r = run32('xchg [cs:0x3000], eax', (m) => { m.cpu.regs[Reg.EAX] = 0x1234; m.mem.write(0x3000, 4, 0x99); });
    faultsAtStart(r, Vector.GP, 0);
    assert.equal(r.m.reg('eax'), 0x1234);
    assert.equal(rd(r.m, 0x3000), 0x99);
  });

  test('NOP, PAUSE and the 0F 1F hint NOP change nothing and never touch their memory operand', () => {
    const m = new HarnessMachine().protectedMode(0);
    // Only the code and stack pages are mapped: a memory access would #PF.
    m.enablePaging([CODE >>> 12, 7]);
    const code = assemble('nop\npause\nnop dword [0x500000]\ndb 0x0f, 0x18, 0x05, 0, 0, 0x60, 0\nud2', 32, CODE);
    m.load(CODE, code);
    m.cpu.eip = CODE;
    const flagsBefore = m.cpu.getFlags();
    const stop = m.run(100);
    assert.equal(stop.vector, Vector.UD);
    assert.equal(m.cpu.eip, CODE + code.length - 2);
    assert.equal(m.cpu.getFlags(), flagsBefore);
  });
});

describe('flag instructions', () => {
  test('LAHF reads SF ZF AF PF CF with bit 1 set; SAHF writes them and keeps OF', () => {
    const m = completes(run32(`
      mov ah, 0xd5
      sahf
      mov ah, 0
      lahf
      mov bl, ah
      mov ah, 0x00
      sahf
      lahf`, (h) => h.cpu.setFlags(Flag.OF | Flag.DF)));
    assert.equal(m.reg('ebx') & 0xff, 0xd7);
    assert.equal((m.reg('eax') >> 8) & 0xff, 0x02);
    assert.equal(m.cpu.getFlags() & (Flag.OF | Flag.DF), Flag.OF | Flag.DF);
  });

  test('CLC, STC, CMC, CLD, STD', () => {
    const flags = (src: string): number => completes(run32(src)).cpu.getFlags();
    assert.equal(flags('stc') & Flag.CF, Flag.CF);
    assert.equal(flags('stc\nclc') & Flag.CF, 0);
    assert.equal(flags('clc\ncmc') & Flag.CF, Flag.CF);
    assert.equal(flags('stc\ncmc') & Flag.CF, 0);
    assert.equal(flags('std') & Flag.DF, Flag.DF);
    assert.equal(flags('std\ncld') & Flag.DF, 0);
  });

  test('CMC complements the CF that SAHF loaded', () => {
    const m = completes(run32('mov ah, 0x01\nsahf\ncmc\nlahf'));
    assert.equal((m.reg('eax') >> 8) & 1, 0);
  });
});

describe('XLAT', () => {
  test('AL = [DS:EBX + AL], or [DS:BX + AL] with 16-bit addressing', () => {
    const m = new HarnessMachine();
    m.load(0x3000 + 0x80, [0x42]);
    m.load(0x0001, [0x17]);
    const r = completes(run32(`
      mov ebx, 0x3000
      mov eax, 0xffffff80
      xlatb
      mov ecx, eax
      mov ebx, 0x1ffff
      mov al, 2
      a16 xlatb`, undefined, 0, m));
    assert.equal(r.reg('ecx'), 0xffffff42);
    assert.equal(r.reg('eax') & 0xff, 0x17);
  });
});

describe('SETcc and CMOVcc', () => {
  /** Each condition from SDM Vol. 1 Table B-1 evaluated on an EFLAGS value. */
  function condition(cc: number, f: number): boolean {
    const cf = (f & Flag.CF) !== 0, zf = (f & Flag.ZF) !== 0, sf = (f & Flag.SF) !== 0;
    const of = (f & Flag.OF) !== 0, pf = (f & Flag.PF) !== 0;
    const base = [of, cf, zf, cf || zf, sf, pf, sf !== of, zf || sf !== of][cc >> 1];
    return (cc & 1) !== 0 ? !base : base;
  }

  const flagSets = [0, Flag.CF, Flag.ZF, Flag.SF, Flag.OF, Flag.PF, Flag.SF | Flag.OF, Flag.CF | Flag.ZF, Flag.ZF | Flag.SF];

  test('SETcc stores 1 or 0 for all 16 conditions', () => {
    const src = Array.from({ length: 16 }, (_, cc) => `db 0x0f, ${0x90 + cc}, 0x05\ndd ${DATA + cc}`).join('\n');
    for (const f of flagSets) {
      const m = completes(run32(src, (h) => { h.mem.load(DATA, new Uint8Array(16).fill(0xee)); h.cpu.setFlags(f); }));
      for (let cc = 0; cc < 16; cc++) {
        assert.equal(rd(m, DATA + cc, 1), condition(cc, f) ? 1 : 0, `cc=${cc} flags=${f.toString(16)}`);
      }
    }
  });

  test('SETcc writes a byte register', () => {
    const m = completes(run32('mov eax, 0xffffffff\nstc\nsetc ah\nsetnc al'));
    assert.equal(m.reg('eax'), 0xffff0100);
  });

  test('CMOVcc moves only when the condition holds, for all 16 conditions', () => {
    for (const f of flagSets) {
      for (let cc = 0; cc < 16; cc++) {
        const m = completes(run32(`mov eax, 0x11111111\nmov ecx, 0x22222222\ndb 0x0f, ${0x40 + cc}, 0xc1`,
          (h) => h.cpu.setFlags(f)));
        assert.equal(m.reg('eax'), condition(cc, f) ? 0x22222222 : 0x11111111, `cc=${cc} flags=${f.toString(16)}`);
      }
    }
  });

  test('CMOVcc with a 16-bit operand writes only the low half', () => {
    const m = completes(run32('mov eax, 0x11111111\nmov ecx, 0x22222222\nstc\ncmovc ax, cx'));
    assert.equal(m.reg('eax'), 0x11112222);
  });

  test('CMOVcc reads its memory source even when the condition is false (a fault still happens)', () => {
    const m = new HarnessMachine({ data16Base: 0x20000 });
    const r = run32(`
      mov bx, ${DATA16_USER}
      mov fs, bx
      mov ah, 0x40     ; ZF = 1: the condition NZ is false
      sahf
      cmovnz eax, [fs:0x10000]`, undefined, 0, m);
    assert.equal(r.vector, Vector.GP);
    assert.equal(rd(r.m, r.eip, 2), 0x0f64, 'the fault is at the CMOV (fs prefix, 0F)');
  });
});

describe('far pointer loads', () => {
  test('LDS, LES, LFS, LGS, LSS load offset then selector', () => {
    const m = new HarnessMachine({ data16Base: 0x20000 });
    const ptr = (at: number, off: number, sel: number): void => { m.mem.write(at, 4, off); m.mem.write(at + 4, 2, sel); };
    const r = completes(run32(`
      lds eax, [0x3000]
      les ecx, [0x3010]
      lfs edx, [0x3020]
      lgs ebx, [0x3030]
      lss esp, [0x3040]
      lds si, [0x3050]`, () => {
      ptr(0x3000, 0x11111111, HarnessSel.Data32);
      ptr(0x3010, 0x22222222, DATA16_USER);
      ptr(0x3020, 0x33333333, DATA16_USER);
      ptr(0x3030, 0x44444444, HarnessSel.Data32);
      ptr(0x3040, 0x9000, HarnessSel.Data32);
      m.mem.write(0x3050, 2, 0xabcd); m.mem.write(0x3052, 2, HarnessSel.Data32);
    }, 0, m));
    const cpu = r.cpu;
    assert.equal(r.reg('eax'), 0x11111111);
    assert.equal(r.reg('ecx'), 0x22222222);
    assert.equal(r.reg('edx'), 0x33333333);
    assert.equal(r.reg('ebx'), 0x44444444);
    assert.equal(r.reg('esp'), 0x9000);
    assert.equal(r.reg('esi') & 0xffff, 0xabcd);
    assert.equal(cpu.segSel[Seg.DS], HarnessSel.Data32);
    assert.equal(cpu.segSel[Seg.ES], DATA16_USER);
    assert.equal(cpu.segBase[Seg.ES], 0x20000);
    assert.equal(cpu.segBase[Seg.FS], 0x20000);
    assert.equal(cpu.segSel[Seg.GS], HarnessSel.Data32);
    assert.equal(cpu.segSel[Seg.SS], HarnessSel.Data32);
  });

  test('a bad selector faults with neither register changed', () => {
    const r = run32('lds eax, [0x3000]', (m) => {
      m.cpu.regs[Reg.EAX] = 0x5555;
      m.mem.write(0x3000, 4, 0x1234); m.mem.write(0x3004, 2, 0x0078);
    });
    faultsAtStart(r, Vector.GP, 0x78);
    assert.equal(r.m.reg('eax'), 0x5555);
    assert.equal(r.m.cpu.segSel[Seg.DS], HarnessSel.Data32);
  });

  test('LSS loads SS:ESP in one instruction, so it sets no interrupt shadow (SDM Vol. 3A §6.8.3 names only MOV SS and POP SS); the register forms raise #UD', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('lss esp, [0x3000]', 32, CODE));
    m.mem.write(0x3000, 4, 0x7000); m.mem.write(0x3004, 2, HarnessSel.Data32);
    m.cpu.eip = CODE;
    m.cpu.step();
    assert.equal(m.cpu.interruptShadow, false);
    assert.equal(m.reg('esp'), 0x7000);
    faultsAtStart(run32('db 0xc5, 0xc0'), Vector.UD);
    faultsAtStart(run32('db 0x0f, 0xb2, 0xc0'), Vector.UD);
  });

  test('real mode LES with a 16-bit operand', () => {
    const m = new HarnessMachine().realMode(0, CODE);
    m.load(CODE, assemble('les di, [0x3000]\nud2', 16, CODE));
    m.mem.write(0x3000, 2, 0x1234); m.mem.write(0x3002, 2, 0xb800);
    const stop = m.run(100);
    assert.equal(stop.vector, Vector.UD);
    assert.equal(m.reg('edi') & 0xffff, 0x1234);
    assert.equal(m.cpu.segBase[Seg.ES], 0xb8000);
  });
});

describe('BOUND', () => {
  const bounds = (m: HarnessMachine): void => { m.mem.write(0x3000, 4, -5); m.mem.write(0x3004, 4, 100); };

  test('an index within the signed bounds passes', () => {
    completes(run32('mov eax, -5\nbound eax, [0x3000]\nmov eax, 100\nbound eax, [0x3000]', bounds));
  });

  test('an index below or above the bounds raises #BR (vector 5) at the instruction', () => {
    const below = run32('bound eax, [0x3000]', (m) => { bounds(m); m.cpu.regs[Reg.EAX] = -6; });
    faultsAtStart(below, Vector.BR, -1);
    const above = run32('bound eax, [0x3000]', (m) => { bounds(m); m.cpu.regs[Reg.EAX] = 101; });
    faultsAtStart(above, Vector.BR);
  });

  test('the 16-bit form compares signed words', () => {
    const words = (m: HarnessMachine): void => { m.mem.write(0x3000, 2, 0xfff0); m.mem.write(0x3002, 2, 0x0010); };
    completes(run32('bound ax, [0x3000]', (m) => { words(m); m.cpu.regs[Reg.EAX] = 0x1234fff5; }));
    faultsAtStart(run32('bound ax, [0x3000]', (m) => { words(m); m.cpu.regs[Reg.EAX] = 0x11; }), Vector.BR);
  });

  test('the register form raises #UD', () => {
    faultsAtStart(run32('db 0x62, 0xc1'), Vector.UD);
  });
});
