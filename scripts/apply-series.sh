#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# apply-series.sh SRC SERIES_DIR: applies the quilt-style series in
# SERIES_DIR to the tree SRC, strictly (no fuzz), stopping at the first patch
# that does not apply and saying which one and why.
. "$(dirname "$0")/common.sh"

[ $# -eq 2 ] || die "usage: $0 SRC SERIES_DIR"
src=$1 series_dir=$2
[ -d "$src" ] || die "no source tree at $src"

n=0
for p in $(series_patches "$series_dir"); do
    [ -f "$series_dir/$p" ] || die "series names $p, which is not in $series_dir"
    if ! out=$(patch -d "$src" -p1 -F0 -N --batch --dry-run < "$series_dir/$p" 2>&1); then
        log "$out"
        die "patch $p does not apply to $src (shown above); the series was not applied." \
            "If QEMU_DEB_VERSION was changed, this patch needs rebasing onto it."
    fi
    patch -d "$src" -p1 -F0 -N --batch --no-backup-if-mismatch -s < "$series_dir/$p"
    n=$((n + 1))
done
log "applied $n patches from $series_dir/series"
