/**
 * Register indices and flag bits, named as in the Intel SDM.
 * Encodings follow SDM Vol. 2 §2.1.5 (Tables 2-1..2-3): the 3-bit register
 * field of ModRM selects EAX..EDI in this order, and Sreg selects ES..GS.
 */

/** General-purpose registers by their ModRM encoding (SDM Vol. 2 Table 2-2). */
export const enum Reg { EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7 }

/** Segment registers by their Sreg encoding (SDM Vol. 2 §3.1.1.3). */
export const enum Seg { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5 }

/** Printable names, for diagnostics and the disassembler. */
export const REG32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const REG16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const REG8_NAMES = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

/** EFLAGS bits (SDM Vol. 1 §3.4.3, Vol. 3A §2.3). */
export const enum Flag {
  CF = 1 << 0,
  /** Bit 1 is reserved and always reads as 1. */
  FIXED1 = 1 << 1,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
  IOPL = 3 << 12,
  NT = 1 << 14,
  RF = 1 << 16,
  VM = 1 << 17,
  AC = 1 << 18,
  VIF = 1 << 19,
  VIP = 1 << 20,
  ID = 1 << 21,
}

/** The six status flags that arithmetic computes (lazily, see flags.ts). */
export const ARITH_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;

/** Bits software can change on an i686 with CPUID (ID) and AC; bits 1 is fixed. */
export const EFLAGS_WRITABLE = ARITH_FLAGS | Flag.TF | Flag.IF | Flag.DF | Flag.IOPL | Flag.NT |
  Flag.RF | Flag.VM | Flag.AC | Flag.VIF | Flag.VIP | Flag.ID;

/** Control register bits (SDM Vol. 3A §2.5). */
export const enum Cr0 {
  PE = 1 << 0, MP = 1 << 1, EM = 1 << 2, TS = 1 << 3, ET = 1 << 4, NE = 1 << 5,
  WP = 1 << 16, AM = 1 << 18, NW = 1 << 29, CD = 1 << 30, PG = 1 << 31,
}

export const enum Cr4 {
  VME = 1 << 0, PVI = 1 << 1, TSD = 1 << 2, DE = 1 << 3, PSE = 1 << 4, PAE = 1 << 5,
  MCE = 1 << 6, PGE = 1 << 7, PCE = 1 << 8, OSFXSR = 1 << 9, OSXMMEXCPT = 1 << 10,
}

/** Exception vectors (SDM Vol. 3A §6.3, Table 6-1). */
export const enum Vector {
  DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
  TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19,
}

/** Model-specific registers the CPU implements (SDM Vol. 4). */
export const enum Msr {
  TSC = 0x10,
  APIC_BASE = 0x1b,
  SYSENTER_CS = 0x174,
  SYSENTER_ESP = 0x175,
  SYSENTER_EIP = 0x176,
  MISC_ENABLE = 0x1a0,
  PAT = 0x277,
}
