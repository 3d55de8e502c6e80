#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-matrix.sh BUILDDIR [SHIM OPTIONS...]: the main job's last step, the COLO
# failover matrix against the QEMU and module this project built, with both
# QEMUs under valgrind memcheck (RUN_VALGRIND=0: natively), in TAP, ending
# with a summary table.
. "$(dirname "$0")/common.sh"

builddir=${1:-$TOPDIR/build}
shift || true
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)

# Under valgrind every case but the sweeps (those are option variations).
valgrind=(--valgrind --valgrind-supp "$TOPDIR/tests/valgrind.supp"
          --only '/colo/*/plain' --only '/colo/*/multifd' --only '/colo/*/precopy')
if [ "${RUN_VALGRIND:-1}" = 0 ]; then
    valgrind=()
fi
step "COLO failover matrix${valgrind:+ under valgrind memcheck}" \
    "$builddir/shim/colo-shim" --tap --qemu "$prefix/bin/qemu-system-x86_64" \
    --module-dir "$builddir/module" "${valgrind[@]}" "$@"
