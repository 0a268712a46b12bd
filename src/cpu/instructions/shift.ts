/**
 * Instruction family: shifts and rotates — group 2 (ROL ROR RCL RCR SHL SHR
 * SAL SAR by 1, CL or imm8) and the double shifts SHLD/SHRD (SDM Vol. 2
 * "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD").
 *
 * The count is masked to 5 bits; a masked count of 0 changes neither the
 * operand nor the flags, but a memory operand is still accessed as a
 * read-modify-write (a read-only target faults, as on hardware).
 *
 * Undefined flags (checked against the AMD host, which agrees except for AF
 * and the OF of a 16-bit SHLD by 16):
 * - OF for counts other than 1 is the count-1 formula applied to the final
 *   result and CF: SHL/RCL/ROL/SHLD: MSB(r) XOR CF; SHR/ROR/RCR/SHRD: the top
 *   two bits of r XORed; SAR: 0.
 * - CF for SHL/SHR counts of at least the operand width is the last bit
 *   shifted out (0 beyond the width).
 * - AF is 0 after SHL/SHR/SAR/SHLD/SHRD (AMD sets it to 1; the SDM leaves it undefined).
 * Rotates change only CF and OF.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { Flag, Reg } from '../registers.js';
import { getCF, setResultFlags, setSomeFlags, sizeMask } from '../flags.js';

/** Group 2 operations by ModRM.reg (SDM Vol. 2 Table A-6); /6 is SAL, the same as SHL. */
export const enum ShiftOp { ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7 }

const CF_OF = Flag.CF | Flag.OF;

/** CF and OF as a flags value from two 0/1 bits. */
function carryOverflow(cf: number, of: number): number {
  return cf | (of !== 0 ? Flag.OF : 0);
}

/**
 * Applies group-2 operation `op` to the `size`-byte value `v` with a masked
 * count of 1..31, sets the flags and returns the result (masked to size).
 */
export function shift(cpu: Cpu, op: number, v: number, count: number, size: number): number {
  const bits = size * 8;
  const msb = bits - 1;
  const m = sizeMask(size);
  const u = v & m;
  let r: number, cf: number;
  switch (op) {
    case ShiftOp.ROL: {
      const c = count & msb; // rotation modulo the width (8, 16, 32)
      r = c === 0 ? u : ((u << c) | (u >>> (bits - c))) & m;
      cf = r & 1;
      setSomeFlags(cpu, CF_OF, carryOverflow(cf, (r >>> msb) ^ cf));
      return r;
    }
    case ShiftOp.ROR: {
      const c = count & msb;
      r = c === 0 ? u : ((u >>> c) | (u << (bits - c))) & m;
      cf = (r >>> msb) & 1;
      setSomeFlags(cpu, CF_OF, carryOverflow(cf, cf ^ ((r >>> (msb - 1)) & 1)));
      return r;
    }
    case ShiftOp.RCL: {
      // The rotation is through CF: a 9-, 17- or 33-bit rotate.
      const cin = getCF(cpu);
      if (size === 4) {
        r = (u << count) | (cin << (count - 1)) | (count === 1 ? 0 : u >>> (33 - count));
        cf = (u >>> (32 - count)) & 1;
      } else {
        const c = count % (bits + 1);
        const x = u | (cin << bits);
        const y = c === 0 ? x : (x << c) | (x >>> (bits + 1 - c));
        r = y & m;
        cf = (y >>> bits) & 1;
      }
      setSomeFlags(cpu, CF_OF, carryOverflow(cf, ((r >>> msb) & 1) ^ cf));
      return r;
    }
    case ShiftOp.RCR: {
      const cin = getCF(cpu);
      if (size === 4) {
        r = (u >>> count) | (cin << (32 - count)) | (count === 1 ? 0 : u << (33 - count));
        cf = (u >>> (count - 1)) & 1;
      } else {
        const c = count % (bits + 1);
        const x = u | (cin << bits);
        const y = c === 0 ? x : (x >>> c) | (x << (bits + 1 - c));
        r = y & m;
        cf = (y >>> bits) & 1;
      }
      setSomeFlags(cpu, CF_OF, carryOverflow(cf, ((r >>> msb) ^ (r >>> (msb - 1))) & 1));
      return r;
    }
    case ShiftOp.SHL: case ShiftOp.SAL:
      r = (u << count) & m;
      cf = count > bits ? 0 : (u >>> (bits - count)) & 1;
      setResultFlags(cpu, r, size, carryOverflow(cf, ((r >>> msb) & 1) ^ cf));
      return r;
    case ShiftOp.SHR:
      r = (u >>> count) & m;
      cf = (u >>> (count - 1)) & 1;
      setResultFlags(cpu, r, size, carryOverflow(cf, ((r >>> msb) ^ (r >>> (msb - 1))) & 1));
      return r;
    default: { // SAR
      const s = size === 4 ? u : size === 2 ? (u << 16) >> 16 : (u << 24) >> 24;
      r = (s >> count) & m;
      cf = (s >> (count - 1)) & 1;
      setResultFlags(cpu, r, size, cf);
      return r;
    }
  }
}

/** Group 2 on E (ModRM already decoded) by `count` (masked here). */
function group2(cpu: Cpu, size: number, count: number): void {
  const v = cpu.readModifyE(size);
  count &= 0x1f;
  if (count === 0) return;
  cpu.writeModifiedE(size, shift(cpu, cpu.modrmReg, v, count, size));
}

/**
 * SHLD Ev, Gv, count (`left`): shifts E left, filling from the top of G; SHRD
 * Ev, Gv, count: shifts E right, filling from the bottom of G (SDM Vol. 2
 * "SHLD", "SHRD").
 *
 * 16-bit operands with a count of 17..31 have an undefined result; like Intel
 * P6 and later (and QEMU, Bochs) we shift the 48-bit pattern E:G:E (E lowest
 * for SHRD): SHLD gives G:E shifted by count − 16. (The AMD host shifts E:G:G
 * for SHLD and G:G:E for SHRD instead.)
 */
function doubleShift(cpu: Cpu, count: number, left: boolean): void {
  const size = cpu.osize;
  const d = cpu.readModifyE(size);
  const s = cpu.getReg(size, cpu.modrmReg);
  count &= 0x1f;
  if (count === 0) return;
  cpu.writeModifiedE(size, shiftDouble(cpu, d, s, count, size, left));
}

/**
 * The value and flags of SHLD (`left`) or SHRD of the `size`-byte (2 or 4)
 * destination `d` filled from `s` by a masked count of 1..31 (see
 * {@link doubleShift}); the translator calls it too.
 */
export function shiftDouble(cpu: Cpu, d: number, s: number, count: number, size: number, left: boolean): number {
  const msb = size * 8 - 1;
  let r: number, cf: number;
  if (left) {
    if (size === 4) {
      r = (d << count) | (s >>> (32 - count));
      cf = (d >>> (32 - count)) & 1;
    } else if (count <= 16) {
      r = ((d << count) | (s >>> (16 - count))) & 0xffff;
      cf = (d >>> (16 - count)) & 1;
    } else {
      const k = count - 16;
      r = ((s << k) | (d >>> (16 - k))) & 0xffff;
      cf = (s >>> (16 - k)) & 1;
    }
    setResultFlags(cpu, r, size, carryOverflow(cf, ((r >>> msb) & 1) ^ cf));
  } else {
    if (size === 4) {
      r = (d >>> count) | (s << (32 - count));
      cf = (d >>> (count - 1)) & 1;
    } else if (count <= 16) {
      r = ((d >>> count) | (s << (16 - count))) & 0xffff;
      cf = (d >>> (count - 1)) & 1;
    } else {
      const k = count - 16;
      r = ((s >>> k) | (d << (16 - k))) & 0xffff;
      cf = (s >>> (k - 1)) & 1;
    }
    setResultFlags(cpu, r, size, carryOverflow(cf, ((r >>> msb) ^ (r >>> (msb - 1))) & 1));
  }
  return r;
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  G2_EbIb: (cpu) => { cpu.decodeModrm(); group2(cpu, 1, cpu.fetch8()); },
  G2_EvIb: (cpu) => { cpu.decodeModrm(); group2(cpu, cpu.osize, cpu.fetch8()); },
  G2_Eb1: (cpu) => { cpu.decodeModrm(); group2(cpu, 1, 1); },
  G2_Ev1: (cpu) => { cpu.decodeModrm(); group2(cpu, cpu.osize, 1); },
  G2_EbCL: (cpu) => { cpu.decodeModrm(); group2(cpu, 1, cpu.regs[Reg.ECX]); },
  G2_EvCL: (cpu) => { cpu.decodeModrm(); group2(cpu, cpu.osize, cpu.regs[Reg.ECX]); },
  SHLD_EvGvIb: (cpu) => { cpu.decodeModrm(); doubleShift(cpu, cpu.fetch8(), true); },
  SHLD_EvGvCL: (cpu) => { cpu.decodeModrm(); doubleShift(cpu, cpu.regs[Reg.ECX], true); },
  SHRD_EvGvIb: (cpu) => { cpu.decodeModrm(); doubleShift(cpu, cpu.fetch8(), false); },
  SHRD_EvGvCL: (cpu) => { cpu.decodeModrm(); doubleShift(cpu, cpu.regs[Reg.ECX], false); },
};
