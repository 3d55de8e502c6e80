#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-module-deb.sh [--print-dir]: `make deb`'s second half, the package
# qemu-system-modules-colo-multifd (source and binary) from this project's
# debian/, built in a fresh chroot where the patched qemu-system-x86 of
# build-deb.sh is installed: the module's stamp and its dependency come
# from that installed QEMU, as they would on a Debian build daemon.
# Keyed like build-deb.sh: a second run with nothing changed only prints
# where the packages are.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"
. "$(dirname "$0")/deb-chroot.sh"

QEMU_DEBS=$("$TOPDIR/scripts/build-deb.sh" --print-dir)

module_key() {
    {
        echo "$QEMU_DEBS"
        cat "$0"
        project_files | grep -E '^(debian|module|include)/|^meson\.(build|options)$' |
            sort | while read -r f; do echo "$f"; cat "$TOPDIR/$f"; done
    } | sha256sum | cut -c1-12
}
OUT_DIR=$DEB_DIR/module-$(module_key)

build_module_package() {
    local root=$1
    # Each step must succeed: step() runs this where set -e does not apply.
    chroot_install_qemu "$root" "$QEMU_DEBS" || return
    mkdir -p "$root/build/colo-multifd"
    (cd "$TOPDIR" && project_files | tar -cf - -T -) | tar -xf - -C "$root/build/colo-multifd" ||
        return
    chroot_build_tools "$root" || return
    chroot_apt "$root" build-dep /build/colo-multifd || return
    chroot_run "$root" -- /bin/sh -c 'cd /build/colo-multifd && dpkg-buildpackage -us -uc'
}

main() {
    if [ "${1:-}" = --print-dir ]; then
        echo "$OUT_DIR"
        return
    fi
    [ "$(id -u)" = 0 ] || die "make deb needs root (debootstrap, chroot, mount namespaces)"
    [ -f "$QEMU_DEBS/.complete" ] || die "no qemu packages in $QEMU_DEBS: run scripts/build-deb.sh first"
    if [ -f "$OUT_DIR/.complete" ]; then
        log "the module package of this tree is built: $OUT_DIR"
        return 0
    fi
    local root=$DEB_DIR/chroot-module
    step "chroot of Debian $CHROOT_CODENAME with the patched qemu-system-x86" chroot_new "$root"
    step "build qemu-system-modules-colo-multifd" build_module_package "$root"
    (cd "$root" && chroot_publish "$root" "$OUT_DIR" \
        build/*.deb build/*.changes build/*.dsc build/*.tar.* build/*.buildinfo)
    log "module package: $OUT_DIR"
}

main "$@"
