/**
 * ACPI tables for the board: one builder (tables.ts, with the AML in
 * aml.ts), placed directly in guest memory for a kernel started without
 * firmware, or handed to SeaBIOS through fw_cfg (table-loader.ts).
 */
import type { AcpiBuild } from './tables.js';
import { placeAcpiTables } from './tables.js';

export { buildAcpiTables, placeAcpiTables, byteSum, type AcpiBuild, type AcpiPlatform } from './tables.js';
export { tableLoaderFiles, ACPI_FILES } from './table-loader.js';

/** Guest memory as the loader writes it (PhysicalMemory fits). */
export interface LoadableMemory {
  load(gpa: number, bytes: Uint8Array): void;
}

/**
 * Puts the tables at `tablesGpa` and the RSDP at `rsdpGpa` (16-byte aligned,
 * in E0000-FFFFF where the OS scans for it: ACPI 6.5 §5.2.5.1 "Finding the
 * RSDP on IA-PC Systems"); the range must be reserved in the memory map.
 */
export function installAcpiTables(memory: LoadableMemory, build: AcpiBuild, rsdpGpa: number, tablesGpa: number): void {
  if (rsdpGpa % 16 !== 0 || rsdpGpa < 0xe_0000 || rsdpGpa + build.rsdp.length > 0x10_0000) {
    throw new RangeError(`RSDP at 0x${rsdpGpa.toString(16)} is not 16-byte aligned in E0000-FFFFF`);
  }
  if (tablesGpa % 64 !== 0) throw new RangeError('ACPI tables must be 64-byte aligned (the FACS is)');
  const placed = placeAcpiTables(build, tablesGpa);
  memory.load(rsdpGpa, placed.rsdp);
  memory.load(tablesGpa, placed.tables);
}
