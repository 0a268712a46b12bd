/**
 * The x87 floating-point unit: 80-bit software arithmetic (float80.ts,
 * arith.ts, convert.ts, misc.ts, transcendental.ts) and the register state
 * (x87.ts). The instruction family lives in src/cpu/instructions/x87.ts.
 */
export { X87, Sw, Cw, FCW_INIT, FCW_RESET } from './x87.js';
export { Float80, FpCore, Ex, Cls, Rc, classify } from './float80.js';
