/**
 * The PS/2 link between the 8042 controller and a device on one of its
 * ports (keyboard or mouse), as the controller sees it: bytes go to the
 * device one at a time, and the device keeps a FIFO of bytes to send that
 * the controller drains whenever its output buffer is free and the port's
 * clock is not inhibited (IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard and Auxiliary Device Controller"). Serial timing (about 1 ms a
 * byte at 10-16.7 kHz) is not modelled: a byte is there as soon as it is sent.
 */

/** A device on a PS/2 port. */
export interface Ps2Device {
  /** A byte from the host (through the controller): a command or a parameter. */
  receive(byte: number): void;
  /** Whether the device has a byte to send. */
  hasData(): boolean;
  /** Removes and returns the next byte to send (call only when {@link hasData}). */
  take(): number;
  /** Called by the device when it queues bytes for the host; the controller sets it. */
  dataReady: () => void;
  /** Power-on state. */
  reset(): void;
}

/** Command and reply bytes common to PS/2 keyboards and mice. */
export const enum Ps2Reply {
  /** Acknowledge: the command or parameter was accepted. */
  Ack = 0xfa,
  /** Resend: the byte was not understood. */
  Resend = 0xfe,
  /** Error: a second bad byte in a row (mice), or a failed self-test. */
  Error = 0xfc,
  /** Basic assurance test passed (after reset). */
  SelfTestPassed = 0xaa,
}
