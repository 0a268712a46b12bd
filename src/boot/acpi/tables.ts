/**
 * The board's ACPI tables (ACPI Specification 6.5, §5.2 "ACPI System
 * Description Tables"), built once and placed two ways: at fixed addresses
 * for a directly booted kernel (no firmware), or handed to SeaBIOS through
 * fw_cfg with QEMU's table-loader commands (table-loader.ts), which place
 * and link them.
 *
 *   RSDP (ACPI 1.0 form, found by scanning E0000-FFFFF) ─► RSDT ─┬► FADT ─┬► FACS
 *                                                                 │        └► DSDT (\_S5)
 *                                                                 └► MADT
 *
 * - FADT (revision 3, the ACPI 2.0 layout, §5.2.9): the PIIX4 PM blocks at
 *   the PM I/O base (PM1a event 4 bytes, PM1a control 2, 24-bit PM timer 4,
 *   GPE0 4), SCI on IRQ 9, SMI_CMD 0 (always in ACPI mode), C2/C3 absent,
 *   CMOS century index, legacy devices and an 8042, reset register 0xCF9
 *   (value 6: hard reset) in system I/O space.
 * - MADT (§5.2.12): the local APIC, the I/O APIC and its GSI base 0,
 *   interrupt source overrides ISA IRQ 0 → GSI 2 (edge, high: conforming)
 *   and the SCI IRQ 9 → GSI 9 (level, active high), LINT1 as NMI.
 * - DSDT (§5.2.11.1): Name(_S5, Package(4){0, 0, 0, 0}) only: SLP_TYP 0 is
 *   the PIIX4's soft off. No PCI root bridge is described, so Linux probes
 *   PCI itself; the chipset's devices need no ACPI interrupt routing.
 * - FACS (§5.2.10): 64 bytes, 64-byte aligned, no waking vector.
 *
 * Pointers between tables are written as offsets into the tables blob and
 * listed in `pointers`, so a placement (or the firmware's loader) adds the
 * blob's address; `checksums` lists the ranges whose checksum byte must
 * make the sum zero after that.
 */
import { concat, integer, name, pkg } from './aml.js';

/** What the tables describe. */
export interface AcpiPlatform {
  /** Base of the PIIX4 PM I/O space (PMBA). */
  pmIoBase: number;
  /** ISA IRQ of the SCI. */
  sciIrq: number;
  localApicGpa: number;
  ioApicGpa: number;
  ioApicId: number;
  /** CMOS index of the century byte. */
  centuryCmosIndex: number;
  /** I/O port and value of the reset register. */
  resetPort: number;
  resetValue: number;
}

/** A field to relocate: `size` bytes at `offset` of `file`, holding an offset into the tables blob. */
export interface AcpiPointer { file: AcpiFile; offset: number; size: 4 }
/** A checksum byte at `offset` of `file` over `length` bytes from `start`. */
export interface AcpiChecksum { file: AcpiFile; offset: number; start: number; length: number }
/** The two blobs. */
export type AcpiFile = 'tables' | 'rsdp';

/** The built tables, unplaced. */
export interface AcpiBuild {
  /** FACS, DSDT, FADT, MADT, RSDT, each 8-byte aligned (FACS at 0, 64-byte aligned). */
  tables: Uint8Array;
  /** The RSDP (20 bytes). */
  rsdp: Uint8Array;
  pointers: AcpiPointer[];
  checksums: AcpiChecksum[];
  /** Offset of each table in `tables`, by signature. */
  offsets: Record<'FACS' | 'DSDT' | 'FACP' | 'APIC' | 'RSDT', number>;
}

/** OEM identification in every header. */
const OEM_ID = 'ANILLO';
const OEM_TABLE_ID = 'ANILLOPC';
const CREATOR_ID = 'ANLO';
/** Standard description header size (§5.2.6). */
export const HEADER_BYTES = 36;
/** Offset of the checksum byte in a header. */
const HEADER_CHECKSUM = 9;
/** FADT revision 3: the ACPI 2.0 layout, 244 bytes. */
const FADT_REVISION = 3;
const FADT_BYTES = 244;
const FACS_BYTES = 64;
const RSDP_BYTES = 20;

/** FADT field offsets (ACPI 6.5 Table 5.9). */
export const FADT = {
  firmwareCtrl: 36, dsdt: 40, sciInt: 46, smiCmd: 48, pm1aEvtBlk: 56, pm1aCntBlk: 64, pmTmrBlk: 76, gpe0Blk: 80,
  pm1EvtLen: 88, pm1CntLen: 89, pmTmrLen: 91, gpe0BlkLen: 92, pLvl2Lat: 96, pLvl3Lat: 98, century: 108,
  iapcBootArch: 109, flags: 112, resetReg: 116, resetValue: 128,
} as const;

/** FADT flags (Table 5.10). */
const FADT_WBINVD = 1 << 0;
const FADT_PROC_C1 = 1 << 2;
const FADT_PWR_BUTTON = 1 << 4; // no fixed power button
const FADT_SLP_BUTTON = 1 << 5; // no fixed sleep button
const FADT_RESET_REG_SUP = 1 << 10;
/** IA-PC boot architecture flags (Table 5.11): legacy ISA devices, an 8042. */
const IAPC_LEGACY_DEVICES = 1 << 0;
const IAPC_8042 = 1 << 1;
/** C2/C3 latencies above 100/1000 µs say the state is not supported (§5.2.9). */
const C2_UNSUPPORTED = 101;
const C3_UNSUPPORTED = 1001;
/** Generic Address Structure: system I/O space, byte access (§5.2.3.2). */
const GAS_SYSTEM_IO = 1;
const GAS_ACCESS_BYTE = 1;

/** MADT structure types (Table 5.21) and flags. */
export const MADT = {
  localApic: 0, ioApic: 1, interruptOverride: 2, localApicNmi: 4,
  /** MADT flags: PC-AT dual 8259 present. */
  pcatCompat: 1,
  /** Local APIC flags: enabled. */
  enabled: 1,
  /** MPS INTI flags (Table 5.26): polarity bits 1:0, trigger bits 3:2; 01 active high, 11 level. */
  activeHighLevel: 0x000d,
  conforming: 0x0000,
} as const;

/** Builds the tables for `p`. */
export function buildAcpiTables(p: AcpiPlatform): AcpiBuild {
  const pointers: AcpiPointer[] = [];
  const checksums: AcpiChecksum[] = [];
  const parts: Uint8Array[] = [];
  let size = 0;
  const add = (table: Uint8Array, align: number): number => {
    const pad = (align - (size % align)) % align;
    if (pad) { parts.push(new Uint8Array(pad)); size += pad; }
    const at = size;
    parts.push(table);
    size += table.length;
    if (table.length >= HEADER_BYTES && String.fromCharCode(...table.subarray(0, 4)) !== 'FACS') {
      checksums.push({ file: 'tables', offset: at + HEADER_CHECKSUM, start: at, length: table.length });
    }
    return at;
  };

  const facs = add(buildFacs(), 64);
  const dsdt = add(buildDsdt(), 8);
  const fadtBytes = buildFadt(p);
  const fadtView = view(fadtBytes);
  fadtView.setUint32(FADT.firmwareCtrl, facs, true);
  fadtView.setUint32(FADT.dsdt, dsdt, true);
  const fadt = add(fadtBytes, 8);
  pointers.push({ file: 'tables', offset: fadt + FADT.firmwareCtrl, size: 4 }, { file: 'tables', offset: fadt + FADT.dsdt, size: 4 });
  const madt = add(buildMadt(p), 8);
  const rsdtBytes = header('RSDT', 1, HEADER_BYTES + 8);
  view(rsdtBytes).setUint32(HEADER_BYTES, fadt, true);
  view(rsdtBytes).setUint32(HEADER_BYTES + 4, madt, true);
  const rsdt = add(rsdtBytes, 8);
  pointers.push({ file: 'tables', offset: rsdt + HEADER_BYTES, size: 4 }, { file: 'tables', offset: rsdt + HEADER_BYTES + 4, size: 4 });

  // RSDP (§5.2.5.3), ACPI 1.0 form: revision 0, checksum over its 20 bytes.
  const rsdp = new Uint8Array(RSDP_BYTES);
  rsdp.set(ascii('RSD PTR ', 8), 0);
  rsdp.set(ascii(OEM_ID, 6), 9);
  rsdp[15] = 0;
  view(rsdp).setUint32(16, rsdt, true);
  pointers.push({ file: 'rsdp', offset: 16, size: 4 });
  checksums.push({ file: 'rsdp', offset: 8, start: 0, length: RSDP_BYTES });

  const tables = concat(parts);
  const build: AcpiBuild = {
    tables, rsdp, pointers, checksums, offsets: { FACS: facs, DSDT: dsdt, FACP: fadt, APIC: madt, RSDT: rsdt },
  };
  // Checksums valid for the blobs as they are (placed at 0); placement recomputes them.
  for (const c of checksums) fixChecksum(c.file === 'tables' ? tables : rsdp, c);
  return build;
}

/**
 * Copies of the tables relocated to `tablesGpa` (the RSDP to wherever it
 * goes; its pointer is into the tables): pointers rebased, checksums redone.
 */
export function placeAcpiTables(build: AcpiBuild, tablesGpa: number): { tables: Uint8Array; rsdp: Uint8Array } {
  const blobs = { tables: build.tables.slice(), rsdp: build.rsdp.slice() };
  for (const ptr of build.pointers) {
    const v = view(blobs[ptr.file]);
    v.setUint32(ptr.offset, (v.getUint32(ptr.offset, true) + tablesGpa) >>> 0, true);
  }
  for (const c of build.checksums) fixChecksum(blobs[c.file], c);
  return blobs;
}

/** Sets the checksum byte so the range sums to zero (mod 256). */
function fixChecksum(blob: Uint8Array, c: AcpiChecksum): void {
  blob[c.offset] = 0;
  blob[c.offset] = (256 - byteSum(blob, c.start, c.length)) & 0xff;
}

/** Sum of `length` bytes from `start`, mod 256. */
export function byteSum(blob: Uint8Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum = (sum + blob[i]) & 0xff;
  return sum;
}

/** A description header (§5.2.6) for a table of `length` bytes; the checksum is filled in later. */
function header(signature: string, revision: number, length: number): Uint8Array {
  const t = new Uint8Array(length);
  const v = view(t);
  t.set(ascii(signature, 4), 0);
  v.setUint32(4, length, true);
  t[8] = revision;
  t.set(ascii(OEM_ID, 6), 10);
  t.set(ascii(OEM_TABLE_ID, 8), 16);
  v.setUint32(24, 1, true); // OEM revision
  t.set(ascii(CREATOR_ID, 4), 28);
  v.setUint32(32, 1, true); // creator revision
  return t;
}

/** The DSDT: \_S5 = {SLP_TYPa 0, SLP_TYPb 0, reserved, reserved}. */
function buildDsdt(): Uint8Array {
  const aml = name('_S5', pkg([integer(0), integer(0), integer(0), integer(0)]));
  const t = header('DSDT', 1, HEADER_BYTES + aml.length);
  t.set(aml, HEADER_BYTES);
  return t;
}

function buildFacs(): Uint8Array {
  const t = new Uint8Array(FACS_BYTES);
  t.set(ascii('FACS', 4), 0);
  view(t).setUint32(4, FACS_BYTES, true);
  t[32] = 1; // version: the ACPI 2.0 FACS layout
  return t;
}

function buildFadt(p: AcpiPlatform): Uint8Array {
  const t = header('FACP', FADT_REVISION, FADT_BYTES);
  const v = view(t);
  v.setUint16(FADT.sciInt, p.sciIrq, true);
  v.setUint32(FADT.smiCmd, 0, true);
  v.setUint32(FADT.pm1aEvtBlk, p.pmIoBase + 0x00, true);
  v.setUint32(FADT.pm1aCntBlk, p.pmIoBase + 0x04, true);
  v.setUint32(FADT.pmTmrBlk, p.pmIoBase + 0x08, true);
  v.setUint32(FADT.gpe0Blk, p.pmIoBase + 0x0c, true);
  t[FADT.pm1EvtLen] = 4;
  t[FADT.pm1CntLen] = 2;
  t[FADT.pmTmrLen] = 4;
  t[FADT.gpe0BlkLen] = 4;
  v.setUint16(FADT.pLvl2Lat, C2_UNSUPPORTED, true);
  v.setUint16(FADT.pLvl3Lat, C3_UNSUPPORTED, true);
  t[FADT.century] = p.centuryCmosIndex;
  v.setUint16(FADT.iapcBootArch, IAPC_LEGACY_DEVICES | IAPC_8042, true);
  v.setUint32(FADT.flags, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG_SUP, true);
  // RESET_REG: a Generic Address Structure (§5.2.3.2).
  t[FADT.resetReg] = GAS_SYSTEM_IO;
  t[FADT.resetReg + 1] = 8;
  t[FADT.resetReg + 2] = 0;
  t[FADT.resetReg + 3] = GAS_ACCESS_BYTE;
  v.setUint32(FADT.resetReg + 4, p.resetPort, true);
  t[FADT.resetValue] = p.resetValue;
  return t;
}

function buildMadt(p: AcpiPlatform): Uint8Array {
  const entries: Uint8Array[] = [];
  const entry = (type: number, length: number, fill: (v: DataView) => void) => {
    const e = new Uint8Array(length);
    e[0] = type;
    e[1] = length;
    fill(view(e));
    entries.push(e);
  };
  entry(MADT.localApic, 8, (v) => { v.setUint8(2, 0); v.setUint8(3, 0); v.setUint32(4, MADT.enabled, true); });
  entry(MADT.ioApic, 12, (v) => { v.setUint8(2, p.ioApicId); v.setUint32(4, p.ioApicGpa, true); v.setUint32(8, 0, true); });
  const override = (irq: number, gsi: number, flags: number) => entry(MADT.interruptOverride, 10, (v) => {
    v.setUint8(2, 0); // ISA
    v.setUint8(3, irq);
    v.setUint32(4, gsi, true);
    v.setUint16(8, flags, true);
  });
  override(0, 2, MADT.conforming);
  override(p.sciIrq, p.sciIrq, MADT.activeHighLevel);
  entry(MADT.localApicNmi, 6, (v) => { v.setUint8(2, 0xff); v.setUint16(3, MADT.conforming, true); v.setUint8(5, 1); });
  const body = concat(entries);
  const t = header('APIC', 1, HEADER_BYTES + 8 + body.length);
  view(t).setUint32(HEADER_BYTES, p.localApicGpa, true);
  view(t).setUint32(HEADER_BYTES + 4, MADT.pcatCompat, true);
  t.set(body, HEADER_BYTES + 8);
  return t;
}

function ascii(text: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < Math.min(bytes, text.length); i++) out[i] = text.charCodeAt(i);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
