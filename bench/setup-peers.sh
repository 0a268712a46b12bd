#!/usr/bin/env bash
# Installs what the boot bench (bench/boot.ts, `npm run bench:boot`) needs,
# once; running it again changes nothing.
#
#   guest  the default Linux guest: Debian's 686 kernel and busybox
#          (guests/linux/fetch.sh) and the initramfs (tools/guests/build-initramfs.ts)
#   qemu   qemu-system-i386, from Debian's qemu-system-x86 (apt-get, as root)
#   v86    the npm package v86, installed with `npm install --no-save` into
#          build/bench-peers/ (its own package.json, so it never becomes a
#          dependency of anillo), and the firmware it boots with: the npm
#          package ships no BIOS images, so Debian's seabios package gives
#          /usr/share/seabios/bios.bin and vgabios-stdvga.bin (v86 emulates
#          the Bochs/QEMU standard VGA these are built for)
#
# usage: bash bench/setup-peers.sh [guest] [qemu] [v86]     (no argument: all three)
# V86_VERSION=x.y.z picks another v86 release (default: the one the bench was
# calibrated with); the installed version is replaced when it differs.
set -euo pipefail
cd "$(dirname "$0")/.."

V86_VERSION=${V86_VERSION:-0.5.462}
peers_dir=build/bench-peers
say() { echo "setup-peers: $*" >&2; }
die() { echo "setup-peers: $*" >&2; exit 1; }

updated=0
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing $*; install it (Debian: apt-get install $*)"
  fi
  if [ "$updated" = 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || say "warning: apt-get update reported errors; using the lists it has"
    updated=1
  fi
  say "installing $* (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

setup_guest() {
  if [ ! -s build/guests/debian/vmlinuz ] || [ ! -s build/guests/debian/busybox ]; then
    bash guests/linux/fetch.sh
  fi
  local cpio=build/guests/linux/initramfs.cpio
  if [ ! -s "$cpio" ] || [ build/guests/debian/busybox -nt "$cpio" ] || [ tools/guests/build-initramfs.ts -nt "$cpio" ]; then
    [ -f dist/tools/guests/build-initramfs.js ] || die "dist/ is not built; run npx tsc -p . first"
    say "building the initramfs"
    node dist/tools/guests/build-initramfs.js
  fi
}

setup_qemu() {
  command -v qemu-system-i386 >/dev/null 2>&1 || apt_install qemu-system-x86
  command -v qemu-system-i386 >/dev/null 2>&1 || die "qemu-system-i386 still missing after installing qemu-system-x86"
}

setup_v86() {
  if [ ! -s /usr/share/seabios/bios.bin ] || [ ! -s /usr/share/seabios/vgabios-stdvga.bin ]; then
    apt_install seabios
  fi
  local installed=""
  if [ -f "$peers_dir/node_modules/v86/package.json" ]; then
    installed=$(node -p "require('./$peers_dir/node_modules/v86/package.json').version")
  fi
  # npm publishes v86 as e.g. 0.5.462 with "0.5.462+g5f9a90f" inside.
  if [ "${installed%%+*}" = "$V86_VERSION" ]; then
    return
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found"
  mkdir -p "$peers_dir"
  # A package.json of its own keeps npm from walking up to anillo's.
  [ -f "$peers_dir/package.json" ] || cat > "$peers_dir/package.json" <<'JSON'
{
  "name": "anillo-bench-peers",
  "private": true,
  "description": "Peers of anillo's boot bench (bench/setup-peers.sh); not a dependency of anillo"
}
JSON
  say "installing v86@$V86_VERSION into $peers_dir (npm install --no-save)"
  (cd "$peers_dir" && npm install --no-save --no-audit --no-fund --loglevel=error "v86@$V86_VERSION" >/dev/null) \
    || die "npm install v86@$V86_VERSION failed"
  [ -f "$peers_dir/node_modules/v86/build/libv86.mjs" ] || die "v86 installed without build/libv86.mjs"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(guest qemu v86)
for w in "${want[@]}"; do
  case "$w" in
    guest) setup_guest ;;
    qemu) setup_qemu ;;
    v86) setup_v86 ;;
    anillo) ;;  # nothing to install: bin/anillo.js and dist/
    *) die "unknown peer '$w' (guest, qemu, v86)" ;;
  esac
done
