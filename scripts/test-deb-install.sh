#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-deb-install.sh BUILDDIR: `make deb-install-test`.  The packages of
# `make deb` installed with apt in a fresh chroot of the machine's Debian
# release, the rest from the archive, then, inside the chroot, as TAP:
#
#   1. colo-shim (BUILDDIR's) runs upstream's eight COLO cases against
#      /usr/bin/qemu-system-x86_64 with no QEMU_MODULE_DIR: the multifd ones
#      pass only if QEMU finds the module in Debian's module directory;
#   2. an upgrade while QEMU runs: the package's prerm keeps the module in
#      /run/qemu/<version>/, another build's module (the project's own
#      build stands in for the new package's) replaces it in the module
#      directory, and a multifd case still passes (series 0018, 0019);
#   3. apt-get remove of the module package leaves no file of it behind,
#      the saved copy included;
#   4. without it, a multifd case fails with QEMU's clear error naming the
#      missing module, and the plain cases still pass.
#
# The cases run on TCG and the pc machine: what the chroot tests is the
# packaging, the matrix covers accelerators and machine types.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"
. "$(dirname "$0")/deb-chroot.sh"

builddir=$(cd "${1:-$TOPDIR/build}" && pwd)
SHIM=$builddir/shim/colo-shim
QEMU_DEBS=$("$TOPDIR/scripts/build-deb.sh" --print-dir)
MODULE_DEBS=$("$TOPDIR/scripts/build-module-deb.sh" --print-dir)
ROOT=$DEB_DIR/chroot-install
LOG_DIR=$DEB_DIR/install-test
MODULE_PKG=qemu-system-modules-colo-multifd
CASES=(/colo/tcg/pc/plain/primary_failover /colo/tcg/pc/plain/secondary_failover
       /colo/tcg/pc/multifd/primary_failover /colo/tcg/pc/multifd/secondary_failover)
MISSING_MODULE_ERROR="COLO with multifd needs module migration-colo-multifd, which is not installed"

n=0
failed=0
tap() { # tap ok|not-ok DESCRIPTION [DIAGNOSTIC FILE]
    n=$((n + 1))
    if [ "$1" = ok ]; then
        echo "ok $n - $2"
    else
        failed=$((failed + 1))
        echo "not ok $n - $2"
        [ -z "${3:-}" ] || sed 's/^/# /' "$3" | tail -n 30
    fi
}

# shim_in_chroot LOG CASE...: colo-shim inside the chroot, TAP into LOG.
# The pair's bounds are the shim's own; the whole run is bounded as well.
shim_in_chroot() {
    local log=$1 c only=()
    shift
    for c in "$@"; do only+=(--only "$c"); done
    chroot_run "$ROOT" --bind "$(dirname "$SHIM")" /opt/colo-shim -- \
        timeout --kill-after=30 1200 /opt/colo-shim/colo-shim --tap --accel tcg \
        --qemu /usr/bin/qemu-system-x86_64 "${only[@]}" > "$log" 2>&1
}

# upgrade_while_running: dpkg's part of an upgrade of the module package
# while a QEMU runs, done by hand: the installed prerm with "upgrade", then
# another build's module unpacked over this one.
upgrade_while_running() {
    local other=$builddir/module/migration-colo-multifd.so
    chroot_run "$ROOT" --bind "$(dirname "$other")" /opt/other-build -- /bin/sh -ec '
        qemu-system-x86_64 -machine none -display none -nodefaults -monitor none &
        pid=$!
        # Bounded: QEMU names its thread at once, 5 s is plenty.
        for i in $(seq 50); do
            [ "$(cat /proc/$pid/comm 2>/dev/null)" = qemu-system-x86 ] && break
            sleep 0.1
        done
        /var/lib/dpkg/info/'"$MODULE_PKG"'.prerm upgrade 0.1.0
        kill $pid
        wait $pid || true
        cp /opt/other-build/migration-colo-multifd.so /usr/lib/x86_64-linux-gnu/qemu/
        ls -l /run/qemu/*/'
}

# Files of the chroot's root file system, less what apt and dpkg keep
# about packages and what only lives while something runs.
file_list() {
    (cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \
        -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache \
        -o -path ./var/log -o -path ./debs \) -prune -o -print | sort)
}

main() {
    [ "$(id -u)" = 0 ] || die "the install test needs root (chroot, mount namespaces)"
    [ -x "$SHIM" ] || die "$SHIM is missing: run make setup (or make check) first"
    [ -f "$QEMU_DEBS/.complete" ] && [ -f "$MODULE_DEBS/.complete" ] ||
        die "the packages of this tree are not built: run make deb first"
    rm -rf "$LOG_DIR"
    mkdir -p "$LOG_DIR"

    step "fresh chroot of Debian $CHROOT_CODENAME" chroot_new "$ROOT" >&2
    step "apt install the patched qemu-system-x86" \
        chroot_install_qemu "$ROOT" "$QEMU_DEBS" > "$LOG_DIR/apt-qemu.log" 2>&1 ||
        die "installing qemu failed: $LOG_DIR/apt-qemu.log"
    # colo-shim's own libraries, from the archive.
    chroot_apt "$ROOT" install --no-install-recommends libjson-glib-1.0-0 \
        > "$LOG_DIR/apt-shim.log" 2>&1 || die "installing colo-shim's libraries failed"
    # The test's own bind mount points, so that they are no leftover.
    mkdir -p "$ROOT/opt/colo-shim" "$ROOT/opt/other-build"
    file_list > "$LOG_DIR/files-before"
    cp "$MODULE_DEBS/${MODULE_PKG}_"*.deb "$ROOT/debs/"
    chroot_apt "$ROOT" install "/debs/$(cd "$MODULE_DEBS" && ls "${MODULE_PKG}_"*.deb)" \
        > "$LOG_DIR/apt-module.log" 2>&1 || die "installing $MODULE_PKG failed: $LOG_DIR/apt-module.log"

    echo "1..7"
    chroot_run "$ROOT" -- dpkg -L "$MODULE_PKG" > "$LOG_DIR/module-files"
    if grep -qx "/usr/lib/x86_64-linux-gnu/qemu/migration-colo-multifd.so" "$LOG_DIR/module-files"; then
        tap ok "$MODULE_PKG installs the module into Debian's module directory"
    else
        tap not-ok "$MODULE_PKG installs the module into Debian's module directory" "$LOG_DIR/module-files"
    fi

    local log=$LOG_DIR/cases-with-module.tap
    step "upstream's eight cases in the chroot" \
        shim_in_chroot "$log" "${CASES[@]}" >&2 || true
    if [ "$(grep -c '^ok ' "$log")" = 8 ] && ! grep -q '^not ok' "$log"; then
        tap ok "upstream's eight cases pass against /usr/bin/qemu-system-x86_64 (no QEMU_MODULE_DIR)"
    else
        tap not-ok "upstream's eight cases pass against /usr/bin/qemu-system-x86_64" "$log"
    fi
    sed 's/^/#   /' "$log" | grep -E '^#   (ok|not ok)'

    upgrade_while_running > "$LOG_DIR/upgrade.log" 2>&1
    if grep -q "keeping migration-colo-multifd.so in /run/qemu/Debian_" "$LOG_DIR/upgrade.log" &&
            grep -q "migration-colo-multifd.so$" "$LOG_DIR/upgrade.log"; then
        tap ok "prerm upgrade with QEMU running keeps the module in /run/qemu/<version>/"
    else
        tap not-ok "prerm upgrade with QEMU running keeps the module in /run/qemu/<version>/" \
            "$LOG_DIR/upgrade.log"
    fi
    log=$LOG_DIR/cases-after-upgrade.tap
    shim_in_chroot "$log" /colo/tcg/pc/multifd/secondary_failover || true
    if [ "$(grep -c '^ok ' "$log")" = 2 ] && ! grep -q '^not ok' "$log"; then
        tap ok "with another build's module in the module directory, QEMU loads the saved one"
    else
        tap not-ok "with another build's module in the module directory, QEMU loads the saved one" "$log"
    fi

    chroot_apt "$ROOT" remove "$MODULE_PKG" > "$LOG_DIR/apt-remove.log" 2>&1
    file_list > "$LOG_DIR/files-after"
    if diff -u "$LOG_DIR/files-before" "$LOG_DIR/files-after" > "$LOG_DIR/files.diff"; then
        tap ok "apt-get remove $MODULE_PKG leaves no file behind, the saved copy included"
    else
        tap not-ok "apt-get remove $MODULE_PKG leaves no file behind" "$LOG_DIR/files.diff"
    fi

    log=$LOG_DIR/cases-without-module.tap
    shim_in_chroot "$log" /colo/tcg/pc/multifd/primary_failover /colo/tcg/pc/plain/primary_failover || true
    if grep -Eq "^not ok [0-9]+ /colo/tcg/pc/multifd/primary_failover( |$)" "$log" &&
            grep -qF "$MISSING_MODULE_ERROR" "$log"; then
        tap ok "without the module, multifd fails with: $MISSING_MODULE_ERROR"
    else
        tap not-ok "without the module, multifd fails with QEMU's error naming the module" "$log"
    fi
    if [ "$(grep -c '^ok .*/plain/primary_failover' "$log")" = 2 ]; then
        tap ok "without the module, the plain cases pass"
    else
        tap not-ok "without the module, the plain cases pass" "$log"
    fi
    log "logs: $LOG_DIR"
    rm -rf "$ROOT"
    [ "$failed" -eq 0 ]
}

main "$@"
