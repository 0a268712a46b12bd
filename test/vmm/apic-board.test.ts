// The APICs on the PC board: INTA through the local APIC (APIC vectors, or
// the 8259A's through ExtINT), ISA IRQs fanned out to the I/O APIC, CPUID
// and IA32_APIC_BASE (disable, relocate) from guest code, and the apic test
// kernel (guests/tests/apic.asm) as the integration test.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Vm } from '../../src/vmm/vm.js';
import { mapBios } from '../../src/boot/bios.js';
import { IRQS, MMIO, PORTS } from '../../src/vmm/layout.js';
import { LOCAL_APIC_VERSION } from '../../src/devices/apic/local-apic.js';
import { assemble } from '../support/asm.js';
import { romImage } from '../support/rom.js';

const GUESTS = fileURLToPath(new URL('../../../build/guests/', import.meta.url));
const PASS_STATUS = 33;
const SVR = 0xf0, EOI = 0xb0, LVT_LINT0 = 0x350, VERSION = 0x30;

function vm(): Vm {
  return new Vm({ memBytes: 4 << 20, output: () => {}, time: { kind: 'instructions' } });
}

/** The BIOS's 8259A setup: bases 0x08 and 0x70, everything unmasked. */
function initPic(v: Vm): void {
  for (const [port, value] of [[0x20, 0x11], [0x21, 0x08], [0x21, 0x04], [0x21, 0x01], [0x21, 0x00],
    [0xa0, 0x11], [0xa1, 0x70], [0xa1, 0x02], [0xa1, 0x01], [0xa1, 0x00]]) v.io.write(port, 1, value);
}

const apic = (v: Vm, offset: number) => v.memory.read(MMIO.localApic + offset, 4) >>> 0;
const setApic = (v: Vm, offset: number, value: number) => v.memory.write(MMIO.localApic + offset, 4, value);
/** Writes I/O APIC redirection entry `pin` (destination APIC 0). */
function route(v: Vm, pin: number, low: number): void {
  v.memory.write(MMIO.ioApic, 4, 0x11 + 2 * pin);
  v.memory.write(MMIO.ioApic + 0x10, 4, 0);
  v.memory.write(MMIO.ioApic, 4, 0x10 + 2 * pin);
  v.memory.write(MMIO.ioApic + 0x10, 4, low);
}

/** Boots a 64 KiB ROM whose code (16-bit, at F000:0000) is `source`; the reset vector jumps to it. */
async function runRom(v: Vm, source: string): Promise<void> {
  mapBios(v.memory, romImage(assemble(`${source}\ncli\nhlt`, 16)), 'rom');
  v.cpu.reset();
  const r = await v.run(10_000);
  assert.match(r.message, /halted with interrupts disabled/);
}

/** Reads a dword the ROM stored in low memory. */
const stored = (v: Vm, gpa: number) => v.memory.read(gpa, 4) >>> 0;

describe('APICs on the PC board', () => {
  test('after reset the APIC is software-disabled: the 8259A drives INTR and answers INTA (virtual wire)', () => {
    const v = vm();
    initPic(v);
    v.board.pic.irqLine(IRQS.rtc).raise();
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x70);
  });

  test('software-enabled with LINT0 masked, the 8259A is cut off; an I/O APIC route delivers COM1\'s IRQ 4', () => {
    const v = vm();
    initPic(v);
    setApic(v, SVR, 0x1ff);
    route(v, 4, 0x44);
    v.io.write(PORTS.com1 + 4, 1, 0x08); // MCR: OUT2
    v.io.write(PORTS.com1 + 1, 1, 0x02); // IER: THRE
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x44, 'the APIC vector, not the 8259A\'s 0x0C');
    assert.equal(v.cpu.intrLine, false, 'the 8259A\'s request does not pass a masked LINT0');
    setApic(v, EOI, 0);
    setApic(v, LVT_LINT0, 0x700);
    assert.equal(v.cpu.intrLine, true, 'ExtINT passes it');
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x08 + IRQS.com1);
  });

  test('IRQ 0 reaches I/O APIC pin 2; pin 0 carries the 8259A\'s INT as ExtINT', () => {
    const v = vm();
    setApic(v, SVR, 0x1ff);
    route(v, 2, 0x30);
    v.board.isaIrq(0).raise();
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x30);
    setApic(v, EOI, 0);
    initPic(v);
    route(v, 2, 0x1_0030);
    route(v, 0, 0x700);                  // ExtINT
    v.board.isaIrq(0).lower();
    v.board.isaIrq(0).raise();
    assert.equal(v.cpu.intrLine, true);
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x08, 'the 8259A answers the INTA');
  });

  test('CPUID reports the APIC; clearing IA32_APIC_BASE[11] clears the bit, unmaps the page and passes the 8259A through', async () => {
    const v = vm();
    await runRom(v, `
      xor ax, ax
      mov ds, ax
      mov eax, 1
      cpuid
      mov [0x500], edx
      mov ecx, 0x1b
      rdmsr
      mov [0x504], eax
      and ah, ~0x08
      wrmsr
      mov eax, 1
      cpuid
      mov [0x508], edx`);
    assert.equal(stored(v, 0x500) & (1 << 9), 1 << 9);
    assert.equal(stored(v, 0x504), 0xfee0_0900);
    assert.equal(stored(v, 0x508) & (1 << 9), 0);
    assert.equal(v.board.localApic.hardwareEnabled, false);
    assert.equal(v.memory.read(MMIO.localApic + VERSION, 4), -1, 'nothing at 0xFEE00000');
    initPic(v);
    v.board.pic.irqLine(IRQS.rtc).raise();
    assert.equal(v.cpu.sys.acknowledgeInterrupt(), 0x70);
  });

  test('IA32_APIC_BASE moves the register page, over RAM too; RAM shows again when it moves away', async () => {
    const v = vm();
    v.memory.write(0x10_0030, 4, 0x1234_5678);
    await runRom(v, `
      mov ecx, 0x1b
      rdmsr
      mov eax, 0x00100900
      wrmsr`);
    assert.equal(v.memory.read(0x10_0030, 4), LOCAL_APIC_VERSION);
    assert.equal(v.memory.read(MMIO.localApic + VERSION, 4), -1);
    v.board.setApicBase(0xfee0_0900);
    assert.equal(v.memory.read(0x10_0030, 4), 0x1234_5678);
    assert.equal(apic(v, VERSION), LOCAL_APIC_VERSION);
  });

  test('a machine reset brings the APIC back to 0xFEE00000, enabled and software-disabled', () => {
    const v = vm();
    v.board.setApicBase(0xfed0_0900);
    setApic(v, SVR, 0x1ff);
    v.reset();
    assert.equal(apic(v, VERSION), LOCAL_APIC_VERSION);
    assert.equal(apic(v, SVR), 0xff);
  });
});

describe('apic test kernel (guests/tests/apic.asm)', () => {
  test('passes, with 5 periodic APIC timer ticks of 10 ms (100 MHz bus, divide by 16) in the 54.9 ms window', async () => {
    let output = '';
    const v = new Vm({
      memBytes: 32 << 20, output: () => {}, time: { kind: 'instructions' },
      debugOutput: (b) => { output += Buffer.from(b).toString('latin1'); },
    });
    mapBios(v.memory, new Uint8Array(readFileSync(GUESTS + 'apic.bin')), 'apic.bin');
    v.cpu.reset();
    const result = await v.run(50_000_000);
    assert.equal(result.status, PASS_STATUS, `${output}\n${result.message}`);
    assert.match(output, /APIC timer ticks in 54\.9 ms: 0x00000005/);
    assert.match(output, /local APIC version 0x00040011/);
    assert.match(output, /I\/O APIC version 0x00170011/);
  });
});

describe('x87 errors in MS-DOS compatibility mode (CR0.NE = 0) on the PC board', () => {
  test('an unmasked divide by zero raises IRQ 13; after OUT F0h the handler runs x87 code past the pending error (IGNNE#)', async () => {
    const v = vm();
    initPic(v);
    await runRom(v, `
      xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x7000
      mov word [0x75*4], irq13
      mov word [0x75*4+2], 0xf000
      mov al, 0xfb                  ; only the cascade on the master
      out 0x21, al
      mov al, 0xdf                  ; only IRQ 13 on the slave
      out 0xa1, al
      fninit
      mov word [0x600], 0x037b      ; unmask ZE
      fldcw [0x600]
      sti
      fld1
      fldz
      fdivp st1, st0                ; 1/0: pending unmasked #Z, FERR# asserted
      nop
      nop
      cli
      mov byte [0x504], 1           ; reached after the handler returned
      jmp done
    irq13:
      mov byte [0x500], 1
      out 0xf0, al                  ; clear IRQ 13, IGNNE# on
      fld1                          ; a waiting x87 instruction: frozen without IGNNE#
      fstp st0
      mov byte [0x501], 1
      fnclex                        ; FERR# off (and IGNNE# with it)
      fnstsw [0x502]
      mov al, 0x20
      out 0xa0, al
      out 0x20, al
      iret
    done:`);
    assert.equal(stored(v, 0x500) & 0xff, 1, 'IRQ 13 handler ran');
    assert.equal(stored(v, 0x501) & 0xff, 1, 'x87 instruction ran past the pending error');
    assert.equal(stored(v, 0x502) & 0x80, 0, 'ES clear after FNCLEX');
    assert.equal(stored(v, 0x504) & 0xff, 1, 'returned from the handler');
    assert.deepEqual(v.board.coprocessorError.state, { ferr: false, irqRequested: false, ignne: false });
  });
});
