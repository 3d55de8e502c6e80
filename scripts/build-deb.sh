#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-deb.sh [--print-dir]: `make deb`'s first half, the Debian packages
# of the patched QEMU, built in a chroot of the machine's own Debian release
# (as a Debian build daemon would): Debian's qemu source, as fetch-qemu.sh
# downloads and verifies it, with the project's series under
# debian/patches/colo-multifd/ (DEB_SERIES: fixes, the default, or full),
# the packaging patches of packaging/qemu-debian/ and a changelog entry
# with a local version, built for x86 only (build profile
# pkg.qemu.x86-only).  build-module-deb.sh builds the module's package
# against them, lint-deb.sh runs lintian on both.
#
# The packages land in one directory keyed by what they are made of
# (printed by --print-dir); a second run with nothing changed only prints
# it.  The compiler cache survives across keys, so a changed patch costs a
# recompile of what it touches, not a whole build.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"
. "$(dirname "$0")/deb-chroot.sh"

: "${DEB_SERIES:=fixes}"
QEMU_DEB_PROFILES=pkg.qemu.x86-only,pkg.qemu.omit-user,pkg.qemu.omit-system-xen,pkg.qemu.use-upstream-vdso,nocheck
PACKAGING_DIR=$TOPDIR/packaging/qemu-debian
DEB_CCACHE=$DEB_DIR/ccache

# What the packages are made of.  Not these scripts: a change of them that
# changes the packages changes DEB_LOCAL_VERSION, as for any new build.
deb_key() {
    {
        echo "$QEMU_DEB_VERSION $DEB_LOCAL_VERSION $QEMU_DEB_PROFILES"
        QEMU_SERIES=$DEB_SERIES series_hash
        for patch in $(series_patches "$PACKAGING_DIR" full); do
            echo "$patch"
            cat "$PACKAGING_DIR/$patch"
        done
    } | sha256sum | cut -c1-12
}
OUT_DIR=$DEB_DIR/qemu-$(deb_key)
QEMU_PKG_VERSION=$QEMU_DEB_VERSION$DEB_LOCAL_VERSION

# The unpacked source, patched, with its changelog entry, in DEST.
prepare_qemu_source() {
    local dest=$1 dsc upstream patch
    "$TOPDIR/scripts/fetch-qemu.sh"
    dsc=$("$TOPDIR/scripts/fetch-qemu.sh" --print-dsc)
    upstream=${QEMU_DEB_VERSION#*:}
    upstream=${upstream%-*}
    mkdir -p "$dest"
    cp "$(dirname "$dsc")"/qemu_* "$dest/"
    dpkg-source --no-copy -x "$dsc" "$dest/qemu-$upstream" >&2
    QEMU_SERIES=$DEB_SERIES "$TOPDIR/scripts/export-debian-patches.sh" "$dest/qemu-$upstream"
    for patch in $(series_patches "$PACKAGING_DIR" full); do
        patch -d "$dest/qemu-$upstream" -p1 -s --no-backup-if-mismatch < "$PACKAGING_DIR/$patch" ||
            die "packaging/qemu-debian/$patch does not apply to qemu $QEMU_DEB_VERSION"
    done
    add_changelog_entry "$dest/qemu-$upstream/debian/changelog"
    echo "$dest/qemu-$upstream"
}

add_changelog_entry() {
    local changelog=$1 tmp
    tmp=$(mktemp)
    cat > "$tmp" <<EOF
qemu ($QEMU_PKG_VERSION) $CHROOT_CODENAME; urgency=medium

  * Local build by colo-multifd for Debian $CHROOT_CODENAME, x86 only.
  * debian/patches/colo-multifd/: the project's series, $DEB_SERIES part
    (series hash $(QEMU_SERIES=$DEB_SERIES series_hash)).
  * Build without libblkio, which Debian $CHROOT_CODENAME lacks.
  * New build profile pkg.qemu.x86-only.

 -- colo-multifd project <maintainers@users.noreply.r-seed-b0171215.example>  $(date -R)

EOF
    cat "$changelog" >> "$tmp"
    mv "$tmp" "$changelog"
    chmod 644 "$changelog"
}

# Build dependencies into the chroot, then the source and arch packages.
build_qemu_packages() {
    local root=$1 tree=$2
    # Each step must succeed: step() runs this where set -e does not apply.
    chroot_apt "$root" update || return
    chroot_build_tools "$root" ccache || return
    chroot_apt "$root" build-dep --arch-only -P "$QEMU_DEB_PROFILES" "/build/${tree##*/}" ||
        return
    mkdir -p "$DEB_CCACHE"
    # CC=gcc: QEMU's configure takes "cc" by default, and Debian's ccache
    # has no "cc" in /usr/lib/ccache (gcc, g++ and the triplet names only).
    chroot_run "$root" --bind "$DEB_CCACHE" /ccache -- /bin/sh -c '
        cd "$1" && CCACHE_DIR=/ccache PATH=/usr/lib/ccache:$PATH CC=gcc CXX=g++ \
            DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
            dpkg-buildpackage --build=source,any -P"$2" -us -uc' \
        sh "/build/${tree##*/}" "$QEMU_DEB_PROFILES"
}

main() {
    if [ "${1:-}" = --print-dir ]; then
        echo "$OUT_DIR"
        return
    fi
    [ "$(id -u)" = 0 ] || die "make deb needs root (debootstrap, chroot, mount namespaces)"
    if [ -f "$OUT_DIR/.complete" ]; then
        log "packages of this tree are built: $OUT_DIR"
        return 0
    fi
    local root=$DEB_DIR/chroot-build tree
    step "chroot of Debian $CHROOT_CODENAME for the build" chroot_new "$root"
    tree=$(prepare_qemu_source "$root/build")
    step "build qemu $QEMU_PKG_VERSION, x86 only (first time: about 21 min on 2 cores)" \
        build_qemu_packages "$root" "$tree"
    # This build's files (not Debian's .dsc it was unpacked from), and the
    # upstream tarball its source package refers to.
    (cd "$root" && chroot_publish "$root" "$OUT_DIR" \
        build/*"_${QEMU_PKG_VERSION#*:}"[._]* build/qemu_*.orig.tar.*)
    log "packages: $OUT_DIR"
}

main "$@"
