/**
 * Assembles NASM source to machine code for tests (nasm is installed by
 * scripts/setup.sh). Results are cached by content under build/asm-cache so
 * repeated runs do not spawn nasm.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = join(ROOT, 'build', 'asm-cache');

/** Machine code for `source` assembled as `bits`-bit code at origin `org`. */
export function assemble(source: string, bits: 16 | 32 = 32, org = 0): Uint8Array {
  const text = `bits ${bits}\norg ${org}\n${source}\n`;
  const key = createHash('sha1').update(text).digest('hex');
  const out = join(CACHE, `${key}.bin`);
  if (!existsSync(out)) {
    mkdirSync(CACHE, { recursive: true });
    const src = join(CACHE, `${key}.asm`);
    writeFileSync(src, text);
    execFileSync('nasm', ['-f', 'bin', '-o', out, src], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return new Uint8Array(readFileSync(out));
}
