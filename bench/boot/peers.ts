/**
 * The boot bench's peers: how to start each one on the same kernel,
 * initramfs, command line and RAM with its serial console on the child's
 * standard input and output, and its exact version.
 *
 * - anillo: `node FLAGS bin/anillo.js run --kernel … --initrd … --append … --mem …`,
 *   FLAGS from the script's `#!` line ({@link nodeFlagsOf}).
 *   Two rows: the interpreter, and the translator once `anillo run` has
 *   `--no-jit` (issue 6): then the interpreter row passes `--no-jit` and the
 *   translator row runs without it. Until then the translator row is
 *   "not available".
 * - qemu: `qemu-system-i386 -accel tcg` with `-serial stdio`, no display, no monitor.
 * - v86 / v86-nojit: the npm package in a child Node process
 *   (bench/boot/v86-child.ts), so the RSS measured is v86's own; v86-nojit
 *   turns off its x86-to-wasm JIT (v86's interpreter), an optional row.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What every peer boots. */
export interface GuestSpec {
  kernel: string;
  initrd: string;
  append: string;
  memMiB: number;
}

/** How to start a peer. */
export interface Launch {
  file: string;
  args: string[];
}

/** One row of the bench. */
export interface Peer {
  id: string;
  label: string;
  /** anillo's rows get the longer timeout. */
  kind: 'anillo' | 'peer';
  /** Why this peer cannot run here, or undefined. */
  unavailable?: string;
  version: string;
  launch: Launch;
}

/** Every peer id, in table order; the default set leaves out the optional ones. */
export const PEER_IDS = ['anillo', 'anillo-jit', 'anillo-jit-js', 'qemu', 'v86', 'v86-nojit'] as const;
export const DEFAULT_PEERS = ['anillo', 'anillo-jit', 'qemu', 'v86'];

/** Paths the peers read: Debian's SeaBIOS build serves v86 (its npm package ships no firmware). */
export const SEABIOS = '/usr/share/seabios/bios.bin';
export const VGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';

function run(file: string, args: string[], cwd?: string): string | undefined {
  try {
    return execFileSync(file, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function debVersion(pkg: string): string | undefined {
  return run('dpkg-query', ['-W', '-f', '${Version}', pkg]) || undefined;
}

/** anillo's version: package.json's, and the git commit (+dirty when the tree has changes). */
function anilloVersion(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const commit = run('git', ['rev-parse', '--short', 'HEAD'], root);
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no'], root);
  return commit ? `${pkg.version} (${commit}${dirty ? '+dirty' : ''})` : pkg.version;
}

/**
 * The Node flags a script's first line gives (`#!/usr/bin/env -S node FLAGS`),
 * so that the bench launches anillo as its `bin` runs, with the same V8
 * settings (bin/anillo.js says why it has them).
 */
export function nodeFlagsOf(script: string): string[] {
  const first = script.split('\n', 1)[0];
  const m = /^#!\S*env(?: -S)? +node((?:\s+\S+)*)\s*$/.exec(first);
  if (!m) throw new Error(`not a Node script line: ${first.slice(0, 80)}`);
  return m[1].split(/\s+/).filter((f) => f !== '');
}

/** Builds the peers asked for, in table order. */
export function makePeers(root: string, guest: GuestSpec, ids: readonly string[]): Peer[] {
  const peers: Peer[] = [];
  const want = new Set(ids);
  const mem = `${guest.memMiB}M`;

  if (want.has('anillo') || want.has('anillo-jit') || want.has('anillo-jit-js')) {
    const bin = join(root, 'bin/anillo.js');
    const base = [...nodeFlagsOf(readFileSync(bin, 'utf8')), bin, 'run', '--kernel', guest.kernel, '--initrd', guest.initrd, '--append', guest.append, '--mem', mem];
    const help = run(process.execPath, [bin, '--help'], root) ?? '';
    const hasTranslator = help.includes('--no-jit');
    const version = anilloVersion(root);
    if (want.has('anillo')) {
      peers.push({
        id: 'anillo', label: 'anillo (interpreter)', kind: 'anillo', version,
        launch: { file: process.execPath, args: hasTranslator ? [...base, '--no-jit'] : base },
      });
    }
    if (want.has('anillo-jit')) {
      peers.push({
        id: 'anillo-jit', label: 'anillo (translator)', kind: 'anillo', version,
        unavailable: hasTranslator ? undefined : 'not available yet (anillo run has no --no-jit; issue 6)',
        launch: { file: process.execPath, args: base },
      });
    }
    if (want.has('anillo-jit-js')) {
      const hasBackends = help.includes('--jit-backend');
      peers.push({
        id: 'anillo-jit-js', label: 'anillo (translator, JS regions)', kind: 'anillo', version,
        unavailable: hasBackends ? undefined : 'not available (anillo run has no --jit-backend)',
        launch: { file: process.execPath, args: [...base, '--jit-backend', 'js'] },
      });
    }
  }

  if (want.has('qemu')) {
    const line = run('qemu-system-i386', ['--version'])?.split('\n')[0];
    const version = line?.replace(/^QEMU emulator version /, '') ?? 'not installed';
    peers.push({
      id: 'qemu', label: 'QEMU (TCG)', kind: 'peer', version,
      unavailable: line ? undefined : 'qemu-system-i386 not found (bash bench/setup-peers.sh qemu)',
      launch: {
        file: 'qemu-system-i386',
        args: ['-accel', 'tcg', '-m', `${guest.memMiB}`, '-smp', '1', '-display', 'none', '-monitor', 'none',
          '-serial', 'stdio', '-no-reboot', '-kernel', guest.kernel, '-initrd', guest.initrd, '-append', guest.append],
      },
    });
  }

  for (const id of ['v86', 'v86-nojit'] as const) {
    if (!want.has(id)) continue;
    const dir = join(root, 'build/bench-peers/node_modules/v86');
    const pkgFile = join(dir, 'package.json');
    const v86 = existsSync(pkgFile) ? (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string }).version : undefined;
    const seabios = debVersion('seabios');
    const missing = !v86 ? 'the v86 package is not installed (bash bench/setup-peers.sh v86)'
      : !existsSync(SEABIOS) || !existsSync(VGABIOS) ? `${SEABIOS} or ${VGABIOS} missing (apt-get install seabios)` : undefined;
    const noJit = id === 'v86-nojit';
    peers.push({
      id, label: noJit ? 'v86 (no JIT)' : 'v86 (JIT)', kind: 'peer',
      version: v86 ? `${v86}, SeaBIOS ${seabios ?? '?'} (Debian)` : 'not installed',
      unavailable: missing,
      launch: {
        file: process.execPath,
        args: [join(root, 'dist/bench/boot/v86-child.js'), '--v86', dir, '--bios', SEABIOS, '--vga-bios', VGABIOS,
          '--kernel', guest.kernel, '--initrd', guest.initrd, '--append', guest.append, '--mem', `${guest.memMiB}`,
          ...(noJit ? ['--no-jit'] : [])],
      },
    });
  }
  return peers;
}
