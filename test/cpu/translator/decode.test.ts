/**
 * The translator's decoder names each instruction's class as the
 * interpreter's dispatch picks it: for an opcode with prefix-selected forms
 * (SDM Vol. 2 §2.1.1), the last F3/F2, else 66, else the unprefixed form,
 * in 16-bit code too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInsn } from '../../../src/cpu/translator/index.js';

function handlerOf(bytes: number[], code32 = true): string {
  const insn = decodeInsn(Uint8Array.from(bytes), 0, bytes.length, 0, code32);
  assert.ok(insn, `${bytes.map((b) => b.toString(16)).join(' ')} decodes`);
  assert.equal(insn.length, bytes.length);
  return insn.handler;
}

test('the handler of a prefix-selected form is the form the prefixes select', () => {
  assert.equal(handlerOf([0x0f, 0xef, 0xc1]), 'PXOR_PqQq');
  assert.equal(handlerOf([0x66, 0x0f, 0xef, 0xc1]), 'PXOR_VdqWdq');
  assert.equal(handlerOf([0x66, 0x0f, 0x6f, 0x06]), 'MOVDQA_VdqWdq');
  assert.equal(handlerOf([0xf3, 0x0f, 0x6f, 0x06]), 'MOVDQU_VdqWdq');
  // F3/F2 win over 66 whatever the order; the last of F3/F2 counts.
  assert.equal(handlerOf([0xf3, 0x66, 0x0f, 0x6f, 0x06]), 'MOVDQU_VdqWdq');
  assert.equal(handlerOf([0xf2, 0xf3, 0x0f, 0x7e, 0xc1]), 'MOVQ_VqWq');
  assert.equal(handlerOf([0xf3, 0xf2, 0x0f, 0x7e, 0xc1]), '', 'F2 0F 7E has no form: #UD');
  assert.equal(handlerOf([0x66, 0x0f, 0x73, 0xf9, 0x04]), 'G14_UdqIb');
  assert.equal(handlerOf([0x66, 0x0f, 0x70, 0xc1, 0x1b]), 'PSHUFD_VdqWdqIb');
});

test('in 16-bit code the 66 prefix still selects the 66 form; without it, the unprefixed form', () => {
  assert.equal(handlerOf([0x66, 0x0f, 0xd7, 0xc1], false), 'PMOVMSKB_GdUdq');
  assert.equal(handlerOf([0x0f, 0xd7, 0xc1], false), 'PMOVMSKB_GdNq');
});

test('an opcode without forms keeps its entry handler', () => {
  assert.equal(handlerOf([0x01, 0xd8]), 'ADD_EvGv');
  assert.equal(handlerOf([0x66, 0x01, 0xd8]), 'ADD_EvGv');
});
