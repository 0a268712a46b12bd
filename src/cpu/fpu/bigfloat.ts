/**
 * A small arbitrary-precision binary float for the transcendental
 * instructions: value = m × 2^e with a BigInt m, carried at {@link PREC}
 * bits (about three times the extended format's 64), so results rounded to
 * 64 bits are correctly rounded except in astronomically rare cases.
 * Series are the textbook ones (Taylor for exp/sin/cos, atanh for ln,
 * Euler's for atan); constants are computed once from them.
 *
 * This path allocates (BigInts): it serves only F2XM1, FYL2X, FYL2XP1,
 * FPTAN, FPATAN, FSIN, FCOS and FSINCOS, never the basic arithmetic.
 */
import { BIAS, Float80, FpCore } from './float80.js';

/** Working precision in bits. */
export const PREC = 200;

/** m × 2^e; m may be negative. */
export interface Big { m: bigint; e: number }

const ZERO: Big = { m: 0n, e: 0 };

function bitLength(m: bigint): number {
  if (m < 0n) m = -m;
  return m === 0n ? 0 : m.toString(2).length;
}

/**
 * m >> k on the magnitude, with the bits shifted out "jammed" into the
 * lowest bit, so that an inexact value never looks exact and rounds the
 * right way later.
 */
function shr(m: bigint, k: number): bigint {
  if (k <= 0) return m << BigInt(-k);
  const neg = m < 0n;
  const a = neg ? -m : m;
  const K = BigInt(k);
  let r = a >> K;
  if ((a & ((1n << K) - 1n)) !== 0n) r |= 1n;
  return neg ? -r : r;
}

/** Keeps at most PREC significant bits (sticky in the last). */
export function norm(x: Big): Big {
  const n = bitLength(x.m);
  if (n <= PREC) return x;
  const k = n - PREC;
  return { m: shr(x.m, k), e: x.e + k };
}

export function big(m: bigint, e = 0): Big { return norm({ m, e }); }
export function fromInt(n: number): Big { return { m: BigInt(n), e: 0 }; }

export function mul(a: Big, b: Big): Big { return norm({ m: a.m * b.m, e: a.e + b.e }); }

export function add(a: Big, b: Big): Big {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  // Align to the smaller exponent, but never keep more than PREC + 64 bits below the larger value's top.
  const top = Math.max(a.e + bitLength(a.m), b.e + bitLength(b.m));
  const floor = top - PREC - 64;
  const ea = Math.max(a.e, floor), eb = Math.max(b.e, floor);
  const e = Math.min(ea, eb);
  const am = shr(a.m, e - a.e);
  const bm = shr(b.m, e - b.e);
  return norm({ m: am + bm, e });
}

export function neg(a: Big): Big { return { m: -a.m, e: a.e }; }
export function sub(a: Big, b: Big): Big { return add(a, neg(b)); }
export function ldexp(a: Big, k: number): Big { return { m: a.m, e: a.e + k }; }

export function div(a: Big, b: Big): Big {
  if (a.m === 0n) return ZERO;
  const shift = PREC + bitLength(b.m) - bitLength(a.m) + 2;
  const n = a.m << BigInt(shift);
  let q = n / b.m;
  // A remainder is jammed into the last bit (magnitude), as in shr().
  if (q * b.m !== n) q = q < 0n ? -((-q) | 1n) : q | 1n;
  return norm({ m: q, e: a.e - b.e - shift });
}

/** Integer square root of a non-negative bigint. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(a: Big): Big {
  let m = a.m, e = a.e;
  const shift = 2 * PREC - bitLength(m);
  const s = shift + ((e - shift) & 1 ? 1 : 0);
  m <<= BigInt(s); e -= s;
  return norm({ m: isqrt(m), e: e / 2 });
}

/** Sign of a value: -1, 0, 1. */
export function sign(a: Big): number { return a.m < 0n ? -1 : a.m > 0n ? 1 : 0; }

/** |a| < 2^k? */
export function below(a: Big, k: number): boolean { return a.m === 0n || a.e + bitLength(a.m) <= k; }

/** Compares a and b. */
export function cmp(a: Big, b: Big): number { return sign(sub(a, b)); }

/** The value of a finite Float80 (denormals included). */
export function fromFloat80(v: Float80): Big {
  const e = v.se & 0x7fff;
  const m = (BigInt(v.hi) << 32n) | BigInt(v.lo);
  const s = (v.se & 0x8000) !== 0 ? -m : m;
  return { m: s, e: (e === 0 ? 1 : e) - BIAS - 63 };
}

/** Rounds x to 64 bits into dst through the core (RC, overflow/underflow, PE and C1). */
export function toFloat80(core: FpCore, x: Big, dst: Float80): void {
  if (x.m === 0n) { dst.set(0, 0, 0); return; }
  const s = x.m < 0n ? 1 : 0;
  let m = s ? -x.m : x.m;
  const n = bitLength(m);
  // Top 96 bits: 64 significand bits and the guard word; the rest is sticky.
  let sticky = 0;
  if (n > 96) {
    const k = BigInt(n - 96);
    sticky = (m & ((1n << k) - 1n)) !== 0n ? 1 : 0;
    m >>= k;
  } else {
    m <<= BigInt(96 - n);
  }
  core.w0 = Number((m >> 64n) & 0xffff_ffffn);
  core.w1 = Number((m >> 32n) & 0xffff_ffffn);
  core.w2 = (Number(m & 0xffff_ffffn) | sticky) >>> 0;
  // Value = 1.xxx × 2^(e + n − 1): biased exponent.
  core.roundPack(dst, s, x.e + n - 1 + BIAS, 64);
}

// ---- series ----------------------------------------------------------------------------

const ONE: Big = { m: 1n, e: 0 };

/** exp(x) − 1 for |x| ≤ 1 (Taylor; no cancellation for small x). */
export function expm1(x: Big): Big {
  let term = x, sum = x;
  for (let n = 2; n < 400; n++) {
    term = div(mul(term, x), fromInt(n));
    if (term.m === 0n || below(term, (sum.e + bitLength(sum.m)) - PREC - 8)) break;
    sum = add(sum, term);
  }
  return sum;
}

/** atanh(z) for |z| ≤ 1/2. */
function atanh(z: Big): Big {
  const z2 = mul(z, z);
  let power = z, sum = z;
  for (let n = 3; n < 2000; n += 2) {
    power = mul(power, z2);
    const term = div(power, fromInt(n));
    if (term.m === 0n || below(term, (sum.e + bitLength(sum.m)) - PREC - 8)) break;
    sum = add(sum, term);
  }
  return sum;
}

/** ln(2). */
export const LN2: Big = ldexp(atanh(div(ONE, fromInt(3))), 1);

/** ln(1 + x) for x > −1, accurate for small x: 2·atanh(x / (2 + x)) after scaling by powers of two. */
export function log1p(x: Big): Big {
  const y = add(ONE, x);
  // y = m·2^k with m in [1, 2): ln y = k·ln2 + ln m. For y near 1 keep k = 0 to stay exact in x.
  const k = bitLength(y.m) + y.e - 1;
  if (k === 0 || (k === -1 && cmp(y, { m: 3n, e: -2 }) >= 0)) return ldexp(atanh(div(x, add(fromInt(2), x))), 1);
  const m = ldexp(y, -k);
  const lm = ldexp(atanh(div(sub(m, ONE), add(m, ONE))), 1);
  return add(mul(fromInt(k), LN2), lm);
}

/** ln(x) for x > 0: k·ln2 + 2·atanh((m − 1)/(m + 1)) with x = m·2^k, m in [1, 2). */
export function ln(x: Big): Big {
  const k = bitLength(x.m) + x.e - 1;
  const m = ldexp(x, -k);
  const lm = ldexp(atanh(div(sub(m, ONE), add(m, ONE))), 1);
  return k === 0 ? lm : add(mul(fromInt(k), LN2), lm);
}

/** sin(x) and cos(x) for |x| ≤ π/4 (Taylor). */
function sinCosSeries(x: Big): [Big, Big] {
  const x2 = mul(x, x);
  let ts = x, s = x, tc = ONE, c = ONE;
  for (let n = 1; n < 200; n++) {
    ts = neg(div(mul(ts, x2), fromInt((2 * n) * (2 * n + 1))));
    tc = neg(div(mul(tc, x2), fromInt((2 * n - 1) * (2 * n))));
    const small = below(ts, s.e + bitLength(s.m) - PREC - 8) && below(tc, -PREC - 8);
    s = add(s, ts); c = add(c, tc);
    if (small) break;
  }
  return [s, c];
}

/** atan(t) for |t| ≤ 1 (Euler's series: Σ 2^2n (n!)² / (2n+1)! · t^(2n+1) / (1+t²)^(n+1)). */
function atanSmall(t: Big): Big {
  const t2 = mul(t, t);
  const q = div(t2, add(ONE, t2));
  let term = div(t, add(ONE, t2));
  let sum = term;
  for (let n = 1; n < 2000; n++) {
    term = mul(term, mul(q, div(fromInt(2 * n), fromInt(2 * n + 1))));
    if (term.m === 0n || below(term, (sum.e + bitLength(sum.m)) - PREC - 8)) break;
    sum = add(sum, term);
  }
  return sum;
}

/** π (Machin: 16 atan(1/5) − 4 atan(1/239)). */
export const PI: Big = sub(ldexp(atanSmall(div(ONE, fromInt(5))), 4), ldexp(atanSmall(div(ONE, fromInt(239))), 2));

/**
 * sin and cos of x. Arguments are reduced by π/2 using `piForReduction`
 * (the host CPU reduces with a finite approximation of π, see
 * transcendental.ts), then the series.
 */
export function sinCos(x: Big, piForReduction: Big): [Big, Big] {
  const halfPi = ldexp(piForReduction, -1);
  // k = round(x / (π/2)), r = x − k·π/2.
  const q = div(x, halfPi);
  const k = roundToBigInt(q);
  const r = sub(x, mul({ m: k, e: 0 }, halfPi));
  const [s, c] = sinCosSeries(r);
  switch (Number(((k % 4n) + 4n) % 4n)) {
    case 0: return [s, c];
    case 1: return [c, neg(s)];
    case 2: return [neg(s), neg(c)];
    default: return [neg(c), s];
  }
}

function roundToBigInt(x: Big): bigint {
  if (x.e >= 0) return x.m << BigInt(x.e);
  const k = BigInt(-x.e);
  const half = 1n << (k - 1n);
  return x.m >= 0n ? (x.m + half) >> k : -((-x.m + half) >> k);
}

/** atan2(y, x) in (−π, π]. */
export function atan2(y: Big, x: Big): Big {
  const ay = sign(y) < 0 ? neg(y) : y, ax = sign(x) < 0 ? neg(x) : x;
  let r: Big;
  if (cmp(ay, ax) <= 0) r = atanSmall(div(ay, ax));
  else r = sub(ldexp(PI, -1), atanSmall(div(ax, ay)));
  if (sign(x) < 0) r = sub(PI, r);
  return sign(y) < 0 ? neg(r) : r;
}

export { ONE, ZERO };
