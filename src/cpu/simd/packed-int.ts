/**
 * The packed-integer operations of MMX and SSE2 (SDM Vol. 1 §9.4, §11.4.3;
 * Vol. 2 "P…" pages), each written once over {@link Lanes} and used for the
 * 64-bit MMX forms (`n` = 8 bytes) and the 128-bit SSE2 forms (`n` = 16).
 * An operation reads the destination `d` and source `s` and leaves the
 * result in `d`; `t` is scratch. Lanes are little-endian (see sse-state.ts).
 */
import type { Lanes } from './sse-state.js';

/** A packed operation on `n` bytes (8: MMX, 16: XMM). */
export type PackedOp = (d: Lanes, s: Lanes, t: Lanes, n: number) => void;

const satS8 = (v: number): number => (v > 127 ? 127 : v < -128 ? -128 : v);
const satU8 = (v: number): number => (v > 255 ? 255 : v < 0 ? 0 : v);
const satS16 = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
const satU16 = (v: number): number => (v > 65535 ? 65535 : v < 0 ? 0 : v);

function bytes(f: (a: number, b: number) => number, signed: boolean): PackedOp {
  return signed
    ? (d, s, _t, n) => { for (let i = 0; i < n; i++) d.i8[i] = f(d.i8[i]!, s.i8[i]!); }
    : (d, s, _t, n) => { for (let i = 0; i < n; i++) d.u8[i] = f(d.u8[i]!, s.u8[i]!); };
}
function words(f: (a: number, b: number) => number, signed: boolean): PackedOp {
  return signed
    ? (d, s, _t, n) => { for (let i = 0; i < n >> 1; i++) d.i16[i] = f(d.i16[i]!, s.i16[i]!); }
    : (d, s, _t, n) => { for (let i = 0; i < n >> 1; i++) d.u16[i] = f(d.u16[i]!, s.u16[i]!); };
}
function dwords(f: (a: number, b: number) => number): PackedOp {
  return (d, s, _t, n) => { for (let i = 0; i < n >> 2; i++) d.i32[i] = f(d.i32[i]!, s.i32[i]!); };
}

/** 64-bit lanes as dword pairs: add (or subtract) with carry. */
function quadAdd(subtract: boolean): PackedOp {
  return (d, s, _t, n) => {
    for (let i = 0; i < n >> 2; i += 2) {
      const al = d.u32[i]!, bl = s.u32[i]!;
      if (subtract) {
        const lo = al - bl;
        d.u32[i] = lo; d.u32[i + 1] = d.u32[i + 1]! - s.u32[i + 1]! - (lo < 0 ? 1 : 0);
      } else {
        const lo = al + bl;
        d.u32[i] = lo; d.u32[i + 1] = d.u32[i + 1]! + s.u32[i + 1]! + (lo > 0xffff_ffff ? 1 : 0);
      }
    }
  };
}

/** PMULUDQ: the low unsigned dwords of each quadword, multiplied to 64 bits (16-bit limbs keep it exact). */
const PMULUDQ: PackedOp = (d, s, _t, n) => {
  for (let i = 0; i < n >> 2; i += 2) {
    const a = d.u32[i]!, b = s.u32[i]!;
    const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
    const p0 = a0 * b0, mid = a1 * b0 + a0 * b1, p3 = a1 * b1;
    const lo = p0 + (mid % 65536) * 65536;
    d.u32[i] = lo;
    d.u32[i + 1] = p3 + Math.floor(mid / 65536) + Math.floor(lo / 4294967296);
  }
};

/** PMADDWD: pairs of signed word products summed into dwords (0x8000·0x8000 twice wraps to 8000_0000h). */
const PMADDWD: PackedOp = (d, s, _t, n) => {
  for (let i = 0; i < n >> 2; i++) {
    d.i32[i] = (d.i16[2 * i]! * s.i16[2 * i]! + d.i16[2 * i + 1]! * s.i16[2 * i + 1]!) | 0;
  }
};

/** PSADBW: sums of absolute byte differences per 8-byte group, into the group's low word. */
const PSADBW: PackedOp = (d, s, _t, n) => {
  for (let g = 0; g < n; g += 8) {
    let sum = 0;
    for (let i = g; i < g + 8; i++) sum += Math.abs(d.u8[i]! - s.u8[i]!);
    d.u32[g >> 2] = sum; d.u32[(g >> 2) + 1] = 0;
  }
};

/** PACKSSWB/PACKUSWB/PACKSSDW: the destination's lanes narrowed into the low half, the source's into the high half. */
function pack(from: 16 | 32, sat: (v: number) => number, unsignedOut: boolean): PackedOp {
  return (d, s, t, n) => {
    const count = from === 16 ? n >> 1 : n >> 2;
    for (let i = 0; i < count; i++) {
      const a = from === 16 ? d.i16[i]! : d.i32[i]!;
      const b = from === 16 ? s.i16[i]! : s.i32[i]!;
      if (from === 16) {
        if (unsignedOut) { t.u8[i] = sat(a); t.u8[i + count] = sat(b); } else { t.i8[i] = sat(a); t.i8[i + count] = sat(b); }
      } else {
        t.i16[i] = sat(a); t.i16[i + count] = sat(b);
      }
    }
    for (let i = 0; i < n >> 2; i++) d.i32[i] = t.i32[i]!;
  };
}

/** PUNPCKLxx/PUNPCKHxx: interleaves `size`-byte elements of the low (or high) halves, destination first. */
function unpack(size: number, high: boolean): PackedOp {
  return (d, s, t, n) => {
    const half = n >> 1, base = high ? half : 0;
    for (let k = 0; k < half / size; k++) {
      for (let b = 0; b < size; b++) {
        t.u8[2 * k * size + b] = d.u8[base + k * size + b]!;
        t.u8[(2 * k + 1) * size + b] = s.u8[base + k * size + b]!;
      }
    }
    for (let i = 0; i < n >> 2; i++) d.i32[i] = t.i32[i]!;
  };
}

/** The shift count of PSLL/PSRL/PSRA by register or immediate: the source's low quadword, unsigned. */
function shiftCount(s: Lanes): number {
  return s.u32[1] !== 0 ? 0xffff : Math.min(s.u32[0]!, 0xffff);
}

/** Logical/arithmetic shifts of `bits`-wide lanes by the count in s (counts ≥ width clear, or fill with the sign). */
function shift(bits: 16 | 32 | 64, kind: 'l' | 'r' | 'a'): PackedOp {
  return (d, s, _t, n) => {
    const c = shiftCount(s);
    if (bits === 16) {
      for (let i = 0; i < n >> 1; i++) {
        const v = d.i16[i]!;
        d.i16[i] = kind === 'a' ? v >> Math.min(c, 15) : c > 15 ? 0 : kind === 'l' ? v << c : (v & 0xffff) >>> c;
      }
    } else if (bits === 32) {
      for (let i = 0; i < n >> 2; i++) {
        const v = d.i32[i]!;
        d.i32[i] = kind === 'a' ? v >> Math.min(c, 31) : c > 31 ? 0 : kind === 'l' ? v << c : v >>> c;
      }
    } else {
      for (let i = 0; i < n >> 2; i += 2) {
        const lo = d.u32[i]!, hi = d.u32[i + 1]!;
        let rl: number, rh: number;
        if (c > 63) { rl = 0; rh = 0; } else if (c === 0) { rl = lo; rh = hi; } else if (kind === 'l') {
          if (c >= 32) { rh = lo << (c - 32); rl = 0; } else { rh = (hi << c) | (lo >>> (32 - c)); rl = lo << c; }
        } else if (c >= 32) { rl = hi >>> (c - 32); rh = 0; } else { rl = (lo >>> c) | (hi << (32 - c)); rh = hi >>> c; }
        d.u32[i] = rl; d.u32[i + 1] = rh;
      }
    }
  };
}

/**
 * Binary packed operations by mnemonic: the MMX forms (`Pq,Qq`) and the
 * SSE2 forms (`Vdq,Wdq`) of each share this one definition.
 */
export const PACKED_OPS: Readonly<Record<string, PackedOp>> = {
  PADDB: bytes((a, b) => a + b, false), PADDW: words((a, b) => a + b, false), PADDD: dwords((a, b) => (a + b) | 0),
  PADDQ: quadAdd(false),
  PSUBB: bytes((a, b) => a - b, false), PSUBW: words((a, b) => a - b, false), PSUBD: dwords((a, b) => (a - b) | 0),
  PSUBQ: quadAdd(true),
  PADDSB: bytes((a, b) => satS8(a + b), true), PADDSW: words((a, b) => satS16(a + b), true),
  PADDUSB: bytes((a, b) => satU8(a + b), false), PADDUSW: words((a, b) => satU16(a + b), false),
  PSUBSB: bytes((a, b) => satS8(a - b), true), PSUBSW: words((a, b) => satS16(a - b), true),
  PSUBUSB: bytes((a, b) => satU8(a - b), false), PSUBUSW: words((a, b) => satU16(a - b), false),
  PCMPEQB: bytes((a, b) => (a === b ? 0xff : 0), false), PCMPEQW: words((a, b) => (a === b ? 0xffff : 0), false),
  PCMPEQD: dwords((a, b) => (a === b ? -1 : 0)),
  PCMPGTB: bytes((a, b) => (a > b ? -1 : 0), true), PCMPGTW: words((a, b) => (a > b ? -1 : 0), true),
  PCMPGTD: dwords((a, b) => (a > b ? -1 : 0)),
  PAND: dwords((a, b) => a & b), PANDN: dwords((a, b) => ~a & b), POR: dwords((a, b) => a | b), PXOR: dwords((a, b) => a ^ b),
  PMULLW: words((a, b) => Math.imul(a, b), true),
  PMULHW: words((a, b) => (a * b) >> 16, true),
  PMULHUW: words((a, b) => (a * b) / 65536, false),
  PMULUDQ, PMADDWD, PSADBW,
  PAVGB: bytes((a, b) => (a + b + 1) >> 1, false), PAVGW: words((a, b) => (a + b + 1) >> 1, false),
  PMINUB: bytes((a, b) => Math.min(a, b), false), PMAXUB: bytes((a, b) => Math.max(a, b), false),
  PMINSW: words((a, b) => Math.min(a, b), true), PMAXSW: words((a, b) => Math.max(a, b), true),
  PACKSSWB: pack(16, satS8, false), PACKUSWB: pack(16, satU8, true), PACKSSDW: pack(32, satS16, false),
  PUNPCKLBW: unpack(1, false), PUNPCKLWD: unpack(2, false), PUNPCKLDQ: unpack(4, false), PUNPCKLQDQ: unpack(8, false),
  PUNPCKHBW: unpack(1, true), PUNPCKHWD: unpack(2, true), PUNPCKHDQ: unpack(4, true), PUNPCKHQDQ: unpack(8, true),
  PSRLW: shift(16, 'r'), PSRLD: shift(32, 'r'), PSRLQ: shift(64, 'r'),
  PSRAW: shift(16, 'a'), PSRAD: shift(32, 'a'),
  PSLLW: shift(16, 'l'), PSLLD: shift(32, 'l'), PSLLQ: shift(64, 'l'),
};
