/**
 * Command-line parsing for `anillo`: one function from argv to a typed
 * action, with one-line errors for anything unknown or malformed.
 */
import { DEFAULT_HOT_THRESHOLD } from '../cpu/translator/index.js';

/** What the user asked for. */
export type CliAction =
  | { kind: 'help'; text: string }
  | {
    kind: 'run';
    /** A Linux bzImage or a Multiboot kernel (told apart by their headers). */
    kernel?: string;
    /** The initial ramdisk for a Linux kernel. */
    initrd?: string;
    bios?: string;
    /** The VGA BIOS for --bios (default: vgabios-isavga.bin beside the BIOS image, if there). */
    vgaBios?: string;
    /** Where firmware's log (port 0x402) goes. */
    firmwareLog?: string;
    /** Raw hard-disk images, in order (primary master first). */
    disks: string[];
    /** An ISO 9660 CD-ROM image. */
    cdrom?: string;
    /** Keep the guest's disk writes in memory; image files are never written. */
    snapshot: boolean;
    append: string;
    memBytes: number;
    maxInstructions: number;
    stats: boolean;
    /** Run hot code through the x86 → JS translator (default); --no-jit runs the interpreter alone. */
    jit: boolean;
    /** Run interpreter and translator side by side on every block and report the first difference. */
    lockstep: boolean;
    /** With lockstep: check one block run in this many (1: every one). */
    lockstepEvery: number;
    /** Executions of an entry point before the translator compiles it (undefined: the translator's default). */
    jitThreshold?: number;
    /** What the translator compiles to (undefined: its default, WebAssembly where the memory allows). */
    jitBackend?: 'js' | 'wasm';
  };

/** A usage error, printed as one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const HELP = `anillo — an x86 virtual machine monitor

usage: anillo run (--kernel FILE | --bios FILE) [options]

  --kernel FILE            boot a kernel directly: a Linux bzImage (x86 32-bit boot
                           protocol 2.02+) or a Multiboot (v1) kernel (ELF32, or a flat
                           image with the Multiboot address fields); told apart by header
  --initrd FILE            initial ramdisk for a Linux kernel (cpio archive, may be
                           compressed)
  --append STRING          kernel command line (Linux, Multiboot), e.g. "console=ttyS0"
  --bios FILE              map a firmware image below 4 GiB (and its last 128 KiB below
                           1 MiB) and start at the reset vector F000:FFF0
  --vgabios FILE           VGA BIOS option ROM for --bios, given to SeaBIOS through fw_cfg
                           (default: vgabios-isavga.bin in the BIOS image's directory)
  --firmware-log FILE      write the firmware's log (SeaBIOS: debug port 0x402) to FILE
  --disk FILE              raw hard-disk image (size a multiple of 512) on the IDE
                           controller; may repeat: primary master, primary slave,
                           then the secondary channel. The guest's writes go to FILE
  --cdrom FILE             ISO 9660 CD-ROM image, as an ATAPI drive (secondary master)
  --snapshot               keep the guest's disk writes in memory; FILE is not changed
  --mem SIZE               guest RAM, e.g. 64M, 1G, or bytes (default 128M)
  --max-instructions N     stop after about N guest instructions (status 124)
  --stats                  print exit counts and speed on exit (and translator statistics)
  --no-jit                 interpret every instruction (the translator is on by default)
  --jit-threshold N        executions of a code address before it is translated
                           (default ${DEFAULT_HOT_THRESHOLD}; 0 translates everything on first sight)
  --jit-backend wasm|js    compile hot code to WebAssembly (default) or JavaScript
  --lockstep               check the translator against the interpreter block by block;
                           stops at the first block whose results differ (slow)
  --lockstep-every N       lockstep checking one block run in N (a whole boot in reach)
  -h, --help               show this help

Guest output on COM1 (0x3F8) and the debug console (port 0xE9) goes to stdout;
standard input goes to COM1. On a terminal, input is raw (Ctrl-C goes to the
guest): press Ctrl-A x to quit, Ctrl-A h for help, Ctrl-A Ctrl-A to send Ctrl-A.
Exit status: the guest's isa-debug-exit value v as (v << 1) | 1; 0 when the guest
powers off (ACPI S5), halts with interrupts disabled, or you quit; 6 after a triple fault; 2 for a usage
or file error; 124 at the instruction limit.`;

/** Parses a size like 64M, 1G, 512K or plain bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--mem: cannot read size '${text}' (examples: 64M, 1G)`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Number(m[1]) * unit;
  if (bytes < 1024 * 1024 || bytes > 3 * 1024 ** 3) throw new UsageError(`--mem: ${text} is outside 1M..3G`);
  return bytes;
}

/** argv (without node and the script) → action. */
export function parseArgs(argv: readonly string[]): CliAction {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help') || argv[0] === 'help') {
    return { kind: 'help', text: HELP };
  }
  const [command, ...rest] = argv;
  if (command !== 'run') throw new UsageError(`unknown command '${command}' (try: anillo run --kernel FILE, or --help)`);
  const action: Extract<CliAction, { kind: 'run' }> = {
    kind: 'run', disks: [], append: '', memBytes: 128 * 1024 * 1024, maxInstructions: Infinity, stats: false, snapshot: false, jit: true, lockstep: false, lockstepEvery: 1,
  };
  const once = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined || (v.startsWith('--') && flag !== '--append')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag !== '--disk' && once.has(flag)) throw new UsageError(`${flag} given twice`);
    once.add(flag);
    switch (flag) {
      case '--kernel': action.kernel = value(); break;
      case '--initrd': action.initrd = value(); break;
      case '--bios': action.bios = value(); break;
      case '--vgabios': action.vgaBios = value(); break;
      case '--firmware-log': action.firmwareLog = value(); break;
      case '--disk': action.disks.push(value()); break;
      case '--cdrom': action.cdrom = value(); break;
      case '--append': action.append = value(); break;
      case '--mem': action.memBytes = parseSize(value()); break;
      case '--max-instructions': {
        const n = Number(value());
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--max-instructions: expected a positive number`);
        action.maxInstructions = n;
        break;
      }
      case '--stats': action.stats = true; break;
      case '--snapshot': action.snapshot = true; break;
      case '--no-jit': action.jit = false; break;
      case '--jit-threshold': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new UsageError('--jit-threshold: expected a whole number from 0 to 65535');
        action.jitThreshold = n;
        break;
      }
      case '--jit-backend': {
        const v = value();
        if (v !== 'js' && v !== 'wasm') throw new UsageError(`--jit-backend: expected js or wasm, not '${v}'`);
        action.jitBackend = v;
        break;
      }
      case '--lockstep': action.lockstep = true; break;
      case '--lockstep-every': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) throw new UsageError('--lockstep-every: expected a positive whole number');
        action.lockstep = true;
        action.lockstepEvery = n;
        break;
      }
      default: throw new UsageError(`unknown option '${flag}' (see anillo --help)`);
    }
  }
  if (!action.kernel && !action.bios) {
    throw new UsageError(action.disks.length > 0 || action.cdrom
      ? 'booting from --disk or --cdrom needs firmware: give --bios FILE (or --kernel FILE)'
      : 'nothing to boot: give --kernel FILE or --bios FILE');
  }
  if (action.jitThreshold !== undefined && !action.jit) throw new UsageError('--jit-threshold tunes the translator: drop --no-jit');
  if (action.jitBackend !== undefined && !action.jit) throw new UsageError('--jit-backend chooses the translator\'s code: drop --no-jit');
  if (action.lockstep && !action.jit) throw new UsageError('--lockstep compares the translator with the interpreter: it needs the translator (drop --no-jit)');
  if (action.kernel && action.bios) throw new UsageError('give either --kernel or --bios, not both');
  if (action.initrd && !action.kernel) throw new UsageError('--initrd needs --kernel (a Linux bzImage)');
  if (action.vgaBios && !action.bios) throw new UsageError('--vgabios needs --bios');
  return action;
}
