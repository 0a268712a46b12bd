/**
 * The device-side interfaces: a device sees offsets within its own range,
 * never absolute ports, and signals interrupts through an IrqLine.
 */

/** A device on the I/O port bus (offsets relative to its base port). */
export interface IoDevice {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** An interrupt request line from a device to an interrupt controller. */
export interface IrqLine {
  raise(): void;
  lower(): void;
}

/** An IRQ line connected to nothing (for boards without an interrupt controller yet). */
export const NO_IRQ: IrqLine = { raise() {}, lower() {} };
