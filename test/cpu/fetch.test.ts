/**
 * Instruction fetch (cpu.ts fetch8 … fetch32): bytes come from the page the
 * linear address maps to, one page at a time, and every byte of the
 * instruction must lie within the CS limit (SDM Vol. 3A §5.3: #GP(0) at the
 * instruction, nothing of it done).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../tools/cpu-harness.js';
import { Reg, Seg, Vector } from '../../src/cpu/registers.js';

const MOV_EAX_IMM32 = 0xb8;

function machine(): HarnessMachine {
  const m = new HarnessMachine({ translator: false });
  m.protectedMode(0);
  return m;
}

test('an imm32 across a page end is read from both pages as mapped, not from the physical bytes after the first', () => {
  const m = machine();
  m.enablePaging([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Linear page 5 maps to physical page 9; physical page 5 holds decoys.
  const pte = m.cpu.cr3 + 0x1000 + 5 * 4; // the harness puts the first page table right after the directory
  m.mem.write(pte, 4, (m.mem.read(pte, 4) & 0xfff) | 0x9000);
  m.cpu.flushTlb(true);
  m.load(0x5000, [0xee, 0xee, 0xee]);
  m.load(0x9000, [0x22, 0x33, 0x44]);
  // Two NOPs first, so that the MOV's bytes are fetched with page 4 already the page fetched from.
  m.load(0x4ffc, [0x90, 0x90, MOV_EAX_IMM32, 0x11]);
  m.load(0x9003, [0x0f, 0x0b]); // UD2 after the MOV, at linear 0x5003
  m.cpu.eip = 0x4ffc;
  assert.equal(m.run(10).vector, Vector.UD);
  assert.equal(m.reg('eax'), 0x44332211);
  assert.equal(m.cpu.eip, 0x5003);
});

test('an imm32 whose last byte is past the CS limit faults at the instruction; one ending at the limit runs', () => {
  // Within one page, after two NOPs that make it the page fetched from.
  for (const [start, faults] of [[0x27fd, false], [0x27fe, false], [0x27ff, true]] as const) {
    const m = machine();
    m.cpu.segLimit[Seg.CS] = 0x2802;
    m.load(start - 2, [0x90, 0x90, MOV_EAX_IMM32, 0x11, 0x22, 0x33, 0x44]);
    m.cpu.regs[Reg.EAX] = 0x55;
    m.cpu.eip = start - 2;
    assert.equal(m.run(2).vector, -1);
    const stop = m.run(1);
    if (faults) {
      assert.equal(stop.vector, Vector.GP, `at ${start.toString(16)}`);
      assert.equal(stop.errorCode, 0);
      assert.equal(m.cpu.eip, start, 'EIP at the instruction');
      assert.equal(m.reg('eax'), 0x55, 'EAX untouched');
    } else {
      assert.equal(stop.vector, -1, `at ${start.toString(16)}`);
      assert.equal(m.reg('eax'), 0x44332211);
      assert.equal(m.cpu.eip, start + 5);
    }
  }
});
