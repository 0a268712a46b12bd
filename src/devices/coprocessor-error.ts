/**
 * The PC/AT math coprocessor error logic, as the PIIX/PIIX3 keeps it for
 * MS-DOS-compatible x87 error reporting (CR0.NE = 0): the CPU's FERR# output
 * becomes IRQ 13, and a write to port F0h answers with IGNNE#, so the
 * handler's own x87 instructions can run past the pending error.
 *
 * Register map (one port):
 *   F0h write  clear the IRQ 13 request; assert IGNNE# while FERR# stays asserted
 *   F0h read   all ones (nothing to read)
 *
 * Behaviour (Intel 82371SB PIIX3 datasheet, "Coprocessor Error"; SDM Vol. 1
 * Appendix D.2.1 and §D.3): FERR# going active raises IRQ 13. A write to F0h
 * lowers IRQ 13 and, if FERR# is still active, asserts IGNNE#. IGNNE# is
 * deasserted when FERR# goes inactive (FNCLEX, FNINIT… in the handler).
 */
import type { IoDevice, IrqLine } from './io-device.js';

/** Plain-data state, for snapshots. */
export interface CoprocessorErrorState {
  ferr: boolean;
  irqRequested: boolean;
  ignne: boolean;
}

export class CoprocessorError implements IoDevice {
  private ferr = false;
  private irqRequested = false;
  private ignneAsserted = false;

  /** `irq13` is ISA IRQ 13; `setIgnne` drives the CPU's IGNNE# input. */
  constructor(private readonly irq13: IrqLine, private readonly setIgnne: (asserted: boolean) => void) {}

  /** The CPU's FERR# output. */
  setFerr(asserted: boolean): void {
    if (asserted === this.ferr) return;
    this.ferr = asserted;
    if (asserted) {
      this.irqRequested = true;
      this.irq13.raise();
    } else {
      // The IRQ 13 request stays latched until F0h is written; IGNNE# follows FERR# down.
      this.driveIgnne(false);
    }
  }

  read(): number { return 0xff; }

  write(): void {
    if (this.irqRequested) {
      this.irqRequested = false;
      this.irq13.lower();
    }
    if (this.ferr) this.driveIgnne(true);
  }

  reset(): void {
    if (this.irqRequested) this.irq13.lower();
    this.ferr = false;
    this.irqRequested = false;
    this.driveIgnne(false);
  }

  get state(): CoprocessorErrorState {
    return { ferr: this.ferr, irqRequested: this.irqRequested, ignne: this.ignneAsserted };
  }

  private driveIgnne(asserted: boolean): void {
    if (asserted === this.ignneAsserted) return;
    this.ignneAsserted = asserted;
    this.setIgnne(asserted);
  }
}
