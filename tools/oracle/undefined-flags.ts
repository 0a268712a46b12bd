/**
 * Flags (and results) the SDM leaves undefined, per instruction, so the
 * differential comparison masks exactly those and nothing else. Source: the
 * "Flags Affected" paragraph of each instruction in SDM Vol. 2, and Vol. 1
 * Appendix A (EFLAGS Cross-Reference).
 */
import { Flag } from '../../src/cpu/registers.js';

const CF = Flag.CF, PF = Flag.PF, AF = Flag.AF, ZF = Flag.ZF, SF = Flag.SF, OF = Flag.OF;
const ALL = CF | PF | AF | ZF | SF | OF;

/** Undefined flags that do not depend on operands. */
const FIXED: Record<string, number> = {
  AND: AF, OR: AF, XOR: AF, TEST: AF,
  MUL: SF | ZF | AF | PF, IMUL: SF | ZF | AF | PF,
  DIV: ALL, IDIV: ALL,
  BT: OF | SF | AF | PF, BTS: OF | SF | AF | PF, BTR: OF | SF | AF | PF, BTC: OF | SF | AF | PF,
  BSF: CF | OF | SF | AF | PF, BSR: CF | OF | SF | AF | PF,
  DAA: OF, DAS: OF,
  AAA: OF | SF | ZF | PF, AAS: OF | SF | ZF | PF,
  AAM: OF | AF | CF, AAD: OF | AF | CF,
};

/**
 * Undefined flags of `mnemonic` for a shift/rotate `count` already masked to
 * 5 bits (undefined for others), and operand size in bytes.
 */
export function undefinedFlags(mnemonic: string, count = -1, sizeBytes = 4): number {
  const fixed = FIXED[mnemonic];
  if (fixed !== undefined) return fixed;
  switch (mnemonic) {
    case 'SHL': case 'SAL': case 'SHR': case 'SAR':
      // SDM "SAL/SAR/SHL/SHR": AF undefined for a non-zero count; OF only defined for 1-bit shifts.
      if (count === 0) return 0;
      return AF | (count === 1 ? 0 : OF);
    case 'ROL': case 'ROR': case 'RCL': case 'RCR':
      // SDM "RCL/RCR/ROL/ROR": OF only defined for 1-bit rotates.
      return count === 1 || count === 0 ? 0 : OF;
    case 'SHLD': case 'SHRD':
      // SDM "SHLD"/"SHRD": a count beyond the operand size leaves everything undefined.
      if (count === 0) return 0;
      if (count > sizeBytes * 8) return ALL;
      return AF | (count === 1 ? 0 : OF);
    default:
      return 0;
  }
}
