# SPDX-License-Identifier: GPL-2.0-or-later
# Chroots of the machine's own Debian release, for building the Debian
# packages and for installing them (build-deb.sh, test-deb-install.sh), so
# that neither touches the machine's own packages.  Sourced after common.sh
# and debian-apt.sh.
#
# A minimal base is bootstrapped once from the mirror the machine uses and
# cached; every use starts from a fresh copy of it, so no run sees what
# another left behind.

DEB_DIR=$COLO_CACHE_DIR/deb
CHROOT_CODENAME=$(. /etc/os-release && echo "$VERSION_CODENAME")
CHROOT_BASE=$DEB_DIR/base-$CHROOT_CODENAME

# The cached base: debootstrap minbase with the same apt sources as the
# private configuration (the machine's, its backports, QEMU's suite pinned).
chroot_base() {
    [ -f "$CHROOT_BASE/.complete" ] && return 0
    command -v debootstrap >/dev/null ||
        die "debootstrap is not installed (scripts/install-deps.sh installs it)"
    local mirror tmp=$CHROOT_BASE.tmp
    mirror=$(system_debian_mirror)
    [ -n "$mirror" ] || die "no Debian '$CHROOT_CODENAME' source in the machine's apt configuration"
    rm -rf "$CHROOT_BASE" "$tmp"
    mkdir -p "$DEB_DIR"
    log "bootstrapping a minimal $CHROOT_CODENAME into $CHROOT_BASE (once; about 1 min)"
    debootstrap --variant=minbase --keyring="$KEYRING" \
        "$CHROOT_CODENAME" "$tmp" "$mirror" > "$DEB_DIR/debootstrap.log" 2>&1 ||
        die "debootstrap failed; its log: $DEB_DIR/debootstrap.log"
    apt_private_sources > "$tmp/etc/apt/sources.list"
    apt_private_preferences > "$tmp/etc/apt/preferences.d/colo-multifd"
    touch "$tmp/.complete"
    mv "$tmp" "$CHROOT_BASE"
}

# chroot_new DIR: DIR becomes a fresh copy of the base.
chroot_new() {
    chroot_base
    rm -rf "$1"
    cp -a "$CHROOT_BASE" "$1"
    rm -f "$1/.complete"
    cp /etc/resolv.conf "$1/etc/resolv.conf"
}

# chroot_run DIR [--bind SRC DST]... -- CMD...: CMD as root inside DIR, in
# mount and PID namespaces of its own: /proc, /sys, /dev and the binds
# exist for it alone, and whatever it leaves running dies with it.
chroot_run() {
    local dir=$1 binds=()
    shift
    while [ "$1" = --bind ]; do
        binds+=("$2" "$3")
        shift 3
    done
    [ "$1" = -- ] || die "chroot_run: -- expected before the command"
    shift
    # shellcheck disable=SC2016
    unshare --mount --pid --fork --propagation private -- /bin/sh -ec '
        d=$1; shift
        mount -t proc proc "$d/proc"
        mount -t sysfs sys "$d/sys"
        mount --rbind /dev "$d/dev"
        while [ "$1" != -- ]; do
            mkdir -p "$d$2"
            mount --bind "$1" "$d$2"
            shift 2
        done
        shift
        chroot "$d" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            DEBIAN_FRONTEND=noninteractive "$@"' sh "$dir" "${binds[@]}" -- "$@"
}

# chroot_apt DIR ARGS...: apt-get inside DIR, quiet and without questions;
# downloaded packages are kept across chroots (apt checks them again).
chroot_apt() {
    local dir=$1
    shift
    mkdir -p "$DEB_DIR/apt-archives/partial"
    chroot_run "$dir" --bind "$DEB_DIR/apt-archives" /var/cache/apt/archives -- \
        apt-get -q -y -o APT::Sandbox::User=root -o APT::Keep-Downloaded-Packages=true "$@"
}

# chroot_build_tools DIR [PACKAGE...]: what a package build needs beyond
# its Build-Depends, meson from backports (the release's is too old for
# QEMU 10.0 and for the module), and PACKAGEs.
chroot_build_tools() {
    local dir=$1
    shift
    chroot_apt "$dir" install --no-install-recommends build-essential \
        "meson/$CHROOT_CODENAME-backports" "$@"
}

# chroot_publish DIR OUT FILE...: the built FILEs (paths relative to DIR:
# the caller expands its patterns there) into OUT, which appears complete
# or not at all; DIR goes.
chroot_publish() {
    local dir=$1 out=$2 f
    shift 2
    rm -rf "$out.tmp"
    mkdir -p "$out.tmp"
    for f in "$@"; do
        cp "$dir/$f" "$out.tmp/"
    done
    touch "$out.tmp/.complete"
    rm -rf "$out"
    mv "$out.tmp" "$out"
    rm -rf "$dir"
}

# chroot_install_qemu DIR DEBS: the patched qemu-system-x86 of the package
# directory DEBS (build-deb.sh) installed in DIR with apt, the rest from
# the archive: what Debian 13 pairs with QEMU 10.0 and Debian 12 lacks,
# qemu-system-data (architecture-independent, untouched by the series) of
# the same Debian version and seabios, from QEMU's suite by name.
chroot_install_qemu() {
    local dir=$1 debs=$2 p f files=()
    mkdir -p "$dir/debs"
    for p in qemu-system-x86 qemu-system-common; do
        f=$(cd "$debs" && ls "${p}_"*_amd64.deb) || die "no $p package in $debs"
        cp "$debs/$f" "$dir/debs/"
        files+=("/debs/$f")
    done
    chroot_apt "$dir" update &&
        chroot_apt "$dir" install --no-install-recommends "${files[@]}" \
            "qemu-system-data=$QEMU_DEB_VERSION" "seabios/$QEMU_DEB_SUITE"
}
