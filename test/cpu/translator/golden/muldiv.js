// region at cs:0x00001000 mode 0x13, 1 blocks, 11 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [-1, 4099, -1, -1, 4113, 4116, -1, -1, 4122, 4124, 4126];
const KOFF = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 11 instructions
          if (n + 11 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 IMUL_GvEv rm=ebx/bl reg=0
          const x_0 = r0;
          const y_0 = r3;
          const r_0 = Math.imul(x_0, (y_0 | 0)), p_0 = (x_0 | 0) * (y_0 | 0), cf_0 = p_0 !== r_0 ? 1 : 0;
          c.flags = (c.flags & -2066) | cf_0 | (cf_0 << 11); c.lazyOp = 8; c.lazyR = r_0; c.lazySize = 4; c.lazyMask = 0xc4;
          r0 = r_0;
          // 1: 0x00001003 IMUL_GvEvIz ds:[esi+0x4] reg=1 imm=0x3e8
          k = 1;
          const x_1 = rs32(c, 3, ((r6 + 4) | 0), 1);
          const r_1 = Math.imul(x_1, 1000), p_1 = (x_1 | 0) * 1000, cf_1 = p_1 !== r_1 ? 1 : 0;
          r1 = r_1;
          // 2: 0x0000100a IMUL_GvEvIb rm=ax/al reg=2 imm=0xfd o16
          const x_2 = (r0 & 0xffff);
          const p_2 = ((x_2 << 16) >> 16) * (-3), cf_2 = p_2 !== ((p_2 << 16) >> 16) ? 1 : 0, r_2 = p_2 & 0xffff;
          c.flags = (c.flags & -2066) | cf_2 | (cf_2 << 11); c.lazyOp = 8; c.lazyR = p_2; c.lazySize = 2; c.lazyMask = 0xc4;
          r2 = (r2 & -65536) | (r_2 & 0xffff);
          // 3: 0x0000100e SETO_Eb rm=ebx/bl reg=0
          const t_3 = testCondition(c, 0) ? 1 : 0;
          r3 = (r3 & -256) | (t_3 & 0xff);
          // 4: 0x00001011 G3_EbIb/0 ds:[ebx] reg=0 imm=0x80
          k = 4;
          const a_4 = rs8(c, 3, r3, 4);
          const r_4 = a_4 & 128;
          c.lazyOp = 5; c.lazyA = a_4; c.lazyB = 128; c.lazyR = r_4; c.lazySize = 1; c.lazyMask = 0x8d5;
          // 5: 0x00001014 G3_EvIz/2 ds:[edi] reg=2
          k = 5;
          c.instructions = n + 5;
          const a_5 = c.readModifyMem(4, 3, r7);
          c.writeModifiedMem(4, ~a_5);
          if (!R.valid) { x = 6; eip = 4118; break loop; }
          // 6: 0x00001016 G3_EvIz/3 rm=eax/al reg=3
          const a_6 = r0;
          const r_6 = (-a_6) | 0;
          c.lazyOp = 3; c.lazyA = 0; c.lazyB = a_6; c.lazyR = r_6; c.lazySize = 4; c.lazyMask = 0x8d5;
          r0 = r_6;
          // 7: 0x00001018 G3_EvIz/4 rm=ecx/cl reg=4
          const v_7 = r1;
          r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.instructions = n + 7;
          mul(c, v_7, 4);
          r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          // 8: 0x0000101a G3_EvIz/6 ds:[esi] reg=6
          k = 8;
          c.instructions = n + 8;
          const v_8 = rs32(c, 3, r6, 8);
          r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.instructions = n + 8;
          div(c, v_8, 4);
          r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          // 9: 0x0000101c G3_EbIb/7 rm=ebx/bl reg=7
          k = 9;
          c.instructions = n + 9;
          const v_9 = (r3 & 0xff);
          r[0] = r0; r[1] = r1; r[2] = r2; r[3] = r3; r[4] = r4; r[5] = r5; r[6] = r6; r[7] = r7; w = 0; c.instructions = n + 9;
          idiv(c, v_9, 1);
          r0 = r[0]; r1 = r[1]; r2 = r[2]; r3 = r[3]; r4 = r[4]; r5 = r[5]; r6 = r[6]; r7 = r[7]; w = 1;
          // 10: 0x0000101e RET
          k = 10;
          const pop_10 = rs32(c, 2, r4, 10);
          if ((pop_10 >>> 0) > c.segLimit[1]) throw new CpuException(13, 0);
          r4 = (r4 + 4) | 0;
          x = 11; eip = pop_10; t = ~s; break sw;
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
// limitNeeded 0x101e
