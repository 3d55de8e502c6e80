#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lint-deb.sh: lintian on make deb's source and binary packages (the qemu
# ones and the module's), each report kept beside its packages.  Fails on
# an error or warning in the packages this project makes or changes: the
# module's all, the qemu ones' except what Debian's own qemu 10.0 upload
# shows as well (README, "Debian packages", lists and explains them).
. "$(dirname "$0")/common.sh"

QEMU_DEBS=$("$TOPDIR/scripts/build-deb.sh" --print-dir)
MODULE_DEBS=$("$TOPDIR/scripts/build-module-deb.sh" --print-dir)

# lint DIR: lintian on DIR's .changes into DIR/lintian.txt; prints the tags
# with how often each occurs.
lint() {
    local dir=$1 rc=0
    lintian --info --display-level '>=warning' "$dir"/*.changes > "$dir/lintian.txt" 2>&1 || rc=$?
    log "lintian on $(cd "$dir" && ls ./*.changes | sed 's|^\./||'): $dir/lintian.txt"
    grep -E '^[EW]: ' "$dir/lintian.txt" | awk '{print $1, $2, $3}' | sort | uniq -c | sed 's/^/  /' >&2
    return $rc
}

lint "$QEMU_DEBS" || true
lint "$MODULE_DEBS" || die "lintian reports errors on the module package"
if grep -q '^[EW]: ' "$MODULE_DEBS/lintian.txt"; then
    die "lintian warns about the module package ($MODULE_DEBS/lintian.txt)"
fi
