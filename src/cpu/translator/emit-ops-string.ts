/**
 * Emitters for the string operations without a REP prefix (LODS STOS MOVS
 * SCAS CMPS), as string.ts runs one iteration: (E)SI/(E)DI of the address
 * size, stepped by the element size in the direction of DF after the
 * element is read and written, so a fault leaves them as they were. A store
 * defers its self-modification check until the index registers have
 * stepped (the instruction must be complete when the block is left).
 *
 * Every REP form is declined: its loop already runs at host speed in
 * string.ts (whole-page copies and fills, chunked so interrupts get in), so
 * a translated copy would save only a decode and a call. (WebAssembly
 * regions run them, wasm/ops-string.ts: there a call to the interpreter
 * costs storing and reloading every register.)
 */
import { Reg, Seg } from '../registers.js';
import type { Emitter, InsnEmitter } from './emit.js';
import { fit } from './operand-text.js';
import { dataSeg } from './insn-operands.js';

/** LazyOp.SUB (flags.ts), as generated code holds it. */
const LAZY_SUB = 3;
/** EFLAGS.DF as the emitted code spells it. */
const FLAG_DF = '0x400';

/** (E)SI or (E)DI as an offset of the address size. */
function stringIndex(e: InsnEmitter, n: number): string {
  return e.insn.addrsize32 ? e.reg(4, n) : e.reg(2, n);
}

/** Steps (E)SI or (E)DI by `step` (a local: ±size by DF) within the address size (string.ts advance). */
function advance(e: InsnEmitter, n: number, step: string): void {
  if (e.insn.addrsize32) e.setReg(4, n, `(${e.reg(4, n)} + ${step}) | 0`);
  else e.setReg(2, n, `(${e.reg(4, n)} + ${step})`);
}

/** Declares the per-element step local: −size with DF set, else +size. */
function stepLocal(e: InsnEmitter, size: number): string {
  const d = e.v('d');
  e.emit(`const ${d} = (c.flags & ${FLAG_DF}) !== 0 ? ${-size} : ${size};`);
  return d;
}

/** A string operation of `size` bytes (1, or the operand size for the v forms) without REP. */
type StringOp = (e: InsnEmitter, size: number) => void;

/** The emitter of one string instruction class: `op` on the operand size (1 for the byte forms); REP forms declined, nothing emitted. */
const stringForm = (op: StringOp, byteForm: boolean): Emitter => (e) => {
  if (e.insn.rep !== 0) return false;
  op(e, byteForm ? 1 : e.osize);
  return true;
};

/** LODS: accumulator ← [src:(E)SI]; (E)SI steps. */
const lods: StringOp = (e, size) => {
  const v = e.v('v');
  e.emit(`const ${v} = ${e.read(size, dataSeg(e), stringIndex(e, Reg.ESI))};`);
  const d = stepLocal(e, size);
  e.setReg(size, Reg.EAX, v);
  advance(e, Reg.ESI, d);
};

/** STOS: [ES:(E)DI] ← accumulator; (E)DI steps. */
const stos: StringOp = (e, size) => {
  e.write(size, Seg.ES, stringIndex(e, Reg.EDI), e.reg(size, Reg.EAX), false);
  advance(e, Reg.EDI, stepLocal(e, size));
  e.afterStore();
};

/** MOVS: [ES:(E)DI] ← [src:(E)SI]; both step. */
const movs: StringOp = (e, size) => {
  const v = e.v('v');
  e.emit(`const ${v} = ${e.read(size, dataSeg(e), stringIndex(e, Reg.ESI))};`);
  e.write(size, Seg.ES, stringIndex(e, Reg.EDI), v, false);
  const d = stepLocal(e, size);
  advance(e, Reg.ESI, d);
  advance(e, Reg.EDI, d);
  e.afterStore();
};

/**
 * SCAS (accumulator − [ES:(E)DI]) and CMPS ([src:(E)SI] − [ES:(E)DI]):
 * flags as CMP. (string.ts records the difference unmasked; the masked one
 * recorded here gives the same six flags, as flags.ts masks it on every read.)
 */
const compare = (scan: boolean): StringOp => (e, size) => {
  const a = e.v('x'), b = e.v('y'), rv = e.v('r');
  if (scan) e.emit(`const ${a} = ${e.reg(size, Reg.EAX)};`);
  else e.emit(`const ${a} = ${e.read(size, dataSeg(e), stringIndex(e, Reg.ESI))};`);
  e.emit(`const ${b} = ${e.read(size, Seg.ES, stringIndex(e, Reg.EDI))};`);
  e.emit(`const ${rv} = ${fit(`${a} - ${b}`, size)};`);
  e.setLazy(LAZY_SUB, a, b, rv, size);
  const d = stepLocal(e, size);
  if (!scan) advance(e, Reg.ESI, d);
  advance(e, Reg.EDI, d);
};

/** The string emitters, merged into DEFAULT_EMITTERS. */
export const STRING_EMITTERS: Record<string, Emitter> = {
  LODS_ALXb: stringForm(lods, true),
  LODS_eAXXv: stringForm(lods, false),
  STOS_YbAL: stringForm(stos, true),
  STOS_YveAX: stringForm(stos, false),
  MOVS_YbXb: stringForm(movs, true),
  MOVS_YvXv: stringForm(movs, false),
  SCAS_ALYb: stringForm(compare(true), true),
  SCAS_eAXYv: stringForm(compare(true), false),
  CMPS_XbYb: stringForm(compare(false), true),
  CMPS_XvYv: stringForm(compare(false), false),
};
