/**
 * Direct Linux boot: a bzImage started through the Linux/x86 32-bit boot
 * protocol (Documentation/arch/x86/boot.rst, protocol 2.02 and later), the
 * way QEMU's -kernel or kexec do it, without the kernel's real-mode setup
 * code and without a BIOS:
 *
 * 1. parse and check the setup header (boot.rst "The Real-Mode Kernel Header");
 * 2. load the protected-mode kernel at 1 MiB (boot.rst "Loading The Rest of
 *    The Kernel": bzImage → 0x100000);
 * 3. build struct boot_params (the "zero page", zero-page.rst): the setup
 *    header copied from the image and the loader's fields written (boot.rst
 *    "32-bit Boot Protocol": type_of_loader, cmd_line_ptr, ramdisk_*,
 *    vid_mode), an e820 memory map, screen_info;
 * 4. enter the 32-bit entry point with the state that section prescribes:
 *    protected mode, paging off, a GDT with flat __BOOT_CS (0x10) and
 *    __BOOT_DS (0x18), CS = __BOOT_CS, DS = ES = SS = __BOOT_DS, interrupts
 *    off, ESI = zero page, EBP = EDI = EBX = 0.
 *
 * Deviations from a bootloader on real hardware: there is no real-mode setup
 * step, so nothing the kernel's setup code would have asked the BIOS (EDD,
 * APM, IST, EDID) is filled in; the relocatable kernel is always loaded at
 * 1 MiB, never at pref_address (it moves itself to its aligned runtime
 * address, as it does under GRUB's linux16 and QEMU).
 */
import type { Cpu } from '../cpu/cpu.js';
import { NO_BACKING, type PhysicalMemory } from '../cpu/physical-memory.js';
import { Reg } from '../cpu/registers.js';
import { BootError } from './boot-error.js';
import {
  BOOT_FLAG, BOOT_PARAMS_BYTES, E820Type, HDR, HDRS_MAGIC, LOADER_UNDEFINED, LOADFLAGS, VID_MODE, XLOADFLAGS, ZP,
  getU64, writeE820, writeScreenInfo, type E820Entry, type ScreenInfo,
} from './boot-params.js';
import { enterFlatProtectedMode } from './flat-mode.js';

/** Where this loader puts its own structures (all below the kernel's reserved first 64 KiB or in free low memory). */
const GDT_GPA = 0x5000;
/** Initial ESP: just below the zero page. The decompressor sets its own stack at once (it uses boot_params' scratch field). */
const STACK_TOP_GPA = 0x7000;
/** struct boot_params. */
const ZERO_PAGE_GPA = 0x7000;
/** The command line: below 0xA0000 as boot.rst asks of 16-bit loaders too, with room for any cmdline_size we accept. */
const CMDLINE_GPA = 0x2_0000;
/** Largest command line buffer we place (cmdline_size is 2047 on 6.x kernels). */
const CMDLINE_MAX_BYTES = 0x1_0000;
/** bzImage protected-mode load address (boot.rst "Loading The Rest of The Kernel"). */
const LOAD_GPA = 0x10_0000;
/** __BOOT_CS and __BOOT_DS (boot.rst "32-bit Boot Protocol"). */
const BOOT_CS = 0x10;
const BOOT_DS = 0x18;

/** The PC memory map the e820 table describes (top of conventional memory, EBDA, BIOS area). */
const EBDA_GPA = 0x9_fc00;
const LOW_MEMORY_END = 0xa_0000;
const BIOS_AREA_GPA = 0xf_0000;
const HIGH_MEMORY_GPA = 0x10_0000;

/** Oldest protocol with cmd_line_ptr: the 32-bit protocol has no other way to pass a command line. */
const MIN_PROTOCOL = 0x0202;
/** End of the setup header's room in struct boot_params (edd_mbr_sig_buffer follows). */
const HEADER_ROOM_END = 0x290;
/** initrd_addr_max before protocol 2.03 (boot.rst "initrd_addr_max"). */
const DEFAULT_INITRD_ADDR_MAX = 0x37ff_ffff;
/** Command-line limit before protocol 2.06 (boot.rst "cmdline_size"). */
const DEFAULT_CMDLINE_SIZE = 255;

/** What the setup header of a bzImage says, checked. */
export interface BzImage {
  /** Boot protocol version, (major << 8) | minor. */
  protocol: number;
  /** "2.15" etc. */
  protocolText: string;
  /** The kernel's version string from the setup code, if it has one. */
  kernelVersion: string;
  /** Bytes of the boot sector plus real-mode setup code ((setup_sects + 1) × 512). */
  setupBytes: number;
  /** The protected-mode kernel: everything after the setup code. */
  protectedMode: Uint8Array;
  /** The setup header as found in the file (0x1F1 up to its end), to copy into the zero page. */
  header: Uint8Array;
  loadflags: number;
  /** Highest address the initrd may occupy. */
  initrdAddrMax: number;
  /** Longest command line the kernel takes, without the NUL. */
  cmdlineSize: number;
  relocatable: boolean;
  kernelAlignment: number;
  /** Preferred (for relocatable kernels) or fixed runtime address, 0 if the protocol predates it. */
  prefAddress: number;
  /** Linear memory the kernel needs from its runtime start before it reads the memory map (0 if unknown). */
  initSize: number;
}

/** True when the image has the bzImage boot sector signature and the "HdrS" setup header. */
export function isBzImage(image: Uint8Array): boolean {
  if (image.length < HDR.header + 4) return false;
  const view = viewOf(image);
  return view.getUint16(HDR.bootFlag, true) === BOOT_FLAG && view.getUint32(HDR.header, true) === HDRS_MAGIC;
}

/** Parses and checks a bzImage's setup header; every problem is a one-line BootError naming the file. */
export function parseBzImage(image: Uint8Array, name: string): BzImage {
  if (image.length < HDR.header + 4) {
    throw new BootError(`${name}: not a Linux kernel: ${image.length} bytes is too short to hold a setup header`);
  }
  if (!isBzImage(image)) {
    throw new BootError(`${name}: not a Linux bzImage (no boot signature 0xAA55 at 0x1FE and "HdrS" at 0x202)`);
  }
  const view = viewOf(image);
  const protocol = view.getUint16(HDR.version, true);
  const protocolText = `${protocol >> 8}.${(protocol & 0xff).toString().padStart(2, '0')}`;
  if (protocol < MIN_PROTOCOL) {
    throw new BootError(`${name}: Linux boot protocol ${protocolText} is too old; the 32-bit boot protocol needs 2.02 or later (kernel 2.4+)`);
  }
  const headerEnd = HDR.header + view.getUint8(HDR.jumpOffset);
  if (headerEnd > HEADER_ROOM_END || headerEnd < HDR.cmdLinePtr + 4) {
    throw new BootError(`${name}: malformed setup header (its jump at 0x200 puts the end at 0x${headerEnd.toString(16)})`);
  }
  const loadflags = view.getUint8(HDR.loadflags);
  if ((loadflags & LOADFLAGS.loadedHigh) === 0) {
    throw new BootError(`${name}: a zImage (loaded below 1 MiB); only bzImage kernels are supported`);
  }
  if (protocol >= 0x020c && (view.getUint16(HDR.xloadflags, true) & XLOADFLAGS.kernel64) !== 0) {
    throw new BootError(`${name}: a 64-bit (x86-64) kernel; anillo models a 32-bit i686 processor, use an i386 (686) kernel`);
  }
  const setupSects = view.getUint8(HDR.setupSects) || 4;
  const setupBytes = (setupSects + 1) * 512;
  if (image.length <= setupBytes || image.length < headerEnd) {
    throw new BootError(`${name}: truncated: ${image.length} bytes, but the setup code alone is ${setupBytes} bytes (setup_sects ${setupSects})`);
  }
  const protectedMode = image.subarray(setupBytes);
  if (protocol >= 0x0204) {
    const sysBytes = view.getUint32(HDR.syssize, true) * 16;
    if (sysBytes > protectedMode.length) {
      throw new BootError(`${name}: truncated: the header says the protected-mode kernel is ${sysBytes} bytes, the file has ${protectedMode.length} after the setup code`);
    }
  }
  const v = (at: number, min: number, fallback: number, size: 1 | 4 = 4): number =>
    protocol >= min ? (size === 1 ? view.getUint8(at) : view.getUint32(at, true)) : fallback;
  return {
    protocol,
    protocolText,
    kernelVersion: readKernelVersion(image, view, setupBytes),
    setupBytes,
    protectedMode,
    header: image.slice(HDR.setupSects, headerEnd),
    loadflags,
    initrdAddrMax: v(HDR.initrdAddrMax, 0x0203, DEFAULT_INITRD_ADDR_MAX),
    cmdlineSize: v(HDR.cmdlineSize, 0x0206, DEFAULT_CMDLINE_SIZE),
    relocatable: v(HDR.relocatableKernel, 0x0205, 0, 1) !== 0,
    kernelAlignment: v(HDR.kernelAlignment, 0x0205, 0),
    prefAddress: protocol >= 0x020a ? getU64(view, HDR.prefAddress) : 0,
    initSize: v(HDR.initSize, 0x020a, 0),
  };
}

/** The NUL-terminated version string kernel_version points at (offset + 0x200), if it lies in the setup code. */
function readKernelVersion(image: Uint8Array, view: DataView, setupBytes: number): string {
  const ptr = view.getUint16(HDR.kernelVersion, true);
  if (ptr === 0) return '';
  const start = ptr + 0x200;
  if (start >= setupBytes) return '';
  let end = start;
  while (end < setupBytes && end - start < 256 && image[end] !== 0) end++;
  return String.fromCharCode(...image.subarray(start, end));
}

/** How to boot a bzImage. */
export interface LinuxBootOptions {
  /** The kernel command line. */
  cmdline: string;
  /** The initial ramdisk (a cpio archive, optionally compressed) and its name for messages. */
  initrd?: { bytes: Uint8Array; name: string };
  /** The console screen the kernel is told about (default: none; serial consoles need nothing here). */
  screen?: ScreenInfo;
}

/** Where everything went, for diagnostics and tests. */
export interface LinuxBoot {
  image: BzImage;
  /** The 32-bit entry point (code32_start = the load address). */
  entry: number;
  zeroPageGpa: number;
  cmdlineGpa: number;
  initrd?: { gpa: number; sizeBytes: number };
  /** Highest byte (exclusive) the kernel may use while it decompresses and sets itself up. */
  kernelEndGpa: number;
  e820: E820Entry[];
}

/** Loads a bzImage (and initrd), builds the zero page and puts the CPU at the 32-bit entry point. */
export function loadLinux(cpu: Cpu, memory: PhysicalMemory, image: Uint8Array, name: string, options: LinuxBootOptions): LinuxBoot {
  const kernel = parseBzImage(image, name);
  const ramTop = memory.ramBytes;

  const kernelEndGpa = requiredKernelEnd(kernel);
  if (kernelEndGpa > ramTop) {
    throw new BootError(`${name}: this kernel needs at least ${Math.ceil(kernelEndGpa / 2 ** 20)} MiB of RAM to unpack itself; the guest has ${ramTop >> 20} MiB (raise --mem)`);
  }

  const cmdline = new TextEncoder().encode(options.cmdline);
  if (cmdline.includes(0)) throw new BootError(`${name}: the kernel command line contains a NUL character`);
  if (cmdline.length > Math.min(kernel.cmdlineSize, CMDLINE_MAX_BYTES - 1)) {
    throw new BootError(`${name}: the command line is ${cmdline.length} bytes; this kernel accepts at most ${kernel.cmdlineSize}`);
  }

  memory.load(LOAD_GPA, kernel.protectedMode);
  memory.load(CMDLINE_GPA, Uint8Array.from([...cmdline, 0]));

  let initrd: LinuxBoot['initrd'];
  if (options.initrd) {
    initrd = placeInitrd(kernel, options.initrd, kernelEndGpa, ramTop);
    memory.load(initrd.gpa, options.initrd.bytes);
  }

  const e820 = memoryMap(memory);
  const zeroPage = new Uint8Array(BOOT_PARAMS_BYTES);
  const zp = new DataView(zeroPage.buffer);
  // 32-bit protocol: a zeroed boot_params, the setup header copied in at 0x1F1 (boot.rst "32-bit Boot Protocol").
  zeroPage.set(kernel.header, HDR.setupSects);
  zp.setUint8(HDR.typeOfLoader, LOADER_UNDEFINED);
  zp.setUint16(HDR.vidMode, vidMode(options.cmdline), true);
  zp.setUint8(HDR.loadflags, kernel.loadflags & ~(LOADFLAGS.quiet | LOADFLAGS.canUseHeap));
  zp.setUint32(HDR.code32Start, LOAD_GPA, true);
  zp.setUint32(HDR.cmdLinePtr, CMDLINE_GPA, true);
  zp.setUint32(HDR.ramdiskImage, initrd?.gpa ?? 0, true);
  zp.setUint32(HDR.ramdiskSize, initrd?.sizeBytes ?? 0, true);
  if (kernel.protocol >= 0x0207) zp.setUint32(HDR.hardwareSubarch, 0, true); // the default x86/PC environment
  const extendedKiB = Math.max(0, (ramTop - HIGH_MEMORY_GPA) >> 10);
  zp.setUint32(ZP.altMemK, extendedKiB, true);
  writeScreenInfo(zp, options.screen ?? { kind: 'none' }, extendedKiB);
  writeE820(zp, e820);
  memory.load(ZERO_PAGE_GPA, zeroPage);

  enterFlatProtectedMode(cpu, memory, { gdtGpa: GDT_GPA, codeSelector: BOOT_CS, dataSelector: BOOT_DS }, LOAD_GPA);
  cpu.regs.fill(0);
  cpu.regs[Reg.ESI] = ZERO_PAGE_GPA;
  cpu.regs[Reg.ESP] = STACK_TOP_GPA;

  return { image: kernel, entry: LOAD_GPA, zeroPageGpa: ZERO_PAGE_GPA, cmdlineGpa: CMDLINE_GPA, initrd, kernelEndGpa, e820 };
}

/**
 * The end of the memory the kernel claims before it has read the e820 map:
 * its file image at the load address, and init_size bytes from its runtime
 * start (boot.rst "init_size": relocatable → the load address aligned up to
 * kernel_alignment, but the decompressor never goes below pref_address =
 * LOAD_PHYSICAL_ADDR; otherwise pref_address).
 */
function requiredKernelEnd(kernel: BzImage): number {
  const fileEnd = LOAD_GPA + kernel.protectedMode.length;
  if (kernel.initSize === 0) return fileEnd;
  const align = kernel.kernelAlignment > 0 ? kernel.kernelAlignment : 1;
  const aligned = Math.ceil(LOAD_GPA / align) * align;
  const runtimeStart = kernel.relocatable ? Math.max(aligned, kernel.prefAddress) : (kernel.prefAddress || LOAD_GPA);
  return Math.max(fileEnd, runtimeStart + kernel.initSize);
}

/**
 * The initrd goes as high as allowed: its last byte at or below
 * initrd_addr_max and below the top of RAM, its start page aligned (as
 * QEMU and GRUB place it), and above everything the kernel unpacks into.
 */
function placeInitrd(kernel: BzImage, initrd: { bytes: Uint8Array; name: string }, kernelEndGpa: number, ramTop: number): { gpa: number; sizeBytes: number } {
  const size = initrd.bytes.length;
  if (size === 0) throw new BootError(`${initrd.name}: initrd is empty`);
  const limit = Math.min(kernel.initrdAddrMax + 1, ramTop);
  const gpa = Math.floor((limit - size) / 4096) * 4096;
  if (gpa < kernelEndGpa) {
    const needMiB = Math.ceil((kernelEndGpa + size) / 2 ** 20) + 1;
    throw new BootError(`${initrd.name}: initrd of ${(size / 2 ** 20).toFixed(1)} MiB does not fit between the kernel (up to ${(kernelEndGpa / 2 ** 20).toFixed(0)} MiB) and the top of the guest's ${ramTop >> 20} MiB; try --mem ${needMiB}M`);
  }
  return { gpa, sizeBytes: size };
}

/**
 * The BIOS memory map (INT 15h E820) of this board: conventional memory up
 * to the EBDA, the EBDA and the BIOS area reserved, the VGA/option ROM
 * window left as a hole, RAM from 1 MiB to the top, and any firmware ROM
 * mapped below 4 GiB reserved.
 */
function memoryMap(memory: PhysicalMemory): E820Entry[] {
  const ramTop = memory.ramBytes;
  const map: E820Entry[] = [
    { gpa: 0, sizeBytes: Math.min(EBDA_GPA, ramTop), type: E820Type.Ram },
  ];
  if (ramTop > EBDA_GPA) map.push({ gpa: EBDA_GPA, sizeBytes: LOW_MEMORY_END - EBDA_GPA, type: E820Type.Reserved });
  // A BIOS image mapped below 1 MiB may reach down to 0xE0000; reserve from its start.
  const lowRom = lowestRomPage(memory, LOW_MEMORY_END >>> 12, HIGH_MEMORY_GPA >>> 12);
  const biosStart = Math.min(BIOS_AREA_GPA, lowRom);
  map.push({ gpa: biosStart, sizeBytes: HIGH_MEMORY_GPA - biosStart, type: E820Type.Reserved });
  if (ramTop > HIGH_MEMORY_GPA) map.push({ gpa: HIGH_MEMORY_GPA, sizeBytes: ramTop - HIGH_MEMORY_GPA, type: E820Type.Ram });
  const highRom = lowestRomPage(memory, 0xf_0000, 0x10_0000, true);
  if (highRom < 0x1_0000_0000) map.push({ gpa: highRom, sizeBytes: 0x1_0000_0000 - highRom, type: E820Type.Reserved });
  return map;
}

/**
 * Start address of the read-only (ROM) pages that run contiguously up to
 * page `endPage`, scanning down from it, or of the lowest ROM page in
 * [startPage, endPage) when `contiguousFromTop` is false. Returns
 * endPage × 4096 when there is none.
 */
function lowestRomPage(memory: PhysicalMemory, startPage: number, endPage: number, contiguousFromTop = false): number {
  const isRom = (p: number) => memory.pageHost[p] !== NO_BACKING && memory.pageReadOnly[p] === 1;
  let lowest = endPage;
  for (let p = endPage - 1; p >= startPage; p--) {
    if (isRom(p)) lowest = p;
    else if (contiguousFromTop) break;
  }
  return lowest * 4096;
}

/** vid_mode from the command line's vga= option (boot.rst "Special Command Line Options"); "normal" without one. */
function vidMode(cmdline: string): number {
  const m = /(?:^|\s)vga=(\S+)/.exec(cmdline);
  if (!m) return VID_MODE.normal;
  const v = m[1].toLowerCase();
  if (v === 'normal' || v === 'ext' || v === 'ask') return VID_MODE[v];
  const n = Number(v.startsWith('0') && !v.startsWith('0x') && v.length > 1 ? parseInt(v, 8) : v);
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : VID_MODE.normal;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
