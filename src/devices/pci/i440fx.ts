/**
 * Intel 82441FX PCI and Memory Controller (PMC), the host bridge of the
 * 440FX PCIset (Intel 440FX PCIset 82441FX PMC and 82442FX DBX datasheet,
 * order no. 290549), at PCI device 0 function 0: vendor 0x8086, device
 * 0x1237. Firmware finds the board by it, and uses its Programmable
 * Attribute Map to copy itself from ROM into RAM ("shadowing").
 *
 * | off       | register | modelled                                              |
 * |-----------|----------|-------------------------------------------------------|
 * | 0x00-0x3F | header   | class 06 00 00 (host bridge), revision 02             |
 * | 0x50      | PMCCFG   | stored                                                |
 * | 0x51      | DETURBO  | stored                                                |
 * | 0x52-0x58 | DBC, DRT, DRAMC, DRAMT | stored                                  |
 * | 0x59-0x5F | PAM0-6   | read/write enables of 13 regions, 0xC0000-0xFFFFF      |
 * | 0x60-0x67 | DRB0-7   | stored                                                |
 * | 0x68-0x71 | FDHC, MTT, CLT | stored                                          |
 * | 0x72      | SMRAM    | stored; setting D_LCK clears D_OPEN, then all read-only |
 * | 0x90-0x93 | ERRCMD, ERRSTS, TRC | stored                                     |
 *
 * PAM (datasheet §3.2 "PAM—Programmable Attribute Map Registers"): each
 * register holds two 4-bit fields, bit 0 RE (reads go to DRAM) and bit 1
 * WE (writes go to DRAM) of each; otherwise the access goes to PCI, where
 * the BIOS ROM (or an option ROM, or nothing) answers. PAM0's high field
 * covers the 64 KiB BIOS area F0000-FFFFF (its low field is reserved);
 * PAM1-PAM6 cover C0000-EFFFF in 16 KiB regions, low field first.
 *
 * Deviations from hardware:
 * - SMRAM (0x72) is a stub: the register works, but A0000-BFFFF always
 *   routes as the rest of the board has it (no SMM).
 * - DRAM configuration registers (DRB, DRAMC, timings) are stored only;
 *   RAM size comes from the machine, not from DRB.
 * - The cache-enable bits of PAM (reserved on the 82441FX) read 0.
 */
import { PciFunction } from './pci-function.js';

/** PAM0: the BIOS area (high field). */
const PAM0 = 0x59;
/** SMRAM control. */
const SMRAM = 0x72;
/** SMRAM: D_OPEN, D_CLS, D_LCK, G_SMRAME are writable; C_BASE_SEG (2:0) reads 010 (A0000). */
const SMRAM_WRITABLE = 0x78;
const SMRAM_D_OPEN = 0x40;
const SMRAM_D_LCK = 0x10;
/** PAM field: reads go to DRAM. */
const PAM_READ = 0x1;
/** PAM field: writes go to DRAM. */
const PAM_WRITE = 0x2;

/** The memory side the PAM steers (PhysicalMemory implements it). */
export interface ShadowableMemory {
  setShadowRouting(gpa: number, sizeBytes: number, routing: { readRam: boolean; writeRam: boolean }): void;
}

/** One PAM region: config byte, field shift, guest-physical range. */
interface PamRegion { register: number; shift: number; gpa: number; sizeBytes: number }

/** The 13 regions, from the datasheet's table. */
export const PAM_REGIONS: readonly PamRegion[] = [
  { register: PAM0, shift: 4, gpa: 0xf_0000, sizeBytes: 0x1_0000 },
  ...Array.from({ length: 12 }, (_, i) => ({
    register: PAM0 + 1 + (i >> 1), shift: (i & 1) * 4, gpa: 0xc_0000 + i * 0x4000, sizeBytes: 0x4000,
  })),
];

/** The 440FX host bridge (device 0, function 0). */
export class I440fx extends PciFunction {
  /** The PAM field last applied per region, so unchanged regions are not rerouted. */
  private applied: number[] = [];

  constructor(private readonly memory: ShadowableMemory) {
    super('i440FX host bridge', {
      vendorId: 0x8086, deviceId: 0x1237, revision: 0x02, classCode: 0x06_0000,
      // PCICMD power-on: memory space and bus master enabled, only those writable (§3.2 "PCICMD").
      command: 0x0006, commandWritable: 0x0006, status: 0x0280,
    });
    for (let r = 0x50; r <= 0x58; r++) this.define(r, 1, 0, 0xff);
    this.define(PAM0, 1, 0x00, 0x30);
    for (let r = PAM0 + 1; r <= PAM0 + 6; r++) this.define(r, 1, 0x00, 0x33);
    for (let r = 0x60; r <= 0x67; r++) this.define(r, 1, 0x01, 0xff);
    for (let r = 0x68; r <= 0x71; r++) this.define(r, 1, 0, 0xff);
    this.define(SMRAM, 1, 0x02, SMRAM_WRITABLE);
    for (let r = 0x90; r <= 0x93; r++) this.define(r, 1, 0, 0xff);
    this.applyPam();
  }

  /** The PAM attribute field (RE | WE << 1) of a region. */
  pamField(region: PamRegion): number {
    return (this.state.config[region.register] >> region.shift) & (PAM_READ | PAM_WRITE);
  }

  protected override configWritten(offset: number, size: number): void {
    if (offset <= SMRAM && offset + size > SMRAM) this.lockSmram();
    if (offset <= PAM0 + 6 && offset + size > PAM0) this.applyPam();
  }

  protected override resetDevice(): void {
    this.smramLocked = false;
    this.smramBeforeLock = 0x02;
    this.applied = [];
    this.applyPam();
  }

  private smramLocked = false;
  private smramBeforeLock = 0x02;

  /** SMRAM D_LCK: setting it closes SMRAM (D_OPEN = 0) and freezes the register until reset. */
  private lockSmram(): void {
    const c = this.state.config;
    if (this.smramLocked) c[SMRAM] = this.smramBeforeLock;
    else if ((c[SMRAM] & SMRAM_D_LCK) !== 0) { this.smramLocked = true; c[SMRAM] &= ~SMRAM_D_OPEN; }
    this.smramBeforeLock = c[SMRAM];
  }

  /** Routes every region whose PAM field changed. */
  private applyPam(): void {
    PAM_REGIONS.forEach((region, i) => {
      const field = this.pamField(region);
      if (this.applied[i] === field) return;
      this.applied[i] = field;
      this.memory.setShadowRouting(region.gpa, region.sizeBytes, {
        readRam: (field & PAM_READ) !== 0, writeRam: (field & PAM_WRITE) !== 0,
      });
    });
  }
}
