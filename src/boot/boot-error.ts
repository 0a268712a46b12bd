/** A problem with what the user asked to boot: reported as one line, never a stack trace. */
export class BootError extends Error {
  override readonly name = 'BootError';
}
