/**
 * The harness's per-case lines (see harness.asm), parsed and interpreted in
 * terms of the case, and the comparison of two of them (Bochs's, the
 * reference, against anillo's), masking what the SDM leaves undefined.
 */
import { Rng } from '../case-generator.js';
import {
  CODE_BYTES, PATTERN_BYTES, POOL_BYTES, POOL_OFF_MASK, POOL_SEED, SEL, SNIPPET_OFF, SS_BASE, STACK_PHYS, SegIdx, WINDOW_BYTES, checkBanner, type BxCase,
} from './layout.js';
import type { GeneratedBxCase } from './cases.js';

/** One case's line, parsed. */
export interface BxResult {
  vector: number;
  /** The first four dwords at SS:ESP in the handler. */
  frame: number[];
  /** EAX ECX EDX EBX ESP EBP ESI EDI as the handler found them (ESP below the frame). */
  regs: number[];
  /** ES SS DS FS GS. */
  segs: number[];
  hflags: number;
  /** CR0 CR2 CR3 CR4 DR0 DR1 DR2 DR3 DR6 DR7 GDTR.limit GDTR.base IDTR.limit IDTR.base LDTR TR. */
  sys?: number[];
  /** Differing dwords per area (D data window, S stack page, C code area): offset -> 4 bytes. */
  mem: Record<'D' | 'S' | 'C', Map<number, number[]>>;
}

export const SYS_NAMES = ['cr0', 'cr2', 'cr3', 'cr4', 'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7',
  'gdtr.limit', 'gdtr.base', 'idtr.limit', 'idtr.base', 'ldtr', 'tr'] as const;
const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const SEG_NAMES = ['es', 'ss', 'ds', 'fs', 'gs'] as const;

/** Splits a run's output into the case lines by id (the text after "@id "); checks the banner. */
export function splitOutput(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let bannerSeen = false;
  for (const raw of text.split('\n')) {
    const at = raw.indexOf('@');
    const bx = raw.indexOf('BXCC ');
    if (bx >= 0 && !bannerSeen) { checkBanner(raw.slice(bx)); bannerSeen = true; continue; }
    if (at < 0) continue;
    const line = raw.slice(at + 1);
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    out.set(parseInt(line.slice(0, sp), 16), line.slice(sp + 1).trim());
  }
  if (!bannerSeen && out.size > 0) throw new Error('harness banner missing');
  return out;
}

/** Parses the part of a case line after its id. */
export function parseLine(line: string): BxResult {
  const tokens = line.trim().split(/\s+/);
  const nums: number[] = [];
  let i = 0;
  while (i < tokens.length && /^[0-9a-f]+$/.test(tokens[i]!)) nums.push(parseInt(tokens[i++]!, 16));
  if (nums.length !== 19 && nums.length !== 35) throw new Error(`malformed case line (${nums.length} fields): ${line}`);
  const mem: BxResult['mem'] = { D: new Map(), S: new Map(), C: new Map() };
  let area: Map<number, number[]> | undefined;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'D' || t === 'S' || t === 'C') { area = mem[t]; continue; }
    const m = /^([0-9a-f]+)=([0-9a-f]+)$/.exec(t);
    if (!m || !area || m[2]!.length % 8 !== 0) throw new Error(`malformed memory run "${t}" in: ${line}`);
    const off = parseInt(m[1]!, 16);
    for (let k = 0; k < m[2]!.length / 8; k++) {
      const bytes: number[] = [];
      for (let j = 0; j < 4; j++) bytes.push(parseInt(m[2]!.slice(k * 8 + j * 2, k * 8 + j * 2 + 2), 16));
      area.set(off + 4 * k, bytes);
    }
  }
  return {
    vector: nums[0]!, frame: nums.slice(1, 5), regs: nums.slice(5, 13), segs: nums.slice(13, 18), hflags: nums[18]!,
    sys: nums.length === 35 ? nums.slice(19) : undefined, mem,
  };
}

/** Vectors whose exceptions push an error code (SDM Vol. 3A Table 6-1). */
const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);

/** What a result means for its case. */
export interface Outcome {
  /** `ok`: the INT3 right after the snippet was reached; `event`: any other interrupt or exception. */
  kind: 'ok' | 'event';
  vector: number;
  errorCode?: number;
  eip: number;
  cs: number;
  /** The frame slot's upper 16 bits above CS (protected mode). */
  csHigh: number;
  eflags: number;
  regs: number[];
  /** Stack-page offset and length of the exception frame (compared field by field, not as bytes). */
  frameAt: number;
  frameBytes: number;
}

/** Interprets a result: the exception frame in the case's mode, ESP at the event. */
export function interpret(g: Pick<GeneratedBxCase, 'case' | 'softInt'>, r: BxResult): Outcome {
  const c = g.case;
  const f = r.frame;
  let eip: number, cs: number, csHigh = 0, eflags: number, errorCode: number | undefined, frameBytes: number;
  if (c.mode === 'real16') {
    eip = f[0]! & 0xffff; cs = f[0]! >>> 16; eflags = f[1]! & 0xffff; frameBytes = 6;
  } else {
    const hasError = ERROR_CODE_VECTORS.has(r.vector) && r.vector !== g.softInt;
    const k = hasError ? 1 : 0;
    if (hasError) errorCode = f[0]!;
    eip = f[k]!; cs = f[k + 1]! & 0xffff; csHigh = f[k + 1]! >>> 16; eflags = f[k + 2]!; frameBytes = hasError ? 16 : 12;
  }
  const regs = [...r.regs];
  const sp16 = c.mode === 'real16' || r.segs[1] === SEL.SS16;
  const esp = regs[4]!;
  regs[4] = sp16 ? ((esp & 0xffff0000) | ((esp + frameBytes) & 0xffff)) >>> 0 : (esp + frameBytes) >>> 0;
  const end = SNIPPET_OFF + c.code.length;
  const ok = r.vector === 3 && g.softInt === undefined && eip === end + 1 && cs === c.segs[SegIdx.CS];
  const frameAt = SS_BASE + (sp16 ? esp & 0xffff : esp) - STACK_PHYS;
  return { kind: ok ? 'ok' : 'event', vector: r.vector, errorCode, eip: ok ? end : eip, cs, csHigh, eflags, regs, frameAt, frameBytes };
}

let pool: Uint8Array | undefined;

/** The harness's random pool (xorshift32 from POOL_SEED, as harness.asm builds it). */
export function randomPool(): Uint8Array {
  if (pool) return pool;
  pool = new Uint8Array(POOL_BYTES);
  const view = new DataView(pool.buffer);
  const rng = new Rng(POOL_SEED);
  for (let i = 0; i < POOL_BYTES; i += 4) view.setUint32(i, rng.next(), true);
  return pool;
}

/** The PATTERN_BYTES random bytes a seed selects. */
export function patternOf(seed: number): Uint8Array {
  const off = seed & POOL_OFF_MASK;
  return randomPool().subarray(off, off + PATTERN_BYTES);
}

/** The areas' initial images (what the harness compares against). */
export function initialImages(c: BxCase): Record<'D' | 'S' | 'C', Uint8Array> {
  const D = new Uint8Array(WINDOW_BYTES);
  D.set(patternOf(c.dataSeed));
  for (const r of c.dataRuns) D.set(r.bytes, r.off);
  const S = new Uint8Array(WINDOW_BYTES);
  S.set(patternOf(c.stackSeed), PATTERN_BYTES);
  for (const r of c.stackRuns) S.set(r.bytes, r.off);
  const C = new Uint8Array(CODE_BYTES).fill(0xcc);
  C.set(c.code);
  return { D, S, C };
}

function sameBytes(a: number[] | undefined, b: number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

function lazyImages(c: BxCase): () => Record<'D' | 'S' | 'C', Uint8Array> {
  let images: Record<'D' | 'S' | 'C', Uint8Array> | undefined;
  return () => (images ??= initialImages(c));
}

function finalImage(initial: Uint8Array, diffs: Map<number, number[]>): Uint8Array {
  const out = new Uint8Array(initial);
  for (const [off, bytes] of diffs) out.set(bytes.slice(0, Math.max(0, out.length - off)), off);
  return out;
}

const hex = (v: number | undefined): string => (v === undefined ? '-' : `0x${(v >>> 0).toString(16)}`);

/** EFLAGS bits compared in a frame (real mode: the 16-bit FLAGS image). */
const PM_FLAGS = 0x003f_7fd5;
const RM_FLAGS = 0x7fd5;
/** hflags bits compared: AC VIF VIP ID (the case's upper EFLAGS bits, seen inside the handler). */
const HFLAGS_UPPER = 0x003c_0000;

/**
 * System-register bits not compared, where Bochs and the SDM part ways:
 * - CR3 bits 2:0: the SDM's Figure 2-7 shows them reserved and the MOV CR page says reserved
 *   bits "remain clear after any load"; Table 4-3 calls them ignored. Bochs stores them, anillo
 *   clears them.
 * - DR7 bit 11: reserved (reads 0) on processors without RTM (SDM Vol. 3B Figure 17-1); Bochs
 *   keeps whatever is written there.
 */
const SYS_UNCOMPARED: Partial<Record<(typeof SYS_NAMES)[number], number>> = { cr3: 0x7, dr7: 0x800 };

/**
 * Forms whose memory is not compared when they fault: SGDT/SIDT whose 6-byte image crosses the
 * segment limit. Bochs stores the limit word before the base store raises #GP/#SS; the SDM's
 * faults leave the machine as it was before the instruction (Vol. 3A §6.5), as anillo does.
 */
const PARTIAL_STORE_ON_FAULT = /^(?:SGDT|SIDT)$/;

/** What the comparison may ignore for a case. */
export type CompareMeta = Pick<GeneratedBxCase, 'case' | 'softInt' | 'undef' | 'undefRegs' | 'undefStack' | 'mnemonic'>;

/**
 * Differences between the expected (Bochs) and actual (anillo) results of a
 * case, as readable lines (empty when they agree).
 */
export function compareBx(g: CompareMeta, expected: BxResult, actual: BxResult): string[] {
  const out: string[] = [];
  const e = interpret(g, expected), a = interpret(g, actual);
  const what = (o: Outcome) => o.kind === 'ok' ? `ok at ${hex(o.eip)}` : `#${o.vector}${o.errorCode !== undefined ? `(${hex(o.errorCode)})` : ''} at ${hex(o.cs)}:${hex(o.eip)}`;
  const sameEvent = e.kind === a.kind && e.vector === a.vector;
  if (!sameEvent || e.eip !== a.eip || e.cs !== a.cs) out.push(`event: expected ${what(e)}, got ${what(a)}`);
  else if (e.errorCode !== a.errorCode) out.push(`error code: expected ${hex(e.errorCode)}, got ${hex(a.errorCode)}`);
  if (sameEvent) {
    if (e.csHigh !== a.csHigh) out.push(`frame CS slot bits 31:16: expected ${hex(e.csHigh)}, got ${hex(a.csHigh)}`);
    const mask = (g.case.mode === 'real16' ? RM_FLAGS : PM_FLAGS) & ~g.undef;
    if (((e.eflags ^ a.eflags) & mask) !== 0) {
      out.push(`eflags: expected ${hex(e.eflags & mask)}, got ${hex(a.eflags & mask)} (differing ${hex((e.eflags ^ a.eflags) & mask)})`);
    }
  }
  if (((expected.hflags ^ actual.hflags) & HFLAGS_UPPER) !== 0) {
    out.push(`eflags[21:18]: expected ${hex(expected.hflags & HFLAGS_UPPER)}, got ${hex(actual.hflags & HFLAGS_UPPER)}`);
  }
  for (let r = 0; r < 8; r++) {
    if (r === 4 && !sameEvent) continue;
    const m = ~(g.undefRegs[r] ?? 0);
    if (((e.regs[r]! ^ a.regs[r]!) & m) !== 0) out.push(`${REG_NAMES[r]}: expected ${hex(e.regs[r])}, got ${hex(a.regs[r])}`);
  }
  for (let s = 0; s < 5; s++) {
    if (expected.segs[s] !== actual.segs[s]) out.push(`${SEG_NAMES[s]}: expected ${hex(expected.segs[s])}, got ${hex(actual.segs[s])}`);
  }
  if (expected.sys && actual.sys) {
    SYS_NAMES.forEach((name, i) => {
      const m = ~(SYS_UNCOMPARED[name] ?? 0);
      if (((expected.sys![i]! ^ actual.sys![i]!) & m) !== 0) out.push(`${name}: expected ${hex(expected.sys![i])}, got ${hex(actual.sys![i])}`);
    });
  }
  const images = lazyImages(g.case);
  const ignore = { D: new Set<number>(), S: new Set(g.undefStack), C: new Set<number>() };
  for (const o of [e, a]) for (let i = 0; i < o.frameBytes; i++) ignore.S.add(o.frameAt + i);
  const skipData = PARTIAL_STORE_ON_FAULT.test(g.mnemonic) && e.kind === 'event' && (e.vector === 12 || e.vector === 13);
  for (const area of ['D', 'S', 'C'] as const) {
    if (area === 'D' && skipData) continue;
    const xs = expected.mem[area], ys = actual.mem[area];
    // Only dwords one side reported can differ.
    const offsets = new Set([...xs.keys(), ...ys.keys()]);
    if ([...offsets].every((o) => sameBytes(xs.get(o), ys.get(o)))) continue;
    const x = finalImage(images()[area], xs);
    const y = finalImage(images()[area], ys);
    let first = -1, count = 0;
    for (const o of [...offsets].sort((p, q) => p - q)) {
      for (let i = o; i < o + 4 && i < x.length; i++) {
        if (x[i] !== y[i] && !ignore[area].has(i)) { if (first < 0) first = i; count++; }
      }
    }
    if (first >= 0) {
      const name = { D: 'data', S: 'stack', C: 'code' }[area];
      out.push(`${name}[0x${first.toString(16)}]: expected 0x${x[first]!.toString(16)}, got 0x${y[first]!.toString(16)}${count > 1 ? ` (${count} bytes differ)` : ''}`);
    }
  }
  return out;
}
