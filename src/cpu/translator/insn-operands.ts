/**
 * Operands of a decoded instruction that both back ends' emitters compute
 * the same way (emit-ops*.ts for JavaScript, wasm/ops*.ts for WebAssembly).
 */
import type { DecodedInsn } from './decode.js';
import { Seg } from '../registers.js';

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
