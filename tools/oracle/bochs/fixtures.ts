/**
 * Recorded Bochs results ("fixtures") for the cross-check: one JSON line per
 * case with its inputs and the line Bochs's run of the harness printed for
 * it, under test/fixtures/oracle/bochs-*.jsonl, so the comparison runs on
 * machines without Bochs. The first line is a header naming the reference:
 * Bochs, an emulator — not hardware.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './rom.js';
import type { GeneratedBxCase } from './cases.js';
import type { Mode, Run } from './layout.js';

/** The header line of a fixture file. */
export interface BochsFixtureHeader {
  source: string;
  /** The Bochs CPU model the cases ran on. */
  model: string;
  recorded: string;
  seed: number;
  casesPerForm: number;
  modes: Mode[];
  cases: number;
  /** sha256 (first 16 hex digits) of harness.asm + layout.inc: results depend on the harness. */
  harness: string;
}

/** One recorded case. */
export interface BochsFixtureLine {
  form: string;
  mode: Mode;
  code: string;
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  regs: number[];
  eflags: number;
  /** ES CS SS DS FS GS. */
  segs: number[];
  /** Data-window and stack-page pattern seeds. */
  seeds: [number, number];
  /** Explicit bytes: `off:hex` runs, comma-separated, or omitted. */
  data?: string;
  stack?: string;
  cr0?: number;
  sys?: 1;
  undef: number;
  undefRegs?: number[];
  undefStack?: number[];
  softInt?: number;
  /** What Bochs printed for the case (after its id), or "!crash" for a triple fault. */
  expect: string;
}

/** sha256 prefix of the harness sources. */
export function harnessHash(): string {
  const hash = createHash('sha256');
  for (const f of ['harness.asm', 'layout.inc']) hash.update(readFileSync(`${REPO_ROOT}tools/oracle/bochs/${f}`));
  return hash.digest('hex').slice(0, 16);
}

const runsToText = (runs: Run[]): string | undefined =>
  runs.length === 0 ? undefined : runs.map((r) => `${r.off.toString(16)}:${Buffer.from(r.bytes).toString('hex')}`).join(',');

const textToRuns = (text: string | undefined): Run[] =>
  !text ? [] : text.split(',').map((t) => {
    const [off, bytes] = t.split(':');
    return { off: parseInt(off!, 16), bytes: [...Buffer.from(bytes!, 'hex')] };
  });

/** The fixture line of a case and the reference's line for it. */
export function toFixtureLine(g: GeneratedBxCase, expect: string): BochsFixtureLine {
  const c = g.case;
  const line: BochsFixtureLine = {
    form: g.form, mode: c.mode, code: Buffer.from(c.code).toString('hex'), regs: c.regs.map((r) => r >>> 0),
    eflags: c.eflags, segs: c.segs, seeds: [c.dataSeed >>> 0, c.stackSeed >>> 0],
    data: runsToText(c.dataRuns), stack: runsToText(c.stackRuns),
    cr0: c.cr0bits || undefined, sys: c.sys ? 1 : undefined, undef: g.undef,
    undefRegs: g.undefRegs.some((m) => m !== 0) ? g.undefRegs : undefined,
    undefStack: g.undefStack.length > 0 ? g.undefStack : undefined,
    softInt: g.softInt, expect,
  };
  return line;
}

/** The case of a fixture line. */
export function fromFixtureLine(l: BochsFixtureLine): GeneratedBxCase {
  return {
    form: l.form,
    mnemonic: l.form.split(' ')[1] ?? '',
    case: {
      mode: l.mode, sys: l.sys === 1, code: Uint8Array.from(Buffer.from(l.code, 'hex')), regs: l.regs, eflags: l.eflags,
      segs: l.segs, dataSeed: l.seeds[0], stackSeed: l.seeds[1], dataRuns: textToRuns(l.data), stackRuns: textToRuns(l.stack),
      cr0bits: l.cr0 ?? 0,
    },
    undef: l.undef,
    undefRegs: l.undefRegs ?? [0, 0, 0, 0, 0, 0, 0, 0],
    undefStack: l.undefStack ?? [],
    softInt: l.softInt,
  };
}

/** Reads a fixture file: header and lines. */
export function readBochsFixtures(path: string): { header: BochsFixtureHeader; lines: BochsFixtureLine[] } {
  const text = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = JSON.parse(text[0]!) as BochsFixtureHeader;
  return { header, lines: text.slice(1).map((l) => JSON.parse(l) as BochsFixtureLine) };
}
