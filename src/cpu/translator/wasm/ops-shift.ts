/**
 * WebAssembly emitters for group 2 by CL (D2 /r, D3 /r): ROL ROR RCL RCR
 * SHL SHR SAL SAR with the count taken from CL at run time, written out
 * from shift.ts shift() and flags.ts setResultFlags / setSomeFlags (the
 * JavaScript back end calls shift() itself; a region cannot).
 *
 * The count is masked to 5 bits; a masked count of 0 changes neither the
 * operand nor any flag, but a memory operand is still read for writing
 * first (shift.ts group2: readModifyE, then the count), so a read-only
 * target faults even then. The undefined flags are the interpreter's (see
 * shift.ts): OF from the count-1 formula on the final result, CF for SHL by
 * at least the width the last bit out (0 beyond it), AF cleared by shifts.
 */
import { Reg } from '../../registers.js';
import type { Local } from './module-builder.js';
import { Op } from './module-builder.js';
import { F, type WasmEmitter, type WasmEmitterTable, type WasmInsnEmitter } from './region.js';

/** LazyOp.RESULT (flags.ts): SF, ZF, PF from the result, the rest eager. */
const LAZY_RESULT = 8;
const ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHR = 5, SAR = 7;



/**
 * flags.ts setResultFlags(r, size, cf | of): CF, OF set and AF cleared
 * eagerly, SF/ZF/PF lazy from `r`. Every arithmetic flag is either written
 * or made pending again, so the previous record needs no materializing.
 */
function resultFlags(e: WasmInsnEmitter, r: Local, cf: Local, of: Local, size: number): void {
  const b = e.b, f = e.L.flags;
  b.get(f[F.FLAGS]).i32(~0x811).op(Op.I32And).get(cf).op(Op.I32Or).get(of).i32(11).op(Op.I32Shl).op(Op.I32Or).set(f[F.FLAGS]);
  b.i32(LAZY_RESULT).set(f[F.OP]).get(r).set(f[F.R]).i32(size).set(f[F.SIZE]).i32(0xc4).set(f[F.MASK]);
}

/** flags.ts setSomeFlags(CF | OF, …): everything pending computed first, then CF and OF written. */
function someFlags(e: WasmInsnEmitter, cf: Local, of: Local): void {
  const b = e.b, f = e.L.flags;
  e.materialize();
  b.get(f[F.FLAGS]).i32(~0x801).op(Op.I32And).get(cf).op(Op.I32Or).get(of).i32(11).op(Op.I32Shl).op(Op.I32Or).set(f[F.FLAGS]);
}

/**
 * Group 2 operation `op` on the `size`-byte operand `u` (zero-extended) by
 * the count in local `n` (1..31): sets the flags as shift.ts shift() does
 * and returns the local holding the result (masked to the size).
 */
function shiftBy(e: WasmInsnEmitter, op: number, u: Local, n: Local, size: number): Local {
  const b = e.b;
  const bits = size * 8, msb = bits - 1;
  const r = e.tmp(), cf = e.tmp(), of = e.tmp();
  /** Pushes bit `k` (a constant) of local `x`. */
  const bit = (x: Local, k: number): void => { b.get(x).i32(k).op(Op.I32ShrU).i32(1).op(Op.I32And); };
  switch (op) {
    case ROL: case ROR: {
      // Modulo the width (SDM: the count is masked to 5 bits, then taken modulo 8 or 16 for
      // byte and word operands): i32.rotl/rotr take it modulo 32 themselves; for byte and
      // word operands the two shifts by c and width − c give u itself when c = 0.
      if (size === 4) b.get(u).get(n).op(op === ROL ? Op.I32Rotl : Op.I32Rotr);
      else {
        const c = e.tmp();
        b.get(n).i32(msb).op(Op.I32And).set(c);
        const first = op === ROL ? Op.I32Shl : Op.I32ShrU, second = op === ROL ? Op.I32ShrU : Op.I32Shl;
        b.get(u).get(c).op(first).get(u).i32(bits).get(c).op(Op.I32Sub).op(second).op(Op.I32Or);
        e.fit(size);
      }
      b.set(r);
      if (op === ROL) { // CF = LSB(r), OF = MSB(r) XOR CF
        b.get(r).i32(1).op(Op.I32And).set(cf);
        bit(r, msb); b.get(cf).op(Op.I32Xor).set(of);
      } else { // CF = MSB(r), OF = the top two bits of r XORed
        bit(r, msb); b.set(cf);
        b.get(cf); bit(r, msb - 1); b.op(Op.I32Xor).set(of);
      }
      someFlags(e, cf, of);
      return r;
    }
    case RCL: case RCR: {
      // Through CF: a 33-, 17- or 9-bit rotation (SDM "RCL/RCR/ROL/ROR": count modulo 17 / 9
      // for word / byte operands).
      const cin = e.tmp();
      e.carry();
      b.set(cin);
      if (size === 4) {
        if (op === RCL) {
          // r = u << n | cin << (n − 1) | u >>> (33 − n), the last 0 for n = 1: (u >>> 1) >>> (32 − n).
          b.get(u).get(n).op(Op.I32Shl);
          b.get(cin).get(n).i32(1).op(Op.I32Sub).op(Op.I32Shl).op(Op.I32Or);
          b.get(u).i32(1).op(Op.I32ShrU).i32(32).get(n).op(Op.I32Sub).op(Op.I32ShrU).op(Op.I32Or).set(r);
          b.get(u).i32(32).get(n).op(Op.I32Sub).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
        } else {
          // r = u >>> n | cin << (32 − n) | u << (33 − n), the last 0 for n = 1: (u << 1) << (32 − n).
          b.get(u).get(n).op(Op.I32ShrU);
          b.get(cin).i32(32).get(n).op(Op.I32Sub).op(Op.I32Shl).op(Op.I32Or);
          b.get(u).i32(1).op(Op.I32Shl).i32(32).get(n).op(Op.I32Sub).op(Op.I32Shl).op(Op.I32Or).set(r);
          b.get(u).get(n).i32(1).op(Op.I32Sub).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
        }
      } else {
        // x = cin:u (bits + 1 wide), rotated by c = n mod (bits + 1); c = 0 needs no case:
        // the shift by bits + 1 − c then moves x out of the bits looked at.
        const x = e.tmp(), c = e.tmp(), y = e.tmp();
        b.get(n).i32(bits + 1).op(Op.I32RemU).set(c);
        b.get(u).get(cin).i32(bits).op(Op.I32Shl).op(Op.I32Or).set(x);
        const first = op === RCL ? Op.I32Shl : Op.I32ShrU, second = op === RCL ? Op.I32ShrU : Op.I32Shl;
        b.get(x).get(c).op(first).get(x).i32(bits + 1).get(c).op(Op.I32Sub).op(second).op(Op.I32Or).set(y);
        b.get(y); e.fit(size); b.set(r);
        bit(y, bits); b.set(cf);
      }
      if (op === RCL) { bit(r, msb); b.get(cf).op(Op.I32Xor).set(of); } // OF = MSB(r) XOR CF
      else { bit(r, msb); bit(r, msb - 1); b.op(Op.I32Xor).set(of); } // OF = the top two bits XORed
      someFlags(e, cf, of);
      return r;
    }
    case SHR:
      b.get(u).get(n).op(Op.I32ShrU).set(r); // u is zero-extended: nothing to mask
      b.get(u).get(n).i32(1).op(Op.I32Sub).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
      bit(r, msb); bit(r, msb - 1); b.op(Op.I32Xor).set(of);
      break;
    case SAR: {
      const sx = (): void => { b.get(u); if (size === 2) b.op(Op.I32Extend16S); else if (size === 1) b.op(Op.I32Extend8S); };
      sx(); b.get(n).op(Op.I32ShrS); e.fit(size); b.set(r);
      sx(); b.get(n).i32(1).op(Op.I32Sub).op(Op.I32ShrS).i32(1).op(Op.I32And).set(cf);
      b.i32(0).set(of); // OF = 0 (setResultFlags(…, cf): OF cleared)
      break;
    }
    default: // SHL, SAL (/4, /6)
      b.get(u).get(n).op(Op.I32Shl); e.fit(size); b.set(r);
      if (size === 4) {
        b.get(u).i32(32).get(n).op(Op.I32Sub).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
      } else {
        // CF = bit (width − n) of u, 0 when n exceeds the width: bit `width` of u << n
        // (u < 2^16 and n ≤ 31, so that bit is never shifted past bit 31).
        b.get(u).get(n).op(Op.I32Shl).i32(bits).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
      }
      bit(r, msb); b.get(cf).op(Op.I32Xor).set(of);
  }
  resultFlags(e, r, cf, of, size);
  return r;
}

/**
 * G2_EbCL / G2_EvCL: the operand (memory: read for writing), then the count
 * CL & 31; with a count of 0 nothing more happens.
 */
const shiftByCl = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const i = e.insn, b = e.b;
  if (i.mod === 3) e.reg(size, i.rm);
  else { e.ea(); e.readModify(size, i.eaSeg); }
  const u = e.keep();
  const n = e.tmp();
  b.get(e.L.regs[Reg.ECX]).i32(0x1f).op(Op.I32And).tee(n);
  b.if();
  const r = shiftBy(e, i.reg, u, n, size);
  if (i.mod === 3) { b.get(r); e.setReg(size, i.rm); } else e.writeModified(size, r);
  b.end();
  // Count 0 leaves the previous record, count ≠ 0 a new one: not known after this instruction.
  e.flags = undefined;
  return true;
};

/** The shift-by-CL emitters, merged into WASM_EMITTERS. */
export const WASM_SHIFT_EMITTERS: WasmEmitterTable = {
  G2_EbCL: shiftByCl(true),
  G2_EvCL: shiftByCl(false),
};
