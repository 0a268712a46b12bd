#!/usr/bin/env bash
# Builds the native fidelity oracle helpers:
#   build/oracle/oracle32  from tools/oracle/oracle.c    (gcc -m32; modes 32, 16)
#   build/oracle/oracle64  from tools/oracle/oracle64.c  (plain gcc; mode 64)
# Both include tools/oracle/oracle-common.h. Idempotent: each is rebuilt only
# when one of its sources (or this script) is newer than the binary.
#
# Never fails the build: without a working compiler for a helper it prints
# one warning and goes on, and that helper's tests report themselves
# skipped. It also warns (exit 0) when a built helper cannot run here, e.g.
# oracle32 on a host without IA-32 user mode (a kernel without IA32
# emulation, or a hypervisor without compatibility mode): the mode-32/16
# tests are then skipped, while mode 64 (oracle64) still runs natively.
set -euo pipefail
cd "$(dirname "$0")/.."

common=tools/oracle/oracle-common.h
flags=(-O2 -std=gnu11 -Wall -Wextra -fno-stack-protector -fno-pie -no-pie)

# build OUT SRC GCC-FLAG... : compile SRC into OUT if anything is newer.
build() {
  local out=$1 src=$2
  shift 2
  if [ -f "$out" ] && [ ! "$src" -nt "$out" ] && [ ! "$common" -nt "$out" ] && [ ! "$0" -nt "$out" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$out")"
  local tmp="$out.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  # Static when the libc.a for that target is there (no runtime dependency
  # on the dynamic loader); dynamic otherwise.
  if ! gcc "$@" "${flags[@]}" -static -o "$tmp" "$src" 2>/dev/null; then
    gcc "$@" "${flags[@]}" -o "$tmp" "$src"
  fi
  mv -f "$tmp" "$out"
  trap - EXIT
  echo "build-oracle: built $out" >&2
}

if ! command -v gcc >/dev/null 2>&1; then
  echo "build-oracle: warning: gcc not available; native oracle not built, its tests will be skipped" >&2
  exit 0
fi

# ---- oracle32: i386 helper (modes 32 and 16) ----
out32=build/oracle/oracle32
if ! echo 'int main(void){return 0;}' | gcc -m32 -x c -o /dev/null - >/dev/null 2>&1; then
  echo "build-oracle: warning: gcc -m32 not available (Debian: apt-get install gcc-multilib); $out32 not built, mode 32/16 oracle tests will be skipped" >&2
else
  build "$out32" tools/oracle/oracle.c -m32
  if ! "./$out32" --probe >/dev/null 2>&1; then
    echo "build-oracle: warning: $out32 is built but does not run natively on this host (no 32-bit user mode?); live mode 32/16 oracle tests will be skipped (mode 64 uses oracle64)" >&2
  fi
fi

# ---- oracle64: x86-64 helper (mode 64) ----
out64=build/oracle/oracle64
if [ "$(uname -m)" != x86_64 ]; then
  echo "build-oracle: note: not an x86-64 host ($(uname -m)); $out64 not built, mode 64 oracle tests will be skipped" >&2
elif ! echo 'int main(void){return 0;}' | gcc -x c -o /dev/null - >/dev/null 2>&1; then
  echo "build-oracle: warning: gcc cannot build x86-64 programs here; $out64 not built, mode 64 oracle tests will be skipped" >&2
else
  build "$out64" tools/oracle/oracle64.c
  if ! "./$out64" --probe >/dev/null 2>&1; then
    echo "build-oracle: warning: $out64 is built but its probe fails on this host; live mode 64 oracle tests will be skipped" >&2
  fi
fi
exit 0
