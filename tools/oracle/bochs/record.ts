/**
 * Records Bochs's answers for the generated cases into a fixture file and
 * reports how anillo compares:
 *
 *   node dist/tools/oracle/bochs/record.js [--seed N] [--per-form N] [--modes real16,pm32] [--out FILE]
 *
 * Bochs is an emulator: the fixture header says so, and names the CPU
 * model. Needs nasm and bochs (Debian: bochs, bochsbios); refuses to write
 * anything if Bochs is unavailable or a run fails.
 */
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { generateBochsCases } from './cases.js';
import { runCases, compareAll, CRASH_LINE } from './crosscheck.js';
import { bochsUnavailableReason, BOCHS_CPU_MODEL } from './runners.js';
import { harnessHash, toFixtureLine, type BochsFixtureHeader } from './fixtures.js';
import type { Mode } from './layout.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const seed = Number(arg('--seed', '1'));
const perForm = Number(arg('--per-form', '10'));
const modes = arg('--modes', 'real16,pm32,pm16').split(',') as Mode[];
const out = arg('--out', 'test/fixtures/oracle/bochs-crosscheck.jsonl');

const why = bochsUnavailableReason();
if (why) {
  console.error(`record: ${why}`);
  process.exit(2);
}
const version = /Bochs x86 Emulator ([0-9.]+)/.exec(spawnSync('bochs', ['--help'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '2.7';
const generated = generateBochsCases({ seed, casesPerForm: perForm, modes });
const log = (s: string) => process.stderr.write(`${s}\n`);
const expected = await runCases(generated.map((g) => g.case), 'bochs', log);
const crashes = expected.filter((e) => e === CRASH_LINE).length;
if (crashes > generated.length / 100) {
  console.error(`record: ${crashes} cases ended Bochs runs; not writing ${out}`);
  process.exit(1);
}
const header: BochsFixtureHeader = {
  source: `Bochs ${version} (emulator) — an emulator reference, not hardware: the cases ran on Bochs's ` +
    `${BOCHS_CPU_MODEL} CPU model through the cross-check ROM (tools/oracle/bochs/harness.asm)`,
  model: BOCHS_CPU_MODEL,
  recorded: new Date().toISOString().slice(0, 10),
  seed, casesPerForm: perForm, modes, cases: generated.length, harness: harnessHash(),
};
const lines = generated.map((g, i) => JSON.stringify(toFixtureLine(g, expected[i]!)));
writeFileSync(out, [JSON.stringify(header), ...lines].join('\n') + '\n');

const actual = await runCases(generated.map((g) => g.case), 'anillo');
const byForm = compareAll(generated, expected, actual);
let mismatches = 0;
for (const l of byForm.values()) mismatches += l.length;
console.log(`recorded ${generated.length} cases (${new Set(generated.map((g) => `${g.case.mode} ${g.form}`)).size} form/mode pairs, ` +
  `${crashes} triple faults) into ${out}`);
console.log(`anillo mismatches: ${mismatches} in ${byForm.size} form/mode pairs`);
for (const [form, list] of [...byForm].sort()) console.log(`  ${form}: ${list.length} (e.g. ${list[0]})`);
