// The chipset on the PC board inside a Vm: PCI bus 0 as firmware scans it,
// the IDE channels on IRQ 14/15, and guest code running on the CPU that
// steers PAM, reads a disk by PIO and by bus master DMA, and a CD by ATAPI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm, type VmOptions } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { MemoryDisk } from '../../src/host/disk-image.js';
import { assemble } from '../support/asm.js';
import { romImage } from '../support/rom.js';
import { isoImage, patternDisk, patternSector } from '../devices/ata/ata-rig.js';

function vm(options: Partial<VmOptions> = {}): Vm {
  return new Vm({ memBytes: 4 << 20, output: () => {}, time: { kind: 'instructions' }, ...options });
}

/** Configuration read through the ports, as firmware does it. */
function pciRead(v: Vm, device: number, fn: number, reg: number): number {
  v.io.write(0xcf8, 4, (0x8000_0000 | (device << 11) | (fn << 8) | reg) >>> 0);
  return v.io.read(0xcfc, 4) >>> 0;
}

/**
 * A 64 KiB BIOS ROM at F0000 running `body` in real mode from F000:0000
 * (DS = ES = SS = 0, SP = 7000h), ending with cli; hlt.
 */
function romProgram(body: string): Uint8Array {
  return romImage(assemble(`
start:
  cli
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
${body}
done:
  cli
  hlt
`, 16, 0));
}

/** NASM: select a configuration dword (device, function, register). */
const cf8 = (device: number, fn: number, reg: number) => `
  mov eax, ${(0x8000_0000 | (device << 11) | (fn << 8) | (reg & 0xfc)) >>> 0}
  mov dx, 0xcf8
  out dx, eax`;

async function runToHalt(v: Vm, budget = 200_000): Promise<void> {
  const result = await v.run(budget);
  assert.equal(result.exit.reason, 'halt-forever', result.message);
}

describe('PCI bus 0 on the board', () => {
  test('firmware finds the i440FX at 00.0 and the PIIX3 at 01.0 (ISA) and 01.1 (IDE), nothing at 02.0', () => {
    const v = vm();
    assert.equal(pciRead(v, 0, 0, 0), 0x1237_8086);
    assert.equal(pciRead(v, 1, 0, 0), 0x7000_8086);
    assert.equal(pciRead(v, 1, 1, 0), 0x7010_8086);
    assert.equal(pciRead(v, 1, 0, 0x0c) >>> 16 & 0xff, 0x80, 'PIIX3 is multi-function');
    assert.equal(pciRead(v, 2, 0, 0), 0xffff_ffff);
  });

  test('an IDE command interrupt arrives as IRQ 14 through the slave 8259A', () => {
    const v = vm({ drives: [{ kind: 'disk', media: patternDisk(64) }] });
    for (const [port, value] of [[0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01], [0x21, 0x00],
      [0xa0, 0x11], [0xa1, 0x70], [0xa1, 0x02], [0xa1, 0x01], [0xa1, 0x00]]) v.io.write(port, 1, value);
    v.io.write(0x1f6, 1, 0xa0);
    v.io.write(0x1f7, 1, 0xec);
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.board.acknowledgeInterrupt(), 0x70 + 6);
  });

  test('the secondary channel answers with its CD-ROM, the empty primary floats', () => {
    const v = vm({ drives: [undefined, undefined, { kind: 'cdrom', media: new MemoryDisk(isoImage(), true) }] });
    assert.equal(v.io.read(0x1f7, 1), 0xff);
    assert.equal(v.io.read(0x174, 1), 0x14);
    assert.equal(v.io.read(0x175, 1), 0xeb);
  });

  test('a machine reset returns PAM to 00h and resets the drives', () => {
    const v = vm({ drives: [{ kind: 'disk', media: patternDisk(64) }] });
    v.io.write(0xcf8, 4, 0x8000_0058);
    v.io.write(0xcfd, 1, 0x30);
    v.io.write(0x1f3, 1, 0x55);
    v.reset();
    assert.equal(pciRead(v, 0, 0, 0x58) >>> 8 & 0xff, 0);
    assert.equal(v.io.read(0x1f3, 1), 1, 'signature again');
  });
});

describe('guest code on the chipset', () => {
  test('PAM: the CPU sees RAM appear, turn read-only and vanish in E0000-E3FFF', async () => {
    const v = vm();
    mapBios(v.memory, romProgram(`
  mov ax, 0xe000
  mov fs, ax
  mov al, [fs:0x10]
  mov [0x500], al        ; disabled: the bus, FFh
  ${cf8(0, 0, 0x5e)}
  mov dx, 0xcfe
  mov al, 0x03
  out dx, al             ; PAM5 low: RE | WE
  mov byte [fs:0x10], 0x42
  mov al, [fs:0x10]
  mov [0x501], al        ; 42h
  mov al, 0x01
  out dx, al             ; RE only
  mov byte [fs:0x10], 0x43
  mov al, [fs:0x10]
  mov [0x502], al        ; still 42h
  xor al, al
  out dx, al             ; disabled again
  mov al, [fs:0x10]
  mov [0x503], al        ; FFh
`), 'pam.bin');
    v.reset();
    await runToHalt(v);
    assert.deepEqual([0x500, 0x501, 0x502, 0x503].map((a) => v.memory.read(a, 1)), [0xff, 0x42, 0x42, 0xff]);
  });

  test('PIO: READ SECTORS of LBA 1 into 0000:1000 with REP INSW', async () => {
    const v = vm({ drives: [{ kind: 'disk', media: patternDisk(64) }] });
    mapBios(v.memory, romProgram(`
  mov dx, 0x1f6
  mov al, 0xe0
  out dx, al
  mov dx, 0x1f2
  mov al, 1
  out dx, al
  inc dx
  out dx, al             ; LBA low = 1
  inc dx
  xor al, al
  out dx, al
  inc dx
  out dx, al
  mov dx, 0x1f7
  mov al, 0x20
  out dx, al
.wait:
  in al, dx
  test al, 0x80
  jnz .wait
  mov [0x600], al
  mov di, 0x1000
  mov cx, 256
  mov dx, 0x1f0
  rep insw
  mov dx, 0x1f7
  in al, dx
  mov [0x601], al
`), 'pio.bin');
    v.reset();
    await runToHalt(v);
    assert.equal(v.memory.read(0x600, 1), 0x58, 'DRDY | DSC | DRQ before the data');
    assert.equal(v.memory.read(0x601, 1), 0x50, 'DRDY | DSC after');
    const got = new Uint8Array(512);
    v.memory.readBytes(0x1000, got);
    assert.deepEqual(got, patternSector(1));
  });

  test('DMA: the guest programs BAR4, a PRD table and READ DMA; the sector lands in memory', async () => {
    const v = vm({ drives: [{ kind: 'disk', media: patternDisk(64) }] });
    mapBios(v.memory, romProgram(`
  ${cf8(1, 1, 0x20)}
  mov dx, 0xcfc
  mov eax, 0xc001
  out dx, eax            ; BMIBA = C000h
  ${cf8(1, 1, 0x04)}
  mov dx, 0xcfc
  mov ax, 0x0005
  out dx, ax             ; I/O space, bus master
  mov dword [0x800], 0x2000
  mov dword [0x804], 0x80000200
  mov dx, 0xc004
  mov eax, 0x800
  out dx, eax            ; PRD table
  mov dx, 0xc000
  mov al, 0x08
  out dx, al             ; to memory, stopped
  mov dx, 0x1f6
  mov al, 0xe0
  out dx, al
  mov dx, 0x1f2
  mov al, 1
  out dx, al
  inc dx
  mov al, 9
  out dx, al             ; LBA 9
  inc dx
  xor al, al
  out dx, al
  inc dx
  out dx, al
  mov dx, 0x1f7
  mov al, 0xc8
  out dx, al             ; READ DMA
  mov dx, 0xc000
  mov al, 0x09
  out dx, al             ; start
  mov dx, 0xc002
.wait:
  in al, dx
  test al, 0x04
  jz .wait
  mov [0x600], al
  mov dx, 0x1f7
  in al, dx
  mov [0x601], al
`), 'dma.bin');
    v.reset();
    await runToHalt(v);
    assert.equal(v.memory.read(0x600, 1), 0x04, 'interrupt, not active');
    assert.equal(v.memory.read(0x601, 1), 0x50);
    const got = new Uint8Array(512);
    v.memory.readBytes(0x2000, got);
    assert.deepEqual(got, patternSector(9));
  });

  test('ATAPI: PACKET READ(10) of sector 16 from the secondary master by PIO', async () => {
    const v = vm({ drives: [undefined, undefined, { kind: 'cdrom', media: new MemoryDisk(isoImage(), true) }] });
    mapBios(v.memory, romProgram(`
  mov dx, 0x176
  mov al, 0xa0
  out dx, al
  mov dx, 0x171
  xor al, al
  out dx, al             ; PIO
  mov dx, 0x174
  out dx, al
  inc dx
  mov al, 0x08
  out dx, al             ; byte count limit 0800h
  mov dx, 0x177
  mov al, 0xa0
  out dx, al             ; PACKET
.cmd:
  in al, dx
  test al, 0x08
  jz .cmd
  mov si, cdb
  mov cx, 6
  mov dx, 0x170
  cs rep outsw
  mov dx, 0x177
.data:
  in al, dx
  test al, 0x80
  jnz .data
  mov dx, 0x174
  in al, dx
  mov cl, al
  inc dx
  in al, dx
  mov ch, al
  shr cx, 1
  mov di, 0x3000
  mov dx, 0x170
  rep insw
  mov dx, 0x172
  in al, dx
  mov [0x600], al        ; interrupt reason after the data: I/O | C/D
  jmp done
cdb: db 0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0
`), 'atapi.bin');
    v.reset();
    await runToHalt(v);
    const pvd = new Uint8Array(6);
    v.memory.readBytes(0x3000, pvd);
    assert.deepEqual([...pvd], [1, ...Buffer.from('CD001')]);
    assert.equal(v.memory.read(0x600, 1), 3);
  });
});
