/** The opcode table and the instruction families agree: every entry has a handler and every handler an entry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HANDLERS, MISSING_HANDLERS, dispatch, handlerNamesOf, undefinedOpcode } from '../../src/cpu/dispatch.js';
import { OPCODES } from '../../src/cpu/opcode-table.js';

test('every opcode-table entry has an interpreter handler', () => {
  assert.deepEqual(MISSING_HANDLERS, []);
});

test('every handler is reachable from the table', () => {
  const used = new Set(OPCODES.filter((e) => e !== undefined).flatMap((e) => handlerNamesOf(e!)));
  const orphans = Object.keys(HANDLERS).filter((name) => !used.has(name));
  assert.deepEqual(orphans, []);
});

test('undefined opcodes dispatch to #UD', () => {
  for (const code of [0x0f04, 0x10a, 0x1ff, 0x1a6, 0x1b8, 0xd6 + 0x100]) {
    if (OPCODES[code & 0x1ff] === undefined) assert.equal(dispatch[code & 0x1ff], undefinedOpcode, code.toString(16));
  }
  const defined = OPCODES.filter((e) => e !== undefined).length;
  assert.ok(defined > 300, `${defined} opcodes defined`);
});
