// region at cs:0x00001000 mode 0x13, 1 blocks, 15 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [-1, 4099, -1, -1, 4110, -1, 4115, 4118, -1, -1, -1, -1, -1, -1, 4128];
const KOFF = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 15 instructions
          if (n + 15 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 BT_EvGv rm=eax/al reg=1
          const o_0 = r1, bit_0 = o_0 & 31;
          const v_0 = r0;
          setSomeFlags(c, 1, (v_0 >>> bit_0) & 1);
          // 1: 0x00001003 BTS_EvGv ds:[ebx] reg=2
          k = 1;
          c.instructions = n + 1;
          const o_1 = r2, bit_1 = o_1 & 31;
          const ea_1 = (r3 + (o_1 >> 5) * 4) | 0;
          const v_1 = c.readModifyMem(4, 3, ea_1);
          c.writeModifiedMem(4, (v_1 | (1 << bit_1)));
          setSomeFlags(c, 1, (v_1 >>> bit_1) & 1);
          if (!R.valid) { x = 2; eip = 4102; break loop; }
          // 2: 0x00001006 G8_EvIb/6 rm=eax/al reg=6 imm=0x5
          const v_2 = r0;
          r0 = (v_2 & ~(1 << 5));
          setSomeFlags(c, 1, (v_2 >>> 5) & 1);
          // 3: 0x0000100a SHRD_EvGvIb rm=eax/al reg=2 imm=0x8
          const a_3 = r0;
          const s_3 = r2, n_3 = 8;
          r0 = shiftDouble(c, a_3, s_3, n_3, 4, false);
          // 4: 0x0000100e SHLD_EvGvCL ds:[edi] reg=6
          k = 4;
          c.instructions = n + 4;
          const a_4 = c.readModifyMem(4, 3, r7);
          const s_4 = r6, n_4 = r1 & 0x1f;
          if (n_4 !== 0) {
          c.writeModifiedMem(4, shiftDouble(c, a_4, s_4, n_4, 4, true));
          }
          if (!R.valid) { x = 5; eip = 4113; break loop; }
          // 5: 0x00001011 BSWAP_Zd
          const v_5 = r1;
          r1 = (v_5 >>> 24) | ((v_5 >> 8) & 0xff00) | ((v_5 & 0xff00) << 8) | (v_5 << 24);
          // 6: 0x00001013 CMPXCHG_EvGv ds:[ebx] reg=1
          k = 6;
          c.instructions = n + 6;
          const a_6 = c.readModifyMem(4, 3, r3);
          const x_6 = r0, g_6 = r1;
          const r_6 = (x_6 - a_6) | 0;
          c.lazyOp = 3; c.lazyA = x_6; c.lazyB = a_6; c.lazyR = r_6; c.lazySize = 4; c.lazyMask = 0x8d5;
          c.writeModifiedMem(4, (r_6 === 0 ? g_6 : a_6));
          if (r_6 !== 0) {
          r0 = a_6;
          }
          if (!R.valid) { x = 7; eip = 4118; break loop; }
          // 7: 0x00001016 XCHG_EvGv ds:[esi] reg=0
          k = 7;
          c.instructions = n + 7;
          const a_7 = c.readModifyMem(4, 3, r6);
          c.writeModifiedMem(4, r0);
          r0 = a_7;
          if (!R.valid) { x = 8; eip = 4120; break loop; }
          // 8: 0x00001018 XADD_EvGv rm=eax/al reg=3
          const a_8 = r0;
          const g_8 = r3;
          const r_8 = (a_8 + g_8) | 0;
          c.lazyOp = 1; c.lazyA = a_8; c.lazyB = g_8; c.lazyR = r_8; c.lazySize = 4; c.lazyMask = 0x8d5;
          r3 = a_8;
          r0 = r_8;
          // 9: 0x0000101b LAHF
          r0 = (r0 & -65281) | (((((c.getFlags() & 0xd5) | 0x2)) & 0xff) << 8);
          // 10: 0x0000101c SAHF
          setSomeFlags(c, 0xd5, ((r0 >> 8) & 0xff));
          // 11: 0x0000101d CMC
          setSomeFlags(c, 1, getCF(c) ^ 1);
          // 12: 0x0000101e CLC
          setSomeFlags(c, 1, 0);
          // 13: 0x0000101f STC
          setSomeFlags(c, 1, 1);
          // 14: 0x00001020 RET
          k = 14;
          const pop_14 = rs32(c, 2, r4, 14);
          if ((pop_14 >>> 0) > c.segLimit[1]) throw new CpuException(13, 0);
          r4 = (r4 + 4) | 0;
          x = 15; eip = pop_14; t = ~s; break sw;
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
// limitNeeded 0x1020
