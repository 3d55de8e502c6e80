#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh BUILDDIR OUTDIR [SHIM OPTIONS...]: the long soak (make soak). One
# COLO session of SOAK_CHECKPOINTS (default 5000) checkpoints at
# x-checkpoint-delay 100 with the matrix's loaded guest, plain and multifd,
# on pc, on KVM where it can run (TCG where not); both QEMUs sampled every
# 100 checkpoints.  Writes OUTDIR/<accel>-pc-{plain,multifd}.csv,
# OUTDIR/soak.tap and OUTDIR/soak.png; fails when a case fails (growth after
# the warm-up beyond soak.c's bounds, or the failover at the end).
. "$(dirname "$0")/common.sh"

builddir=$1 outdir=$2
shift 2
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)
shim=("$builddir/shim/colo-shim" --qemu "$prefix/bin/qemu-system-x86_64"
      --module-dir "$builddir/module")
checkpoints=${SOAK_CHECKPOINTS:-5000}
accel=tcg
if "${shim[@]}" --kvm-probe >/dev/null; then
    accel=kvm
fi
mkdir -p "$outdir"
rm -f "$outdir"/*.csv

soak() {
    "${shim[@]}" --tap --accel "$accel" --machine pc \
        --only "/colo/$accel/pc/soak" --soak-checkpoints "$checkpoints" \
        --soak-every 100 --soak-csv-dir "$outdir" "$@" |
        tee "$outdir/soak.tap"
    return "${PIPESTATUS[0]}"
}

plot() {
    gnuplot -e "dir='$outdir'; accel='$accel'; png='$outdir/soak.png'" \
        "$TOPDIR/scripts/soak-plot.gp"
}

rc=0
step "soak: $checkpoints checkpoints ($accel, pc), plain and multifd" soak "$@" ||
    rc=$?
step "plot $outdir/soak.png" plot
exit "$rc"
