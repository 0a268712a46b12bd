#!/usr/bin/env bash
# The default Linux guest, made ready once: Debian's 686 kernel and
# busybox-static fetched by guests/linux/fetch.sh (apt-get download, nothing
# installed on the host), and build/guests/linux/initramfs.cpio written by
# anillo's own cpio writer (tools/guests/build-initramfs.ts). Idempotent;
# used by `npm start` (scripts/start.sh) and by the test setup (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

initramfs=build/guests/linux/initramfs.cpio

if [ ! -f dist/tools/guests/build-initramfs.js ]; then
  echo "linux-guest: compiling anillo (npx tsc -p .)" >&2
  npx tsc -p .
fi
if [ ! -s build/guests/debian/vmlinuz ] || [ ! -s build/guests/debian/busybox ]; then
  echo "linux-guest: fetching Debian's 686 kernel and busybox (one time)…" >&2
fi
bash guests/linux/fetch.sh
if [ ! -s "$initramfs" ] || [ build/guests/debian/busybox -nt "$initramfs" ] || [ tools/guests/build-initramfs.ts -nt "$initramfs" ]; then
  echo "linux-guest: building the initramfs with anillo's cpio writer" >&2
  node dist/tools/guests/build-initramfs.js
fi
