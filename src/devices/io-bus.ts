/**
 * The I/O port bus: a range map from port numbers to devices. Only the board
 * attaches devices; ranges may not overlap. Unclaimed ports read as all ones
 * and ignore writes, and each is reported once. A range can be detached
 * again (a PCI I/O BAR moved or disabled by the guest).
 */
import type { IoDevice } from './io-device.js';

interface Range { base: number; size: number; device: IoDevice; name: string }

/** Port-I/O address space of one machine (0x0000-0xFFFF). */
export class IoBus {
  /** Index into `ranges` per port, or -1. */
  private readonly owner = new Int16Array(0x10000).fill(-1);
  /** Attached ranges by index; a detached range leaves an empty slot for reuse. */
  private readonly ranges: (Range | undefined)[] = [];
  private readonly reported = new Set<number>();

  /** Called once per unclaimed port touched. */
  onUnclaimed: (port: number, write: boolean) => void = () => {};

  /** Claims ports base..base+size-1 for a device; throws a RangeError if any is taken. */
  attach(base: number, size: number, device: IoDevice, name: string): void {
    if (base < 0 || size <= 0 || base + size > 0x10000) throw new RangeError(`${name}: ports out of range`);
    const taken = this.claimant(base, size);
    if (taken !== undefined) throw new RangeError(`${name} at 0x${base.toString(16)} overlaps ${taken}`);
    let index = this.ranges.indexOf(undefined);
    if (index < 0) index = this.ranges.push(undefined) - 1;
    this.ranges[index] = { base, size, device, name };
    this.owner.fill(index, base, base + size);
  }

  /** Name of the device holding any port of base..base+size-1, or undefined when all are free. */
  claimant(base: number, size: number): string | undefined {
    for (let p = Math.max(0, base); p < Math.min(base + size, 0x10000); p++) {
      const o = this.owner[p];
      if (o !== -1) return this.ranges[o]!.name;
    }
    return undefined;
  }

  /** Releases the range that `device` was attached with at `base`; its ports read as unclaimed again. */
  detach(base: number, device: IoDevice): void {
    const index = this.ranges.findIndex((r) => r !== undefined && r.base === base && r.device === device);
    if (index < 0) throw new RangeError(`no device attached at 0x${base.toString(16)} to detach`);
    const r = this.ranges[index]!;
    this.owner.fill(-1, r.base, r.base + r.size);
    this.ranges[index] = undefined;
  }

  read(port: number, size: 1 | 2 | 4): number {
    const o = this.owner[port & 0xffff];
    if (o === -1) {
      this.report(port, false);
      return size === 4 ? -1 : (1 << (8 * size)) - 1;
    }
    const r = this.ranges[o]!;
    return r.device.read((port & 0xffff) - r.base, size);
  }

  write(port: number, size: 1 | 2 | 4, value: number): void {
    const o = this.owner[port & 0xffff];
    if (o === -1) { this.report(port, true); return; }
    const r = this.ranges[o]!;
    r.device.write((port & 0xffff) - r.base, size, value);
  }

  private report(port: number, write: boolean): void {
    if (this.reported.has(port)) return;
    this.reported.add(port);
    this.onUnclaimed(port, write);
  }
}
