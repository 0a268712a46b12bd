// region at cs:0x00001000 mode 0x13, 1 blocks, 8 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [4096, 4097, 4098, 4099, 4101, -1, 4104, 4105];
const KOFF = [0, 1, 2, 3, 4, 5, 6, 7];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 8 instructions
          if (n + 8 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 LODS_ALXb
          k = 0;
          const v_0 = rs8(c, 3, r6, 0);
          const d_0 = (c.flags & 0x400) !== 0 ? -1 : 1;
          r0 = (r0 & -256) | (v_0 & 0xff);
          r6 = (r6 + d_0) | 0;
          // 1: 0x00001001 SCAS_ALYb
          k = 1;
          const x_1 = (r0 & 0xff);
          const y_1 = rs8(c, 0, r7, 1);
          const r_1 = (x_1 - y_1) & 0xff;
          c.lazyOp = 3; c.lazyA = x_1; c.lazyB = y_1; c.lazyR = r_1; c.lazySize = 1; c.lazyMask = 0x8d5;
          const d_1 = (c.flags & 0x400) !== 0 ? -1 : 1;
          r7 = (r7 + d_1) | 0;
          // 2: 0x00001002 STOS_YveAX
          k = 2;
          ws32(c, 0, r7, r0, 2);
          const d_2 = (c.flags & 0x400) !== 0 ? -4 : 4;
          r7 = (r7 + d_2) | 0;
          if (!R.valid) { x = 3; eip = 4099; break loop; }
          // 3: 0x00001003 MOVS_YvXv o16
          k = 3;
          const v_3 = rs16(c, 3, r6, 3);
          ws16(c, 0, r7, v_3, 3);
          const d_3 = (c.flags & 0x400) !== 0 ? -2 : 2;
          r6 = (r6 + d_3) | 0;
          r7 = (r7 + d_3) | 0;
          if (!R.valid) { x = 4; eip = 4101; break loop; }
          // 4: 0x00001005 CMPS_XvYv
          k = 4;
          const x_4 = rs32(c, 3, r6, 4);
          const y_4 = rs32(c, 0, r7, 4);
          const r_4 = (x_4 - y_4) | 0;
          c.lazyOp = 3; c.lazyA = x_4; c.lazyB = y_4; c.lazyR = r_4; c.lazySize = 4; c.lazyMask = 0x8d5;
          const d_4 = (c.flags & 0x400) !== 0 ? -4 : 4;
          r6 = (r6 + d_4) | 0;
          r7 = (r7 + d_4) | 0;
          // 5: 0x00001006 MOVS_YbXb rep (interpreter)
          k = 5; r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.eip = 4102; c.instructions = n + 5; c.step(); r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          eip = c.eip; if (eip !== 4104 || (c.flags & 0x10100) !== 0 || c.stopRequested || c.nmiPending || !R.valid || (c.intrLine && (c.flags & 0x200) !== 0)) { x = 6; fb = 1; break loop; }
          // 6: 0x00001008 LEAVE
          k = 6;
          const big_6 = c.stackSize32, sp_6 = big_6 ? r5 : (r5 & 0xffff);
          const v_6 = rs32(c, 2, sp_6, 6);
          r4 = (big_6 ? (sp_6 + 4) | 0 : (r4 & -65536) | ((sp_6 + 4) & 0xffff));
          r5 = v_6;
          // 7: 0x00001009 RET
          k = 7;
          const pop_7 = rs32(c, 2, r4, 7);
          if ((pop_7 >>> 0) > c.segLimit[1]) throw new CpuException(13, 0);
          r4 = (r4 + 4) | 0;
          x = 8; eip = pop_7; t = ~s; break sw;
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
// limitNeeded 0x1009
