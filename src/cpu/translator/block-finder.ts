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
import { type BlockPlan, MODE_CODE32 } from './emit.js';
import type { OpcodeEntry } from '../opcode-table.js';

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

/** Longest instruction (SDM Vol. 2 §2.3.11). */
const MAX_INSN_LENGTH = 15;

/** The entry of an instruction that may cross the page end: no emitter has it, so the interpreter runs it. */
export const PAGE_STRADDLE: OpcodeEntry = { code: -1, mnemonic: 'across the page end', operands: [], attrs: { endsBlock: true }, handler: 'PAGE_STRADDLE' };

/**
 * An instruction at host offset `p` that does not decode within the page:
 * its bytes up to the page end (what invalidation must cover), run by the
 * interpreter as the block's last instruction.
 */
function pageStraddler(bytes: Uint8Array, p: number, pageEnd: number, eip: number, code32: boolean): DecodedInsn {
  return {
    eip, length: pageEnd - p, opsize32: code32, addrsize32: code32, segOverride: -1, rep: 0, lock: false,
    opcode: bytes[p], entry: PAGE_STRADDLE, handler: PAGE_STRADDLE.handler, mod: -1, reg: -1, rm: -1, base: -1, index: -1, scale: 0, disp: 0,
    eaSeg: 3, imm: 0, imm2: 0,
  };
}

/**
 * Finds the block at host offset `host` of `bytes`, which is CS offset
 * `eip`, decoded under `mode` (its CS.D bit gives the default operand and
 * address size: the mode the entry became hot in, which a batch compiled
 * later may no longer be the CPU's). Undefined when not even the first
 * instruction can be decoded here.
 */
export function findBlock(bytes: Uint8Array, host: number, eip: number, mode: number): BlockPlan | undefined {
  const code32 = (mode & MODE_CODE32) !== 0;
  const pageEnd = (host & ~0xfff) + 0x1000;
  const insns: DecodedInsn[] = [];
  let p = host, at = eip;
  while (insns.length < MAX_BLOCK_INSTRUCTIONS) {
    const insn = decodeInsn(bytes, p, pageEnd, at, code32);
    if (insn === undefined) {
      // Within a longest instruction of the page end: it may go on to the next page, whose bytes
      // are not ours to bake in. The block ends with it, run by the interpreter, which fetches it whole.
      if (p < pageEnd && pageEnd - p < MAX_INSN_LENGTH) insns.push(pageStraddler(bytes, p, pageEnd, at, code32));
      break;
    }
    insns.push(insn);
    if (endsBlockAfter(insn)) break;
    p += insn.length;
    at = (at + insn.length) | 0;
  }
  return insns.length === 0 ? undefined : { eip, insns, mode };
}

/**
 * The CS offset where straight-line code goes on after `plan`, when the
 * block was cut only by {@link MAX_BLOCK_INSTRUCTIONS} and its next
 * instruction starts in the same page (`host` is the block's host offset);
 * else undefined. The interpreter looks for translated code only after a
 * control transfer, so such a continuation is never counted hot while it is
 * interpreted: each 64-instruction piece of a long unrolled function (a hash
 * round, say) would wait for the piece before it to be compiled and then for
 * a threshold of its own. Compiling it with the block it follows avoids that.
 */
export function continuation(plan: BlockPlan, host: number): number | undefined {
  const last = plan.insns[plan.insns.length - 1];
  if (plan.insns.length < MAX_BLOCK_INSTRUCTIONS || endsBlockAfter(last) || last.handler === PAGE_STRADDLE.handler) return undefined;
  const next = (last.eip + last.length) | 0;
  const nextHost = host + (next - plan.eip);
  return (nextHost >>> 12) === (host >>> 12) ? next : undefined;
}

/**
 * Most instructions in one region; a page with more hot code gets several.
 * Small enough that TurboFan optimizes a region soon and inlines its
 * memory accessors (its inlining budget is per function), large enough
 * that most jumps stay inside. Measured on boot, md5sum of 20 MiB and a
 * warm 10,000-iteration shell loop (one run each): 60 gave 38.0 s /
 * 14.0 s / 6.1 s; 120 gave 36.0 / 10.0 / 3.2; 200 gave 49.5 / 11.1 / 3.0;
 * 400 gave 38.4 / 13.7 / 5.0.
 */
export const MAX_REGION_INSTRUCTIONS = 120;
