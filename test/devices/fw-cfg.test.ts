// QEMU fw_cfg: selector/data ports, file directory, DMA interface
// (QEMU docs/specs/fw_cfg.rst).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DMA_ERROR, DMA_READ, DMA_SELECT, DMA_SKIP, DMA_WRITE, FW_CFG, FwCfg } from '../../src/devices/fw-cfg.js';

/** The device on a 64 KiB memory, with port helpers at its offsets. */
function rig() {
  const ram = new Uint8Array(0x1_0000);
  const memory = {
    readBytes(gpa: number, dest: Uint8Array) { dest.set(ram.subarray(gpa, gpa + dest.length)); },
    writeBytes(gpa: number, src: Uint8Array) { ram.set(src, gpa); },
  };
  const fw = new FwCfg(memory);
  const select = (key: number) => fw.write(0, 2, key);
  const bytes = (n: number) => Array.from({ length: n }, () => fw.read(1, 1));
  /** Writes an FWCfgDmaAccess at `at` and starts it as a guest does: address halves byte-swapped (big endian). */
  const dma = (at: number, control: number, length: number, address: number) => {
    const v = new DataView(ram.buffer);
    v.setUint32(at, control);
    v.setUint32(at + 4, length);
    v.setUint32(at + 8, 0);
    v.setUint32(at + 12, address);
    const swap = (x: number) => ((x & 0xff) << 24 | (x & 0xff00) << 8 | (x >>> 8) & 0xff00 | x >>> 24) >>> 0;
    fw.write(4, 4, swap(0));
    fw.write(8, 4, swap(at));
    return v.getUint32(at);
  };
  return { fw, ram, select, bytes, dma };
}

const text = (b: ArrayLike<number>) => String.fromCharCode(...Array.from(b));

describe('fw_cfg traditional interface', () => {
  test('the signature item reads "QEMU" a byte at a time through the data port', () => {
    const { select, bytes } = rig();
    select(FW_CFG.signature);
    assert.equal(text(bytes(4)), 'QEMU');
  });

  test('the ID item says traditional interface and DMA (bits 0 and 1)', () => {
    const { select, bytes } = rig();
    select(FW_CFG.id);
    assert.deepEqual(bytes(4), [0x03, 0, 0, 0]);
  });

  test('selecting again restarts at offset 0; reading past the end gives zeros', () => {
    const { select, bytes } = rig();
    select(FW_CFG.signature);
    bytes(2);
    select(FW_CFG.signature);
    assert.deepEqual(bytes(6), [0x51, 0x45, 0x4d, 0x55, 0, 0]);
  });

  test('a key with no item reads as zeros', () => {
    const { select, bytes } = rig();
    select(0x1234);
    assert.deepEqual(bytes(4), [0, 0, 0, 0]);
  });

  test('integer items are little endian (RAM size as 8 bytes)', () => {
    const { fw, select, bytes } = rig();
    fw.setInt(FW_CFG.ramSize, 0x1_2345_6789, 8);
    select(FW_CFG.ramSize);
    assert.deepEqual(bytes(8), [0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0]);
  });

  test('data port writes are ignored', () => {
    const { fw, select, bytes } = rig();
    select(FW_CFG.signature | 0x4000);
    fw.write(1, 1, 0x00);
    select(FW_CFG.signature);
    assert.equal(text(bytes(4)), 'QEMU');
  });
});

describe('fw_cfg file directory', () => {
  test('lists files big endian: count, then size, key from 0x20, and the NUL-padded name', () => {
    const { fw, select, bytes } = rig();
    fw.addFile('etc/show-boot-menu', Uint8Array.of(0, 0));
    fw.addFile('bootorder', new TextEncoder().encode('/pci@i0cf8/*@1,1/drive@0/disk@0\n'));
    select(FW_CFG.fileDir);
    assert.deepEqual(bytes(4), [0, 0, 0, 2]);
    const first = bytes(64);
    assert.deepEqual(first.slice(0, 8), [0, 0, 0, 2, 0x00, 0x20, 0, 0]);
    assert.equal(text(first.slice(8, 8 + 18)), 'etc/show-boot-menu');
    assert.equal(first[8 + 18], 0);
    const second = bytes(64);
    assert.deepEqual(second.slice(0, 8), [0, 0, 0, 32, 0x00, 0x21, 0, 0]);
    select(0x21);
    assert.equal(text(bytes(9)), '/pci@i0cf');
  });

  test('replacing a file keeps its key; over-long names are refused', () => {
    const { fw } = rig();
    const key = fw.addFile('etc/e820', new Uint8Array(20));
    assert.equal(fw.addFile('etc/e820', new Uint8Array(40)), key);
    assert.equal(fw.item(key)!.length, 40);
    assert.throws(() => fw.addFile('x'.repeat(56), new Uint8Array(1)), RangeError);
  });
});

describe('fw_cfg DMA interface', () => {
  test('reading the DMA address register gives the signature "QEMU CFG" (big endian)', () => {
    const { fw } = rig();
    assert.equal(fw.read(4, 4), 0x5145_4d55);
    assert.equal(fw.read(8, 4), 0x2043_4647);
  });

  test('select + read copies the item to guest memory and clears control', () => {
    const { fw, ram, dma } = rig();
    fw.addFile('etc/acpi/rsdp', new TextEncoder().encode('RSD PTR '));
    const control = dma(0x100, (0x20 << 16) | DMA_SELECT | DMA_READ, 8, 0x2000);
    assert.equal(control, 0);
    assert.equal(text(ram.subarray(0x2000, 0x2008)), 'RSD PTR ');
  });

  test('skip advances the offset; a read past the end fills zeros', () => {
    const { fw, ram, dma } = rig();
    ram.fill(0xaa, 0x3000, 0x3010);
    fw.addFile('f', Uint8Array.of(1, 2, 3, 4, 5, 6));
    dma(0x100, (0x20 << 16) | DMA_SELECT | DMA_SKIP, 4, 0);
    assert.equal(dma(0x100, DMA_READ, 8, 0x3000), 0);
    assert.deepEqual(Array.from(ram.subarray(0x3000, 0x3009)), [5, 6, 0, 0, 0, 0, 0, 0, 0xaa]);
  });

  test('a bad selector reads zeros; a write sets the error bit', () => {
    const { ram, dma } = rig();
    ram.fill(0xaa, 0x4000, 0x4004);
    assert.equal(dma(0x100, (0x7777 << 16) | DMA_SELECT | DMA_READ, 4, 0x4000), 0);
    assert.deepEqual(Array.from(ram.subarray(0x4000, 0x4004)), [0, 0, 0, 0]);
    assert.equal(dma(0x100, (FW_CFG.signature << 16) | DMA_SELECT | DMA_WRITE, 4, 0x4000), DMA_ERROR);
  });

  test('the DMA read and the data port share the data offset', () => {
    const { select, bytes, dma, ram } = rig();
    select(FW_CFG.signature);
    bytes(1);
    dma(0x100, DMA_READ, 3, 0x5000);
    assert.equal(text(ram.subarray(0x5000, 0x5003)), 'EMU');
  });
});
