/**
 * Comparison of transcendental results: everything bit-exact except the
 * stack registers written by the instruction, which may differ from the
 * host CPU's by a few units in the last place (the hardware is not
 * correctly rounded, SDM Vol. 1 §8.3.10); PE and C1 (rounded up) are then
 * allowed to differ too, and C1 alone even for equal results (the host
 * rounds its own internal approximation, which may lie on the other side). Results outside an instruction's documented domain
 * (F2XM1 beyond ±1, FYL2XP1 beyond ±(1 − √2/2)) are undefined and skipped.
 */
import type { OracleResult } from './native-oracle.js';
import { compareX87, type X87FixtureLine } from './x87-cases.js';

/** Distance in units of the last place between two 80-bit values (Infinity across signs or classes). */
export function ulpDistance(a: string, b: string): number {
  if (a === b) return 0;
  const sa = parseInt(a.slice(0, 4), 16), sb = parseInt(b.slice(0, 4), 16);
  if ((sa ^ sb) & 0x8000) return Infinity;
  const ea = sa & 0x7fff, eb = sb & 0x7fff;
  if (ea === 0x7fff || eb === 0x7fff) return Infinity;
  // Position on the number line of the format: exponent × 2^63 + fraction (63 bits), exact for adjacent exponents.
  const pos = (e: number, sig: bigint): bigint => BigInt(Math.max(e, 1)) * (1n << 63n) + (sig & ((1n << 63n) - 1n)) - (e === 0 ? 1n << 63n : 0n);
  const d = pos(ea, BigInt('0x' + a.slice(4))) - pos(eb, BigInt('0x' + b.slice(4)));
  return Number(d < 0n ? -d : d);
}

/** Whether a transcendental case's operands lie outside the instruction's defined domain. */
export function outsideDomain(line: X87FixtureLine): boolean {
  const code = line.code.slice(0, 4);
  const top = (line.x87.fsw >> 11) & 7;
  const st0 = line.x87.st[0]!;
  const valid0 = ((line.x87.ftw >> top) & 1) !== 0;
  if (!valid0) return false;
  const e = parseInt(st0.slice(0, 4), 16) & 0x7fff;
  if (e === 0x7fff) return false;
  if (code === 'd9f0') return e >= 0x3fff && st0.slice(4) !== '8000000000000000'; // |x| > 1
  if (code === 'd9f9') return e >= 0x3ffd; // |x| ≥ 0.25 (the bound is 1 − √2/2 ≈ 0.29)
  return false;
}

/** Differences (beyond the ulp tolerance `maxUlps`) and the largest ulp distance seen. */
export function transcendentalUlps(line: X87FixtureLine, actual: OracleResult, maxUlps = Infinity): { diffs: string[]; ulps: number } {
  if (outsideDomain(line)) return { diffs: [], ulps: 0 };
  const e = line.expect!;
  const x = actual.x87!;
  let ulps = 0;
  const patched = { ...actual, x87: { ...x, st: x.st.slice() } };
  for (let i = 0; i < 8; i++) {
    if (e.x87.st[i] === x.st[i]) continue;
    const d = ulpDistance(e.x87.st[i]!, x.st[i]!);
    ulps = Math.max(ulps, d);
    if (d <= maxUlps) patched.x87.st[i] = e.x87.st[i]!;
  }
  if (ulps > 0 && ulps <= maxUlps) {
    // Rounding differences move PE and C1 (rounded up) too.
    patched.x87.fsw = (patched.x87.fsw & ~0x0220) | (e.x87.fsw & 0x0220);
  } else if (ulps === 0) {
    // The same result reached from a slightly different internal value can carry the other "rounded up" C1.
    patched.x87.fsw = (patched.x87.fsw & ~0x0200) | (e.x87.fsw & 0x0200);
  }
  const diffs = compareX87(line, patched);
  return { diffs, ulps };
}
