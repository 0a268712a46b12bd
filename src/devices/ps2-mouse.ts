/**
 * A PS/2 mouse with a wheel and five buttons on the 8042's auxiliary port:
 * the IBM PS/2 mouse protocol (IBM PS/2 Hardware Interface Technical
 * Reference, "Pointing Device"; Andries Brouwer, "Keyboard scancodes" §12
 * "The PS/2 Mouse"), with Microsoft's IntelliMouse (ID 3) and IntelliMouse
 * Explorer (ID 4) extensions, each unlocked by its sample-rate knock.
 *
 * | command | parameter | reply | effect |
 * |---------|-----------|-------|--------|
 * | E6 / E7 | | FA | scaling 1:1 / 2:1 |
 * | E8 | resolution 0-3 | FA, FA | 1, 2, 4, 8 counts/mm (stored) |
 * | E9 | | FA, status, resolution, rate | status request |
 * | EA | | FA | stream mode |
 * | EB | | FA + packet | read data (remote mode; also in stream mode) |
 * | EC / EE | | FA | leave / enter wrap (echo) mode |
 * | F0 | | FA | remote mode |
 * | F2 | | FA, ID | 00, 03 after 200,100,80; 04 after 200,200,80 (once 03) |
 * | F3 | 10, 20, 40, 60, 80, 100 or 200 | FA, FA | sample rate |
 * | F4 / F5 | | FA | data reporting on / off |
 * | F6 | | FA | defaults (100/s, 4 counts/mm, 1:1, stream, off) |
 * | FE | | last reply or packet | resend |
 * | FF | | FA AA 00 | reset: defaults, ID 00 |
 * | other | | FE | not understood |
 *
 * A bad parameter is answered FE and may be sent again; a second bad one
 * in a row is answered FC and ends the command (Brouwer §12.4).
 * Commands that change the mode or the reporting reset the movement counters.
 *
 * Packet (Brouwer §12.3): byte 0 = Yovf Xovf Ysign Xsign 1 M R L; bytes 1-2
 * = dx, dy (9-bit two's complement with the sign bits, +y up); ID 3 adds dz
 * (-8..7, sign-extended to 8 bits), ID 4 adds dz in bits 0-3 and buttons 4
 * and 5 in bits 4-5.
 *
 * Deviations from hardware:
 * - No sampling clock: instead of one packet per sample period, the mouse
 *   sends a packet when the host moves it or changes its buttons and its
 *   previous packet has left; movement arriving meanwhile is summed into the
 *   next packet (what a real mouse does between samples). The sample rate
 *   and resolution are stored and reported, nothing more.
 * - Movement beyond a packet's range is carried into following packets
 *   rather than reported with the overflow bits (which only 2:1 scaling of
 *   large moves can set here).
 */
import { Ps2Reply, type Ps2Device } from './ps2-device.js';

const CMD_SCALING_1_1 = 0xe6;
const CMD_SCALING_2_1 = 0xe7;
const CMD_SET_RESOLUTION = 0xe8;
const CMD_STATUS = 0xe9;
const CMD_STREAM_MODE = 0xea;
const CMD_READ_DATA = 0xeb;
const CMD_RESET_WRAP = 0xec;
const CMD_WRAP_MODE = 0xee;
const CMD_REMOTE_MODE = 0xf0;
const CMD_GET_ID = 0xf2;
const CMD_SAMPLE_RATE = 0xf3;
const CMD_ENABLE = 0xf4;
const CMD_DISABLE = 0xf5;
const CMD_DEFAULTS = 0xf6;
const CMD_RESEND = 0xfe;
const CMD_RESET = 0xff;

/** Sample rates the mouse accepts (IBM; Brouwer §12.4, command F3). */
const SAMPLE_RATES = [10, 20, 40, 60, 80, 100, 200];
const DEFAULT_RATE = 100;
/** Resolution code 2: 4 counts/mm. */
const DEFAULT_RESOLUTION = 2;
const ID_STANDARD = 0x00;
const ID_INTELLIMOUSE = 0x03;
const ID_EXPLORER = 0x04;
/** Byte 0 bit that is always 1 (lets drivers find packet boundaries). */
const PACKET_SYNC = 0x08;

/** Host button bits (same as packet byte 0 for the first three). */
export const enum MouseButton {
  Left = 0x01,
  Right = 0x02,
  Middle = 0x04,
  Fourth = 0x08,
  Fifth = 0x10,
}

/** Plain-data state of a PS/2 mouse (snapshot format, version 1). */
export interface Ps2MouseState {
  version: 1;
  /** Bytes waiting for the controller, oldest first. */
  out: number[];
  /** The last reply or packet sent, for Resend. */
  lastSent: number[];
  /** Stream (packets as the mouse moves) or remote (packets on request). */
  mode: 'stream' | 'remote';
  /** Wrap mode: every byte but EC and FF is echoed. */
  wrap: boolean;
  /** Data reporting on (F4) in stream mode. */
  reporting: boolean;
  /** 2:1 scaling (stream mode only). */
  scaling21: boolean;
  /** Resolution code 0-3 (1, 2, 4, 8 counts/mm). */
  resolution: number;
  /** Samples per second. */
  sampleRate: number;
  /** 0 (standard), 3 (IntelliMouse) or 4 (IntelliMouse Explorer). */
  deviceId: number;
  /** The last three sample rates set, oldest first (the knock detector). */
  recentRates: number[];
  /** Command waiting for its parameter (E8, F3), or 0. */
  awaiting: number;
  /** Bad parameters in a row for the waiting command. */
  badParameters: number;
  /** Buttons held (MouseButton bits). */
  buttons: number;
  /** Buttons as last reported. */
  reportedButtons: number;
  /** Movement not yet reported: x right, y up, z (wheel) toward the user. */
  dx: number;
  dy: number;
  dz: number;
}

/** A PS/2 mouse (IntelliMouse Explorer compatible). */
export class Ps2Mouse implements Ps2Device {
  state: Ps2MouseState = powerOnState();
  dataReady: () => void = () => {};

  /** Power-on state: defaults, ID 0, nothing held or buffered. */
  reset(): void {
    this.state = powerOnState();
  }

  hasData(): boolean { return this.state.out.length > 0; }

  take(): number {
    const s = this.state;
    const byte = s.out.shift() ?? 0;
    if (s.out.length === 0) this.streamPacket(false);
    return byte;
  }

  // ---- the host side ---------------------------------------------------------

  /**
   * Moves the mouse by `dx` counts right, `dy` counts up (PS/2's sense: a
   * screen's y runs the other way) and the wheel by `dz` detents toward the
   * user (the sense of a browser's positive deltaY).
   */
  move(dx: number, dy: number, dz = 0): void {
    const s = this.state;
    if (s.mode === 'stream' && !s.reporting) return;
    s.dx += Math.trunc(dx);
    s.dy += Math.trunc(dy);
    if (s.deviceId !== ID_STANDARD) s.dz += Math.trunc(dz);
    this.streamPacket(true);
  }

  /** Sets the buttons held (MouseButton bits: 1 left, 2 right, 4 middle, 8 fourth, 16 fifth). */
  setButtons(buttons: number): void {
    this.state.buttons = buttons & 0x1f;
    this.streamPacket(true);
  }

  // ---- the controller side ---------------------------------------------------

  receive(byte: number): void {
    const s = this.state;
    byte &= 0xff;
    if (s.wrap && byte !== CMD_RESET_WRAP && byte !== CMD_RESET) {
      this.reply([byte]);
      return;
    }
    if (s.awaiting !== 0) {
      this.parameter(s.awaiting, byte);
      return;
    }
    switch (byte) {
      case CMD_SCALING_1_1: s.scaling21 = false; this.reply([Ps2Reply.Ack]); return;
      case CMD_SCALING_2_1: s.scaling21 = true; this.reply([Ps2Reply.Ack]); return;
      case CMD_SET_RESOLUTION:
      case CMD_SAMPLE_RATE:
        s.awaiting = byte;
        s.badParameters = 0;
        this.reply([Ps2Reply.Ack]);
        return;
      case CMD_STATUS: this.reply([Ps2Reply.Ack, this.statusByte(), s.resolution, s.sampleRate]); return;
      case CMD_STREAM_MODE: this.clearMovement(); s.mode = 'stream'; this.reply([Ps2Reply.Ack]); return;
      case CMD_REMOTE_MODE: this.clearMovement(); s.mode = 'remote'; this.reply([Ps2Reply.Ack]); return;
      case CMD_READ_DATA: this.reply([Ps2Reply.Ack, ...this.packet(false)]); return;
      case CMD_WRAP_MODE: this.clearMovement(); s.wrap = true; this.reply([Ps2Reply.Ack]); return;
      case CMD_RESET_WRAP: this.clearMovement(); s.wrap = false; this.reply([Ps2Reply.Ack]); return;
      case CMD_GET_ID: this.clearMovement(); this.reply([Ps2Reply.Ack, s.deviceId]); return;
      case CMD_ENABLE: this.clearMovement(); s.reporting = true; this.reply([Ps2Reply.Ack]); return;
      case CMD_DISABLE:
        s.out.length = 0;
        this.clearMovement();
        s.reporting = false;
        this.reply([Ps2Reply.Ack]);
        return;
      case CMD_DEFAULTS:
        this.setDefaults();
        this.reply([Ps2Reply.Ack]);
        return;
      case CMD_RESEND: this.reply(s.lastSent.length > 0 ? [...s.lastSent] : [Ps2Reply.Ack]); return;
      case CMD_RESET:
        this.setDefaults();
        s.deviceId = ID_STANDARD;
        s.recentRates = [];
        s.wrap = false;
        this.reply([Ps2Reply.Ack, Ps2Reply.SelfTestPassed, ID_STANDARD]);
        return;
      default:
        this.reply([Ps2Reply.Resend]);
    }
  }

  private parameter(command: number, value: number): void {
    const s = this.state;
    const valid = command === CMD_SAMPLE_RATE ? SAMPLE_RATES.includes(value) : value <= 3;
    if (!valid) {
      if (++s.badParameters >= 2) {
        s.awaiting = 0;
        this.reply([Ps2Reply.Error]);
      } else {
        this.reply([Ps2Reply.Resend]);
      }
      return;
    }
    s.awaiting = 0;
    if (command === CMD_SET_RESOLUTION) {
      s.resolution = value;
    } else {
      s.sampleRate = value;
      s.recentRates = [...s.recentRates.slice(-2), value];
      this.checkKnock();
    }
    this.reply([Ps2Reply.Ack]);
  }

  /** Microsoft's knocks: rates 200, 100, 80 → IntelliMouse; then 200, 200, 80 → Explorer. */
  private checkKnock(): void {
    const s = this.state;
    const [a, b, c] = s.recentRates;
    if (s.recentRates.length < 3 || a !== 200 || c !== 80) return;
    if (b === 100 && s.deviceId === ID_STANDARD) s.deviceId = ID_INTELLIMOUSE;
    else if (b === 200 && s.deviceId === ID_INTELLIMOUSE) s.deviceId = ID_EXPLORER;
  }

  /** F6 (and FF) defaults: 100/s, 4 counts/mm, 1:1, stream mode, reporting off. */
  private setDefaults(): void {
    const s = this.state;
    s.out.length = 0;
    s.awaiting = 0;
    s.mode = 'stream';
    s.reporting = false;
    s.scaling21 = false;
    s.resolution = DEFAULT_RESOLUTION;
    s.sampleRate = DEFAULT_RATE;
    this.clearMovement();
  }

  private clearMovement(): void {
    const s = this.state;
    s.dx = s.dy = s.dz = 0;
    s.reportedButtons = s.buttons;
  }

  /** E9's first byte: 0 remote enabled 2:1 0 L M R. */
  private statusByte(): number {
    const s = this.state;
    const b = s.buttons;
    return (s.mode === 'remote' ? 0x40 : 0) | (s.reporting ? 0x20 : 0) | (s.scaling21 ? 0x10 : 0)
      | (b & MouseButton.Left ? 0x04 : 0) | (b & MouseButton.Middle ? 0x02 : 0) | (b & MouseButton.Right ? 0x01 : 0);
  }

  /**
   * In stream mode with reporting on, sends a packet when one is due and the
   * previous one has left (`notify`: tell the controller; not needed while it
   * is draining the buffer itself).
   */
  private streamPacket(notify: boolean): void {
    const s = this.state;
    if (s.mode !== 'stream' || !s.reporting || s.wrap || s.awaiting !== 0 || s.out.length > 0) return;
    if (s.dx === 0 && s.dy === 0 && s.dz === 0 && s.buttons === s.reportedButtons) return;
    s.out.push(...this.packet(s.scaling21));
    s.lastSent = [...s.out];
    if (notify) this.dataReady();
  }

  /** A packet of the movement counted so far (clamped; the rest waits for the next). */
  private packet(scaled: boolean): number[] {
    const s = this.state;
    const x = clamp(s.dx, -256, 255), y = clamp(s.dy, -256, 255), z = clamp(s.dz, -8, 7);
    s.dx -= x; s.dy -= y; s.dz -= z;
    s.reportedButtons = s.buttons;
    const sx = scaled ? scale21(x) : x, sy = scaled ? scale21(y) : y;
    const ox = sx < -256 || sx > 255, oy = sy < -256 || sy > 255;
    const px = clamp(sx, -256, 255), py = clamp(sy, -256, 255);
    const packet = [
      PACKET_SYNC | (s.buttons & 0x07) | (px < 0 ? 0x10 : 0) | (py < 0 ? 0x20 : 0) | (ox ? 0x40 : 0) | (oy ? 0x80 : 0),
      px & 0xff,
      py & 0xff,
    ];
    if (s.deviceId === ID_INTELLIMOUSE) packet.push(z & 0xff);
    else if (s.deviceId === ID_EXPLORER) packet.push((z & 0x0f) | (((s.buttons >> 3) & 0x03) << 4));
    return packet;
  }

  private reply(bytes: number[]): void {
    this.state.out.push(...bytes);
    this.state.lastSent = bytes;
    this.dataReady();
  }
}

function powerOnState(): Ps2MouseState {
  return {
    version: 1, out: [], lastSent: [], mode: 'stream', wrap: false, reporting: false, scaling21: false,
    resolution: DEFAULT_RESOLUTION, sampleRate: DEFAULT_RATE, deviceId: ID_STANDARD, recentRates: [],
    awaiting: 0, badParameters: 0, buttons: 0, reportedButtons: 0, dx: 0, dy: 0, dz: 0,
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** 2:1 scaling (Brouwer §12.2): 0 1 1 3 6 9 for 0-5, doubled from 6 up; sign kept. */
function scale21(v: number): number {
  const a = Math.abs(v);
  const scaled = a >= 6 ? 2 * a : [0, 1, 1, 3, 6, 9][a];
  return v < 0 ? -scaled : scaled;
}
