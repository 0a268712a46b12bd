// I/O family: IN/OUT with immediate and DX ports in all sizes, and the
// protection check of SDM Vol. 1 §19.5 (IOPL, then the TSS I/O permission
// bit map) shared with INS/OUTS.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../tools/cpu-harness.js';
import { completes, faultsAtStart, runProgram, type Mode, type Run, type Setup } from '../../support/cpu-test.js';
import { Flag, Reg, Vector } from '../../../src/cpu/registers.js';
import { CpuException } from '../../../src/cpu/exception.js';
import { checkIoPermission } from '../../../src/cpu/instructions/io.js';

const TSS = 0x40000;
const MAP = 0x68;

interface IoRun extends Run { log: string[] }

/** A machine whose ports log every access; reads return 0x12345678 masked to size. */
function ioMachine(log: string[]): HarnessMachine {
  return new HarnessMachine({
    system: {
      ioRead: (port, size) => {
        log.push(`in ${port.toString(16)}/${size}`);
        return size === 4 ? 0x12345678 : size === 2 ? 0x5678 : 0x78;
      },
      ioWrite: (port, size, v) => { log.push(`out ${port.toString(16)}/${size}=${(v >>> 0).toString(16)}`); },
    },
  });
}

function run(mode: Mode, src: string, setup?: Setup): IoRun {
  const log: string[] = [];
  return { ...runProgram(src, { mode, setup, machine: ioMachine(log), budget: 1000 }), log };
}

function gpAtStart(r: IoRun): void {
  faultsAtStart(r, Vector.GP, 0);
  assert.deepEqual(r.log, [], 'no port was accessed');
}

/**
 * Builds a 32-bit TSS at TSS whose I/O map at +0x68 covers ports up to
 * `ports` (plus the trailing 0xFF byte), with the given ports denied.
 */
function tss(m: HarnessMachine, deny: number[], options: { ports?: number; limit?: number; mapBase?: number; attr?: number } = {}): void {
  const ports = options.ports ?? 0x10000;
  const mapBase = options.mapBase ?? MAP;
  m.mem.load(TSS, new Uint8Array(MAP + 0x2001 + 16));
  m.mem.write(TSS + 0x66, 2, mapBase);
  for (const port of deny) {
    const at = TSS + mapBase + (port >> 3);
    m.mem.write(at, 1, m.mem.read(at, 1) | (1 << (port & 7)));
  }
  m.mem.write(TSS + mapBase + ports / 8, 1, 0xff);
  m.cpu.trBase = TSS;
  m.cpu.trLimit = options.limit ?? mapBase + ports / 8;
  m.cpu.trAttr = options.attr ?? 0x8b00;
}

describe('IN and OUT', () => {
  test('immediate-port forms in 8, 16 and 32 bits', () => {
    const r = run('pm0', 'in al, 0x60\nmov ebx, eax\nin ax, 0x61\nmov ecx, eax\nin eax, 0x62\nout 0x80, al\nout 0x81, ax\nout 0x82, eax',
      (h) => { h.cpu.regs[Reg.EAX] = 0xaabbccdd; });
    const m = completes(r);
    assert.equal(m.reg('ebx'), 0xaabbcc78);
    assert.equal(m.reg('ecx'), 0xaabb5678);
    assert.equal(m.reg('eax'), 0x12345678);
    assert.deepEqual(r.log, ['in 60/1', 'in 61/2', 'in 62/4', 'out 80/1=78', 'out 81/2=5678', 'out 82/4=12345678']);
  });

  test('DX-port forms use the full 16-bit port number', () => {
    const r = run('pm0', 'in al, dx\nin ax, dx\nin eax, dx\nout dx, al\nout dx, ax\nout dx, eax',
      (h) => { h.cpu.regs[Reg.EDX] = 0xffff03f8; });
    completes(r);
    assert.deepEqual(r.log, ['in 3f8/1', 'in 3f8/2', 'in 3f8/4', 'out 3f8/1=78', 'out 3f8/2=5678', 'out 3f8/4=12345678']);
  });

  test('real mode has no I/O protection', () => {
    const r = run('real', 'in al, 0x60\nout 0x61, al');
    completes(r);
    assert.deepEqual(r.log, ['in 60/1', 'out 61/1=78']);
  });

  test('CPL 0 needs no bitmap even when IOPL is 0', () => {
    const r = run('pm0', 'in al, 0x60', (h) => tss(h, [0x60]));
    completes(r);
  });

  test('CPL 3 with IOPL 3 needs no bitmap', () => {
    const r = run('pm3', 'in al, 0x60', (h) => { h.cpu.setFlags(Flag.IOPL); h.cpu.trLimit = 0; });
    completes(r);
    assert.deepEqual(r.log, ['in 60/1']);
  });
});

describe('the I/O permission bit map', () => {
  test('CPL 3 with IOPL 0 may access ports whose bits are clear', () => {
    const r = run('pm3', 'in al, 0x60\nout 0x64, al\nmov dx, 0x3f8\nin eax, dx', (h) => tss(h, [0x61, 0x3fc]));
    completes(r);
    assert.deepEqual(r.log, ['in 60/1', 'out 64/1=78', 'in 3f8/4']);
  });

  test('a set bit raises #GP(0) before the port is touched', () => {
    gpAtStart(run('pm3', 'in al, 0x61', (h) => tss(h, [0x61])));
    gpAtStart(run('pm3', 'out 0x61, al', (h) => tss(h, [0x61])));
  });

  test('every byte of a multi-byte access is checked, across a map byte boundary', () => {
    gpAtStart(run('pm3', 'in eax, dx', (h) => { tss(h, [0x3fb]); h.cpu.regs[Reg.EDX] = 0x3f8; }));
    gpAtStart(run('pm3', 'in ax, dx', (h) => { tss(h, [0x400]); h.cpu.regs[Reg.EDX] = 0x3ff; }));
    completes(run('pm3', 'in ax, dx', (h) => { tss(h, [0x401]); h.cpu.regs[Reg.EDX] = 0x3ff; }));
  });

  test('ports beyond the map (or its second byte beyond the TSS limit) are denied', () => {
    // Map covers ports 0..0x3ff: port 0x400's byte is the trailing 0xFF.
    gpAtStart(run('pm3', 'in al, dx', (h) => { tss(h, [], { ports: 0x400 }); h.cpu.regs[Reg.EDX] = 0x400; }));
    completes(run('pm3', 'in al, dx', (h) => { tss(h, [], { ports: 0x400 }); h.cpu.regs[Reg.EDX] = 0x3f0; }));
    // The processor always reads two bytes: the last map byte alone at the limit is not enough.
    gpAtStart(run('pm3', 'in al, dx', (h) => {
      tss(h, [], { ports: 0x400, limit: MAP + 0x7f });
      h.cpu.regs[Reg.EDX] = 0x3f8;
    }));
    completes(run('pm3', 'in al, dx', (h) => {
      tss(h, [], { ports: 0x400, limit: MAP + 0x80 });
      h.cpu.regs[Reg.EDX] = 0x3f8;
    }));
  });

  test('a map base at or beyond the TSS limit means no map: every port is denied', () => {
    gpAtStart(run('pm3', 'in al, 0x60', (h) => tss(h, [], { mapBase: 0x2100, limit: 0x2100 })));
    gpAtStart(run('pm3', 'in al, 0x60', (h) => tss(h, [], { limit: 0x60 })));
  });

  test('a 16-bit TSS has no map', () => {
    gpAtStart(run('pm3', 'in al, 0x60', (h) => tss(h, [], { attr: 0x8300 })));
  });

  test('virtual-8086 mode consults the map whatever the IOPL', () => {
    gpAtStart(run('v86', 'in al, 0x61', (h) => { tss(h, [0x61]); h.cpu.flags |= Flag.IOPL; }));
    const r = run('v86', 'in al, 0x60\nout 0x60, al', (h) => { tss(h, [0x61]); h.cpu.flags |= Flag.IOPL; });
    completes(r);
    assert.deepEqual(r.log, ['in 60/1', 'out 60/1=78']);
  });

  test('checkIoPermission is exported for INS/OUTS and throws #GP(0) values', () => {
    const m = new HarnessMachine().protectedMode(3);
    tss(m, [0x70]);
    assert.doesNotThrow(() => checkIoPermission(m.cpu, 0x71, 1));
    assert.throws(() => checkIoPermission(m.cpu, 0x6e, 4), (e: unknown) =>
      e instanceof CpuException && e.vector === Vector.GP && e.errorCode === 0);
  });
});
