/**
 * Differential cases generated from the opcode table: for each entry (and
 * each member of a group) a set of encodings with register and memory forms,
 * edge-case and random operands, in the user-mode environment the oracle
 * defines (see native-oracle.ts). Each case carries the flags the SDM leaves
 * undefined for it, and — for the long-mode hardware oracle — the same
 * instruction with an address-size prefix so that 64-bit mode computes its
 * addresses exactly as 32-bit mode does.
 */
import { OPCODES, GROUPS, type OpcodeEntry } from '../../src/cpu/opcode-table.js';
import { DATA_BASE, STACK_BASE, type OracleCase, type OracleRegs } from './native-oracle.js';
import { undefinedFlags } from './undefined-flags.js';

/** A generated case and what the comparison must know about it. */
export interface GeneratedCase {
  /** Table form, e.g. `01 ADD Ev,Gv` or `f7/6 DIV Ev`. */
  form: string;
  mnemonic: string;
  case: OracleCase;
  /** The data area's initial contents are {@link dataFromSeed}(dataSeed). */
  dataSeed: number;
  /** The long-mode encoding (0x67 where addresses are formed), or undefined if long mode differs. */
  code64?: Uint8Array;
  /** EFLAGS bits the SDM leaves undefined for this case. */
  undefinedFlags: number;
}

/** Deterministic PRNG (xorshift32) so fixtures are reproducible from a seed. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed | 0 || 1; }
  next(): number {
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.s = x;
    return x >>> 0;
  }
  below(n: number): number { return this.next() % n; }
  pick<T>(items: readonly T[]): T { return items[this.below(items.length)]!; }
}

/** Bytes of the data area that cases address (and fill with random data). */
const WINDOW = 0x800;

/** The data area's initial image for a case: WINDOW random bytes from `seed`, zeros after. */
export function dataFromSeed(seed: number): Uint8Array {
  const rng = new Rng(seed);
  const data = new Uint8Array(WINDOW);
  for (let i = 0; i < WINDOW; i += 4) {
    const v = rng.next();
    data[i] = v; data[i + 1] = v >>> 8; data[i + 2] = v >>> 16; data[i + 3] = v >>> 24;
  }
  return data;
}

const EDGE = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fffe, 0x8000_0001];

/** Mnemonics whose long-mode behaviour differs from 32-bit protected mode (or is invalid there). */
const NOT_IN_LONG_MODE = new Set([
  'PUSH', 'POP', 'PUSHA', 'POPA', 'PUSHF', 'POPF', 'DAA', 'DAS', 'AAA', 'AAS', 'AAM', 'AAD', 'SALC', 'BOUND',
  'ARPL', 'INTO', 'LES', 'LDS', 'LSS', 'LFS', 'LGS', 'CALL', 'CALLF', 'JMPF', 'RET', 'RETF', 'ENTER', 'LEAVE',
  'IRET', 'SYSENTER', 'SYSEXIT', 'G1A', 'ESC', 'WAIT',
]);

/** Forms the generator leaves out entirely, with the reason. */
export const EXCLUDED: Record<string, string> = {
  'INC Zv': 'encodes REX in long mode; INC/DEC semantics are covered through FE/FF',
  'DEC Zv': 'encodes REX in long mode; INC/DEC semantics are covered through FE/FF',
  SYSENTER: 'enters the host kernel',
  SYSEXIT: 'privileged; #GP(0) at CPL 3 is covered by the system tests',
  IRET: 'depends on a kernel stack frame; covered by the control-transfer tests',
  CALLF: 'depends on the host GDT', JMPF: 'depends on the host GDT', RETF: 'depends on the host GDT',
  ESC: 'x87: its own generator (x87-cases.ts, test/fixtures/oracle/x87-hw.jsonl)',
  WAIT: 'x87: its own generator (x87-cases.ts, test/fixtures/oracle/x87-hw.jsonl)',
};

interface Encoding {
  bytes: number[];
  /** Offset of the opcode (where an 0x67 can be inserted in front). */
  hasAddress: boolean;
}

/** Members of an entry: the entry itself, or each defined group member with its ModRM.reg. */
function members(entry: OpcodeEntry): { mnemonic: string; reg: number }[] {
  if (!entry.group) return [{ mnemonic: entry.mnemonic, reg: -1 }];
  const list = GROUPS[entry.group] ?? [];
  const out: { mnemonic: string; reg: number }[] = [];
  list.forEach((m, reg) => { if (m) out.push({ mnemonic: m, reg }); });
  return out;
}

function randomValue(rng: Rng): number {
  return rng.below(3) === 0 ? rng.pick(EDGE) : rng.next();
}

/** Options for generation. */
export interface GenerateOptions {
  seed: number;
  casesPerForm: number;
  /** Only forms that long mode executes identically (for the hardware oracle). */
  longModeOnly: boolean;
}

/** All generated cases for the table. */
export function generateCases(options: GenerateOptions): GeneratedCase[] {
  const rng = new Rng(options.seed);
  const out: GeneratedCase[] = [];
  for (const entry of OPCODES) {
    if (!entry || entry.attrs.simd) continue; // SIMD forms: tools/oracle/simd-cases.ts
    for (const { mnemonic, reg } of members(entry)) {
      const form = `${entry.code.toString(16).padStart(entry.code > 0xff ? 4 : 2, '0')}${reg >= 0 ? `/${reg}` : ''} ${mnemonic} ${entry.operands.join(',')}`;
      const formKey = `${mnemonic} ${entry.operands.join(',')}`;
      if (EXCLUDED[formKey] || EXCLUDED[mnemonic]) continue;
      if (options.longModeOnly && !longModeSafe(entry, mnemonic, reg)) continue;
      for (let i = 0; i < options.casesPerForm; i++) {
        const c = makeCase(rng, entry, mnemonic, reg, options.longModeOnly);
        if (c) out.push({ ...c, form, mnemonic });
      }
    }
  }
  return out;
}

export function longModeSafe(entry: OpcodeEntry, mnemonic: string, reg: number): boolean {
  if (NOT_IN_LONG_MODE.has(mnemonic)) return false;
  const code = entry.code;
  // Invalid or reassigned in 64-bit mode: 82 (invalid), 63 (MOVSXD), C4/C5 (VEX), segment pushes/pops,
  // MOV to/from segment registers (the host's selectors), moffs with REX-free 0x67 is fine.
  if (code === 0x82 || code === 0x63 || code === 0x8c || code === 0x8e) return false;
  if (entry.group === 'G5' && reg >= 2) return false; // CALL/JMP/PUSH Ev
  // Descriptor-table stores (SGDT/SIDT/SLDT/STR/SMSW) return host values, SGDT/SIDT store 10 bytes in long
  // mode, and VERR/VERW look at the host's GDT; the privileged loads (LLDT, LTR, LGDT, LIDT, LMSW, INVLPG)
  // raise #GP(0) at CPL 3 in both modes and are compared.
  if (entry.group === 'G6') return reg === 2 || reg === 3;
  if (entry.group === 'G7') return reg === 2 || reg === 3 || reg === 6 || reg === 7;
  if (code === 0x1a2 || code === 0x131 || code === 0x133) return false; // CPUID, RDTSC, RDPMC report host values
  if (code === 0x102 || code === 0x103) return false; // LAR/LSL look at the host's GDT
  return true;
}

interface Built {
  case: OracleCase;
  dataSeed: number;
  code64?: Uint8Array;
  undefinedFlags: number;
}

/**
 * Builds one random instruction of `entry` in 32-bit mode (the generator
 * targets mode 32; 16-bit operand size comes from 0x66) followed by nothing:
 * the oracle appends the terminating int3.
 */
function makeCase(rng: Rng, entry: OpcodeEntry, mnemonic: string, groupReg: number, longMode: boolean): Built | undefined {
  const regs: OracleRegs = {
    eax: randomValue(rng), ecx: randomValue(rng), edx: randomValue(rng), ebx: randomValue(rng),
    esp: STACK_BASE + 0x800, ebp: randomValue(rng), esi: randomValue(rng), edi: randomValue(rng),
  };
  const ops = entry.operands;
  const vSized = ops.some((o) => /v$|z$|^eAX$|^Zv$/.test(o));
  const byteDefault = /^(?:MOVS|CMPS|STOS|LODS|SCAS|INS|OUTS)$/.test(mnemonic);
  // Operand size: 16 bits a third of the time where it matters; never on branches (AMD truncates RIP).
  const isBranch = /^(?:Jcc|JMP|LOOP|LOOPE|LOOPNE|JCXZ)$/.test(mnemonic);
  const op16 = vSized && !isBranch && mnemonic !== 'BSWAP' && rng.below(3) === 0;
  const size = ops.some((o) => /b$/.test(o)) && !vSized ? 1 : op16 ? 2 : 4;
  const bytes: number[] = [];
  if (op16) bytes.push(0x66);
  let rep = false;
  if (byteDefault || mnemonic === 'MOVS') {
    if (rng.below(2) === 0) { bytes.push(rng.below(2) === 0 ? 0xf3 : 0xf2); rep = true; }
  }
  if (entry.code > 0xff) bytes.push(0x0f);
  bytes.push(entry.code & 0xff);

  let hasAddress = byteDefault || mnemonic === 'XLAT' || /^(?:LOOP|LOOPE|LOOPNE|JCXZ)$/.test(mnemonic);
  const needsModrm = ops.some((o) => /^(?:[EGMSCDR][a-z]|M)$/.test(o));
  let count = -1;
  let modrmReg = -1;
  let memoryForm = false;
  if (needsModrm) {
    // Group 7's register forms other than LMSW/SMSW are later CPUs' instructions (XSETBV, SWAPGS, RDTSCP…) on the
    // host; on a P6 they are #UD, which the unit tests check. Compare the memory forms.
    const memOnly = entry.attrs.memOnly === true || ops.some((o) => /^M/.test(o)) ||
      (entry.group === 'G7' && groupReg !== 4 && groupReg !== 6);
    const regOnly = ops.some((o) => /^[CDR]/.test(o));
    const useMemory = !regOnly && (memOnly || rng.below(2) === 0);
    const reg = groupReg >= 0 ? groupReg : (ops.includes('Sw') ? rng.below(6) : rng.below(8));
    modrmReg = reg;
    if (useMemory) {
      hasAddress = true;
      memoryForm = true;
      // [base + disp8] with base among EBX, ESI, EDI, EBP, pointing into the data area (never ESP: it is the stack).
      const base = rng.pick([3, 6, 7, 5]);
      const disp = rng.below(128) - 64;
      const value = DATA_BASE + 0x80 + rng.below(WINDOW - 0x100);
      setReg(regs, base, value - disp);
      bytes.push(0x40 | (reg << 3) | base, disp & 0xff);
    } else {
      const rm = rng.below(8);
      bytes.push(0xc0 | (reg << 3) | rm);
    }
  }
  // Group 3's TEST (/0, /1) is the only member with an immediate (attrs.immRegs).
  const immRegs = entry.attrs.immRegs;
  const skipImmediate = immRegs !== undefined && ((immRegs >> groupReg) & 1) === 0;
  for (const o of ops) {
    if (skipImmediate && /^I/.test(o)) continue;
    switch (o) {
      case 'Ib': {
        const v = /^(?:ROL|ROR|RCL|RCR|SHL|SHR|SAL|SAR|SHLD|SHRD)$/.test(mnemonic)
          ? rng.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, rng.below(256)]) : rng.below(256);
        if (/^(?:SHLD|SHRD)$/.test(mnemonic) && size === 2 && (v & 31) > 16) { bytes.push(v & 15); count = v & 15; break; }
        count = v & 31;
        // INT n: vectors 3, 4 and 0x80 have user-callable gates under Linux, and this host's kernel (a PVM
        // guest) answers some exception vectors below 0x20 itself; any other vector raises #GP(n*8+2).
        bytes.push(mnemonic === 'INT' && (v < 0x20 || v === 0x80) ? 0x81 : v);
        break;
      }
      case 'Iw': bytes.push(rng.below(256), rng.below(256)); break;
      case 'Iz': case 'Iv': {
        const v = randomValue(rng);
        bytes.push(v & 0xff, (v >>> 8) & 0xff);
        if (!op16) bytes.push((v >>> 16) & 0xff, v >>> 24);
        break;
      }
      case 'Jb': bytes.push(rng.below(2) === 0 ? 0 : rng.below(16)); break;
      case 'Jz': bytes.push(rng.below(16), 0, 0, 0); break;
      case 'Ob': case 'Ov': {
        hasAddress = true;
        const a = DATA_BASE + rng.below(WINDOW - 4);
        bytes.push(a & 0xff, (a >>> 8) & 0xff, (a >>> 16) & 0xff, a >>> 24);
        break;
      }
      case 'CL':
        if (/^(?:ROL|ROR|RCL|RCR|SHL|SHR|SAL|SAR|SHLD|SHRD)$/.test(mnemonic)) {
          let c = rng.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, rng.below(256)]);
          if (/^(?:SHLD|SHRD)$/.test(mnemonic) && size === 2 && (c & 31) > 16) c &= 15;
          regs.ecx = (regs.ecx & ~0xff) | c;
          count = c & 31;
        }
        break;
      case '1': count = 1; break;
      default: break;
    }
  }
  if (hasAddress && byteDefault) {
    regs.esi = DATA_BASE + 0x100 + rng.below(WINDOW - 0x200);
    regs.edi = DATA_BASE + 0x100 + rng.below(WINDOW - 0x200);
    regs.ecx = rep ? rng.below(24) : regs.ecx;
  }
  if (mnemonic === 'XLAT') regs.ebx = DATA_BASE + rng.below(WINDOW - 0x100);
  if (/^(?:LOOP|LOOPE|LOOPNE|JCXZ)$/.test(mnemonic)) regs.ecx = rng.pick([0, 1, 2, randomValue(rng)]);
  if (/^(?:BT|BTS|BTR|BTC)$/.test(mnemonic) && ops[1] === 'Gv' && memoryForm) {
    // A register bit offset with a memory operand reaches ±offset/8 bytes: keep it inside the oracle's window.
    setReg(regs, modrmReg, (rng.below(0x8000) - 0x4000) | 0);
  }

  const dataSeed = rng.next();
  const data = dataFromSeed(dataSeed);
  // CF PF AF ZF SF DF OF at random; AC in one case in eight (Linux sets CR0.AM, so misaligned accesses raise #AC).
  const eflags = (rng.next() & 0x0cd5) | (rng.below(8) === 0 ? 0x4_0000 : 0);
  const code = Uint8Array.from(bytes);
  const code64 = longMode ? Uint8Array.from(hasAddress ? [0x67, ...bytes] : bytes) : undefined;
  return {
    case: { mode: 32, code, regs, eflags, data },
    dataSeed,
    code64,
    undefinedFlags: undefinedFlags(mnemonic, count, size),
  };
}

function setReg(regs: OracleRegs, index: number, value: number): void {
  const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
  regs[names[index]!] = value >>> 0;
}
