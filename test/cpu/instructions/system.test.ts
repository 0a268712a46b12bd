// System family: groups 6 and 7 (SLDT, STR, LLDT, LTR, VERR, VERW, SGDT,
// SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG), LAR, LSL, ARPL, MOV to/from CR/DR,
// CLTS, INVD, WBINVD, UD2, RDMSR/WRMSR, RDTSC, RDPMC, CPUID, HLT, CLI, STI,
// and the #NM checks of WAIT and the x87 escape (their x87 side: x87.test.ts). Paging through INVLPG and CR writes is in
// ../paging.test.ts, CR semantics in ../control-registers.test.ts.
//
// Programs end with `ud2` (this family's own #UD): the harness reports it
// with EIP at the marker. Registers are set from the test rather than with
// MOV where that keeps the program to this family's instructions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine, descriptor, gateDescriptor } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import {
  CODE, completes, faultsAtStart, NO_ERROR_CODE, rd, runProgram, type Mode, type ProgramOptions, type Run,
} from '../../support/cpu-test.js';
import { Cr0, Cr4, Flag, Reg, Seg, Vector } from '../../../src/cpu/registers.js';
import { SensitiveOp, StopReason, type SystemInterface } from '../../../src/cpu/system-interface.js';
import { HANDLERS, MISSING_HANDLERS } from '../../../src/cpu/dispatch.js';
import { OPCODES } from '../../../src/cpu/opcode-table.js';
import { handlers } from '../../../src/cpu/instructions/system.js';
import { defaultFeatures } from '../../../src/cpu/features.js';

const DATA = 0x5000;

/** Assembles `src` + `ud2` for the mode, runs it and reports the stop, whatever it was. */
function run(src: string, opts: ProgramOptions = {}): Run {
  return runProgram(src, { ...opts, anyStop: true });
}

const zf = (m: HarnessMachine) => (m.cpu.getFlags() & Flag.ZF) !== 0;
const u = (v: number) => v >>> 0;

const GDT = 0x9000;
const TSS = 0x6000;
const LDT = 0x7000;
/** A GDT with one descriptor of each kind the access-checking instructions distinguish. */
const TEST_GDT: [number, number][] = [
  [0, 0],
  descriptor(0, 0xfffff, 0x9b, 0xc), // 0x08 code32 DPL0
  descriptor(0, 0xfffff, 0x93, 0xc), // 0x10 data32 DPL0
  descriptor(0, 0xfffff, 0xfb, 0xc), // 0x18 readable code32 DPL3
  descriptor(0, 0xfffff, 0xf3, 0xc), // 0x20 data32 DPL3
  descriptor(0x1000, 0xfff, 0xf1, 0x4), // 0x28 read-only data DPL3, byte granular
  descriptor(0, 0xfffff, 0xf9, 0xc), // 0x30 execute-only code DPL3
  descriptor(0, 0xfffff, 0x9f, 0xc), // 0x38 conforming readable code DPL0
  descriptor(0, 0xfffff, 0x9d, 0xc), // 0x40 conforming execute-only code DPL0
  descriptor(TSS, 0x67, 0x89, 0x0), // 0x48 available 32-bit TSS DPL0
  descriptor(LDT, 0x17, 0x82, 0x0), // 0x50 LDT DPL0
  gateDescriptor(0x08, 0x1234_5678, 0xc, 3), // 0x58 32-bit call gate DPL3
  gateDescriptor(0x08, 0x1234_5678, 0xe, 3), // 0x60 32-bit interrupt gate DPL3
  descriptor(TSS, 0x67, 0x09, 0x0), // 0x68 32-bit TSS, not present
  descriptor(0, 0xfff, 0x73, 0x4), // 0x70 data DPL3, not present
  descriptor(TSS, 0x2b, 0xe1, 0x0), // 0x78 available 16-bit TSS DPL3
  descriptor(0, 0xfffff, 0xf3, 0x8), // 0x80 data DPL3, 4 KiB granular, 16-bit
  descriptor(TSS, 0x67, 0x8b, 0x0), // 0x88 busy 32-bit TSS DPL0
  descriptor(LDT, 0x17, 0x02, 0x0), // 0x90 LDT, not present
];

function withTestGdt(m: HarnessMachine): void {
  m.installTable(GDT, TEST_GDT);
}

function sensitiveLog(): { log: [SensitiveOp, number][]; m: HarnessMachine } {
  const log: [SensitiveOp, number][] = [];
  const system: Partial<SystemInterface> = { onSensitive: (op, detail) => { log.push([op, detail]); } };
  return { log, m: new HarnessMachine({ system }) };
}

describe('system family table coverage', () => {
  test('every handler the opcode table gives the system family is implemented here', () => {
    const mine = ['G6_Ew', 'G7_Ew', 'LAR_GvEw', 'LSL_GvEw', 'ARPL_EwGw', 'CLTS', 'INVD', 'WBINVD', 'UD2',
      'MOV_RdCd', 'MOV_CdRd', 'MOV_RdDd', 'MOV_DdRd', 'WRMSR', 'RDMSR', 'RDTSC', 'RDPMC', 'CPUID',
      'HLT', 'CLI', 'STI'];
    const inTable = new Set(OPCODES.filter((e) => e !== undefined).map((e) => e!.handler));
    for (const name of mine) {
      assert.ok(inTable.has(name), `${name} is a table handler`);
      assert.equal(HANDLERS[name], handlers[name], `${name} dispatches to the system family`);
    }
    for (const name of Object.keys(handlers)) assert.ok(inTable.has(name), `${name} is in the table`);
    assert.ok(!MISSING_HANDLERS.some((e) => mine.some((n) => e.endsWith(` ${n}`))));
  });
});

describe('privileged instructions', () => {
  const privileged: [string, string][] = [
    ['MOV r32, CR0', 'mov eax, cr0'], ['MOV CR0, r32', 'mov cr0, eax'], ['MOV CR3, r32', 'mov cr3, eax'],
    ['MOV r32, DR7', 'mov eax, dr7'], ['MOV DR7, r32', 'mov dr7, eax'],
    ['CLTS', 'clts'], ['INVD', 'invd'], ['WBINVD', 'wbinvd'], ['WRMSR', 'wrmsr'], ['RDMSR', 'rdmsr'],
    ['HLT', 'hlt'], ['LGDT', `lgdt [${DATA}]`], ['LIDT', `lidt [${DATA}]`], ['LLDT', 'lldt ax'],
    ['LTR', 'ltr ax'], ['LMSW', 'lmsw ax'], ['INVLPG', `invlpg [${DATA}]`],
  ];
  for (const [name, src] of privileged) {
    test(`${name} raises #GP(0) at CPL 3`, () => {
      const r = run(src, { mode: 'pm3', iopl: 3 });
      faultsAtStart(r, Vector.GP, 0);
    });
  }
  for (const [name, src] of privileged.filter(([n]) => !['LLDT', 'LTR'].includes(n))) {
    test(`${name} raises #GP(0) in virtual-8086 mode`, () => {
      faultsAtStart(run(src, { mode: 'v86', iopl: 3 }), Vector.GP, 0);
    });
  }

  test('privileged instructions run in real mode (CPL 0)', () => {
    const m = completes(run(`clts\ninvd\nwbinvd\nmov eax, cr0\nlidt [${DATA}]`, {
      mode: 'real',
      setup: (m) => { m.mem.write(DATA, 2, 0x3ff); m.mem.write(DATA + 2, 4, 0x100); m.cpu.cr0 |= Cr0.TS; },
    }));
    assert.equal(m.cpu.cr0 & Cr0.TS, 0);
    assert.equal(m.cpu.idtrLimit, 0x3ff);
    assert.equal(m.cpu.idtrBase, 0x100);
  });

  test('CLTS clears CR0.TS and nothing else', () => {
    const m = completes(run('clts', { setup: (m) => { m.cpu.cr0 |= Cr0.TS | Cr0.MP; } }));
    assert.equal(u(m.cpu.cr0), Cr0.PE | Cr0.ET | Cr0.MP);
  });

  test('UD2 raises #UD', () => {
    const r = run('');
    assert.equal(r.vector, Vector.UD);
    assert.equal(r.eip, CODE);
  });
});

describe('HLT, CLI, STI', () => {
  test('HLT at CPL 0 with IF=0 halts for good, EIP past the HLT', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('hlt', 32, CODE));
    m.cpu.eip = CODE;
    assert.equal(m.run().reason, StopReason.HaltForever);
    assert.equal(m.cpu.halted, true);
    assert.equal(m.cpu.eip, CODE + 1);
  });

  test('HLT with IF=1 waits for an interrupt', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('hlt', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.flags |= Flag.IF;
    assert.equal(m.run().reason, StopReason.Halt);
  });

  test('HLT in real mode halts', () => {
    const m = new HarnessMachine().realMode(0, CODE);
    m.load(CODE, assemble('hlt', 16, CODE));
    assert.equal(m.run().reason, StopReason.HaltForever);
  });

  test('CLI and STI at CPL 3 need IOPL 3', () => {
    faultsAtStart(run('cli', { mode: 'pm3', iopl: 0 }), Vector.GP, 0);
    faultsAtStart(run('sti', { mode: 'pm3', iopl: 2 }), Vector.GP, 0);
    const m = completes(run('sti', { mode: 'pm3', iopl: 3 }));
    assert.ok((m.cpu.flags & Flag.IF) !== 0);
    const m2 = completes(run('cli', { mode: 'pm3', iopl: 3, setup: (m) => { m.cpu.flags |= Flag.IF; } }));
    assert.equal(m2.cpu.flags & Flag.IF, 0);
  });

  test('CLI at CPL 0 works with IOPL 0', () => {
    const m = completes(run('cli', { iopl: 0, setup: (m) => { m.cpu.flags |= Flag.IF; } }));
    assert.equal(m.cpu.flags & Flag.IF, 0);
  });

  test('CLI and STI in virtual-8086 mode need IOPL 3 (no VME)', () => {
    faultsAtStart(run('cli', { mode: 'v86', iopl: 2 }), Vector.GP, 0);
    faultsAtStart(run('sti', { mode: 'v86', iopl: 0 }), Vector.GP, 0);
    const m = completes(run('sti', { mode: 'v86', iopl: 3 }));
    assert.ok((m.cpu.flags & Flag.IF) !== 0);
  });

  test('CLI and STI in real mode ignore IOPL', () => {
    const m = completes(run('sti', { mode: 'real' }));
    assert.ok((m.cpu.flags & Flag.IF) !== 0);
  });

  test('STI blocks interrupts for one instruction when it sets IF', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('sti\nmov eax, eax\nmov eax, eax\nud2', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.setIntr(true);
    const stop = m.run(100);
    // The interrupt (vector 20h from the harness) is taken after the MOV that follows STI.
    assert.equal(stop.vector, 0x20);
    assert.equal(m.cpu.eip, CODE + 3);
  });

  test('STI with IF already set does not open an interrupt shadow', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('sti\nsti', 32, CODE));
    m.cpu.eip = CODE;
    m.cpu.step();
    assert.equal(m.cpu.interruptShadow, true);
    m.cpu.interruptShadow = false;
    m.cpu.step();
    assert.equal(m.cpu.interruptShadow, false);
  });
});

describe('group 6: SLDT, STR, LLDT, LTR', () => {
  test('SLDT and STR zero-extend into a 32-bit register, keep the upper half of a 16-bit one', () => {
    const m = completes(run('sldt eax\nstr ebx\nsldt cx\nstr dx', {
      setup: (m) => {
        m.cpu.ldtrSel = 0x50; m.cpu.trSel = 0x48;
        m.cpu.regs.fill(0x1234_5678 | 0, 0, 4);
      },
    }));
    assert.equal(m.reg('eax'), 0x50);
    assert.equal(m.reg('ebx'), 0x48);
    assert.equal(m.reg('ecx'), 0x1234_0050);
    assert.equal(m.reg('edx'), 0x1234_0048);
  });

  test('SLDT and STR to memory store 16 bits whatever the operand size', () => {
    const m = completes(run(`sldt [${DATA}]\nstr [${DATA + 4}]`, {
      setup: (m) => { m.cpu.ldtrSel = 0x50; m.cpu.trSel = 0x48; m.mem.write(DATA, 4, -1); m.mem.write(DATA + 4, 4, -1); },
    }));
    assert.equal(rd(m, DATA), 0xffff_0050);
    assert.equal(rd(m, DATA + 4), 0xffff_0048);
  });

  test('SLDT and STR are allowed at CPL 3', () => {
    const m = completes(run('str eax', { mode: 'pm3', setup: (m) => { m.cpu.trSel = 0x48; } }));
    assert.equal(m.reg('eax'), 0x48);
  });

  test('group 6 is not recognized in real mode or virtual-8086 mode', () => {
    for (const src of ['sldt ax', 'str ax', 'lldt ax', 'ltr ax', 'verr ax', 'verw ax']) {
      faultsAtStart(run(src, { mode: 'real' }), Vector.UD, NO_ERROR_CODE);
      faultsAtStart(run(src, { mode: 'v86' }), Vector.UD, NO_ERROR_CODE);
    }
  });

  test('group 6 /6 and /7 are undefined', () => {
    faultsAtStart(run('db 0x0f, 0x00, 0xf0'), Vector.UD, NO_ERROR_CODE);
    faultsAtStart(run('db 0x0f, 0x00, 0xf8'), Vector.UD, NO_ERROR_CODE);
  });

  test('LTR loads TR, marks the TSS busy in the GDT, and STR reads it back', () => {
    const { log, m } = sensitiveLog();
    completes(run('ltr ax\nstr ebx', { machine: m, setup: (m) => { withTestGdt(m); m.cpu.regs[Reg.EAX] = 0x48; } }));
    assert.equal(m.cpu.trSel, 0x48);
    assert.equal(m.cpu.trBase, TSS);
    assert.equal(m.cpu.trLimit, 0x67);
    assert.equal((m.cpu.trAttr >> 8) & 0x1f, 0x0b, 'busy 32-bit TSS in the cache');
    assert.equal(rd(m, GDT + 0x48 + 5, 1), 0x8b, 'busy bit set in memory');
    assert.equal(m.reg('ebx'), 0x48);
    assert.deepEqual(log, [[SensitiveOp.Ltr, 0x48]]);
  });

  test('LTR loads a 16-bit TSS too', () => {
    const m = completes(run('ltr ax', { setup: (m) => { withTestGdt(m); m.cpu.regs[Reg.EAX] = 0x78; } }));
    assert.equal(m.cpu.trSel, 0x78);
    assert.equal(rd(m, GDT + 0x78 + 5, 1), 0xe3);
  });

  const ltrFaults: [string, number, number, number][] = [
    ['a busy TSS', 0x88, Vector.GP, 0x88],
    ['a data segment', 0x10, Vector.GP, 0x10],
    ['an LDT descriptor', 0x50, Vector.GP, 0x50],
    ['a null selector', 0x0003, Vector.GP, 0],
    ['a selector with TI=1', 0x4c, Vector.GP, 0x4c],
    ['a selector past the GDT limit', 0x400, Vector.GP, 0x400],
    ['a TSS that is not present', 0x68, Vector.NP, 0x68],
  ];
  for (const [what, sel, vector, code] of ltrFaults) {
    test(`LTR of ${what} faults with vector ${vector}(${code.toString(16)}) and changes nothing`, () => {
      const r = run('ltr ax', { setup: (m) => { withTestGdt(m); m.cpu.regs[Reg.EAX] = sel; } });
      faultsAtStart(r, vector, code);
      assert.equal(r.m.cpu.trSel, 0);
    });
  }

  test('a second LTR of the same TSS faults because it is now busy', () => {
    const r = run('ltr ax\nltr ax', { setup: (m) => { withTestGdt(m); m.cpu.regs[Reg.EAX] = 0x48; } });
    assert.equal(r.vector, Vector.GP);
    assert.equal(r.errorCode, 0x48);
    assert.equal(r.eip, CODE + 3);
  });

  test('LLDT loads LDTR from an LDT descriptor and makes LDT selectors usable', () => {
    const { log, m } = sensitiveLog();
    completes(run('lldt ax\nsldt ebx\nlar ecx, dx', {
      machine: m,
      setup: (m) => {
        withTestGdt(m);
        const [lo, hi] = descriptor(0, 0xfffff, 0xf3, 0xc);
        m.mem.write(LDT + 8, 4, lo);
        m.mem.write(LDT + 12, 4, hi);
        m.cpu.regs[Reg.EAX] = 0x50;
        m.cpu.regs[Reg.EDX] = 0x0f; // LDT index 1, RPL 3
      },
    }));
    assert.equal(m.cpu.ldtrSel, 0x50);
    assert.equal(m.cpu.ldtrBase, LDT);
    assert.equal(m.cpu.ldtrLimit, 0x17);
    assert.equal(m.reg('ebx'), 0x50);
    assert.equal(m.reg('ecx'), 0x00cf_f300, 'LAR through the new LDT');
    assert.deepEqual(log, [[SensitiveOp.Lldt, 0x50]]);
  });

  test('LLDT with a null selector leaves the LDT invalid without faulting', () => {
    const m = completes(run('lldt ax\nlar ecx, dx', {
      setup: (m) => { withTestGdt(m); m.cpu.ldtrSel = 0x50; m.cpu.regs[Reg.EAX] = 0; m.cpu.regs[Reg.EDX] = 0x0f; },
    }));
    assert.equal(m.cpu.ldtrSel, 0);
    assert.equal(zf(m), false, 'LDT selectors no longer resolve');
  });

  const lldtFaults: [string, number, number, number][] = [
    ['a TSS descriptor', 0x48, Vector.GP, 0x48],
    ['a selector with TI=1', 0x54, Vector.GP, 0x54],
    ['an LDT that is not present', 0x90, Vector.NP, 0x90],
  ];
  for (const [what, sel, vector, code] of lldtFaults) {
    test(`LLDT of ${what} faults with vector ${vector}`, () => {
      faultsAtStart(run('lldt ax', { setup: (m) => { withTestGdt(m); m.cpu.regs[Reg.EAX] = sel; } }), vector, code);
    });
  }
});

describe('LAR, LSL, VERR, VERW', () => {
  // [selector, LAR access rights (32-bit operand) or undefined, LSL limit or undefined, VERR, VERW]
  type Case = [number, number | undefined, number | undefined, boolean, boolean];
  const atCpl3: [string, Case][] = [
    ['writable data DPL 3', [0x23, 0x00cf_f300, 0xffff_ffff, true, true]],
    ['read-only data DPL 3', [0x2b, 0x0040_f100, 0xfff, true, false]],
    ['readable code DPL 3', [0x1b, 0x00cf_fb00, 0xffff_ffff, true, false]],
    ['execute-only code DPL 3', [0x33, 0x00cf_f900, 0xffff_ffff, false, false]],
    ['conforming readable code DPL 0 (no privilege check)', [0x3b, 0x00cf_9f00, 0xffff_ffff, true, false]],
    ['conforming execute-only code DPL 0', [0x43, 0x00cf_9d00, 0xffff_ffff, false, false]],
    ['data DPL 0 (DPL below CPL)', [0x13, undefined, undefined, false, false]],
    ['TSS DPL 0 (DPL below CPL)', [0x4b, undefined, undefined, false, false]],
    ['16-bit TSS DPL 3', [0x7b, 0x0000_e100, 0x2b, false, false]],
    ['call gate DPL 3 (LAR only; bits 23:16 are offset bits)', [0x5b, 0x0034_ec00, undefined, false, false]],
    ['interrupt gate (never valid)', [0x63, undefined, undefined, false, false]],
    ['not-present data (presence is not checked)', [0x73, 0x0040_7300, 0xfff, true, true]],
    ['16-bit data with 4 KiB granularity', [0x83, 0x008f_f300, 0xffff_ffff, true, true]],
    ['null selector', [0x03, undefined, undefined, false, false]],
    ['selector past the GDT limit', [0x403, undefined, undefined, false, false]],
    ['LDT selector with no LDT', [0x0f, undefined, undefined, false, false]],
  ];
  const atCpl0: [string, Case][] = [
    ['32-bit TSS', [0x48, 0x0000_8900, 0x67, false, false]],
    ['busy 32-bit TSS', [0x88, 0x0000_8b00, 0x67, false, false]],
    ['LDT', [0x50, 0x0000_8200, 0x17, false, false]],
    ['data DPL 0 with RPL 3 (RPL above DPL)', [0x13, undefined, undefined, false, false]],
    ['data DPL 0 with RPL 0', [0x10, 0x00cf_9300, 0xffff_ffff, true, true]],
  ];

  for (const [cpl, cases] of [[3, atCpl3], [0, atCpl0]] as const) {
    for (const [what, [sel, rights, limit, readable, writable]] of cases) {
      test(`at CPL ${cpl}: ${what}`, () => {
        const mode: Mode = cpl === 3 ? 'pm3' : 'pm0';
        const setup = (m: HarnessMachine) => {
          withTestGdt(m);
          m.cpu.regs[Reg.EBX] = sel;
          m.cpu.regs[Reg.EAX] = 0xdead_beef | 0;
        };
        let m = completes(run('lar eax, bx', { mode, setup }));
        assert.equal(zf(m), rights !== undefined, 'LAR ZF');
        assert.equal(m.reg('eax'), rights ?? 0xdead_beef, 'LAR destination');
        m = completes(run('lsl eax, bx', { mode, setup }));
        assert.equal(zf(m), limit !== undefined, 'LSL ZF');
        assert.equal(m.reg('eax'), limit ?? 0xdead_beef, 'LSL destination');
        m = completes(run('verr bx', { mode, setup }));
        assert.equal(zf(m), readable, 'VERR');
        m = completes(run('verw bx', { mode, setup }));
        assert.equal(zf(m), writable, 'VERW');
      });
    }
  }

  test('LAR and LSL with a 16-bit operand write only the low word', () => {
    const setup = (m: HarnessMachine) => { withTestGdt(m); m.cpu.regs[Reg.EBX] = 0x23; m.cpu.regs[Reg.EAX] = 0x1234_5678; m.cpu.regs[Reg.ECX] = 0x1234_5678; };
    const m = completes(run('lar ax, bx\nlsl cx, bx', { mode: 'pm3', setup }));
    assert.equal(m.reg('eax'), 0x1234_f300);
    assert.equal(m.reg('ecx'), 0x1234_ffff);
  });

  test('LAR, LSL and VERR read the selector from memory', () => {
    const m = completes(run(`lsl eax, [${DATA}]\nverw [${DATA}]`, {
      mode: 'pm3', setup: (m) => { withTestGdt(m); m.mem.write(DATA, 4, 0xffff_002b); },
    }));
    assert.equal(m.reg('eax'), 0xfff);
    assert.equal(zf(m), false, 'read-only data is not writable');
  });

  test('the other flags are left alone', () => {
    const m = completes(run('lar eax, bx', {
      setup: (m) => { withTestGdt(m); m.cpu.regs[Reg.EBX] = 0x23; m.cpu.setFlags(Flag.CF | Flag.SF | Flag.OF); },
    }));
    assert.equal(m.cpu.getFlags() & (Flag.CF | Flag.SF | Flag.OF | Flag.ZF), Flag.CF | Flag.SF | Flag.OF | Flag.ZF);
  });

  test('LAR, LSL and ARPL are not recognized in real mode or virtual-8086 mode', () => {
    for (const src of ['lar ax, bx', 'lsl ax, bx', 'arpl ax, bx']) {
      faultsAtStart(run(src, { mode: 'real' }), Vector.UD, NO_ERROR_CODE);
      faultsAtStart(run(src, { mode: 'v86' }), Vector.UD, NO_ERROR_CODE);
    }
  });
});

describe('ARPL', () => {
  test('raises the destination RPL to the source RPL and sets ZF', () => {
    const m = completes(run('arpl ax, bx', { setup: (m) => { m.cpu.regs[Reg.EAX] = 0xabcd_0010 | 0; m.cpu.regs[Reg.EBX] = 0x0003; } }));
    assert.equal(m.reg('eax'), 0xabcd_0013);
    assert.equal(zf(m), true);
  });

  test('leaves a destination RPL that is already high enough and clears ZF', () => {
    const m = completes(run('arpl ax, bx', { setup: (m) => { m.cpu.regs[Reg.EAX] = 0x0012; m.cpu.regs[Reg.EBX] = 0x0001; m.cpu.setFlags(Flag.ZF); } }));
    assert.equal(m.reg('eax'), 0x0012);
    assert.equal(zf(m), false);
  });

  test('works on a memory operand at CPL 3', () => {
    const m = completes(run(`arpl [${DATA}], bx`, { mode: 'pm3', setup: (m) => { m.mem.write(DATA, 4, 0x5555_0020); m.cpu.regs[Reg.EBX] = 0x23; } }));
    assert.equal(rd(m, DATA), 0x5555_0023);
    assert.equal(zf(m), true);
  });
});

describe('group 7: SGDT, SIDT, LGDT, LIDT', () => {
  const table = (m: HarnessMachine, at: number, limit: number, base: number) => {
    m.mem.write(at, 2, limit);
    m.mem.write(at + 2, 4, base);
  };

  test('LGDT/LIDT with a 32-bit operand load all 32 base bits; SGDT/SIDT store them back', () => {
    const { log, m } = sensitiveLog();
    completes(run(`lgdt [${DATA}]\nlidt [${DATA + 8}]\nsgdt [${DATA + 16}]\nsidt [${DATA + 24}]`, {
      machine: m, setup: (m) => { table(m, DATA, 0x1234, 0x89ab_cdef); table(m, DATA + 8, 0x07ff, 0xfedc_ba98); },
    }));
    assert.equal(m.cpu.gdtrLimit, 0x1234);
    assert.equal(u(m.cpu.gdtrBase), 0x89ab_cdef);
    assert.equal(m.cpu.idtrLimit, 0x07ff);
    assert.equal(u(m.cpu.idtrBase), 0xfedc_ba98);
    assert.equal(rd(m, DATA + 16, 2), 0x1234);
    assert.equal(rd(m, DATA + 18), 0x89ab_cdef);
    assert.equal(rd(m, DATA + 24, 2), 0x07ff);
    assert.equal(rd(m, DATA + 26), 0xfedc_ba98);
    assert.deepEqual(log, [[SensitiveOp.Lgdt, 0x89ab_cdef | 0], [SensitiveOp.Lidt, 0xfedc_ba98 | 0]]);
  });

  test('LGDT/LIDT with a 16-bit operand load a 24-bit base; SGDT/SIDT store the full 32-bit base', () => {
    const m = completes(run(`o16 lgdt [${DATA}]\no16 lidt [${DATA + 8}]\no16 sgdt [${DATA + 16}]\no16 sidt [${DATA + 24}]`, {
      setup: (m) => {
        table(m, DATA, 0x1234, 0x89ab_cdef); table(m, DATA + 8, 0x07ff, 0xfedc_ba98);
        m.mem.write(DATA + 16, 4, -1); m.mem.write(DATA + 20, 4, -1);
      },
    }));
    assert.equal(u(m.cpu.gdtrBase), 0x00ab_cdef);
    assert.equal(u(m.cpu.idtrBase), 0x00dc_ba98);
    assert.equal(rd(m, DATA + 16, 2), 0x1234);
    assert.equal(rd(m, DATA + 18), 0x00ab_cdef, 'the sixth byte is the base\'s top byte, here 0');
    assert.equal(rd(m, DATA + 22, 2), 0xffff, 'nothing past six bytes');
    assert.equal(rd(m, DATA + 26), 0x00dc_ba98);
  });

  test('16-bit SGDT stores the top base byte when it is not zero', () => {
    const m = completes(run(`o16 sgdt [${DATA}]`, { setup: (m) => { m.cpu.gdtrBase = 0xc012_3456 | 0; m.cpu.gdtrLimit = 0x17; } }));
    assert.equal(rd(m, DATA + 2), 0xc012_3456);
  });

  test('real mode: LGDT with the default 16-bit operand size takes 24 bits, o32 takes 32', () => {
    const m = completes(run(`lgdt [${DATA}]\nsgdt [${DATA + 8}]\no32 lidt [${DATA}]`, {
      mode: 'real', setup: (m) => table(m, DATA, 0x00ff, 0x1234_5678),
    }));
    assert.equal(u(m.cpu.gdtrBase), 0x0034_5678);
    assert.equal(rd(m, DATA + 10), 0x0034_5678);
    assert.equal(u(m.cpu.idtrBase), 0x1234_5678);
  });

  test('SGDT and SIDT are allowed at CPL 3 and in virtual-8086 mode', () => {
    let m = completes(run(`sidt [${DATA}]`, { mode: 'pm3', setup: (m) => { m.cpu.idtrBase = 0x2000; m.cpu.idtrLimit = 0x7ff; } }));
    assert.equal(rd(m, DATA + 2), 0x2000);
    m = completes(run(`sgdt [${DATA}]`, { mode: 'v86', setup: (m) => { m.cpu.gdtrBase = 0x3000; } }));
    assert.equal(rd(m, DATA + 2), 0x3000);
  });

  test('register forms of SGDT, SIDT, LGDT, LIDT and INVLPG are #UD, even at CPL 3', () => {
    for (const reg of [0, 1, 2, 3, 7]) {
      const modrm = 0xc0 | (reg << 3);
      faultsAtStart(run(`db 0x0f, 0x01, ${modrm}`), Vector.UD, NO_ERROR_CODE);
      faultsAtStart(run(`db 0x0f, 0x01, ${modrm}`, { mode: 'pm3' }), Vector.UD, NO_ERROR_CODE);
    }
    faultsAtStart(run('db 0x0f, 0x01, 0x28'), Vector.UD, NO_ERROR_CODE); // group 7 /5
  });

  test('SGDT beyond the segment limit raises #GP(0) and stores nothing', () => {
    const r = run('sgdt [0xfffc]', { mode: 'real', setup: (m) => { m.mem.write(0xfff8, 4, 0); m.mem.write(0xfffc, 4, 0); } });
    faultsAtStart(r, Vector.GP, 0);
    assert.equal(rd(r.m, 0xfffc), 0);
  });
});

describe('group 7: SMSW, LMSW', () => {
  test('SMSW to a 32-bit register stores all of CR0, to a 16-bit register the low word', () => {
    const m = completes(run('smsw eax\nsmsw bx', {
      setup: (m) => { m.cpu.cr0 |= Cr0.WP | Cr0.NE; m.cpu.regs[Reg.EAX] = 0; m.cpu.regs[Reg.EBX] = 0x5555_5555; },
    }));
    assert.equal(m.reg('eax'), u(Cr0.PE | Cr0.ET | Cr0.NE | Cr0.WP));
    assert.equal(m.reg('ebx'), 0x5555_0031);
  });

  test('SMSW to memory stores 16 bits and is allowed at CPL 3', () => {
    const m = completes(run(`smsw [${DATA}]`, { mode: 'pm3', setup: (m) => { m.mem.write(DATA, 4, -1); m.cpu.cr0 |= Cr0.WP; } }));
    assert.equal(rd(m, DATA), 0xffff_0011);
  });

  test('LMSW loads MP, EM and TS but cannot clear PE', () => {
    const { log, m } = sensitiveLog();
    completes(run('lmsw ax', { machine: m, setup: (m) => { m.cpu.regs[Reg.EAX] = 0xfffe; } }));
    assert.equal(u(m.cpu.cr0), Cr0.PE | Cr0.MP | Cr0.EM | Cr0.TS | Cr0.ET, 'bits 4-15 of the source are ignored');
    assert.deepEqual(log, [[SensitiveOp.CrWrite, 0]]);
  });

  test('LMSW clears MP, EM and TS', () => {
    const m = completes(run('lmsw ax', { setup: (m) => { m.cpu.cr0 |= Cr0.MP | Cr0.EM | Cr0.TS; m.cpu.regs[Reg.EAX] = 1; } }));
    assert.equal(u(m.cpu.cr0), Cr0.PE | Cr0.ET);
  });

  test('LMSW in real mode enters protected mode and keeps the segment caches', () => {
    const r = run('lmsw ax', { mode: 'real', setup: (m) => { m.cpu.regs[Reg.EAX] = 1; } });
    // Still 16-bit code from the real-mode CS cache: the ud2 runs as the next instruction.
    completes(r);
    assert.equal(r.m.cpu.cr0 & Cr0.PE, Cr0.PE);
    assert.equal(r.m.cpu.segSel[Seg.CS], 0);
    assert.equal(r.m.cpu.codeSize32, false);
  });
});

describe('MOV to and from control and debug registers', () => {
  test('CR0, CR2, CR3 and CR4 round-trip through general registers', () => {
    const { log, m } = sensitiveLog();
    completes(run('mov cr2, eax\nmov cr3, ebx\nmov cr4, ecx\nmov esi, cr2\nmov edi, cr3\nmov ebp, cr4\nmov edx, cr0', {
      machine: m, setup: (m) => { m.cpu.regs[Reg.EAX] = 0xc000_1234 | 0; m.cpu.regs[Reg.EBX] = 0x0012_3018; m.cpu.regs[Reg.ECX] = Cr4.PSE | Cr4.DE; },
    }));
    assert.equal(m.reg('esi'), 0xc000_1234);
    assert.equal(m.reg('edi'), 0x0012_3018);
    assert.equal(m.reg('ebp'), Cr4.PSE | Cr4.DE);
    assert.equal(m.reg('edx'), u(Cr0.PE | Cr0.ET));
    assert.deepEqual(log, [[SensitiveOp.CrWrite, 2], [SensitiveOp.CrWrite, 3], [SensitiveOp.CrWrite, 4]]);
  });

  test('CR1 and CR5-CR7 are #UD for reads and writes', () => {
    for (const n of [1, 5, 6, 7]) {
      faultsAtStart(run(`db 0x0f, 0x20, ${0xc0 | (n << 3)}`), Vector.UD, NO_ERROR_CODE);
      faultsAtStart(run(`db 0x0f, 0x22, ${0xc0 | (n << 3)}`), Vector.UD, NO_ERROR_CODE);
    }
  });

  test('the ModRM mod bits are ignored: no displacement is fetched and r/m names a register', () => {
    // 0F 20 05 with mod=00 rm=101 would be [disp32] as a memory operand; here it is MOV EBP, CR0.
    const m = completes(run('db 0x0f, 0x20, 0x05'));
    assert.equal(m.reg('ebp'), u(Cr0.PE | Cr0.ET));
  });

  test('the operand size prefix does not matter', () => {
    const m = completes(run('db 0x66, 0x0f, 0x20, 0xc0', { setup: (m) => { m.cpu.cr0 |= Cr0.PG | Cr0.WP; m.cpu.regs[Reg.EAX] = 0; m.enablePaging([0, 1, 2, 3, 4, 5, 6, 7, 8]); } }));
    assert.equal(m.reg('eax'), u(Cr0.PG | Cr0.WP | Cr0.PE | Cr0.ET));
  });

  test('DR0-DR3 round-trip; DR6 and DR7 keep their fixed bits', () => {
    const { log, m } = sensitiveLog();
    completes(run('mov dr0, eax\nmov dr3, eax\nmov dr6, ebx\nmov dr7, ebx\nmov ecx, dr0\nmov edx, dr3\nmov esi, dr6\nmov edi, dr7', {
      machine: m, setup: (m) => { m.cpu.regs[Reg.EAX] = 0x8765_4321 | 0; m.cpu.regs[Reg.EBX] = 0; },
    }));
    assert.equal(m.reg('ecx'), 0x8765_4321);
    assert.equal(m.reg('edx'), 0x8765_4321);
    assert.equal(m.reg('esi'), 0xffff_0ff0);
    assert.equal(m.reg('edi'), 0x0000_0400);
    assert.deepEqual(log.map(([op, n]) => [op, n]), [
      [SensitiveOp.DrWrite, 0], [SensitiveOp.DrWrite, 3], [SensitiveOp.DrWrite, 6], [SensitiveOp.DrWrite, 7]]);
    // All ones except GD (which would make the read back fault).
    completes(run('mov dr6, eax\nmov dr7, eax\nmov ecx, dr6\nmov edx, dr7', { machine: m, setup: (m) => { m.cpu.regs[Reg.EAX] = ~0x2000; } }));
    assert.equal(m.reg('ecx'), u(~0x3000));
    assert.equal(m.reg('edx'), 0xffff_07ff);
  });

  test('DR4 and DR5 alias DR6 and DR7 while CR4.DE is clear', () => {
    const m = completes(run('mov dr4, eax\nmov ebx, dr6\nmov ecx, dr5', { setup: (m) => { m.cpu.regs[Reg.EAX] = 1; } }));
    assert.equal(m.reg('ebx'), 0xffff_0ff1);
    assert.equal(m.reg('ecx'), 0x400);
  });

  test('DR4 and DR5 are #UD with CR4.DE set', () => {
    faultsAtStart(run('mov eax, dr4', { setup: (m) => { m.cpu.cr4 = Cr4.DE; } }), Vector.UD, NO_ERROR_CODE);
    faultsAtStart(run('mov dr5, eax', { setup: (m) => { m.cpu.cr4 = Cr4.DE; } }), Vector.UD, NO_ERROR_CODE);
  });

  test('DR7.GD makes the next debug-register access a #DB fault with DR6.BD set and GD cleared', () => {
    const r = run('mov dr7, eax', { setup: (m) => { m.cpu.dr[7] = 0x2400; m.cpu.regs[Reg.EAX] = 0x400; } });
    faultsAtStart(r, Vector.DB, NO_ERROR_CODE);
    assert.equal(r.m.cpu.dr[6] & 0x2000, 0x2000);
    assert.equal(r.m.cpu.dr[7], 0x400);
  });
});

describe('MSRs', () => {
  const wr = (index: number, lo: number, hi: number) =>
    (m: HarnessMachine) => { m.cpu.regs[Reg.ECX] = index; m.cpu.regs[Reg.EAX] = lo | 0; m.cpu.regs[Reg.EDX] = hi | 0; };

  test('an unimplemented MSR raises #GP(0) on RDMSR and WRMSR', () => {
    for (const index of [0x12345, 0x3a, 0xc000_0080]) {
      faultsAtStart(run('rdmsr', { setup: wr(index, 0, 0) }), Vector.GP, 0);
      faultsAtStart(run('wrmsr', { setup: wr(index, 0, 0) }), Vector.GP, 0);
    }
  });

  const roundTrips: [string, number, number, number][] = [
    ['IA32_SYSENTER_CS', 0x174, 0x0008, 0],
    ['IA32_SYSENTER_ESP', 0x175, 0xc000_8000, 0],
    ['IA32_SYSENTER_EIP', 0x176, 0xc010_0000, 0],
    ['IA32_MISC_ENABLE', 0x1a0, 0x0000_0001, 0],
    ['IA32_PAT', 0x277, 0x0001_0406, 0x0507_0406],
    ['IA32_MTRR_DEF_TYPE', 0x2ff, 0x0000_0c06, 0],
    ['IA32_MTRR_PHYSBASE0', 0x200, 0x0000_0006, 0],
    ['IA32_MTRR_PHYSMASK7', 0x20f, 0xf800_0800, 0xf],
    ['IA32_MTRR_FIX64K_00000', 0x250, 0x0606_0606, 0x0606_0606],
    ['IA32_MTRR_FIX4K_F8000', 0x26f, 0x0505_0505, 0x0505_0505],
    ['PERFEVTSEL1', 0x187, 0x0043_00c0, 0],
    ['IA32_BIOS_SIGN_ID', 0x8b, 0, 0x13],
  ];
  for (const [name, index, lo, hi] of roundTrips) {
    test(`${name} (${index.toString(16)}h) reads back what WRMSR wrote`, () => {
      const { log, m } = sensitiveLog();
      completes(run('wrmsr\nmov eax, 0\nmov edx, 0\nrdmsr', { machine: m, setup: wr(index, lo, hi) }));
      assert.equal(m.reg('eax'), u(lo));
      assert.equal(m.reg('edx'), u(hi));
      assert.deepEqual(log, [[SensitiveOp.Wrmsr, index], [SensitiveOp.Rdmsr, index]]);
    });
  }

  test('the SYSENTER MSRs are the CPU fields SYSENTER uses', () => {
    const m = completes(run('wrmsr', { setup: wr(0x176, 0xc012_3456, 0) }));
    assert.equal(u(m.cpu.sysenterEip), 0xc012_3456);
  });

  test('RESET values: PAT, APIC base, MTRR capabilities', () => {
    let m = completes(run('rdmsr', { setup: wr(0x277, 0, 0) }));
    assert.deepEqual([m.reg('edx'), m.reg('eax')], [0x0007_0406, 0x0007_0406]);
    m = completes(run('rdmsr', { setup: wr(0x1b, 0, 0) }));
    assert.deepEqual([m.reg('edx'), m.reg('eax')], [0, 0xfee0_0900]);
    m = completes(run('rdmsr', { setup: wr(0xfe, 0, 0) }));
    assert.deepEqual([m.reg('edx'), m.reg('eax')], [0, 0x508]);
  });

  test('IA32_APIC_BASE moves the base but keeps the BSP flag', () => {
    const m = completes(run('wrmsr\nrdmsr', { setup: wr(0x1b, 0xfec0_0800, 0) }));
    assert.equal(m.reg('eax'), 0xfec0_0900);
    assert.equal(u(m.cpu.apicBase), 0xfec0_0900);
  });

  const reservedWrites: [string, number, number, number][] = [
    ['IA32_PAT with reserved type 2', 0x277, 0x0007_0402, 0x0007_0406],
    ['IA32_PAT with a reserved bit', 0x277, 0x0007_0406, 0x0007_0416],
    ['IA32_MTRRCAP (read-only)', 0xfe, 0x508, 0],
    ['IA32_MTRR_DEF_TYPE bit 9', 0x2ff, 0x200, 0],
    ['IA32_MTRR_PHYSBASE0 above MAXPHYADDR', 0x200, 0, 0x10],
    ['IA32_APIC_BASE bit 0', 0x1b, 0xfee0_0901, 0],
    ['IA32_PLATFORM_ID (read-only)', 0x17, 0, 0],
  ];
  for (const [what, index, lo, hi] of reservedWrites) {
    test(`WRMSR to ${what} raises #GP(0)`, () => {
      faultsAtStart(run('wrmsr', { setup: wr(index, lo, hi) }), Vector.GP, 0);
    });
  }

  test('an MTRR write invalidates the TLB', () => {
    const m = new HarnessMachine();
    completes(run('wrmsr', { machine: m, setup: (mm) => { mm.cpu.tlb.set(0x123, 0x5000 | 1, true); wr(0x200, 6, 0)(mm); } }));
    assert.equal(m.cpu.tlb.entries[0x123], 0);
  });

  test('P6 performance counters: 32 bits written, sign-extended to 40; RDPMC reads them', () => {
    const m = completes(run('wrmsr\nrdmsr\nmov ebx, eax\nmov esi, edx\nmov ecx, 0\nrdpmc', { setup: wr(0xc1, 0x8000_0001, 0x1234) }));
    assert.equal(m.reg('ebx'), 0x8000_0001);
    assert.equal(m.reg('esi'), 0xff);
    assert.equal(m.reg('eax'), 0x8000_0001);
    assert.equal(m.reg('edx'), 0xff);
  });
});

describe('RDTSC and RDPMC', () => {
  test('RDTSC counts retired instructions: two reads three instructions apart differ by 3', () => {
    const m = completes(run('rdtsc\nmov ebx, eax\nmov esi, edx\nrdtsc'));
    const first = m.reg('esi') * 2 ** 32 + m.reg('ebx');
    const second = m.reg('edx') * 2 ** 32 + m.reg('eax');
    assert.equal(second - first, 3);
  });

  test('RDTSC is EDX:EAX = instructions + tscOffset as a 64-bit number', () => {
    const m = completes(run('rdtsc', { setup: (m) => { m.cpu.tscOffset = 0x1_0000_0000 - m.cpu.instructions + 0x10; } }));
    assert.equal(m.reg('edx'), 1);
    assert.equal(m.reg('eax'), 0x10);
  });

  test('writing the TSC makes RDTSC continue from the value; P6 clears bits 63:32 on a write', () => {
    const m = completes(run('wrmsr\nmov ebx, ebx\nrdtsc', { setup: (m) => { m.cpu.regs[Reg.ECX] = 0x10; m.cpu.regs[Reg.EAX] = 1000; m.cpu.regs[Reg.EDX] = 7; } }));
    assert.equal(m.reg('edx'), 0);
    assert.equal(m.reg('eax'), 1002);
  });

  test('RDMSR of the TSC agrees with RDTSC', () => {
    const m = completes(run('rdmsr\nmov ebx, eax\nrdtsc', { setup: (m) => { m.cpu.regs[Reg.ECX] = 0x10; } }));
    assert.equal(m.reg('eax') - m.reg('ebx'), 2);
  });

  test('the TSC is zero after RESET', () => {
    const m = new HarnessMachine();
    m.cpu.instructions = 12345;
    m.cpu.reset();
    assert.equal(m.cpu.instructions + m.cpu.tscOffset, 0);
  });

  test('RDTSC at CPL 3 works unless CR4.TSD is set', () => {
    completes(run('rdtsc', { mode: 'pm3' }));
    faultsAtStart(run('rdtsc', { mode: 'pm3', setup: (m) => { m.cpu.cr4 = Cr4.TSD; } }), Vector.GP, 0);
    faultsAtStart(run('rdtsc', { mode: 'v86', setup: (m) => { m.cpu.cr4 = Cr4.TSD; } }), Vector.GP, 0);
    completes(run('rdtsc', { mode: 'pm0', setup: (m) => { m.cpu.cr4 = Cr4.TSD; } }));
    completes(run('rdtsc', { mode: 'real', setup: (m) => { m.cpu.cr4 = Cr4.TSD; } }));
  });

  test('RDPMC at CPL 3 needs CR4.PCE; a counter other than 0 or 1 is #GP(0)', () => {
    faultsAtStart(run('rdpmc', { mode: 'pm3', setup: (m) => { m.cpu.regs[Reg.ECX] = 0; } }), Vector.GP, 0);
    completes(run('rdpmc', { mode: 'pm3', setup: (m) => { m.cpu.cr4 = Cr4.PCE; m.cpu.regs[Reg.ECX] = 1; } }));
    faultsAtStart(run('rdpmc', { setup: (m) => { m.cpu.regs[Reg.ECX] = 2; } }), Vector.GP, 0);
  });
});

describe('CPUID', () => {
  const cpuid = (leaf: number, mode: Mode = 'pm0') => {
    const m = completes(run('cpuid', { mode, setup: (m) => { m.cpu.regs[Reg.EAX] = leaf | 0; m.cpu.regs[Reg.ECX] = 0; } }));
    return [m.reg('eax'), m.reg('ebx'), m.reg('ecx'), m.reg('edx')];
  };
  const text = (...dwords: number[]) => Buffer.from(Uint32Array.from(dwords).buffer).toString('latin1');
  const f = defaultFeatures();

  test('leaf 0: highest basic leaf 2 and the vendor string in EBX, EDX, ECX', () => {
    const [a, b, c, d] = cpuid(0);
    assert.equal(a, 2);
    assert.equal(text(b, d, c), 'GenuineIntel');
  });

  test('leaf 1: the signature and exactly the features in features.ts', () => {
    const [a, b, c, d] = cpuid(1);
    assert.equal(a, f.signature);
    assert.equal(b, 8 << 8, 'CLFLUSH line size 64 bytes (EBX[15:8] in 8-byte units), nothing else');
    assert.equal(c, f.ecx >>> 0);
    assert.equal(d, f.edx >>> 0);
    assert.equal(d & 1, 1, 'the x87 FPU');
    // MMX (23), FXSR (24), SSE (25), SSE2 (26), CLFSH (19): implemented in instructions/simd-*.ts.
    assert.equal((d >>> 19) & 1, 1);
    assert.equal((d >>> 23) & 0xf, 0xf);
    assert.equal(c & 1, 0, 'no SSE3');
  });

  test('leaf 2: one iteration of Pentium II cache descriptors', () => {
    const [a, , , d] = cpuid(2);
    assert.equal(a & 0xff, 1);
    assert.equal(a, 0x0302_0101);
    assert.equal(d, 0x0c04_0843);
  });

  test('extended leaves: the highest is 8000_0004h and they spell the brand string', () => {
    assert.deepEqual(cpuid(0x8000_0000), [0x8000_0004, 0, 0, 0]);
    assert.deepEqual(cpuid(0x8000_0001), [0, 0, 0, 0]);
    const brand = [2, 3, 4].map((i) => text(...cpuid(0x8000_0000 + i))).join('');
    assert.equal(brand.length, 48);
    assert.equal(brand.replace(/\0+$/, ''), f.brand);
  });

  test('leaves above the highest basic or extended leaf return the highest basic leaf', () => {
    const leaf2 = cpuid(2);
    assert.deepEqual(cpuid(3), leaf2);
    assert.deepEqual(cpuid(0x4000_0000), leaf2);
    assert.deepEqual(cpuid(0x8000_0005), leaf2);
    assert.deepEqual(cpuid(0xffff_ffff), leaf2);
  });

  test('CPUID works at CPL 3 and in real mode and reports the leaf', () => {
    assert.deepEqual(cpuid(1, 'pm3'), cpuid(1));
    assert.deepEqual(cpuid(0, 'real'), cpuid(0));
    const { log, m } = sensitiveLog();
    completes(run('cpuid', { machine: m, setup: (m) => { m.cpu.regs[Reg.EAX] = 1; } }));
    assert.deepEqual(log, [[SensitiveOp.Cpuid, 1]]);
  });
});

describe('WAIT and the x87 escape', () => {
  test('WAIT raises #NM only when CR0.MP and CR0.TS are both set', () => {
    faultsAtStart(run('wait', { setup: (m) => { m.cpu.cr0 |= Cr0.MP | Cr0.TS; } }), Vector.NM, NO_ERROR_CODE);
    completes(run('wait', { setup: (m) => { m.cpu.cr0 |= Cr0.TS; } }));
    completes(run('wait', { setup: (m) => { m.cpu.cr0 |= Cr0.MP | Cr0.EM; } }));
  });

  test('x87 instructions raise #NM with CR0.EM or CR0.TS (the rest: x87.test.ts)', () => {
    for (const src of ['fninit', 'fld st0', `fld dword [${DATA}]`, `fnstsw [${DATA}]`, 'fnstsw ax', 'fadd st0, st1']) {
      faultsAtStart(run(src, { setup: (m) => { m.cpu.cr0 |= Cr0.EM; } }), Vector.NM, NO_ERROR_CODE);
      faultsAtStart(run(src, { setup: (m) => { m.cpu.cr0 |= Cr0.TS; } }), Vector.NM, NO_ERROR_CODE);
    }
  });
});

describe('INVD, WBINVD', () => {
  test('run as no-ops at CPL 0', () => {
    completes(run('invd\nwbinvd'));
  });
});

describe('sensitive operations reach the system interface', () => {
  test('HLT reports', () => {
    const { log, m } = sensitiveLog();
    m.protectedMode(0);
    m.load(CODE, assemble('hlt', 32, CODE));
    m.cpu.eip = CODE;
    m.run();
    assert.deepEqual(log, [[SensitiveOp.Hlt, 0]]);
  });

  test('INVLPG reports the linear address, CLTS a CR0 write', () => {
    const { log, m } = sensitiveLog();
    completes(run(`invlpg [ebx+0x10]\nclts`, { machine: m, setup: (m) => { m.cpu.regs[Reg.EBX] = 0x4000; } }));
    assert.deepEqual(log, [[SensitiveOp.Invlpg, 0x4010], [SensitiveOp.CrWrite, 0]]);
  });

  test('a faulting privileged instruction reports nothing', () => {
    const { log, m } = sensitiveLog();
    run('mov cr0, eax', { machine: m, mode: 'pm3' });
    assert.deepEqual(log, []);
  });
});
