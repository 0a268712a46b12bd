/**
 * The differential oracle: anillo's CPU against the real one.
 *
 * 1. Replay: every case recorded from the host CPU (test/fixtures/oracle/,
 *    written by tools/oracle/record.ts) runs on the emulator and must agree
 *    on registers, EIP, defined flags, memory and exceptions.
 * 2. Coverage: every form in the opcode table is either recorded or listed
 *    with the reason it cannot be run natively here.
 * 3. Live: fresh cases from another seed run on the host CPU and the
 *    emulator side by side (skipped, with the reason, where the helper
 *    cannot run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFixtures, fromFixtureLine, toFixtureLine } from '../../tools/oracle/fixtures.js';
import { runOnEmulator } from '../../tools/oracle/emulator-oracle.js';
import { compareResults } from '../../tools/oracle/compare.js';
import { EXCLUDED, generateCases, longModeSafe } from '../../tools/oracle/case-generator.js';
import { NativeOracle, nativeOracleUnavailableReason } from '../../tools/oracle/native-oracle.js';
import { OPCODES, GROUPS } from '../../src/cpu/opcode-table.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/oracle/longmode-hw.jsonl', import.meta.url));
const { header, lines } = readFixtures(FIXTURE);

function summarize(failures: Map<string, string[]>): string {
  const rows = [...failures].slice(0, 40).map(([form, list]) => `  ${form}: ${list.length} case(s), e.g. ${list[0]}`);
  return `mismatches in ${failures.size} form(s):\n${rows.join('\n')}`;
}

test(`replay: ${header.cases} cases recorded from ${header.host} agree with the emulator`, () => {
  const failures = new Map<string, string[]>();
  for (const line of lines) {
    const { case: c, expected } = fromFixtureLine(line);
    const diffs = compareResults(expected, runOnEmulator(c), { undefinedFlags: line.undef, segments: false });
    if (diffs.length > 0) {
      const list = failures.get(line.form) ?? [];
      list.push(`${line.code}: ${diffs.join('; ')}`);
      failures.set(line.form, list);
    }
  }
  assert.equal(failures.size, 0, summarize(failures));
});

test('coverage: every opcode-table form is recorded from hardware or has a stated reason', () => {
  const recorded = new Set(lines.map((l) => l.form));
  const unaccounted: string[] = [];
  let forms = 0;
  for (const entry of OPCODES) {
    if (!entry || entry.attrs.simd) continue; // SIMD forms: tools/oracle/simd-cases.ts
    const members = entry.group
      ? (GROUPS[entry.group] ?? []).map((m, reg) => ({ m, reg })).filter((x) => x.m !== undefined)
      : [{ m: entry.mnemonic, reg: -1 }];
    for (const { m, reg } of members) {
      forms++;
      const form = `${entry.code.toString(16).padStart(entry.code > 0xff ? 4 : 2, '0')}${reg >= 0 ? `/${reg}` : ''} ${m} ${entry.operands.join(',')}`;
      const key = `${m} ${entry.operands.join(',')}`;
      if (recorded.has(form)) continue;
      if (EXCLUDED[key] || EXCLUDED[m!] || !longModeSafe(entry, m!, reg)) continue;
      unaccounted.push(form);
    }
  }
  assert.deepEqual(unaccounted, [], `${forms} forms; recorded ${recorded.size}`);
  assert.ok(recorded.size >= 300, `only ${recorded.size} forms recorded`);
});

/**
 * Forms the live run leaves out because what the host reports for them
 * depends on the hypervisor under it, not on the CPU, with the reason. The
 * replay above still checks them against the recorded fixture.
 */
const LIVE_HOST_DEPENDENT: Record<string, string> = {
  // Seen on this project's hosts: one recorded EIP after INT1 (the fixture), another EIP at it.
  INT1: 'INT1 raises #DB as a trap, with EIP after the instruction (SDM Vol. 2A INT n/INTO/INT3/INT1, ' +
    '"generate debug trap"; Vol. 3A §6.15, Interrupt 1: a trap saves the EIP of the next instruction); ' +
    'some virtualized hosts reflect it fault-like, with EIP at the instruction',
};

test('live: fresh random cases agree with the host CPU', async (t) => {
  const why = nativeOracleUnavailableReason(64);
  if (why) { t.skip(why); return; }
  const generated = generateCases({ seed: Number(process.env['ANILLO_ORACLE_SEED'] ?? 2), casesPerForm: 6, longModeOnly: true })
    .filter((g) => LIVE_HOST_DEPENDENT[g.mnemonic] === undefined);
  t.diagnostic(`left out: ${Object.entries(LIVE_HOST_DEPENDENT).map(([m, reason]) => `${m} (${reason})`).join('; ')}`);
  const oracle = new NativeOracle();
  try {
    const results = await oracle.run(generated.map((g) => ({ ...g.case, mode: 64 as const, code64: g.code64 })));
    const failures = new Map<string, string[]>();
    generated.forEach((g, i) => {
      const line = toFixtureLine(g, results[i]!);
      const { case: c, expected } = fromFixtureLine(line);
      const diffs = compareResults(expected, runOnEmulator(c), { undefinedFlags: g.undefinedFlags, segments: false });
      if (diffs.length > 0) {
        const list = failures.get(g.form) ?? [];
        list.push(`${line.code} regs=${JSON.stringify(line.regs)} eflags=${line.eflags.toString(16)}: ${diffs.join('; ')}`);
        failures.set(g.form, list);
      }
    });
    assert.equal(failures.size, 0, summarize(failures));
  } finally {
    await oracle.close();
  }
});
