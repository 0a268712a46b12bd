// block at cs:0x00001000 mode 0x13, 8 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [4096, 4097, 4098, 4099, 4101, -1, 4104, 4105];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 LODS_ALXb
    k = 0;
    const v_0 = rs8(c, 3, r[6], n0 + 0);
    const d_0 = (c.flags & 0x400) !== 0 ? -1 : 1;
    r[0] = (r[0] & -256) | (v_0 & 0xff);
    r[6] = (r[6] + d_0) | 0;
    // 1: 0x00001001 SCAS_ALYb
    k = 1;
    const x_1 = (r[0] & 0xff);
    const y_1 = rs8(c, 0, r[7], n0 + 1);
    const r_1 = (x_1 - y_1) & 0xff;
    c.lazyOp = 3; c.lazyA = x_1; c.lazyB = y_1; c.lazyR = r_1; c.lazySize = 1; c.lazyMask = 0x8d5;
    const d_1 = (c.flags & 0x400) !== 0 ? -1 : 1;
    r[7] = (r[7] + d_1) | 0;
    // 2: 0x00001002 STOS_YveAX
    k = 2;
    ws32(c, 0, r[7], r[0], n0 + 2);
    const d_2 = (c.flags & 0x400) !== 0 ? -4 : 4;
    r[7] = (r[7] + d_2) | 0;
    if (!B.valid) { c.eip = 4099; c.instructions = n0 + 3; return; }
    // 3: 0x00001003 MOVS_YvXv o16
    k = 3;
    const v_3 = rs16(c, 3, r[6], n0 + 3);
    ws16(c, 0, r[7], v_3, n0 + 3);
    const d_3 = (c.flags & 0x400) !== 0 ? -2 : 2;
    r[6] = (r[6] + d_3) | 0;
    r[7] = (r[7] + d_3) | 0;
    if (!B.valid) { c.eip = 4101; c.instructions = n0 + 4; return; }
    // 4: 0x00001005 CMPS_XvYv
    k = 4;
    const x_4 = rs32(c, 3, r[6], n0 + 4);
    const y_4 = rs32(c, 0, r[7], n0 + 4);
    const r_4 = (x_4 - y_4) | 0;
    c.lazyOp = 3; c.lazyA = x_4; c.lazyB = y_4; c.lazyR = r_4; c.lazySize = 4; c.lazyMask = 0x8d5;
    const d_4 = (c.flags & 0x400) !== 0 ? -4 : 4;
    r[6] = (r[6] + d_4) | 0;
    r[7] = (r[7] + d_4) | 0;
    // 5: 0x00001006 MOVS_YbXb rep (interpreter)
    k = 5; c.eip = 4102; c.instructions = n0 + 5; c.step();
    if (c.eip !== 4104 || c.stopRequested || !B.valid || c.nmiPending || (c.intrLine && (c.flags & 0x200) !== 0)) {
      c.instructions = n0 + 6; return;
    }
    // 6: 0x00001008 LEAVE
    k = 6;
    const big_6 = c.stackSize32, sp_6 = big_6 ? r[5] : (r[5] & 0xffff);
    const v_6 = rs32(c, 2, sp_6, n0 + 6);
    r[4] = (big_6 ? (sp_6 + 4) | 0 : (r[4] & -65536) | ((sp_6 + 4) & 0xffff));
    r[5] = v_6;
    // 7: 0x00001009 RET
    k = 7;
    c.instructions = n0 + 7;
    const sp_7 = r[4];
    const t_7 = c.pop(4);
    if ((t_7 >>> 0) > c.segLimit[1]) { r[4] = sp_7; throw new CpuException(13, 0); }
    c.eip = t_7; c.instructions = n0 + 8; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x1009
