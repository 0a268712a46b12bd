/**
 * Specialised emitters for the common integer instructions, by instruction
 * class (the opcode table's handler name). Each one produces the same
 * architectural effect as the interpreter's handler of that name, in the
 * same order (reads and checks that can fault before any register write, as
 * the handlers do), and calls the same semantic helpers where the meaning is
 * more than a line: `getCF` for a carry-in from an unknown producer, `shift`,
 * `testCondition`. Anything unusual (LOCK, a #UD encoding, a rare operand
 * size) is declined and left to the interpreter.
 */
import { Reg, Seg } from '../registers.js';
import type { Emitter, InsnEmitter } from './emit.js';
import { fit, mask } from './operand-text.js';
import { dataSeg, jumpRelative, moffsOffset, relTarget } from './insn-operands.js';
import { MORE_EMITTERS } from './emit-ops-more.js';
import { STRING_EMITTERS } from './emit-ops-string.js';

/** LazyOp values (flags.ts), spelled out because generated code holds them as literals. */
const LAZY_ADD = 1, LAZY_ADC = 2, LAZY_SUB = 3, LAZY_SBB = 4, LAZY_LOGIC = 5;
/** The ALU operations by encoding (arith.ts Alu). */
const ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

/** `op` a, b on `size` bytes into local `r`, with the flags recorded as arith.ts alu() records them. */
function aluInto(e: InsnEmitter, op: number, a: string, b: string, size: number): string {
  const rv = e.v('r');
  const m = mask(size);
  switch (op) {
    case ADD: e.emit(`const ${rv} = ${fit(`${a} + ${b}`, size)};`); e.setLazy(LAZY_ADD, a, b, rv, size); break;
    case OR: e.emit(`const ${rv} = ${fit(`${a} | ${b}`, size)};`); e.setLazy(LAZY_LOGIC, a, b, rv, size); break;
    case AND: e.emit(`const ${rv} = ${size === 4 ? `${a} & ${b}` : `${a} & ${b} & ${m}`};`); e.setLazy(LAZY_LOGIC, a, b, rv, size); break;
    case XOR: e.emit(`const ${rv} = ${fit(`${a} ^ ${b}`, size)};`); e.setLazy(LAZY_LOGIC, a, b, rv, size); break;
    case SUB: case CMP: e.emit(`const ${rv} = ${fit(`${a} - ${b}`, size)};`); e.setLazy(LAZY_SUB, a, b, rv, size); break;
    default: { // ADC, SBB: the carry-in decides the lazy kind (ADC/SBB with 1, ADD/SUB with 0), as in alu().
      const cf = e.v('cf'), sign = op === ADC ? '+' : '-';
      e.emit(`const ${cf} = ${e.knownCarry() ?? 'getCF(c)'};`);
      e.emit(`const ${rv} = ${fit(`${a} ${sign} ${b} ${sign} ${cf}`, size)};`);
      const kinds = op === ADC ? `${LAZY_ADC} : ${LAZY_ADD}` : `${LAZY_SBB} : ${LAZY_SUB}`;
      e.emit(`c.lazyOp = ${cf} !== 0 ? ${kinds}; c.lazyA = ${a}; c.lazyB = ${b}; c.lazyR = ${rv}; c.lazySize = ${size}; c.lazyMask = 0x8d5;`);
      e.flags = undefined;
    }
  }
  return rv;
}

/** E op= b (read-modify-write; CMP only reads), as arith.ts aluEG / group1. */
function aluE(e: InsnEmitter, op: number, size: number, b: string): void {
  const i = e.insn;
  const av = e.v('a');
  if (i.mod === 3 || op === CMP) {
    e.emit(`const ${av} = ${e.readE(size)};`);
    const rv = aluInto(e, op, av, b, size);
    if (op !== CMP) e.setReg(size, i.rm, rv);
    return;
  }
  e.fault();
  e.readModify(av, size, i.eaSeg, e.ea());
  const rv = aluInto(e, op, av, b, size);
  e.emit(e.writeModified(size, rv));
  e.afterStore();
}

const aluEG = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const op = (e.insn.opcode >> 3) & 7;
  const bv = e.v('b');
  e.emit(`const ${bv} = ${e.reg(size, e.insn.reg)};`);
  aluE(e, op, size, bv);
  return true;
};

const aluGE = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const op = (e.insn.opcode >> 3) & 7;
  const av = e.v('a'), bv = e.v('b');
  e.emit(`const ${av} = ${e.reg(size, e.insn.reg)};`);
  e.emit(`const ${bv} = ${e.readE(size)};`);
  const rv = aluInto(e, op, av, bv, size);
  if (op !== CMP) e.setReg(size, e.insn.reg, rv);
  return true;
};

const aluAcc = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const op = (e.insn.opcode >> 3) & 7;
  const av = e.v('a');
  e.emit(`const ${av} = ${e.reg(size, Reg.EAX)};`);
  const imm = size === 2 ? e.insn.imm & 0xffff : size === 1 ? e.insn.imm & 0xff : e.insn.imm | 0;
  const rv = aluInto(e, op, av, String(imm), size);
  if (op !== CMP) e.setReg(size, Reg.EAX, rv);
  return true;
};

/** Group 1 (80-83): the immediate as the handler fetches it (83: sign-extended byte, unmasked). */
const group1 = (size: 1 | 0, signedByte: boolean): Emitter => (e) => {
  const s = size === 1 ? 1 : e.osize;
  const raw = e.insn.imm;
  const imm = signedByte ? (raw << 24) >> 24 : s === 1 ? raw & 0xff : s === 2 ? raw & 0xffff : raw | 0;
  aluE(e, e.insn.reg, s, String(imm));
  return true;
};

const testForm = (byteForm: boolean, acc: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const av = e.v('a'), rv = e.v('r');
  let b: string;
  if (acc) {
    e.emit(`const ${av} = ${e.reg(size, Reg.EAX)};`);
    b = String(size === 4 ? e.insn.imm | 0 : e.insn.imm & (size === 2 ? 0xffff : 0xff));
  } else {
    e.emit(`const ${av} = ${e.readE(size)};`);
    b = e.v('b');
    e.emit(`const ${b} = ${e.reg(size, e.insn.reg)};`);
  }
  e.emit(`const ${rv} = ${av} & ${b}${size === 4 ? '' : ` & ${mask(size)}`};`);
  e.setLazy(LAZY_LOGIC, av, b, rv, size);
  return true;
};

/**
 * INC/DEC as arith.ts inc()/dec() with flags.ts setLazyKeepCarry: CF is
 * kept (taken from the known producer, else computed by getCF), the other
 * five flags become lazy.
 */
function incDecValue(e: InsnEmitter, a: string, size: number, isDec: boolean): string {
  const cf = e.v('cf'), r = e.v('r');
  const known = e.knownCarry();
  e.emit(`const ${cf} = ${known ?? 'getCF(c)'};`);
  const sum = `${a} ${isDec ? '-' : '+'} 1`;
  e.emit(`const ${r} = ${fit(sum, size)};`);
  e.emit(`c.flags = (c.flags & -2) | ${cf}; c.lazyOp = ${isDec ? 7 : 6}; c.lazyA = ${a}; c.lazyB = 1; c.lazyR = ${r}; c.lazySize = ${size}; c.lazyMask = 0x8d4;`);
  e.flags = { kind: isDec ? 7 : 6, size, a, b: '1', r, cf };
  return r;
}

function incDecE(e: InsnEmitter, size: number, isDec: boolean): void {
  const i = e.insn;
  const a = e.v('a');
  if (i.mod === 3) {
    e.emit(`const ${a} = ${e.reg(size, i.rm)};`);
    e.setReg(size, i.rm, incDecValue(e, a, size, isDec));
  } else {
    e.fault();
    e.readModify(a, size, i.eaSeg, e.ea());
    e.emit(e.writeModified(size, incDecValue(e, a, size, isDec)));
    e.afterStore();
  }
}

function incDecZ(e: InsnEmitter, isDec: boolean): boolean {
  const a = e.v('a'), n = e.insn.opcode & 7;
  e.emit(`const ${a} = ${e.reg(e.osize, n)};`);
  e.setReg(e.osize, n, incDecValue(e, a, e.osize, isDec));
  return true;
}

/**
 * SHL/SAL, SHR, SAR by a constant 1..31 as shift.ts shift() does them, with
 * flags.ts setResultFlags inlined: CF and OF eager (AF cleared), SF/ZF/PF
 * lazy from the result. (The flags' previous pending state is entirely
 * overwritten, so it need not be materialized first.)
 */
function shiftConst(e: InsnEmitter, op: number, u: string, n: number, size: number): string {
  const bits = size * 8, msb = bits - 1;
  const r = e.v('r'), cf = e.v('cf'), of = e.v('of');
  if (op === 5) { // SHR
    e.emit(`const ${r} = ${fit(`${u} >>> ${n}`, size)}, ${cf} = (${u} >>> ${n - 1}) & 1;`);
    e.emit(`const ${of} = ((${r} >>> ${msb}) ^ (${r} >>> ${msb - 1})) & 1;`);
  } else if (op === 7) { // SAR
    const s = size === 4 ? u : size === 2 ? `((${u} << 16) >> 16)` : `((${u} << 24) >> 24)`;
    e.emit(`const ${r} = ${fit(`${s} >> ${n}`, size)}, ${cf} = (${s} >> ${n - 1}) & 1, ${of} = 0;`);
  } else { // SHL, SAL
    e.emit(`const ${r} = ${fit(`${u} << ${n}`, size)}, ${cf} = ${n > bits ? '0' : `(${u} >>> ${bits - n}) & 1`};`);
    e.emit(`const ${of} = ((${r} >>> ${msb}) & 1) ^ ${cf};`);
  }
  e.emit(`c.flags = (c.flags & -2066) | ${cf} | (${of} << 11); c.lazyOp = 8; c.lazyR = ${r}; c.lazySize = ${size}; c.lazyMask = 0xc4;`);
  e.flags = { kind: 8, size, a: u, b: String(n), r, cf };
  return r;
}

/**
 * ROL, ROR by a constant 1..31 as shift.ts shift() does them: the rotation
 * is modulo the width (a byte rotated by 8 is unchanged, its flags still
 * set); CF and OF are written over the pending flags (setSomeFlags), the
 * others keep their values. When a later instruction of the block stores
 * every flag unobserved, that line is dropped (emit.ts FlagLiveness).
 */
function rotateConst(e: InsnEmitter, op: number, u: string, n: number, size: number): string {
  const bits = size * 8, msb = bits - 1, by = n & msb;
  const r = e.v('r'), cf = e.v('cf'), of = e.v('of');
  if (op === 0) { // ROL
    e.emit(`const ${r} = ${by === 0 ? u : fit(`(${u} << ${by}) | (${u} >>> ${bits - by})`, size)}, ${cf} = ${r} & 1;`);
    e.emit(`const ${of} = ((${r} >>> ${msb}) & 1) ^ ${cf};`);
  } else { // ROR
    e.emit(`const ${r} = ${by === 0 ? u : fit(`(${u} >>> ${by}) | (${u} << ${bits - by})`, size)}, ${cf} = (${r} >>> ${msb}) & 1;`);
    e.emit(`const ${of} = ${cf} ^ ((${r} >>> ${msb - 1}) & 1);`);
  }
  e.emit(`setSomeFlags(c, 0x801, ${cf} | (${of} << 11));`);
  e.flags = undefined;
  return r;
}


/**
 * An indirect near target must lie within the CS limit, checked before
 * anything changes (control.ts jumpNear).
 */
function checkIndirect(e: InsnEmitter, t: string): void {
  e.fault();
  e.emit(`if ((${t} >>> 0) > c.segLimit[${Seg.CS}]) throw new CpuException(13, 0);`);
}

const shiftGroup = (byteForm: boolean, count: 'imm' | 'one' | 'cl'): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const i = e.insn;
  if (count !== 'cl') {
    const n = count === 'one' ? 1 : i.imm & 0x1f;
    if (n !== 0 && (i.reg >= 4 || i.reg <= 1)) { // SHL, SHR, SAL, SAR, ROL, ROR inline
      const u = e.v('u');
      const inline = (): string => (i.reg >= 4 ? shiftConst(e, i.reg, u, n, size) : rotateConst(e, i.reg, u, n, size));
      if (i.mod === 3) {
        e.emit(`const ${u} = ${e.reg(size, i.rm)};`);
        e.setReg(size, i.rm, inline());
      } else {
        e.fault();
        e.readModify(u, size, i.eaSeg, e.ea());
        e.emit(e.writeModified(size, inline()));
        e.afterStore();
      }
      return true;
    }
    if (i.mod === 3) {
      if (n !== 0) { e.setReg(size, i.rm, `shift(c, ${i.reg}, ${e.reg(size, i.rm)}, ${n}, ${size})`); e.flags = undefined; }
      return true;
    }
    e.fault();
    const av = e.v('a');
    e.readModify(av, size, i.eaSeg, e.ea());
    if (n !== 0) {
      e.emit(e.writeModified(size, `shift(c, ${i.reg}, ${av}, ${n}, ${size})`));
      e.afterStore();
      e.flags = undefined;
    }
    return true;
  }
  const nv = e.v('n'), av = e.v('a');
  if (i.mod === 3) {
    e.emit(`const ${av} = ${e.reg(size, i.rm)}, ${nv} = ${e.reg(4, Reg.ECX)} & 0x1f;`);
    e.emit(`if (${nv} !== 0) {`);
    e.setReg(size, i.rm, `shift(c, ${i.reg}, ${av}, ${nv}, ${size})`);
    e.emit('}');
  } else {
    e.fault();
    e.readModify(av, size, i.eaSeg, e.ea());
    e.emit(`const ${nv} = ${e.reg(4, Reg.ECX)} & 0x1f;`);
    e.emit(`if (${nv} !== 0) ${e.writeModified(size, `shift(c, ${i.reg}, ${av}, ${nv}, ${size})`)}`);
    e.afterStore();
  }
  e.flags = undefined;
  return true;
};

const jcc: Emitter = (e) => {
  const t = relTarget(e);
  e.targets.push(t);
  e.branch(e.condition(e.insn.opcode & 15), t);
  return true;
};

/** The `size`-byte push as cpu.push does it (stack width from SS.B at run time). */
function push(e: InsnEmitter, size: number, value: string): void {
  e.push(size, value);
  e.afterStore();
}

const MOV_EG = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  e.writeE(size, e.reg(size, e.insn.reg));
  return true;
};

const MOV_GE = (byteForm: boolean): Emitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const i = e.insn;
  if (i.mod === 3) { e.setReg(size, i.reg, e.reg(size, i.rm)); return true; }
  const v = e.v('v');
  e.emit(`const ${v} = ${e.readE(size)};`);
  e.setReg(size, i.reg, v);
  return true;
};

function moffs(e: InsnEmitter): string {
  return String(moffsOffset(e));
}


const extend = (from: 1 | 2, signExtend: boolean): Emitter => (e) => {
  const v = e.v('v');
  e.emit(`const ${v} = ${e.readE(from)};`);
  const shift = from === 1 ? 24 : 16;
  e.setReg(e.osize, e.insn.reg, signExtend ? `((${v} << ${shift}) >> ${shift})` : v);
  return true;
};

/** The default emitters (with those of emit-ops-more.ts and emit-ops-string.ts): every class not listed runs in the interpreter. */
export const DEFAULT_EMITTERS: Record<string, Emitter> = {
  ...MORE_EMITTERS,
  ...STRING_EMITTERS,
  MOV_EbGb: MOV_EG(true),
  MOV_EvGv: MOV_EG(false),
  MOV_GbEb: MOV_GE(true),
  MOV_GvEv: MOV_GE(false),
  MOV_ZbIb: (e) => { e.setReg(1, e.insn.opcode & 7, String(e.insn.imm & 0xff)); return true; },
  MOV_ZvIv: (e) => { e.setReg(e.osize, e.insn.opcode & 7, String(e.osize === 4 ? e.insn.imm | 0 : e.insn.imm & 0xffff)); return true; },
  G11_EbIb: (e) => { if (e.insn.reg !== 0) return false; e.writeE(1, String(e.insn.imm & 0xff)); return true; },
  G11_EvIz: (e) => {
    if (e.insn.reg !== 0) return false;
    e.writeE(e.osize, String(e.osize === 4 ? e.insn.imm | 0 : e.insn.imm & 0xffff));
    return true;
  },
  MOV_ALOb: (e) => { const v = e.v('v'); e.emit(`const ${v} = ${e.read(1, dataSeg(e), moffs(e))};`); e.setReg(1, Reg.EAX, v); return true; },
  MOV_eAXOv: (e) => { const v = e.v('v'); e.emit(`const ${v} = ${e.read(e.osize, dataSeg(e), moffs(e))};`); e.setReg(e.osize, Reg.EAX, v); return true; },
  MOV_ObAL: (e) => { e.write(1, dataSeg(e), moffs(e), e.reg(4, Reg.EAX)); return true; },
  MOV_OveAX: (e) => { e.write(e.osize, dataSeg(e), moffs(e), e.reg(4, Reg.EAX)); return true; },
  MOVZX_GvEb: extend(1, false),
  MOVZX_GvEw: extend(2, false),
  MOVSX_GvEb: extend(1, true),
  MOVSX_GvEw: extend(2, true),
  LEA_GvM: (e) => { if (e.insn.mod === 3) return false; e.setReg(e.osize, e.insn.reg, e.ea()); return true; },
  NOP: () => true,
  XCHG_ZveAX: (e) => {
    const s = e.osize, n = e.insn.opcode & 7, v = e.v('v');
    e.emit(`const ${v} = ${e.reg(s, n)};`);
    e.setReg(s, n, e.reg(s, Reg.EAX));
    e.setReg(s, Reg.EAX, v);
    return true;
  },
  CLD: (e) => { e.emit('c.flags &= ~0x400;'); return true; },
  STD: (e) => { e.emit('c.flags |= 0x400;'); return true; },
  CBW: (e) => {
    const ax = e.reg(4, Reg.EAX);
    if (e.insn.opsize32) e.setReg(4, Reg.EAX, `(${ax} << 16) >> 16`);
    else e.setReg(2, Reg.EAX, `((${ax} << 24) >> 24)`);
    return true;
  },
  CWD: (e) => {
    const ax = e.reg(4, Reg.EAX);
    if (e.insn.opsize32) e.setReg(4, Reg.EDX, `${ax} >> 31`);
    else e.setReg(2, Reg.EDX, `((${ax} << 16) >> 31)`);
    return true;
  },

  TEST_EbGb: testForm(true, false),
  TEST_EvGv: testForm(false, false),
  TEST_ALIb: testForm(true, true),
  TEST_eAXIz: testForm(false, true),
  G1_EbIb: group1(1, false),
  G1_EvIz: group1(0, false),
  G1_EvIb: group1(0, true),
  INC_Zv: (e) => incDecZ(e, false),
  DEC_Zv: (e) => incDecZ(e, true),
  G4_Eb: (e) => { if (e.insn.reg > 1) return false; incDecE(e, 1, e.insn.reg === 1); return true; },

  G2_EbIb: shiftGroup(true, 'imm'),
  G2_EvIb: shiftGroup(false, 'imm'),
  G2_Eb1: shiftGroup(true, 'one'),
  G2_Ev1: shiftGroup(false, 'one'),
  G2_EbCL: shiftGroup(true, 'cl'),
  G2_EvCL: shiftGroup(false, 'cl'),

  SETcc_Eb: (e) => {
    const cv = e.v('t');
    e.emit(`const ${cv} = ${e.condition(e.insn.opcode & 15)} ? 1 : 0;`);
    e.writeE(1, cv);
    return true;
  },
  CMOVcc_GvEv: (e) => {
    const s = e.osize, v = e.v('v');
    e.emit(`const ${v} = ${e.readE(s)};`);
    e.emit(`if (${e.condition(e.insn.opcode & 15)}) {`);
    e.setReg(s, e.insn.reg, v);
    e.emit('}');
    return true;
  },

  PUSH_Zv: (e) => { push(e, e.osize, e.reg(e.osize, e.insn.opcode & 7)); return true; },
  POP_Zv: (e) => {
    const v = e.popRead(e.osize);
    e.popDone(e.osize); // before the destination: POP ESP leaves the value popped
    e.setReg(e.osize, e.insn.opcode & 7, v);
    return true;
  },
  PUSH_Iz: (e) => { push(e, e.osize, String(e.osize === 4 ? e.insn.imm | 0 : e.insn.imm & 0xffff)); return true; },
  PUSH_Ib: (e) => { push(e, e.osize, String((e.insn.imm << 24) >> 24)); return true; },

  Jcc_Jb: jcc,
  Jcc_Jz: jcc,
  JMP_Jb: jumpRelative,
  JMP_Jz: jumpRelative,
  CALL_Jz: (e) => {
    const t = relTarget(e);
    e.targets.push(t);
    e.push(e.osize, String(e.osize === 4 ? e.next : e.next & 0xffff));
    e.jump(t);
    return true;
  },
  RET: (e) => ret(e, 0),
  RET_Iw: (e) => ret(e, e.insn.imm & 0xffff),
  G5_Ev: (e) => {
    const i = e.insn, s = e.osize;
    switch (i.reg) {
      case 0: case 1: incDecE(e, s, i.reg === 1); return true;
      case 2: case 4: {
        const t = e.v('t');
        e.emit(`const ${t} = ${s === 4 ? e.readE(4) : e.readE(2)};`);
        checkIndirect(e, t);
        if (i.reg === 2) e.push(s, String(s === 4 ? e.next : e.next & 0xffff));
        e.indirect(`${t} | 0`);
        return true;
      }
      case 6: {
        const v = e.v('v');
        e.emit(`const ${v} = ${e.readE(s)};`);
        push(e, s, v);
        return true;
      }
      default: return false;
    }
  },
};

/** Near RET: pops the target, checks it against the CS limit with ESP as it was, releases `imm` bytes. */
function ret(e: InsnEmitter, imm: number): boolean {
  const t = e.popRead(e.osize);
  e.emit(`if ((${t} >>> 0) > c.segLimit[${Seg.CS}]) throw new CpuException(13, 0);`);
  e.popDone(e.osize + imm);
  e.indirect(t);
  return true;
}

// Group 1's encodings and the six ALU forms at 00-3F.
for (const name of ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP']) {
  DEFAULT_EMITTERS[`${name}_EbGb`] = aluEG(true);
  DEFAULT_EMITTERS[`${name}_EvGv`] = aluEG(false);
  DEFAULT_EMITTERS[`${name}_GbEb`] = aluGE(true);
  DEFAULT_EMITTERS[`${name}_GvEv`] = aluGE(false);
  DEFAULT_EMITTERS[`${name}_ALIb`] = aluAcc(true);
  DEFAULT_EMITTERS[`${name}_eAXIz`] = aluAcc(false);
}
