/**
 * Why a virtual CPU stopped running guest code, in one type for every engine
 * and strategy (KVM's `kvm_run.exit_reason`, VT-x's basic exit reasons).
 * I/O exits are counted as they are handled inline; the others end a run
 * slice and reach the VMM's loop.
 */

/** Every exit reason the monitor counts. */
export type ExitReason =
  | 'io-in' | 'io-out' | 'hlt' | 'shutdown' | 'debug-exit' | 'halt-forever' | 'exception' | 'reset' | 'poweroff' | 'budget';

/** An exit that ends a run slice. */
export type VmExit =
  /** HLT with interrupts enabled: the vCPU sleeps until an interrupt. */
  | { reason: 'hlt'; cs: number; eip: number }
  /** HLT with IF=0: nothing can wake the vCPU; the VM is over. */
  | { reason: 'halt-forever'; cs: number; eip: number }
  /** Triple fault: the CPU entered shutdown. `history` holds the last exceptions. */
  | { reason: 'shutdown'; cs: number; eip: number; history: string[] }
  /** The guest wrote to the isa-debug-exit port. */
  | { reason: 'debug-exit'; status: number }
  /** An exception taken over by the strategy (trap-and-emulate, VT-x exception bitmap). */
  | { reason: 'exception'; vector: number; errorCode: number; cs: number; eip: number }
  /** The guest asked for a machine reset (port 0x92 fast reset, 8042, 0xCF9). */
  | { reason: 'reset' }
  /** The guest powered the machine off (ACPI S5: SLP_EN with the soft-off SLP_TYP). */
  | { reason: 'poweroff' }
  /** The slice's instruction budget ran out (or a timer was reprogrammed). */
  | { reason: 'budget' };
