/**
 * Differential cases for the x87 unit: every defined x87 encoding (memory
 * forms per escape and reg, register forms per escape, reg and — where rm
 * picks the instruction — rm) run from a random x87 state (control word
 * with every RC and PC and some exceptions unmasked, TOP, condition codes,
 * a partly filled stack, sometimes an exception already pending) over edge
 * and random operands: signed zeros, denormals, pseudo-denormals,
 * unnormals, pseudo-NaNs/infinities, infinities, QNaN/SNaN, the indefinite,
 * largest/smallest normals, integer values, halfway cases for each
 * precision; memory operands in every format. A quarter of the cases add an
 * FWAIT, so pending exceptions raise #MF (vector 16) on the host and on the
 * emulator alike.
 *
 * Cases run on the long-mode helper (x87 arithmetic is the same in 64-bit
 * mode); the memory forms address [ebx+10h] with an 0x67 prefix there. The
 * recorded fixture lines keep the input state and the host's answer
 * (test/fixtures/oracle/x87-hw.jsonl, tools/oracle/record-x87.ts).
 */
import { definedForms } from '../../src/cpu/instructions/x87.js';
import { Rng } from './case-generator.js';
import {
  CODE_BASE, DATA_BASE, DATA_SIZE, SNIPPET_OFFSET, STACK_BASE, STACK_SIZE, applySparse, encodeSparse, hexToBytes,
  type OracleCase, type OracleRegs, type OracleResult, type X87Image,
} from './native-oracle.js';
import { compareIntegerState, hexOf } from './fixture-state.js';

/** Where memory operands live: DATA_BASE + this offset (EBX = DATA_BASE + 0xF0, disp8 = 0x10). */
export const OPERAND_OFFSET = 0x100;

/** One recorded (or freshly generated) x87 case. */
export interface X87FixtureLine {
  /** Encoding form, e.g. `d8/0 m` or `d9 e8` or `dc e8+i`. */
  form: string;
  /** Transcendental instruction: compared with an ulp tolerance instead of bit-exactly. */
  transcendental?: boolean;
  code: string;
  code64: string;
  regs: OracleRegs;
  eflags: number;
  /** Initial data area (sparse over zeros). */
  data: string;
  x87: X87Image;
  expect?: {
    kind: OracleResult['kind'];
    vector?: number;
    errorCode?: number;
    regs: OracleRegs;
    eip: number;
    eflags: number;
    /** Final data area, sparse over the initial one. */
    data: string;
    x87: X87Image;
  };
}

/** Transcendental encodings (D9 F0-F3, F9, FB, FE, FF). */
const TRANSCENDENTAL = new Set([0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff]);

// ---- operand values -----------------------------------------------------------------------

const hex4 = (v: number): string => (v & 0xffff).toString(16).padStart(4, '0');
const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** A random 64-bit significand, normalized, with patterns that stress rounding. */
function significand(rng: Rng): [number, number] {
  switch (rng.below(12)) {
    case 0: return [0x8000_0000, 0];
    case 1: return [0xffff_ffff, 0xffff_ffff];
    case 2: return [(0x8000_0000 | rng.next()) >>> 0, 0];
    case 3: return [(0x8000_0000 | rng.next()) >>> 0, (rng.next() & 0xffff_f800) >>> 0]; // double-exact
    case 4: return [(0x8000_0000 | (rng.next() & 0xffff_ff00)) >>> 0, 0]; // single-exact
    case 5: return [(0x8000_0000 | rng.next()) >>> 0, ((rng.next() & 0xffff_f000) | 0x400) >>> 0]; // PC53 halfway
    case 6: return [((0x8000_0000 | rng.next()) & 0xffff_ff00 | 0x80) >>> 0, 0]; // PC24 halfway
    case 7: return [(0x8000_0000 | rng.next()) >>> 0, (rng.next() | 0xffff_f800) >>> 0];
    case 8: return [0xc000_0000, 0];
    default: return [(0x8000_0000 | rng.next()) >>> 0, rng.next()];
  }
}

/** A random 80-bit value as 20 hex digits, edge cases favoured. */
export function randomF80(rng: Rng): string {
  const s = rng.below(2) << 15;
  const [h, l] = significand(rng);
  switch (rng.below(24)) {
    case 0: return hex4(s) + '0000000000000000'; // zero
    case 1: return hex4(s | 0x7fff) + '8000000000000000'; // infinity
    case 2: return hex4(s | 0x7fff) + hex8(0xc000_0000 | rng.next()) + hex8(rng.next()); // QNaN
    case 3: return hex4(s | 0x7fff) + hex8((0x8000_0000 | (rng.next() & 0x3fff_ffff) | 1) >>> 0) + hex8(rng.next()); // SNaN
    case 4: return 'ffffc000000000000000'; // indefinite
    case 5: { // denormal
      const k = 1 + rng.below(63);
      const hi = k >= 32 ? 0 : h >>> k, lo = k >= 32 ? h >>> (k - 32) : ((l >>> k) | (h << (32 - k))) >>> 0;
      return hex4(s) + hex8(hi) + hex8(lo);
    }
    case 6: return hex4(s) + hex8(h) + hex8(l); // pseudo-denormal
    case 7: return hex4(s | (1 + rng.below(0x7ffe))) + hex8(h & 0x7fff_ffff) + hex8(l); // unnormal
    case 8: return hex4(s | 0x7fff) + hex8(h & 0x7fff_ffff) + hex8(l); // pseudo-NaN/infinity
    case 9: return hex4(s | 0x7ffe) + 'ffffffffffffffff'; // largest
    case 10: return hex4(s | 0x0001) + '8000000000000000'; // smallest normal
    case 11: { // an integer value (for FRNDINT/FIST)
      const e = rng.below(70);
      return hex4(s | (0x3fff + e)) + hex8(h) + hex8(e >= 31 ? l & ~((2 ** Math.max(0, 63 - e) - 1) >>> 0) : 0);
    }
    case 12: { // x.5 and near-halfway for integer rounding
      const e = rng.below(64);
      return hex4(s | (0x3fff + e)) + hex8(h) + hex8(l);
    }
    case 13: return hex4(s | (1 + rng.below(80))) + hex8(h) + hex8(l); // near underflow
    case 14: return hex4(s | (0x7ffe - rng.below(80))) + hex8(h) + hex8(l); // near overflow
    case 15: return hex4(s | (0x3fff - 200 + rng.below(400))) + hex8(h) + hex8(l);
    default: return hex4(s | (0x3fff - 40 + rng.below(80))) + hex8(h) + hex8(l);
  }
}

/** Bytes of a random memory operand in `fmt` (little endian). */
function memoryOperand(rng: Rng, fmt: string): number[] {
  const out: number[] = [];
  const push32 = (v: number): void => { out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24); };
  switch (fmt) {
    case 'f32': {
      const s = rng.below(2) << 31;
      const pick = rng.below(10);
      const v = pick === 0 ? s : pick === 1 ? s | 0x7f80_0000 : pick === 2 ? s | 0x7fc0_0000 | rng.below(0x40_0000)
        : pick === 3 ? s | 0x7f80_0000 | (1 + rng.below(0x3f_ffff)) : pick === 4 ? s | rng.below(0x80_0000)
          : pick === 5 ? s | 0x0080_0000 : (s | (rng.next() & 0x7fff_ffff)) >>> 0;
      push32(v >>> 0);
      break;
    }
    case 'f64': {
      const s = rng.below(2) << 31;
      const pick = rng.below(10);
      let hi: number, lo = rng.next();
      if (pick === 0) { hi = s; lo = 0; } else if (pick === 1) { hi = s | 0x7ff0_0000; lo = 0; } else if (pick === 2) hi = s | 0x7ff8_0000 | rng.below(0x8_0000);
      else if (pick === 3) hi = s | 0x7ff0_0000 | (1 + rng.below(0x7_ffff));
      else if (pick === 4) hi = s | rng.below(0x10_0000);
      else hi = (s | (rng.next() & 0x7fff_ffff)) >>> 0;
      push32(lo); push32(hi >>> 0);
      break;
    }
    case 'i16': { const v = rng.pick([0, 1, -1, 0x7fff, -0x8000, rng.next()]); out.push(v & 0xff, (v >>> 8) & 0xff); break; }
    case 'i32': push32(rng.pick([0, 1, -1, 0x7fff_ffff, -0x8000_0000, 0x100_0001, rng.next()]) >>> 0); break;
    case 'i64': {
      const pick = rng.below(6);
      if (pick === 0) { push32(0); push32(0x8000_0000); } else if (pick === 1) { push32(-1); push32(-1); } else if (pick === 2) { push32(-1); push32(0x7fff_ffff); } else { push32(rng.next()); push32(rng.next()); }
      break;
    }
    case 'f80': {
      const h = randomF80(rng);
      for (let i = 9; i >= 0; i--) out.push(parseInt(h.slice(2 * i, 2 * i + 2), 16));
      break;
    }
    case 'bcd': {
      for (let i = 0; i < 9; i++) out.push(rng.below(10) | (rng.below(10) << 4));
      out.push(rng.below(2) << 7);
      break;
    }
    default: break;
  }
  return out;
}

/** Memory operand format of a memory form (esc, reg), or undefined for control forms. */
function formatOf(esc: number, reg: number): string {
  if (esc === 0xd8 || esc === 0xd9 && reg < 4) return 'f32';
  if (esc === 0xda || esc === 0xdb && reg < 4) return 'i32';
  if (esc === 0xdc || esc === 0xdd && reg < 4) return 'f64';
  if (esc === 0xde || esc === 0xdf && reg < 4) return 'i16';
  if (esc === 0xdb) return 'f80';
  if (esc === 0xdf) return reg === 4 || reg === 6 ? 'bcd' : 'i64';
  return 'env';
}

/** A random x87 state: control word, status word (TOP, codes, maybe a pending exception), stack. */
function randomState(rng: Rng): X87Image {
  let fcw = 0x007f | (rng.pick([0, 2, 3, 3, 3, 1]) << 8) | (rng.below(4) << 10);
  if (rng.below(4) === 0) fcw &= ~(rng.next() & 0x3f);
  const top = rng.below(8);
  let fsw = (top << 11) | (rng.next() & 0x4700);
  if (rng.below(8) === 0) {
    fsw |= rng.next() & 0x3f;
    if ((fsw & ~fcw & 0x3f) !== 0) fsw |= 0x8080;
  }
  const pick = rng.below(10);
  const count = pick === 0 ? 8 : pick === 1 ? 0 : rng.below(8);
  let ftw = 0;
  const st: string[] = [];
  for (let i = 0; i < 8; i++) {
    const valid = i < count || (pick === 2 && rng.below(2) === 0);
    if (valid) ftw |= 1 << ((top + i) & 7);
    st.push(valid ? randomF80(rng) : '00000000000000000000');
  }
  return { fcw, fsw, ftw, st };
}

/** An FLDENV/FRSTOR image (protected-mode layout, 32- or 16-bit). */
function envImage(rng: Rng, o32: boolean, save: boolean): number[] {
  const s = randomState(rng);
  let tag = 0;
  for (let r = 0; r < 8; r++) {
    const valid = ((s.ftw >> r) & 1) !== 0;
    tag |= (valid ? rng.below(3) : 3) << (2 * r);
  }
  const out: number[] = [];
  const w = (v: number, n: number): void => { for (let i = 0; i < n; i++) out.push((v >>> (8 * i)) & 0xff); };
  if (o32) { w(s.fcw | 0xffff_0000, 4); w(s.fsw | 0xffff_0000, 4); w(tag | 0xffff_0000, 4); w(rng.next(), 4); w(rng.next() & 0x07ff_ffff, 4); w(rng.next(), 4); w(rng.next() | 0xffff_0000, 4); } else { w(s.fcw, 2); w(s.fsw, 2); w(tag, 2); w(rng.next(), 2); w(rng.next(), 2); w(rng.next(), 2); w(rng.next(), 2); }
  if (save) for (const h of s.st) for (let i = 9; i >= 0; i--) out.push(parseInt(h.slice(2 * i, 2 * i + 2), 16));
  return out;
}

/** Options for {@link generateX87Cases}. */
export interface X87GenerateOptions {
  seed: number;
  casesPerForm: number;
  /** Include the transcendental instructions. */
  transcendental: boolean;
}

/** All forms with their encodings: [form name, esc, modrm-or-reg, isMem, rmMatters]. */
function forms(): { name: string; esc: number; reg: number; rm: number; mem: boolean }[] {
  const { mem, reg } = definedForms();
  const out: { name: string; esc: number; reg: number; rm: number; mem: boolean }[] = [];
  for (const i of mem) out.push({ name: `${(0xd8 + (i >> 3)).toString(16)}/${i & 7} m`, esc: 0xd8 + (i >> 3), reg: i & 7, rm: 0, mem: true });
  const seen = new Set<string>();
  for (const i of reg) {
    const esc = 0xd8 + (i >> 6), r = (i >> 3) & 7, rm = i & 7;
    // One form per (esc, reg) when all eight rm values do the same with ST(i).
    const all = [0, 1, 2, 3, 4, 5, 6, 7].every((k) => reg.includes((i & ~7) | k));
    const perRm = !all || (esc === 0xd9 && r >= 4) || (esc === 0xdb && r === 4) || (esc === 0xde && r === 3) || (esc === 0xdf && r === 4);
    const byte = 0xc0 | (r << 3);
    const name = perRm ? `${esc.toString(16)} ${(byte | rm).toString(16)}` : `${esc.toString(16)} ${byte.toString(16)}+i`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, esc, reg: r, rm: perRm ? rm : -1, mem: false });
  }
  out.push({ name: '9b wait', esc: 0x9b, reg: 0, rm: 0, mem: false });
  return out;
}

/** Generates the x87 cases. */
export function generateX87Cases(options: X87GenerateOptions): X87FixtureLine[] {
  const rng = new Rng(options.seed);
  const out: X87FixtureLine[] = [];
  for (const f of forms()) {
    const trans = !f.mem && f.esc === 0xd9 && TRANSCENDENTAL.has(0xc0 | (f.reg << 3) | f.rm);
    if (trans && !options.transcendental) continue;
    for (let n = 0; n < options.casesPerForm; n++) out.push(makeCase(rng, f, trans));
  }
  return out;
}

function makeCase(rng: Rng, f: { name: string; esc: number; reg: number; rm: number; mem: boolean }, trans: boolean): X87FixtureLine {
  const regs: OracleRegs = {
    eax: rng.next(), ecx: rng.next(), edx: rng.next(), ebx: DATA_BASE + OPERAND_OFFSET - 0x10,
    esp: STACK_BASE + 0x800, ebp: rng.next(), esi: rng.next(), edi: rng.next(),
  };
  const eflags = rng.next() & 0x8d5;
  const x87 = randomState(rng);
  // The operand area (an FSAVE image is 108 bytes) starts with some random bytes; the rest of the data area is zero.
  const data = new Uint8Array(OPERAND_OFFSET + 0x70);
  for (let i = OPERAND_OFFSET; i < data.length; i++) data[i] = rng.below(4) === 0 ? rng.next() & 0xff : 0;
  const bytes: number[] = [];
  let prefix64 = false;
  if (f.esc === 0x9b) {
    bytes.push(0x9b);
  } else if (f.mem) {
    const fmt = formatOf(f.esc, f.reg);
    let op16 = false;
    if (fmt === 'env') {
      op16 = rng.below(4) === 0;
      const loads = (f.esc === 0xd9 && f.reg === 4) || (f.esc === 0xdd && f.reg === 4);
      if (loads) data.set(envImage(rng, !op16, f.esc === 0xdd), OPERAND_OFFSET);
      else if (f.esc === 0xd9 && f.reg === 5) {
        // FLDCW: a sensible control word (reserved bits random).
        const cw = (rng.next() & 0xffff);
        data[OPERAND_OFFSET] = cw & 0xff; data[OPERAND_OFFSET + 1] = cw >> 8;
      }
    } else {
      data.set(memoryOperand(rng, fmt), OPERAND_OFFSET);
    }
    if (op16) bytes.push(0x66);
    bytes.push(f.esc, 0x40 | (f.reg << 3) | 3, 0x10);
    prefix64 = true;
  } else {
    const rm = f.rm >= 0 ? f.rm : rng.below(8);
    bytes.push(f.esc, 0xc0 | (f.reg << 3) | rm);
  }
  if (f.esc !== 0x9b && rng.below(4) === 0) bytes.push(0x9b);
  const code = Uint8Array.from(bytes);
  let code64 = code;
  if (prefix64) {
    // 0x67 goes right before the escape byte (after an 0x66 if any).
    const at = bytes[0] === 0x66 ? 1 : 0;
    code64 = Uint8Array.from([...bytes.slice(0, at), 0x67, ...bytes.slice(at)]);
  }
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const line: X87FixtureLine = { form: f.name, code: hex(code), code64: hex(code64), regs, eflags, data: encodeSparse(data), x87 };
  if (trans) line.transcendental = true;
  return line;
}

/** The oracle case (mode 64) of a fixture line. */
export function oracleCaseOf(line: X87FixtureLine): OracleCase {
  return {
    mode: 64, code: hexToBytes(line.code), code64: hexToBytes(line.code64), regs: line.regs, eflags: line.eflags,
    data: applySparse(line.data, new Uint8Array(DATA_SIZE)), x87: line.x87,
  };
}

/** Fills `line.expect` from the host's result (EIPs past the snippet start are put in 32-bit code terms). */
export function recordExpectation(line: X87FixtureLine, r: OracleResult): void {
  const start = CODE_BASE + SNIPPET_OFFSET;
  const delta = line.code64.length / 2 - line.code.length / 2;
  const eip = r.eip > start ? r.eip - delta : r.eip;
  const initial = applySparse(line.data, new Uint8Array(DATA_SIZE));
  line.expect = {
    kind: r.kind, vector: r.vector, errorCode: r.errorCode, regs: r.regs, eip, eflags: r.eflags,
    data: encodeSparse(r.data, initial), x87: r.x87!,
  };
}

/** EFLAGS bits compared. */

/**
 * Differences between the recorded expectation and the emulator's result.
 * The environment/state stores' instruction and data pointers (which in
 * long mode are addresses of the long-mode encoding) are not compared.
 */
export function compareX87(line: X87FixtureLine, actual: OracleResult): string[] {
  const e = line.expect!;
  const out: string[] = [];
  const h = hexOf;
  if (!compareIntegerState(line, actual, pointerBytes(line), out)) return out;
  const x = actual.x87!;
  if (e.x87.fcw !== x.fcw) out.push(`fcw: expected ${h(e.x87.fcw)}, got ${h(x.fcw)}`);
  if (e.x87.fsw !== x.fsw) out.push(`fsw: expected ${h(e.x87.fsw)}, got ${h(x.fsw)}`);
  if (e.x87.ftw !== x.ftw) out.push(`ftw: expected ${h(e.x87.ftw)}, got ${h(x.ftw)}`);
  for (let i = 0; i < 8; i++) if (e.x87.st[i] !== x.st[i]) out.push(`st${i}: expected ${e.x87.st[i]}, got ${x.st[i]}`);
  return out;
}

/** Data-area offsets of the instruction/data pointer fields an FNSTENV/FNSAVE in the case writes. */
function pointerBytes(line: X87FixtureLine): Set<number> {
  const set = new Set<number>();
  const code = hexToBytes(line.code);
  const o16 = code[0] === 0x66;
  const at = o16 ? 1 : 0;
  const esc = code[at]!, modrm = code[at + 1]!;
  const store = (esc === 0xd9 || esc === 0xdd) && (modrm & 0xc0) !== 0xc0 && ((modrm >> 3) & 7) === 6;
  if (!store) return set;
  const [from, to] = o16 ? [6, 14] : [12, 28];
  for (let i = from; i < to; i++) set.add(OPERAND_OFFSET + i);
  return set;
}

export { STACK_SIZE };
