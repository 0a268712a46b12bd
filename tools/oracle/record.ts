/**
 * Records the host CPU's answers for the generated cases into a fixture file
 * and reports how the emulator compares:
 *
 *   node dist/tools/oracle/record.js [--seed N] [--per-form N] [--out FILE]
 *
 * Uses the 64-bit helper (the host runs the cases in long mode with 32-bit
 * address computation, see case-generator.ts), which works on hosts without
 * IA-32 user mode. Refuses to write anything if the helper is unavailable.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { generateCases } from './case-generator.js';
import { NativeOracle, nativeOracleUnavailableReason, type OracleCase } from './native-oracle.js';
import { toFixtureLine, fromFixtureLine, type FixtureHeader } from './fixtures.js';
import { runOnEmulator } from './emulator-oracle.js';
import { compareResults } from './compare.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const seed = Number(arg('--seed', '1'));
const perForm = Number(arg('--per-form', '40'));
const out = arg('--out', 'test/fixtures/oracle/longmode-hw.jsonl');

const why = nativeOracleUnavailableReason(64);
if (why) {
  console.error(`record: the native oracle is unavailable: ${why}`);
  process.exit(2);
}
const generated = generateCases({ seed, casesPerForm: perForm, longModeOnly: true });
const oracle = new NativeOracle();
const cases: OracleCase[] = generated.map((g) => ({ ...g.case, mode: 64, code64: g.code64 }));
const results = await oracle.run(cases);
const info = await oracle.info(64);
await oracle.close();

const lines = generated.map((g, i) => toFixtureLine(g, results[i]!));
const header: FixtureHeader = {
  source: `host CPU via the 64-bit oracle helper (${info.arch}); cases run in long mode with 0x67 address-size prefixes`,
  host: cpus()[0]?.model ?? 'unknown',
  recorded: new Date().toISOString().slice(0, 10),
  seed, casesPerForm: perForm, cases: lines.length,
};
writeFileSync(out, [JSON.stringify(header), ...lines.map((l) => JSON.stringify(l))].join('\n') + '\n');

let mismatches = 0;
const byForm = new Map<string, string[]>();
for (const line of lines) {
  const { case: c, expected } = fromFixtureLine(line);
  const diffs = compareResults(expected, runOnEmulator(c), { undefinedFlags: line.undef, segments: false });
  if (diffs.length > 0) {
    mismatches++;
    const list = byForm.get(line.form) ?? [];
    list.push(`${line.code}: ${diffs.join('; ')}`);
    byForm.set(line.form, list);
  }
}
console.log(`recorded ${lines.length} cases (${new Set(lines.map((l) => l.form)).size} forms) into ${out}`);
console.log(`emulator mismatches: ${mismatches} in ${byForm.size} forms`);
for (const [form, list] of byForm) console.log(`  ${form}: ${list.length} (e.g. ${list[0]})`);
