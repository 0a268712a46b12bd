#!/usr/bin/env bash
# Assemble anillo's test kernels, guests/tests/*.asm, into build/guests/.
#
# Every kernel is a single `nasm -f bin` assembly (no linker): a source with a
# line "; @format: elf" becomes NAME.elf (it writes its own ELF headers),
# every other one NAME.bin (a 64 KiB BIOS ROM image). A kernel is assembled
# only when its output is missing or older than its source or than any file
# in guests/tests/lib/, so running this again is cheap and changes nothing.
# Exits non-zero if nasm is missing or a kernel does not assemble.
set -euo pipefail
cd "$(dirname "$0")/.."

src_dir=guests/tests
lib_dir=$src_dir/lib
out_dir=build/guests

if ! command -v nasm >/dev/null 2>&1; then
  echo "build-guests: nasm not found; install it (Debian: apt-get install nasm, or run scripts/setup.sh)" >&2
  exit 1
fi

mkdir -p "$out_dir"

shopt -s nullglob
sources=("$src_dir"/*.asm)
libs=("$lib_dir"/*)
if [ ${#sources[@]} -eq 0 ]; then
  echo "build-guests: no kernels found in $src_dir" >&2
  exit 1
fi

built=0
for src in "${sources[@]}"; do
  name=$(basename "$src" .asm)
  if grep -Eq '^;[[:space:]]*@format:[[:space:]]*elf[[:space:]]*$' "$src"; then
    out=$out_dir/$name.elf
  else
    out=$out_dir/$name.bin
  fi

  stale=0
  if [ ! -e "$out" ] || [ "$src" -nt "$out" ]; then
    stale=1
  else
    for dep in "${libs[@]}"; do
      if [ "$dep" -nt "$out" ]; then stale=1; break; fi
    done
  fi
  [ "$stale" = 1 ] || continue

  tmp=$out.tmp.$$
  if ! nasm -f bin -I "$lib_dir/" -o "$tmp" "$src"; then
    rm -f "$tmp"
    echo "build-guests: failed to assemble $src" >&2
    exit 1
  fi
  mv -f "$tmp" "$out"
  echo "build-guests: $out" >&2
  built=$((built + 1))
done

if [ "$built" = 0 ]; then
  echo "build-guests: ${#sources[@]} kernels up to date in $out_dir" >&2
fi
