/**
 * A bare CPU on plain RAM, put directly into a chosen mode, for unit tests,
 * the differential oracle and benchmarks. Nothing here is a PC: no devices,
 * ports read as all ones, and every exception is intercepted (reported, not
 * delivered) unless `deliverExceptions` is set.
 */
import type { TranslatorOptions } from '../src/cpu/translator/index.js';
import { Cpu } from '../src/cpu/cpu.js';
import { PhysicalMemory } from '../src/cpu/physical-memory.js';
import { Cr0, Reg, Seg } from '../src/cpu/registers.js';
import { NullSystem, StopReason, type SystemInterface } from '../src/cpu/system-interface.js';
import { readDescriptor, descAttr, descBase, descLimit, setSegment, type Descriptor } from '../src/cpu/segments.js';
import { setTaskRegister } from '../src/cpu/task-switch.js';

/** Where the harness keeps its GDT (guest-physical). */
export const HARNESS_GDT = 0x800;

/** GDT selectors the harness installs. */
export const enum HarnessSel {
  Code32 = 0x08, Data32 = 0x10, Code32User = 0x1b, Data32User = 0x23, Code16User = 0x2b, Data16User = 0x33,
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
  /** The translator for this machine (default: {@link translatorFromEnv}). */
  translator?: TranslatorOptions | false;
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

/**
 * Encodes a gate descriptor (call gate 4/0Ch, task gate 5, interrupt gate
 * 6/0Eh, trap gate 7/0Fh) as [low, high] (SDM Vol. 3A §5.8.3, §6.11, §7.2.5).
 */
export function gateDescriptor(selector: number, offset: number, type: number, dpl: number, params = 0): [number, number] {
  const low = ((selector & 0xffff) << 16) | (offset & 0xffff);
  const high = (offset & 0xffff_0000) | 0x8000 | ((dpl & 3) << 13) | ((type & 0xf) << 8) | (params & 0x1f);
  return [low | 0, high | 0];
}

/** Initial contents of a 32-bit TSS (SDM Vol. 3A Figure 7-2); omitted fields are zero. */
export interface Tss32Fields {
  link?: number;
  esp0?: number; ss0?: number; esp1?: number; ss1?: number; esp2?: number; ss2?: number;
  cr3?: number; eip?: number; eflags?: number;
  /** EAX..EDI. */
  regs?: number[];
  /** ES, CS, SS, DS, FS, GS. */
  segs?: number[];
  ldt?: number;
  iomapBase?: number;
}

/** Initial contents of a 16-bit TSS (SDM Vol. 3A Figure 7-11); segments are ES, CS, SS, DS. */
export interface Tss16Fields {
  link?: number;
  sp0?: number; ss0?: number; sp1?: number; ss1?: number; sp2?: number; ss2?: number;
  ip?: number; flags?: number;
  regs?: number[];
  segs?: number[];
  ldt?: number;
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
    // The translator translates on first sight here, so every program the suites run goes through
    // translated code; ANILLO_JIT=0 runs them on the interpreter alone.
    this.cpu = new Cpu({ memory: this.mem, system, translator: options.translator ?? translatorFromEnv() });
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

  /** Writes GDT entry `index` (as [low, high]) into the current GDT, growing GDTR's limit to cover it. */
  setGdtEntry(index: number, entry: [number, number]): void {
    const at = this.cpu.gdtrBase + index * 8;
    this.mem.write(at, 4, entry[0]);
    this.mem.write(at + 4, 4, entry[1]);
    this.cpu.gdtrLimit = Math.max(this.cpu.gdtrLimit, index * 8 + 7);
  }

  /** Writes IDT entries (as [low, high]) at `gpa` and points IDTR at them. */
  installIdt(gpa: number, entries: [number, number][]): void {
    const bytes = new Uint8Array(entries.length * 8);
    const view = new DataView(bytes.buffer);
    entries.forEach(([lo, hi], i) => { view.setInt32(i * 8, lo, true); view.setInt32(i * 8 + 4, hi, true); });
    this.mem.load(gpa, bytes);
    this.cpu.idtrBase = gpa;
    this.cpu.idtrLimit = bytes.length - 1;
  }

  /** Writes a 104-byte 32-bit TSS at `gpa`. */
  writeTss32(gpa: number, f: Tss32Fields): void {
    const w32 = (off: number, v = 0): void => this.mem.write(gpa + off, 4, v | 0);
    const w16 = (off: number, v = 0): void => this.mem.write(gpa + off, 2, v & 0xffff);
    this.mem.load(gpa, new Uint8Array(0x68));
    w16(0x00, f.link);
    w32(0x04, f.esp0); w16(0x08, f.ss0); w32(0x0c, f.esp1); w16(0x10, f.ss1); w32(0x14, f.esp2); w16(0x18, f.ss2);
    w32(0x1c, f.cr3); w32(0x20, f.eip); w32(0x24, f.eflags ?? 2);
    (f.regs ?? []).forEach((v, i) => w32(0x28 + 4 * i, v));
    (f.segs ?? []).forEach((v, i) => w16(0x48 + 4 * i, v));
    w16(0x60, f.ldt); w16(0x66, f.iomapBase ?? 0x68);
  }

  /** Writes a 44-byte 16-bit TSS at `gpa`. */
  writeTss16(gpa: number, f: Tss16Fields): void {
    const w16 = (off: number, v = 0): void => this.mem.write(gpa + off, 2, v & 0xffff);
    this.mem.load(gpa, new Uint8Array(0x2c));
    w16(0x00, f.link);
    w16(0x02, f.sp0); w16(0x04, f.ss0); w16(0x06, f.sp1); w16(0x08, f.ss1); w16(0x0a, f.sp2); w16(0x0c, f.ss2);
    w16(0x0e, f.ip); w16(0x10, f.flags ?? 2);
    (f.regs ?? []).forEach((v, i) => w16(0x12 + 2 * i, v));
    (f.segs ?? []).forEach((v, i) => w16(0x22 + 2 * i, v));
    w16(0x2a, f.ldt);
  }

  /** LTR without checks: loads TR from the GDT descriptor `sel` and marks it busy there and in TR. */
  loadTaskRegister(sel: number): void {
    readDescriptor(this.cpu, sel, this.scratch);
    const at = this.cpu.gdtrBase + (sel & ~7) + 5;
    this.mem.write(at, 1, this.mem.read(at, 1) | 2);
    setTaskRegister(this.cpu, sel, descBase(this.scratch), descLimit(this.scratch), descAttr(this.scratch) | 0x200);
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

/**
 * The translator setting for test machines: on with threshold 0 (the
 * default back end, WebAssembly), JavaScript regions with ANILLO_JIT=js,
 * or off with ANILLO_JIT=0.
 */
export function translatorFromEnv(): false | TranslatorOptions {
  const jit = process.env['ANILLO_JIT'];
  if (jit === '0') return false;
  return jit === 'js' ? { hotThreshold: 0, backend: 'js' } : { hotThreshold: 0 };
}
