// block at cs:0x00001000 mode 0x10, 4 instructions
const { CpuException, alu, inc, dec, mul, imulAcc, div, idiv, shift, shiftDouble, testCondition, getCF, setSomeFlags } = H;
const { rf8, rf16, rf32, rs8, rs16, rs32, wf8, wf16, wf32, ws8, ws16, ws32 } = H;
const EIPS = [4096, 4097, 4100, 4101];
return function block(c) {
  const r = c.regs, n0 = c.instructions; let k = 0;
  try {
    // 0: 0x00001000 PUSH_Zv o16 a16
    k = 0;
    c.instructions = n0 + 0;
    c.push(2, (r[3] & 0xffff));
    if (!B.valid) { c.eip = 4097; c.instructions = n0 + 1; return; }
    // 1: 0x00001001 MOV_GvEv ss:[bp+si+0x2] reg=0 o16 a16
    k = 1;
    const v_1 = rs16(c, 2, ((r[5] + r[6] + 2) & 0xffff), n0 + 1);
    r[0] = (r[0] & -65536) | (v_1 & 0xffff);
    // 2: 0x00001004 POP_Zv o16 a16
    k = 2;
    c.instructions = n0 + 2;
    const v_2 = c.pop(2);
    r[1] = (r[1] & -65536) | (v_2 & 0xffff);
    // 3: 0x00001005 CALL_Jz imm=0x22c o16 a16
    k = 3;
    c.instructions = n0 + 3;
    c.push(2, 4104);
    c.eip = 4660; c.instructions = n0 + 4; return;
  } catch (e) {
    c.instructions = n0 + k;
    const p = EIPS[k];
    if (p !== -1) { c.prevEip = p; c.prevEsp = r[4]; }
    throw e;
  }
};
// limitNeeded 0x1234
