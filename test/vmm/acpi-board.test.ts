// The board's ACPI hardware inside a Vm: the PIIX4 PM at 00:01.3 as
// firmware programs it, the direct-boot firmware set-up (tables in the BIOS
// area, PM I/O at 0x600), and guest code powering the machine off (S5) or
// resetting it through the FADT's reset register.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { setUpDirectBootFirmware } from '../../src/vmm/firmware.js';
import { FIRMWARE_TABLES, PORTS } from '../../src/vmm/layout.js';
import { assemble } from '../support/asm.js';
import { romImage } from '../support/rom.js';

function vm(noReboot = false): Vm {
  return new Vm({ memBytes: 4 << 20, output: () => {}, time: { kind: 'instructions' }, noReboot });
}

/** A 64 KiB BIOS ROM at F0000 running `body` in real mode from F000:0000, then cli; hlt. */
function romProgram(body: string): Uint8Array {
  return romImage(assemble(`
start:
  cli
${body}
  cli
  hlt
`, 16, 0));
}

function pciRead(v: Vm, device: number, fn: number, reg: number): number {
  v.io.write(0xcf8, 4, (0x8000_0000 | (device << 11) | (fn << 8) | reg) >>> 0);
  return v.io.read(0xcfc, 4) >>> 0;
}

describe('ACPI hardware on the board', () => {
  test('the PIIX4 PM function answers at 00:01.3 beside the PIIX3', () => {
    assert.equal(pciRead(vm(), 1, 3, 0), 0x7113_8086);
  });

  test('direct-boot set-up: RSDP readable at F0000 through the chipset, PM timer decoding at 0x608', () => {
    const v = vm();
    setUpDirectBootFirmware(v);
    const sig = Array.from({ length: 8 }, (_, i) => String.fromCharCode(v.memory.read(FIRMWARE_TABLES.rsdp + i, 1))).join('');
    assert.equal(sig, 'RSD PTR ');
    const rsdt = v.memory.read(FIRMWARE_TABLES.rsdp + 16, 4);
    assert.ok(rsdt > FIRMWARE_TABLES.acpiTables && rsdt < 0x10_0000, 'the RSDT is in the reserved BIOS area');
    assert.equal(v.memory.read(rsdt, 4), 0x5444_5352, '"RSDT"');
    v.memory.write(FIRMWARE_TABLES.rsdp, 1, 0); // the BIOS area is read-only, as firmware leaves it
    assert.equal(v.memory.read(FIRMWARE_TABLES.rsdp, 1), 'R'.charCodeAt(0));
    const t0 = v.io.read(PORTS.acpiPm + 8, 4);
    assert.notEqual(t0, 0xffff_ffff | 0, 'the PM I/O space is decoded');
  });

  test('guest code writing SLP_TYP 0 | SLP_EN to PM1a_CNT ends the run: power-off, status 0', async () => {
    const v = vm();
    mapBios(v.memory, romProgram(`
  ; what SeaBIOS does: PMBA = 0x601, PMREGMISC.PMIOSE = 1 (00:01.3 registers 0x40, 0x80)
  mov eax, 0x8000_0b40
  mov dx, 0xcf8
  out dx, eax
  mov eax, 0x601
  mov dx, 0xcfc
  out dx, eax
  mov eax, 0x8000_0b80
  mov dx, 0xcf8
  out dx, eax
  mov al, 1
  mov dx, 0xcfc
  out dx, al
  mov dx, 0x604
  mov ax, 0x0001        ; SCI_EN, SLP_TYP 0
  out dx, ax
  mov ax, 0x2001        ; | SLP_EN
  out dx, ax
  mov al, 0x99          ; not reached
  out 0xf4, al
`), 'rom');
    v.cpu.reset();
    const result = await v.run(100_000);
    assert.equal(result.exit.reason, 'poweroff', result.message);
    assert.equal(result.status, 0);
    assert.equal(result.message, 'guest powered off (ACPI S5)');
    assert.equal(v.exitCounts.poweroff, 1);
  });

  test('the FADT reset register (0xCF9 ← 6) resets the machine', async () => {
    const v = vm(true);
    mapBios(v.memory, romProgram(`
  mov dx, 0xcf9
  mov al, 0x06
  out dx, al
  mov al, 0x99          ; not reached
  out 0xf4, al
`), 'rom');
    v.cpu.reset();
    const result = await v.run(100_000);
    assert.equal(result.exit.reason, 'reset', result.message);
  });
});
