#!/usr/bin/env bash
# Fetches the default Linux guest's binaries from Debian (i386), once:
#   build/guests/debian/vmlinuz    Debian's linux-image-6.1.0-N-686-unsigned bzImage
#   build/guests/debian/busybox    Debian's busybox-static (a static i386 binary)
#   build/guests/debian/VERSIONS   the exact package versions fetched
#
# How: enables the i386 architecture in dpkg (dpkg --add-architecture i386;
# this only lets apt see i386 package lists, it installs nothing), runs
# apt-get update, picks the newest linux-image-6.1.0-*-686-unsigned that apt
# knows, downloads the .debs with `apt-get download` and unpacks each with
# `dpkg-deb -x` under build/guests/debian/ — nothing is installed on the host.
#
# Idempotent: when both files and VERSIONS exist it says so and does nothing.
# FORCE=1 fetches again (e.g. to pick up a newer kernel point release).
set -euo pipefail
cd "$(dirname "$0")/../.."

out=build/guests/debian
say() { echo "fetch: $*" >&2; }
die() { echo "fetch: $*" >&2; exit 1; }

if [ "${FORCE:-0}" != 1 ] && [ -s "$out/vmlinuz" ] && [ -s "$out/busybox" ] && [ -s "$out/VERSIONS" ]; then
  say "up to date: $(tr '\n' ' ' < "$out/VERSIONS")"
  exit 0
fi

for tool in apt-get apt-cache dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: this recipe needs Debian's apt and dpkg (or put a 686 bzImage at $out/vmlinuz and a static i386 busybox at $out/busybox by hand)"
done

# The i386 package lists. Adding the architecture needs root; everything after it does not.
if ! { dpkg --print-architecture; dpkg --print-foreign-architectures; } | grep -qx i386; then
  [ "$(id -u)" = 0 ] || die "dpkg does not know the i386 architecture; run once as root: dpkg --add-architecture i386 && apt-get update"
  say "enabling the i386 architecture in dpkg (package lists only; nothing is installed)"
  dpkg --add-architecture i386
  stale_lists=1
fi

# newest_kernel: the newest linux-image-6.1.0-N-686-unsigned apt knows, or nothing.
newest_kernel() {
  apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686-unsigned$' 2>/dev/null \
    | awk '{print $1}' | sort -V | tail -n 1
}

if [ "${stale_lists:-0}" = 1 ] || [ -z "$(newest_kernel)" ] || [ "${FORCE:-0}" = 1 ]; then
  [ "$(id -u)" = 0 ] || die "apt's package lists lack the i386 kernel; run as root: apt-get update"
  say "apt-get update (i386 package lists)"
  # A mirror mid-sync can fail one index (e.g. security) while the main one
  # is fine: go on if what we need is then known, fail below if not.
  apt-get update -qq >/dev/null 2>&1 || say "warning: apt-get update reported errors; using the lists it has"
fi

kernel=$(newest_kernel)
[ -n "$kernel" ] || die "apt knows no linux-image-6.1.0-*-686-unsigned package (is bookworm's main component in the apt sources?)"
apt-cache show "busybox-static:i386" >/dev/null 2>&1 || die "apt knows no busybox-static:i386 package"

say "fetching Debian's 686 kernel ($kernel) and busybox-static, i386 (one time)"
debs=$out/debs
rm -rf "$debs" "$out/unpacked"
mkdir -p "$debs" "$out/unpacked"
# As root, apt drops privileges to _apt for downloads; the build folder may
# not be writable for it, so download as the calling user.
(cd "$debs" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "$kernel:i386" "busybox-static:i386") \
  || die "apt-get download failed"

versions=$out/VERSIONS.tmp
: > "$versions"
for deb in "$debs"/*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  dpkg-deb -x "$deb" "$out/unpacked/$name"
  echo "$name:$(dpkg-deb -f "$deb" Architecture)=$(dpkg-deb -f "$deb" Version)" >> "$versions"
done

vmlinuz=$(ls "$out/unpacked/$kernel"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "no boot/vmlinuz-* in $kernel"
busybox=$out/unpacked/busybox-static/bin/busybox
[ -f "$busybox" ] || die "no bin/busybox in busybox-static"
cp -f "$vmlinuz" "$out/vmlinuz"
cp -f "$busybox" "$out/busybox"
mv -f "$versions" "$out/VERSIONS"
rm -rf "$debs"
say "done: $out/vmlinuz ($(basename "$vmlinuz")), $out/busybox; $(tr '\n' ' ' < "$out/VERSIONS")"
