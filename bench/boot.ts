/**
 * Boot bench: boots the same Linux kernel and initramfs (the default guest,
 * guests/linux/README.md) under anillo, QEMU (TCG) and v86, one after the
 * other, and drives each over its serial console:
 *
 *   1. to shell: start the process, wait for the shell's prompt;
 *   2. an `echo` round trip (the console's own latency, in the JSON);
 *   3. md5sum: `dd if=/dev/zero bs=1M count=20 2>/dev/null | md5sum` (checked against the host's digest);
 *   4. sh loop: `i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done`.
 *
 * Each command line ends with `echo BENCH-<phase>-$((40+2))` and the phase
 * ends when `BENCH-<phase>-42` comes back on a line of its own (the echoed
 * command line never contains it). Every phase has a timeout (10 min for
 * anillo, 2 min for the peers, by default); a peer that misses one gets a
 * message with the last console line instead of a number. Peak RSS is read
 * from /proc (VmHWM) of the peer's own process.
 *
 * Prints a table and writes build/bench/results.json (host CPU, Node version,
 * load average at start: the machine may be busy) and each peer's console
 * transcript next to it. Peers are installed by bench/setup-peers.sh, which
 * this runs first for the peers selected (unless --no-setup).
 *
 * With --repeat N every peer runs N times (in rounds) and each figure is
 * the median (boot/repeat.ts).
 *
 * usage: npm run bench:boot -- [--only qemu,v86] [--repeat 3] [--anillo-timeout S] …  (--help)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BOOT_BENCH_HELP, parseBootBenchArgs, type BootBenchOptions } from './boot/args.js';
import { makePeers, type GuestSpec, type Peer } from './boot/peers.js';
import { formatReport, formatBytes, type BootBenchReport, type PeerResult, type PhaseResult } from './boot/report.js';
import { combineRuns } from './boot/repeat.js';
import { ConsoleSession, ExitedError, formatSeconds, ProcessWatch, TimeoutError } from './boot/session.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KERNEL = 'build/guests/debian/vmlinuz';
const INITRD = 'build/guests/linux/initramfs.cpio';
/** The prompt /etc/profile sets in the initramfs (tools/guests/build-initramfs.ts), in /root. */
const PROMPT = 'anillo:~# ';

function say(text: string): void {
  process.stderr.write(`boot-bench: ${text}\n`);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The command line that runs `work` and then echoes phase's marker; and the marker. */
function withMarker(phase: string, work: string): { line: string; marker: string } {
  return { line: `${work}${work ? '; ' : ''}echo BENCH-${phase}-$((40+2))`, marker: `\nBENCH-${phase}-42\n` };
}

function workloads(o: BootBenchOptions) {
  return {
    md5: `dd if=/dev/zero bs=1M count=${o.md5MiB} 2>/dev/null | md5sum`,
    loop: `i=0; while [ $i -lt ${o.loopIterations} ]; do i=$((i+1)); done; echo "i=$i"`,
  };
}

function killGently(session: ConsoleSession): Promise<void> {
  const child = session.child;
  if (child.exitCode === null && child.signalCode === null) {
    child.stdin.end();
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
    return session.exited.then(() => clearTimeout(hard));
  }
  return session.exited;
}

/** Boots one peer and runs the phases; never throws. */
async function runPeer(peer: Peer, o: BootBenchOptions, outDir: string, md5Digest: string, round: number): Promise<PeerResult> {
  const result: PeerResult = {
    id: peer.id, label: peer.label, version: peer.version, status: 'ok', phases: {}, loadAverageBefore: loadavg(),
  };
  if (peer.unavailable) {
    return { ...result, status: 'unavailable', message: peer.unavailable, loadAverageBefore: undefined };
  }
  const timeoutMs = (peer.kind === 'anillo' ? o.anilloTimeoutS : o.peerTimeoutS) * 1000;
  const logPath = join(outDir, `${peer.id}${o.repeat > 1 ? `.run${round}` : ''}.console.log`);
  const log = createWriteStream(logPath);
  result.command = [peer.launch.file, ...peer.launch.args];
  result.consoleLog = relative(ROOT, logPath);
  say(`${peer.label}: starting (${peer.version}); per-phase timeout ${formatSeconds(timeoutMs / 1000)}`);

  const started = performance.now();
  const child = spawn(peer.launch.file, peer.launch.args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const session = new ConsoleSession(child, log);
  const watch = new ProcessWatch(child.pid);
  let phase = 'boot';
  try {
    const prompt = await session.waitFor(PROMPT, 0, timeoutMs, 'shell prompt');
    const uptime = /\n([0-9]+(?:\.[0-9]+)?) s after boot;/.exec(session.text);
    result.phases.boot = {
      seconds: (prompt.atMs - started) / 1000, cpuSeconds: watch.cpuSeconds(),
      guestUptimeSeconds: uptime ? Number(uptime[1]) : undefined,
    };
    say(`${peer.label}: shell prompt after ${result.phases.boot.seconds.toFixed(2)} s`);

    const timed = async (name: string, work: string): Promise<PhaseResult & { output: string }> => {
      phase = name;
      const { line, marker } = withMarker(name, work);
      const from = session.mark;
      const cpu0 = watch.cpuSeconds();
      const t0 = performance.now();
      session.sendLine(line);
      const m = await session.waitFor(marker, from, timeoutMs, `${name} marker`);
      const seconds = (m.atMs - t0) / 1000;
      return { seconds, cpuSeconds: watch.cpuSeconds() - cpu0, output: session.text.slice(from, m.index + 1) };
    };

    const echo = await timed('echo', '');
    result.phases.echo = { seconds: echo.seconds, cpuSeconds: echo.cpuSeconds };

    const w = workloads(o);
    const md5 = await timed('md5', w.md5);
    const digest = /^([0-9a-f]{32})\s+-$/m.exec(md5.output)?.[1];
    result.phases.md5 = { seconds: md5.seconds, cpuSeconds: md5.cpuSeconds, digest, ok: digest === md5Digest };
    say(`${peer.label}: md5sum ${md5.seconds.toFixed(2)} s${result.phases.md5.ok ? '' : ` (wrong digest ${digest ?? 'none'})`}`);

    const loop = await timed('loop', w.loop);
    const final = /^i=(\d+)$/m.exec(loop.output)?.[1];
    result.phases.loop = {
      seconds: loop.seconds, cpuSeconds: loop.cpuSeconds,
      finalValue: final === undefined ? undefined : Number(final), ok: Number(final) === o.loopIterations,
    };
    say(`${peer.label}: sh loop ${loop.seconds.toFixed(2)} s${result.phases.loop.ok ? '' : ` (wrong result i=${final ?? '?'})`}`);
  } catch (e) {
    if (!(e instanceof TimeoutError || e instanceof ExitedError)) throw e;
    const reason = e instanceof TimeoutError ? `no ${phase === 'boot' ? 'prompt' : 'marker'} within ${formatSeconds(timeoutMs / 1000)}` : e.message;
    if (session.exitReason?.startsWith('cannot run')) {
      result.status = 'error';
      result.message = session.exitReason;
    } else {
      result.status = phase === 'boot' ? 'no-shell' : 'failed';
      result.message = phase === 'boot' ? reason : `${phase}: ${reason}`;
      result.stoppedAt = session.lastLine();
    }
    const err = session.stderr.trim().split('\n').slice(-5).join('\n');
    if (err) result.stderrTail = err;
    say(`${peer.label}: ${result.message}${result.stoppedAt !== undefined ? ` (stopped at: "${result.stoppedAt}")` : ''}`);
  } finally {
    watch.stop();
    result.peakRssBytes = watch.peakRssBytes;
    await killGently(session);
    await new Promise<void>((resolve) => log.end(resolve));
  }
  say(`${peer.label}: peak RSS ${formatBytes(result.peakRssBytes)}`);
  return result;
}

async function main(argv: string[]): Promise<number> {
  let o: BootBenchOptions;
  try {
    o = parseBootBenchArgs(argv);
  } catch (e) {
    say((e as Error).message);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${BOOT_BENCH_HELP}\n`);
    return 0;
  }
  const loadAverageStart = loadavg();

  if (o.setup) {
    const what = ['guest', ...new Set(o.peers.map((id) => id.replace(/-.*/, '')))];
    const setup = spawn('bash', [join(ROOT, 'bench/setup-peers.sh'), ...what], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const status = await new Promise<number>((resolve) => setup.on('close', (code) => resolve(code ?? 1)));
    if (status !== 0) {
      say(`bench/setup-peers.sh ${what.join(' ')} failed (status ${status})`);
      return 1;
    }
  }
  for (const f of [KERNEL, INITRD]) {
    if (!existsSync(join(ROOT, f))) {
      say(`${f} is missing: run bash bench/setup-peers.sh guest (or npm run guest:linux)`);
      return 1;
    }
  }

  const guest: GuestSpec = { kernel: join(ROOT, KERNEL), initrd: join(ROOT, INITRD), append: o.append, memMiB: o.memMiB };
  const peers = makePeers(ROOT, guest, o.peers);
  const w = workloads(o);
  const md5Digest = createHash('md5').update(Buffer.alloc(o.md5MiB * 1024 * 1024)).digest('hex');
  const outFile = isAbsolute(o.out) ? o.out : join(ROOT, o.out);
  const outDir = dirname(outFile);
  mkdirSync(outDir, { recursive: true });
  const versionsFile = join(ROOT, 'build/guests/debian/VERSIONS');

  const report: BootBenchReport = {
    schema: 'anillo-boot-bench/1',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    host: {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cpus: cpus().length, memBytes: totalmem(),
      os: `${type()} ${release()}`, node: process.version, loadAverageStart,
    },
    guest: {
      kernel: KERNEL, kernelSha256: sha256(guest.kernel), initrd: INITRD, initrdSha256: sha256(guest.initrd),
      packages: existsSync(versionsFile) ? readFileSync(versionsFile, 'utf8').split('\n').filter(Boolean) : [],
      append: o.append, memMiB: o.memMiB,
    },
    workloads: { prompt: PROMPT, md5: w.md5, md5ExpectedDigest: md5Digest, loop: w.loop },
    timeoutsSeconds: { anillo: o.anilloTimeoutS, peers: o.peerTimeoutS },
    repeat: o.repeat,
    peers: [],
  };
  say(`load average ${loadAverageStart.map((x) => x.toFixed(2)).join(' ')} on ${report.host.cpus} CPUs; peers: ${peers.map((p) => p.id).join(', ')}`);

  // The quick peers first, so their numbers come early; the table keeps its own order.
  const order = [...peers].sort((a, b) => Number(a.kind === 'anillo') - Number(b.kind === 'anillo'));
  const runs = new Map<string, PeerResult[]>(peers.map((p) => [p.id, []]));
  for (let round = 1; round <= o.repeat; round++) {
    if (o.repeat > 1) say(`round ${round} of ${o.repeat}`);
    for (const peer of order) runs.get(peer.id)!.push(await runPeer(peer, o, outDir, md5Digest, round));
  }
  report.peers = peers.map((p) => combineRuns(runs.get(p.id)!));
  report.host.loadAverageEnd = loadavg();

  // Microseconds are plenty: no 0.009999999999999787 in the file.
  const rounded = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(6)) : value);
  writeFileSync(outFile, `${JSON.stringify(report, rounded, 2)}\n`);
  process.stdout.write(`\n${formatReport(report)}\n\nJSON: ${relative(process.cwd(), outFile) || outFile}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
