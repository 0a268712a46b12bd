/**
 * Repeated runs of the boot bench (--repeat N): this host's speed drifts by
 * tens of percent over minutes, so one run per figure says little. Each
 * round runs every peer once (rounds interleave the peers, so a slow spell
 * of the host falls on all of them), and a peer's row reports the median of
 * its runs per phase, with the runs themselves kept in the JSON.
 */
import type { PeerResult, PhaseResult } from './report.js';

/** Median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

type PhaseName = keyof PeerResult['phases'];
const PHASES: PhaseName[] = ['boot', 'echo', 'md5', 'loop'];

/**
 * One row from a peer's runs: per phase the median wall-clock and CPU
 * seconds of the runs that finished it, with their range; the largest peak
 * RSS; a result check (digest, loop count) holds only if it held in every
 * run. A run that went wrong makes the row's status that run's (the first
 * such), so a failure is never hidden by a median.
 */
export function combineRuns(runs: PeerResult[]): PeerResult {
  if (runs.length === 1) return runs[0];
  const first = runs[0];
  const bad = runs.find((r) => r.status !== 'ok');
  const row: PeerResult = { ...(bad ?? first), phases: {}, runs };
  const rss = runs.map((r) => r.peakRssBytes).filter((x): x is number => x !== undefined);
  row.peakRssBytes = rss.length > 0 ? Math.max(...rss) : undefined;
  for (const name of PHASES) {
    const done = runs.map((r) => r.phases[name]).filter((p): p is PhaseResult => p !== undefined);
    if (done.length === 0) continue;
    const seconds = done.map((p) => p.seconds);
    const phase: PhaseResult & Record<string, unknown> = {
      ...done[0],
      seconds: median(seconds), cpuSeconds: median(done.map((p) => p.cpuSeconds)),
      minSeconds: Math.min(...seconds), maxSeconds: Math.max(...seconds), runs: done.length,
    };
    if ('ok' in done[0]) phase.ok = done.length === runs.length && done.every((p) => (p as { ok?: boolean }).ok === true);
    (row.phases as Record<string, PhaseResult>)[name] = phase;
  }
  return row;
}
