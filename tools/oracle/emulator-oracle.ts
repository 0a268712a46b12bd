/**
 * The emulator's side of the differential oracle: runs an OracleCase on
 * anillo's CPU in the same environment the native helper gives it — the same
 * linear layout (code, data and stack pages mapped user/writable through
 * 32-bit paging, everything else not present), CPL 3, the same selectors
 * (flat GDT segments for mode 32, LDT segments for mode 16), an IDT whose
 * gates make INT n raise #GP(n*8+2) as Linux's does, and CR0.AM, NE and MP
 * set as Linux sets them (TS clear: Linux switches the FPU eagerly) — and
 * reports an OracleResult in the native helper's terms. The x87 state starts
 * as the case's {@link X87Image} or else the FNINIT state, as in the helper.
 */
import { HarnessMachine, descriptor } from '../cpu-harness.js';
import { Cr0, Cr4, Reg, Seg } from '../../src/cpu/registers.js';
import { StopReason } from '../../src/cpu/system-interface.js';
import {
  CODE_BASE, CODE_SIZE, DATA_BASE, DATA_SIZE, SNIPPET_OFFSET, STACK_BASE, STACK_SIZE, codePageImage,
  effectiveEflags, hexToBytes, type OracleCase, type OracleResult, type OracleResultKind, type SseImage, type X87Image,
} from './native-oracle.js';
import type { X87 } from '../../src/cpu/fpu/x87.js';
import type { SseState } from '../../src/cpu/simd/sse-state.js';

/** Selectors the native helper reported (its hello line); Linux's defaults otherwise. */
export interface OracleSelectors { cs32: number; ds32: number; cs16: number; ds16: number }
export const LINUX_SELECTORS: OracleSelectors = { cs32: 0x23, ds32: 0x2b, cs16: 0x07, ds16: 0x0f };

/**
 * Descriptor tables and the TSS live in supervisor pages far from anything a
 * case addresses (Linux keeps them in kernel memory).
 */
const GDT_AT = 0x3f_0800;
const IDT_AT = 0x3f_1000;
const LDT_AT = 0x3f_1800;
const TSS_AT = 0x3f_1900;
const TABLES_AT = 0x30_0000;
/** Instructions a snippet may run before it counts as a timeout. */
const BUDGET = 200_000;

/** Linear pages the snippet may touch (user, writable). */
const USER_PAGES = [CODE_BASE >>> 12, DATA_BASE >>> 12, (DATA_BASE >>> 12) + 1, STACK_BASE >>> 12];

/** Reuses one machine: building a 4 MiB guest per case would dominate the run time. */
let machine: HarnessMachine | undefined;

function bytesOf(code: Uint8Array | string): Uint8Array {
  return typeof code === 'string' ? hexToBytes(code) : code;
}

function fillArea(m: HarnessMachine, base: number, size: number, init?: Uint8Array): void {
  const image = new Uint8Array(size);
  if (init) image.set(init.subarray(0, size));
  m.load(base, image);
}

function readArea(m: HarnessMachine, base: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let off = 0; off < size; off += 4096) {
    const host = m.mem.pageHost[(base + off) >>> 12];
    out.set(m.mem.backing.subarray(host, host + Math.min(4096, size - off)), off);
  }
  return out;
}

/** Runs one case on the emulator. `code` is the snippet as it runs in 32/16-bit mode. */
export function runOnEmulator(c: OracleCase, selectors: OracleSelectors = LINUX_SELECTORS): OracleResult {
  const m = machine ??= new HarnessMachine({ memBytes: 4 << 20 });
  const cpu = m.cpu;
  cpu.reset();
  const mode16 = c.mode === 16;

  // Descriptor tables: GDT with the flat user segments at the helper's indices, an LDT with the 16-bit ones.
  const gdt: [number, number][] = new Array(8).fill([0, 0]);
  gdt[selectors.cs32 >>> 3] = descriptor(0, 0xfffff, 0xfb, 0xc);
  gdt[selectors.ds32 >>> 3] = descriptor(0, 0xfffff, 0xf3, 0xc);
  gdt[6] = descriptor(LDT_AT, 0xf, 0x82, 0x0);
  m.installTable(GDT_AT, gdt);
  const ldt: [number, number][] = [[0, 0], [0, 0]];
  ldt[selectors.cs16 >>> 3] = descriptor(CODE_BASE, 0xffff, 0xfb, 0x0);
  ldt[selectors.ds16 >>> 3] = descriptor(DATA_BASE, 0xffff, 0xf3, 0x0);
  m.installTable(LDT_AT, ldt, true);
  m.load(IDT_AT, new Uint8Array(0x800)); // not-present gates: INT n → #GP(n*8+2)
  cpu.idtrBase = IDT_AT;
  cpu.idtrLimit = 0x7ff;

  cpu.cr0 = Cr0.PE | Cr0.ET | Cr0.AM | Cr0.NE | Cr0.MP;
  // Linux sets both on every CPU with FXSR/SSE: SSE instructions run, unmasked SIMD exceptions raise #XM.
  cpu.cr4 = Cr4.OSFXSR | Cr4.OSXMMEXCPT;
  cpu.cpl = 3;
  const cs = mode16 ? selectors.cs16 : selectors.cs32;
  const ds = mode16 ? selectors.ds16 : selectors.ds32;
  m.loadFromGdt(Seg.CS, cs);
  for (const s of [Seg.ES, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) m.loadFromGdt(s, ds);
  cpu.updatePrivilegeMasks();

  m.load(CODE_BASE, codePageImage(bytesOf(c.code)));
  fillArea(m, DATA_BASE, DATA_SIZE, c.data);
  fillArea(m, STACK_BASE, STACK_SIZE, c.stack);
  // A TSS whose I/O map base lies beyond its limit: IN/OUT at CPL 3 with IOPL 0 raise #GP(0), as under Linux.
  const tss = new Uint8Array(0x68);
  new DataView(tss.buffer).setUint16(0x66, 0x68, true);
  m.load(TSS_AT, tss);
  cpu.trSel = 0x38; cpu.trBase = TSS_AT; cpu.trLimit = 0x67; cpu.trAttr = 0x8b00;
  m.enablePaging(USER_PAGES, TABLES_AT, [GDT_AT >>> 12, IDT_AT >>> 12]);

  const r = c.regs;
  const regs = cpu.regs;
  regs[Reg.EAX] = r.eax; regs[Reg.ECX] = r.ecx; regs[Reg.EDX] = r.edx; regs[Reg.EBX] = r.ebx;
  regs[Reg.ESP] = r.esp; regs[Reg.EBP] = r.ebp; regs[Reg.ESI] = r.esi; regs[Reg.EDI] = r.edi;
  const initialEflags = effectiveEflags(c.eflags);
  cpu.setFlags(initialEflags);
  if (c.x87) setX87(cpu.fpu, c.x87); else cpu.fpu.init();
  if (c.sse) setSse(cpu.sse, c.sse);
  cpu.eip = mode16 ? SNIPPET_OFFSET : CODE_BASE + SNIPPET_OFFSET;

  const length = bytesOf(c.code).length;
  const endEip = (mode16 ? SNIPPET_OFFSET : CODE_BASE + SNIPPET_OFFSET) + length;
  const stop = m.run(BUDGET);
  let kind: OracleResultKind;
  let vector: number | undefined;
  let errorCode: number | undefined;
  let cr2: number | undefined;
  let eip = cpu.eip >>> 0;
  if (stop.reason === StopReason.Exception) {
    if (stop.vector === 3 && eip === endEip + 1) {
      kind = 'ok';
      eip = endEip;
    } else {
      kind = 'fault';
      vector = stop.vector;
      errorCode = stop.errorCode < 0 ? 0 : stop.errorCode;
      if (stop.vector === 14) cr2 = cpu.cr2 >>> 0;
    }
  } else if (stop.reason === StopReason.Budget) {
    kind = 'timeout';
  } else {
    throw new Error(`emulator oracle: unexpected stop ${stop.reason} at ${cpu.where()}`);
  }
  const result: OracleResult = {
    kind, vector, errorCode, cr2, signal: 0,
    regs: {
      eax: regs[Reg.EAX] >>> 0, ecx: regs[Reg.ECX] >>> 0, edx: regs[Reg.EDX] >>> 0, ebx: regs[Reg.EBX] >>> 0,
      esp: regs[Reg.ESP] >>> 0, ebp: regs[Reg.EBP] >>> 0, esi: regs[Reg.ESI] >>> 0, edi: regs[Reg.EDI] >>> 0,
    },
    eip,
    eflags: cpu.getFlags() >>> 0,
    initialEflags,
    segs: {
      cs: cpu.segSel[Seg.CS], ds: cpu.segSel[Seg.DS], es: cpu.segSel[Seg.ES],
      ss: cpu.segSel[Seg.SS], fs: cpu.segSel[Seg.FS], gs: cpu.segSel[Seg.GS],
    },
    code: readArea(m, CODE_BASE, CODE_SIZE),
    data: readArea(m, DATA_BASE, DATA_SIZE),
    stack: readArea(m, STACK_BASE, STACK_SIZE),
  };
  if (c.x87) result.x87 = getX87(cpu.fpu);
  if (c.sse) result.sse = getSse(cpu.sse);
  return result;
}

/** Loads an oracle SSE image into MXCSR and the XMM registers. */
export function setSse(sse: SseState, x: SseImage): void {
  sse.mxcsr = x.mxcsr;
  x.xmm.forEach((hex, r) => {
    for (let k = 0; k < 4; k++) sse.xmm[4 * r + k] = parseInt(hex.slice(24 - 8 * k, 32 - 8 * k), 16) | 0;
  });
}

/** MXCSR and the XMM registers as an oracle SSE image. */
export function getSse(sse: SseState): SseImage {
  const xmm: string[] = [];
  for (let r = 0; r < 8; r++) {
    let h = '';
    for (let k = 3; k >= 0; k--) h += (sse.xmm[4 * r + k]! >>> 0).toString(16).padStart(8, '0');
    xmm.push(h);
  }
  return { mxcsr: sse.mxcsr >>> 0, xmm };
}

/** Loads an oracle x87 image (FXSAVE view) into the FPU. */
export function setX87(fpu: X87, x: X87Image): void {
  fpu.init();
  fpu.setCw(x.fcw);
  fpu.setSw(x.fsw);
  fpu.emptyMask = ~x.ftw & 0xff;
  x.st.forEach((hex, i) => {
    fpu.st(i).set(parseInt(hex.slice(0, 4), 16), parseInt(hex.slice(4, 12), 16), parseInt(hex.slice(12, 20), 16));
  });
}

/** The FPU's state as an oracle x87 image. */
export function getX87(fpu: X87): X87Image {
  const st: string[] = [];
  for (let i = 0; i < 8; i++) st.push(fpu.st(i).toHex());
  return { fcw: fpu.cw, fsw: fpu.getSw(), ftw: fpu.abridgedTag(), fop: fpu.fop, st };
}
