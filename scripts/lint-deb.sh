#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lint-deb.sh: lintian on make deb's source and binary packages (the qemu
# ones and the module's), each report kept beside its packages.  Fails on
# any error or warning about the module's packages, and on any about the
# qemu ones that packaging/qemu-debian/lintian-expected does not list with
# its reason (Debian's own packaging, Debian 12's older lintian).
. "$(dirname "$0")/common.sh"

QEMU_DEBS=$("$TOPDIR/scripts/build-deb.sh" --print-dir)
MODULE_DEBS=$("$TOPDIR/scripts/build-module-deb.sh" --print-dir)
EXPECTED=$TOPDIR/packaging/qemu-debian/lintian-expected

# lint DIR: lintian on DIR's .changes into DIR/lintian.txt; prints each
# error and warning tag with its count, and the tags alone on stdout.
lint() {
    local dir=$1
    lintian --display-level '>=warning' "$dir"/*.changes > "$dir/lintian.txt" 2>&1 || true
    log "lintian on $(cd "$dir" && ls ./*.changes | sed 's|^\./||'): $dir/lintian.txt"
    # "E: PACKAGE[ TYPE]: TAG details"; none at all is what we hope for.
    { grep -E '^[EW]: ' "$dir/lintian.txt" || true; } | sed -E 's/^([EW]: [^:]+: [^ ]+).*/\1/' |
        sort | uniq -c | sed 's/^/  /' >&2
    { grep -E '^[EW]: ' "$dir/lintian.txt" || true; } | sed -E 's/^[EW]: [^:]+: ([^ ]+).*/\1/' |
        sort -u
}

unexpected=$(lint "$QEMU_DEBS" | grep -vxF -f <(awk '!/^#/ && NF {print $1}' "$EXPECTED")) || true
[ -z "$unexpected" ] ||
    die "lintian tags on the qemu packages not in packaging/qemu-debian/lintian-expected: $unexpected"
module_tags=$(lint "$MODULE_DEBS")
[ -z "$module_tags" ] || die "lintian on the module package: $module_tags"
log "lintian: the module package clean; the qemu packages only with the expected tags"
