/**
 * The narrow interface through which every sensitive operation leaves the CPU.
 *
 * The processor model knows nothing of PCs: port I/O, interrupt acknowledge
 * and the operations a virtualization strategy may want to intercept go
 * through this object. The VMM (src/vmm) implements it by turning each call
 * into a `VmExit` handled by the machine's devices; a strategy (trap-and-
 * emulate, binary translation, VT-x) wraps it to observe or take over.
 * Calls are synchronous so the interpreter's hot path stays allocation-free;
 * `Cpu.run()` returns a {@link StopReason} when the loop itself must stop.
 */
export interface SystemInterface {
  /** IN: a read of `size` bytes from an I/O port. */
  ioRead(port: number, size: 1 | 2 | 4): number;
  /** OUT: a write of `size` bytes to an I/O port. */
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void;
  /** INTA cycle: the interrupt controller hands over the vector of the pending INTR. */
  acknowledgeInterrupt(): number;
  /**
   * A sensitive operation the CPU has already carried out on its own state
   * (CR/DR write, LGDT/LIDT/LLDT/LTR, INVLPG, CPUID, RDMSR/WRMSR, HLT). The
   * default does nothing; strategies count or intercept these.
   */
  onSensitive?(op: SensitiveOp, detail: number): void;
  /**
   * Offered every exception and interrupt before delivery, with CS:EIP at the
   * faulting instruction (or after a trap). Returning true takes it over, as a
   * VT-x exception bitmap does: nothing is delivered and run() returns
   * StopReason.Exception with the event in `cpu.interceptedEvent`.
   */
  interceptException?(vector: number, errorCode: number, software: boolean): boolean;
  /**
   * The FERR# pin (SDM Vol. 1 Appendix D, Vol. 3A §22.18.6.7): with CR0.NE = 0
   * the x87 asserts it when an instruction ends with an unmasked exception
   * pending, and deasserts it when the exception flags are cleared (FNCLEX,
   * FNINIT, FNSAVE, FLDCW/FLDENV/FRSTOR masking or clearing them). A PC
   * routes it to IRQ 13 and answers with IGNNE# (`cpu.fpu.ignne`).
   */
  fpuError?(asserted: boolean): void;
}

/** Sensitive operations reported through {@link SystemInterface.onSensitive}. */
export const enum SensitiveOp {
  CrWrite = 1, DrWrite, Lgdt, Lidt, Lldt, Ltr, Invlpg, Cpuid, Rdmsr, Wrmsr, Hlt,
}

/** Why `Cpu.run()` returned. */
export const enum StopReason {
  /** The instruction budget ran out; call run() again. */
  Budget = 0,
  /** HLT with interrupts enabled: resume when an interrupt is raised. */
  Halt = 1,
  /** HLT with IF=0 and no NMI: the CPU will never run again. */
  HaltForever = 2,
  /** Triple fault: the CPU entered shutdown (SDM Vol. 3A §6.15, "Interrupt 8"). */
  Shutdown = 3,
  /** Someone (a device through the VMM) called `Cpu.requestStop()`. */
  Requested = 4,
  /** The system interface took over an exception (see interceptException). */
  Exception = 5,
}

/** A system interface with no devices: ports read as all ones, writes vanish. */
export class NullSystem implements SystemInterface {
  ioRead(_port: number, size: 1 | 2 | 4): number { return size === 4 ? -1 : (1 << (8 * size)) - 1; }
  ioWrite(): void {}
  acknowledgeInterrupt(): number { return 0x08; }
}
