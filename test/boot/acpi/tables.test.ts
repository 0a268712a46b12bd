// The board's ACPI tables (ACPI 6.5 §5.2): checksums and lengths, the
// pointer graph from the RSDP, FADT fields, MADT entries, the \_S5 AML,
// and QEMU's table-loader commands executed as SeaBIOS executes them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAcpiTables, byteSum, installAcpiTables, placeAcpiTables, tableLoaderFiles, type AcpiPlatform } from '../../../src/boot/acpi/index.js';
import { integer, pkgLength } from '../../../src/boot/acpi/aml.js';

const PLATFORM: AcpiPlatform = {
  pmIoBase: 0x600, sciIrq: 9, localApicGpa: 0xfee0_0000, ioApicGpa: 0xfec0_0000, ioApicId: 0,
  centuryCmosIndex: 0x32, resetPort: 0xcf9, resetValue: 0x06,
};

/** A flat 1 MiB guest memory with the tables placed as for a direct boot. */
function placed() {
  const mem = new Uint8Array(0x10_0000);
  installAcpiTables({ load: (gpa, bytes) => mem.set(bytes, gpa) }, buildAcpiTables(PLATFORM), 0xf_0000, 0xf_0040);
  return mem;
}

const view = (mem: Uint8Array) => new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
const sig = (mem: Uint8Array, at: number, n = 4) => String.fromCharCode(...mem.subarray(at, at + n));

/** Finds the RSDP as the OS does: "RSD PTR " on a 16-byte boundary in E0000-FFFFF with a good checksum. */
function findRsdp(mem: Uint8Array): number {
  for (let a = 0xe_0000; a < 0x10_0000; a += 16) if (sig(mem, a, 8) === 'RSD PTR ' && byteSum(mem, a, 20) === 0) return a;
  return -1;
}

/** Table address → signature, for every table reachable from the RSDT. */
function walk(mem: Uint8Array): Map<string, number> {
  const v = view(mem);
  const rsdt = v.getUint32(findRsdp(mem) + 16, true);
  const found = new Map<string, number>([['RSDT', rsdt]]);
  for (let e = rsdt + 36; e < rsdt + v.getUint32(rsdt + 4, true); e += 4) {
    const t = v.getUint32(e, true);
    found.set(sig(mem, t), t);
  }
  const fadt = found.get('FACP')!;
  found.set('FACS', v.getUint32(fadt + 36, true));
  found.set('DSDT', v.getUint32(fadt + 40, true));
  return found;
}

describe('ACPI tables placed for a direct boot', () => {
  test('the RSDP is found in the BIOS area and points to the RSDT, which lists the FADT and the MADT', () => {
    const mem = placed();
    assert.equal(findRsdp(mem), 0xf_0000);
    assert.equal(mem[0xf_0000 + 15], 0, 'revision 0: ACPI 1.0 RSDP');
    const tables = walk(mem);
    assert.deepEqual([...tables.keys()].sort(), ['APIC', 'DSDT', 'FACP', 'FACS', 'RSDT']);
    for (const [s, at] of tables) assert.equal(sig(mem, at), s);
  });

  test('every table\'s length matches its header and its bytes sum to zero (the FACS has no checksum)', () => {
    const mem = placed();
    const v = view(mem);
    const expected: Record<string, number> = { FACP: 244, FACS: 64, RSDT: 44 };
    for (const [s, at] of walk(mem)) {
      const length = v.getUint32(at + 4, true);
      if (expected[s]) assert.equal(length, expected[s], s);
      if (s !== 'FACS') assert.equal(byteSum(mem, at, length), 0, `${s} checksum`);
    }
    assert.equal(walk(mem).get('FACS')! % 64, 0, 'FACS 64-byte aligned');
  });

  test('the FADT points at the PIIX4 PM blocks, SCI 9, no SMI command port, century and reset register', () => {
    const mem = placed();
    const v = view(mem);
    const f = walk(mem).get('FACP')!;
    assert.equal(mem[f + 8], 3, 'revision 3');
    assert.equal(v.getUint16(f + 46, true), 9, 'SCI_INT');
    assert.equal(v.getUint32(f + 48, true), 0, 'SMI_CMD');
    assert.equal(v.getUint32(f + 56, true), 0x600, 'PM1a_EVT_BLK');
    assert.equal(v.getUint32(f + 64, true), 0x604, 'PM1a_CNT_BLK');
    assert.equal(v.getUint32(f + 76, true), 0x608, 'PM_TMR_BLK');
    assert.equal(v.getUint32(f + 80, true), 0x60c, 'GPE0_BLK');
    assert.deepEqual([mem[f + 88], mem[f + 89], mem[f + 91], mem[f + 92]], [4, 2, 4, 4], 'block lengths');
    assert.equal(mem[f + 108], 0x32, 'CENTURY');
    assert.equal(v.getUint32(f + 112, true) & (1 << 8), 0, 'TMR_VAL_EXT clear: 24-bit timer');
    assert.equal(v.getUint32(f + 112, true) & (1 << 10), 1 << 10, 'RESET_REG_SUP');
    assert.deepEqual(Array.from(mem.subarray(f + 116, f + 120)), [1, 8, 0, 1], 'RESET_REG: system I/O, 8 bits, byte access');
    assert.equal(v.getUint32(f + 120, true), 0xcf9);
    assert.equal(mem[f + 128], 0x06, 'RESET_VALUE');
  });

  test('the MADT has the local APIC, the I/O APIC, IRQ 0 → GSI 2, SCI level/high, LINT1 NMI', () => {
    const mem = placed();
    const v = view(mem);
    const m = walk(mem).get('APIC')!;
    assert.equal(v.getUint32(m + 36, true), 0xfee0_0000);
    assert.equal(v.getUint32(m + 40, true), 1, 'PCAT_COMPAT');
    const entries: number[][] = [];
    for (let e = m + 44; e < m + v.getUint32(m + 4, true); e += mem[e + 1]) entries.push(Array.from(mem.subarray(e, e + mem[e + 1])));
    assert.deepEqual(entries, [
      [0, 8, 0, 0, 1, 0, 0, 0],
      [1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0],
      [2, 10, 0, 0, 2, 0, 0, 0, 0x00, 0x00],
      [2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0x00],
      [4, 6, 0xff, 0, 0, 1],
    ]);
  });

  test('the DSDT\'s AML defines \\_S5 as Package(4){0, 0, 0, 0}', () => {
    const mem = placed();
    const d = walk(mem).get('DSDT')!;
    const aml = mem.subarray(d + 36, d + view(mem).getUint32(d + 4, true));
    assert.deepEqual(parseNames(aml), { _S5_: [0, 0, 0, 0] });
  });
});

describe('AML encodings', () => {
  test('PkgLength: one byte to 63, then a lead byte with the count in bits 7:6 and the low nibble', () => {
    assert.deepEqual(Array.from(pkgLength(5)), [6]);
    assert.deepEqual(Array.from(pkgLength(62)), [63]);
    assert.deepEqual(Array.from(pkgLength(63)), [0x41, 0x04]); // 65 = 0x41: low nibble 1, then 0x04
    assert.deepEqual(Array.from(pkgLength(0x1000)), [0x83, 0x00, 0x01]); // 0x1003: nibble 3, then 0x100
  });

  test('integers take their shortest form', () => {
    assert.deepEqual(Array.from(integer(0)), [0x00]);
    assert.deepEqual(Array.from(integer(1)), [0x01]);
    assert.deepEqual(Array.from(integer(5)), [0x0a, 5]);
    assert.deepEqual(Array.from(integer(0x1234)), [0x0b, 0x34, 0x12]);
    assert.deepEqual(Array.from(integer(0x12345678)), [0x0c, 0x78, 0x56, 0x34, 0x12]);
  });
});

describe('QEMU table-loader commands', () => {
  test('executed as SeaBIOS does (allocate, add pointers, add checksums), they yield the same valid tables', () => {
    const files = new Map(tableLoaderFiles(buildAcpiTables(PLATFORM)).map((f) => [f.name, f.data.slice()]));
    const loader = files.get('etc/table-loader')!;
    const lv = view(loader);
    const name = (at: number) => String.fromCharCode(...loader.subarray(at, at + 56)).replace(/\0.*$/, '');
    const mem = new Uint8Array(0x10_0000);
    const where = new Map<string, number>();
    const blobs = new Map<string, Uint8Array>();
    let high = 0x8_0000;
    for (let e = 0; e < loader.length; e += 128) {
      const command = lv.getUint32(e, true);
      if (command === 1) { // ALLOCATE: F segment for zone 2, elsewhere for zone 1
        const file = name(e + 4);
        const align = lv.getUint32(e + 60, true);
        const at = loader[e + 64] === 2 ? 0xf_5000 : (high = Math.ceil(high / align) * align);
        if (loader[e + 64] === 1) high += files.get(file)!.length;
        where.set(file, at);
        blobs.set(file, files.get(file)!);
      } else if (command === 2) { // ADD_POINTER
        const dest = blobs.get(name(e + 4))!;
        const dv = view(dest);
        const off = lv.getUint32(e + 116, true);
        assert.equal(loader[e + 120], 4);
        dv.setUint32(off, dv.getUint32(off, true) + where.get(name(e + 60))!, true);
      } else if (command === 3) { // ADD_CHECKSUM
        const blob = blobs.get(name(e + 4))!;
        const off = lv.getUint32(e + 60, true);
        blob[off] = (blob[off] - byteSum(blob, lv.getUint32(e + 64, true), lv.getUint32(e + 68, true))) & 0xff;
      } else {
        assert.fail(`unexpected loader command ${command}`);
      }
    }
    for (const [file, at] of where) mem.set(blobs.get(file)!, at);
    assert.equal(findRsdp(mem), 0xf_5000);
    const tables = walk(mem);
    for (const [s, at] of tables) {
      if (s !== 'FACS') assert.equal(byteSum(mem, at, view(mem).getUint32(at + 4, true)), 0, s);
    }
    // Same bytes as a direct placement at the same address.
    const direct = placeAcpiTables(buildAcpiTables(PLATFORM), where.get('etc/acpi/tables')!);
    assert.deepEqual(blobs.get('etc/acpi/tables'), direct.tables);
  });
});

/**
 * A reader for the AML subset the DSDT uses (ACPI 6.5 §20.2): a list of
 * Name(NameSeg, Package(n){ integers }) terms. Independent of the builder.
 */
function parseNames(aml: Uint8Array): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  let i = 0;
  const readPkgLength = (): number => {
    const lead = aml[i++];
    const extra = lead >> 6;
    if (extra === 0) return lead & 0x3f;
    let n = lead & 0x0f;
    for (let k = 0; k < extra; k++) n |= aml[i++] << (4 + 8 * k);
    return n;
  };
  const readInteger = (): number => {
    const op = aml[i++];
    switch (op) {
      case 0x00: return 0;
      case 0x01: return 1;
      case 0x0a: return aml[i++];
      case 0x0b: i += 2; return aml[i - 2] | (aml[i - 1] << 8);
      case 0x0c: i += 4; return (aml[i - 4] | (aml[i - 3] << 8) | (aml[i - 2] << 16) | (aml[i - 1] << 24)) >>> 0;
      default: throw new Error(`unexpected AML opcode 0x${op.toString(16)} in a package`);
    }
  };
  while (i < aml.length) {
    assert.equal(aml[i++], 0x08, 'NameOp');
    const seg = String.fromCharCode(...aml.subarray(i, i + 4));
    i += 4;
    assert.equal(aml[i++], 0x12, 'PackageOp');
    const start = i;
    const length = readPkgLength();
    const count = aml[i++];
    const values = Array.from({ length: count }, readInteger);
    assert.equal(i - start, length, 'PkgLength covers the package');
    out[seg] = values;
  }
  return out;
}
