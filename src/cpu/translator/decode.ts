/**
 * Instruction decoding for block discovery: reads one instruction's bytes
 * from host memory and returns its prefixes, opcode, ModRM fields, effective
 * address formula and immediates. Lengths come from the opcode table's
 * operand notation (SDM Vol. 2 Appendix A), the same table the interpreter
 * dispatches on, so the two never disagree on where an instruction ends.
 *
 * Only what the emitters need is decoded; anything the decoder cannot vouch
 * for (undefined opcode, more than 15 bytes, bytes past the page) ends the
 * block before it and the interpreter runs it.
 */
import { OPCODES, handlerFor, hasModrm, type OpcodeEntry } from '../opcode-table.js';
import { Reg, Seg } from '../registers.js';

/** One decoded instruction. */
export interface DecodedInsn {
  /** Offset in CS of its first byte. */
  eip: number;
  length: number;
  opsize32: boolean;
  addrsize32: boolean;
  /** Segment override, or -1. */
  segOverride: number;
  /** 0, 0xF2 or 0xF3. */
  rep: number;
  lock: boolean;
  /** 0x00..0xFF, or 0x100 | byte for the 0F map. */
  opcode: number;
  entry: OpcodeEntry;
  /**
   * The instruction class emitters are keyed by: the interpreter handler's
   * name, the entry's or, for an opcode with prefix-selected forms, the
   * selected form's ('' for an undefined form).
   */
  handler: string;
  /** ModRM fields, -1 when the instruction has none. */
  mod: number;
  reg: number;
  rm: number;
  /** Memory operand (mod ≠ 3): base and index registers (-1: none), scale shift, displacement, segment. */
  base: number;
  index: number;
  scale: number;
  disp: number;
  eaSeg: number;
  /** First and second immediate as fetched (unsigned bytes/words, int32 for dwords). */
  imm: number;
  imm2: number;
}

/** Longest instruction (SDM Vol. 2 §2.3.11). */
const MAX_LENGTH = 15;

/** 16-bit ModRM r/m → [base, index, default segment is SS] (SDM Vol. 2 Table 2-1). */
const EA16: readonly [number, number, boolean][] = [
  [Reg.EBX, Reg.ESI, false], [Reg.EBX, Reg.EDI, false], [Reg.EBP, Reg.ESI, true], [Reg.EBP, Reg.EDI, true],
  [Reg.ESI, -1, false], [Reg.EDI, -1, false], [Reg.EBP, -1, true], [Reg.EBX, -1, false],
];

/**
 * Decodes the instruction at `host` in `bytes`, which lies at offset `eip`
 * of CS; no byte at or past `limit` is read. Returns undefined when the
 * instruction cannot be decoded here (the interpreter then handles it).
 */
export function decodeInsn(bytes: Uint8Array, host: number, limit: number, eip: number, code32: boolean): DecodedInsn | undefined {
  let p = host;
  const end = Math.min(limit, host + MAX_LENGTH);
  const byte = (): number => (p < end ? bytes[p++] : -1);
  let opsize32 = code32, addrsize32 = code32, segOverride = -1, rep = 0, lock = false;
  let op = byte();
  for (;;) {
    if (op < 0) return undefined;
    if (op === 0x66) opsize32 = !code32;
    else if (op === 0x67) addrsize32 = !code32;
    else if (op === 0x26) segOverride = Seg.ES;
    else if (op === 0x2e) segOverride = Seg.CS;
    else if (op === 0x36) segOverride = Seg.SS;
    else if (op === 0x3e) segOverride = Seg.DS;
    else if (op === 0x64) segOverride = Seg.FS;
    else if (op === 0x65) segOverride = Seg.GS;
    else if (op === 0xf0) lock = true;
    else if (op === 0xf2 || op === 0xf3) rep = op;
    else break;
    op = byte();
  }
  if (op === 0x0f) {
    const b = byte();
    if (b < 0) return undefined;
    op = 0x100 | b;
  }
  const entry = OPCODES[op];
  if (entry === undefined) return undefined;
  const insn: DecodedInsn = {
    eip, length: 0, opsize32, addrsize32, segOverride, rep, lock, opcode: op, entry, handler: handlerFor(entry, rep, opsize32 !== code32),
    mod: -1, reg: -1, rm: -1, base: -1, index: -1, scale: 0, disp: 0, eaSeg: Seg.DS, imm: 0, imm2: 0,
  };
  const fetch = (size: number): number => {
    let v = 0;
    for (let i = 0; i < size; i++) {
      const b = byte();
      if (b < 0) { ok = false; return 0; }
      v |= b << (8 * i);
    }
    return v;
  };
  let ok = true;
  if (hasModrm(entry)) {
    const m = byte();
    if (m < 0) return undefined;
    const mod = m >> 6, rm = m & 7;
    insn.mod = mod; insn.reg = (m >> 3) & 7; insn.rm = rm;
    if (mod !== 3) {
      let ss = false;
      if (addrsize32) {
        if (rm === 4) {
          const sib = byte();
          if (sib < 0) return undefined;
          const base = sib & 7, index = (sib >> 3) & 7;
          if (base === 5 && mod === 0) insn.disp = fetch(4);
          else { insn.base = base; ss = base === Reg.ESP || base === Reg.EBP; }
          if (index !== 4) { insn.index = index; insn.scale = sib >> 6; }
        } else if (rm === 5 && mod === 0) {
          insn.disp = fetch(4);
        } else {
          insn.base = rm; ss = rm === Reg.EBP;
        }
        if (mod === 1) insn.disp = (fetch(1) << 24) >> 24;
        else if (mod === 2) insn.disp = fetch(4);
      } else {
        if (rm === 6 && mod === 0) insn.disp = fetch(2);
        else { [insn.base, insn.index, ss] = EA16[rm]; }
        if (mod === 1) insn.disp = (fetch(1) << 24) >> 24;
        else if (mod === 2) insn.disp = fetch(2);
      }
      insn.eaSeg = segOverride >= 0 ? segOverride : ss ? Seg.SS : Seg.DS;
    }
  }
  let immCount = 0;
  for (const operand of entry.operands) {
    const size = immediateSize(operand, opsize32, addrsize32);
    if (size === 0) continue;
    if (entry.attrs.immRegs !== undefined && ((entry.attrs.immRegs >> insn.reg) & 1) === 0) continue;
    if (operand === 'Ap') {
      insn.imm = fetch(opsize32 ? 4 : 2);
      insn.imm2 = fetch(2);
    } else if (immCount++ === 0) insn.imm = fetch(size);
    else insn.imm2 = fetch(size);
  }
  if (!ok) return undefined;
  insn.length = p - host;
  return insn;
}

/** Bytes of immediate data an operand takes (0 for a non-immediate operand). */
function immediateSize(operand: string, opsize32: boolean, addrsize32: boolean): number {
  switch (operand) {
    case 'Ib': case 'Jb': return 1;
    case 'Iw': return 2;
    case 'Iz': case 'Iv': case 'Jz': return opsize32 ? 4 : 2;
    case 'Ap': return opsize32 ? 6 : 4;
    case 'Ob': case 'Ov': return addrsize32 ? 4 : 2;
    default: return 0;
  }
}
