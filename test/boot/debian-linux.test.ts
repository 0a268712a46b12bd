// A real boot: Debian's 686 kernel with the busybox initramfs (the default
// guest, guests/linux/README.md) under `anillo run`, as `npm start` boots it,
// driven over its serial console to a shell, then commands whose answers
// are checked: uname, /proc/cpuinfo, date against the host's clock, ls /proc,
// floating point through busybox awk (the FPU end to end), and poweroff
// returning to the host with status 0.
//
// The guest is fetched from Debian by scripts/setup.sh (guests/linux/fetch.sh)
// and the initramfs built by tools/guests/build-initramfs.ts. The boot is the
// slowest test in the suite (minutes on the interpreter); its timeout is
// ANILLO_LINUX_TIMEOUT seconds (default 1500). The console transcript is
// written to build/test-logs/debian-linux.console.log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConsoleSession } from '../../bench/boot/session.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KERNEL = 'build/guests/debian/vmlinuz';
const INITRD = 'build/guests/linux/initramfs.cpio';
const PROMPT = 'anillo:~# ';
const TIMEOUT_MS = Number(process.env.ANILLO_LINUX_TIMEOUT ?? 1500) * 1000;
/** What each command may take once the shell is up (slow interpreter, busy CI host). */
const COMMAND_TIMEOUT_MS = 300_000;

/**
 * The kernel's crypto self-tests (RSA, DH… on multi-precision integers) are
 * four of the boot's five minutes on the interpreter (measured by sampling
 * EIP on instruction time; 1.5 s of QEMU's 3.8 s): this test is about the
 * machine, not about the kernel's crypto, so it skips them.
 */
const SKIP_CRYPTO_SELF_TESTS = 'cryptomgr.notests';

const missing = [KERNEL, INITRD].filter((f) => !existsSync(ROOT + f));

test('Debian Linux 6.1 (686) boots to a busybox shell under anillo, answers commands, and powers off with status 0', {
  timeout: TIMEOUT_MS + 10 * COMMAND_TIMEOUT_MS,
  skip: missing.length > 0 ? `guest not built (${missing.join(', ')}): run scripts/setup.sh` : false,
}, async () => {
  const child = spawn(process.execPath, [
    'bin/anillo.js', 'run', '--kernel', KERNEL, '--initrd', INITRD, '--mem', '128M',
    '--append', `console=ttyS0,115200 rdinit=/init ${SKIP_CRYPTO_SELF_TESTS}`,
  ], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  // The console transcript, for whoever reads a failure: build/test-logs/debian-linux.console.log.
  mkdirSync(ROOT + 'build/test-logs', { recursive: true });
  const session = new ConsoleSession(child, createWriteStream(ROOT + 'build/test-logs/debian-linux.console.log'));
  const status = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let marker = 0;
  /** Runs `command` in the guest's shell and returns what it printed. */
  const shell = async (command: string): Promise<string> => {
    const tag = `DONE-${++marker}`;
    const from = session.mark;
    // The marker is computed by the shell, so the echoed command line never contains it.
    session.sendLine(`${command}; echo ${tag}-$((40+2))`);
    const end = await session.waitFor(`\n${tag}-42\n`, from, COMMAND_TIMEOUT_MS, `the output of ${command}`);
    const text = session.text.slice(from, end.index + 1);
    // Drop the echoed command line.
    return text.slice(text.indexOf('\n') + 1);
  };
  try {
    await session.waitFor(PROMPT, 0, TIMEOUT_MS, 'the shell prompt');

    const uname = await shell('uname -a');
    assert.match(uname, /^Linux \S+ 6\.1\.0-\d+-686 #1 SMP .* i686 GNU\/Linux$/m);

    const cpuinfo = await shell('cat /proc/cpuinfo');
    assert.match(cpuinfo, /^processor\s*: 0$/m);
    assert.doesNotMatch(cpuinfo, /^processor\s*: 1$/m, 'one vCPU');
    assert.match(cpuinfo, /^fpu\s*: yes$/m);
    const flags = /^flags\s*: (.*)$/m.exec(cpuinfo)?.[1].split(' ') ?? [];
    for (const flag of ['fpu', 'tsc', 'cx8', 'apic', 'cmov']) assert.ok(flags.includes(flag), `${flag} in ${flags.join(' ')}`);

    // The RTC starts at the host's time and guest time follows host time.
    const hostSeconds = Date.now() / 1000;
    const guestSeconds = Number(/^(\d+)$/m.exec(await shell('date +%s'))?.[1]);
    assert.ok(Math.abs(guestSeconds - hostSeconds) < 30, `guest date ${guestSeconds}, host ${hostSeconds.toFixed(0)}`);

    const proc = (await shell('ls /proc')).split(/\s+/);
    for (const entry of ['1', 'cpuinfo', 'meminfo', 'interrupts', 'self', 'uptime']) assert.ok(proc.includes(entry), `/proc/${entry}`);

    // Issue 4's check, floating point through the guest's own code. Debian's busybox-static is built without
    // awk's math library ("Math support is not compiled in": no sin(), no ^), so sin(1) is summed from its
    // series and sqrt(2) found by Newton's method with + - * / only. Each awk operation rounds to a double, so
    // the answers are fixed by IEEE 754 (QEMU's x87 and JavaScript's doubles print the same digits).
    const awk = await shell(`awk 'BEGIN { x = 1; for (i = 0; i < 8; i++) x = (x + 2 / x) / 2; s = 0; t = 1; ` +
      `for (n = 1; n < 30; n += 2) { s += t; t = -t / ((n + 1) * (n + 2)) } ` +
      `printf "%.17g %.17g %.17g %.17g\\n", 1 / 3, 0.1 + 0.2, x, s }'`);
    assert.match(awk, /^0\.33333333333333331 0\.30000000000000004 1\.4142135623730949 0\.8414709848078965$/m);

    session.sendLine('poweroff -f');
    assert.equal(await status, 0, `anillo's exit status after poweroff; last line: ${session.lastLine()}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
