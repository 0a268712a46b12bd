/**
 * What both back ends' emitters (emit-ops*.ts for JavaScript, wasm/ops*.ts
 * for WebAssembly) do the same way: operands of a decoded instruction, and
 * the emitters that only call the emitter interface both share.
 */
import type { DecodedInsn } from './decode.js';
import { Seg } from '../registers.js';
import { lockAllowed, lockMaskOf } from '../opcode-table.js';

/** What these helpers read of an emitter: the instruction and the CS offset after it. */
interface AtInsn { readonly insn: DecodedInsn; readonly next: number }

/** Near jump target of a relative branch: truncated to 16 bits with a 16-bit operand size. */
export function relTarget(e: AtInsn): number {
  const rel = e.insn.entry.operands[0] === 'Jb' ? (e.insn.imm << 24) >> 24 : e.insn.imm;
  const t = (e.next + rel) | 0;
  return e.insn.opsize32 ? t : t & 0xffff;
}

/** The segment of a data access without a ModRM operand (moffs, string sources): DS unless overridden. */
export function dataSeg(e: AtInsn): number {
  return e.insn.segOverride >= 0 ? e.insn.segOverride : Seg.DS;
}

/** A moffs offset (MOV AL/eAX ↔ moffs) with the address size. */
export function moffsOffset(e: AtInsn): number {
  return e.insn.addrsize32 ? e.insn.imm | 0 : e.insn.imm & 0xffff;
}

/** What a direct jump needs of an emitter of either back end. */
interface Jumper extends AtInsn {
  readonly targets: number[];
  jump(target: number): void;
}

/** JMP rel8/rel16/rel32 on either back end: the target joins what the CS limit must cover, then the jump. */
export function jumpRelative(e: Jumper): boolean {
  const t = relTarget(e);
  e.targets.push(t);
  e.jump(t);
  return true;
}

/**
 * Whether an emitter may run `insn`: without LOCK, or with LOCK where it is
 * legal (opcode-table.ts lockAllowed, as the interpreter decides). LOCK
 * changes nothing else here: one CPU per thread, so a read-modify-write
 * within a region is atomic for the guest. A use that is #UD goes to the
 * interpreter, which raises it.
 */
export function lockAllows(insn: DecodedInsn): boolean {
  return !insn.lock || lockAllowed(lockMaskOf(insn.entry), insn.mod, insn.reg);
}
