/**
 * The Bochs cross-check driver: runs generated cases on Bochs and on anillo
 * and compares them per case.
 *
 *   node dist/tools/oracle/bochs/crosscheck.js [--seed N] [--per-form N] [--modes real16,pm32]
 *        [--form REGEX] [--show N]
 *
 * Prints the mismatches grouped by form. Needs nasm and bochs (Debian:
 * bochs, bochsbios); runs one Bochs at a time (its rfb display takes TCP
 * port 5900).
 */
import { buildRoms } from './rom.js';
import { runOnAnillo, runOnBochs, type RunOutput } from './runners.js';
import { splitOutput, parseLine, compareBx } from './result.js';
import { generateBochsCases, type GeneratedBxCase } from './cases.js';
import type { BxCase, Mode } from './layout.js';

export type Engine = 'bochs' | 'anillo';

/** The line standing for a case that ended the machine (triple fault, or a run that broke off there). */
export const CRASH_LINE = '!crash';

/**
 * Runs cases on an engine: the line (after the id) of each case, by index.
 * When a ROM run ends early (a case that triple-faults takes the harness
 * with it), the first case without a line gets {@link CRASH_LINE} and the
 * rest are run again in fresh ROMs.
 */
export async function runCases(cases: readonly BxCase[], engine: Engine, log: (s: string) => void = () => {}): Promise<string[]> {
  const lines: string[] = new Array(cases.length).fill(CRASH_LINE);
  let pending = cases.map((_, i) => i);
  let round = 0;
  while (pending.length > 0) {
    const roms = buildRoms(pending.map((i) => cases[i]!));
    const retry: number[] = [];
    for (const [r, rom] of roms.entries()) {
      const run: RunOutput = engine === 'bochs' ? await runOnBochs(rom.image) : runOnAnillo(rom.image);
      const got = splitOutput(run.output);
      const ids = rom.ids.map((k) => pending[k]!);
      let firstMissing = -1;
      rom.ids.forEach((k, j) => {
        const line = got.get(k);
        if (line !== undefined) lines[ids[j]!] = line;
        else if (firstMissing < 0) firstMissing = j;
      });
      if (firstMissing >= 0) {
        lines[ids[firstMissing]!] = CRASH_LINE;
        retry.push(...ids.slice(firstMissing + 1).filter((id, j) => !got.has(rom.ids[firstMissing + 1 + j]!)));
        log(`${engine}: ROM ${r + 1}/${roms.length}${round ? ` (rerun ${round})` : ''}: case ${ids[firstMissing]} ended the run (${run.message.slice(0, 160)})`);
      } else {
        log(`${engine}: ROM ${r + 1}/${roms.length}${round ? ` (rerun ${round})` : ''}: ${rom.ids.length} cases`);
      }
    }
    pending = retry;
    round++;
  }
  return lines;
}

/** Mismatches of anillo's lines against Bochs's, by form. */
export function compareAll(generated: readonly GeneratedBxCase[], expected: readonly string[],
  actual: readonly string[]): Map<string, string[]> {
  const byForm = new Map<string, string[]>();
  generated.forEach((g, i) => {
    const e = expected[i]!, a = actual[i]!;
    let diffs: string[];
    if (e === CRASH_LINE || a === CRASH_LINE) {
      diffs = e === a ? [] : [e === CRASH_LINE ? 'expected the machine to shut down (triple fault), got a result' : 'the machine shut down (triple fault)'];
    } else diffs = compareBx(g, parseLine(e), parseLine(a));
    if (diffs.length === 0) return;
    const key = `${g.case.mode} ${g.form}`;
    const list = byForm.get(key) ?? [];
    list.push(`${describe(g)}: ${diffs.join('; ')}`);
    byForm.set(key, list);
  });
  return byForm;
}

/** A case in one line: code, registers, flags. */
export function describe(g: GeneratedBxCase): string {
  const c = g.case;
  const h = (v: number) => (v >>> 0).toString(16);
  return `${Buffer.from(c.code).toString('hex')} [eax=${h(c.regs[0]!)} ecx=${h(c.regs[1]!)} edx=${h(c.regs[2]!)} ebx=${h(c.regs[3]!)} ` +
    `esp=${h(c.regs[4]!)} ebp=${h(c.regs[5]!)} esi=${h(c.regs[6]!)} edi=${h(c.regs[7]!)} fl=${h(c.eflags)}` +
    `${c.cr0bits ? ` cr0|=${h(c.cr0bits)}` : ''}` +
    `${c.segs[2] !== (c.mode === 'real16' ? 0x1fc0 : 0x30) ? ` ss=${h(c.segs[2]!)}` : ''}` +
    `${c.segs[3] !== (c.mode === 'real16' ? 0x2000 : 0x10) ? ` ds=${h(c.segs[3]!)}` : ''}]`;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const seed = Number(arg('--seed', '7'));
  const perForm = Number(arg('--per-form', '4'));
  const modes = arg('--modes', 'real16,pm32,pm16').split(',') as Mode[];
  const formFilter = new RegExp(arg('--form', '.'));
  const show = Number(arg('--show', '3'));
  const generated = generateBochsCases({ seed, casesPerForm: perForm, modes }).filter((g) => formFilter.test(`${g.case.mode} ${g.form}`));
  const cases = generated.map((g) => g.case);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const expected = await runCases(cases, 'bochs', log);
  const t0 = Date.now();
  const actual = await runCases(cases, 'anillo', log);
  log(`anillo: ${Date.now() - t0} ms`);
  const byForm = compareAll(generated, expected, actual);
  const answered = expected.filter((e) => e !== CRASH_LINE).length;
  let mismatches = 0;
  for (const list of byForm.values()) mismatches += list.length;
  console.log(`${generated.length} cases (${new Set(generated.map((g) => `${g.case.mode} ${g.form}`)).size} form/mode pairs), ` +
    `${answered} answered by Bochs; ${mismatches} mismatches in ${byForm.size} form/mode pairs`);
  for (const [form, list] of [...byForm].sort()) {
    console.log(`  ${form}: ${list.length}`);
    for (const l of list.slice(0, show)) console.log(`      ${l}`);
  }
}

if (process.argv[1]?.endsWith('crosscheck.js')) await main();
