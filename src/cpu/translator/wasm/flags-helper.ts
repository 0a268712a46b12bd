/**
 * EFLAGS from the lazy record, in WebAssembly: the same computation as
 * flags.ts materializeFlags (CF, PF, AF, ZF, SF, OF of the pending mask
 * from the recorded operation), as a function each region module holds.
 * Its parameters are the region's flag locals, in {@link FLAG_LOCALS} order.
 */
import { FunctionBody, type Local, Op, ValType } from './module-builder.js';

/** The lazy record's parts as the region keeps them in locals (flags.ts / Cpu field names). */
export const FLAG_LOCALS = ['lazyOp', 'lazyA', 'lazyB', 'lazyR', 'lazySize', 'lazyMask', 'flags'] as const;

const LAZY_ADD = 1, LAZY_ADC = 2, LAZY_SUB = 3, LAZY_SBB = 4, LAZY_LOGIC = 5, LAZY_INC = 6, LAZY_DEC = 7, LAZY_RESULT = 8;
const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

/** The helper's signature: the seven flag locals in, EFLAGS out. */
export const FLAGS_HELPER_PARAMS: readonly ValType[] = FLAG_LOCALS.map(() => ValType.I32);

/**
 * Pushes CF (0 or 1) of a record whose CF is pending: unsigned compares of
 * the operands masked with `m` (flags.ts computeCF; `r` is masked already);
 * no carry for the other kinds.
 */
function pushCarry(b: FunctionBody, op: Local, la: Local, lb: Local, r: Local, m: Local): void {
  const v = b.local();
  const a = (): void => { b.get(la).get(m).op(Op.I32And); };
  const bb = (): void => { b.get(lb).get(m).op(Op.I32And); };
  b.i32(0).set(v);
  const carry = (kind: number, compute: () => void): void => { b.get(op).i32(kind).op(Op.I32Eq).if(); compute(); b.set(v).end(); };
  carry(LAZY_ADD, () => { b.get(r); a(); b.op(Op.I32LtU); });
  carry(LAZY_ADC, () => { b.get(r); a(); b.op(Op.I32LeU); });
  carry(LAZY_SUB, () => { a(); bb(); b.op(Op.I32LtU); });
  carry(LAZY_SBB, () => { a(); bb(); b.op(Op.I32LeU); });
  b.get(v);
}

/** Pushes the operand mask of the lazy size in local `size`: -1 >>> (4 - size) * 8 (0xff, 0xffff or all ones). */
export function pushSizeMask(b: FunctionBody, size: Local): void {
  b.i32(-1).i32(4).get(size).op(Op.I32Sub).i32(3).op(Op.I32Shl).op(Op.I32ShrU);
}

/** The carry helper's signature: lazyOp, lazyA, lazyB, lazyR, lazySize in, CF out. */
export const CARRY_HELPER_PARAMS: readonly ValType[] = FLAG_LOCALS.slice(0, 5).map(() => ValType.I32);

/**
 * Writes `carry(lazyOp, lazyA, lazyB, lazyR, lazySize) → CF` of a record
 * whose CF is pending: what INC, DEC, ADC, SBB and JB need when the
 * producer is not known in the block, for five arguments in registers and a
 * fifth of the flags helper's work.
 */
export function carryHelperBody(): FunctionBody {
  const b = new FunctionBody(CARRY_HELPER_PARAMS.length);
  const [op, la, lb, lr, size] = CARRY_HELPER_PARAMS.map((_, i) => b.param(i));
  const m = b.local(), r = b.local();
  pushSizeMask(b, size);
  b.set(m);
  b.get(lr).get(m).op(Op.I32And).set(r);
  pushCarry(b, op, la, lb, r, m);
  return b;
}

/** Writes `flags(lazyOp, lazyA, lazyB, lazyR, lazySize, lazyMask, flags) → EFLAGS with nothing pending`. */
export function flagsHelperBody(): FunctionBody {
  const b = new FunctionBody(FLAG_LOCALS.length);
  const [op, la, lb, lr, size, lazy, fl] = FLAG_LOCALS.map((_, i) => b.param(i));
  const m = b.local(), sign = b.local(), r = b.local(), f = b.local();
  // m = size 4 ? -1 : size 2 ? 0xffff : 0xff; sign likewise.
  b.i32(-1).i32(0xffff).i32(0xff).get(size).i32(2).op(Op.I32Eq).op(Op.Select).get(size).i32(4).op(Op.I32Eq).op(Op.Select).set(m);
  b.i32(0x8000_0000 | 0).i32(0x8000).i32(0x80).get(size).i32(2).op(Op.I32Eq).op(Op.Select).get(size).i32(4).op(Op.I32Eq).op(Op.Select).set(sign);
  b.get(lr).get(m).op(Op.I32And).set(r);
  b.get(fl).get(lazy).i32(-1).op(Op.I32Xor).op(Op.I32And).set(f);
  const when = (bit: number, value: () => void): void => {
    b.get(lazy).i32(bit).op(Op.I32And).if();
    b.get(f);
    value();
    b.op(Op.I32Or).set(f).end();
  };
  const isOp = (kind: number): void => { b.get(op).i32(kind).op(Op.I32Eq); };
  when(CF, () => { pushCarry(b, op, la, lb, r, m); });
  // PF: even number of ones in the low byte.
  when(PF, () => { b.get(r).i32(0xff).op(Op.I32And).op(Op.I32Popcnt).i32(1).op(Op.I32And).op(Op.I32Eqz).i32(2).op(Op.I32Shl); });
  // AF: bit 4 of a ^ b ^ r, none for logic and result records (select: the condition picks the first).
  when(AF, () => {
    b.i32(0);
    b.get(la).get(lb).op(Op.I32Xor).get(lr).op(Op.I32Xor).i32(AF).op(Op.I32And);
    isOp(LAZY_LOGIC); b.get(op).i32(LAZY_RESULT).op(Op.I32Eq).op(Op.I32Or);
    b.op(Op.Select);
  });
  when(ZF, () => { b.get(r).op(Op.I32Eqz).i32(6).op(Op.I32Shl); });
  when(SF, () => { b.get(r).get(sign).op(Op.I32And).i32(0).op(Op.I32Ne).i32(7).op(Op.I32Shl); });
  // OF (flags.ts computeOF): sign of (a ^ r) & (b ^ r) for additions, (a ^ b) & (a ^ r) for subtractions.
  when(OF, () => {
    b.get(la).get(lr).op(Op.I32Xor).get(lb).get(lr).op(Op.I32Xor).op(Op.I32And).get(sign).op(Op.I32And).i32(0).op(Op.I32Ne);
    b.get(op).i32(LAZY_ADD).op(Op.I32Eq).get(op).i32(LAZY_ADC).op(Op.I32Eq).op(Op.I32Or).get(op).i32(LAZY_INC).op(Op.I32Eq).op(Op.I32Or);
    b.op(Op.I32And);
    b.get(la).get(lb).op(Op.I32Xor).get(la).get(lr).op(Op.I32Xor).op(Op.I32And).get(sign).op(Op.I32And).i32(0).op(Op.I32Ne);
    b.get(op).i32(LAZY_SUB).op(Op.I32Eq).get(op).i32(LAZY_SBB).op(Op.I32Eq).op(Op.I32Or).get(op).i32(LAZY_DEC).op(Op.I32Eq).op(Op.I32Or);
    b.op(Op.I32And);
    b.op(Op.I32Or).i32(11).op(Op.I32Shl);
  });
  b.get(f);
  return b;
}
