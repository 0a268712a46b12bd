/**
 * Builds cross-check ROM images: the harness (harness.asm, assembled once
 * with nasm and cached under build/oracle/bochs/) with as many case records
 * as fit appended after it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TABLE_PTR_AT, encodeRecord, type BxCase } from './layout.js';

/** The repository root (this file runs from dist/tools/oracle/bochs/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SOURCE_DIR = `${REPO_ROOT}tools/oracle/bochs/`;
const CACHE_DIR = `${REPO_ROOT}build/oracle/bochs/`;
const ROM_ORG = 0xf0000;

let harness: Uint8Array | undefined;

/** Why the harness cannot be assembled here, or undefined. */
export function harnessUnavailableReason(): string | undefined {
  try {
    harnessImage();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The assembled harness (64 KiB, empty table). */
export function harnessImage(): Uint8Array {
  if (harness) return harness;
  const sources = ['harness.asm', 'layout.inc'].map((f) => readFileSync(SOURCE_DIR + f));
  const hash = createHash('sha256');
  for (const s of sources) hash.update(s);
  const out = `${CACHE_DIR}harness-${hash.digest('hex').slice(0, 16)}.bin`;
  if (!existsSync(out)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      execFileSync('nasm', ['-f', 'bin', '-I', SOURCE_DIR, '-o', tmp, `${SOURCE_DIR}harness.asm`], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('nasm not found (Debian: apt-get install nasm, or run scripts/setup.sh)');
      throw new Error(`nasm failed on harness.asm: ${err.stderr?.toString() ?? err.message}`);
    }
    renameSync(tmp, out);
  }
  const image = new Uint8Array(readFileSync(out));
  if (image.length !== 0x10000) throw new Error(`harness image is ${image.length} bytes, not 64 KiB`);
  harness = image;
  return image;
}

/** First ROM offset of the case table. */
function tableStart(image: Uint8Array): number {
  const linear = new DataView(image.buffer, image.byteOffset).getUint32(TABLE_PTR_AT, true);
  return linear - ROM_ORG;
}

/** A ROM and the ids (indices into the case list) of the cases it runs. */
export interface Rom { image: Uint8Array; ids: number[] }

/**
 * Packs `cases` into ROMs; a case's id is its index in `cases` plus `firstId`.
 */
export function buildRoms(cases: readonly BxCase[], firstId = 0): Rom[] {
  const base = harnessImage();
  const start = tableStart(base);
  const limit = TABLE_PTR_AT - 2; // room for the terminating zero length
  const roms: Rom[] = [];
  let image: Uint8Array | undefined;
  let at = 0;
  let ids: number[] = [];
  const flush = () => {
    if (image) roms.push({ image, ids });
    image = undefined;
  };
  cases.forEach((c, i) => {
    const record = encodeRecord(c, firstId + i);
    if (image && at + record.length > limit) flush();
    if (!image) {
      image = new Uint8Array(base);
      at = start;
      ids = [];
    }
    if (at + record.length > limit) throw new RangeError(`case ${firstId + i} does not fit in a ROM`);
    image.set(record, at);
    at += record.length;
    ids.push(firstId + i);
  });
  flush();
  return roms;
}
