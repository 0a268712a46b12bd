// Stack family: PUSH/POP (registers, immediates, memory, segment registers),
// PUSHA/POPA, PUSHF/POPF privilege rules, ENTER/LEAVE. Programs end with
// `ud2` (#UD whether or not the system family is present).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine, HarnessSel } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import {
  CODE, completes, DATA16_USER, faultsAtStart, rd, run32, runProgram, runReal, STACK_TOP, type Run, type Setup,
} from '../../support/cpu-test.js';
import { Cr4, Flag, Reg, Seg, Vector } from '../../../src/cpu/registers.js';

/** Virtual-8086 mode at CPL 3: 16-bit code at 0000:1000, SS:SP = 0000:8000, EFLAGS.IOPL = `iopl`. */
function runV86(src: string, iopl: number, setup?: Setup): Run {
  return runProgram(src, { mode: 'v86', iopl, setup });
}

describe('PUSH and POP', () => {
  test('push and pop registers in 32 and 16 bits', () => {
    const m = completes(run32(`
      mov eax, 0x11223344
      mov ebx, 0x55667788
      push eax
      push bx
      pop cx
      pop edx`));
    assert.equal(rd(m, STACK_TOP - 4), 0x11223344);
    assert.equal(rd(m, STACK_TOP - 6, 2), 0x7788);
    assert.equal(m.reg('ecx') & 0xffff, 0x7788);
    assert.equal(m.reg('edx'), 0x11223344);
    assert.equal(m.reg('esp'), STACK_TOP);
  });

  test('PUSH ESP pushes the value before the push; POP ESP loads the popped value', () => {
    const m = completes(run32('push esp\npush sp\nmov dword [0x7000], 0x6000\nmov esp, 0x7000\npop esp'));
    assert.equal(rd(m, STACK_TOP - 4), STACK_TOP);
    assert.equal(rd(m, STACK_TOP - 6, 2), STACK_TOP - 4);
    assert.equal(m.reg('esp'), 0x6000);
  });

  test('immediates: Iz as is, Ib sign-extended to the operand size', () => {
    const m = completes(run32('push dword 0x12345678\npush byte -2\npush word 0x1234\npush word -3'));
    assert.equal(rd(m, STACK_TOP - 4), 0x12345678);
    assert.equal(rd(m, STACK_TOP - 8), 0xfffffffe);
    assert.equal(rd(m, STACK_TOP - 10, 2), 0x1234);
    assert.equal(rd(m, STACK_TOP - 12, 2), 0xfffd);
    assert.equal(m.reg('esp'), STACK_TOP - 12);
  });

  test('a 16-bit stack (SS.B = 0) wraps SP and keeps the upper half of ESP', () => {
    const r = runReal('push ax\npush eax\npop ebx', (m) => {
      m.cpu.regs[Reg.ESP] = 0x12340002;
      m.cpu.regs[Reg.EAX] = 0xaabbccdd;
    });
    const m = completes(r);
    assert.equal(rd(m, 0x0000, 2), 0xccdd);
    assert.equal(rd(m, 0xfffc), 0xaabbccdd);
    assert.equal(m.reg('ebx'), 0xaabbccdd);
    assert.equal(m.reg('esp'), 0x12340000);
  });

  test('POP r/m with ESP as base addresses memory with the incremented ESP', () => {
    const m = completes(run32('pop dword [esp+4]', (h) => {
      h.mem.write(STACK_TOP, 4, 0x11111111);
      h.mem.write(STACK_TOP + 4, 4, 0x22222222);
      h.mem.write(STACK_TOP + 8, 4, 0x33333333);
    }));
    assert.equal(m.reg('esp'), STACK_TOP + 4);
    assert.equal(rd(m, STACK_TOP + 8), 0x11111111, 'written at new ESP + 4');
    assert.equal(rd(m, STACK_TOP + 4), 0x22222222);
  });

  test('POP r/m: register form, 16-bit form, and /1 raising #UD', () => {
    const m = completes(run32('push dword 0x01020304\ndb 0x8f, 0xc1\npush word 0x5566\npop word [0x3000]'));
    assert.equal(m.reg('ecx'), 0x01020304);
    assert.equal(rd(m, 0x3000, 2), 0x5566);
    faultsAtStart(run32('db 0x8f, 0xc8'), Vector.UD);
  });

  test('a faulting POP r/m leaves ESP unchanged', () => {
    const r = run32('pop dword [cs:0x3000]', (m) => m.mem.write(STACK_TOP, 4, 0x77));
    faultsAtStart(r, Vector.GP, 0);
    assert.equal(r.m.reg('esp'), STACK_TOP);
  });
});

describe('segment register push and pop', () => {
  test('a 32-bit push writes only the 16-bit selector and moves ESP by 4 (P6 family, SDM Vol. 3B §22.31.1)', () => {
    // The AMD host writes a zero-extended dword here; the SDM's P6 behaviour is followed.
    const m = completes(run32('push ds\npush cs\no16 push ss\npush fs\npush gs', (h) => {
      h.mem.load(STACK_TOP - 20, new Uint8Array(20).fill(0xee));
    }));
    assert.equal(rd(m, STACK_TOP - 4), 0xeeee0010);
    assert.equal(rd(m, STACK_TOP - 8), 0xeeee0008);
    assert.equal(rd(m, STACK_TOP - 10, 2), 0x0010);
    assert.equal(rd(m, STACK_TOP - 14), 0xeeee0010);
    assert.equal(m.reg('esp'), STACK_TOP - 18);
  });

  test('POP loads segment registers with their descriptors and moves ESP by the operand size', () => {
    const m = new HarnessMachine({ data16Base: 0x20000 });
    const r = completes(run32(`
      push dword ${0xabcd0000 | DATA16_USER}
      pop es
      push word ${HarnessSel.Data32}
      o16 pop ds
      push dword ${DATA16_USER}
      pop fs
      push dword ${DATA16_USER}
      pop gs`, undefined, 0, m));
    assert.equal(r.cpu.segSel[Seg.ES], DATA16_USER);
    assert.equal(r.cpu.segBase[Seg.ES], 0x20000);
    assert.equal(r.cpu.segSel[Seg.DS], HarnessSel.Data32);
    assert.equal(r.cpu.segBase[Seg.FS], 0x20000);
    assert.equal(r.cpu.segBase[Seg.GS], 0x20000);
    assert.equal(r.reg('esp'), STACK_TOP);
  });

  test('POP SS sets the interrupt shadow; a null SS selector raises #GP(0) with ESP unchanged', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('pop ss', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.regs[Reg.ESP] = STACK_TOP;
    m.mem.write(STACK_TOP, 4, HarnessSel.Data32);
    m.cpu.step();
    assert.equal(m.cpu.interruptShadow, true);
    assert.equal(m.reg('esp'), STACK_TOP + 4);
    const r = run32('pop ss', (h) => h.mem.write(STACK_TOP, 4, 0));
    faultsAtStart(r, Vector.GP, 0);
    assert.equal(r.m.reg('esp'), STACK_TOP);
  });

  test('real mode: POP DS sets the base to selector * 16', () => {
    const m = completes(runReal('push word 0x2000\npop ds'));
    assert.equal(m.cpu.segBase[Seg.DS], 0x20000);
  });
});

describe('PUSHA and POPA', () => {
  test('PUSHAD stores EAX..EDI with the original ESP; POPAD restores all but ESP', () => {
    const m = completes(run32(`
      mov eax, 1
      mov ecx, 2
      mov edx, 3
      mov ebx, 4
      mov ebp, 6
      mov esi, 7
      mov edi, 8
      pushad
      mov dword [${STACK_TOP - 20}], 0x99999999 ; the saved ESP slot: ignored by POPAD
      mov dword [${STACK_TOP - 4}], 0x10
      mov dword [${STACK_TOP - 32}], 0x80
      popad`));
    assert.equal(m.reg('eax'), 0x10);
    assert.equal(m.reg('ecx'), 2);
    assert.equal(m.reg('ebx'), 4);
    assert.equal(m.reg('esi'), 7);
    assert.equal(m.reg('edi'), 0x80);
    assert.equal(m.reg('esp'), STACK_TOP);
    assert.equal(rd(m, STACK_TOP - 8), 2);
    assert.equal(rd(m, STACK_TOP - 28), 7);
  });

  test('PUSHAD saves the ESP it started with', () => {
    const m = completes(run32('pushad'));
    assert.equal(rd(m, STACK_TOP - 20), STACK_TOP);
    assert.equal(m.reg('esp'), STACK_TOP - 32);
  });

  test('16-bit PUSHA/POPA touch only the low halves', () => {
    const m = completes(run32(`
      mov eax, 0xaaaa0001
      mov edi, 0xbbbb0008
      pushaw
      mov word [${STACK_TOP - 2}], 0x1234
      mov word [${STACK_TOP - 16}], 0x5678
      popaw`));
    assert.equal(rd(m, STACK_TOP - 10, 2), STACK_TOP & 0xffff);
    assert.equal(m.reg('eax'), 0xaaaa1234);
    assert.equal(m.reg('edi'), 0xbbbb5678);
    assert.equal(m.reg('esp'), STACK_TOP);
  });

  test('POPA that faults part-way changes no register', () => {
    // The upper slots lie on an unmapped page.
    const r = run32('popad', (h) => {
      h.enablePaging([CODE >>> 12, 7]);
      h.cpu.regs[Reg.ESP] = 0x7ff0;
      h.cpu.regs[Reg.EDI] = 0x55;
    });
    faultsAtStart(r, Vector.PF);
    assert.equal(r.m.cpu.cr2, 0x8000);
    assert.equal(r.m.reg('edi'), 0x55);
    assert.equal(r.m.reg('esp'), 0x7ff0);
  });
});

describe('PUSHF and POPF', () => {
  test('PUSHFD stores EFLAGS with VM and RF clear; PUSHF stores the low 16 bits', () => {
    const m = completes(run32('pushfd\npushfw', (h) => h.cpu.setFlags(Flag.CF | Flag.ZF | Flag.DF | Flag.RF | Flag.AC | Flag.ID)));
    assert.equal(rd(m, STACK_TOP - 4), Flag.CF | Flag.ZF | Flag.DF | Flag.AC | Flag.ID | Flag.FIXED1);
    assert.equal(rd(m, STACK_TOP - 6, 2), Flag.CF | Flag.ZF | Flag.DF | Flag.FIXED1);
  });

  const ALL = 0x003f7fd7; // every defined flag bit up to ID, including VM/RF/VIF/VIP

  test('at CPL 0 POPFD writes everything except VM, VIF, VIP, and clears RF', () => {
    const m = completes(run32('popfd', (h) => {
      h.mem.write(STACK_TOP, 4, ALL);
      h.cpu.setFlags(0);
    }));
    const f = m.cpu.getFlags();
    const expected = (ALL & ~(Flag.VM | Flag.VIF | Flag.VIP | Flag.RF)) | Flag.FIXED1;
    assert.equal(f >>> 0, expected);
  });

  test('at CPL 0 POPFD leaves VIF and VIP as they were', () => {
    const m = completes(run32('popfd', (h) => {
      h.mem.write(STACK_TOP, 4, 0);
      h.cpu.setFlags(Flag.VIF | Flag.VIP | Flag.IF);
    }));
    assert.equal(m.cpu.getFlags() & (Flag.VIF | Flag.VIP | Flag.IF), Flag.VIF | Flag.VIP);
  });

  test('16-bit POPF writes only bits 15:0', () => {
    const m = completes(run32('popfw', (h) => {
      h.mem.write(STACK_TOP, 2, 0xffff);
      h.cpu.setFlags(Flag.AC);
    }));
    assert.equal(m.cpu.getFlags() >>> 0, Flag.AC | 0x7fd7 | Flag.FIXED1);
  });

  test('at CPL 3 with IOPL 0, POPF keeps IF and IOPL silently and changes the rest', () => {
    const r = run32('popfd', (h) => {
      h.mem.write(STACK_TOP, 4, Flag.CF | Flag.DF | Flag.AC | Flag.IOPL | Flag.NT);
      h.cpu.setFlags(Flag.IF | Flag.ZF);
    }, 3);
    const m = completes(r);
    assert.equal(m.cpu.getFlags() >>> 0, Flag.CF | Flag.DF | Flag.AC | Flag.NT | Flag.IF | Flag.FIXED1);
  });

  test('at CPL 3 with IOPL 3, POPF may change IF but not IOPL', () => {
    const m = completes(run32('popfd', (h) => {
      h.mem.write(STACK_TOP, 4, Flag.IF);
      h.cpu.setFlags(Flag.IOPL);
    }, 3));
    assert.equal(m.cpu.getFlags() & (Flag.IF | Flag.IOPL), Flag.IF | Flag.IOPL);
    const m2 = completes(run32('popfd', (h) => {
      h.mem.write(STACK_TOP, 4, 0);
      h.cpu.setFlags(Flag.IOPL | Flag.IF);
    }, 3));
    assert.equal(m2.cpu.getFlags() & (Flag.IF | Flag.IOPL), Flag.IOPL);
  });

  test('at CPL 0 POPF can change IOPL and IF', () => {
    const m = completes(run32('popfd', (h) => {
      h.mem.write(STACK_TOP, 4, 0x2000 | Flag.IF);
      h.cpu.setFlags(Flag.IOPL);
    }));
    assert.equal(m.cpu.getFlags() & (Flag.IF | Flag.IOPL), 0x2000 | Flag.IF);
  });

  test('real mode POPF is like CPL 0', () => {
    const m = completes(runReal('popf', (h) => h.mem.write(STACK_TOP, 2, 0x3000 | Flag.IF | Flag.CF)));
    assert.equal(m.cpu.getFlags() & (Flag.IF | Flag.IOPL | Flag.CF), 0x3000 | Flag.IF | Flag.CF);
  });

  test('a POPF round trip restores arithmetic flags', () => {
    const m = completes(run32('mov ah, 0xd5\nsahf\npushfd\nmov ah, 0\nsahf\npopfd\nlahf'));
    assert.equal((m.reg('eax') >> 8) & 0xff, 0xd7);
  });

  test('virtual-8086 mode with IOPL < 3: PUSHF and POPF raise #GP(0)', () => {
    faultsAtStart(runV86('pushf', 0), Vector.GP, 0);
    faultsAtStart(runV86('popf', 2), Vector.GP, 0);
    faultsAtStart(runV86('popfd', 0), Vector.GP, 0);
  });

  test('virtual-8086 mode with IOPL 3: POPF changes IF but not IOPL; POPFD keeps VM and RF', () => {
    const r = runV86('popf', 3, (m) => m.mem.write(STACK_TOP, 2, Flag.IF | Flag.CF));
    const m = completes(r);
    assert.equal(m.cpu.getFlags() & (Flag.IF | Flag.CF | Flag.IOPL | Flag.VM), Flag.IF | Flag.CF | Flag.IOPL | Flag.VM);
    const r2 = runV86('popfd', 3, (h) => {
      h.mem.write(STACK_TOP, 4, Flag.AC);
      h.cpu.flags |= Flag.RF;
    });
    const m2 = completes(r2);
    assert.equal(m2.cpu.getFlags() & (Flag.AC | Flag.IOPL | Flag.VM | Flag.IF), Flag.AC | Flag.IOPL | Flag.VM);
  });

  test('virtual-8086 mode with CR4.VME: 16-bit PUSHF/POPF use VIF in place of IF', () => {
    const r = runV86('pushf\npop bx\npush word 0x0200\npopf', 0, (m) => {
      m.cpu.cr4 |= Cr4.VME;
      m.cpu.flags |= Flag.VIF | Flag.CF;
    });
    const m = completes(r);
    // PUSHF: IF position holds VIF (1), IOPL reads as 3.
    assert.equal(m.reg('ebx') & 0xffff, Flag.IF | Flag.IOPL | Flag.CF | Flag.FIXED1);
    const f = m.cpu.getFlags();
    assert.equal(f & (Flag.IF | Flag.VIF | Flag.IOPL), Flag.VIF, 'IF and IOPL unchanged, VIF from the popped IF');
    // Setting IF while VIP is pending, or setting TF, faults.
    faultsAtStart(runV86('popf', 0, (h) => {
      h.cpu.cr4 |= Cr4.VME;
      h.cpu.flags |= Flag.VIP;
      h.mem.write(STACK_TOP, 2, Flag.IF);
    }), Vector.GP, 0);
    faultsAtStart(runV86('popf', 0, (h) => { h.cpu.cr4 |= Cr4.VME; h.mem.write(STACK_TOP, 2, Flag.TF); }), Vector.GP, 0);
  });
});

describe('ENTER and LEAVE', () => {
  test('ENTER with nesting level 0 pushes EBP and reserves the frame', () => {
    const m = completes(run32('enter 0x20, 0', (h) => { h.cpu.regs[Reg.EBP] = 0x9000; }));
    assert.equal(rd(m, STACK_TOP - 4), 0x9000);
    assert.equal(m.reg('ebp'), STACK_TOP - 4);
    assert.equal(m.reg('esp'), STACK_TOP - 4 - 0x20);
  });

  test('ENTER with nesting level 3 copies two enclosing frame pointers then pushes the new one', () => {
    const m = completes(run32('enter 16, 3', (h) => {
      h.cpu.regs[Reg.EBP] = 0x9000;
      h.mem.write(0x9000 - 4, 4, 0xaaaa);
      h.mem.write(0x9000 - 8, 4, 0xbbbb);
    }));
    assert.equal(rd(m, 0x7ffc), 0x9000);
    assert.equal(rd(m, 0x7ff8), 0xaaaa);
    assert.equal(rd(m, 0x7ff4), 0xbbbb);
    assert.equal(rd(m, 0x7ff0), 0x7ffc);
    assert.equal(m.reg('ebp'), 0x7ffc);
    assert.equal(m.reg('esp'), 0x7ff0 - 16);
  });

  test('ENTER with nesting level 1 pushes only the new frame pointer', () => {
    const m = completes(run32('enter 4, 1', (h) => { h.cpu.regs[Reg.EBP] = 0x9000; }));
    assert.equal(rd(m, 0x7ffc), 0x9000);
    assert.equal(rd(m, 0x7ff8), 0x7ffc);
    assert.equal(m.reg('esp'), 0x7ff4);
  });

  test('the nesting level is taken modulo 32', () => {
    const m = completes(run32('enter 0, 33', (h) => { h.cpu.regs[Reg.EBP] = 0x9000; }));
    assert.equal(m.reg('esp'), STACK_TOP - 8);
  });

  test('16-bit ENTER and LEAVE on a 16-bit stack', () => {
    const m = completes(runReal('enter 8, 2\nmov bx, sp\nmov cx, bp\nleave', (h) => {
      h.cpu.regs[Reg.EBP] = 0xabcd9000;
      h.mem.write(0x9000 - 2, 2, 0x4444);
    }));
    assert.equal(rd(m, 0x7ffe, 2), 0x9000);
    assert.equal(rd(m, 0x7ffc, 2), 0x4444);
    assert.equal(rd(m, 0x7ffa, 2), 0x7ffe);
    assert.equal(m.reg('ecx') & 0xffff, 0x7ffe);
    assert.equal(m.reg('ebx') & 0xffff, 0x7ffa - 8);
    assert.equal(m.reg('ebp'), 0xabcd9000);
    assert.equal(m.reg('esp') & 0xffff, STACK_TOP);
  });

  test('ENTER probes the final stack top: an unmapped frame page raises #PF with EBP and ESP unchanged', () => {
    const r = run32('enter 0x1000, 0', (h) => {
      h.enablePaging([CODE >>> 12, 7]);
      h.cpu.regs[Reg.EBP] = 0x7800;
    });
    faultsAtStart(r, Vector.PF);
    assert.equal(r.m.cpu.cr2, 0x6ffc);
    assert.equal(r.m.reg('ebp'), 0x7800);
    assert.equal(r.m.reg('esp'), STACK_TOP);
  });

  test('ENTER that cannot read an enclosing frame pointer faults with EBP unchanged', () => {
    const r = run32('enter 0, 2', (h) => {
      h.enablePaging([CODE >>> 12, 7]);
      h.cpu.regs[Reg.EBP] = 0x9000;
    });
    faultsAtStart(r, Vector.PF);
    assert.equal(r.m.cpu.cr2, 0x8ffc);
    assert.equal(r.m.reg('ebp'), 0x9000);
    assert.equal(r.m.reg('esp'), STACK_TOP);
  });

  test('LEAVE restores ESP from EBP and pops EBP; a fault changes neither', () => {
    const m = completes(run32('leave', (h) => {
      h.cpu.regs[Reg.EBP] = 0x7000;
      h.mem.write(0x7000, 4, 0x12345678);
    }));
    assert.equal(m.reg('esp'), 0x7004);
    assert.equal(m.reg('ebp'), 0x12345678);
    const r = run32(`mov bx, ${DATA16_USER}\nmov ss, bx\nmov esp, 0x100\nmov ebp, 0x1fffe\nleave`, undefined, 3);
    assert.equal(r.vector, Vector.SS);
    assert.equal(r.m.reg('ebp'), 0x1fffe);
    assert.equal(r.m.reg('esp'), 0x100);
  });
});
