/**
 * WebAssembly emitters for the SSE2 packed-integer instructions and the
 * 128-bit moves (SDM Vol. 2 "MOVD/MOVQ", "MOVDQA", "MOVDQU", "MOVAPS",
 * "PXOR", "PCMPEQB", "PMOVMSKB", "PUNPCKLBW", "PSHUFD", "PSRLDQ"…) in
 * WebAssembly SIMD, with the meaning of instructions/simd-integer.ts,
 * simd-move.ts and simd-float.ts's bitwise forms over
 * simd/packed-int.ts: each is written here only where one WebAssembly
 * vector operation (or shuffle) computes exactly what the interpreter
 * does, lane for lane.
 *
 * The XMM registers are state-block words (StateWord.XMM; SseState.xmm is
 * a view of them), so an emitter loads and stores them in memory, where
 * the interpreter's `step` also finds them: nothing to spill.
 *
 * Order as in the interpreter handlers (simd-operands.ts):
 * 1. forms the handler rejects with #UD (a memory operand where a register
 *    is required, group members that do not exist) are declined;
 * 2. the SSE state check: StateWord.SSE_FAULT, which the runtime keeps as
 *    simd-operands.ts sseFaultVector computes it (#UD for CR0.EM or no
 *    CR4.OSFXSR, else #NM for CR0.TS), is raised first;
 * 3. the aligned 16-byte forms raise #GP(0) for a memory operand that is
 *    not 16-byte aligned (checkAligned16; DS/ES/SS flat here, so the
 *    offset is the linear address);
 * 4. a memory operand takes the TLB fast path when DS/ES/SS are flat and
 *    the whole operand lies in one page the TLB allows at this CPL; on any
 *    other path (TLB miss, another page, MMIO, a code page, lockstep's
 *    slow writes) the interpreter runs the instruction
 *    (interpretAndContinue), so faults, page walks and stores into code
 *    come out exactly as there. Other segments are declined.
 * Nothing is written before the last check, so a fault leaves the state as
 * the interpreter does. None of these instructions reads or writes EFLAGS,
 * so the flag locals (and what the block knows of their producer) stay as
 * they were, on the interpreter's path too.
 *
 * Only 66/F3/F2-prefixed forms and the SSE forms without a prefix whose
 * operands are XMM registers are here; the MMX forms stay with the
 * interpreter (their registers are the x87 stack's, with the MMX
 * transition).
 */
import { Vector } from '../../registers.js';
import { StateWord } from '../../state-block.js';
import { MemOp, Op, SimdLaneOp, SimdMemOp, SimdOp, ValType } from './module-builder.js';
import type { WasmEmitter, WasmInsnEmitter } from './region.js';

/** Pushes the v128 source operand an emitter body works on. */
type PushW = () => void;

/** The byte address of XMM register `r` in the state block. */
function xmmAddress(e: WasmInsnEmitter, r: number): number {
  return e.stateAddress(StateWord.XMM + 4 * r);
}

/** The vector load of `bytes` (16 or 8; 8 clears the lanes above). */
function vectorLoad(bytes: 8 | 16): SimdMemOp {
  return bytes === 16 ? SimdMemOp.V128Load : SimdMemOp.V128Load64Zero;
}

/** Pushes the low `bytes` of XMM register `r` as a v128, the lanes above zero. */
function loadXmm(e: WasmInsnEmitter, r: number, bytes: 8 | 16 = 16): void {
  e.b.i32(0).simdMem(vectorLoad(bytes), xmmAddress(e, r));
}

/** Stores the v128 `compute` pushes into XMM register `r`. */
function storeXmm(e: WasmInsnEmitter, r: number, compute: () => void): void {
  e.b.i32(0);
  compute();
  e.b.simdMem(SimdMemOp.V128Store, xmmAddress(e, r));
}

/** simd-operands.ts sseEnter: raises the vector in StateWord.SSE_FAULT unless it is 0. */
function sseCheck(e: WasmInsnEmitter): void {
  const v = e.tmp();
  e.b.i32(0).mem(MemOp.I32Load, e.stateAddress(StateWord.SSE_FAULT)).tee(v).if();
  e.raiseVector(v, -1);
  e.b.end();
}

/** Pushes the memory operand's offset; with `aligned`, raises #GP(0) first unless it is 16-byte aligned (checkAligned16). */
function operandAddress(e: WasmInsnEmitter, aligned: boolean): void {
  e.ea();
  if (!aligned) return;
  const a = e.keep();
  e.b.get(a).i32(15).op(Op.I32And).if();
  e.raise(Vector.GP, 0);
  e.b.end();
  e.b.get(a);
}

/**
 * An instruction reading W (an XMM register, or `bytes` of memory, 16-byte
 * aligned with `aligned`): the checks, then `body` given the way to push W.
 * Declines (nothing emitted) a memory operand in a segment that is not flat.
 */
function withW(e: WasmInsnEmitter, bytes: 8 | 16, aligned: boolean, body: (w: PushW) => void): boolean {
  const i = e.insn;
  if (i.mod === 3) {
    sseCheck(e);
    body(() => loadXmm(e, i.rm, bytes));
    return true;
  }
  if (!e.flatSeg(i.eaSeg)) return false;
  sseCheck(e);
  operandAddress(e, aligned);
  // The alignment hint promises nothing for the unaligned forms (any alignment works; the hint is only for speed).
  const hint = aligned ? undefined : 0;
  e.flatAccess(bytes, i.eaSeg, false, (host) => body(() => { e.b.get(host).simdMem(vectorLoad(bytes), 0, hint); }), () => e.interpretAndContinue());
  return true;
}

/** V ← V op W over 16 aligned bytes (xmmBinary); with `swap`, the vector operation takes W first. */
function binary(op: SimdOp, swap = false): WasmEmitter {
  return (e) => withW(e, 16, true, (w) => {
    storeXmm(e, e.insn.reg, () => {
      if (swap) { w(); loadXmm(e, e.insn.reg); } else { loadXmm(e, e.insn.reg); w(); }
      e.b.simd(op);
    });
  });
}

/** V ← bytes of V and W picked by `lanes` (0-15 V's, 16-31 W's): the unpacks. */
function shuffleVW(lanes: readonly number[]): WasmEmitter {
  return (e) => withW(e, 16, true, (w) => {
    storeXmm(e, e.insn.reg, () => { loadXmm(e, e.insn.reg); w(); e.b.shuffle(lanes); });
  });
}

/**
 * PUNPCKLxx/PUNPCKHxx (packed-int.ts unpack): elements of `size` bytes of
 * the low (high) halves of V and W interleaved, V's first.
 */
function unpackLanes(size: number, high: boolean): number[] {
  const base = high ? 8 : 0;
  const lanes: number[] = [];
  for (let k = 0; k < 8 / size; k++) {
    for (let b = 0; b < size; b++) lanes.push(base + k * size + b);
    for (let b = 0; b < size; b++) lanes.push(16 + base + k * size + b);
  }
  return lanes;
}

/** PSHUFD/PSHUFHW/PSHUFLW (simd-integer.ts pshuf): V ← W with dwords, or the high or low four words, picked by the immediate. */
function pshuf(kind: 'd' | 'hw' | 'lw'): WasmEmitter {
  return (e) => {
    const imm = e.insn.imm & 0xff;
    const lanes = Array.from({ length: 16 }, (_, i) => i);
    if (kind === 'd') {
      for (let i = 0; i < 16; i++) lanes[i] = 4 * ((imm >> (2 * (i >> 2))) & 3) + (i & 3);
    } else {
      const base = kind === 'hw' ? 8 : 0;
      for (let i = 0; i < 8; i++) lanes[base + i] = base + 2 * ((imm >> (2 * (i >> 1))) & 3) + (i & 1);
    }
    return withW(e, 16, true, (w) => {
      const v = e.tmp(ValType.V128);
      storeXmm(e, e.insn.reg, () => { w(); e.b.tee(v).get(v).shuffle(lanes); });
    });
  };
}

/** 128-bit loads (load128): V ← W, 16 bytes (aligned for MOVDQA/MOVAPS/MOVAPD). */
function load128(aligned: boolean): WasmEmitter {
  return (e) => withW(e, 16, aligned, (w) => { storeXmm(e, e.insn.reg, w); });
}

/**
 * A store of `bytes` from XMM register V to memory operand W (16 aligned
 * bytes with `aligned`; 8 bytes: the low quadword); with `memOnly`, a
 * register operand is #UD (declined). The register forms copy the register
 * (8 bytes: the high quadword cleared).
 */
function storeW(bytes: 8 | 16, aligned: boolean, memOnly = false): WasmEmitter {
  return (e) => {
    const i = e.insn, b = e.b;
    if (i.mod === 3) {
      if (memOnly) return false;
      sseCheck(e);
      storeXmm(e, i.rm, () => loadXmm(e, i.reg, bytes));
      return true;
    }
    if (!e.flatSeg(i.eaSeg)) return false;
    sseCheck(e);
    operandAddress(e, aligned);
    e.flatAccess(bytes, i.eaSeg, true, (host) => {
      b.get(host);
      if (bytes === 16) { loadXmm(e, i.reg); b.simdMem(SimdMemOp.V128Store, 0, aligned ? undefined : 0); } else { b.i32(0).mem(MemOp.I64Load, xmmAddress(e, i.reg)).mem(MemOp.I64Store); }
    }, () => e.interpretAndContinue());
    return true;
  };
}

/** A zero vector. */
const ZERO = new Array<number>(16).fill(0);

/**
 * Groups 12-14 with 66 (shiftGroup, `Udq,Ib`): the lanes of XMM register
 * rm shifted by the immediate (0-255). A count at or past the lane width
 * clears a logical shift's lanes and fills an arithmetic one's with the
 * sign (packed-int.ts shift); WebAssembly takes counts modulo the width,
 * so those counts are settled here. PSRLDQ/PSLLDQ shift the register by
 * bytes (byteShift; past 15 it is cleared). A memory operand or an
 * undefined member is #UD: declined.
 */
function shiftGroup(members: readonly (readonly [SimdOp, number, boolean] | 'PSRLDQ' | 'PSLLDQ' | undefined)[]): WasmEmitter {
  return (e) => {
    const i = e.insn, b = e.b;
    const member = members[i.reg];
    if (i.mod !== 3 || member === undefined) return false;
    sseCheck(e);
    const count = i.imm & 0xff;
    storeXmm(e, i.rm, () => {
      if (member === 'PSRLDQ' || member === 'PSLLDQ') {
        if (count > 15) { b.v128(ZERO); return; }
        const lanes = Array.from({ length: 16 }, (_, k) => {
          const from = member === 'PSLLDQ' ? k - count : k + count;
          return from >= 0 && from < 16 ? from : 16;
        });
        loadXmm(e, i.rm);
        b.v128(ZERO).shuffle(lanes);
        return;
      }
      const [op, width, arithmetic] = member;
      if (count >= width && !arithmetic) { b.v128(ZERO); return; }
      loadXmm(e, i.rm);
      b.i32(Math.min(count, width - 1)).simd(op);
    });
    return true;
  };
}

/** The packed-integer operations one WebAssembly vector operation computes exactly (packed-int.ts PACKED_OPS), by mnemonic. */
const PACKED_BINARY: Readonly<Record<string, SimdOp>> = {
  PADDB: SimdOp.I8x16Add, PADDW: SimdOp.I16x8Add, PADDD: SimdOp.I32x4Add, PADDQ: SimdOp.I64x2Add,
  PSUBB: SimdOp.I8x16Sub, PSUBW: SimdOp.I16x8Sub, PSUBD: SimdOp.I32x4Sub, PSUBQ: SimdOp.I64x2Sub,
  PADDSB: SimdOp.I8x16AddSatS, PADDSW: SimdOp.I16x8AddSatS, PADDUSB: SimdOp.I8x16AddSatU, PADDUSW: SimdOp.I16x8AddSatU,
  PSUBSB: SimdOp.I8x16SubSatS, PSUBSW: SimdOp.I16x8SubSatS, PSUBUSB: SimdOp.I8x16SubSatU, PSUBUSW: SimdOp.I16x8SubSatU,
  PCMPEQB: SimdOp.I8x16Eq, PCMPEQW: SimdOp.I16x8Eq, PCMPEQD: SimdOp.I32x4Eq,
  PCMPGTB: SimdOp.I8x16GtS, PCMPGTW: SimdOp.I16x8GtS, PCMPGTD: SimdOp.I32x4GtS,
  PAND: SimdOp.V128And, POR: SimdOp.V128Or, PXOR: SimdOp.V128Xor,
  PMULLW: SimdOp.I16x8Mul,
  // The sum of the two signed products of each word pair, wrapping (8000h·8000h twice is 8000_0000h): i32x4.dot_i16x8_s.
  PMADDWD: SimdOp.I32x4DotI16x8S,
  // (a + b + 1) >> 1 unsigned: avgr_u.
  PAVGB: SimdOp.I8x16AvgrU, PAVGW: SimdOp.I16x8AvgrU,
  PMINUB: SimdOp.I8x16MinU, PMAXUB: SimdOp.I8x16MaxU, PMINSW: SimdOp.I16x8MinS, PMAXSW: SimdOp.I16x8MaxS,
  // V's lanes narrowed into the low half, W's into the high half, signed input saturated.
  PACKSSWB: SimdOp.I8x16NarrowI16x8S, PACKUSWB: SimdOp.I8x16NarrowI16x8U, PACKSSDW: SimdOp.I16x8NarrowI32x4S,
};

/** Shifts of group 12/13/14 by ModRM.reg: [operation, lane width in bits, arithmetic]. */
const G12 = [undefined, undefined, [SimdOp.I16x8ShrU, 16, false], undefined, [SimdOp.I16x8ShrS, 16, true], undefined, [SimdOp.I16x8Shl, 16, false]] as const;
const G13 = [undefined, undefined, [SimdOp.I32x4ShrU, 32, false], undefined, [SimdOp.I32x4ShrS, 32, true], undefined, [SimdOp.I32x4Shl, 32, false]] as const;
const G14 = [undefined, undefined, [SimdOp.I64x2ShrU, 64, false], 'PSRLDQ', undefined, undefined, [SimdOp.I64x2Shl, 64, false], 'PSLLDQ'] as const;

function build(): Record<string, WasmEmitter> {
  const h: Record<string, WasmEmitter> = {
    // MOVD Vd,Ed: the dword into the low lane, the rest cleared (any segment: the region's own accessors).
    MOVD_VdEd: (e) => {
      sseCheck(e);
      e.readE(4);
      const v = e.keep();
      storeXmm(e, e.insn.reg, () => { e.b.v128(ZERO).get(v).lane(SimdLaneOp.I32x4ReplaceLane, 0); });
      return true;
    },
    // MOVD Ed,Vd: the low dword to a register or memory (a store into this region's code leaves it).
    MOVD_EdVd: (e) => {
      sseCheck(e);
      e.b.i32(0).mem(MemOp.I32Load, xmmAddress(e, e.insn.reg));
      e.writeE(4, e.keep());
      return true;
    },
    // MOVQ Vq,Wq (F3 0F 7E): the low quadword, the high one cleared.
    MOVQ_VqWq: (e) => withW(e, 8, false, (w) => { storeXmm(e, e.insn.reg, w); }),
    // MOVQ Wq,Vq (66 0F D6): to memory, or to a register with its high quadword cleared.
    MOVQ_WqVq: storeW(8, false),
    MOVDQA_VdqWdq: load128(true), MOVDQU_VdqWdq: load128(false),
    MOVAPS_VpsWps: load128(true), MOVAPD_VpdWpd: load128(true), MOVUPS_VpsWps: load128(false), MOVUPD_VpdWpd: load128(false),
    MOVDQA_WdqVdq: storeW(16, true), MOVDQU_WdqVdq: storeW(16, false),
    MOVAPS_WpsVps: storeW(16, true), MOVAPD_WpdVpd: storeW(16, true), MOVUPS_WpsVps: storeW(16, false), MOVUPD_WpdVpd: storeW(16, false),
    MOVNTDQ_MdqVdq: storeW(16, true, true), MOVNTPS_MpsVps: storeW(16, true, true), MOVNTPD_MpdVpd: storeW(16, true, true),
    // PANDN: ~V & W, and v128.andnot(a, b) is a & ~b.
    PANDN_VdqWdq: binary(SimdOp.V128AndNot, true),
    // ANDPS … XORPD (simd-float.ts logic): bitwise on all 128 bits, no MXCSR effect.
    ANDPS_VpsWps: binary(SimdOp.V128And), ANDPD_VpdWpd: binary(SimdOp.V128And),
    ANDNPS_VpsWps: binary(SimdOp.V128AndNot, true), ANDNPD_VpdWpd: binary(SimdOp.V128AndNot, true),
    ORPS_VpsWps: binary(SimdOp.V128Or), ORPD_VpdWpd: binary(SimdOp.V128Or),
    XORPS_VpsWps: binary(SimdOp.V128Xor), XORPD_VpdWpd: binary(SimdOp.V128Xor),
    PUNPCKLBW_VdqWdq: shuffleVW(unpackLanes(1, false)), PUNPCKLWD_VdqWdq: shuffleVW(unpackLanes(2, false)),
    PUNPCKLDQ_VdqWdq: shuffleVW(unpackLanes(4, false)), PUNPCKLQDQ_VdqWdq: shuffleVW(unpackLanes(8, false)),
    PUNPCKHBW_VdqWdq: shuffleVW(unpackLanes(1, true)), PUNPCKHWD_VdqWdq: shuffleVW(unpackLanes(2, true)),
    PUNPCKHDQ_VdqWdq: shuffleVW(unpackLanes(4, true)), PUNPCKHQDQ_VdqWdq: shuffleVW(unpackLanes(8, true)),
    PSHUFD_VdqWdqIb: pshuf('d'), PSHUFHW_VdqWdqIb: pshuf('hw'), PSHUFLW_VdqWdqIb: pshuf('lw'),
    // PMOVMSKB Gd,Udq: the top bit of each byte (a memory operand is #UD: declined).
    PMOVMSKB_GdUdq: (e) => {
      if (e.insn.mod !== 3) return false;
      sseCheck(e);
      loadXmm(e, e.insn.rm);
      e.b.simd(SimdOp.I8x16Bitmask);
      e.setReg(4, e.insn.reg);
      return true;
    },
    G12_UdqIb: shiftGroup(G12), G13_UdqIb: shiftGroup(G13), G14_UdqIb: shiftGroup(G14),
  };
  for (const [m, op] of Object.entries(PACKED_BINARY)) h[`${m}_VdqWdq`] = binary(op);
  return h;
}

/** The SSE/SSE2 emitters by instruction class, merged into WASM_EMITTERS. */
export const WASM_SIMD_EMITTERS: Record<string, WasmEmitter> = build();
