/**
 * The regions' flags helper computes EFLAGS from a lazy record exactly as
 * flags.ts materializeFlags does, and regions' inline CF as getCF does:
 * checked over every kind and size with operands at the edges (0, 1, the
 * sign bits, all ones) and random ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagsHelperBody, FLAGS_HELPER_PARAMS, pushPendingCarry } from '../../../../src/cpu/translator/wasm/flags-helper.js';
import { FunctionBody, ModuleBuilder, ValType } from '../../../../src/cpu/translator/wasm/module-builder.js';
import { getCF, materializeFlags } from '../../../../src/cpu/flags.js';
import { Cpu } from '../../../../src/cpu/cpu.js';
import { PhysicalMemory } from '../../../../src/cpu/physical-memory.js';
import { NullSystem } from '../../../../src/cpu/system-interface.js';

type Helper = (op: number, a: number, b: number, r: number, size: number, mask: number, flags: number) => number;
type CarryHelper = (op: number, a: number, b: number, r: number, size: number) => number;

function helpers(): { flags: Helper; carry: CarryHelper } {
  const mb = new ModuleBuilder();
  mb.addFunction(FLAGS_HELPER_PARAMS, [ValType.I32], flagsHelperBody(), 'flags');
  // The inline CF of regions (region.ts carry), as a function of the record's kind, operands, result and size.
  const carry = new FunctionBody(5);
  const [op, a, b, r, size] = [0, 1, 2, 3, 4].map((i) => carry.param(i));
  pushPendingCarry(carry, op, a, b, r, size, [carry.local(), carry.local(), carry.local()]);
  mb.addFunction(Array(5).fill(ValType.I32), [ValType.I32], carry, 'carry');
  const module = new WebAssembly.Module(mb.encode() as Uint8Array<ArrayBuffer>);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const exports = new WebAssembly.Instance(module, { e: { m: memory } }).exports;
  return { flags: exports.flags as Helper, carry: exports.carry as CarryHelper };
}

test('the WebAssembly flags helper and inline carry agree with materializeFlags and getCF', () => {
  const { flags, carry } = helpers();
  const cpu = new Cpu({ memory: new PhysicalMemory({ ramBytes: 1 << 20 }), system: new NullSystem(), translator: false });
  const edges = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fff_ffff, 0x8000_0000 | 0, -1, 0x10, 0x0f];
  let seed = 12345;
  const random = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) | 0; return seed; };
  const values = [...edges, ...Array.from({ length: 12 }, random)];
  // Masks: all six flags, INC/DEC (no CF), result records (SF/ZF/PF), none, and one flag at a time.
  const masks = [0x8d5, 0x8d4, 0xc4, 0, 0x1, 0x4, 0x10, 0x40, 0x80, 0x800];
  let checked = 0;
  for (let op = 1; op <= 8; op++) {
    for (const size of [1, 2, 4]) {
      for (const a of values) for (const b of [0, 1, -1, 0x80, 0x8000, random(), random()]) {
        const full = op === 2 || op === 6 ? a + b + 1 : op === 4 || op === 7 ? a - b - 1 : a + b;
        const r = size === 4 ? full | 0 : full & (size === 2 ? 0xffff : 0xff);
        for (const mask of masks) {
          const rest = random() & 0x3f7fd7 | 2;
          cpu.lazyOp = op; cpu.lazyA = a; cpu.lazyB = b; cpu.lazyR = r; cpu.lazySize = size; cpu.lazyMask = mask; cpu.flags = rest;
          // The inline carry runs only when CF is pending.
          if ((mask & 1) !== 0 && carry(op, a, b, r, size) !== getCF(cpu)) {
            assert.fail(`carry: op ${op} size ${size} a ${a} b ${b} r ${r}: ${carry(op, a, b, r, size)} vs ${getCF(cpu)}`);
          }
          materializeFlags(cpu);
          const got = flags(op, a, b, r, size, mask, rest);
          if (got !== cpu.flags) assert.fail(`op ${op} size ${size} a ${a} b ${b} r ${r} mask 0x${mask.toString(16)}: 0x${(got >>> 0).toString(16)} vs 0x${(cpu.flags >>> 0).toString(16)}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 10000, `${checked} records checked`);
});
