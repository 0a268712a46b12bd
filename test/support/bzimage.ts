/**
 * Synthetic bzImages for the Linux loader's tests: a boot sector with the
 * setup header fields of boot.rst, one sector of "setup code" holding the
 * version string, and a protected-mode part of 32-bit code assembled at
 * 1 MiB that checks the hand-off state and reports what it finds on the
 * debug console (port 0xE9).
 */
import { assemble } from './asm.js';

/** Header fields a test may override (offsets as in boot.rst). */
export interface BzImageFields {
  setupSects?: number;
  version?: number;
  loadflags?: number;
  xloadflags?: number;
  syssize?: number;
  initrdAddrMax?: number;
  cmdlineSize?: number;
  relocatable?: number;
  kernelAlignment?: number;
  prefAddress?: number;
  initSize?: number;
  /** The byte at 0x201: the header ends at 0x202 + this. */
  jump?: number;
}

/** Version string placed in the setup code (kernel_version points at it). */
export const SYNTHETIC_VERSION = '6.6.6-anillo-test (test@anillo) #1';

/**
 * The protected-mode part: verifies CS/DS/ES/SS, EBP/EDI/EBX = 0, IF = 0,
 * CR0.PE = 1 and PG = 0, then prints "<cmdline>|<initrd bytes>|L<e820 count>"
 * on port 0xE9 and halts with interrupts off. Any failed check prints
 * "!<letter>" and halts.
 */
export const HANDOFF_PROBE = `
  mov ax, cs
  cmp ax, 0x10
  mov dl, 'C'
  jne bad
  mov ax, ds
  cmp ax, 0x18
  mov dl, 'D'
  jne bad
  mov ax, es
  cmp ax, 0x18
  jne bad
  mov ax, ss
  cmp ax, 0x18
  mov dl, 'S'
  jne bad
  mov dl, 'R'
  test ebp, ebp
  jnz bad
  test edi, edi
  jnz bad
  test ebx, ebx
  jnz bad
  pushfd
  pop eax
  mov dl, 'I'
  test eax, 0x200
  jnz bad
  mov eax, cr0
  mov dl, 'P'
  test eax, 0x80000000
  jnz bad
  test al, 1
  jz bad
  mov ebx, [esi + 0x228]        ; cmd_line_ptr
puts:
  mov al, [ebx]
  test al, al
  jz .done
  out 0xe9, al
  inc ebx
  jmp puts
.done:
  mov al, '|'
  out 0xe9, al
  mov ebx, [esi + 0x218]        ; ramdisk_image
  mov ecx, [esi + 0x21c]        ; ramdisk_size
  jecxz .nord
.rd:
  mov al, [ebx]
  out 0xe9, al
  inc ebx
  loop .rd
.nord:
  mov al, '|'
  out 0xe9, al
  mov dl, 'T'
  cmp byte [esi + 0x210], 0xff  ; type_of_loader
  jne bad
  mov al, 'L'
  out 0xe9, al
  mov al, [esi + 0x1e8]         ; e820_entries
  add al, '0'
  out 0xe9, al
  cli
  hlt
bad:
  mov al, '!'
  out 0xe9, al
  mov al, dl
  out 0xe9, al
  cli
  hlt
`;

/** Builds a bzImage around `code` (32-bit code for 0x100000; default: the hand-off probe). */
export function buildBzImage(fields: BzImageFields = {}, code: Uint8Array = assemble(HANDOFF_PROBE, 32, 0x10_0000)): Uint8Array {
  const setupSects = fields.setupSects ?? 1;
  const setupBytes = ((setupSects || 4) + 1) * 512;
  const pmBytes = Math.ceil(code.length / 16) * 16;
  const image = new Uint8Array(setupBytes + pmBytes);
  const v = new DataView(image.buffer);
  image.set(code, setupBytes);
  v.setUint8(0x1f1, setupSects);
  v.setUint32(0x1f4, fields.syssize ?? pmBytes / 16, true);
  v.setUint16(0x1fe, 0xaa55, true);
  v.setUint8(0x200, 0xeb);
  v.setUint8(0x201, fields.jump ?? 0x6a);
  v.setUint32(0x202, 0x5372_6448, true); // "HdrS"
  v.setUint16(0x206, fields.version ?? 0x020f, true);
  const versionAt = 0x300;
  image.set(new TextEncoder().encode(`${SYNTHETIC_VERSION}\0`), versionAt);
  v.setUint16(0x20e, versionAt - 0x200, true);
  v.setUint8(0x211, fields.loadflags ?? 0x01);
  v.setUint32(0x214, 0x10_0000, true);
  v.setUint32(0x22c, fields.initrdAddrMax ?? 0x7fff_ffff, true);
  v.setUint32(0x230, fields.kernelAlignment ?? 0x20_0000, true);
  v.setUint8(0x234, fields.relocatable ?? 1);
  v.setUint16(0x236, fields.xloadflags ?? 0, true);
  v.setUint32(0x238, fields.cmdlineSize ?? 2047, true);
  v.setUint32(0x258, fields.prefAddress ?? 0x20_0000, true);
  v.setUint32(0x260, fields.initSize ?? 0x10_0000, true);
  return image;
}
