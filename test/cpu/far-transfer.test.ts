// Protected-mode far transfers (SDM Vol. 2 "JMP", "CALL", "RET", "IRET";
// Vol. 3A §5.8): direct JMP/CALL to code segments, call gates with stack
// switch and parameter copy, far RET to an outer level, IRET to ring 3 and to
// virtual-8086 mode, with the exact fault and error code of each check.
// Programs end with `int3` (intercepted by the harness, EIP past it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { descriptor, gateDescriptor, HarnessMachine, type HarnessStop } from '../../tools/cpu-harness.js';
import { assemble } from '../support/asm.js';
import { CODE, read16, read32, runCode } from '../support/cpu-test.js';
import { Flag, Reg, Seg, Vector } from '../../src/cpu/registers.js';

/** Where the code under test is loaded ({@link runCode}'s default) and starts. */
const USER = CODE;
const KERNEL = 0x2000;
const KERNEL16 = 0x2100;
const TARGET = 0x3000;
const IDT = 0x5000;
const TSS = 0x6000;
const USER_STACK = 0x8000;
const KERNEL_STACK = 0x9000;
/** Base of the CodeAlt segment. */
const ALT_BASE = 0x10000;

/** Selectors of the GDT built by {@link machine} (the harness's first seven entries plus these). */
const enum Sel {
  Code0 = 0x08, Data0 = 0x10, Code3 = 0x1b, Data3 = 0x23,
  /** 32-bit code, DPL 0, base 10000h, limit FFFFh. */
  CodeAlt = 0x38,
  /** Conforming 32-bit code, DPL 0, flat. */
  Conforming = 0x40,
  /** 32-bit code, DPL 0, not present. */
  NotPresent = 0x48,
  /** 32-bit call gate, DPL 3, to Code0:KERNEL, 2 parameters. */
  Gate32 = 0x50,
  /** 16-bit call gate, DPL 3, to Code16:KERNEL16, 2 parameters. */
  Gate16 = 0x58,
  /** 16-bit code, DPL 0, base 0, limit FFFFh. */
  Code16 = 0x60,
  /** The current 32-bit TSS. */
  Tss = 0x68,
  /** 32-bit call gate with DPL 0. */
  GateDpl0 = 0x70,
  /** 32-bit call gate, not present. */
  GateNotPresent = 0x78,
  /** Data, DPL 0, not present. */
  StackNotPresent = 0x80,
  /** 32-bit call gate, DPL 3, to Code3:TARGET. */
  GateToUser = 0x88,
}

/** Protected mode at `cpl` with the GDT above, a TSS whose ring-0 stack is Data0:KERNEL_STACK, and an IDT. */
function machine(cpl: 0 | 3): HarnessMachine {
  const m = new HarnessMachine().protectedMode(cpl);
  m.setGdtEntry(7, descriptor(ALT_BASE, 0xffff, 0x9b, 0x4));
  m.setGdtEntry(8, descriptor(0, 0xfffff, 0x9f, 0xc));
  m.setGdtEntry(9, descriptor(0, 0xfffff, 0x1b, 0xc));
  m.setGdtEntry(10, gateDescriptor(Sel.Code0, KERNEL, 0xc, 3, 2));
  m.setGdtEntry(11, gateDescriptor(Sel.Code16, KERNEL16, 0x4, 3, 2));
  m.setGdtEntry(12, descriptor(0, 0xffff, 0x9b, 0x0));
  m.setGdtEntry(13, descriptor(TSS, 0x67, 0x89, 0x0));
  m.setGdtEntry(14, gateDescriptor(Sel.Code0, KERNEL, 0xc, 0));
  const notPresent = gateDescriptor(Sel.Code0, KERNEL, 0xc, 3);
  m.setGdtEntry(15, [notPresent[0], notPresent[1] & ~0x8000]);
  m.setGdtEntry(16, descriptor(0, 0xfffff, 0x13, 0xc));
  m.setGdtEntry(17, gateDescriptor(Sel.Code3, TARGET, 0xc, 3));
  m.writeTss32(TSS, { esp0: KERNEL_STACK, ss0: Sel.Data0 });
  m.loadTaskRegister(Sel.Tss);
  m.installIdt(IDT, []);
  m.cpu.regs[Reg.ESP] = USER_STACK;
  m.cpu.eip = USER;
  return m;
}

function assertFault(stop: HarnessStop, vector: number, errorCode: number, what: string): void {
  assert.equal(stop.vector, vector, `${what}: vector ${stop.vector}`);
  assert.equal(stop.errorCode, errorCode, `${what}: error code ${stop.errorCode.toString(16)}`);
}

describe('direct far JMP and CALL', () => {
  test('JMP to a non-conforming segment at CPL loads CS with its base and RPL = CPL', () => {
    const m = machine(0);
    m.load(ALT_BASE + 0x100, [0xcc]);
    assert.equal(runCode(m, 'jmp 0x38:0x100').vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], Sel.CodeAlt);
    assert.equal(m.cpu.segBase[Seg.CS], ALT_BASE);
    assert.equal(m.cpu.eip, 0x101);
  });

  test('JMP to a more privileged conforming segment keeps CPL 3 and gives CS RPL 3', () => {
    const m = machine(3);
    m.load(TARGET, [0xcc]);
    assert.equal(runCode(m, `jmp 0x40:${TARGET}`).vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], Sel.Conforming | 3);
    assert.equal(m.cpu.cpl, 3);
  });

  const faults: [string, 0 | 3, string, number, number][] = [
    ['null selector', 3, 'jmp 0x0000:0', Vector.GP, 0],
    ['selector beyond the GDT limit', 3, 'jmp 0x1000:0', Vector.GP, 0x1000],
    ['non-conforming segment of another DPL', 3, `jmp 0x08:${TARGET}`, Vector.GP, 0x08],
    ['data segment', 3, 'jmp 0x23:0', Vector.GP, 0x20],
    ['RPL above CPL for a non-conforming segment', 0, 'jmp 0x3b:0', Vector.GP, 0x38],
    ['segment not present', 0, 'jmp 0x48:0', Vector.NP, 0x48],
    ['offset beyond the segment limit', 0, 'jmp 0x38:0x10000', Vector.GP, 0],
    ['CALL to a non-conforming segment of another DPL', 3, `call 0x08:${TARGET}`, Vector.GP, 0x08],
    ['an LDT descriptor as a target', 0, 'jmp 0x68:0', Vector.GP, 0x68],
  ];
  for (const [what, cpl, src, vector, code] of faults) {
    test(`faults: ${what}`, () => {
      const m = machine(cpl);
      if (what.startsWith('an LDT')) m.setGdtEntry(13, descriptor(0x7000, 0x67, 0x82, 0));
      const cs = m.cpu.segSel[Seg.CS];
      assertFault(runCode(m, src), vector, code, what);
      assert.equal(m.cpu.eip, USER, 'reported at the instruction');
      assert.equal(m.cpu.segSel[Seg.CS], cs);
      assert.equal(m.reg('esp'), USER_STACK);
    });
  }

  test('CALL ptr16:32 pushes CS (zero-extended) and EIP; RETF returns', () => {
    const m = machine(0);
    m.load(ALT_BASE + 0x100, [0xcc]);
    runCode(m, 'call 0x38:0x100');
    assert.equal(m.reg('esp'), USER_STACK - 8);
    assert.equal(read32(m, USER_STACK - 8), USER + 7);
    assert.equal(read32(m, USER_STACK - 4), Sel.Code0);

    const back = machine(0);
    back.load(ALT_BASE + 0x100, [0xcb]);
    assert.equal(runCode(back, 'call 0x38:0x100\nint3').vector, Vector.BP);
    assert.equal(back.cpu.segSel[Seg.CS], Sel.Code0);
    assert.equal(back.cpu.eip, USER + 8);
    assert.equal(back.reg('esp'), USER_STACK);
  });

  test('a 16-bit far CALL pushes IP and CS as words; o16 RETF pops them', () => {
    const m = machine(0);
    m.load(ALT_BASE + 0x100, [0x66, 0xcb]);
    assert.equal(runCode(m, 'call word 0x38:0x100\nint3').vector, Vector.BP);
    assert.equal(m.cpu.eip, USER + 7);
    assert.equal(m.reg('esp'), USER_STACK);
    assert.equal(read16(m, USER_STACK - 4), USER + 6);
    assert.equal(read16(m, USER_STACK - 2), Sel.Code0);
  });
});

describe('call gates', () => {
  const CALL_WITH_PARAMS = 'push 0x11111111\npush 0x22222222\ncall 0x53:0\nint3';

  test('CALL through a 32-bit gate from CPL 3 switches to the TSS ring-0 stack and copies the parameters', () => {
    const m = machine(3);
    m.load(KERNEL, [0xcc]);
    assert.equal(runCode(m, CALL_WITH_PARAMS).vector, Vector.BP);
    assert.equal(m.cpu.cpl, 0);
    assert.equal(m.cpu.segSel[Seg.CS], Sel.Code0);
    assert.equal(m.cpu.segSel[Seg.SS], Sel.Data0);
    assert.equal(m.reg('esp'), KERNEL_STACK - 24);
    const frame = [0, 4, 8, 12, 16, 20].map((o) => read32(m, KERNEL_STACK - 24 + o));
    // EIP, CS, parameter 1 (lowest address), parameter 2, old ESP, old SS.
    assert.deepEqual(frame, [USER + 17, Sel.Code3, 0x22222222, 0x11111111, USER_STACK - 8, Sel.Data3]);
  });

  test('RETF imm16 back to CPL 3 pops SS:ESP, releases the parameters on both stacks and nulls a ring-0 DS', () => {
    const m = machine(3);
    m.load(KERNEL, assemble('mov ax, 0x10\nmov ds, ax\nretf 8', 32, KERNEL));
    assert.equal(runCode(m, CALL_WITH_PARAMS).vector, Vector.BP);
    assert.equal(m.cpu.eip, USER + 18);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.segSel[Seg.CS], Sel.Code3);
    assert.equal(m.cpu.segSel[Seg.SS], Sel.Data3);
    assert.equal(m.reg('esp'), USER_STACK);
    assert.equal(m.cpu.segSel[Seg.DS], 0, 'DS held a DPL 0 segment');
    assert.equal(m.cpu.segSel[Seg.ES], Sel.Data3, 'ES is usable at CPL 3 and stays');
  });

  test('a 16-bit gate copies words and builds a 16-bit frame; RETF 4 returns', () => {
    const m = machine(3);
    m.load(KERNEL16, [0xcc]);
    const src = 'push word 0x1111\npush word 0x2222\ncall 0x5b:0\nint3';
    assert.equal(runCode(m, src).vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], Sel.Code16);
    assert.ok(!m.cpu.codeSize32);
    assert.equal(m.reg('esp'), KERNEL_STACK - 12);
    const frame = [0, 2, 4, 6, 8, 10].map((o) => read16(m, KERNEL_STACK - 12 + o));
    assert.deepEqual(frame, [USER + 15, Sel.Code3, 0x2222, 0x1111, USER_STACK - 4, Sel.Data3]);

    const back = machine(3);
    back.load(KERNEL16, assemble('retf 4', 16, KERNEL16));
    assert.equal(runCode(back, src).vector, Vector.BP);
    assert.equal(back.cpu.eip, USER + 16);
    assert.equal(back.cpu.cpl, 3);
    assert.equal(back.reg('esp'), USER_STACK);
  });

  test('a gate to a segment at the current level pushes on the current stack', () => {
    const m = machine(3);
    m.load(TARGET, [0xcc]);
    assert.equal(runCode(m, 'call 0x8b:0').vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], Sel.Code3);
    assert.equal(m.cpu.eip, TARGET + 1);
    assert.equal(m.reg('esp'), USER_STACK - 8);
    assert.equal(read32(m, USER_STACK - 8), USER + 7);
    assert.equal(read32(m, USER_STACK - 4), Sel.Code3);
  });

  test('JMP through a call gate reaches a segment at CPL, but not a more privileged one', () => {
    const m = machine(3);
    m.load(TARGET, [0xcc]);
    assert.equal(runCode(m, 'jmp 0x8b:0').vector, Vector.BP);
    assert.equal(m.cpu.eip, TARGET + 1);
    assert.equal(m.reg('esp'), USER_STACK);
    const inward = machine(3);
    assertFault(runCode(inward, 'jmp 0x53:0'), Vector.GP, Sel.Code0, 'JMP inward');
  });

  const gateFaults: [string, (m: HarnessMachine) => void, string, number, number][] = [
    ['gate DPL below CPL', () => {}, 'call 0x73:0', Vector.GP, Sel.GateDpl0],
    ['gate selector RPL above the gate DPL', (m) => m.setGdtEntry(14, gateDescriptor(Sel.Code0, KERNEL, 0xc, 2)),
      'call 0x73:0', Vector.GP, Sel.GateDpl0],
    ['gate not present', () => {}, 'call 0x7b:0', Vector.NP, Sel.GateNotPresent],
    ['gate naming a null code selector', (m) => m.setGdtEntry(10, gateDescriptor(0, KERNEL, 0xc, 3)),
      'call 0x53:0', Vector.GP, 0],
    ['gate naming a data segment', (m) => m.setGdtEntry(10, gateDescriptor(Sel.Data0, KERNEL, 0xc, 3)),
      'call 0x53:0', Vector.GP, Sel.Data0],
    ['gate code segment not present', (m) => m.setGdtEntry(10, gateDescriptor(Sel.NotPresent, KERNEL, 0xc, 3)),
      'call 0x53:0', Vector.NP, Sel.NotPresent],
    ['ring-0 stack selector with RPL 3', (m) => m.writeTss32(TSS, { esp0: KERNEL_STACK, ss0: 0x13 }),
      'call 0x53:0', Vector.TS, Sel.Data0],
    ['null ring-0 stack selector', (m) => m.writeTss32(TSS, { esp0: KERNEL_STACK, ss0: 0 }),
      'call 0x53:0', Vector.TS, 0],
    ['ring-0 stack segment not present', (m) => m.writeTss32(TSS, { esp0: KERNEL_STACK, ss0: Sel.StackNotPresent }),
      'call 0x53:0', Vector.SS, Sel.StackNotPresent],
    ['ring-0 stack without room for the frame', (m) => {
      m.setGdtEntry(16, descriptor(0, 0x8fff, 0x93, 0x4));
      m.writeTss32(TSS, { esp0: 0x10, ss0: Sel.StackNotPresent });
    }, 'call 0x53:0', Vector.SS, Sel.StackNotPresent],
    ['TSS too short to hold SS0:ESP0', (m) => { m.cpu.trLimit = 7; }, 'call 0x53:0', Vector.TS, Sel.Tss],
    ['entry point beyond the code segment limit', (m) => m.setGdtEntry(10, gateDescriptor(Sel.CodeAlt, 0x20000, 0xc, 3)),
      'call 0x53:0', Vector.GP, 0],
  ];
  for (const [what, setup, src, vector, code] of gateFaults) {
    test(`faults: ${what}`, () => {
      const m = machine(3);
      setup(m);
      assertFault(runCode(m, src), vector, code, what);
      assert.equal(m.cpu.eip, USER);
      assert.equal(m.cpu.cpl, 3);
      assert.equal(m.cpu.segSel[Seg.CS], Sel.Code3);
      assert.equal(m.cpu.segSel[Seg.SS], Sel.Data3);
      assert.equal(m.reg('esp'), USER_STACK);
    });
  }
});

describe('far RET checks', () => {
  /** Runs `retf` (or `src`) at `cpl` with `stack` dwords at the top of the stack. */
  function retf(cpl: 0 | 3, stack: number[], src = 'retf'): { m: HarnessMachine; stop: HarnessStop } {
    const m = machine(cpl);
    stack.forEach((v, i) => m.mem.write(USER_STACK + 4 * i, 4, v));
    m.load(TARGET, [0xcc]);
    return { m, stop: runCode(m, src) };
  }

  const cases: [string, 0 | 3, number[], number, number][] = [
    ['null CS', 3, [TARGET, 0], Vector.GP, 0],
    ['CS RPL below CPL', 3, [TARGET, Sel.Code0], Vector.GP, Sel.Code0],
    ['CS naming a data segment', 0, [TARGET, Sel.Data0], Vector.GP, Sel.Data0],
    ['non-conforming CS whose DPL differs from its RPL', 0, [TARGET, Sel.Code0 | 3], Vector.GP, Sel.Code0],
    ['CS not present', 0, [TARGET, Sel.NotPresent], Vector.NP, Sel.NotPresent],
    ['EIP beyond the CS limit', 0, [0x10000, Sel.CodeAlt], Vector.GP, 0],
    ['outer SS with an RPL other than the new CPL', 0, [TARGET, Sel.Code3, 0x7000, Sel.Data3 & ~3], Vector.GP, 0x20],
    ['outer SS naming a code segment', 0, [TARGET, Sel.Code3, 0x7000, Sel.Code3], Vector.GP, 0x18],
    ['outer SS null', 0, [TARGET, Sel.Code3, 0x7000, 3], Vector.GP, 0],
  ];
  for (const [what, cpl, stack, vector, code] of cases) {
    test(`faults: ${what}`, () => {
      const { m, stop } = retf(cpl, stack);
      assertFault(stop, vector, code, what);
      assert.equal(m.cpu.eip, USER);
      assert.equal(m.cpu.cpl, cpl);
      assert.equal(m.reg('esp'), USER_STACK);
    });
  }

  test('a return to an outer level reads SS:ESP past the released parameters', () => {
    const { m, stop } = retf(0, [TARGET, Sel.Code3, 0xdead, 0xbeef, 0x7000, Sel.Data3], 'retf 8');
    assert.equal(stop.vector, Vector.BP);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.segSel[Seg.SS], Sel.Data3);
    assert.equal(m.reg('esp'), 0x7008, 'the imm16 is released on the outer stack too');
  });
});

describe('IRET in protected mode', () => {
  /** Runs `iretd` at `cpl` with `stack` dwords on top of the stack and int3 at TARGET. */
  function iret(cpl: 0 | 3, stack: number[], setup?: (m: HarnessMachine) => void): { m: HarnessMachine; stop: HarnessStop } {
    const m = machine(cpl);
    stack.forEach((v, i) => m.mem.write(USER_STACK + 4 * i, 4, v));
    m.load(TARGET, [0xcc]);
    setup?.(m);
    return { m, stop: runCode(m, 'iretd') };
  }

  test('to ring 3: pops SS:ESP, takes IOPL and IF at CPL 0, nulls the ring-0 data segments', () => {
    const eflags = (3 << 12) | Flag.IF | Flag.CF | Flag.FIXED1;
    const { m, stop } = iret(0, [TARGET, Sel.Code3, eflags, 0x7000, Sel.Data3]);
    assert.equal(stop.vector, Vector.BP);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.eip, TARGET + 1);
    assert.equal(m.cpu.segSel[Seg.SS], Sel.Data3);
    assert.equal(m.reg('esp'), 0x7000);
    assert.equal(m.cpu.getFlags(), eflags);
    for (const s of [Seg.DS, Seg.ES, Seg.FS, Seg.GS]) assert.equal(m.cpu.segSel[s], 0, `segment ${s}`);
  });

  test('at CPL 3 with IOPL 0 the popped IOPL and IF are ignored, the status flags taken', () => {
    const { m, stop } = iret(3, [TARGET, Sel.Code3, (3 << 12) | Flag.IF | Flag.ZF | Flag.FIXED1]);
    assert.equal(stop.vector, Vector.BP);
    assert.equal(m.cpu.getFlags(), Flag.ZF | Flag.FIXED1);
    assert.equal(m.reg('esp'), USER_STACK + 12);
  });

  test('at CPL 3 with IOPL 3 IF is taken but IOPL cannot change', () => {
    const { m } = iret(3, [TARGET, Sel.Code3, Flag.IF | Flag.FIXED1], (mm) => mm.cpu.setFlags((3 << 12) | Flag.FIXED1));
    assert.equal(m.cpu.getFlags(), (3 << 12) | Flag.IF | Flag.FIXED1);
  });

  test('VM in the popped EFLAGS is ignored below CPL 0', () => {
    const { m, stop } = iret(3, [TARGET, Sel.Code3, Flag.VM | Flag.FIXED1]);
    assert.equal(stop.vector, Vector.BP);
    assert.ok(!m.cpu.vm86);
  });

  test('faults: CS RPL below CPL, and outer SS not present', () => {
    let r = iret(3, [TARGET, Sel.Code0, Flag.FIXED1]);
    assertFault(r.stop, Vector.GP, Sel.Code0, 'RPL < CPL');
    r = iret(0, [TARGET, Sel.Code3, Flag.FIXED1, 0x7000, Sel.Data3], (m) => m.setGdtEntry(4, descriptor(0, 0xfffff, 0x73, 0xc)));
    assertFault(r.stop, Vector.SS, 0x20, 'SS not present');
    assert.equal(r.m.cpu.cpl, 0);
    assert.equal(r.m.cpu.eip, USER);
  });

  test('to virtual-8086 mode: pops ESP, SS, ES, DS, FS, GS and runs at CPL 3 with real-mode segments', () => {
    const frame = [0x10, 0x200, Flag.VM | Flag.FIXED1, 0xff0, 0x300, 0x400, 0x500, 0x600, 0x700];
    const { m, stop } = iret(0, frame, (mm) => mm.load(0x2010, assemble('int 0x21', 16, 0x10)));
    // IOPL 0: INT n is IOPL-sensitive, so the guest stops with #GP(0) inside virtual-8086 mode.
    assertFault(stop, Vector.GP, 0, 'INT n at IOPL 0');
    assert.ok(m.cpu.vm86);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.eip, 0x10);
    assert.equal(m.reg('esp'), 0xff0);
    const sels = [Seg.CS, Seg.SS, Seg.ES, Seg.DS, Seg.FS, Seg.GS].map((s) => [m.cpu.segSel[s], m.cpu.segBase[s]]);
    assert.deepEqual(sels, [[0x200, 0x2000], [0x300, 0x3000], [0x400, 0x4000], [0x500, 0x5000], [0x600, 0x6000], [0x700, 0x7000]]);
    assert.ok(!m.cpu.codeSize32 && !m.cpu.stackSize32);
  });

  test('virtual-8086 round trip: INT n to a ring-0 handler and IRETD back', () => {
    const frame = [0x10, 0x200, Flag.VM | (3 << 12) | Flag.FIXED1, 0xff0, 0x300, 0x400, 0x500, 0x600, 0x700];
    const { m, stop } = iret(0, frame, (mm) => {
      mm.load(0x2010, assemble('int 0x21\nint3', 16, 0x10));
      mm.load(KERNEL, assemble('iretd', 32, KERNEL));
      const idt: [number, number][] = new Array(0x22).fill([0, 0]);
      idt[0x21] = gateDescriptor(Sel.Code0, KERNEL, 0xe, 3);
      mm.installIdt(IDT, idt);
    });
    assert.equal(stop.vector, Vector.BP);
    assert.ok(m.cpu.vm86);
    assert.equal(m.cpu.eip, 0x13);
    assert.equal(m.cpu.segSel[Seg.DS], 0x500);
    assert.equal(m.reg('esp'), 0xff0);
    // The ring-0 stack holds the virtual-8086 frame: EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS.
    const kernelFrame = [...Array(9).keys()].map((i) => read32(m, KERNEL_STACK - 36 + 4 * i));
    assert.deepEqual(kernelFrame, [0x12, 0x200, Flag.VM | (3 << 12) | Flag.FIXED1, 0xff0, 0x300, 0x400, 0x500, 0x600, 0x700]);
  });
});

describe('IRET and far transfers in virtual-8086 mode', () => {
  function v86(iopl: number, code: string): HarnessMachine {
    const m = machine(0);
    const frame = [0x10, 0x200, Flag.VM | (iopl << 12) | Flag.FIXED1, 0xff0, 0x200, 0x200, 0x200, 0x200, 0x200];
    frame.forEach((v, i) => m.mem.write(USER_STACK + 4 * i, 4, v));
    m.load(USER, assemble('iretd', 32, USER));
    m.load(0x2010, assemble(code, 16, 0x10));
    return m;
  }

  test('IRET with IOPL 3 pops IP, CS and FLAGS, leaving IOPL alone', () => {
    const m = v86(3, 'push word 0x0002\npush word 0x0300\npush word 0x0020\niret');
    m.load(0x3020, [0xcc]);
    assert.equal(m.run(100).vector, Vector.BP);
    assert.equal(m.cpu.segBase[Seg.CS], 0x3000);
    assert.equal(m.cpu.eip, 0x21);
    assert.equal(m.cpu.getFlags(), Flag.VM | (3 << 12) | Flag.FIXED1);
  });

  test('IRET with IOPL < 3 raises #GP(0)', () => {
    const m = v86(2, 'iret');
    const stop = m.run(100);
    assert.equal(stop.vector, Vector.GP);
    assert.equal(stop.errorCode, 0);
    assert.equal(m.cpu.eip, 0x10);
  });

  test('far JMP, CALL and RETF use selector × 16 without descriptor checks', () => {
    const m = v86(0, 'call 0x0300:0x0000\nint3');
    m.load(0x3000, assemble('jmp 0x0310:0x0005', 16, 0));
    m.load(0x3105, assemble('retf', 16, 0x5));
    assert.equal(m.run(100).vector, Vector.BP);
    assert.equal(m.cpu.segSel[Seg.CS], 0x200);
    assert.equal(m.cpu.eip, 0x16);
    assert.equal(m.reg('esp'), 0xff0);
  });
});
