// block at cs:0x00001000 mode 0x13, 5 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [-1, -1, -1, -1, -1];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 MOV_ZvIv imm=0x3f8
    r[2] = 1016;
    // 1: 0x00001005 IN_ALDX (interpreter)
    k = 1; c.eip = 4101; c.instructions = n0 + 1; c.step();
    if (c.eip !== 4102 || c.stopRequested || !B.valid || c.nmiPending || (c.intrLine && (c.flags & 0x200) !== 0)) {
      c.instructions = n0 + 2; return;
    }
    // 2: 0x00001006 INC_Zv
    const a_2 = r[0];
    const cf_2 = getCF(c);
    const r_2 = (a_2 + 1) | 0;
    c.flags = (c.flags & -2) | cf_2; c.lazyOp = 6; c.lazyA = a_2; c.lazyB = 1; c.lazyR = r_2; c.lazySize = 4; c.lazyMask = 0x8d4;
    r[0] = r_2;
    // 3: 0x00001007 OUT_DXAL (interpreter)
    k = 3; c.eip = 4103; c.instructions = n0 + 3; c.step();
    if (c.eip !== 4104 || c.stopRequested || !B.valid || c.nmiPending || (c.intrLine && (c.flags & 0x200) !== 0)) {
      c.instructions = n0 + 4; return;
    }
    // 4: 0x00001008 JMP_Jz imm=0xfffffff3
    c.eip = 4096; c.instructions = n0 + 5; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x100c
