#!/usr/bin/env bash
# Idempotent setup for tests and the default guest: installs the Debian
# packages anillo's tests need (nasm for the test kernels, gcc-multilib for the
# native CPU oracle, cpio to cross-check anillo's own cpio writer, seabios for
# its BIOS and VGA BIOS images), then
# builds the test kernels, the oracle helper and the default Linux guest.
# Safe to run repeatedly; does nothing when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nasm >/dev/null 2>&1 || need+=(nasm)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
# SeaBIOS's images (bios.bin, vgabios-stdvga.bin) for the BIOS boot path and the VGA BIOS tests.
[ -f /usr/share/seabios/vgabios-stdvga.bin ] || need+=(seabios)
if ! echo 'int main(void){return 0;}' | gcc -m32 -x c -o /dev/null - >/dev/null 2>&1; then
  need+=(gcc-multilib)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]} (Debian packages)" >&2
    # A mirror mid-sync can fail one index (say, i386 security) while the packages wanted here
    # are still reachable: go on to the install, which fails clearly if they are not.
    apt-get update -qq >/dev/null || echo "setup: apt-get update reported errors; installing from the indexes it got" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: missing ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
  fi
fi

bash scripts/build-guests.sh
bash scripts/build-oracle.sh
# The default Linux guest (Debian's kernel and busybox), for the real-boot test.
bash scripts/linux-guest.sh
