/**
 * PCI bus 0 and configuration mechanism #1 (PCI Local Bus Specification 2.1
 * §3.7.4.1 "Configuration Mechanism #1"): a 32-bit CONFIG_ADDRESS register
 * at 0xCF8 selects bus, device, function and dword; CONFIG_DATA at
 * 0xCFC-0xCFF reads or writes that dword's bytes, words or the whole dword.
 *
 * | port  | size  | register                                                    |
 * |-------|-------|-------------------------------------------------------------|
 * | 0xCF8 | 4     | CONFIG_ADDRESS: 31 enable, 23:16 bus, 15:11 device, 10:8 fn, 7:2 dword |
 * | 0xCF9 | 1     | PIIX3 reset control (forwarded; see piix3.ts)               |
 * | 0xCFC | 1,2,4 | CONFIG_DATA, byte n at 0xCFC + n                            |
 *
 * Only 32-bit accesses reach CONFIG_ADDRESS; byte and word accesses to
 * 0xCF8-0xCFB pass through as ordinary I/O (§3.7.4.1), and read as all ones
 * here (0xCF9 aside). A function that does not exist, on bus 0 or any other
 * bus, reads as all ones (a master abort), and function 1-7 of a device
 * exist only if its function 0 does.
 *
 * The bus also maps the functions' BARs: after each write to a command or
 * BAR register it attaches I/O BARs to the I/O bus and memory BARs to the
 * physical address space at the programmed address, or detaches them.
 *
 * Deviations from hardware:
 * - A BAR decodes only at a usable address: not 0, not past 0xFFFF for I/O,
 *   not past 4 GiB for memory. Real hardware decodes whatever is programmed
 *   (firmware disables decoding while sizing); 0 is the conventional
 *   "unassigned" value and mapping it would steal port 0 or RAM page 0.
 * - A BAR that would overlap a port range or MMIO range already claimed is
 *   not decoded (hardware would have two devices answer); this is logged.
 * - Memory BARs must be at least 4 KiB (the page granularity of MMIO here).
 */
import type { IoBus } from '../io-bus.js';
import type { IoDevice, IrqLine } from '../io-device.js';
import type { PciBar, PciFunction } from './pci-function.js';

/** CONFIG_ADDRESS bit 31: the next CONFIG_DATA access is a configuration cycle. */
const CONFIG_ENABLE = 0x8000_0000;
/** CONFIG_ADDRESS bits that exist: enable, bus, device, function, dword (30:24 and 1:0 read 0). */
const CONFIG_ADDRESS_MASK = 0x80ff_fffc;
const PAGE_BYTES = 4096;

/** The physical address space as the bus needs it to place memory BARs (PhysicalMemory fits). */
export interface PciMemorySpace {
  mapMmio(gpa: number, sizeBytes: number, handler: IoDevice, name: string): void;
  unmapMmio(gpa: number, handler: IoDevice): void;
  mmioClaimant(gpa: number, sizeBytes: number): string | undefined;
}

/** PCI bus 0: functions by device and function number, and their BAR mappings. */
export class PciBus {
  private readonly functions = new Map<number, PciFunction>();
  /** Where each BAR is mapped now. */
  private readonly mapped = new Map<PciBar, number>();
  /** BAR placements already reported as conflicting (so a guest loop does not flood the log). */
  private readonly reported = new Set<string>();

  constructor(
    private readonly io: IoBus,
    private readonly memory: PciMemorySpace,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Plugs a function in at device 0-31, function 0-7; `intx` is where its INTx# pin is wired. */
  add(device: number, fn: number, f: PciFunction, intx?: IrqLine): void {
    const key = (device << 3) | fn;
    if (device < 0 || device > 31 || fn < 0 || fn > 7) throw new RangeError(`${f.name}: no PCI slot ${device}.${fn}`);
    if (this.functions.has(key)) throw new RangeError(`${f.name}: PCI slot ${device}.${fn} is taken by ${this.functions.get(key)!.name}`);
    for (const bar of f.bars) {
      if (bar.kind === 'memory' && bar.sizeBytes < PAGE_BYTES) throw new RangeError(`${bar.name}: memory BARs must be at least 4 KiB`);
    }
    this.functions.set(key, f);
    if (intx) f.intx = intx;
    f.decodeChanged = () => this.remap(f);
    this.remap(f);
  }

  /** The function at device.fn, or undefined (function 1-7 only behind a function 0). */
  find(device: number, fn: number): PciFunction | undefined {
    if (fn !== 0 && !this.functions.has(device << 3)) return undefined;
    return this.functions.get((device << 3) | fn);
  }

  /** A configuration read: all ones where nothing answers. */
  readConfig(bus: number, device: number, fn: number, offset: number, size: 1 | 2 | 4): number {
    const f = bus === 0 ? this.find(device, fn) : undefined;
    if (!f) return size === 4 ? -1 : (1 << (8 * size)) - 1;
    return f.readConfig(offset, size);
  }

  /** A configuration write: dropped where nothing answers. */
  writeConfig(bus: number, device: number, fn: number, offset: number, size: 1 | 2 | 4, value: number): void {
    const f = bus === 0 ? this.find(device, fn) : undefined;
    f?.writeConfig(offset, size, value);
  }

  /** PCI reset (RST#): every function to power-on state, BARs unmapped. */
  reset(): void {
    for (const f of this.functions.values()) f.reset();
  }

  /** Brings a function's BAR mappings in line with its command register and BARs. */
  private remap(f: PciFunction): void {
    for (const bar of f.bars) {
      const want = this.usable(bar, f.barAddress(bar));
      const have = this.mapped.get(bar);
      if (want === have) continue;
      if (have !== undefined) {
        if (bar.kind === 'io') this.io.detach(have, bar.handler);
        else this.memory.unmapMmio(have, bar.handler);
        this.mapped.delete(bar);
      }
      if (want === undefined) continue;
      const taken = bar.kind === 'io' ? this.io.claimant(want, bar.sizeBytes) : this.memory.mmioClaimant(want, bar.sizeBytes);
      if (taken !== undefined) {
        const where = `${bar.name} at 0x${want.toString(16)}`;
        if (!this.reported.has(where)) {
          this.reported.add(where);
          this.log(`PCI: ${where} overlaps ${taken}; not decoded`);
        }
        continue;
      }
      if (bar.kind === 'io') this.io.attach(want, bar.sizeBytes, bar.handler, bar.name);
      else this.memory.mapMmio(want, bar.sizeBytes, bar.handler, bar.name);
      this.mapped.set(bar, want);
    }
  }

  /** The address if the BAR may decode there (see "Deviations"), else undefined. */
  private usable(bar: PciBar, address: number | undefined): number | undefined {
    if (address === undefined || address === 0) return undefined;
    const limit = bar.kind === 'io' ? 0x1_0000 : 0x1_0000_0000;
    return address + bar.sizeBytes <= limit ? address : undefined;
  }
}

/** Plain-data state of the configuration ports (snapshot format, version 1). */
export interface PciConfigPortsState {
  version: 1;
  /** CONFIG_ADDRESS. */
  address: number;
}

/**
 * Configuration mechanism #1 at 0xCF8-0xCFF (offsets 0-7). Byte accesses
 * to offset 1 (0xCF9) go to `resetControl` when one is given.
 */
export class PciConfigPorts implements IoDevice {
  state: PciConfigPortsState = { version: 1, address: 0 };

  constructor(private readonly bus: PciBus, private readonly resetControl?: IoDevice) {}

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset === 0 && size === 4) return this.state.address | 0;
    if (offset === 1 && size === 1 && this.resetControl) return this.resetControl.read(0, 1);
    if (offset < 4 || (this.state.address & CONFIG_ENABLE) === 0) return size === 4 ? -1 : (1 << (8 * size)) - 1;
    const at = offset - 4;
    if (at + size > 4) {
      // An access straddling the end of CONFIG_DATA: its bytes beyond 0xCFF are not configuration cycles.
      let v = 0;
      for (let i = 0; i < size; i++) v |= (at + i < 4 ? this.config(at + i, 1) : 0xff) << (8 * i);
      return size === 4 ? v : v & ((1 << (8 * size)) - 1);
    }
    return this.config(at, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === 0 && size === 4) { this.state.address = (value & CONFIG_ADDRESS_MASK) >>> 0; return; }
    if (offset === 1 && size === 1 && this.resetControl) { this.resetControl.write(0, 1, value); return; }
    if (offset < 4 || (this.state.address & CONFIG_ENABLE) === 0) return;
    const at = offset - 4;
    if (at + size > 4) {
      for (let i = 0; i < size && at + i < 4; i++) this.config(at + i, 1, (value >>> (8 * i)) & 0xff);
      return;
    }
    this.config(at, size, value);
  }

  reset(): void {
    this.state.address = 0;
  }

  /** A configuration cycle at byte `at` of the selected dword: a read, or a write when `value` is given. */
  private config(at: number, size: 1 | 2 | 4, value?: number): number {
    const a = this.state.address;
    const bus = (a >>> 16) & 0xff, device = (a >>> 11) & 0x1f, fn = (a >>> 8) & 0x7, offset = (a & 0xfc) + at;
    if (value === undefined) return this.bus.readConfig(bus, device, fn, offset, size);
    this.bus.writeConfig(bus, device, fn, offset, size, value);
    return 0;
  }
}
