/**
 * Builds the default Linux guest's initramfs, build/guests/linux/initramfs.cpio,
 * with anillo's own cpio writer (src/boot/cpio.ts): Debian's static busybox at
 * /bin/busybox with a symlink per applet, an /init script, the directories the
 * script mounts on, and /dev/console (c 5 1) so the kernel can open a console
 * for /init before devtmpfs is mounted.
 *
 * The applet list is read from the busybox binary itself (its sorted,
 * NUL-separated applet name table, which starts "[\0[[\0"), so the builder
 * never runs the i386 binary; /init also runs `busybox --install -s` as a
 * safety net. Input comes from guests/linux/fetch.sh.
 *
 * usage: node dist/tools/guests/build-initramfs.js [--busybox FILE] [--out FILE]
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpioWriter } from '../../src/boot/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The guest's /init: a shell on the console, and a clean power-off when it exits. */
export const INIT_SCRIPT = `#!/bin/busybox sh
# anillo's default guest: Debian's kernel and busybox, nothing else.
/bin/busybox --install -s 2>/dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || mknod -m 600 /dev/console c 5 1
mkdir -p /dev/pts /tmp && mount -t devpts devpts /dev/pts 2>/dev/null
hostname anillo
echo
echo "Welcome to anillo's Linux guest: $(uname -a)"
echo "$(cut -d' ' -f1 /proc/uptime) s after boot; type 'poweroff -f' or exit the shell to stop."
echo
# cttyhack makes the console the shell's controlling terminal, so job control and Ctrl-C work.
setsid cttyhack sh -l
echo "init: shell exited; powering off"
poweroff -f
`;

/** /etc/profile: a prompt that says where you are. */
const PROFILE = `export PS1='anillo:\\w\\$ '
export HOME=/root
cd /root 2>/dev/null
`;

/** Applet names from a busybox binary's name table (sorted, NUL-separated, starting with "[" and "[["). */
export function busyboxApplets(binary: Uint8Array): string[] {
  const start = indexOf(binary, [0x5b, 0x00, 0x5b, 0x5b, 0x00]);
  if (start < 0) throw new Error('no applet name table found (is this a busybox binary?)');
  const names: string[] = [];
  let at = start;
  for (;;) {
    let end = at;
    while (end < binary.length && binary[end] !== 0) end++;
    if (end === at) break;
    const name = String.fromCharCode(...binary.subarray(at, end));
    if (!/^[[a-z0-9_.-]+$/i.test(name) || name.length > 32) break;
    names.push(name);
    at = end + 1;
  }
  if (names.length < 20 || !names.includes('sh')) throw new Error(`applet table looks wrong (${names.length} names)`);
  return names;
}

function indexOf(haystack: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Where busybox puts an applet: sbin for the system tools, as its --install does for common ones. */
const SBIN = new Set(['init', 'halt', 'poweroff', 'reboot', 'mdev', 'modprobe', 'insmod', 'rmmod', 'lsmod', 'depmod',
  'ifconfig', 'route', 'ip', 'swapon', 'swapoff', 'switch_root', 'pivot_root', 'sysctl', 'klogd', 'syslogd', 'getty', 'losetup',
  'mkswap', 'fdisk', 'blkid', 'hwclock', 'udhcpc', 'vconfig', 'watchdog', 'fsck', 'mkfs.ext2', 'mkdosfs', 'mkfs.vfat', 'runlevel']);

/** The archive: directories, busybox and its applet links, /init, /dev/console. */
export function buildInitramfs(busybox: Uint8Array): Uint8Array {
  const cpio = new CpioWriter();
  for (const d of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'mnt', 'run', 'var']) {
    cpio.dir(d, d === 'tmp' ? 0o1777 : 0o755);
  }
  cpio.charDevice('dev/console', 5, 1, 0o600);
  cpio.charDevice('dev/null', 1, 3, 0o666);
  cpio.charDevice('dev/ttyS0', 4, 64, 0o660);
  cpio.file('bin/busybox', busybox, 0o755);
  for (const applet of busyboxApplets(busybox)) {
    if (applet === 'busybox') continue;
    const where = SBIN.has(applet) ? 'sbin' : 'bin';
    cpio.symlink(`${where}/${applet}`, '/bin/busybox');
  }
  cpio.file('init', INIT_SCRIPT, 0o755);
  cpio.file('etc/profile', PROFILE, 0o644);
  cpio.file('etc/hostname', 'anillo\n', 0o644);
  cpio.file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n', 0o644);
  cpio.file('etc/group', 'root:x:0:\n', 0o644);
  return cpio.finish();
}

function main(argv: string[]): void {
  let busyboxPath = join(ROOT, 'build/guests/debian/busybox');
  let out = join(ROOT, 'build/guests/linux/initramfs.cpio');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--busybox') busyboxPath = argv[++i];
    else if (argv[i] === '--out') out = argv[++i];
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const busybox = new Uint8Array(readFileSync(busyboxPath));
  const archive = buildInitramfs(busybox);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, archive);
  renameSync(`${out}.tmp`, out);
  process.stderr.write(`build-initramfs: ${out} (${(archive.length / 1024).toFixed(0)} KiB, ${busyboxApplets(busybox).length} busybox applets)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`build-initramfs: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
