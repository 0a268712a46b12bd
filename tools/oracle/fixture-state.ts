/**
 * What the x87 and SIMD fixtures have in common: comparing the integer side
 * of a recorded case (outcome, registers, EIP, defined flags, data bytes)
 * and running cases on the native helper with retries for timeouts.
 */
import { Flag } from '../../src/cpu/registers.js';
import { applySparse, DATA_SIZE, type NativeOracle, type OracleCase, type OracleRegs, type OracleResult } from './native-oracle.js';

/** EFLAGS bits both fixtures compare (the arithmetic flags, DF and TF). */
export const COMPARED_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF | Flag.DF | Flag.TF;

/** The part of a fixture line this module reads. */
export interface RecordedCase {
  data: string;
  expect?: { kind: OracleResult['kind']; vector?: number; regs: OracleRegs; eip: number; eflags: number; data: string };
}

/** Formats a value in hex for a difference line ('-' when absent). */
export const hexOf = (v: number | undefined): string => (v === undefined ? '-' : (v >>> 0).toString(16));

/**
 * Appends to `out` the differences in outcome, registers, EIP, flags and
 * data (bytes in `masked` skipped; the first differing byte only). Returns
 * false when the outcomes differ in kind or vector: nothing else is comparable then.
 */
export function compareIntegerState(line: RecordedCase, actual: OracleResult, masked: ReadonlySet<number>, out: string[]): boolean {
  const e = line.expect!;
  if (e.kind !== actual.kind || (e.kind === 'fault' && e.vector !== actual.vector)) {
    out.push(`kind: expected ${e.kind}${e.kind === 'fault' ? ` #${e.vector}` : ''}, got ${actual.kind}${actual.kind === 'fault' ? ` #${actual.vector}` : ''}`);
    return false;
  }
  for (const r of ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const) {
    if ((e.regs[r] >>> 0) !== (actual.regs[r] >>> 0)) out.push(`${r}: expected ${hexOf(e.regs[r])}, got ${hexOf(actual.regs[r])}`);
  }
  if ((e.eip >>> 0) !== (actual.eip >>> 0)) out.push(`eip: expected ${hexOf(e.eip)}, got ${hexOf(actual.eip)}`);
  if (((e.eflags ^ actual.eflags) & COMPARED_FLAGS) !== 0) {
    out.push(`eflags: expected ${hexOf(e.eflags & COMPARED_FLAGS)}, got ${hexOf(actual.eflags & COMPARED_FLAGS)}`);
  }
  const want = applySparse(e.data, applySparse(line.data, new Uint8Array(DATA_SIZE)));
  for (let i = 0; i < want.length; i++) {
    if (masked.has(i)) continue;
    if (want[i] !== actual.data[i]) { out.push(`data[0x${i.toString(16)}]: expected ${hexOf(want[i])}, got ${hexOf(actual.data[i])}`); break; }
  }
  return true;
}

/**
 * Runs `cases` on the native helper; a busy host can make a case overrun the
 * helper's timeout, so those run again (up to three times; none of these cases loops).
 */
export async function runWithRetries(oracle: NativeOracle, cases: OracleCase[]): Promise<OracleResult[]> {
  const results = await oracle.run(cases);
  for (let attempt = 0; attempt < 3; attempt++) {
    const again = results.map((r, i) => (r.kind === 'timeout' ? i : -1)).filter((i) => i >= 0);
    if (again.length === 0) break;
    const rerun = await oracle.run(again.map((i) => cases[i]!));
    again.forEach((i, k) => { results[i] = rerun[k]!; });
  }
  return results;
}
