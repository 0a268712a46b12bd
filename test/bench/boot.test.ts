/**
 * The boot bench's own parts (bench/boot/): its command line, the console
 * session's waits (against a small Node child that plays a guest), the /proc
 * parsers, and the table, including a peer that never reaches its shell.
 * The bench itself (QEMU, v86, minutes of booting) runs with `npm run bench:boot`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseBootBenchArgs } from '../../bench/boot/args.js';
import { formatTable, type BootBenchReport, type PeerResult } from '../../bench/boot/report.js';
import { nodeFlagsOf } from '../../bench/boot/peers.js';
import { combineRuns, median } from '../../bench/boot/repeat.js';
import {
  ConsoleSession, ExitedError, lastConsoleLine, parseCpuTicks, parsePeakRss, ProcessWatch, TimeoutError,
} from '../../bench/boot/session.js';

test('args: defaults, --only in table order, --skip, timeouts', () => {
  const d = parseBootBenchArgs([]);
  assert.deepEqual(d.peers, ['anillo', 'anillo-jit', 'qemu', 'v86']);
  assert.equal(d.anilloTimeoutS, 600);
  assert.equal(d.peerTimeoutS, 120);
  assert.equal(d.md5MiB, 20);
  assert.equal(d.loopIterations, 100_000);
  assert.deepEqual(parseBootBenchArgs(['--only', 'v86,qemu']).peers, ['qemu', 'v86']);
  assert.deepEqual(parseBootBenchArgs(['--skip', 'anillo-jit,v86']).peers, ['anillo', 'qemu']);
  const t = parseBootBenchArgs(['--timeout', '30', '--anillo-timeout', '900']);
  assert.equal(t.peerTimeoutS, 30);
  assert.equal(t.anilloTimeoutS, 900);
  assert.throws(() => parseBootBenchArgs(['--only', 'bochs']), /unknown peer 'bochs'/);
  assert.throws(() => parseBootBenchArgs(['--timeout', '-1']), /positive/);
  assert.throws(() => parseBootBenchArgs(['--only', 'qemu', '--skip', 'qemu']), /no peer/);
  assert.throws(() => parseBootBenchArgs(['--fast']), /unknown option/);
  assert.equal(d.repeat, 1);
  assert.equal(parseBootBenchArgs(['--repeat', '3']).repeat, 3);
  assert.throws(() => parseBootBenchArgs(['--repeat', '1.5']), /whole number/);
  assert.throws(() => parseBootBenchArgs(['--repeat', '0']), /positive/);
});

test('nodeFlagsOf: the bench launches anillo with the Node flags of its bin script\'s #! line', () => {
  const bin = readFileSync(new URL('../../../bin/anillo.js', import.meta.url), 'utf8');
  assert.deepEqual(nodeFlagsOf(bin), ['--v8-pool-size=1', '--max-semi-space-size=2', '--optimize-for-size']);
  assert.deepEqual(nodeFlagsOf('#!/usr/bin/env node\nimport x;'), []);
  assert.deepEqual(nodeFlagsOf('#!/usr/bin/env -S node --a=1  --b\n'), ['--a=1', '--b']);
  assert.throws(() => nodeFlagsOf('#!/bin/sh\nexec node x'), /not a Node script line: #!\/bin\/sh/);
  assert.throws(() => nodeFlagsOf('import x;'), /not a Node script line/);
});

test('median: odd and even counts, order does not matter', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('combineRuns (--repeat): medians with their range, the largest peak RSS, checks that must hold in every run', () => {
  const run = (boot: number, md5: number, ok: boolean, rss: number): PeerResult => ({
    id: 'qemu', label: 'QEMU (TCG)', version: '7.2', status: 'ok', peakRssBytes: rss,
    phases: {
      boot: { seconds: boot, cpuSeconds: boot / 2 },
      md5: { seconds: md5, cpuSeconds: md5, digest: 'x', ok },
    },
  });
  const row = combineRuns([run(5.5, 0.7, true, 100), run(8.2, 0.5, true, 140), run(6.0, 0.9, true, 120)]);
  assert.equal(row.status, 'ok');
  assert.equal(row.runs?.length, 3);
  assert.equal(row.peakRssBytes, 140);
  assert.deepEqual([row.phases.boot?.seconds, row.phases.boot?.cpuSeconds], [6.0, 3.0]);
  assert.deepEqual([row.phases.boot?.minSeconds, row.phases.boot?.maxSeconds, row.phases.boot?.runs], [5.5, 8.2, 3]);
  assert.equal(row.phases.md5?.seconds, 0.7);
  assert.equal(row.phases.md5?.ok, true);
  // One wrong digest makes the median's check fail; one run that failed makes the row's status.
  assert.equal(combineRuns([run(5, 1, true, 1), run(5, 1, false, 1)]).phases.md5?.ok, false);
  const failed: PeerResult = { ...run(5, 1, true, 1), status: 'failed', message: 'loop: no marker', phases: { boot: { seconds: 9, cpuSeconds: 9 } } };
  const mixed = combineRuns([run(5, 1, true, 1), failed]);
  assert.equal(mixed.status, 'failed');
  assert.equal(mixed.message, 'loop: no marker');
  assert.equal(mixed.phases.md5?.runs, 1);
  assert.equal(mixed.phases.md5?.ok, false, 'a phase one run never finished is not ok');
  assert.equal(combineRuns([run(5, 1, true, 1)]).runs, undefined, 'a single run is the row itself');
  // The table shows the median and the range.
  assert.match(formatTable({ ...report(), peers: [row] }), /QEMU \(TCG\)\s+7\.2\s+0 MiB\s+6\.00 s \(cpu 3\.00\) \[5\.50–8\.20\]\s+0\.70 s \(cpu 0\.70\) \[0\.50–0\.90\]/);
});

test('lastConsoleLine: skips blank lines and terminal escapes, shortens long lines', () => {
  assert.equal(lastConsoleLine('[ 0.1] one\n[ 0.2] two\n\n  \n'), '[ 0.2] two');
  assert.equal(lastConsoleLine('x\nanillo:~# \x1b[6n'), 'anillo:~#');
  assert.equal(lastConsoleLine(''), '');
  assert.equal(lastConsoleLine('a'.repeat(200), 10), `${'a'.repeat(9)}…`);
});

test('/proc parsers: VmHWM and utime + stime (a command name with spaces and parentheses)', () => {
  assert.equal(parsePeakRss('Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n'), 123456 * 1024);
  assert.equal(parsePeakRss('Name:\tkthread\n'), undefined);
  const stat = '4242 (qemu (a b)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 3 0 99 1000 200';
  assert.equal(parseCpuTicks(stat), 1750);
});

test('ProcessWatch: reads this process', () => {
  const w = new ProcessWatch(process.pid);
  w.stop();
  assert.ok((w.peakRssBytes ?? 0) > 1 << 20);
  assert.ok(w.cpuSeconds() > 0);
});

/** A pretend guest: a banner without a final newline, then it echoes what it is sent, CRLF. */
const GUEST = `process.stdout.write('booting\\r\\nanillo:~# ');
process.stdin.on('data', (d) => { const s = d.toString(); if (s.includes('quit')) process.exit(7); process.stdout.write(s.replace(/\\n/g, '\\r\\n')); });`;

test('ConsoleSession: waits for text after a mark, times out, and fails when the process exits', async () => {
  const child = spawn(process.execPath, ['-e', GUEST], { stdio: ['pipe', 'pipe', 'pipe'] });
  const s = new ConsoleSession(child);
  try {
    const prompt = await s.waitFor('anillo:~# ', 0, 10_000, 'prompt');
    assert.equal(prompt.index, 'booting\n'.length);
    const mark = s.mark;
    s.sendLine('\nBENCH-x-42');
    const m = await s.waitFor('\nBENCH-x-42\n', mark, 10_000, 'marker');
    assert.ok(m.index >= mark);
    assert.equal(s.text.includes('\r'), false);
    await assert.rejects(s.waitFor('never', 0, 50, 'the impossible'), (e: unknown) =>
      e instanceof TimeoutError && /no the impossible within 0\.05 s/.test(e.message));
    const pending = s.waitFor('never', 0, 10_000, 'a second marker');
    s.sendLine('quit');
    await assert.rejects(pending, (e: unknown) => e instanceof ExitedError && /status 7 while waiting for a second marker/.test(e.message));
    assert.equal(s.lastLine(), 'BENCH-x-42');
  } finally {
    child.kill();
    await s.exited;
  }
});

test('ConsoleSession: a command that cannot start is an ExitedError', async () => {
  const child = spawn('/nonexistent/peer', [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const s = new ConsoleSession(child);
  await assert.rejects(s.waitFor('x', 0, 5000, 'prompt'), ExitedError);
  await s.exited;
  assert.match(s.exitReason ?? '', /cannot run/);
});

function report(): BootBenchReport {
  const phase = (seconds: number, cpuSeconds: number) => ({ seconds, cpuSeconds });
  return {
    schema: 'anillo-boot-bench/1', date: '2026-01-01T00:00:00Z',
    host: { cpuModel: 'cpu', cpus: 2, memBytes: 2 ** 30, os: 'Linux', node: 'v20', loadAverageStart: [0, 0, 0] },
    guest: { kernel: 'k', kernelSha256: '', initrd: 'i', initrdSha256: '', packages: [], append: 'console=ttyS0', memMiB: 128 },
    workloads: {
      prompt: 'anillo:~# ', md5: 'dd if=/dev/zero bs=1M count=20 2>/dev/null | md5sum', md5ExpectedDigest: '',
      loop: 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo "i=$i"',
    },
    timeoutsSeconds: { anillo: 600, peers: 120 },
    peers: [
      {
        id: 'anillo', label: 'anillo (interpreter)', version: '0.1.0', status: 'no-shell', message: 'no prompt within 10 min',
        stoppedAt: '[    0.0] no FPU found', phases: {}, peakRssBytes: 200 * 2 ** 20,
      },
      { id: 'anillo-jit', label: 'anillo (translator)', version: '0.1.0', status: 'unavailable', message: 'not available yet', phases: {} },
      {
        id: 'qemu', label: 'QEMU (TCG)', version: '7.2', status: 'ok', peakRssBytes: 150 * 2 ** 20,
        phases: { boot: phase(8.5, 6), md5: { ...phase(1.25, 1), ok: true }, loop: { ...phase(3, 2.9), ok: true } },
      },
      {
        id: 'v86', label: 'v86 (JIT)', version: '0.5', status: 'failed', message: 'loop: no marker within 2 min', stoppedAt: 'anillo:~# i=0',
        phases: { boot: phase(30, 25), md5: { ...phase(12, 11), ok: false } }, peakRssBytes: 300 * 2 ** 20,
      },
    ],
  };
}

test('formatTable: numbers, a peer that never reached its shell, one that failed later, one not available', () => {
  const lines = formatTable(report()).split('\n');
  assert.match(lines[0], /^peer\s+version\s+peak RSS\s+to shell\s+md5sum 20 MiB\s+sh loop 100,000$/);
  const row = (label: string) => lines.find((l) => l.startsWith(label)) ?? '';
  assert.match(row('anillo (interpreter)'), /200 MiB\s+did not reach shell: no prompt within 10 min \(stopped at: "\[    0\.0\] no FPU found"\)$/);
  assert.match(row('anillo (translator)'), /0\.1\.0\s+not available yet$/);
  assert.match(row('QEMU (TCG)'), /150 MiB\s+8\.50 s \(cpu 6\.00\)\s+1\.25 s \(cpu 1\.00\)\s+3\.00 s \(cpu 2\.90\)$/);
  assert.match(row('v86 (JIT)'), /12\.00 s \(cpu 11\.00\) \(wrong result\)\s+loop: no marker within 2 min \(stopped at: "anillo:~# i=0"\)$/);
  // The number columns line up.
  assert.equal(row('QEMU (TCG)').indexOf('8.50 s'), lines[0].indexOf('to shell'));
});
