// SSE single/double arithmetic (src/cpu/simd/sse-float.ts) on chosen
// operands: the x86 NaN rules, the default NaN, every MXCSR rounding mode,
// DAZ, FTZ and the exception flags. The same unit is compared with the host
// CPU over random and edge-case operands in test/oracle/simd-differential.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FOp, Rel, SseFloat } from '../../../src/cpu/simd/sse-float.js';

const IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
const MASKED = 0x1f80;
const rc = (mode: number): number => MASKED | (mode << 13);

function f32(op: FOp, a: number, b: number, mxcsr = MASKED): [number, number] {
  const fp = new SseFloat();
  fp.begin(mxcsr);
  const r = fp.op32(op, a, b);
  return [r, fp.flags];
}

function f64(op: FOp, a: [number, number], b: [number, number], mxcsr = MASKED): [string, number] {
  const fp = new SseFloat();
  fp.begin(mxcsr);
  fp.op64(op, a[0], a[1], b[0], b[1]);
  return [fp.hi.toString(16).padStart(8, '0') + fp.lo.toString(16).padStart(8, '0'), fp.flags];
}

describe('NaNs (SDM Vol. 1 Table 4-7, SSE column)', () => {
  test('two QNaNs: the first source operand, whatever the significands', () => {
    assert.deepEqual(f32(FOp.Add, 0x7fc0_0001, 0xffc1_0000), [0x7fc0_0001, 0]);
    assert.deepEqual(f32(FOp.Mul, 0xffc1_0000, 0x7fc0_0001), [0xffc1_0000, 0]);
  });
  test('an SNaN is quieted and raises IE; a QNaN first operand still wins over a second SNaN', () => {
    assert.deepEqual(f32(FOp.Sub, 0x7f80_0001, 0x3f80_0000), [0x7fc0_0001, IE]);
    assert.deepEqual(f32(FOp.Sub, 0x7fc0_0002, 0x7f80_0001), [0x7fc0_0002, IE]);
    assert.deepEqual(f32(FOp.Div, 0x3f80_0000, 0xff80_0005), [0xffc0_0005, IE]);
  });
  test('invalid operations give the negative real indefinite', () => {
    assert.deepEqual(f32(FOp.Add, 0x7f80_0000, 0xff80_0000), [0xffc0_0000, IE]);
    assert.deepEqual(f32(FOp.Mul, 0, 0xff80_0000), [0xffc0_0000, IE]);
    assert.deepEqual(f32(FOp.Div, 0x8000_0000, 0), [0xffc0_0000, IE]);
    assert.deepEqual(f32(FOp.Sqrt, 0xbf80_0000, 0), [0xffc0_0000, IE]);
    assert.deepEqual(f64(FOp.Sub, [0x7ff0_0000, 0], [0x7ff0_0000, 0]), ['fff8000000000000', IE]);
  });
  test('a finite non-zero divided by zero: signed infinity and ZE', () => {
    assert.deepEqual(f32(FOp.Div, 0xbf80_0000, 0), [0xff80_0000, ZE]);
  });
});

describe('rounding (MXCSR.RC)', () => {
  // 1 + 2^-24 is halfway between 1 and the next single, 1 + 2^-23.
  const ONE = 0x3f80_0000, HALF_ULP = 0x3380_0000;
  test('single: 1 + 2^-24 in each mode', () => {
    assert.deepEqual(f32(FOp.Add, ONE, HALF_ULP, rc(0)), [ONE, PE], 'to nearest even');
    assert.deepEqual(f32(FOp.Add, ONE, HALF_ULP, rc(1)), [ONE, PE], 'down');
    assert.deepEqual(f32(FOp.Add, ONE, HALF_ULP, rc(2)), [ONE + 1, PE], 'up');
    assert.deepEqual(f32(FOp.Add, ONE, HALF_ULP, rc(3)), [ONE, PE], 'toward zero');
    assert.deepEqual(f32(FOp.Add, ONE | 0x8000_0000, HALF_ULP | 0x8000_0000, rc(1)), [((ONE + 1) | 0x8000_0000) >>> 0, PE], '−: down');
  });
  test('double: 1/3 rounds down in RC 1 and 3, up in RC 0 and 2', () => {
    const one: [number, number] = [0x3ff0_0000, 0], three: [number, number] = [0x4008_0000, 0];
    assert.deepEqual(f64(FOp.Div, one, three, rc(0)), ['3fd5555555555555', PE]);
    assert.deepEqual(f64(FOp.Div, one, three, rc(2)), ['3fd5555555555556', PE]);
    assert.deepEqual(f64(FOp.Div, one, three, rc(3)), ['3fd5555555555555', PE]);
  });
  test('exact zero sums are +0, or −0 when rounding down', () => {
    assert.deepEqual(f32(FOp.Sub, ONE, ONE, rc(0)), [0, 0]);
    assert.deepEqual(f32(FOp.Sub, ONE, ONE, rc(1)), [0x8000_0000, 0]);
  });
  test('overflow: ∞ or the largest finite value by RC, with OE and PE', () => {
    const MAX = 0x7f7f_ffff;
    assert.deepEqual(f32(FOp.Add, MAX, MAX, rc(0)), [0x7f80_0000, OE | PE]);
    assert.deepEqual(f32(FOp.Add, MAX, MAX, rc(3)), [MAX, OE | PE]);
    assert.deepEqual(f32(FOp.Mul, MAX | 0x8000_0000, MAX, rc(2)), [(MAX | 0x8000_0000) >>> 0, OE | PE]);
  });
});

describe('denormals, DAZ and FTZ', () => {
  const TINY = 0x0000_0001; // 2^-149
  const MIN_NORMAL = 0x0080_0000;
  test('a denormal operand raises DE; a denormal result that is inexact raises UE and PE', () => {
    assert.deepEqual(f32(FOp.Add, TINY, TINY), [2, DE]);
    assert.deepEqual(f32(FOp.Mul, MIN_NORMAL, 0x3f00_0003), [0x0040_0002, UE | PE], '2^-127 × (1 + 3·2^-23): a tie, to even');
  });
  test('DAZ: denormal operands are zeros of the same sign, without DE', () => {
    assert.deepEqual(f32(FOp.Add, TINY, 0x8000_0001, MASKED | 0x40), [0, 0]);
    assert.deepEqual(f32(FOp.Add, 0x8000_0001, 0x8000_0001, MASKED | 0x40), [0x8000_0000, 0]);
  });
  test('FTZ: a tiny result becomes a signed zero with UE and PE', () => {
    assert.deepEqual(f32(FOp.Mul, MIN_NORMAL | 0x8000_0000, 0x3f00_0000, MASKED | 0x8000), [0x8000_0000, UE | PE]);
  });
  test('a result that rounds up to the smallest normal is not tiny (tininess after rounding)', () => {
    // (2^-126 − 2^-150) rounds to 2^-126 in RC 0: PE only.
    assert.deepEqual(f32(FOp.Sub, MIN_NORMAL, 0x0000_0000 | 0, rc(0)), [MIN_NORMAL, 0]);
    assert.deepEqual(f32(FOp.Mul, 0x007f_ffff | 0, 0x3f80_0001, rc(2)), [MIN_NORMAL, DE | PE]);
  });
});

describe('MIN, MAX and compares', () => {
  test('MIN/MAX return the second operand for a NaN (with IE) or for two zeros', () => {
    assert.deepEqual(f32(FOp.Min, 0x7fc0_0000, 0x3f80_0000), [0x3f80_0000, IE]);
    assert.deepEqual(f32(FOp.Max, 0x3f80_0000, 0x7f80_0001), [0x7f80_0001, IE]);
    assert.deepEqual(f32(FOp.Min, 0, 0x8000_0000), [0x8000_0000, 0]);
    assert.deepEqual(f32(FOp.Max, 0x8000_0000, 0), [0, 0]);
    assert.deepEqual(f32(FOp.Min, 0xbf80_0000, 0x3f80_0000), [0xbf80_0000, 0]);
  });
  test('quiet compares signal only on SNaNs; ±0 are equal', () => {
    const fp = new SseFloat();
    fp.begin(MASKED);
    assert.equal(fp.compare32(0x7fc0_0000, 0, false), Rel.Unordered);
    assert.equal(fp.flags, 0);
    assert.equal(fp.compare32(0x7fc0_0000, 0, true), Rel.Unordered);
    assert.equal(fp.flags, IE);
    assert.equal(fp.compare32(0x8000_0000, 0, false), Rel.Equal);
    assert.equal(fp.compare64(0xbff0_0000, 0, 0x3ff0_0000, 0, false), Rel.Less);
  });
});

describe('conversions', () => {
  test('to int32 by RC, truncated, and the integer indefinite for NaN and out of range', () => {
    const fp = new SseFloat();
    fp.begin(rc(0));
    assert.equal(fp.toInt32(0x4020_0000, false, false), 2, '2.5 to nearest even');
    assert.equal(fp.flags, PE);
    fp.begin(rc(2));
    assert.equal(fp.toInt32(0x4020_0000, false, false), 3, '2.5 up');
    assert.equal(fp.toInt32(0xc020_0000, true, false), -2, 'truncated');
    fp.begin(MASKED);
    assert.equal(fp.toInt32(0x4f00_0000, false, false) >>> 0, 0x8000_0000, '2^31');
    assert.equal(fp.flags, IE);
    assert.equal(fp.toInt32(0xcf00_0000, false, false) >>> 0, 0x8000_0000, '−2^31 fits');
    assert.equal(fp.toInt32(0xc1e0_0000, true, true, 0x0010_0000) >>> 0, 0x8000_0000, '−2^31 − 0.5 truncates into range');
  });
  test('single ⇄ double: exact widening, rounded narrowing, NaNs quieted', () => {
    const fp = new SseFloat();
    fp.begin(MASKED);
    fp.f32ToF64(0x7f80_0001);
    assert.equal(fp.hi.toString(16) + fp.lo.toString(16).padStart(8, '0'), '7ff8000020000000');
    assert.equal(fp.flags, IE);
    fp.begin(rc(3));
    assert.equal(fp.f64ToF32(0x3ff0_0000, 0x1000_0000), 0x3f80_0000);
    assert.equal(fp.flags, PE);
    assert.equal(fp.int32ToF32(0x0100_0001), 0x4b80_0000, '2^24 + 1 toward zero');
  });
});
