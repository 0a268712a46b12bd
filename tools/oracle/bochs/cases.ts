/**
 * Cases for the Bochs cross-check: every opcode-table form (the forms long
 * mode lacks or changes included: stack, BCD, segment, far transfers,
 * system instructions) in two environments the host CPU cannot run —
 *
 * - `real16`: real mode, 16-bit operand and address size by default (0x66
 *   and 0x67 switch to 32), all 16-bit addressing forms ([bx+si], [bp+di],
 *   disp16, ...) with 16-bit wrap-around of the effective address;
 * - `pm32`: 32-bit protected mode at CPL 0 (SIB forms, 0x67 for 16-bit
 *   addressing, the harness GDT/LDT for segment loads, far transfers,
 *   descriptor instructions, control and debug registers).
 *
 * It reuses the oracle's generator conventions (tools/oracle/case-
 * generator.ts: the form names, the xorshift Rng, edge
 * values, undefined-flags.ts) but builds its own operands, because the
 * environment is different: segment bases differ per segment register (so a
 * wrong default segment is visible), the stack is the case's own, and
 * control transfers must land on the INT3 bytes around the snippet.
 *
 * Every case is built so that Bochs and a correct CPU stay inside the
 * harness's rules: memory operands address the data window (or the stack
 * page through ESP/EBP, or the code area through CS:), SS only ever holds a
 * selector whose base is SS_BASE, ESP stays inside the stack page, and
 * branch/return targets are INT3 bytes of the code area.
 */
import { OPCODES, GROUPS, hasModrm, lockMaskOf, type OpcodeEntry } from '../../../src/cpu/opcode-table.js';
import { Rng } from '../case-generator.js';
import { undefinedFlags } from '../undefined-flags.js';
import {
  CODE_PHYS, DATA_PHYS, GATE_TARGET, IDT_ROM_OFF, NP_VECTOR, PATTERN_BYTES, SEL, SNIPPET_OFF, SS_BASE, STACK_PHYS, STACK_TOP_OFF,
  WINDOW_BYTES, SegIdx, envOf, type BxCase, type Mode, type ModeEnv, type Run,
} from './layout.js';
import { patternOf } from './result.js';

/** A generated case and what the comparison must know about it. */
export interface GeneratedBxCase {
  /** Opcode-table form, as case-generator.ts names it (`01 ADD Ev,Gv`, `f7/6 DIV Ev`). */
  form: string;
  mnemonic: string;
  case: BxCase;
  /** EFLAGS bits the SDM leaves undefined for this case. */
  undef: number;
  /** Per register (EAX..EDI): bits the SDM leaves undefined. */
  undefRegs: number[];
  /** Stack-page byte offsets whose value is implementation-specific. */
  undefStack: number[];
  /** The vector of an INT n / INT3 / INTO / INT1 snippet (its frame has no error code). */
  softInt?: number;
}

/** Forms left out, with the reason. */
export const BOCHS_EXCLUDED: Record<string, string> = {
  HLT: 'waits for an interrupt: Bochs idles until the run is killed, anillo ends the VM (halt-forever)',
  CPUID: 'reports each implementation\'s identity (Bochs\' model vs anillo\'s), not an architectural result',
  RDTSC: 'the time-stamp counter differs by design (instruction count vs Bochs\' clock)',
  RDPMC: 'performance counters are model-specific',
};

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400, OF = 0x800;
const STATUS = CF | PF | AF | ZF | SF | OF;
const IOPL = 0x3000, NT = 0x4000, AC = 0x40000, ID = 0x200000;

const EDGE = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fffe, 0x8000_0001];

const ESP = 4, EBP = 5;
/** Mnemonics whose first operand is only read. */
const FIRST_READ_ONLY = new Set(['CMP', 'TEST', 'BT', 'PUSH', 'MUL', 'IMUL1', 'DIV', 'IDIV', 'CALL', 'JMP', 'CALLF', 'JMPF',
  'LLDT', 'LTR', 'VERR', 'VERW', 'LGDT', 'LIDT', 'LMSW', 'INVLPG', 'NOP', 'BOUND']);
/** Mnemonics that write both ModRM operands. */
const BOTH_WRITTEN = new Set(['XCHG', 'XADD']);
const SHIFTS = /^(?:ROL|ROR|RCL|RCR|SHL|SHR|SAL|SAR|SHLD|SHRD)$/;
const STRING = /^(?:MOVS|CMPS|STOS|LODS|SCAS|INS|OUTS)$/;

/** I/O ports no device claims on either machine (reads return all ones, writes vanish). */
const FREE_PORTS = [0xe0, 0xe4, 0xec];
const FREE_PORTS_DX = [0x00e0, 0x00ec, 0x0320];

/** The opcode-table form name, as case-generator.ts spells it. */
export function formName(entry: OpcodeEntry, mnemonic: string, reg: number): string {
  return `${entry.code.toString(16).padStart(entry.code > 0xff ? 4 : 2, '0')}${reg >= 0 ? `/${reg}` : ''} ${mnemonic} ${entry.operands.join(',')}`;
}

/** Members of an entry: the entry itself, or each defined group member with its ModRM.reg. */
export function formMembers(entry: OpcodeEntry): { mnemonic: string; reg: number }[] {
  if (!entry.group) return [{ mnemonic: entry.mnemonic, reg: -1 }];
  const out: { mnemonic: string; reg: number }[] = [];
  (GROUPS[entry.group] ?? []).forEach((m, reg) => { if (m) out.push({ mnemonic: m, reg }); });
  return out;
}

/** Options for {@link generateBochsCases}. */
export interface BochsGenerateOptions {
  seed: number;
  /** Cases per form and mode (forms that only fault in a mode get fewer). */
  casesPerForm: number;
  modes?: Mode[];
}

/** All cases, form by form, mode by mode. */
export function generateBochsCases(options: BochsGenerateOptions): GeneratedBxCase[] {
  const rng = new Rng(options.seed);
  const out: GeneratedBxCase[] = [];
  for (const mode of options.modes ?? ['real16', 'pm32', 'pm16']) {
    const env = envOf(mode);
    for (const entry of OPCODES) {
      if (!entry || entry.attrs.simd) continue; // SIMD forms: tools/oracle/simd-cases.ts
      for (const { mnemonic, reg } of formMembers(entry)) {
        if (BOCHS_EXCLUDED[mnemonic]) continue;
        const n = casesFor(mode, entry, mnemonic, options.casesPerForm);
        for (let i = 0; i < n; i++) {
          const g = makeCase(rng, env, entry, mnemonic, reg);
          out.push({ ...g, form: formName(entry, mnemonic, reg), mnemonic });
        }
      }
    }
  }
  return out;
}

/** Forms that raise #UD in real mode get a few cases there. */
function casesFor(mode: Mode, entry: OpcodeEntry, mnemonic: string, perForm: number): number {
  if (mode === 'real16' && (entry.group === 'G6' || /^(?:ARPL|LAR|LSL)$/.test(mnemonic))) return Math.min(perForm, 3);
  if (/^(?:UD2|INVD|WBINVD|SALC|CLC|STC|CMC|CLD|STD|CLI|STI|NOP|SYSENTER|SYSEXIT|INT1|INT3)$/.test(mnemonic) && entry.operands.length === 0) {
    return Math.min(perForm, 6);
  }
  return perForm;
}

function randomValue(rng: Rng): number {
  return (rng.below(3) === 0 ? rng.pick(EDGE) : rng.next()) >>> 0;
}

/** Inverse of an odd number modulo 2^32. */
function inverse(m: number): number {
  let x = m;
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(m, x));
  return x >>> 0;
}

function le(value: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

interface MemOperand {
  /** ModRM (reg field 0), SIB, displacement. */
  bytes: number[];
  phys: number;
  seg: number;
  offset: number;
  regs: number[];
}

type Region = 'data' | 'stack' | 'code';

/** One case under construction. */
class Builder {
  osz: 16 | 32;
  asz: 16 | 32;
  readonly prefixes: number[] = [];
  segPrefix = -1;
  readonly body: number[] = [];
  readonly regs: number[] = [];
  readonly fixed = new Set<number>([ESP]);
  /** Registers a memory operand's address depends on: later constraints leave them alone. */
  readonly addr = new Set<number>();
  eflags: number;
  readonly segs: number[];
  readonly dataSeed: number;
  readonly stackSeed: number;
  readonly data: Uint8Array;
  readonly stack: Uint8Array;
  readonly dataRuns: Run[] = [];
  readonly stackRuns: Run[] = [];
  cr0bits = 0;
  sys = false;
  undef = 0;
  readonly undefRegs = [0, 0, 0, 0, 0, 0, 0, 0];
  readonly undefStack: number[] = [];
  softInt?: number;
  /** Shift count (masked to 5 bits) and operand bytes, for undefinedFlags. */
  count = -1;
  size = 4;

  constructor(readonly rng: Rng, readonly env: ModeEnv) {
    this.osz = env.bits;
    this.asz = env.bits;
    for (let i = 0; i < 8; i++) this.regs.push(randomValue(rng));
    const real = env.mode === 'real16';
    this.regs[ESP] = (STACK_TOP_OFF - 4 * rng.below(8)) | (real && rng.below(3) === 0 ? rng.next() & 0xffff0000 : 0);
    let flags = 0x2 | (rng.next() & (STATUS | DF | IF));
    if (rng.below(4) === 0) flags |= rng.next() & (IOPL | AC | ID | (real ? NT : 0));
    this.eflags = flags >>> 0;
    this.segs = [...env.sel];
    if (!real && rng.below(10) === 0) this.segs[SegIdx.SS] = SEL.SS16;
    this.dataSeed = rng.next();
    this.stackSeed = rng.next();
    this.data = new Uint8Array(WINDOW_BYTES);
    this.data.set(patternOf(this.dataSeed));
    this.stack = new Uint8Array(WINDOW_BYTES);
    this.stack.set(patternOf(this.stackSeed), PATTERN_BYTES);
  }

  get real(): boolean { return this.env.mode === 'real16'; }
  get oszBytes(): number { return this.osz / 8; }
  /** Whether stack operations use SP (16-bit stack segment). */
  get stack16(): boolean { return this.real || this.segs[SegIdx.SS] === SEL.SS16; }

  pick<T>(items: readonly T[]): T { return this.rng.pick(items); }
  chance(n: number): boolean { return this.rng.below(n) === 0; }

  /** Sets a register for a constraint; never ESP (it stays inside the stack page) or an address register. */
  setReg(r: number, value: number): void {
    if (this.addr.has(r) || r === ESP) return;
    this.regs[r] = value >>> 0;
    this.fixed.add(r);
  }
  /** Sets the low `bits` of a register, keeping the rest. */
  setRegLow(r: number, value: number, bits: number): void {
    if (bits === 32) this.setReg(r, value);
    else if (bits === 16) this.setReg(r, ((this.regs[r]! & 0xffff0000) | (value & 0xffff)) >>> 0);
    else if (r < 4) this.setReg(r, ((this.regs[r]! & ~0xff) | (value & 0xff)) >>> 0);
    else this.setReg(r - 4, ((this.regs[r - 4]! & ~0xff00) | ((value & 0xff) << 8)) >>> 0);
  }
  /** Value of a register operand of `bytes` (byte registers 4-7 are AH..BH). */
  regValue(r: number, bytes: number): number {
    if (bytes === 1) return r < 4 ? this.regs[r]! & 0xff : (this.regs[r - 4]! >>> 8) & 0xff;
    return bytes === 2 ? this.regs[r]! & 0xffff : this.regs[r]!;
  }
  setOperandReg(r: number, bytes: number, value: number): void { this.setRegLow(r, value, bytes * 8); }

  /** A random register for an operand of `bytes`; destinations of 2/4 bytes avoid ESP. */
  pickReg(bytes: number, dest: boolean, avoid: readonly number[] = []): number {
    for (;;) {
      const r = this.rng.below(8);
      if (dest && bytes > 1 && r === ESP) continue;
      if (avoid.includes(bytes === 1 ? r & 3 : r)) continue;
      return r;
    }
  }

  /** The memory images as the case starts them. */
  private image(phys: number): { buf: Uint8Array; off: number; runs: Run[] } {
    if (phys >= DATA_PHYS && phys < DATA_PHYS + WINDOW_BYTES) return { buf: this.data, off: phys - DATA_PHYS, runs: this.dataRuns };
    if (phys >= STACK_PHYS && phys < STACK_PHYS + WINDOW_BYTES) return { buf: this.stack, off: phys - STACK_PHYS, runs: this.stackRuns };
    throw new RangeError(`0x${phys.toString(16)} is outside the data window and the stack page`);
  }
  /** Lays explicit bytes over the initial image at a physical address. */
  put(phys: number, bytes: number[]): void {
    const { buf, off, runs } = this.image(phys);
    if (off + bytes.length > WINDOW_BYTES) throw new RangeError('run crosses the end of its area');
    buf.set(bytes, off);
    runs.push({ off, bytes });
  }
  putValue(phys: number, value: number, bytes: number): void { this.put(phys, le(value, bytes)); }
  read(phys: number, bytes: number): number {
    const { buf, off } = this.image(phys);
    let v = 0;
    for (let i = bytes - 1; i >= 0; i--) v = v * 256 + buf[off + i]!;
    return v;
  }

  /** The stack pointer as an SS offset (SP for a 16-bit stack). */
  get sp(): number { return this.stack16 ? this.regs[ESP]! & 0xffff : this.regs[ESP]!; }
  /** Physical address of an SS offset. */
  ssPhys(off: number): number { return SS_BASE + (this.stack16 ? off & 0xffff : off); }
  /** Puts `value` (`bytes` wide) at SS:SP+at. */
  putStack(at: number, value: number, bytes: number): void { this.putValue(this.ssPhys(this.sp + at), value, bytes); }
  /** A stack pointer value inside the stack page (an SS offset). */
  saneSp(): number { return (STACK_PHYS - SS_BASE + 0x200 + 4 * this.rng.below(0x300)) >>> 0; }

  /** A code offset on an INT3 after the snippet (`len` bytes of snippet). */
  padTarget(len: number): number { return SNIPPET_OFF + len + this.rng.below(0x1f0 - SNIPPET_OFF - len); }

  addPrefix(p: number): void { this.prefixes.push(p); }

  /**
   * A memory operand of `bytes` whose effective address reaches `region`
   * (default: the data window, or the stack page when ESP is the base).
   */
  mem(bytes: number, opts: {
    region?: Region; noOverride?: boolean; noCode?: boolean; phys?: number; avoidRegs?: number[];
    /** Only an effective address that defaults to this segment (no override). */
    seg?: number;
    /** An offset this close to the end of a 64 KiB real-mode segment (limit checks). */
    limitProbe?: boolean;
  } = {}): MemOperand {
    const rng = this.rng;
    const a16 = this.asz === 16;
    const mask = a16 ? 0xffff : 0xffffffff;
    for (let attempt = 0; attempt < 200; attempt++) {
      const mod = rng.below(3);
      const rm = rng.below(8);
      const terms: { reg: number; mult: number }[] = [];
      let dispBytes = 0;
      let direct = false;
      let ssDefault = false;
      let sib: number | undefined;
      if (a16) {
        if (mod === 0 && rm === 6) { direct = true; dispBytes = 2; }
        else {
          dispBytes = mod === 1 ? 1 : mod === 2 ? 2 : 0;
          for (const r of [[3, 6], [3, 7], [5, 6], [5, 7], [6], [7], [5], [3]][rm]!) terms.push({ reg: r, mult: 1 });
          ssDefault = rm === 2 || rm === 3 || rm === 6;
        }
      } else if (rm === 4) {
        const scale = rng.below(4), index = rng.below(8), base = rng.below(8);
        sib = (scale << 6) | (index << 3) | base;
        if (index !== 4) terms.push({ reg: index, mult: 1 << scale });
        if (base === 5 && mod === 0) { direct = index === 4; dispBytes = 4; }
        else { terms.push({ reg: base, mult: 1 }); ssDefault = base === ESP || base === EBP; }
        if (mod !== 0) dispBytes = mod === 1 ? 1 : 4;
      } else if (rm === 5 && mod === 0) { direct = true; dispBytes = 4; }
      else {
        terms.push({ reg: rm, mult: 1 });
        ssDefault = rm === EBP;
        dispBytes = mod === 1 ? 1 : mod === 2 ? 4 : 0;
      }
      const usesEsp = terms.some((t) => t.reg === ESP);
      if (terms.some((t) => opts.avoidRegs?.includes(t.reg))) continue;
      let seg = ssDefault ? SegIdx.SS : SegIdx.DS;
      let override = -1;
      if (!opts.noOverride && opts.seg === undefined && rng.below(6) === 0) { override = rng.below(6); seg = override; }
      if (opts.seg !== undefined && seg !== opts.seg) continue;
      let region: Region = opts.region ?? (usesEsp ? 'stack' : 'data');
      if (seg === SegIdx.CS && opts.noCode) continue;
      if (seg === SegIdx.CS && !opts.region) region = 'code';
      if (usesEsp && region !== 'stack') continue;
      if (region === 'code' && seg !== SegIdx.CS) continue;
      // ESP-based addresses are near ESP: only a 32-bit displacement reaches an arbitrary target.
      if (usesEsp && (dispBytes < 4 || this.real)) {
        if (!(usesEsp && dispBytes === 1 && terms.length === 1)) continue;
      }
      let phys = opts.phys ?? (region === 'data' ? DATA_PHYS + 0x40 + rng.below(WINDOW_BYTES - 0x80 - bytes)
        : region === 'stack' ? STACK_PHYS + 0x100 + rng.below(WINDOW_BYTES - 0x200 - bytes)
          : CODE_PHYS + 0x140 + rng.below(0xb0 - bytes));
      if (usesEsp && dispBytes === 1 && terms.length === 1) {
        // [esp+disp8]: a target near ESP.
        const disp = rng.below(128) - 32;
        phys = SS_BASE + ((this.regs[ESP]! + disp) >>> 0);
        if (phys < STACK_PHYS || phys + bytes > STACK_PHYS + WINDOW_BYTES || seg !== SegIdx.SS) continue;
      }
      let offset = (phys - this.env.base[seg]!) >>> 0;
      if (opts.limitProbe) {
        offset = 0x10000 - 1 - rng.below(bytes + 1);
        phys = this.env.base[seg]! + offset;
      }
      if (a16 && offset > 0xffff) continue;
      // Solve the free registers so that the effective address is `offset`.
      const groups = new Map<number, number>();
      for (const t of terms) groups.set(t.reg, (groups.get(t.reg) ?? 0) + t.mult);
      const free = [...groups].filter(([r]) => !this.fixed.has(r));
      let disp = dispBytes === 0 ? 0 : dispBytes === 1 ? rng.below(256) - 128
        : dispBytes === 2 ? rng.below(0x10000) : (rng.below(2) === 0 ? rng.next() : rng.below(0x2000) - 0x1000) >>> 0;
      const values = new Map<number, number>();
      const solveIdx = free.map(([, m]) => m % 2 === 1).lastIndexOf(true);
      free.forEach(([r], i) => {
        if (i !== solveIdx) values.set(r, a16 ? rng.below(0x10000) : randomValue(rng));
      });
      const sumOf = () => {
        let s = disp;
        for (const [r, m] of groups) s += Math.imul(m, values.get(r) ?? this.regs[r]!);
        return s;
      };
      if (solveIdx >= 0) {
        const [r, m] = free[solveIdx]!;
        values.set(r, 0);
        const rhs = (offset - sumOf()) >>> 0;
        values.set(r, (Math.imul(rhs, inverse(m)) >>> 0) & mask);
      } else if (dispBytes >= 2) {
        disp = 0;
        disp = (offset - sumOf()) & mask;
      } else continue;
      if (((sumOf() & mask) >>> 0) !== offset) continue;
      if (dispBytes === 1 && (disp < -128 || disp > 127)) continue;
      for (const [r, v] of values) {
        const full = a16 ? ((this.regs[r]! & 0xffff0000) | (v & 0xffff)) >>> 0 : v >>> 0;
        this.setReg(r, full);
      }
      for (const r of groups.keys()) this.addr.add(r);
      if (override >= 0) this.segPrefix = override;
      const bytesOut = [(mod << 6) | rm];
      if (sib !== undefined) bytesOut.push(sib);
      bytesOut.push(...le(disp >>> 0, dispBytes));
      return { bytes: bytesOut, phys, seg, offset, regs: [...groups.keys()] };
    }
    throw new Error('could not build a memory operand');
  }

  /** The finished case. */
  finish(): Omit<GeneratedBxCase, 'form' | 'mnemonic'> {
    const SEG_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
    const pre = [...this.prefixes];
    if (this.segPrefix >= 0) pre.push(SEG_PREFIX[this.segPrefix]!);
    if (this.osz !== this.env.bits) pre.push(0x66);
    if (this.asz !== this.env.bits) pre.push(0x67);
    const code = Uint8Array.from([...pre, ...this.body]);
    return {
      case: {
        mode: this.env.mode, sys: this.sys, code, regs: [...this.regs], eflags: this.eflags >>> 0, segs: [...this.segs],
        dataSeed: this.dataSeed, stackSeed: this.stackSeed, dataRuns: this.dataRuns, stackRuns: this.stackRuns,
        cr0bits: this.cr0bits,
      },
      undef: this.undef,
      undefRegs: [...this.undefRegs],
      undefStack: [...this.undefStack],
      softInt: this.softInt,
    };
  }
}

/**
 * ModRM.reg values of the x87 memory forms a P6 FPU defines, per escape D8-DF (SDM Vol. 2 Appendix A
 * Tables A-7..A-22): no reserved encodings, no FISTTP (SSE3). With CR0.EM or TS set they all raise #NM.
 */
const X87_MEMORY_FORMS: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7], [0, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7], [0, 2, 3, 5, 7],
  [0, 1, 2, 3, 4, 5, 6, 7], [0, 2, 3, 4, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7], [0, 2, 3, 4, 5, 6, 7],
];

/** Selectors for protected-mode segment loads. */
const PM_DATA_SELS = [SEL.DS, SEL.ES, SEL.FS, SEL.GS, SEL.SS, SEL.RODATA, SEL.DPL3DATA, SEL.SMALLDATA, SEL.EXPDOWN,
  SEL.LDT_DATA, SEL.LDT_DPL3, SEL.NULL, 0x03, SEL.CODE32, SEL.CONFCODE, SEL.CODE16, SEL.HDATA,
  SEL.NPDATA, SEL.XOCODE, SEL.TSS_BUSY, SEL.LDT, SEL.CALLGATE, SEL.PAST_GDT, SEL.LDT_NP, 0x13, 0xfff8, 0x24];
/** Selectors SS may be loaded with: the two with base SS_BASE, and ones that fault. */
const PM_SS_SELS = [SEL.SS, SEL.SS, SEL.SS16, SEL.NULL, 0x03, SEL.RODATA, SEL.DPL3DATA, SEL.NPDATA, SEL.CODE32,
  SEL.TSS_BUSY, SEL.PAST_GDT, SEL.LDT_NP, SEL.LDT_DPL3, 0x33];
/** Code selectors for far transfers at CPL 0 (the last ones fault). */
const PM_CODE_SELS = [SEL.CODE32, SEL.CODE32, SEL.CODE16, SEL.CONFCODE, SEL.XOCODE, SEL.LDT_CODE32,
  SEL.NULL, SEL.DS, SEL.NPDATA, SEL.LDT, SEL.PAST_GDT, 0x0b, SEL.DPL3DATA, SEL.TSS_BUSY];
/** Every kind of selector, for LAR/LSL/VERR/VERW/ARPL. */
const PM_ANY_SELS = [...PM_DATA_SELS, SEL.TSS_AVAIL, SEL.FLAT16, SEL.HCODE, SEL.HCODE16, SEL.SS16, 0x0b, 0x0f, 0x7b, 0x93];

function realSegValue(b: Builder): number {
  return b.pick([0x2000, 0x1ff0, 0x0000, 0xffff, 0x1234, b.rng.next() & 0xffff]);
}

/** A selector for loading segment register `seg` (never one that moves SS). */
function segLoadValue(b: Builder, seg: number): number {
  if (b.real) return seg === SegIdx.SS ? b.env.sel[SegIdx.SS]! : realSegValue(b);
  if (seg === SegIdx.SS) return b.chance(2) ? b.pick([SEL.SS, SEL.SS16]) : b.pick(PM_SS_SELS);
  return b.pick(PM_DATA_SELS);
}

/** A far-transfer target (selector, offset) on an INT3 of the code area. */
function farTarget(b: Builder, len: number, allowGate: boolean): { sel: number; off: number } {
  const off = b.padTarget(len);
  if (b.real) {
    const shift = b.pick([0, 0, 0x10, -0x10]);
    return { sel: 0x1000 + shift, off: off - shift * 16 };
  }
  if (allowGate && b.chance(8)) return { sel: SEL.CALLGATE, off: b.rng.next() };
  const sel = b.pick(PM_CODE_SELS);
  return { sel, off: b.osz === 16 ? off : (b.chance(12) ? (off | 0x10000) : off) };
}

function makeCase(rng: Rng, env: ModeEnv, entry: OpcodeEntry, mn: string, groupReg: number): Omit<GeneratedBxCase, 'form' | 'mnemonic'> {
  const b = new Builder(rng, env);
  const ops = entry.operands;
  const code = entry.code;
  const oszMatters = ops.some((o) => /[vz]$|^eAX$|^Ap$|^Mp$|^Ma$/.test(o)) ||
    /^(?:PUSH|POP|PUSHA|POPA|PUSHF|POPF|IRET|RET|RETF|CALL|ENTER|LEAVE|CBW|CWD|Jcc|JMP|LOOP|LOOPE|LOOPNE|JCXZ|SGDT|SIDT|LGDT|LIDT|SMSW|STR|SLDT)$/.test(mn);
  if (oszMatters && rng.below(3) === 0) b.osz = env.bits === 16 ? 32 : 16;
  if (mn === 'BSWAP') {
    b.osz = rng.below(4) === 0 && (code & 7) !== ESP ? 16 : 32;
    // BSWAP ESP: start with the byte-swapped image of a stack pointer (the stack is not used before it).
    if ((code & 7) === ESP) { const sp = b.saneSp(); b.regs[ESP] = ((sp & 0xff) << 24 | (sp & 0xff00) << 8 | (sp >>> 8 & 0xff00) | sp >>> 24) >>> 0; }
  }
  const formsAddress = hasModrm(entry) && !ops.some((o) => /^[CDR]/.test(o));
  if ((formsAddress || STRING.test(mn) || /^(?:XLAT|LOOP|LOOPE|LOOPNE|JCXZ)$/.test(mn) || ops.some((o) => /^O/.test(o))) && rng.below(4) === 0) {
    b.asz = env.bits === 16 ? 32 : 16;
  } else if (rng.below(16) === 0) {
    b.asz = env.bits === 16 ? 32 : 16; // an address-size prefix that changes nothing
  }
  // LOCK now and then: legal on the lockable memory forms, #UD everywhere else.
  const lockMask = lockMaskOf(entry);
  const lockable = lockMask !== 0 && (groupReg < 0 || ((lockMask >> groupReg) & 1) === 1);
  if (rng.below(lockable ? 6 : 24) === 0) b.addPrefix(0xf0);
  if (code > 0xff) b.body.push(0x0f);
  b.body.push(code & 0xff);

  switch (mn) {
    case 'Jcc': case 'JMP': case 'CALL': case 'LOOP': case 'LOOPE': case 'LOOPNE': case 'JCXZ':
      if (ops[0] === 'Jb' || ops[0] === 'Jz') { branch(b, mn, ops[0]); break; }
      modrmForm(b, entry, mn, groupReg);
      break;
    case 'MOVS': case 'CMPS': case 'STOS': case 'LODS': case 'SCAS': case 'INS': case 'OUTS':
      stringOp(b, mn, ops);
      break;
    default:
      if (!special(b, entry, mn, groupReg)) modrmForm(b, entry, mn, groupReg);
  }
  return b.finish();
}

/** Jcc/JMP/CALL rel, LOOPcc, JCXZ: a forward target on the INT3 bytes (now and then a backward one). */
function branch(b: Builder, mn: string, op: string): void {
  const relBytes = op === 'Jb' ? 1 : b.osz / 8;
  const pre = b.prefixes.length + (b.osz !== b.env.bits ? 1 : 0) + (b.asz !== b.env.bits ? 1 : 0);
  const len = pre + b.body.length + relBytes;
  let disp = b.chance(3) ? 0 : b.rng.below(16);
  if (b.chance(8)) disp = 0x80 + b.rng.below(0x78) - (SNIPPET_OFF + len); // into the INT3 bytes before the snippet
  b.body.push(...le(disp >>> 0, relBytes));
  if (/^(?:LOOP|LOOPE|LOOPNE|JCXZ)$/.test(mn)) b.setRegLow(1, b.pick([0, 1, 2, 0x10000, randomValue(b.rng)]), b.asz);
}

/** String instructions: SI/DI inside the window for the whole (REP) run, ports nobody claims. */
function stringOp(b: Builder, mn: string, ops: readonly string[]): void {
  const el = ops.some((o) => /b$/.test(o)) ? 1 : b.oszBytes;
  b.size = el;
  const rep = b.chance(2);
  if (rep) b.prefixes.push(/^(?:CMPS|SCAS)$/.test(mn) ? b.pick([0xf3, 0xf2]) : b.pick([0xf3, 0xf3, 0xf2]));
  const count = rep ? b.rng.below(24) : randomValue(b.rng);
  const bits = b.asz;
  b.setRegLow(1, count, bits);
  const down = (b.eflags & DF) !== 0;
  const span = 24 * el;
  const start = () => DATA_PHYS + (down ? 0x80 + span : 0x80) + b.rng.below(WINDOW_BYTES - 0x100 - span);
  const usesSrc = /^(?:MOVS|CMPS|LODS|OUTS)$/.test(mn);
  const usesDst = /^(?:MOVS|CMPS|STOS|SCAS|INS)$/.test(mn);
  if (usesSrc) {
    let seg: number = SegIdx.DS;
    if (b.chance(5)) { seg = b.pick([SegIdx.ES, SegIdx.SS, SegIdx.FS, SegIdx.GS, SegIdx.DS]); b.segPrefix = seg; }
    b.setRegLow(6, start() - b.env.base[seg]!, bits);
  }
  if (usesDst) b.setRegLow(7, start() - b.env.base[SegIdx.ES]!, bits);
  if (mn === 'INS' || mn === 'OUTS') b.setRegLow(2, b.pick(FREE_PORTS_DX), 16);
  if (mn === 'CMPS' || mn === 'SCAS') {
    // Equal runs now and then, so REPE/REPNE stop for both reasons.
    if (b.chance(2) && usesSrc) {
      const src = b.env.base[b.segPrefix >= 0 ? b.segPrefix : SegIdx.DS]! + ((b.regs[6]!) & (bits === 16 ? 0xffff : 0xffffffff));
      const dst = b.env.base[SegIdx.ES]! + ((b.regs[7]!) & (bits === 16 ? 0xffff : 0xffffffff));
      const n = (b.rng.below(8) + 1) * el;
      const bytes: number[] = [];
      for (let i = 0; i < n; i++) bytes.push(b.rng.below(256));
      if (down) { b.put(src - n + el, bytes); b.put(dst - n + el, bytes); } else { b.put(src, bytes); b.put(dst, bytes); }
    } else if (mn === 'SCAS' && b.chance(2)) {
      const dst = b.env.base[SegIdx.ES]! + ((b.regs[7]!) & (bits === 16 ? 0xffff : 0xffffffff));
      b.setOperandReg(0, el, b.read(dst + (down ? -el * 2 : el * 2), el));
    }
  }
}

/**
 * The ModRM forms, generically: register or memory operand, the reg field,
 * immediates; then the per-mnemonic values that make a case interesting.
 */
function modrmForm(b: Builder, entry: OpcodeEntry, mn: string, groupReg: number): void {
  const ops = entry.operands;
  const rng = b.rng;
  const sizeOf = (o: string): number => {
    if (/b$/.test(o)) return 1;
    if (/w$/.test(o)) return 2;
    if (/d$/.test(o)) return 4;
    if (o === 'Mq') return 8;
    if (o === 'Mp') return b.oszBytes + 2;
    if (o === 'Ma') return 2 * b.oszBytes;
    if (o === 'M') return mn === 'LEA' ? 4 : mn === 'INVLPG' ? 1 : 6;
    if (o === 'Ex') return 10;
    return b.oszBytes;
  };
  const eOp = ops.find((o) => /^[EMR]/.test(o));
  const gOp = ops.find((o) => /^[GSCD][a-z]/.test(o));
  const eSize = /^(?:SGDT|SIDT|LGDT|LIDT)$/.test(mn) ? 6 : eOp ? sizeOf(eOp) : 0; // G7's Ew: a 6-byte image
  const gSize = gOp ? sizeOf(gOp) : 0;
  b.size = Math.max(eSize, gSize, ops.some((o) => o === 'eAX') ? b.oszBytes : 0) || 4;
  if (/^(?:MOVZX|MOVSX)$/.test(mn)) b.size = b.oszBytes;
  const firstWritten = !FIRST_READ_ONLY.has(mn);
  const eDest = (ops[0] === eOp && firstWritten) || BOTH_WRITTEN.has(mn);
  const gDest = (ops[0] === gOp && firstWritten && !/^[SCD]/.test(gOp ?? '')) || BOTH_WRITTEN.has(mn);
  const memOnly = entry.attrs.memOnly === true || ops.some((o) => /^M/.test(o));
  const regOnly = ops.some((o) => /^[CDR]/.test(o));
  const memMostly = memOnly || /^(?:SGDT|SIDT|LGDT|LIDT|INVLPG)$/.test(mn);
  const useMem = eOp !== undefined && !regOnly && (mn === 'ESC' || (memMostly ? !b.chance(10) : b.chance(2)));

  let m: MemOperand | undefined;
  let rmReg = -1;
  // Forms whose memory operand gets explicit contents address the data window or stack page, not CS:.
  const explicit = /^(?:CALL|JMP|CALLF|JMPF|LES|LDS|LSS|LFS|LGS|BOUND|LGDT|LIDT|CMPXCHG8B|CMPXCHG|DIV|IDIV|BSF|BSR|MOV|LAR|LSL|VERR|VERW|ARPL|LLDT|LTR|LMSW)$/.test(mn);
  const memBytes = eSize + (/^(?:CALLF|JMPF)$/.test(mn) ? 2 : 0);
  const probeable = !explicit && !/^(?:BT|BTS|BTR|BTC|LEA|INVLPG|NOP|ESC|SGDT|SIDT|SMSW|SLDT|STR)$/.test(mn);
  if (eOp && useMem && probeable && b.real && b.chance(25)) {
    // Real mode: an operand at the end of the 64 KiB segment (#GP(0)/#SS(0) when it straddles it).
    m = b.mem(memBytes, { noOverride: true, limitProbe: true });
  } else if (eOp && useMem && !b.real && b.chance(25)) {
    // Protected mode: DS with a 4 KiB limit (its base is DS's), an operand next to the limit.
    b.segs[SegIdx.DS] = SEL.SMALLDATA;
    m = b.mem(memBytes, { seg: SegIdx.DS, phys: DATA_PHYS + 0x1000 - memBytes - 1 + rng.below(explicit ? 2 : 3) });
  } else if (eOp && useMem) {
    m = b.mem(memBytes, { noCode: explicit });
  } else if (eOp) {
    rmReg = b.pickReg(eSize, (eDest || regOnly) && mn !== 'POP');
  }

  // The reg field.
  let reg: number;
  if (groupReg >= 0) reg = groupReg;
  else if (gOp === 'Sw') reg = b.chance(10) ? b.pick([1, 6, 7]) : b.pick([0, 2, 3, 4, 5]);
  else if (gOp === 'Cd') reg = b.chance(8) ? b.pick([1, 5, 6, 7]) : b.pick([0, 2, 3, 4]);
  else if (gOp === 'Dd') reg = rng.below(8);
  else if (mn === 'LSS' && b.chance(3)) reg = ESP;
  else if (gOp) reg = b.pickReg(gSize, gDest, /^(?:BT|BTS|BTR|BTC)$/.test(mn) && m ? m.regs : []);
  else if (mn === 'ESC') reg = b.pick(X87_MEMORY_FORMS[entry.code - 0xd8]!);
  else reg = rng.below(8); // NOP Ev (0F 18-1F): any reg field

  if (m) {
    const [first, ...rest] = m.bytes;
    b.body.push(first! | (reg << 3), ...rest);
  } else if (eOp) {
    const mod = regOnly && b.chance(8) ? rng.below(3) : 3; // MOV CR/DR ignore mod
    b.body.push((mod << 6) | (reg << 3) | rmReg);
  }

  // Immediates (group 3's TEST is the only member with one: attrs.immRegs).
  const immRegs = entry.attrs.immRegs;
  const skipImmediate = immRegs !== undefined && ((immRegs >> groupReg) & 1) === 0;
  for (const o of ops) {
    if (skipImmediate && /^I/.test(o)) continue;
    switch (o) {
      case 'Ib': {
        let v = SHIFTS.test(mn) ? b.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, rng.below(256)]) : rng.below(256);
        if (/^(?:SHLD|SHRD)$/.test(mn) && b.size === 2 && (v & 31) > 16) v &= 15;
        if (SHIFTS.test(mn)) b.count = v & 31;
        b.body.push(v);
        break;
      }
      case 'Iz': case 'Iv': b.body.push(...le(randomValue(rng), b.oszBytes)); break;
      case 'Iw': b.body.push(...le(rng.below(0x10000), 2)); break;
      case 'CL':
        if (SHIFTS.test(mn)) {
          let c = b.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, rng.below(256)]);
          if (/^(?:SHLD|SHRD)$/.test(mn) && b.size === 2 && (c & 31) > 16) c &= 15;
          b.setRegLow(1, c, 8);
          b.count = c & 31;
        }
        break;
      case '1': b.count = 1; break;
      default: break;
    }
  }

  const operand = (): { get: () => number; set: (v: number) => void } => m
    ? { get: () => b.read(m!.phys, eSize), set: (v) => b.putValue(m!.phys, v, eSize) }
    : { get: () => b.regValue(rmReg, eSize), set: (v) => b.setOperandReg(rmReg, eSize, v) };

  switch (mn) {
    case 'DIV': case 'IDIV': {
      // Half the cases divide without overflow: a high half below the divisor (DIV) or the
      // sign extension of the low half (IDIV), unless the divisor is itself the accumulator.
      if (!b.chance(2)) break;
      const e = operand();
      const bits = 8 * eSize;
      const accumulator = !m && (eSize === 1 ? (rmReg === 0 || rmReg === 4) : (rmReg === 0 || rmReg === 2));
      if (accumulator) break;
      e.set((randomValue(rng) % 2 ** bits) || 1);
      const divisor = e.get() || 1;
      const low = b.regValue(0, eSize);
      const high = mn === 'DIV' ? rng.below(divisor) : ((low >>> (bits - 1)) & 1 ? 0xffffffff : 0);
      if (eSize === 1) b.setRegLow(4, high, 8); // AH
      else b.setRegLow(2, high, bits); // (E)DX
      break;
    }
    case 'BSF': case 'BSR': {
      const e = operand();
      if (b.chance(5)) e.set(0);
      if (e.get() === 0) b.undefRegs[reg] = b.size === 2 ? 0xffff : 0xffffffff;
      break;
    }
    case 'BSWAP':
      if (b.osz === 16) b.undefRegs[entry.code & 7] = 0xffffffff;
      break;
    case 'BT': case 'BTS': case 'BTR': case 'BTC':
      if (m && ops[1] === 'Gv') {
        // A register bit offset reaches offset/8 bytes from the operand: keep it inside the area.
        const areaStart = m.phys >= STACK_PHYS && m.phys < STACK_PHYS + WINDOW_BYTES ? STACK_PHYS
          : m.phys >= DATA_PHYS && m.phys < DATA_PHYS + WINDOW_BYTES ? DATA_PHYS : m.phys;
        let lo = -(m.phys - areaStart) * 8 + 32, hi = (areaStart + WINDOW_BYTES - 8 - m.phys) * 8;
        if (areaStart === m.phys) { lo = 0; hi = 8 * (0x1f0 - (m.phys - CODE_PHYS)) - 32; }
        if (b.osz === 16) { lo = Math.max(lo, -0x8000); hi = Math.min(hi, 0x7fff); }
        const v = lo + rng.below(Math.max(1, hi - lo));
        b.setOperandReg(reg, b.oszBytes, v >>> 0);
      }
      break;
    case 'CMPXCHG': {
      if (b.chance(2)) b.setOperandReg(0, eSize, operand().get());
      break;
    }
    case 'CMPXCHG8B':
      if (m && b.chance(2)) { b.setReg(0, b.read(m.phys, 4)); b.setReg(2, b.read(m.phys + 4, 4)); }
      break;
    case 'BOUND':
      if (m) {
        // Signed bounds (lower <= upper), an index inside them half the time.
        const w = b.oszBytes;
        const signed = (v: number) => (w === 2 ? (v << 16) >> 16 : v | 0);
        const x = signed(randomValue(rng)), y = signed(randomValue(rng));
        const lo = Math.min(x, y), hi = Math.max(x, y);
        b.putValue(m.phys, lo >>> 0, w);
        b.putValue(m.phys + w, hi >>> 0, w);
        const inside = lo + Math.floor(rng.next() / 2 ** 32 * (hi - lo + 1));
        b.setOperandReg(reg, w, (b.chance(2) ? inside : randomValue(rng)) >>> 0);
      }
      break;
    case 'SMSW':
      b.sys = true;
      if (!m && b.osz === 32) b.undefRegs[rmReg] = 0xffff0000;
      b.cr0bits = rng.below(16) & 0xe;
      break;
    case 'LMSW': {
      b.sys = true;
      b.cr0bits = rng.below(16) & 0xe;
      const v = (rng.next() & 0xfffe) | (b.real ? 0 : rng.below(2));
      operand().set(v);
      break;
    }
    case 'SGDT': case 'SIDT': case 'INVLPG': b.sys = true; break;
    case 'LGDT': case 'LIDT':
      b.sys = true;
      if (m) {
        let limit: number, base: number;
        if (mn === 'LGDT') {
          limit = b.pick([0xbf, 0xc7, 0xff, 0xffff, rng.below(0x10000)]);
          base = b.real && b.chance(2) ? rng.next() : 0x33000;
          if (!b.real) limit = Math.max(limit, 0xbf);
        } else if (b.real) {
          limit = b.pick([0x3ff, 0xffff, 0x100]); base = 0;
        } else {
          limit = b.pick([0x77f, 0x7ff, 0xffff, 0x3ff, 0x47f]); base = IDT_LINEAR;
        }
        b.putValue(m.phys, limit, 2);
        b.putValue(m.phys + 2, base, 4);
      }
      break;
    case 'MOV':
      if (gOp === 'Sw' && ops[0] === 'Sw') {
        // 8E: MOV Sreg, Ew. SS only ever gets a selector with SS's base.
        const v = reg < 6 ? segLoadValue(b, reg) : randomValue(rng);
        operand().set(v & 0xffff);
      } else if (gOp === 'Cd' || gOp === 'Dd') {
        b.sys = true;
        b.cr0bits = rng.below(64) & 0x2e;
        if (ops[0] === 'Cd') movToCr(b, reg, rmReg);
        else if (ops[0] === 'Dd') movToDr(b, reg, rmReg);
      }
      break;
    case 'LAR': case 'LSL': case 'VERR': case 'VERW':
      // Every kind of descriptor, now and then with another RPL.
      operand().set(b.chance(4) ? (b.pick(PM_ANY_SELS) & 0xfffc) | rng.below(4) : b.pick(PM_ANY_SELS));
      break;
    case 'ARPL':
      operand().set((b.pick(PM_ANY_SELS) & 0xfffc) | rng.below(4));
      b.setOperandReg(reg, 2, (b.pick(PM_ANY_SELS) & 0xfffc) | rng.below(4));
      break;
    case 'SLDT': case 'STR': b.sys = true; break;
    case 'LLDT':
      b.sys = true;
      operand().set(b.pick([SEL.LDT, SEL.LDT, SEL.NULL, SEL.TSS_BUSY, SEL.DS, SEL.PAST_GDT, SEL.LDT_DATA, 0x7b]));
      break;
    case 'LTR':
      b.sys = true;
      operand().set(b.pick([SEL.TSS_AVAIL, SEL.TSS_AVAIL, SEL.TSS_BUSY, SEL.NULL, SEL.DS, SEL.LDT, SEL.PAST_GDT, 0xab]));
      break;
    case 'ESC':
      b.cr0bits = b.pick([0x4, 0x8, 0xc, 0x6, 0xe, 0x24]);
      break;
    case 'CALL': case 'JMP': {
      // FF /2, FF /4: an offset on an INT3 after the snippet (now and then one past the CS limit).
      const len = b.prefixes.length + b.body.length + (b.segPrefix >= 0 ? 1 : 0) + (b.osz !== b.env.bits ? 1 : 0) + (b.asz !== b.env.bits ? 1 : 0);
      let t = b.padTarget(len);
      if (b.osz === 32 && b.chance(10)) t |= 0x10000;
      operand().set(t);
      break;
    }
    case 'CALLF': case 'JMPF':
      if (m) {
        const len = b.prefixes.length + b.body.length + (b.segPrefix >= 0 ? 1 : 0) + (b.osz !== b.env.bits ? 1 : 0) + (b.asz !== b.env.bits ? 1 : 0);
        const t = farTarget(b, len, true);
        b.putValue(m.phys, t.off, b.oszBytes);
        b.putValue(m.phys + b.oszBytes, t.sel, 2);
      }
      break;
    case 'POP':
      // 8F /0: POP Ev (into ESP: a value inside the stack page).
      if (!m && rmReg === ESP) b.putStack(0, b.saneSp(), b.oszBytes);
      break;
    default: break;
  }
  if (mn === 'LES' || mn === 'LDS' || mn === 'LSS' || mn === 'LFS' || mn === 'LGS') farLoad(b, mn, m, reg);
  b.undef |= undefinedFlags(mn, b.count, b.size);
}

/** The harness's IDT (harness.asm `idt`, at ROM offset IDT_ROM_OFF), for LIDT images. */
const IDT_LINEAR = 0xf0000 + IDT_ROM_OFF;

function movToCr(b: Builder, cr: number, src: number): void {
  const rng = b.rng;
  let v: number;
  switch (cr) {
    case 0: {
      // Keep PE as it is and PG clear; CD/NW, WP, AM, NE, MP/EM/TS and reserved bits at random.
      v = (b.real ? 0 : 1) | (rng.next() & 0x6005_002e);
      if (b.chance(4)) v |= rng.next() & 0x0ffa_ffc0;
      break;
    }
    case 4: v = rng.next() & (0x4 | 0x8 | 0x10 | 0x20 | 0x80 | 0x100); break; // TSD DE PSE PAE PGE PCE
    default: v = randomValue(rng);
  }
  b.setOperandReg(src, 4, v);
}

function movToDr(b: Builder, dr: number, src: number): void {
  const rng = b.rng;
  let v = randomValue(rng);
  if (dr === 7 || dr === 5) v = (rng.next() & ~0x20ff) >>> 0; // no breakpoint enabled, GD clear
  b.setOperandReg(src, 4, v);
}

/** LES/LDS/LSS/LFS/LGS: a far pointer in memory (SS: only selectors with SS's base, or faulting ones). */
function farLoad(b: Builder, mn: string, m: MemOperand | undefined, reg: number): void {
  if (!m) return;
  const w = b.oszBytes;
  const seg = { LES: SegIdx.ES, LDS: SegIdx.DS, LSS: SegIdx.SS, LFS: SegIdx.FS, LGS: SegIdx.GS }[mn]!;
  const sel = segLoadValue(b, seg);
  // Only LSS may load ESP (with a stack-page value); the others get a random offset.
  const off = reg === ESP ? b.saneSp() : randomValue(b.rng);
  b.putValue(m.phys, off, w);
  b.putValue(m.phys + w, sel, 2);
}

/**
 * Forms that need their own operands (no ModRM, or values the generic path
 * cannot choose): returns false for the generic ModRM path.
 */
function special(b: Builder, entry: OpcodeEntry, mn: string, groupReg: number): boolean {
  const rng = b.rng;
  const ops = entry.operands;
  const c = entry.code;
  const w = b.oszBytes;
  const len = () => b.prefixes.length + b.body.length + (b.segPrefix >= 0 ? 1 : 0) + (b.osz !== b.env.bits ? 1 : 0) + (b.asz !== b.env.bits ? 1 : 0);
  switch (mn) {
    case 'PUSH':
      if (ops[0] === 'Zv') return true;
      if (ops[0] === 'Iz') { b.body.push(...le(randomValue(rng), w)); return true; }
      if (ops[0] === 'Ib') { b.body.push(rng.below(256)); return true; }
      if (/^[ECSDFG]S$/.test(ops[0] ?? '')) {
        // A 32-bit push of a segment register: the slot's upper half is implementation-specific (SDM "PUSH").
        if (w === 4) for (const k of [-2, -1]) b.undefStack.push(b.ssPhys(b.sp + k) - STACK_PHYS);
        return true;
      }
      return false; // FF /6
    case 'POP':
      if (ops[0] === 'Zv') {
        if ((c & 7) === ESP) b.putStack(0, b.saneSp(), w);
        return true;
      }
      if (/^[ECSDFG]S$/.test(ops[0] ?? '')) {
        const seg = { ES: SegIdx.ES, SS: SegIdx.SS, DS: SegIdx.DS, FS: SegIdx.FS, GS: SegIdx.GS }[ops[0] as 'ES']!;
        b.putStack(0, segLoadValue(b, seg) | (w === 4 ? rng.next() & 0xffff0000 : 0), w);
        return true;
      }
      return false; // 8F /0
    case 'PUSHA': return true;
    case 'POPA': return true;
    case 'PUSHF': return true;
    case 'POPF': {
      let v = rng.next();
      if (b.chance(2)) v &= ~TF;
      b.putStack(0, v, w);
      return true;
    }
    case 'ENTER': {
      const size = b.pick([0, 2, 4, 8, 0x10, rng.below(0x200)]);
      const level = b.pick([0, 1, 2, 3, rng.below(32), rng.below(256)]);
      b.body.push(...le(size, 2), level);
      const bp = b.saneSp() + 0x100;
      b.setRegLow(EBP, bp, b.stack16 ? 16 : 32);
      return true;
    }
    case 'LEAVE':
      b.setRegLow(EBP, b.saneSp() + 0x80, b.stack16 ? 16 : 32);
      return true;
    case 'RET': case 'RETF': {
      const n = ops[0] === 'Iw' ? b.pick([0, 2, 4, 6, 8, rng.below(0x100), rng.below(0x10000)]) : -1;
      if (n >= 0) b.body.push(...le(n, 2));
      if (mn === 'RET') {
        let t = b.padTarget(len());
        if (w === 4 && b.chance(10)) t |= 0x10000;
        b.putStack(0, t, w);
      } else {
        const t = farTarget(b, len(), false);
        b.putStack(0, t.off, w);
        b.putStack(w, t.sel | (w === 4 ? rng.next() & 0xffff0000 : 0), w);
      }
      return true;
    }
    case 'IRET': {
      const t = farTarget(b, len(), false);
      let flags = rng.next();
      if (b.chance(2)) flags &= ~TF;
      if (!b.real) flags &= ~0x20000; // VM: a return to virtual-8086 mode is out of scope
      b.putStack(0, t.off, w);
      b.putStack(w, t.sel | (w === 4 ? rng.next() & 0xffff0000 : 0), w);
      b.putStack(2 * w, flags, w);
      return true;
    }
    case 'CALLF': case 'JMPF':
      if (ops[0] === 'Ap') {
        const t = farTarget(b, len() + w + 2, true);
        b.body.push(...le(t.off, w), ...le(t.sel, 2));
        return true;
      }
      return false;
    case 'INT': {
      const v = b.pick([0, 1, 3, 4, 5, 6, 8, 13, 0x10, 0x21, 0x80, NP_VECTOR, 0xef, 0xf0, 0xff, rng.below(256)]);
      b.body.push(v);
      b.softInt = v;
      return true;
    }
    case 'INT3': b.softInt = 3; return true;
    case 'INT1': b.softInt = 1; return true;
    case 'INTO': b.softInt = 4; return true;
    case 'AAM': case 'AAD':
      b.body.push(b.chance(8) ? 0 : b.chance(2) ? 10 : rng.below(256));
      b.undef |= undefinedFlags(mn);
      return true;
    case 'DAA': case 'DAS': case 'AAA': case 'AAS':
      b.undef |= undefinedFlags(mn);
      return true;
    case 'XLAT': {
      const al = b.regs[0]! & 0xff;
      let seg: number = SegIdx.DS;
      if (b.chance(5)) { seg = b.pick([SegIdx.ES, SegIdx.SS, SegIdx.FS, SegIdx.GS]); b.segPrefix = seg; }
      const phys = DATA_PHYS + 0x40 + rng.below(WINDOW_BYTES - 0x80);
      b.setRegLow(3, phys - al - b.env.base[seg]!, b.asz);
      return true;
    }
    case 'MOV':
      if (ops[0] === 'Zv' && ops[1] === 'Iv') {
        b.body.push(...le((c & 7) === ESP ? b.saneSp() : randomValue(rng), w));
        return true;
      }
      if (ops[0] === 'Zb') { b.body.push(rng.below(256)); return true; }
      if (/^O/.test(ops[0] ?? '') || /^O/.test(ops[1] ?? '')) {
        const bytes = ops.includes('Ob') ? 1 : w;
        let seg: number = SegIdx.DS;
        if (b.chance(5)) { seg = b.pick([SegIdx.ES, SegIdx.SS, SegIdx.FS, SegIdx.GS, SegIdx.CS]); b.segPrefix = seg; }
        const phys = seg === SegIdx.CS ? CODE_PHYS + 0x140 + rng.below(0xa0) : DATA_PHYS + rng.below(WINDOW_BYTES - 4);
        b.body.push(...le(phys - b.env.base[seg]!, b.asz / 8));
        b.size = bytes;
        return true;
      }
      return false;
    case 'XCHG':
      if (ops[0] === 'Zv') {
        if ((c & 7) === ESP) b.setRegLow(0, b.saneSp(), b.stack16 ? 16 : 32);
        return true;
      }
      return false;
    case 'INC': case 'DEC':
      if (ops[0] === 'Zv') { b.size = w; return true; }
      return false;
    case 'IN': case 'OUT': {
      if (ops.includes('Ib')) b.body.push(b.pick(FREE_PORTS));
      else b.setRegLow(2, b.pick(FREE_PORTS_DX), 16);
      return true;
    }
    case 'RDMSR': case 'WRMSR':
      b.setReg(1, b.pick([0x174, 0x175, 0x176]));
      if (mn === 'WRMSR') b.setReg(2, 0);
      return true;
    case 'WAIT':
      b.cr0bits = rng.below(16) & 0xa;
      return true;
    case 'CLTS':
      b.sys = true;
      b.cr0bits = rng.below(16) & 0xe;
      return true;
    case 'SYSENTER': case 'SYSEXIT': case 'INVD': case 'WBINVD': case 'UD2':
      return true;
    default:
      if (ops.length === 0) return true; // CBW, CWD, SAHF, LAHF, CLC..STD, CMC, NOP, SALC, ...
      if (ops.length === 2 && /^(?:AL|eAX)$/.test(ops[0]!) && /^I[bz]$/.test(ops[1]!)) {
        // ALU accumulator, immediate.
        const bytes = ops[0] === 'AL' ? 1 : w;
        b.body.push(...le(randomValue(rng), ops[1] === 'Ib' ? 1 : bytes));
        b.size = bytes;
        b.undef |= undefinedFlags(mn, -1, bytes);
        return true;
      }
      return false;
  }
}

/** Re-exported for the comparison: where the INT3 bytes after a snippet start. */
export const CASE_ENTRY = { eip: SNIPPET_OFF, gate: GATE_TARGET };
