/**
 * What SeaBIOS (its QEMU build, as Debian ships it) reads from fw_cfg, and
 * what the board tells it (SeaBIOS src/fw/paravirt.c "qemu_cfg_init" and
 * the romfile users; QEMU docs/specs/fw_cfg.rst for the fixed keys):
 *
 * | item                      | here                                           | missing → SeaBIOS |
 * |---------------------------|------------------------------------------------|-------------------|
 * | 0x00 signature, 0x01 ID   | by the device (fw-cfg.ts)                      | no fw_cfg: CMOS only |
 * | 0x03 RAM size (u64)       | guest RAM                                      | CMOS              |
 * | 0x05 nb_cpus, 0x0f max_cpus (u16) | 1, 1                                   | counts CPUs by SIPI |
 * | 0x0e boot menu (u16)      | 0                                              | etc/show-boot-menu |
 * | etc/e820                  | RAM 0 .. top (20-byte entries: u64 address, u64 length, u32 type) | CMOS |
 * | etc/show-boot-menu (u16)  | 0: no "Press ESC" pause                        | 1: waits 2.5 s    |
 * | etc/acpi/rsdp, etc/acpi/tables, etc/table-loader | the board's ACPI tables (acpi/) | builds its own (PIIX4 PM needed) |
 * | vgaroms/NAME              | the VGA BIOS, when given                       | no VGA BIOS: no int 10h text |
 * | bootorder, etc/boot-fail-wait, etc/sercon-port, smbios, numa | not given | defaults: first disk, retry after 60 s, no serial console, its own SMBIOS |
 */
import { E820Type } from './boot-params.js';
import type { AcpiBuild } from './acpi/tables.js';
import { tableLoaderFiles } from './acpi/table-loader.js';

/** The fw_cfg device as configuration code sees it (devices/fw-cfg.ts fits). */
export interface FwCfgItems {
  setInt(key: number, value: number, bytes: 2 | 4 | 8): void;
  addFile(name: string, data: Uint8Array): number;
}

/** What to tell SeaBIOS. */
export interface SeaBiosConfig {
  ramBytes: number;
  cpus: number;
  acpi: AcpiBuild;
  /** A VGA BIOS to run as an option ROM (SeaBIOS copies it to C0000). */
  vgaBios?: { name: string; bytes: Uint8Array };
}

/** fw_cfg keys used here (QEMU's FW_CFG_*). */
const KEY = { ramSize: 0x03, nbCpus: 0x05, bootMenu: 0x0e, maxCpus: 0x0f } as const;
/** Bytes of one etc/e820 entry. */
const E820_ENTRY_BYTES = 20;

/** Fills fw_cfg with the items and files SeaBIOS reads. */
export function configureSeaBios(fwCfg: FwCfgItems, c: SeaBiosConfig): void {
  fwCfg.setInt(KEY.ramSize, c.ramBytes, 8);
  fwCfg.setInt(KEY.nbCpus, c.cpus, 2);
  fwCfg.setInt(KEY.maxCpus, c.cpus, 2);
  fwCfg.setInt(KEY.bootMenu, 0, 2);
  fwCfg.addFile('etc/e820', e820([{ gpa: 0, sizeBytes: c.ramBytes, type: E820Type.Ram }]));
  fwCfg.addFile('etc/show-boot-menu', Uint8Array.of(0, 0));
  for (const f of tableLoaderFiles(c.acpi)) fwCfg.addFile(f.name, f.data);
  if (c.vgaBios) fwCfg.addFile(`vgaroms/${c.vgaBios.name}`, c.vgaBios.bytes);
}

/** The etc/e820 file: packed little-endian entries. */
function e820(entries: readonly { gpa: number; sizeBytes: number; type: number }[]): Uint8Array {
  const out = new Uint8Array(entries.length * E820_ENTRY_BYTES);
  const v = new DataView(out.buffer);
  entries.forEach((e, i) => {
    const at = i * E820_ENTRY_BYTES;
    v.setBigUint64(at, BigInt(e.gpa), true);
    v.setBigUint64(at + 8, BigInt(e.sizeBytes), true);
    v.setUint32(at + 16, e.type, true);
  });
  return out;
}
