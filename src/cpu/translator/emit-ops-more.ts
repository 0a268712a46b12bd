/**
 * Emitters for the instruction classes next in line after emit-ops.ts, by
 * how often a Linux boot sent them to the interpreter: the multiplies and
 * group 3 (TEST NOT NEG MUL IMUL DIV IDIV), LEAVE, the bit tests, the
 * double shifts, CMPXCHG, XADD and XCHG with memory, BSWAP, POP Ev to a
 * register and the flag instructions (LAHF SAHF CMC CLC STC). The string
 * operations are in emit-ops-string.ts.
 *
 * The rules are emit-ops.ts's: the effect of the interpreter handler of the
 * same name, in its order (everything that can fault before any register
 * write), the same lazy-flag record, and the interpreter's own helper where
 * the meaning is more than a few lines (`mul`, `div`, `shiftDouble`,
 * `setSomeFlags`). A store's `afterStore` check comes last, after the
 * instruction's register and flag updates, because it may leave the block.
 *
 * Declined, left to the interpreter: G8 /0../3 and G1A /1../7 (#UD),
 * POP to memory (its address uses the incremented ESP, and a faulting store
 * must give ESP back, which the block's catch cannot do).
 */
import { Reg, Seg } from '../registers.js';
import type { Emitter, InsnEmitter } from './emit.js';
import { fit, mask } from './operand-text.js';

/** LazyOp values (flags.ts), spelled out because generated code holds them as literals. */
const LAZY_ADD = 1, LAZY_SUB = 3, LAZY_LOGIC = 5, LAZY_RESULT = 8;
/** EFLAGS bits as the emitted code spells them: those LAHF/SAHF move (SF ZF AF PF CF), and bit 1. */
const AH_FLAGS = '0xd5', FLAG_FIXED1 = '0x2';

/** `x` sign-extended from a `size`-byte operand to int32. */
function signed(x: string, size: number): string {
  return size === 4 ? `(${x} | 0)` : size === 2 ? `((${x} << 16) >> 16)` : `((${x} << 24) >> 24)`;
}

/** An immediate as the handler fetches it for a `size`-byte operand: fetch8/fetch16 unsigned, fetch32 int32. */
function imm(e: InsnEmitter, size: number): number {
  return size === 4 ? e.insn.imm | 0 : e.insn.imm & (size === 2 ? 0xffff : 0xff);
}

function literal(v: number): string {
  return v < 0 ? `(${v})` : String(v);
}

/**
 * Read-modify-write of operand E as cpu.readModifyE/writeModifiedE do it:
 * `body` gets the old value's local, emits what it needs and returns the
 * new value's expression.
 */
function modifyE(e: InsnEmitter, size: number, body: (a: string) => string): void {
  const i = e.insn, a = e.v('a');
  if (i.mod === 3) {
    e.emit(`const ${a} = ${e.reg(size, i.rm)};`);
    e.setReg(size, i.rm, body(a));
    return;
  }
  e.fault();
  e.readModify(a, size, i.eaSeg, e.ea());
  e.emit(e.writeModified(size, body(a)));
  e.afterStore();
}

// ---- multiply, group 3 ----------------------------------------------------------------

/**
 * Two- and three-operand IMUL as arith.ts imulTruncated, with flags.ts
 * setResultFlags inlined as emit-ops.ts shiftConst does (CF = OF = the
 * product does not fit, AF cleared, SF/ZF/PF lazy from the product; every
 * arithmetic flag is overwritten, so the old record need not be
 * materialized). Returns the local holding the truncated product.
 */
function imulInto(e: InsnEmitter, a: string, b: string | number, size: number): string {
  const p = e.v('p'), cf = e.v('cf'), rv = e.v('r');
  // A constant operand is sign-extended here rather than in the generated code.
  const bs = typeof b === 'number' ? literal(size === 4 ? b | 0 : (b << 16) >> 16) : signed(b, size);
  if (size === 4) {
    // The double product is exact below 2^53 and far outside int32 above it, so it differs
    // from the low half exactly when the high half is not the low half's sign (mulHighS32).
    e.emit(`const ${rv} = Math.imul(${a}, ${bs}), ${p} = (${a} | 0) * ${bs}, ${cf} = ${p} !== ${rv} ? 1 : 0;`);
    e.emit(`c.flags = (c.flags & -2066) | ${cf} | (${cf} << 11); c.lazyOp = ${LAZY_RESULT}; c.lazyR = ${rv}; c.lazySize = 4; c.lazyMask = 0xc4;`);
  } else {
    e.emit(`const ${p} = ${signed(a, 2)} * ${bs}, ${cf} = ${p} !== ((${p} << 16) >> 16) ? 1 : 0, ${rv} = ${p} & 0xffff;`);
    e.emit(`c.flags = (c.flags & -2066) | ${cf} | (${cf} << 11); c.lazyOp = ${LAZY_RESULT}; c.lazyR = ${p}; c.lazySize = 2; c.lazyMask = 0xc4;`);
  }
  e.flags = { kind: LAZY_RESULT, size, a, b: String(b), r: rv, cf };
  return rv;
}

const IMUL_GvEv: Emitter = (e) => {
  const s = e.osize, a = e.v('x'), b = e.v('y');
  e.emit(`const ${a} = ${e.reg(s, e.insn.reg)};`);
  e.emit(`const ${b} = ${e.readE(s)};`);
  e.setReg(s, e.insn.reg, imulInto(e, a, b, s));
  return true;
};

/** IMUL Gv, Ev, Iz / Ib (the byte sign-extended, as fetchS8). */
const imulImm = (byteImm: boolean): Emitter => (e) => {
  const s = e.osize, a = e.v('x');
  const b = byteImm ? (e.insn.imm << 24) >> 24 : imm(e, s);
  e.emit(`const ${a} = ${e.readE(s)};`);
  e.setReg(s, e.insn.reg, imulInto(e, a, b, s));
  return true;
};

/** The one-operand multiplies and divides, by ModRM.reg − 4: arith.ts helpers on the accumulator. */
const ACC_HELPERS = ['mul', 'imulAcc', 'div', 'idiv'];

/** Group 3 (F6/F7) as arith.ts group3. */
const group3 = (byteForm: boolean): Emitter => (e) => {
  const i = e.insn, size = byteForm ? 1 : e.osize;
  switch (i.reg) {
    case 0: case 1: { // TEST E, imm (/1 is an alias)
      const a = e.v('a'), rv = e.v('r'), b = literal(imm(e, size));
      e.emit(`const ${a} = ${e.readE(size)};`);
      e.emit(`const ${rv} = ${a} & ${b};`); // both within the operand size already
      e.setLazy(LAZY_LOGIC, a, b, rv, size);
      return true;
    }
    case 2: // NOT: no flags
      modifyE(e, size, (a) => (size === 4 ? `~${a}` : `(~${a} & ${mask(size)})`));
      return true;
    case 3: // NEG: flags as 0 − v (CF = v ≠ 0)
      modifyE(e, size, (a) => {
        const rv = e.v('r');
        e.emit(`const ${rv} = ${fit(`-${a}`, size)};`);
        e.setLazy(LAZY_SUB, '0', a, rv, size);
        return rv;
      });
      return true;
    default: { // MUL IMUL DIV IDIV: the helper reads and writes the accumulator; DIV/IDIV raise #DE before any write
      const v = e.v('v');
      e.emit(`const ${v} = ${e.readE(size)};`);
      if (i.reg >= 6) e.fault(); // #DE
      e.spill();
      e.emit(`${ACC_HELPERS[i.reg - 4]}(c, ${v}, ${size});`);
      e.reload();
      if (i.reg < 6) e.flags = undefined; // DIV and IDIV leave the six flags as they were
      return true;
    }
  }
};

// ---- stack ----------------------------------------------------------------------------

/**
 * LEAVE as stack.ts: the saved frame pointer is read at SS:(E)BP (width of
 * SS.B) before (E)SP and (E)BP change. SS.B is in the block's mode key, so
 * the test is constant for a given block.
 */
const LEAVE: Emitter = (e) => {
  const s = e.osize, big = e.v('big'), sp = e.v('sp'), v = e.v('v');
  e.emit(`const ${big} = c.stackSize32, ${sp} = ${big} ? ${e.reg(4, Reg.EBP)} : ${e.reg(2, Reg.EBP)};`);
  e.emit(`const ${v} = ${e.read(s, Seg.SS, sp)};`);
  e.setReg(4, Reg.ESP, `(${big} ? (${sp} + ${s}) | 0 : (${e.reg(4, Reg.ESP)} & -65536) | ((${sp} + ${s}) & 0xffff))`);
  e.setReg(s, Reg.EBP, v);
  return true;
};

/** 8F /0 with a register operand: POP r/m as POP_Zv. */
const G1A_Ev: Emitter = (e) => {
  const i = e.insn;
  if (i.reg !== 0 || i.mod !== 3) return false;
  const v = e.popRead(e.osize);
  e.popDone(e.osize);
  e.setReg(e.osize, i.rm, v);
  return true;
};

// ---- exchange and compare ---------------------------------------------------------------

/** XCHG E, G as data.ts xchgE: E is read for writing, written with G, then G takes E's old value. */
const xchg = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize, i = e.insn, a = e.v('a');
  if (i.mod === 3) {
    e.emit(`const ${a} = ${e.reg(size, i.rm)};`);
    e.setReg(size, i.rm, e.reg(size, i.reg));
    e.setReg(size, i.reg, a);
    return true;
  }
  e.fault();
  e.readModify(a, size, i.eaSeg, e.ea());
  e.emit(e.writeModified(size, e.reg(size, i.reg)));
  e.setReg(size, i.reg, a);
  e.afterStore();
  return true;
};

/** XADD E, G as arith.ts xadd: flags of E + G; G ← E; E ← the sum (written last). */
const xadd = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize, i = e.insn, d = e.v('a'), g = e.v('g'), rv = e.v('r');
  if (i.mod === 3) e.emit(`const ${d} = ${e.reg(size, i.rm)};`);
  else {
    e.fault();
    e.readModify(d, size, i.eaSeg, e.ea());
  }
  e.emit(`const ${g} = ${e.reg(size, i.reg)};`);
  e.emit(`const ${rv} = ${fit(`${d} + ${g}`, size)};`);
  e.setLazy(LAZY_ADD, d, g, rv, size);
  e.setReg(size, i.reg, d);
  if (i.mod === 3) e.setReg(size, i.rm, rv);
  else {
    e.emit(e.writeModified(size, rv));
    e.afterStore();
  }
  return true;
};

/**
 * CMPXCHG E, G as arith.ts cmpxchg: flags of CMP accumulator, E; equal:
 * E ← G; else E is written back unchanged and the accumulator ← E.
 */
const cmpxchg = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize, i = e.insn;
  const d = e.v('a'), acc = e.v('x'), g = e.v('g'), rv = e.v('r');
  if (i.mod === 3) e.emit(`const ${d} = ${e.reg(size, i.rm)};`);
  else {
    e.fault();
    e.readModify(d, size, i.eaSeg, e.ea());
  }
  e.emit(`const ${acc} = ${e.reg(size, Reg.EAX)}, ${g} = ${e.reg(size, i.reg)};`);
  e.emit(`const ${rv} = ${fit(`${acc} - ${d}`, size)};`);
  e.setLazy(LAZY_SUB, acc, d, rv, size);
  const written = `(${rv} === 0 ? ${g} : ${d})`;
  if (i.mod === 3) e.setReg(size, i.rm, written);
  else e.emit(e.writeModified(size, written));
  e.emit(`if (${rv} !== 0) {`);
  e.setReg(size, Reg.EAX, d);
  e.emit('}');
  if (i.mod !== 3) e.afterStore();
  return true;
};

// ---- bits -------------------------------------------------------------------------------

/** BT BTS BTR BTC by bit-op number (bit.ts BitOp): the new value of `v` with bit `bit` set, cleared, flipped. */
function applyBitOp(op: number, v: string, bit: string): string {
  switch (op) {
    case 1: return `(${v} | (1 << ${bit}))`;
    case 2: return `(${v} & ~(1 << ${bit}))`;
    default: return `(${v} ^ (1 << ${bit}))`;
  }
}

/**
 * bit.ts bitOnE: bit operation `op` on bit `bit` (an expression, 0..size·8−1)
 * of E, the memory operand at offset `off`; CF ← the bit's old value, the
 * other flags as they were (setSomeFlags).
 */
function bitOnE(e: InsnEmitter, op: number, size: number, off: string, bit: string): void {
  const i = e.insn, v = e.v('v');
  if (i.mod === 3) {
    e.emit(`const ${v} = ${e.reg(size, i.rm)};`);
    if (op !== 0) e.setReg(size, i.rm, applyBitOp(op, v, bit));
  } else if (op === 0) {
    e.emit(`const ${v} = ${e.read(size, i.eaSeg, off)};`);
  } else {
    e.fault();
    e.readModify(v, size, i.eaSeg, off);
    e.emit(e.writeModified(size, applyBitOp(op, v, bit)));
  }
  e.emit(`setSomeFlags(c, 1, (${v} >>> ${bit}) & 1);`);
  e.flags = undefined;
  if (i.mod !== 3 && op !== 0) e.afterStore();
}

/**
 * BT/BTS/BTR/BTC Ev, Gv (0F A3/AB/B3/BB, the operation in opcode bits 4..3):
 * with memory, G is a signed bit offset that moves the address by whole
 * operands (bit.ts bitEvGv).
 */
const bitEvGv: Emitter = (e) => {
  const i = e.insn, size = e.osize, op = (i.opcode >> 3) & 3;
  const o = e.v('o'), bit = e.v('bit');
  e.emit(`const ${o} = ${e.reg(size, i.reg)}, ${bit} = ${o} & ${size * 8 - 1};`);
  if (i.mod === 3) { bitOnE(e, op, size, '', bit); return true; }
  const units = size === 4 ? `(${o} >> 5)` : `(((${o} << 16) >> 16) >> 4)`;
  const off = i.addrsize32 ? `(${e.ea()} + ${units} * ${size}) | 0` : `(${e.ea()} + ${units} * ${size}) & 0xffff`;
  const a = e.v('ea');
  e.emit(`const ${a} = ${off};`);
  bitOnE(e, op, size, a, bit);
  return true;
};

/** Group 8 (0F BA): BT/BTS/BTR/BTC Ev, imm8 at /4../7, the offset modulo the width; /0../3 are #UD. */
const G8_EvIb: Emitter = (e) => {
  const i = e.insn, size = e.osize;
  if (i.reg < 4) return false;
  bitOnE(e, i.reg - 4, size, i.mod === 3 ? '' : e.ea(), String(i.imm & (size * 8 - 1)));
  return true;
};

/** BSWAP r32; with a 16-bit operand the low half is cleared (bit.ts bswap). */
const BSWAP_Zd: Emitter = (e) => {
  const n = e.insn.opcode & 7, v = e.v('v');
  e.emit(`const ${v} = ${e.reg(4, n)};`);
  if (e.insn.opsize32) e.setReg(4, n, `(${v} >>> 24) | ((${v} >> 8) & 0xff00) | ((${v} & 0xff00) << 8) | (${v} << 24)`);
  else e.setReg(4, n, `${v} & -65536`);
  return true;
};

/**
 * SHLD/SHRD Ev, Gv by imm8 or CL as shift.ts doubleShift: E is read for
 * writing even when the masked count is 0, which changes nothing else.
 */
const doubleShift = (left: boolean, byCl: boolean): Emitter => (e) => {
  const i = e.insn, size = e.osize, d = e.v('a'), s = e.v('s'), n = e.v('n');
  const count = byCl ? `${e.reg(4, Reg.ECX)} & 0x1f` : String(i.imm & 0x1f);
  if (count === '0') {
    if (i.mod !== 3) { e.fault(); e.emit(`c.readModifyMem(${size}, ${i.eaSeg}, ${e.ea()});`); }
    return true;
  }
  if (i.mod === 3) e.emit(`const ${d} = ${e.reg(size, i.rm)};`);
  else {
    e.fault();
    e.readModify(d, size, i.eaSeg, e.ea());
  }
  e.emit(`const ${s} = ${e.reg(size, i.reg)}, ${n} = ${count};`);
  const value = `shiftDouble(c, ${d}, ${s}, ${n}, ${size}, ${left})`;
  if (byCl) e.emit(`if (${n} !== 0) {`);
  if (i.mod === 3) e.setReg(size, i.rm, value);
  else e.emit(e.writeModified(size, value));
  if (byCl) e.emit('}');
  e.flags = undefined;
  if (i.mod !== 3) e.afterStore();
  return true;
};

// ---- flags ----------------------------------------------------------------------------

/** Emits data.ts's setSomeFlags call for CF (CMC, CLC, STC). */
function setCarry(e: InsnEmitter, cf: string): boolean {
  e.emit(`setSomeFlags(c, 1, ${cf});`);
  e.flags = undefined;
  return true;
}

/** The emitters of this file, merged into DEFAULT_EMITTERS. */
export const MORE_EMITTERS: Record<string, Emitter> = {
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

  LAHF: (e) => { e.setReg(1, 4, `((c.getFlags() & ${AH_FLAGS}) | ${FLAG_FIXED1})`); return true; },
  SAHF: (e) => { e.emit(`setSomeFlags(c, ${AH_FLAGS}, ${e.reg(1, 4)});`); e.flags = undefined; return true; },
  CMC: (e) => setCarry(e, `${e.knownCarry() ?? 'getCF(c)'} ^ 1`),
  CLC: (e) => setCarry(e, '0'),
  STC: (e) => setCarry(e, '1'),
};
