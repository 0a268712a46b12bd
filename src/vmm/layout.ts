/** The board's I/O ports and physical addresses, one line each. */
export const PORTS = {
  /** Bochs/QEMU debug console (port E9 hack). */
  debugConsole: 0x00e9,
  /** QEMU isa-debug-exit (iobase 0xf4, iosize 4). */
  debugExit: 0x00f4,
  /** First serial port, 16550A. */
  com1: 0x03f8,
} as const;
