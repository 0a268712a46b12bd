/**
 * The CPU's state block: 32-bit words in the machine's WebAssembly memory
 * (physical-memory.ts allocateCpuArea) that WebAssembly regions
 * (translator/wasm) read and write directly. The general registers and
 * the XMM registers live here for good (`Cpu.regs` is a view of words 0..7,
 * `SseState.xmm` of words 32..63); the other words are filled when a region
 * is entered and read back when it leaves.
 */
export const enum StateWord {
  /** EAX..EDI (Cpu.regs). */
  REGS = 0,
  /** The lazy flag record (flags.ts) and the rest of EFLAGS. */
  LAZY_OP = 8, LAZY_A = 9, LAZY_B = 10, LAZY_R = 11, LAZY_SIZE = 12, LAZY_MASK = 13, FLAGS = 14,
  /** Cpu.tlbReadMask and tlbWriteMask. */
  READ_MASK = 15, WRITE_MASK = 16,
  /** CS limit (unsigned). */
  CS_LIMIT = 17,
  /** Out: EIP at the exit. */
  EIP = 18,
  /** Out: instructions retired in the run (the chain or lone region) before the current block; at the exit, all of them. */
  DONE = 19,
  /** Out: index (in the region) of the instruction that faulted or ran in the interpreter. */
  INSN = 20,
  /** Set by a call out of the region when the run loop must look (stop, interrupt, region dropped). */
  ATTENTION = 21,
  /** Set by a call out of the region that raised a guest exception (kept in the runtime). */
  FAULTED = 22,
  /** Out of the chaining loop (translator/wasm/chain.ts): the table slot of the region that ran last. */
  CHAIN_SLOT = 23,
  /** Out of the chaining loop: instructions retired by the regions it ran, up to the last one's exit (not a fault's). */
  CHAIN_DONE = 24,
  /** Out of the chaining loop: regions it ran. */
  CHAIN_RUNS = 25,
  /** A second result of a call out of a region (RDTSC's high half). */
  RESULT_HIGH = 26,
  /**
   * What an SSE/SSE2 instruction raises before anything else under the
   * current CR0 and CR4 (simd-operands.ts sseFaultVector): 0 when it may
   * run, else #UD or #NM. Kept current by the runtime at region entry and
   * after each interpreted instruction (the only way CR0/CR4 change while
   * a region runs).
   */
  SSE_FAULT = 27,
  /**
   * FS and GS base, and their fast-path bits (SegOk) when the limit is 4 GiB,
   * else 0: kept by segments.ts updateSegOk, for regions' FS/GS accesses.
   */
  FS_BASE = 28, GS_BASE = 29, FS_FAST = 30, GS_FAST = 31,
  /** XMM0..XMM7 (SseState.xmm): register r's dword k at word XMM + 4r + k, each register 16-byte aligned. */
  XMM = 32,
}

/** Words in the state block. */
export const STATE_WORDS = 64;
