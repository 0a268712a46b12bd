// region at cs:0x00001000 mode 0x13, 1 blocks, 5 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [-1, -1, -1, -1, -1];
const KOFF = [0, 1, 2, 3, 4];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 5 instructions
          if (n + 5 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 MOV_ZvIv imm=0x3f8
          r2 = 1016;
          // 1: 0x00001005 IN_ALDX (interpreter)
          k = 1; r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.eip = 4101; c.instructions = n + 1; c.step(); r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          eip = c.eip; if (eip !== 4102 || (c.flags & 0x10100) !== 0 || c.stopRequested || c.nmiPending || !R.valid || (c.intrLine && (c.flags & 0x200) !== 0)) { x = 2; fb = 1; break loop; }
          // 2: 0x00001006 INC_Zv
          const a_2 = r0;
          const cf_2 = getCF(c);
          const r_2 = (a_2 + 1) | 0;
          c.flags = (c.flags & -2) | cf_2; c.lazyOp = 6; c.lazyA = a_2; c.lazyB = 1; c.lazyR = r_2; c.lazySize = 4; c.lazyMask = 0x8d4;
          r0 = r_2;
          // 3: 0x00001007 OUT_DXAL (interpreter)
          k = 3; r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.eip = 4103; c.instructions = n + 3; c.step(); r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          eip = c.eip; if (eip !== 4104 || (c.flags & 0x10100) !== 0 || c.stopRequested || c.nmiPending || !R.valid || (c.intrLine && (c.flags & 0x200) !== 0)) { x = 4; fb = 1; break loop; }
          // 4: 0x00001008 JMP_Jz imm=0xfffffff3
          x = 5; eip = 4096; t = 0; break sw;
        }
        default:
          // After an indirect jump from block ~s: the block at EIP, if this region has it.
          if (s < 0) {
            s = ~s;
            switch (eip) { case 4096: s = 0; continue loop; }
            break loop;
          }
          throw new Error('translator: no block ' + s);
      }
      // A jump within the region (to block t) after x instructions: the run loop's checks first.
      n += x; x = 0;
      if (c.stopRequested || c.nmiPending || !R.valid || (c.intrLine && (c.flags & 0x200) !== 0)) break loop;
      s = t;
    }
  } catch (e) {
    if (w !== 0) { r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; }
    c.instructions = n + KOFF[k];
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
  r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7;
  c.eip = eip; c.instructions = n + x;
  return (s << 1) | fb;
};
// limitNeeded 0x100c
