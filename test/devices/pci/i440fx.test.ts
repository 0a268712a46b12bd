// The i440FX host bridge: identity, and the PAM registers steering the
// C0000-FFFFF regions between the BIOS ROM (the PCI side) and the RAM under
// it, as firmware uses them to shadow itself (82441FX datasheet, "PAM").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../src/cpu/physical-memory.js';
import { I440fx, PAM_REGIONS } from '../../../src/devices/pci/i440fx.js';
import { mapBios } from '../../../src/boot/bios.js';

/** A 128 KiB BIOS whose every byte is its offset's low byte xor 0xA5, mapped as the board does. */
function machine() {
  const memory = new PhysicalMemory({ ramBytes: 2 << 20 });
  const bios = new Uint8Array(128 * 1024).map((_, i) => (i & 0xff) ^ 0xa5);
  mapBios(memory, bios, 'test.bin');
  let flushes = 0;
  memory.onMapChange(() => flushes++);
  const bridge = new I440fx(memory);
  return { memory, bridge, flushes: () => flushes };
}

const ROM_BYTE_AT = (gpa: number) => (gpa & 0xff) ^ 0xa5;

describe('i440FX host bridge', () => {
  test('identifies as 8086:1237, a host bridge, with memory and bus master enabled', () => {
    const { bridge } = machine();
    assert.equal(bridge.readConfig(0x00, 4), 0x1237_8086);
    assert.equal(bridge.readConfig(0x08, 4) >>> 8, 0x06_0000);
    assert.equal(bridge.readConfig(0x04, 2), 0x0006);
    bridge.writeConfig(0x04, 2, 0xffff);
    assert.equal(bridge.readConfig(0x04, 2), 0x0006, 'only those two bits exist');
  });

  test('PAM covers 13 regions: F0000-FFFFF and 12 × 16 KiB from C0000', () => {
    assert.equal(PAM_REGIONS.length, 13);
    assert.deepEqual(PAM_REGIONS[0], { register: 0x59, shift: 4, gpa: 0xf_0000, sizeBytes: 0x1_0000 });
    assert.deepEqual(PAM_REGIONS[1], { register: 0x5a, shift: 0, gpa: 0xc_0000, sizeBytes: 0x4000 });
    assert.deepEqual(PAM_REGIONS[12], { register: 0x5f, shift: 4, gpa: 0xe_c000, sizeBytes: 0x4000 });
  });

  test('at power-on (PAM 00h) reads of the BIOS area come from ROM and writes are dropped', () => {
    const { memory, bridge } = machine();
    assert.equal(bridge.readConfig(0x59, 1), 0);
    assert.equal(memory.read(0xf_fff0, 1), ROM_BYTE_AT(0xf_fff0));
    memory.write(0xf_0000, 1, 0x00);
    assert.equal(memory.read(0xf_0000, 1), ROM_BYTE_AT(0xf_0000));
    assert.equal(memory.read(0xc_0000, 1), 0xff, 'no option ROM: the bus reads all ones');
  });

  test('the shadowing sequence: read/write RAM, copy from the high alias, then read-only', () => {
    const { memory, bridge } = machine();
    bridge.writeConfig(0x59, 1, 0x30); // F0000-FFFFF: RE | WE
    assert.equal(memory.read(0xf_0000, 1), 0, 'now the RAM under the ROM (still empty)');
    const copy = new Uint8Array(0x1_0000);
    memory.readBytes(0xffff_0000, copy); // the ROM's alias below 4 GiB
    for (let i = 0; i < copy.length; i += 4) memory.write(0xf_0000 + i, 4, copy[i] | (copy[i + 1] << 8) | (copy[i + 2] << 16) | (copy[i + 3] << 24));
    assert.equal(memory.read(0xf_fff0, 1), ROM_BYTE_AT(0xf_fff0));
    memory.write(0xf_1000, 1, 0x42);
    assert.equal(memory.read(0xf_1000, 1), 0x42, 'shadow RAM is writable');
    bridge.writeConfig(0x59, 1, 0x10); // RE only
    memory.write(0xf_1000, 1, 0x43);
    assert.equal(memory.read(0xf_1000, 1), 0x42, 'write-protected');
    bridge.writeConfig(0x59, 1, 0x00);
    assert.equal(memory.read(0xf_1000, 1), ROM_BYTE_AT(0xf_1000), 'back to the ROM');
  });

  test('write-only mode (WE without RE) copies a ROM onto itself: reads the ROM, writes the RAM', () => {
    const { memory, bridge } = machine();
    bridge.writeConfig(0x5e, 1, 0x02); // E0000-E3FFF: WE
    const gpa = 0xe_0123;
    memory.write(gpa, 1, memory.read(gpa, 1));
    assert.equal(memory.read(gpa, 1), ROM_BYTE_AT(gpa - 0xe_0000), 'reads still the ROM');
    bridge.writeConfig(0x5e, 1, 0x01); // RE
    assert.equal(memory.read(gpa, 1), ROM_BYTE_AT(gpa - 0xe_0000), 'the copy in RAM');
    assert.equal(memory.read(gpa + 1, 1), 0, 'bytes not copied are RAM zeros');
  });

  test('each field steers only its own 16 KiB region, and a write that changes none reroutes nothing', () => {
    const { memory, bridge, flushes } = machine();
    bridge.writeConfig(0x5a, 1, 0x30); // C4000-C7FFF read/write; C0000-C3FFF still disabled
    memory.write(0xc_4000, 1, 7);
    memory.write(0xc_0000, 1, 7);
    assert.equal(memory.read(0xc_4000, 1), 7);
    assert.equal(memory.read(0xc_0000, 1), 0xff);
    const before = flushes();
    bridge.writeConfig(0x5a, 1, 0x30);
    assert.equal(flushes(), before, 'no change, no TLB flush');
    bridge.writeConfig(0x5a, 1, 0x33);
    assert.equal(flushes(), before + 1);
  });

  test('a dword write at 0x58 sets PAM0-2 at once (firmware writes PAM by dwords); reserved bits read 0', () => {
    const { bridge, memory } = machine();
    bridge.writeConfig(0x58, 4, 0xffff_ffff);
    assert.equal(bridge.readConfig(0x59, 1), 0x30);
    assert.equal(bridge.readConfig(0x5a, 2), 0x3333);
    memory.write(0xc_8000, 2, 0xbeef);
    assert.equal(memory.read(0xc_8000, 2), 0xbeef);
  });

  test('a reset returns PAM to 00h and the ROM reappears; the shadow RAM keeps its bytes', () => {
    const { memory, bridge } = machine();
    bridge.writeConfig(0x59, 1, 0x30);
    memory.write(0xf_2000, 1, 0x99);
    bridge.reset();
    assert.equal(memory.read(0xf_2000, 1), ROM_BYTE_AT(0xf_2000));
    bridge.writeConfig(0x59, 1, 0x10);
    assert.equal(memory.read(0xf_2000, 1), 0x99);
  });

  test('SMRAM is a stub register: C_BASE_SEG reads 010b, D_LCK closes and freezes it', () => {
    const { bridge } = machine();
    assert.equal(bridge.readConfig(0x72, 1), 0x02);
    bridge.writeConfig(0x72, 1, 0x4a); // D_OPEN | G_SMRAME
    assert.equal(bridge.readConfig(0x72, 1), 0x4a);
    bridge.writeConfig(0x72, 1, 0x5a); // + D_LCK
    assert.equal(bridge.readConfig(0x72, 1), 0x1a);
    bridge.writeConfig(0x72, 1, 0x42);
    assert.equal(bridge.readConfig(0x72, 1), 0x1a);
  });
});
