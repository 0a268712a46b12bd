// Vcpu.run(): one typed exit per slice, with guest CS:EIP, and the exits
// counted by reason (I/O counted inline, as KVM's statistics would show).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { assemble } from '../support/asm.js';
import { romImage } from '../support/rom.js';

/** A VM whose 16-bit ROM code at F000:0000 is `source`. */
function vmWithRom(source: string): Vm {
  const v = new Vm({ memBytes: 1 << 20, output: () => {}, time: { kind: 'instructions' } });
  mapBios(v.memory, romImage(assemble(source, 16)), 'rom');
  v.cpu.reset();
  return v;
}

test('HLT with IF=1 exits with the CS:EIP after it; the budget exit resumes where it stopped', () => {
  const v = vmWithRom('sti\nnop\nnop\nhlt\nnop');
  const vcpu = v.vcpus[0];
  assert.deepEqual(vcpu.run(2), { reason: 'budget' });
  assert.deepEqual(vcpu.run(100), { reason: 'hlt', cs: 0xf000, eip: 4 });
  assert.equal(vcpu.exitCounts.budget, 1);
  assert.equal(vcpu.exitCounts.hlt, 1);
});

test('a device request ends the slice with its exit (isa-debug-exit), and port accesses are counted', () => {
  const v = vmWithRom('mov dx, 0x80\nout dx, al\nin al, dx\nmov al, 5\nout 0xf4, al\nnop\nhlt');
  const exit = v.vcpus[0].run(1000);
  assert.deepEqual(exit, { reason: 'debug-exit', status: 11 });
  assert.equal(v.cpu.eip, 9, 'stopped right after the OUT');
  assert.equal(v.exitCounts['io-out'], 2);
  assert.equal(v.exitCounts['io-in'], 1);
  assert.equal(v.exitCounts['debug-exit'], 1);
  // The request does not outlive the slice it ended.
  assert.deepEqual(v.vcpus[0].run(1), { reason: 'budget' });
});

test('a triple fault exits with shutdown, the faulting CS:EIP and the exception history', () => {
  // An IDT limit of 0 in real mode: #UD cannot be delivered → #DF → shutdown.
  const v = vmWithRom('lidt [cs:idt]\nud2\nidt: dw 0\ndd 0');
  const exit = v.vcpus[0].run(100);
  assert.equal(exit.reason, 'shutdown');
  if (exit.reason !== 'shutdown') return;
  assert.equal(exit.cs, 0xf000);
  assert.equal(exit.eip, 6, 'at the UD2');
  assert.match(exit.history.join(' '), /#UD at f000:00000006/);
  assert.equal(v.exitCounts.shutdown, 1);
});

test('a reset request exits with reset; Vm.run ends with status 0 under no-reboot', async () => {
  const v = new Vm({ memBytes: 1 << 20, output: () => {}, time: { kind: 'instructions' }, noReboot: true });
  mapBios(v.memory, romImage(assemble('mov al, 1\nout 0x92, al\nhlt', 16)), 'rom');
  v.cpu.reset();
  const result = await v.run(1000);
  assert.equal(result.exit.reason, 'reset');
  assert.equal(result.status, 0);
});
