/**
 * QEMU's ACPI table-loader interface ("BIOS linker/loader", QEMU
 * hw/acpi/bios-linker-loader.c, which documents the format): the tables go
 * to the firmware as fw_cfg files, with a file `etc/table-loader` of
 * 128-byte commands telling it to allocate each file in memory, patch the
 * pointers between them once their addresses are known, and recompute the
 * checksums. SeaBIOS (src/fw/romfile_loader.c) and OVMF execute them;
 * SeaBIOS then finds the RSDP in the F segment and uses these tables
 * instead of building its own.
 *
 * | command | value | fields after the u32 command (little endian, names NUL-padded to 56) |
 * |---------|-------|-----------------------------------------------------------------------|
 * | ALLOCATE     | 1 | file[56], u32 alignment, u8 zone (1 = high memory, 2 = F segment)  |
 * | ADD_POINTER  | 2 | dest_file[56], src_file[56], u32 offset, u8 size: dest[offset..+size] += address of src_file |
 * | ADD_CHECKSUM | 3 | file[56], u32 offset, u32 start, u32 length: file[offset] -= sum(file[start..+length]) |
 */
import type { AcpiBuild, AcpiFile } from './tables.js';

/** fw_cfg file names, as QEMU names them. */
export const ACPI_FILES = {
  tables: 'etc/acpi/tables',
  rsdp: 'etc/acpi/rsdp',
  loader: 'etc/table-loader',
} as const;

/** Loader commands and their constants. */
export const LOADER = {
  allocate: 1, addPointer: 2, addChecksum: 3,
  zoneHigh: 1, zoneFseg: 2,
  entryBytes: 128, nameBytes: 56,
} as const;

/** The three files to publish through fw_cfg. */
export function tableLoaderFiles(build: AcpiBuild): { name: string; data: Uint8Array }[] {
  const names: Record<AcpiFile, string> = { tables: ACPI_FILES.tables, rsdp: ACPI_FILES.rsdp };
  const commands: Uint8Array[] = [];
  const command = (code: number, fill: (e: Uint8Array, v: DataView) => void) => {
    const e = new Uint8Array(LOADER.entryBytes);
    const v = new DataView(e.buffer);
    v.setUint32(0, code, true);
    fill(e, v);
    commands.push(e);
  };
  // The RSDP must be found by scanning the F segment (16-byte aligned); the rest may go high.
  command(LOADER.allocate, (e, v) => { putName(e, 4, names.rsdp); v.setUint32(60, 16, true); e[64] = LOADER.zoneFseg; });
  command(LOADER.allocate, (e, v) => { putName(e, 4, names.tables); v.setUint32(60, 64, true); e[64] = LOADER.zoneHigh; });
  for (const p of build.pointers) {
    command(LOADER.addPointer, (e, v) => {
      putName(e, 4, names[p.file]);
      putName(e, 60, names.tables);
      v.setUint32(116, p.offset, true);
      e[120] = p.size;
    });
  }
  for (const c of build.checksums) {
    command(LOADER.addChecksum, (e, v) => {
      putName(e, 4, names[c.file]);
      v.setUint32(60, c.offset, true);
      v.setUint32(64, c.start, true);
      v.setUint32(68, c.length, true);
    });
  }
  const loader = new Uint8Array(commands.length * LOADER.entryBytes);
  commands.forEach((c, i) => loader.set(c, i * LOADER.entryBytes));
  return [
    { name: ACPI_FILES.rsdp, data: build.rsdp },
    { name: ACPI_FILES.tables, data: build.tables },
    { name: ACPI_FILES.loader, data: loader },
  ];
}

function putName(entry: Uint8Array, at: number, name: string): void {
  for (let i = 0; i < name.length && i < LOADER.nameBytes - 1; i++) entry[at + i] = name.charCodeAt(i);
}
