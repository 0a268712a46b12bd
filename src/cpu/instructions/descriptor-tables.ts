/**
 * Instruction family: system, part 1 — descriptor tables and segment
 * descriptors. Group 6 (SLDT, STR, LLDT, LTR, VERR, VERW), group 7 (SGDT,
 * SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG), LAR, LSL and ARPL. The handlers are
 * exported through system.ts, the family's entry point.
 *
 * Sources: SDM Vol. 2 instruction pages of each mnemonic ("Operation",
 * "Protected Mode Exceptions"); Vol. 3A §3.5 "System Descriptor Types",
 * §5.9 "Privileged Instructions", §5.10.1 "Checking Access Rights (LAR)".
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Cr0, Flag, Vector } from '../registers.js';
import { setSomeFlags } from '../flags.js';
import {
  Attr, descAttr, descBase, descDpl, descLimit, descPresent, descriptorAddress, readDescriptor, type Descriptor,
} from '../segments.js';
import { SensitiveOp } from '../system-interface.js';
import { writeCr0 } from '../control-registers.js';

/** System descriptor types (SDM Vol. 3A Table 3-2), as bits 8..12 (type and S) of the high dword. */
const enum SysType {
  Tss16Available = 0x01, Ldt = 0x02, Tss16Busy = 0x03, CallGate16 = 0x04, TaskGate = 0x05,
  Tss32Available = 0x09, Tss32Busy = 0x0b, CallGate32 = 0x0c,
}
/** The TSS busy bit in a descriptor's high dword (type bit 1). */
const TSS_BUSY = 0x200;

/** System types whose access rights LAR reports (SDM Vol. 2 "LAR", Table 3-53). */
const LAR_SYSTEM_TYPES = (1 << SysType.Tss16Available) | (1 << SysType.Ldt) | (1 << SysType.Tss16Busy) |
  (1 << SysType.CallGate16) | (1 << SysType.TaskGate) | (1 << SysType.Tss32Available) |
  (1 << SysType.Tss32Busy) | (1 << SysType.CallGate32);
/** System types whose limit LSL reports: TSSs and LDTs, no gates (SDM Vol. 2 "LSL"). */
const LSL_SYSTEM_TYPES = (1 << SysType.Tss16Available) | (1 << SysType.Ldt) | (1 << SysType.Tss16Busy) |
  (1 << SysType.Tss32Available) | (1 << SysType.Tss32Busy);

const scratch: Descriptor = { low: 0, high: 0 };

/**
 * Privileged instructions (SDM Vol. 3A §5.9): #GP(0) unless CPL is 0, which
 * also excludes virtual-8086 mode (CPL 3). Real-address mode runs at CPL 0.
 */
export function requireCpl0(cpu: Cpu): void {
  if (cpu.protectedMode && (cpu.cpl !== 0 || cpu.vm86)) throw new CpuException(Vector.GP, 0);
}

/** Group 6 and LAR/LSL/ARPL are "not recognized in real-address mode" nor in virtual-8086 mode: #UD. */
function requireProtectedMode(cpu: Cpu): void {
  if (!cpu.protectedMode || cpu.vm86) throw new CpuException(Vector.UD);
}

function setZf(cpu: Cpu, zf: boolean): void {
  setSomeFlags(cpu, Flag.ZF, zf ? Flag.ZF : 0);
}

// ---- group 6 -------------------------------------------------------------------

/** 0F 00 /0-5: SLDT, STR, LLDT, LTR, VERR, VERW. */
function G6_Ew(cpu: Cpu): void {
  cpu.decodeModrm();
  requireProtectedMode(cpu);
  switch (cpu.modrmReg) {
    case 0: storeSelector(cpu, cpu.ldtrSel); return;
    case 1: storeSelector(cpu, cpu.trSel); return;
    case 2: lldt(cpu); return;
    case 3: ltr(cpu); return;
    case 4: setZf(cpu, accessible(cpu, cpu.readE(2), false)); return;
    case 5: setZf(cpu, accessible(cpu, cpu.readE(2), true)); return;
    default: throw new CpuException(Vector.UD);
  }
}

/**
 * SLDT/STR: a memory destination takes 16 bits whatever the operand size; a
 * 32-bit register gets the selector zero-extended (P6 and later; SDM Vol. 2
 * "SLDT": "the high-order 16 bits of the register are cleared").
 */
function storeSelector(cpu: Cpu, sel: number): void {
  if (cpu.modrmMod === 3) cpu.setReg(cpu.osize, cpu.modrmRm, sel & 0xffff);
  else cpu.writeMem16(cpu.eaSeg, cpu.eaOff, sel);
}

/** LLDT (SDM Vol. 2 "LLDT"): a null selector leaves LDTR invalid; otherwise an LDT descriptor in the GDT. */
function lldt(cpu: Cpu): void {
  requireCpl0(cpu);
  const sel = cpu.readE(2);
  if ((sel & 0xfffc) === 0) {
    // Any later reference through the LDT raises #GP (segments.ts treats a null LDTR as invalid).
    cpu.ldtrSel = sel;
    cpu.ldtrAttr = 0;
    cpu.sys.onSensitive?.(SensitiveOp.Lldt, sel);
    return;
  }
  if ((sel & 4) !== 0) throw new CpuException(Vector.GP, sel & 0xfffc);
  const d = scratch;
  readDescriptor(cpu, sel, d);
  if (((d.high >> 8) & 0x1f) !== SysType.Ldt) throw new CpuException(Vector.GP, sel & 0xfffc);
  if (!descPresent(d)) throw new CpuException(Vector.NP, sel & 0xfffc);
  cpu.ldtrSel = sel;
  cpu.ldtrBase = descBase(d);
  cpu.ldtrLimit = descLimit(d);
  cpu.ldtrAttr = descAttr(d);
  cpu.sys.onSensitive?.(SensitiveOp.Lldt, sel);
}

/** LTR (SDM Vol. 2 "LTR"): an available TSS in the GDT, which becomes busy. */
function ltr(cpu: Cpu): void {
  requireCpl0(cpu);
  const sel = cpu.readE(2);
  if ((sel & 0xfffc) === 0) throw new CpuException(Vector.GP, 0);
  if ((sel & 4) !== 0) throw new CpuException(Vector.GP, sel & 0xfffc);
  const d = scratch;
  readDescriptor(cpu, sel, d);
  const type = (d.high >> 8) & 0x1f;
  if (type !== SysType.Tss16Available && type !== SysType.Tss32Available) {
    throw new CpuException(Vector.GP, sel & 0xfffc);
  }
  if (!descPresent(d)) throw new CpuException(Vector.NP, sel & 0xfffc);
  // Mark it busy in the GDT first: the write may fault, and then nothing has changed.
  d.high |= TSS_BUSY;
  cpu.writeSupervisor((descriptorAddress(cpu, sel) + 5) | 0, 1, d.high >>> 8);
  cpu.trSel = sel;
  cpu.trBase = descBase(d);
  cpu.trLimit = descLimit(d);
  cpu.trAttr = descAttr(d);
  cpu.sys.onSensitive?.(SensitiveOp.Ltr, sel);
}

/**
 * Reads the descriptor `sel` names into `scratch` if LAR/LSL/VERR/VERW may
 * see it: not null, inside its table, and (unless it is a conforming code
 * segment) with DPL ≥ CPL and DPL ≥ RPL. These never fault on the selector.
 */
function visibleDescriptor(cpu: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0) return false;
  const addr = descriptorAddress(cpu, sel);
  if (addr === -1) return false;
  const d = scratch;
  d.low = cpu.readSupervisor(addr, 4);
  d.high = cpu.readSupervisor((addr + 4) | 0, 4);
  const conformingCode = (d.high & (Attr.S | Attr.Code | Attr.DC)) === (Attr.S | Attr.Code | Attr.DC);
  if (conformingCode) return true;
  const dpl = descDpl(d);
  return dpl >= cpu.cpl && dpl >= (sel & 3);
}

/** VERR/VERW: may the segment be read (data, readable code) or written (writable data)? */
function accessible(cpu: Cpu, sel: number, write: boolean): boolean {
  if (!visibleDescriptor(cpu, sel)) return false;
  const high = scratch.high;
  if ((high & Attr.S) === 0) return false;
  const code = (high & Attr.Code) !== 0;
  if (write) return !code && (high & Attr.RW) !== 0;
  return !code || (high & Attr.RW) !== 0;
}

/** Is the visible descriptor in `scratch` a code/data segment or one of `systemTypes`? */
function validType(systemTypes: number): boolean {
  const high = scratch.high;
  if ((high & Attr.S) !== 0) return true;
  return ((systemTypes >> ((high >> 8) & 0xf)) & 1) !== 0;
}

// ---- LAR, LSL, ARPL ------------------------------------------------------------

/**
 * 0F 02: LAR Gv, Ew. ZF=1 and Gv ← access rights: high dword & FF00h (16-bit)
 * or & 00FxFF00h (32-bit). The SDM leaves x (limit 19:16) undefined; like
 * the host CPU (and Bochs) we keep it.
 */
function LAR_GvEw(cpu: Cpu): void {
  cpu.decodeModrm();
  requireProtectedMode(cpu);
  const sel = cpu.readE(2);
  if (!visibleDescriptor(cpu, sel) || !validType(LAR_SYSTEM_TYPES)) { setZf(cpu, false); return; }
  const high = scratch.high;
  if (cpu.opsize32) cpu.setReg(4, cpu.modrmReg, high & 0x00ff_ff00);
  else cpu.setReg(2, cpu.modrmReg, high & 0xff00);
  setZf(cpu, true);
}

/** 0F 03: LSL Gv, Ew. ZF=1 and Gv ← byte-granular limit (truncated to 16 bits with a 16-bit operand). */
function LSL_GvEw(cpu: Cpu): void {
  cpu.decodeModrm();
  requireProtectedMode(cpu);
  const sel = cpu.readE(2);
  if (!visibleDescriptor(cpu, sel) || !validType(LSL_SYSTEM_TYPES)) { setZf(cpu, false); return; }
  cpu.setReg(cpu.osize, cpu.modrmReg, descLimit(scratch) | 0);
  setZf(cpu, true);
}

/** 63: ARPL Ew, Gw. Raises the RPL of Ew to that of Gw (ZF=1), else ZF=0 and no change. */
function ARPL_EwGw(cpu: Cpu): void {
  cpu.decodeModrm();
  requireProtectedMode(cpu);
  const dest = cpu.readModifyE(2);
  const srcRpl = cpu.getReg(2, cpu.modrmReg) & 3;
  if ((dest & 3) < srcRpl) {
    cpu.writeModifiedE(2, (dest & ~3) | srcRpl);
    setZf(cpu, true);
  } else {
    setZf(cpu, false);
  }
}

// ---- group 7 -------------------------------------------------------------------

/** 0F 01 /0-4, 6, 7: SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG. */
function G7_Ew(cpu: Cpu): void {
  cpu.decodeModrm();
  const reg = cpu.modrmReg;
  // SGDT, SIDT, LGDT, LIDT and INVLPG have memory forms only (mod = 3 is #UD on this CPU).
  if (cpu.modrmMod === 3 && reg !== 4 && reg !== 6) throw new CpuException(Vector.UD);
  switch (reg) {
    case 0: storeTableRegister(cpu, cpu.gdtrLimit, cpu.gdtrBase); return;
    case 1: storeTableRegister(cpu, cpu.idtrLimit, cpu.idtrBase); return;
    case 2: case 3: loadTableRegister(cpu, reg === 2); return;
    case 4: smsw(cpu); return;
    case 6: lmsw(cpu); return;
    case 7: invlpg(cpu); return;
    default: throw new CpuException(Vector.UD);
  }
}

/**
 * SGDT/SIDT: limit in bytes 0-1, base in bytes 2-5. With either operand size
 * the full 32-bit base is stored (SDM Vol. 2 "SGDT" Operation: "Full 32-bit
 * base address stored"; only the 286 wrote ones in the top byte).
 * Not privileged (no UMIP on this CPU). Both pages are checked for writing
 * before either part is stored.
 */
function storeTableRegister(cpu: Cpu, limit: number, base: number): void {
  const lin = cpu.linearFor(cpu.eaSeg, cpu.eaOff, 6, true);
  cpu.translate(lin, true);
  // The second page from its first byte, as the cpu.ts page-crossing path reports CR2.
  if ((lin & 0xfff) > 0xffa) cpu.translate((lin + 6) & ~0xfff, true);
  cpu.writeLin16(lin, limit);
  cpu.writeLin32((lin + 2) | 0, base);
}

/** LGDT/LIDT: a 16-bit operand size loads only a 24-bit base (SDM Vol. 2 "LGDT"). */
function loadTableRegister(cpu: Cpu, gdt: boolean): void {
  requireCpl0(cpu);
  const limit = cpu.readMem16(cpu.eaSeg, cpu.eaOff);
  let base = cpu.readMem32(cpu.eaSeg, (cpu.eaOff + 2) | 0);
  if (!cpu.opsize32) base &= 0x00ff_ffff;
  if (gdt) {
    cpu.gdtrLimit = limit;
    cpu.gdtrBase = base;
    cpu.sys.onSensitive?.(SensitiveOp.Lgdt, base);
  } else {
    cpu.idtrLimit = limit;
    cpu.idtrBase = base;
    cpu.sys.onSensitive?.(SensitiveOp.Lidt, base);
  }
}

/**
 * SMSW: 16 bits of CR0 to memory whatever the operand size. To a 32-bit
 * register the SDM leaves the upper half undefined; P6-and-later parts (and
 * the host CPU) store all of CR0, and so do we.
 */
function smsw(cpu: Cpu): void {
  if (cpu.modrmMod === 3) cpu.setReg(cpu.osize, cpu.modrmRm, cpu.cr0);
  else cpu.writeMem16(cpu.eaSeg, cpu.eaOff, cpu.cr0);
}

/** LMSW: loads PE, MP, EM and TS from bits 0-3; it can set PE but never clear it. */
function lmsw(cpu: Cpu): void {
  requireCpl0(cpu);
  const msw = cpu.readE(2) & (Cr0.PE | Cr0.MP | Cr0.EM | Cr0.TS);
  writeCr0(cpu, (cpu.cr0 & ~(Cr0.MP | Cr0.EM | Cr0.TS)) | msw);
  cpu.sys.onSensitive?.(SensitiveOp.CrWrite, 0);
}

/** INVLPG m: drops the translation of the page holding m's linear address (no segment checks). */
function invlpg(cpu: Cpu): void {
  requireCpl0(cpu);
  const lin = (cpu.segBase[cpu.eaSeg] + cpu.eaOff) | 0;
  cpu.invalidatePage(lin);
  cpu.sys.onSensitive?.(SensitiveOp.Invlpg, lin);
}

/** Handlers of this part of the family by name (merged into system.ts's table). */
export const descriptorHandlers: Record<string, Handler> = {
  G6_Ew, G7_Ew, LAR_GvEw, LSL_GvEw, ARPL_EwGw,
};
