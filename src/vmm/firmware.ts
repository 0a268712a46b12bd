/**
 * What the board's firmware provides, in the two ways a guest starts:
 *
 * - direct kernel boot (no firmware runs): anillo plays the firmware's
 *   part: the chipset as SeaBIOS would leave it (PcBoard.setUpAsFirmware)
 *   and the ACPI tables in the reserved BIOS area (layout.ts FIRMWARE_TABLES);
 * - SeaBIOS: fw_cfg carries the configuration and the same ACPI tables,
 *   which SeaBIOS links into memory with the table-loader commands.
 */
import { buildAcpiTables, configureSeaBios, installAcpiTables } from '../boot/index.js';
import type { Vm } from './vm.js';
import { FIRMWARE_TABLES } from './layout.js';

/** Prepares a VM for a kernel started directly (Linux boot protocol). */
export function setUpDirectBootFirmware(vm: Vm): void {
  vm.board.setUpAsFirmware();
  installAcpiTables(vm.memory, buildAcpiTables(vm.board.acpiPlatform()), FIRMWARE_TABLES.rsdp, FIRMWARE_TABLES.acpiTables);
}

/** Fills fw_cfg for SeaBIOS; `vgaBios` is run as the VGA option ROM. */
export function setUpSeaBiosFirmware(vm: Vm, vgaBios?: { name: string; bytes: Uint8Array }): void {
  configureSeaBios(vm.board.fwCfg, {
    ramBytes: vm.memory.ramBytes,
    cpus: 1,
    acpi: buildAcpiTables(vm.board.acpiPlatform()),
    vgaBios,
  });
}
