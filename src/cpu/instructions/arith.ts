/**
 * Instruction family: integer arithmetic (ADD, ADC, SUB, SBB, CMP, INC, DEC,
 * NEG, MUL, IMUL, DIV, IDIV, CBW/CWD…, CMPXCHG, XADD, CMPXCHG8B) and the
 * logical operations that share the ALU encodings (AND, OR, XOR, TEST, NOT).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../dispatch.js';
import { LazyOp, setLazyKeepCarry, sizeMask } from '../flags.js';

/** INC: returns value + 1 (masked to size) and sets flags as INC does (CF unchanged). */
export function inc(cpu: Cpu, value: number, size: number): number {
  const r = (value + 1) & sizeMask(size);
  setLazyKeepCarry(cpu, LazyOp.INC, value, r, size);
  return r;
}

/** DEC: returns value - 1 (masked to size) and sets flags as DEC does (CF unchanged). */
export function dec(cpu: Cpu, value: number, size: number): number {
  const r = (value - 1) & sizeMask(size);
  setLazyKeepCarry(cpu, LazyOp.DEC, value, r, size);
  return r;
}

/** Handlers of this family by name (see opcode-table.ts). */
export const handlers: Record<string, Handler> = {};
