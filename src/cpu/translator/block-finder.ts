/**
 * Block discovery: decodes straight-line code from the entry point until an
 * instruction that ends a block, the end of the 4 KiB page, or
 * {@link MAX_BLOCK_INSTRUCTIONS}.
 *
 * A block never crosses a page: its bytes then have one physical home, so
 * the write tracking of one page covers it, and the linear→physical mapping
 * checked when the block is entered holds for every byte of it. An
 * instruction that straddles the page end is left to the interpreter.
 */
import type { DecodedInsn } from './decode.js';
import { decodeInsn } from './decode.js';
import type { BlockPlan } from './emit.js';

/**
 * Most instructions in a block. Long enough that the dispatch cost between
 * blocks is small against the block, short enough that the interrupt
 * latency (interrupts are taken between blocks) stays a few microseconds.
 */
export const MAX_BLOCK_INSTRUCTIONS = 64;

/** Instruction classes after which state the block relies on may have changed (segment loads change SS.B, start a shadow). */
const ENDS_AFTER = new Set([
  'MOV_SwEw', 'POP_ES', 'POP_SS', 'POP_DS', 'POP_FS', 'POP_GS',
  'LES_GzMp', 'LDS_GzMp', 'LSS_GzMp', 'LFS_GzMp', 'LGS_GzMp',
]);

/** True when nothing may follow `insn` in its block. */
export function endsBlockAfter(insn: DecodedInsn): boolean {
  const entry = insn.entry;
  if (entry.handler === 'G5_Ev') return insn.reg >= 2; // INC, DEC, PUSH go on; CALL/JMP (near, far) and #UD end
  return entry.attrs.endsBlock === true || ENDS_AFTER.has(entry.handler);
}

/**
 * Finds the block at host offset `host` of `bytes`, which is CS offset
 * `eip`; `code32` is CS.D. Undefined when not even the first instruction
 * can be decoded here.
 */
export function findBlock(bytes: Uint8Array, host: number, eip: number, code32: boolean, mode: number): BlockPlan | undefined {
  const pageEnd = (host & ~0xfff) + 0x1000;
  const insns: DecodedInsn[] = [];
  let p = host, at = eip;
  while (insns.length < MAX_BLOCK_INSTRUCTIONS) {
    const insn = decodeInsn(bytes, p, pageEnd, at, code32);
    if (insn === undefined) break;
    insns.push(insn);
    if (endsBlockAfter(insn)) break;
    p += insn.length;
    at = (at + insn.length) | 0;
  }
  return insns.length === 0 ? undefined : { eip, insns, mode };
}

/**
 * Most instructions in one region. V8 optimizes a function only below a
 * bytecode size (TurboFan's limit is 60 KiB of bytecode), and a region is
 * recompiled whole when it grows, so regions stay a few hundred
 * instructions long; a page with more hot code gets several.
 */
export const MAX_REGION_INSTRUCTIONS = 400;

/** CS offsets a block can continue at directly: its static targets and fall-through. */
function successors(plan: BlockPlan): number[] {
  const last = plan.insns[plan.insns.length - 1];
  const next = (last.eip + last.length) | 0;
  const h = last.entry.handler;
  const rel = (): number => {
    const d = last.entry.operands[0] === 'Jb' ? (last.imm << 24) >> 24 : last.imm;
    const t = (next + d) | 0;
    return last.opsize32 ? t : t & 0xffff;
  };
  if (h === 'Jcc_Jb' || h === 'Jcc_Jz') return [rel(), next];
  if (h === 'JMP_Jb' || h === 'JMP_Jz') return [rel()];
  if (h === 'CALL_Jz') return [rel(), next]; // the callee, and where it returns
  if (!endsBlockAfter(last)) return [next]; // cut by length or by the page end
  if (last.entry.attrs.endsBlock === true && h !== 'G5_Ev') return h.startsWith('LOOP') || h.startsWith('JCXZ') ? [rel(), next] : [];
  return [next]; // a segment load: execution goes on after it
}

/**
 * Finds the blocks of a region on the code page of `host` (CS offset
 * `eip`): the blocks at `entries` first (the new hot entry, then those of
 * the region it replaces), then every block reachable from them by direct
 * jumps and fall-through without leaving the page, up to
 * {@link MAX_REGION_INSTRUCTIONS}. Entries that cannot be decoded are left
 * out, and so are blocks after the first whose host offset `taken` says
 * another live region already runs.
 */
export function findRegion(
  bytes: Uint8Array, host: number, eip: number, code32: boolean, mode: number,
  entries: readonly number[], taken: (host: number) => boolean,
): BlockPlan[] {
  const pageStart = host & ~0xfff;
  const delta = host - eip;
  const plans: BlockPlan[] = [];
  const seen = new Set<number>();
  const queue = [...entries];
  let total = 0;
  for (let q = 0; q < queue.length; q++) {
    const at = queue[q];
    const h = at + delta;
    if (seen.has(at) || h < pageStart || h >= pageStart + 0x1000 || (q > 0 && taken(h))) continue;
    seen.add(at);
    const plan = findBlock(bytes, h, at, code32, mode);
    if (plan === undefined) continue;
    if (total + plan.insns.length > MAX_REGION_INSTRUCTIONS && plans.length > 0) {
      if (q < entries.length) continue; // an entry that no longer fits: it may fit a region of its own
      break;
    }
    plans.push(plan);
    total += plan.insns.length;
    for (const t of successors(plan)) if (!seen.has(t)) queue.push(t);
  }
  return plans;
}
