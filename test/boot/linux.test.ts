/**
 * Direct Linux boot (src/boot/linux.ts): a synthetic bzImage whose
 * protected-mode code checks the 32-bit boot protocol's entry state and
 * reports the zero page's command line, initrd and e820 count on port 0xE9;
 * the zero page as written; and one-line errors for malformed images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Vm } from '../../src/vmm/vm.js';
import { isBzImage, loadLinux, parseBzImage } from '../../src/boot/linux.js';
import { BootError } from '../../src/boot/boot-error.js';
import { E820Type, HDR, readE820, ZP } from '../../src/boot/boot-params.js';
import { mapBios } from '../../src/boot/bios.js';
import { Reg, Seg } from '../../src/cpu/registers.js';
import { buildBzImage, SYNTHETIC_VERSION } from '../support/bzimage.js';

function makeVm(memMiB = 32): { vm: Vm; debug: () => string } {
  let out = '';
  const vm = new Vm({ memBytes: memMiB << 20, output: () => {}, debugOutput: (b) => { out += Buffer.from(b).toString('latin1'); } });
  return { vm, debug: () => out };
}

function zeroPage(vm: Vm, gpa: number): DataView {
  const bytes = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) bytes[i] = vm.memory.read(gpa + i, 1);
  return new DataView(bytes.buffer);
}

test('the kernel starts at 1 MiB in flat protected mode with ESI = zero page, and finds its command line and initrd there', async () => {
  const { vm, debug } = makeVm();
  const boot = loadLinux(vm.cpu, vm.memory, buildBzImage(), 'synthetic', {
    cmdline: 'console=ttyS0 hello', initrd: { bytes: new TextEncoder().encode('INITRD'), name: 'rd' },
  });
  assert.equal(vm.cpu.eip, 0x10_0000);
  assert.equal(vm.cpu.segSel[Seg.CS], 0x10);
  assert.equal(vm.cpu.regs[Reg.ESI], boot.zeroPageGpa);
  const result = await vm.run(100_000);
  assert.equal(debug(), 'console=ttyS0 hello|INITRD|L4', result.message);
  assert.match(result.message, /halted with interrupts disabled/);
});

test('without an initrd, ramdisk_image and ramdisk_size are zero', async () => {
  const { vm, debug } = makeVm();
  loadLinux(vm.cpu, vm.memory, buildBzImage(), 'synthetic', { cmdline: '' });
  await vm.run(100_000);
  assert.equal(debug(), '||L4');
});

test('the zero page carries the copied setup header and the loader fields', () => {
  const { vm } = makeVm(64);
  const image = buildBzImage();
  const boot = loadLinux(vm.cpu, vm.memory, image, 'synthetic', { cmdline: 'vga=ext quiet', initrd: { bytes: new Uint8Array(5000), name: 'rd' } });
  const zp = zeroPage(vm, boot.zeroPageGpa);
  assert.equal(zp.getUint32(HDR.header, true), 0x5372_6448, 'HdrS copied');
  assert.equal(zp.getUint16(HDR.version, true), 0x020f);
  assert.equal(zp.getUint8(HDR.typeOfLoader), 0xff);
  assert.equal(zp.getUint16(HDR.vidMode, true), 0xfffe, 'vga=ext');
  assert.equal(zp.getUint32(HDR.code32Start, true), 0x10_0000);
  assert.equal(zp.getUint32(HDR.cmdLinePtr, true), boot.cmdlineGpa);
  assert.equal(zp.getUint8(ZP.sentinel), 0);
  // The initrd sits page aligned as high as RAM allows.
  assert.equal(zp.getUint32(HDR.ramdiskSize, true), 5000);
  assert.equal(zp.getUint32(HDR.ramdiskImage, true), (64 << 20) - 8192);
  assert.equal(zp.getUint32(ZP.altMemK, true), 63 * 1024);
  assert.deepEqual(readE820(zp), [
    { gpa: 0, sizeBytes: 0x9_fc00, type: E820Type.Ram },
    { gpa: 0x9_fc00, sizeBytes: 0x400, type: E820Type.Reserved },
    { gpa: 0xf_0000, sizeBytes: 0x1_0000, type: E820Type.Reserved },
    { gpa: 0x10_0000, sizeBytes: 63 << 20, type: E820Type.Ram },
  ]);
  // No screen: screen_info stays zero apart from ext_mem_k, so vgacon stays away.
  assert.equal(zp.getUint8(ZP.screenInfo + 0x06), 0);
  assert.equal(zp.getUint8(ZP.screenInfo + 0x0f), 0);
  assert.equal(boot.image.kernelVersion, SYNTHETIC_VERSION);
  assert.equal(boot.image.protocolText, '2.15');
});

test('a VGA text screen is described as mode 3, 80×25, VGA colour', () => {
  const { vm } = makeVm();
  const boot = loadLinux(vm.cpu, vm.memory, buildBzImage(), 'synthetic', { cmdline: '', screen: { kind: 'vga-text', cursorRow: 2 } });
  const zp = zeroPage(vm, boot.zeroPageGpa);
  assert.equal(zp.getUint8(ZP.screenInfo + 0x01), 2);
  assert.equal(zp.getUint8(ZP.screenInfo + 0x06), 3);
  assert.equal(zp.getUint8(ZP.screenInfo + 0x07), 80);
  assert.equal(zp.getUint8(ZP.screenInfo + 0x0e), 25);
  assert.equal(zp.getUint8(ZP.screenInfo + 0x0f), 0x22);
});

test('a firmware ROM mapped below 4 GiB and below 1 MiB is reserved in the e820 map', () => {
  const { vm } = makeVm();
  mapBios(vm.memory, new Uint8Array(256 * 1024), 'bios');
  const boot = loadLinux(vm.cpu, vm.memory, buildBzImage(), 'synthetic', { cmdline: '' });
  assert.deepEqual(boot.e820.filter((e) => e.type === E820Type.Reserved).map((e) => [e.gpa, e.sizeBytes]), [
    [0x9_fc00, 0x400], [0xe_0000, 0x2_0000], [0xfffc_0000, 0x4_0000],
  ]);
});

test('the initrd respects initrd_addr_max', () => {
  const { vm } = makeVm(64);
  const boot = loadLinux(vm.cpu, vm.memory, buildBzImage({ initrdAddrMax: 0x1ff_ffff }), 'k', {
    cmdline: '', initrd: { bytes: new Uint8Array(4096), name: 'rd' },
  });
  assert.equal(boot.initrd?.gpa, 0x1ff_f000);
});

test('isBzImage tells a bzImage from other files', () => {
  assert.equal(isBzImage(buildBzImage()), true);
  assert.equal(isBzImage(new Uint8Array(4096)), false);
  assert.equal(isBzImage(new Uint8Array(10)), false);
});

/** Expects a BootError naming the file, on one line, matching `pattern`. */
function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BootError, `expected a BootError, got ${e}`);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, /^kernel\.img: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a file too short for a setup header is rejected', () => {
  rejects(() => parseBzImage(new Uint8Array(300), 'kernel.img'), /too short to hold a setup header/);
});

test('a file without "HdrS" is not a bzImage', () => {
  rejects(() => parseBzImage(new Uint8Array(8192), 'kernel.img'), /not a Linux bzImage/);
});

test('boot protocol 2.01 is too old', () => {
  rejects(() => parseBzImage(buildBzImage({ version: 0x0201 }), 'kernel.img'), /protocol 2\.01 is too old.*2\.02/);
});

test('a zImage (LOADED_HIGH clear) is unsupported', () => {
  rejects(() => parseBzImage(buildBzImage({ loadflags: 0 }), 'kernel.img'), /zImage/);
});

test('a 64-bit kernel is refused with a reason', () => {
  rejects(() => parseBzImage(buildBzImage({ xloadflags: 1 }), 'kernel.img'), /64-bit \(x86-64\) kernel/);
});

test('setup sectors running past the end of the file are a truncation', () => {
  const image = buildBzImage({ setupSects: 1 }).subarray(0, 1000);
  rejects(() => parseBzImage(image, 'kernel.img'), /truncated: 1000 bytes, but the setup code alone is 1024/);
});

test('syssize larger than the file is a truncation', () => {
  rejects(() => parseBzImage(buildBzImage({ syssize: 0x10000 }), 'kernel.img'), /truncated: the header says the protected-mode kernel is 1048576 bytes/);
});

test('a malformed header length is rejected', () => {
  rejects(() => parseBzImage(buildBzImage({ jump: 0xa0 }), 'kernel.img'), /malformed setup header/);
});

test('a command line longer than cmdline_size is rejected', () => {
  const { vm } = makeVm();
  rejects(() => loadLinux(vm.cpu, vm.memory, buildBzImage({ cmdlineSize: 16 }), 'kernel.img', { cmdline: 'x'.repeat(17) }),
    /command line is 17 bytes; this kernel accepts at most 16/);
});

test('too little RAM for the kernel to unpack is reported with the amount needed', () => {
  const { vm } = makeVm(2);
  rejects(() => loadLinux(vm.cpu, vm.memory, buildBzImage({ initSize: 0x80_0000 }), 'kernel.img', { cmdline: '' }),
    /needs at least 10 MiB of RAM.*guest has 2 MiB/);
});

test('an initrd that does not fit above the kernel names the initrd and suggests --mem', () => {
  const { vm } = makeVm(4);
  assert.throws(() => loadLinux(vm.cpu, vm.memory, buildBzImage(), 'kernel.img', {
    cmdline: '', initrd: { bytes: new Uint8Array(2 << 20), name: 'big.cpio' },
  }), /^BootError: big\.cpio: initrd of 2\.0 MiB does not fit .*--mem/);
});

const DEBIAN_VMLINUZ = fileURLToPath(new URL('../../../build/guests/debian/vmlinuz', import.meta.url));

test('Debian\'s 686 kernel (when fetched) parses as a relocatable protocol 2.15 bzImage and loads', {
  skip: existsSync(DEBIAN_VMLINUZ) ? false : 'build/guests/debian/vmlinuz not fetched (npm run guest:linux)',
}, () => {
  const image = new Uint8Array(readFileSync(DEBIAN_VMLINUZ));
  const k = parseBzImage(image, 'vmlinuz');
  assert.ok(k.protocol >= 0x020f, k.protocolText);
  assert.match(k.kernelVersion, /^6\.1\.0-\d+-686 /);
  assert.equal(k.relocatable, true);
  const { vm } = makeVm(64);
  const boot = loadLinux(vm.cpu, vm.memory, image, 'vmlinuz', { cmdline: 'console=ttyS0' });
  assert.ok(boot.kernelEndGpa > 16 << 20, 'unpacks above its 16 MiB LOAD_PHYSICAL_ADDR');
  assert.equal(vm.memory.read(0x10_0000, 4) >>> 0, new DataView(image.buffer).getUint32(k.setupBytes, true));
});
