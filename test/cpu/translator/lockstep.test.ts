/**
 * Lockstep over the project's test kernels: every block is run by the
 * interpreter and by its translation from the same state, and the results
 * must agree. The checker itself is checked: a wrong emitter is caught.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Vm } from '../../../src/vmm/vm.js';
import { mapBios } from '../../../src/boot/bios.js';
import { loadMultiboot } from '../../../src/boot/multiboot.js';
import type { Emitter, TranslatorOptions, WasmEmitter } from '../../../src/cpu/translator/index.js';
import { Op } from '../../../src/cpu/translator/wasm/module-builder.js';
import { HarnessMachine } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';

const GUESTS = fileURLToPath(new URL('../../../../build/guests/', import.meta.url));
const PASS_STATUS = 33;

async function lockstep(image: string, kind: 'bios' | 'kernel', backend: 'js' | 'wasm', cmdline = image) {
  let output = '';
  const vm = new Vm({
    memBytes: 32 << 20,
    output: (b) => { output += Buffer.from(b).toString('latin1'); },
    time: { kind: 'instructions' },
    jit: { lockstep: true, hotThreshold: 0, backend },
  });
  const bytes = new Uint8Array(readFileSync(GUESTS + image));
  if (kind === 'bios') { mapBios(vm.memory, bytes, image); vm.cpu.reset(); }
  else loadMultiboot(vm.cpu, vm.memory, bytes, image, cmdline);
  const result = await vm.run(50_000_000);
  return { result, output, checker: vm.cpu.translator!.lockstep! };
}

const KERNELS = ['realmode', 'pmode', 'segments', 'paging', 'user', 'v86', 'tasks', 'gates', 'pae', 'sysenter', 'interrupts', 'timer', 'apic'];
for (const backend of ['js', 'wasm'] as const) for (const name of KERNELS) {
  test(`lockstep (${backend} regions): test kernel ${name} shows no divergence`, { skip: existsSync(`${GUESTS}${name}.bin`) ? false : `${name}.bin not built: run scripts/build-guests.sh` }, async () => {
    const { result, output, checker } = await lockstep(`${name}.bin`, 'bios', backend);
    assert.equal(checker.divergence, undefined, JSON.stringify(checker.divergence, null, 1));
    assert.ok(checker.checked > 20, `only ${checker.checked} blocks checked`);
    assert.match(output, new RegExp(`PASS ${name}`), output);
    assert.equal(result.status, PASS_STATUS, result.message);
  });
}

for (const backend of ['js', 'wasm'] as const) {
  test(`lockstep (${backend} regions): the compute kernel (CRC-32 and a sieve) shows no divergence`, { skip: existsSync(`${GUESTS}compute.elf`) ? false : 'compute.elf not built: run scripts/build-guests.sh' }, async () => {
    const { result, checker } = await lockstep('compute.elf', 'kernel', backend, 'compute.elf rounds=1');
    assert.equal(checker.divergence, undefined, JSON.stringify(checker.divergence, null, 1));
    assert.ok(checker.checked > 1000);
    assert.equal(result.status, PASS_STATUS, result.message);
  });
}

/** Runs `mov eax, 2; mov ebx, 3; jmp next; next: add eax, ebx` in lockstep with a wrong ADD, and checks it is caught at its block. */
function expectWrongAddCaught(translator: TranslatorOptions): void {
  const m = new HarnessMachine({ translator: { hotThreshold: 0, lockstep: true, ...translator } });
  m.protectedMode(0);
  m.load(0x1000, assemble('mov eax, 2\nmov ebx, 3\njmp next\nnext: add eax, ebx\nud2', 32, 0x1000));
  m.cpu.eip = 0x1000;
  m.run(100);
  const d = m.cpu.translator!.lockstep!.divergence;
  assert.ok(d, 'a divergence was reported');
  assert.equal(d.eip, 0x100c);
  assert.ok(d.differences.some((line) => line.startsWith('regs[0]: 0x5 vs 0x6')), d.differences.join('\n'));
}

test('lockstep reports the first block whose results differ', () => {
  // A wrong ADD emitter (it adds one too many) must be caught at its block.
  const wrongAdd: Emitter = (e) => {
    e.setReg(4, e.insn.rm, `(${e.reg(4, e.insn.rm)} + ${e.reg(4, e.insn.reg)} + 1) | 0`);
    return true;
  };
  expectWrongAddCaught({ backend: 'js', emitters: { ADD_EvGv: wrongAdd } });
});

test('lockstep catches a wrong WebAssembly emitter too', () => {
  // The same wrong ADD (one too many), as a WebAssembly emitter.
  const wrongAdd: WasmEmitter = (e) => {
    e.reg(4, e.insn.rm);
    e.reg(4, e.insn.reg);
    e.b.op(Op.I32Add).i32(1).op(Op.I32Add);
    e.setReg(4, e.insn.rm);
    return true;
  };
  expectWrongAddCaught({ backend: 'wasm', wasmEmitters: { ADD_EvGv: wrongAdd } });
});
