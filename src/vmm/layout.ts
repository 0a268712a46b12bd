/** The board's I/O ports, IRQ numbers and physical addresses, one line each. */
export const PORTS = {
  /** Master 8259A PIC (command, data). */
  picMaster: 0x0020,
  /** 8254 PIT: counters 0-2 and the control word. */
  pit: 0x0040,
  /** System control port B: PIT counter 2 gate/OUT, refresh toggle. */
  systemControlB: 0x0061,
  /** MC146818 RTC/CMOS: index (bit 7 = NMI off), data. */
  cmos: 0x0070,
  /** POST checkpoint codes (also Linux's I/O delay port). */
  postCode: 0x0080,
  /** System control port A: fast A20 (bit 1), fast reset (bit 0). */
  systemControlA: 0x0092,
  /** Slave 8259A PIC (command, data). */
  picSlave: 0x00a0,
  /** Bochs/QEMU debug console (port E9 hack). */
  debugConsole: 0x00e9,
  /** QEMU isa-debug-exit (iobase 0xf4, iosize 4). */
  debugExit: 0x00f4,
  /** Fourth serial port, 16550A. */
  com4: 0x02e8,
  /** Second serial port, 16550A. */
  com2: 0x02f8,
  /** Third serial port, 16550A. */
  com3: 0x03e8,
  /** First serial port, 16550A. */
  com1: 0x03f8,
  /** PIIX edge/level control registers for IRQ 0-7 and 8-15. */
  elcr: 0x04d0,
} as const;

/** ISA IRQ numbers (inputs of the 8259A pair). */
export const IRQS = {
  /** PIT counter 0 OUT. */
  pit: 0,
  /** Master input 2: the slave 8259A's INT (no device). */
  cascade: 2,
  /** COM2 and COM4 (shared). */
  com2: 3,
  /** COM1 and COM3 (shared). */
  com1: 4,
  /** RTC periodic, alarm and update-ended interrupts. */
  rtc: 8,
} as const;
