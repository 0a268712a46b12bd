/**
 * Intel 82371SB PIIX3 IDE controller, PCI function 1 of the PIIX3 (82371FB/
 * 82371SB datasheet, order no. 290550, §2.4 "IDE Configuration Registers"
 * and §2.7 "Bus Master IDE I/O Registers"): vendor 0x8086, device 0x7010.
 * Two ATA channels at the legacy ports, and a bus master DMA engine per
 * channel in a 16-byte I/O BAR.
 *
 * | off       | register | modelled                                               |
 * |-----------|----------|--------------------------------------------------------|
 * | 0x04      | PCICMD   | bit 0 I/O space (bus master registers), bit 2 bus master |
 * | 0x09-0x0B | class    | 01 01 80: IDE, legacy mode only, bus master capable    |
 * | 0x0D      | MLT      | bits 7:4                                               |
 * | 0x20      | BMIBA    | BAR4: 16 bytes of I/O, bits 31:4 (see deviations)        |
 * | 0x40-0x41 | IDETIM primary   | bit 15 decode enable; timings stored            |
 * | 0x42-0x43 | IDETIM secondary | bit 15 decode enable; timings stored            |
 * | 0x44      | SIDETIM  | stored                                                 |
 *
 * | port              | what                                   | IRQ |
 * |-------------------|----------------------------------------|-----|
 * | 0x1F0-0x1F7, 0x3F6 | primary channel command/control blocks | 14  |
 * | 0x170-0x177, 0x376 | secondary channel                      | 15  |
 * | BMIBA + 0-7       | primary bus master (bus-master-ide.ts) |     |
 * | BMIBA + 8-15      | secondary bus master                   |     |
 *
 * The channels' interrupts go straight to ISA IRQ 14 and 15 (legacy mode:
 * no INTx# pin), and each rising edge also sets the interrupt bit of that
 * channel's bus master status register.
 *
 * Deviations from hardware:
 * - IDETIM powers on with the decode enable bit set on both channels
 *   (hardware: 0), as firmware would leave it, so that a kernel booted
 *   directly (no firmware) finds its disks; Linux's ata_piix treats a
 *   channel with that bit clear as disabled.
 * - The legacy ports follow IDETIM's decode enable only, not PCICMD's I/O
 *   space enable (which gates them on hardware), for the same reason.
 * - Timing registers are stored only.
 * - BMIBA bits 31:16 are writable (datasheet: reserved, read 0), as QEMU
 *   models them: SeaBIOS sizes an I/O BAR as ~(value & ~3) + 1 over all 32
 *   bits, so a BAR reading back 0x0000FFF1 would claim almost 4 GiB and it
 *   stops with "PCI: out of I/O address space". Firmware writes a 16-bit
 *   address, so the upper bits read 0 in use all the same.
 */
import type { IrqLine } from '../io-device.js';
import type { AtaDrive } from '../ata/ata-drive.js';
import { AtaChannel } from '../ata/ata-channel.js';
import { BusMasterChannel, type DmaMemory } from '../ata/bus-master-ide.js';
import { CMD_BUS_MASTER, PciFunction, PCI_LATENCY_TIMER } from './pci-function.js';

/** IDETIM of the primary channel; the secondary's follows at +2. */
const IDETIM = 0x40;
/** IDETIM bit 15: the channel's legacy ports decode. */
const IDETIM_DECODE = 0x8000;
/** SIDETIM (slave timings). */
const SIDETIM = 0x44;
/** Bytes of bus master registers (BAR4). */
const BUS_MASTER_BYTES = 16;
/** Bytes of one channel's bus master registers. */
const CHANNEL_BYTES = 8;

/** The drives on one channel: master, slave. */
export type ChannelDrives = readonly [AtaDrive | undefined, AtaDrive | undefined];

/** The PIIX3's IDE function with its two channels. */
export class Piix3Ide extends PciFunction {
  readonly channels: readonly [AtaChannel, AtaChannel];
  readonly busMasters: readonly [BusMasterChannel, BusMasterChannel];

  /**
   * `memory` is what the bus master engines read and write; `irqs` are ISA
   * IRQ 14 and 15; `drives` the primary and secondary channels' drives.
   */
  constructor(memory: DmaMemory, irqs: readonly [IrqLine, IrqLine], drives: readonly [ChannelDrives, ChannelDrives]) {
    // The engines ask the function's command register, which exists once super() has run.
    let self: Piix3Ide | undefined;
    const busMasterEnabled = () => self !== undefined && (self.command & CMD_BUS_MASTER) !== 0;
    const busMasters = [new BusMasterChannel(memory, busMasterEnabled), new BusMasterChannel(memory, busMasterEnabled)] as const;
    super('PIIX3 IDE', {
      vendorId: 0x8086, deviceId: 0x7010, revision: 0x00, classCode: 0x01_0180,
      command: 0x0000, commandWritable: 0x0005, status: 0x0280,
    }, [{
      index: 4, kind: 'io', sizeBytes: BUS_MASTER_BYTES, name: 'PIIX3 IDE bus master',
      handler: {
        read: (offset, size) => busMasters[offset >> 3].read(offset & (CHANNEL_BYTES - 1), size),
        write: (offset, size, value) => busMasters[offset >> 3].write(offset & (CHANNEL_BYTES - 1), size, value),
      },
    }]);
    self = this;
    this.busMasters = busMasters;
    this.define(PCI_LATENCY_TIMER, 1, 0, 0xf0);
    this.define(IDETIM, 2, IDETIM_DECODE, 0xf3ff); // bits 11:10 reserved
    this.define(IDETIM + 2, 2, IDETIM_DECODE, 0xf3ff);
    this.define(SIDETIM, 1, 0, 0xff);
    this.channels = [0, 1].map((i) => {
      const bm = busMasters[i];
      const line = irqs[i];
      const channel = new AtaChannel({
        raise: () => { bm.interrupt(); line.raise(); },
        lower: () => line.lower(),
      }, drives[i]);
      channel.dma = bm;
      bm.client = channel;
      return channel;
    }) as unknown as readonly [AtaChannel, AtaChannel];
    this.updateDecode();
  }

  protected override configWritten(offset: number, size: number): void {
    if (offset < IDETIM + 4 && offset + size > IDETIM) this.updateDecode();
  }

  protected override resetDevice(): void {
    for (const bm of this.busMasters) bm.reset();
    for (const c of this.channels) c.reset();
    this.updateDecode();
  }

  private updateDecode(): void {
    this.channels.forEach((c, i) => { c.enabled = (this.register(IDETIM + 2 * i, 2) & IDETIM_DECODE) !== 0; });
  }
}
