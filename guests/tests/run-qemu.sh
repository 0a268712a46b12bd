#!/usr/bin/env bash
# Run one test kernel on QEMU, as a reference for anillo's behaviour.
#   guests/tests/run-qemu.sh NAME [extra qemu-system-i386 arguments]
# NAME.bin is used as the BIOS ROM (-bios), hello (NAME.elf) as a Multiboot
# kernel (-kernel). The debug console (port 0xE9) goes to stdout, COM1 to
# stderr. The exit status is QEMU's: 33 PASS, 35 FAIL (isa-debug-exit at
# 0xF4), 0 when the guest shut down (tripfault, thanks to -no-reboot), 124
# when TIMEOUT seconds (default 20) ran out (hello halts and waits there).
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ $# -lt 1 ]; then
  echo "usage: $0 NAME [qemu args...]   (NAME: a kernel in guests/tests/)" >&2
  exit 2
fi
name=$1
shift
command -v qemu-system-i386 >/dev/null 2>&1 || {
  echo "run-qemu: qemu-system-i386 not found (Debian: apt-get install qemu-system-x86)" >&2
  exit 2
}
bash scripts/build-guests.sh || exit 2

if [ -f "build/guests/$name.elf" ]; then
  image=(-kernel "build/guests/$name.elf")
elif [ -f "build/guests/$name.bin" ]; then
  image=(-bios "build/guests/$name.bin")
else
  echo "run-qemu: no build/guests/$name.bin or .elf" >&2
  exit 2
fi

timeout "${TIMEOUT:-20}" qemu-system-i386 \
  -nodefaults -nographic -display none -monitor none -no-reboot \
  -chardev file,id=com1,path=/dev/stderr,append=on -serial chardev:com1 \
  -debugcon stdio \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  "${image[@]}" "$@"
