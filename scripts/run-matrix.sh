#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-matrix.sh BUILDDIR [SHIM OPTIONS...]: the main job's last step, the COLO
# failover matrix against the QEMU this project built, in TAP.
. "$(dirname "$0")/common.sh"

builddir=${1:-$TOPDIR/build}
shift || true
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)

step "COLO failover matrix" "$builddir/shim/colo-shim" --tap \
    --qemu "$prefix/bin/qemu-system-x86_64" --module-dir "$builddir/module" "$@"
