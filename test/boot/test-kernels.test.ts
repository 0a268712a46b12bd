/**
 * The project's own test kernels (guests/tests, built by scripts/setup.sh)
 * booted on the VM: each checks one area of the machine and reports PASS or
 * FAIL through the debug console and isa-debug-exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Vm } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { loadMultiboot } from '../../src/boot/multiboot.js';

const GUESTS = fileURLToPath(new URL('../../../build/guests/', import.meta.url));
/** isa-debug-exit status of a PASS (0x10 << 1 | 1). */
const PASS_STATUS = 33;

/** Which engine runs the kernels: the translator (translating on first sight) or, with ANILLO_JIT=0, the interpreter alone. */
const JIT = process.env['ANILLO_JIT'] !== '0';
/** ANILLO_JIT=js: JavaScript regions instead of the default WebAssembly ones. */
const BACKEND = process.env['ANILLO_JIT'] === 'js' ? 'js' : 'wasm';

async function boot(image: string, kind: 'bios' | 'kernel'): Promise<{ status: number; output: string; serial: string; message: string }> {
  let output = '';
  let serial = '';
  const vm = new Vm({
    jit: JIT ? { hotThreshold: 0, backend: BACKEND } : false,
    memBytes: 32 << 20,
    output: (b) => { serial += Buffer.from(b).toString('latin1'); output += Buffer.from(b).toString('latin1'); },
    debugOutput: (b) => { output += Buffer.from(b).toString('latin1'); },
  });
  const bytes = new Uint8Array(readFileSync(GUESTS + image));
  if (kind === 'bios') { mapBios(vm.memory, bytes, image); vm.cpu.reset(); }
  else loadMultiboot(vm.cpu, vm.memory, bytes, image);
  const result = await vm.run(50_000_000);
  return { status: result.status, output, serial, message: result.message };
}

for (const name of ['realmode', 'pmode', 'segments', 'paging', 'user', 'v86', 'tasks', 'gates', 'pae', 'sysenter', 'interrupts']) {
  test(`test kernel ${name} passes`, async () => {
    const r = await boot(`${name}.bin`, 'bios');
    assert.match(r.output, new RegExp(`PASS ${name}`), `output was:\n${r.output}\n${r.message}`);
    assert.equal(r.status, PASS_STATUS, r.message);
  });
}

test('hello (Multiboot ELF) greets on COM1, then halts cleanly', async () => {
  const r = await boot('hello.elf', 'kernel');
  assert.equal(r.serial, 'Hello from anillo!\n', `output was:\n${r.output}`);
  assert.equal(r.status, 0, r.message);
  assert.match(r.message, /halted with interrupts disabled/);
});

test('a triple fault ends the VM with CS:EIP and the exception history', async () => {
  const r = await boot('tripfault.bin', 'bios');
  assert.match(r.output, /about to triple fault/);
  assert.equal(r.status, 6);
  assert.match(r.message, /^triple fault at [0-9a-f]{4}:[0-9a-f]{8}; last exceptions: .*#UD.*#GP.*#DF/);
});

/** CRC-32 (reflected 0xEDB88320) of compute.asm's LCG buffer, `rounds` times over: the reference for the guest. */
function computeReference(rounds: number): string {
  const buf = new Uint8Array(0x10000);
  let x = 12345678;
  for (let i = 0; i < buf.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    buf[i] = (x >>> 16) & 0xff;
  }
  let crc = -1;
  for (let r = 0; r < rounds; r++) {
    for (const b of buf) {
      crc ^= b;
      for (let k = 0; k < 8; k++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
  }
  return (~crc >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

test('compute kernel: CRC-32 and prime count match the JavaScript reference (17984 primes below 200000)', async () => {
  let output = '';
  const vm = new Vm({ memBytes: 32 << 20, output: (b) => { output += Buffer.from(b).toString('latin1'); } });
  loadMultiboot(vm.cpu, vm.memory, new Uint8Array(readFileSync(GUESTS + 'compute.elf')), 'compute.elf', 'compute.elf rounds=2');
  const result = await vm.run(200_000_000);
  assert.equal(result.status, PASS_STATUS, `${result.message}\n${output}`);
  assert.match(output, new RegExp(`crc=${computeReference(2)} primes=${(17984).toString(16).toUpperCase().padStart(8, '0')}`));
});
