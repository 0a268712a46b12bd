/**
 * The one opcode table: the one-byte map and the 0F two-byte map of an
 * i686-class CPU, written in the notation of SDM Vol. 2 Appendix A (operand
 * addressing method + size: `Eb`, `Gv`, `Iz`, `Jb`, `Ap`, `Ob`, `Sw`, `Cd`…).
 * The interpreter's dispatch, instruction-length decoding, the disassembler
 * and the conformance-case generator all read it.
 *
 * Extra notation: `Zb`/`Zv`/`Zd` is a register coded in the opcode's low three
 * bits (Appendix A's "rAX/r8" columns); `AL`, `eAX`, `CL`, `DX`, `1` and the
 * segment-register names are fixed operands.
 *
 * Handler naming: an entry's handler is `MNEMONIC_Operands` (`ADD_EvGv`), a
 * group's is `GROUP_Operands` (`G1_EvIz`); see dispatch.ts.
 *
 * MMX/SSE/SSE2 opcodes whose meaning depends on a mandatory prefix (none,
 * 66, F3, F2: the rows of SDM Vol. 2 Table A-3) carry {@link OpcodeEntry.forms},
 * one form per prefix, each with its own mnemonic, operands and handler;
 * dispatch picks the form by the last F2/F3 prefix, else 66, else none
 * (SDM Vol. 2 §2.1.1). Their operand letters are Appendix A's: V/U an XMM
 * register by ModRM.reg/rm, W an XMM register or memory, P/N an MMX register
 * by reg/rm, Q an MMX register or memory; sizes ps/pd/ss/sd/dq/q/d/pi.
 */

/** Attributes that decoding and checking need. */
export interface OpcodeAttrs {
  /** ModRM.reg values (bit mask) with which LOCK is legal; `true` means all eight. */
  lock?: boolean | number;
  /** Only these ModRM.reg values (bit mask) carry the immediate operand (group 3's TEST). */
  immRegs?: number;
  /** Ends a basic block (control transfer, or changes state the translator caches). */
  endsBlock?: boolean;
  /** The memory form only (`M` operands): mod = 3 raises #UD. */
  memOnly?: boolean;
  /** Privileged at CPL > 0 (raises #GP(0)); for documentation and the trap strategy. */
  privileged?: boolean;
  /**
   * An MMX/SSE/SSE2 instruction (or FXSAVE, LDMXCSR, EMMS…): works on the
   * x87/MMX/XMM state; its conformance cases are tools/oracle/simd-cases.ts,
   * not the integer generators.
   */
  simd?: boolean;
}

/** One opcode (or opcode group) of the map. */
export interface OpcodeEntry {
  /** 0x00..0xFF for one-byte opcodes, 0x100 | byte for the 0F map. */
  code: number;
  mnemonic: string;
  /** Operands in SDM notation, destination first. */
  operands: readonly string[];
  /** Name of the ModRM.reg-selected group (G1…G16), or undefined. */
  group?: string;
  attrs: OpcodeAttrs;
  /**
   * The interpreter handler's name; for an entry with {@link forms}, the
   * empty string (each form names its own).
   */
  handler: string;
  /** Prefix-selected forms, indexed by {@link SimdPrefix}; an undefined form is #UD. */
  forms?: readonly (OpcodeForm | undefined)[];
}

/** The mandatory-prefix column of an MMX/SSE opcode (SDM Vol. 2 Table A-3). */
export const enum SimdPrefix { None = 0, P66 = 1, F3 = 2, F2 = 3 }

/**
 * The mandatory-prefix column an instruction's prefixes select (SDM Vol. 2
 * §2.1.1): the last F3 or F2 decoded (`rep`), else 66 (`p66`), else none;
 * with F2/F3 present a 66 is ignored.
 */
export function simdPrefixOf(rep: number, p66: boolean): SimdPrefix {
  return rep === 0xf3 ? SimdPrefix.F3 : rep === 0xf2 ? SimdPrefix.F2 : p66 ? SimdPrefix.P66 : SimdPrefix.None;
}

/**
 * The handler name an instruction of `entry` runs: the entry's own, or for
 * an opcode with prefix-selected forms the form its prefixes select (''
 * when that form is undefined: #UD).
 */
export function handlerFor(entry: OpcodeEntry, rep: number, p66: boolean): string {
  if (entry.forms === undefined) return entry.handler;
  return entry.forms[simdPrefixOf(rep, p66)]?.handler ?? '';
}

/** One prefix-selected form of an {@link OpcodeEntry}. */
export interface OpcodeForm {
  mnemonic: string;
  operands: readonly string[];
  /** Name of the ModRM.reg-selected group (G12-G14), or undefined. */
  group?: string;
  handler: string;
}

/** Members of each group by ModRM.reg (SDM Vol. 2 Table A-6); undefined entries are #UD. */
export const GROUPS: Record<string, readonly (string | undefined)[]> = {
  G1: ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'],
  G1A: ['POP'],
  G2: ['ROL', 'ROR', 'RCL', 'RCR', 'SHL', 'SHR', 'SAL', 'SAR'],
  G3: ['TEST', 'TEST', 'NOT', 'NEG', 'MUL', 'IMUL', 'DIV', 'IDIV'],
  G4: ['INC', 'DEC'],
  G5: ['INC', 'DEC', 'CALL', 'CALLF', 'JMP', 'JMPF', 'PUSH'],
  G6: ['SLDT', 'STR', 'LLDT', 'LTR', 'VERR', 'VERW'],
  G7: ['SGDT', 'SIDT', 'LGDT', 'LIDT', 'SMSW', undefined, 'LMSW', 'INVLPG'],
  G8: [undefined, undefined, undefined, undefined, 'BT', 'BTS', 'BTR', 'BTC'],
  G9: [undefined, 'CMPXCHG8B'],
  G11: ['MOV'],
  G12: [undefined, undefined, 'PSRLW', undefined, 'PSRAW', undefined, 'PSLLW'],
  G13: [undefined, undefined, 'PSRLD', undefined, 'PSRAD', undefined, 'PSLLD'],
  /** /3 PSRLDQ and /7 PSLLDQ exist only with 66. */
  G14: [undefined, undefined, 'PSRLQ', 'PSRLDQ', undefined, undefined, 'PSLLQ', 'PSLLDQ'],
  /** Memory forms; with mod = 3, /5 LFENCE, /6 MFENCE, /7 SFENCE (/7 with memory is CLFLUSH). */
  G15: ['FXSAVE', 'FXRSTOR', 'LDMXCSR', 'STMXCSR', undefined, 'LFENCE', 'MFENCE', 'SFENCE'],
};

/** Condition-code suffixes by the low nibble of Jcc/SETcc/CMOVcc (SDM Vol. 1 Table B-1). */
export const CONDITIONS = ['O', 'NO', 'B', 'AE', 'E', 'NE', 'BE', 'A', 'S', 'NS', 'P', 'NP', 'L', 'GE', 'LE', 'G'] as const;

const table: (OpcodeEntry | undefined)[] = new Array(512).fill(undefined);

function handlerName(name: string, operands: readonly string[]): string {
  return operands.length === 0 ? name : `${name}_${operands.join('')}`;
}

function op(code: number, mnemonic: string, operands = '', attrs: OpcodeAttrs = {}): void {
  if (table[code]) throw new Error(`opcode 0x${code.toString(16)} defined twice`);
  const list = operands === '' ? [] : operands.split(',');
  table[code] = { code, mnemonic, operands: list, attrs, handler: handlerName(mnemonic, list) };
}

function group(code: number, name: string, operands: string, attrs: OpcodeAttrs = {}): void {
  if (table[code]) throw new Error(`opcode 0x${code.toString(16)} defined twice`);
  const list = operands === '' ? [] : operands.split(',');
  table[code] = { code, mnemonic: name, operands: list, group: name, attrs, handler: handlerName(name, list) };
}

/**
 * An opcode with prefix-selected forms: each argument is `'MNEMONIC Operands'`
 * (a group name such as `G12` for a group) or undefined (#UD with that prefix).
 */
function simd(code: number, none?: string, p66?: string, f3?: string, f2?: string): void {
  if (table[code]) throw new Error(`opcode 0x${code.toString(16)} defined twice`);
  const forms = [none, p66, f3, f2].map((spec): OpcodeForm | undefined => {
    if (spec === undefined) return undefined;
    const [mnemonic, ops = ''] = spec.split(' ') as [string, string?];
    const list = ops === '' ? [] : ops.split(',');
    const form: OpcodeForm = { mnemonic, operands: list, handler: handlerName(mnemonic, list) };
    if (GROUPS[mnemonic]) form.group = mnemonic;
    return form;
  });
  const first = forms.find((f) => f !== undefined)!;
  const mnemonic = [...new Set(forms.filter((f) => f !== undefined).map((f) => f!.mnemonic))].join('/');
  table[code] = { code, mnemonic, operands: first.operands, attrs: { simd: true }, handler: '', forms };
}

/** Defines `count` consecutive opcodes sharing one entry shape (register in opcode, Jcc…). */
function range(first: number, count: number, mnemonic: string, operands: string, attrs: OpcodeAttrs = {}): void {
  for (let i = 0; i < count; i++) op(first + i, mnemonic, operands, attrs);
}

const T = 0x100; // the 0F map
const L = { lock: true };
const END = { endsBlock: true };
const SIMD = { simd: true };

// ---- the eight classic ALU operations at 00-3F ---------------------------------
const ALU = ['ADD', 'OR', 'ADC', 'SBB', 'AND', 'SUB', 'XOR', 'CMP'];
ALU.forEach((m, i) => {
  const base = i * 8;
  const lockable = m === 'CMP' ? {} : L;
  op(base + 0, m, 'Eb,Gb', lockable);
  op(base + 1, m, 'Ev,Gv', lockable);
  op(base + 2, m, 'Gb,Eb');
  op(base + 3, m, 'Gv,Ev');
  op(base + 4, m, 'AL,Ib');
  op(base + 5, m, 'eAX,Iz');
});
op(0x06, 'PUSH', 'ES'); op(0x07, 'POP', 'ES');
op(0x0e, 'PUSH', 'CS');
op(0x16, 'PUSH', 'SS'); op(0x17, 'POP', 'SS');
op(0x1e, 'PUSH', 'DS'); op(0x1f, 'POP', 'DS');
op(0x27, 'DAA'); op(0x2f, 'DAS'); op(0x37, 'AAA'); op(0x3f, 'AAS');
range(0x40, 8, 'INC', 'Zv');
range(0x48, 8, 'DEC', 'Zv');
range(0x50, 8, 'PUSH', 'Zv');
range(0x58, 8, 'POP', 'Zv');
op(0x60, 'PUSHA'); op(0x61, 'POPA');
op(0x62, 'BOUND', 'Gv,Ma', { memOnly: true });
op(0x63, 'ARPL', 'Ew,Gw');
op(0x68, 'PUSH', 'Iz');
op(0x69, 'IMUL', 'Gv,Ev,Iz');
op(0x6a, 'PUSH', 'Ib');
op(0x6b, 'IMUL', 'Gv,Ev,Ib');
op(0x6c, 'INS', 'Yb,DX'); op(0x6d, 'INS', 'Yz,DX');
op(0x6e, 'OUTS', 'DX,Xb'); op(0x6f, 'OUTS', 'DX,Xz');
range(0x70, 16, 'Jcc', 'Jb', END);
group(0x80, 'G1', 'Eb,Ib', { lock: 0x7f });
group(0x81, 'G1', 'Ev,Iz', { lock: 0x7f });
group(0x82, 'G1', 'Eb,Ib', { lock: 0x7f });
group(0x83, 'G1', 'Ev,Ib', { lock: 0x7f });
op(0x84, 'TEST', 'Eb,Gb'); op(0x85, 'TEST', 'Ev,Gv');
op(0x86, 'XCHG', 'Eb,Gb', L); op(0x87, 'XCHG', 'Ev,Gv', L);
op(0x88, 'MOV', 'Eb,Gb'); op(0x89, 'MOV', 'Ev,Gv'); op(0x8a, 'MOV', 'Gb,Eb'); op(0x8b, 'MOV', 'Gv,Ev');
op(0x8c, 'MOV', 'Ev,Sw');
op(0x8d, 'LEA', 'Gv,M', { memOnly: true });
op(0x8e, 'MOV', 'Sw,Ew');
group(0x8f, 'G1A', 'Ev');
op(0x90, 'NOP');
range(0x91, 7, 'XCHG', 'Zv,eAX');
op(0x98, 'CBW'); op(0x99, 'CWD');
op(0x9a, 'CALLF', 'Ap', END);
op(0x9b, 'WAIT');
op(0x9c, 'PUSHF'); op(0x9d, 'POPF', '', END);
op(0x9e, 'SAHF'); op(0x9f, 'LAHF');
op(0xa0, 'MOV', 'AL,Ob'); op(0xa1, 'MOV', 'eAX,Ov'); op(0xa2, 'MOV', 'Ob,AL'); op(0xa3, 'MOV', 'Ov,eAX');
op(0xa4, 'MOVS', 'Yb,Xb'); op(0xa5, 'MOVS', 'Yv,Xv');
op(0xa6, 'CMPS', 'Xb,Yb'); op(0xa7, 'CMPS', 'Xv,Yv');
op(0xa8, 'TEST', 'AL,Ib'); op(0xa9, 'TEST', 'eAX,Iz');
op(0xaa, 'STOS', 'Yb,AL'); op(0xab, 'STOS', 'Yv,eAX');
op(0xac, 'LODS', 'AL,Xb'); op(0xad, 'LODS', 'eAX,Xv');
op(0xae, 'SCAS', 'AL,Yb'); op(0xaf, 'SCAS', 'eAX,Yv');
range(0xb0, 8, 'MOV', 'Zb,Ib');
range(0xb8, 8, 'MOV', 'Zv,Iv');
group(0xc0, 'G2', 'Eb,Ib'); group(0xc1, 'G2', 'Ev,Ib');
op(0xc2, 'RET', 'Iw', END); op(0xc3, 'RET', '', END);
op(0xc4, 'LES', 'Gz,Mp', { memOnly: true }); op(0xc5, 'LDS', 'Gz,Mp', { memOnly: true });
group(0xc6, 'G11', 'Eb,Ib'); group(0xc7, 'G11', 'Ev,Iz');
op(0xc8, 'ENTER', 'Iw,Ib'); op(0xc9, 'LEAVE');
op(0xca, 'RETF', 'Iw', END); op(0xcb, 'RETF', '', END);
op(0xcc, 'INT3', '', END); op(0xcd, 'INT', 'Ib', END); op(0xce, 'INTO', '', END); op(0xcf, 'IRET', '', END);
group(0xd0, 'G2', 'Eb,1'); group(0xd1, 'G2', 'Ev,1'); group(0xd2, 'G2', 'Eb,CL'); group(0xd3, 'G2', 'Ev,CL');
op(0xd4, 'AAM', 'Ib'); op(0xd5, 'AAD', 'Ib');
op(0xd6, 'SALC');
op(0xd7, 'XLAT');
range(0xd8, 8, 'ESC', 'Ex');
op(0xe0, 'LOOPNE', 'Jb', END); op(0xe1, 'LOOPE', 'Jb', END); op(0xe2, 'LOOP', 'Jb', END); op(0xe3, 'JCXZ', 'Jb', END);
op(0xe4, 'IN', 'AL,Ib'); op(0xe5, 'IN', 'eAX,Ib'); op(0xe6, 'OUT', 'Ib,AL'); op(0xe7, 'OUT', 'Ib,eAX');
op(0xe8, 'CALL', 'Jz', END); op(0xe9, 'JMP', 'Jz', END); op(0xea, 'JMPF', 'Ap', END); op(0xeb, 'JMP', 'Jb', END);
op(0xec, 'IN', 'AL,DX'); op(0xed, 'IN', 'eAX,DX'); op(0xee, 'OUT', 'DX,AL'); op(0xef, 'OUT', 'DX,eAX');
op(0xf1, 'INT1', '', END);
op(0xf4, 'HLT', '', { endsBlock: true, privileged: true });
op(0xf5, 'CMC');
group(0xf6, 'G3', 'Eb,Ib', { lock: 0x0c, immRegs: 0x03 });
group(0xf7, 'G3', 'Ev,Iz', { lock: 0x0c, immRegs: 0x03 });
op(0xf8, 'CLC'); op(0xf9, 'STC'); op(0xfa, 'CLI'); op(0xfb, 'STI', '', END); op(0xfc, 'CLD'); op(0xfd, 'STD');
group(0xfe, 'G4', 'Eb', { lock: 0x03 });
group(0xff, 'G5', 'Ev', { lock: 0x03, endsBlock: true });

// ---- the 0F map ----------------------------------------------------------------
group(T | 0x00, 'G6', 'Ew', { endsBlock: true });
group(T | 0x01, 'G7', 'Ew', { endsBlock: true });
op(T | 0x02, 'LAR', 'Gv,Ew'); op(T | 0x03, 'LSL', 'Gv,Ew');
op(T | 0x06, 'CLTS', '', { privileged: true });
op(T | 0x08, 'INVD', '', { privileged: true }); op(T | 0x09, 'WBINVD', '', { privileged: true });
op(T | 0x0b, 'UD2', '', END);
// 0F 18-1F: hint NOPs with a ModRM operand (SDM Vol. 2 "NOP", multi-byte forms; P6 family). 0F 18 /0-/3 with
// memory are SSE's PREFETCHNTA/T0/T1/T2 (group 16): hints that never fault, so NOPs here too.
range(T | 0x18, 8, 'NOP', 'Ev');
op(T | 0x20, 'MOV', 'Rd,Cd', { privileged: true }); op(T | 0x21, 'MOV', 'Rd,Dd', { privileged: true });
op(T | 0x22, 'MOV', 'Cd,Rd', { privileged: true, endsBlock: true });
op(T | 0x23, 'MOV', 'Dd,Rd', { privileged: true });
op(T | 0x30, 'WRMSR', '', { privileged: true, endsBlock: true }); op(T | 0x31, 'RDTSC');
op(T | 0x32, 'RDMSR', '', { privileged: true }); op(T | 0x33, 'RDPMC');
op(T | 0x34, 'SYSENTER', '', END); op(T | 0x35, 'SYSEXIT', '', { privileged: true, endsBlock: true });
range(T | 0x40, 16, 'CMOVcc', 'Gv,Ev');
range(T | 0x80, 16, 'Jcc', 'Jz', END);
range(T | 0x90, 16, 'SETcc', 'Eb');
op(T | 0xa0, 'PUSH', 'FS'); op(T | 0xa1, 'POP', 'FS');
op(T | 0xa2, 'CPUID');
op(T | 0xa3, 'BT', 'Ev,Gv');
op(T | 0xa4, 'SHLD', 'Ev,Gv,Ib'); op(T | 0xa5, 'SHLD', 'Ev,Gv,CL');
op(T | 0xa8, 'PUSH', 'GS'); op(T | 0xa9, 'POP', 'GS');
op(T | 0xab, 'BTS', 'Ev,Gv', L);
op(T | 0xac, 'SHRD', 'Ev,Gv,Ib'); op(T | 0xad, 'SHRD', 'Ev,Gv,CL');
op(T | 0xaf, 'IMUL', 'Gv,Ev');
op(T | 0xb0, 'CMPXCHG', 'Eb,Gb', L); op(T | 0xb1, 'CMPXCHG', 'Ev,Gv', L);
op(T | 0xb2, 'LSS', 'Gz,Mp', { memOnly: true });
op(T | 0xb3, 'BTR', 'Ev,Gv', L);
op(T | 0xb4, 'LFS', 'Gz,Mp', { memOnly: true }); op(T | 0xb5, 'LGS', 'Gz,Mp', { memOnly: true });
op(T | 0xb6, 'MOVZX', 'Gv,Eb'); op(T | 0xb7, 'MOVZX', 'Gv,Ew');
group(T | 0xba, 'G8', 'Ev,Ib', { lock: 0xe0 });
op(T | 0xbb, 'BTC', 'Ev,Gv', L);
op(T | 0xbc, 'BSF', 'Gv,Ev'); op(T | 0xbd, 'BSR', 'Gv,Ev');
op(T | 0xbe, 'MOVSX', 'Gv,Eb'); op(T | 0xbf, 'MOVSX', 'Gv,Ew');
op(T | 0xc0, 'XADD', 'Eb,Gb', L); op(T | 0xc1, 'XADD', 'Ev,Gv', L);
group(T | 0xc7, 'G9', 'Mq', { lock: 0x02, memOnly: true });
range(T | 0xc8, 8, 'BSWAP', 'Zd');

// ---- MMX, SSE, SSE2 (SDM Vol. 2 Table A-3; the columns are: no prefix, 66, F3, F2) ------
simd(T | 0x10, 'MOVUPS Vps,Wps', 'MOVUPD Vpd,Wpd', 'MOVSS Vss,Wss', 'MOVSD Vsd,Wsd');
simd(T | 0x11, 'MOVUPS Wps,Vps', 'MOVUPD Wpd,Vpd', 'MOVSS Wss,Vss', 'MOVSD Wsd,Vsd');
// 0F 12 and 0F 16 without prefix and mod = 3 are MOVHLPS Vq,Uq and MOVLHPS Vq,Uq.
simd(T | 0x12, 'MOVLPS Vq,Mq', 'MOVLPD Vq,Mq');
simd(T | 0x13, 'MOVLPS Mq,Vq', 'MOVLPD Mq,Vq');
simd(T | 0x14, 'UNPCKLPS Vps,Wps', 'UNPCKLPD Vpd,Wpd');
simd(T | 0x15, 'UNPCKHPS Vps,Wps', 'UNPCKHPD Vpd,Wpd');
simd(T | 0x16, 'MOVHPS Vq,Mq', 'MOVHPD Vq,Mq');
simd(T | 0x17, 'MOVHPS Mq,Vq', 'MOVHPD Mq,Vq');
simd(T | 0x28, 'MOVAPS Vps,Wps', 'MOVAPD Vpd,Wpd');
simd(T | 0x29, 'MOVAPS Wps,Vps', 'MOVAPD Wpd,Vpd');
simd(T | 0x2a, 'CVTPI2PS Vps,Qpi', 'CVTPI2PD Vpd,Qpi', 'CVTSI2SS Vss,Ed', 'CVTSI2SD Vsd,Ed');
simd(T | 0x2b, 'MOVNTPS Mps,Vps', 'MOVNTPD Mpd,Vpd');
simd(T | 0x2c, 'CVTTPS2PI Ppi,Wps', 'CVTTPD2PI Ppi,Wpd', 'CVTTSS2SI Gd,Wss', 'CVTTSD2SI Gd,Wsd');
simd(T | 0x2d, 'CVTPS2PI Ppi,Wps', 'CVTPD2PI Ppi,Wpd', 'CVTSS2SI Gd,Wss', 'CVTSD2SI Gd,Wsd');
simd(T | 0x2e, 'UCOMISS Vss,Wss', 'UCOMISD Vsd,Wsd');
simd(T | 0x2f, 'COMISS Vss,Wss', 'COMISD Vsd,Wsd');
simd(T | 0x50, 'MOVMSKPS Gd,Ups', 'MOVMSKPD Gd,Upd');
simd(T | 0x51, 'SQRTPS Vps,Wps', 'SQRTPD Vpd,Wpd', 'SQRTSS Vss,Wss', 'SQRTSD Vsd,Wsd');
simd(T | 0x52, 'RSQRTPS Vps,Wps', undefined, 'RSQRTSS Vss,Wss');
simd(T | 0x53, 'RCPPS Vps,Wps', undefined, 'RCPSS Vss,Wss');
(['AND', 'ANDN', 'OR', 'XOR'] as const).forEach((m, i) => simd(T | (0x54 + i), `${m}PS Vps,Wps`, `${m}PD Vpd,Wpd`));
const FLOAT_ARITH: Record<number, string> = { 0x58: 'ADD', 0x59: 'MUL', 0x5c: 'SUB', 0x5d: 'MIN', 0x5e: 'DIV', 0x5f: 'MAX' };
for (const [k, m] of Object.entries(FLOAT_ARITH)) {
  simd(T | Number(k), `${m}PS Vps,Wps`, `${m}PD Vpd,Wpd`, `${m}SS Vss,Wss`, `${m}SD Vsd,Wsd`);
}
simd(T | 0x5a, 'CVTPS2PD Vpd,Wps', 'CVTPD2PS Vps,Wpd', 'CVTSS2SD Vsd,Wss', 'CVTSD2SS Vss,Wsd');
simd(T | 0x5b, 'CVTDQ2PS Vps,Wdq', 'CVTPS2DQ Vdq,Wps', 'CVTTPS2DQ Vdq,Wps');
/** Packed-integer opcodes present as MMX (`Pq,Qq`) and SSE2 (`Vdq,Wdq`) forms, by opcode. */
const PACKED_INT: Record<number, string> = {
  0x60: 'PUNPCKLBW', 0x61: 'PUNPCKLWD', 0x62: 'PUNPCKLDQ', 0x63: 'PACKSSWB', 0x64: 'PCMPGTB', 0x65: 'PCMPGTW',
  0x66: 'PCMPGTD', 0x67: 'PACKUSWB', 0x68: 'PUNPCKHBW', 0x69: 'PUNPCKHWD', 0x6a: 'PUNPCKHDQ', 0x6b: 'PACKSSDW',
  0x74: 'PCMPEQB', 0x75: 'PCMPEQW', 0x76: 'PCMPEQD',
  0xd1: 'PSRLW', 0xd2: 'PSRLD', 0xd3: 'PSRLQ', 0xd4: 'PADDQ', 0xd5: 'PMULLW',
  0xd8: 'PSUBUSB', 0xd9: 'PSUBUSW', 0xda: 'PMINUB', 0xdb: 'PAND', 0xdc: 'PADDUSB', 0xdd: 'PADDUSW', 0xde: 'PMAXUB', 0xdf: 'PANDN',
  0xe0: 'PAVGB', 0xe1: 'PSRAW', 0xe2: 'PSRAD', 0xe3: 'PAVGW', 0xe4: 'PMULHUW', 0xe5: 'PMULHW',
  0xe8: 'PSUBSB', 0xe9: 'PSUBSW', 0xea: 'PMINSW', 0xeb: 'POR', 0xec: 'PADDSB', 0xed: 'PADDSW', 0xee: 'PMAXSW', 0xef: 'PXOR',
  0xf1: 'PSLLW', 0xf2: 'PSLLD', 0xf3: 'PSLLQ', 0xf4: 'PMULUDQ', 0xf5: 'PMADDWD', 0xf6: 'PSADBW',
  0xf8: 'PSUBB', 0xf9: 'PSUBW', 0xfa: 'PSUBD', 0xfb: 'PSUBQ', 0xfc: 'PADDB', 0xfd: 'PADDW', 0xfe: 'PADDD',
};
for (const [k, m] of Object.entries(PACKED_INT)) {
  // The MMX unpack-low forms read only 32 bits of memory (SDM Vol. 2 "PUNPCKLBW": mm/m32).
  const mmx = Number(k) <= 0x62 ? 'Pq,Qd' : 'Pq,Qq';
  simd(T | Number(k), `${m} ${mmx}`, `${m} Vdq,Wdq`);
}
simd(T | 0x6c, undefined, 'PUNPCKLQDQ Vdq,Wdq');
simd(T | 0x6d, undefined, 'PUNPCKHQDQ Vdq,Wdq');
simd(T | 0x6e, 'MOVD Pd,Ed', 'MOVD Vd,Ed');
simd(T | 0x6f, 'MOVQ Pq,Qq', 'MOVDQA Vdq,Wdq', 'MOVDQU Vdq,Wdq');
simd(T | 0x70, 'PSHUFW Pq,Qq,Ib', 'PSHUFD Vdq,Wdq,Ib', 'PSHUFHW Vdq,Wdq,Ib', 'PSHUFLW Vdq,Wdq,Ib');
simd(T | 0x71, 'G12 Nq,Ib', 'G12 Udq,Ib');
simd(T | 0x72, 'G13 Nq,Ib', 'G13 Udq,Ib');
simd(T | 0x73, 'G14 Nq,Ib', 'G14 Udq,Ib');
op(T | 0x77, 'EMMS', '', SIMD);
simd(T | 0x7e, 'MOVD Ed,Pd', 'MOVD Ed,Vd', 'MOVQ Vq,Wq');
simd(T | 0x7f, 'MOVQ Qq,Pq', 'MOVDQA Wdq,Vdq', 'MOVDQU Wdq,Vdq');
group(T | 0xae, 'G15', 'Ex', SIMD);
simd(T | 0xc2, 'CMPPS Vps,Wps,Ib', 'CMPPD Vpd,Wpd,Ib', 'CMPSS Vss,Wss,Ib', 'CMPSD Vsd,Wsd,Ib');
op(T | 0xc3, 'MOVNTI', 'Md,Gd', { memOnly: true, simd: true });
simd(T | 0xc4, 'PINSRW Pq,Ew,Ib', 'PINSRW Vdq,Ew,Ib');
simd(T | 0xc5, 'PEXTRW Gd,Nq,Ib', 'PEXTRW Gd,Udq,Ib');
simd(T | 0xc6, 'SHUFPS Vps,Wps,Ib', 'SHUFPD Vpd,Wpd,Ib');
simd(T | 0xd6, undefined, 'MOVQ Wq,Vq', 'MOVQ2DQ Vdq,Nq', 'MOVDQ2Q Pq,Uq');
simd(T | 0xd7, 'PMOVMSKB Gd,Nq', 'PMOVMSKB Gd,Udq');
simd(T | 0xe6, undefined, 'CVTTPD2DQ Vdq,Wpd', 'CVTDQ2PD Vpd,Wq', 'CVTPD2DQ Vdq,Wpd');
simd(T | 0xe7, 'MOVNTQ Mq,Pq', 'MOVNTDQ Mdq,Vdq');
simd(T | 0xf7, 'MASKMOVQ Pq,Nq', 'MASKMOVDQU Vdq,Udq');

/** The opcode map, indexed by opcode (0x100 | byte for 0F xx). Undefined slots are #UD. */
export const OPCODES: readonly (OpcodeEntry | undefined)[] = table;

/** Bit mask of ModRM.reg values with which LOCK is legal, per opcode (0: never). */
export function lockMaskOf(entry: OpcodeEntry | undefined): number {
  const lock = entry?.attrs.lock;
  if (lock === undefined || lock === false) return 0;
  return lock === true ? 0xff : lock;
}

/**
 * Whether LOCK is legal with ModRM `mod` and `reg` on an opcode whose
 * {@link lockMaskOf} is `mask`: only the read-modify-write instructions
 * the table marks, and only with a memory destination (SDM Vol. 2 "LOCK":
 * any other use raises #UD). The interpreter (cpu.ts) and the translator
 * both decide by it; an opcode without ModRM has mask 0.
 */
export function lockAllowed(mask: number, mod: number, reg: number): boolean {
  return mod !== 3 && reg >= 0 && ((mask >> reg) & 1) !== 0;
}

/** True when the operand list needs a ModRM byte. */
export function hasModrm(entry: OpcodeEntry): boolean {
  return entry.forms !== undefined || entry.operands.some((o) => /^(?:[EGMSCDRVWUPQN][a-z]+|M)$/.test(o));
}
