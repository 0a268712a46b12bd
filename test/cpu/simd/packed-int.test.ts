// The MMX/SSE2 packed-integer operations (src/cpu/simd/packed-int.ts) on
// chosen lanes: saturation, wrap-around, shift counts at and beyond the lane
// width, and the pack/unpack lane order. Every operation is also compared
// with the host CPU in test/oracle/simd-differential.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PACKED_OPS } from '../../../src/cpu/simd/packed-int.js';
import { Lanes } from '../../../src/cpu/simd/sse-state.js';

/** Runs PACKED_OPS[name] on dwords `a` (destination) and `b` (source) over `n` bytes; returns the result dwords. */
function op(name: string, a: number[], b: number[], n = 16): number[] {
  const d = new Lanes(), s = new Lanes(), t = new Lanes();
  a.forEach((v, i) => { d.u32[i] = v >>> 0; });
  b.forEach((v, i) => { s.u32[i] = v >>> 0; });
  PACKED_OPS[name]!(d, s, t, n);
  return [...d.u32.subarray(0, n >> 2)];
}

describe('arithmetic', () => {
  test('wrapping, signed and unsigned saturating byte adds', () => {
    assert.deepEqual(op('PADDB', [0x7f_ff_80_01], [0x01_01_ff_ff], 4), [0x80_00_7f_00]);
    assert.deepEqual(op('PADDSB', [0x7f_ff_80_01], [0x01_01_ff_ff], 4), [0x7f_00_80_00]);
    assert.deepEqual(op('PADDUSB', [0x7f_ff_80_01], [0x01_01_ff_ff], 4), [0x80_ff_ff_ff]);
    assert.deepEqual(op('PSUBUSW', [0x0001_8000], [0x0002_0001], 4), [0x0000_7fff]);
  });
  test('quadword add and subtract carry between the dwords', () => {
    assert.deepEqual(op('PADDQ', [0xffff_ffff, 0, 1, 0], [1, 0, 0xffff_ffff, 0xffff_ffff]), [0, 1, 0, 0]);
    assert.deepEqual(op('PSUBQ', [0, 1], [1, 0], 8), [0xffff_ffff, 0]);
  });
  test('multiplies: low, signed high, unsigned high, PMADDWD (8000h·8000h twice wraps), PMULUDQ', () => {
    assert.deepEqual(op('PMULLW', [0x8000_0003], [0x0002_0005], 4), [0x0000_000f]);
    assert.deepEqual(op('PMULHW', [0x8000_4000], [0x8000_4000], 4), [0x4000_1000]);
    assert.deepEqual(op('PMULHUW', [0xffff_0000], [0xffff_0000], 4), [0xfffe_0000]);
    assert.deepEqual(op('PMADDWD', [0x8000_8000], [0x8000_8000], 4), [0x8000_0000]);
    assert.deepEqual(op('PMULUDQ', [0xffff_ffff, 7], [0xffff_ffff, 9], 8), [1, 0xffff_fffe]);
  });
  test('PAVGB rounds up; PSADBW sums per eight bytes into the low word', () => {
    assert.deepEqual(op('PAVGB', [0x00_ff_01_00], [0x01_ff_02_00], 4), [0x01_ff_02_00]);
    assert.deepEqual(op('PSADBW', [0x0000_00ff, 0x0100_0000], [0x0000_0000, 0x0000_0001], 8), [0x100 + 1, 0]);
  });
});

describe('shifts', () => {
  test('counts beyond the lane width clear (logical) or fill with the sign (arithmetic); the count is 64 bits', () => {
    assert.deepEqual(op('PSRLW', [0x8000_8000], [16, 0], 4), [0]);
    assert.deepEqual(op('PSRAW', [0x8000_4000], [40, 0], 4), [0xffff_0000]);
    assert.deepEqual(op('PSLLD', [1], [0, 1], 4), [0], 'a count with high bits set');
    assert.deepEqual(op('PSLLQ', [0x8000_0001, 0], [33, 0], 8), [0, 2]);
    assert.deepEqual(op('PSRLQ', [0, 0x8000_0000], [63, 0], 8), [1, 0]);
  });
});

describe('pack and unpack', () => {
  test('PACKSSWB saturates the destination into the low half and the source into the high half', () => {
    assert.deepEqual(op('PACKSSWB', [0x8000_0100, 0x0010_ff00], [0x007f_0080, 0x0000_ffff], 8), [0x10_80_80_7f, 0x00_ff_7f_7f]);
    assert.deepEqual(op('PACKUSWB', [0xffff_0100, 0, 0, 0], [0, 0, 0, 0]), [0x0000_00ff, 0, 0, 0]);
  });
  test('PUNPCKLBW interleaves destination and source bytes, destination first', () => {
    assert.deepEqual(op('PUNPCKLBW', [0x44_33_22_11, 0], [0xdd_cc_bb_aa, 0], 8), [0xbb_22_aa_11, 0xdd_44_cc_33]);
    assert.deepEqual(op('PUNPCKHQDQ', [1, 2, 3, 4], [5, 6, 7, 8]), [3, 4, 7, 8]);
  });
});
