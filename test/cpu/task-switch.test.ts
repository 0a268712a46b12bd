// Hardware task switching (SDM Vol. 3A §7.3, Tables 7-1 and 7-2): JMP and
// CALL to a TSS or task gate, INT n and exceptions through an IDT task gate,
// IRET with NT back through the previous-task link; 32-bit and 16-bit TSSs,
// virtual-8086 tasks, CR3 and LDTR loads; faults before the switch commits
// (old task intact) and after (reported in the new task).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { descriptor, gateDescriptor, HarnessMachine, type Tss32Fields } from '../../tools/cpu-harness.js';
import { assemble } from '../support/asm.js';
import { CODE, read16, read32, runCode } from '../support/cpu-test.js';
import { Cr0, Flag, Reg, Seg, Vector } from '../../src/cpu/registers.js';

/** Where the code under test is loaded ({@link runCode}'s default) and starts. */
const USER = CODE;
const TARGET = 0x3000;
const IDT = 0x5000;
const TSS_A = 0x6000;
const TSS_B = 0x6100;
const TSS_C = 0x6200;
const LDT = 0x7000;
const STACK = 0x8000;

const enum Sel {
  Code0 = 0x08, Data0 = 0x10, Code3 = 0x1b, Data3 = 0x23,
  /** The running task's 32-bit TSS (busy). */
  TssA = 0x38,
  /** An available 32-bit TSS. */
  TssB = 0x40,
  /** Task gate (DPL 3) to TssB. */
  GateB = 0x48,
  /** An available 16-bit TSS. */
  TssC = 0x50,
  /** A 32-bit TSS whose limit (60h) is too small. */
  TssShort = 0x58,
  /** A 32-bit TSS, not present. */
  TssAbsent = 0x60,
  /** An LDT whose entry 1 is a flat DPL 0 data segment (selector 0Ch). */
  Ldt = 0x68,
  /** 16-bit code, DPL 0. */
  Code16 = 0x70,
}

/** CPL 0 (or 3) flat protected mode, running task A; TSS B ready to run at TARGET. */
function machine(b: Tss32Fields = {}, cpl: 0 | 3 = 0, intercept?: (vector: number) => boolean): HarnessMachine {
  const m = new HarnessMachine(intercept ? { system: { interceptException: intercept } } : {}).protectedMode(cpl);
  m.setGdtEntry(7, descriptor(TSS_A, 0x67, 0x89, 0));
  m.setGdtEntry(8, descriptor(TSS_B, 0x67, 0xe9, 0));
  m.setGdtEntry(9, gateDescriptor(Sel.TssB, 0, 0x5, 3));
  m.setGdtEntry(10, descriptor(TSS_C, 0x2b, 0x81, 0));
  m.setGdtEntry(11, descriptor(TSS_C, 0x60, 0x89, 0));
  m.setGdtEntry(12, descriptor(TSS_C, 0x67, 0x09, 0));
  m.setGdtEntry(13, descriptor(LDT, 0xf, 0x82, 0));
  m.setGdtEntry(14, descriptor(0, 0xffff, 0x9b, 0));
  m.load(LDT + 8, new Uint8Array(new Int32Array(descriptor(0x40000, 0xfffff, 0x93, 0xc)).buffer));
  m.writeTss32(TSS_A, {});
  m.loadTaskRegister(Sel.TssA);
  m.writeTss32(TSS_B, {
    eip: TARGET, eflags: Flag.ZF | Flag.FIXED1,
    regs: [0xb0, 0xb1, 0xb2, 0xb3, 0x9000, 0xb5, 0xb6, 0xb7],
    segs: [Sel.Data3, Sel.Code0, Sel.Data0, Sel.Data0, 0, Sel.Data3],
    ...b,
  });
  m.load(TARGET, [0xcc]);
  m.cpu.regs.set([0xa0, 0xa1, 0xa2, 0xa3, STACK, 0xa5, 0xa6, 0xa7]);
  m.cpu.setFlags(Flag.CF | Flag.FIXED1);
  m.cpu.eip = USER;
  return m;
}

/** Type field (low nibble of the access byte) of GDT entry `sel`. */
const typeOf = (m: HarnessMachine, sel: number): number => m.mem.read(m.cpu.gdtrBase + (sel & ~7) + 5, 1) & 0xf;

describe('task switch by JMP', () => {
  test('saves the outgoing state, loads the incoming one, moves the busy bit and sets CR0.TS', () => {
    const m = machine();
    assert.equal(runCode(m, 'jmp 0x40:0').vector, Vector.BP);
    const cpu = m.cpu;
    assert.equal(cpu.trSel, Sel.TssB);
    assert.equal(cpu.trBase, TSS_B);
    assert.equal(cpu.eip, TARGET + 1);
    assert.deepEqual([...cpu.regs].map((v) => v >>> 0), [0xb0, 0xb1, 0xb2, 0xb3, 0x9000, 0xb5, 0xb6, 0xb7]);
    assert.deepEqual([...cpu.segSel], [Sel.Data3, Sel.Code0, Sel.Data0, Sel.Data0, 0, Sel.Data3]);
    assert.equal(cpu.getFlags(), Flag.ZF | Flag.FIXED1, 'JMP does not set NT');
    assert.ok((cpu.cr0 & Cr0.TS) !== 0);
    assert.equal(typeOf(m, Sel.TssA), 0x9, 'old TSS no longer busy');
    assert.equal(typeOf(m, Sel.TssB), 0xb, 'new TSS busy');
    assert.equal((cpu.trAttr >> 8) & 0xf, 0xb);
    // The old TSS holds EIP after the JMP, EFLAGS, the registers and selectors.
    assert.equal(read32(m, TSS_A + 0x20), USER + 7);
    assert.equal(read32(m, TSS_A + 0x24), Flag.CF | Flag.FIXED1);
    assert.deepEqual([...Array(8).keys()].map((i) => read32(m, TSS_A + 0x28 + 4 * i)), [0xa0, 0xa1, 0xa2, 0xa3, STACK, 0xa5, 0xa6, 0xa7]);
    assert.deepEqual([...Array(6).keys()].map((i) => read16(m, TSS_A + 0x48 + 4 * i)), [0x10, 0x08, 0x10, 0x10, 0x10, 0x10]);
    assert.equal(read16(m, TSS_B), 0, 'no back-link for JMP');
  });

  test('through a task gate, the gate DPL is checked instead of the TSS DPL', () => {
    const m = machine({}, 3);
    m.setGdtEntry(8, descriptor(TSS_B, 0x67, 0x89, 0)); // TSS DPL 0
    assert.equal(runCode(m, 'jmp 0x4b:0').vector, Vector.BP);
    assert.equal(m.cpu.trSel, Sel.TssB);
    assert.equal(m.cpu.cpl, 0);
  });

  test('loads LDTR before the segment registers that name LDT descriptors', () => {
    const m = machine({ ldt: Sel.Ldt, segs: [Sel.Data0, Sel.Code0, Sel.Data0, 0x0c, 0, 0] });
    assert.equal(runCode(m, 'jmp 0x40:0').vector, Vector.BP);
    assert.equal(m.cpu.ldtrSel, Sel.Ldt);
    assert.equal(m.cpu.ldtrBase, LDT);
    assert.equal(m.cpu.segSel[Seg.DS], 0x0c);
    assert.equal(m.cpu.segBase[Seg.DS], 0x40000);
  });

  test('loads CR3 from the new TSS when paging is on', () => {
    const m = machine({ cr3: 0x31_0000 });
    const pages = [...Array(16).keys()];
    m.enablePaging(pages, 0x31_0000);
    m.enablePaging(pages, 0x30_0000);
    assert.equal(runCode(m, 'jmp 0x40:0').vector, Vector.BP);
    assert.equal(m.cpu.cr3, 0x31_0000);
  });

  test('switches to a 16-bit TSS and back', () => {
    const m = machine();
    m.writeTss16(TSS_C, {
      ip: TARGET, flags: Flag.SF | Flag.FIXED1, regs: [0xc0, 0xc1, 0xc2, 0xc3, 0x9000, 0xc5, 0xc6, 0xc7],
      segs: [Sel.Data0, Sel.Code16, Sel.Data0, Sel.Data0],
    });
    m.load(TARGET, assemble('jmp 0x38:0', 16, TARGET));
    m.cpu.segSel[Seg.FS] = 0x23;
    // Stop inside task C first.
    m.load(USER, assemble('jmp 0x50:0\nint3', 32, USER));
    m.run(1);
    const cpu = m.cpu;
    assert.equal(cpu.trSel, Sel.TssC);
    assert.equal(cpu.eip, TARGET);
    assert.equal(cpu.regs[Reg.EAX] >>> 0, 0xffff_00c0, 'upper halves become FFFFh');
    assert.equal(cpu.segSel[Seg.FS], 0);
    assert.ok(!cpu.codeSize32);
    assert.equal(cpu.getFlags(), Flag.SF | Flag.FIXED1);
    // Task C jumps back to A, which resumes after its JMP.
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.BP);
    assert.equal(cpu.trSel, Sel.TssA);
    assert.equal(cpu.eip, USER + 8);
    assert.equal(cpu.regs[Reg.EAX], 0xa0);
    assert.equal(read16(m, TSS_C + 0x0e), TARGET + 5, 'IP saved into the 16-bit TSS');
    assert.equal(read16(m, TSS_C + 0x12), 0xc0, 'AX saved');
    assert.equal(typeOf(m, Sel.TssC), 0x1);
  });

  test('starts a virtual-8086 task when the new EFLAGS has VM set', () => {
    const m = machine({ eflags: Flag.VM | Flag.FIXED1, eip: 0x10, segs: [0x100, 0x200, 0x300, 0x400, 0x500, 0x600] });
    m.load(0x2010, [0xcc]);
    assert.equal(runCode(m, 'jmp 0x40:0').vector, Vector.BP);
    assert.ok(m.cpu.vm86);
    assert.equal(m.cpu.cpl, 3);
    assert.equal(m.cpu.segBase[Seg.CS], 0x2000);
    assert.equal(m.cpu.segBase[Seg.GS], 0x6000);
    assert.equal(m.cpu.eip, 0x11);
  });
});

describe('nested tasks: CALL, INT n, exceptions and IRET', () => {
  test('CALL to a TSS writes the back-link, sets NT and keeps the old TSS busy', () => {
    const m = machine();
    runCode(m, 'call 0x40:0');
    assert.equal(m.cpu.trSel, Sel.TssB);
    assert.equal(read16(m, TSS_B), Sel.TssA);
    assert.equal(m.cpu.getFlags() & Flag.NT, Flag.NT);
    assert.equal(typeOf(m, Sel.TssA), 0xb);
    assert.equal(typeOf(m, Sel.TssB), 0xb);
  });

  test('IRET with NT returns to the calling task and frees the nested one', () => {
    const m = machine();
    m.load(TARGET, assemble('iretd', 32, TARGET));
    assert.equal(runCode(m, 'call 0x40:0\nint3').vector, Vector.BP);
    assert.equal(m.cpu.trSel, Sel.TssA);
    assert.equal(m.cpu.eip, USER + 8);
    assert.equal(m.cpu.regs[Reg.EAX], 0xa0);
    assert.equal(m.reg('esp'), STACK);
    assert.equal(m.cpu.getFlags(), Flag.CF | Flag.FIXED1);
    assert.equal(typeOf(m, Sel.TssA), 0xb);
    assert.equal(typeOf(m, Sel.TssB), 0x9);
    assert.equal(read32(m, TSS_B + 0x24) & Flag.NT, 0, 'NT cleared in the saved image');
    assert.equal(read32(m, TSS_B + 0x20), TARGET + 1, 'B saved after its IRET');
  });

  test('INT n through an IDT task gate switches tasks; IRET comes back after the INT', () => {
    const m = machine();
    m.load(TARGET, assemble('iretd', 32, TARGET));
    const idt: [number, number][] = new Array(0x31).fill([0, 0]);
    idt[0x30] = gateDescriptor(Sel.TssB, 0, 0x5, 0);
    m.installIdt(IDT, idt);
    assert.equal(runCode(m, 'int 0x30\nint3').vector, Vector.BP);
    assert.equal(m.cpu.eip, USER + 3);
    assert.equal(m.cpu.trSel, Sel.TssA);
    assert.equal(read16(m, TSS_B), Sel.TssA, 'back-link');
  });

  test('an exception through a task gate pushes its error code on the new task\'s stack', () => {
    const m = machine({}, 0, (v) => v === Vector.BP);
    const idt: [number, number][] = new Array(0x20).fill([0, 0]);
    idt[Vector.GP] = gateDescriptor(Sel.TssB, 0, 0x5, 0);
    m.installIdt(IDT, idt);
    assert.equal(runCode(m, 'jmp 0x1000:0').vector, Vector.BP);
    assert.equal(m.cpu.trSel, Sel.TssB);
    assert.equal(m.reg('esp'), 0x9000 - 4);
    assert.equal(read32(m, 0x9000 - 4), 0x1000, '#GP error code');
    assert.equal(read32(m, TSS_A + 0x20), USER, 'the faulting instruction is saved as the old EIP');
  });
});

describe('faults before the switch commits leave the old task intact', () => {
  const cases: [string, (m: HarnessMachine) => void, string, number, number, (0 | 3)?][] = [
    ['JMP to the busy current TSS', () => {}, 'jmp 0x38:0', Vector.GP, Sel.TssA],
    ['TSS limit below 67h', () => {}, 'jmp 0x58:0', Vector.TS, Sel.TssShort],
    ['TSS not present', () => {}, 'jmp 0x60:0', Vector.NP, Sel.TssAbsent],
    ['TSS DPL below CPL', (m) => m.setGdtEntry(8, descriptor(TSS_B, 0x67, 0x89, 0)), 'jmp 0x43:0', Vector.GP, Sel.TssB, 3],
    ['task gate DPL below CPL', (m) => m.setGdtEntry(9, gateDescriptor(Sel.TssB, 0, 0x5, 0)), 'jmp 0x4b:0', Vector.GP, Sel.GateB, 3],
    ['task gate to a busy TSS', (m) => m.setGdtEntry(9, gateDescriptor(Sel.TssA, 0, 0x5, 3)), 'call 0x48:0', Vector.GP, Sel.TssA],
    ['task gate naming an LDT selector', (m) => m.setGdtEntry(9, gateDescriptor(Sel.TssB | 4, 0, 0x5, 3)), 'jmp 0x48:0', Vector.GP, Sel.TssB | 4],
    ['task gate naming a code segment', (m) => m.setGdtEntry(9, gateDescriptor(Sel.Code0, 0, 0x5, 3)), 'jmp 0x48:0', Vector.GP, Sel.Code0],
    ['IRET with NT to a TSS that is not busy', (m) => {
      m.mem.write(TSS_A, 2, Sel.TssB);
      m.cpu.setFlags(Flag.NT | Flag.FIXED1);
    }, 'iretd', Vector.TS, Sel.TssB],
    ['IRET with NT and a null back-link', (m) => m.cpu.setFlags(Flag.NT | Flag.FIXED1), 'iretd', Vector.TS, 0],
  ];
  for (const [what, setup, src, vector, code, cpl] of cases) {
    test(what, () => {
      const m = machine({}, cpl ?? 0);
      setup(m);
      const stop = runCode(m, src);
      assert.equal(stop.vector, vector);
      assert.equal(stop.errorCode, code);
      assert.equal(m.cpu.trSel, Sel.TssA);
      assert.equal(m.cpu.eip, USER);
      assert.equal(m.reg('esp'), STACK);
      assert.equal(m.cpu.regs[Reg.EAX], 0xa0);
      assert.equal(typeOf(m, Sel.TssA), 0xb);
      assert.equal(typeOf(m, Sel.TssB), 0x9);
      assert.equal(m.cpu.cr0 & Cr0.TS, 0);
    });
  }
});

describe('faults after the switch commits are taken in the new task', () => {
  const base = [Sel.Data0, Sel.Code0, Sel.Data0, Sel.Data0, 0, 0];
  const withSeg = (seg: number, sel: number): number[] => base.map((v, i) => (i === seg ? sel : v));
  const cases: [string, Tss32Fields, number, number][] = [
    ['SS with an RPL other than CPL → #TS(SS)', { segs: withSeg(Seg.SS, Sel.Data3) }, Vector.TS, 0x20],
    ['null SS → #TS(0)', { segs: withSeg(Seg.SS, 0) }, Vector.TS, 0],
    ['SS not present → #SS(SS)', { segs: withSeg(Seg.SS, 0x80) }, Vector.SS, 0x80],
    ['CS naming a data segment → #TS(CS)', { segs: withSeg(Seg.CS, Sel.Data0) }, Vector.TS, Sel.Data0],
    ['CS not present → #NP(CS)', { segs: withSeg(Seg.CS, 0x78) }, Vector.NP, 0x78],
    ['DS with DPL below CPL → #TS(DS)', { segs: [Sel.Data3, Sel.Code3, Sel.Data3, Sel.Data0, 0, 0] }, Vector.TS, Sel.Data0],
    ['an LDT selector that is not an LDT → #TS(LDT)', { ldt: Sel.TssC }, Vector.TS, Sel.TssC],
    ['EIP beyond the new CS limit → #GP(0)', { segs: withSeg(Seg.CS, Sel.Code16), eip: 0x10000 }, Vector.GP, 0],
  ];
  for (const [what, fields, vector, code] of cases) {
    test(what, () => {
      const m = machine({ segs: base, ...fields });
      m.setGdtEntry(15, descriptor(0, 0xfffff, 0x1b, 0xc)); // 0x78: code, not present
      m.setGdtEntry(16, descriptor(0, 0xfffff, 0x13, 0xc)); // 0x80: data, not present
      const stop = runCode(m, 'jmp 0x40:0');
      assert.equal(stop.vector, vector);
      assert.equal(stop.errorCode, code);
      assert.equal(m.cpu.trSel, Sel.TssB, 'TR already names the new task');
      assert.equal(m.cpu.eip >>> 0, fields.eip ?? TARGET, 'EIP of the new task');
      assert.equal(m.reg('esp'), 0x9000, 'ESP of the new task');
      assert.equal(read32(m, TSS_A + 0x20), USER + 7, 'old task saved');
    });
  }
});
