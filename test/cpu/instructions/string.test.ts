// String family: MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE,
// 16- and 32-bit addressing, DF = 1, faults in the middle of a REP, and the
// resume path that lets interrupts in between chunks of a long REP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import {
  bytes, CODE, completes, DATA16_USER, faultsAtStart, rd, runProgram, type Run, type Setup,
} from '../../support/cpu-test.js';
import { Flag, Reg, Seg, Vector } from '../../../src/cpu/registers.js';
import { StopReason } from '../../../src/cpu/system-interface.js';

/** Flat 32-bit protected mode at `cpl`, with room in the budget for long REPs. */
function run32(src: string, setup?: Setup, cpl: 0 | 3 = 0, m?: HarnessMachine): Run {
  return runProgram(src, { mode: cpl === 3 ? 'pm3' : 'pm0', setup, machine: m, budget: 100_000 });
}

/** Deterministic pseudo-random bytes. */
function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; out[i] = x >>> 24; }
  return out;
}

function setRegs(m: HarnessMachine, regs: Partial<Record<'eax' | 'ecx' | 'esi' | 'edi' | 'edx', number>>): void {
  const index = { eax: Reg.EAX, ecx: Reg.ECX, edx: Reg.EDX, esi: Reg.ESI, edi: Reg.EDI };
  for (const [k, v] of Object.entries(regs)) m.cpu.regs[index[k as keyof typeof index]] = v!;
}

describe('MOVS', () => {
  test('single MOVSB/MOVSW/MOVSD copy and step ESI/EDI by the element size', () => {
    const m = completes(run32('movsb\nmovsw\nmovsd', (h) => {
      h.load(0x3000, [1, 2, 3, 4, 5, 6, 7]);
      setRegs(h, { esi: 0x3000, edi: 0x5000 });
    }));
    assert.deepEqual(bytes(m, 0x5000, 8), [1, 2, 3, 4, 5, 6, 7, 0]);
    assert.equal(m.reg('esi'), 0x3007);
    assert.equal(m.reg('edi'), 0x5007);
  });

  test('DF = 1 steps backwards', () => {
    const m = completes(run32('std\nmovsd\nmovsb', (h) => {
      h.load(0x3000, [1, 2, 3, 4, 5, 6, 7, 8]);
      setRegs(h, { esi: 0x3004, edi: 0x5004 });
    }));
    assert.deepEqual(bytes(m, 0x5000, 8), [1, 0, 0, 0, 5, 6, 7, 8]);
    assert.equal(m.reg('esi'), 0x3004 - 5);
    assert.equal(m.reg('edi'), 0x5004 - 5);
  });

  test('REP MOVSD copies across pages (unaligned) and leaves ECX = 0', () => {
    const data = pattern(0x3000);
    const m = completes(run32('rep movsd', (h) => {
      h.load(0x20001, data);
      setRegs(h, { esi: 0x20001, edi: 0x30ffe, ecx: 0x3000 / 4 });
    }));
    assert.deepEqual(Uint8Array.from(bytes(m, 0x30ffe, 0x3000)), data);
    assert.equal(m.reg('ecx'), 0);
    assert.equal(m.reg('esi'), 0x23001);
    assert.equal(m.reg('edi'), 0x33ffe);
  });

  test('REP MOVSB with DF = 1 copies backwards', () => {
    const data = pattern(300);
    const m = completes(run32('std\nrep movsb', (h) => {
      h.load(0x20000, data);
      setRegs(h, { esi: 0x20000 + 299, edi: 0x30000 + 299, ecx: 300 });
    }));
    assert.deepEqual(Uint8Array.from(bytes(m, 0x30000, 300)), data);
    assert.equal(m.reg('esi'), 0x20000 - 1);
    assert.equal(m.reg('edi'), 0x30000 - 1);
  });

  test('overlapping REP MOVS replicates element by element (not memmove)', () => {
    for (const [size, insn, distance] of [[1, 'rep movsb', 1], [2, 'rep movsw', 1], [4, 'rep movsd', 2], [4, 'rep movsd', 4]] as const) {
      const src = Array.from({ length: 64 }, (_, i) => i + 1);
      // Reference: element-wise forward copy, each element read whole before it is written.
      const ref = [...src];
      const count = 8;
      for (let e = 0; e < count; e++) {
        const s = e * size, d = distance + e * size;
        const element = ref.slice(s, s + size);
        for (let i = 0; i < size; i++) ref[d + i] = element[i];
      }
      const m = completes(run32(insn, (h) => {
        h.load(0x20000, src);
        setRegs(h, { esi: 0x20000, edi: 0x20000 + distance, ecx: count });
      }));
      assert.deepEqual(bytes(m, 0x20000, 64), ref, `${insn} with distance ${distance}`);
    }
  });

  test('16-bit addressing (0x67): SI, DI and CX wrap at 16 bits and keep their upper halves', () => {
    const m = completes(run32('a16 rep movsw', (h) => {
      h.load(0xfffe, [0x11, 0x22]);
      h.load(0x0000, [0x33, 0x44]);
      setRegs(h, { esi: 0x1234fffe, edi: 0x56782000, ecx: 0xabcd0002 });
    }));
    assert.deepEqual(bytes(m, 0x2000, 4), [0x11, 0x22, 0x33, 0x44]);
    assert.equal(m.reg('esi'), 0x12340002);
    assert.equal(m.reg('edi'), 0x56782004);
    assert.equal(m.reg('ecx'), 0xabcd0000);
  });

  test('a source segment override applies; the destination stays ES', () => {
    const m = new HarnessMachine({ data16Base: 0x20000 });
    const r = completes(run32(`mov ax, ${DATA16_USER}\nmov fs, ax\nfs movsb`, (h) => {
      h.load(0x20010, [0x99]);
      h.load(0x10, [0x11]);
      setRegs(h, { esi: 0x10, edi: 0x3000 });
    }, 0, m));
    assert.equal(rd(r, 0x3000, 1), 0x99);
    assert.equal(r.cpu.segBase[Seg.ES], 0);
  });

  test('REP with ECX = 0 does nothing', () => {
    const m = completes(run32('rep movsb', (h) => { h.load(0x3000, [7]); setRegs(h, { esi: 0x3000, edi: 0x5000, ecx: 0 }); }));
    assert.equal(rd(m, 0x5000, 1), 0);
    assert.equal(m.reg('esi'), 0x3000);
  });

  test('REPNE (F2) acts as REP for MOVS', () => {
    const m = completes(run32('repne movsb', (h) => { h.load(0x3000, [1, 2, 3]); setRegs(h, { esi: 0x3000, edi: 0x5000, ecx: 3 }); }));
    assert.deepEqual(bytes(m, 0x5000, 3), [1, 2, 3]);
  });
});

describe('REP faults and resumption', () => {
  test('a #PF in the middle of REP STOSD leaves ECX/EDI at the faulting iteration and EIP at the instruction', () => {
    const r = run32('rep stosd', (h) => {
      h.enablePaging([CODE >>> 12, 7, 0x10]);
      setRegs(h, { eax: 0xa5a5a5a5, edi: 0x10ff8, ecx: 4 });
    });
    faultsAtStart(r, Vector.PF);
    assert.equal(r.m.cpu.cr2, 0x11000);
    assert.equal(r.m.reg('ecx'), 2);
    assert.equal(r.m.reg('edi'), 0x11000);
    assert.equal(rd(r.m, 0x10ff8), 0xa5a5a5a5);
    assert.equal(rd(r.m, 0x10ffc), 0xa5a5a5a5);
  });

  test('a #PF on the source of REP MOVSB stops with ESI/EDI/ECX at the faulting byte', () => {
    const r = run32('rep movsb', (h) => {
      h.enablePaging([CODE >>> 12, 7, 0x10, 0x20]);
      h.load(0x10ffd, [1, 2, 3]);
      setRegs(h, { esi: 0x10ffd, edi: 0x20000, ecx: 10 });
    });
    faultsAtStart(r, Vector.PF);
    assert.equal(r.m.cpu.cr2, 0x11000);
    assert.equal(r.m.reg('ecx'), 7);
    assert.equal(r.m.reg('esi'), 0x11000);
    assert.equal(r.m.reg('edi'), 0x20003);
    assert.deepEqual(bytes(r.m, 0x20000, 4), [1, 2, 3, 0]);
  });

  test('a long REP runs in chunks: after one chunk EIP points back at the prefixes', () => {
    const m = new HarnessMachine().protectedMode(0);
    const code = assemble('a16 rep stosb\nud2', 32, CODE);
    m.load(CODE, code);
    m.cpu.eip = CODE;
    setRegs(m, { eax: 0x5a, edi: 0xabcd4000, ecx: 10000 });
    m.cpu.step();
    const left = m.reg('ecx');
    assert.ok(left > 0 && left < 10000, `one chunk ran (ECX = ${left})`);
    assert.equal(m.reg('edi'), 0xabcd4000 + 10000 - left);
    assert.equal(m.cpu.eip, CODE, 'restarts at the first prefix');
    const stop = m.run(1000);
    assert.equal(stop.vector, Vector.UD);
    assert.equal(m.reg('ecx'), 0);
    assert.equal(m.reg('edi'), 0xabcd4000 + 10000);
    assert.ok(bytes(m, 0x4000, 10000).every((b) => b === 0x5a));
    assert.equal(rd(m, 0x4000 + 10000, 1), 0);
  });

  test('an interrupt is taken between chunks of a long REP, which then resumes', () => {
    const m = new HarnessMachine().protectedMode(0);
    m.load(CODE, assemble('rep movsb\nud2', 32, CODE));
    m.cpu.eip = CODE;
    m.load(0x100000, pattern(20000));
    setRegs(m, { esi: 0x100000, edi: 0x200000, ecx: 20000 });
    m.cpu.setFlags(Flag.IF);
    m.cpu.step();
    const left = m.reg('ecx');
    m.cpu.setIntr(true);
    const stop = m.run(1000);
    assert.equal(stop.reason, StopReason.Exception);
    assert.equal(stop.vector, 0x20, 'the external interrupt (vector from the harness PIC stand-in)');
    assert.equal(m.cpu.eip, CODE, 'the REP is still pending, to resume after the interrupt');
    // Cpu.run() executes one more instruction after an intercepted interrupt, so ECX may
    // have moved on by one chunk; it must still be mid-copy.
    assert.ok(m.reg('ecx') > 0 && m.reg('ecx') <= left);
    m.cpu.setIntr(false);
    const end = m.run(1000);
    assert.equal(end.vector, Vector.UD);
    assert.deepEqual(Uint8Array.from(bytes(m, 0x200000, 20000)), pattern(20000));
  });
});

describe('STOS and LODS', () => {
  test('STOSB/STOSW/STOSD store AL/AX/EAX', () => {
    const m = completes(run32('stosb\nstosw\nstosd', (h) => setRegs(h, { eax: 0x44332211, edi: 0x5000 })));
    assert.deepEqual(bytes(m, 0x5000, 8), [0x11, 0x11, 0x22, 0x11, 0x22, 0x33, 0x44, 0]);
    assert.equal(m.reg('edi'), 0x5007);
  });

  test('REP STOSD with DF = 1 fills downwards across a page boundary', () => {
    const m = completes(run32('std\nrep stosd', (h) => setRegs(h, { eax: 0x01020304, edi: 0x21008, ecx: 1000 })));
    for (let i = 0; i < 1000; i++) assert.equal(rd(m, 0x21008 - 4 * i), 0x01020304);
    assert.equal(rd(m, 0x21008 - 4000), 0);
    assert.equal(rd(m, 0x2100c), 0);
    assert.equal(m.reg('edi'), 0x21008 - 4000);
  });

  test('REP STOSW with 16-bit addressing in real mode wraps DI inside the segment', () => {
    const m = new HarnessMachine().realMode(0, CODE);
    m.load(CODE, assemble('mov ax, 0x2000\nmov es, ax\nmov ax, 0xbeef\nrep stosw\nud2', 16, CODE));
    setRegs(m, { edi: 0xfffc, ecx: 4 });
    const stop = m.run(100);
    assert.equal(stop.vector, Vector.UD);
    assert.equal(rd(m, 0x2fffc), 0xbeefbeef);
    assert.equal(rd(m, 0x20000), 0xbeefbeef);
    assert.equal(rd(m, 0x30000, 2), 0);
    assert.equal(m.reg('edi'), 4);
  });

  test('LODS loads AL/AX/EAX and steps ESI; REP LODS leaves the last element', () => {
    const m = completes(run32('lodsb\nmov bl, al\nlodsw\nmov cx, ax\nlodsd\nmov edx, eax\nmov ecx, 3\nrep lodsb', (h) => {
      h.load(0x3000, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      setRegs(h, { esi: 0x3000 });
    }));
    assert.equal(m.reg('ebx') & 0xff, 1);
    assert.equal(m.reg('edx'), 0x07060504);
    assert.equal(m.reg('eax'), 0x0706050a);
    assert.equal(m.reg('esi'), 0x300a);
    assert.equal(m.reg('ecx'), 0);
  });
});

describe('CMPS and SCAS', () => {
  const flagsOf = (m: HarnessMachine): number => m.cpu.getFlags() & (Flag.CF | Flag.ZF | Flag.SF | Flag.OF);

  test('without REP, DF = 1 steps LODS, STOS, SCAS and CMPS backwards', () => {
    const m = completes(run32('std\nlodsw\nstosb\nscasb\nsetz bl\ncmpsd', (h) => {
      h.load(0x300e, [0x01, 0x00, 0x34, 0x12]);
      h.load(0x500e, [0x02, 0x34, 0x00, 0x12]);
      setRegs(h, { eax: 0xaaaa_0000, esi: 0x3010, edi: 0x5010 });
    }));
    assert.equal(m.reg('eax'), 0xaaaa_1234, 'LODSW read [0x3010]');
    assert.equal(rd(m, 0x5010, 1), 0x34, 'STOSB stored at [0x5010]');
    assert.equal(m.reg('ebx') & 0xff, 1, 'SCASB compared AL with [0x500f]: equal');
    assert.equal(m.reg('esi'), 0x300a);
    assert.equal(m.reg('edi'), 0x500a);
    assert.equal(flagsOf(m), Flag.CF | Flag.SF, 'CMPSD: 0x12340001 - 0x12343402');
  });

  test('without REP, 16-bit addressing (0x67) wraps SI and DI both ways and keeps their upper halves', () => {
    const m = completes(run32('a16 lodsb\nmov ecx, esi\na16 stosw\na16 scasb\nsetz bl\nstd\na16 cmpsb\nmov edx, esi\na16 lodsb', (h) => {
      h.load(0xffff, [0x5a]);
      h.load(0x0000, [0x5a, 0xaa]);
      setRegs(h, { eax: 0xaaaa_aa00, esi: 0x1234_ffff, edi: 0x5678_fffe });
    }));
    assert.equal(m.reg('ecx'), 0x1234_0000, 'LODSB: SI 0xffff wraps up to 0');
    assert.deepEqual(bytes(m, 0xfffe, 2), [0x5a, 0xaa], 'STOSW stored AX at [0xfffe]; DI wraps to 0');
    assert.equal(m.reg('ebx') & 0xff, 1, 'SCASB compared AL with [0x0000]: equal; DI = 1');
    assert.equal(m.reg('edx'), 0x1234_ffff, 'CMPSB with DF = 1: SI 0 wraps down to 0xffff');
    assert.equal(m.reg('eax'), 0xaaaa_aaaa, 'LODSB read [0xffff] as STOSW left it');
    assert.equal(m.reg('esi'), 0x1234_fffe);
    assert.equal(m.reg('edi'), 0x5678_0000);
    assert.equal(flagsOf(m), Flag.CF | Flag.SF | Flag.OF, 'CMPSB: [0x0000] 0x5a - [0x0001] 0xaa');
  });

  test('REPE CMPSB stops after the first difference with ECX, ESI, EDI and flags from it', () => {
    const m = completes(run32('repe cmpsb', (h) => {
      h.load(0x3000, [...Buffer.from('abcdef')]);
      h.load(0x4000, [...Buffer.from('abcxef')]);
      setRegs(h, { esi: 0x3000, edi: 0x4000, ecx: 6 });
    }));
    assert.equal(m.reg('ecx'), 2);
    assert.equal(m.reg('esi'), 0x3004);
    assert.equal(m.reg('edi'), 0x4004);
    assert.equal(flagsOf(m), Flag.CF | Flag.SF, "'d' - 'x': borrow, negative");
  });

  test('REPE CMPSD over equal strings runs to ECX = 0 with ZF = 1', () => {
    const m = completes(run32('repe cmpsd', (h) => {
      h.load(0x3000, pattern(64));
      h.load(0x4000, pattern(64));
      setRegs(h, { esi: 0x3000, edi: 0x4000, ecx: 16 });
    }));
    assert.equal(m.reg('ecx'), 0);
    assert.equal(flagsOf(m) & Flag.ZF, Flag.ZF);
  });

  test('REPNE CMPSW with DF = 1 stops at the first equal element', () => {
    const m = completes(run32('std\nrepne cmpsw', (h) => {
      h.load(0x3000, [1, 0, 2, 0, 3, 0, 4, 0]);
      h.load(0x4000, [9, 0, 2, 0, 8, 0, 7, 0]);
      setRegs(h, { esi: 0x3006, edi: 0x4006, ecx: 4 });
    }));
    assert.equal(m.reg('ecx'), 1);
    assert.equal(m.reg('esi'), 0x3000);
    assert.equal(flagsOf(m), Flag.ZF);
  });

  test('CMPS compares source minus destination: flags of 0x80 - 0x01 as bytes', () => {
    const m = completes(run32('cmpsb', (h) => {
      h.load(0x3000, [0x80]);
      h.load(0x4000, [0x01]);
      setRegs(h, { esi: 0x3000, edi: 0x4000 });
    }));
    assert.equal(flagsOf(m), Flag.OF, '0x80 - 1 = 0x7f: signed overflow, no borrow');
  });

  test('REP CMPS with ECX = 0 leaves the flags alone', () => {
    const m = completes(run32('stc\nrepe cmpsb', (h) => setRegs(h, { esi: 0x3000, edi: 0x4000, ecx: 0 })));
    assert.equal(flagsOf(m), Flag.CF);
  });

  test('REPNE SCASB finds a terminator (strlen idiom)', () => {
    const m = completes(run32('repne scasb', (h) => {
      h.load(0x3000, [...Buffer.from('hello\0')]);
      setRegs(h, { eax: 0xffffff00, edi: 0x3000, ecx: -1 });
    }));
    assert.equal(m.reg('ecx'), (-1 - 6) >>> 0);
    assert.equal(m.reg('edi'), 0x3006);
    assert.equal(flagsOf(m) & Flag.ZF, Flag.ZF);
  });

  test('REPE SCASD skips equal dwords; SCASW compares AX', () => {
    const m = completes(run32('repe scasd', (h) => {
      h.mem.write(0x3000, 4, 0x12345678); h.mem.write(0x3004, 4, 0x12345678); h.mem.write(0x3008, 4, 0x12345679);
      setRegs(h, { eax: 0x12345678, edi: 0x3000, ecx: 5 });
    }));
    assert.equal(m.reg('ecx'), 2);
    assert.equal(m.reg('edi'), 0x300c);
    assert.equal(flagsOf(m), Flag.CF | Flag.SF);
    const w = completes(run32('scasw', (h) => { h.mem.write(0x3000, 2, 0x5678); setRegs(h, { eax: 0xffff5678, edi: 0x3000 }); }));
    assert.equal(flagsOf(w), Flag.ZF);
    assert.equal(w.reg('edi'), 0x3002);
  });
});

describe('INS and OUTS', () => {
  function ioMachine(log: string[], input: () => number): HarnessMachine {
    return new HarnessMachine({
      system: {
        ioRead: (port, size) => { log.push(`in ${port.toString(16)}/${size}`); return input(); },
        ioWrite: (port, size, v) => { log.push(`out ${port.toString(16)}/${size}=${(v >>> 0).toString(16)}`); },
      },
    });
  }

  test('REP INSW reads the port into ES:EDI', () => {
    const log: string[] = [];
    let next = 0x1000;
    const m = ioMachine(log, () => next++);
    const r = completes(run32('rep insw', (h) => setRegs(h, { edx: 0x1f0, edi: 0x5000, ecx: 3 }), 0, m));
    assert.deepEqual(log, ['in 1f0/2', 'in 1f0/2', 'in 1f0/2']);
    assert.equal(rd(r, 0x5000, 2), 0x1000);
    assert.equal(rd(r, 0x5004, 2), 0x1002);
    assert.equal(r.reg('edi'), 0x5006);
  });

  test('INSD and INSB with DF = 1', () => {
    const log: string[] = [];
    const m = ioMachine(log, () => 0xa1b2c3d4);
    const r = completes(run32('std\ninsd\ninsb', (h) => setRegs(h, { edx: 0x80, edi: 0x5004 }), 0, m));
    assert.deepEqual(log, ['in 80/4', 'in 80/1']);
    assert.equal(rd(r, 0x5004), 0xa1b2c3d4);
    assert.equal(rd(r, 0x5000, 1), 0xd4);
    assert.equal(r.reg('edi'), 0x4fff);
  });

  test('REP OUTSB writes DS:ESI to the port; a segment override applies', () => {
    const log: string[] = [];
    const m = ioMachine(log, () => 0);
    const r = completes(run32('rep outsb\nmov esi, 0x3000\nes outsd', (h) => {
      h.load(0x3000, [...Buffer.from('hi!'), 0x00]);
      setRegs(h, { edx: 0x3f8, esi: 0x3000, ecx: 3 });
    }, 0, m));
    assert.deepEqual(log, ['out 3f8/1=68', 'out 3f8/1=69', 'out 3f8/1=21', 'out 3f8/4=216968']);
    assert.equal(r.reg('esi'), 0x3004);
  });

  test('a #PF on the INS destination happens before the port is read', () => {
    const log: string[] = [];
    const m = ioMachine(log, () => 0x77);
    const r = run32('rep insb', (h) => {
      h.enablePaging([CODE >>> 12, 7, 0x10]);
      setRegs(h, { edx: 0x60, edi: 0x10ffe, ecx: 5 });
    }, 0, m);
    faultsAtStart(r, Vector.PF);
    assert.equal(log.length, 2, 'two bytes read, none lost to the faulting iteration');
    assert.equal(r.m.reg('ecx'), 3);
    assert.equal(r.m.reg('edi'), 0x11000);
  });

  test('at CPL 3 with IOPL 0, INS/OUTS consult the TSS I/O bitmap before any iteration', () => {
    const log: string[] = [];
    const m = ioMachine(log, () => 0);
    const tss = (h: HarnessMachine, deny: number): void => {
      // A 32-bit TSS at 0x40000 whose map (at +0x68) allows every port but `deny`.
      h.mem.load(0x40000, new Uint8Array(0x68 + 0x2001));
      h.mem.write(0x40000 + 0x66, 2, 0x68);
      h.mem.write(0x40000 + 0x68 + (deny >> 3), 1, 1 << (deny & 7));
      h.mem.write(0x40000 + 0x68 + 0x2000, 1, 0xff);
      h.cpu.trBase = 0x40000;
      h.cpu.trLimit = 0x68 + 0x2000;
      h.cpu.trAttr = 0x8b00;
    };
    const denied = run32('rep outsb', (h) => { tss(h, 0x3f8); setRegs(h, { edx: 0x3f8, esi: 0x3000, ecx: 3 }); }, 3, m);
    faultsAtStart(denied, Vector.GP, 0);
    assert.equal(denied.m.reg('ecx'), 3);
    assert.deepEqual(log, []);
    const allowed = completes(run32('rep insb', (h) => { tss(h, 0x3f8); setRegs(h, { edx: 0x3f9, edi: 0x5000, ecx: 2 }); }, 3, m));
    assert.equal(allowed.reg('ecx'), 0);
    assert.deepEqual(log, ['in 3f9/1', 'in 3f9/1']);
  });
});
