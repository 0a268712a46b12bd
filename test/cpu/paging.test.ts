// Paging (SDM Vol. 3A ch. 4) exercised through instructions: 32-bit paging
// with 4 KiB and 4 MiB pages, PAE with 4 KiB and 2 MiB pages, CR0.WP, U/S,
// accessed/dirty bits, #PF error codes and CR2 (§4.7), INVLPG and CR3 reloads
// against global pages (§4.10.4).
//
// Programs at CPL 0 turn paging on themselves (MOV CR4/CR3/CR0) before the
// code under test; CPL 3 programs get paging from control-registers.ts. Memory
// is read and written with MOV (the data family), the end marker is ud2.
//
// Some tests pin that a stale translation stays cached until INVLPG or a CR3
// write. The architecture allows a TLB to drop entries at any time, so this
// is our TLB's behaviour rather than a requirement; it is what lets the tests
// see that INVLPG and CR3 reloads do what §4.10.4 says.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../tools/cpu-harness.js';
import { assemble } from '../support/asm.js';
import { CODE, completes, loadProgram, rd, runLoaded, type Run } from '../support/cpu-test.js';
import { Cr0, Cr4, Reg, Vector } from '../../src/cpu/registers.js';
import { writeCr0, writeCr3, writeCr4 } from '../../src/cpu/control-registers.js';
import { PfError } from '../../src/cpu/paging.js';
import { TLB_NO_SUP_WRITE, TLB_NO_USER_WRITE } from '../../src/cpu/tlb.js';

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
/** Where the paging structures go; identity-mapped (supervisor) so MOV can edit them. */
const TABLES = 0x10_0000;
const MEM_BYTES = 16 << 20;

/** Builds paging structures in guest memory. */
interface Tables {
  readonly root: number;
  /** Maps one 4 KiB page; the directory entries on the way get `upper` rights. */
  map(lin: number, phys: number, flags?: number, upper?: number): void;
  /** Maps a 4 MiB (32-bit) or 2 MiB (PAE) page. */
  mapLarge(lin: number, phys: number, flags?: number): void;
  pdeAddr(lin: number): number;
  pteAddr(lin: number): number;
}

/** What both table formats share: allocation of zeroed 4 KiB tables after the root, and entry writes. */
abstract class TablesBase implements Tables {
  readonly root = TABLES;
  protected next = TABLES + 0x1000;
  constructor(protected readonly m: HarnessMachine) { zero(m, this.root); }
  abstract pdeAddr(lin: number): number;
  abstract pteAddr(lin: number): number;
  /** A fresh zeroed table. */
  protected allocate(): number {
    const table = this.next;
    this.next += 0x1000;
    zero(this.m, table);
    return table;
  }
  map(lin: number, phys: number, flags = P | RW | US, upper = P | RW | US): void {
    const pde = this.m.mem.read(this.pdeAddr(lin), 4);
    let table = pde & ~0xfff;
    if ((pde & P) === 0 || (pde & PS) !== 0) table = this.allocate();
    this.m.mem.write(this.pdeAddr(lin), 4, table | upper);
    this.m.mem.write(this.pteAddr(lin), 4, phys | flags);
  }
  mapLarge(lin: number, phys: number, flags = P | RW | US): void {
    this.m.mem.write(this.pdeAddr(lin), 4, phys | flags | PS);
  }
}

/** 32-bit paging: a page directory and page tables (SDM Vol. 3A §4.3). */
class Tables32 extends TablesBase {
  pdeAddr(lin: number): number { return this.root + (lin >>> 22) * 4; }
  pteAddr(lin: number): number {
    return (this.m.mem.read(this.pdeAddr(lin), 4) & ~0xfff) + ((lin >>> 12) & 0x3ff) * 4;
  }
}

/** PAE paging: a PDPT, page directories and page tables of 64-bit entries (§4.4). */
class TablesPae extends TablesBase {
  private directory(lin: number): number {
    const at = this.root + (lin >>> 30) * 8;
    let pdpte = this.m.mem.read(at, 4);
    if ((pdpte & P) === 0) {
      pdpte = this.allocate() | P;
      this.m.mem.write(at, 4, pdpte);
    }
    return pdpte & ~0xfff;
  }
  pdeAddr(lin: number): number { return this.directory(lin) + ((lin >>> 21) & 0x1ff) * 8; }
  pteAddr(lin: number): number {
    return (this.m.mem.read(this.pdeAddr(lin), 4) & ~0xfff) + ((lin >>> 12) & 0x1ff) * 8;
  }
}

function zero(m: HarnessMachine, gpa: number): void { m.load(gpa, new Uint8Array(0x1000)); }

interface PagedOptions {
  cpl?: 0 | 3;
  pae?: boolean;
  /** CR4 bits besides PAE. */
  cr4?: number;
  /** CR0 bits to set along with PG. */
  cr0?: number;
  /** Maps what the test needs; code, stack and the tables are identity-mapped already. */
  build?: (t: Tables, m: HarnessMachine) => void;
  /** Register values for the code under test (EAX, EBX and ECX are taken by the prologue at CPL 0). */
  regs?: Partial<Record<Reg, number>>;
  /** Code run before paging is turned on (CPL 0 only). */
  before?: string;
}

interface PagedRun extends Run {
  t: Tables;
  /** EIP of the first instruction of the code under test. */
  start: number;
}

/** A machine at `cpl` with the paging structures of `opts` built (paging still off). */
function prepare(opts: PagedOptions): { m: HarnessMachine; t: Tables } {
  const m = new HarnessMachine({ memBytes: MEM_BYTES });
  m.protectedMode(opts.cpl ?? 0);
  const t: Tables = opts.pae ? new TablesPae(m) : new Tables32(m);
  // Code, data below 64 KiB and stack: user pages; the paging structures: supervisor pages.
  for (let page = 0; page < 16; page++) t.map(page << 12, page << 12);
  for (let page = 0; page < 16; page++) t.map(TABLES + (page << 12), TABLES + (page << 12), P | RW);
  opts.build?.(t, m);
  return { m, t };
}

/** The structures `opts` builds, to learn entry addresses before writing a program that edits them. */
function layout(opts: PagedOptions = {}): Tables {
  return prepare(opts).t;
}

/**
 * Runs `src` with paging on. At CPL 0 a prologue turns paging on with MOV
 * CR4, MOV CR3 and MOV CR0; at CPL 3 the test does it through
 * control-registers.ts.
 */
function runPaged(src: string, opts: PagedOptions = {}): PagedRun {
  const cpl = opts.cpl ?? 0;
  const { m, t } = prepare(opts);
  const cr4 = (opts.cr4 ?? 0) | (opts.pae ? Cr4.PAE : 0);
  const cr0 = m.cpu.cr0 | Cr0.PG | (opts.cr0 ?? 0);
  const prologue = cpl === 0 ? `${opts.before ?? ''}\nmov cr4, ecx\nmov cr3, ebx\nmov cr0, eax\n` : '';
  const start = CODE + (prologue === '' ? 0 : assemble(prologue, 32, CODE).length);
  const end = loadProgram(m, `${prologue}${src}`);
  for (const [r, v] of Object.entries(opts.regs ?? {})) m.cpu.regs[Number(r)] = v;
  if (cpl === 0) {
    m.cpu.regs[Reg.EAX] = cr0;
    m.cpu.regs[Reg.EBX] = t.root;
    m.cpu.regs[Reg.ECX] = cr4;
  } else {
    writeCr4(m.cpu, cr4);
    writeCr3(m.cpu, t.root);
    writeCr0(m.cpu, cr0);
  }
  return { ...runLoaded(m, end), t, start };
}

/** Asserts a #PF with `errorCode` and CR2 = `cr2`, at the instruction `at` bytes into the code under test. */
function pageFault(r: PagedRun, errorCode: number, cr2: number, at = 0): void {
  assert.equal(r.vector, Vector.PF, `vector ${r.vector} (error ${r.errorCode}) at ${r.eip.toString(16)}`);
  assert.equal(r.errorCode, errorCode, 'error code');
  assert.equal(r.m.cpu.cr2 >>> 0, cr2 >>> 0, 'CR2');
  assert.equal(r.eip, r.start + at, 'EIP at the faulting instruction');
}

const LIN = 0x4000_0000;
const FRAME = 0x20_0000;
const OTHER = 0x30_0000;

describe('32-bit paging, 4 KiB pages', () => {
  test('a mapped page translates reads and writes to its frame', () => {
    const r = runPaged(`mov dword [${LIN + 0x10}], 0x11223344\nmov edx, [${LIN + 0x10}]`, { build: (t) => t.map(LIN, FRAME) });
    const m = completes(r);
    assert.equal(rd(m, FRAME + 0x10), 0x1122_3344);
    assert.equal(m.reg('edx'), 0x1122_3344);
  });

  test('turning paging on replaces the identity translations already cached', () => {
    const r = runPaged('mov edx, [0x9000]', {
      before: 'mov esi, [0x9000]',
      build: (t, m) => { t.map(0x9000, FRAME); m.mem.write(0x9000, 4, 0x1234); m.mem.write(FRAME, 4, 0x5a5a); },
    });
    const m = completes(r);
    assert.equal(m.reg('esi'), 0x1234, 'identity before');
    assert.equal(m.reg('edx'), 0x5a5a, 'mapped after');
  });

  test('a read sets A in the PDE and PTE; only a write sets D', () => {
    let r = runPaged(`mov edx, [${LIN}]`, { build: (t) => t.map(LIN, FRAME) });
    let m = completes(r);
    assert.equal(rd(m, r.t.pteAddr(LIN)), FRAME | P | RW | US | A);
    assert.equal(rd(m, r.t.pdeAddr(LIN)) & (A | D), A, 'the PDE gets A, never D');
    r = runPaged(`mov edx, [${LIN}]\nmov [${LIN + 4}], edx`, { build: (t) => t.map(LIN, FRAME) });
    m = completes(r);
    assert.equal(rd(m, r.t.pteAddr(LIN)), FRAME | P | RW | US | A | D);
  });

  test('a not-present PTE faults with P=0: error 0 for a read, 2 for a write', () => {
    pageFault(runPaged(`mov edx, [${LIN + 0x123}]`, { build: (t) => t.map(LIN, FRAME, 0) }), 0, LIN + 0x123);
    pageFault(runPaged(`mov [${LIN + 0x456}], edx`, { build: (t) => t.map(LIN, FRAME, RW | US) }), PfError.Write, LIN + 0x456);
  });

  test('a not-present PDE faults the same way and sets no accessed bit', () => {
    const r = runPaged(`mov edx, [${LIN + 8}]`);
    pageFault(r, 0, LIN + 8);
    assert.equal(rd(r.m, r.t.pdeAddr(LIN)), 0);
  });

  test('user mode: not present is error 4 (read) or 6 (write)', () => {
    pageFault(runPaged(`mov edx, [${LIN}]`, { cpl: 3 }), PfError.User, LIN);
    pageFault(runPaged(`mov [${LIN + 0xffc}], edx`, { cpl: 3 }), PfError.User | PfError.Write, LIN + 0xffc);
  });

  test('user mode: a supervisor page faults with error 5 (read) or 7 (write)', () => {
    const build = (t: Tables) => t.map(LIN, FRAME, P | RW);
    pageFault(runPaged(`mov edx, [${LIN}]`, { cpl: 3, build }), PfError.Present | PfError.User, LIN);
    pageFault(runPaged(`mov [${LIN}], edx`, { cpl: 3, build }),
      PfError.Present | PfError.User | PfError.Write, LIN);
  });

  test('user mode: a read-only user page reads but a write faults with error 7', () => {
    const build = (t: Tables, m: HarnessMachine) => { t.map(LIN, FRAME, P | US); m.mem.write(FRAME, 4, 77); };
    assert.equal(completes(runPaged(`mov edx, [${LIN}]`, { cpl: 3, build })).reg('edx'), 77);
    pageFault(runPaged(`mov edx, [${LIN}]\nmov [${LIN}], edx`, { cpl: 3, build }),
      PfError.Present | PfError.User | PfError.Write, LIN, 6);
  });

  test('rights combine over the walk: U/S or R/W clear in the PDE restricts a user PTE', () => {
    pageFault(runPaged(`mov edx, [${LIN}]`, { cpl: 3, build: (t) => t.map(LIN, FRAME, P | RW | US, P | RW) }),
      PfError.Present | PfError.User, LIN);
    pageFault(runPaged(`mov [${LIN}], edx`, { cpl: 3, build: (t) => t.map(LIN, FRAME, P | RW | US, P | US) }),
      PfError.Present | PfError.User | PfError.Write, LIN);
  });

  test('the supervisor reads and writes user pages', () => {
    const m = completes(runPaged(`mov dword [${LIN}], 5\nmov edx, [${LIN}]`, { build: (t) => t.map(LIN, FRAME, P | RW | US) }));
    assert.equal(m.reg('edx'), 5);
  });

  test('LSL reads its selector operand as a user access at CPL 3', () => {
    const build = (t: Tables) => t.map(LIN, FRAME, P | RW);
    pageFault(runPaged(`lsl edx, [${LIN}]`, { cpl: 3, build }), PfError.Present | PfError.User, LIN);
  });
});

describe('CR0.WP', () => {
  const build = (t: Tables) => t.map(LIN, FRAME, P | US);

  test('with WP=0 the supervisor writes a read-only page, setting D', () => {
    const r = runPaged(`mov dword [${LIN}], 1`, { build });
    const m = completes(r);
    assert.equal(rd(m, FRAME), 1);
    assert.equal(rd(m, r.t.pteAddr(LIN)) & (A | D), A | D);
  });

  test('with WP=1 a supervisor write to a read-only page faults with error 3', () => {
    pageFault(runPaged(`mov dword [${LIN}], 1`, { build, cr0: Cr0.WP }), PfError.Present | PfError.Write, LIN);
  });

  test('setting WP takes effect at once even for a page just written', () => {
    const r = runPaged(`mov dword [${LIN}], 1\nmov cr0, edx\nmov dword [${LIN}], 2`, {
      build, regs: { [Reg.EDX]: Cr0.PE | Cr0.ET | Cr0.PG | Cr0.WP },
    });
    pageFault(r, PfError.Present | PfError.Write, LIN, 13);
    assert.equal(rd(r.m, FRAME), 1);
  });

  test('WP does not let user mode write: user writes to read-only pages fault either way', () => {
    pageFault(runPaged(`mov [${LIN}], edx`, { cpl: 3, build }), PfError.Present | PfError.User | PfError.Write, LIN);
  });
});

describe('TLB write permissions', () => {
  // The TLB caches a page's write permission per privilege, so a write that
  // needs no page walk (D already set, rights allow it) takes the fast path.
  // A supervisor-only page is writable by the supervisor: it must not be
  // cached as read-only for CPL 0, or every kernel store walks the tables.
  const BIG = 0x0080_0000;
  const BIG_FRAME = 0x0040_0000;
  const entry = (r: PagedRun, lin: number): number => r.m.cpu.tlb.entries[lin >>> 12];

  for (const [name, lin, build] of [
    ['4 KiB', LIN, (t: Tables) => t.map(LIN, FRAME, P | RW)],
    ['4 MiB', BIG, (t: Tables) => t.mapLarge(BIG, BIG_FRAME, P | RW)],
  ] as const) {
    test(`a written supervisor ${name} page is cached writable for the supervisor, not for user mode`, () => {
      const r = runPaged(`mov dword [${lin}], 1`, { cr4: Cr4.PSE, build });
      completes(r);
      assert.equal(entry(r, lin) & TLB_NO_SUP_WRITE, 0, 'supervisor writes take the fast path');
      assert.notEqual(entry(r, lin) & TLB_NO_USER_WRITE, 0, 'user writes still take the slow path');
    });
  }

  test('a page read but not yet written is cached read-only until a write sets D', () => {
    const r = runPaged(`mov edx, [${LIN}]`, { build: (t) => t.map(LIN, FRAME, P | RW) });
    completes(r);
    assert.notEqual(entry(r, LIN) & TLB_NO_SUP_WRITE, 0);
  });
});

describe('32-bit paging, 4 MiB pages (CR4.PSE)', () => {
  const BIG = 0x0080_0000;
  const BIG_FRAME = 0x0040_0000;

  test('a PDE with PS maps 4 MiB and collects A and D', () => {
    const r = runPaged(`mov dword [${BIG + 0x3f_fff0}], 0xabcdef01\nmov edx, [${BIG + 0x12_3450}]`, {
      cr4: Cr4.PSE,
      build: (t, m) => { t.mapLarge(BIG, BIG_FRAME); m.mem.write(BIG_FRAME + 0x12_3450, 4, 0x600d); },
    });
    const m = completes(r);
    assert.equal(rd(m, BIG_FRAME + 0x3f_fff0), 0xabcd_ef01);
    assert.equal(m.reg('edx'), 0x600d);
    assert.equal(rd(m, r.t.pdeAddr(BIG)), BIG_FRAME | P | RW | US | PS | A | D);
  });

  test('without CR4.PSE the PS bit is ignored and the PDE points to a page table', () => {
    // The "page table" is the zeroed large frame: its entries are not present.
    const r = runPaged(`mov edx, [${BIG + 0x5000}]`, { build: (t, m) => { t.mapLarge(BIG, BIG_FRAME); zero(m, BIG_FRAME); } });
    pageFault(r, 0, BIG + 0x5000);
  });

  test('a reserved bit in a 4 MiB PDE faults with RSVD set', () => {
    const r = runPaged(`mov edx, [${BIG}]`, { cr4: Cr4.PSE, build: (t) => t.mapLarge(BIG, BIG_FRAME | 0x2000) });
    pageFault(r, PfError.Present | PfError.Reserved, BIG);
  });

  test('user rights come from the PDE alone', () => {
    pageFault(runPaged(`mov [${BIG}], edx`, { cpl: 3, cr4: Cr4.PSE, build: (t) => t.mapLarge(BIG, BIG_FRAME, P | US) }),
      PfError.Present | PfError.User | PfError.Write, BIG);
  });

  test('clearing CR4.PSE drops cached 4 MiB translations', () => {
    const r = runPaged(`mov edx, [${BIG}]\nmov cr4, esi\nmov edx, [${BIG}]`, {
      cr4: Cr4.PSE, regs: { [Reg.ESI]: 0 }, build: (t, m) => { t.mapLarge(BIG, BIG_FRAME); zero(m, BIG_FRAME); },
    });
    pageFault(r, 0, BIG, 9);
  });
});

describe('PAE paging', () => {
  test('4 KiB pages through a PDPT, with A and D in the 64-bit entries', () => {
    const r = runPaged(`mov dword [${LIN + 0x10}], 0x11223344\nmov edx, [${LIN + 0x10}]`, { pae: true, build: (t) => t.map(LIN, FRAME) });
    const m = completes(r);
    assert.equal(rd(m, FRAME + 0x10), 0x1122_3344);
    assert.equal(m.reg('edx'), 0x1122_3344);
    assert.equal(rd(m, r.t.pteAddr(LIN)), FRAME | P | RW | US | A | D);
    assert.equal(rd(m, r.t.pteAddr(LIN) + 4), 0);
    assert.equal(rd(m, r.t.pdeAddr(LIN)) & (A | D), A);
  });

  test('2 MiB pages (PS in the PDE) need no CR4.PSE', () => {
    const big = LIN + 0x20_0000;
    const r = runPaged(`mov dword [${big + 0x1f_fffc}], 0x77\nmov edx, [${big + 0x1f_fffc}]`, { pae: true, build: (t) => t.mapLarge(big, 0x60_0000) });
    const m = completes(r);
    assert.equal(rd(m, 0x60_0000 + 0x1f_fffc), 0x77);
    assert.equal(rd(m, r.t.pdeAddr(big)), 0x60_0000 | P | RW | US | PS | A | D);
  });

  test('bit 63 (XD) is reserved without NX: #PF with RSVD', () => {
    const r = runPaged(`mov [${LIN}], edx`, {
      pae: true, build: (t, m) => { t.map(LIN, FRAME); m.mem.write(t.pteAddr(LIN) + 4, 4, 0x8000_0000 | 0); },
    });
    pageFault(r, PfError.Present | PfError.Reserved | PfError.Write, LIN);
  });

  test('a not-present PDPTE faults with error 0', () => {
    pageFault(runPaged(`mov edx, [${0xc000_0000 + 4}]`, { pae: true }), 0, 0xc000_0004);
  });

  test('user mode rights through PAE entries', () => {
    pageFault(runPaged(`mov [${LIN}], edx`, { cpl: 3, pae: true, build: (t) => t.map(LIN, FRAME, P | US) }),
      PfError.Present | PfError.User | PfError.Write, LIN);
  });
});

describe('#PF details', () => {
  test('an access crossing into a not-present page reports the second page in CR2 and writes nothing', () => {
    const r = runPaged(`mov [${LIN + 0xffe}], edx`, { regs: { [Reg.EDX]: -1 }, build: (t) => t.map(LIN, FRAME) });
    pageFault(r, PfError.Write, LIN + 0x1000);
    assert.equal(rd(r.m, FRAME + 0xffc), 0, 'first page untouched');
  });

  test('SGDT crossing into a read-only page faults before storing anything', () => {
    const r = runPaged(`sgdt [${LIN + 0xffd}]`, {
      cpl: 3, build: (t) => { t.map(LIN, FRAME); t.map(LIN + 0x1000, OTHER, P | US); },
    });
    pageFault(r, PfError.Present | PfError.User | PfError.Write, LIN + 0x1000);
    assert.equal(rd(r.m, FRAME + 0xffc), 0);
  });

  test('an instruction fetch from a not-present page faults with CR2 = EIP (no I/D bit without NX)', () => {
    const r = runPaged('', {});
    const m = r.m;
    completes(r);
    m.cpu.eip = LIN + 0x20;
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.PF);
    assert.equal(stop.errorCode, 0);
    assert.equal(m.cpu.cr2 >>> 0, LIN + 0x20);
  });

  test('user code cannot run from a supervisor page', () => {
    const r = runPaged('', { cpl: 3, build: (t) => t.map(LIN, FRAME, P | RW) });
    const m = r.m;
    completes(r);
    m.cpu.eip = LIN;
    const stop = m.run(10);
    assert.equal(stop.vector, Vector.PF);
    assert.equal(stop.errorCode, PfError.Present | PfError.User);
  });
});

describe('INVLPG', () => {
  const build = (t: Tables, m: HarnessMachine) => {
    t.map(LIN, FRAME); t.map(LIN + 0x1000, FRAME + 0x1000);
    m.mem.write(FRAME, 4, 0xaaaa); m.mem.write(OTHER, 4, 0xbbbb);
  };

  test('a changed PTE takes effect after INVLPG of its page, not before', () => {
    const pte = layout({ build }).pteAddr(LIN);
    const m = completes(runPaged(`mov edx, [${LIN}]\nmov [esi], edi\nmov ebp, [${LIN}]\ninvlpg [${LIN + 0x800}]\nmov edi, [${LIN}]`, {
      build, regs: { [Reg.ESI]: pte, [Reg.EDI]: OTHER | P | RW | US },
    }));
    assert.equal(m.reg('edx'), 0xaaaa);
    assert.equal(m.reg('ebp'), 0xaaaa, 'the TLB still holds the old translation');
    assert.equal(m.reg('edi'), 0xbbbb, 'INVLPG dropped it');
  });

  test('INVLPG of another page leaves the translation cached', () => {
    const pte = layout({ build }).pteAddr(LIN);
    const m = completes(runPaged(`mov edx, [${LIN}]\nmov [esi], edi\ninvlpg [${LIN + 0x1000}]\nmov ebp, [${LIN}]`, {
      build, regs: { [Reg.ESI]: pte, [Reg.EDI]: OTHER | P | RW | US },
    }));
    assert.equal(m.reg('ebp'), 0xaaaa);
  });

  test('INVLPG anywhere in a 4 MiB page drops the whole large translation', () => {
    const BIG = 0x0080_0000;
    const pdeAddr = layout({ build: (t) => t.mapLarge(BIG, 0x40_0000) }).pdeAddr(BIG);
    const m = completes(runPaged(`mov edx, [${BIG}]\nmov [esi], edi\ninvlpg [${BIG + 0x20_0000}]\nmov ebp, [${BIG}]`, {
      cr4: Cr4.PSE,
      build: (t, m) => { t.mapLarge(BIG, 0x40_0000); m.mem.write(0x40_0000, 4, 0x1111); m.mem.write(0xc0_0000, 4, 0x2222); },
      regs: { [Reg.ESI]: pdeAddr, [Reg.EDI]: 0xc0_0000 | P | RW | US | PS },
    }));
    assert.equal(m.reg('edx'), 0x1111);
    assert.equal(m.reg('ebp'), 0x2222);
  });

  test('INVLPG anywhere in a 2 MiB PAE page drops the whole large translation', () => {
    const big = LIN + 0x20_0000;
    const pdeAddr = layout({ pae: true, build: (t) => t.mapLarge(big, 0x60_0000) }).pdeAddr(big);
    const m = completes(runPaged(`mov edx, [${big + 0x1000}]\nmov [esi], edi\ninvlpg [${big + 0x1f_f000}]\nmov ebp, [${big + 0x1000}]`, {
      pae: true,
      build: (t, m) => { t.mapLarge(big, 0x60_0000); m.mem.write(0x60_1000, 4, 0x1111); m.mem.write(0x80_1000, 4, 0x2222); },
      regs: { [Reg.ESI]: pdeAddr, [Reg.EDI]: 0x80_0000 | P | RW | US | PS },
    }));
    assert.equal(m.reg('edx'), 0x1111);
    assert.equal(m.reg('ebp'), 0x2222);
  });

  test('INVLPG drops a global page too', () => {
    const pteAddr = layout({ build }).pteAddr(LIN);
    const m = completes(runPaged(`mov edx, [${LIN}]\nmov [esi], edi\ninvlpg [${LIN}]\nmov ebp, [${LIN}]`, {
      cr4: Cr4.PGE,
      build: (t, m) => { build(t, m); t.map(LIN, FRAME, P | RW | US | G); },
      regs: { [Reg.ESI]: pteAddr, [Reg.EDI]: OTHER | P | RW | US | G },
    }));
    assert.equal(m.reg('ebp'), 0xbbbb);
  });
});

describe('CR3 reloads and global pages', () => {
  const GLOBAL = LIN, LOCAL = LIN + 0x1000;
  const build = (t: Tables, m: HarnessMachine) => {
    t.map(GLOBAL, FRAME, P | RW | US | G);
    t.map(LOCAL, FRAME + 0x1000);
    m.mem.write(FRAME, 4, 0xa0); m.mem.write(FRAME + 0x1000, 4, 0xa1);
    m.mem.write(OTHER, 4, 0xb0); m.mem.write(OTHER + 0x1000, 4, 0xb1);
  };
  // Touch both pages, repoint both PTEs, reload CR3 (EBX still holds the root), read again.
  const program = (pteGlobal: number, pteLocal: number) =>
    `mov eax, [${GLOBAL}]\nmov ecx, [${LOCAL}]\n` +
    `mov dword [${pteGlobal}], ${OTHER | P | RW | US | G}\nmov dword [${pteLocal}], ${(OTHER + 0x1000) | P | RW | US}\n` +
    `mov cr3, ebx\nmov edx, [${GLOBAL}]\nmov ebp, [${LOCAL}]`;
  const tables = layout({ build });
  const pteGlobal = tables.pteAddr(GLOBAL), pteLocal = tables.pteAddr(LOCAL);

  test('with CR4.PGE a CR3 write keeps global translations and drops the others', () => {
    const m = completes(runPaged(program(pteGlobal, pteLocal), { cr4: Cr4.PGE, build }));
    assert.equal(m.reg('eax'), 0xa0);
    assert.equal(m.reg('edx'), 0xa0, 'global page still translated the old way');
    assert.equal(m.reg('ebp'), 0xb1, 'non-global page re-walked');
  });

  test('without CR4.PGE the G bit is ignored: a CR3 write drops everything', () => {
    const m = completes(runPaged(program(pteGlobal, pteLocal), { build }));
    assert.equal(m.reg('edx'), 0xb0);
    assert.equal(m.reg('ebp'), 0xb1);
  });

  test('clearing CR4.PGE drops global translations', () => {
    const m = completes(runPaged(`mov eax, [${GLOBAL}]\nmov dword [${pteGlobal}], ${OTHER | P | RW | US | G}\nmov cr4, esi\nmov edx, [${GLOBAL}]`, {
      cr4: Cr4.PGE, build, regs: { [Reg.ESI]: 0 },
    }));
    assert.equal(m.reg('eax'), 0xa0);
    assert.equal(m.reg('edx'), 0xb0);
  });

  test('a CR0.PG round trip drops global translations', () => {
    const m = completes(runPaged(
      `mov eax, [${GLOBAL}]\nmov dword [${pteGlobal}], ${OTHER | P | RW | US | G}\nmov cr0, esi\nmov cr0, edi\nmov edx, [${GLOBAL}]`, {
        cr4: Cr4.PGE, build,
        regs: { [Reg.ESI]: Cr0.PE | Cr0.ET, [Reg.EDI]: Cr0.PE | Cr0.ET | Cr0.PG },
      }));
    assert.equal(m.reg('edx'), 0xb0);
  });
});
