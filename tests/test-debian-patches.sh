#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-debian-patches.sh [DSC]: the series as a Debian packager takes it.
# Unpacks Debian's qemu source (DSC; default: the one the set-up downloaded)
# with
# dpkg-source, exports the series into it (scripts/export-debian-patches.sh)
# and lets dpkg-source --before-build apply it on top of Debian's patches,
# for the whole series and for the fixes part.  TAP.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dsc=${1:-$("$top/scripts/fetch-qemu.sh" --print-dsc)}
n=0 failed=0
ok() {
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
if [ ! -f "$dsc" ]; then
    echo "1..0 # SKIP no Debian qemu source${dsc:+ at $dsc} (the set-up downloads it)"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "1..5"

# applied TREE: the patches dpkg-source has applied, one per line.
applied() { cat "$1/.pc/applied-patches" 2>/dev/null; }

for part in full fixes; do
    tree=$work/$part
    dpkg-source --no-copy -x "$dsc" "$tree" > "$work/unpack.log" 2>&1 ||
        { sed 's/^/# /' "$work/unpack.log"; ok 1 "dpkg-source -x $dsc"; exit 1; }
    debian=$(applied "$tree" | wc -l)
    QEMU_SERIES=$part "$top/scripts/export-debian-patches.sh" "$tree" 2> "$work/export.log" &&
        QEMU_SERIES=$part "$top/scripts/export-debian-patches.sh" "$tree" 2>> "$work/export.log"
    want=$(QEMU_SERIES=$part bash -c ". '$top/scripts/common.sh'; series_patches" | sed 's|^|colo-multifd/|')
    got=$(grep '^colo-multifd/' "$tree/debian/patches/series")
    [ "$got" = "$want" ]
    ok $? "$part: exported twice, series lists each of its $(echo "$want" | wc -l) patches once, after Debian's $debian"
    if [ "$part" = full ]; then
        (cd "$tree" && dpkg-source --before-build . > "$work/apply.log" 2>&1)
        rc=$?
        [ $rc -eq 0 ] || sed 's/^/# /' "$work/apply.log" | tail -20
        [ $rc -eq 0 ] && [ "$(applied "$tree" | grep -c '^colo-multifd/')" -eq "$(echo "$want" | wc -l)" ] &&
            [ -f "$tree/migration/colo-multifd-hooks.c" ]
        ok $? "full: dpkg-source --before-build applies all of them on top of Debian's patches"
        grep -q 'BQL_LOCK_GUARD' "$tree/migration/ram.c"
        ok $? "full: the tree has the series (0002's lock guard in migration/ram.c)"
    else
        (cd "$tree" && dpkg-source --before-build . > "$work/apply.log" 2>&1)
        rc=$?
        [ $rc -eq 0 ] || sed 's/^/# /' "$work/apply.log" | tail -20
        [ $rc -eq 0 ] && ! grep -q 'colo_pages_on_main_channel' "$tree/migration/ram.c"
        ok $? "fixes: applied, and without the performance patches (no 0009 in migration/ram.c)"
    fi
    rm -rf "$tree"
done
exit $failed
