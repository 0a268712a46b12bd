/**
 * Console bytes as the guest writes them, one port write at a time, handed
 * on in one piece per run slice (Vm.runSlice): a host write per byte cost
 * Node a `writeBuffer` call of several microseconds each, about 1% of the
 * Linux boot, which prints some 25,000 characters. A slice is at most a
 * million instructions, a millisecond or two, so nothing waits noticeably.
 */
export class OutputBuffer {
  private bytes = new Uint8Array(1024);
  private length = 0;

  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** Takes one byte (a device's output callback). */
  readonly push = (byte: number): void => {
    if (this.length === this.bytes.length) this.flush();
    this.bytes[this.length++] = byte;
  };

  /** Hands on what has come since the last flush, if anything. */
  flush(): void {
    if (this.length === 0) return;
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    this.sink(out);
  }
}
