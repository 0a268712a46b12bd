/**
 * v86 as a peer of the boot bench: runs the npm package `v86` (installed by
 * bench/setup-peers.sh under build/bench-peers/, never a dependency of
 * anillo) in its own Node process, so the bench measures v86's own RSS, and
 * makes this process's standard input and output the guest's first serial
 * port (serial0_send / the serial0-output-byte event). Boots a bzImage and
 * initrd directly, as QEMU's -kernel does, on the SeaBIOS it is given.
 *
 * usage: node dist/bench/boot/v86-child.js --v86 DIR --bios FILE --vga-bios FILE
 *          --kernel FILE --initrd FILE --append STRING --mem MIB [--no-jit]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The part of v86's API this uses (v86.d.ts in the package). */
interface V86Like {
  add_listener(event: string, listener: (value: unknown) => void): void;
  serial0_send(data: string): void;
  destroy?(): Promise<void> | void;
}

function options(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--no-jit') out.set(flag, '1');
    else if (flag.startsWith('--') && i + 1 < argv.length) out.set(flag, argv[++i]);
    else throw new Error(`v86-child: unexpected argument '${flag}'`);
  }
  for (const need of ['--v86', '--bios', '--vga-bios', '--kernel', '--initrd', '--append', '--mem']) {
    if (!out.has(need)) throw new Error(`v86-child: ${need} is required`);
  }
  return out;
}

function image(path: string): { buffer: ArrayBuffer } {
  const b = readFileSync(path);
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
}

const opt = options(process.argv.slice(2));
// Standard output is the guest's serial port: whatever v86 itself logs goes to stderr.
for (const name of ['log', 'info', 'warn', 'debug'] as const) {
  console[name] = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
}

const dir = opt.get('--v86')!;
const lib = await import(pathToFileURL(join(dir, 'build/libv86.mjs')).href) as { V86: new (o: object) => V86Like };
const emulator = new lib.V86({
  wasm_path: join(dir, 'build/v86.wasm'),
  bios: image(opt.get('--bios')!),
  vga_bios: image(opt.get('--vga-bios')!),
  bzimage: image(opt.get('--kernel')!),
  initrd: image(opt.get('--initrd')!),
  cmdline: opt.get('--append')!,
  memory_size: Number(opt.get('--mem')) * 1024 * 1024,
  disable_jit: opt.has('--no-jit'),
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
});

// One write per burst of bytes, not one per byte.
let pending: number[] = [];
emulator.add_listener('serial0-output-byte', (byte) => {
  if (pending.length === 0) setImmediate(flush);
  pending.push(byte as number);
});
function flush(): void {
  const bytes = Buffer.from(pending);
  pending = [];
  process.stdout.write(bytes);
}

process.stdin.on('data', (chunk: Buffer) => emulator.serial0_send(chunk.toString('latin1')));
process.stdin.on('end', () => process.exit(0));
