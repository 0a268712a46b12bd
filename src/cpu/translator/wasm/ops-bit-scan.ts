/**
 * WebAssembly emitters for BSF and BSR Gv, Ev (0F BC, 0F BD), as bit.ts
 * bitScan: the index of the lowest (BSF) or highest (BSR) set bit of the
 * source, of the operand size, into G. A zero source sets ZF and leaves G
 * as it was. The other flags as the interpreter sets them (checked there
 * against hardware): CF, OF, SF and AF cleared, PF the parity of the index
 * written, or set when the source is 0 (SDM Vol. 2 "BSF", "BSR": undefined).
 *
 * The interpreter writes all six arithmetic flags through setSomeFlags,
 * which first computes the pending ones; every pending flag is among the
 * six, so the values it computes are all overwritten. Here the flags local
 * takes the six values directly and nothing stays pending (lazyMask 0):
 * the same EFLAGS, without the flags helper.
 *
 * An F3 prefix (TZCNT/LZCNT on later processors) changes nothing on this
 * CPU, as in the interpreter.
 */
import { Op } from './module-builder.js';
import { F, type WasmEmitter } from './region.js';

/** CF PF AF ZF SF OF. */
const ARITH_FLAGS = 0x8d5;
const FLAG_PF = 0x4, FLAG_ZF = 0x40;

/** BSF (`reverse` false) or BSR Gv, Ev. */
const bitScan = (reverse: boolean): WasmEmitter => (e) => {
  const b = e.b, size = e.osize, f = e.L.flags;
  e.readE(size); // zero-extended: the scan sees only the operand's bits
  const v = e.keep();
  if (reverse) b.i32(31).get(v).op(Op.I32Clz).op(Op.I32Sub);
  else b.get(v).op(Op.I32Ctz);
  const index = e.keep();
  // EFLAGS: the six cleared, then ZF | PF for a zero source, else PF from the index's parity.
  b.get(f[F.FLAGS]).i32(~ARITH_FLAGS).op(Op.I32And);
  b.i32(FLAG_ZF | FLAG_PF);
  b.i32(0).i32(FLAG_PF).get(index).op(Op.I32Popcnt).i32(1).op(Op.I32And).op(Op.Select);
  b.get(v).op(Op.I32Eqz).op(Op.Select);
  b.op(Op.I32Or).set(f[F.FLAGS]);
  b.i32(0).set(f[F.MASK]);
  e.flags = undefined;
  b.get(v).if();
  b.get(index);
  e.setReg(size, e.insn.reg);
  b.end();
  return true;
};

/** The bit-scan emitters, merged into WASM_EMITTERS. */
export const WASM_BIT_SCAN_EMITTERS: Record<string, WasmEmitter> = {
  BSF_GvEv: bitScan(false),
  BSR_GvEv: bitScan(true),
};
