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

/** Pushes the operand mask of the lazy size in local `size`: -1 >>> (4 - size) * 8 (0xff, 0xffff or all ones). */
export function pushSizeMask(b: FunctionBody, size: Local): void {
  b.i32(-1).i32(4).get(size).op(Op.I32Sub).i32(3).op(Op.I32Shl).op(Op.I32ShrU);
}

/** Pushes the index of the sign bit of the lazy size in local `size`: size * 8 - 1 (7, 15 or 31). */
export function pushSignBitIndex(b: FunctionBody, size: Local): void {
  b.get(size).i32(3).op(Op.I32Shl).i32(1).op(Op.I32Sub);
}

/**
 * Pushes CF (0 or 1) of a record whose CF is pending (flags.ts computeCF),
 * without branches or calls, so that a region can have it inline: on the
 * operands masked to the size, ADD r < a, ADC r <= a, SUB a < b, SBB a <= b
 * (the kinds with a carry in are the even ones); 0 for the other kinds.
 * `scratch` is three locals.
 */
export function pushPendingCarry(b: FunctionBody, op: Local, la: Local, lb: Local, lr: Local, size: Local, scratch: readonly Local[]): void {
  const [m, x, y] = scratch;
  pushSizeMask(b, size);
  b.set(m);
  // x, y: r, a for the additions (kinds 1 and 2), a, b for the subtractions.
  b.get(lr).get(la).get(op).i32(3).op(Op.I32LtU).op(Op.Select).get(m).op(Op.I32And).set(x);
  b.get(la).get(lb).get(op).i32(3).op(Op.I32LtU).op(Op.Select).get(m).op(Op.I32And).set(y);
  b.get(x).get(y).op(Op.I32LtU);
  b.get(x).get(y).op(Op.I32Eq).get(op).i32(1).op(Op.I32And).op(Op.I32Eqz).op(Op.I32And);
  b.op(Op.I32Or);
  b.get(op).i32(1).op(Op.I32Sub).i32(4).op(Op.I32LtU).op(Op.I32And);
}

/** Writes `flags(lazyOp, lazyA, lazyB, lazyR, lazySize, lazyMask, flags) → EFLAGS with nothing pending`. */
export function flagsHelperBody(): FunctionBody {
  const b = new FunctionBody(FLAG_LOCALS.length);
  const [op, la, lb, lr, size, lazy, fl] = FLAG_LOCALS.map((_, i) => b.param(i));
  const m = b.local(), sign = b.local(), r = b.local(), f = b.local();
  // m: the size's mask; sign: its top bit.
  pushSizeMask(b, size);
  b.set(m);
  b.i32(1);
  pushSignBitIndex(b, size);
  b.op(Op.I32Shl).set(sign);
  b.get(lr).get(m).op(Op.I32And).set(r);
  b.get(fl).get(lazy).i32(-1).op(Op.I32Xor).op(Op.I32And).set(f);
  const when = (bit: number, value: () => void): void => {
    b.get(lazy).i32(bit).op(Op.I32And).if();
    b.get(f);
    value();
    b.op(Op.I32Or).set(f).end();
  };
  const isOp = (kind: number): void => { b.get(op).i32(kind).op(Op.I32Eq); };
  when(CF, () => { pushPendingCarry(b, op, la, lb, lr, size, [b.local(), b.local(), b.local()]); });
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
