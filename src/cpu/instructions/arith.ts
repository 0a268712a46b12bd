/**
 * Instruction family: integer arithmetic (ADD, ADC, SUB, SBB, CMP, INC, DEC,
 * NEG, MUL, IMUL, DIV, IDIV, CBW/CWD…, CMPXCHG, XADD, CMPXCHG8B) and the
 * logical operations that share the ALU encodings (AND, OR, XOR, TEST, NOT).
 *
 * The eight classic operations are one function, {@link alu}, selected by
 * their encoding number (opcode bits 5..3 for 00-3F, ModRM.reg for group 1),
 * so each operand form is a single handler shared by all eight mnemonics.
 * Flags are lazy (flags.ts). Undefined flags: MUL/IMUL set CF/OF eagerly,
 * clear AF and take SF/ZF/PF from the low half of the product; DIV/IDIV
 * leave all six unchanged. (The AMD host differs on both; the oracle masks
 * undefined flags.)
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Flag, Reg, Vector } from '../registers.js';
import { LazyOp, getCF, setLazy, setLazyKeepCarry, setResultFlags, setSomeFlags, sizeMask } from '../flags.js';

/** The eight ALU operations by encoding (SDM Vol. 2 Table A-6, group 1). */
export const enum Alu { ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7 }

/** Computes `a op b` on `size`-byte operands, sets the flags and returns the result (CMP: a − b). */
export function alu(cpu: Cpu, op: number, a: number, b: number, size: number): number {
  const m = sizeMask(size);
  let r: number;
  switch (op) {
    case Alu.ADD:
      r = (a + b) & m; setLazy(cpu, LazyOp.ADD, a, b, r, size); break;
    case Alu.OR:
      r = (a | b) & m; setLazy(cpu, LazyOp.LOGIC, a, b, r, size); break;
    case Alu.ADC: {
      const c = getCF(cpu);
      r = (a + b + c) & m; setLazy(cpu, c !== 0 ? LazyOp.ADC : LazyOp.ADD, a, b, r, size); break;
    }
    case Alu.SBB: {
      const c = getCF(cpu);
      r = (a - b - c) & m; setLazy(cpu, c !== 0 ? LazyOp.SBB : LazyOp.SUB, a, b, r, size); break;
    }
    case Alu.AND:
      r = a & b & m; setLazy(cpu, LazyOp.LOGIC, a, b, r, size); break;
    case Alu.XOR:
      r = (a ^ b) & m; setLazy(cpu, LazyOp.LOGIC, a, b, r, size); break;
    default: // SUB, CMP
      r = (a - b) & m; setLazy(cpu, LazyOp.SUB, a, b, r, size); break;
  }
  return r;
}

/** INC: returns value + 1 (masked to size) and sets flags as INC does (CF unchanged). */
export function inc(cpu: Cpu, value: number, size: number): number {
  const r = (value + 1) & sizeMask(size);
  setLazyKeepCarry(cpu, LazyOp.INC, value, r, size);
  return r;
}

/** DEC: returns value - 1 (masked to size) and sets flags as DEC does (CF unchanged). */
export function dec(cpu: Cpu, value: number, size: number): number {
  const r = (value - 1) & sizeMask(size);
  setLazyKeepCarry(cpu, LazyOp.DEC, value, r, size);
  return r;
}

// ---- 64-bit products and quotients without BigInt (no allocation) --------------

/** High 32 bits of the unsigned 64-bit product of two 32-bit values. */
export function mulHighU32(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed 64-bit product of two int32 values. */
export function mulHighS32(a: number, b: number): number {
  // Signed = unsigned product minus 2^32·b for a < 0 and 2^32·a for b < 0 (mod 2^64).
  return (mulHighU32(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/**
 * Quotient of the unsigned 64-bit hi:lo by the non-zero uint32 `d`, or -1 when
 * it does not fit in 32 bits. The remainder is `(lo − q·d) mod 2^32`.
 */
function divU64(hi: number, lo: number, d: number): number {
  hi >>>= 0; lo >>>= 0; d >>>= 0;
  if (hi >= d) return -1;
  if (hi === 0) return Math.floor(lo / d);
  // Long division in two 16-bit digits: every dividend stays below d·2^16 ≤ 2^48,
  // so the doubles are exact and the floored quotients cannot round up.
  let n = hi * 0x10000 + (lo >>> 16);
  const q1 = Math.floor(n / d);
  n = (n - q1 * d) * 0x10000 + (lo & 0xffff);
  return q1 * 0x10000 + Math.floor(n / d);
}

const CF_OF = Flag.CF | Flag.OF;

/** MUL: unsigned AX/DX:AX/EDX:EAX ← accumulator × v; CF = OF = upper half non-zero (SDM Vol. 2 "MUL"). */
export function mul(cpu: Cpu, v: number, size: number): void {
  const regs = cpu.regs;
  if (size === 1) {
    const p = (regs[Reg.EAX] & 0xff) * v;
    cpu.setReg(2, Reg.EAX, p);
    setResultFlags(cpu, p, 1, p > 0xff ? CF_OF : 0);
  } else if (size === 2) {
    const p = (regs[Reg.EAX] & 0xffff) * v;
    cpu.setReg(2, Reg.EAX, p);
    cpu.setReg(2, Reg.EDX, p >>> 16);
    setResultFlags(cpu, p, 2, p > 0xffff ? CF_OF : 0);
  } else {
    const a = regs[Reg.EAX];
    const hi = mulHighU32(a, v);
    const lo = Math.imul(a, v);
    regs[Reg.EAX] = lo;
    regs[Reg.EDX] = hi;
    setResultFlags(cpu, lo, 4, hi !== 0 ? CF_OF : 0);
  }
}

/** One-operand IMUL: signed product into AX/DX:AX/EDX:EAX; CF = OF = product does not fit the low half. */
export function imulAcc(cpu: Cpu, v: number, size: number): void {
  const regs = cpu.regs;
  if (size === 1) {
    const p = ((regs[Reg.EAX] << 24) >> 24) * ((v << 24) >> 24);
    cpu.setReg(2, Reg.EAX, p);
    setResultFlags(cpu, p, 1, p !== (p << 24) >> 24 ? CF_OF : 0);
  } else if (size === 2) {
    const p = ((regs[Reg.EAX] << 16) >> 16) * ((v << 16) >> 16);
    cpu.setReg(2, Reg.EAX, p);
    cpu.setReg(2, Reg.EDX, p >> 16);
    setResultFlags(cpu, p, 2, p !== (p << 16) >> 16 ? CF_OF : 0);
  } else {
    const a = regs[Reg.EAX];
    const hi = mulHighS32(a, v);
    const lo = Math.imul(a, v);
    regs[Reg.EAX] = lo;
    regs[Reg.EDX] = hi;
    setResultFlags(cpu, lo, 4, hi !== lo >> 31 ? CF_OF : 0);
  }
}

/** Two- and three-operand IMUL: the product truncated to `size` (2 or 4), CF = OF = truncation lost bits. */
function imulTruncated(cpu: Cpu, a: number, b: number, size: number): number {
  if (size === 2) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    setResultFlags(cpu, p, 2, p !== (p << 16) >> 16 ? CF_OF : 0);
    return p & 0xffff;
  }
  const lo = Math.imul(a, b);
  setResultFlags(cpu, lo, 4, mulHighS32(a, b) !== lo >> 31 ? CF_OF : 0);
  return lo;
}

/** DIV: unsigned divide of AX/DX:AX/EDX:EAX; #DE on a zero divisor or a quotient too wide (SDM Vol. 2 "DIV"). */
export function div(cpu: Cpu, v: number, size: number): void {
  const regs = cpu.regs;
  if (v === 0) throw new CpuException(Vector.DE);
  if (size === 1) {
    const n = regs[Reg.EAX] & 0xffff;
    const q = Math.floor(n / v);
    if (q > 0xff) throw new CpuException(Vector.DE);
    cpu.setReg(2, Reg.EAX, ((n - q * v) << 8) | q);
  } else if (size === 2) {
    const n = (((regs[Reg.EDX] & 0xffff) << 16) | (regs[Reg.EAX] & 0xffff)) >>> 0;
    const q = Math.floor(n / v);
    if (q > 0xffff) throw new CpuException(Vector.DE);
    cpu.setReg(2, Reg.EAX, q);
    cpu.setReg(2, Reg.EDX, n - q * v);
  } else {
    const lo = regs[Reg.EAX];
    const q = divU64(regs[Reg.EDX], lo, v);
    if (q < 0) throw new CpuException(Vector.DE);
    regs[Reg.EAX] = q;
    regs[Reg.EDX] = lo - Math.imul(q, v);
  }
}

/**
 * IDIV: signed divide, quotient truncated toward zero, remainder with the
 * dividend's sign; #DE on a zero divisor or a quotient out of range, which
 * includes −2^(n−1) / −1 (SDM Vol. 2 "IDIV").
 */
export function idiv(cpu: Cpu, v: number, size: number): void {
  const regs = cpu.regs;
  if ((v & sizeMask(size)) === 0) throw new CpuException(Vector.DE);
  if (size === 1) {
    const n = (regs[Reg.EAX] << 16) >> 16, d = (v << 24) >> 24;
    const q = Math.trunc(n / d);
    if (q > 0x7f || q < -0x80) throw new CpuException(Vector.DE);
    cpu.setReg(2, Reg.EAX, ((n - q * d) << 8) | (q & 0xff));
  } else if (size === 2) {
    const n = (regs[Reg.EDX] << 16) | (regs[Reg.EAX] & 0xffff), d = (v << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 0x7fff || q < -0x8000) throw new CpuException(Vector.DE);
    cpu.setReg(2, Reg.EAX, q);
    cpu.setReg(2, Reg.EDX, n - q * d);
  } else {
    // Divide magnitudes, then apply the signs.
    let hi = regs[Reg.EDX], lo = regs[Reg.EAX];
    const negN = hi < 0, negQ = negN !== v < 0;
    if (negN) { lo = -lo | 0; hi = (~hi + (lo === 0 ? 1 : 0)) | 0; }
    const d = v < 0 ? -v : v;
    const q = divU64(hi, lo, d);
    if (q < 0 || q > (negQ ? 0x8000_0000 : 0x7fff_ffff)) throw new CpuException(Vector.DE);
    const r = lo - Math.imul(q, d);
    regs[Reg.EAX] = negQ ? -q | 0 : q | 0;
    regs[Reg.EDX] = negN ? -r | 0 : r | 0;
  }
}

// ---- operand forms of the eight ALU operations -------------------------------------

/** `op` E, G: read-modify-write E (CMP only reads it, so a read-only target does not fault). */
function aluEG(cpu: Cpu, op: number, size: number): void {
  cpu.decodeModrm();
  const b = cpu.getReg(size, cpu.modrmReg);
  if (op === Alu.CMP) { alu(cpu, op, cpu.readE(size), b, size); return; }
  const a = cpu.readModifyE(size);
  cpu.writeModifiedE(size, alu(cpu, op, a, b, size));
}

function aluGE(cpu: Cpu, op: number, size: number): void {
  cpu.decodeModrm();
  const r = alu(cpu, op, cpu.getReg(size, cpu.modrmReg), cpu.readE(size), size);
  if (op !== Alu.CMP) cpu.setReg(size, cpu.modrmReg, r);
}

function aluAccImm(cpu: Cpu, op: number, size: number, imm: number): void {
  const r = alu(cpu, op, cpu.getReg(size, Reg.EAX), imm, size);
  if (op !== Alu.CMP) cpu.setReg(size, Reg.EAX, r);
}

/** Group 1 (80-83): the operation is ModRM.reg; the immediate follows the displacement. */
function group1(cpu: Cpu, size: number, imm: number): void {
  const op = cpu.modrmReg;
  if (op === Alu.CMP) { alu(cpu, op, cpu.readE(size), imm, size); return; }
  const a = cpu.readModifyE(size);
  cpu.writeModifiedE(size, alu(cpu, op, a, imm, size));
}

/** The ALU operation of an opcode in 00-3F. */
function aluOf(cpu: Cpu): number { return (cpu.opcode >> 3) & 7; }

const aluEbGb: Handler = (cpu) => aluEG(cpu, aluOf(cpu), 1);
const aluEvGv: Handler = (cpu) => aluEG(cpu, aluOf(cpu), cpu.osize);
const aluGbEb: Handler = (cpu) => aluGE(cpu, aluOf(cpu), 1);
const aluGvEv: Handler = (cpu) => aluGE(cpu, aluOf(cpu), cpu.osize);
const aluALIb: Handler = (cpu) => aluAccImm(cpu, aluOf(cpu), 1, cpu.fetch8());
const aluEAXIz: Handler = (cpu) => aluAccImm(cpu, aluOf(cpu), cpu.osize, cpu.fetchImm());

/** Group 3 (F6/F7): TEST Ib/Iz (/0, and its alias /1), NOT, NEG, MUL, IMUL, DIV, IDIV. */
function group3(cpu: Cpu, size: number): void {
  cpu.decodeModrm();
  switch (cpu.modrmReg) {
    case 0: case 1: {
      const imm = size === 1 ? cpu.fetch8() : cpu.fetchImm();
      const v = cpu.readE(size);
      setLazy(cpu, LazyOp.LOGIC, v, imm, v & imm & sizeMask(size), size);
      return;
    }
    case 2: cpu.writeModifiedE(size, ~cpu.readModifyE(size) & sizeMask(size)); return;
    case 3: {
      const v = cpu.readModifyE(size);
      const r = -v & sizeMask(size);
      setLazy(cpu, LazyOp.SUB, 0, v, r, size); // CF = (v ≠ 0), as for 0 − v
      cpu.writeModifiedE(size, r);
      return;
    }
    case 4: mul(cpu, cpu.readE(size), size); return;
    case 5: imulAcc(cpu, cpu.readE(size), size); return;
    case 6: div(cpu, cpu.readE(size), size); return;
    default: idiv(cpu, cpu.readE(size), size); return;
  }
}

/** Group 4 (FE): INC/DEC Eb; the other encodings are #UD. */
function group4(cpu: Cpu): void {
  cpu.decodeModrm();
  const reg = cpu.modrmReg;
  if (reg > 1) throw new CpuException(Vector.UD);
  const v = cpu.readModifyE(1);
  cpu.writeModifiedE(1, reg === 0 ? inc(cpu, v, 1) : dec(cpu, v, 1));
}

function testEG(cpu: Cpu, size: number): void {
  cpu.decodeModrm();
  const a = cpu.readE(size), b = cpu.getReg(size, cpu.modrmReg);
  setLazy(cpu, LazyOp.LOGIC, a, b, a & b & sizeMask(size), size);
}

function testAcc(cpu: Cpu, size: number, imm: number): void {
  const a = cpu.getReg(size, Reg.EAX);
  setLazy(cpu, LazyOp.LOGIC, a, imm, a & imm & sizeMask(size), size);
}

function imulGvEv(cpu: Cpu): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  cpu.setReg(size, cpu.modrmReg, imulTruncated(cpu, cpu.getReg(size, cpu.modrmReg), cpu.readE(size), size));
}

/** IMUL Gv, Ev, imm: the immediate (Iz or sign-extended Ib) follows the displacement. */
function imulGvEvImm(cpu: Cpu, byteImm: boolean): void {
  cpu.decodeModrm();
  const size = cpu.osize;
  const imm = byteImm ? cpu.fetchS8() : cpu.fetchImm();
  cpu.setReg(size, cpu.modrmReg, imulTruncated(cpu, cpu.readE(size), imm, size));
}

/**
 * CMPXCHG: compares the accumulator with E (flags as CMP acc, E). Equal: E ← G.
 * Not equal: acc ← E, and E is written back with its own value, so the memory
 * form always needs write access (SDM Vol. 2 "CMPXCHG").
 */
function cmpxchg(cpu: Cpu, size: number): void {
  cpu.decodeModrm();
  const dest = cpu.readModifyE(size);
  const acc = cpu.getReg(size, Reg.EAX);
  alu(cpu, Alu.CMP, acc, dest, size);
  if (((acc ^ dest) & sizeMask(size)) === 0) {
    cpu.writeModifiedE(size, cpu.getReg(size, cpu.modrmReg));
  } else {
    cpu.writeModifiedE(size, dest);
    cpu.setReg(size, Reg.EAX, dest);
  }
}

/** XADD: TEMP ← E + G; G ← E; E ← TEMP (E written last, so `xadd eax, eax` leaves the sum). */
function xadd(cpu: Cpu, size: number): void {
  cpu.decodeModrm();
  const dest = cpu.readModifyE(size);
  const r = alu(cpu, Alu.ADD, dest, cpu.getReg(size, cpu.modrmReg), size);
  cpu.setReg(size, cpu.modrmReg, dest);
  cpu.writeModifiedE(size, r);
}

/**
 * Group 9 (0F C7): CMPXCHG8B m64 at /1 (SDM Vol. 2 "CMPXCHG8B/CMPXCHG16B").
 * Compares EDX:EAX with m64: equal → m64 ← ECX:EBX, ZF = 1; otherwise
 * EDX:EAX ← m64, ZF = 0, and m64 is written back unchanged. Only ZF changes.
 */
function group9(cpu: Cpu): void {
  cpu.decodeModrm();
  if (cpu.modrmMod === 3 || cpu.modrmReg !== 1) throw new CpuException(Vector.UD);
  const seg = cpu.eaSeg, off = cpu.eaOff, offHigh = (off + 4) | 0;
  // A quadword operand must be 8-byte aligned when alignment checking is on (SDM Vol. 3A Table 6-7).
  if (cpu.alignCheck && ((cpu.segBase[seg] + off) & 7) !== 0) throw new CpuException(Vector.AC, 0);
  // Both halves are checked for write access before anything changes.
  const lo = cpu.readModifyMem(4, seg, off);
  const hi = cpu.readModifyMem(4, seg, offHigh);
  const regs = cpu.regs;
  if (((lo ^ regs[Reg.EAX]) | (hi ^ regs[Reg.EDX])) === 0) {
    cpu.writeMem(4, seg, off, regs[Reg.EBX]);
    cpu.writeMem(4, seg, offHigh, regs[Reg.ECX]);
    setSomeFlags(cpu, Flag.ZF, Flag.ZF);
  } else {
    cpu.writeMem(4, seg, off, lo);
    cpu.writeMem(4, seg, offHigh, hi);
    regs[Reg.EAX] = lo;
    regs[Reg.EDX] = hi;
    setSomeFlags(cpu, Flag.ZF, 0);
  }
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  INC_Zv: (cpu) => { const r = cpu.opcode & 7, s = cpu.osize; cpu.setReg(s, r, inc(cpu, cpu.getReg(s, r), s)); },
  DEC_Zv: (cpu) => { const r = cpu.opcode & 7, s = cpu.osize; cpu.setReg(s, r, dec(cpu, cpu.getReg(s, r), s)); },

  G1_EbIb: (cpu) => { cpu.decodeModrm(); group1(cpu, 1, cpu.fetch8()); },
  G1_EvIz: (cpu) => { cpu.decodeModrm(); group1(cpu, cpu.osize, cpu.fetchImm()); },
  G1_EvIb: (cpu) => { cpu.decodeModrm(); group1(cpu, cpu.osize, cpu.fetchS8()); },

  G3_EbIb: (cpu) => group3(cpu, 1),
  G3_EvIz: (cpu) => group3(cpu, cpu.osize),
  G4_Eb: group4,

  TEST_EbGb: (cpu) => testEG(cpu, 1),
  TEST_EvGv: (cpu) => testEG(cpu, cpu.osize),
  TEST_ALIb: (cpu) => testAcc(cpu, 1, cpu.fetch8()),
  TEST_eAXIz: (cpu) => testAcc(cpu, cpu.osize, cpu.fetchImm()),

  IMUL_GvEv: imulGvEv,
  IMUL_GvEvIz: (cpu) => imulGvEvImm(cpu, false),
  IMUL_GvEvIb: (cpu) => imulGvEvImm(cpu, true),

  /** CBW / CWDE: sign-extend AL into AX, or AX into EAX. */
  CBW: (cpu) => {
    if (cpu.opsize32) cpu.regs[Reg.EAX] = (cpu.regs[Reg.EAX] << 16) >> 16;
    else cpu.setReg(2, Reg.EAX, (cpu.regs[Reg.EAX] << 24) >> 24);
  },
  /** CWD / CDQ: fill DX or EDX with the sign of AX or EAX. */
  CWD: (cpu) => {
    if (cpu.opsize32) cpu.regs[Reg.EDX] = cpu.regs[Reg.EAX] >> 31;
    else cpu.setReg(2, Reg.EDX, (cpu.regs[Reg.EAX] << 16) >> 31);
  },

  CMPXCHG_EbGb: (cpu) => cmpxchg(cpu, 1),
  CMPXCHG_EvGv: (cpu) => cmpxchg(cpu, cpu.osize),
  XADD_EbGb: (cpu) => xadd(cpu, 1),
  XADD_EvGv: (cpu) => xadd(cpu, cpu.osize),
  G9_Mq: group9,
};

// The 48 classic ALU entries share six form handlers; the operation comes from the opcode.
for (const name of ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP']) {
  handlers[`${name}_EbGb`] = aluEbGb;
  handlers[`${name}_EvGv`] = aluEvGv;
  handlers[`${name}_GbEb`] = aluGbEb;
  handlers[`${name}_GvEv`] = aluGvEv;
  handlers[`${name}_ALIb`] = aluALIb;
  handlers[`${name}_eAXIz`] = aluEAXIz;
}
