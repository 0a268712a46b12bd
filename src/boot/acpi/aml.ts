/**
 * A tiny builder for the few ACPI Machine Language terms the DSDT needs
 * (ACPI 6.5 §20.2 "AML Grammar Definition"): name segments, package lengths,
 * integer constants, Name() and Package(). Enough to state the sleep
 * packages (\_S5) without a compiler; every function returns the encoded
 * bytes of one term.
 */

/** AML opcodes and prefixes used here (ACPI 6.5 §20.2.x, "Opcode" values). */
export const AML = {
  ZeroOp: 0x00,
  OneOp: 0x01,
  NameOp: 0x08,
  BytePrefix: 0x0a,
  WordPrefix: 0x0b,
  DWordPrefix: 0x0c,
  PackageOp: 0x12,
  RootChar: 0x5c,
  OnesOp: 0xff,
} as const;

/**
 * A NameSeg (§20.2.2): four characters, a lead of A-Z or '_', then A-Z,
 * 0-9 or '_'; shorter names are padded with '_' (so "_S5" is "_S5_").
 */
export function nameSeg(name: string): Uint8Array {
  if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(name)) throw new RangeError(`'${name}' is not an AML name segment`);
  return new TextEncoder().encode(name.padEnd(4, '_'));
}

/**
 * PkgLength (§20.2.4): the length of what follows the opcode, counting the
 * PkgLength bytes themselves. One byte holds up to 63; longer lengths take
 * 1-3 extra bytes, the lead byte's bits 7:6 saying how many and its bits 3:0
 * holding the low nibble.
 */
export function pkgLength(contentBytes: number): Uint8Array {
  for (let extra = 0; extra <= 3; extra++) {
    const total = contentBytes + 1 + extra;
    if (extra === 0 && total <= 0x3f) return Uint8Array.of(total);
    if (extra > 0 && total < 2 ** (4 + 8 * extra)) {
      const out = new Uint8Array(1 + extra);
      out[0] = (extra << 6) | (total & 0x0f);
      for (let i = 1; i <= extra; i++) out[i] = (total >>> (4 + 8 * (i - 1))) & 0xff;
      return out;
    }
  }
  throw new RangeError(`AML package of ${contentBytes} bytes is too long`);
}

/** An integer constant in its shortest encoding (§20.2.3 ComputationalData). */
export function integer(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`AML integer ${value} out of range`);
  if (value === 0) return Uint8Array.of(AML.ZeroOp);
  if (value === 1) return Uint8Array.of(AML.OneOp);
  if (value <= 0xff) return Uint8Array.of(AML.BytePrefix, value);
  if (value <= 0xffff) return Uint8Array.of(AML.WordPrefix, value & 0xff, value >> 8);
  return Uint8Array.of(AML.DWordPrefix, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24);
}

/** Package(n) { elements } (§20.2.5.4 DefPackage: PackageOp PkgLength NumElements PackageElementList). */
export function pkg(elements: readonly Uint8Array[]): Uint8Array {
  if (elements.length > 0xff) throw new RangeError('AML package with more than 255 elements');
  const body = concat([Uint8Array.of(elements.length), ...elements]);
  return concat([Uint8Array.of(AML.PackageOp), pkgLength(body.length), body]);
}

/** Name(seg, object) (§20.2.5.1 DefName: NameOp NameString DataRefObject), in the current scope. */
export function name(seg: string, object: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(AML.NameOp), nameSeg(seg), object]);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
