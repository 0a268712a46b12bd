// block at cs:0x00001000 mode 0x13, 4 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [-1, -1, -1, -1];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 ADD_EvGv rm=eax/al reg=3
    const b_0 = r[3];
    const a_0 = r[0];
    const r_0 = (a_0 + b_0) | 0;
    c.lazyOp = 1; c.lazyA = a_0; c.lazyB = b_0; c.lazyR = r_0; c.lazySize = 4; c.lazyMask = 0x8d5;
    r[0] = r_0;
    // 1: 0x00001002 G1_EvIb/5 rm=ecx/cl reg=5 imm=0x1
    const a_1 = r[1];
    const r_1 = (a_1 - 1) | 0;
    c.lazyOp = 3; c.lazyA = a_1; c.lazyB = 1; c.lazyR = r_1; c.lazySize = 4; c.lazyMask = 0x8d5;
    r[1] = r_1;
    // 2: 0x00001005 CMP_EvGv rm=ecx/cl reg=2
    const b_2 = r[2];
    const a_2 = r[1];
    const r_2 = (a_2 - b_2) | 0;
    c.lazyOp = 3; c.lazyA = a_2; c.lazyB = b_2; c.lazyR = r_2; c.lazySize = 4; c.lazyMask = 0x8d5;
    // 3: 0x00001007 JB_Jb imm=0xf7
    if (((a_2 >>> 0) < (b_2 >>> 0))) { c.eip = 4096; } else { c.eip = 4105; }
    c.instructions = n0 + 4; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x1008
