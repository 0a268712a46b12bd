/**
 * WebAssembly emitters for the string operations without a REP prefix (LODS
 * STOS MOVS SCAS CMPS), as emit-ops-string.ts and string.ts's single
 * iteration: (E)SI/(E)DI of the address size, stepped by the element size
 * in the direction of DF (from the flags local) after the element is read
 * and written, so a fault leaves them as they were. A store defers its
 * self-modification check until the index registers have stepped (the
 * instruction must be complete when the region is left).
 *
 * Every REP form is declined, as the JavaScript emitters decline it: its
 * loop runs at host speed in string.ts.
 */
import { Reg, Seg } from '../../registers.js';
import type { Local } from './module-builder.js';
import { Op } from './module-builder.js';
import { F, type WasmEmitter, type WasmEmitterTable, type WasmInsnEmitter } from './region.js';
import { dataSeg, withoutRep } from '../insn-operands.js';

/** LazyOp.SUB (flags.ts). */
const LAZY_SUB = 3;
/** EFLAGS.DF. */
const FLAG_DF = 0x400;

/** Pushes (E)SI or (E)DI as an offset of the address size. */
function stringIndex(e: WasmInsnEmitter, n: number): void {
  e.reg(e.insn.addrsize32 ? 4 : 2, n);
}

/** A local holding the per-element step: −size with DF set, else +size (string.ts stepOf). */
function stepLocal(e: WasmInsnEmitter, size: number): Local {
  const d = e.tmp();
  e.b.i32(-size).i32(size).get(e.L.flags[F.FLAGS]).i32(FLAG_DF).op(Op.I32And).op(Op.Select).set(d);
  return d;
}

/** (E)SI or (E)DI += step within the address size; with 16-bit addressing the upper half stays (string.ts advance). */
function advance(e: WasmInsnEmitter, n: number, step: Local): void {
  const b = e.b, r = e.L.regs[n];
  if (e.insn.addrsize32) b.get(r).get(step).op(Op.I32Add).set(r);
  else b.get(r).i32(-65536).op(Op.I32And).get(r).get(step).op(Op.I32Add).i32(0xffff).op(Op.I32And).op(Op.I32Or).set(r);
}


/** A string operation of `size` bytes (1, or the operand size for the v forms) without REP. */
type StringOp = (e: WasmInsnEmitter, size: number) => void;

const stringForm = (op: StringOp, byteForm: boolean): WasmEmitter => withoutRep(op, byteForm);

/** LODS: accumulator ← [src:(E)SI]; (E)SI steps. */
const lods: StringOp = (e, size) => {
  stringIndex(e, Reg.ESI);
  e.read(size, dataSeg(e));
  e.setReg(size, Reg.EAX);
  advance(e, Reg.ESI, stepLocal(e, size));
};

/** STOS: [ES:(E)DI] ← accumulator; (E)DI steps; then the deferred code check. */
const stos: StringOp = (e, size) => {
  e.reg(size, Reg.EAX);
  const v = e.keep();
  stringIndex(e, Reg.EDI);
  e.write(size, Seg.ES, v, false);
  advance(e, Reg.EDI, stepLocal(e, size));
  e.afterStore();
};

/** MOVS: [ES:(E)DI] ← [src:(E)SI]; both step; then the deferred code check. */
const movs: StringOp = (e, size) => {
  stringIndex(e, Reg.ESI);
  e.read(size, dataSeg(e));
  const v = e.keep();
  stringIndex(e, Reg.EDI);
  e.write(size, Seg.ES, v, false);
  const d = stepLocal(e, size);
  advance(e, Reg.ESI, d);
  advance(e, Reg.EDI, d);
  e.afterStore();
};

/**
 * SCAS (accumulator − [ES:(E)DI]) and CMPS ([src:(E)SI] − [ES:(E)DI], SDM
 * Vol. 2 "CMPS": the source string is the first operand): flags as CMP.
 * string.ts records the difference unmasked; the masked one recorded here
 * gives the same six flags (flags.ts masks it on every read), and the
 * known-flags conditions of region.ts need it masked.
 */
const compare = (scan: boolean): StringOp => (e, size) => {
  const b = e.b;
  if (scan) e.reg(size, Reg.EAX);
  else { stringIndex(e, Reg.ESI); e.read(size, dataSeg(e)); }
  const a = e.keep();
  stringIndex(e, Reg.EDI);
  e.read(size, Seg.ES);
  const bv = e.keep();
  const r = e.tmp();
  b.get(a).get(bv).op(Op.I32Sub);
  if (size !== 4) b.i32(size === 2 ? 0xffff : 0xff).op(Op.I32And);
  b.set(r);
  e.setLazy(LAZY_SUB, a, bv, r, size);
  const d = stepLocal(e, size);
  if (!scan) advance(e, Reg.ESI, d);
  advance(e, Reg.EDI, d);
};

/** The string emitters, merged into WASM_EMITTERS. */
export const WASM_STRING_EMITTERS: WasmEmitterTable = {
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
