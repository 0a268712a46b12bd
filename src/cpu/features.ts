/**
 * The identity and feature set the CPU reports through CPUID (SDM Vol. 2
 * "CPUID"). CPUID reports exactly what is implemented: an i686 (family 6)
 * with the integer features and the x87 FPU of a Pentium Pro/II class part,
 * plus MMX, FXSAVE/FXRSTOR, SSE, SSE2 and CLFLUSH (a Pentium 4-class SIMD
 * unit on the P6 core; no SSE3).
 */

/** CPUID.1:EDX feature bits (SDM Vol. 2 Table 3-11). */
export const enum Feature {
  FPU = 1 << 0, VME = 1 << 1, DE = 1 << 2, PSE = 1 << 3, TSC = 1 << 4, MSR = 1 << 5, PAE = 1 << 6,
  CX8 = 1 << 8,
  /** On-chip local APIC; the board provides it, and CPUID clears the bit while IA32_APIC_BASE[11] is 0. */
  APIC = 1 << 9,
  SEP = 1 << 11, PGE = 1 << 13, CMOV = 1 << 15,
  /** CLFLUSH, with the line size in CPUID.1:EBX[15:8]. */
  CLFSH = 1 << 19,
  MMX = 1 << 23,
  /** FXSAVE/FXRSTOR and CR4.OSFXSR. */
  FXSR = 1 << 24,
  SSE = 1 << 25,
  SSE2 = 1 << 26,
}

/** What one CPU model reports and implements. */
export interface CpuFeatures {
  vendor: string;
  /** CPUID.1:EAX — stepping, model, family (also EDX after RESET, SDM Vol. 3A §9.1.4). */
  signature: number;
  /** CPUID.1:EDX. */
  edx: number;
  /** CPUID.1:ECX. */
  ecx: number;
  /** EDX at RESET. */
  resetEdx: number;
  brand: string;
}

/** An i686 with what anillo implements today. */
export function defaultFeatures(): CpuFeatures {
  const signature = 0x0000_0633; // family 6, model 3, stepping 3 (Pentium II class)
  return {
    vendor: 'GenuineIntel',
    signature,
    edx: Feature.FPU | Feature.DE | Feature.PSE | Feature.TSC | Feature.MSR | Feature.PAE | Feature.CX8 | Feature.SEP |
      Feature.PGE | Feature.CMOV | Feature.CLFSH | Feature.MMX | Feature.FXSR | Feature.SSE | Feature.SSE2,
    ecx: 0,
    resetEdx: signature,
    brand: 'anillo i686',
  };
}
