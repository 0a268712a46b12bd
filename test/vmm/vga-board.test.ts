// The VGA on the PC board: its ports, the A0000 window and the linear
// framebuffer at layout.ts's addresses, and Debian's SeaBIOS VGA BIOS
// (vgabios-stdvga.bin) programming it: text mode 03h, mode 13h and a VBE
// mode, driven through INT 10h by a small real-mode guest.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Vm } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { MMIO, PORTS } from '../../src/vmm/layout.js';
import { assemble } from '../support/asm.js';

const VGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';
const haveVgabios = existsSync(VGABIOS);

function vm(): Vm {
  return new Vm({ memBytes: 8 << 20, output: () => {}, time: { kind: 'instructions' } });
}

/**
 * Runs `body` (16-bit code) at 0000:7C00 after an IVT of IRET stubs and the
 * VGA BIOS's initialisation (far call to C000:0003, AX = FFFF: no PCI
 * device); the VGA BIOS sits in shadow RAM at C0000, writable as during
 * SeaBIOS's POST (it stores its own variables there). Ends with isa-debug-exit.
 */
async function withVgaBios(body: string): Promise<Vm> {
  const code = assemble(`
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov byte [0x500], 0xcf      ; IRET
    xor di, di
    mov cx, 256
  .ivt:
    mov word [di], 0x0500
    mov word [di + 2], 0
    add di, 4
    loop .ivt
    mov ax, 0xffff
    call 0xc000:0x0003
    ${body}
    mov al, 0
    out 0xf4, al
    hlt
  `, 16, 0x7c00);
  const v = vm();
  const rom = new Uint8Array(0x10000).fill(0xf4);
  rom.set([0xea, 0x00, 0x7c, 0x00, 0x00], 0xfff0); // jmp 0000:7C00
  mapBios(v.memory, rom, 'reset stub');
  v.memory.load(0x7c00, code);
  // C0000-CFFFF as writable RAM (the chipset's shadow RAM, as SeaBIOS sets it up for option ROMs).
  v.memory.setShadowRouting(MMIO.vgaBios, 0x1_0000, { readRam: true, writeRam: true });
  v.memory.load(MMIO.vgaBios, new Uint8Array(readFileSync(VGABIOS)));
  v.cpu.reset();
  const result = await v.run(20_000_000);
  assert.equal(result.exit.reason, 'debug-exit', result.message);
  return v;
}

describe('VGA on the PC board', () => {
  test('answers at its ports, the A0000 window and the framebuffer address in layout.ts', () => {
    const v = vm();
    v.io.write(PORTS.vga + 0x14, 1, 2);          // 0x3C4: SR2
    assert.equal(v.io.read(PORTS.vga + 0x15, 1), 0x03);
    v.io.write(PORTS.bochsDispi, 2, 0);            // dispi ID
    assert.equal(v.io.read(PORTS.bochsDispi + 1, 2), 0xb0c5);
    v.memory.write(0xb8000, 2, 0x0741);            // 'A' through the window
    assert.equal(v.board.vga.textScreen()[0], 'A');
    v.memory.write(MMIO.vgaLfb + 0x123, 1, 0x5a);
    assert.equal(v.board.vga.state.vram[0x123], 0x5a);
    assert.equal(v.io.read(0x3bc, 1), 0xff, 'the parallel port address 0x3BC is left free');
  });

  test('a system reset returns the VGA to text mode 03h', () => {
    const v = vm();
    v.io.write(PORTS.bochsDispi, 2, 4);
    v.io.write(PORTS.bochsDispi + 1, 2, 0x41);
    assert.equal(v.board.vga.displayMode().kind, 'vbe');
    v.reset();
    assert.equal(v.board.vga.displayMode().kind, 'text');
  });
});

describe('SeaBIOS VGA BIOS (vgabios-stdvga.bin)', { skip: haveVgabios ? false : `${VGABIOS} not installed (Debian package seabios)` }, () => {
  test('sets mode 03h and prints with INT 10h teletype; its font in plane 2 renders the text', async () => {
    const v = await withVgaBios(`
      mov ax, 0x0003
      int 0x10
      mov si, msg
    .next:
      lodsb
      test al, al
      jz .done
      mov ah, 0x0e
      mov bx, 0x0007
      int 0x10
      jmp .next
    msg: db 'Hello from the VGA BIOS', 13, 10, 'line two', 0
    .done:
    `);
    const vga = v.board.vga;
    assert.deepEqual(vga.displayMode(), { kind: 'text', columns: 80, rows: 25, width: 720, height: 400 });
    assert.deepEqual(vga.textScreen().slice(0, 3), ['Hello from the VGA BIOS', 'line two', '']);
    // The BIOS moved the hardware cursor after "line two".
    const s = vga.state;
    assert.equal((s.crtc[0x0e] << 8) | s.crtc[0x0f], 80 + 8);
    // 'H' drawn from the BIOS's font: some of its first cell's pixels are lit, none of a space's.
    const f = vga.render();
    let lit = 0;
    for (let y = 0; y < 16; y++) for (let x = 0; x < 9; x++) lit += f.rgba[(y * f.width + x) * 4] > 0 ? 1 : 0;
    assert.ok(lit > 10, `${lit} pixels of 'H'`);
    assert.equal(f.rgba[(100 * f.width + 400) * 4], 0);
  });

  test('sets mode 13h; pixels written with INT 10h AH=0Ch appear in the frame and read back with AH=0Dh', async () => {
    const v = await withVgaBios(`
      mov ax, 0x0013
      int 0x10
      mov ax, 0x0c0e              ; colour 14 at (11, 5)
      xor bx, bx
      mov cx, 11
      mov dx, 5
      int 0x10
      mov ah, 0x0d
      int 0x10
      mov [0x6000], al
      push 0xa000
      pop es
      mov byte [es:199 * 320 + 319], 15
    `);
    const vga = v.board.vga;
    assert.deepEqual(vga.displayMode(), { kind: 'graphics', bitsPerPixel: 8, width: 320, height: 200 });
    assert.equal(v.memory.read(0x6000, 1), 14);
    const f = vga.render();
    const px = (x: number, y: number) => [...f.rgba.subarray((y * 320 + x) * 4, (y * 320 + x) * 4 + 3)];
    assert.deepEqual(px(11, 5), [0xff, 0xff, 0x55], 'yellow');
    assert.deepEqual(px(319, 199), [0xff, 0xff, 0xff]);
    assert.deepEqual(px(0, 0), [0, 0, 0]);
  });

  test('reports VBE 3.0 with the framebuffer at layout.ts\'s address, and sets mode 0x111 (640×480×16) through dispi', async () => {
    const v = await withVgaBios(`
      mov ax, 0x4f00
      mov di, 0x8000
      mov dword [di], 'VBE2'
      int 0x10
      mov [0x6000], ax
      mov ax, 0x4f01
      mov cx, 0x111
      mov di, 0x8200
      int 0x10
      mov [0x6002], ax
      mov ax, 0x4f02
      mov bx, 0x4111              ; with the linear framebuffer
      int 0x10
      mov [0x6004], ax
      push 0xa000                 ; and two pixels through the banked window
      pop es
      mov word [es:0], 0xf800     ; red
      mov word [es:2], 0x07e0     ; green
    `);
    const m = v.memory;
    assert.deepEqual([m.read(0x6000, 2), m.read(0x6002, 2), m.read(0x6004, 2)], [0x004f, 0x004f, 0x004f], 'VBE calls succeed');
    assert.equal(m.read(0x8004, 2), 0x0300, 'VBE version 3.0');
    assert.equal(m.read(0x8012, 2), v.board.vga.vramBytes >>> 16, 'video memory in 64 KiB units');
    assert.deepEqual([m.read(0x8212, 2), m.read(0x8214, 2), m.read(0x8219, 1)], [640, 480, 16]);
    assert.equal(m.read(0x8228, 4) >>> 0, MMIO.vgaLfb, 'PhysBasePtr');
    const vga = v.board.vga;
    assert.deepEqual(vga.displayMode(), { kind: 'vbe', bitsPerPixel: 16, width: 640, height: 480 });
    v.memory.write(MMIO.vgaLfb + 479 * 1280 + 639 * 2, 2, 0x001f); // blue, through the LFB
    const f = vga.render();
    const px = (x: number, y: number) => [...f.rgba.subarray((y * 640 + x) * 4, (y * 640 + x) * 4 + 3)];
    assert.deepEqual(px(0, 0), [0xff, 0, 0]);
    assert.deepEqual(px(1, 0), [0, 0xff, 0]);
    assert.deepEqual(px(639, 479), [0, 0, 0xff]);
  });
});
