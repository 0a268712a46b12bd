/**
 * Instruction family: system. This file holds control and debug register
 * moves, MSRs, the time-stamp and performance counters, CPUID, HLT, CLI/STI,
 * CLTS, the cache-control no-ops and UD2 (WAIT and the x87 escape are the
 * x87 family, x87.ts); the
 * descriptor-table instructions (groups 6 and 7, LAR, LSL, ARPL) live in
 * descriptor-tables.ts and are exported from here, the family's entry point.
 *
 * Every sensitive operation reports to `cpu.sys.onSensitive` after it has
 * taken effect (system-interface.ts).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Cr0, Cr4, Flag, Reg, Vector } from '../registers.js';
import { SensitiveOp } from '../system-interface.js';
import {
  DR6_BD, DR7_GD, debugRegisterIndex, readCr, writeCr, writeDr,
} from '../control-registers.js';
import { rdmsr, readPerformanceCounter, readTsc, wrmsr } from '../msr.js';
import { cpuid } from '../cpuid.js';
import { descriptorHandlers, requireCpl0 } from './descriptor-tables.js';

const TWO_32 = 0x1_0000_0000;

// ---- control and debug registers ------------------------------------------------

/**
 * The ModRM byte of MOV to/from CRn/DRn. "The 2 bits in the mod field are
 * ignored" (SDM Vol. 2 "MOV—Move to/from Control Registers"): the r/m field
 * always names a general register and no SIB or displacement follows.
 */
function fetchRegisterModrm(cpu: Cpu): void {
  const b = cpu.fetch8();
  cpu.modrmMod = 3;
  cpu.modrmReg = (b >> 3) & 7;
  cpu.modrmRm = b & 7;
}

/** 0F 20: MOV r32, CRn (operand size ignored: always 32 bits). */
function MOV_RdCd(cpu: Cpu): void {
  fetchRegisterModrm(cpu);
  const n = cpu.modrmReg;
  if (n === 1 || n > 4) throw new CpuException(Vector.UD);
  requireCpl0(cpu);
  cpu.regs[cpu.modrmRm] = readCr(cpu, n);
}

/** 0F 22: MOV CRn, r32. The checks and side effects live in control-registers.ts. */
function MOV_CdRd(cpu: Cpu): void {
  fetchRegisterModrm(cpu);
  const n = cpu.modrmReg;
  if (n === 1 || n > 4) throw new CpuException(Vector.UD);
  requireCpl0(cpu);
  writeCr(cpu, n, cpu.regs[cpu.modrmRm]);
  cpu.sys.onSensitive?.(SensitiveOp.CrWrite, n);
}

/**
 * Common checks of MOV to/from DRn: privilege, DR4/DR5 aliasing, and the
 * general-detect fault — with DR7.GD set, any debug-register access raises
 * #DB before executing, with DR6.BD set and GD cleared (SDM Vol. 3A §17.2.4).
 */
function debugRegisterAccess(cpu: Cpu): number {
  fetchRegisterModrm(cpu);
  requireCpl0(cpu);
  const n = debugRegisterIndex(cpu, cpu.modrmReg);
  if ((cpu.dr[7] & DR7_GD) !== 0) {
    cpu.dr[6] |= DR6_BD;
    cpu.dr[7] &= ~DR7_GD;
    throw new CpuException(Vector.DB);
  }
  return n;
}

/** 0F 21: MOV r32, DRn. */
function MOV_RdDd(cpu: Cpu): void {
  const n = debugRegisterAccess(cpu);
  cpu.regs[cpu.modrmRm] = cpu.dr[n];
}

/** 0F 23: MOV DRn, r32. */
function MOV_DdRd(cpu: Cpu): void {
  const n = debugRegisterAccess(cpu);
  writeDr(cpu, n, cpu.regs[cpu.modrmRm]);
  cpu.sys.onSensitive?.(SensitiveOp.DrWrite, n);
}

/** 0F 06: CLTS clears CR0.TS. */
function CLTS(cpu: Cpu): void {
  requireCpl0(cpu);
  cpu.cr0 &= ~Cr0.TS;
  cpu.sys.onSensitive?.(SensitiveOp.CrWrite, 0);
}

// ---- MSRs, counters, CPUID --------------------------------------------------------

/** 0F 30: WRMSR: MSR[ECX] ← EDX:EAX (msr.ts). */
function WRMSR(cpu: Cpu): void {
  requireCpl0(cpu);
  wrmsr(cpu);
  cpu.sys.onSensitive?.(SensitiveOp.Wrmsr, cpu.regs[Reg.ECX]);
}

/** 0F 32: RDMSR: EDX:EAX ← MSR[ECX] (msr.ts). */
function RDMSR(cpu: Cpu): void {
  requireCpl0(cpu);
  rdmsr(cpu);
  cpu.sys.onSensitive?.(SensitiveOp.Rdmsr, cpu.regs[Reg.ECX]);
}

/** 0F 31: RDTSC. CR4.TSD restricts it to CPL 0 (SDM Vol. 2 "RDTSC"); real mode is always allowed. */
function RDTSC(cpu: Cpu): void {
  if ((cpu.cr4 & Cr4.TSD) !== 0) requireCpl0(cpu);
  const t = readTsc(cpu);
  cpu.regs[Reg.EAX] = t % TWO_32;
  cpu.regs[Reg.EDX] = Math.floor(t / TWO_32);
}

/**
 * 0F 33: RDPMC. Counter ECX (0 or 1 on the P6 family) into EDX:EAX (40
 * bits). At CPL > 0 only with CR4.PCE; an invalid counter is #GP(0).
 */
function RDPMC(cpu: Cpu): void {
  if ((cpu.cr4 & Cr4.PCE) === 0) requireCpl0(cpu);
  if (!readPerformanceCounter(cpu, cpu.regs[Reg.ECX])) throw new CpuException(Vector.GP, 0);
}

/** 0F A2: CPUID (cpuid.ts). Not privileged. */
function CPUID(cpu: Cpu): void {
  const leaf = cpu.regs[Reg.EAX];
  cpuid(cpu);
  cpu.sys.onSensitive?.(SensitiveOp.Cpuid, leaf);
}

// ---- HLT, interrupt flag ----------------------------------------------------------

/** F4: HLT. The run loop waits for an interrupt (or stops for good with IF=0). */
function HLT(cpu: Cpu): void {
  requireCpl0(cpu);
  cpu.halted = true;
  cpu.sys.onSensitive?.(SensitiveOp.Hlt, 0);
}

/**
 * May CLI/STI change IF? Real mode: yes. Protected mode: CPL ≤ IOPL.
 * Virtual-8086 mode: IOPL = 3 (there is no VME here). Otherwise #GP(0)
 * (SDM Vol. 2 "CLI" and "STI" Operation, with CR4.VME/PVI clear).
 */
function requireIopl(cpu: Cpu): void {
  if (!cpu.protectedMode) return;
  const iopl = (cpu.flags & Flag.IOPL) >> 12;
  if (cpu.vm86 ? iopl !== 3 : cpu.cpl > iopl) throw new CpuException(Vector.GP, 0);
}

/** FA: CLI. */
function CLI(cpu: Cpu): void {
  requireIopl(cpu);
  cpu.flags &= ~Flag.IF;
}

/** FB: STI. Interrupts stay blocked until after the next instruction when IF was 0. */
function STI(cpu: Cpu): void {
  requireIopl(cpu);
  if ((cpu.flags & Flag.IF) === 0) {
    cpu.flags |= Flag.IF;
    cpu.interruptShadow = true;
  }
}

// ---- cache control, UD2 --------------------------------------------------------

/** 0F 08: INVD. There are no caches to invalidate. */
function INVD(cpu: Cpu): void {
  requireCpl0(cpu);
}

/** 0F 09: WBINVD. There are no caches to write back. */
function WBINVD(cpu: Cpu): void {
  requireCpl0(cpu);
}

/** 0F 0B: UD2 raises #UD by definition. */
function UD2(_cpu: Cpu): void {
  throw new CpuException(Vector.UD);
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  ...descriptorHandlers,
  MOV_RdCd, MOV_CdRd, MOV_RdDd, MOV_DdRd, CLTS,
  WRMSR, RDMSR, RDTSC, RDPMC, CPUID,
  HLT, CLI, STI,
  INVD, WBINVD, UD2,
};
