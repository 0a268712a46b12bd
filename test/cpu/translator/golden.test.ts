/**
 * Golden tests of the emitter: small assembly inputs with their expected
 * JavaScript checked in beside them (golden/NAME.asm → golden/NAME.js).
 * After an intended change of the generated code, `npm run golden:accept`
 * rewrites the expected files; review the diff like any other change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { assemble } from '../../support/asm.js';
import { emitBlock, findBlock, DEFAULT_EMITTERS } from '../../../src/cpu/translator/index.js';
import { MODE_FLAT } from '../../../src/cpu/translator/emit.js';

/** The checked-in files live in the source tree (this file runs from dist/). */
const DIR = fileURLToPath(new URL('../../../../test/cpu/translator/golden/', import.meta.url));
const ACCEPT = process.env['GOLDEN_ACCEPT'] === '1';
/** Where the inputs are assembled and decoded. */
const ORG = 0x1000;

for (const name of readdirSync(DIR).filter((f) => f.endsWith('.asm')).sort()) {
  test(`golden: ${name}`, () => {
    const src = readFileSync(join(DIR, name), 'utf8');
    const bits = /^bits 16/m.test(src) ? 16 : 32;
    const code = assemble(src.replace(/^bits \d+$/m, ''), bits, ORG);
    const bytes = new Uint8Array(0x2000);
    bytes.set(code, ORG);
    // A `; flat` line: DS, ES and SS are flat (MODE_FLAT), so accesses through them take the inline TLB path.
    const mode = (bits === 32 ? 0x13 : 0x10) | (/^; flat$/m.test(src) ? MODE_FLAT : 0);
    const plan = findBlock(bytes, ORG, ORG, mode);
    assert.ok(plan, 'a block was found');
    const { source, limitNeeded } = emitBlock(plan, DEFAULT_EMITTERS);
    const actual = `${source}// limitNeeded 0x${limitNeeded.toString(16)}\n`;
    const file = join(DIR, name.replace(/\.asm$/, '.js'));
    if (ACCEPT || !existsSync(file)) {
      writeFileSync(file, actual);
      if (!ACCEPT) assert.fail(`${file} did not exist; written now: review it and run the test again`);
      return;
    }
    assert.equal(actual, readFileSync(file, 'utf8'), `generated code changed; if intended, run npm run golden:accept`);
    // The expected code must also compile.
    assert.doesNotThrow(() => new Function('H', 'B', source));
  });
}
