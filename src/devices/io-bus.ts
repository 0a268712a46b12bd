/**
 * The I/O port bus: a range map from port numbers to devices. Only the board
 * attaches devices; ranges may not overlap. Unclaimed ports read as all ones
 * and ignore writes, and each is reported once.
 */
import type { IoDevice } from './io-device.js';

interface Range { base: number; size: number; device: IoDevice; name: string }

/** Port-I/O address space of one machine (0x0000-0xFFFF). */
export class IoBus {
  /** Index into `ranges` per port, or -1. */
  private readonly owner = new Int16Array(0x10000).fill(-1);
  private readonly ranges: Range[] = [];
  private readonly reported = new Set<number>();

  /** Called once per unclaimed port touched. */
  onUnclaimed: (port: number, write: boolean) => void = () => {};

  attach(base: number, size: number, device: IoDevice, name: string): void {
    if (base < 0 || size <= 0 || base + size > 0x10000) throw new RangeError(`${name}: ports out of range`);
    for (let p = base; p < base + size; p++) {
      const o = this.owner[p];
      if (o !== -1) throw new RangeError(`${name} at 0x${base.toString(16)} overlaps ${this.ranges[o].name}`);
    }
    const index = this.ranges.length;
    this.ranges.push({ base, size, device, name });
    this.owner.fill(index, base, base + size);
  }

  read(port: number, size: 1 | 2 | 4): number {
    const o = this.owner[port & 0xffff];
    if (o === -1) {
      this.report(port, false);
      return size === 4 ? -1 : (1 << (8 * size)) - 1;
    }
    const r = this.ranges[o];
    return r.device.read((port & 0xffff) - r.base, size);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    const o = this.owner[port & 0xffff];
    if (o === -1) { this.report(port, true); return; }
    const r = this.ranges[o];
    r.device.write((port & 0xffff) - r.base, size, value);
  }

  private report(port: number, write: boolean): void {
    if (this.reported.has(port)) return;
    this.reported.add(port);
    this.onUnclaimed(port, write);
  }
}
