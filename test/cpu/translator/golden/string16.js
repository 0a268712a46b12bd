// region at cs:0x00001000 mode 0x10, 1 blocks, 7 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [4096, 4097, 4098, 4099, 4100, -1, 4104];
const KOFF = [0, 1, 2, 3, 4, 5, 6];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 7 instructions
          if (n + 7 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 LODS_eAXXv o16 a16
          k = 0;
          const v_0 = rs16(c, 3, (r6 & 0xffff), 0);
          const d_0 = (c.flags & 0x400) !== 0 ? -2 : 2;
          r0 = (r0 & -65536) | (v_0 & 0xffff);
          r6 = (r6 & -65536) | (((r6 + d_0)) & 0xffff);
          // 1: 0x00001001 MOVS_YbXb o16 a16
          k = 1;
          const v_1 = rs8(c, 3, (r6 & 0xffff), 1);
          ws8(c, 0, (r7 & 0xffff), v_1, 1);
          const d_1 = (c.flags & 0x400) !== 0 ? -1 : 1;
          r6 = (r6 & -65536) | (((r6 + d_1)) & 0xffff);
          r7 = (r7 & -65536) | (((r7 + d_1)) & 0xffff);
          if (!R.valid) { x = 2; eip = 4098; break loop; }
          // 2: 0x00001002 CMPS_XbYb o16 a16
          k = 2;
          const x_2 = rs8(c, 3, (r6 & 0xffff), 2);
          const y_2 = rs8(c, 0, (r7 & 0xffff), 2);
          const r_2 = (x_2 - y_2) & 0xff;
          c.lazyOp = 3; c.lazyA = x_2; c.lazyB = y_2; c.lazyR = r_2; c.lazySize = 1; c.lazyMask = 0x8d5;
          const d_2 = (c.flags & 0x400) !== 0 ? -1 : 1;
          r6 = (r6 & -65536) | (((r6 + d_2)) & 0xffff);
          r7 = (r7 & -65536) | (((r7 + d_2)) & 0xffff);
          // 3: 0x00001003 LEAVE o16 a16
          k = 3;
          const big_3 = c.stackSize32, sp_3 = big_3 ? r5 : (r5 & 0xffff);
          const v_3 = rs16(c, 2, sp_3, 3);
          r4 = (big_3 ? (sp_3 + 2) | 0 : (r4 & -65536) | ((sp_3 + 2) & 0xffff));
          r5 = (r5 & -65536) | (v_3 & 0xffff);
          // 4: 0x00001004 G1A_Ev/0 rm=cx/cl reg=0 o16 a16
          k = 4;
          const pop_4 = rs16(c, 2, (r4 & 0xffff), 4);
          r4 = (r4 & -65536) | ((r4 + 2) & 0xffff);
          r1 = (r1 & -65536) | (pop_4 & 0xffff);
          // 5: 0x00001006 G1A_Ev/0 ds:[bx] reg=0 o16 a16 (interpreter)
          k = 5; r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.eip = 4102; c.instructions = n + 5; c.step(); r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          eip = c.eip; if (eip !== 4104 || (c.flags & 0x10100) !== 0 || c.stopRequested || c.nmiPending || !R.valid || (c.intrLine && (c.flags & 0x200) !== 0)) { x = 6; fb = 1; break loop; }
          // 6: 0x00001008 RET o16 a16
          k = 6;
          const pop_6 = rs16(c, 2, (r4 & 0xffff), 6);
          if ((pop_6 >>> 0) > c.segLimit[1]) throw new CpuException(13, 0);
          r4 = (r4 & -65536) | ((r4 + 2) & 0xffff);
          x = 7; eip = pop_6; t = ~s; break sw;
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
// limitNeeded 0x1008
