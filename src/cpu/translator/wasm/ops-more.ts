/**
 * WebAssembly emitters for the classes of emit-ops-more.ts, with the same
 * meaning: the multiplies and group 3 (TEST NOT NEG MUL IMUL DIV IDIV),
 * LEAVE, POP Ev to a register, XCHG/XADD/CMPXCHG with E, the bit tests,
 * BSWAP, the double shifts and LAHF SAHF CMC CLC STC.
 *
 * The interpreter helpers the JavaScript emitters call (arith.ts mul,
 * imulAcc, div, idiv; shift.ts shiftDouble; flags.ts setSomeFlags) are
 * written out here from their source, since region code cannot call them.
 * Order as in ops.ts: every read and check that can fault comes before any
 * register write; a read-modify-write's writeModified comes last (it cannot
 * fault once readModify succeeded, but it may leave the region when it hit
 * the region's code, so every register and flag update precedes it).
 *
 * Flag records: a result record (flags.ts setResultFlags: CF, OF and AF
 * eager, SF/ZF/PF lazy) holds the product truncated to the operand size in
 * lazyR, where the interpreter may keep the whole product; the two
 * materialize to the same EFLAGS, and the region's known-producer tests
 * (region.ts knownCondition) need lazyR within the size. Like ops.ts
 * shiftConst, the previous record is not materialized first: the new one
 * overwrites all six flags.
 *
 * Declined, left to the interpreter (as emit-ops-more.ts declines them):
 * G8 /0../3 and G1A /1../7 (#UD), and POP to memory.
 */
import { Reg, Seg, Vector } from '../../registers.js';
import type { Local } from './module-builder.js';
import { Op, ValType } from './module-builder.js';
import { F, imm, type Operand, type WasmEmitter, type WasmInsnEmitter } from './region.js';

/** LazyOp values (flags.ts). */
const LAZY_ADD = 1, LAZY_SUB = 3, LAZY_LOGIC = 5, LAZY_RESULT = 8;
/** EFLAGS bits LAHF/SAHF move (SF ZF AF PF CF), and the always-set bit 1. */
const AH_FLAGS = 0xd5, FLAG_FIXED1 = 0x2;
/** ~(CF | AF | OF): the flags setResultFlags writes eagerly. */
const NOT_CF_AF_OF = ~0x811;
/** SF | ZF | PF: the flags a result record leaves lazy. */
const RESULT_LAZY = 0xc4;

function sizeMask(size: number): number {
  return size === 4 ? -1 : size === 2 ? 0xffff : 0xff;
}

/** Pushes EDX:EAX as a 64-bit dividend (the registers as they are now). */
function pushEdxEax(e: WasmInsnEmitter): void {
  const r = e.L.regs;
  e.b.get(r[Reg.EDX]).op(Op.I64ExtendI32U).i64(32n).op(Op.I64Shl).get(r[Reg.EAX]).op(Op.I64ExtendI32U).op(Op.I64Or);
}

// ---- flags --------------------------------------------------------------------------------

/**
 * flags.ts setResultFlags: CF from local `cf`, OF from `of` (default CF,
 * as the multiplies set both), AF cleared; SF/ZF/PF lazy from `r` (within
 * the operand size).
 */
function setResult(e: WasmInsnEmitter, r: Local, size: number, cf: Local, of: Local = cf): void {
  const b = e.b, f = e.L.flags;
  b.get(f[F.FLAGS]).i32(NOT_CF_AF_OF).op(Op.I32And).get(cf).op(Op.I32Or).get(of).i32(11).op(Op.I32Shl).op(Op.I32Or).set(f[F.FLAGS]);
  b.i32(LAZY_RESULT).set(f[F.OP]).get(r).set(f[F.R]).i32(size).set(f[F.SIZE]).i32(RESULT_LAZY).set(f[F.MASK]);
  e.flags = { kind: LAZY_RESULT, size };
}

/** flags.ts setSomeFlags: the pending flags computed, then the bits `which` taken from local `values`. */
function setSome(e: WasmInsnEmitter, which: number, values: Local): void {
  const b = e.b, f = e.L.flags[F.FLAGS];
  e.materialize();
  b.get(f).i32(~which).op(Op.I32And).get(values).i32(which).op(Op.I32And).op(Op.I32Or).set(f);
  e.flags = undefined;
}

// ---- operand E ----------------------------------------------------------------------------

/**
 * Read-modify-write of E as cpu.readModifyE/writeModifiedE: `body` gets
 * the old value's local, emits the instruction's flag and register updates
 * and returns the new value's local, written last. `offset` pushes the
 * memory operand's offset (default: the ModRM address).
 */
function modifyE(e: WasmInsnEmitter, size: number, body: (a: Local) => Local, offset: () => void = () => e.ea()): void {
  const i = e.insn;
  if (i.mod === 3) {
    e.reg(size, i.rm);
    const r = body(e.keep());
    e.b.get(r);
    e.setReg(size, i.rm);
    return;
  }
  offset();
  e.readModify(size, i.eaSeg);
  const r = body(e.keep());
  e.writeModified(size, r);
}

// ---- multiply, group 3 ---------------------------------------------------------------------

/**
 * Two- and three-operand IMUL (arith.ts imulTruncated): the signed product
 * truncated to `size` (2 or 4), CF = OF = the truncation lost bits. `bv` is
 * a local holding a zero-extended operand or an already sign-extended constant.
 */
function imulInto(e: WasmInsnEmitter, a: Local, bv: Operand, size: number): Local {
  const b = e.b, r = e.tmp(), cf = e.tmp();
  if (size === 2) {
    const p = e.tmp();
    b.get(a).op(Op.I32Extend16S);
    if (typeof bv === 'object') b.i32(bv.imm); else b.get(bv).op(Op.I32Extend16S);
    b.op(Op.I32Mul).set(p); // |p| ≤ 2^30: exact in 32 bits
    b.get(p).get(p).op(Op.I32Extend16S).op(Op.I32Ne).set(cf);
    b.get(p).i32(0xffff).op(Op.I32And).set(r);
  } else {
    b.get(a); e.operand(bv); b.op(Op.I32Mul).set(r);
    // The high half of the 64-bit signed product differs from the low half's sign extension.
    b.get(a).op(Op.I64ExtendI32S);
    if (typeof bv === 'object') b.i64(BigInt(bv.imm)); else b.get(bv).op(Op.I64ExtendI32S);
    b.op(Op.I64Mul).i64(32n).op(Op.I64ShrS).op(Op.I32WrapI64);
    b.get(r).i32(31).op(Op.I32ShrS).op(Op.I32Ne).set(cf);
  }
  setResult(e, r, size, cf);
  return r;
}

const IMUL_GvEv: WasmEmitter = (e) => {
  const s = e.osize;
  e.reg(s, e.insn.reg);
  const a = e.keep();
  e.readE(s);
  const r = imulInto(e, a, e.keep(), s);
  e.b.get(r);
  e.setReg(s, e.insn.reg);
  return true;
};

/** IMUL Gv, Ev, Iz / Ib (the byte sign-extended, as fetchS8; a 16-bit Iz sign-extended by imulTruncated). */
const imulImm = (byteImm: boolean): WasmEmitter => (e) => {
  const s = e.osize, i = e.insn;
  const c = byteImm ? (i.imm << 24) >> 24 : s === 4 ? i.imm | 0 : (i.imm << 16) >> 16;
  e.readE(s);
  const r = imulInto(e, e.keep(), imm(c), s);
  e.b.get(r);
  e.setReg(s, i.reg);
  return true;
};

/**
 * MUL (arith.ts mul) and one-operand IMUL (imulAcc) of the accumulator by
 * local `v` (zero-extended): AX / DX:AX / EDX:EAX; CF = OF = the product
 * does not fit the low half (SDM Vol. 2 "MUL", "IMUL").
 */
function multiplyAcc(e: WasmInsnEmitter, v: Local, size: number, signed: boolean): void {
  const b = e.b, R = e.L.regs, lo = e.tmp(), cf = e.tmp();
  if (size !== 4) {
    const p = e.tmp();
    b.get(R[Reg.EAX]);
    if (signed) { e.signExtend(size); b.get(v); e.signExtend(size); } else { e.fit(size); b.get(v); }
    b.op(Op.I32Mul).set(p); // the whole product: at most 32 bits
    if (signed) { b.get(p).get(p); e.signExtend(size); b.op(Op.I32Ne); } else b.get(p).i32(sizeMask(size)).op(Op.I32GtU);
    b.set(cf);
    b.get(p);
    e.setReg(2, Reg.EAX);
    if (size === 2) { b.get(p).i32(16).op(Op.I32ShrU); e.setReg(2, Reg.EDX); }
    b.get(p);
    e.fit(size);
    b.set(lo);
  } else {
    const hi = e.tmp(), ext = signed ? Op.I64ExtendI32S : Op.I64ExtendI32U;
    b.get(R[Reg.EAX]).get(v).op(Op.I32Mul).set(lo);
    b.get(R[Reg.EAX]).op(ext).get(v).op(ext).op(Op.I64Mul).i64(32n).op(signed ? Op.I64ShrS : Op.I64ShrU).op(Op.I32WrapI64).set(hi);
    b.get(lo).set(R[Reg.EAX]).get(hi).set(R[Reg.EDX]);
    b.get(hi);
    if (signed) b.get(lo).i32(31).op(Op.I32ShrS).op(Op.I32Ne); else b.i32(0).op(Op.I32Ne);
    b.set(cf);
  }
  setResult(e, lo, size, cf);
}

/** #DE (no error code) when the condition on the stack holds. */
function divideError(e: WasmInsnEmitter): void {
  e.b.if();
  e.raise(Vector.DE, -1);
  e.b.end();
}

/**
 * DIV (arith.ts div) of the accumulator by local `v` (zero-extended). The
 * quotient does not fit (or the divisor is 0) exactly when the dividend's
 * high half is at least the divisor (SDM Vol. 2 "DIV": #DE), so one unsigned
 * compare decides before any register changes.
 */
function divide(e: WasmInsnEmitter, v: Local, size: number): void {
  const b = e.b, R = e.L.regs, q = e.tmp(), r = e.tmp();
  if (size === 1) b.get(R[Reg.EAX]).i32(8).op(Op.I32ShrU).i32(0xff).op(Op.I32And);
  else if (size === 2) b.get(R[Reg.EDX]).i32(0xffff).op(Op.I32And);
  else b.get(R[Reg.EDX]);
  b.get(v).op(Op.I32GeU);
  divideError(e);
  if (size === 4) {
    pushEdxEax(e); b.get(v).op(Op.I64ExtendI32U).op(Op.I64DivU).op(Op.I32WrapI64).set(q);
    pushEdxEax(e); b.get(v).op(Op.I64ExtendI32U).op(Op.I64RemU).op(Op.I32WrapI64).set(r);
    b.get(q).set(R[Reg.EAX]).get(r).set(R[Reg.EDX]);
    return;
  }
  const n = e.tmp();
  if (size === 1) b.get(R[Reg.EAX]).i32(0xffff).op(Op.I32And);
  else b.get(R[Reg.EDX]).i32(16).op(Op.I32Shl).get(R[Reg.EAX]).i32(0xffff).op(Op.I32And).op(Op.I32Or);
  b.set(n);
  b.get(n).get(v).op(Op.I32DivU).set(q);
  b.get(n).get(v).op(Op.I32RemU).set(r);
  if (size === 1) {
    b.get(r).i32(8).op(Op.I32Shl).get(q).op(Op.I32Or);
    e.setReg(2, Reg.EAX);
  } else {
    b.get(q); e.setReg(2, Reg.EAX);
    b.get(r); e.setReg(2, Reg.EDX);
  }
}

/**
 * IDIV (arith.ts idiv) of the accumulator by local `v`: quotient truncated
 * toward zero, remainder with the dividend's sign; #DE on a zero divisor or
 * a quotient outside the signed range, including −2^(n−1)·2^n / −1 (SDM Vol.
 * 2 "IDIV"). The divisions that would trap in WebAssembly (by 0, and
 * INT_MIN / −1 of their width) are exactly #DE cases, tested first.
 */
function divideSigned(e: WasmInsnEmitter, v: Local, size: number): void {
  const b = e.b, R = e.L.regs, q = e.tmp(), r = e.tmp();
  if (size === 4) {
    const q64 = e.tmp(ValType.I64);
    // Divisor 0, or EDX:EAX = −2^63 by −1.
    b.get(v).op(Op.I32Eqz);
    b.get(R[Reg.EDX]).i32(0x8000_0000 | 0).op(Op.I32Eq).get(R[Reg.EAX]).op(Op.I32Eqz).op(Op.I32And).get(v).i32(-1).op(Op.I32Eq).op(Op.I32And);
    b.op(Op.I32Or);
    divideError(e);
    pushEdxEax(e); b.get(v).op(Op.I64ExtendI32S).op(Op.I64DivS).set(q64);
    // The quotient fits in int32 when q + 2^31 lies in [0, 2^32).
    b.get(q64).i64(0x8000_0000n).op(Op.I64Add).i64(32n).op(Op.I64ShrU).op(Op.I32WrapI64);
    divideError(e);
    b.get(q64).op(Op.I32WrapI64).set(q);
    pushEdxEax(e); b.get(v).op(Op.I64ExtendI32S).op(Op.I64RemS).op(Op.I32WrapI64).set(r);
    b.get(q).set(R[Reg.EAX]).get(r).set(R[Reg.EDX]);
    return;
  }
  const n = e.tmp(), d = e.tmp();
  b.get(v); e.signExtend(size); b.set(d);
  if (size === 1) b.get(R[Reg.EAX]).op(Op.I32Extend16S);
  else b.get(R[Reg.EDX]).i32(16).op(Op.I32Shl).get(R[Reg.EAX]).i32(0xffff).op(Op.I32And).op(Op.I32Or);
  b.set(n);
  b.get(d).op(Op.I32Eqz);
  if (size === 2) { // DX:AX = −2^31 by −1: the quotient 2^31 is out of range, and i32.div_s would trap
    b.get(n).i32(0x8000_0000 | 0).op(Op.I32Eq).get(d).i32(-1).op(Op.I32Eq).op(Op.I32And).op(Op.I32Or);
  }
  divideError(e);
  b.get(n).get(d).op(Op.I32DivS).set(q);
  const half = size === 1 ? 0x80 : 0x8000;
  b.get(q).i32(half).op(Op.I32Add).i32(2 * half - 1).op(Op.I32GtU);
  divideError(e);
  b.get(n).get(d).op(Op.I32RemS).set(r);
  if (size === 1) {
    b.get(r).i32(8).op(Op.I32Shl).get(q).i32(0xff).op(Op.I32And).op(Op.I32Or);
    e.setReg(2, Reg.EAX);
  } else {
    b.get(q); e.setReg(2, Reg.EAX);
    b.get(r); e.setReg(2, Reg.EDX);
  }
}

/** Group 3 (F6/F7) as arith.ts group3. */
const group3 = (byteForm: boolean): WasmEmitter => (e) => {
  const i = e.insn, size = byteForm ? 1 : e.osize, b = e.b;
  switch (i.reg) {
    case 0: case 1: { // TEST E, imm (/1 is an alias)
      const c = e.immediate(size);
      e.readE(size);
      const a = e.keep();
      b.get(a).i32(c).op(Op.I32And);
      const r = e.keep();
      e.setLazy(LAZY_LOGIC, a, imm(c), r, size);
      return true;
    }
    case 2: // NOT: no flags
      modifyE(e, size, (a) => { b.get(a).i32(-1).op(Op.I32Xor); e.fit(size); return e.keep(); });
      return true;
    case 3: // NEG: flags as 0 − v (CF = v ≠ 0)
      modifyE(e, size, (a) => {
        b.i32(0).get(a).op(Op.I32Sub); e.fit(size);
        const r = e.keep();
        b.i32(0);
        e.setLazy(LAZY_SUB, e.keep(), a, r, size);
        return r;
      });
      return true;
    default: { // MUL IMUL DIV IDIV on the accumulator; DIV and IDIV leave the six flags as they were
      e.readE(size);
      const v = e.keep();
      if (i.reg === 4) multiplyAcc(e, v, size, false);
      else if (i.reg === 5) multiplyAcc(e, v, size, true);
      else if (i.reg === 6) divide(e, v, size);
      else divideSigned(e, v, size);
      return true;
    }
  }
};

// ---- stack --------------------------------------------------------------------------------

/** LEAVE as stack.ts: the saved frame pointer is read at SS:(E)BP (width of SS.B) before (E)SP and (E)BP change. */
const LEAVE: WasmEmitter = (e) => {
  const s = e.osize, b = e.b, R = e.L.regs;
  b.get(R[Reg.EBP]);
  if (!e.stack32) b.i32(0xffff).op(Op.I32And);
  const sp = e.keep();
  b.get(sp);
  e.read(s, Seg.SS);
  const v = e.keep();
  if (e.stack32) b.get(sp).i32(s).op(Op.I32Add).set(R[Reg.ESP]);
  else b.get(R[Reg.ESP]).i32(-65536).op(Op.I32And).get(sp).i32(s).op(Op.I32Add).i32(0xffff).op(Op.I32And).op(Op.I32Or).set(R[Reg.ESP]);
  b.get(v);
  e.setReg(s, Reg.EBP);
  return true;
};

/** 8F /0 with a register operand: POP r/m as POP_Zv ((E)SP moves before the write, so POP ESP keeps the value). */
const G1A_Ev: WasmEmitter = (e) => {
  const i = e.insn;
  if (i.reg !== 0 || i.mod !== 3) return false;
  e.popRead(e.osize);
  const v = e.keep();
  e.popDone(e.osize);
  e.b.get(v);
  e.setReg(e.osize, i.rm);
  return true;
};

// ---- exchange and compare -----------------------------------------------------------------

/** XCHG E, G as data.ts xchgE: E ← G, G ← E's old value (E's write permission checked first). */
const xchg = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize, reg = e.insn.reg;
  modifyE(e, size, (a) => {
    e.reg(size, reg);
    const g = e.keep();
    e.b.get(a);
    e.setReg(size, reg);
    return g;
  });
  return true;
};

/** XADD E, G as arith.ts xadd: flags of E + G; G ← E; E ← the sum (written last: `xadd eax, eax` leaves the sum). */
const xadd = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize, reg = e.insn.reg, b = e.b;
  modifyE(e, size, (a) => {
    e.reg(size, reg);
    const g = e.keep();
    b.get(a).get(g).op(Op.I32Add); e.fit(size);
    const r = e.keep();
    e.setLazy(LAZY_ADD, a, g, r, size);
    b.get(a);
    e.setReg(size, reg);
    return r;
  });
  return true;
};

/**
 * CMPXCHG E, G as arith.ts cmpxchg: flags of CMP accumulator, E; equal:
 * E ← G; else E is written back unchanged and the accumulator ← E (SDM
 * Vol. 2 "CMPXCHG"). The accumulator is written before E here, which only
 * matters when E is the accumulator itself, and then both orders agree.
 */
const cmpxchg = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize, reg = e.insn.reg, b = e.b;
  modifyE(e, size, (a) => {
    e.reg(size, Reg.EAX);
    const acc = e.keep();
    e.reg(size, reg);
    const g = e.keep();
    b.get(acc).get(a).op(Op.I32Sub); e.fit(size);
    const r = e.keep();
    e.setLazy(LAZY_SUB, acc, a, r, size);
    b.get(g).get(a).get(r).op(Op.I32Eqz).op(Op.Select);
    const w = e.keep();
    b.get(r).if();
    b.get(a);
    e.setReg(size, Reg.EAX);
    b.end();
    return w;
  });
  return true;
};

// ---- bits ---------------------------------------------------------------------------------

/** CF ← local `cf` (0 or 1), the other flags as they were (setSomeFlags). */
function setCarry(e: WasmInsnEmitter, cf: Local): void {
  setSome(e, 1, cf);
}

/**
 * bit.ts bitOnE: bit operation `op` (BT BTS BTR BTC) on bit `bit` (0..size·8−1)
 * of E, memory at the offset `offset` pushes; CF ← the bit's old value.
 */
function bitOnE(e: WasmInsnEmitter, op: number, size: number, offset: () => void, bit: Operand): void {
  const b = e.b, i = e.insn;
  const cf = e.tmp();
  const extract = (v: Local): void => {
    b.get(v); e.operand(bit); b.op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
  };
  const apply = (v: Local): Local => {
    b.get(v).i32(1); e.operand(bit); b.op(Op.I32Shl);
    if (op === 1) b.op(Op.I32Or);
    else if (op === 2) b.i32(-1).op(Op.I32Xor).op(Op.I32And);
    else b.op(Op.I32Xor);
    return e.keep();
  };
  if (op === 0 && i.mod !== 3) {
    offset();
    e.read(size, i.eaSeg);
    extract(e.keep());
    setCarry(e, cf);
    return;
  }
  if (op === 0) {
    e.reg(size, i.rm);
    extract(e.keep());
    setCarry(e, cf);
    return;
  }
  modifyE(e, size, (v) => {
    extract(v);
    const n = apply(v);
    setCarry(e, cf);
    return n;
  }, offset);
}

/**
 * BT/BTS/BTR/BTC Ev, Gv (0F A3/AB/B3/BB, the operation in opcode bits 4..3):
 * with memory, G is a signed bit offset that moves the address by whole
 * operands (bit.ts bitEvGv; SDM Vol. 2 "BT", Table 3-2).
 */
const bitEvGv: WasmEmitter = (e) => {
  const i = e.insn, size = e.osize, op = (i.opcode >> 3) & 3, b = e.b;
  e.reg(size, i.reg);
  const o = e.keep();
  b.get(o).i32(size * 8 - 1).op(Op.I32And);
  const bit = e.keep();
  bitOnE(e, op, size, () => {
    e.ea();
    b.get(o);
    if (size === 2) b.op(Op.I32Extend16S);
    b.i32(size === 4 ? 5 : 4).op(Op.I32ShrS).i32(size === 4 ? 2 : 1).op(Op.I32Shl).op(Op.I32Add);
    if (!i.addrsize32) b.i32(0xffff).op(Op.I32And);
  }, bit);
  return true;
};

/** Group 8 (0F BA): BT/BTS/BTR/BTC Ev, imm8 at /4../7, the offset modulo the width; /0../3 are #UD. */
const G8_EvIb: WasmEmitter = (e) => {
  const i = e.insn, size = e.osize;
  if (i.reg < 4) return false;
  bitOnE(e, i.reg - 4, size, () => e.ea(), imm(i.imm & (size * 8 - 1)));
  return true;
};

/** BSWAP r32; with a 16-bit operand the low half is cleared (bit.ts bswap). */
const BSWAP_Zd: WasmEmitter = (e) => {
  const b = e.b, r = e.L.regs[e.insn.opcode & 7];
  if (e.insn.opsize32) {
    // [b3 b2 b1 b0] → rotr 8 keeps b0 and b2 in place, rotl 8 brings b1 and b3: [b0 b1 b2 b3].
    b.get(r).i32(8).op(Op.I32Rotr).i32(0xff00ff00 | 0).op(Op.I32And);
    b.get(r).i32(8).op(Op.I32Rotl).i32(0x00ff00ff).op(Op.I32And);
    b.op(Op.I32Or).set(r);
  } else {
    b.get(r).i32(-65536).op(Op.I32And).set(r);
  }
  return true;
};

// ---- double shifts ------------------------------------------------------------------------

/**
 * shift.ts shiftDouble: SHLD (`left`) or SHRD of the `size`-byte (2 or 4)
 * destination `d` filled from `s` by the count `n` (1..31); sets the flags
 * and returns the result's local. A 16-bit operand shifts the 48-bit
 * pattern E:G:E (E lowest for SHRD), as the interpreter does for counts
 * 17..31 (undefined in the SDM; P6 behaviour).
 */
function shiftDouble(e: WasmInsnEmitter, d: Local, s: Local, n: Operand, size: number, left: boolean): Local {
  const b = e.b, msb = size * 8 - 1;
  const r = e.tmp(), cf = e.tmp(), of = e.tmp();
  /** Pushes base + sign·n as an i32 (all uses stay within 0..63). */
  const count = (base: number, sign: 1 | -1): void => {
    if (typeof n === 'object') { b.i32(base + sign * n.imm); return; }
    if (sign < 0) b.i32(base).get(n).op(Op.I32Sub);
    else { b.get(n); if (base !== 0) b.i32(base).op(Op.I32Add); }
  };
  const count64 = (base: number, sign: 1 | -1): void => { count(base, sign); b.op(Op.I64ExtendI32U); };
  if (size === 4) {
    if (left) {
      b.get(d); count(0, 1); b.op(Op.I32Shl).get(s); count(32, -1); b.op(Op.I32ShrU).op(Op.I32Or).set(r);
      b.get(d); count(32, -1); b.op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
    } else {
      b.get(d); count(0, 1); b.op(Op.I32ShrU).get(s); count(32, -1); b.op(Op.I32Shl).op(Op.I32Or).set(r);
      b.get(d); count(-1, 1); b.op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
    }
  } else {
    const p = e.tmp(ValType.I64); // d:s:d, d in bits 32..47 and 0..15
    b.get(d).op(Op.I64ExtendI32U).i64(32n).op(Op.I64Shl);
    b.get(s).i32(16).op(Op.I32Shl).get(d).op(Op.I32Or).op(Op.I64ExtendI32U);
    b.op(Op.I64Or).set(p);
    if (left) { // bits 32−n..47−n; CF is bit 48−n
      b.get(p); count64(32, -1); b.op(Op.I64ShrU).op(Op.I32WrapI64).i32(0xffff).op(Op.I32And).set(r);
      b.get(p); count64(48, -1); b.op(Op.I64ShrU).op(Op.I32WrapI64).i32(1).op(Op.I32And).set(cf);
    } else { // bits n..n+15; CF is bit n−1
      b.get(p); count64(0, 1); b.op(Op.I64ShrU).op(Op.I32WrapI64).i32(0xffff).op(Op.I32And).set(r);
      b.get(p); count64(-1, 1); b.op(Op.I64ShrU).op(Op.I32WrapI64).i32(1).op(Op.I32And).set(cf);
    }
  }
  // OF (defined for a count of 1, the same formula otherwise): SHLD MSB(r) ^ CF; SHRD the top two bits of r.
  if (left) b.get(r).i32(msb).op(Op.I32ShrU).i32(1).op(Op.I32And).get(cf).op(Op.I32Xor);
  else b.get(r).i32(msb).op(Op.I32ShrU).get(r).i32(msb - 1).op(Op.I32ShrU).op(Op.I32Xor).i32(1).op(Op.I32And);
  b.set(of);
  setResult(e, r, size, cf, of);
  return r;
}

/**
 * SHLD/SHRD Ev, Gv by imm8 or CL as shift.ts doubleShift: E is read for
 * writing even when the masked count is 0, which changes nothing else.
 */
const doubleShift = (left: boolean, byCl: boolean): WasmEmitter => (e) => {
  const i = e.insn, size = e.osize, b = e.b;
  if (!byCl) {
    const n = i.imm & 0x1f;
    if (n === 0) {
      if (i.mod !== 3) { e.ea(); e.readModify(size, i.eaSeg); b.op(Op.Drop); }
      return true;
    }
    modifyE(e, size, (d) => {
      e.reg(size, i.reg);
      return shiftDouble(e, d, e.keep(), imm(n), size, left);
    });
    return true;
  }
  if (i.mod === 3) e.reg(size, i.rm);
  else { e.ea(); e.readModify(size, i.eaSeg); }
  const d = e.keep();
  e.reg(size, i.reg);
  const s = e.keep();
  e.reg(4, Reg.ECX);
  b.i32(0x1f).op(Op.I32And);
  const n = e.keep();
  b.get(n).if();
  const r = shiftDouble(e, d, s, n, size, left);
  if (i.mod === 3) { b.get(r); e.setReg(size, i.rm); } else e.writeModified(size, r);
  b.end();
  e.flags = undefined; // the old record or the new one, by the count
  return true;
};

// ---- flags --------------------------------------------------------------------------------

/** CF ← the value `push` pushes (CMC, CLC, STC: data.ts setSomeFlags). */
function carryOp(e: WasmInsnEmitter, push: () => void): boolean {
  push();
  setCarry(e, e.keep());
  return true;
}

/** The emitters of this file, spread into WASM_EMITTERS. */
export const WASM_MORE_EMITTERS: Record<string, WasmEmitter> = {
  IMUL_GvEv,
  IMUL_GvEvIz: imulImm(false),
  IMUL_GvEvIb: imulImm(true),
  G3_EbIb: group3(true),
  G3_EvIz: group3(false),

  LEAVE,
  G1A_Ev,

  XCHG_EbGb: xchg(true),
  XCHG_EvGv: xchg(false),
  XADD_EbGb: xadd(true),
  XADD_EvGv: xadd(false),
  CMPXCHG_EbGb: cmpxchg(true),
  CMPXCHG_EvGv: cmpxchg(false),

  BT_EvGv: bitEvGv,
  BTS_EvGv: bitEvGv,
  BTR_EvGv: bitEvGv,
  BTC_EvGv: bitEvGv,
  G8_EvIb,
  BSWAP_Zd,
  SHLD_EvGvIb: doubleShift(true, false),
  SHLD_EvGvCL: doubleShift(true, true),
  SHRD_EvGvIb: doubleShift(false, false),
  SHRD_EvGvCL: doubleShift(false, true),

  /** AH ← SF:ZF:0:AF:0:PF:1:CF (data.ts LAHF: getFlags materializes). */
  LAHF: (e) => {
    e.materialize();
    e.b.get(e.L.flags[F.FLAGS]).i32(AH_FLAGS).op(Op.I32And).i32(FLAG_FIXED1).op(Op.I32Or);
    e.setReg(1, 4);
    return true;
  },
  /** SF ZF AF PF CF ← AH. */
  SAHF: (e) => { e.reg(1, 4); setSome(e, AH_FLAGS, e.keep()); return true; },
  CMC: (e) => carryOp(e, () => { e.carry(); e.b.i32(1).op(Op.I32Xor); }),
  CLC: (e) => carryOp(e, () => { e.b.i32(0); }),
  STC: (e) => carryOp(e, () => { e.b.i32(1); }),
};
