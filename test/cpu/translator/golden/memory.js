// block at cs:0x00001000 mode 0x13, 5 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [4096, 4099, 4103, 4106, 4109];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 MOV_GvEv ds:[esi+0x8] reg=0
    k = 0;
    const v_0 = rs32(c, 3, ((r[6] + 8) | 0), n0 + 0);
    r[0] = v_0;
    // 1: 0x00001003 ADD_EvGv ds:[edi+ecx*4+0xfffffffc] reg=0
    k = 1;
    c.instructions = n0 + 1;
    const b_1 = r[0];
    const a_1 = c.readModifyMem(4, 3, ((r[7] + (r[1] << 2) + -4) | 0));
    const r_1 = (a_1 + b_1) | 0;
    c.lazyOp = 1; c.lazyA = a_1; c.lazyB = b_1; c.lazyR = r_1; c.lazySize = 4; c.lazyMask = 0x8d5;
    c.writeModifiedMem(4, r_1);
    if (!B.valid) { c.eip = 4103; c.instructions = n0 + 2; return; }
    // 2: 0x00001007 G11_EbIb/0 ds:[ebx] reg=0 imm=0x7f
    k = 2;
    ws8(c, 3, r[3], 127, n0 + 2);
    if (!B.valid) { c.eip = 4106; c.instructions = n0 + 3; return; }
    // 3: 0x0000100a MOVZX_GvEw ds:[esi] reg=2
    k = 3;
    const v_3 = rs16(c, 3, r[6], n0 + 3);
    r[2] = v_3;
    // 4: 0x0000100d RET
    k = 4;
    c.instructions = n0 + 4;
    const sp_4 = r[4];
    const t_4 = c.pop(4);
    if ((t_4 >>> 0) > c.segLimit[1]) { r[4] = sp_4; throw new CpuException(13, 0); }
    c.eip = t_4; c.instructions = n0 + 5; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x100d
