/**
 * The Linux/x86 "zero page" (struct boot_params) and the setup header inside
 * it, as offsets into the 4 KiB page, and small writers for the parts a
 * 32-bit loader fills: the e820 map and screen_info. Sources: the kernel's
 * Documentation/arch/x86/boot.rst ("The Real-Mode Kernel Header", "Details
 * of Header Fields") and Documentation/arch/x86/zero-page.rst; struct
 * screen_info from include/uapi/linux/screen_info.h. All fields are little
 * endian. The setup header sits at the same offsets in the bzImage file and
 * in the zero page, so one table serves both.
 */

/** Size of struct boot_params. */
export const BOOT_PARAMS_BYTES = 0x1000;

/** Setup header fields (boot.rst "The Real-Mode Kernel Header"): offsets in the image and in the zero page. */
export const HDR = {
  /** u8: setup code size in 512-byte sectors; 0 means 4. */
  setupSects: 0x1f1,
  /** u32 (2.04+): protected-mode code size in 16-byte paragraphs. */
  syssize: 0x1f4,
  /** u16: video mode control (write, obligatory): 0xFFFF "normal". */
  vidMode: 0x1fa,
  /** u16: 0xAA55. */
  bootFlag: 0x1fe,
  /** u8: the jump at 0x200 is EB xx; 0x202 + xx is the end of the header. */
  jumpOffset: 0x201,
  /** u32: "HdrS". */
  header: 0x202,
  /** u16: protocol version, (major << 8) | minor. */
  version: 0x206,
  /** u16: offset of the version string, less 0x200. */
  kernelVersion: 0x20e,
  /** u8: boot loader id (write, obligatory): 0xFF = undefined. */
  typeOfLoader: 0x210,
  /** u8: LOADED_HIGH, QUIET, KEEP_SEGMENTS, CAN_USE_HEAP. */
  loadflags: 0x211,
  /** u32: 32-bit entry (defaults to the load address). */
  code32Start: 0x214,
  /** u32: initrd load address (write, obligatory). */
  ramdiskImage: 0x218,
  /** u32: initrd size (write, obligatory). */
  ramdiskSize: 0x21c,
  /** u32 (2.02+): command line address (write, obligatory). */
  cmdLinePtr: 0x228,
  /** u32 (2.03+): highest address the initrd may occupy. */
  initrdAddrMax: 0x22c,
  /** u32 (2.05+): alignment a relocatable kernel wants. */
  kernelAlignment: 0x230,
  /** u8 (2.05+): nonzero if the protected-mode kernel is relocatable. */
  relocatableKernel: 0x234,
  /** u16 (2.12+): XLF_* bits. */
  xloadflags: 0x236,
  /** u32 (2.06+): longest command line, without the NUL. */
  cmdlineSize: 0x238,
  /** u32 (2.07+): hardware subarchitecture (0 = PC). */
  hardwareSubarch: 0x23c,
  /** u64 (2.10+): preferred load address. */
  prefAddress: 0x258,
  /** u32 (2.10+): memory the kernel needs from its runtime start before it reads the memory map. */
  initSize: 0x260,
} as const;

/** Zero-page fields outside the setup header (zero-page.rst). */
export const ZP = {
  /** struct screen_info, 0x40 bytes. */
  screenInfo: 0x000,
  /** u32: high halves of ramdisk_image, ramdisk_size, cmd_line_ptr. */
  extRamdiskImage: 0x0c0,
  extRamdiskSize: 0x0c4,
  extCmdLinePtr: 0x0c8,
  /** u32: extended memory above 1 MiB in KiB (the E801 answer). */
  altMemK: 0x1e0,
  /** u8: number of e820 entries. */
  e820Entries: 0x1e8,
  /** u8: must stay 0; the kernel treats a nonzero sentinel as a loader that copied garbage. */
  sentinel: 0x1ef,
  /** struct boot_e820_entry[128]: u64 addr, u64 size, u32 type (20 bytes, packed). */
  e820Table: 0x2d0,
} as const;

/** Maximum number of e820 entries in the zero page (E820_MAX_ENTRIES_ZEROPAGE). */
export const E820_MAX_ENTRIES = 128;
const E820_ENTRY_BYTES = 20;

/** loadflags bits (boot.rst "loadflags"). */
export const LOADFLAGS = {
  /** The protected-mode code is loaded at 0x100000 (a bzImage). */
  loadedHigh: 0x01,
  /** Suppress early messages that need the display hardware. */
  quiet: 0x20,
  /** heap_end_ptr is valid (real-mode setup only). */
  canUseHeap: 0x80,
} as const;

/** xloadflags bits (boot.rst "xloadflags"). */
export const XLOADFLAGS = {
  /** The kernel has the 64-bit entry point at 0x200: an x86-64 kernel. */
  kernel64: 0x01,
} as const;

/** "HdrS" read as a little-endian u32. */
export const HDRS_MAGIC = 0x5372_6448;
/** The boot sector signature at 0x1FE. */
export const BOOT_FLAG = 0xaa55;
/** type_of_loader for a loader without an assigned id. */
export const LOADER_UNDEFINED = 0xff;
/** vid_mode values the command line's vga= may name (boot.rst "Special Command Line Options"). */
export const VID_MODE = { normal: 0xffff, ext: 0xfffe, ask: 0xfffd } as const;

/** e820 range types (ACPI "Address Range Types"; the kernel's E820_TYPE_*). */
export const enum E820Type {
  Ram = 1,
  Reserved = 2,
  Acpi = 3,
  Nvs = 4,
  Unusable = 5,
}

/** One range of the BIOS memory map. */
export interface E820Entry {
  /** Guest-physical start. */
  gpa: number;
  sizeBytes: number;
  type: E820Type;
}

/** Writes the e820 map into a zero page: the table and its entry count. */
export function writeE820(zeroPage: DataView, entries: readonly E820Entry[]): void {
  if (entries.length > E820_MAX_ENTRIES) throw new RangeError(`${entries.length} e820 entries; the zero page holds ${E820_MAX_ENTRIES}`);
  entries.forEach((e, i) => {
    const at = ZP.e820Table + i * E820_ENTRY_BYTES;
    setU64(zeroPage, at, e.gpa);
    setU64(zeroPage, at + 8, e.sizeBytes);
    zeroPage.setUint32(at + 16, e.type, true);
  });
  zeroPage.setUint8(ZP.e820Entries, entries.length);
}

/** Reads the e820 map back from a zero page (tests, diagnostics). */
export function readE820(zeroPage: DataView): E820Entry[] {
  const out: E820Entry[] = [];
  for (let i = 0; i < zeroPage.getUint8(ZP.e820Entries); i++) {
    const at = ZP.e820Table + i * E820_ENTRY_BYTES;
    out.push({ gpa: getU64(zeroPage, at), sizeBytes: getU64(zeroPage, at + 8), type: zeroPage.getUint32(at + 16, true) });
  }
  return out;
}

/** struct screen_info fields a text-mode console needs (screen_info.h offsets). */
const SI = {
  origX: 0x00, origY: 0x01, extMemK: 0x02, origVideoPage: 0x04, origVideoMode: 0x06, origVideoCols: 0x07,
  origVideoEgaBx: 0x0a, origVideoLines: 0x0e, origVideoIsVga: 0x0f, origVideoPoints: 0x10,
} as const;

/** orig_video_isVGA for a VGA colour text console (VIDEO_TYPE_VGAC, screen_info.h). */
export const VIDEO_TYPE_VGAC = 0x22;

/** What the console screen is: an 80×25 VGA colour text mode, or nothing (serial only). */
export type ScreenInfo = { kind: 'vga-text'; cursorRow?: number } | { kind: 'none' };

/**
 * Fills screen_info as the real-mode setup code would after INT 10h: mode 3,
 * 80×25, 16-line font, cursor at the start of row `cursorRow`. For `none` the
 * structure stays zero, which the kernel's vgacon reads as "no VGA"
 * (orig_video_mode, orig_video_isVGA and orig_video_lines all zero).
 * `extMemK` is the legacy INT 15h/88h answer, capped at 0xFFFF KiB.
 */
export function writeScreenInfo(zeroPage: DataView, screen: ScreenInfo, extMemK: number): void {
  const at = ZP.screenInfo;
  zeroPage.setUint16(at + SI.extMemK, Math.min(extMemK, 0xffff), true);
  if (screen.kind === 'none') return;
  zeroPage.setUint8(at + SI.origX, 0);
  zeroPage.setUint8(at + SI.origY, screen.cursorRow ?? 0);
  zeroPage.setUint16(at + SI.origVideoPage, 0, true);
  zeroPage.setUint8(at + SI.origVideoMode, 3);
  zeroPage.setUint8(at + SI.origVideoCols, 80);
  zeroPage.setUint16(at + SI.origVideoEgaBx, 3, true); // BL=3: 256 KiB of EGA/VGA memory, BH=0: colour
  zeroPage.setUint8(at + SI.origVideoLines, 25);
  zeroPage.setUint8(at + SI.origVideoIsVga, VIDEO_TYPE_VGAC);
  zeroPage.setUint16(at + SI.origVideoPoints, 16, true);
}

/** Stores a non-negative integer below 2^53 as a little-endian u64. */
export function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}

/** Reads a little-endian u64 as a number (exact below 2^53). */
export function getU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
}
