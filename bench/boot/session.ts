/**
 * The boot bench's view of one peer: a child process whose standard input
 * and output are the guest's serial console. `ConsoleSession` keeps the
 * console transcript, sends command lines and waits for literal text in the
 * output (a prompt, a marker the guest echoes), with a timeout, failing early
 * when the process exits. `ProcessWatch` follows the child in /proc: its peak
 * resident set (VmHWM) and the CPU time it has used.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** A wait that ran out of time. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The peer's process ended while the bench waited for it. */
export class ExitedError extends Error {
  override readonly name = 'ExitedError';
}

/** Where a wait matched: host time (performance.now(), ms) and the offset in the transcript. */
export interface Match {
  atMs: number;
  index: number;
}

interface Waiter {
  text: string;
  from: number;
  /** Transcript length up to which this waiter has searched. */
  scanned: number;
  what: string;
  resolve: (m: Match) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const ANSI_ESCAPE = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])/g;

/** The last line with something on it, without terminal escapes, at most `max` characters. */
export function lastConsoleLine(transcript: string, max = 120): string {
  const lines = transcript.replace(ANSI_ESCAPE, '').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    // eslint-disable-next-line no-control-regex
    const line = lines[i].replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').trim();
    if (line) return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  }
  return '';
}

/** The serial console of a peer's child process. */
export class ConsoleSession {
  /** Everything the guest printed, carriage returns removed, bytes as latin1. */
  private transcript = '';
  private stderrTail = '';
  private waiters: Waiter[] = [];
  private exitText: string | undefined;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcessWithoutNullStreams, private readonly log?: WriteStream) {
    child.stdout.on('data', (chunk: Buffer) => this.append(chunk.toString('latin1')));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    // A guest that stops reading must not crash the bench with EPIPE.
    child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitText ??= signal ? `process ended by ${signal}` : `process exited with status ${code}`;
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new ExitedError(`${this.exitText} while waiting for ${w.what}`));
        }
        resolve();
      });
      child.on('error', (e) => {
        this.exitText = `cannot run: ${e.message}`;
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new ExitedError(this.exitText));
        }
        resolve();
      });
    });
  }

  /** The transcript so far. */
  get text(): string { return this.transcript; }

  /** Offset where output from now on starts. */
  get mark(): number { return this.transcript.length; }

  /** Why the process ended, if it has. */
  get exitReason(): string | undefined { return this.exitText; }

  /** The last lines the process wrote on stderr (its own diagnostics, not the guest's). */
  get stderr(): string { return this.stderrTail; }

  /** Last non-empty console line, for "stopped at". */
  lastLine(): string { return lastConsoleLine(this.transcript); }

  /** Types a line on the console. */
  sendLine(line: string): void {
    if (!this.child.stdin.destroyed) this.child.stdin.write(`${line}\n`);
  }

  /**
   * Waits until `text` appears in the transcript at or after offset `from`.
   * Rejects with TimeoutError after `timeoutMs`, ExitedError if the process ends.
   */
  waitFor(text: string, from: number, timeoutMs: number, what: string): Promise<Match> {
    return new Promise((resolve, reject) => {
      const found = this.transcript.indexOf(text, from);
      if (found >= 0) {
        resolve({ atMs: performance.now(), index: found });
        return;
      }
      if (this.exitText !== undefined) {
        reject(new ExitedError(`${this.exitText} while waiting for ${what}`));
        return;
      }
      const waiter: Waiter = {
        text, from, scanned: this.transcript.length, what, resolve, reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new TimeoutError(`no ${what} within ${formatSeconds(timeoutMs / 1000)}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private append(chunk: string): void {
    const atMs = performance.now();
    const text = chunk.replace(/\r/g, '');
    this.log?.write(text, 'latin1');
    this.transcript += text;
    if (this.waiters.length === 0) return;
    for (const w of [...this.waiters]) {
      // Search only what is new, overlapping by the pattern's length, so long boots stay linear.
      const start = Math.max(w.from, w.scanned - w.text.length + 1);
      const found = this.transcript.indexOf(w.text, start);
      w.scanned = this.transcript.length;
      if (found >= 0) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve({ atMs, index: found });
      }
    }
  }
}

/** "12.3 s", "2 min", for messages. */
export function formatSeconds(s: number): string {
  if (s >= 120 && Number.isInteger(s / 60)) return `${s / 60} min`;
  return `${Number(s.toFixed(s < 10 ? 2 : 1))} s`;
}

let clockTicks: number | undefined;

/** The kernel's clock ticks per second, for /proc/PID/stat's CPU times. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Peak resident set in bytes (VmHWM) from a /proc/PID/status text. */
export function parsePeakRss(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** User + system CPU time in clock ticks from a /proc/PID/stat line. */
export function parseCpuTicks(stat: string): number | undefined {
  // The command name (field 2) is in parentheses and may hold spaces; count from after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]), stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/**
 * Follows a process in /proc (Linux): its peak RSS, sampled every
 * `intervalMs` and once more on demand, so a process that exits on its own
 * still has a figure; and its CPU time.
 */
export class ProcessWatch {
  private peak: number | undefined;
  private cpu = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number | undefined, intervalMs = 250) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  /** Reads /proc now; keeps the last good values if the process is gone. */
  sample(): void {
    if (this.pid === undefined) return;
    try {
      const rss = parsePeakRss(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (rss !== undefined) this.peak = Math.max(this.peak ?? 0, rss);
      const ticks = parseCpuTicks(readFileSync(`/proc/${this.pid}/stat`, 'utf8'));
      if (ticks !== undefined) this.cpu = ticks / ticksPerSecond();
    } catch {
      // Exited (or no /proc): keep what we have.
    }
  }

  /** Peak RSS in bytes, as of the last sample. */
  get peakRssBytes(): number | undefined { return this.peak; }

  /** CPU seconds (user + system, all threads) used so far. */
  cpuSeconds(): number {
    this.sample();
    return this.cpu;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
