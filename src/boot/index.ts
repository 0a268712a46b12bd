/**
 * Ways to start a guest (see README.md): direct Linux boot, Multiboot,
 * firmware at the reset vector, and the cpio writer for initramfs images.
 */
export { BootError } from './boot-error.js';
export { isBzImage, loadLinux, parseBzImage, type BzImage, type LinuxBoot, type LinuxBootOptions } from './linux.js';
export { E820Type, readE820, type E820Entry, type ScreenInfo } from './boot-params.js';
export { findMultibootHeader, loadMultiboot, type MultibootImage } from './multiboot.js';
export { mapBios } from './bios.js';
export { CpioWriter, readCpio, type CpioEntry, type CpioMember } from './cpio.js';
export { configureSeaBios, type SeaBiosConfig, type FwCfgItems } from './seabios.js';
export { buildAcpiTables, installAcpiTables, type AcpiBuild, type AcpiPlatform } from './acpi/index.js';
