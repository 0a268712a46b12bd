/**
 * The Bochs cross-check: anillo against Bochs 2.7 (an emulator, not
 * hardware) for what the host CPU cannot run — real mode and 16-bit
 * addressing, 16-bit code segments in protected mode, and the forms long
 * mode lacks or changes (stack, BCD, segment registers, far transfers,
 * descriptor-table and system instructions) — in 32-bit protected mode at
 * CPL 0. See tools/oracle/bochs/.
 *
 * 1. Replay: every case recorded from Bochs (test/fixtures/oracle/
 *    bochs-crosscheck.jsonl, written by tools/oracle/bochs/record.ts) runs
 *    on anillo in the same ROM harness and must agree on the event (vector,
 *    error code, CS:EIP), registers, defined flags, segment and system
 *    registers and memory. Needs nasm (the harness is assembled), not Bochs.
 * 2. Coverage: every opcode-table form is recorded in each mode, or excluded
 *    with a reason.
 * 3. Live (ANILLO_BOCHS_LIVE=1, Bochs installed): fresh cases from another
 *    seed, run on Bochs and anillo side by side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { OPCODES } from '../../src/cpu/opcode-table.js';
import { readBochsFixtures, fromFixtureLine, harnessHash } from '../../tools/oracle/bochs/fixtures.js';
import { runCases, compareAll } from '../../tools/oracle/bochs/crosscheck.js';
import { harnessUnavailableReason } from '../../tools/oracle/bochs/rom.js';
import { bochsUnavailableReason } from '../../tools/oracle/bochs/runners.js';
import { BOCHS_EXCLUDED, formMembers, formName, generateBochsCases } from '../../tools/oracle/bochs/cases.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/oracle/bochs-crosscheck.jsonl', import.meta.url));
const { header, lines } = readBochsFixtures(FIXTURE);

function summarize(failures: Map<string, string[]>): string {
  let total = 0;
  for (const list of failures.values()) total += list.length;
  const rows = [...failures].sort().slice(0, 40).map(([form, list]) => `  ${form}: ${list.length} case(s), e.g. ${list[0]}`);
  return `${total} mismatch(es) in ${failures.size} form/mode pair(s):\n${rows.join('\n')}`;
}

test('fixtures come from Bochs (an emulator) through this harness', () => {
  assert.match(header.source, /^Bochs [0-9.]+ \(emulator\)/);
  assert.equal(header.cases, lines.length);
  assert.equal(header.harness, harnessHash(),
    'tools/oracle/bochs/harness.asm or layout.inc changed since the fixtures were recorded: ' +
    're-record them (node dist/tools/oracle/bochs/record.js, needs Bochs)');
});

test(`replay: ${header.cases} cases recorded from Bochs ${header.model} agree with anillo`, async (t) => {
  const why = harnessUnavailableReason();
  if (why) { t.skip(why); return; }
  const generated = lines.map(fromFixtureLine);
  const actual = await runCases(generated.map((g) => g.case), 'anillo');
  const failures = compareAll(generated, lines.map((l) => l.expect), actual);
  assert.equal(failures.size, 0, summarize(failures));
});

test('coverage: every opcode-table form is cross-checked in each mode or excluded with a reason', () => {
  const recorded = new Set(lines.map((l) => `${l.mode} ${l.form}`));
  const missing: string[] = [];
  let forms = 0;
  for (const entry of OPCODES) {
    if (!entry || entry.attrs.simd) continue; // SIMD forms: tools/oracle/simd-cases.ts
    for (const { mnemonic, reg } of formMembers(entry)) {
      forms++;
      if (BOCHS_EXCLUDED[mnemonic]) continue;
      for (const mode of header.modes) {
        const key = `${mode} ${formName(entry, mnemonic, reg)}`;
        if (!recorded.has(key)) missing.push(key);
      }
    }
  }
  assert.deepEqual(missing, [], `${forms} forms`);
  assert.deepEqual([...header.modes].sort(), ['pm16', 'pm32', 'real16']);
});

test('live: fresh cases agree with Bochs', async (t) => {
  if (process.env['ANILLO_BOCHS_LIVE'] !== '1') { t.skip('set ANILLO_BOCHS_LIVE=1 to run Bochs (about a minute)'); return; }
  const why = bochsUnavailableReason() ?? harnessUnavailableReason();
  if (why) { t.skip(why); return; }
  const generated = generateBochsCases({ seed: Number(process.env['ANILLO_ORACLE_SEED'] ?? 2), casesPerForm: 2 });
  const cases = generated.map((g) => g.case);
  const expected = await runCases(cases, 'bochs');
  const actual = await runCases(cases, 'anillo');
  const failures = compareAll(generated, expected, actual);
  assert.equal(failures.size, 0, summarize(failures));
});
