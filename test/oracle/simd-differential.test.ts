/**
 * MMX, SSE and SSE2 against the real unit (tools/oracle/simd-cases.ts):
 * every form of every prefix-selected SIMD opcode, EMMS, MOVNTI and group
 * 15, from random SSE and x87/MMX states over edge-case and random operands.
 *
 * 1. Replay: the cases recorded from the host CPU (test/fixtures/oracle/
 *    simd-hw.jsonl, written by tools/oracle/record-simd.ts) run on the
 *    emulator: general registers, EIP, EFLAGS (COMISS…), the fault vector
 *    (#XM, #GP for misalignment, #UD, #MF), memory, MXCSR, all eight XMM
 *    registers, and for MMX forms FCW/FSW/the abridged tag/all eight x87
 *    registers agree bit for bit. RCP/RSQRT results are implementation
 *    specific (Intel's and AMD's tables differ, the SDM bounds the error):
 *    they are compared within that bound, everything else about those cases
 *    bit for bit.
 * 2. Coverage: every form is recorded, and the recording exercises every
 *    MXCSR rounding mode, DAZ, FTZ, unmasked exceptions and every operand
 *    class.
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
  compareSimd, generateSimdCases, oracleCaseOf, recordExpectation, simdForms, type SimdFixtureLine,
} from '../../tools/oracle/simd-cases.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/oracle/simd-hw.jsonl', import.meta.url));
const text = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.length > 0);
const header = JSON.parse(text[0]!) as { host: string; cases: number; forms: number };
const lines = text.slice(1).map((l) => JSON.parse(l) as SimdFixtureLine);

function summarize(failures: Map<string, string[]>): string {
  const rows = [...failures].slice(0, 30).map(([form, list]) => `  ${form}: ${list.length} case(s), e.g. ${list[0]}`);
  return `mismatches in ${failures.size} form(s):\n${rows.join('\n')}`;
}

function describeCase(l: SimdFixtureLine): string {
  return `${l.code} mxcsr=${l.sse.mxcsr.toString(16)} xmm=${l.sse.xmm.join(',')} data=${l.data.slice(0, 100)}`;
}

function checkAll(cases: SimdFixtureLine[]): Map<string, string[]> {
  const failures = new Map<string, string[]>();
  for (const line of cases) {
    if (line.expect!.kind === 'timeout') continue; // a busy host, not a verdict
    const diffs = compareSimd(line, runOnEmulator(oracleCaseOf(line)));
    if (diffs.length > 0) {
      const list = failures.get(line.form) ?? [];
      list.push(`${describeCase(line)}: ${diffs.join('; ')}`);
      failures.set(line.form, list);
    }
  }
  return failures;
}

test(`replay: ${header.cases} MMX/SSE/SSE2 cases recorded from ${header.host} agree with the emulator`, () => {
  const failures = checkAll(lines);
  assert.equal(failures.size, 0, summarize(failures));
});

test('coverage: every MMX/SSE/SSE2 form is recorded from hardware', () => {
  const recorded = new Set(lines.map((l) => l.form.replace(/ [mr]$/, '')));
  const wanted = simdForms().map((f) => f.name);
  assert.deepEqual(wanted.filter((f) => !recorded.has(f)), []);
  assert.ok(wanted.length >= 260, `${wanted.length} forms`);
});

test('coverage: the recording exercises every rounding mode, DAZ, FTZ, unmasked exceptions and the operand classes', () => {
  const float = lines.filter((l) => / (ADD|SUB|MUL|DIV|SQRT|MIN|MAX|CMP|U?COMI|CVT)/.test(l.form));
  for (let rc = 0; rc < 4; rc++) assert.ok(float.filter((l) => ((l.sse.mxcsr >> 13) & 3) === rc).length > 200, `RC ${rc}`);
  assert.ok(float.filter((l) => (l.sse.mxcsr & 0x40) !== 0).length > 200, 'DAZ');
  assert.ok(float.filter((l) => (l.sse.mxcsr & 0x8000) !== 0).length > 200, 'FTZ');
  assert.ok(lines.filter((l) => l.expect!.vector === 19).length > 100, '#XM');
  assert.ok(lines.filter((l) => l.expect!.vector === 13).length > 20, '#GP (alignment, reserved MXCSR bits)');
  assert.ok(lines.filter((l) => l.expect!.vector === 6).length > 20, '#UD');
  assert.ok(lines.filter((l) => l.expect!.vector === 16).length > 5, '#MF');
  // Result flags seen: every one of IE, DE, ZE, OE, UE, PE raised by some case.
  const raised = lines.reduce((m, l) => m | (l.expect!.sse.mxcsr & ~l.sse.mxcsr & 0x3f), 0);
  assert.equal(raised, 0x3f);
});

const ZERO = '0'.repeat(32);
/** XMM0 = 1.0f, XMM1 = 2.0f (low elements): `addss xmm0, xmm1` makes XMM0's low element 3.0f. */
const PLUMBING: OracleCase = {
  mode: 64, code: 'f30f58c1', code64: 'f30f58c1', eflags: 2,
  regs: { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: STACK_BASE + 0x800, ebp: 0, esi: 0, edi: 0 },
  sse: { mxcsr: 0x1f80, xmm: ['0000000000000000000000003f800000', '00000000000000000000000040000000', ...new Array(6).fill(ZERO)] },
};

test('protocol: the SSE tokens go into the case line and come back from a result line', () => {
  const line = encodeCaseLine(PLUMBING, 1);
  assert.match(line, / mxcsr=1f80 xmm=0{24}3f800000,0{24}40000000,0{32},/);
  const xmm = ['00000000000000000000000040400000', ...PLUMBING.sse!.xmm.slice(1)];
  const result = parseResultLine(`result id=1 kind=ok sig=5 eax=0 ecx=0 edx=0 ebx=0 esp=118800 ebp=0 esi=0 edi=0 eip=${(CODE_BASE + SNIPPET_OFFSET + 4).toString(16)} ` +
    `eflags=202 cs=33 ds=0 es=0 ss=2b fs=0 gs=0 upper=- mxcsr=1f80 xmm=${xmm.join(',')} code=- data=- stack=-`, PLUMBING);
  assert.deepEqual(result.sse, { mxcsr: 0x1f80, xmm });
});

test('live: the helper starts a snippet in the given SSE state and reports the state it left', async (t) => {
  const why = nativeOracleUnavailableReason(64);
  if (why) { t.skip(why); return; }
  const oracle = new NativeOracle({ timeoutMs: 1000 });
  try {
    const [r] = await oracle.run([PLUMBING, { ...PLUMBING, sse: { ...PLUMBING.sse!, mxcsr: 0x1f80 | 0x6000 } }]);
    assert.equal(r!.kind, 'ok');
    assert.equal(r!.sse!.xmm[0], '00000000000000000000000040400000');
    assert.equal(r!.sse!.mxcsr, 0x1f80);
  } finally {
    await oracle.close();
  }
});

test('live: fresh MMX/SSE/SSE2 cases agree with the host CPU', async (t) => {
  const why = nativeOracleUnavailableReason(64);
  if (why) { t.skip(why); return; }
  const fresh = generateSimdCases({ seed: Number(process.env['ANILLO_ORACLE_SEED'] ?? 2), floatCases: 6, otherCases: 2 });
  const oracle = new NativeOracle({ timeoutMs: 1000 });
  try {
    const results = await oracle.run(fresh.map(oracleCaseOf));
    fresh.forEach((line, i) => recordExpectation(line, results[i]!));
    const failures = checkAll(fresh);
    assert.equal(failures.size, 0, summarize(failures));
  } finally {
    await oracle.close();
  }
});
