#!/usr/bin/env bash
# Builds build/guests/linux/disk.img: a bootable raw hard-disk image for the
# BIOS path, holding the same kernel and initramfs as the direct boot.
#
#   MBR (syslinux's mbr.bin) + a DOS partition table with one active FAT16
#   partition from sector 2048 to the end; in it SYSLINUX (ldlinux.sys,
#   ldlinux.c32), syslinux.cfg, vmlinuz and initrd.cpio.
#
# Only tools from Debian packages, all working on the image file itself, so
# no root, no loop devices and no mounts: sfdisk (fdisk) writes the
# partition table, mkfs.fat --offset (dosfstools) the file system, mcopy
# (mtools) the files, `syslinux --offset --install` (syslinux, the mtools
# based installer) the boot sector and loader, and syslinux-common provides
# mbr.bin. Missing tools are installed with apt-get when run as root.
#
# Inputs come from guests/linux/fetch.sh and tools/guests/build-initramfs.ts.
# Rebuilt only when an input is newer than the image. SIZE_MIB (default 64).
set -euo pipefail
cd "$(dirname "$0")/../.."

vmlinuz=build/guests/debian/vmlinuz
initramfs=build/guests/linux/initramfs.cpio
out=build/guests/linux/disk.img
size_mib=${SIZE_MIB:-64}
part_start=2048                        # sectors: the usual 1 MiB alignment
mbr=/usr/lib/syslinux/mbr/mbr.bin
say() { echo "build-disk: $*" >&2; }
die() { echo "build-disk: $*" >&2; exit 1; }

[ -s "$vmlinuz" ] && [ -s "$initramfs" ] || die "missing $vmlinuz or $initramfs; run: npm run guest:linux"
if [ -s "$out" ] && [ "$out" -nt "$vmlinuz" ] && [ "$out" -nt "$initramfs" ] && [ "$out" -nt "$0" ]; then
  say "up to date: $out"
  exit 0
fi

need=()
command -v sfdisk >/dev/null 2>&1 || [ -x /usr/sbin/sfdisk ] || need+=(fdisk)
command -v mkfs.fat >/dev/null 2>&1 || [ -x /usr/sbin/mkfs.fat ] || need+=(dosfstools)
command -v mcopy >/dev/null 2>&1 || need+=(mtools)
command -v syslinux >/dev/null 2>&1 || need+=(syslinux)
[ -f "$mbr" ] || need+=(syslinux-common)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || die "missing tools; install the Debian packages: ${need[*]}"
  say "installing ${need[*]} (Debian packages, host tools)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
export PATH=$PATH:/usr/sbin:/sbin

tmp=$out.tmp.$$
trap 'rm -f "$tmp" "$tmp.cfg"' EXIT
rm -f "$tmp"
truncate -s "${size_mib}M" "$tmp"

# One primary partition, type 0x0E (FAT16, LBA), active.
printf 'label: dos\nstart=%d, type=e, bootable\n' "$part_start" | sfdisk --quiet "$tmp"
part_sectors=$(( size_mib * 2048 - part_start ))

# The FAT file system inside the partition; -h: hidden sectors = the partition's start, for the boot sector's BPB.
mkfs.fat -F 16 -n ANILLO -h "$part_start" --offset "$part_start" "$tmp" $(( part_sectors / 2 )) >/dev/null

cat > "$tmp.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.cpio
  APPEND console=ttyS0,115200 rdinit=/init
EOF
img="$tmp@@$(( part_start * 512 ))"
mcopy -i "$img" "$vmlinuz" ::/vmlinuz
mcopy -i "$img" "$initramfs" ::/initrd.cpio
mcopy -i "$img" "$tmp.cfg" ::/syslinux.cfg

# SYSLINUX's boot sector and ldlinux.sys/ldlinux.c32 into the partition, then the MBR boot code
# (only the first 440 bytes: the partition table and signature stay).
syslinux --offset $(( part_start * 512 )) --install "$tmp"
dd if="$mbr" of="$tmp" bs=440 count=1 conv=notrunc status=none

mv -f "$tmp" "$out"
trap - EXIT
rm -f "$tmp.cfg"
say "$out (${size_mib} MiB): MBR + FAT16 partition with SYSLINUX, vmlinuz, initrd.cpio"
