// block at cs:0x00001000 mode 0x13, 15 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [-1, 4099, -1, -1, 4110, -1, 4115, 4118, -1, -1, -1, -1, -1, -1, 4128];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 BT_EvGv rm=eax/al reg=1
    const o_0 = r[1], bit_0 = o_0 & 31;
    const v_0 = r[0];
    setSomeFlags(c, 1, (v_0 >>> bit_0) & 1);
    // 1: 0x00001003 BTS_EvGv ds:[ebx] reg=2
    k = 1;
    c.instructions = n0 + 1;
    const o_1 = r[2], bit_1 = o_1 & 31;
    const ea_1 = (r[3] + (o_1 >> 5) * 4) | 0;
    const v_1 = c.readModifyMem(4, 3, ea_1);
    c.writeModifiedMem(4, (v_1 | (1 << bit_1)));
    setSomeFlags(c, 1, (v_1 >>> bit_1) & 1);
    if (!B.valid) { c.eip = 4102; c.instructions = n0 + 2; return; }
    // 2: 0x00001006 G8_EvIb/6 rm=eax/al reg=6 imm=0x5
    const v_2 = r[0];
    r[0] = (v_2 & ~(1 << 5));
    setSomeFlags(c, 1, (v_2 >>> 5) & 1);
    // 3: 0x0000100a SHRD_EvGvIb rm=eax/al reg=2 imm=0x8
    const a_3 = r[0];
    const s_3 = r[2], n_3 = 8;
    r[0] = shiftDouble(c, a_3, s_3, n_3, 4, false);
    // 4: 0x0000100e SHLD_EvGvCL ds:[edi] reg=6
    k = 4;
    c.instructions = n0 + 4;
    const a_4 = c.readModifyMem(4, 3, r[7]);
    const s_4 = r[6], n_4 = r[1] & 0x1f;
    if (n_4 !== 0) {
    c.writeModifiedMem(4, shiftDouble(c, a_4, s_4, n_4, 4, true));
    }
    if (!B.valid) { c.eip = 4113; c.instructions = n0 + 5; return; }
    // 5: 0x00001011 BSWAP_Zd
    const v_5 = r[1];
    r[1] = (v_5 >>> 24) | ((v_5 >> 8) & 0xff00) | ((v_5 & 0xff00) << 8) | (v_5 << 24);
    // 6: 0x00001013 CMPXCHG_EvGv ds:[ebx] reg=1
    k = 6;
    c.instructions = n0 + 6;
    const a_6 = c.readModifyMem(4, 3, r[3]);
    const x_6 = r[0], g_6 = r[1];
    const r_6 = (x_6 - a_6) | 0;
    c.lazyOp = 3; c.lazyA = x_6; c.lazyB = a_6; c.lazyR = r_6; c.lazySize = 4; c.lazyMask = 0x8d5;
    c.writeModifiedMem(4, (r_6 === 0 ? g_6 : a_6));
    if (r_6 !== 0) {
    r[0] = a_6;
    }
    if (!B.valid) { c.eip = 4118; c.instructions = n0 + 7; return; }
    // 7: 0x00001016 XCHG_EvGv ds:[esi] reg=0
    k = 7;
    c.instructions = n0 + 7;
    const a_7 = c.readModifyMem(4, 3, r[6]);
    c.writeModifiedMem(4, r[0]);
    r[0] = a_7;
    if (!B.valid) { c.eip = 4120; c.instructions = n0 + 8; return; }
    // 8: 0x00001018 XADD_EvGv rm=eax/al reg=3
    const a_8 = r[0];
    const g_8 = r[3];
    const r_8 = (a_8 + g_8) | 0;
    c.lazyOp = 1; c.lazyA = a_8; c.lazyB = g_8; c.lazyR = r_8; c.lazySize = 4; c.lazyMask = 0x8d5;
    r[3] = a_8;
    r[0] = r_8;
    // 9: 0x0000101b LAHF
    r[0] = (r[0] & -65281) | (((((c.getFlags() & 0xd5) | 0x2)) & 0xff) << 8);
    // 10: 0x0000101c SAHF
    setSomeFlags(c, 0xd5, ((r[0] >> 8) & 0xff));
    // 11: 0x0000101d CMC
    setSomeFlags(c, 1, getCF(c) ^ 1);
    // 12: 0x0000101e CLC
    setSomeFlags(c, 1, 0);
    // 13: 0x0000101f STC
    setSomeFlags(c, 1, 1);
    // 14: 0x00001020 RET
    k = 14;
    c.instructions = n0 + 14;
    const sp_14 = r[4];
    const t_14 = c.pop(4);
    if ((t_14 >>> 0) > c.segLimit[1]) { r[4] = sp_14; throw new CpuException(13, 0); }
    c.eip = t_14; c.instructions = n0 + 15; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x1020
