#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh BUILDDIR OUTDIR [colo-bench OPTIONS...]: the checkpoint pause
# benchmark against this project's QEMU and module; writes OUTDIR/bench.json,
# OUTDIR/bench.tsv, OUTDIR/bench.txt (the printed table) and
# OUTDIR/pause-cdf.png.
. "$(dirname "$0")/common.sh"

builddir=$1 outdir=$2
shift 2
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)
mkdir -p "$outdir"

run_bench() {
    "$builddir/shim/colo-bench" --qemu "$prefix/bin/qemu-system-x86_64" \
        --module-dir "$builddir/module" --json "$outdir/bench.json" \
        --tsv "$outdir/bench.tsv" "$@" | tee "$outdir/bench.txt"
}

plot() {
    gnuplot -e "tsv='$outdir/bench.tsv'; png='$outdir/pause-cdf.png'" \
        "$TOPDIR/scripts/bench-plot.gp"
}

step "colo-bench: checkpoint pause, plain vs multifd" run_bench "$@"
step "plot $outdir/pause-cdf.png" plot
