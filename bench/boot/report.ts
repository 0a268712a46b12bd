/**
 * The boot bench's results: the JSON report's shape (build/bench/results.json)
 * and the table printed from it.
 */
import { formatSeconds } from './session.js';

/** One timed phase: host wall-clock seconds, and the host CPU seconds the peer's process used meanwhile. */
export interface PhaseResult {
  seconds: number;
  cpuSeconds: number;
  /** With --repeat: seconds and cpuSeconds are medians; the fastest and slowest run, and how many finished. */
  minSeconds?: number;
  maxSeconds?: number;
  runs?: number;
}

export interface PeerResult {
  id: string;
  label: string;
  version: string;
  /** The command line run (undefined when the peer was not run). */
  command?: string[];
  /**
   * ok: every phase finished; no-shell: the shell prompt never came; failed: a
   * later phase did not finish; error: the process could not start;
   * unavailable: this peer cannot run here (not installed, not built yet).
   */
  status: 'ok' | 'no-shell' | 'failed' | 'error' | 'unavailable';
  /** What went wrong, for any status but ok. */
  message?: string;
  /** The last console line when it went wrong. */
  stoppedAt?: string;
  phases: {
    /** Process start → the shell's prompt; with the guest's own uptime from /init's banner. */
    boot?: PhaseResult & { guestUptimeSeconds?: number };
    /** A bare `echo` round trip over the console, once at the prompt. */
    echo?: PhaseResult;
    md5?: PhaseResult & { digest?: string; ok: boolean };
    loop?: PhaseResult & { finalValue?: number; ok: boolean };
  };
  /** Peak resident set of the peer's process (VmHWM), bytes. */
  peakRssBytes?: number;
  /** 1/5/15-minute load averages just before this peer started. */
  loadAverageBefore?: number[];
  /** The console transcript, relative to the repository. */
  consoleLog?: string;
  /** The last lines the process wrote on stderr, when it went wrong. */
  stderrTail?: string;
  /** With --repeat: every run of this peer; the row above holds their medians (repeat.ts). */
  runs?: PeerResult[];
}

export interface BootBenchReport {
  schema: 'anillo-boot-bench/1';
  date: string;
  host: {
    cpuModel: string;
    cpus: number;
    memBytes: number;
    os: string;
    node: string;
    loadAverageStart: number[];
    loadAverageEnd?: number[];
  };
  guest: {
    kernel: string;
    kernelSha256: string;
    initrd: string;
    initrdSha256: string;
    /** build/guests/debian/VERSIONS: the Debian packages the files came from. */
    packages: string[];
    append: string;
    memMiB: number;
  };
  workloads: { prompt: string; md5: string; md5ExpectedDigest: string; loop: string };
  timeoutsSeconds: { anillo: number; peers: number };
  /** Runs per peer (--repeat); each figure is the median of them. */
  repeat?: number;
  peers: PeerResult[];
}

const PHASE_COLUMNS = ['boot', 'md5', 'loop'] as const;

/** "4.28 s (cpu 2.95)": wall-clock seconds, and the CPU seconds the peer's process used meanwhile. */
function timeCell(p: PhaseResult | undefined): string {
  if (!p) return '—';
  const digits = (s: number) => s.toFixed(s < 100 ? 2 : 1);
  const range = p.minSeconds !== undefined && p.maxSeconds !== undefined && (p.runs ?? 1) > 1
    ? ` [${digits(p.minSeconds)}–${digits(p.maxSeconds)}]` : '';
  return `${digits(p.seconds)} s (cpu ${digits(p.cpuSeconds)})${range}`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** The message a row shows in place of its first missing number. */
function failureText(r: PeerResult): string {
  const at = r.stoppedAt !== undefined ? ` (stopped at: ${r.stoppedAt ? `"${r.stoppedAt}"` : 'no console output'})` : '';
  switch (r.status) {
    case 'no-shell': return `did not reach shell: ${r.message ?? ''}${at}`;
    case 'failed': return `${r.message ?? 'failed'}${at}`;
    default: return r.message ?? r.status;
  }
}

/** The table, as printed. */
export function formatTable(report: BootBenchReport): string {
  const { md5, loop } = report.workloads;
  const md5Mib = /count=(\d+)/.exec(md5)?.[1] ?? '?';
  const loopN = /-lt (\d+)/.exec(loop)?.[1] ?? '?';
  const head = ['peer', 'version', 'peak RSS', 'to shell', `md5sum ${md5Mib} MiB`, `sh loop ${Number(loopN).toLocaleString('en-US')}`];
  const rows: string[][] = [];
  for (const r of report.peers) {
    const cells = [r.label, r.version, r.status === 'unavailable' || r.status === 'error' ? '' : formatBytes(r.peakRssBytes)];
    let failed = r.status !== 'ok';
    for (const col of PHASE_COLUMNS) {
      const p = r.phases[col];
      if (p) {
        const wrong = 'ok' in p && !p.ok ? ' (wrong result)' : '';
        cells.push(timeCell(p) + wrong);
      } else if (failed) {
        cells.push(failureText(r));
        failed = false;
        break;
      } else {
        cells.push('—');
      }
    }
    rows.push(cells);
  }
  // Widths from the header and the cells that are not a trailing message.
  const widths = head.map((h, i) => Math.max(h.length, ...rows
    .filter((cells) => cells.length === head.length || i < cells.length - 1)
    .map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  return out.join('\n');
}

/** The lines above and below the table: what ran, where, and how to read it. */
export function formatReport(report: BootBenchReport): string {
  const h = report.host;
  const load = h.loadAverageStart.map((x) => x.toFixed(2)).join(' / ');
  const busy = h.loadAverageStart[0] >= 0.5 ? ` — the host was busy (${h.loadAverageStart[0].toFixed(1)} runnable on ${h.cpus} CPUs): times include waiting for a CPU` : '';
  const g = report.guest;
  const timeouts = `per-phase timeouts: anillo ${formatSeconds(report.timeoutsSeconds.anillo)}, peers ${formatSeconds(report.timeoutsSeconds.peers)}`;
  return [
    `Boot bench, ${report.date}`,
    `guest: ${g.packages.join(', ') || g.kernel}; ${g.memMiB} MiB RAM; append "${g.append}"`,
    `host: ${h.cpuModel}, ${h.cpus} CPUs, ${(h.memBytes / 2 ** 30).toFixed(1)} GiB, ${h.os}, Node ${h.node}`,
    `load average at start (1/5/15 min): ${load}${busy}`,
    '',
    formatTable(report),
    '',
    ...(report.repeat !== undefined && report.repeat > 1
      ? [`each figure is the median of ${report.repeat} runs (rounds interleave the peers), [fastest–slowest] after it;`] : []),
    'to shell: host wall-clock time from starting the peer\'s process to the shell prompt on the serial console;',
    'workloads: from sending the command line to the marker it echoes (includes one console round trip);',
    '(cpu N): host CPU seconds (user + system, all threads) the peer\'s process used in that time: a guest that idles',
    '  (timer waits during boot) or a busy host (other processes) makes it lower than the wall-clock time;',
    `peak RSS: VmHWM of the peer's process (v86 runs in a Node child process of its own; anillo is a Node process too); ${timeouts}.`,
  ].join('\n');
}
