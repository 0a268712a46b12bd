/**
 * The x87 unit against the real one (tools/oracle/x87-cases.ts): every
 * x87 encoding from random and edge-case x87 states and operands.
 *
 * 1. Replay: the cases recorded from the host CPU (test/fixtures/oracle/
 *    x87-hw.jsonl, written by tools/oracle/record-x87.ts) run on the
 *    emulator: registers, EIP, EFLAGS (FCOMI), memory, FCW, FSW (C0-C3 and
 *    the exception flags), the abridged tag word and all eight stack
 *    registers agree bit for bit, #MF included. Transcendental results may
 *    differ by at most {@link MAX_TRANSCENDENTAL_ULPS} ulp (the hardware is
 *    not correctly rounded; see tools/oracle/x87-ulp.ts).
 * 2. Coverage: every defined x87 encoding is in the recording.
 * 3. Live: fresh cases from another seed on the host CPU and the emulator
 *    (skipped, with the reason, where the helper cannot run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runOnEmulator } from '../../tools/oracle/emulator-oracle.js';
import {
  CODE_BASE, NativeOracle, SNIPPET_OFFSET, STACK_BASE, encodeCaseLine, nativeOracleUnavailableReason, parseResultLine,
  type OracleCase,
} from '../../tools/oracle/native-oracle.js';
import {
  compareX87, generateX87Cases, oracleCaseOf, recordExpectation, type X87FixtureLine,
} from '../../tools/oracle/x87-cases.js';
import { transcendentalUlps } from '../../tools/oracle/x87-ulp.js';

/** The largest ulp distance of a transcendental result from the host CPU's that the tests accept (and that was measured). */
export const MAX_TRANSCENDENTAL_ULPS = 1;

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/oracle/x87-hw.jsonl', import.meta.url));
const text = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.length > 0);
const header = JSON.parse(text[0]!) as { host: string; cases: number; maxTranscendentalUlps: number };
const lines = text.slice(1).map((l) => JSON.parse(l) as X87FixtureLine);

/** Compares one case; returns its differences and ulp distance. */
function check(line: X87FixtureLine): { diffs: string[]; ulps: number } {
  const actual = runOnEmulator(oracleCaseOf(line));
  if (line.transcendental) return transcendentalUlps(line, actual, MAX_TRANSCENDENTAL_ULPS);
  return { diffs: compareX87(line, actual), ulps: 0 };
}

function summarize(failures: Map<string, string[]>): string {
  const rows = [...failures].slice(0, 30).map(([form, list]) => `  ${form}: ${list.length} case(s), e.g. ${list[0]}`);
  return `mismatches in ${failures.size} form(s):\n${rows.join('\n')}`;
}

function describeCase(l: X87FixtureLine): string {
  return `${l.code} fcw=${l.x87.fcw.toString(16)} fsw=${l.x87.fsw.toString(16)} ftw=${l.x87.ftw.toString(16)} st=${l.x87.st.join(',')} data=${l.data}`;
}

test(`replay: ${header.cases} x87 cases recorded from ${header.host} agree with the emulator`, () => {
  const failures = new Map<string, string[]>();
  let maxUlps = 0;
  for (const line of lines) {
    const { diffs, ulps } = check(line);
    maxUlps = Math.max(maxUlps, ulps);
    if (diffs.length > 0) {
      const list = failures.get(line.form) ?? [];
      list.push(`${describeCase(line)}: ${diffs.join('; ')}`);
      failures.set(line.form, list);
    }
  }
  assert.equal(failures.size, 0, summarize(failures));
  assert.ok(maxUlps <= MAX_TRANSCENDENTAL_ULPS, `transcendental results up to ${maxUlps} ulp away`);
});

test('coverage: every x87 encoding is recorded from hardware', () => {
  const recorded = new Set(lines.map((l) => l.form));
  const wanted = new Set(generateX87Cases({ seed: 1, casesPerForm: 1, transcendental: true }).map((l) => l.form));
  const missing = [...wanted].filter((f) => !recorded.has(f));
  assert.deepEqual(missing, []);
  assert.ok(recorded.size >= 140, `only ${recorded.size} forms recorded`);
});

/** ST(0) = ST(1) = 1.0 (TOP = 6), everything masked: `fadd st0, st1` makes ST(0) 2.0. */
const PLUMBING: OracleCase = {
  mode: 64, code: 'd8c1', code64: 'd8c1', eflags: 2,
  regs: { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: STACK_BASE + 0x800, ebp: 0, esi: 0, edi: 0 },
  x87: {
    fcw: 0x37f, fsw: 6 << 11, ftw: 0xc0,
    st: ['3fff8000000000000000', '3fff8000000000000000', ...new Array(6).fill('00000000000000000000')],
  },
};

test('protocol: the x87 tokens go into the case line and come back from a result line', () => {
  const line = encodeCaseLine(PLUMBING, 1);
  assert.match(line, / fcw=37f fsw=3000 ftw=c0 st=3fff8000000000000000,3fff8000000000000000,0{20},/);
  const result = parseResultLine(`result id=1 kind=ok sig=5 eax=0 ecx=0 edx=0 ebx=0 esp=118800 ebp=0 esi=0 edi=0 eip=${(CODE_BASE + SNIPPET_OFFSET + 2).toString(16)} ` +
    `eflags=202 cs=33 ds=0 es=0 ss=2b fs=0 gs=0 upper=- fcw=37f fsw=3000 ftw=c0 fop=0 st=40008000000000000000,${PLUMBING.x87!.st.slice(1).join(',')} code=- data=- stack=-`, PLUMBING);
  assert.deepEqual(result.x87, { fcw: 0x37f, fsw: 0x3000, ftw: 0xc0, fop: 0, st: ['40008000000000000000', ...PLUMBING.x87!.st.slice(1)] });
});

test('live: the helper starts a snippet in the given x87 state and reports the state it left', async (t) => {
  const why = nativeOracleUnavailableReason(64);
  if (why) { t.skip(why); return; }
  const oracle = new NativeOracle({ timeoutMs: 1000 });
  try {
    const [r] = await oracle.run([PLUMBING]);
    assert.equal(r!.kind, 'ok');
    assert.equal(r!.x87!.st[0], '40008000000000000000');
    assert.equal(r!.x87!.fsw, 6 << 11);
    assert.equal(r!.x87!.ftw, 0xc0);
  } finally {
    await oracle.close();
  }
});

test('live: fresh x87 cases agree with the host CPU', async (t) => {
  const why = nativeOracleUnavailableReason(64);
  if (why) { t.skip(why); return; }
  const fresh = generateX87Cases({ seed: Number(process.env['ANILLO_ORACLE_SEED'] ?? 2), casesPerForm: 8, transcendental: true });
  const oracle = new NativeOracle({ timeoutMs: 1000 });
  try {
    const results = await oracle.run(fresh.map(oracleCaseOf));
    const failures = new Map<string, string[]>();
    fresh.forEach((line, i) => {
      recordExpectation(line, results[i]!);
      if (line.expect!.kind === 'timeout') return; // a busy host, not a verdict
      const { diffs } = check(line);
      if (diffs.length > 0) {
        const list = failures.get(line.form) ?? [];
        list.push(`${describeCase(line)}: ${diffs.join('; ')}`);
        failures.set(line.form, list);
      }
    });
    assert.equal(failures.size, 0, summarize(failures));
  } finally {
    await oracle.close();
  }
});
