/**
 * `anillo` command line: parses arguments, builds a VM, boots what was asked
 * and relays guest output. Errors the user can fix are one line on stderr
 * with status 2; guest outcomes map to statuses as documented in --help.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs, UsageError } from './args.js';
import { BootError } from '../boot/boot-error.js';
import { loadMultiboot } from '../boot/multiboot.js';
import { mapBios } from '../boot/bios.js';
import { Vm } from '../vmm/vm.js';

function readImage(path: string, what: string): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new BootError(`${path}: ${what} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof BootError) throw e;
    throw new BootError(`${path}: cannot open ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size === 0) throw new BootError(`${path}: ${what} is empty`);
  return new Uint8Array(readFileSync(path));
}

async function main(argv: string[]): Promise<number> {
  const action = parseArgs(argv);
  if (action.kind === 'help') {
    process.stdout.write(`${action.text}\n`);
    return 0;
  }
  const vm = new Vm({
    memBytes: action.memBytes,
    output: (bytes) => process.stdout.write(bytes),
    log: (line) => process.stderr.write(`anillo: ${line}\n`),
  });
  if (action.kernel) {
    loadMultiboot(vm.cpu, vm.memory, readImage(action.kernel, 'kernel'), action.kernel, action.append);
  } else if (action.bios) {
    mapBios(vm.memory, readImage(action.bios, 'BIOS image'), action.bios);
    vm.cpu.reset();
  }
  const started = process.hrtime.bigint();
  const result = await vm.run(action.maxInstructions);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`anillo: ${result.message}\n`);
  if (action.stats) {
    const mips = vm.cpu.instructions / seconds / 1e6;
    process.stderr.write(`anillo: ${vm.cpu.instructions} instructions in ${seconds.toFixed(3)} s (${mips.toFixed(1)} MIPS); exits ${JSON.stringify(vm.exitCounts)}\n`);
  }
  return result.status;
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof BootError) {
      process.stderr.write(`anillo: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  },
);
