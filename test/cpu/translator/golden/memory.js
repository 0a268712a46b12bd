// region at cs:0x00001000 mode 0x13, 1 blocks, 5 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [4096, 4099, 4103, 4106, 4109];
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
          // 0: 0x00001000 MOV_GvEv ds:[esi+0x8] reg=0
          k = 0;
          const v_0 = rs32(c, 3, ((r6 + 8) | 0), 0);
          r0 = v_0;
          // 1: 0x00001003 ADD_EvGv ds:[edi+ecx*4+0xfffffffc] reg=0
          k = 1;
          c.instructions = n + 1;
          const b_1 = r0;
          const a_1 = c.readModifyMem(4, 3, ((r7 + (r1 << 2) + -4) | 0));
          const r_1 = (a_1 + b_1) | 0;
          c.lazyOp = 1; c.lazyA = a_1; c.lazyB = b_1; c.lazyR = r_1; c.lazySize = 4; c.lazyMask = 0x8d5;
          c.writeModifiedMem(4, r_1);
          if (!R.valid) { x = 2; eip = 4103; break loop; }
          // 2: 0x00001007 G11_EbIb/0 ds:[ebx] reg=0 imm=0x7f
          k = 2;
          ws8(c, 3, r3, 127, 2);
          if (!R.valid) { x = 3; eip = 4106; break loop; }
          // 3: 0x0000100a MOVZX_GvEw ds:[esi] reg=2
          k = 3;
          const v_3 = rs16(c, 3, r6, 3);
          r2 = v_3;
          // 4: 0x0000100d RET
          k = 4;
          const pop_4 = rs32(c, 2, r4, 4);
          if ((pop_4 >>> 0) > c.segLimit[1]) throw new CpuException(13, 0);
          r4 = (r4 + 4) | 0;
          x = 5; eip = pop_4; t = ~s; break sw;
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
// limitNeeded 0x100d
