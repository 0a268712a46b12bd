// region at cs:0x00001000 mode 0x10, 1 blocks, 4 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [4096, 4097, 4100, 4101];
const KOFF = [0, 1, 2, 3];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 4 instructions
          if (n + 4 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 PUSH_Zv o16 a16
          k = 0;
          const psp_0 = (r4 - 2) & 0xffff;
          ws16(c, 2, psp_0, (r3 & 0xffff), 0);
          r4 = (r4 & -65536) | psp_0;
          if (!R.valid) { x = 1; eip = 4097; break loop; }
          // 1: 0x00001001 MOV_GvEv ss:[bp+si+0x2] reg=0 o16 a16
          k = 1;
          const v_1 = rs16(c, 2, ((r5 + r6 + 2) & 0xffff), 1);
          r0 = (r0 & -65536) | (v_1 & 0xffff);
          // 2: 0x00001004 POP_Zv o16 a16
          k = 2;
          const pop_2 = rs16(c, 2, (r4 & 0xffff), 2);
          r4 = (r4 & -65536) | ((r4 + 2) & 0xffff);
          r1 = (r1 & -65536) | (pop_2 & 0xffff);
          // 3: 0x00001005 CALL_Jz imm=0x22c o16 a16
          k = 3;
          const psp_3 = (r4 - 2) & 0xffff;
          ws16(c, 2, psp_3, 4104, 3);
          r4 = (r4 & -65536) | psp_3;
          x = 4; eip = 4660; break loop;
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
// limitNeeded 0x1234
