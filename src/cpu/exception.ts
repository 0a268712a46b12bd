/**
 * Guest exceptions as values. Slow paths (segment and page checks, decode of
 * an undefined opcode) throw a CpuException; Cpu.run() catches it once at the
 * instruction boundary, rewinds EIP/ESP to the faulting instruction and
 * delivers the exception (SDM Vol. 3A §6.5 "Exception Classifications": all
 * thrown exceptions are faults). It deliberately does not extend Error: no
 * stack trace is captured, and host bugs (plain Errors) are never mistaken
 * for guest faults.
 */
export class CpuException {
  /**
   * @param vector exception vector (SDM Vol. 3A Table 6-1)
   * @param errorCode error code pushed by the handler entry, or -1 for none
   */
  constructor(readonly vector: number, readonly errorCode: number = -1) {}
}

/** Vectors that push an error code (SDM Vol. 3A §6.13). */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}
