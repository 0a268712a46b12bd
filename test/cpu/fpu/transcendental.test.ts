// The arbitrary-precision helper behind the transcendental instructions
// (src/cpu/fpu/bigfloat.ts): its constants and identities. The results of
// the instructions themselves are compared with the host CPU, within the
// ulp bound reported there, in test/oracle/x87-differential.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as B from '../../../src/cpu/fpu/bigfloat.js';

/** Top `bits` bits of a positive value as a hex string. */
function topBits(x: B.Big, bits: number): string {
  const n = x.m.toString(2).length;
  return (x.m >> BigInt(n - bits)).toString(16);
}

describe('bigfloat', () => {
  test('π and ln 2 to 128 bits', () => {
    assert.equal(topBits(B.PI, 128), 'c90fdaa22168c234c4c6628b80dc1cd1');
    assert.equal(topBits(B.LN2, 128), 'b17217f7d1cf79abc9e3b39803f2f6af');
  });

  test('sin² + cos² = 1 and ln(e^x) = x to the working precision', () => {
    for (const k of [1, 3, 7, 100, 12345]) {
      const x = B.div(B.fromInt(k), B.fromInt(7));
      const [s, c] = B.sinCos(x, B.PI);
      const one = B.add(B.mul(s, s), B.mul(c, c));
      assert.ok(B.below(B.sub(one, B.ONE), -180), `k=${k}`);
    }
    const x = B.div(B.fromInt(1), B.fromInt(3));
    const back = B.log1p(B.expm1(x));
    assert.ok(B.below(B.sub(back, x), -180));
  });
});
