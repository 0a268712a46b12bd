#!/usr/bin/env bash
# Run one ROM test kernel (build/guests/NAME.bin) on Bochs, as a second
# reference for anillo's behaviour.
#   guests/tests/run-bochs.sh NAME
# Bochs has no exit device: the kernels execute "xchg bx, bx" right after
# writing port 0xF4, which stops Bochs (magic_break) in its debugger, and the
# scripted debugger commands "c" then "q" end the run. The debug console
# (port_e9_hack) is printed on stdout with the debugger's chatter removed.
# Exit status: 33 if a PASS line was printed, 35 for a FAIL line, otherwise
# Bochs' own status (1 after a triple fault: reset_on_triple_fault=0 makes it
# a panic), 124 on timeout (TIMEOUT seconds, default 20).
# Bochs' log is left in build/bochs/NAME.log.
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ $# -ne 1 ]; then
  echo "usage: $0 NAME   (NAME: a ROM kernel in guests/tests/)" >&2
  exit 2
fi
name=$1
command -v bochs >/dev/null 2>&1 || {
  echo "run-bochs: bochs not found (Debian: apt-get install bochs bochsbios)" >&2
  exit 2
}
bash scripts/build-guests.sh || exit 2
rom=$PWD/build/guests/$name.bin
[ -f "$rom" ] || { echo "run-bochs: no $rom (Bochs cannot load the Multiboot ELF)" >&2; exit 2; }

mkdir -p build/bochs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/bochsrc" <<RC
megs: 32
romimage: file=$rom
cpu: count=1, ips=50000000, reset_on_triple_fault=0
display_library: rfb, options="timeout=0"
port_e9_hack: enabled=1
magic_break: enabled=1
speaker: enabled=0
sound: driver=dummy
log: $PWD/build/bochs/$name.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
printf 'c\nq\n' > "$tmp/debugger.rc"

timeout "${TIMEOUT:-20}" bochs -q -f "$tmp/bochsrc" -rc "$tmp/debugger.rc" \
  > "$tmp/stdout" 2> "$tmp/stderr" < /dev/null
status=$?
grep -v -E '^(\([0-9]+\)|Next at t=|<bochs:|={10,}| *Bochs x86 Emulator|Bochs is exiting| +Built from| +Timestamp|\[CPU|debugger interrupt)' \
  "$tmp/stdout"
if grep -q "^PASS $name\$" "$tmp/stdout"; then
  exit 33
elif grep -q "^FAIL $name" "$tmp/stdout"; then
  exit 35
fi
[ "$status" = 0 ] || grep -h -E '^\[|>>PANIC<<' "$tmp/stdout" "$tmp/stderr" | tail -3 >&2
exit "$status"
