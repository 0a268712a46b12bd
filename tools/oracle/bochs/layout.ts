/**
 * The Bochs cross-check's machine layout and case record, mirrored from
 * layout.inc (the harness's side; the harness prints a banner with some of
 * these values and {@link checkBanner} verifies them), plus the encoding of
 * a case into a ROM record.
 *
 * Physical memory while a case runs:
 *
 * | what        | physical          | reached as                                      |
 * |-------------|-------------------|-------------------------------------------------|
 * | IVT         | 0x00000-0x003FF   | real mode: every vector -> a ROM stub           |
 * | code area   | 0x10000-0x101FF   | CS:0000-01FF (CS base 0x10000), snippet at 0100 |
 * | data window | 0x20000-0x20FFF   | DS:0000 (base 0x20000), ES:0100, FS:0200, GS:0300, SS:0400 |
 * | stack page  | 0x28000-0x28FFF   | SS:8400-93FF, SP starts at SS:8C00              |
 * | save area   | 0x2FA00-0x2FAFF   | SS:FE00 (the handlers' stores)                  |
 * | harness     | 0x30000-0x38000   | reference images, GDT/LDT/TSS copies, stack     |
 * | ROM         | 0xF0000-0xFFFFF   | and 0xFFFF0000: harness, IDT, stubs, cases      |
 */

export const CODE_PHYS = 0x10000;
export const SNIPPET_OFF = 0x100;
export const CODE_BYTES = 0x100;
export const GATE_TARGET = 0x1f0;
export const DS_BASE = 0x20000;
export const ES_BASE = 0x1ff00;
export const FS_BASE = 0x1fe00;
export const GS_BASE = 0x1fd00;
export const SS_BASE = 0x1fc00;
export const DATA_PHYS = 0x20000;
export const STACK_PHYS = 0x28000;
export const WINDOW_BYTES = 0x1000;
export const PATTERN_BYTES = 0x800;
/** The random pool patterns are cut from (layout.inc POOL_*). */
export const POOL_BYTES = 0x8800;
export const POOL_SEED = 0x2545f491;
export const POOL_OFF_MASK = 0x7ffc;
export const SAVE_PHYS = 0x2fa00;
export const IDT_ROM_OFF = 0x400;
export const IDT_VECTORS = 0xf0;
export const NP_VECTOR = 0x90;
export const TABLE_PTR_AT = 0xffe0;
/** Initial SP/ESP: the middle of the stack page, as an SS offset. */
export const STACK_TOP_OFF = STACK_PHYS + 0x800 - SS_BASE;

/** Record offsets (layout.inc R_*). */
export const R = {
  LEN: 0, MODE: 2, FLAGS: 3, ID: 4, DSEED: 8, SSEED: 12, EFLAGS: 16,
  EAX: 20, ECX: 24, EDX: 28, EBX: 32, EBP: 36, ESI: 40, EDI: 44, ESP: 48, SS: 52,
  DS: 54, ES: 56, FS: 58, GS: 60, EIP: 62, CS: 66, CR0BITS: 68, NDOV: 69, NSOV: 70, CODELEN: 71, VAR: 72,
} as const;
const S_ENTRY = 0xf0;

/** Segment register numbers as instructions encode them. */
export const enum SegIdx { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5 }

/** real mode; 32-bit protected mode (CS 0x08); protected mode in a 16-bit code segment (CS 0x48). All at CPL 0. */
export type Mode = 'real16' | 'pm32' | 'pm16';

/** The case selectors and their bases, per mode. */
export interface ModeEnv {
  mode: Mode;
  /** Selectors by SegIdx. */
  sel: readonly number[];
  /** Bases by SegIdx. */
  base: readonly number[];
  /** Default operand and address size. */
  bits: 16 | 32;
}

export const REAL16: ModeEnv = {
  mode: 'real16',
  sel: [ES_BASE >>> 4, CODE_PHYS >>> 4, SS_BASE >>> 4, DS_BASE >>> 4, FS_BASE >>> 4, GS_BASE >>> 4],
  base: [ES_BASE, CODE_PHYS, SS_BASE, DS_BASE, FS_BASE, GS_BASE],
  bits: 16,
};

export const PM32: ModeEnv = {
  mode: 'pm32',
  sel: [0x18, 0x08, 0x30, 0x10, 0x20, 0x28],
  base: [ES_BASE, CODE_PHYS, SS_BASE, DS_BASE, FS_BASE, GS_BASE],
  bits: 32,
};

export const PM16: ModeEnv = {
  mode: 'pm16',
  sel: [0x18, 0x48, 0x30, 0x10, 0x20, 0x28],
  base: [ES_BASE, CODE_PHYS, SS_BASE, DS_BASE, FS_BASE, GS_BASE],
  bits: 16,
};

export function envOf(mode: Mode): ModeEnv { return mode === 'real16' ? REAL16 : mode === 'pm16' ? PM16 : PM32; }

/** Protected-mode selectors of the harness's GDT/LDT (harness.asm gdt_template). */
export const SEL = {
  NULL: 0x00, CODE32: 0x08, DS: 0x10, ES: 0x18, FS: 0x20, GS: 0x28, SS: 0x30, HCODE: 0x38, HDATA: 0x40,
  CODE16: 0x48, RODATA: 0x50, DPL3DATA: 0x58, NPDATA: 0x60, XOCODE: 0x68, TSS_BUSY: 0x70, LDT: 0x78,
  SMALLDATA: 0x80, EXPDOWN: 0x88, CALLGATE: 0x90, CONFCODE: 0x98, FLAT16: 0xa0, TSS_AVAIL: 0xa8,
  HCODE16: 0xb0, SS16: 0xb8,
  LDT_DATA: 0x04, LDT_CODE32: 0x0c, LDT_DPL3: 0x14, LDT_NP: 0x1c,
  /** First selector past the GDT limit. */
  PAST_GDT: 0xc0,
} as const;

/** One run of explicit bytes laid over a pattern (offset within the data window or stack page). */
export interface Run { off: number; bytes: number[] }

/** Everything a case starts with. */
export interface BxCase {
  mode: Mode;
  /** Print the system registers (CR*, DR*, GDTR, IDTR, LDTR, TR). */
  sys: boolean;
  code: Uint8Array;
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  regs: number[];
  eflags: number;
  /** Selectors by SegIdx (CS: the selector the snippet is entered with). */
  segs: number[];
  dataSeed: number;
  stackSeed: number;
  dataRuns: Run[];
  stackRuns: Run[];
  /** ORed into CR0's low byte: MP 2, EM 4, TS 8, NE 0x20. */
  cr0bits: number;
}

/** The record of a case, with `id` (see layout.inc). */
export function encodeRecord(c: BxCase, id: number): Uint8Array {
  const runBytes = (runs: Run[]) => runs.reduce((n, r) => n + 3 + r.bytes.length, 0);
  const len = R.VAR + c.code.length + runBytes(c.dataRuns) + runBytes(c.stackRuns);
  if (len > 0xffff || c.code.length > 255 || c.dataRuns.length > 255 || c.stackRuns.length > 255) {
    throw new RangeError('case record too large');
  }
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint16(R.LEN, len, true);
  v.setUint8(R.MODE, c.mode === 'real16' ? 0 : 1);
  v.setUint8(R.FLAGS, c.sys ? 1 : 0);
  v.setUint32(R.ID, id >>> 0, true);
  v.setUint32(R.DSEED, c.dataSeed >>> 0, true);
  v.setUint32(R.SSEED, c.stackSeed >>> 0, true);
  v.setUint32(R.EFLAGS, c.eflags >>> 0, true);
  const [eax, ecx, edx, ebx, esp, ebp, esi, edi] = c.regs;
  v.setUint32(R.EAX, eax! >>> 0, true); v.setUint32(R.ECX, ecx! >>> 0, true);
  v.setUint32(R.EDX, edx! >>> 0, true); v.setUint32(R.EBX, ebx! >>> 0, true);
  v.setUint32(R.EBP, ebp! >>> 0, true); v.setUint32(R.ESI, esi! >>> 0, true);
  v.setUint32(R.EDI, edi! >>> 0, true); v.setUint32(R.ESP, esp! >>> 0, true);
  v.setUint16(R.SS, c.segs[SegIdx.SS]!, true);
  v.setUint16(R.DS, c.segs[SegIdx.DS]!, true);
  v.setUint16(R.ES, c.segs[SegIdx.ES]!, true);
  v.setUint16(R.FS, c.segs[SegIdx.FS]!, true);
  v.setUint16(R.GS, c.segs[SegIdx.GS]!, true);
  v.setUint32(R.EIP, SNIPPET_OFF, true);
  v.setUint16(R.CS, c.segs[SegIdx.CS]!, true);
  v.setUint8(R.CR0BITS, c.cr0bits);
  v.setUint8(R.NDOV, c.dataRuns.length);
  v.setUint8(R.NSOV, c.stackRuns.length);
  v.setUint8(R.CODELEN, c.code.length);
  out.set(c.code, R.VAR);
  let p = R.VAR + c.code.length;
  for (const r of [...c.dataRuns, ...c.stackRuns]) {
    if (r.off < 0 || r.off + r.bytes.length > WINDOW_BYTES) throw new RangeError(`run at 0x${r.off.toString(16)} outside the window`);
    v.setUint16(p, r.off, true);
    v.setUint8(p + 2, r.bytes.length);
    out.set(r.bytes, p + 3);
    p += 3 + r.bytes.length;
  }
  return out;
}

/** Values the harness prints in its banner line ("BXCC 1 ..."), in order. */
const BANNER_VALUES = [CODE_PHYS, DATA_PHYS, STACK_PHYS, SS_BASE, SAVE_PHYS, R.VAR, S_ENTRY, 0xf0000 + IDT_ROM_OFF];

/** Throws unless `line` is the banner of a harness with this layout. */
export function checkBanner(line: string): void {
  const expected = `BXCC 1 ${BANNER_VALUES.map((n) => n.toString(16)).join(' ')}`;
  if (line.trim() !== expected) throw new Error(`harness banner "${line.trim()}" does not match layout.ts ("${expected}")`);
}
