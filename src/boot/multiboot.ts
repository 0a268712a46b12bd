/**
 * Multiboot (version 0.6.96) loading of 32-bit kernels: an ELF32 executable,
 * or any image whose Multiboot header sets the address fields (flag bit 16,
 * the "a.out kludge"). The header must lie in the first 8192 bytes, 4-byte
 * aligned (spec §3.1.1). The machine state at entry follows spec §3.2: EAX =
 * 0x2BADB002, EBX = physical address of the Multiboot information structure,
 * flat 32-bit CS and data segments, CR0.PE=1, PG=0, IF=0, A20 enabled.
 */
import type { Cpu } from '../cpu/cpu.js';
import type { PhysicalMemory } from '../cpu/physical-memory.js';
import { Reg } from '../cpu/registers.js';
import { BootError } from './boot-error.js';
import { enterFlatProtectedMode } from './flat-mode.js';

const HEADER_MAGIC = 0x1bad_b002;
const BOOT_MAGIC = 0x2bad_b002;
const SEARCH_LIMIT = 8192;
/** Header flag: the address fields are valid (load without parsing ELF). */
const FLAG_ADDRESSES = 1 << 16;
/** Header flags bits 0-15 we honour (0: page-align modules, 1: memory info); others must be clear. */
const SUPPORTED_REQUIRED = 0x3;

/** Where the loader puts its own structures (below the EBDA, above the IVT/BDA). */
const INFO_ADDR = 0x9000;
const CMDLINE_ADDR = 0x9800;
const MMAP_ADDR = 0x9400;
const GDT_ADDR = 0x8f00;

/** What was loaded, for diagnostics. */
export interface MultibootImage { entry: number; loadStart: number; loadEnd: number; format: 'elf' | 'a.out-kludge' }

/** True when `image` carries a Multiboot header in its first 8 KiB. */
export function findMultibootHeader(image: Uint8Array): number {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const end = Math.min(image.length - 12, SEARCH_LIMIT - 12);
  for (let off = 0; off <= end; off += 4) {
    const magic = view.getUint32(off, true);
    if (magic !== HEADER_MAGIC) continue;
    const flags = view.getUint32(off + 4, true);
    const checksum = view.getUint32(off + 8, true);
    if (((magic + flags + checksum) >>> 0) === 0) return off;
  }
  return -1;
}

/** Loads a Multiboot kernel into memory and sets the CPU to its entry state. */
export function loadMultiboot(cpu: Cpu, memory: PhysicalMemory, image: Uint8Array, name: string, cmdline = ''): MultibootImage {
  const headerAt = findMultibootHeader(image);
  if (headerAt < 0) throw new BootError(`${name}: not a Multiboot kernel (no valid header in the first 8 KiB)`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const flags = view.getUint32(headerAt + 4, true);
  if ((flags & 0xffff & ~SUPPORTED_REQUIRED) !== 0) {
    throw new BootError(`${name}: Multiboot header requires unsupported features (flags 0x${flags.toString(16)})`);
  }
  const loaded = (flags & FLAG_ADDRESSES) !== 0 && !isElf(image)
    ? loadKludge(memory, image, view, headerAt, name)
    : loadElf(memory, image, view, name);
  writeInfo(memory, cmdline || name);
  enterProtectedMode(cpu, memory, loaded.entry);
  return loaded;
}

function isElf(image: Uint8Array): boolean {
  return image.length >= 52 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
}

function checkRange(memory: PhysicalMemory, start: number, size: number, name: string): void {
  if (start < 0x1000 || start + size > memory.ramBytes) {
    throw new BootError(`${name}: segment at 0x${start.toString(16)} (+0x${size.toString(16)}) is outside the guest's ${memory.ramBytes >> 20} MiB of RAM`);
  }
}

function loadElf(memory: PhysicalMemory, image: Uint8Array, view: DataView, name: string): MultibootImage {
  if (!isElf(image)) throw new BootError(`${name}: Multiboot header without address fields, and not an ELF file`);
  if (image[4] !== 1 || image[5] !== 1) throw new BootError(`${name}: not a 32-bit little-endian ELF file`);
  if (view.getUint16(18, true) !== 3) throw new BootError(`${name}: ELF machine is not i386`);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum === 0 || phoff + phnum * phentsize > image.length || phentsize < 32) {
    throw new BootError(`${name}: truncated or malformed ELF program headers`);
  }
  let loadStart = Infinity, loadEnd = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const offset = view.getUint32(ph + 4, true);
    const paddr = view.getUint32(ph + 12, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (offset + filesz > image.length) throw new BootError(`${name}: ELF segment ${i} extends past the end of the file`);
    if (memsz === 0) continue;
    checkRange(memory, paddr, memsz, name);
    memory.load(paddr, image.subarray(offset, offset + filesz));
    if (memsz > filesz) memory.load(paddr + filesz, new Uint8Array(memsz - filesz));
    loadStart = Math.min(loadStart, paddr);
    loadEnd = Math.max(loadEnd, paddr + memsz);
  }
  if (loadEnd === 0) throw new BootError(`${name}: ELF file has no loadable segments`);
  return { entry, loadStart, loadEnd, format: 'elf' };
}

function loadKludge(memory: PhysicalMemory, image: Uint8Array, view: DataView, at: number, name: string): MultibootImage {
  const headerAddr = view.getUint32(at + 12, true);
  const loadAddr = view.getUint32(at + 16, true);
  const loadEndAddr = view.getUint32(at + 20, true);
  const bssEndAddr = view.getUint32(at + 24, true);
  const entry = view.getUint32(at + 28, true);
  const fileStart = at - (headerAddr - loadAddr);
  if (fileStart < 0 || loadAddr > headerAddr) throw new BootError(`${name}: Multiboot load address lies after the header`);
  const size = loadEndAddr === 0 ? image.length - fileStart : loadEndAddr - loadAddr;
  if (fileStart + size > image.length) throw new BootError(`${name}: file shorter than its Multiboot load range`);
  const end = Math.max(bssEndAddr, loadAddr + size);
  checkRange(memory, loadAddr, end - loadAddr, name);
  memory.load(loadAddr, image.subarray(fileStart, fileStart + size));
  if (bssEndAddr > loadAddr + size) memory.load(loadAddr + size, new Uint8Array(bssEndAddr - loadAddr - size));
  return { entry, loadStart: loadAddr, loadEnd: end, format: 'a.out-kludge' };
}

/** The Multiboot information structure (spec §3.3): memory sizes, command line, memory map. */
function writeInfo(memory: PhysicalMemory, cmdline: string): void {
  const info = new DataView(new ArrayBuffer(88));
  const lowerKiB = 640;
  const upperKiB = Math.max(0, (memory.ramBytes - 0x10_0000) >> 10);
  info.setUint32(0, 0x1 | 0x4 | 0x40, true); // mem_*, cmdline, mmap_*
  info.setUint32(4, lowerKiB, true);
  info.setUint32(8, upperKiB, true);
  info.setUint32(16, CMDLINE_ADDR, true);
  const mmap = new DataView(new ArrayBuffer(48));
  // Each entry: size (20), base (64-bit), length (64-bit), type (1 = usable RAM).
  mmap.setUint32(0, 20, true); mmap.setUint32(4, 0, true); mmap.setUint32(12, lowerKiB * 1024, true); mmap.setUint32(20, 1, true);
  mmap.setUint32(24, 20, true); mmap.setUint32(28, 0x10_0000, true); mmap.setUint32(36, upperKiB * 1024, true); mmap.setUint32(44, 1, true);
  info.setUint32(44, 48, true);
  info.setUint32(48, MMAP_ADDR, true);
  memory.load(INFO_ADDR, new Uint8Array(info.buffer));
  memory.load(MMAP_ADDR, new Uint8Array(mmap.buffer));
  const text = new TextEncoder().encode(cmdline.slice(0, 1000));
  memory.load(CMDLINE_ADDR, new Uint8Array([...text, 0]));
}

/** Flat protected mode as the spec requires (§3.2), then EAX/EBX as the spec says. */
function enterProtectedMode(cpu: Cpu, memory: PhysicalMemory, entry: number): void {
  enterFlatProtectedMode(cpu, memory, { gdtGpa: GDT_ADDR, codeSelector: 0x08, dataSelector: 0x10 }, entry);
  cpu.regs[Reg.EAX] = BOOT_MAGIC | 0;
  cpu.regs[Reg.EBX] = INFO_ADDR;
}
