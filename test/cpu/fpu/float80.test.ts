// The 80-bit arithmetic core (src/cpu/fpu/float80.ts, arith.ts, misc.ts):
// correctly rounded +, −, ×, ÷, √ in every rounding mode and precision
// against an exact BigInt reference, against JavaScript's own doubles
// where they must agree (PC = 53, round to nearest), and the host-CPU
// behaviours the code follows (each found with the hardware oracle,
// test/oracle/x87-differential.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ex, Float80, FpCore, Rc } from '../../../src/cpu/fpu/float80.js';
import { add, div, mul, sqrt } from '../../../src/cpu/fpu/arith.js';
import { partialRemainder, roundToInteger, scale } from '../../../src/cpu/fpu/misc.js';
import { Rng } from '../../../tools/oracle/case-generator.js';

const f = (hex: string): Float80 => Float80.fromHex(hex);

function core(rc = Rc.Nearest, masks = 0x3f): FpCore {
  const c = new FpCore();
  c.rc = rc; c.masks = masks;
  return c;
}

// ---- an exact reference -----------------------------------------------------------------

/** Value of a finite normal Float80 as sign, BigInt significand and exponent of its lsb. */
function exact(v: Float80): { s: number; m: bigint; e: number } {
  return { s: v.se >> 15, m: (BigInt(v.hi) << 32n) | BigInt(v.lo), e: (v.se & 0x7fff) - 16383 - 63 };
}

/**
 * Rounds the positive rational num/den × 2^e to `prec` bits per RC (sign
 * `s`), as a Float80 hex string; inputs stay in the normal range.
 */
function roundRational(s: number, num: bigint, den: bigint, e: number, prec: number, rc: Rc): string {
  // Scale so that the integer quotient has exactly prec bits.
  let k = 0;
  while ((num << BigInt(Math.max(0, -k))) / (den << BigInt(Math.max(0, k))) >= (1n << BigInt(prec))) k++;
  while ((num << BigInt(Math.max(0, -k))) / (den << BigInt(Math.max(0, k))) < (1n << BigInt(prec - 1))) k--;
  const n = num << BigInt(Math.max(0, -k)), d = den << BigInt(Math.max(0, k));
  let q = n / d;
  const r = n - q * d;
  let up = false;
  if (r !== 0n) {
    if (rc === Rc.Nearest) up = 2n * r > d || (2n * r === d && (q & 1n) === 1n);
    else if (rc === Rc.Up) up = s === 0;
    else if (rc === Rc.Down) up = s === 1;
  }
  if (up) q += 1n;
  let exp = e + k;
  if (q === 1n << BigInt(prec)) { q >>= 1n; exp++; }
  const sig = q << BigInt(64 - prec);
  const biased = exp + prec - 1 + 16383;
  return ((s << 15) | biased).toString(16).padStart(4, '0') + sig.toString(16).padStart(16, '0');
}

function randomNormal(rng: Rng): Float80 {
  const e = 0x3fff - 60 + rng.below(120);
  const hi = (0x8000_0000 | rng.next()) >>> 0;
  const lo = rng.below(3) === 0 ? 0 : rng.next();
  return new Float80().set((rng.below(2) << 15) | e, hi, lo);
}

describe('correct rounding against an exact reference', () => {
  const rng = new Rng(12345);
  const rcs = [Rc.Nearest, Rc.Down, Rc.Up, Rc.Zero];
  const precisions = [24, 53, 64];

  test('addition and subtraction, every RC and PC', () => {
    for (let i = 0; i < 3000; i++) {
      const a = randomNormal(rng), b = randomNormal(rng);
      const rc = rng.pick(rcs), p = rng.pick(precisions);
      const c = core(rc);
      const out = new Float80();
      add(c, a, b, false, p, out);
      const x = exact(a), y = exact(b);
      const e = Math.min(x.e, y.e);
      const sum = (x.s ? -1n : 1n) * (x.m << BigInt(x.e - e)) + (y.s ? -1n : 1n) * (y.m << BigInt(y.e - e));
      if (sum === 0n) continue;
      const want = roundRational(sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, 1n, e, p, rc);
      assert.equal(out.toHex(), want, `${a.toHex()} + ${b.toHex()} rc=${rc} pc=${p}`);
    }
  });

  test('multiplication and division, every RC and PC', () => {
    for (let i = 0; i < 3000; i++) {
      const a = randomNormal(rng), b = randomNormal(rng);
      const rc = rng.pick(rcs), p = rng.pick(precisions);
      const x = exact(a), y = exact(b), s = x.s ^ y.s;
      const out = new Float80();
      mul(core(rc), a, b, p, out);
      assert.equal(out.toHex(), roundRational(s, x.m * y.m, 1n, x.e + y.e, p, rc), `${a.toHex()} × ${b.toHex()}`);
      div(core(rc), a, b, p, out);
      assert.equal(out.toHex(), roundRational(s, x.m, y.m, x.e - y.e, p, rc), `${a.toHex()} ÷ ${b.toHex()}`);
    }
  });

  test('square root, every RC and PC', () => {
    for (let i = 0; i < 2000; i++) {
      const a = randomNormal(rng);
      a.se &= 0x7fff;
      const rc = rng.pick(rcs), p = rng.pick(precisions);
      const out = new Float80();
      sqrt(core(rc), a, p, out);
      // Check the bracket: r = result, r⁻ and r⁺ its neighbours at p bits: the rounding picks per RC.
      const r = exact(out), x = exact(a);
      const step = 1n << BigInt(64 - p);
      const sq = (m: bigint): bigint => m * m; // compare m²·2^(2e) with x.m·2^(x.e)
      const cmp = (m: bigint): number => {
        const lhsE = 2 * r.e, rhsE = x.e, base = Math.min(lhsE, rhsE);
        const l = sq(m) << BigInt(lhsE - base), rr = x.m << BigInt(rhsE - base);
        return l < rr ? -1 : l > rr ? 1 : 0;
      };
      const here = cmp(r.m);
      if (here === 0) continue;
      if (rc === Rc.Zero || rc === Rc.Down) assert.ok(here < 0 && cmp(r.m + step) > 0, `√${a.toHex()} truncated`);
      else if (rc === Rc.Up) assert.ok(here > 0 && cmp(r.m - step) < 0, `√${a.toHex()} rounded up`);
      else {
        // Nearest: (r ± step/2)² brackets x.
        const twice = (m: bigint): bigint => 2n * m;
        const lo = cmpHalf(twice(r.m) - step), hi = cmpHalf(twice(r.m) + step);
        assert.ok(lo <= 0 && hi >= 0, `√${a.toHex()} to nearest`);
      }
      function cmpHalf(m2: bigint): number {
        // (m2/2)² vs x: m2² · 2^(2e−2) vs x.m · 2^x.e
        const lhsE = 2 * r.e - 2, rhsE = x.e, base = Math.min(lhsE, rhsE);
        const l = (m2 * m2) << BigInt(lhsE - base), rr = x.m << BigInt(rhsE - base);
        return l < rr ? -1 : l > rr ? 1 : 0;
      }
    }
  });
});

describe('JavaScript doubles agree at 53 bits, round to nearest', () => {
  test('+, −, ×, ÷, √ on double-valued operands', () => {
    const rng = new Rng(99);
    const view = new DataView(new ArrayBuffer(8));
    const toF80 = (d: number): Float80 => {
      view.setFloat64(0, d, true);
      const hi = view.getUint32(4, true), lo = view.getUint32(0, true);
      const e = (hi >>> 20) & 0x7ff;
      const sig = (((hi & 0xf_ffff) | 0x10_0000) * 2 ** 11) + (lo >>> 21); // top 32 bits: 1 + 20 + 11
      return new Float80().set(((hi >>> 31) << 15) | (e - 1023 + 16383), sig >>> 0, (lo << 11) >>> 0);
    };
    const fromF80 = (v: Float80): number => {
      const e = (v.se & 0x7fff) - 16383;
      return ((v.se & 0x8000) ? -1 : 1) * (v.hi * 2 ** 32 + v.lo) * 2 ** (e - 63);
    };
    for (let i = 0; i < 5000; i++) {
      const a = (rng.next() / 2 ** 32 + 0.5) * 2 ** (rng.below(40) - 20) * (rng.below(2) ? -1 : 1);
      const b = (rng.next() / 2 ** 32 + 0.5) * 2 ** (rng.below(40) - 20) * (rng.below(2) ? -1 : 1);
      const out = new Float80();
      add(core(), toF80(a), toF80(b), false, 53, out); assert.equal(fromF80(out), a + b);
      mul(core(), toF80(a), toF80(b), 53, out); assert.equal(fromF80(out), a * b);
      div(core(), toF80(a), toF80(b), 53, out); assert.equal(fromF80(out), a / b);
      sqrt(core(), toF80(Math.abs(a)), 53, out); assert.equal(fromF80(out), Math.sqrt(Math.abs(a)));
    }
  });
});

describe('host-CPU behaviours', () => {
  test('tininess is detected after rounding: a product that rounds up to 2^-16382 raises PE and C1 but no UE', () => {
    const c = core();
    const out = new Float80();
    mul(c, f('20bfe000000000000000'), f('1f409249249249249249'), 64, out);
    assert.equal(out.toHex(), '00018000000000000000');
    assert.equal(c.flags & (Ex.UE | Ex.PE | Ex.C1), Ex.PE | Ex.C1);
  });

  test('masked overflow: ∞ (C1) to nearest and up, the largest finite value toward zero', () => {
    for (const [rc, want, c1] of [[Rc.Nearest, '7fff8000000000000000', Ex.C1], [Rc.Zero, '7ffeffffffffffffffff', 0],
      [Rc.Down, '7ffeffffffffffffffff', 0], [Rc.Up, '7fff8000000000000000', Ex.C1]] as const) {
      const c = core(rc);
      const out = new Float80();
      mul(c, f('7ffeffffffffffffffff'), f('40008000000000000000'), 64, out);
      assert.equal(out.toHex(), want);
      assert.equal(c.flags & (Ex.OE | Ex.PE | Ex.C1), Ex.OE | Ex.PE | c1);
    }
  });

  test('unmasked overflow on the stack: the exponent wrapped by 24576', () => {
    const c = core(Rc.Nearest, 0x37);
    const out = new Float80();
    mul(c, f('7ffeffffffffffffffff'), f('40008000000000000000'), 64, out);
    assert.equal(out.toHex(), '1fffffffffffffffffff');
    assert.equal(c.flags & 0x3f, Ex.OE);
  });

  test('PC = 24 rounds denormal results at the same bit (40) of the significand', () => {
    const c = core();
    const out = new Float80();
    mul(c, f('3ff78000010000000001'), f('00018000000000000000'), 24, out);
    assert.equal(out.toHex(), '00000080000000000000');
    assert.equal(c.flags & 0x3f, Ex.UE | Ex.PE);
  });

  test('of two NaNs with equal significands the positive one wins', () => {
    const c = core();
    const out = new Float80();
    mul(c, f('ffffc000000000000001'), f('7fffc000000000000001'), 64, out);
    assert.equal(out.toHex(), '7fffc000000000000001');
  });

  test('FPREM reduces a large exponent difference by 32 + (difference mod 32) and sets C2', () => {
    const c = core();
    const out = new Float80();
    const cc = partialRemainder(c, f('4042b17217f7d1cf79ab'), f('3fffc90fdaa22168c235'), false, out);
    assert.equal(out.toHex(), '401f821a53b6cc0a54d5');
    assert.equal(cc, 0x0400);
  });

  test('FRNDINT and FSCALE', () => {
    const c = core();
    const out = new Float80();
    roundToInteger(c, f('4000a000000000000000'), out); // 2.5 → 2
    assert.equal(out.toHex(), '40008000000000000000');
    assert.equal(c.flags & 0x221, Ex.PE);
    scale(core(), f('3fff8000000000000000'), f('4001a000000000000000'), out); // 1 × 2^trunc(5)
    assert.equal(out.toHex(), '40048000000000000000');
  });
});
