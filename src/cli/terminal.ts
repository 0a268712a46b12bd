/**
 * The terminal face of a running VM: standard input goes to the guest's
 * serial port. On a TTY, input is put in raw mode so every key (Ctrl-C,
 * arrows, Tab) reaches the guest, and an escape prefix, Ctrl-A as in QEMU's
 * character-device multiplexer, gives the user the monitor's few keys:
 * Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A Ctrl-A sends a literal
 * Ctrl-A. The terminal is restored on every way out: close(), process exit
 * (including an uncaught error) and the termination signals.
 */

/** The Ctrl-A escape prefix. */
const ESCAPE = 0x01;

/** What the terminal needs from its surroundings (process streams in the CLI, fakes in tests). */
export interface TerminalIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Where help and notices go (stderr). */
  notice: (text: string) => void;
}

/** Receives the user's input and commands. */
export interface TerminalHandlers {
  /** Bytes for the guest's serial port. */
  toGuest: (bytes: Uint8Array) => void;
  /** Ctrl-A x. */
  quit: () => void;
}

/** Help shown for Ctrl-A h. */
export const ESCAPE_HELP = [
  'Ctrl-A h    print this help',
  'Ctrl-A x    quit anillo (the guest is stopped)',
  'Ctrl-A C-a  send Ctrl-A to the guest',
].join('\n');

/**
 * Splits input into guest bytes and escape commands. Pure, so it can be
 * tested without a terminal: feed() returns the bytes for the guest and
 * calls `command` for each escape key.
 */
export class EscapeDecoder {
  private escaped = false;

  constructor(private readonly command: (key: string) => void) {}

  feed(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.escaped) {
        this.escaped = false;
        if (b === ESCAPE) out.push(ESCAPE);
        else this.command(String.fromCharCode(b).toLowerCase());
      } else if (b === ESCAPE) {
        this.escaped = true;
      } else {
        out.push(b);
      }
    }
    return Uint8Array.from(out);
  }
}

/** Standard input wired to a guest; call close() when the VM is done. */
export class Terminal {
  private readonly raw: boolean;
  private restored = false;
  private readonly decoder: EscapeDecoder;
  private readonly onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk);
    const forGuest = this.raw ? this.decoder.feed(bytes) : bytes;
    if (forGuest.length > 0) this.handlers.toGuest(forGuest);
  };
  private readonly onExit = () => this.restore();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.restore();
    process.kill(process.pid, signal);
  };

  constructor(private readonly io: TerminalIo, private readonly handlers: TerminalHandlers) {
    this.raw = io.input.isTTY === true && typeof io.input.setRawMode === 'function';
    this.decoder = new EscapeDecoder((key) => this.command(key));
    if (this.raw) {
      io.input.setRawMode!(true);
      process.once('exit', this.onExit);
      for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.once(s, this.onSignal);
    }
    io.input.on('data', this.onData);
    io.input.resume();
  }

  /** True when keys are read raw and Ctrl-A commands work. */
  get interactive(): boolean {
    return this.raw;
  }

  /** Stops reading input and restores the terminal. */
  close(): void {
    this.io.input.off('data', this.onData);
    this.io.input.pause();
    this.restore();
    process.off('exit', this.onExit);
    for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(s, this.onSignal);
    // A paused stdin still holds a handle that keeps Node alive; let it go.
    (this.io.input as { unref?: () => void }).unref?.();
  }

  private command(key: string): void {
    switch (key) {
      case 'x': this.notice('terminated by the user (Ctrl-A x)'); this.handlers.quit(); break;
      case 'h': case '?': this.notice(`escape keys:\n${ESCAPE_HELP}`); break;
      default: this.notice(`unknown escape Ctrl-A ${JSON.stringify(key)} (Ctrl-A h for help)`);
    }
  }

  /** In raw mode the terminal does no \n → \r\n translation, so notices bring their own. */
  private notice(text: string): void {
    const line = `anillo: ${text}\n`;
    this.io.notice(this.raw ? line.replace(/\n/g, '\r\n') : line);
  }

  private restore(): void {
    if (!this.raw || this.restored) return;
    this.restored = true;
    try { this.io.input.setRawMode!(false); } catch { /* the terminal is gone */ }
  }
}
