/**
 * A bare CPU on plain RAM, put directly into a chosen mode, for unit tests,
 * the differential oracle and benchmarks. Nothing here is a PC: no devices,
 * ports read as all ones, and every exception is intercepted (reported, not
 * delivered) unless `deliverExceptions` is set.
 */
import { Cpu } from '../src/cpu/cpu.js';
import { PhysicalMemory } from '../src/cpu/physical-memory.js';
import { Cr0, Reg, Seg } from '../src/cpu/registers.js';
import { NullSystem, StopReason, type SystemInterface } from '../src/cpu/system-interface.js';
import { readDescriptor, descAttr, descBase, descLimit, setSegment, type Descriptor } from '../src/cpu/segments.js';

/** Where the harness keeps its GDT (guest-physical). */
export const HARNESS_GDT = 0x800;

/** GDT selectors the harness installs. */
export const enum HarnessSel {
  Code32 = 0x08, Data32 = 0x10, Code32User = 0x1b, Data32User = 0x23, Code16User = 0x2f, Data16User = 0x37,
}

/** Options for {@link HarnessMachine}. */
export interface HarnessOptions {
  memBytes?: number;
  /** Deliver exceptions through the IDT instead of stopping at them. */
  deliverExceptions?: boolean;
  /** Base of the 16-bit code and data segments (user mode 16). */
  code16Base?: number;
  data16Base?: number;
  system?: Partial<SystemInterface>;
}

/** Result of running until a stop. */
export interface HarnessStop {
  reason: StopReason;
  /** Exception vector when reason is Exception, else -1. */
  vector: number;
  errorCode: number;
}

/** Encodes a code/data segment descriptor as [low, high] dwords (SDM Vol. 3A §3.4.5). */
export function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const low = ((base & 0xffff) << 16) | (limit & 0xffff);
  const high = ((base >>> 16) & 0xff) | (access << 8) | (limit & 0xf_0000) | (flags << 20) | (base & 0xff00_0000);
  return [low | 0, high | 0];
}

/** A CPU and its memory with helpers to set a mode, load code and run. */
export class HarnessMachine {
  readonly mem: PhysicalMemory;
  readonly cpu: Cpu;
  readonly io = new Map<number, number>();
  private readonly scratch: Descriptor = { low: 0, high: 0 };

  constructor(readonly options: HarnessOptions = {}) {
    this.mem = new PhysicalMemory({ ramBytes: options.memBytes ?? 4 << 20 });
    const base = new NullSystem();
    const system: SystemInterface = {
      ioRead: (port, size) => base.ioRead(port, size),
      ioWrite: () => {},
      acknowledgeInterrupt: () => 0x20,
      interceptException: options.deliverExceptions ? undefined : () => true,
      ...options.system,
    };
    this.cpu = new Cpu({ memory: this.mem, system });
  }

  /** Writes bytes at a guest-physical address. */
  load(gpa: number, bytes: Uint8Array | number[]): void {
    this.mem.load(gpa, bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  /** Real mode, CS:IP = cs:ip, other segments 0. */
  realMode(cs: number, ip: number): this {
    const cpu = this.cpu;
    cpu.reset();
    for (const s of [Seg.ES, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) setSegment(cpu, s, 0, 0, 0xffff, 0x9300);
    setSegment(cpu, Seg.CS, cs, cs << 4, 0xffff, 0x9b00);
    cpu.eip = ip;
    return this;
  }

  /** Writes descriptors (as [low, high]) at `gpa` and points GDTR (or, with `ldt`, LDTR) at them. */
  installTable(gpa: number, entries: [number, number][], ldt = false): void {
    const bytes = new Uint8Array(entries.length * 8);
    const view = new DataView(bytes.buffer);
    entries.forEach(([lo, hi], i) => { view.setInt32(i * 8, lo, true); view.setInt32(i * 8 + 4, hi, true); });
    this.mem.load(gpa, bytes);
    if (ldt) { this.cpu.ldtrBase = gpa; this.cpu.ldtrLimit = bytes.length - 1; this.cpu.ldtrSel = 0x30; }
    else { this.cpu.gdtrBase = gpa; this.cpu.gdtrLimit = bytes.length - 1; }
  }

  private writeGdt(): void {
    const g = [
      [0, 0],
      descriptor(0, 0xfffff, 0x9b, 0xc), // 0x08 code32 DPL0
      descriptor(0, 0xfffff, 0x93, 0xc), // 0x10 data32 DPL0
      descriptor(0, 0xfffff, 0xfb, 0xc), // 0x18 code32 DPL3
      descriptor(0, 0xfffff, 0xf3, 0xc), // 0x20 data32 DPL3
      descriptor(this.options.code16Base ?? 0, 0xffff, 0xfb, 0x0), // 0x28 code16 DPL3
      descriptor(this.options.data16Base ?? 0, 0xffff, 0xf3, 0x0), // 0x30 data16 DPL3
    ];
    const bytes = new Uint8Array(g.length * 8);
    const view = new DataView(bytes.buffer);
    g.forEach(([lo, hi], i) => { view.setInt32(i * 8, lo, true); view.setInt32(i * 8 + 4, hi, true); });
    this.mem.load(HARNESS_GDT, bytes);
    this.cpu.gdtrBase = HARNESS_GDT;
    this.cpu.gdtrLimit = bytes.length - 1;
  }

  /** Loads a segment register's cache from the descriptor tables, without protection checks. */
  loadFromGdt(seg: number, sel: number): void {
    readDescriptor(this.cpu, sel, this.scratch);
    setSegment(this.cpu, seg, sel, descBase(this.scratch), descLimit(this.scratch), descAttr(this.scratch));
  }

  /**
   * Protected mode with flat segments at `cpl` (0 or 3), or the 16-bit user
   * segments when `bits` is 16. Paging stays off unless enablePaging is called.
   */
  protectedMode(cpl: 0 | 3, bits: 16 | 32 = 32): this {
    const cpu = this.cpu;
    cpu.reset();
    this.writeGdt();
    cpu.cr0 = Cr0.PE | Cr0.ET;
    cpu.cpl = cpl;
    if (bits === 16) {
      this.loadFromGdt(Seg.CS, HarnessSel.Code16User);
      for (const s of [Seg.ES, Seg.SS, Seg.DS]) this.loadFromGdt(s, HarnessSel.Data16User);
      for (const s of [Seg.FS, Seg.GS]) this.loadFromGdt(s, HarnessSel.Data32User);
    } else {
      this.loadFromGdt(Seg.CS, cpl === 3 ? HarnessSel.Code32User : HarnessSel.Code32);
      for (const s of [Seg.ES, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) {
        this.loadFromGdt(s, cpl === 3 ? HarnessSel.Data32User : HarnessSel.Data32);
      }
    }
    cpu.updatePrivilegeMasks();
    cpu.flushTlb(true);
    return this;
  }

  /**
   * 32-bit paging identity-mapping exactly `pages` (4 KiB linear page numbers),
   * user/writable, with the page directory and tables at `tablesAt`.
   */
  enablePaging(pages: number[], tablesAt = 0x3000_00, supervisorPages: number[] = []): this {
    const pd = tablesAt;
    const cpu = this.cpu;
    const zero = new Uint8Array(4096);
    this.mem.load(pd, zero);
    let nextTable = pd + 0x1000;
    const tableOf = new Map<number, number>();
    const all = [...pages.map((p) => [p, 7]), ...supervisorPages.map((p) => [p, 3])];
    for (const [page, bits] of all) {
      const dir = page >>> 10;
      let pt = tableOf.get(dir);
      if (pt === undefined) {
        pt = nextTable;
        nextTable += 0x1000;
        this.mem.load(pt, zero);
        tableOf.set(dir, pt);
        this.mem.write(pd + dir * 4, 4, pt | 7);
      }
      this.mem.write(pt + (page & 0x3ff) * 4, 4, (page << 12) | bits);
    }
    cpu.cr3 = pd;
    cpu.cr0 |= Cr0.PG;
    cpu.flushTlb(true);
    return this;
  }

  /** Runs until a stop other than the budget, or `budget` instructions. */
  run(budget = 1_000_000): HarnessStop {
    const reason = this.cpu.run(budget);
    const ex = this.cpu.interceptedEvent;
    return reason === StopReason.Exception
      ? { reason, vector: ex.vector, errorCode: ex.errorCode }
      : { reason, vector: -1, errorCode: -1 };
  }

  /** Register by name, for terse tests. */
  reg(name: 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi'): number {
    const index = { eax: Reg.EAX, ecx: Reg.ECX, edx: Reg.EDX, ebx: Reg.EBX, esp: Reg.ESP, ebp: Reg.EBP, esi: Reg.ESI, edi: Reg.EDI }[name];
    return this.cpu.regs[index] >>> 0;
  }
}
