/**
 * The keyboard controller: an Intel 8042 running the IBM PS/2 keyboard
 * controller firmware (IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard and Auxiliary Device Controller"; Andries Brouwer, "Keyboard
 * scancodes" §10 "The AT keyboard controller"), with a keyboard on its
 * keyboard port and a mouse on its auxiliary port (ps2-keyboard.ts,
 * ps2-mouse.ts, joined by the link in ps2-device.ts).
 *
 * Two port views, each attached by the board at its own address:
 *
 * | view    | port | read            | write                                   |
 * |---------|------|-----------------|-----------------------------------------|
 * | data    | 0x60 | output buffer   | data for the command waiting for it, else a byte to the keyboard |
 * | command | 0x64 | status register | controller command                      |
 *
 * Status register: 0 OBF output buffer full · 1 IBF input buffer full ·
 * 2 SYS system flag · 3 A2 last write was a command · 4 INH 1 = keyboard not
 * inhibited · 5 AUXB output buffer holds mouse data · 6 TIMEOUT · 7 PARITY.
 *
 * Command byte (controller RAM byte 0): 0 keyboard interrupt (IRQ 1) · 1
 * mouse interrupt (IRQ 12) · 2 SYS, shown in the status register (0 at
 * power-on; the self-test sets it) · 3 (unused on PS/2) · 4 keyboard clock
 * inhibited · 5 mouse clock inhibited · 6 translate keyboard bytes to set 1.
 *
 * | command | data | reply | effect |
 * |---------|------|-------|--------|
 * | 20-3F | | RAM[n] | read controller RAM (20: the command byte) |
 * | 60-7F | byte | | write controller RAM (60: the command byte) |
 * | A7 / A8 | | | mouse port disable / enable (command byte bit 5) |
 * | A9 | | 00 | mouse interface test: OK |
 * | AA | | 55 | self-test passed; sets SYS |
 * | AB | | 00 | keyboard interface test: OK |
 * | AD / AE | | | keyboard port disable / enable (command byte bit 4) |
 * | C0 | | A0 | input port: keyboard not locked, no manufacturing jumper |
 * | D0 | | P2 | output port (bits 4/5: IRQ 1/12 active) |
 * | D1 | byte | | output port: bit 0 low resets the machine, bit 1 is A20 |
 * | D2 / D3 | byte | byte | as if from the keyboard / the mouse |
 * | D4 | byte | | byte to the mouse |
 * | DD / DF | | | A20 off / on (AMI, HP Vectra) |
 * | E0 | | T1 T0 | test inputs: keyboard and mouse clock lines |
 * | F0-FF | | | pulse output port bits 0-3 low where the command's are 0: F0-FE with bit 0 clear reset the machine |
 *
 * The output buffer is loaded, whenever it is empty, from (in order) the
 * controller's own replies, the keyboard (unless its clock is inhibited) and
 * the mouse (likewise); IRQ 1 or IRQ 12 is high while it holds a byte from
 * that side and the command byte enables that interrupt. With translation
 * on, keyboard bytes pass through the set 2 → set 1 table and an F0 prefix
 * becomes bit 7 of the next byte (Brouwer §9.3).
 *
 * Deviations from hardware: commands and bytes are processed at once (IBF
 * never reads 1, the controller's and the devices' replies are there on the
 * next read) and the serial links never time out or fail parity. The
 * power-on command byte is 0x40 (translation on, both ports enabled,
 * interrupts off): the 8042's reset value is its firmware's choice, and this
 * one gives a guest booted without firmware (the Linux boot protocol) the
 * translated set 2 keyboard a BIOS would have set up. Commands not in the
 * table are ignored; the 20-3F/60-7F aliases at 00-1F/40-5F (AMI) are not
 * modelled. Writing to the keyboard also clears its inhibit bit ("any
 * keyboard command enables the keyboard again", Brouwer §10.3 command AD).
 */
import type { IoDevice, IrqLine } from './io-device.js';
import type { Ps2Device } from './ps2-device.js';
import { translateToSet1 } from './ps2-scancodes.js';
import type { A20Gate } from './system-control.js';

const STATUS_OBF = 0x01;    // output buffer full
const STATUS_SYS = 0x04;    // system flag
const STATUS_A2 = 0x08;     // last write was to the command port
const STATUS_INH = 0x10;    // keyboard not inhibited (keylock open)
const STATUS_AUXB = 0x20;   // the output buffer holds mouse data

const CB_KBD_INT = 0x01;    // IRQ 1 on keyboard data
const CB_AUX_INT = 0x02;    // IRQ 12 on mouse data
const CB_SYS = 0x04;        // system flag
const CB_KBD_DISABLE = 0x10; // keyboard clock held low
const CB_AUX_DISABLE = 0x20; // mouse clock held low
const CB_TRANSLATE = 0x40;  // keyboard bytes translated to set 1
const POWER_ON_COMMAND_BYTE = CB_TRANSLATE;

const OUT_RESET = 0x01;     // 0 holds the CPU in reset
const OUT_A20 = 0x02;       // address line 20 gate
const OUT_IRQ1 = 0x10;      // keyboard output buffer interrupt
const OUT_IRQ12 = 0x20;     // mouse output buffer interrupt
/** The 8042's port pins come up high: not in reset, A20 enabled, clocks and data released. */
const POWER_ON_OUTPUT_PORT = 0xcf;

/** Input port (C0): bit 7 keyboard not locked, bit 5 no manufacturing jumper (Brouwer §10.4). */
const INPUT_PORT = 0xa0;
const SELF_TEST_PASSED = 0x55;
const INTERFACE_TEST_PASSED = 0x00;
const RAM_BYTES = 32;
const KEYBOARD_BREAK_PREFIX = 0xf0;

/** A byte the controller itself has for the output buffer. */
export interface I8042Reply {
  value: number;
  /** It reads as mouse data (AUXB, IRQ 12). */
  aux: boolean;
}

/** Plain-data state of the 8042 (snapshot format, version 1). The devices keep their own. */
export interface I8042State {
  version: 1;
  /** Controller RAM; byte 0 is the command byte. */
  ram: number[];
  /** Status A2: the last write went to the command port. */
  lastWriteWasCommand: boolean;
  /** Output port P2 as last written (bits 4 and 5 read back live). */
  outputPort: number;
  outputBufferFull: boolean;
  outputBuffer: number;
  /** The output buffer's byte came from the mouse side. */
  outputFromAux: boolean;
  /** Controller replies waiting for the output buffer, oldest first. */
  replies: I8042Reply[];
  /** The command whose data byte the next write to 0x60 is, or 0. */
  awaitingData: number;
  /** Translation saw the keyboard's F0 prefix: the next byte is a break code. */
  translateBreak: boolean;
}

/** What the controller is wired to. */
export interface I8042Options {
  keyboard: Ps2Device;
  mouse: Ps2Device;
  /** IRQ 1. */
  keyboardIrq: IrqLine;
  /** IRQ 12. */
  mouseIrq: IrqLine;
  /** Output port bit 1, one input of the board's A20 gate. */
  a20: A20Gate;
  /** Output port bit 0 went low: the machine resets (after the current instruction). */
  requestReset(): void;
}

/** The 8042 keyboard controller. */
export class I8042 {
  state: I8042State = powerOnState();

  /** Port 0x60. */
  readonly dataPort: IoDevice = {
    read: () => this.readData(),
    write: (_offset, _size, value) => this.writeData(value & 0xff),
  };

  /** Port 0x64. */
  readonly commandPort: IoDevice = {
    read: () => this.readStatus(),
    write: (_offset, _size, value) => this.writeCommand(value & 0xff),
  };

  constructor(private readonly o: I8042Options) {
    o.keyboard.dataReady = () => this.fill();
    o.mouse.dataReady = () => this.fill();
  }

  /** Power-on state (the devices are reset by the board). Drives A20 high again. */
  reset(): void {
    this.state = powerOnState();
    this.o.a20.setA20(true);
    this.updateIrqs();
  }

  /** The command byte (controller RAM byte 0). */
  get commandByte(): number { return this.state.ram[0]; }

  /** Port 0x64 read: the status register. */
  readStatus(): number {
    const s = this.state;
    return STATUS_INH
      | (s.outputBufferFull ? STATUS_OBF : 0)
      | (s.outputBufferFull && s.outputFromAux ? STATUS_AUXB : 0)
      | (this.commandByte & CB_SYS ? STATUS_SYS : 0)
      | (s.lastWriteWasCommand ? STATUS_A2 : 0);
  }

  /** Reads the output buffer (again, if it is empty: the 8042 keeps its last byte). */
  readData(): number {
    const s = this.state;
    const value = s.outputBuffer;
    if (s.outputBufferFull) {
      s.outputBufferFull = false;
      // The IRQ line falls with the read, so the next byte's interrupt is a new edge.
      this.updateIrqs();
      this.fill();
    }
    return value;
  }

  /** Port 0x60 write: the waiting command's data byte, or a byte for the keyboard. */
  writeData(value: number): void {
    const s = this.state;
    s.lastWriteWasCommand = false;
    const command = s.awaitingData;
    s.awaitingData = 0;
    if (command >= 0x60 && command <= 0x7f) {
      this.writeRam(command - 0x60, value);
    } else if (command === 0xd1) {
      this.writeOutputPort(value);
    } else if (command === 0xd2 || command === 0xd3) {
      this.reply(value, command === 0xd3);
    } else if (command === 0xd4) {
      this.o.mouse.receive(value);
    } else {
      this.setCommandByte(this.commandByte & ~CB_KBD_DISABLE);
      this.o.keyboard.receive(value);
    }
    this.fill();
  }

  /** Port 0x64 write: a controller command. */
  writeCommand(command: number): void {
    const s = this.state;
    s.lastWriteWasCommand = true;
    s.awaitingData = 0;
    if (command >= 0x20 && command <= 0x3f) {
      this.reply(s.ram[command - 0x20], false);
    } else if ((command >= 0x60 && command <= 0x7f) || (command >= 0xd1 && command <= 0xd4)) {
      s.awaitingData = command;
    } else if (command >= 0xf0) {
      // Pulse the output port's low bits that are 0 in the command; only the reset line matters.
      if ((command & OUT_RESET) === 0) this.o.requestReset();
    } else {
      switch (command) {
        case 0xa7: this.setCommandByte(this.commandByte | CB_AUX_DISABLE); break;
        case 0xa8: this.setCommandByte(this.commandByte & ~CB_AUX_DISABLE); break;
        case 0xa9: this.reply(INTERFACE_TEST_PASSED, false); break;
        case 0xaa:
          this.setCommandByte(this.commandByte | CB_SYS);
          this.reply(SELF_TEST_PASSED, false);
          break;
        case 0xab: this.reply(INTERFACE_TEST_PASSED, false); break;
        case 0xad: this.setCommandByte(this.commandByte | CB_KBD_DISABLE); break;
        case 0xae: this.setCommandByte(this.commandByte & ~CB_KBD_DISABLE); break;
        case 0xc0: this.reply(INPUT_PORT, false); break;
        case 0xd0: this.reply(this.outputPortValue(), false); break;
        case 0xdd: this.writeOutputPort(s.outputPort & ~OUT_A20); break;
        case 0xdf: this.writeOutputPort(s.outputPort | OUT_A20); break;
        case 0xe0: {
          // T0 = keyboard clock, T1 = mouse clock: high unless the controller holds them low.
          const cb = this.commandByte;
          this.reply((cb & CB_KBD_DISABLE ? 0 : 1) | (cb & CB_AUX_DISABLE ? 0 : 2), false);
          break;
        }
        default: break; // unknown commands are ignored
      }
    }
    this.fill();
  }

  private writeRam(index: number, value: number): void {
    if (index === 0) this.setCommandByte(value);
    else this.state.ram[index] = value;
  }

  private setCommandByte(value: number): void {
    this.state.ram[0] = value & 0xff;
    this.fill();
  }

  private writeOutputPort(value: number): void {
    const s = this.state;
    const old = s.outputPort;
    s.outputPort = value & ~(OUT_IRQ1 | OUT_IRQ12);
    if (((old ^ value) & OUT_A20) !== 0) this.o.a20.setA20((value & OUT_A20) !== 0);
    if ((value & OUT_RESET) === 0) this.o.requestReset();
  }

  private outputPortValue(): number {
    const s = this.state;
    const cb = this.commandByte;
    const full = s.outputBufferFull;
    return s.outputPort
      | (full && !s.outputFromAux && cb & CB_KBD_INT ? OUT_IRQ1 : 0)
      | (full && s.outputFromAux && cb & CB_AUX_INT ? OUT_IRQ12 : 0);
  }

  private reply(value: number, aux: boolean): void {
    this.state.replies.push({ value: value & 0xff, aux });
  }

  /** Loads the output buffer if it is empty and someone has a byte; updates the IRQ lines. */
  private fill(): void {
    const s = this.state;
    const { keyboard, mouse } = this.o;
    while (!s.outputBufferFull) {
      const reply = s.replies.shift();
      if (reply) {
        this.load(reply.value, reply.aux);
      } else if ((this.commandByte & CB_KBD_DISABLE) === 0 && keyboard.hasData()) {
        let byte = keyboard.take();
        if ((this.commandByte & CB_TRANSLATE) !== 0) {
          if (byte === KEYBOARD_BREAK_PREFIX) {
            s.translateBreak = true;
            continue;
          }
          byte = translateToSet1(byte) | (s.translateBreak ? 0x80 : 0);
          s.translateBreak = false;
        }
        this.load(byte, false);
      } else if ((this.commandByte & CB_AUX_DISABLE) === 0 && mouse.hasData()) {
        this.load(mouse.take(), true);
      } else {
        break;
      }
    }
    this.updateIrqs();
  }

  private load(value: number, aux: boolean): void {
    const s = this.state;
    s.outputBuffer = value;
    s.outputFromAux = aux;
    s.outputBufferFull = true;
  }

  private updateIrqs(): void {
    const s = this.state;
    const cb = this.commandByte;
    const full = s.outputBufferFull;
    if (full && !s.outputFromAux && (cb & CB_KBD_INT) !== 0) this.o.keyboardIrq.raise();
    else this.o.keyboardIrq.lower();
    if (full && s.outputFromAux && (cb & CB_AUX_INT) !== 0) this.o.mouseIrq.raise();
    else this.o.mouseIrq.lower();
  }
}

function powerOnState(): I8042State {
  const ram = new Array<number>(RAM_BYTES).fill(0);
  ram[0] = POWER_ON_COMMAND_BYTE;
  return {
    version: 1, ram, lastWriteWasCommand: false, outputPort: POWER_ON_OUTPUT_PORT,
    outputBufferFull: false, outputBuffer: 0, outputFromAux: false, replies: [], awaitingData: 0, translateBreak: false,
  };
}
