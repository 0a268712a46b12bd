/**
 * Firmware images started at the reset vector, as QEMU's `-bios` does: the
 * image is mapped read-only just below 4 GiB, and its last 128 KiB (or all of
 * a smaller image) also at the top of the first megabyte, so the CPU's first
 * fetch at F000:FFF0 (linear FFFFFFF0, SDM Vol. 3A §9.1.4) and real-mode code
 * at F000:xxxx see the same bytes.
 *
 * The low alias is the ROM on the bus side of the chipset: on the PC board
 * the i440FX's PAM registers (src/devices/pci/i440fx.ts) decide whether
 * E0000-FFFFF reads it or the RAM beneath. At reset they select the ROM;
 * firmware such as SeaBIOS then switches the region to RAM, copies itself
 * there from the alias below 4 GiB, and write-protects the copy.
 */
import type { PhysicalMemory } from '../cpu/physical-memory.js';
import { BootError } from './boot-error.js';

/** Largest alias below 1 MiB (the ISA BIOS window E0000-FFFFF). */
const LOW_WINDOW = 128 * 1024;

/** Maps a BIOS image; `name` is used in error messages. */
export function mapBios(memory: PhysicalMemory, image: Uint8Array, name: string): void {
  if (image.length === 0) throw new BootError(`${name}: empty BIOS image`);
  if (image.length % 0x1_0000 !== 0) {
    throw new BootError(`${name}: BIOS image size ${image.length} is not a multiple of 64 KiB`);
  }
  if (image.length > 16 * 1024 * 1024) throw new BootError(`${name}: BIOS image larger than 16 MiB`);
  memory.mapRom(0x1_0000_0000 - image.length, image);
  const low = image.subarray(Math.max(0, image.length - LOW_WINDOW));
  memory.mapRom(0x10_0000 - low.length, low);
}
