#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# export-debian-patches.sh TREE: puts the project's series (the part
# QEMU_SERIES names: full or fixes) into an unpacked Debian qemu source
# TREE, as a packager would: the patches under debian/patches/colo-multifd/
# and their names appended to debian/patches/series, after Debian's own.
# Run again, it replaces what it added before (nothing else in series
# changes).  dpkg-source --before-build TREE then applies them.
. "$(dirname "$0")/common.sh"

SUBDIR=colo-multifd

[ $# -eq 1 ] || die "usage: $0 TREE (an unpacked Debian qemu source)"
tree=$1
series=$tree/debian/patches/series
[ -f "$series" ] || die "$tree has no debian/patches/series: not an unpacked Debian source"
[ "$QEMU_SERIES" != none ] || die "QEMU_SERIES=none: there is nothing to export"

mapfile -t patches < <(series_patches)
rm -rf "${tree:?}/debian/patches/$SUBDIR"
mkdir -p "$tree/debian/patches/$SUBDIR"
for p in "${patches[@]}"; do
    install -m 644 "$SERIES_DIR/$p" "$tree/debian/patches/$SUBDIR/$p"
done
# Drop an earlier export (its header line and entries), then append.
tmp=$(mktemp)
grep -v -e "^$SUBDIR/" -e "^# $SUBDIR:" "$series" > "$tmp" || true
{
    cat "$tmp"
    echo "# $SUBDIR: COLO fixes and the module hook (QEMU_SERIES=$QEMU_SERIES)"
    printf "$SUBDIR/%s\n" "${patches[@]}"
} > "$series"
rm -f "$tmp"
log "exported ${#patches[@]} patches to $tree/debian/patches/$SUBDIR (series: $QEMU_SERIES)"
