/**
 * Command line of the boot bench (`npm run bench:boot -- [options]`).
 */
import { DEFAULT_PEERS, PEER_IDS } from './peers.js';

export interface BootBenchOptions {
  peers: string[];
  /** Per-phase timeout for anillo's rows, seconds. */
  anilloTimeoutS: number;
  /** Per-phase timeout for QEMU and v86, seconds. */
  peerTimeoutS: number;
  /** Runs per peer; the table shows medians (repeat.ts). */
  repeat: number;
  memMiB: number;
  append: string;
  md5MiB: number;
  loopIterations: number;
  out: string;
  setup: boolean;
  help: boolean;
}

export const DEFAULT_APPEND = 'console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 rdinit=/init';

export const BOOT_BENCH_HELP = `usage: node dist/bench/boot.js [options]     (npm run bench:boot -- [options])

Boots build/guests/debian/vmlinuz with build/guests/linux/initramfs.cpio on each
peer in turn, drives its serial console, and prints a table: time to the shell
prompt, md5sum over data dd makes in the guest, a shell arithmetic loop, and the
peak RSS of the peer's process. Also writes the results as JSON.

  --only LIST            peers to run, comma-separated, from: ${PEER_IDS.join(', ')}
                         (default: ${DEFAULT_PEERS.join(',')}; v86-nojit is v86 with its JIT off)
  --skip LIST            leave these peers out
  --timeout S            per-phase timeout for every peer, seconds
  --anillo-timeout S     per-phase timeout for anillo's rows (default 600)
  --peer-timeout S       per-phase timeout for QEMU and v86 (default 120)
  --repeat N             run every peer N times, in N rounds; each figure is the median
                         (this host's speed drifts: one run is a poor figure)
  --mem MIB              guest RAM (default 128)
  --append STRING        kernel command line (default "${DEFAULT_APPEND}")
  --md5-mib N            MiB that md5sum reads (default 20)
  --loop N               iterations of the shell loop (default 100000)
  --out FILE             the JSON report (default build/bench/results.json)
  --no-setup             do not run bench/setup-peers.sh first
  -h, --help             this help`;

function list(text: string, flag: string): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!(PEER_IDS as readonly string[]).includes(id)) throw new Error(`${flag}: unknown peer '${id}' (${PEER_IDS.join(', ')})`);
  }
  return ids;
}

function wholeNumber(text: string | undefined, flag: string): number {
  const n = positive(text, flag);
  if (!Number.isInteger(n)) throw new Error(`${flag} needs a whole number`);
  return n;
}

function positive(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
  return n;
}

/** argv (without node and the script) → options; throws Error with a one-line message. */
export function parseBootBenchArgs(argv: readonly string[]): BootBenchOptions {
  const o: BootBenchOptions = {
    peers: [...DEFAULT_PEERS], anilloTimeoutS: 600, peerTimeoutS: 120, repeat: 1, memMiB: 128, append: DEFAULT_APPEND,
    md5MiB: 20, loopIterations: 100_000, out: 'build/bench/results.json', setup: true, help: false,
  };
  let only: string[] | undefined;
  const skip: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--only': only = list(value(), flag); break;
      case '--skip': skip.push(...list(value(), flag)); break;
      case '--timeout': o.anilloTimeoutS = o.peerTimeoutS = positive(value(), flag); break;
      case '--anillo-timeout': o.anilloTimeoutS = positive(value(), flag); break;
      case '--peer-timeout': o.peerTimeoutS = positive(value(), flag); break;
      case '--repeat': o.repeat = wholeNumber(value(), flag); break;
      case '--mem': o.memMiB = Math.round(positive(value(), flag)); break;
      case '--append': o.append = value(); break;
      case '--md5-mib': o.md5MiB = Math.round(positive(value(), flag)); break;
      case '--loop': o.loopIterations = Math.round(positive(value(), flag)); break;
      case '--out': o.out = value(); break;
      case '--no-setup': o.setup = false; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown option '${flag}' (see --help)`);
    }
  }
  o.peers = PEER_IDS.filter((id) => (only ?? DEFAULT_PEERS).includes(id) && !skip.includes(id));
  if (o.peers.length === 0) throw new Error('no peer left to run');
  return o;
}
