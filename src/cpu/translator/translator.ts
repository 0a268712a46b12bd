/**
 * The translator's front: counts executions per entry point, translates
 * hot code into JavaScript functions (`new Function`, compiled by V8), and
 * runs them from the CPU's loop. Cpu.runInner asks {@link Translator.runBlock}
 * at each block boundary; a false answer means "interpret".
 *
 * Hot code is compiled a region at a time: the hot blocks of one code page
 * and those reachable from them by direct jumps within the page, in one
 * function (emit.ts). A block is keyed by the host offset of its entry plus
 * what its code bakes in: the CS offset (constants for EIP, return
 * addresses, targets) and the mode bits ({@link modeKey}). Entry goes through the TLB with the CPU's
 * fetch permissions, so CR3 writes, INVLPG and CPL changes are honoured by
 * construction; the CS limit is checked against what the block needs.
 */
import type { Cpu } from '../cpu.js';
import { Flag, Seg } from '../registers.js';
import { TLB_VALID } from '../tlb.js';
import { CpuException } from '../exception.js';
import { alu, inc, dec, mul, imulAcc, div, idiv } from '../instructions/arith.js';
import { shift, shiftDouble } from '../instructions/shift.js';
import { getCF, setSomeFlags, testCondition } from '../flags.js';
import { Block, CodeCache, Region, type RegionFn } from './code-cache.js';
import { emitRegion, type BlockPlan, type Emitter, type EmitterTable } from './emit.js';
import { modeKey } from './mode-key.js';
import { memoryAccess } from './memory-access.js';
import { DEFAULT_EMITTERS } from './emit-ops.js';
import { continuation, findBlock, MAX_REGION_INSTRUCTIONS } from './block-finder.js';
import { type LoopItem, RegionLoops, successors } from './loops.js';
import { Lockstep } from './lockstep.js';
import type { DecodedInsn } from './decode.js';
import { OPCODES } from '../opcode-table.js';
import { compileWasmModule, type WasmEmitter, type WasmEmitterTable } from './wasm/region.js';
import { WASM_EMITTERS } from './wasm/ops.js';
import { WasmRuntime } from './wasm/runtime.js';

/** Options for a {@link Translator}. */
export interface TranslatorOptions {
  /**
   * Executions of an entry point before it is translated. 0 translates on
   * first sight (the test suites use it, so every instruction they run goes
   * through translated code).
   */
  hotThreshold?: number;
  /**
   * Emitters that replace the default ones per instruction class (opcode
   * table handler name). This is the seam for binary translation: a
   * strategy can turn a sensitive instruction into a call to the monitor
   * without touching the translator's core.
   */
  emitters?: Readonly<Record<string, Emitter>>;
  /** Run every block through the interpreter too and stop at the first difference (lockstep.ts). */
  lockstep?: boolean;
  /**
   * Check one block in this many (default 1, every block). Sampling keeps a
   * long run (a Linux boot) within reach; every block is still checked on
   * some of its runs when it runs often.
   */
  lockstepEvery?: number;
  /** Most blocks the cache keeps (default MAX_BLOCKS). */
  maxBlocks?: number;
  /** Keep each block's generated source (for diagnostics). */
  keepSource?: boolean;
  /**
   * What regions are compiled to: WebAssembly (wasm/; the default where
   * the machine's memory is a WebAssembly memory) or JavaScript functions.
   * A region with an instruction of a class `emitters` overrides and
   * `wasmEmitters` does not stays JavaScript, so the seam holds for both.
   */
  backend?: 'js' | 'wasm';
  /** With the WebAssembly back end: emitters that replace its defaults per instruction class (the same seam). */
  wasmEmitters?: Readonly<Record<string, WasmEmitter>>;
}

/**
 * Default hot threshold: code run this often is worth a translation. A
 * compile costs far more than interpreting a block a few times (V8 parses,
 * makes bytecode, later optimizes), and every compiled block costs memory.
 * Measured on the Linux boot to the shell (9e9 instructions): 16 compiled
 * 71,700 blocks (peak RSS 366 MiB, 369 CPU-s); 200 compiled 13,500 (252 MiB,
 * 337 CPU-s). Then on boot (without the crypto self-tests), md5sum of
 * 20 MiB and 10,000 shell loops, one run each on a loaded machine: 200
 * compiled 15,558 blocks (293 MB peak RSS, 108.5 s); 2000 compiled 5,046
 * (247 MB, 74.6 s); 8000 compiled 3,315 (216 MB, 84.4 s). Hot loops reach
 * 2000 within microseconds anyway. With regions (`--jit-threshold N`, boot
 * with the self-tests, md5sum of 20 MiB, a 100,000-iteration shell loop;
 * 2 to 4 runs each on a host that drifts by a quarter): 2000 took
 * 37–40 s / 6.7–7.2 s / 29–40 s at 314–334 MB peak; 10000 28–45 s /
 * 5.4–8.8 s / 29–45 s at 266–285 MB; 30000 27–39 s / 5.3–6.3 s / 36–45 s
 * at 231–237 MB. A higher threshold saves memory and compiles, but every
 * block of the shell loop runs once an iteration, so it is interpreted
 * that many more times. With WebAssembly regions in batches, a group
 * rebuilt once it has doubled ({@link GROUP_REBUILD_GROWTH}) and batches of
 * {@link WASM_BATCH_ENTRIES} / {@link WASM_BATCH_WAIT} (the bench's
 * workload, three or four runs each): 1000 took 8.95–9.72 s to the shell, 0.80–0.85 s
 * for `md5sum`, 4.22–4.34 s for the loop, at 172.8–172.9 MiB peak; 2000 with
 * the batches and rebuilds before (16 entries, 2 M instructions, at half
 * again) took 9.95–10.20 s, 1.05–1.20 s, 4.38–4.67 s at 169–183 MiB. The
 * first 10,000 turns of the loop took 1.92 s at 2000, the next 10,000
 * 0.43 s: the loop's code is interpreted until it is hot.
 */
export const DEFAULT_HOT_THRESHOLD = 1000;

/**
 * Hot entries a batch of WebAssembly regions waits for (translate): one
 * module for all of them. V8 spends about 25 KiB on a module however small
 * (measured: 1000 modules of one function, 24–29 KiB each in RSS; 14 KiB of
 * it malloc), and a module lives as long as one of its regions does.
 */
const WASM_BATCH_ENTRIES = 256;
/**
 * Instructions the oldest queued entry waits at most before its batch is
 * compiled anyway. A queued entry that turns hot a second time does not
 * wait for either (translate): the code waiting is what runs, so the rest
 * can wait long. Over the bench's workload (boot, `md5sum` of 20 MiB, the
 * 100,000-iteration loop; two or three interleaved runs each): 32 entries
 * and 3 M instructions made 460–500 modules, peaked at 171–174 MiB, took
 * 8.5–8.9 s / 0.78–0.83 s / 4.1–4.3 s; 128 and 8 M, 300–320 modules,
 * 165–166 MiB; 256 and 20 M, 248–258 modules, 163.5–167 MiB, 8.5–8.8 s /
 * 0.76–0.84 s / 3.7–3.9 s; beyond that, fewer modules (164 for 512 and
 * 200 M) but no less memory. Without the second-hotness rule, waits this
 * long cost the boot seconds: with 32 entries and 8 M, 0.8–1.4 s.
 */
export const WASM_BATCH_WAIT = 20_000_000;

/**
 * A page group is compiled again, whole, once the hot entries it gained
 * since its last build are this many times as many as that build had;
 * until then the new ones run in regions of their own. Over the bench's
 * workload, at a threshold of 1000: 0.5 peaked 5–8 MiB higher, as fast
 * (two runs each); 2 saved 1–6 MiB but the loop took 0.2–0.4 s longer
 * (four runs each: a late entry's region reaches the group's only through
 * the chain, not by tail calls).
 */
const GROUP_REBUILD_GROWTH = 1;

/** Slots of the direct-mapped block table in front of the cache's Map (QEMU's tb_jmp_cache). */
const JUMP_CACHE_SLOTS = 1 << 12;

/** Size of the direct-mapped table of execution counters (collisions only make code hot sooner). */
const COUNTER_SLOTS = 1 << 16;

/** The helpers generated code reaches through `H`: the interpreter's own semantics (with each CPU's memory accessors). */
const HELPERS = {
  CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags,
};

/**
 * The instruction classes that work on MMX registers, which are the x87
 * stack's: the prefix-selected forms with a P, Q or N operand (SDM Vol. 2
 * Appendix A), and EMMS.
 */
const MMX_CLASSES: ReadonlySet<string> = new Set([
  'EMMS',
  ...OPCODES.flatMap((e) => e?.forms ?? []).filter((f) => f !== undefined && f.operands.some((o) => /^[PQN]/.test(o))).map((f) => f!.handler),
]);

/**
 * Instructions lockstep cannot check (lockstep.ts): x87 (D8-DF, WAIT), RDTSC,
 * and the MMX forms (the x87 stack, which lockstep's snapshot does not
 * copy). The SSE/SSE2 forms on XMM registers alone are checked, with or
 * without a mandatory prefix.
 */
function uncheckedInLockstep(i: DecodedInsn): boolean {
  const op = i.opcode;
  if ((op >= 0xd8 && op <= 0xdf) || op === 0x9b || op === 0x131) return true;
  return MMX_CLASSES.has(i.handler);
}

/** What {@link Translator.runBlock} did, and so what the run loop does next. */
export const enum RunBlock {
  /** Nothing: interpret the instruction at CS:EIP. */
  None = 0,
  /** Ran regions and stopped for the run loop's checks; then look for a block again. */
  Ran = 1,
  /**
   * Ran regions up to a block that cannot run now (none yet, or the budget
   * or CS limit does not cover it, and the lookup has counted it): interpret
   * without looking again.
   */
  RanThenInterpret = 2,
}

/** Translates and runs the hot code of one CPU. */
export class Translator {
  readonly cache: CodeCache;
  readonly emitters: EmitterTable;
  private readonly threshold: number;
  private readonly counters = new Uint16Array(COUNTER_SLOTS);
  /** Recently entered blocks by host offset hash; a hit is checked like a Map hit. */
  private readonly jumpCache: (Block | null)[] = new Array<Block | null>(JUMP_CACHE_SLOTS).fill(null);
  /** Region runs from the run loop (statistics). */
  blocksRun = 0;
  /** Region runs inside WebAssembly chains (statistics; the first of each chain is in blocksRun too). */
  get chainedRuns(): number { return this.wasm?.chainedRuns ?? 0; }
  /** WebAssembly modules instantiated (statistics). */
  get wasmModules(): number { return this.wasm?.modules ?? 0; }
  /** The lockstep checker, when on. */
  readonly lockstep: Lockstep | undefined;
  private readonly keepSource: boolean;
  /** What generated code reaches through `H`: HELPERS and this CPU's memory accessors. */
  private readonly helpers: typeof HELPERS & ReturnType<typeof memoryAccess>;
  /** Hot entries waiting to be compiled, and the instruction count when the oldest came. */
  private queue: { host: number; eip: number; mode: number }[] = [];
  private queuedAt = 0;
  /** Entries a batch waits for: 1 for JavaScript regions and when translating on first sight. */
  private readonly batchEntries: number;
  /** What regions are compiled to (TranslatorOptions.backend). */
  readonly backend: 'js' | 'wasm';
  /** The WebAssembly side, when regions are compiled to WebAssembly. */
  private readonly wasm: WasmRuntime | undefined;
  /** Classes whose JavaScript emitter the options replaced and the WebAssembly ones did not (their regions stay JavaScript). */
  private readonly customClasses: ReadonlySet<string>;
  private readonly wasmEmitters: WasmEmitterTable;

  constructor(private readonly cpu: Cpu, options: TranslatorOptions = {}) {
    this.cache = new CodeCache(cpu, options.maxBlocks);
    this.emitters = { ...DEFAULT_EMITTERS, ...options.emitters };
    this.threshold = Math.min(0xffff, options.hotThreshold ?? DEFAULT_HOT_THRESHOLD);
    this.helpers = { ...HELPERS, ...memoryAccess(cpu) };
    cpu.mem.onCodeWrite = (host, size) => this.cache.invalidate(host, size);
    this.lockstep = options.lockstep ? new Lockstep(cpu, (lin) => this.fillFetchEntry(cpu, lin), options.lockstepEvery ?? 1) : undefined;
    this.keepSource = options.lockstep === true || options.keepSource === true;
    this.wasmEmitters = { ...WASM_EMITTERS, ...options.wasmEmitters };
    this.customClasses = new Set(Object.keys(options.emitters ?? {}).filter((name) => options.wasmEmitters?.[name] === undefined));
    const memory = cpu.mem.wasmMemory;
    const wasmPossible = memory !== null && cpu.areaBase >= 0;
    this.backend = options.backend ?? (wasmPossible ? 'wasm' : 'js');
    this.batchEntries = this.backend === 'wasm' && this.threshold > 0 ? WASM_BATCH_ENTRIES : 1;
    if (this.backend === 'wasm') {
      if (!wasmPossible) throw new Error('translator: WebAssembly regions need the machine\'s memory to be a WebAssembly memory (RAM up to about 4 GiB)');
      this.wasm = new WasmRuntime(cpu, memory);
      const wasm = this.wasm;
      this.cache.onFlush = () => wasm.forgetAll();
    }
  }

  /**
   * Runs the region of the block at CS:EIP if there is one (translating it
   * when it has become hot) and its block fits in the `end` budget, and
   * the regions after it. {@link RunBlock} says what the caller does next.
   */
  runBlock(cpu: Cpu, end: number): RunBlock {
    const first = this.lookup(cpu);
    if (first === undefined || first.limitNeeded > cpu.segLimit[Seg.CS] || end - cpu.instructions < first.count) return RunBlock.None;
    let block: Block = first;
    const lockstep = this.lockstep;
    // WebAssembly regions chain among themselves (wasm/chain.ts), but under lockstep, which checks each block.
    const wasm = lockstep === undefined ? this.wasm : undefined;
    // Run regions back to back while nothing needs the run loop: no stop, no deliverable interrupt,
    // no shadow, no single-step. The mode cannot change inside a region except by an interpreted
    // instruction, after which the region returns 1 and the next block is found by a full lookup.
    for (;;) {
      this.blocksRun++;
      let region = block.region;
      let result: number;
      if (this.wasm !== undefined) this.wasm.lastRegion = null;
      if (lockstep !== undefined) result = lockstep.run(block, end);
      else if (wasm !== undefined && region.wasmSlot >= 0) {
        wasm.remember(block);
        result = wasm.runChain(block, end, block.mode);
      } else result = region.fn(cpu, block.index, end);
      // A WebAssembly region may have gone on into others (the chain, or wasm/region.ts toSibling).
      if (this.wasm?.lastRegion) region = this.wasm.lastRegion;
      if (cpu.stopRequested || cpu.halted || cpu.nmiPending || cpu.interruptShadow ||
          (cpu.intrLine && (cpu.flags & Flag.IF) !== 0) || (cpu.flags & (Flag.TF | Flag.RF)) !== 0) return RunBlock.Ran;
      const interpreted = result & 1;
      const exited = region.blocks[result >> 1];
      let next: Block | undefined = interpreted !== 0 ? undefined : this.chained(cpu, exited);
      if (next === undefined) {
        next = this.lookup(cpu);
        if (next === undefined) return RunBlock.RanThenInterpret;
        if (interpreted === 0 && region.valid) this.link(exited, next);
      }
      block = next;
      if (block.limitNeeded > cpu.segLimit[Seg.CS] || end - cpu.instructions < block.count) return RunBlock.RanThenInterpret;
    }
  }

  /** The linked successor of `prev` for the current EIP, if it still holds. */
  private chained(cpu: Cpu, prev: Block): Block | undefined {
    const eip = cpu.eip;
    const b = prev.nextEip0 === eip ? prev.next0 : prev.nextEip1 === eip ? prev.next1 : null;
    if (b === null || !b.region.valid) return undefined;
    // Same physical page as when linked: the mapping may have changed (CR3, INVLPG) since.
    const lin = (cpu.segBase[Seg.CS] + eip) | 0;
    const e = cpu.tlb.entries[lin >>> 12];
    if ((e & cpu.tlbReadMask) !== TLB_VALID || (e & ~0xfff) + (lin & 0xfff) !== b.host) return undefined;
    return b;
  }

  /** Remembers `next` as a successor of `prev` (two slots; the older one gives way). */
  private link(prev: Block, next: Block): void {
    if (prev.nextEip0 === -1 || prev.next0 === null || !prev.next0.region.valid) {
      prev.nextEip0 = next.eip; prev.next0 = next;
    } else {
      prev.nextEip1 = prev.nextEip0; prev.next1 = prev.next0;
      prev.nextEip0 = next.eip; prev.next0 = next;
    }
  }

  /** The block to run at CS:EIP, translated now if hot; undefined to interpret. */
  lookup(cpu: Cpu): Block | undefined {
    const eip = cpu.eip;
    const lin = (cpu.segBase[Seg.CS] + eip) | 0;
    let e = cpu.tlb.entries[lin >>> 12];
    if ((e & cpu.tlbReadMask) !== TLB_VALID) {
      e = this.fillFetchEntry(cpu, lin);
      if ((e & cpu.tlbReadMask) !== TLB_VALID) return undefined;
    }
    const host = (e & ~0xfff) + (lin & 0xfff);
    // Only a page marked as holding translations can have a block, and only where a block starts
    // (CodeCache.mayHaveEntry). Most interpreted code has none, and there the lookup (at each
    // interpreted block) is just the count.
    if (cpu.mem.codePages[host >>> 12] !== 0 && this.cache.mayHaveEntry(host)) {
      const mode = modeKey(cpu);
      const jslot = (host ^ (host >>> 12)) & (JUMP_CACHE_SLOTS - 1);
      const cached = this.jumpCache[jslot];
      if (cached !== null && cached.host === host && cached.region.valid && cached.eip === eip && cached.mode === mode) return cached;
      const block = this.cache.get(host);
      if (block !== undefined && block.eip === eip && block.mode === mode) {
        this.jumpCache[jslot] = block;
        return block;
      }
    }
    // A batch of queued entries is compiled when its oldest has waited long enough, even if no more come.
    if (this.queue.length > 0 && cpu.instructions - this.queuedAt >= WASM_BATCH_WAIT) {
      this.compileQueue(cpu);
      const now = this.cache.get(host);
      if (now !== undefined && now.eip === eip && now.mode === modeKey(cpu)) return now;
    }
    const slot = (host ^ (host >>> 16)) & (COUNTER_SLOTS - 1);
    if (this.counters[slot] < this.threshold) {
      this.counters[slot]++;
      return undefined;
    }
    this.counters[slot] = 0;
    return this.translate(cpu, host, eip, modeKey(cpu));
  }

  /**
   * Fills the TLB entry for fetching at `lin`, as the interpreter's first
   * fetch would; a fault is left for the interpreter to raise at the
   * instruction (it sets the same accessed bits on its way).
   */
  fillFetchEntry(cpu: Cpu, lin: number): number {
    if ((cpu.eip >>> 0) > cpu.segLimit[Seg.CS]) return 0;
    try {
      cpu.translate(lin, false);
    } catch (e) {
      if (e instanceof CpuException) return 0;
      throw e;
    }
    return cpu.tlb.entries[lin >>> 12];
  }

  /**
   * Translates the block at host offset `host` (CS offset `eip`), which has
   * just become hot. Regions hold the hot blocks of one code page (under
   * one mode and CS base): the page's group of hot entries grows by this
   * one, and the whole group is compiled again once it has doubled since
   * its last build ({@link GROUP_REBUILD_GROWTH}; so a page's code is
   * compiled a bounded number of times, and every new function has a few
   * hot blocks to warm up on);
   * meanwhile the entries new since then run in regions of their own.
   *
   * WebAssembly regions are compiled in batches: a module costs about half
   * a millisecond however small (measured: 2000 one-function modules of
   * 2.5 KiB took 507 µs each; 200 of ten functions, 736 µs each), so hot
   * entries wait in a queue, interpreted meanwhile, until
   * {@link WASM_BATCH_ENTRIES} of them are there or the oldest has waited
   * {@link WASM_BATCH_WAIT} instructions; then one module holds them all.
   * An entry already queued that turns hot again (another threshold's worth
   * of runs while it waited: a loop, most often) has the batch compiled at
   * once, as interpreting it on would cost more than the module: the XZ
   * decompressor's CRC-32, BCJ filter and relocation loops each ran about
   * 3 M instructions interpreted before; now the boot interprets 48 M
   * instructions to the shell, not 69 M (see README.md).
   * Their blocks are decoded when the batch is compiled, so code written
   * in between is read as it is then.
   */
  translate(cpu: Cpu, host: number, eip: number, mode: number): Block | undefined {
    const queue = this.queue;
    const hotAgain = queue.some((q) => q.host === host && q.mode === mode);
    if (!hotAgain) {
      if (queue.length === 0) this.queuedAt = cpu.instructions;
      queue.push({ host, eip, mode });
    }
    if (!hotAgain && queue.length < this.batchEntries && cpu.instructions - this.queuedAt < WASM_BATCH_WAIT) return undefined;
    this.compileQueue(cpu);
    const block = this.cache.get(host);
    return block !== undefined && block.eip === eip && block.mode === mode ? block : undefined;
  }

  /** Compiles the queued entries: each page group's new entries as regions of their own, or the whole group again. */
  private compileQueue(cpu: Cpu): void {
    const queue = this.queue;
    this.queue = [];
    const groups = new Map<string, { delta: number; mode: number; fresh: number[] }>();
    for (const { host, eip, mode } of queue) {
      const delta = host - eip;
      const key = `${host >>> 12}:${delta}:${mode}`;
      const group = this.cache.group(key);
      if (!group.entries.includes(eip)) group.entries.push(eip);
      let g = groups.get(key);
      if (g === undefined) { g = { delta, mode, fresh: [] }; groups.set(key, g); }
      g.fresh.push(eip);
    }
    const batch: RegionSpec[] = [];
    for (const [key, { delta, mode, fresh }] of groups) {
      const group = this.cache.group(key);
      const pending = group.entries.length - group.built;
      if (group.built > 0 && pending < group.built * GROUP_REBUILD_GROWTH) {
        // The new entries of the group share regions of their own, with the straight-line code after
        // them that no region has yet (a region replaced would lose its blocks). One region for all of
        // them, not one each: a function's entry and exits cost about as much as a short block's code.
        const planned = new Set(fresh);
        const plans = this.plansFrom(cpu, fresh, delta, mode, (next) => {
          if (planned.has(next) || this.cache.get(next + delta) !== undefined) return false;
          planned.add(next);
          return true;
        });
        pushRegions(batch, { key, delta, mode }, plans);
        continue;
      }
      const plans = this.plansFrom(cpu, group.entries, delta, mode, (next) => {
        if (group.entries.includes(next)) return false;
        group.entries.push(next);
        return true;
      });
      group.built = group.entries.length;
      pushRegions(batch, { key, delta, mode }, plans);
    }
    if (batch.length > 0) this.compile(batch);
  }

  /**
   * The blocks at `entries` (CS offsets; host offset = offset + `delta`)
   * and, where a block was cut only by its length, the straight-line
   * blocks after it in the same page (block-finder.ts continuation) that
   * `take` accepts.
   */
  private plansFrom(cpu: Cpu, entries: readonly number[], delta: number, mode: number, take: (next: number) => boolean): BlockPlan[] {
    const plans: BlockPlan[] = [];
    const work = [...entries];
    for (let at = work.pop(); at !== undefined; at = work.pop()) {
      const plan = findBlock(cpu.backing, at + delta, at, mode);
      if (plan === undefined) continue;
      plans.push(plan);
      const next = continuation(plan, at + delta);
      if (next !== undefined && take(next)) work.push(next);
    }
    return plans;
  }

  /**
   * Compiles regions (each a list of blocks of one page) and adds them to
   * the cache. WebAssembly regions of one call share a module.
   */
  private compile(specs: RegionSpec[]): Region[] {
    const wasm = this.wasm !== undefined && !specs.some(({ plans }) => plans.some((p) => p.insns.some((i) => this.customClasses.has(i.handler))));
    let infos: { limitNeeded: number }[][];
    let regions: Region[];
    if (wasm) {
      const runtime = this.wasm as WasmRuntime;
      const code = compileWasmModule(specs.map((r) => r.plans), this.wasmEmitters, runtime.layout, specs.map((r) => r.key));
      // Each region is charged its share of the module's bytes.
      regions = specs.map(({ key }) => new Region(key, Math.ceil(code.bytes.length / specs.length), 'wasm'));
      runtime.instantiate(code, regions);
      infos = code.regions.map((r) => r.blocks);
    } else {
      regions = [];
      infos = [];
      for (const { key, plans } of specs) {
        const { source, blocks } = emitRegion(plans, this.emitters);
        const region = new Region(key, source.length);
        if (this.keepSource) region.source = source;
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- translation to JS is the point
        region.fn = new Function('H', 'R', source)(this.helpers, region) as RegionFn;
        regions.push(region);
        infos.push(blocks);
      }
    }
    regions.forEach((region, r) => {
      const { plans, delta, mode } = specs[r];
      const limitNeeded = Math.max(...infos[r].map((b) => b.limitNeeded));
      plans.forEach((plan, i) => {
        const last = plan.insns[plan.insns.length - 1];
        const block = new Block(region, i, plan.eip + delta, ((last.eip + last.length) | 0) + delta, plan.eip, mode, plan.insns.length, limitNeeded);
        block.unchecked = plan.insns.some(uncheckedInLockstep);
        if (this.keepSource) block.eips = plan.insns.map((x) => x.eip);
        region.blocks.push(block);
      });
      this.cache.add(region);
    });
    return regions;
  }
}

/**
 * Adds `plans` (blocks of one page group) to `batch` as regions of at most
 * MAX_REGION_INSTRUCTIONS instructions, in address order. A region ends
 * before a loop (loops.ts) that would not fit in what is left of it, and a
 * loop larger than a region starts regions of its own, cut between its
 * items: a jump back in a loop then stays in its region's function (a
 * WebAssembly loop) rather than becoming a tail call to a sibling. Cut
 * only by size, the XZ decoder of the boot's decompressor made 52 M
 * sibling calls; cut this way, 37 M (README.md has the timings).
 */
function pushRegions(batch: RegionSpec[], group: Omit<RegionSpec, 'plans'>, plans: BlockPlan[]): void {
  plans.sort((x, y) => x.eip - y.eip);
  const index = new Map<number, number>();
  plans.forEach((p, i) => index.set(p.eip, i));
  const loops = new RegionLoops(plans.length, plans.map((p) => successors(p).map((eip) => index.get(eip) ?? -1)));
  let chunk: BlockPlan[] = [];
  let size = 0;
  const flush = (): void => {
    if (chunk.length > 0) batch.push({ ...group, plans: chunk });
    chunk = [];
    size = 0;
  };
  const sizeOf = (item: LoopItem): number => {
    if (typeof item === 'number') return plans[item].insns.length;
    let n = 0;
    for (let i = item.first; i <= item.last; i++) n += plans[i].insns.length;
    return n;
  };
  // Cut between loops, not inside one, where the loop fits in a region; a larger loop is cut between its items.
  const pack = (items: readonly LoopItem[]): void => {
    for (const item of items) {
      const n = sizeOf(item);
      if (n > MAX_REGION_INSTRUCTIONS && typeof item !== 'number') {
        flush();
        pack(item.items);
        flush();
        continue;
      }
      if (size + n > MAX_REGION_INSTRUCTIONS && chunk.length > 0) flush();
      if (typeof item === 'number') chunk.push(plans[item]);
      else for (let i = item.first; i <= item.last; i++) chunk.push(plans[i]);
      size += n;
    }
  };
  pack(loops.root.items);
  flush();
}

/** A region to compile: its blocks, and the page group (key), CS base difference and mode they belong to. */
interface RegionSpec {
  key: string;
  delta: number;
  mode: number;
  plans: BlockPlan[];
}
