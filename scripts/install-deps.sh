#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs, by Debian package name, everything the build and the tests need.
# Idempotent: does nothing when all is already there.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"

# From the machine's own release.
BASE_PACKAGES=(
    # QEMU's build
    gcc make pkg-config ninja-build flex bison dpkg-dev patch python3 python3-venv
    libglib2.0-dev libpixman-1-dev libfdt-dev libzstd-dev zlib1g-dev
    ccache
    # QEMU's own x86 option ROMs (configure probes gcc -m32 for them)
    gcc-multilib
    # the shim, the guest, the tests
    binutils libjson-glib-dev valgrind iproute2 gnuplot-nox
    # the Linux guest's initrd (fetch-guest-linux.sh): its archive, depmod
    cpio kmod
    # the workload, linked statically into the guest (libc.a)
    libc6-dev
    # the Debian packages: the module package's build and check (make
    # check), make deb's chroots
    debhelper lintian debootstrap
)
# QEMU 10.0 needs meson >= 1.5; the release has 1.0.
BACKPORT_PACKAGES=(meson python3-pycotap)

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            echo "$p"
    done
}

meson_new_enough() {
    "$SYS_PYTHON" - <<'EOF' 2>/dev/null
import sys, mesonbuild.coredata as c
sys.exit(0 if tuple(map(int, c.version.split('.')[:2])) >= (1, 5) else 1)
EOF
}

main() {
    local base backports codename
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    base=$(missing_packages "${BASE_PACKAGES[@]}")
    backports=$(missing_packages "${BACKPORT_PACKAGES[@]}")
    meson_new_enough || backports="${BACKPORT_PACKAGES[*]}"
    if [ -z "$base" ] && [ -z "$backports" ]; then
        log "all build and test packages are installed"
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || die "packages missing ($base $backports) and not root: install them or run as root"
    apt_private_update
    # shellcheck disable=SC2086
    [ -z "$base" ] || apt_private install --no-install-recommends $base >&2
    local pkgs=() p
    for p in $backports; do pkgs+=("$p/$codename-backports"); done
    [ ${#pkgs[@]} -eq 0 ] || apt_private install --no-install-recommends "${pkgs[@]}" >&2
    meson_new_enough || die "meson >= 1.5 still missing after installing it from $codename-backports"
}

main "$@"
