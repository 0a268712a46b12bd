/**
 * A 64 KiB BIOS ROM image for board tests: `code` at F000:0000 (the ROM's
 * first byte), HLT (F4h) everywhere else, and at the reset vector F000:FFF0
 * a far jump to F000:0000. Map it with boot/bios.ts mapBios and reset the CPU.
 */
export function romImage(code: Uint8Array): Uint8Array {
  if (code.length > 0xfff0) throw new RangeError(`ROM code of ${code.length} bytes overlaps the reset vector`);
  const rom = new Uint8Array(0x10000).fill(0xf4);
  rom.set(code, 0);
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0); // jmp f000:0000
  return rom;
}
