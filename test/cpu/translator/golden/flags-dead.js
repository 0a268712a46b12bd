// region at cs:0x00001000 mode 0x53, 1 blocks, 13 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32, TLB, MEM8, MEM16, MEM32 } = H;
const EIPS = [-1, -1, -1, -1, 4104, -1, -1, -1, -1, 4120, -1, -1, -1];
const KOFF = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
return function region(c, s, end) {
  const r = c.regs;
  let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6], r7 = r[7];
  let n = c.instructions, x = 0, t = 0, k = 0, w = 1, eip = 0, fb = 0, ea = 0, te = 0;
  try {
    loop: for (;;) {
      sw: switch (s) {
        case 0: { // block at cs:0x00001000, 13 instructions
          if (n + 13 > end) { eip = 4096; break loop; }
          c.blockStart = n;
          // 0: 0x00001000 MOV_EvGv rm=esi/dh reg=2
          r6 = r2;
          // 1: 0x00001002 XOR_EvGv rm=esi/dh reg=0
          const b_1 = r0;
          const a_1 = r6;
          const r_1 = (a_1 ^ b_1) | 0;
          r6 = r_1;
          // 2: 0x00001004 AND_EvGv rm=esi/dh reg=1
          const b_2 = r1;
          const a_2 = r6;
          const r_2 = a_2 & b_2;
          r6 = r_2;
          // 3: 0x00001006 XOR_EvGv rm=esi/dh reg=0
          const b_3 = r0;
          const a_3 = r6;
          const r_3 = (a_3 ^ b_3) | 0;
          c.lazyOp = 5; c.lazyA = a_3; c.lazyB = b_3; c.lazyR = r_3; c.lazySize = 4; c.lazyMask = 0x8d5;
          r6 = r_3;
          // 4: 0x00001008 ADD_GvEv ds:[ebx+0x4] reg=0
          k = 4;
          const a_4 = r0;
          const b_4 = (((te = TLB[(ea = ((r3 + 4) | 0)) >>> 12]) & c.tlbReadMask) === 1 && (ea & 3) === 0 ? MEM32[((te & -4096) | (ea & 0xfff)) >> 2] : rf32(c, 3, ea, 4));
          const r_4 = (a_4 + b_4) | 0;
          r0 = r_4;
          // 5: 0x0000100b ADD_EvGv rm=eax/al reg=6
          const b_5 = r6;
          const a_5 = r0;
          const r_5 = (a_5 + b_5) | 0;
          r0 = r_5;
          // 6: 0x0000100d LEA_GvM ds:[eax+0x12345] reg=0
          r0 = ((r0 + 74565) | 0);
          // 7: 0x00001013 G2_EvIb/0 rm=eax/al reg=0 imm=0x7
          const u_7 = r0;
          const r_7 = ((u_7 << 7) | (u_7 >>> 25)) | 0, cf_7 = r_7 & 1;
          const of_7 = ((r_7 >>> 31) & 1) ^ cf_7;
          r0 = r_7;
          // 8: 0x00001016 ADD_EvGv rm=eax/al reg=2
          const b_8 = r2;
          const a_8 = r0;
          const r_8 = (a_8 + b_8) | 0;
          c.lazyOp = 1; c.lazyA = a_8; c.lazyB = b_8; c.lazyR = r_8; c.lazySize = 4; c.lazyMask = 0x8d5;
          r0 = r_8;
          // 9: 0x00001018 ADD_EvGv ds:[edi] reg=0
          k = 9;
          c.instructions = n + 9;
          const b_9 = r0;
          const h_9 = ((te = TLB[(ea = r7) >>> 12]) & c.tlbWriteMask) === 1 && (ea & 3) === 0 ? ((te & -4096) | (ea & 0xfff)) >> 2 : -1;
          const a_9 = h_9 >= 0 ? MEM32[h_9] : c.readModifyMem(4, 3, ea);
          const r_9 = (a_9 + b_9) | 0;
          c.lazyOp = 1; c.lazyA = a_9; c.lazyB = b_9; c.lazyR = r_9; c.lazySize = 4; c.lazyMask = 0x8d5;
          { const wv0_9 = r_9; if (h_9 >= 0) MEM32[h_9] = wv0_9; else c.writeModifiedMem(4, wv0_9); }
          if (!R.valid) { x = 10; eip = 4122; break loop; }
          // 10: 0x0000101a G1_EvIb/0 rm=ecx/cl reg=0 imm=0x1
          const a_10 = r1;
          const r_10 = (a_10 + 1) | 0;
          c.lazyOp = 1; c.lazyA = a_10; c.lazyB = 1; c.lazyR = r_10; c.lazySize = 4; c.lazyMask = 0x8d5;
          r1 = r_10;
          // 11: 0x0000101d G2_EvIb/1 rm=ecx/cl reg=1 imm=0x3
          const u_11 = r1;
          const r_11 = ((u_11 >>> 3) | (u_11 << 29)) | 0, cf_11 = (r_11 >>> 31) & 1;
          const of_11 = cf_11 ^ ((r_11 >>> 30) & 1);
          setSomeFlags(c, 0x801, cf_11 | (of_11 << 11));
          r1 = r_11;
          // 12: 0x00001020 JE_Jb imm=0x1
          if (testCondition(c, 4)) { x = 13; eip = 4131; break loop; }
          x = 13; eip = 4130; break loop;
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
// limitNeeded 0x1023
