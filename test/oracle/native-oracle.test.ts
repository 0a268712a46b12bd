// Tests for the native fidelity oracle (tools/oracle/). The codec tests run
// everywhere; the live tests run snippets on the host CPU and are skipped,
// with the reason, where the helper cannot run (not built, or a host without
// 32-bit user mode).
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applySparse,
  CODE_BASE,
  CODE_FILL,
  CODE_SIZE,
  codePageImage,
  DATA_BASE,
  DATA_SIZE,
  effectiveEflags,
  EFLAGS_RF,
  EFLAGS_TF,
  encodeCaseLine,
  helperArchForMode,
  encodeSparse,
  MAX_SNIPPET_LENGTH,
  NativeOracle,
  nativeCode,
  nativeOracleUnavailableReason,
  OracleCrashError,
  oracleBinaryPath,
  parseResultLine,
  SNIPPET_OFFSET,
  STACK_BASE,
  STACK_SIZE,
  UNMAPPED_GAP,
  type OracleCase,
  type OracleRegs,
  type OracleResult,
} from '../../tools/oracle/native-oracle.js';

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const ARITH = CF | PF | AF | ZF | SF | OF;

function regs(over: Partial<OracleRegs> = {}): OracleRegs {
  return { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: STACK_BASE + STACK_SIZE, ebp: 0, esi: 0, edi: 0, ...over };
}

function case32(code: string, over: Partial<OracleRegs> = {}, extra: Partial<OracleCase> = {}): OracleCase {
  return { mode: 32, code, regs: regs(over), eflags: 0x2, ...extra };
}

function case16(code: string, over: Partial<OracleRegs> = {}, extra: Partial<OracleCase> = {}): OracleCase {
  return { mode: 16, code, regs: regs({ esp: 0x9000, ...over }), eflags: 0x2, ...extra };
}

/** A mode-64 case: `code` as it runs in mode 32, `code64` its long-mode encoding (0x67 on addressing). */
function case64(
  code: string,
  code64: string,
  over: Partial<OracleRegs> = {},
  extra: Partial<OracleCase> = {},
): OracleCase {
  return { mode: 64, code, code64, regs: regs(over), eflags: 0x2, ...extra };
}

describe('native oracle: layout and codec', () => {
  test('layout constants match the documented fixed layout', () => {
    assert.equal(CODE_BASE, 0x00100000);
    assert.equal(SNIPPET_OFFSET, 0x100);
    assert.equal(DATA_BASE, 0x00110000);
    assert.equal(DATA_SIZE, 0x2000);
    assert.equal(STACK_BASE, 0x00118000);
    assert.equal(STACK_SIZE, 0x1000);
    assert.deepEqual(UNMAPPED_GAP, { start: 0x00112000, end: 0x00118000 });
    assert.equal(MAX_SNIPPET_LENGTH, CODE_SIZE - SNIPPET_OFFSET - 1);
  });

  test('the helper path resolves to <repo>/build/oracle/oracle32', () => {
    const p = oracleBinaryPath();
    assert.match(p, /\/build\/oracle\/oracle32$/);
    assert.ok(!p.includes('/dist/'), p);
    // The repo root is the one holding package.json.
    assert.ok(existsSync(p.replace(/build\/oracle\/oracle32$/, 'package.json')), p);
  });

  test('effectiveEflags keeps only settable bits and forces bit 1 and IF', () => {
    assert.equal(effectiveEflags(0), 0x202);
    assert.equal(effectiveEflags(0xffffffff), 0x40dd5 | 0x202);
    assert.equal(effectiveEflags(EFLAGS_TF | CF), 0x303);
    assert.equal(effectiveEflags(EFLAGS_RF | 0x3000 /* IOPL */ | 0x4000 /* NT */ | 0x200000 /* ID */), 0x202);
  });

  test('codePageImage fills with int3 and places the snippet', () => {
    const page = codePageImage('01 d8');
    assert.equal(page.length, CODE_SIZE);
    assert.equal(page[0], CODE_FILL);
    assert.equal(page[SNIPPET_OFFSET], 0x01);
    assert.equal(page[SNIPPET_OFFSET + 1], 0xd8);
    assert.equal(page[SNIPPET_OFFSET + 2], 0xcc);
    assert.throws(() => codePageImage(new Uint8Array(MAX_SNIPPET_LENGTH + 1)), RangeError);
  });

  test('sparse encoding round-trips and merges close runs', () => {
    const base = new Uint8Array(64);
    assert.equal(encodeSparse(base), '-');
    const now = base.slice();
    now[3] = 0xaa;
    now[5] = 0xbb; // gap of 1: merged
    now[40] = 0x01; // far: separate run
    assert.equal(encodeSparse(now, base), '3:aa00bb,28:01');
    assert.deepEqual(applySparse(encodeSparse(now, base), base), now);
    assert.throws(() => applySparse('3f:0102', base));
  });

  test('case lines carry every register, eflags, code and sparse memory', () => {
    const data = new Uint8Array(DATA_SIZE);
    data[0x10] = 0x12;
    data[0x1fff] = 0x34;
    const line = encodeCaseLine(case32('01d8', { eax: -1, ebx: 1 }, { data }), 7);
    assert.equal(
      line,
      'case id=7 mode=32 eax=ffffffff ecx=0 edx=0 ebx=1 esp=119000 ebp=0 esi=0 edi=0 eflags=2 code=01d8 data=10:12,1fff:34 stack=-',
    );
    assert.throws(() => encodeCaseLine({ ...case32('90'), mode: 8 as 32 }, 0), TypeError);
    assert.throws(() => encodeCaseLine({ ...case32('90'), mode: 64 }, 0), /code64/); // no code64
    assert.throws(() => encodeCaseLine(case32('9'), 0), TypeError);
    assert.throws(() => encodeCaseLine(case32('90', { eax: 2 ** 32 }), 0), TypeError);
    assert.throws(() => encodeCaseLine(case32('90', {}, { data: new Uint8Array(DATA_SIZE + 1) }), 0), RangeError);
  });

  test('result lines decode into registers, fault info and final memory', () => {
    const c = case32('c70500201100aa000000');
    const r = parseResultLine(
      'result id=0 kind=fault sig=11 vector=e err=6 cr2=112000 eax=1 ecx=2 edx=3 ebx=4 esp=119000 ebp=5 esi=6 edi=7 ' +
        'eip=100100 eflags=10202 cs=23 ds=2b es=2b ss=2b fs=2b gs=2b code=0:90 data=1ffe:beef stack=ffc:01020304',
      c,
    );
    assert.equal(r.kind, 'fault');
    assert.equal(r.vector, 14);
    assert.equal(r.errorCode, 6);
    assert.equal(r.cr2, 0x112000);
    assert.deepEqual(r.regs, { eax: 1, ecx: 2, edx: 3, ebx: 4, esp: 0x119000, ebp: 5, esi: 6, edi: 7 });
    assert.equal(r.eip, 0x100100);
    assert.equal(r.eflags, 0x10202);
    assert.equal(r.initialEflags, 0x202);
    assert.deepEqual(r.segs, { cs: 0x23, ds: 0x2b, es: 0x2b, ss: 0x2b, fs: 0x2b, gs: 0x2b });
    assert.equal(r.code[0], 0x90);
    assert.equal(r.code[SNIPPET_OFFSET], 0xc7);
    assert.equal(r.data[0x1ffe], 0xbe);
    assert.equal(r.data[0x1fff], 0xef);
    assert.deepEqual([...r.stack.subarray(0xffc)], [1, 2, 3, 4]);
    assert.throws(() => parseResultLine('error id=3 msg=bad-code', c), /bad-code/);
  });

  test('mode 64: the line carries code64, the result is laid over its code page, upper= decodes', () => {
    const c = case64('8903', '678903', { eax: 1, ebx: 0x110000 });
    assert.equal(helperArchForMode(64), 'x86_64');
    assert.equal(helperArchForMode(32), 'i386');
    assert.equal(helperArchForMode(16), 'i386');
    assert.equal(nativeCode(c), '678903');
    assert.equal(nativeCode(case32('8903')), '8903');
    assert.equal(
      encodeCaseLine(c, 'x'),
      'case id=x mode=64 eax=1 ecx=0 edx=0 ebx=110000 esp=119000 ebp=0 esi=0 edi=0 eflags=2 code=678903 data=- stack=-',
    );
    assert.throws(() => encodeCaseLine({ ...c, code: 'zz' }, 0), TypeError); // code is still validated
    assert.throws(() => encodeCaseLine({ ...c, code64: new Uint8Array(MAX_SNIPPET_LENGTH + 1) }, 0), RangeError);
    const tail = 'eip=100103 eflags=202 cs=33 ds=0 es=0 ss=2b fs=0 gs=0';
    const regsLine = 'eax=1 ecx=ffffffff edx=0 ebx=110000 esp=119000 ebp=0 esi=0 edi=0';
    const r = parseResultLine(`result id=0 kind=ok sig=5 ${regsLine} ${tail} upper=ecx:ffffffff,eip:1 code=- data=0:01 stack=-`, c);
    assert.deepEqual(r.upper, { ecx: 0xffffffff, eip: 1 });
    assert.equal(r.code[SNIPPET_OFFSET], 0x67);
    assert.equal(r.code[SNIPPET_OFFSET + 3], 0xcc);
    assert.equal(r.data[0], 1);
    assert.deepEqual(parseResultLine(`result id=0 kind=ok sig=5 ${regsLine} ${tail} upper=- code=- data=- stack=-`, c).upper, {});
    assert.equal(parseResultLine(`result id=0 kind=ok sig=5 ${regsLine} ${tail} code=- data=- stack=-`, c).upper, undefined);
    assert.throws(() => parseResultLine(`result id=0 kind=ok sig=5 ${regsLine} ${tail} upper=r8:1 code=- data=- stack=-`, c), /upper/);
  });
});

// A stand-in helper speaking the protocol (eax += 1, writes data[0] = 1),
// run by Node itself: exercises batching, crash attribution and restarts on
// any host. `hlt` (f4) makes it die, `ff` gets an error line. With an
// `x86_64` argument it poses as the x86-64 helper (mode 64).
const FAKE_HELPER = `
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
const out = (s) => writeSync(1, s + '\\n');
const arch = process.argv.includes('x86_64') ? ' arch=x86_64' : '';
out('oracle version=1' + arch + ' code_base=100000 code_size=1000 snippet_offset=100 data_base=110000 data_size=2000 ' +
    'stack_base=118000 stack_size=1000 settable_eflags=40dd5 fixed_eflags=202 cs32=23 ds32=2b cs16=7 ds16=f seccomp=1 timeout_ms=100');
for await (const line of createInterface({ input: process.stdin })) {
  const t = Object.fromEntries(line.split(' ').slice(1).map((kv) => kv.split('=')));
  if (t.code === 'f4') { process.stderr.write('fake helper dies\\n'); process.exit(3); }
  if (t.code === 'ff') { out('error id=' + t.id + ' msg=fake-rejects-ff'); continue; }
  const eax = ((parseInt(t.eax, 16) + 1) >>> 0).toString(16);
  out('result id=' + t.id + ' kind=ok sig=5 eax=' + eax + ' ecx=0 edx=0 ebx=0 esp=' + t.esp +
      ' ebp=0 esi=0 edi=0 eip=100101 eflags=202 cs=23 ds=2b es=2b ss=2b fs=2b gs=2b' +
      (t.mode === '64' ? ' upper=-' : '') + ' code=- data=0:01 stack=-');
}
`;

describe('native oracle: process management (fake helper)', () => {
  let dir = '';
  let fake: NativeOracle;
  test('setup', () => {
    dir = mkdtempSync(join(tmpdir(), 'anillo-oracle-'));
    const script = join(dir, 'fake-helper.mjs');
    writeFileSync(script, FAKE_HELPER);
    fake = new NativeOracle({ binaryPath: join(dir, 'unused'), wrapper: [process.execPath, script] });
  });
  after(async () => {
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a batch is answered in order', async () => {
    const cases = Array.from({ length: 600 }, (_, i) => case32('40', { eax: i }));
    const results = await fake.run(cases);
    assert.equal(results.length, 600);
    results.forEach((r, i) => {
      assert.equal(r.regs.eax, i + 1);
      assert.equal(r.data[0], 1);
    });
    assert.equal((await fake.info()).wrapped, true);
  });

  test('a helper crash names the case, keeps earlier results, and the next run restarts', async () => {
    const err = await fake.run([case32('40'), case32('40', { eax: 5 }), case32('f4'), case32('40')]).then(
      () => assert.fail('expected a crash'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OracleCrashError, String(err));
    assert.equal(err.caseIndex, 2);
    assert.match(err.message, /status 3.*fake helper dies/s);
    assert.deepEqual(err.partialResults.map((r) => r.regs.eax), [1, 6]);
    const [r] = await fake.run([case32('40', { eax: 41 })]);
    assert.equal(r!.regs.eax, 42);
  });

  test('rejected cases fail the batch without desynchronising the stream', async () => {
    await assert.rejects(fake.run([case32('40'), case32('ff')]), /fake-rejects-ff/);
    const [r] = await fake.run([case32('40', { eax: 9 })]);
    assert.equal(r!.regs.eax, 10);
  });

  test('unavailability reasons name the missing helper', () => {
    assert.match(nativeOracleUnavailableReason({ binaryPath: join(dir, 'missing', 'oracle32') }) ?? '', /not built/);
    assert.match(nativeOracleUnavailableReason(32, { binaryPath: join(dir, 'missing', 'oracle32') }) ?? '', /gcc -m32/);
    assert.match(nativeOracleUnavailableReason(16, { binaryPath: join(dir, 'missing', 'oracle32') }) ?? '', /not built/);
    const r64 = nativeOracleUnavailableReason(64, { binaryPath64: join(dir, 'missing', 'oracle64') }) ?? '';
    assert.match(r64, /oracle64 is not built/);
    assert.doesNotMatch(r64, /multilib/);
  });

  test('a mixed batch goes to one helper per binary, in order, with batch-wide crash indices', async () => {
    const script = join(dir, 'fake-helper.mjs');
    const both = new NativeOracle({
      binaryPath: join(dir, 'unused'),
      wrapper: [process.execPath, script],
      binaryPath64: join(dir, 'unused64'),
      wrapper64: [process.execPath, script, 'x86_64'],
    });
    try {
      const cases = [case32('40', { eax: 1 }), case64('40', 'ffc0', { eax: 2 }), case64('40', 'ffc0', { eax: 3 }), case32('40', { eax: 4 })];
      const results = await both.run(cases);
      assert.deepEqual(results.map((r) => r.regs.eax), [2, 3, 4, 5]);
      assert.deepEqual(results.map((r) => r.upper), [undefined, {}, {}, undefined]);
      assert.equal((await both.info(64)).arch, 'x86_64');
      assert.equal((await both.info()).arch, 'i386');
      const err = await both.run([case64('40', 'ffc0'), case32('40'), case64('f4', 'f4')]).then(
        () => assert.fail('expected a crash'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof OracleCrashError, String(err));
      assert.equal(err.caseIndex, 2);
      assert.equal(err.partialResults.length, 2);
      const [again] = await both.run([case64('40', 'ffc0', { eax: 7 })]);
      assert.equal(again!.regs.eax, 8);
    } finally {
      await both.close();
    }
  });

  test('the mode-64 slot refuses a helper of the wrong arch', async () => {
    const wrong = new NativeOracle({ wrapper64: [process.execPath, join(dir, 'fake-helper.mjs')] });
    try {
      await assert.rejects(wrong.run([case64('40', 'ffc0')]), /i386 one, expected the x86_64 helper/);
    } finally {
      await wrong.close();
    }
  });
});

// ---------------------------------------------------------------------------

const unavailable = nativeOracleUnavailableReason();
const oracle = unavailable === null ? new NativeOracle() : undefined;
after(async () => {
  await oracle?.close();
});

/** A live test: skipped with the reason when the helper cannot run here. */
function live(name: string, fn: (t: TestContext, o: NativeOracle) => Promise<void>): void {
  test(name, async (t) => {
    if (!oracle) {
      t.skip(unavailable ?? 'native oracle unavailable');
      return;
    }
    await fn(t, oracle);
  });
}

/** A live test in mode 16: also skipped when the kernel refused 16-bit segments. */
function live16(name: string, fn: (t: TestContext, o: NativeOracle) => Promise<void>): void {
  live(name, async (t, o) => {
    if (!(await o.info()).mode16) {
      t.skip('this kernel refuses 16-bit LDT segments (modify_ldt), so mode 16 cannot run natively');
      return;
    }
    await fn(t, o);
  });
}

async function run1(o: NativeOracle, c: OracleCase): Promise<OracleResult> {
  const [r] = await o.run([c]);
  assert.ok(r);
  return r;
}

function assertFault(r: OracleResult, vector: number, errorCode?: number): void {
  assert.equal(r.kind, 'fault', `expected a fault, got ${r.kind}`);
  assert.equal(r.vector, vector);
  if (errorCode !== undefined) assert.equal(r.errorCode, errorCode);
}

describe('native oracle: live runs on the host CPU', () => {
  live('hello: selectors and wrapper are reported', async (t, o) => {
    const info = await o.info();
    if (info.wrapped) t.diagnostic('running under ANILLO_ORACLE_WRAPPER: results are emulated, not hardware');
    assert.equal(info.cs32 & 3, 3);
    if (info.mode16) {
      assert.equal(info.cs16 & 7, 7); // LDT, RPL 3
      assert.equal(info.ds16 & 7, 7);
    }
  });

  live('add eax, ebx: 0xFFFFFFFF + 1 = 0 with CF and ZF', async (_t, o) => {
    const info = await o.info();
    const r = await run1(o, case32('01d8', { eax: 0xffffffff, ebx: 1 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, 0);
    assert.equal(r.regs.ebx, 1);
    assert.equal(r.eflags & ARITH, CF | ZF | PF | AF);
    assert.equal(r.eflags & 0x202, 0x202);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET + 2);
    assert.equal(r.regs.esp, STACK_BASE + STACK_SIZE);
    assert.deepEqual(r.segs, { cs: info.cs32, ds: info.ds32, es: info.ds32, ss: info.ds32, fs: info.ds32, gs: info.ds32 });
    // Nothing was written anywhere: not even the case's stack.
    assert.ok(r.stack.every((b) => b === 0));
    assert.ok(r.data.every((b) => b === 0));
    assert.deepEqual(r.code, codePageImage('01d8'));
  });

  live('initial flags are loaded exactly (pushfd sees them)', async (_t, o) => {
    // pushfd; pop eax
    const r = await run1(o, case32('9c58', {}, { eflags: CF | ZF | SF | OF | 0x400 /* DF */ }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, r.initialEflags);
    assert.equal(r.initialEflags, CF | ZF | SF | OF | 0x400 | 0x202);
  });

  live('ud2 -> #UD (6) at the instruction', async (_t, o) => {
    const r = await run1(o, case32('0f0b'));
    assertFault(r, 6);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET);
  });

  live('hlt -> #GP(0)', async (_t, o) => {
    const r = await run1(o, case32('f4'));
    assertFault(r, 13, 0);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET);
  });

  live('write to 0x00112000 (unmapped gap) -> #PF, cr2, error code 6', async (_t, o) => {
    // mov dword [0x00112000], 0xaa
    const r = await run1(o, case32('c70500201100aa000000', { eax: 0x1234 }));
    assertFault(r, 14, 6);
    assert.equal(r.cr2, 0x00112000);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET);
    assert.equal(r.regs.eax, 0x1234);
  });

  live('int 0x81 -> #GP with error code 0x81*8+2', async (_t, o) => {
    const r = await run1(o, case32('cd81'));
    assertFault(r, 13, 0x81 * 8 + 2);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET);
  });

  live('div by zero -> #DE (0) at the div', async (_t, o) => {
    // xor ecx, ecx; div ecx
    const r = await run1(o, case32('31c9f7f1', { eax: 5, ecx: 9 }));
    assertFault(r, 0);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET + 2);
    assert.equal(r.regs.ecx, 0);
  });

  live('into with OF set -> #OF (4), a trap after the instruction', async (t, o) => {
    // inc eax (0x7fffffff -> overflow); into
    const r = await run1(o, case32('40ce', { eax: 0x7fffffff }));
    assert.equal(r.kind, 'fault');
    if (r.vectorGuessed) t.diagnostic('vector guessed from the signal (emulated host): not checked');
    else assert.equal(r.vector, 4);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET + 2);
    assert.equal(r.regs.eax, 0x80000000);
  });

  live16('16-bit: add ax, bx keeps the upper halves', async (_t, o) => {
    const info = await o.info();
    const r = await run1(o, case16('01d8', { eax: 0x1234ffff, ebx: 0xabcd0001 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, 0x12340000);
    assert.equal(r.eflags & (CF | ZF | SF | OF), CF | ZF);
    assert.equal(r.eip, SNIPPET_OFFSET + 2);
    assert.equal(r.segs.cs, info.cs16);
    assert.equal(r.segs.ss, info.ds16);
    assert.equal(r.segs.ds, info.ds16);
  });

  live16('16-bit: push ax lands at SS:SP-2 = stack page offset 0xFFE', async (_t, o) => {
    const r = await run1(o, case16('50', { eax: 0xdead1234, esp: 0x9000 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.esp, 0x8ffe);
    assert.equal(r.stack[0xffe], 0x34);
    assert.equal(r.stack[0xfff], 0x12);
    assert.equal(r.stack.reduce((n, b) => n + (b ? 1 : 0), 0), 2);
  });

  live16('16-bit: data segment offsets map onto the data area', async (_t, o) => {
    // mov ax, [0x0010]; inc ax; mov [0x1ffe], ax
    const data = new Uint8Array(DATA_SIZE);
    data[0x10] = 0xff;
    data[0x11] = 0x41;
    const r = await run1(o, case16('a1100040a3fe1f', {}, { data }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax & 0xffff, 0x4200);
    assert.equal(r.data[0x1ffe], 0x00);
    assert.equal(r.data[0x1fff], 0x42);
    assert.equal(r.data[0x10], 0xff); // initial contents preserved
  });

  live('32-bit: a dword write crossing the two data pages', async (_t, o) => {
    // mov [0x00110ffe], eax
    const r = await run1(o, case32('a3fe0f1100', { eax: 0x44332211 }));
    assert.equal(r.kind, 'ok');
    assert.deepEqual([...r.data.subarray(0xffe, 0x1002)], [0x11, 0x22, 0x33, 0x44]);
  });

  live('32-bit: push/pop use the stack page, initial stack contents are honoured', async (_t, o) => {
    const stack = new Uint8Array(STACK_SIZE);
    stack.set([0x78, 0x56, 0x34, 0x12], 0xff8);
    // pop eax (esp = 0x118ff8); push ebx
    const r = await run1(o, case32('5853', { ebx: 0xcafef00d, esp: STACK_BASE + 0xff8 }, { stack }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, 0x12345678);
    assert.equal(r.regs.esp, STACK_BASE + 0xff8);
    assert.deepEqual([...r.stack.subarray(0xff8, 0xffc)], [0x0d, 0xf0, 0xfe, 0xca]);
  });

  live('runaway snippet -> timeout', async (_t, o) => {
    const r = await run1(o, case32('ebfe'));
    assert.equal(r.kind, 'timeout');
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET);
  });

  live('TF set: single-step #DB (1) after the first instruction', async (_t, o) => {
    const r = await run1(o, case32('4040', { eax: 1 }, { eflags: EFLAGS_TF | 0x2 }));
    assertFault(r, 1);
    assert.equal(r.regs.eax, 2);
    assert.equal(r.eip, CODE_BASE + SNIPPET_OFFSET + 1);
    assert.equal(r.eflags & EFLAGS_TF, EFLAGS_TF);
  });

  live('int 0x80 is blocked and reported as kind syscall', async (t, o) => {
    const info = await o.info();
    if (!info.seccomp) {
      t.skip('the helper could not install its seccomp filter here (int 0x80 would really run)');
      return;
    }
    // mov eax, 1 (exit); int 0x80 -- must not end the helper
    const [r, next] = await o.run([case32('b801000000cd80'), case32('40')]);
    assert.equal(r!.kind, 'syscall');
    assert.equal(r!.vector, 0x80);
    assert.equal(r!.eip, CODE_BASE + SNIPPET_OFFSET + 7);
    assert.equal(next!.kind, 'ok');
  });

  live('sgdt runs natively (host-specific value, no UMIP)', async (_t, o) => {
    // sgdt [0x00110000]
    const r = await run1(o, case32('0f010500001100'));
    assert.equal(r.kind, 'ok');
    assert.ok(r.data.subarray(0, 6).some((b) => b !== 0));
  });

  live('a segment register loaded by the snippet is reported and then restored', async (_t, o) => {
    const info = await o.info();
    // xor eax, eax; mov gs, ax; mov fs, ax
    const [a, b] = await o.run([case32('31c08ee88ee0'), case32('90')]);
    assert.equal(a!.kind, 'ok');
    assert.equal(a!.segs.gs & ~3, 0);
    assert.equal(a!.segs.fs & ~3, 0);
    assert.equal(b!.kind, 'ok');
    assert.equal(b!.segs.gs, info.ds32);
  });

  live('a batch of 2000 cases through one process', async (_t, o) => {
    const mode16 = (await o.info()).mode16;
    const cases: OracleCase[] = [];
    let seed = 0x1234567;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      if (i % 2 && mode16) cases.push(case16('01d8', { eax: rnd(), ebx: rnd() }));
      else cases.push(case32('01d8', { eax: rnd(), ebx: rnd() }, { eflags: rnd() & 0x8d5 }));
    }
    const t0 = performance.now();
    const results = await o.run(cases);
    const ms = performance.now() - t0;
    assert.equal(results.length, cases.length);
    results.forEach((r, i) => {
      const { eax, ebx } = cases[i]!.regs;
      assert.equal(r.kind, 'ok');
      if (cases[i]!.mode === 32) {
        const sum = eax + ebx;
        assert.equal(r.regs.eax, sum >>> 0);
        assert.equal(r.eflags & CF, sum > 0xffffffff ? CF : 0);
      } else {
        const sum = (eax & 0xffff) + (ebx & 0xffff);
        assert.equal(r.regs.eax, ((eax & 0xffff0000) | (sum & 0xffff)) >>> 0);
        assert.equal(r.eflags & CF, sum > 0xffff ? CF : 0);
      }
    });
    assert.ok(ms < 60_000, `batch took ${ms} ms`);
  });
});

// ---------------------------------------------------------------------------
// Mode 64: the x86-64 helper, natively on any x86-64 Linux host (including
// the ones without IA-32 user mode, where everything above is skipped).

const unavailable64 = nativeOracleUnavailableReason(64);
const oracle64 = unavailable64 === null ? new NativeOracle() : undefined;
after(async () => {
  await oracle64?.close();
});

/** A live mode-64 test: skipped with the reason when oracle64 cannot run here. */
function live64(name: string, fn: (t: TestContext, o: NativeOracle) => Promise<void>): void {
  test(name, async (t) => {
    if (!oracle64) {
      t.skip(unavailable64 ?? 'native oracle (mode 64) unavailable');
      return;
    }
    await fn(t, oracle64);
  });
}

const SNIPPET = CODE_BASE + SNIPPET_OFFSET;

describe('native oracle: mode 64 on the host CPU', () => {
  test('availability is reported per mode', (t) => {
    const r32 = nativeOracleUnavailableReason(32);
    const r16 = nativeOracleUnavailableReason(16);
    t.diagnostic(`mode 32: ${r32 ?? 'available'}; mode 16: ${r16 ?? 'available'}; mode 64: ${unavailable64 ?? 'available'}`);
    assert.equal(nativeOracleUnavailableReason(), r32);
    if (r32 !== null) assert.equal(r16, r32); // the same helper
    if (r32 !== null && /ENOEXEC/.test(r32)) {
      // No IA-32 user mode, but a 64-bit host: mode 64 is the way to use it.
      assert.equal(unavailable64 === null || !/ENOEXEC/.test(unavailable64), true);
    }
  });

  live64('hello: the x86-64 helper with its 64-bit selectors', async (_t, o) => {
    const info = await o.info(64);
    assert.equal(info.arch, 'x86_64');
    assert.equal(info.wrapped, false);
    assert.equal(info.cs64 & 3, 3);
    assert.equal(info.ss64 & 3, 3);
    assert.equal(info.mode16, false);
  });

  live64('add eax, ebx: 0xFFFFFFFF + 1 = 0 with CF and ZF', async (_t, o) => {
    const r = await run1(o, case64('01d8', '01d8', { eax: 0xffffffff, ebx: 1 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, 0);
    assert.equal(r.regs.ebx, 1);
    assert.equal(r.eflags & ARITH, CF | ZF | PF | AF);
    assert.equal(r.eflags & 0x202, 0x202);
    assert.equal(r.eip, SNIPPET + 2);
    assert.equal(r.regs.esp, STACK_BASE + STACK_SIZE);
    assert.deepEqual(r.upper, {});
    assert.ok(r.stack.every((b) => b === 0)); // entering wrote nothing
    assert.ok(r.data.every((b) => b === 0));
    assert.deepEqual(r.code, codePageImage('01d8'));
  });

  live64('add ax, bx (66 01 d8) keeps the upper half of EAX', async (_t, o) => {
    const r = await run1(o, case64('6601d8', '6601d8', { eax: 0x1234ffff, ebx: 0xabcd0001 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, 0x12340000);
    assert.equal(r.eflags & ARITH, CF | ZF | PF | AF);
    assert.equal(r.eip, SNIPPET + 3);
  });

  live64('adc al, ah (high byte register without REX)', async (_t, o) => {
    // 0xFF + 0x80 + CF = 0x180: AL = 0x80, CF, AF, SF; no OF, PF (one bit set) clear
    const r = await run1(o, case64('10e0', '10e0', { eax: 0x5555_80ff }, { eflags: 0x2 | CF }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.eax, 0x5555_8080);
    assert.equal(r.eflags & ARITH, CF | AF | SF);
  });

  live64('div ebx by zero -> #DE (0) at the div', async (_t, o) => {
    const r = await run1(o, case64('f7f3', 'f7f3', { eax: 5, edx: 0, ebx: 0 }));
    assertFault(r, 0);
    assert.equal(r.eip, SNIPPET);
    assert.equal(r.regs.eax, 5);
  });

  live64('ud2 -> #UD (6) at the instruction', async (_t, o) => {
    const r = await run1(o, case64('0f0b', '0f0b'));
    assertFault(r, 6);
    assert.equal(r.eip, SNIPPET);
  });

  live64('mov [ebx], eax into the unmapped gap -> #PF, cr2 0x112000, error code 6', async (_t, o) => {
    const r = await run1(o, case64('8903', '678903', { eax: 0x1234, ebx: 0x112000 }));
    assertFault(r, 14, 6);
    assert.equal(r.cr2, 0x112000);
    assert.equal(r.eip, SNIPPET);
    assert.ok(r.data.every((b) => b === 0));
  });

  live64('rep stosb with ECX = 16: the 0x67 may come before or after the REP', async (_t, o) => {
    for (const code64 of ['67f3aa', 'f367aa']) {
      const r = await run1(o, case64('f3aa', code64, { eax: 0xab, ecx: 16, edi: DATA_BASE }));
      assert.equal(r.kind, 'ok', code64);
      assert.equal(r.regs.ecx, 0, code64);
      assert.equal(r.regs.edi, DATA_BASE + 16, code64);
      assert.equal(r.eip, SNIPPET + 3, code64);
      assert.deepEqual([...r.data.subarray(0, 17)], [...Array(16).fill(0xab), 0], code64);
      assert.deepEqual(r.upper, {}, code64);
    }
  });

  live64('bsf with a zero source sets ZF and leaves the destination alone (AMD)', async (_t, o) => {
    // bsf eax, ebx
    const r = await run1(o, case64('0fbcc3', '0fbcc3', { eax: 0x12345678, ebx: 0 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.eflags & ZF, ZF);
    assert.equal(r.regs.eax, 0x12345678);
    const nz = await run1(o, case64('0fbcc3', '0fbcc3', { eax: 0x12345678, ebx: 0x50 }));
    assert.equal(nz.regs.eax, 4);
    assert.equal(nz.eflags & ZF, 0);
  });

  live64('hlt -> #GP(0)', async (_t, o) => {
    const r = await run1(o, case64('f4', 'f4'));
    assertFault(r, 13, 0);
    assert.equal(r.eip, SNIPPET);
  });

  live64('int 0x81 -> #GP with error code 0x81*8+2 = 0x40a', async (_t, o) => {
    const r = await run1(o, case64('cd81', 'cd81'));
    assertFault(r, 13, 0x40a);
    assert.equal(r.eip, SNIPPET);
  });

  live64('cli -> #GP(0)', async (_t, o) => {
    const r = await run1(o, case64('fa', 'fa'));
    assertFault(r, 13, 0);
    assert.equal(r.eip, SNIPPET);
  });

  live64('loop with 0x67 counts in ECX; FS:/GS: overrides address the flat space', async (_t, o) => {
    // inc eax; loop -3   (mode 32: 40 e2 fd; long mode: ff c0 67 e2 fb)
    const l = await run1(o, case64('40e2fd', 'ffc067e2fb', { ecx: 3 }));
    assert.equal(l.kind, 'ok');
    assert.equal(l.regs.eax, 3);
    assert.equal(l.regs.ecx, 0);
    assert.deepEqual(l.upper, {});
    // mov eax, fs:[ebx]; mov ecx, gs:[ebx]
    const data = new Uint8Array(DATA_SIZE);
    data.set([0x44, 0x33, 0x22, 0x11], 0x10);
    const f = await run1(o, case64('648b03658b0b', '64678b0365678b0b', { ebx: DATA_BASE + 0x10 }, { data }));
    assert.equal(f.kind, 'ok');
    assert.equal(f.regs.eax, 0x11223344);
    assert.equal(f.regs.ecx, 0x11223344);
  });

  live64('an upper half that is not zero at the end is reported', async (_t, o) => {
    // dec ecx from 0: mode 32 "49"; a stray REX.W in the long-mode code (dec rcx)
    const r = await run1(o, case64('49', '48ffc9', { ecx: 0 }));
    assert.equal(r.kind, 'ok');
    assert.equal(r.regs.ecx, 0xffffffff);
    assert.deepEqual(r.upper, { ecx: 0xffffffff });
  });

  live64('TF set: single-step #DB after the first instruction', async (_t, o) => {
    const r = await run1(o, case64('4040', 'ffc0ffc0', { eax: 1 }, { eflags: EFLAGS_TF | 0x2 }));
    assertFault(r, 1);
    assert.equal(r.regs.eax, 2);
    assert.equal(r.eip, SNIPPET + 2);
  });

  live64('unaligned access with AC set -> #AC (17)', async (_t, o) => {
    const r = await run1(o, case64('8903', '678903', { ebx: DATA_BASE + 1 }, { eflags: 0x2 | 0x40000 }));
    assertFault(r, 17, 0);
    assert.equal(r.eip, SNIPPET);
  });

  live64('segment loads do not leak into the next case', async (_t, o) => {
    const [plain] = await o.run([case64('90', '90')]);
    // mov ds, ax; mov es, ax; mov fs, ax; mov gs, ax (with the flat data selector)
    const [a, b] = await o.run([case64('8ed88ec08ee08ee8', '8ed88ec08ee08ee8', { eax: plain!.segs.ss }), case64('90', '90')]);
    assert.equal(a!.kind, 'ok');
    assert.equal(a!.segs.ds, plain!.segs.ss);
    assert.equal(a!.segs.gs, plain!.segs.ss);
    assert.deepEqual(b!.segs, plain!.segs);
  });

  live64('system calls from the snippet are blocked; runaway snippets time out', async (t, o) => {
    const r = await run1(o, case64('ebfe', 'ebfe'));
    assert.equal(r.kind, 'timeout');
    assert.equal(r.eip, SNIPPET);
    const info = await o.info(64);
    if (!info.seccomp) {
      t.skip('the helper could not install its seccomp filter here');
      return;
    }
    // mov eax, 60 (exit); syscall -- must not end the helper
    const [s, next] = await o.run([case64('b83c0000000f05', 'b83c0000000f05'), case64('90', '90')]);
    assert.equal(s!.kind, 'syscall');
    assert.equal(s!.eip, SNIPPET + 7);
    assert.equal(next!.kind, 'ok');
  });

  live64('a batch of 2000 cases through one process', async (_t, o) => {
    const cases: OracleCase[] = [];
    let seed = 0x7654321;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      cases.push(case64(i % 2 ? '01d8' : '29d8', i % 2 ? '01d8' : '29d8', { eax: rnd(), ebx: rnd() }, { eflags: rnd() & 0x8d5 }));
    }
    const results = await o.run(cases);
    assert.equal(results.length, cases.length);
    results.forEach((r, i) => {
      const { eax, ebx } = cases[i]!.regs;
      assert.equal(r.kind, 'ok');
      if (i % 2) {
        assert.equal(r.regs.eax, (eax + ebx) >>> 0);
        assert.equal(r.eflags & CF, eax + ebx > 0xffffffff ? CF : 0);
      } else {
        assert.equal(r.regs.eax, (eax - ebx) >>> 0);
        assert.equal(r.eflags & CF, eax < ebx ? CF : 0);
      }
      assert.deepEqual(r.upper, {});
    });
  });
});
