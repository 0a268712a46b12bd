/**
 * Motorola MC146818A real-time clock plus RAM (MC146818A datasheet,
 * Motorola, rev. 1984/1994) as the PC/AT's CMOS at ports 0x70-0x71.
 *
 * | port | off | read                      | write                                  |
 * |------|-----|---------------------------|----------------------------------------|
 * | 0x70 | 0   | 0xFF (write-only)         | bits 6-0 register index, bit 7 NMI off |
 * | 0x71 | 1   | selected register         | selected register                      |
 *
 * | reg  | meaning                                                                 |
 * |------|-------------------------------------------------------------------------|
 * | 0-9  | seconds, seconds alarm, minutes, minutes alarm, hours, hours alarm,     |
 * |      | day of week (1 = Sunday), date, month, year (00-99); BCD or binary (B.DM)|
 * | 0x0A | A: UIP (r), DV2-0 divider (010 = 32.768 kHz, 11x = reset), RS3-0 rate   |
 * | 0x0B | B: SET, PIE, AIE, UIE, SQWE, DM (1 = binary), 24/12, DSE                |
 * | 0x0C | C (r, cleared by reading): IRQF, PF, AF, UF                             |
 * | 0x0D | D (r): VRT, valid RAM and time                                          |
 * | 0x0E-0x7F | battery-backed RAM; the PC BIOS layout (IBM PC/AT Technical   |
 * |      | Reference "CMOS RAM map", plus SeaBIOS/QEMU's 0x34-0x35, 0x5B-0x5F) is  |
 * |      | filled by the board through {@link CmosRtc.configurePc}; 0x32 is the   |
 * |      | century (PC convention, ACPI FADT CENTURY), kept by the clock here      |
 *
 * Interrupts: IRQF = PF·PIE + AF·AIE + UF·UIE drives the IRQ line (IRQ 8 on
 * a PC) until register C is read. Periodic flags fall at multiples of the RS
 * period from the divider's phase, updates once a second; both are computed
 * from the injected Clock, and advance() returns the next one that can
 * interrupt.
 *
 * Deviations from hardware:
 * - The clock is kept as seconds since 1970 and shown in the format register B
 *   selects on each read, so changing DM or 24/12 re-presents the same time
 *   (the chip would keep the stored bytes); out-of-range dates written are
 *   normalised (31 February becomes 3 March); the day of week is stored as an
 *   offset from the date's real weekday.
 * - The update cycle takes no time: UIP reads 1 during the 244 µs before each
 *   update, and the new time is visible as soon as UIP falls.
 * - Daylight-saving (DSE) and the square-wave output (SQWE) are not modelled;
 *   divider values other than 010 and 11x stop the clock.
 */
import type { IoDevice, IrqLine } from './io-device.js';
import { nsOfTick, ticksAt, type Clock, type TimedDevice } from './timing.js';

const INDEX_NMI_DISABLE = 0x80;

const REG_SECONDS = 0x00, REG_SECONDS_ALARM = 0x01, REG_MINUTES = 0x02, REG_MINUTES_ALARM = 0x03;
const REG_HOURS = 0x04, REG_HOURS_ALARM = 0x05, REG_WEEKDAY = 0x06, REG_DAY = 0x07, REG_MONTH = 0x08;
const REG_YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d;
/** PC convention: the century, next to the RTC's own registers. */
const REG_CENTURY = 0x32;

const A_UIP = 0x80;        // update in progress (read-only)
const A_DV = 0x70;         // divider select
const A_DV_NORMAL = 0x20;  // 32.768 kHz time base, running
const A_RS = 0x0f;         // periodic rate select
const B_SET = 0x80;        // updates inhibited while the time is set
const B_PIE = 0x40;        // periodic interrupt enable
const B_AIE = 0x20;        // alarm interrupt enable
const B_UIE = 0x10;        // update-ended interrupt enable
const B_DM = 0x04;         // data mode: 1 binary, 0 BCD
const B_24H = 0x02;        // 24-hour mode
const C_IRQF = 0x80;       // an enabled flag is set: the IRQ line is asserted
const C_PF = 0x40;         // periodic flag
const C_AF = 0x20;         // alarm flag
const C_UF = 0x10;         // update-ended flag
const D_VRT = 0x80;        // valid RAM and time
const ALARM_DONT_CARE = 0xc0;

/** The 32.768 kHz time base. */
const BASE_HZ = 32768;
/** UIP rises this long before an update (datasheet tBUC, 244 µs). */
const UIP_NS = 244_141;

/** Plain-data state of the RTC and CMOS RAM (snapshot format, version 1). */
export interface CmosRtcState {
  version: 1;
  /** Register selected through port 0x70. */
  index: number;
  /** Port 0x70 bit 7: NMI disabled. */
  nmiDisabled: boolean;
  /** Register A bits 6-0. */
  regA: number;
  regB: number;
  /** Register C flags PF, AF, UF (IRQF is derived). */
  flags: number;
  /** The 128 bytes; the clock's registers (0, 2, 4, 6-9, 0x0A-0x0D, 0x32) live in the fields here instead. */
  ram: number[];
  /** Divider phase: updates fall at originNs + k × 1 s. */
  originNs: number;
  /** The clock's time, seconds since 1970-01-01 UTC, at update boundary `baseIndex` ... */
  baseSeconds: number;
  /** ... counted from originNs. */
  baseIndex: number;
  /** Day-of-week register minus the date's real weekday, mod 7. */
  weekdayOffset: number;
  /** Flags are up to date through this time. */
  syncedNs: number;
}

/** What the board tells the BIOS through CMOS RAM. */
export interface PcCmosConfig {
  /** RAM from address 0 up to the PCI hole, in bytes. */
  ramBelow4GiBBytes: number;
  /** RAM above 4 GiB, in bytes. */
  ramAbove4GiBBytes?: number;
  /** Number of CPUs (SeaBIOS reads count - 1 at 0x5F). */
  cpus?: number;
  /** Drive types of floppy A and B (0 none, 4 = 1.44 MB 3.5"). */
  floppyTypes?: [number, number];
  /** A math coprocessor is present. */
  fpu?: boolean;
}

function toBcd(v: number): number { return ((Math.floor(v / 10) % 10) << 4) | (v % 10); }
function fromBcd(v: number): number { return (v >> 4) * 10 + (v & 0xf); }

/** Calendar fields of a time in seconds since 1970 (UTC: the RTC keeps local time as given). */
function fields(seconds: number) {
  const d = new Date(seconds * 1000);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hours: d.getUTCHours(), minutes: d.getUTCMinutes(), seconds: d.getUTCSeconds(), weekday: d.getUTCDay() + 1,
  };
}

/** Seconds since 1970 of a UTC calendar time (any year: Date.UTC would read 0-99 as 1900-1999). */
function utcSeconds(year: number, month: number, day: number, hours: number, minutes: number, seconds: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hours, minutes, seconds, 0);
  return d.getTime() / 1000;
}

/** The MC146818A and the PC's CMOS RAM. */
export class CmosRtc implements IoDevice, TimedDevice {
  state: CmosRtcState;

  /**
   * `startMs` is the time the clock shows when the machine starts, in
   * milliseconds since 1970 (the host's wall-clock time, or a fixed time for
   * deterministic runs); updates then follow the injected clock, in phase
   * with startMs's seconds.
   */
  constructor(private readonly clock: Clock, private readonly irq: IrqLine, startMs: number) {
    const now = Math.floor(clock.nowNs());
    const ms = ((startMs % 1000) + 1000) % 1000;
    this.state = {
      version: 1, index: 0, nmiDisabled: false,
      regA: A_DV_NORMAL | 0x06, regB: B_24H, flags: 0,
      ram: new Array<number>(128).fill(0),
      originNs: now - ms * 1e6, baseSeconds: Math.floor(startMs / 1000), baseIndex: 0, weekdayOffset: 0, syncedNs: now,
    };
  }

  /**
   * System reset: the CMOS is battery-backed and its RESET pin is tied to
   * power-good on PCs, so time and RAM survive; only the index latch resets.
   */
  reset(): void {
    this.state.index = 0;
    this.state.nmiDisabled = false;
  }

  /** Port 0x70 bit 7: NMIs are disabled. */
  get nmiDisabled(): boolean { return this.state.nmiDisabled; }

  // ---- port interface ---------------------------------------------------------

  read(offset: number, _size?: 1 | 2 | 4): number {
    if (offset === 0) return 0xff;
    const now = this.clock.nowNs();
    const s = this.state;
    switch (s.index) {
      case REG_A: return s.regA | (this.updateInProgress(now) ? A_UIP : 0);
      case REG_B: return s.regB;
      case REG_C: {
        this.sync(now); // flags only: a flag that fell due just now is read, not signalled
        const c = s.flags | (this.irqf() ? C_IRQF : 0);
        s.flags = 0;
        this.irq.lower();
        return c;
      }
      case REG_D: return D_VRT;
      default: {
        const clockValue = this.readClock(s.index, now);
        return clockValue >= 0 ? clockValue : s.ram[s.index];
      }
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    const s = this.state;
    value &= 0xff;
    if (offset === 0) {
      s.index = value & 0x7f;
      s.nmiDisabled = (value & INDEX_NMI_DISABLE) !== 0;
      return;
    }
    const now = this.clock.nowNs();
    this.sync(now);
    switch (s.index) {
      case REG_A: {
        const wasRunning = this.running();
        this.fold(now);
        s.regA = value & 0x7f;
        // The first update comes half a second after the divider leaves reset (datasheet "Divider Stages").
        if (!wasRunning && this.running()) {
          s.originNs = Math.floor(now) - 500_000_000;
          s.baseIndex = this.boundaryIndex(now);
        }
        break;
      }
      case REG_B:
        this.fold(now);
        s.regB = value;
        if ((value & B_SET) !== 0) s.regB &= ~B_UIE; // setting SET clears UIE
        break;
      case REG_C: case REG_D: break; // read-only
      default:
        if (!this.writeClock(s.index, value, now)) s.ram[s.index] = value;
    }
    this.updateIrq();
  }

  /** Brings the flags up to now; returns the time of the next event that can interrupt. */
  advance(nowNs: number): number {
    this.sync(nowNs);
    this.updateIrq();
    const s = this.state;
    if (!this.running()) return Infinity;
    let next = Infinity;
    const period = this.periodTicks();
    if ((s.regB & B_PIE) !== 0 && period > 0) {
      const t = ticksAt(nowNs - s.originNs, BASE_HZ);
      next = s.originNs + nsOfTick((Math.floor(t / period) + 1) * period, BASE_HZ);
    }
    if ((s.regB & (B_UIE | B_AIE)) !== 0 && this.updating()) {
      next = Math.min(next, this.boundaryNs(this.boundaryIndex(nowNs) + 1));
    }
    return next;
  }

  // ---- PC CMOS layout -----------------------------------------------------------

  /** Sets a CMOS RAM byte (0x0E-0x7F) as firmware-visible configuration. */
  setByte(index: number, value: number): void {
    if (index < 0x0e || index > 0x7f || index === REG_CENTURY) throw new RangeError(`CMOS byte 0x${index.toString(16)} is not RAM`);
    this.state.ram[index] = value & 0xff;
  }

  /**
   * Fills the bytes a PC BIOS reads to size memory and find equipment, and
   * the standard checksum over 0x10-0x2D (IBM PC/AT Technical Reference,
   * "CMOS RAM Address Map"; 0x34-0x35 and 0x5B-0x5F as SeaBIOS reads them).
   */
  configurePc(config: PcCmosConfig): void {
    const below = config.ramBelow4GiBBytes, above = config.ramAbove4GiBBytes ?? 0;
    const [fdA, fdB] = config.floppyTypes ?? [0, 0];
    const floppies = (fdA !== 0 ? 1 : 0) + (fdB !== 0 ? 1 : 0);
    const set16 = (index: number, v: number) => { this.setByte(index, v & 0xff); this.setByte(index + 1, v >> 8); };
    const baseKiB = Math.min(640, Math.floor(below / 1024));
    const extKiB = Math.min(0xffff, Math.max(0, Math.floor((below - 0x10_0000) / 1024)));
    const ext16M = Math.min(0xffff, Math.max(0, Math.floor((below - 0x100_0000) / 0x1_0000)));
    const high = Math.floor(above / 0x1_0000);
    this.setByte(0x10, (fdA << 4) | fdB);
    // Equipment: bit 0 floppies present, bit 1 coprocessor, bits 5-4 display (00 = EGA/VGA), 7-6 floppies - 1.
    this.setByte(0x14, (floppies > 0 ? 0x01 | ((floppies - 1) << 6) : 0) | ((config.fpu ?? true) ? 0x02 : 0));
    set16(0x15, baseKiB);     // base memory, KiB
    set16(0x17, extKiB);      // memory above 1 MiB, KiB (saturates at 64 MiB)
    set16(0x30, extKiB);      // the same, as POST found it
    set16(0x34, ext16M);      // memory above 16 MiB, 64 KiB units
    this.setByte(0x5b, high & 0xff); // memory above 4 GiB, 64 KiB units, 24 bits
    this.setByte(0x5c, (high >> 8) & 0xff);
    this.setByte(0x5d, (high >> 16) & 0xff);
    this.setByte(0x5f, Math.max(0, (config.cpus ?? 1) - 1));
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += this.state.ram[i];
    this.setByte(0x2e, sum >> 8); // big-endian: 0x2E holds the high byte
    this.setByte(0x2f, sum & 0xff);
  }

  // ---- time -----------------------------------------------------------------

  /** The divider runs (DV = 010). */
  private running(): boolean { return (this.state.regA & A_DV) === A_DV_NORMAL; }

  /** Updates happen once a second. */
  private updating(): boolean { return this.running() && (this.state.regB & B_SET) === 0; }

  private boundaryIndex(nowNs: number): number { return Math.floor((nowNs - this.state.originNs) / 1e9); }

  private boundaryNs(index: number): number { return this.state.originNs + index * 1e9; }

  /** The clock's time in seconds since 1970. */
  private seconds(nowNs: number): number {
    const s = this.state;
    return this.updating() ? s.baseSeconds + this.boundaryIndex(nowNs) - s.baseIndex : s.baseSeconds;
  }

  /** Re-bases the running time at now, before a change of SET, the divider or the time itself. */
  private fold(nowNs: number): void {
    const s = this.state;
    s.baseSeconds = this.seconds(nowNs);
    s.baseIndex = this.boundaryIndex(nowNs);
  }

  private updateInProgress(nowNs: number): boolean {
    return this.updating() && this.boundaryNs(this.boundaryIndex(nowNs) + 1) - nowNs <= UIP_NS;
  }

  /** Periodic interrupt period in 32.768 kHz ticks, or 0 (datasheet Table "Periodic Interrupt Rate"). */
  private periodTicks(): number {
    const rs = this.state.regA & A_RS;
    if (rs === 0) return 0;
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
  }

  /** Sets PF, UF and AF for every event in (syncedNs, nowNs]; the caller updates the IRQ line. */
  private sync(nowNs: number): void {
    const s = this.state;
    const from = s.syncedNs;
    if (nowNs <= from) return;
    s.syncedNs = nowNs;
    if (!this.running()) return;
    const period = this.periodTicks();
    if (period > 0 &&
        Math.floor(ticksAt(nowNs - s.originNs, BASE_HZ) / period) > Math.floor(ticksAt(from - s.originNs, BASE_HZ) / period)) {
      s.flags |= C_PF;
    }
    if (!this.updating()) return;
    const first = this.boundaryIndex(from) + 1, last = this.boundaryIndex(nowNs);
    if (last >= first) {
      s.flags |= C_UF;
      // An alarm repeats at most daily, so one day of updates covers every match.
      for (let k = Math.max(first, last - 86_400); k <= last && (s.flags & C_AF) === 0; k++) {
        if (this.alarmMatches(s.baseSeconds + k - s.baseIndex)) s.flags |= C_AF;
      }
    }
  }

  private alarmMatches(seconds: number): boolean {
    const f = fields(seconds);
    const ram = this.state.ram;
    const check = (reg: number, value: number, decode: (b: number) => number) =>
      (ram[reg] & ALARM_DONT_CARE) === ALARM_DONT_CARE || decode(ram[reg]) === value;
    const plain = (b: number) => this.decode(b);
    return check(REG_SECONDS_ALARM, f.seconds, plain) && check(REG_MINUTES_ALARM, f.minutes, plain) &&
      check(REG_HOURS_ALARM, f.hours, (b) => this.decodeHours(b));
  }

  private irqf(): boolean {
    const s = this.state;
    return (s.flags & (s.regB & (B_PIE | B_AIE | B_UIE)) & (C_PF | C_AF | C_UF)) !== 0;
  }

  private updateIrq(): void {
    if (this.irqf()) this.irq.raise();
    else this.irq.lower();
  }

  // ---- clock registers ------------------------------------------------------------

  private encode(v: number): number { return (this.state.regB & B_DM) !== 0 ? v : toBcd(v); }
  private decode(b: number): number { return (this.state.regB & B_DM) !== 0 ? b : fromBcd(b); }

  private encodeHours(h: number): number {
    if ((this.state.regB & B_24H) !== 0) return this.encode(h);
    return this.encode(h % 12 || 12) | (h >= 12 ? 0x80 : 0);
  }

  private decodeHours(b: number): number {
    if ((this.state.regB & B_24H) !== 0) return this.decode(b);
    return (this.decode(b & 0x7f) % 12) + ((b & 0x80) !== 0 ? 12 : 0);
  }

  /** A clock register's value, or -1 if `index` is not one. */
  private readClock(index: number, nowNs: number): number {
    const f = fields(this.seconds(nowNs));
    switch (index) {
      case REG_SECONDS: return this.encode(f.seconds);
      case REG_MINUTES: return this.encode(f.minutes);
      case REG_HOURS: return this.encodeHours(f.hours);
      case REG_WEEKDAY: return this.encode(((f.weekday - 1 + this.state.weekdayOffset) % 7) + 1);
      case REG_DAY: return this.encode(f.day);
      case REG_MONTH: return this.encode(f.month);
      case REG_YEAR: return this.encode(f.year % 100);
      case REG_CENTURY: return this.encode(Math.floor(f.year / 100));
      default: return -1;
    }
  }

  /** Writes a clock register; false if `index` is not one. */
  private writeClock(index: number, value: number, nowNs: number): boolean {
    const s = this.state;
    if (![REG_SECONDS, REG_MINUTES, REG_HOURS, REG_WEEKDAY, REG_DAY, REG_MONTH, REG_YEAR, REG_CENTURY].includes(index)) {
      return false;
    }
    this.fold(nowNs);
    const f = fields(s.baseSeconds);
    const v = this.decode(value);
    switch (index) {
      case REG_SECONDS: f.seconds = v; break;
      case REG_MINUTES: f.minutes = v; break;
      case REG_HOURS: f.hours = this.decodeHours(value); break;
      case REG_WEEKDAY: s.weekdayOffset = (((v - f.weekday) % 7) + 7) % 7; return true;
      case REG_DAY: f.day = v; break;
      case REG_MONTH: f.month = v; break;
      case REG_YEAR: f.year = Math.floor(f.year / 100) * 100 + v; break;
      default: f.year = v * 100 + (f.year % 100); break;
    }
    const weekdayBefore = ((f.weekday - 1 + s.weekdayOffset) % 7) + 1;
    s.baseSeconds = utcSeconds(f.year, f.month, f.day, f.hours, f.minutes, f.seconds);
    // The chip's weekday counter is independent of the date: keep showing the same day.
    s.weekdayOffset = (((weekdayBefore - fields(s.baseSeconds).weekday) % 7) + 7) % 7;
    return true;
  }
}
