/**
 * MMX/SSE/SSE2 state and arithmetic: the XMM registers and MXCSR
 * (sse-state.ts), bit-exact single/double arithmetic on the x87's software
 * core (sse-float.ts) and the packed-integer operations (packed-int.ts).
 * The instructions are in src/cpu/instructions/simd-*.ts.
 */
export { SseState, Lanes, Mxcsr, MXCSR_RESET, MXCSR_MASK } from './sse-state.js';
export { SseFloat, FOp, Rel } from './sse-float.js';
export { PACKED_OPS, type PackedOp } from './packed-int.js';
