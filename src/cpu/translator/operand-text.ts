/**
 * Text of operand-size arithmetic in generated code, shared by the
 * emitters (emit-ops*.ts).
 */

/** The mask of a `size`-byte operand as a literal (-1 for 4: int32). */
export function mask(size: number): string {
  return size === 4 ? '-1' : size === 2 ? '0xffff' : '0xff';
}

/** `x` truncated to a `size`-byte operand (int32 for 4). */
export function fit(x: string, size: number): string {
  return size === 4 ? `(${x}) | 0` : `(${x}) & ${mask(size)}`;
}
