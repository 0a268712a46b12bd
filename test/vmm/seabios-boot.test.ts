// BIOS boot with Debian's SeaBIOS (skipped when /usr/share/seabios is not
// there): fw_cfg, the PIIX4 PM and the ACPI table-loader as SeaBIOS uses
// them, then a boot sector read from a raw disk, which powers the machine
// off through the PM1a control block SeaBIOS programmed (ACPI S5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Vm } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { setUpSeaBiosFirmware } from '../../src/vmm/firmware.js';
import { MemoryDisk } from '../../src/host/disk-image.js';
import { assemble } from '../support/asm.js';

const SEABIOS = '/usr/share/seabios/bios-256k.bin';
const VGABIOS = '/usr/share/seabios/vgabios-isavga.bin';
const skip = existsSync(SEABIOS) ? false : `${SEABIOS} not installed (Debian package seabios)`;
/** SeaBIOS to its boot sector takes about 25 M instructions (instruction time: no real-time waits). */
const BUDGET = 120_000_000;

/**
 * An MBR boot sector: prints a line on the debug console, then writes
 * SLP_TYP 0 (soft off) | SLP_EN to PM1a_CNT at PMBA + 4, where SeaBIOS put
 * the PIIX4's PM I/O space (0x600 when fw_cfg has etc/table-loader).
 */
function bootSector(): Uint8Array {
  const code = assemble(`
  xor ax, ax
  mov ds, ax
  mov si, msg
  mov dx, 0xe9
.next:
  lodsb
  test al, al
  jz .off
  out dx, al
  jmp .next
.off:
  mov dx, 0x604
  mov ax, 0x2000
  out dx, ax
  cli
  hlt
msg: db "boot sector from drive ", 0
`, 16, 0x7c00);
  const sector = new Uint8Array(512);
  sector.set(code);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

async function bootSeaBios(disk?: Uint8Array) {
  let debug = '';
  let log = '';
  const vm = new Vm({
    memBytes: 32 << 20,
    time: { kind: 'instructions' },
    output: () => {},
    debugOutput: (b) => { debug += Buffer.from(b).toString('latin1'); },
    firmwareLog: (b) => { log += Buffer.from(b).toString('latin1'); },
    drives: disk ? [{ kind: 'disk', media: new MemoryDisk(disk) }] : [],
  });
  mapBios(vm.memory, new Uint8Array(readFileSync(SEABIOS)), SEABIOS);
  setUpSeaBiosFirmware(vm, existsSync(VGABIOS) ? { name: 'vgabios-isavga.bin', bytes: new Uint8Array(readFileSync(VGABIOS)) } : undefined);
  vm.cpu.reset();
  const result = await vm.run(BUDGET);
  return { result, debug, log, vm };
}

describe('SeaBIOS on the board', { skip }, () => {
  test('finds fw_cfg with DMA, links the ACPI tables, boots the disk\'s boot sector, which powers off (status 0)', async () => {
    const disk = new Uint8Array(1 << 20);
    disk.set(bootSector());
    const { result, debug, log, vm } = await bootSeaBios(disk);
    assert.match(log, /Found QEMU fw_cfg/);
    assert.match(log, /QEMU fw_cfg DMA interface supported/);
    assert.match(log, /Moving pm_base to 0x600/);
    assert.match(log, /table\(50434146\)=0x[0-9a-f]+ \(via rsdt\)/, 'the FADT from our table-loader');
    assert.match(log, /Booting from Hard Disk/);
    assert.equal(debug, 'boot sector from drive ');
    assert.equal(result.exit.reason, 'poweroff', result.message);
    assert.equal(result.status, 0);
    assert.equal(vm.exitCounts.poweroff, 1);
  });

  test('with no bootable disk it says so and does not power off', async () => {
    const { result, log } = await bootSeaBios(new Uint8Array(1 << 20));
    assert.match(log, /Boot failed: not a bootable disk/);
    assert.notEqual(result.exit.reason, 'poweroff');
  });
});
