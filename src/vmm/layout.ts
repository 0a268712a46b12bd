/** The board's I/O ports, IRQ numbers and physical addresses, one line each. */
export const PORTS = {
  /** Master 8259A PIC (command, data). */
  picMaster: 0x0020,
  /** 8254 PIT: counters 0-2 and the control word. */
  pit: 0x0040,
  /** 8042 keyboard controller data port (output buffer; data to the keyboard or a command). */
  i8042Data: 0x0060,
  /** System control port B: PIT counter 2 gate/OUT, refresh toggle. */
  systemControlB: 0x0061,
  /** 8042 keyboard controller status (read) and command (write) port. */
  i8042Command: 0x0064,
  /** MC146818 RTC/CMOS: index (bit 7 = NMI off), data. */
  cmos: 0x0070,
  /** POST checkpoint codes (also Linux's I/O delay port). */
  postCode: 0x0080,
  /** System control port A: fast A20 (bit 1), fast reset (bit 0). */
  systemControlA: 0x0092,
  /** Slave 8259A PIC (command, data). */
  picSlave: 0x00a0,
  /** Math coprocessor error: a write clears IRQ 13 and asserts IGNNE#. */
  coprocessorError: 0x00f0,
  /** Bochs/QEMU debug console (port E9 hack). */
  debugConsole: 0x00e9,
  /** QEMU isa-debug-exit (iobase 0xf4, iosize 4). */
  debugExit: 0x00f4,
  /** Firmware log: QEMU's debugcon at 0x402, where SeaBIOS's QEMU build prints its log. */
  firmwareLog: 0x0402,
  /** QEMU fw_cfg: selector 0x510, data 0x511, DMA address 0x514-0x51B (big endian). */
  fwCfg: 0x0510,
  /** Secondary IDE channel command block (0x170-0x177), PIIX3 legacy mode. */
  ideSecondary: 0x0170,
  /** Bochs VBE (dispi) index at 0x1CE, data at 0x1CF and its alias 0x1D0. */
  bochsDispi: 0x01ce,
  /** Primary IDE channel command block (0x1F0-0x1F7), PIIX3 legacy mode. */
  idePrimary: 0x01f0,
  /** Fourth serial port, 16550A. */
  com4: 0x02e8,
  /** Second serial port, 16550A. */
  com2: 0x02f8,
  /** Secondary IDE channel control block: alternate status / device control. */
  ideSecondaryControl: 0x0376,
  /** VGA register block 0x3B0-0x3DF (the decoded ranges are in devices/vga VGA_PORT_RANGES). */
  vga: 0x03b0,
  /** Third serial port, 16550A. */
  com3: 0x03e8,
  /** Primary IDE channel control block: alternate status / device control (0x3F7 is the floppy's). */
  idePrimaryControl: 0x03f6,
  /** First serial port, 16550A. */
  com1: 0x03f8,
  /** PIIX edge/level control registers for IRQ 0-7 and 8-15. */
  elcr: 0x04d0,
  /** PCI configuration mechanism #1: CONFIG_ADDRESS (0xCF8, with the PIIX3 reset control at 0xCF9), CONFIG_DATA (0xCFC). */
  pciConfig: 0x0cf8,
  /**
   * PIIX4 PM I/O space (PMBA) as firmware places it: PM1a event/control, PM timer, GPE0. SeaBIOS
   * uses 0x600 whenever fw_cfg has etc/table-loader (QEMU's tables say 0x600), 0xB000 otherwise.
   */
  acpiPm: 0x0600,
} as const;

/** ISA IRQ numbers (inputs of the 8259A pair). */
export const IRQS = {
  /** PIT counter 0 OUT. */
  pit: 0,
  /** 8042: keyboard data in the output buffer. */
  keyboard: 1,
  /** Master input 2: the slave 8259A's INT (no device). */
  cascade: 2,
  /** COM2 and COM4 (shared). */
  com2: 3,
  /** COM1 and COM3 (shared). */
  com1: 4,
  /** RTC periodic, alarm and update-ended interrupts. */
  rtc: 8,
  /** ACPI SCI (PIIX4 power management), level-triggered, active high. */
  sci: 9,
  /** 8042: mouse (auxiliary port) data in the output buffer. */
  mouse: 12,
  /** The CPU's FERR# (x87 error, CR0.NE = 0), through the coprocessor error latch. */
  coprocessorError: 13,
  /** Primary IDE channel (PIIX3 legacy mode). */
  idePrimary: 14,
  /** Secondary IDE channel (PIIX3 legacy mode). */
  ideSecondary: 15,
} as const;

/** PCI bus 0 device numbers (the i440FX/PIIX3 board firmware expects). */
export const PCI_DEVICES = {
  /** i440FX host bridge (function 0). */
  hostBridge: 0,
  /** PIIX3: function 0 PCI-to-ISA bridge, function 1 IDE; function 3 the PIIX4 power management (as QEMU's i440FX board). */
  piix3: 1,
} as const;

/** PCI function numbers within the PIIX3 device. */
export const PIIX_FUNCTIONS = {
  isa: 0,
  ide: 1,
  pm: 3,
} as const;

/** Where firmware tables go when anillo itself plays the firmware (direct kernel boot). */
export const FIRMWARE_TABLES = {
  /** ACPI RSDP: in the BIOS area Linux scans (E0000-FFFFF), 16-byte aligned. */
  rsdp: 0x000f_0000,
  /** The ACPI tables (FACS first, 64-byte aligned), after the RSDP in the same reserved area. */
  acpiTables: 0x000f_0040,
} as const;

/** Physical addresses of memory-mapped devices. */
export const MMIO = {
  /** I/O APIC register window (IOREGSEL at +0x00, IOWIN at +0x10), one 4 KiB page. */
  ioApic: 0xfec0_0000,
  /** Local APIC register page after reset; IA32_APIC_BASE can move it. */
  localApic: 0xfee0_0000,
  /** VGA legacy memory window A0000-BFFFF (128 KiB). */
  vgaWindow: 0x000a_0000,
  /** VGA BIOS option ROM: SeaBIOS copies the VGA BIOS it gets through fw_cfg (vgaroms/vgabios-isavga.bin) here. */
  vgaBios: 0x000c_0000,
  /**
   * VGA linear framebuffer (all of video memory): Bochs's VBE_DISPI_LFB_PHYSICAL_ADDRESS,
   * where SeaBIOS's VGA BIOS puts it when the VGA is not a PCI device. A PCI VGA
   * (1234:1111) presents it as BAR0 (prefetchable memory, size = video memory).
   */
  vgaLfb: 0xe000_0000,
} as const;

/**
 * I/O APIC inputs: ISA IRQ n drives pin n, except as listed (the MP
 * specification's default configuration, §5.3 "Default Configurations";
 * ACPI describes IRQ 0 with an interrupt source override).
 */
export const IO_APIC_PINS = {
  /** The master 8259A's INT output, for ExtINT delivery. */
  pic: 0,
  /** ISA IRQ 0 (the PIT), which pin 0's 8259A displaces. */
  irq0: 2,
} as const;
