#!/usr/bin/env bash
# `npm start`: boots the default guest, Debian's i386 Linux kernel with a
# busybox initramfs, on the serial console. Fetches and builds what is
# missing first (one time): guests/linux/fetch.sh downloads the kernel and
# busybox packages from Debian and unpacks them under build/guests/debian/;
# tools/guests/build-initramfs.ts writes build/guests/linux/initramfs.cpio.
# Extra arguments go to `anillo run` (e.g. --mem 256M, --stats).
set -euo pipefail
cd "$(dirname "$0")/.."

vmlinuz=build/guests/debian/vmlinuz
initramfs=build/guests/linux/initramfs.cpio
# cryptomgr.notests: the kernel's crypto self-tests are most of the boot time on
# an emulated CPU (big-number RSA/DH math) and test the kernel, not the machine.
cmdline=${ANILLO_APPEND:-"console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 rdinit=/init cryptomgr.notests"}

if [ ! -f dist/src/cli/main.js ]; then
  echo "start: compiling anillo (npx tsc -p .)" >&2
  npx tsc -p .
fi
bash scripts/linux-guest.sh
echo "start: booting $(cat build/guests/debian/VERSIONS 2>/dev/null | tr '\n' ' ')(quit: Ctrl-A x)" >&2
# bin/anillo.js runs Node with the V8 flags of its first line.
exec bin/anillo.js run --kernel "$vmlinuz" --initrd "$initramfs" --append "$cmdline" "$@"
