/**
 * WebAssembly emitters for the common integer instructions, by instruction
 * class (the opcode table's handler name): the same meaning, in the same
 * order (every read and check that can fault before a register write), as
 * the interpreter's handlers and the JavaScript emitters of emit-ops.ts.
 * A class not listed, or an encoding an emitter declines, runs in the
 * interpreter from inside the region.
 */
import { Reg, Seg } from '../../registers.js';
import type { Local } from './module-builder.js';
import { Op } from './module-builder.js';
import { F, imm, type Operand, type WasmEmitter, type WasmInsnEmitter } from './region.js';
import { dataSeg, jumpRelative, moffsOffset, relTarget } from '../insn-operands.js';
import { WASM_MORE_EMITTERS } from './ops-more.js';
import { WASM_BIT_SCAN_EMITTERS } from './ops-bit-scan.js';
import { WASM_SHIFT_EMITTERS } from './ops-shift.js';
import { WASM_SIMD_EMITTERS } from './ops-simd.js';
import { WASM_STRING_EMITTERS } from './ops-string.js';
import { WASM_SYSTEM_EMITTERS } from './ops-system.js';

const LAZY_ADD = 1, LAZY_ADC = 2, LAZY_SUB = 3, LAZY_SBB = 4, LAZY_LOGIC = 5, LAZY_INC = 6, LAZY_DEC = 7, LAZY_RESULT = 8;
const ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;




/** `op` a, b on `size` bytes into a local, with the flags recorded as arith.ts alu() records them. */
function aluInto(e: WasmInsnEmitter, op: number, a: Local, bv: Operand, size: number): Local {
  const b = e.b;
  const r = e.tmp();
  const binary = (code: Op): void => { b.get(a); e.operand(bv); b.op(code); };
  switch (op) {
    case ADD: binary(Op.I32Add); e.fit(size); b.set(r); e.setLazy(LAZY_ADD, a, bv, r, size); break;
    case OR: binary(Op.I32Or); e.fit(size); b.set(r); e.setLazy(LAZY_LOGIC, a, bv, r, size); break;
    case AND: binary(Op.I32And); e.fit(size); b.set(r); e.setLazy(LAZY_LOGIC, a, bv, r, size); break;
    case XOR: binary(Op.I32Xor); e.fit(size); b.set(r); e.setLazy(LAZY_LOGIC, a, bv, r, size); break;
    case SUB: case CMP: binary(Op.I32Sub); e.fit(size); b.set(r); e.setLazy(LAZY_SUB, a, bv, r, size); break;
    default: { // ADC, SBB: the carry-in decides the lazy kind (ADC/SBB with 1, ADD/SUB with 0), as in alu().
      const cf = e.tmp();
      e.carry();
      b.set(cf);
      const code = op === ADC ? Op.I32Add : Op.I32Sub;
      binary(code); b.get(cf).op(code); e.fit(size); b.set(r);
      const f = e.L.flags;
      b.i32(op === ADC ? LAZY_ADC : LAZY_SBB).i32(op === ADC ? LAZY_ADD : LAZY_SUB).get(cf).op(Op.Select).set(f[F.OP]);
      b.get(a).set(f[F.A]);
      e.operand(bv);
      b.set(f[F.B]).get(r).set(f[F.R]).i32(size).set(f[F.SIZE]).i32(0x8d5).set(f[F.MASK]);
      e.flags = undefined;
    }
  }
  return r;
}

/** E op= b (read-modify-write; CMP only reads), as arith.ts aluEG / group 1. */
function aluE(e: WasmInsnEmitter, op: number, size: number, bv: Operand): void {
  const i = e.insn;
  if (i.mod === 3 || op === CMP) {
    e.readE(size);
    const a = e.keep();
    const r = aluInto(e, op, a, bv, size);
    if (op !== CMP) { e.b.get(r); e.setReg(size, i.rm); }
    return;
  }
  e.ea();
  e.readModify(size, i.eaSeg);
  const a = e.keep();
  const r = aluInto(e, op, a, bv, size);
  e.writeModified(size, r);
}

const aluEG = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  e.reg(size, e.insn.reg);
  aluE(e, (e.insn.opcode >> 3) & 7, size, e.keep());
  return true;
};

const aluGE = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const op = (e.insn.opcode >> 3) & 7;
  e.reg(size, e.insn.reg);
  const a = e.keep();
  e.readE(size);
  const bv = e.keep();
  const r = aluInto(e, op, a, bv, size);
  if (op !== CMP) { e.b.get(r); e.setReg(size, e.insn.reg); }
  return true;
};


const aluAcc = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const op = (e.insn.opcode >> 3) & 7;
  e.reg(size, Reg.EAX);
  const a = e.keep();
  const r = aluInto(e, op, a, imm(e.immediate(size)), size);
  if (op !== CMP) { e.b.get(r); e.setReg(size, Reg.EAX); }
  return true;
};

/** Group 1 (80-83): the immediate as the handler fetches it (83: sign-extended byte, unmasked). */
const group1 = (byteForm: boolean, signedByte: boolean): WasmEmitter => (e) => {
  const s = byteForm ? 1 : e.osize;
  const value = signedByte ? (e.insn.imm << 24) >> 24 : e.immediate(s);
  aluE(e, e.insn.reg, s, imm(value));
  return true;
};

const testForm = (byteForm: boolean, acc: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  let a: Local, bv: Operand;
  if (acc) {
    e.reg(size, Reg.EAX);
    a = e.keep();
    bv = imm(e.immediate(size));
  } else {
    e.readE(size);
    a = e.keep();
    e.reg(size, e.insn.reg);
    bv = e.keep();
  }
  const r = e.tmp();
  e.b.get(a); e.operand(bv); e.b.op(Op.I32And); e.fit(size); e.b.set(r);
  e.setLazy(LAZY_LOGIC, a, bv, r, size);
  return true;
};

/** INC/DEC (flags.ts setLazyKeepCarry): CF kept, the other five lazy. */
function incDecValue(e: WasmInsnEmitter, a: Local, size: number, isDec: boolean): Local {
  const b = e.b, f = e.L.flags;
  const cf = e.tmp();
  e.carry();
  b.set(cf);
  const r = e.tmp();
  b.get(a).i32(1).op(isDec ? Op.I32Sub : Op.I32Add);
  e.fit(size);
  b.set(r);
  b.get(f[F.FLAGS]).i32(-2).op(Op.I32And).get(cf).op(Op.I32Or).set(f[F.FLAGS]);
  b.i32(isDec ? LAZY_DEC : LAZY_INC).set(f[F.OP]).get(a).set(f[F.A]).i32(1).set(f[F.B]).get(r).set(f[F.R]);
  b.i32(size).set(f[F.SIZE]).i32(0x8d4).set(f[F.MASK]);
  e.flags = { kind: isDec ? LAZY_DEC : LAZY_INC, size };
  return r;
}

function incDecE(e: WasmInsnEmitter, size: number, isDec: boolean): void {
  const i = e.insn;
  if (i.mod === 3) {
    e.reg(size, i.rm);
    const r = incDecValue(e, e.keep(), size, isDec);
    e.b.get(r);
    e.setReg(size, i.rm);
    return;
  }
  e.ea();
  e.readModify(size, i.eaSeg);
  const r = incDecValue(e, e.keep(), size, isDec);
  e.writeModified(size, r);
}

const incDecZ = (isDec: boolean): WasmEmitter => (e) => {
  const n = e.insn.opcode & 7;
  e.reg(e.osize, n);
  const r = incDecValue(e, e.keep(), e.osize, isDec);
  e.b.get(r);
  e.setReg(e.osize, n);
  return true;
};

/**
 * SHL/SAL, SHR, SAR by a constant 1..31 (shift.ts shift() with flags.ts
 * setResultFlags): CF and OF eager, AF cleared, SF/ZF/PF lazy. The
 * previous record is overwritten entirely, so it is not materialized.
 */
function shiftConst(e: WasmInsnEmitter, op: number, u: Local, n: number, size: number): Local {
  const b = e.b, f = e.L.flags;
  const bits = size * 8, msb = bits - 1;
  const r = e.tmp(), cf = e.tmp(), of = e.tmp();
  if (op === 5) { // SHR
    b.get(u).i32(n).op(Op.I32ShrU); e.fit(size); b.set(r);
    b.get(u).i32(n - 1).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
    b.get(r).i32(msb).op(Op.I32ShrU).get(r).i32(msb - 1).op(Op.I32ShrU).op(Op.I32Xor).i32(1).op(Op.I32And).set(of);
  } else if (op === 7) { // SAR
    const sx = (): void => { b.get(u); if (size === 2) b.op(Op.I32Extend16S); else if (size === 1) b.op(Op.I32Extend8S); };
    sx(); b.i32(n).op(Op.I32ShrS); e.fit(size); b.set(r);
    sx(); b.i32(n - 1).op(Op.I32ShrS).i32(1).op(Op.I32And).set(cf);
    b.i32(0).set(of);
  } else { // SHL, SAL
    b.get(u).i32(n).op(Op.I32Shl); e.fit(size); b.set(r);
    if (n > bits) b.i32(0); else b.get(u).i32(bits - n).op(Op.I32ShrU).i32(1).op(Op.I32And);
    b.set(cf);
    b.get(r).i32(msb).op(Op.I32ShrU).i32(1).op(Op.I32And).get(cf).op(Op.I32Xor).set(of);
  }
  b.get(f[F.FLAGS]).i32(-2066).op(Op.I32And).get(cf).op(Op.I32Or).get(of).i32(11).op(Op.I32Shl).op(Op.I32Or).set(f[F.FLAGS]);
  b.i32(LAZY_RESULT).set(f[F.OP]).get(r).set(f[F.R]).i32(size).set(f[F.SIZE]).i32(0xc4).set(f[F.MASK]);
  e.flags = { kind: LAZY_RESULT, size };
  return r;
}

/**
 * ROL, ROR by a constant (shift.ts): the rotation is modulo the width; CF
 * and OF are written over the pending flags, the others keep their values.
 * setSomeFlags materializes the record first; here CF and OF leave the
 * pending mask instead, so the same EFLAGS come out without the flags
 * helper (an MD5 step's ROL follows an ADD).
 */
function rotateConst(e: WasmInsnEmitter, op: number, u: Local, n: number, size: number): Local {
  const b = e.b, f = e.L.flags;
  const bits = size * 8, msb = bits - 1, by = n & msb;
  const r = e.tmp(), cf = e.tmp(), of = e.tmp();
  if (by === 0) b.get(u);
  else if (size === 4) b.get(u).i32(by).op(op === 0 ? Op.I32Rotl : Op.I32Rotr);
  else {
    b.get(u).i32(op === 0 ? by : bits - by).op(Op.I32Shl).get(u).i32(op === 0 ? bits - by : by).op(Op.I32ShrU).op(Op.I32Or);
    e.fit(size);
  }
  b.set(r);
  if (op === 0) {
    b.get(r).i32(1).op(Op.I32And).set(cf);
    b.get(r).i32(msb).op(Op.I32ShrU).i32(1).op(Op.I32And).get(cf).op(Op.I32Xor).set(of);
  } else {
    b.get(r).i32(msb).op(Op.I32ShrU).i32(1).op(Op.I32And).set(cf);
    b.get(cf).get(r).i32(msb - 1).op(Op.I32ShrU).i32(1).op(Op.I32And).op(Op.I32Xor).set(of);
  }
  // CF and OF eager, the other pending flags still from the record before (which the rotation keeps).
  b.get(f[F.FLAGS]).i32(~0x801).op(Op.I32And).get(cf).op(Op.I32Or).get(of).i32(11).op(Op.I32Shl).op(Op.I32Or).set(f[F.FLAGS]);
  b.get(f[F.MASK]).i32(~0x801).op(Op.I32And).set(f[F.MASK]);
  e.flags = undefined;
  return r;
}

/** Group 2 by a constant count: SHL/SHR/SAR/ROL/ROR inline; RCL/RCR, and counts of 0, to the interpreter. */
const shiftGroup = (byteForm: boolean, one: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  const i = e.insn;
  const n = one ? 1 : i.imm & 0x1f;
  if (n === 0 || !(i.reg >= 4 || i.reg <= 1)) return false;
  const inline = (u: Local): Local => (i.reg >= 4 ? shiftConst(e, i.reg, u, n, size) : rotateConst(e, i.reg, u, n, size));
  if (i.mod === 3) {
    e.reg(size, i.rm);
    const r = inline(e.keep());
    e.b.get(r);
    e.setReg(size, i.rm);
    return true;
  }
  e.ea();
  e.readModify(size, i.eaSeg);
  const r = inline(e.keep());
  e.writeModified(size, r);
  return true;
};


/** #GP(0) unless local `t` lies within the CS limit (control.ts jumpNear), before anything changes. */
function checkTarget(e: WasmInsnEmitter, t: Local): void {
  e.b.get(t);
  e.csLimit();
  e.b.op(Op.I32GtU).if();
  e.raise(13, 0);
  e.b.end();
}

const jcc: WasmEmitter = (e) => {
  const t = relTarget(e);
  e.targets.push(t);
  e.condition(e.insn.opcode & 15);
  e.branch(t);
  return true;
};

/** PUSH of a local, then leaving if the store hit this region's code. */
function push(e: WasmInsnEmitter, size: number, v: Local): void {
  e.push(size, v);
  e.afterStore();
}

function constLocal(e: WasmInsnEmitter, v: number): Local {
  e.b.i32(v);
  return e.keep();
}

const MOV_EG = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  e.reg(size, e.insn.reg);
  e.writeE(size, e.keep());
  return true;
};

const MOV_GE = (byteForm: boolean): WasmEmitter => (e) => {
  const size = byteForm ? 1 : e.osize;
  e.readE(size);
  e.setReg(size, e.insn.reg);
  return true;
};

function moffs(e: WasmInsnEmitter): void {
  e.b.i32(moffsOffset(e));
}


const extend = (from: 1 | 2, signExtend: boolean): WasmEmitter => (e) => {
  e.readE(from);
  if (signExtend) e.b.op(from === 1 ? Op.I32Extend8S : Op.I32Extend16S);
  e.setReg(e.osize, e.insn.reg);
  return true;
};

/** Near RET: pops the target, checks it against the CS limit with ESP as it was, releases `imm` bytes. */
function ret(e: WasmInsnEmitter, imm: number): boolean {
  e.popRead(e.osize);
  const t = e.keep();
  checkTarget(e, t);
  e.popDone(e.osize + imm);
  e.b.get(t);
  e.indirect();
  return true;
}

/** The WebAssembly emitters by instruction class. */
export const WASM_EMITTERS: Record<string, WasmEmitter> = {
  ...WASM_MORE_EMITTERS,
  ...WASM_BIT_SCAN_EMITTERS,
  ...WASM_STRING_EMITTERS,
  ...WASM_SHIFT_EMITTERS,
  ...WASM_SYSTEM_EMITTERS,
  ...WASM_SIMD_EMITTERS,
  MOV_EbGb: MOV_EG(true),
  MOV_EvGv: MOV_EG(false),
  MOV_GbEb: MOV_GE(true),
  MOV_GvEv: MOV_GE(false),
  MOV_ZbIb: (e) => { e.b.i32(e.insn.imm & 0xff); e.setReg(1, e.insn.opcode & 7); return true; },
  MOV_ZvIv: (e) => { e.b.i32(e.immediate(e.osize)); e.setReg(e.osize, e.insn.opcode & 7); return true; },
  G11_EbIb: (e) => { if (e.insn.reg !== 0) return false; e.writeE(1, constLocal(e, e.insn.imm & 0xff)); return true; },
  G11_EvIz: (e) => { if (e.insn.reg !== 0) return false; e.writeE(e.osize, constLocal(e, e.immediate(e.osize))); return true; },
  MOV_ALOb: (e) => { moffs(e); e.read(1, dataSeg(e)); e.setReg(1, Reg.EAX); return true; },
  MOV_eAXOv: (e) => { moffs(e); e.read(e.osize, dataSeg(e)); e.setReg(e.osize, Reg.EAX); return true; },
  MOV_ObAL: (e) => { e.reg(4, Reg.EAX); const v = e.keep(); moffs(e); e.write(1, dataSeg(e), v); return true; },
  MOV_OveAX: (e) => { e.reg(4, Reg.EAX); const v = e.keep(); moffs(e); e.write(e.osize, dataSeg(e), v); return true; },
  MOVZX_GvEb: extend(1, false),
  MOVZX_GvEw: extend(2, false),
  MOVSX_GvEb: extend(1, true),
  MOVSX_GvEw: extend(2, true),
  LEA_GvM: (e) => { if (e.insn.mod === 3) return false; e.ea(); e.setReg(e.osize, e.insn.reg); return true; },
  NOP: () => true,
  XCHG_ZveAX: (e) => {
    const s = e.osize, n = e.insn.opcode & 7;
    e.reg(s, n);
    const v = e.keep();
    e.reg(s, Reg.EAX);
    e.setReg(s, n);
    e.b.get(v);
    e.setReg(s, Reg.EAX);
    return true;
  },
  CLD: (e) => { const f = e.L.flags[F.FLAGS]; e.b.get(f).i32(~0x400).op(Op.I32And).set(f); return true; },
  STD: (e) => { const f = e.L.flags[F.FLAGS]; e.b.get(f).i32(0x400).op(Op.I32Or).set(f); return true; },
  CBW: (e) => {
    e.reg(4, Reg.EAX);
    if (e.insn.opsize32) { e.b.op(Op.I32Extend16S); e.setReg(4, Reg.EAX); } else { e.b.op(Op.I32Extend8S); e.setReg(2, Reg.EAX); }
    return true;
  },
  CWD: (e) => {
    e.reg(4, Reg.EAX);
    if (e.insn.opsize32) { e.b.i32(31).op(Op.I32ShrS); e.setReg(4, Reg.EDX); } else { e.b.op(Op.I32Extend16S).i32(31).op(Op.I32ShrS); e.setReg(2, Reg.EDX); }
    return true;
  },

  TEST_EbGb: testForm(true, false),
  TEST_EvGv: testForm(false, false),
  TEST_ALIb: testForm(true, true),
  TEST_eAXIz: testForm(false, true),
  G1_EbIb: group1(true, false),
  G1_EvIz: group1(false, false),
  G1_EvIb: group1(false, true),
  INC_Zv: incDecZ(false),
  DEC_Zv: incDecZ(true),
  G4_Eb: (e) => { if (e.insn.reg > 1) return false; incDecE(e, 1, e.insn.reg === 1); return true; },

  G2_EbIb: shiftGroup(true, false),
  G2_EvIb: shiftGroup(false, false),
  G2_Eb1: shiftGroup(true, true),
  G2_Ev1: shiftGroup(false, true),

  SETcc_Eb: (e) => {
    e.condition(e.insn.opcode & 15);
    e.writeE(1, e.keep());
    return true;
  },
  CMOVcc_GvEv: (e) => {
    const s = e.osize;
    e.readE(s);
    const v = e.keep();
    e.condition(e.insn.opcode & 15);
    e.b.if();
    e.b.get(v);
    e.setReg(s, e.insn.reg);
    e.b.end();
    return true;
  },

  PUSH_Zv: (e) => { e.reg(e.osize, e.insn.opcode & 7); push(e, e.osize, e.keep()); return true; },
  POP_Zv: (e) => {
    e.popRead(e.osize);
    const v = e.keep();
    e.popDone(e.osize); // before the destination: POP ESP leaves the value popped
    e.b.get(v);
    e.setReg(e.osize, e.insn.opcode & 7);
    return true;
  },
  PUSH_Iz: (e) => { push(e, e.osize, constLocal(e, e.immediate(e.osize))); return true; },
  PUSH_Ib: (e) => { push(e, e.osize, constLocal(e, (e.insn.imm << 24) >> 24)); return true; },

  Jcc_Jb: jcc,
  Jcc_Jz: jcc,
  JMP_Jb: jumpRelative,
  JMP_Jz: jumpRelative,
  CALL_Jz: (e) => {
    const t = relTarget(e);
    e.targets.push(t);
    e.push(e.osize, constLocal(e, e.osize === 4 ? e.next : e.next & 0xffff));
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
        e.readE(s);
        const t = e.keep();
        checkTarget(e, t);
        if (i.reg === 2) e.push(s, constLocal(e, s === 4 ? e.next : e.next & 0xffff));
        e.b.get(t);
        e.indirect();
        return true;
      }
      case 6: {
        e.readE(s);
        push(e, s, e.keep());
        return true;
      }
      default: return false;
    }
  },
};

// Group 1's encodings and the six ALU forms at 00-3F.
for (const name of ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP']) {
  WASM_EMITTERS[`${name}_EbGb`] = aluEG(true);
  WASM_EMITTERS[`${name}_EvGv`] = aluEG(false);
  WASM_EMITTERS[`${name}_GbEb`] = aluGE(true);
  WASM_EMITTERS[`${name}_GvEv`] = aluGE(false);
  WASM_EMITTERS[`${name}_ALIb`] = aluAcc(true);
  WASM_EMITTERS[`${name}_eAXIz`] = aluAcc(false);
}
