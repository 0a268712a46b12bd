/**
 * Hardware task switching (SDM Vol. 3A §7.3). Placeholder signature; the
 * implementation lands with the far control-transfer family.
 */
import type { Cpu } from './cpu.js';
import { CpuException } from './exception.js';
import { Vector } from './registers.js';

/** What caused a task switch: decides busy/NT handling (SDM Vol. 3A Table 7-2). */
export const enum TaskSwitchReason { Jmp = 0, Call = 1, Iret = 2, Interrupt = 3 }

/** Switches to the task whose TSS (or task gate's TSS) selector is `sel`. */
export function taskSwitch(_cpu: Cpu, sel: number, _reason: TaskSwitchReason, ext: number): void {
  throw new CpuException(Vector.GP, (sel & 0xfffc) + ext);
}
