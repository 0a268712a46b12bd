/**
 * Records the host CPU's answers for the generated MMX/SSE/SSE2 cases
 * (simd-cases.ts) into test/fixtures/oracle/simd-hw.jsonl and reports how
 * the emulator compares:
 *
 *   node dist/tools/oracle/record-simd.js [--seed N] [--float N] [--other N] [--out FILE] [--dry] [--verbose]
 *
 * `--dry` compares without writing. Uses the 64-bit helper; refuses to
 * write anything if it is unavailable.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { NativeOracle, nativeOracleUnavailableReason } from './native-oracle.js';
import { runOnEmulator } from './emulator-oracle.js';
import { compareSimd, generateSimdCases, oracleCaseOf, recordExpectation } from './simd-cases.js';
import { runWithRetries } from './fixture-state.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const seed = Number(arg('--seed', '1'));
const floatCases = Number(arg('--float', '30'));
const otherCases = Number(arg('--other', '8'));
const out = arg('--out', 'test/fixtures/oracle/simd-hw.jsonl');
const dry = process.argv.includes('--dry');
const verbose = process.argv.includes('--verbose');

const why = nativeOracleUnavailableReason(64);
if (why) {
  console.error(`record-simd: the native oracle is unavailable: ${why}`);
  process.exit(2);
}
const lines = generateSimdCases({ seed, floatCases, otherCases });
const oracle = new NativeOracle();
const results = await runWithRetries(oracle, lines.map(oracleCaseOf));
await oracle.close();
lines.forEach((l, i) => recordExpectation(l, results[i]!));

let mismatches = 0;
const byForm = new Map<string, string[]>();
for (const line of lines) {
  const diffs = compareSimd(line, runOnEmulator(oracleCaseOf(line)));
  if (diffs.length > 0) {
    mismatches++;
    const list = byForm.get(line.form) ?? [];
    list.push(`${line.code} mxcsr=${line.sse.mxcsr.toString(16)} xmm=${line.sse.xmm.join(',')} data=${line.data.slice(0, 120)}: ${diffs.join('; ')}`);
    byForm.set(line.form, list);
  }
}
if (!dry) {
  const header = {
    source: 'host CPU via the 64-bit oracle helper (x86_64); SSE and x87/MMX state set and read through the signal frame',
    host: cpus()[0]?.model ?? 'unknown',
    recorded: new Date().toISOString().slice(0, 10),
    seed, floatCases, otherCases, cases: lines.length, forms: new Set(lines.map((l) => l.form.replace(/ [mr]$/, ''))).size,
  };
  writeFileSync(out, [JSON.stringify(header), ...lines.map((l) => JSON.stringify(l))].join('\n') + '\n');
  console.log(`recorded ${lines.length} cases (${header.forms} forms) into ${out}`);
}
console.log(`emulator mismatches: ${mismatches} of ${lines.length} in ${byForm.size} forms`);
for (const [form, list] of byForm) {
  console.log(`  ${form}: ${list.length}`);
  for (const l of list.slice(0, verbose ? 6 : 1)) console.log(`    ${l}`);
}
