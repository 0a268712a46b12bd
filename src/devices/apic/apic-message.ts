/**
 * The interrupt message the APICs exchange: what an I/O APIC redirection
 * entry or a local APIC's interrupt command register puts on the APIC bus
 * (P6 family: the 3-wire APIC bus; SDM Vol. 3A §10.6.1 "Interrupt Command
 * Register (ICR)", Intel 82093AA I/O APIC datasheet §3.2.4 "I/O Redirection
 * Table Registers"). Both encode the same fields at the same bit positions
 * in their low dword, so one decoder serves both.
 *
 * The bus itself is the board's: an I/O APIC or a local APIC hands a message
 * to a callback the board gave it, and the board offers it to every local
 * APIC (one today), each of which decides whether the destination names it.
 */

/** Delivery mode, bits 10:8 of an ICR or a redirection entry (SDM Vol. 3A §10.6.1). */
export const enum DeliveryMode {
  Fixed = 0,
  LowestPriority = 1,
  Smi = 2,
  Nmi = 4,
  Init = 5,
  StartUp = 6,
  ExtInt = 7,
}

/** Destination shorthand, ICR bits 19:18 (SDM Vol. 3A §10.6.1). */
export const enum Shorthand {
  None = 0,
  Self = 1,
  AllIncludingSelf = 2,
  AllExcludingSelf = 3,
}

/** One interrupt message on the APIC bus. */
export interface ApicMessage {
  vector: number;
  deliveryMode: DeliveryMode;
  /** Destination mode: false = physical (APIC ID), true = logical (matched against LDR/DFR). */
  logical: boolean;
  /** Destination: an APIC ID (physical) or a message destination address (logical), 8 bits. */
  destination: number;
  /** Trigger mode: true = level, false = edge. */
  level: boolean;
  /** Level bit of an ICR (0 only for the INIT level de-assert message); true for I/O APIC messages. */
  assert: boolean;
  /** Destination shorthand (ICR only; I/O APIC messages use None). */
  shorthand: Shorthand;
}

/** Vector field, bits 7:0. */
export const FIELD_VECTOR = 0xff;
/** Delivery mode field, bits 10:8. */
export const FIELD_DELIVERY_MODE = 0x700;
/** Destination mode: 1 = logical. */
export const FIELD_LOGICAL = 1 << 11;
/** Delivery status (read-only): 1 = send pending. */
export const FIELD_DELIVERY_STATUS = 1 << 12;
/** Trigger mode: 1 = level. */
export const FIELD_LEVEL = 1 << 15;

/** The message of an ICR or redirection entry low dword with its destination and shorthand. */
export function decodeMessage(low: number, destination: number, assert: boolean, shorthand: Shorthand): ApicMessage {
  return {
    vector: low & FIELD_VECTOR,
    deliveryMode: ((low & FIELD_DELIVERY_MODE) >> 8) as DeliveryMode,
    logical: (low & FIELD_LOGICAL) !== 0,
    destination: destination & 0xff,
    level: (low & FIELD_LEVEL) !== 0,
    assert,
    shorthand,
  };
}

const MODE_NAMES = ['fixed', 'lowest-priority', 'SMI', 'mode 3', 'NMI', 'INIT', 'start-up', 'ExtINT'];

/** One line for logs: "start-up vector 0x09 to APIC 1", "INIT to all excluding self". */
export function describeMessage(m: ApicMessage): string {
  const mode = MODE_NAMES[m.deliveryMode] ?? `mode ${m.deliveryMode}`;
  const vector = m.deliveryMode === DeliveryMode.Fixed || m.deliveryMode === DeliveryMode.LowestPriority ||
    m.deliveryMode === DeliveryMode.StartUp ? ` vector 0x${m.vector.toString(16).padStart(2, '0')}` : '';
  const to = m.shorthand === Shorthand.Self ? 'self'
    : m.shorthand === Shorthand.AllIncludingSelf ? 'all including self'
      : m.shorthand === Shorthand.AllExcludingSelf ? 'all excluding self'
        : `${m.logical ? 'logical destination' : 'APIC'} 0x${m.destination.toString(16)}`;
  return `${mode}${m.assert ? '' : ' de-assert'}${vector} to ${to}`;
}
