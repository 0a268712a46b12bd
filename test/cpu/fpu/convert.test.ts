// Conversions between the register format and memory formats
// (src/cpu/fpu/convert.ts): single and double against JavaScript's own
// encodings, integers, packed BCD, and the indefinites of invalid stores.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ex, Float80, FpCore } from '../../../src/cpu/fpu/float80.js';
import {
  Fmt, StoreResult, bcdBytes, fromBcd, fromF32, fromF64, fromInt64, storeOk, toFloat, toInteger,
} from '../../../src/cpu/fpu/convert.js';
import { Rng } from '../../../tools/oracle/case-generator.js';

describe('single and double precision', () => {
  test('load then store is the identity for every non-NaN value class', () => {
    const rng = new Rng(7);
    const v = new DataView(new ArrayBuffer(8));
    const c = new FpCore();
    const f = new Float80(), out = new StoreResult();
    for (let i = 0; i < 20000; i++) {
      const bits = rng.below(4) === 0 ? rng.below(0x80_0000) | (rng.below(2) << 31) : rng.next();
      if (((bits >>> 23) & 0xff) === 0xff && (bits & 0x7f_ffff) !== 0) continue;
      c.flags = 0;
      fromF32(c, f, bits >>> 0);
      toFloat(c, f, Fmt.F32, out);
      assert.equal(out.lo >>> 0, bits >>> 0);
      const hi = rng.next(), lo = rng.next();
      if (((hi >>> 20) & 0x7ff) === 0x7ff) continue;
      fromF64(c, f, hi, lo);
      toFloat(c, f, Fmt.F64, out);
      assert.deepEqual([out.hi >>> 0, out.lo >>> 0], [hi >>> 0, lo >>> 0]);
      v.setUint32(0, lo, true); v.setUint32(4, hi, true);
    }
  });

  test('rounding to single matches Math.fround (round to nearest)', () => {
    const rng = new Rng(8);
    const v = new DataView(new ArrayBuffer(8));
    const c = new FpCore();
    const f = new Float80(), out = new StoreResult();
    for (let i = 0; i < 20000; i++) {
      const d = (rng.next() / 2 ** 32 + 0.5) * 2 ** (rng.below(300) - 150);
      v.setFloat64(0, d, true);
      fromF64(c, f, v.getUint32(4, true), v.getUint32(0, true));
      toFloat(c, f, Fmt.F32, out);
      v.setUint32(0, out.lo, true);
      assert.equal(v.getFloat32(0, true), Math.fround(d), `${d}`);
    }
  });

  test('a denormal single loads with DE; an SNaN with IE, quieted', () => {
    const c = new FpCore();
    const f = new Float80();
    fromF32(c, f, 0x0000_0001);
    assert.equal(f.toHex(), '3f6a8000000000000000');
    assert.equal(c.flags, Ex.DE);
    c.flags = 0;
    fromF32(c, f, 0x7f80_0001);
    assert.equal(f.toHex(), '7fffc000010000000000');
    assert.equal(c.flags, Ex.IE);
  });
});

describe('integers and BCD', () => {
  test('int64 loads are exact; out-of-range stores are the integer indefinite with IE', () => {
    const c = new FpCore();
    const f = new Float80(), out = new StoreResult();
    fromInt64(f, 0x8000_0000, 0);
    assert.equal(f.toHex(), 'c03e8000000000000000');
    toInteger(c, f, 32, out);
    assert.equal(out.lo >>> 0, 0x8000_0000);
    assert.equal(c.flags, Ex.IE);
    assert.equal(storeOk(c), true, 'masked: the indefinite is stored');
  });

  test('BCD: 18 digits in and out, and the BCD indefinite beyond them', () => {
    const bytes = Uint8Array.from([0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0x65, 0x87, 0x80]);
    const f = new Float80(), out = new StoreResult(), back = new Uint8Array(10);
    fromBcd(f, bytes);
    const c = new FpCore();
    toInteger(c, f, 0, out);
    bcdBytes(out, f.se >>> 15, back);
    assert.deepEqual([...back], [...bytes]);
    f.set(0x403c, 0xde0b6b3a, 0x76400000); // 10^18
    toInteger(c, f, 0, out);
    bcdBytes(out, 0, back);
    assert.deepEqual([...back], [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
  });
});
