// block at cs:0x00001000 mode 0x10, 7 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [4096, 4097, 4098, 4099, 4100, -1, 4104];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 LODS_eAXXv o16 a16
    k = 0;
    const v_0 = rs16(c, 3, (r[6] & 0xffff), n0 + 0);
    const d_0 = (c.flags & 0x400) !== 0 ? -2 : 2;
    r[0] = (r[0] & -65536) | (v_0 & 0xffff);
    r[6] = (r[6] & -65536) | (((r[6] + d_0)) & 0xffff);
    // 1: 0x00001001 MOVS_YbXb o16 a16
    k = 1;
    const v_1 = rs8(c, 3, (r[6] & 0xffff), n0 + 1);
    ws8(c, 0, (r[7] & 0xffff), v_1, n0 + 1);
    const d_1 = (c.flags & 0x400) !== 0 ? -1 : 1;
    r[6] = (r[6] & -65536) | (((r[6] + d_1)) & 0xffff);
    r[7] = (r[7] & -65536) | (((r[7] + d_1)) & 0xffff);
    if (!B.valid) { c.eip = 4098; c.instructions = n0 + 2; return; }
    // 2: 0x00001002 CMPS_XbYb o16 a16
    k = 2;
    const x_2 = rs8(c, 3, (r[6] & 0xffff), n0 + 2);
    const y_2 = rs8(c, 0, (r[7] & 0xffff), n0 + 2);
    const r_2 = (x_2 - y_2) & 0xff;
    c.lazyOp = 3; c.lazyA = x_2; c.lazyB = y_2; c.lazyR = r_2; c.lazySize = 1; c.lazyMask = 0x8d5;
    const d_2 = (c.flags & 0x400) !== 0 ? -1 : 1;
    r[6] = (r[6] & -65536) | (((r[6] + d_2)) & 0xffff);
    r[7] = (r[7] & -65536) | (((r[7] + d_2)) & 0xffff);
    // 3: 0x00001003 LEAVE o16 a16
    k = 3;
    const big_3 = c.stackSize32, sp_3 = big_3 ? r[5] : (r[5] & 0xffff);
    const v_3 = rs16(c, 2, sp_3, n0 + 3);
    r[4] = (big_3 ? (sp_3 + 2) | 0 : (r[4] & -65536) | ((sp_3 + 2) & 0xffff));
    r[5] = (r[5] & -65536) | (v_3 & 0xffff);
    // 4: 0x00001004 G1A_Ev/0 rm=cx/cl reg=0 o16 a16
    k = 4;
    c.instructions = n0 + 4;
    const v_4 = c.pop(2);
    r[1] = (r[1] & -65536) | (v_4 & 0xffff);
    // 5: 0x00001006 G1A_Ev/0 ds:[bx] reg=0 o16 a16 (interpreter)
    k = 5; c.eip = 4102; c.instructions = n0 + 5; c.step();
    if (c.eip !== 4104 || c.stopRequested || !B.valid || c.nmiPending || (c.intrLine && (c.flags & 0x200) !== 0)) {
      c.instructions = n0 + 6; return;
    }
    // 6: 0x00001008 RET o16 a16
    k = 6;
    c.instructions = n0 + 6;
    const sp_6 = r[4];
    const t_6 = c.pop(2);
    if ((t_6 >>> 0) > c.segLimit[1]) { r[4] = sp_6; throw new CpuException(13, 0); }
    c.eip = t_6; c.instructions = n0 + 7; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x1008
