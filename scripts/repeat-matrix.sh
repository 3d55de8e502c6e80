#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# repeat-matrix.sh BUILDDIR N [SHIM OPTIONS...]: runs the matrix (or the
# cases chosen with -p) N times in a row against this project's QEMU and
# module, then prints per case how many runs passed and their total time.
# For flake hunting; the first failure of each case is kept in full.
. "$(dirname "$0")/common.sh"

builddir=$1 runs=$2
shift 2
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)
results=$(mktemp)
failures=$(mktemp)
trap 'rm -f "$results"' EXIT

for i in $(seq "$runs"); do
    log "run $i/$runs"
    # A failing run is counted, not fatal: it is what this script looks for.
    { "$builddir/shim/colo-shim" --tap --qemu "$prefix/bin/qemu-system-x86_64" \
        --module-dir "$builddir/module" "$@" 2>&1 || true; } |
        tee -a "$failures" |
        awk '/^# \/colo\/.*: [0-9.]+ s$/ { t[$2] = $3 }
             /^(ok|not ok) / { path = ($1 == "ok") ? $3 : $4;
                               r = ($1 == "ok") ? "pass" : "FAIL";
                               if (/ # SKIP/) r = "skip";
                               print path, r, t[path ":"] }' \
        >> "$results"
done
# A skipped run is neither passed nor failed: counted apart.
printf '%-52s %7s %7s %10s\n' case passed skipped "total s"
awk '{ n[$1]++; p[$1] += ($2 == "pass"); k[$1] += ($2 == "skip"); s[$1] += $3 }
     END { for (c in n) printf "%-52s %3d/%-3d %7d %10.1f\n", c, p[c], n[c] - k[c], k[c], s[c] }' \
    "$results" | sort
if grep -q FAIL "$results"; then
    log "failed runs' output: $failures"
    exit 1
fi
rm -f "$failures"
