/**
 * Interpreter dispatch built from the opcode table: each entry's handler is
 * looked up by name in the instruction families. A table entry without a
 * handler is a host bug and fails loudly at start-up (see the test that every
 * entry is implemented); an undefined opcode raises #UD in the guest.
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Vector } from './registers.js';
import { OPCODES, lockMaskOf, simdPrefixOf, type OpcodeEntry } from './opcode-table.js';
import { handlers as arith } from './instructions/arith.js';
import { handlers as shift } from './instructions/shift.js';
import { handlers as bit } from './instructions/bit.js';
import { handlers as bcd } from './instructions/bcd.js';
import { handlers as data } from './instructions/data.js';
import { handlers as stack } from './instructions/stack.js';
import { handlers as string } from './instructions/string.js';
import { handlers as io } from './instructions/io.js';
import { handlers as control } from './instructions/control.js';
import { handlers as system } from './instructions/system.js';
import { handlers as x87 } from './instructions/x87.js';
import { handlers as simdInteger } from './instructions/simd-integer.js';
import { handlers as simdMove } from './instructions/simd-move.js';
import { handlers as simdFloat } from './instructions/simd-float.js';
import { handlers as simdConvert } from './instructions/simd-convert.js';
import { handlers as simdState } from './instructions/simd-state.js';

/** An instruction handler: runs with prefixes and opcode decoded, EIP past the opcode. */
export type Handler = (cpu: Cpu) => void;

/** Raises #UD: undefined opcodes and undefined group members. */
export function undefinedOpcode(_cpu: Cpu): void {
  throw new CpuException(Vector.UD);
}

/** Every handler by name, from all families. */
export const HANDLERS: Readonly<Record<string, Handler>> = mergeFamilies([
  arith, shift, bit, bcd, data, stack, string, io, control, system, x87,
  simdInteger, simdMove, simdFloat, simdConvert, simdState,
]);

function mergeFamilies(families: Record<string, Handler>[]): Record<string, Handler> {
  const all: Record<string, Handler> = {};
  for (const family of families) {
    for (const [name, fn] of Object.entries(family)) {
      if (all[name]) throw new Error(`instruction handler ${name} defined twice`);
      all[name] = fn;
    }
  }
  return all;
}

/** Every handler name an entry uses: its own, or its prefix forms'. */
export function handlerNamesOf(e: OpcodeEntry): string[] {
  if (!e.forms) return [e.handler];
  return e.forms.filter((f) => f !== undefined).map((f) => f!.handler);
}

/** Table entries whose handler no family defines (must be empty). */
export const MISSING_HANDLERS: readonly string[] = OPCODES
  .filter((e) => e !== undefined)
  .flatMap((e) => handlerNamesOf(e!).filter((h) => HANDLERS[h] === undefined).map((h) => `${e!.code.toString(16)} ${h}`));

/**
 * The handler of an opcode with mandatory-prefix forms: F3 or F2 (the last
 * one decoded) selects its form, else 66, else the unprefixed form (SDM Vol.
 * 2 §2.1.1; with F2/F3 present a 66 is ignored). 66 is seen as the operand
 * size differing from the code segment's default.
 */
function byPrefix(e: OpcodeEntry): Handler {
  const forms = e.forms!.map((f) => (f && HANDLERS[f.handler]) || undefinedOpcode);
  return (cpu: Cpu): void => {
    forms[simdPrefixOf(cpu.repPrefix, cpu.opsize32 !== cpu.codeSize32)]!(cpu);
  };
}

/** Handler per opcode (0x100 | byte for the 0F map). */
export const dispatch: Handler[] = OPCODES.map((e) => {
  if (!e) return undefinedOpcode;
  if (e.forms) return byPrefix(e);
  return HANDLERS[e.handler] || undefinedOpcode;
});

/** ModRM.reg values with which LOCK is legal, per opcode. */
export const lockableRegs = new Uint8Array(OPCODES.map((e) => lockMaskOf(e)));
