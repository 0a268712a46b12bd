/**
 * x87 control instructions: FLDCW/FNSTCW, FNSTSW (memory and AX), FNCLEX,
 * FNINIT, FLDENV/FNSTENV and FRSTOR/FNSAVE with the four environment
 * layouts of SDM Vol. 1 §8.1.10 (Figures 8-9 to 8-12): 14 or 28 bytes by
 * operand size, protected-mode (offset and selector) or real-address-mode
 * (20/32-bit linear pointers, with FOP) layout by the processor mode
 * (virtual-8086 mode uses the real-mode layout). Reserved fields are
 * stored as ones, as the P6 family does.
 */
import type { Cpu } from '../cpu.js';
import { Reg } from '../registers.js';
import type { X87 } from '../fpu/x87.js';
import { Sw } from '../fpu/x87.js';
import { offsetBy as off, probeWrite, readF80, writeF80 } from './x87-memory.js';

/** One control instruction for the x87 dispatch tables. */
export interface EnvHandler {
  esc: number;
  reg: number;
  /** Register form: its rm (undefined for memory forms). */
  rm?: number;
  mem: boolean;
  fn: (cpu: Cpu, fpu: X87) => void;
  /** 1 = non-waiting, 2 = control (no pointer update). */
  kind: number;
}

const NO_WAIT = 1, CONTROL = 2;

/** Tells the board FERR# is no longer asserted when clearing makes ES go away. */
function errorCleared(cpu: Cpu, wasPending: boolean): void {
  if (wasPending && !cpu.fpu.pending) cpu.sys.fpuError?.(false);
}

/** Whether the environment uses the real-address-mode layout. */
function realLayout(cpu: Cpu): boolean {
  return !cpu.protectedMode || cpu.vm86;
}

/** Stores the 14/28-byte environment at the memory operand. */
function storeEnv(cpu: Cpu, fpu: X87): number {
  const seg = cpu.eaSeg;
  const o32 = cpu.opsize32;
  const size = o32 ? 28 : 14;
  probeWrite(cpu, size);
  const tag = fpu.tagWord();
  const sw = fpu.getSw();
  if (o32) {
    const w = (k: number, v: number): void => cpu.writeMem(4, seg, off(cpu, k), v);
    w(0, 0xffff_0000 | fpu.cw);
    w(4, 0xffff_0000 | sw);
    w(8, 0xffff_0000 | tag);
    if (realLayout(cpu)) {
      const ip = (fpu.fcs * 16 + fpu.fip) >>> 0, dp = (fpu.fds * 16 + fpu.fdp) >>> 0;
      w(12, 0xffff_0000 | (ip & 0xffff));
      w(16, ((ip >>> 16) << 12) | fpu.fop);
      w(20, 0xffff_0000 | (dp & 0xffff));
      w(24, (dp >>> 16) << 12);
    } else {
      w(12, fpu.fip);
      w(16, (fpu.fop << 16) | fpu.fcs);
      w(20, fpu.fdp);
      w(24, 0xffff_0000 | fpu.fds);
    }
  } else {
    const w = (k: number, v: number): void => cpu.writeMem(2, seg, off(cpu, k), v);
    w(0, fpu.cw); w(2, sw); w(4, tag);
    if (realLayout(cpu)) {
      const ip = (fpu.fcs * 16 + fpu.fip) >>> 0, dp = (fpu.fds * 16 + fpu.fdp) >>> 0;
      w(6, ip & 0xffff);
      w(8, (((ip >>> 16) & 0xf) << 12) | fpu.fop);
      w(10, dp & 0xffff);
      w(12, ((dp >>> 16) & 0xf) << 12);
    } else {
      w(6, fpu.fip); w(8, fpu.fcs); w(10, fpu.fdp); w(12, fpu.fds);
    }
  }
  return size;
}

/** Loads the environment from the memory operand; returns its size. */
function loadEnv(cpu: Cpu, fpu: X87): number {
  const seg = cpu.eaSeg;
  const o32 = cpu.opsize32;
  const r = (k: number): number => cpu.readMem(o32 ? 4 : 2, seg, off(cpu, k));
  const k = o32 ? 4 : 2;
  const cw = r(0), sw = r(k), tag = r(2 * k);
  let fip: number, fcs: number, fop: number, fdp: number, fds: number;
  if (o32) {
    const a = r(12), b = r(16), c = r(20), d = r(24);
    if (realLayout(cpu)) {
      fip = (a & 0xffff) | ((b >>> 12) << 16); fcs = 0; fop = b & 0x7ff;
      fdp = (c & 0xffff) | ((d >>> 12) << 16); fds = 0;
    } else {
      fip = a; fcs = b & 0xffff; fop = (b >>> 16) & 0x7ff; fdp = c; fds = d & 0xffff;
    }
  } else {
    const a = r(6), b = r(8), c = r(10), d = r(12);
    if (realLayout(cpu)) {
      fip = a | ((b >>> 12) << 16); fcs = 0; fop = b & 0x7ff; fdp = c | ((d >>> 12) << 16); fds = 0;
    } else {
      fip = a; fcs = b; fop = 0; fdp = c; fds = d;
    }
  }
  const wasPending = fpu.pending;
  fpu.setCw(cw);
  fpu.setSw(sw);
  fpu.setTagWord(tag);
  fpu.fip = fip; fpu.fcs = fcs; fpu.fop = fop; fpu.fdp = fdp; fpu.fds = fds;
  fpu.updateSummary();
  if (fpu.pending && !wasPending && (cpu.cr0 & 0x20) === 0) cpu.sys.fpuError?.(true);
  errorCleared(cpu, wasPending);
  return o32 ? 28 : 14;
}

/** D9 /4: FLDENV. */
function FLDENV(cpu: Cpu, fpu: X87): void {
  loadEnv(cpu, fpu);
}

/** D9 /6: FNSTENV, then all exceptions are masked (SDM Vol. 2 "FSTENV/FNSTENV"). */
function FNSTENV(cpu: Cpu, fpu: X87): void {
  storeEnv(cpu, fpu);
  const wasPending = fpu.pending;
  fpu.setCw(fpu.cw | 0x3f);
  fpu.updateSummary(); // everything masked: ES and B go (host CPU)
  errorCleared(cpu, wasPending);
}

/** DD /4: FRSTOR: environment, then ST(0)..ST(7). */
function FRSTOR(cpu: Cpu, fpu: X87): void {
  const v = fpu.t2;
  // Read everything before changing anything (a fault leaves the state as it was).
  const size = cpu.opsize32 ? 28 : 14;
  const saved: number[] = [];
  for (let i = 0; i < 8; i++) {
    readF80(cpu, size + 10 * i, v);
    saved.push(v.se, v.hi, v.lo);
  }
  loadEnv(cpu, fpu);
  for (let i = 0; i < 8; i++) fpu.st(i).set(saved[3 * i]!, saved[3 * i + 1]!, saved[3 * i + 2]!);
}

/** DD /6: FNSAVE: environment and registers, then FNINIT. */
function FNSAVE(cpu: Cpu, fpu: X87): void {
  const size = cpu.opsize32 ? 28 : 14;
  probeWrite(cpu, size + 80);
  storeEnv(cpu, fpu);
  for (let i = 0; i < 8; i++) writeF80(cpu, size + 10 * i, fpu.st(i));
  const wasPending = fpu.pending;
  fpu.init();
  errorCleared(cpu, wasPending);
}

/** D9 /5: FLDCW. Unmasking a raised flag makes its exception pending. */
function FLDCW(cpu: Cpu, fpu: X87): void {
  const v = cpu.readMem(2, cpu.eaSeg, cpu.eaOff);
  const wasPending = fpu.pending;
  fpu.setCw(v);
  fpu.updateSummary();
  if (fpu.pending && !wasPending && (cpu.cr0 & 0x20) === 0) cpu.sys.fpuError?.(true);
  errorCleared(cpu, wasPending);
}

/** D9 /7: FNSTCW. */
function FNSTCW(cpu: Cpu, fpu: X87): void {
  cpu.writeMem(2, cpu.eaSeg, cpu.eaOff, fpu.cw);
}

/** DD /7: FNSTSW m16. */
function FNSTSW_M(cpu: Cpu, fpu: X87): void {
  cpu.writeMem(2, cpu.eaSeg, cpu.eaOff, fpu.getSw());
}

/** DF E0: FNSTSW AX. */
function FNSTSW_AX(cpu: Cpu, fpu: X87): void {
  cpu.setReg(2, Reg.EAX, fpu.getSw());
}

/** DB E2: FNCLEX clears the exception flags, SF, ES and B. */
function FNCLEX(cpu: Cpu, fpu: X87): void {
  const wasPending = fpu.pending;
  fpu.sw &= ~(0x3f | Sw.SF | Sw.ES | Sw.B);
  errorCleared(cpu, wasPending);
}

/** DB E3: FNINIT. */
function FNINIT(cpu: Cpu, fpu: X87): void {
  const wasPending = fpu.pending;
  fpu.init();
  errorCleared(cpu, wasPending);
}

/** The control instructions by encoding. */
export const envHandlers: readonly EnvHandler[] = [
  { esc: 0xd9, reg: 4, mem: true, fn: FLDENV, kind: CONTROL },
  { esc: 0xd9, reg: 5, mem: true, fn: FLDCW, kind: CONTROL },
  { esc: 0xd9, reg: 6, mem: true, fn: FNSTENV, kind: NO_WAIT | CONTROL },
  { esc: 0xd9, reg: 7, mem: true, fn: FNSTCW, kind: NO_WAIT | CONTROL },
  { esc: 0xdd, reg: 4, mem: true, fn: FRSTOR, kind: CONTROL },
  { esc: 0xdd, reg: 6, mem: true, fn: FNSAVE, kind: NO_WAIT | CONTROL },
  { esc: 0xdd, reg: 7, mem: true, fn: FNSTSW_M, kind: NO_WAIT | CONTROL },
  { esc: 0xdf, reg: 4, rm: 0, mem: false, fn: FNSTSW_AX, kind: NO_WAIT | CONTROL },
  { esc: 0xdb, reg: 4, rm: 2, mem: false, fn: FNCLEX, kind: NO_WAIT | CONTROL },
  { esc: 0xdb, reg: 4, rm: 3, mem: false, fn: FNINIT, kind: NO_WAIT | CONTROL },
];
