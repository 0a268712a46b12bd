/**
 * Native fidelity oracle: runs i386 code snippets on the host CPU (through
 * the 32-bit helper `build/oracle/oracle32`, built from `tools/oracle/oracle.c`
 * by `scripts/build-oracle.sh`; mode 64 through the x86-64 helper
 * `build/oracle/oracle64`, from `tools/oracle/oracle64.c`) and reports the
 * machine state afterwards, so the emulator's results can be compared against
 * real hardware.
 *
 * ## Memory layout (identical for the helper and the emulator harness)
 *
 * | area       | linear                  | contents at start                               |
 * |------------|-------------------------|-------------------------------------------------|
 * | code page  | 0x00100000–0x00100FFF   | `0xCC` (int3) everywhere, snippet at +0x100, `int3` right after it |
 * | data area  | 0x00110000–0x00111FFF   | {@link OracleCase.data}, zero-filled            |
 * | stack page | 0x00118000–0x00118FFF   | {@link OracleCase.stack}, zero-filled           |
 *
 * 0x00101000–0x0010FFFF, 0x00112000–0x00117FFF and 0x00119000–0x0011FFFF are
 * unmapped (accesses there raise #PF). Anything else in the 4 GiB space
 * belongs to the helper process: snippets must not touch it.
 *
 * - Mode 32: flat user segments of the host (CS = `cs32`, DS = ES = SS = FS =
 *   GS = `ds32`, see {@link OracleInfo}); the snippet starts at EIP 0x00100100.
 * - Mode 16: LDT segments: CS = `cs16` (16-bit code, base 0x00100000, limit
 *   0xFFFF) and DS = ES = SS = FS = GS = `ds16` (16-bit writable data, base
 *   0x00110000, limit 0xFFFF, B = 0). The snippet starts at IP 0x0100; data
 *   offsets 0x0000–0x1FFF are the data area, 0x8000–0x8FFF the stack page.
 * - Mode 64: 64-bit mode (x86-64 helper) in the same linear layout, running
 *   {@link OracleCase.code64} from RIP 0x00100100; see "Mode 64" below.
 *
 * ## Entry state
 *
 * EAX..EDI, ESP, EIP, EFLAGS and all selectors are loaded atomically by a
 * signal return, so *nothing* is written to the case's stack or anywhere else
 * before the snippet's first instruction. Only the EFLAGS bits in
 * {@link SETTABLE_EFLAGS} (CF PF AF ZF SF TF DF OF AC) come from the case; bit
 * 1 and IF are always 1 and IOPL, NT, RF, VM, VIF, VIP, ID are always 0 (see
 * {@link effectiveEflags}; results carry it as `initialEflags`). With TF set,
 * the first single-step trap comes after the snippet's first instruction.
 * The SSE state is the kernel's initial one (MXCSR 0x1F80) unless the case
 * gives {@link OracleCase.sse}. The x87 state is the FNINIT state (FCW
 * 0x037F, FSW 0, all registers empty) unless the case gives
 * {@link OracleCase.x87} (mode 64 only, see "x87 and SSE state" below).
 *
 * ## Mode 64 (hosts without IA-32 user mode)
 *
 * Where the kernel cannot run 32-bit code (oracle32 fails with ENOEXEC, far
 * jumps to 32/16-bit code selectors raise #GP: a kernel without IA32
 * emulation, or a PVM guest), the x86-64 helper still lets the host CPU
 * answer for what 64-bit mode executes exactly like 32-bit protected mode.
 * Without REX the operand size is 32 (0x66 gives 16; byte forms, AH..BH
 * included, are the same), so ALU ops, shifts/rotates, SHLD/SHRD, MUL/IMUL/
 * DIV/IDIV, BT*, BSF/BSR, BSWAP, CMPXCHG, CMPXCHG8B, XADD, XCHG, MOV/MOVZX/
 * MOVSX, LEA, SETcc, CMOVcc, CBW..CDQ, LAHF/SAHF, CLC..STD, string
 * instructions, XLAT, LOOP/JECXZ/Jcc, NOPs and the faults they raise behave
 * as in mode 32.
 *
 * A mode-64 case carries two encodings: {@link OracleCase.code}, the snippet
 * as it runs in mode 32 (what the emulator runs), and
 * {@link OracleCase.code64}, what the host runs: the same instructions with
 * an 0x67 prefix on every one that forms an address (ModRM memory operands,
 * string instructions, XLAT, the moffs MOVs A0–A3, and LOOP/LOOPcc/JECXZ so
 * that they count in ECX), so that addresses are computed in 32 bits and
 * zero-extended exactly as in flat mode 32, and with relative branch
 * displacements re-encoded for the longer instructions. The caller must
 * avoid what long mode decodes or executes differently:
 * - ModRM mod=00 rm=101 (disp32) is RIP-relative: use the SIB form
 *   (`67 8B 04 25 disp32`) or, for A0–A3, the moffs32 form (`67 A1 disp32`);
 * - 40–4F are REX prefixes (INC/DEC r32 are FF /0, FF /1); 0x82 is #UD;
 * - anything using the stack (PUSH/POP, CALL/RET, ENTER/LEAVE, PUSHF/POPF,
 *   IRET) has 64-bit slots; PUSHA/POPA, segment pushes/pops, BCD, INTO,
 *   BOUND, LES/LDS (VEX), far CALL/JMP/RET, ARPL (MOVSXD), SALC are invalid
 *   or different;
 * - segments: DS/ES start null (reading them gives 0, and a null DS/ES
 *   does not make memory accesses fault as in mode 32), CS/SS are the
 *   64-bit selectors. CS/DS/ES/SS overrides are ignored (bases are 0, as in
 *   flat mode 32); FS and GS bases are 0 while a snippet runs, so FS:/GS:
 *   address the flat space too;
 * - SGDT/SIDT store 10 bytes; `syscall` clobbers ECX (and R11); `int 0x80`
 *   is a 32-bit system call only where the kernel has IA-32 emulation (else
 *   #GP(0x402));
 * - 0x66 on a near branch: AMD (this project's hosts) truncates RIP to 16
 *   bits as mode 32 does with EIP; Intel ignores the prefix in 64-bit mode;
 * - the 0x67 makes each instruction one byte longer: one that is 15 bytes in
 *   mode 32 raises #GP in mode 64.
 *
 * RAX..RDI (RSP too) start as the zero-extended 32-bit case values, R8..R15
 * as 0, RIP as 0x00100100. Registers are reported as their low 32 bits and
 * `eip` as the low half of RIP, which is an address in `code64`'s layout
 * (kind `ok`: the end of `code64`; faults: the instruction in `code64`), and
 * {@link OracleResult.code} is the final page of `code64`. A 32-bit operation
 * zero-extends its destination in 64-bit mode; that is invisible here since
 * every upper half starts at 0. A register whose upper half is non-zero at
 * the end (a stray REX.W, a LOOP without 0x67 that took RCX below 0, a
 * string instruction without 0x67 that carried RSI/RDI past 4 GiB, ...) is
 * listed in {@link OracleResult.upper}. Segment selectors are the process's:
 * ignore them in mode 64.
 *
 * ## Wire protocol (stdin/stdout of the helper, one line per case)
 *
 * ```
 * → case id=7 mode=32 eax=ffffffff ecx=0 edx=0 ebx=1 esp=119000 ebp=0 esi=0 edi=0 eflags=2 code=01d8 data=10:aabb stack=-
 * ← result id=7 kind=ok sig=5 eax=0 ecx=0 ... eip=100102 eflags=257 cs=23 ds=2b es=2b ss=2b fs=2b gs=2b code=- data=- stack=-
 * ```
 * Numbers are hex without prefix. `data`/`stack` (input) and `code`/`data`/
 * `stack` (output) are SPARSE: `-` or comma-separated `OFF:HEX` runs; input
 * runs are laid over zeros, output runs over the case's initial image. A fault
 * adds `vector=V err=E` (+ `cr2=A` for #PF, + `guessed=1` when the vector was
 * derived from the signal because the sigcontext had none, which happens only
 * under a user-mode emulator). A malformed case is answered by
 * `error id=N msg=WHY`. The helper first prints a hello line
 * (`oracle version=1 arch=i386 code_base=... cs32=.. ds32=.. cs16=.. ds16=..
 * seccomp=1`; the x86-64 helper says `arch=x86_64` and adds `cs64=.. ss64=..`).
 * A `mode=64` case line carries `code64` as its `code=` (the helper only sees
 * the encoding it runs), and its result adds `upper=`: `-` or comma-separated
 * `NAME:HEX` for the registers (eax..edi, eip, cr2) whose upper 32 bits are
 * non-zero at the end, HEX being those upper bits. Each helper answers only
 * its own modes (an `error` line otherwise). New state (x87/SSE for issue 4)
 * is added as new `key=value` tokens.
 *
 * ## x87 and SSE state (mode 64)
 *
 * A case may carry `fcw=H fsw=H ftw=H st=R0,...,R7` ({@link X87Image}): the
 * helper writes them into the FXSAVE image of the launch signal frame, which
 * sigreturn loads, so the snippet starts with exactly that x87 state (FSW's
 * TOP included; `ftw` is FXSAVE's abridged tag, bit i for physical register
 * i; `st` lists ST(0)..ST(7), each 80-bit value as 20 hex digits, sign and
 * exponent first). Its result then adds the same tokens plus `fop=`, read
 * from the FXSAVE image of the signal frame that ended the snippet: the
 * state the snippet left, before the helper's handler runs any x87 code.
 * The last-instruction/operand pointers are not reported: AMD processors
 * save FOP/FIP/FDP only while an exception is pending, and in 64-bit mode
 * they are addresses in `code64`'s layout anyway. The hello line of a helper
 * that knows these tokens says `x87=1`.
 *
 * Likewise `mxcsr=H xmm=X0,...,X7` ({@link SseImage}; XMM registers as 32
 * hex digits, most significant first) go into the same image (with an
 * XSAVE frame, XSTATE_BV's SSE bit is set too) and come back from it; a
 * SIMD floating-point exception arrives as a fault with vector 13h (Linux
 * reports #XM's trap number with SIGFPE). Helpers that know them say
 * `sse=1`.
 *
 * ## Results
 *
 * `kind` is `ok` (the terminating int3 was reached; `eip` = end of snippet),
 * `fault` (any exception: `vector` = hardware vector from the kernel's
 * `trapno`, `errorCode`, `cr2` for #PF; `eip` = faulting instruction for
 * faults, next instruction for traps such as #BP, #OF, single-step #DB),
 * `timeout` (still running after the timeout; state where it was
 * interrupted) or `syscall` (the snippet entered the kernel, e.g. `int 0x80`:
 * it was blocked by a seccomp filter and not performed; `vector` 0x80 when
 * the instruction was `int 0x80`).
 *
 * Linux specifics to keep in mind when comparing: `int n` (n ∉ {3, 4, 0x80})
 * is #GP with error code n*8+2; `int3` → 3; `into` → 4; `bound` → 5; `ud2` →
 * 6; #DE → 0; `hlt`, `cli`/`sti` (IOPL 0), `in`/`out`, CR/DR moves → #GP(0);
 * an unaligned access with AC set → #AC (17), since Linux sets CR0.AM. SGDT,
 * SIDT, SLDT, SMSW and STR run natively (no UMIP) and return host values.
 * The reported EFLAGS is the hardware image: RF (bit 16) may be set after a
 * fault and TF stays set after a single-step trap; mask them as appropriate.
 *
 * @module
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Linear base of the code page (4 KiB, RWX). Base of the 16-bit code segment. */
export const CODE_BASE = 0x0010_0000;
/** Size of the code page. */
export const CODE_SIZE = 0x1000;
/** Offset of the snippet in the code page: EIP 0x00100100 in mode 32, IP 0x0100 in mode 16. */
export const SNIPPET_OFFSET = 0x100;
/** Longest snippet (the terminating int3 must fit in the code page). */
export const MAX_SNIPPET_LENGTH = CODE_SIZE - SNIPPET_OFFSET - 1;
/** Byte filling the code page outside the snippet (int3). */
export const CODE_FILL = 0xcc;
/** Linear base of the data area (two pages, RW). Base of the 16-bit data segment. */
export const DATA_BASE = 0x0011_0000;
/** Size of the data area. */
export const DATA_SIZE = 0x2000;
/** Linear base of the stack page (RW); 16-bit offset 0x8000. */
export const STACK_BASE = 0x0011_8000;
/** Size of the stack page. */
export const STACK_SIZE = 0x1000;
/** Unmapped gap between the data area and the stack page: [start, end). */
export const UNMAPPED_GAP = { start: 0x0011_2000, end: 0x0011_8000 } as const;
/** Limit of both 16-bit LDT segments. */
export const SEGMENT16_LIMIT = 0xffff;
/** EFLAGS bits a case can set: CF PF AF ZF SF TF DF OF AC. */
export const SETTABLE_EFLAGS = 0x0004_0dd5;
/** EFLAGS bits always set while a snippet runs: bit 1 and IF. */
export const FIXED_EFLAGS = 0x0000_0202;
/** Trap flag. */
export const EFLAGS_TF = 0x100;
/** Resume flag (may appear in the EFLAGS image reported for faults). */
export const EFLAGS_RF = 0x1_0000;
/** Protocol version spoken by this module (the helper's hello must match). */
export const PROTOCOL_VERSION = 1;

/** How a case runs: 32 and 16 on the i386 helper, 64 on the x86-64 helper (see the module doc). */
export type OracleMode = 16 | 32 | 64;

/** Which helper binary serves a mode: `i386` (oracle32) or `x86_64` (oracle64). */
export type OracleHelperArch = 'i386' | 'x86_64';

/** The helper that runs cases of `mode`. */
export function helperArchForMode(mode: OracleMode): OracleHelperArch {
  return mode === 64 ? 'x86_64' : 'i386';
}

/** General registers in i386 encoding order. */
export interface OracleRegs {
  eax: number;
  ecx: number;
  edx: number;
  ebx: number;
  esp: number;
  ebp: number;
  esi: number;
  edi: number;
}

/** Segment selectors. */
export interface OracleSegs {
  cs: number;
  ds: number;
  es: number;
  ss: number;
  fs: number;
  gs: number;
}

/**
 * x87 state as the oracle exchanges it (see "x87 state" in the module doc):
 * the FXSAVE view: FCW, FSW, the abridged tag (bit i = physical register i
 * holds a value) and ST(0)..ST(7) as 20-hex-digit strings.
 */
export interface X87Image {
  fcw: number;
  fsw: number;
  /** Abridged tag word: bit i set when physical register i is not empty. */
  ftw: number;
  /** ST(0)..ST(7), each `SEEE` + 16 significand digits (80 bits, most significant first). */
  st: string[];
  /** Last x87 opcode (11 bits; results only, and only when an exception is pending on AMD). */
  fop?: number;
}

/**
 * SSE state as the oracle exchanges it (mode 64; tokens `mxcsr=H
 * xmm=X0,...,X7`, helpers that know them say `sse=1`): MXCSR and XMM0-XMM7
 * as 32-hex-digit strings, most significant first. It goes into and comes
 * out of the same signal-frame FXSAVE image as the x87 state.
 */
export interface SseImage {
  mxcsr: number;
  xmm: string[];
}

/** One snippet to run. */
export interface OracleCase {
  /**
   * 32: flat 32-bit user segments; 16: the 16-bit LDT segments; 64: 64-bit
   * mode on the x86-64 helper, which runs {@link code64} (see the module doc).
   */
  mode: OracleMode;
  /**
   * Machine code (bytes, or hex with optional whitespace); at most
   * {@link MAX_SNIPPET_LENGTH} bytes. Always the mode 32/16 encoding: in mode
   * 64 it is what the emulator runs, while the host runs {@link code64}.
   */
  code: Uint8Array | string;
  /**
   * The long-mode encoding of {@link code}; required in mode 64, ignored
   * otherwise: 0x67 on every address-forming instruction, branch
   * displacements adjusted (see the module doc).
   */
  code64?: Uint8Array | string;
  /** Initial general registers (all 32 bits, including ESP). */
  regs: OracleRegs;
  /** Initial EFLAGS; only {@link SETTABLE_EFLAGS} bits are honoured, see {@link effectiveEflags}. */
  eflags: number;
  /** Initial data area contents (up to {@link DATA_SIZE} bytes; the rest is zero). */
  data?: Uint8Array;
  /** Initial stack page contents (up to {@link STACK_SIZE} bytes; the rest is zero). Zero when absent. */
  stack?: Uint8Array;
  /** Initial x87 state (mode 64 only); the FNINIT state when absent. */
  x87?: X87Image;
  /** Initial SSE state (mode 64 only); the host's initial MXCSR (1F80h) when absent. */
  sse?: SseImage;
}

/** How a snippet ended. */
export type OracleResultKind = 'ok' | 'fault' | 'timeout' | 'syscall';

/** Names in {@link OracleResult.upper}: the general registers, `eip` (RIP) and `cr2`. */
export type OracleUpperName = keyof OracleRegs | 'eip' | 'cr2';

/** Machine state after one snippet. */
export interface OracleResult {
  kind: OracleResultKind;
  /** Hardware exception vector (kind `fault`; 0x80 for `int 0x80` with kind `syscall`). */
  vector?: number;
  /** Exception error code as reported by the kernel (kind `fault`). */
  errorCode?: number;
  /** Faulting linear address (kind `fault`, vector 14). */
  cr2?: number;
  /** True when `vector` was derived from the signal (never on real hardware; see module doc). */
  vectorGuessed?: boolean;
  /** Host signal number that ended the snippet (diagnostics). */
  signal: number;
  /** General registers at the end. */
  regs: OracleRegs;
  /**
   * EIP relative to the CS base (mode 32: linear, e.g. 0x00100102; mode 16:
   * IP, e.g. 0x0102; mode 64: the low half of RIP, an address in the layout
   * of {@link OracleCase.code64}).
   */
  eip: number;
  /** Hardware EFLAGS image at the end (IF always set; RF/TF see module doc). */
  eflags: number;
  /** EFLAGS the snippet actually started with ({@link effectiveEflags} of the case's). */
  initialEflags: number;
  /** Segment selectors at the end (mode 64: the process's, not comparable). */
  segs: OracleSegs;
  /**
   * Mode 64 only: the registers whose upper 32 bits are non-zero at the end
   * (name → those upper bits; `eip` stands for RIP, `cr2` for a #PF address
   * above 4 GiB). Empty, as it should be, when everything stayed in 32 bits.
   */
  upper?: Partial<Record<OracleUpperName, number>>;
  /**
   * Final code page (4 KiB; differs from {@link codePageImage} of
   * {@link nativeCode} only if the snippet wrote to it; mode 64: `code64`'s).
   */
  code: Uint8Array;
  /** Final data area (8 KiB). */
  data: Uint8Array;
  /** Final stack page (4 KiB). */
  stack: Uint8Array;
  /** Final x87 state, when the case gave an initial one. */
  x87?: X87Image;
  /** Final SSE state, when the case gave an initial one. */
  sse?: SseImage;
}

/** What the helper told about itself (its hello line). */
export interface OracleInfo {
  version: number;
  /** Which helper this is: `i386` (oracle32: modes 32, 16) or `x86_64` (oracle64: mode 64). */
  arch: OracleHelperArch;
  /** Flat 32-bit code selector used in mode 32. */
  cs32: number;
  /** Flat data selector used in mode 32 (DS, ES, SS, FS, GS). */
  ds32: number;
  /** 16-bit code selector (LDT) used in mode 16. */
  cs16: number;
  /** 16-bit data selector (LDT) used in mode 16 (DS, ES, SS, FS, GS). */
  ds16: number;
  /** Whether mode 16 is available (the kernel accepted the 16-bit LDT segments). */
  mode16: boolean;
  /** 64-bit user code selector (x86-64 helper; 0 for the i386 one). */
  cs64: number;
  /** Stack selector while a mode-64 snippet runs (x86-64 helper; 0 for the i386 one). */
  ss64: number;
  /** Whether system calls from snippets are blocked (reported as kind `syscall`). */
  seccomp: boolean;
  /** Per-case timeout in milliseconds. */
  timeoutMs: number;
  /** True when the helper runs under a wrapper command (an emulator): not hardware truth. */
  wrapped: boolean;
}

/** Options for {@link NativeOracle}. */
export interface NativeOracleOptions {
  /** Helper binary for modes 32 and 16 (default: {@link oracleBinaryPath}`(32)`). */
  binaryPath?: string;
  /** Helper binary for mode 64 (default: {@link oracleBinaryPath}`(64)`). */
  binaryPath64?: string;
  /**
   * Command prefix to run the i386 helper (modes 32, 16) under, e.g.
   * `['qemu-i386']`, only for testing this harness on hosts without 32-bit
   * user mode: results then come from an emulator, not from hardware.
   * Default: from the `ANILLO_ORACLE_WRAPPER` environment variable
   * (space-separated), else none.
   */
  wrapper?: string[];
  /**
   * The same for the x86-64 helper (mode 64), e.g. `['qemu-x86_64']` on a
   * non-x86 host. Default: from `ANILLO_ORACLE64_WRAPPER`, else none.
   */
  wrapper64?: string[];
  /** Per-case timeout in ms (default 100). */
  timeoutMs?: number;
}

/** The helper crashed or exited while running a batch. */
export class OracleCrashError extends Error {
  /** Index (within the batch) of the case that was running, when known. */
  readonly caseIndex: number | undefined;
  /** Results of the cases before {@link caseIndex} (they completed normally). */
  readonly partialResults: OracleResult[];
  constructor(message: string, caseIndex?: number, partialResults: OracleResult[] = []) {
    super(message);
    this.name = 'OracleCrashError';
    this.caseIndex = caseIndex;
    this.partialResults = partialResults;
  }
}

/** EFLAGS a case actually starts with: settable bits from `eflags`, plus bit 1 and IF. */
export function effectiveEflags(eflags: number): number {
  return ((eflags & SETTABLE_EFLAGS) | FIXED_EFLAGS) >>> 0;
}

/** The code page as the snippet sees it at entry (int3 fill, snippet at {@link SNIPPET_OFFSET}). */
export function codePageImage(code: Uint8Array | string): Uint8Array {
  const bytes = typeof code === 'string' ? hexToBytes(code) : code;
  if (bytes.length > MAX_SNIPPET_LENGTH) {
    throw new RangeError(`snippet is ${bytes.length} bytes, at most ${MAX_SNIPPET_LENGTH}`);
  }
  const page = new Uint8Array(CODE_SIZE).fill(CODE_FILL);
  page.set(bytes, SNIPPET_OFFSET);
  return page;
}

/**
 * Default helper path for `mode`: `<repo>/build/oracle/oracle32` for modes
 * 32 and 16 (`ANILLO_ORACLE_BIN` overrides), `<repo>/build/oracle/oracle64`
 * for mode 64 (`ANILLO_ORACLE64_BIN` overrides).
 */
export function oracleBinaryPath(mode: OracleMode = 32): string {
  const is64 = helperArchForMode(mode) === 'x86_64';
  const env = process.env[is64 ? 'ANILLO_ORACLE64_BIN' : 'ANILLO_ORACLE_BIN'];
  if (env) return env;
  const name = is64 ? 'oracle64' : 'oracle32';
  // This module runs from dist/tools/oracle/ (compiled) or tools/oracle/ (source).
  const candidates = [`../../../build/oracle/${name}`, `../../build/oracle/${name}`].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

function envWrapper(name: string): string[] {
  const env = process.env[name];
  return env ? env.split(/\s+/).filter((s) => s.length > 0) : [];
}

/** A helper binary and how to start it. */
interface HelperSpec {
  arch: OracleHelperArch;
  binary: string;
  wrapper: string[];
}

function helperSpec(mode: OracleMode, options: NativeOracleOptions): HelperSpec {
  if (helperArchForMode(mode) === 'x86_64') {
    return {
      arch: 'x86_64',
      binary: options.binaryPath64 ?? oracleBinaryPath(64),
      wrapper: options.wrapper64 ?? envWrapper('ANILLO_ORACLE64_WRAPPER'),
    };
  }
  return {
    arch: 'i386',
    binary: options.binaryPath ?? oracleBinaryPath(32),
    wrapper: options.wrapper ?? envWrapper('ANILLO_ORACLE_WRAPPER'),
  };
}

interface ProbeOutcome {
  reason: string | null;
  mode16: boolean;
}

const probeCache = new Map<string, ProbeOutcome>();

/**
 * Why the live oracle cannot run cases of `mode` here (a sentence for
 * `t.skip`), or null when it can: the helper for that mode is built and its
 * probe (`oracle32 --probe`, which runs a 32-bit and a 16-bit snippet, or
 * `oracle64 --probe`) succeeds on this host. Without a mode: mode 32. The
 * probe is cached per binary/wrapper.
 */
export function nativeOracleUnavailableReason(options?: NativeOracleOptions): string | null;
export function nativeOracleUnavailableReason(mode: OracleMode, options?: NativeOracleOptions): string | null;
export function nativeOracleUnavailableReason(
  modeOrOptions: OracleMode | NativeOracleOptions = {},
  maybeOptions: NativeOracleOptions = {},
): string | null {
  const [mode, options] = typeof modeOrOptions === 'number' ? [modeOrOptions, maybeOptions] : [32 as const, modeOrOptions];
  if (mode !== 16 && mode !== 32 && mode !== 64) throw new TypeError(`mode must be 16, 32 or 64, got ${String(mode)}`);
  const spec = helperSpec(mode, options);
  const key = `${spec.arch}\0${spec.binary}\0${spec.wrapper.join(' ')}`;
  let outcome = probeCache.get(key);
  if (!outcome) {
    outcome = probeHelper(spec);
    probeCache.set(key, outcome);
  }
  if (outcome.reason !== null) return outcome.reason;
  if (mode === 16 && !outcome.mode16) {
    return 'this kernel refuses 16-bit LDT segments (modify_ldt), so mode 16 cannot run natively';
  }
  return null;
}

function probeHelper({ arch, binary, wrapper }: HelperSpec): ProbeOutcome {
  const no = (reason: string): ProbeOutcome => ({ reason, mode16: false });
  if (process.platform !== 'linux') {
    return no(`native oracle needs an x86 Linux host (this is ${process.platform})`);
  }
  if (wrapper.length === 0 && arch === 'i386' && process.arch !== 'x64' && process.arch !== 'ia32') {
    return no(`native oracle needs an x86 host CPU (this is ${process.arch})`);
  }
  if (wrapper.length === 0 && arch === 'x86_64' && process.arch !== 'x64') {
    return no(`the mode-64 native oracle needs an x86-64 host CPU (this is ${process.arch})`);
  }
  if (!existsSync(binary)) {
    const needs = arch === 'i386' ? '; it needs gcc -m32 from gcc-multilib' : '';
    return no(`native oracle helper ${binary} is not built (run scripts/build-oracle.sh${needs})`);
  }
  const [cmd, args] = wrapper.length > 0 ? [wrapper[0]!, [...wrapper.slice(1), binary]] : [binary, []];
  const refused =
    arch === 'i386'
      ? 'this host cannot execute 32-bit x86 programs (the kernel refuses the i386 ELF with ENOEXEC: ' +
        'no IA-32 user mode, e.g. a kernel without IA32 emulation or a hypervisor without compatibility mode)'
      : 'this host cannot execute x86-64 programs (the kernel refuses the x86-64 ELF with ENOEXEC)';
  const r = spawnSync(cmd, [...args, '--probe'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOEXEC') return no(refused);
    return no(`native oracle helper could not be started: ${r.error.message}`);
  }
  if (!/^oracle version=/m.test(r.stdout)) {
    // execvp() falls back to /bin/sh on ENOEXEC, so a refused ELF shows up
    // as a shell syntax error rather than as an exec error.
    if (wrapper.length === 0 && elfArch(binary) === arch) return no(refused);
    const tail = r.stderr.trim().split('\n').pop() ?? '';
    return no(`native oracle helper did not start (${r.signal ?? `exit status ${r.status}`}${tail ? `: ${tail}` : ''})`);
  }
  if (r.status !== 0 || !/^probe ok\b/m.test(r.stdout)) {
    const why = (r.stdout.match(/^probe failed: .*$/m)?.[0] ?? r.stderr.trim().split('\n').pop() ?? '').trim();
    const how = r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
    return no(`native oracle probe failed on this host (${how}${why ? `: ${why}` : ''})`);
  }
  // The i386 probe says "probe ok (mode 16 unavailable: ...)" when the kernel
  // refused the 16-bit LDT segments.
  return { reason: null, mode16: arch === 'i386' && /^probe ok$/m.test(r.stdout) };
}

/** The architecture of an ELF executable (i386 or x86-64), undefined for anything else. */
function elfArch(path: string): OracleHelperArch | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      const h = Buffer.alloc(20);
      readSync(fd, h, 0, 20, 0);
      if (h.readUInt32BE(0) !== 0x7f454c46 || h[5] !== 1) return undefined;
      const machine = h.readUInt16LE(18);
      if (h[4] === 1 && machine === 3) return 'i386';
      if (h[4] === 2 && machine === 62) return 'x86_64';
      return undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Encoding and decoding (exported for the harness and for tests)

const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const SEG_NAMES = ['cs', 'ds', 'es', 'ss', 'fs', 'gs'] as const;

/** Parses hex (whitespace allowed) into bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new TypeError(`not an even-length hex string: ${JSON.stringify(hex)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** SPARSE encoding of `now` relative to `base` (zeros when absent): "-" or "OFF:HEX,...". */
export function encodeSparse(now: Uint8Array, base?: Uint8Array): string {
  const runs: string[] = [];
  const at = (i: number) => (base ? base[i] ?? 0 : 0);
  for (let i = 0; i < now.length; ) {
    if (now[i] === at(i)) {
      i++;
      continue;
    }
    let end = i + 1;
    for (let j = i + 1, gap = 0; j < now.length && gap < 8; j++) {
      if (now[j] !== at(j)) {
        end = j + 1;
        gap = 0;
      } else {
        gap++;
      }
    }
    runs.push(`${i.toString(16)}:${bytesToHex(now, i, end)}`);
    i = end;
  }
  return runs.length ? runs.join(',') : '-';
}

/** Lays SPARSE runs over a copy of `base`. */
export function applySparse(sparse: string, base: Uint8Array): Uint8Array {
  const out = base.slice();
  if (sparse === '-' || sparse === '') return out;
  for (const run of sparse.split(',')) {
    const colon = run.indexOf(':');
    const off = parseInt(run.slice(0, colon), 16);
    const bytes = hexToBytes(run.slice(colon + 1));
    if (colon <= 0 || !(off >= 0) || off + bytes.length > out.length) {
      throw new Error(`bad sparse run ${JSON.stringify(run)}`);
    }
    out.set(bytes, off);
  }
  return out;
}

function u32(name: string, v: unknown): string {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x8000_0000 || v > 0xffff_ffff) {
    throw new TypeError(`${name} must be a 32-bit integer, got ${String(v)}`);
  }
  return (v >>> 0).toString(16);
}

function sized(name: string, bytes: Uint8Array | undefined, size: number): Uint8Array {
  const out = new Uint8Array(size);
  if (bytes) {
    if (bytes.length > size) throw new RangeError(`${name} is ${bytes.length} bytes, at most ${size}`);
    out.set(bytes);
  }
  return out;
}

/** The encoding the helper runs for `c`: {@link OracleCase.code64} in mode 64, else {@link OracleCase.code}. */
export function nativeCode(c: OracleCase): Uint8Array | string {
  if (c.mode !== 64) return c.code;
  if (c.code64 === undefined) {
    throw new TypeError('a mode-64 case needs code64, the long-mode encoding of its code (see the module doc)');
  }
  return c.code64;
}

function snippetBytes(name: string, code: Uint8Array | string): Uint8Array {
  const bytes = typeof code === 'string' ? hexToBytes(code) : code;
  if (bytes.length > MAX_SNIPPET_LENGTH) {
    throw new RangeError(`${name} is ${bytes.length} bytes, at most ${MAX_SNIPPET_LENGTH}`);
  }
  return bytes;
}

/** The protocol line for one case (throws TypeError/RangeError on invalid input). */
export function encodeCaseLine(c: OracleCase, id: number | string): string {
  if (c.mode !== 16 && c.mode !== 32 && c.mode !== 64) {
    throw new TypeError(`mode must be 16, 32 or 64, got ${String(c.mode)}`);
  }
  let code = snippetBytes('snippet', c.code);
  if (c.mode === 64) code = snippetBytes('code64 snippet', nativeCode(c));
  const parts = [`case id=${id} mode=${c.mode}`];
  for (const r of REG_NAMES) parts.push(`${r}=${u32(r, c.regs[r])}`);
  parts.push(`eflags=${u32('eflags', c.eflags)}`, `code=${bytesToHex(code)}`);
  parts.push(`data=${encodeSparse(sized('data', c.data, DATA_SIZE))}`);
  parts.push(`stack=${encodeSparse(sized('stack', c.stack, STACK_SIZE))}`);
  if (c.x87) {
    const x = c.x87;
    if (x.st.length !== 8 || !x.st.every((v) => /^[0-9a-f]{20}$/.test(v))) {
      throw new TypeError('x87.st must be eight 20-digit lower-case hex strings');
    }
    parts.push(`fcw=${(x.fcw & 0xffff).toString(16)}`, `fsw=${(x.fsw & 0xffff).toString(16)}`,
      `ftw=${(x.ftw & 0xff).toString(16)}`, `st=${x.st.join(',')}`);
  }
  if (c.sse) {
    if (c.sse.xmm.length !== 8 || !c.sse.xmm.every((v) => /^[0-9a-f]{32}$/.test(v))) {
      throw new TypeError('sse.xmm must be eight 32-digit lower-case hex strings');
    }
    parts.push(`mxcsr=${(c.sse.mxcsr >>> 0).toString(16)}`, `xmm=${c.sse.xmm.join(',')}`);
  }
  return parts.join(' ');
}

function tokens(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const tok of line.split(' ').slice(1)) {
    const eq = tok.indexOf('=');
    if (eq > 0) m.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
  return m;
}

/** Decodes a `result` line for case `c` (throws on `error` lines and malformed input). */
export function parseResultLine(line: string, c: OracleCase): OracleResult {
  const t = tokens(line);
  if (line.startsWith('error ')) {
    throw new Error(`oracle rejected case ${t.get('id') ?? '?'}: ${t.get('msg') ?? line}`);
  }
  if (!line.startsWith('result ')) throw new Error(`unexpected oracle output: ${line.slice(0, 200)}`);
  const num = (k: string): number => {
    const v = t.get(k);
    if (v === undefined || !/^[0-9a-f]+$/.test(v)) throw new Error(`oracle result lacks ${k}: ${line.slice(0, 200)}`);
    return parseInt(v, 16) >>> 0;
  };
  const opt = (k: string): number | undefined => (t.has(k) ? num(k) : undefined);
  const kind = t.get('kind');
  if (kind !== 'ok' && kind !== 'fault' && kind !== 'timeout' && kind !== 'syscall') {
    throw new Error(`oracle result has bad kind ${String(kind)}`);
  }
  const regs = {} as OracleRegs;
  for (const r of REG_NAMES) regs[r] = num(r);
  const segs = {} as OracleSegs;
  for (const s of SEG_NAMES) segs[s] = num(s) & 0xffff;
  const result: OracleResult = {
    kind,
    signal: parseInt(t.get('sig') ?? '0', 10),
    regs,
    eip: num('eip'),
    eflags: num('eflags'),
    initialEflags: effectiveEflags(c.eflags),
    segs,
    code: applySparse(t.get('code') ?? '-', codePageImage(nativeCode(c))),
    data: applySparse(t.get('data') ?? '-', sized('data', c.data, DATA_SIZE)),
    stack: applySparse(t.get('stack') ?? '-', sized('stack', c.stack, STACK_SIZE)),
  };
  const vector = opt('vector');
  if (vector !== undefined) result.vector = vector;
  if (kind === 'fault') {
    const err = opt('err');
    if (err !== undefined) result.errorCode = err;
    const cr2 = opt('cr2');
    if (cr2 !== undefined) result.cr2 = cr2;
    if (t.get('guessed') === '1') result.vectorGuessed = true;
  }
  const upper = t.get('upper');
  if (upper !== undefined) result.upper = parseUpper(upper, line);
  const st = t.get('st');
  if (st !== undefined) {
    const regs = st.split(',');
    if (regs.length !== 8 || !regs.every((v) => /^[0-9a-f]{20}$/.test(v))) throw new Error(`bad st= token: ${line.slice(0, 200)}`);
    result.x87 = { fcw: num('fcw'), fsw: num('fsw'), ftw: num('ftw'), fop: num('fop'), st: regs };
  }
  const xmm = t.get('xmm');
  if (xmm !== undefined) {
    const regs = xmm.split(',');
    if (regs.length !== 8 || !regs.every((v) => /^[0-9a-f]{32}$/.test(v))) throw new Error(`bad xmm= token: ${line.slice(0, 200)}`);
    result.sse = { mxcsr: num('mxcsr'), xmm: regs };
  }
  return result;
}

const UPPER_NAMES: readonly OracleUpperName[] = [...REG_NAMES, 'eip', 'cr2'];

/** The `upper=` token: "-" or "NAME:HEX,...". */
function parseUpper(token: string, line: string): Partial<Record<OracleUpperName, number>> {
  const out: Partial<Record<OracleUpperName, number>> = {};
  if (token === '-') return out;
  for (const run of token.split(',')) {
    const m = /^([a-z0-9]+):([0-9a-f]{1,8})$/.exec(run);
    const name = m?.[1] as OracleUpperName | undefined;
    if (!m || !name || !UPPER_NAMES.includes(name)) throw new Error(`bad upper= token in oracle result: ${line.slice(0, 200)}`);
    out[name] = parseInt(m[2]!, 16) >>> 0;
  }
  return out;
}

function parseHello(line: string, wrapped: boolean): OracleInfo {
  if (!line.startsWith('oracle ')) throw new Error(`unexpected oracle greeting: ${line.slice(0, 200)}`);
  const t = tokens(line);
  const n = (k: string) => parseInt(t.get(k) ?? 'NaN', 16);
  const expect: Array<[string, number]> = [
    ['code_base', CODE_BASE],
    ['code_size', CODE_SIZE],
    ['snippet_offset', SNIPPET_OFFSET],
    ['data_base', DATA_BASE],
    ['data_size', DATA_SIZE],
    ['stack_base', STACK_BASE],
    ['stack_size', STACK_SIZE],
    ['settable_eflags', SETTABLE_EFLAGS],
    ['fixed_eflags', FIXED_EFLAGS],
  ];
  if (n('version') !== PROTOCOL_VERSION) {
    throw new Error(`oracle helper speaks protocol ${t.get('version')}, expected ${PROTOCOL_VERSION} (rebuild it)`);
  }
  for (const [k, v] of expect) {
    if (n(k) !== v) throw new Error(`oracle helper has ${k}=${t.get(k)}, expected ${v.toString(16)} (rebuild it)`);
  }
  const arch = t.get('arch') ?? 'i386'; // helpers before mode 64 had no arch token
  if (arch !== 'i386' && arch !== 'x86_64') throw new Error(`oracle helper has unknown arch=${arch}`);
  const n0 = (k: string) => (t.has(k) ? n(k) : 0);
  return {
    version: n('version'),
    arch,
    cs32: n('cs32'),
    ds32: n('ds32'),
    cs16: n('cs16'),
    ds16: n('ds16'),
    mode16: n('cs16') !== 0,
    cs64: n0('cs64'),
    ss64: n0('ss64'),
    seccomp: t.get('seccomp') === '1',
    timeoutMs: parseInt(t.get('timeout_ms') ?? '0', 10),
    wrapped,
  };
}

// ---------------------------------------------------------------------------
// The process

/** Lines from a stream, awaited one at a time. */
class LineQueue {
  private partial = '';
  private readonly lines: string[] = [];
  private waiter: { resolve: (l: string) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(line);
      } else {
        this.lines.push(line);
      }
    }
  }

  fail(err: Error): void {
    this.failure ??= err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(this.failure);
    }
  }

  next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}

interface Live {
  child: ChildProcessWithoutNullStreams;
  lines: LineQueue;
  stderr: string[];
  info: OracleInfo;
}

interface Refable {
  ref?: () => void;
  unref?: () => void;
}

/**
 * One helper process (one binary) answering groups of cases; started on
 * first use and restarted after a crash. Used by {@link NativeOracle}, which
 * serializes the calls.
 */
class HelperProcess {
  private live: Promise<Live> | undefined;

  constructor(
    private readonly spec: HelperSpec,
    private readonly timeoutMs: number,
  ) {}

  async info(): Promise<OracleInfo> {
    return (await this.ensure()).info;
  }

  /** Ends the process (the caller makes sure no run is pending). */
  async close(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    let l: Live;
    try {
      l = await live;
    } catch {
      return;
    }
    if (l.child.exitCode !== null || l.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => l.child.kill('SIGKILL'), 2000);
      l.child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      l.child.stdin.end();
    });
  }

  /**
   * Runs cases[start..end) (whose protocol lines, with their batch index as
   * id, are lines[start..end)), appending to `results`; an `error` answer
   * goes to `rejected` instead.
   */
  async runGroup(
    cases: readonly OracleCase[],
    lines: readonly string[],
    start: number,
    end: number,
    results: OracleResult[],
    rejected: string[],
  ): Promise<void> {
    const live = await this.ensure();
    this.setRef(live, true);
    try {
      const writing = this.writeAll(live, lines.slice(start, end));
      for (let i = start; i < end; i++) {
        let line: string;
        try {
          line = await live.lines.next();
        } catch (e) {
          this.live = undefined; // restart on next use
          const msg = e instanceof Error ? e.message : String(e);
          throw new OracleCrashError(`${msg} (while running case ${i} of the batch)`, i, results.slice());
        }
        const id = tokens(line).get('id');
        if (id !== String(i)) throw new Error(`oracle answered case ${String(id)} where ${i} was expected`);
        try {
          results.push(parseResultLine(line, cases[i]!));
        } catch (e) {
          rejected.push(e instanceof Error ? e.message : String(e));
        }
      }
      await writing;
    } finally {
      this.setRef(live, false);
    }
  }

  private ensure(): Promise<Live> {
    this.live ??= this.start();
    return this.live;
  }

  private async start(): Promise<Live> {
    const { arch, binary, wrapper } = this.spec;
    const args = ['--timeout-ms', String(this.timeoutMs)];
    const [cmd, argv] = wrapper.length > 0 ? [wrapper[0]!, [...wrapper.slice(1), binary, ...args]] : [binary, args];
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = new LineQueue();
    const stderr: string[] = [];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (s: string) => lines.push(s));
    child.stderr.on('data', (s: string) => {
      stderr.push(s);
      if (stderr.length > 50) stderr.shift();
    });
    child.stdin.on('error', () => undefined); // EPIPE surfaces through 'close'
    child.on('error', (e) => lines.fail(new OracleCrashError(`native oracle helper failed to start: ${e.message}`)));
    child.on('close', (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exited with status ${code}`;
      const tail = stderr.join('').trim();
      lines.fail(new OracleCrashError(`native oracle helper ${how}${tail ? `: ${tail}` : ''}`));
    });
    const live: Live = { child, lines, stderr, info: undefined as unknown as OracleInfo };
    this.setRef(live, true);
    try {
      live.info = parseHello(await lines.next(), wrapper.length > 0);
      if (live.info.arch !== arch) {
        throw new Error(`native oracle helper ${binary} is the ${live.info.arch} one, expected the ${arch} helper`);
      }
    } catch (e) {
      child.kill('SIGKILL');
      this.live = undefined;
      throw e;
    } finally {
      this.setRef(live, false);
    }
    return live;
  }

  private setRef(live: Live, on: boolean): void {
    for (const h of [live.child, live.child.stdin, live.child.stdout, live.child.stderr] as Refable[]) {
      if (on) h.ref?.();
      else h.unref?.();
    }
  }

  /** Writes the lines honouring back-pressure (results are read concurrently). */
  private async writeAll(live: Live, lines: readonly string[]): Promise<void> {
    const stdin = live.child.stdin;
    const CHUNK = 256;
    for (let i = 0; i < lines.length; i += CHUNK) {
      const ok = stdin.write(lines.slice(i, i + CHUNK).join('\n') + '\n');
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stdin.off('drain', done);
            stdin.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          stdin.on('close', done);
        });
        if (stdin.destroyed) return;
      }
    }
  }
}

/**
 * The native oracle: answers batches of cases through the helper processes
 * (oracle32 for modes 32 and 16, oracle64 for mode 64; one child per binary,
 * each started on first use and restarted after a crash). Calls to
 * {@link run} are serialized. While idle it does not keep Node's event loop
 * alive, but call {@link close} when done.
 */
export class NativeOracle {
  private readonly options: NativeOracleOptions;
  private readonly timeoutMs: number;
  private readonly helpers = new Map<OracleHelperArch, HelperProcess>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: NativeOracleOptions = {}) {
    this.options = { ...options };
    this.timeoutMs = options.timeoutMs ?? 100;
  }

  /** The self-description of the helper serving `mode` (default 32; starts it if needed). */
  info(mode: OracleMode = 32): Promise<OracleInfo> {
    return this.helper(mode).info();
  }

  /**
   * Runs the cases in one batch; results are in the same order. A batch may
   * mix modes: consecutive cases for the same helper go to it together.
   */
  run(cases: readonly OracleCase[]): Promise<OracleResult[]> {
    const lines = cases.map((c, i) => encodeCaseLine(c, i)); // validate before queueing
    const job = this.queue.then(() => this.runNow(cases, lines));
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** Ends the helper processes (pending runs complete first). */
  async close(): Promise<void> {
    await this.queue;
    const helpers = [...this.helpers.values()];
    this.helpers.clear();
    await Promise.all(helpers.map((h) => h.close()));
  }

  private helper(mode: OracleMode): HelperProcess {
    const arch = helperArchForMode(mode);
    let h = this.helpers.get(arch);
    if (!h) {
      h = new HelperProcess(helperSpec(mode, this.options), this.timeoutMs);
      this.helpers.set(arch, h);
    }
    return h;
  }

  private async runNow(cases: readonly OracleCase[], lines: string[]): Promise<OracleResult[]> {
    const results: OracleResult[] = [];
    const rejected: string[] = [];
    for (let start = 0; start < cases.length; ) {
      const arch = helperArchForMode(cases[start]!.mode);
      let end = start + 1;
      while (end < cases.length && helperArchForMode(cases[end]!.mode) === arch) end++;
      await this.helper(cases[start]!.mode).runGroup(cases, lines, start, end, results, rejected);
      start = end;
    }
    if (rejected.length) throw new Error(rejected.slice(0, 5).join('; '));
    return results;
  }
}
