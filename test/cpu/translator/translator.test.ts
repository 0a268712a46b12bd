/**
 * The translator's contract with the interpreter: precise faults, the
 * instruction count, self-modifying code, mode and mapping changes, page
 * ends, the budget, interrupts at block boundaries, the emitter seam and the
 * cache bound. Each test runs on a machine that translates on first sight.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine, descriptor } from '../../../tools/cpu-harness.js';
import { assemble } from '../../support/asm.js';
import { Flag, Reg, Vector } from '../../../src/cpu/registers.js';
import { StopReason } from '../../../src/cpu/system-interface.js';
import { MAX_BLOCKS, WASM_BATCH_WAIT, type Emitter } from '../../../src/cpu/translator/index.js';
import type { CodeCache } from '../../../src/cpu/translator/code-cache.js';

const CODE = 0x1000;

/** The back end the tests of the current describe block run on. */
let backend: 'js' | 'wasm' = 'js';

function machine(translator: { hotThreshold?: number; emitters?: Record<string, Emitter>; maxBlocks?: number } | false = { hotThreshold: 0 }): HarnessMachine {
  const m = new HarnessMachine({ translator: translator === false ? false : { ...translator, backend } });
  m.protectedMode(0);
  m.cpu.regs[Reg.ESP] = 0x8000;
  return m;
}

/** A GDT of the null descriptor, flat code (0x08) and data (0x10), then `more` from selector 0x18. */
function gdtWith(...more: [number, number][]): [number, number][] {
  return [[0, 0], descriptor(0, 0xfffff, 0x9b, 0xc), descriptor(0, 0xfffff, 0x93, 0xc), ...more];
}

/**
 * With a hot threshold of 50: 60 calls to a function at `at` of `incs` one-byte INCs and a RET (its
 * entry turns hot at the 50th), then WASM_BATCH_WAIT instructions, so that a WebAssembly batch still
 * waiting for entries is compiled too. Returns the code cache after.
 */
function callsToIncs(at: number, incs: number): CodeCache {
  const m = machine({ hotThreshold: 50 });
  load(m, `${'inc eax\n'.repeat(incs)}ret`, at);
  load(m, `mov ecx, 60\na: call ${at}\ndec ecx\njnz a\nmov ecx, ${WASM_BATCH_WAIT / 2}\nb: dec ecx\njnz b\nud2`);
  assert.equal(m.run(WASM_BATCH_WAIT + 2_000_000).vector, Vector.UD);
  assert.equal(m.reg('eax'), 60 * incs);
  return m.cpu.translator!.cache;
}

function load(m: HarnessMachine, src: string, at = CODE): void {
  m.load(at, assemble(src, 32, at));
  m.cpu.eip = at;
}

for (const which of ['js', 'wasm'] as const) {
  describe(`${which} regions`, () => {
    before(() => { backend = which; });

    test('regions are compiled to the chosen back end', () => {
      const m = machine();
      load(m, 'mov eax, 1\nadd eax, 2\nud2');
      m.run(100);
      const cache = m.cpu.translator!.cache;
      assert.ok(cache.compiled > 0);
      assert.equal(cache.compiledWasm, which === 'wasm' ? cache.compiled : 0);
      assert.equal(m.reg('eax'), 3);
    });
    test('calls between pages chain region to region, and a rewritten callee is not run stale', () => {
      const m = machine();
      load(m, 'inc eax\nret', 0x3000);
      // 1000 calls to 0x3000 (another page), then the callee becomes DEC EAX (0x48) and 1000 more.
      load(m, [
        'mov ecx, 1000', 'a: call 0x3000', 'dec ecx', 'jnz a', 'mov ebx, eax',
        'mov byte [0x3000], 0x48', 'mov ecx, 1000', 'b: call 0x3000', 'dec ecx', 'jnz b', 'ud2',
      ].join('\n'));
      const stop = m.run(100_000);
      assert.equal(stop.vector, Vector.UD);
      assert.equal(m.reg('ebx'), 1000, 'first loop: INC');
      assert.equal(m.reg('eax'), 0, 'second loop: the rewritten DEC');
      const t = m.cpu.translator!;
      if (which === 'wasm') {
        assert.ok(t.chainedRuns > 3000, `${t.chainedRuns} region runs in chains`);
        assert.ok(t.blocksRun < 100, `${t.blocksRun} region runs from the run loop`);
      } else {
        assert.equal(t.chainedRuns, 0);
      }
    });

    test('chains find their blocks high in the address space too (the jump cache slot is the same on both sides)', () => {
      const m = machine();
      // Caller and callee above 1 MiB, so every bit of the slot's hash (lin >>> 2 ^ lin >>> 17) varies.
      load(m, 'inc eax\nret', 0x1a3000);
      load(m, 'mov ecx, 1000\na: call 0x1a3000\ndec ecx\njnz a\nud2', 0x15e000);
      assert.equal(m.run(100_000).vector, Vector.UD);
      assert.equal(m.reg('eax'), 1000);
      const t = m.cpu.translator!;
      if (which === 'wasm') {
        assert.ok(t.chainedRuns > 1500, `${t.chainedRuns} region runs in chains`);
        assert.ok(t.blocksRun < 100, `${t.blocksRun} region runs from the run loop`);
      }
    });

    test('a batch compiled while the CPU runs 16-bit code decodes each entry under the mode it turned hot in', () => {
      // A 32-bit function turns hot and waits in the batch; 16-bit code (selector 0x18, CS.D clear) then
      // spins until the batch is compiled (WASM_BATCH_WAIT instructions). Decoded as 16-bit code, MOV EAX,
      // imm32 would be MOV AX, imm16 and an XOR AL (as SeaBIOS's 32-bit code was, by a batch compiled in
      // one of its 16-bit phases).
      const m = machine({ hotThreshold: 50 });
      m.installTable(0x500, gdtWith(descriptor(0, 0xfffff, 0x9b, 0x8)));
      load(m, 'mov eax, 0x12345678\nret', 0x3000);
      load(m, 'mov eax, 0\ncall 0x3000\nud2', 0x4000);
      m.load(0x5000, assemble(`mov ecx, ${WASM_BATCH_WAIT / 2}\nspin: dec ecx\njnz spin\njmp 0x08:0x4000`, 16, 0x5000));
      load(m, 'mov ecx, 60\na: call 0x3000\ndec ecx\njnz a\njmp 0x18:0x5000');
      assert.equal(m.run(WASM_BATCH_WAIT + 2_000_000).vector, Vector.UD);
      assert.equal(m.cpu.eip, 0x4000 + 10, 'at the UD2');
      assert.equal(m.reg('eax'), 0x12345678);
      assert.ok(m.cpu.translator!.cache.get(0x3000) !== undefined, 'the function ran compiled');
    });

    test('RDTSC in a region reached through the chain reads the count the interpreter does', () => {
      // The harness's TSC is the instruction count. A function on its own page adds each RDTSC it reads
      // to a sum; its calls and returns cross pages, so once hot each turn runs two regions one after
      // the other. A region after the first of a chain once counted from its own start: time stood
      // still within a chain (Linux's udelay spun until the chain ended) and the sum came out short.
      const program = (m: HarnessMachine): void => {
        load(m, 'rdtsc\nadd [0x6000], eax\nadc [0x6004], edx\nret', 0x3000);
        load(m, 'mov ecx, 3000\nl: call 0x3000\ndec ecx\njnz l\nud2');
      };
      const jit = machine({ hotThreshold: 50 }), interp = machine(false);
      program(jit);
      program(interp);
      const stops = [jit.run(1_000_000), interp.run(1_000_000)];
      assert.deepEqual(stops.map((s) => s.vector), [Vector.UD, Vector.UD]);
      assert.equal(jit.cpu.instructions, interp.cpu.instructions, 'the count');
      assert.equal(jit.mem.read(0x6000, 4), interp.mem.read(0x6000, 4), 'the sum of the TSC reads');
      assert.equal(jit.mem.read(0x6004, 4), interp.mem.read(0x6004, 4), 'its high half');
      if (which === 'wasm') assert.ok(jit.cpu.translator!.chainedRuns > 2000, `${jit.cpu.translator!.chainedRuns} regions ran in chains`);
    });

    test('a chain does not run a block that needs more of CS than a smaller limit loaded since allows', () => {
      const m = machine();
      // 0x18: the flat code segment again, but with a byte limit of 0x3001.
      m.installTable(0x500, gdtWith(descriptor(0, 0x3001, 0x9b, 0x4)));
      load(m, 'inc eax\ninc eax\nret', 0x3000);
      // Two passes of 1000 calls under the 4 GiB limit compile the loop's page and leave its entry and the
      // callee in the jump cache (the far JMP back, interpreted, sends the run loop to the entry); then, from
      // another page, a far JMP (interpreted, after another instruction of its block) runs the same loop
      // under the 0x3001 limit: the callee's RET at 0x3002 is outside it, #GP(0) there.
      load(m, 'mov ebx, 7\njmp 0x18:0x1000', 0x4000);
      load(m, ['mov ecx, 1000', 'a: call 0x3000', 'dec ecx', 'jnz a', 'dec edx', 'jz 0x4000', 'jmp 0x08:0x1000'].join('\n'));
      m.cpu.regs[Reg.EDX] = 2;
      const stop = m.run(100_000);
      assert.equal(stop.vector, Vector.GP);
      assert.equal(m.cpu.eip, 0x3002);
      assert.equal(m.reg('eax'), 4002);
    });

    test('a chain does not go on after an interpreted instruction that changed the mode key', () => {
      // Passes 1 and 2 load the flat DS (0x10) at the loop's top and leave its next block in the jump cache;
      // pass 3 loads a DS with base 0x10000 there (MOV DS ends its block, interpreted): the callee's store
      // must then go through the new base, in a block of the new mode.
      const gdt = gdtWith(
        descriptor(0, 0xfffff, 0x9b, 0xc), descriptor(0x10000, 0xfffff, 0x93, 0xc));
      const results = [false, true].map((jit) => {
        const m = machine(jit ? { hotThreshold: 0 } : false);
        m.installTable(0x500, gdt);
        load(m, 'mov [0x100], eax\ninc eax\nret', 0x3000);
        load(m, ['test esi, esi', 'jnz done', 'inc esi', 'mov bx, 0x20', 'mov edx, 1', 'jmp 0x1000', 'done: ud2'].join('\n'), 0x4000);
        load(m, ['mov ds, bx', 'mov ecx, 100', 'a: call 0x3000', 'dec ecx', 'jnz a', 'dec edx', 'jz 0x4000', 'jmp 0x1000'].join('\n'));
        m.cpu.regs[Reg.EBX] = 0x10;
        m.cpu.regs[Reg.EDX] = 2;
        const stop = m.run(100_000);
        return { vector: stop.vector, eip: m.cpu.eip, regs: [...m.cpu.regs], low: m.mem.read(0x100, 4), high: m.mem.read(0x10100, 4) };
      });
      assert.equal(results[0].vector, Vector.UD);
      assert.deepEqual(results[1], results[0]);
    });

    test('FS and GS accesses with a base use the segment\'s base, limit and type as the interpreter does', () => {
      // 0x18: data, base 0x2010 (not page-aligned), 4 GiB; 0x20: the same base, limit 0xfff; 0x28: read-only, 4 GiB.
      const gdt = gdtWith(
        descriptor(0x2010, 0xfffff, 0x93, 0xc), descriptor(0x2010, 0xfff, 0x93, 0x4), descriptor(0x2010, 0xfffff, 0x91, 0xc));
      const loop = ['mov ecx, 200', 'a: mov eax, [fs:0x10]', 'add [gs:0x14], eax', 'mov [fs:ecx*4+0x20], ecx', 'inc dword [fs:0x10]',
        'dec ecx', 'jnz a'];
      const programs: [string, string[]][] = [
        // The offset's last byte is past 4 GiB, though base + offset stays in one page: #GP(0).
        ['wrap', ['mov ax, 0x18', 'mov fs, ax', 'mov gs, ax', ...loop, 'mov edx, [fs:0xffff_fffe]', 'ud2']],
        ['limit', ['mov ax, 0x20', 'mov fs, ax', 'mov gs, ax', 'mov ecx, 200', 'a: mov eax, [fs:0xff0]', 'add eax, [gs:ecx*4+0xb00]',
          'dec ecx', 'jnz a', 'mov edx, [fs:0xffd]', 'ud2']],
        ['read-only', ['mov ax, 0x28', 'mov fs, ax', 'mov ecx, 200', 'a: add eax, [fs:ecx*4]', 'dec ecx', 'jnz a',
          'mov [fs:0x40], eax', 'ud2']],
      ];
      for (const [name, src] of programs) {
        const results = [false, true].map((jit) => {
          const m = machine(jit ? { hotThreshold: 0 } : false);
          m.installTable(0x500, gdt);
          load(m, src.join('\n'));
          const stop = m.run(100_000);
          const data = [...Array(0x400).keys()].map((i) => m.mem.read(0x2000 + i * 4, 4));
          return { vector: stop.vector, eip: m.cpu.eip, regs: [...m.cpu.regs], count: m.cpu.instructions, data };
        });
        assert.equal(results[0].vector, Vector.GP, name);
        assert.deepEqual(results[1], results[0], name);
      }
    });

    test('a fault in the middle of a block leaves EIP, registers, flags and the instruction count as the interpreter does', () => {
      const src = 'mov eax, 5\nadd eax, 7\nmov ecx, [0x7fff_fff0]\nmov edx, 9\nud2';
      const results = [false, true].map((jit) => {
        const m = machine(jit ? { hotThreshold: 0 } : false);
        load(m, src);
        m.cpu.segLimit[3] = 0xffff; // DS limit 64 KiB: the load at 0x7fff_fff0 is outside it → #GP(0)
        const stop = m.run(100);
        return { stop, eip: m.cpu.eip, eax: m.reg('eax'), ecx: m.reg('ecx'), edx: m.reg('edx'), flags: m.cpu.getFlags(), n: m.cpu.instructions, blocks: m.cpu.translator?.blocksRun ?? 0 };
      });
      const [interp, jit] = results;
      assert.equal(jit.blocks, 1, 'the translated block ran');
      assert.equal(interp.stop.vector, Vector.GP);
      assert.deepEqual({ ...jit, blocks: 0 }, { ...interp, blocks: 0 });
      assert.equal(jit.eip, CODE + 8, 'EIP at the faulting MOV');
      assert.equal(jit.eax, 12);
      assert.equal(jit.n, 3, 'two retired, plus the faulting one as Cpu.run counts it');
    });

    test('flags a later instruction overwrites are skipped only where nothing can see them', () => {
      // ADD's flags are dead (SUB replaces them at once); SUB's must stay, for the fault in the
      // load after it, and the last XOR's for the block's exit.
      const src = 'mov eax, -1\nadd eax, 1\nsub ecx, 3\nmov edx, [0x7fff_fff0]\nud2';
      const after = (code: string, limit: number): { flags: number; eip: number; regs: number[] } => {
        const results = [false, true].map((jit) => {
          const m = machine(jit ? { hotThreshold: 0 } : false);
          load(m, code);
          m.cpu.segLimit[3] = limit;
          m.run(100);
          return { flags: m.cpu.getFlags(), eip: m.cpu.eip, regs: Array.from(m.cpu.regs.slice(0, 8)) };
        });
        assert.deepEqual(results[1], results[0], 'translator as the interpreter');
        return results[1];
      };
      const faulted = after(src, 0xffff);
      assert.equal(faulted.eip, CODE + 11, 'stopped at the faulting load');
      assert.equal(faulted.flags & 0x8d5, 0x91, 'SUB 0 - 3: CF, AF and SF set; ZF, PF (0xfd has seven ones) and OF clear');
      const ran = after('mov ecx, 1\nadd ecx, 1\nxor eax, eax\nud2', 0xffff);
      assert.equal(ran.flags & 0x8d5, 0x44, 'XOR: ZF and PF');
    });

    test('a push that faults leaves ESP as it was (prevEsp from the block)', () => {
      const m = machine();
      load(m, 'mov eax, 1\npush eax\nud2');
      m.cpu.regs[Reg.ESP] = 0x2;
      m.cpu.segLimit[2] = 0x0; // SS limit 0: the push at ESP - 4 is outside it → #SS(0)
      const stop = m.run(100);
      assert.equal(stop.vector, Vector.SS);
      assert.equal(m.reg('esp'), 0x2);
      assert.equal(m.cpu.eip, CODE + 5);
    });

    test('a store into the same block\'s later code runs the new instruction (self-modifying code)', () => {
      const m = machine();
      // The MOV byte [patch+1], 42 rewrites the immediate of the following MOV EAX.
      load(m, 'mov byte [patch + 1], 42\npatch: mov eax, 1\nud2');
      m.run(100);
      assert.equal(m.reg('eax'), 42);
      assert.ok(m.cpu.translator!.cache.invalidated >= 1, 'the block was invalidated');
    });

    test('a write to a page holding translations invalidates its blocks, and the new code runs', () => {
      const m = machine();
      load(m, 'loop: mov eax, 1\nret', 0x3000);
      load(m, 'call 0x3000\nmov ebx, eax\nmov byte [0x3001], 7\ncall 0x3000\nud2');
      m.run(1000);
      assert.equal(m.reg('ebx'), 1, 'first call returned 1');
      assert.equal(m.reg('eax'), 7, 'second call ran the patched code');
    });

    test('DMA-style writes (PhysicalMemory.load) invalidate translations too', () => {
      const m = machine();
      load(m, 'mov eax, 1\nud2');
      m.run(100);
      assert.equal(m.reg('eax'), 1);
      m.load(CODE, assemble('mov eax, 2\nud2', 32, CODE));
      m.cpu.eip = CODE;
      m.run(100);
      assert.equal(m.reg('eax'), 2);
    });

    test('the same bytes in 16-bit and 32-bit code are different blocks (mode bits in the key)', () => {
      const m = machine();
      // B8 01 00 00 00: mov eax, 1 in 32-bit code; mov ax, 1 then add [bx+si], al in 16-bit code.
      m.load(CODE, [0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x0b]);
      m.cpu.eip = CODE;
      m.cpu.regs[Reg.EAX] = 0x12340000;
      m.run(100);
      assert.equal(m.reg('eax'), 1);
      m.cpu.codeSize32 = false;
      m.cpu.eip = CODE;
      m.cpu.regs[Reg.EAX] = 0x12340000;
      m.run(1);
      assert.equal(m.reg('eax'), 0x12340001, '16-bit MOV AX left the upper half');
    });

    test('a CR3 change that maps a linear page elsewhere runs the code found there', () => {
      const m = machine();
      m.enablePaging([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      // Two physical pages with different code; the PTE for linear page 5 is switched between them.
      m.load(0x5000, assemble('mov eax, 5\nud2', 32, 0x5000));
      m.load(0x6000, assemble('mov eax, 6\nud2', 32, 0x5000));
      m.cpu.eip = 0x5000;
      m.run(100);
      assert.equal(m.reg('eax'), 5);
      const pte = m.cpu.cr3 + 0x1000 + 5 * 4; // the harness puts the first page table right after the directory
      const old = m.mem.read(pte, 4);
      m.mem.write(pte, 4, (old & 0xfff) | 0x6000);
      m.cpu.flushTlb(true); // what a MOV CR3 does
      m.cpu.eip = 0x5000;
      m.run(100);
      assert.equal(m.reg('eax'), 6);
    });

    test('blocks stop at the page end; an instruction across it runs in the interpreter', () => {
      const m = machine();
      // 4 NOPs end 2 bytes before the page end, then a 5-byte MOV straddles it.
      const start = 0x2000 - 6;
      m.load(start, [0x90, 0x90, 0x90, 0x90, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x0f, 0x0b]);
      m.cpu.eip = start;
      const stop = m.run(100);
      assert.equal(stop.vector, Vector.UD);
      assert.equal(m.reg('eax'), 0x12345678);
      assert.equal(m.cpu.eip, 0x2003);
    });

    test('a hot instruction across the page end ends its block and is fetched whole each time', () => {
      const m = machine();
      // A loop whose MOV EAX, imm32 starts 2 bytes before the page end at 0x2000: the block ends
      // with it (interpreted), and a change to its bytes on the next page is seen at once.
      const start = 0x2000 - 8;
      m.load(start, [
        0x41, // inc ecx
        0x90, 0x90, 0x90, 0x90, 0x90, // nops up to 0x1ffe
        0xb8, 0x78, 0x56, 0x34, 0x12, // mov eax, 0x12345678 (0x1ffe..0x2002)
        0x81, 0xf9, 0xe8, 0x03, 0x00, 0x00, // cmp ecx, 1000
        0x75, 0xed, // jne start
        0x0f, 0x0b, // ud2
      ]);
      m.cpu.eip = start;
      assert.equal(m.run(100_000).vector, Vector.UD);
      assert.equal(m.reg('eax'), 0x12345678);
      assert.equal(m.reg('ecx'), 1000);
      assert.equal(m.cpu.translator!.cache.get(start)?.count, 7, 'the block ends with the MOV across the page, included');
      m.load(0x2001, [0x99]); // the immediate's third byte, on the next page
      m.cpu.regs[1] = 0;
      m.cpu.eip = start;
      assert.equal(m.run(100_000).vector, Vector.UD);
      assert.equal(m.reg('eax'), 0x12995678);
    });

    test('straight-line code longer than a block is compiled whole once its entry is hot', () => {
      // f: 150 one-byte INCs (blocks at 0x3000, 0x3040, 0x3080: the first two cut at 64 instructions), RET.
      const cache = callsToIncs(0x3000, 150);
      assert.ok(cache.get(0x3000) !== undefined, 'the hot entry');
      // The interpreter never looks for blocks at these two (no control transfer leads there).
      assert.ok(cache.get(0x3040) !== undefined, 'the second piece, compiled with the first');
      assert.ok(cache.get(0x3080) !== undefined, 'the third piece');
    });

    // WebAssembly regions only: JavaScript regions are compiled an entry at a time, as each turns hot.
    if (which === 'wasm') {
      /**
       * A loop whose body is 130 one-byte INCs at CODE + 5 (blocks of 64, 64 and 2 + `tail`), run
       * `times` times with a hot threshold of 50: its page's group is two regions of one module, and
       * each turn crosses from one to the other and back. `tail` ends the body (it must end with a
       * jump back to `l`), `before` comes before the loop.
       */
      function longLoop(m: HarnessMachine, times: number, tail = 'dec ecx\njnz l', before = ''): void {
        load(m, `${before}mov ecx, ${times}\nl: ${'inc eax\n'.repeat(130)}${tail}\nud2`);
      }
      const LOOP = CODE + 5;

      test('a jump to a block of another region of the same group is a tail call, not a trip through the chain', () => {
        const m = machine({ hotThreshold: 50 });
        // 30,000 turns: the loop's entry turns hot again while its batch waits, so it is compiled at once.
        longLoop(m, 30_000);
        assert.equal(m.run(10_000_000).vector, Vector.UD);
        assert.equal(m.reg('eax'), 130 * 30_000);
        const t = m.cpu.translator!;
        const region = (at: number) => t.cache.get(at)?.region;
        assert.ok(region(LOOP) !== undefined && region(LOOP + 64) !== undefined, 'compiled');
        assert.notEqual(region(LOOP), region(LOOP + 64), 'two regions');
        // Through the chain, each compiled turn would be two region runs (about 30,000 in all).
        assert.ok(t.chainedRuns + t.blocksRun < 100, `${t.chainedRuns} chained and ${t.blocksRun} region runs`);
      });

      test('a sibling rewritten while its neighbour stays valid is not entered stale', () => {
        const m = machine({ hotThreshold: 50 });
        longLoop(m, 30_000);
        assert.equal(m.run(10_000_000).vector, Vector.UD);
        assert.equal(m.reg('eax'), 130 * 30_000);
        // The 100th INC (in the second region) becomes DEC EAX: that region is dropped, the first stays.
        m.load(LOOP + 99, [0x48]);
        const t = m.cpu.translator!;
        assert.equal(t.cache.get(LOOP + 64), undefined, 'the rewritten region dropped');
        assert.ok(t.cache.get(LOOP)?.region.valid, 'its neighbour still valid');
        m.cpu.regs[Reg.EAX] = 0;
        m.cpu.regs[Reg.ECX] = 30_000;
        m.cpu.eip = LOOP;
        assert.equal(m.run(10_000_000).vector, Vector.UD);
        assert.equal(m.reg('eax'), 128 * 30_000, '129 INCs and a DEC a turn');
      });

      test('a fault in a region reached by a tail call is precise', () => {
        // The divisor runs down to 0 at turn 30,001 (4 M instructions), after the loop is compiled.
        const program = (m: HarnessMachine) => longLoop(m, 40_000, 'xor edx, edx\nmov eax, 7\ndiv ebx\ndec ebx\ndec ecx\njnz l', 'mov ebx, 30000\n');
        const jit = machine({ hotThreshold: 50 }), interp = machine(false);
        program(jit);
        program(interp);
        const stops = [jit.run(10_000_000), interp.run(10_000_000)];
        assert.deepEqual(stops.map((s) => s.vector), [Vector.DE, Vector.DE]);
        for (const r of ['eax', 'ebx', 'ecx', 'edx', 'esp'] as const) assert.equal(jit.reg(r), interp.reg(r), r);
        assert.equal(jit.cpu.eip, interp.cpu.eip, 'EIP at the DIV');
        assert.equal(jit.cpu.instructions, interp.cpu.instructions, 'the count');
        // The loop starts 5 bytes later here (after MOV EBX), its DIV in the second region.
        assert.ok(jit.cpu.translator!.cache.get(LOOP + 5 + 64) !== undefined, 'the DIV ran compiled');
      });

      test('run(n) stops exactly at n across tail calls between regions', () => {
        const jit = machine({ hotThreshold: 50 }), interp = machine(false);
        longLoop(jit, 30_000);
        longLoop(interp, 30_000);
        // Compile it (its entry turns hot again at the 100th turn, which compiles its batch), then go on 97
        // at a time, well before the 30,000 turns (4 M instructions) end.
        jit.run(1_000_000);
        interp.run(1_000_000);
        for (let i = 0; i < 1000; i++) {
          const before = jit.cpu.instructions;
          jit.run(97);
          assert.equal(jit.cpu.instructions - before, 97);
        }
        interp.run(97 * 1000);
        assert.equal(jit.cpu.instructions, interp.cpu.instructions);
        assert.equal(jit.cpu.eip, interp.cpu.eip);
        assert.equal(jit.reg('eax'), interp.reg('eax'));
        assert.equal(jit.reg('ecx'), interp.reg('ecx'));
        assert.ok(jit.cpu.translator!.cache.get(LOOP + 64) !== undefined, 'compiled');
      });

      test('entries that turn hot in a page already compiled share one region, not one each', () => {
        // Five functions of one page turn hot and are compiled as their page's group; then two more turn
        // hot in the same batch. The group has not doubled, so they are compiled on their own, together.
        const m = machine({ hotThreshold: 50 });
        const fns = [0, 1, 2, 3, 4, 5, 6].map((i) => 0x3000 + i * 0x100);
        for (const f of fns) load(m, 'inc eax\nret', f);
        const calls = (list: number[]): string => list.map((f) => `call ${f}`).join('\n');
        // Each spin turns hot twice, which compiles the batch waiting then.
        const spin = 'mov ecx, 1000\nspin1: dec ecx\njnz spin1';
        load(m, `mov ecx, 60\na: ${calls(fns.slice(0, 5))}\ndec ecx\njnz a\n${spin}\n` +
          `mov ecx, 60\nb: ${calls(fns.slice(5))}\ndec ecx\njnz b\n${spin.replace(/spin1/g, 'spin2')}\nud2`);
        assert.equal(m.run(10_000_000).vector, Vector.UD);
        assert.equal(m.reg('eax'), 60 * 7);
        const cache = m.cpu.translator!.cache;
        const region = (f: number) => cache.get(f)?.region;
        assert.ok(region(fns[0]) !== undefined && region(fns[5]) !== undefined && region(fns[6]) !== undefined, 'all compiled');
        assert.equal(region(fns[0]), region(fns[4]), 'the group: one region');
        assert.equal(region(fns[5]), region(fns[6]), 'the two late entries: one region');
        assert.notEqual(region(fns[5]), region(fns[0]), 'not the group\'s');
      });
      test('a queued entry that turns hot again is compiled at once, not after the batch\'s wait', () => {
        // The loop's entry turns hot at its 50th turn and is queued; at the 100th it is hot again. Its 600
        // instructions are far fewer than WASM_BATCH_WAIT, and no other entry comes to fill the batch.
        const m = machine({ hotThreshold: 50 });
        load(m, 'mov ecx, 200\nl: inc eax\ndec ecx\njnz l\nud2');
        assert.equal(m.run(10_000).vector, Vector.UD);
        assert.equal(m.reg('eax'), 200);
        const t = m.cpu.translator!;
        assert.ok(t.cache.get(CODE + 5) !== undefined, 'the loop compiled');
        assert.ok(t.blocksRun > 0, 'and run compiled');
      });
    }

    test('the code cache marks the 16 bytes where each block starts, and unmarks a page with its last region', () => {
      const cache = callsToIncs(0x3000, 4);
      assert.ok(cache.get(0x3000) !== undefined, 'compiled');
      assert.ok(cache.mayHaveEntry(0x3000) && cache.mayHaveEntry(0x300f), 'its entry\'s 16 bytes');
      assert.ok(!cache.mayHaveEntry(0x3010) && !cache.mayHaveEntry(0x3800), 'elsewhere in its page');
      assert.ok(cache.mayHaveEntry(CODE), 'the caller\'s page');
    });

    test('a page\'s marks go with its last region', () => {
      const m = machine({ hotThreshold: 50 });
      load(m, 'inc eax\ninc eax\nret', 0x3000);
      load(m, 'mov ecx, 60\na: call 0x3000\ndec ecx\njnz a\nmov ecx, 1000\nb: dec ecx\njnz b\nud2');
      assert.equal(m.run(1_000_000).vector, Vector.UD);
      const cache = m.cpu.translator!.cache;
      assert.ok(cache.mayHaveEntry(0x3000), 'marked while compiled');
      m.load(0x3001, [0x48]); // DEC EAX over the second INC: the page's only region goes
      assert.equal(cache.get(0x3000), undefined, 'dropped');
      assert.ok(!cache.mayHaveEntry(0x3000), 'unmarked');
    });

    test('code that falls through into a new page is counted hot there too', () => {
      // f starts 16 bytes before the page end and goes on into the next page without a jump.
      const cache = callsToIncs(0x2ff0, 32);
      assert.ok(cache.get(0x2ff0) !== undefined, 'the entry');
      assert.ok(cache.get(0x3000) !== undefined, 'the block the interpreter reached by crossing the page end');
    });

    test('a block runs only when the budget covers it, so run(n) retires exactly n instructions', () => {
      const m = machine();
      load(m, 'l: inc eax\ninc eax\ninc eax\njmp l');
      m.cpu.regs[Reg.EAX] = 0;
      m.run(4);
      m.run(4);
      assert.equal(m.cpu.instructions, 8);
      m.run(2);
      assert.equal(m.cpu.instructions, 10);
      assert.equal(m.reg('eax'), 8);
    });

    test('a pending interrupt is taken at the next block boundary', () => {
      const m = machine({ hotThreshold: 0 });
      load(m, 'l: inc eax\ninc eax\njmp l');
      m.cpu.flags |= Flag.IF;
      m.run(30);
      m.cpu.setIntr(true);
      const stop = m.run(1000);
      assert.equal(stop.reason, StopReason.Exception);
      assert.equal(stop.vector, 0x20);
      assert.equal(m.cpu.eip, CODE, 'at the loop head, the block boundary');
    });

    test('an interrupt a device write raises inside a region is taken at the next block boundary, in loops and forward jumps', () => {
      const MMIO = 0xfee00000;
      // A device that raises the interrupt line at its 10th write.
      const raiseAtTenth = (m: HarnessMachine): void => {
        let writes = 0;
        m.mem.mapMmio(MMIO, 0x1000, { read: () => 0, write: () => { if (++writes === 10) m.cpu.setIntr(true); } }, 'raiser');
        m.cpu.flags |= Flag.IF;
      };
      // A tight loop (one block that jumps to its own start).
      const loop = machine();
      raiseAtTenth(loop);
      load(loop, `mov ecx, 1000\njmp l\nl: mov [${MMIO}], eax\ndec ecx\njnz l\nud2`);
      let stop = loop.run(100_000);
      assert.equal(stop.vector, 0x20);
      assert.equal(loop.reg('ecx'), 990, 'ten iterations, then the interrupt');
      // A block that jumps forward to another block of its region.
      const forward = machine();
      raiseAtTenth(forward);
      load(forward, `mov ecx, 1000\njmp l\nl: mov [${MMIO}], eax\njmp f\nud2\nf: dec ecx\njnz l\nud2`);
      stop = forward.run(100_000);
      assert.equal(stop.vector, 0x20);
      assert.equal(forward.reg('ecx'), 991, 'the interrupt comes before the tenth DEC');
    });

    test('an emitter override replaces one instruction class (the binary-translation seam)', () => {
      const seen: number[] = [];
      const emitters: Record<string, Emitter> = {
        // CPUID rewritten into a call to the monitor: here, a constant in EAX and a note of where it ran.
        CPUID: (e) => { e.setReg(4, 0, '0x4d4f4e'); e.emit(`c.__note(${e.insn.eip});`); return true; },
      };
      const m = machine({ hotThreshold: 0, emitters });
      (m.cpu as unknown as { __note: (eip: number) => void }).__note = (eip) => seen.push(eip);
      load(m, 'nop\ncpuid\nud2');
      m.run(100);
      assert.equal(m.reg('eax'), 0x4d4f4e);
      assert.deepEqual(seen, [CODE + 1]);
    });

    test('after a flush, chains find only regions translated since (the jump cache is emptied)', () => {
      const m = machine({ hotThreshold: 0, maxBlocks: 24 });
      load(m, 'inc eax\nret', 0x3000);
      // 20 one-block functions (INC EBX; RET) on a page of their own: enough blocks to flush the cache.
      const fns = new Uint8Array(20 * 8).fill(0x90);
      for (let i = 0; i < 20; i++) { fns[i * 8] = 0x43; fns[i * 8 + 1] = 0xc3; }
      m.load(0x5000, fns);
      load(m, [
        'mov ecx, 1000', 'a: call 0x3000', 'dec ecx', 'jnz a',
        'mov esi, 0x5000', 'mov edx, 20', 'b: call esi', 'add esi, 8', 'dec edx', 'jnz b',
        'mov ecx, 1000', 'c: call 0x3000', 'dec ecx', 'jnz c', 'ud2',
      ].join('\n'));
      const stop = m.run(100_000);
      assert.equal(stop.vector, Vector.UD);
      assert.equal(m.reg('eax'), 2000);
      assert.equal(m.reg('ebx'), 20);
      assert.ok(m.cpu.translator!.cache.flushes >= 1);
    });

    test('the code cache is bounded: past MAX_BLOCKS it starts again', () => {
      const m = machine();
      const cache = m.cpu.translator!.cache;
      // One block per 8-byte slot: `inc eax; ret` padded.
      const slots = MAX_BLOCKS + 16;
      const code = new Uint8Array(slots * 8).fill(0x90);
      for (let i = 0; i < slots; i++) { code[i * 8] = 0x40; code[i * 8 + 1] = 0xc3; }
      m.load(0x10_0000, code);
      for (let i = 0; i < slots; i++) assert.ok(m.cpu.translator!.translate(m.cpu, 0x10_0000 + i * 8, 0x10_0000 + i * 8, 3));
      assert.ok(cache.blocks <= MAX_BLOCKS);
      assert.equal(cache.flushes, 1);
    });
  });
}
