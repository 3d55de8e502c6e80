#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# setup.sh BUILDDIR: everything `make run` and `make check` need, in order,
# each step timed: Debian packages, the QEMU source, the QEMU build, and this
# project's meson build in BUILDDIR.  Idempotent; quick when nothing changed.
. "$(dirname "$0")/common.sh"

builddir=${1:-$TOPDIR/build}

qemu_version() {
    local v=${QEMU_DEB_VERSION#*:}
    echo "${v%%+*}"
}

configure_project() {
    local prefix opts guest
    prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)
    opts=(-Dqemu_prefix="$prefix" -Dqemu_version="$(qemu_version)"
          -Dqemu_series="$QEMU_SERIES")
    if [ -n "${QEMU_EXTERNAL_SRC:-}" ]; then
        opts=(-Dqemu_prefix="$prefix" -Dqemu_version= -Dqemu_series=external)
    fi
    guest=$("$TOPDIR/scripts/fetch-guest-linux.sh" --print-dir) || return
    opts+=(-Dguest_linux_dir="$guest")
    if [ -f "$builddir/build.ninja" ]; then
        meson configure "$builddir" "${opts[@]}" >/dev/null
    else
        meson setup "$builddir" "$TOPDIR" "${opts[@]}" >/dev/null
    fi
}

step "install Debian packages" "$TOPDIR/scripts/install-deps.sh"
if [ -z "${QEMU_EXTERNAL_SRC:-}" ]; then
    step "fetch and patch Debian's qemu $QEMU_DEB_VERSION" "$TOPDIR/scripts/fetch-qemu.sh"
fi
step "fetch the firmware of Debian's $QEMU_DEB_SUITE (seabios, ipxe-qemu)" \
    "$TOPDIR/scripts/fetch-firmware.sh"
step "build QEMU (first time: about 11 min on 2 cores)" "$TOPDIR/scripts/build-qemu.sh"
step "fetch and pack the Linux guest (linux-image-cloud-amd64, busybox-static)" \
    "$TOPDIR/scripts/fetch-guest-linux.sh"
# The baseline of QEMU's own migration tests: Debian's qemu without the
# series, and migration-test built from it (scripts/qemu-migration-test.sh).
stock_qemu() {
    QEMU_SERIES=none "$TOPDIR/scripts/fetch-qemu.sh" &&
        QEMU_SERIES=none "$TOPDIR/scripts/build-qemu.sh" &&
        QEMU_SERIES=none "$TOPDIR/scripts/build-qemu.sh" --migration-test
}
step "build stock QEMU and its migration-test (first time: about 12 min)" stock_qemu
step "configure colo-multifd in $builddir" configure_project
step "build colo-multifd" meson compile -C "$builddir"
