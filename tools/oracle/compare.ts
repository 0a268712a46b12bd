/**
 * Compares the emulator's result with the oracle's for one case, masking
 * exactly what the SDM leaves undefined (the case's undefined flags) and
 * what the environments legitimately differ in (RF in a fault's EFLAGS
 * image; selectors and the code page for long-mode oracle runs).
 */
import { Flag } from '../../src/cpu/registers.js';
import type { OracleResult } from './native-oracle.js';

/** EFLAGS bits compared: the status flags, TF, DF, IF, IOPL, NT, AC. */
const COMPARED_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF | Flag.TF | Flag.IF | Flag.DF |
  Flag.IOPL | Flag.NT | Flag.AC;

/** What to compare. */
export interface CompareOptions {
  undefinedFlags: number;
  /** Compare segment selectors (false for long-mode oracle results). */
  segments: boolean;
}

const hex = (v: number | undefined): string => (v === undefined ? '-' : `0x${(v >>> 0).toString(16)}`);

function diffBytes(name: string, expected: Uint8Array, actual: Uint8Array, out: string[]): void {
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) {
      out.push(`${name}[0x${i.toString(16)}]: expected 0x${expected[i]!.toString(16)}, got 0x${actual[i]!.toString(16)}`);
      return;
    }
  }
}

/** Differences as readable lines (empty when the results agree). */
export function compareResults(expected: OracleResult, actual: OracleResult, options: CompareOptions): string[] {
  const out: string[] = [];
  if (expected.kind !== actual.kind) {
    out.push(`kind: expected ${expected.kind}${expected.kind === 'fault' ? ` #${expected.vector}(${hex(expected.errorCode)})` : ''}, ` +
      `got ${actual.kind}${actual.kind === 'fault' ? ` #${actual.vector}(${hex(actual.errorCode)})` : ''}`);
    return out;
  }
  if (expected.kind === 'fault') {
    if (expected.vector !== actual.vector) out.push(`vector: expected ${expected.vector}, got ${actual.vector}`);
    else if ((expected.errorCode ?? 0) !== (actual.errorCode ?? 0)) {
      out.push(`error code: expected ${hex(expected.errorCode)}, got ${hex(actual.errorCode)}`);
    }
    if (expected.vector === 14 && expected.cr2 !== actual.cr2) out.push(`cr2: expected ${hex(expected.cr2)}, got ${hex(actual.cr2)}`);
  }
  for (const r of ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const) {
    if ((expected.regs[r] >>> 0) !== (actual.regs[r] >>> 0)) out.push(`${r}: expected ${hex(expected.regs[r])}, got ${hex(actual.regs[r])}`);
  }
  if ((expected.eip >>> 0) !== (actual.eip >>> 0)) out.push(`eip: expected ${hex(expected.eip)}, got ${hex(actual.eip)}`);
  const mask = COMPARED_FLAGS & ~options.undefinedFlags;
  if (((expected.eflags ^ actual.eflags) & mask) !== 0) {
    out.push(`eflags: expected ${hex(expected.eflags & mask)}, got ${hex(actual.eflags & mask)} (differing ${hex((expected.eflags ^ actual.eflags) & mask)})`);
  }
  if (options.segments) {
    for (const s of ['cs', 'ds', 'es', 'ss', 'fs', 'gs'] as const) {
      if (expected.segs[s] !== actual.segs[s]) out.push(`${s}: expected ${hex(expected.segs[s])}, got ${hex(actual.segs[s])}`);
    }
  }
  diffBytes('data', expected.data, actual.data, out);
  diffBytes('stack', expected.stack, actual.stack, out);
  return out;
}
