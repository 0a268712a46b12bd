/**
 * The loops of a region: which of its blocks (in address order) a
 * WebAssembly `loop` encloses, so that a jump back within one is a branch to
 * that loop's start rather than a trip round the region's dispatch
 * (region.ts). V8 sees each guest loop as a loop of its own, keeps its
 * values in registers across it and moves spills out of it.
 *
 * A jump from block j back to block i (i ≤ j) asks for a loop over blocks
 * i..j. Loops must nest, so two that overlap without one holding the other
 * become one. What results is a tree: the region at the root, each loop a
 * node whose items (blocks and inner loops) come in address order. A loop
 * may be entered at any of its blocks (the region is entered at any block,
 * and a jump may come in from before it), so each loop starts with a
 * dispatch on the block index: a compare for each block that a jump back
 * targets, then a br_table for the rest.
 */

import type { BlockPlan } from './emit.js';
import { relTarget } from './insn-operands.js';

/** The relative jumps and branches (whose target relTarget gives). */
export const RELATIVE_JUMPS: ReadonlySet<string> = new Set(['Jcc_Jb', 'Jcc_Jz', 'JMP_Jb', 'JMP_Jz']);

/** The direct jumps and calls, whose target relTarget gives. */
const DIRECT: ReadonlySet<string> = new Set([...RELATIVE_JUMPS, 'CALL_Jz']);

/** The EIPs a block may go on to by a direct jump, branch or call, or by going on to the next instruction. */
export function successors(plan: BlockPlan): number[] {
  const last = plan.insns[plan.insns.length - 1];
  const next = (last.eip + last.length) | 0;
  if (!DIRECT.has(last.handler)) return [next];
  return [relTarget({ insn: last, next }), next];
}

/** A loop over blocks first..last, or the whole region (the root, id 0). */
export interface LoopNode {
  readonly id: number;
  readonly first: number;
  readonly last: number;
  /** Blocks and inner loops, in address order. */
  readonly items: LoopItem[];
  /** Blocks that jumps back within this loop go to (each is tested before the br_table). */
  readonly backTargets: number[];
}

/** A block (by index) or an inner loop. */
export type LoopItem = number | LoopNode;

/** The first block of an item. */
export function itemFirst(item: LoopItem): number {
  return typeof item === 'number' ? item : item.first;
}

/** At most this many blocks are tested by compares at a loop's start; the rest go by the br_table. */
const MAX_BACK_TARGETS = 4;

/** The loop tree of a region of `count` blocks, from each block's successors within it (block indexes). */
export class RegionLoops {
  readonly root: LoopNode;
  /** For each block, the loops that hold it, outermost first (the root first). */
  private readonly paths: LoopNode[][];

  constructor(count: number, successors: readonly (readonly number[])[]) {
    const spans: [number, number][] = [];
    successors.forEach((targets, j) => {
      for (const i of targets) if (i >= 0 && i < j) spans.push([i, j]);
    });
    const loops = nestable(spans);
    this.root = { id: 0, first: 0, last: count - 1, items: [], backTargets: [] };
    this.paths = Array.from({ length: count }, () => [this.root]);
    // Outer loops first: by first block, then the longer one.
    loops.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const open: LoopNode[] = [this.root];
    let next = 0;
    const place = (upTo: number): void => {
      // Blocks before `upTo` go into the innermost open loop that holds them.
      for (; next < upTo; next++) {
        while (open[open.length - 1].last < next) open.pop();
        open[open.length - 1].items.push(next);
        this.paths[next] = open.slice();
      }
    };
    loops.forEach(([first, last], k) => {
      place(first);
      while (open[open.length - 1].last < first) open.pop();
      const node: LoopNode = { id: k + 1, first, last, items: [], backTargets: [] };
      open[open.length - 1].items.push(node);
      open.push(node);
    });
    place(count);
    // The targets of jumps back, by the loop whose start they branch to.
    successors.forEach((targets, j) => {
      for (const i of targets) {
        if (i < 0) continue;
        const route = this.route(j, i);
        if (route.kind === 'back' && route.node !== this.root && !route.node.backTargets.includes(i) &&
          route.node.backTargets.length < MAX_BACK_TARGETS) route.node.backTargets.push(i);
      }
    });
  }

  /** The loops holding block `i`, outermost (the root) first. */
  path(i: number): readonly LoopNode[] { return this.paths[i]; }

  /**
   * How a jump from block `from` to block `to` goes: in the innermost loop
   * holding both, forward to the label before the item holding `to`, or
   * back to that loop's start.
   */
  route(from: number, to: number): { kind: 'forward'; node: LoopNode; item: LoopItem } | { kind: 'back'; node: LoopNode } {
    const a = this.paths[from], b = this.paths[to];
    let d = 0;
    while (d + 1 < a.length && d + 1 < b.length && a[d + 1] === b[d + 1]) d++;
    const node = a[d];
    const fromItem = itemIndex(node, a[d + 1] ?? from);
    const toItem = itemIndex(node, b[d + 1] ?? to);
    if (toItem > fromItem) return { kind: 'forward', node, item: node.items[toItem] };
    return { kind: 'back', node };
  }

  /** The item of `node` that holds block `i`. */
  itemHolding(node: LoopNode, i: number): LoopItem {
    const path = this.paths[i];
    const k = path.indexOf(node);
    return path[k + 1] ?? i;
  }
}

function itemIndex(node: LoopNode, item: LoopItem): number {
  const k = node.items.indexOf(item);
  if (k < 0) throw new Error('translator: a block outside the loop that should hold it');
  return k;
}

/**
 * Spans merged until any two are disjoint or one holds the other (an
 * overlap becomes their union), without duplicates.
 */
export function nestable(spans: readonly (readonly [number, number])[]): [number, number][] {
  let out = spans.map(([a, b]) => [a, b] as [number, number]);
  for (let merged = true; merged;) {
    merged = false;
    out.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    const next: [number, number][] = [];
    for (const s of out) {
      const prev = next[next.length - 1];
      if (prev !== undefined && prev[0] === s[0] && prev[1] === s[1]) continue;
      // Overlapping without nesting: s starts inside some earlier span and ends past it.
      const host = next.findIndex((p) => s[0] > p[0] && s[0] <= p[1] && s[1] > p[1]);
      if (host >= 0) {
        next[host] = [next[host][0], s[1]];
        merged = true;
        continue;
      }
      next.push(s);
    }
    out = next;
  }
  return out;
}
