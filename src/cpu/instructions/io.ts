/**
 * Instruction family: port I/O. IN and OUT with an immediate or DX port,
 * through the system interface, after the protection check of SDM Vol. 1
 * §19.5 "Protected-Mode I/O" (IOPL, then the TSS I/O permission bit map).
 * The string forms INS/OUTS live in string.ts and use the same check.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { CpuException } from '../exception.js';
import { Flag, Reg, Vector } from '../registers.js';

/** Offset in a 32-bit TSS of the 16-bit I/O map base (SDM Vol. 3A §7.2.1, Figure 7-2). */
const TSS_IO_MAP_BASE = 0x66;
/** TSS type bit 3: a 32-bit TSS (types 9/B) rather than a 16-bit one (1/3); trAttr holds type at bits 8..11. */
const TSS_32BIT = 0x800;

/**
 * Raises #GP(0) unless the current program may access `size` bytes of I/O
 * space at `port` (SDM Vol. 1 §19.5.1 "I/O Privilege Level", §19.5.2 "I/O
 * Permission Bit Map"). Real mode and protected mode with CPL <= IOPL always
 * may; otherwise (CPL > IOPL, or any virtual-8086 code) every bit covering
 * the accessed ports must be 0 in the bit map of the current 32-bit TSS. The
 * processor always reads two bytes of the map, so both must lie within the
 * TSS limit; a 16-bit TSS has no map.
 */
export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  if (!cpu.protectedMode) return;
  if ((cpu.flags & Flag.VM) === 0 && cpu.cpl <= ((cpu.flags >> 12) & 3)) return;
  if ((cpu.trAttr & TSS_32BIT) === 0 || cpu.trLimit < TSS_IO_MAP_BASE + 1) throw new CpuException(Vector.GP, 0);
  const mapBase = cpu.readSupervisor((cpu.trBase + TSS_IO_MAP_BASE) | 0, 2);
  const byteOffset = mapBase + (port >>> 3);
  if (byteOffset + 1 > cpu.trLimit) throw new CpuException(Vector.GP, 0);
  const bits = cpu.readSupervisor((cpu.trBase + byteOffset) | 0, 2);
  if (((bits >>> (port & 7)) & ((1 << size) - 1)) !== 0) throw new CpuException(Vector.GP, 0);
}

/** IN: checks the access, then reads `size` bytes of port into AL/AX/EAX. */
function portIn(cpu: Cpu, port: number, size: 1 | 2 | 4): void {
  checkIoPermission(cpu, port, size);
  cpu.setReg(size, Reg.EAX, cpu.sys.ioRead(port, size));
}

/** OUT: checks the access, then writes AL/AX/EAX to port. */
function portOut(cpu: Cpu, port: number, size: 1 | 2 | 4): void {
  checkIoPermission(cpu, port, size);
  const v = cpu.regs[Reg.EAX];
  cpu.sys.ioWrite(port, size, size === 4 ? v : size === 2 ? v & 0xffff : v & 0xff);
}

function IN_ALIb(cpu: Cpu): void { portIn(cpu, cpu.fetch8(), 1); }
function IN_eAXIb(cpu: Cpu): void { portIn(cpu, cpu.fetch8(), cpu.opsize32 ? 4 : 2); }
function OUT_IbAL(cpu: Cpu): void { portOut(cpu, cpu.fetch8(), 1); }
function OUT_IbeAX(cpu: Cpu): void { portOut(cpu, cpu.fetch8(), cpu.opsize32 ? 4 : 2); }
function IN_ALDX(cpu: Cpu): void { portIn(cpu, cpu.regs[Reg.EDX] & 0xffff, 1); }
function IN_eAXDX(cpu: Cpu): void { portIn(cpu, cpu.regs[Reg.EDX] & 0xffff, cpu.opsize32 ? 4 : 2); }
function OUT_DXAL(cpu: Cpu): void { portOut(cpu, cpu.regs[Reg.EDX] & 0xffff, 1); }
function OUT_DXeAX(cpu: Cpu): void { portOut(cpu, cpu.regs[Reg.EDX] & 0xffff, cpu.opsize32 ? 4 : 2); }

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {
  IN_ALIb, IN_eAXIb, OUT_IbAL, OUT_IbeAX, IN_ALDX, IN_eAXDX, OUT_DXAL, OUT_DXeAX,
};
