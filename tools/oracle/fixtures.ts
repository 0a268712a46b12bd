/**
 * Recorded oracle results ("fixtures"): what the real CPU did for each
 * generated case, stored as JSON lines under test/fixtures/oracle/ so the
 * comparison runs on machines without the native helper. The first line is a
 * header naming the source of truth (which CPU, which helper, which seed).
 */
import { readFileSync } from 'node:fs';
import { CODE_BASE, SNIPPET_OFFSET, STACK_SIZE, applySparse, encodeSparse, hexToBytes, type OracleCase, type OracleResult } from './native-oracle.js';
import { dataFromSeed, type GeneratedCase } from './case-generator.js';

/** The header line of a fixture file. */
export interface FixtureHeader {
  source: string;
  host: string;
  recorded: string;
  seed: number;
  casesPerForm: number;
  cases: number;
}

/** One recorded case. */
export interface FixtureLine {
  form: string;
  mnemonic: string;
  code: string;
  regs: OracleCase['regs'];
  eflags: number;
  dataSeed: number;
  undef: number;
  expect: {
    kind: OracleResult['kind'];
    vector?: number;
    errorCode?: number;
    cr2?: number;
    regs: OracleResult['regs'];
    eip: number;
    eflags: number;
    data: string;
    stack: string;
  };
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * Fixture line for a case run on the long-mode oracle: EIPs past the start of
 * the snippet are shifted back by the length of the added 0x67 prefix, so they
 * are in terms of the 32-bit encoding.
 */
export function toFixtureLine(g: GeneratedCase, r: OracleResult): FixtureLine {
  const start = CODE_BASE + SNIPPET_OFFSET;
  const delta = (g.code64?.length ?? 0) - (g.case.code as Uint8Array).length;
  const eip = r.eip > start ? r.eip - delta : r.eip;
  const initialData = dataFromSeed(g.dataSeed);
  const fullData = new Uint8Array(r.data.length);
  fullData.set(initialData);
  return {
    form: g.form, mnemonic: g.mnemonic, code: toHex(g.case.code as Uint8Array),
    regs: g.case.regs, eflags: g.case.eflags, dataSeed: g.dataSeed, undef: g.undefinedFlags,
    expect: {
      kind: r.kind, vector: r.vector, errorCode: r.errorCode, cr2: r.cr2,
      regs: r.regs, eip, eflags: r.eflags,
      data: encodeSparse(r.data, fullData), stack: encodeSparse(r.stack, new Uint8Array(STACK_SIZE)),
    },
  };
}

/** The case to run on the emulator and the result the oracle recorded. */
export function fromFixtureLine(line: FixtureLine): { case: OracleCase; expected: OracleResult } {
  const data = dataFromSeed(line.dataSeed);
  const fullData = new Uint8Array(0x2000);
  fullData.set(data);
  const c: OracleCase = { mode: 32, code: hexToBytes(line.code), regs: line.regs, eflags: line.eflags, data };
  const e = line.expect;
  const expected: OracleResult = {
    kind: e.kind, vector: e.vector, errorCode: e.errorCode, cr2: e.cr2, signal: 0,
    regs: e.regs, eip: e.eip, eflags: e.eflags, initialEflags: line.eflags,
    segs: { cs: 0, ds: 0, es: 0, ss: 0, fs: 0, gs: 0 },
    code: new Uint8Array(0),
    data: applySparse(e.data, fullData),
    stack: applySparse(e.stack, new Uint8Array(STACK_SIZE)),
  };
  return { case: c, expected };
}

/** Reads a fixture file: header and lines. */
export function readFixtures(path: string): { header: FixtureHeader; lines: FixtureLine[] } {
  const text = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = JSON.parse(text[0]!) as FixtureHeader;
  return { header, lines: text.slice(1).map((l) => JSON.parse(l) as FixtureLine) };
}
