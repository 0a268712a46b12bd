/**
 * Records the host CPU's answers for the generated x87 cases
 * (x87-cases.ts) into test/fixtures/oracle/x87-hw.jsonl and reports how the
 * emulator compares:
 *
 *   node dist/tools/oracle/record-x87.js [--seed N] [--per-form N] [--out FILE] [--dry]
 *
 * `--dry` compares without writing. Uses the 64-bit helper; refuses to
 * write anything if it is unavailable.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { NativeOracle, nativeOracleUnavailableReason } from './native-oracle.js';
import { runOnEmulator } from './emulator-oracle.js';
import { compareX87, generateX87Cases, oracleCaseOf, recordExpectation } from './x87-cases.js';
import { transcendentalUlps } from './x87-ulp.js';
import { runWithRetries } from './fixture-state.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const seed = Number(arg('--seed', '1'));
const perForm = Number(arg('--per-form', '60'));
const out = arg('--out', 'test/fixtures/oracle/x87-hw.jsonl');
const dry = process.argv.includes('--dry');

const why = nativeOracleUnavailableReason(64);
if (why) {
  console.error(`record-x87: the native oracle is unavailable: ${why}`);
  process.exit(2);
}
const lines = generateX87Cases({ seed, casesPerForm: perForm, transcendental: true });
const oracle = new NativeOracle();
const results = await runWithRetries(oracle, lines.map(oracleCaseOf));
await oracle.close();
lines.forEach((l, i) => recordExpectation(l, results[i]!));

let mismatches = 0;
const byForm = new Map<string, string[]>();
let maxUlp = 0, transCases = 0, transOff = 0;
const ulpByForm = new Map<string, number>();
for (const line of lines) {
  const actual = runOnEmulator(oracleCaseOf(line));
  const diffs = line.transcendental ? transcendentalUlps(line, actual).diffs : compareX87(line, actual);
  if (line.transcendental) {
    const u = transcendentalUlps(line, actual).ulps;
    maxUlp = Math.max(maxUlp, u);
    transCases++;
    if (u > 0) transOff++;
    ulpByForm.set(line.form, Math.max(ulpByForm.get(line.form) ?? 0, u));
    if (u > 1 && process.argv.includes('--verbose')) console.log(`inf ulps: ${line.form} ${line.code} ${JSON.stringify(line.x87)} expected ${JSON.stringify(line.expect!.x87.st.slice(0, 3))} got ${JSON.stringify(actual.x87!.st.slice(0, 3))}`);
  }
  if (diffs.length > 0) {
    mismatches++;
    const list = byForm.get(line.form) ?? [];
    list.push(`${line.code} fcw=${line.x87.fcw.toString(16)} fsw=${line.x87.fsw.toString(16)} ftw=${line.x87.ftw.toString(16)} st=${line.x87.st.slice(0, 2).join(',')} data@100=${line.data}: ${diffs.join('; ')}`);
    byForm.set(line.form, list);
  }
}
if (!dry) {
  const header = {
    source: 'host CPU via the 64-bit oracle helper (x86_64); x87 state set and read through the signal frame',
    host: cpus()[0]?.model ?? 'unknown',
    recorded: new Date().toISOString().slice(0, 10),
    seed, casesPerForm: perForm, cases: lines.length, maxTranscendentalUlps: maxUlp,
  };
  writeFileSync(out, [JSON.stringify(header), ...lines.map((l) => JSON.stringify(l))].join('\n') + '\n');
  console.log(`recorded ${lines.length} cases (${new Set(lines.map((l) => l.form)).size} forms) into ${out}`);
}
console.log(`emulator mismatches: ${mismatches} of ${lines.length} in ${byForm.size} forms; transcendental max ulps ${maxUlp}`);
console.log(`transcendental results not bit-identical: ${transOff} of ${transCases}`);
console.log(`ulps by form: ${[...ulpByForm].map(([f, u]) => `${f}: ${u}`).join(', ')}`);
for (const [form, list] of byForm) console.log(`  ${form}: ${list.length} (e.g. ${list[0]})`);
