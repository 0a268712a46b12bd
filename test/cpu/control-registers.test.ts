// Control registers: what MOV to CR0/CR3/CR4 checks and changes (SDM Vol. 2
// "MOV—Move to/from Control Registers", Vol. 3A §2.5, §4.4.1, §4.10.4.1).
// TLB effects on translations are in paging.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../tools/cpu-harness.js';
import { CODE, completes, faultsAtStart, runProgram, type Run, type Setup } from '../support/cpu-test.js';
import { Cr0, Cr4, Reg, Seg, Vector } from '../../src/cpu/registers.js';
import { Cpu } from '../../src/cpu/cpu.js';
import { PhysicalMemory } from '../../src/cpu/physical-memory.js';
import { NullSystem } from '../../src/cpu/system-interface.js';
import { defaultFeatures, Feature } from '../../src/cpu/features.js';
import { cr4Writable, writeCr0, writeCr3, writeCr4 } from '../../src/cpu/control-registers.js';
import { SegOk } from '../../src/cpu/segments.js';

const DATA = 0x5000;
const u = (v: number) => v >>> 0;

function run(src: string, setup?: Setup, mode: 'pm0' | 'real' = 'pm0', m?: HarnessMachine): Run {
  return runProgram(src, { mode, setup, machine: m, budget: 1000 });
}

const setEax = (v: number) => (m: HarnessMachine) => { m.cpu.regs[Reg.EAX] = v | 0; };

describe('CR0', () => {
  test('ET reads as 1 whatever is written (hardwired on the P6 family)', () => {
    const m = completes(run('mov cr0, eax\nmov ebx, cr0', setEax(Cr0.PE)));
    assert.equal(m.reg('ebx'), Cr0.PE | Cr0.ET);
  });

  test('reserved bits are ignored and read as 0', () => {
    const reserved = 0x1ffa_ffc0; // bits 6-15, 17, 19-28
    const m = completes(run('mov cr0, eax\nmov ebx, cr0', setEax(Cr0.PE | Cr0.NE | reserved)));
    assert.equal(m.reg('ebx'), Cr0.PE | Cr0.ET | Cr0.NE);
  });

  test('every defined bit can be set and cleared', () => {
    const bits = Cr0.MP | Cr0.EM | Cr0.TS | Cr0.NE | Cr0.WP | Cr0.AM | Cr0.NW | Cr0.CD;
    const m = completes(run('mov cr0, eax\nmov ebx, cr0', setEax(Cr0.PE | bits)));
    assert.equal(m.reg('ebx'), u(Cr0.PE | Cr0.ET | bits));
  });

  test('PG without PE raises #GP(0) and leaves CR0 alone', () => {
    const r = run('mov cr0, eax', setEax(Cr0.PG | Cr0.ET));
    faultsAtStart(r, Vector.GP, 0);
    assert.equal(u(r.m.cpu.cr0), Cr0.PE | Cr0.ET);
  });

  test('NW without CD raises #GP(0)', () => {
    faultsAtStart(run('mov cr0, eax', setEax(Cr0.PE | Cr0.NW)), Vector.GP, 0);
  });

  test('clearing PE returns to real mode with every segment cache as it was', () => {
    const r = run('mov cr0, eax', (m) => {
      m.cpu.regs[Reg.EAX] = Cr0.ET;
      m.cpu.segAttr[Seg.FS] = 0; // a null selector loaded in protected mode: unusable there
      m.cpu.segOk[Seg.FS] = 0;
    });
    const m = completes(r);
    const cpu = m.cpu;
    assert.equal(cpu.protectedMode, false);
    assert.equal(cpu.segSel[Seg.CS], 0x08, 'CS selector kept');
    assert.equal(cpu.segLimit[Seg.CS], 0xffff_ffff, 'CS limit kept');
    assert.equal(cpu.segAttr[Seg.CS] & 0xffff, 0x9b00, 'CS attributes kept');
    assert.equal(cpu.segOk[Seg.FS], SegOk.Read | SegOk.Write, 'real mode ignores the attributes');
    // The ud2 after the MOV was decoded as 16-bit code: no longer CS.D-sized in real mode.
    assert.equal(cpu.codeSize32, false);
  });

  test('setting PE from real mode keeps CS and runs on with the real-mode caches', () => {
    const r = run(`mov cr0, eax\nsmsw [${DATA}]`, setEax(Cr0.PE | Cr0.ET), 'real');
    const m = completes(r);
    assert.equal(m.cpu.protectedMode, true);
    assert.equal(m.cpu.cpl, 0);
    assert.equal(m.cpu.segSel[Seg.CS], 0);
    assert.equal(m.mem.read(DATA, 2), Cr0.PE | Cr0.ET, 'data access through the real-mode DS cache');
    assert.equal(m.cpu.segOk[Seg.DS], SegOk.Read | SegOk.Write);
  });

  test('writing CR0 from real mode is allowed (CPL 0)', () => {
    const m = completes(run('mov cr0, eax\nmov ebx, cr0', setEax(Cr0.ET | Cr0.CD | Cr0.NW), 'real'));
    assert.equal(m.reg('ebx'), u(Cr0.ET | Cr0.CD | Cr0.NW));
  });
});

describe('CR3', () => {
  test('keeps the base, PWT and PCD (and bits 11:5, the PAE PDPT address); reserved bits 2:0 read as 0', () => {
    const m = completes(run('mov cr3, eax\nmov ebx, cr3', setEax(0x0012_3fff)));
    assert.equal(m.reg('ebx'), 0x0012_3ff8);
  });

  test('a write drops non-global TLB entries and keeps global ones', () => {
    const m = completes(run('mov cr3, eax', (m) => {
      m.cpu.regs[Reg.EAX] = 0x20_0000;
      m.cpu.tlb.set(0x111, 0x7000 | 1, false);
      m.cpu.tlb.set(0x222, 0x8000 | 1, true);
    }));
    assert.equal(m.cpu.tlb.entries[0x111], 0);
    assert.notEqual(m.cpu.tlb.entries[0x222], 0);
  });

  const PDPT = 0x20_0000;
  /** PDPT at PDPT: entry 0 maps the code page (so fetches keep working), entry 1 is `pdpte`. */
  const paeSetup = (pdpte: [number, number], enablePaging: boolean) => (m: HarnessMachine) => {
    m.mem.write(0x20_1000, 4, 0x20_2000 | 7); // PD[0] → PT
    m.mem.write(0x20_2000 + 8, 4, 0x1000 | 7); // PT[1] → the code page
    m.mem.write(PDPT, 4, 0x20_1000 | 1);
    m.mem.write(PDPT + 8, 4, pdpte[0]);
    m.mem.write(PDPT + 12, 4, pdpte[1]);
    m.mem.write(0x21_0000, 4, 0x20_1000 | 1); // the PDPT CR3 holds before the test's MOV
    m.cpu.cr4 = Cr4.PAE;
    if (enablePaging) {
      m.cpu.cr3 = 0x21_0000;
      m.cpu.cr0 |= Cr0.PG;
      m.cpu.flushTlb(true);
    }
    m.cpu.regs[Reg.EAX] = PDPT;
  };

  test('with PAE paging on, a PDPTE with a reserved bit makes MOV CR3 raise #GP(0)', () => {
    for (const bad of [[0x30_0000 | 1 | 2, 0], [0x30_0000 | 1 | 0x100, 0], [0x30_0000 | 1, 0x10]] as [number, number][]) {
      const r = run('mov cr3, eax', paeSetup(bad, true));
      faultsAtStart(r, Vector.GP, 0);
      assert.equal(r.m.cpu.cr3, 0x21_0000, 'CR3 unchanged');
    }
  });

  test('a not-present PDPTE may hold anything', () => {
    completes(run('mov cr3, eax', paeSetup([0xffff_fffe | 0, -1], true)));
  });

  test('PDPTEs are not checked while paging is off', () => {
    completes(run('mov cr3, eax', paeSetup([0x30_0000 | 1 | 2, 0], false)));
  });

  test('enabling PAE paging through CR0 checks the PDPTEs', () => {
    const r = run('mov cr3, eax\nmov cr0, ebx', (m) => {
      paeSetup([0x30_0000 | 1 | 4, 0], false)(m);
      m.cpu.regs[Reg.EBX] = (m.cpu.cr0 | Cr0.PG);
    });
    assert.equal(r.vector, Vector.GP);
    assert.equal(r.eip, CODE + 3);
    assert.equal(r.m.cpu.cr0 & Cr0.PG, 0);
  });

  test('setting CR4.PAE with paging on checks the PDPTEs', () => {
    const m = new HarnessMachine().protectedMode(0).enablePaging([0, 1, 2, 3, 4, 5, 6, 7]);
    m.mem.write(0x3000, 4, 0x30_0000 | 1 | 0x20);
    m.cpu.cr3 = 0x3000;
    assert.throws(() => writeCr4(m.cpu, Cr4.PAE), (e: unknown) => (e as { vector: number }).vector === Vector.GP);
    assert.equal(m.cpu.cr4, 0);
  });
});

describe('CR4', () => {
  test('the bits of reported features can be set and read back', () => {
    const bits = Cr4.TSD | Cr4.DE | Cr4.PSE | Cr4.PAE | Cr4.PGE | Cr4.PCE | Cr4.OSFXSR | Cr4.OSXMMEXCPT;
    const m = completes(run('mov cr4, eax\nmov ebx, cr4', setEax(bits)));
    assert.equal(m.reg('ebx'), bits);
  });

  const reserved: [string, number][] = [
    ['VME (CPUID reports no VME)', Cr4.VME], ['PVI', Cr4.PVI], ['MCE (no MCE)', Cr4.MCE],
    ['bit 11', 1 << 11],
    ['bit 13 (VMXE)', 1 << 13], ['bit 31', 1 << 31],
  ];
  for (const [what, bit] of reserved) {
    test(`setting ${what} raises #GP(0)`, () => {
      const r = run('mov cr4, eax', setEax(Cr4.PSE | bit));
      faultsAtStart(r, Vector.GP, 0);
      assert.equal(r.m.cpu.cr4, 0);
    });
  }

  test('the writable CR4 bits follow the CPUID features', () => {
    const features = { ...defaultFeatures(), edx: defaultFeatures().edx | Feature.VME };
    const cpu = new Cpu({ memory: new PhysicalMemory({ ramBytes: 1 << 20 }), system: new NullSystem(), features });
    assert.equal(cr4Writable(cpu) & (Cr4.VME | Cr4.PVI), Cr4.VME | Cr4.PVI);
    writeCr4(cpu, Cr4.VME);
    assert.equal(cpu.cr4, Cr4.VME);
    const plain = new Cpu({ memory: new PhysicalMemory({ ramBytes: 1 << 20 }), system: new NullSystem() });
    assert.equal(cr4Writable(plain), Cr4.TSD | Cr4.DE | Cr4.PSE | Cr4.PAE | Cr4.PGE | Cr4.PCE | Cr4.OSFXSR | Cr4.OSXMMEXCPT);
    const noSimd = { ...defaultFeatures(), edx: defaultFeatures().edx & ~(Feature.FXSR | Feature.SSE) };
    const old = new Cpu({ memory: new PhysicalMemory({ ramBytes: 1 << 20 }), system: new NullSystem(), features: noSimd });
    assert.equal(cr4Writable(old) & (Cr4.OSFXSR | Cr4.OSXMMEXCPT), 0, 'OSFXSR needs FXSR, OSXMMEXCPT needs SSE');
  });

  test('changing PSE, PAE or PGE drops every TLB entry, global ones too; other bits drop none', () => {
    const m = new HarnessMachine().protectedMode(0);
    const cpu = m.cpu;
    for (const bit of [Cr4.PSE, Cr4.PAE, Cr4.PGE]) {
      cpu.tlb.set(0x222, 0x8000 | 1, true);
      writeCr4(cpu, cpu.cr4 ^ bit);
      assert.equal(cpu.tlb.entries[0x222], 0);
    }
    cpu.tlb.set(0x333, 0x8000 | 1, false);
    writeCr4(cpu, cpu.cr4 | Cr4.TSD | Cr4.DE);
    assert.notEqual(cpu.tlb.entries[0x333], 0);
  });
});

describe('CR0 and the TLB', () => {
  test('changing PG, WP or PE drops every entry; TS, MP, EM, CD drop none', () => {
    const m = new HarnessMachine().protectedMode(0).enablePaging([0, 1, 2, 3, 4, 5, 6, 7]);
    const cpu = m.cpu;
    for (const bit of [Cr0.WP, Cr0.PG]) {
      cpu.tlb.set(0x222, 0x8000 | 1, true);
      writeCr0(cpu, cpu.cr0 ^ bit);
      assert.equal(cpu.tlb.entries[0x222], 0);
    }
    cpu.tlb.set(0x222, 0x8000 | 1, true);
    writeCr0(cpu, cpu.cr0 ^ Cr0.PE);
    assert.equal(cpu.tlb.entries[0x222], 0);
    cpu.tlb.set(0x333, 0x8000 | 1, false);
    writeCr0(cpu, cpu.cr0 | Cr0.TS | Cr0.MP | Cr0.EM | Cr0.CD);
    assert.notEqual(cpu.tlb.entries[0x333], 0);
  });

  test('writeCr3 with paging off stores and flushes', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.cpu.tlb.set(0x444, 0x8000 | 1, false);
    writeCr3(m.cpu, 0x5000);
    assert.equal(m.cpu.cr3, 0x5000);
    assert.equal(m.cpu.tlb.entries[0x444], 0);
  });
});
