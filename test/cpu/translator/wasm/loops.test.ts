/**
 * Guest loops compiled as WebAssembly loops (translator/loops.ts,
 * wasm/region.ts): a loop entered in its middle with two jumps back, loops
 * nested in loops, stores within them, and budgets that end a run inside a
 * loop, against the interpreter. Both machines start from the same state;
 * the stop, EIP, registers, EFLAGS, instruction count and RAM must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HarnessMachine } from '../../../../tools/cpu-harness.js';
import { assemble } from '../../../support/asm.js';

const CODE = 0x1000;
const STACK_TOP = 0x8000;
const RAM_BYTES = 4 << 20;

let pair: [HarnessMachine, HarnessMachine] | undefined;
const ZEROES = new Uint8Array(RAM_BYTES);

function machines(): [HarnessMachine, HarnessMachine] {
  pair ??= [new HarnessMachine({ translator: false }), new HarnessMachine({ translator: { hotThreshold: 0, backend: 'wasm' } })];
  return pair;
}

/** Runs `src` (then UD2) on both machines in slices of `budget` instructions until the end marker, comparing after each slice. */
function check(src: string, budget: number): HarnessMachine {
  const code = assemble(`${src}\nud2`, 32, CODE);
  const [interp, jit] = machines();
  for (const m of [interp, jit]) {
    m.protectedMode(0);
    m.load(0, ZEROES);
    m.load(CODE, code);
    m.cpu.eip = CODE;
    m.cpu.regs.fill(0);
    m.cpu.regs[4] = STACK_TOP;
    m.cpu.setFlags(0x2);
  }
  const end = CODE + code.length - 2;
  for (let slice = 0; ; slice++) {
    const state = (m: HarnessMachine): Record<string, unknown> => {
      const start = m.cpu.instructions;
      const stop = m.run(budget);
      return { stop, eip: m.cpu.eip >>> 0, regs: Array.from(m.cpu.regs, (x) => (x >>> 0).toString(16)),
        flags: (m.cpu.getFlags() >>> 0).toString(16), instructions: m.cpu.instructions - start };
    };
    const expected = state(interp);
    assert.deepEqual(state(jit), expected, `slice ${slice}`);
    const x = interp.cpu.backing.subarray(0, RAM_BYTES), y = jit.cpu.backing.subarray(0, RAM_BYTES);
    assert.ok(Buffer.from(x.buffer, x.byteOffset, RAM_BYTES).equals(Buffer.from(y.buffer, y.byteOffset, RAM_BYTES)), `slice ${slice}: RAM`);
    if (interp.cpu.eip === end) break;
    assert.ok(slice < 10_000, 'the program ends');
  }
  assert.ok(jit.cpu.translator!.cache.compiledWasm > 0, 'regions were compiled to WebAssembly');
  return jit;
}

// A pseudo-random walk through a loop entered at `head`, with jumps back to `low` (above it) and to `head`.
const ROTATED = `
  mov ecx, 3000
  mov ebx, 12345
  xor eax, eax
  mov edi, 0x20000
  jmp head
low:
  add eax, ebx
  rol eax, 3
  mov [edi], eax
  add edi, 4
  and edi, 0x20fff
head:
  imul ebx, ebx, 1103515245
  add ebx, 12345
  dec ecx
  jz done
  test ebx, 0x10000
  jz low
  xor eax, ebx
  cmp ecx, 1000
  ja head
  mov edx, 3
self:
  add eax, edx
  dec edx
  jnz self
  jmp head
done:
`;

// Loops in loops: the inner one of two blocks, the outer one around it, and a call in the outer one.
const NESTED = `
  mov ecx, 400
  xor eax, eax
outer:
  mov edx, 7
inner:
  add eax, edx
  test eax, 1
  jz skip
  xor eax, 0x55
  push eax
  pop esi
skip:
  dec edx
  jnz inner
  call leaf
  dec ecx
  jnz outer
  jmp done
leaf:
  rol eax, 1
  ret
done:
`;

test('a loop entered in its middle, with jumps back to two of its blocks, runs as the interpreter does', () => {
  check(ROTATED, 1_000_000);
});

test('nested loops with a call in the outer one run as the interpreter does', () => {
  check(NESTED, 1_000_000);
});

test('budgets that end runs inside the loops: each slice stops where the interpreter does', () => {
  for (const budget of [97, 1009]) {
    check(ROTATED, budget);
    check(NESTED, budget);
  }
});
