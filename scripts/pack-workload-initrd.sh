#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pack-workload-initrd.sh OUT BASE WORKLOAD: the Linux guest's initrd BASE
# (fetch-guest-linux.sh) with the workload program added as
# /bin/colo-workload, for meson.  The kernel unpacks initramfs archives
# one after the other into the same root, so OUT is BASE followed by a
# small archive of its own: the packages are not unpacked again for a
# change of the workload.
set -euo pipefail
out=$1 base=$2 workload=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/bin"
install -m 755 "$workload" "$tmp/root/bin/colo-workload"
# Fixed times, order and owners, as for BASE: the same inputs, the same OUT.
find "$tmp/root" -exec touch -h -d @0 {} +
(cd "$tmp/root" && find . | LC_ALL=C sort |
    cpio -o -H newc --owner 0:0 --reproducible --quiet) | gzip -9n > "$tmp/overlay"
# Each archive starts on a 4-byte boundary, where the kernel looks for the
# next one; it skips the zeros in between.
pad=$(( (4 - $(stat -c %s "$base") % 4) % 4 ))
{ cat "$base"; head -c "$pad" /dev/zero; cat "$tmp/overlay"; } > "$out.tmp"
mv "$out.tmp" "$out"
