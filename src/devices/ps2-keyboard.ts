/**
 * A PS/2 (MF2, 104/105-key) keyboard on the 8042's keyboard port: the
 * keyboard's side of the protocol (IBM PS/2 Hardware Interface Technical
 * Reference, "Keyboard"; Andries Brouwer, "Keyboard scancodes" §11
 * "Keyboard commands"), with the scan code tables in ps2-scancodes.ts.
 *
 * | command | parameter | reply | effect |
 * |---------|-----------|-------|--------|
 * | ED | LED bits (0 Scroll, 1 Num, 2 Caps) | FA, FA | set the LEDs |
 * | EE | | EE | echo |
 * | F0 | 0 / 1-3 | FA, FA (+ set) | get / select the scan code set |
 * | F2 | | FA AB 83 | identify: an MF2 keyboard |
 * | F3 | typematic delay (bits 6-5) and rate (bits 4-0) | FA, FA | stored |
 * | F4 | | FA | clear the buffer, start scanning |
 * | F5 | | FA | defaults (set 2, typematic, LEDs off, set 3 key types), clear the buffer, stop scanning |
 * | F6 | | FA | defaults, clear the buffer, scan |
 * | F7-FA | | FA | set 3: all keys typematic / make-break / make / all three |
 * | FB-FD | set 3 codes, ended by a command | FA each | set 3: those keys typematic / make-break / make |
 * | FE | | last byte | resend |
 * | FF | | FA AA | reset: defaults, set 2, scanning |
 * | other | | FE | not understood |
 *
 * A parameter that is itself a command (ED and above) ends the pending
 * command and runs instead (Brouwer §11.1, command ED).
 *
 * Host side: {@link Ps2Keyboard.keyDown}/{@link Ps2Keyboard.keyUp} by
 * `KeyboardEvent.code` name, in whichever scan code set the guest selected
 * (the 8042 may translate set 2 further to set 1), or raw set 2 bytes with
 * {@link Ps2Keyboard.sendScanCodes}.
 *
 * Deviations from hardware:
 * - No typematic repeat: the host repeats a held key by sending key-down
 *   again, and each arrives as one make code. The F3 byte is only stored.
 * - No fake shifts around the grey cursor keys under NumLock or Shift
 *   (Brouwer §1.6); Print Screen and Pause do change with the modifiers held.
 * - The output buffer holds 256 bytes of key codes rather than the
 *   keyboard's 16, so host input arriving at host speed (a paste) is not
 *   lost; past that one overrun code (00 in sets 2 and 3, FF in set 1) is
 *   queued, as on hardware. Replies to commands are never dropped.
 * - Set 3 key types keep only whether a key sends break codes (nothing
 *   repeats). Reset and power-on queue no AA by themselves: only FF answers AA.
 */
import { Ps2Reply, type Ps2Device } from './ps2-device.js';
import { isKeyCode, keyScanCode, SET3_DEFAULT_BREAK_KEYS, type KeyCode } from './ps2-scancodes.js';

const CMD_SET_LEDS = 0xed;
const CMD_ECHO = 0xee;
const CMD_SCAN_CODE_SET = 0xf0;
const CMD_IDENTIFY = 0xf2;
const CMD_TYPEMATIC = 0xf3;
const CMD_ENABLE = 0xf4;
const CMD_DISABLE = 0xf5;
const CMD_DEFAULTS = 0xf6;
const CMD_ALL_TYPEMATIC = 0xf7;
const CMD_ALL_MAKE_BREAK = 0xf8;
const CMD_ALL_MAKE = 0xf9;
const CMD_ALL_TYPEMATIC_MAKE_BREAK = 0xfa;
const CMD_KEYS_TYPEMATIC = 0xfb;
const CMD_KEYS_MAKE_BREAK = 0xfc;
const CMD_KEYS_MAKE = 0xfd;
const CMD_RESEND = 0xfe;
const CMD_RESET = 0xff;
/** Bytes from here up are commands, also where a parameter is expected. */
const FIRST_COMMAND = CMD_SET_LEDS;

/** Keyboard ID of an MF2 keyboard (Brouwer §9.3 "Keyboard IDs"). */
const MF2_ID = [0xab, 0x83] as const;
const ECHO_REPLY = 0xee;
/** ED parameter bits: Scroll Lock, Num Lock, Caps Lock. */
const LED_BITS = 0x07;
const BREAK_PREFIX = 0xf0;
const EXTENDED_PREFIX = 0xe0;
/** Default typematic byte: 500 ms delay, 10.9 characters per second. */
const DEFAULT_TYPEMATIC = 0x2b;
/** Bytes the keyboard buffers for the host before it reports an overrun. */
const BUFFER_BYTES = 256;

/** Plain-data state of a PS/2 keyboard (snapshot format, version 1). */
export interface Ps2KeyboardState {
  version: 1;
  /** Bytes waiting for the controller, oldest first. */
  out: number[];
  /** The last byte sent, for Resend. */
  lastSent: number;
  /** Scan code set the keyboard sends. */
  scanCodeSet: 1 | 2 | 3;
  /** Keys are scanned and reported (F4), or not (F5). */
  scanning: boolean;
  /** LED bits from ED: 0 Scroll Lock, 1 Num Lock, 2 Caps Lock. */
  leds: number;
  /** Typematic delay and rate byte from F3 (stored only). */
  typematic: number;
  /** Command waiting for its parameter (ED, F0, F3, FB-FD), or 0. */
  awaiting: number;
  /** Keys held down, for the codes that depend on the modifiers. */
  held: KeyCode[];
  /** Set 3 codes of the keys that send break codes. */
  set3BreakCodes: number[];
}

/** A PS/2 MF2 keyboard. */
export class Ps2Keyboard implements Ps2Device {
  state: Ps2KeyboardState = powerOnState();
  dataReady: () => void = () => {};

  /** Power-on state: set 2, scanning, nothing held or buffered. */
  reset(): void {
    this.state = powerOnState();
  }

  hasData(): boolean { return this.state.out.length > 0; }

  take(): number {
    const byte = this.state.out.shift() ?? 0;
    this.state.lastSent = byte;
    return byte;
  }

  // ---- the host side ---------------------------------------------------------

  /** The key named `key` (a `KeyboardEvent.code`) went down. Unknown names are ignored. */
  keyDown(key: string): void {
    if (!isKeyCode(key)) return;
    const held = this.state.held;
    if (!held.includes(key)) held.push(key);
    if (this.state.scanning) this.sendKeys(this.makeCode(key));
  }

  /** The key named `key` came up. */
  keyUp(key: string): void {
    if (!isKeyCode(key)) return;
    const held = this.state.held;
    const i = held.indexOf(key);
    if (i >= 0) held.splice(i, 1);
    if (this.state.scanning) this.sendKeys(this.breakCode(key));
  }

  /** Down and up again. */
  tap(key: string): void {
    this.keyDown(key);
    this.keyUp(key);
  }

  /**
   * Sends raw bytes as if keys had produced them (set 2 codes, E0/E1/F0
   * prefixes included, for keys the table lacks). They go out unchanged
   * whatever set the guest selected; the 8042 translates them when asked.
   */
  sendScanCodes(bytes: Iterable<number>): void {
    if (this.state.scanning) this.sendKeys([...bytes].map((b) => b & 0xff));
  }

  // ---- the controller side ---------------------------------------------------

  receive(byte: number): void {
    const s = this.state;
    byte &= 0xff;
    if (s.awaiting !== 0) {
      const command = s.awaiting;
      if (byte < FIRST_COMMAND) {
        this.parameter(command, byte);
        return;
      }
      s.awaiting = 0; // a command in place of the parameter runs instead
    }
    switch (byte) {
      case CMD_SET_LEDS:
      case CMD_SCAN_CODE_SET:
      case CMD_TYPEMATIC:
      case CMD_KEYS_TYPEMATIC:
      case CMD_KEYS_MAKE_BREAK:
      case CMD_KEYS_MAKE:
        s.awaiting = byte;
        this.send([Ps2Reply.Ack]);
        return;
      case CMD_ECHO: this.send([ECHO_REPLY]); return;
      case CMD_IDENTIFY: this.send([Ps2Reply.Ack, ...MF2_ID]); return;
      case CMD_ENABLE:
        s.out.length = 0;
        s.scanning = true;
        this.send([Ps2Reply.Ack]);
        return;
      case CMD_DISABLE:
      case CMD_DEFAULTS:
        this.setDefaults();
        s.scanning = byte === CMD_DEFAULTS;
        this.send([Ps2Reply.Ack]);
        return;
      case CMD_ALL_TYPEMATIC:
      case CMD_ALL_MAKE:
        s.set3BreakCodes = [];
        this.send([Ps2Reply.Ack]);
        return;
      case CMD_ALL_MAKE_BREAK:
      case CMD_ALL_TYPEMATIC_MAKE_BREAK:
        s.set3BreakCodes = allSet3Codes();
        this.send([Ps2Reply.Ack]);
        return;
      case CMD_RESEND: this.send([s.lastSent]); return;
      case CMD_RESET:
        this.setDefaults();
        s.scanning = true;
        this.send([Ps2Reply.Ack, Ps2Reply.SelfTestPassed]);
        return;
      default:
        this.send([Ps2Reply.Resend]);
    }
  }

  private parameter(command: number, value: number): void {
    const s = this.state;
    switch (command) {
      case CMD_SET_LEDS:
        if (value & ~LED_BITS) { s.awaiting = 0; this.send([Ps2Reply.Resend]); return; }
        s.leds = value;
        break;
      case CMD_TYPEMATIC:
        if (value & 0x80) { s.awaiting = 0; this.send([Ps2Reply.Resend]); return; }
        s.typematic = value;
        break;
      case CMD_SCAN_CODE_SET:
        if (value > 3) { s.awaiting = 0; this.send([Ps2Reply.Resend]); return; }
        s.awaiting = 0;
        if (value === 0) { this.send([Ps2Reply.Ack, s.scanCodeSet]); return; }
        s.scanCodeSet = value as 1 | 2 | 3;
        this.send([Ps2Reply.Ack]);
        return;
      default: { // FB-FD: a list of set 3 codes, ended by the next command
        const codes = s.set3BreakCodes.filter((c) => c !== value);
        if (command === CMD_KEYS_MAKE_BREAK) codes.push(value);
        s.set3BreakCodes = codes;
        this.send([Ps2Reply.Ack]);
        return;
      }
    }
    s.awaiting = 0;
    this.send([Ps2Reply.Ack]);
  }

  /**
   * F5/F6/FF defaults: set 2, typematic, LEDs off, set 3 key types, empty
   * buffer (A. Chapweske, "The PS/2 Keyboard Interface", command F6).
   */
  private setDefaults(): void {
    const s = this.state;
    s.out.length = 0;
    s.awaiting = 0;
    s.scanCodeSet = 2;
    s.leds = 0;
    s.typematic = DEFAULT_TYPEMATIC;
    s.set3BreakCodes = defaultSet3BreakCodes();
  }

  /** Queues a reply to the host (never dropped). */
  private send(bytes: readonly number[]): void {
    this.state.out.push(...bytes);
    this.dataReady();
  }

  /** Queues key codes; past the buffer's size only one overrun code is queued. */
  private sendKeys(bytes: readonly number[]): void {
    const out = this.state.out;
    if (bytes.length === 0) return;
    if (out.length + bytes.length <= BUFFER_BYTES) {
      out.push(...bytes);
    } else {
      const overrun = this.state.scanCodeSet === 1 ? 0xff : 0x00;
      if (out[out.length - 1] === overrun) return;
      out.push(overrun);
    }
    this.dataReady();
  }

  private makeCode(key: KeyCode): number[] {
    const set = this.state.scanCodeSet;
    if (set === 3) return codeBytes(keyScanCode(key, 3));
    const ctrl = this.isHeld('ControlLeft') || this.isHeld('ControlRight');
    const shift = this.isHeld('ShiftLeft') || this.isHeld('ShiftRight');
    const alt = this.isHeld('AltLeft') || this.isHeld('AltRight');
    // Brouwer §1.1: Pause sends its make and break at once, Ctrl+Pause is Break;
    // Print Screen is a fake-shifted E0 37, bare E0 37 with Shift or Ctrl, SysRq with Alt.
    if (key === 'Pause') {
      if (ctrl) return set === 1 ? [0xe0, 0x46, 0xe0, 0xc6] : [0xe0, 0x7e, 0xe0, 0xf0, 0x7e];
      return set === 1 ? [0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5] : [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77];
    }
    if (key === 'PrintScreen') {
      if (alt) return set === 1 ? [0x54] : [0x84];
      if (ctrl || shift) return set === 1 ? [0xe0, 0x37] : [0xe0, 0x7c];
      return set === 1 ? [0xe0, 0x2a, 0xe0, 0x37] : [0xe0, 0x12, 0xe0, 0x7c];
    }
    return codeBytes(keyScanCode(key, set));
  }

  private breakCode(key: KeyCode): number[] {
    const set = this.state.scanCodeSet;
    if (set === 3) {
      const code = keyScanCode(key, 3);
      return code >= 0 && this.state.set3BreakCodes.includes(code) ? [BREAK_PREFIX, code] : [];
    }
    if (key === 'Pause') return [];
    if (key === 'PrintScreen') {
      const ctrl = this.isHeld('ControlLeft') || this.isHeld('ControlRight');
      const shift = this.isHeld('ShiftLeft') || this.isHeld('ShiftRight');
      const alt = this.isHeld('AltLeft') || this.isHeld('AltRight');
      if (alt) return set === 1 ? [0xd4] : [0xf0, 0x84];
      if (ctrl || shift) return set === 1 ? [0xe0, 0xb7] : [0xe0, 0xf0, 0x7c];
      return set === 1 ? [0xe0, 0xb7, 0xe0, 0xaa] : [0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12];
    }
    const make = codeBytes(keyScanCode(key, set));
    if (make.length === 0) return [];
    const code = make[make.length - 1];
    const prefix = make.slice(0, -1);
    return set === 1 ? [...prefix, code | 0x80] : [...prefix, BREAK_PREFIX, code];
  }

  private isHeld(key: KeyCode): boolean {
    return this.state.held.includes(key);
  }
}

function powerOnState(): Ps2KeyboardState {
  return {
    version: 1, out: [], lastSent: 0, scanCodeSet: 2, scanning: true, leds: 0,
    typematic: DEFAULT_TYPEMATIC, awaiting: 0, held: [], set3BreakCodes: defaultSet3BreakCodes(),
  };
}

/** A table code as bytes: 0xE0nn → E0 nn; -1 → none. */
function codeBytes(code: number): number[] {
  if (code < 0) return [];
  return code > 0xff ? [EXTENDED_PREFIX, code & 0xff] : [code];
}

function defaultSet3BreakCodes(): number[] {
  return SET3_DEFAULT_BREAK_KEYS.map((k) => keyScanCode(k, 3));
}

function allSet3Codes(): number[] {
  const codes: number[] = [];
  for (let c = 0x01; c < FIRST_COMMAND; c++) codes.push(c);
  return codes;
}
