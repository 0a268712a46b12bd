// Where the XMM registers live: the CPU's state block in the machine's
// WebAssembly memory (state-block.ts StateWord.XMM), so WebAssembly regions
// read and write them where the interpreter does; a CPU without an area in
// that memory keeps them in a plain array and runs SSE2 code the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cpu } from '../../../src/cpu/cpu.js';
import { CPU_STATE_OFFSET, PhysicalMemory } from '../../../src/cpu/physical-memory.js';
import { Cr0, Cr4, Reg, Seg, Vector } from '../../../src/cpu/registers.js';
import { StateWord } from '../../../src/cpu/state-block.js';
import { NullSystem, StopReason } from '../../../src/cpu/system-interface.js';
import { assemble } from '../../support/asm.js';

/** A CPU on `mem` that stops at its first exception, interpreter only. */
function cpuOn(mem: PhysicalMemory): Cpu {
  const base = new NullSystem();
  return new Cpu({
    memory: mem,
    translator: false,
    system: { ioRead: (p, s) => base.ioRead(p, s), ioWrite: () => {}, acknowledgeInterrupt: () => 0x20, interceptException: () => true },
  });
}

test('XMM registers are words of the state block in the WebAssembly memory, after the general registers', () => {
  const mem = new PhysicalMemory({ ramBytes: 1 << 20 });
  const cpu = cpuOn(mem);
  assert.ok(cpu.areaBase >= 0 && mem.wasmMemory !== null);
  assert.equal(cpu.sse.xmm.buffer, mem.wasmMemory.buffer);
  const words = new Int32Array(mem.wasmMemory.buffer, cpu.areaBase + CPU_STATE_OFFSET, StateWord.XMM + 32);
  cpu.sse.xmm[4 * 3 + 2] = 0x1234_5678;
  assert.equal(words[StateWord.XMM + 4 * 3 + 2], 0x1234_5678);
  assert.equal((cpu.areaBase + CPU_STATE_OFFSET + StateWord.XMM * 4) % 16, 0, 'XMM0 is 16-byte aligned');
  cpu.regs.fill(-1);
  cpu.reset();
  assert.deepEqual([...cpu.sse.xmm], new Array(32).fill(0));
});

test('a CPU with no area in the WebAssembly memory keeps its XMM registers in a plain array and runs SSE2 code', () => {
  const mem = new PhysicalMemory({ ramBytes: 1 << 20 });
  // The memory has room for four CPU areas; the fifth CPU gets plain arrays.
  const cpus = Array.from({ length: 5 }, () => cpuOn(mem));
  const cpu = cpus[4]!;
  assert.equal(cpu.areaBase, -1);
  assert.notEqual(cpu.sse.xmm.buffer, mem.wasmMemory!.buffer);
  assert.equal(cpu.sse.xmm.length, 32);
  // Real mode at 0000:1000, data at 2000h: XMM1 = [2000h] + [2010h] bytewise, stored at 2020h; EAX = its byte mask.
  const code = assemble('movdqu xmm1, [0x2000]\nmovdqu xmm2, [0x2010]\npaddb xmm1, xmm2\nmovdqu [0x2020], xmm1\npmovmskb eax, xmm1', 16, 0x1000);
  mem.load(0x1000, Uint8Array.from([...code, 0x0f, 0x0b])); // ud2 ends it
  mem.load(0x2000, Uint8Array.from({ length: 32 }, (_, i) => (i < 16 ? 0x70 + i : 0x10)));
  cpu.cr4 |= Cr4.OSFXSR;
  cpu.cr0 &= ~Cr0.EM;
  cpu.segBase[Seg.CS] = 0;
  cpu.segSel[Seg.CS] = 0;
  cpu.eip = 0x1000;
  assert.equal(cpu.run(100), StopReason.Exception);
  assert.equal(cpu.interceptedEvent.vector, Vector.UD);
  assert.equal(cpu.eip, 0x1000 + code.length, 'stopped at the ud2');
  const out = Array.from({ length: 16 }, (_, i) => mem.backing[0x2020 + i]);
  assert.deepEqual(out, Array.from({ length: 16 }, (_, i) => 0x80 + i));
  assert.equal(cpu.regs[Reg.EAX], 0xffff);
  assert.equal(cpu.sse.xmm[4] >>> 0, 0x8382_8180);
});
