/**
 * Differential cases for MMX, SSE and SSE2: every form of the opcode table's
 * prefix-selected SIMD opcodes (each mandatory prefix, each member of the
 * shift groups 12-14), EMMS, MOVNTI and group 15 (FXSAVE, FXRSTOR, LDMXCSR,
 * STMXCSR, CLFLUSH, the fences) and every mandatory prefix an opcode has no
 * form for (#UD), run from random SSE and x87/MMX states over
 * edge and random operands: signed zeros, denormals, the smallest/largest
 * normals, infinities, QNaNs and SNaNs, the indefinite, integer-valued and
 * out-of-int32-range floats, few-bit significands (exact results, ties),
 * all-ones significands (carries), and random values; MXCSR with every RC, DAZ
 * and FTZ, sometimes unmasked exceptions (#XM) and sticky flags; misaligned
 * 16-byte operands (#GP for the aligned forms) and register ModRMs on
 * memory-only forms (#UD).
 *
 * Cases run on the long-mode helper: the legacy-encoded SSE instructions
 * behave the same there for XMM0-7/MM0-7 without REX; the long-mode encoding
 * is the same bytes behind a 0x67 prefix (memory operands [ebx+disp8], and
 * MASKMOVQ/MASKMOVDQU's implicit [edi], stay 32-bit addresses). The recorded
 * lines (test/fixtures/oracle/simd-hw.jsonl, tools/oracle/record-simd.ts)
 * keep the input state and the host's answer.
 */
import { GROUPS, OPCODES, SimdPrefix } from '../../src/cpu/opcode-table.js';
import { Rng } from './case-generator.js';
import {
  CODE_BASE, DATA_BASE, DATA_SIZE, SNIPPET_OFFSET, STACK_BASE, applySparse, encodeSparse, hexToBytes,
  type OracleCase, type OracleRegs, type OracleResult, type SseImage, type X87Image,
} from './native-oracle.js';
import { compareIntegerState, hexOf } from './fixture-state.js';
import { randomF80 } from './x87-cases.js';

/** Memory operands live at DATA_BASE + this offset (EBX = DATA_BASE + 0xF0, disp8 = 0x10): 16-byte aligned. */
export const OPERAND_OFFSET = 0x100;
/** MASKMOVQ/MASKMOVDQU store at DS:EDI = DATA_BASE + this offset. */
export const MASKMOV_OFFSET = 0x400;

/** One recorded (or freshly generated) SIMD case. */
export interface SimdFixtureLine {
  /** Form, e.g. `f3 0f58 ADDSS Vss,Wss` or `0f71/2 PSRLW Nq,Ib`, with ` m`/` r` for the ModRM kind. */
  form: string;
  code: string;
  regs: OracleRegs;
  eflags: number;
  /** Initial data area (sparse over zeros). */
  data: string;
  sse: SseImage;
  /** Initial x87/MMX state, for forms that touch it. */
  x87?: X87Image;
  /** RCPPS/RCPSS/RSQRTPS/RSQRTSS: implementation-specific approximations, compared by error bound. */
  approximate?: boolean;
  expect?: {
    kind: OracleResult['kind'];
    vector?: number;
    regs: OracleRegs;
    eip: number;
    eflags: number;
    /** Final data area, sparse over the initial one. */
    data: string;
    sse: SseImage;
    x87?: X87Image;
  };
}

/** One encoding form to generate cases for. */
interface Form {
  name: string;
  prefix: number;
  opcode: number;
  /** ModRM.reg when fixed (groups), else -1. */
  reg: number;
  operands: readonly string[];
  mnemonic: string;
  /** ModRM kinds allowed by the SDM; the other kind is generated rarely to check #UD. */
  mem: boolean;
  register: boolean;
  /** No ModRM byte (EMMS). */
  noModrm?: boolean;
}

const PREFIX_BYTE = [0, 0x66, 0xf3, 0xf2];

/** Every form to test, from the opcode table. */
export function simdForms(): Form[] {
  const out: Form[] = [];
  const hex2 = (v: number): string => v.toString(16).padStart(2, '0');
  for (const e of OPCODES) {
    if (!e?.forms) continue;
    e.forms.forEach((f, p) => {
      if (!f) return;
      const rmOp = f.operands.find((o) => /^[EWQMUN]/.test(o)) ?? '';
      const halfMove = p === SimdPrefix.None && (f.mnemonic === 'MOVLPS' || f.mnemonic === 'MOVHPS') && f.operands[1] === 'Mq';
      const mem = /^[EWQM]/.test(rmOp);
      const register = /^[EWQUN]/.test(rmOp) || halfMove;
      const pre = p === 0 ? '' : `${hex2(PREFIX_BYTE[p]!)} `;
      if (f.group) {
        GROUPS[f.group]!.forEach((m, reg) => {
          if (m === undefined || (p === SimdPrefix.None && m.endsWith('DQ'))) return;
          out.push({ name: `${pre}0f${hex2(e.code & 0xff)}/${reg} ${m} ${f.operands.join(',')}`, prefix: PREFIX_BYTE[p]!, opcode: e.code & 0xff, reg, operands: f.operands, mnemonic: m, mem, register });
        });
        return;
      }
      out.push({ name: `${pre}0f${hex2(e.code & 0xff)} ${f.mnemonic} ${f.operands.join(',')}`, prefix: PREFIX_BYTE[p]!, opcode: e.code & 0xff, reg: -1, operands: f.operands, mnemonic: f.mnemonic, mem, register });
    });
  }
  // The prefixes with no form: #UD — except where a later extension the host has (and this model's CPUID
  // does not report) defines them: SSE3's MOVSLDUP/MOVDDUP (F3/F2 0F 12) and MOVSHDUP (F3 0F 16), and
  // AMD's SSE4a MOVNTSS/MOVNTSD (F3/F2 0F 2B).
  const LATER = new Set(['f3 0f12', 'f2 0f12', 'f3 0f16', 'f3 0f2b', 'f2 0f2b']);
  for (const e of OPCODES) {
    if (!e?.forms) continue;
    const defined = e.forms.find((f) => f !== undefined)!;
    e.forms.forEach((f, p) => {
      if (f) return;
      const pre = p === 0 ? '' : `${hex2(PREFIX_BYTE[p]!)} `;
      const key = `${pre}0f${hex2(e.code & 0xff)}`;
      if (LATER.has(key)) return;
      out.push({ name: `${key} (no form: #UD)`, prefix: PREFIX_BYTE[p]!, opcode: e.code & 0xff, reg: -1, operands: defined.operands, mnemonic: 'UD', mem: true, register: true });
    });
  }
  out.push({ name: '0f77 EMMS', prefix: 0, opcode: 0x77, reg: -1, operands: [], mnemonic: 'EMMS', mem: false, register: false, noModrm: true });
  out.push({ name: '0fc3 MOVNTI Md,Gd', prefix: 0, opcode: 0xc3, reg: -1, operands: ['Md', 'Gd'], mnemonic: 'MOVNTI', mem: true, register: false });
  const g15 = [['FXSAVE', 0], ['FXRSTOR', 1], ['LDMXCSR', 2], ['STMXCSR', 3], ['CLFLUSH', 7]] as const;
  for (const [m, reg] of g15) out.push({ name: `0fae/${reg} ${m} M`, prefix: 0, opcode: 0xae, reg, operands: ['M'], mnemonic: m, mem: true, register: false });
  for (const [m, reg] of [['LFENCE', 5], ['MFENCE', 6], ['SFENCE', 7]] as const) {
    out.push({ name: `0fae/${reg} ${m}`, prefix: 0, opcode: 0xae, reg, operands: [], mnemonic: m, mem: false, register: true });
  }
  return out;
}

// ---- values --------------------------------------------------------------------------------

const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** A single with edge cases favoured. */
function randomF32(rng: Rng): number {
  const s = rng.below(2) << 31;
  switch (rng.below(24)) {
    case 0: return s >>> 0;
    case 1: return (s | 0x7f80_0000) >>> 0;
    case 2: return (s | 0x7fc0_0000 | rng.below(0x40_0000)) >>> 0; // QNaN
    case 3: return (s | 0x7f80_0000 | (1 + rng.below(0x3f_ffff))) >>> 0; // SNaN
    case 4: return 0xffc0_0000; // indefinite
    case 5: return (s | (1 + rng.below(0x7f_ffff))) >>> 0; // denormal
    case 6: return (s | 0x0080_0000 | (rng.below(4) === 0 ? 0 : rng.below(0x80_0000))) >>> 0; // smallest normals
    case 7: return (s | 0x7f7f_ffff) >>> 0;
    case 8: return (s | ((1 + rng.below(24)) << 23) | rng.below(0x80_0000)) >>> 0; // near underflow
    case 9: return (s | ((230 + rng.below(24)) << 23) | rng.below(0x80_0000)) >>> 0; // near overflow
    case 10: return (s | 0x3f80_0000) >>> 0; // ±1
    case 11: { // integer-valued, around the int32 range
      const e = 127 + rng.below(34);
      return (s | (e << 23) | (rng.below(2) === 0 ? 0 : rng.below(0x80_0000))) >>> 0;
    }
    case 12: return (s | ((126 + rng.below(3)) << 23) | rng.below(0x80_0000)) >>> 0; // 0.5-4: rounding to integers
    case 13: case 14: // few significand bits, nearby exponents: exact results, ties and near-ties in every RC
      return (s | ((120 + rng.below(16)) << 23) | ((rng.below(8) << 20) | (rng.below(2) === 0 ? 0 : 1 << rng.below(20)))) >>> 0;
    case 15: // all-ones significands: carries into the exponent
      return (s | ((120 + rng.below(16)) << 23) | (0x7f_ffff - rng.below(4))) >>> 0;
    default: return (s | ((100 + rng.below(56)) << 23) | rng.below(0x80_0000)) >>> 0;
  }
}

/** A double (hi, lo) with edge cases favoured. */
function randomF64(rng: Rng): [number, number] {
  const s = rng.below(2) << 31;
  const lo = rng.next();
  const frac = rng.below(0x10_0000);
  switch (rng.below(24)) {
    case 0: return [s >>> 0, 0];
    case 1: return [(s | 0x7ff0_0000) >>> 0, 0];
    case 2: return [(s | 0x7ff8_0000 | rng.below(0x8_0000)) >>> 0, lo];
    case 3: return [(s | 0x7ff0_0000 | rng.below(0x8_0000)) >>> 0, lo | 1];
    case 4: return [0xfff8_0000, 0];
    case 5: return [(s | rng.below(0x10_0000)) >>> 0, lo | 1];
    case 6: return [(s | 0x0010_0000 | (rng.below(4) === 0 ? 0 : frac)) >>> 0, rng.below(4) === 0 ? 0 : lo];
    case 7: return [(s | 0x7fef_ffff) >>> 0, 0xffff_ffff];
    case 8: return [(s | ((1 + rng.below(54)) << 20) | frac) >>> 0, lo];
    case 9: return [(s | ((0x7fe - rng.below(54)) << 20) | frac) >>> 0, lo];
    case 10: return [(s | 0x3ff0_0000) >>> 0, 0];
    case 11: { // integer-valued around the int32 range
      const e = 1023 + rng.below(34);
      return [(s | (e << 20) | (rng.below(2) === 0 ? 0 : frac)) >>> 0, 0];
    }
    case 12: return [(s | ((1022 + rng.below(3)) << 20) | frac) >>> 0, lo];
    case 13: { // exactly representable in single (for CVTSD2SS exactness) or near a single halfway
      const e = 1023 - 20 + rng.below(40);
      return [(s | (e << 20) | frac) >>> 0, rng.below(2) === 0 ? 0 : (lo & 0xf000_0000) | 0x1000_0000];
    }
    case 14: return [(s | (0x380 << 20) | frac) >>> 0, lo]; // single-denormal range (CVTSD2SS underflow)
    case 15: return [(s | (0x47e << 20) | frac) >>> 0, lo]; // near single overflow
    case 16: case 17: // few significand bits, nearby exponents: exact results, ties and near-ties in every RC
      return [(s | ((1016 + rng.below(16)) << 20) | (rng.below(8) << 17)) >>> 0, rng.below(2) === 0 ? 0 : (1 << rng.below(32)) >>> 0];
    case 18: return [(s | ((1016 + rng.below(16)) << 20) | 0xf_ffff) >>> 0, (0xffff_ffff - rng.below(4)) >>> 0]; // all ones
    default: return [(s | ((1023 - 60 + rng.below(120)) << 20) | frac) >>> 0, lo];
  }
}

/** A dword for integer lanes and general registers. */
function randomInt(rng: Rng): number {
  return rng.pick([0, 1, -1, 0x7fff_ffff, -0x8000_0000, 0x8000, 0x7fff, 0xff, 0x80, 0x0100_0001, rng.next(), rng.next(), rng.next(), rng.next() & 0xff00ff]) >>> 0;
}

type Kind = 'f32' | 'f64' | 'int';

/** 16 bytes (four dwords, low first) of lanes of `kind`. */
function randomLanes(rng: Rng, kind: Kind): number[] {
  if (kind === 'f32') return [randomF32(rng), randomF32(rng), randomF32(rng), randomF32(rng)];
  if (kind === 'f64') { const a = randomF64(rng), b = randomF64(rng); return [a[1], a[0], b[1], b[0]]; }
  if (rng.below(3) === 0) { const v = randomInt(rng); return [v, v, v, v]; }
  return [randomInt(rng), randomInt(rng), randomInt(rng), randomInt(rng)];
}

function xmmHex(d: number[]): string {
  return hex8(d[3]!) + hex8(d[2]!) + hex8(d[1]!) + hex8(d[0]!);
}

/** The lane kind a form's source (and, for arithmetic, destination) operands hold. */
function kindOf(f: Form): Kind {
  const src = [...f.operands].reverse().find((o) => /^[EWQMUNV]/.test(o) && o !== 'Ib') ?? '';
  if (/(ps|ss)$/.test(src)) return 'f32';
  if (/(pd|sd)$/.test(src)) return 'f64';
  return 'int';
}

/** Whether the form touches the MMX/x87 registers. */
function usesMmx(f: Form): boolean {
  return f.operands.some((o) => /^[PNQ]/.test(o)) || ['EMMS', 'FXSAVE', 'FXRSTOR'].includes(f.mnemonic);
}

/** A random x87 state for MMX forms: TOP anywhere (MMX sets it to 0), some tags empty, sometimes an x87 error pending (#MF). */
function randomX87(rng: Rng): X87Image {
  let fcw = 0x037f;
  let fsw = rng.below(8) << 11;
  if (rng.below(16) === 0) { fcw &= ~1; fsw |= 0x81 | 0x8000; }
  const st: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (rng.below(2) === 0) st.push(randomF80(rng));
    else st.push(((rng.next() & 0xffff).toString(16).padStart(4, '0')) + hex8(randomInt(rng)) + hex8(randomInt(rng)));
  }
  return { fcw, fsw, ftw: rng.next() & 0xff, st };
}

/** MXCSR: every RC, DAZ and FTZ, sometimes unmasked exceptions and sticky flags (never MXCSR bit 17, AMD's MM). */
function randomMxcsr(rng: Rng): number {
  let m = 0x1f80 | (rng.below(4) << 13);
  if (rng.below(4) === 0) m |= 0x40;
  if (rng.below(4) === 0) m |= 0x8000;
  if (rng.below(5) === 0) m &= ~((rng.next() & 0x3f) << 7);
  if (rng.below(4) === 0) m |= rng.next() & 0x3f;
  return m;
}

/** An MXCSR with one reserved bit (16-31) set: #GP(0) for LDMXCSR/FXRSTOR. Never bit 17 (AMD's MM, writable there). */
function reservedMxcsr(rng: Rng): number {
  const bit = rng.pick([16, 18, 19, 20, 24, 31]);
  return (randomMxcsr(rng) | (1 << bit)) >>> 0;
}

/** An FXRSTOR image: random x87/SSE state, sometimes an MXCSR with reserved bits (#GP). */
function fxrstorImage(rng: Rng, data: Uint8Array): void {
  const v = new DataView(data.buffer, OPERAND_OFFSET, 512);
  const x = randomX87(rng);
  v.setUint16(0, rng.next() & 0x1f7f | 0x40, true);
  v.setUint16(2, rng.next() & 0xffff, true);
  v.setUint8(4, rng.next() & 0xff);
  v.setUint32(24, rng.below(10) === 0 ? reservedMxcsr(rng) : randomMxcsr(rng), true);
  for (let i = 0; i < 8; i++) {
    const h = x.st[i]!;
    for (let k = 0; k < 10; k++) v.setUint8(32 + 16 * i + k, parseInt(h.slice(18 - 2 * k, 20 - 2 * k), 16));
  }
  for (let r = 0; r < 8; r++) {
    const lanes = randomLanes(rng, rng.pick(['f32', 'f64', 'int'] as const));
    for (let k = 0; k < 4; k++) v.setUint32(160 + 16 * r + 4 * k, lanes[k]!, true);
  }
}

/** Options for {@link generateSimdCases}. */
export interface SimdGenerateOptions {
  seed: number;
  /** Cases per floating-point arithmetic/compare/conversion form. */
  floatCases: number;
  /** Cases per other form. */
  otherCases: number;
}

/** Generates the SIMD cases. */
export function generateSimdCases(options: SimdGenerateOptions): SimdFixtureLine[] {
  const rng = new Rng(options.seed);
  const out: SimdFixtureLine[] = [];
  for (const f of simdForms()) {
    const float = kindOf(f) !== 'int' || /^CVT/.test(f.mnemonic);
    const n = f.mnemonic === 'UD' ? Math.min(2, options.otherCases) : float ? options.floatCases : options.otherCases;
    for (let i = 0; i < n; i++) out.push(makeCase(rng, f));
  }
  return out;
}

function makeCase(rng: Rng, f: Form): SimdFixtureLine {
  const kind = kindOf(f);
  const regs: OracleRegs = {
    eax: randomInt(rng), ecx: randomInt(rng), edx: randomInt(rng), ebx: DATA_BASE + OPERAND_OFFSET - 0x10,
    esp: STACK_BASE + 0x800, ebp: randomInt(rng), esi: randomInt(rng), edi: DATA_BASE + MASKMOV_OFFSET,
  };
  const eflags = rng.next() & 0x8d5;
  const xmm: string[] = [];
  for (let r = 0; r < 8; r++) xmm.push(xmmHex(randomLanes(rng, kind)));
  const sse: SseImage = { mxcsr: randomMxcsr(rng), xmm };
  const data = new Uint8Array(f.mnemonic === 'FXRSTOR' || f.mnemonic === 'FXSAVE' ? OPERAND_OFFSET + 0x220 : MASKMOV_OFFSET + 0x20);
  for (let k = 0; k < 8; k++) {
    const lanes = randomLanes(rng, kind);
    new DataView(data.buffer).setUint32(OPERAND_OFFSET + 4 * k, lanes[k & 3]!, true);
  }
  for (let i = MASKMOV_OFFSET; i < MASKMOV_OFFSET + 16 && i < data.length; i++) data[i] = rng.next() & 0xff;
  if (f.mnemonic === 'FXRSTOR') fxrstorImage(rng, data);
  if (f.mnemonic === 'LDMXCSR') {
    const m = rng.below(8) === 0 ? reservedMxcsr(rng) : randomMxcsr(rng);
    new DataView(data.buffer).setUint32(OPERAND_OFFSET, m, true);
  }
  const bytes: number[] = [];
  if (f.prefix) bytes.push(f.prefix);
  bytes.push(0x0f, f.opcode);
  let useMem = f.mem && (!f.register || rng.below(2) === 0);
  // Now and then the ModRM kind the SDM does not allow: #UD.
  // (Not for the fences: the host's 0F AE /5-/7 with memory are XRSTOR, XSAVEOPT and CLFLUSH, which this model lacks.)
  if (rng.below(12) === 0 && f.mem !== f.register && !f.noModrm && !/FENCE/.test(f.mnemonic)) useMem = !useMem;
  if (!f.noModrm) {
    const reg = f.reg >= 0 ? f.reg : rng.below(8);
    if (useMem) {
      const misaligned = rng.below(10) === 0;
      bytes.push(0x40 | (reg << 3) | 3, 0x10 + (misaligned ? 1 + rng.below(15) : 0));
    } else {
      bytes.push(0xc0 | (reg << 3) | rng.below(8));
    }
  }
  if (f.operands.includes('Ib')) bytes.push(/^CMP/.test(f.mnemonic) ? rng.below(8) : rng.pick([0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, rng.next() & 0xff]));
  const line: SimdFixtureLine = {
    form: f.name + (f.noModrm || (f.mem && !f.register) || (!f.mem && f.register) ? '' : useMem ? ' m' : ' r'),
    code: Buffer.from(bytes).toString('hex'), regs, eflags, data: encodeSparse(data), sse,
  };
  if (usesMmx(f)) line.x87 = randomX87(rng);
  if (/^(RCP|RSQRT)/.test(f.mnemonic)) line.approximate = true;
  return line;
}

/** The oracle case (mode 64) of a fixture line: the long-mode encoding is the same behind 0x67. */
export function oracleCaseOf(line: SimdFixtureLine): OracleCase {
  const code = hexToBytes(line.code);
  const c: OracleCase = {
    mode: 64, code, code64: Uint8Array.from([0x67, ...code]), regs: line.regs, eflags: line.eflags,
    data: applySparse(line.data, new Uint8Array(DATA_SIZE)), sse: line.sse,
  };
  if (line.x87) c.x87 = line.x87;
  return c;
}

/** Fills `line.expect` from the host's result (EIPs past the snippet start put in 32-bit code terms). */
export function recordExpectation(line: SimdFixtureLine, r: OracleResult): void {
  const start = CODE_BASE + SNIPPET_OFFSET;
  const eip = r.eip > start ? r.eip - 1 : r.eip;
  const initial = applySparse(line.data, new Uint8Array(DATA_SIZE));
  line.expect = {
    kind: r.kind, vector: r.vector, regs: r.regs, eip, eflags: r.eflags,
    data: encodeSparse(r.data, initial), sse: r.sse!,
  };
  if (line.x87) line.expect.x87 = r.x87!;
}

/** EFLAGS bits compared. */

/**
 * FXSAVE image bytes not compared: MXCSR_MASK (28-31: the host's AMD
 * reports 2FFFFh with its misaligned-exception mask bit 17; this model,
 * like Intel's parts with DAZ, FFFFh) and 288-511 (64-bit mode stores
 * XMM8-XMM15 there; in 32-bit mode they are reserved and not written).
 */
function maskedBytes(line: SimdFixtureLine): Set<number> {
  const set = new Set<number>();
  if (!line.form.includes('FXSAVE')) return set;
  for (let i = 28; i < 32; i++) set.add(OPERAND_OFFSET + i);
  for (let i = 288; i < 512; i++) set.add(OPERAND_OFFSET + i);
  return set;
}

/** Decodes a 32-digit XMM string into four dwords, low first. */
function dwordsOf(h: string): number[] {
  return [3, 2, 1, 0].map((k) => parseInt(h.slice(8 * k, 8 * k + 8), 16) >>> 0);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const asFloat = (bits: number): number => { u32[0] = bits; return f32[0]!; };

/**
 * Whether `got` is an acceptable RCP/RSQRT result where the host gave
 * `want`: specials (NaN, ∞, zero) identical, finite values within the SDM's
 * bound |relative error| ≤ 1.5 × 2^-12 of each other's exact source value,
 * approximated as within 3 × 2^-12 of the host's result.
 */
function approxOk(want: number, got: number): boolean {
  if (want === got) return true;
  const a = asFloat(want), b = asFloat(got);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0 || b === 0) return false;
  return Math.abs(a - b) <= Math.abs(a) * 3 * 2 ** -12;
}

/** Differences between the recorded expectation and the emulator's result. */
export function compareSimd(line: SimdFixtureLine, actual: OracleResult): string[] {
  const e = line.expect!;
  const out: string[] = [];
  const h = hexOf;
  if (!compareIntegerState(line, actual, maskedBytes(line), out)) return out;
  const s = actual.sse!;
  if (e.sse.mxcsr !== s.mxcsr) out.push(`mxcsr: expected ${h(e.sse.mxcsr)}, got ${h(s.mxcsr)}`);
  for (let r = 0; r < 8; r++) {
    if (e.sse.xmm[r] === s.xmm[r]) continue;
    if (line.approximate) {
      const a = dwordsOf(e.sse.xmm[r]!), b = dwordsOf(s.xmm[r]!);
      if (a.every((v, k) => approxOk(v, b[k]!))) continue;
    }
    out.push(`xmm${r}: expected ${e.sse.xmm[r]}, got ${s.xmm[r]}`);
  }
  if (e.x87 && actual.x87) {
    const x = actual.x87;
    if (e.x87.fcw !== x.fcw) out.push(`fcw: expected ${h(e.x87.fcw)}, got ${h(x.fcw)}`);
    if (e.x87.fsw !== x.fsw) out.push(`fsw: expected ${h(e.x87.fsw)}, got ${h(x.fsw)}`);
    if (e.x87.ftw !== x.ftw) out.push(`ftw: expected ${h(e.x87.ftw)}, got ${h(x.ftw)}`);
    for (let i = 0; i < 8; i++) if (e.x87.st[i] !== x.st[i]) out.push(`st${i}: expected ${e.x87.st[i]}, got ${x.st[i]}`);
  }
  return out;
}
