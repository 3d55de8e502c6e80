#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-qemu.sh [--print-prefix|--print-build-dir|--migration-test]: builds
# and installs the patched QEMU into a cache directory keyed by source
# version, series hash and configure options, so an unchanged QEMU is never
# built twice.  --print-prefix and --print-build-dir only print where that
# installation and its build are (or will be); --migration-test builds QEMU's
# own tests/qtest/migration-test in that (configured) build.
#
# QEMU_EXTERNAL_SRC=/path/to/qemu builds a tree of your own instead of
# Debian's (incrementally, keyed by its path): the series is not applied.
. "$(dirname "$0")/common.sh"

CONFIGURE_OPTS=(
    --target-list=x86_64-softmmu
    --enable-modules
    --without-default-features
    --enable-tcg
    --enable-kvm
    --enable-replication
    --enable-zstd
    --enable-fdt=system
    --disable-docs
    --disable-install-blobs
    --disable-tools
    --disable-guest-agent
)
# The patched QEMU brings its own qemu-img, which makes the disk cases'
# images, and COLO's network filters (filter-rewriter needs colo-proxy;
# colo-compare comes with replication); the stock build exists for
# migration-test alone.
if [ "$QEMU_SERIES" != none ]; then
    CONFIGURE_OPTS=("${CONFIGURE_OPTS[@]/#--disable-tools/--enable-tools}"
                    --enable-colo-proxy)
fi

# QEMU's module stamp hashes the version, this string and configure: naming
# the series here ties modules to this patched build, not any 10.0.13.
pkgversion() {
    if [ -n "${QEMU_EXTERNAL_SRC:-}" ]; then
        echo "colo-multifd-external"
    elif [ "$QEMU_SERIES" = none ]; then
        echo "colo-multifd-stock"
    else
        echo "colo-multifd-$(series_hash)"
    fi
}

build_key() {
    if [ -n "${QEMU_EXTERNAL_SRC:-}" ]; then
        printf 'external-%s' "$(realpath "$QEMU_EXTERNAL_SRC" | sha256sum | cut -c1-12)"
        return
    fi
    local v=${QEMU_DEB_VERSION#*:}
    printf '%s-%s' "${v%%+*}" "$(printf '%s\n' "$QEMU_DEB_VERSION" "$(series_hash)" \
        "$(pkgversion)" "${CONFIGURE_OPTS[@]}" "$INSTALL_LAYOUT" | sha256sum | cut -c1-12)"
}

# What the installation holds besides QEMU's own install step (firmware,
# below); a change here means a new prefix.
INSTALL_LAYOUT=firmware-1

KEY=$(build_key)
PREFIX=$COLO_CACHE_DIR/qemu/$KEY
BUILD_DIR=$COLO_CACHE_DIR/build/$KEY
SRC=${QEMU_EXTERNAL_SRC:-$QEMU_SRC_DIR}

# ninja prints one line per step; show every 100th, and everything else
# (warnings, errors) in full.
ninja_progress() {
    awk '/^\[[0-9]+\/[0-9]+\]/ { split(substr($1, 2), a, "/");
                                 if (a[1] % 100 == 0 || a[1] == a[2]) { print $1, "QEMU build steps"; fflush() } next }
         { print; fflush() }' >&2
}

configure() {
    mkdir -p "$BUILD_DIR"
    (cd "$BUILD_DIR" && "$SRC/configure" --prefix="$PREFIX" --python="$SYS_PYTHON" \
        --with-pkgversion="$(pkgversion)" \
        --cc=/usr/lib/ccache/gcc --host-cc=/usr/lib/ccache/gcc --cxx=/usr/lib/ccache/g++ \
        "${CONFIGURE_OPTS[@]}" > configure.log 2>&1) || {
        tail -30 "$BUILD_DIR/configure.log" >&2
        die "QEMU configure failed; full log: $BUILD_DIR/configure.log"
    }
}

# What "install" needs built: QEMU's default target also builds its own test
# programs, which this project does not use (about 1000 of 2500 steps).
install_targets() {
    meson introspect --installed "$BUILD_DIR" | "$SYS_PYTHON" -c '
import json, os, sys
build = sys.argv[1]
for path in json.load(sys.stdin):
    rel = os.path.relpath(path, build)
    if not rel.startswith(".."):
        print(rel)' "$BUILD_DIR"
}

# run_ninja WHAT TARGET...: builds TARGETs in the QEMU build through ccache.
run_ninja() {
    local what=$1
    shift
    export CCACHE_DIR=${CCACHE_DIR:-$COLO_CACHE_DIR/ccache} CCACHE_NOHASHDIR=1
    ninja -C "$BUILD_DIR" "$@" | ninja_progress
    [ "${PIPESTATUS[0]}" -eq 0 ] || die "building $what failed in $BUILD_DIR"
}

compile_and_install() {
    # shellcheck disable=SC2046
    run_ninja QEMU $(install_targets)
    rm -rf "$PREFIX"
    meson install -C "$BUILD_DIR" --no-rebuild > "$BUILD_DIR/install.log" 2>&1 ||
        die "QEMU install failed; log: $BUILD_DIR/install.log"
    # What a module built out of tree needs from this build.
    install -D -m 644 "$BUILD_DIR/config-host.h" "$PREFIX/share/colo-multifd/config-host.h"
    ccache -s 2>/dev/null | grep -iE 'hits|misses' | head -3 >&2 || true
}

# Debian's qemu source has no firmware blobs (+ds), and this build installs
# none (--disable-install-blobs).  As Debian's qemu-system-data does, the
# installation links the BIOS, VGA BIOS and NIC option ROMs of Debian's
# seabios and ipxe-qemu (those of QEMU's suite, fetch-firmware.sh), and
# QEMU's own option ROMs (vapic, Linux and multiboot loaders) are built from
# the source; so a default machine starts without -L or -global options.
install_firmware() {
    local datadir=$PREFIX/share/qemu fw f
    fw=$("$TOPDIR/scripts/fetch-firmware.sh" --print-dir)
    make -s -C "$BUILD_DIR/pc-bios/optionrom" >&2 ||
        die "building QEMU's option ROMs failed in $BUILD_DIR/pc-bios/optionrom"
    install -m 644 "$BUILD_DIR"/pc-bios/optionrom/*.bin "$datadir/"
    for f in "$fw"/usr/share/seabios/*.bin "$fw"/usr/share/qemu/*.rom; do
        [ -f "$f" ] || die "firmware $f missing: run scripts/fetch-firmware.sh"
        ln -sf "$f" "$datadir/${f##*/}"
    done
}

# QEMU's migration tests, built where QEMU was (incrementally).
build_migration_test() {
    [ -f "$PREFIX/.complete" ] || die "QEMU $KEY is not built yet: run $0 first"
    run_ninja migration-test tests/qtest/migration-test
    log "migration-test: $BUILD_DIR/tests/qtest/migration-test"
}

main() {
    case ${1:-} in
        --print-prefix) echo "$PREFIX"; return ;;
        --print-build-dir) echo "$BUILD_DIR"; return ;;
        --migration-test) build_migration_test; return ;;
        "") ;;
        *) die "usage: $0 [--print-prefix|--print-build-dir|--migration-test]" ;;
    esac
    if [ -z "${QEMU_EXTERNAL_SRC:-}" ] && [ -f "$PREFIX/.complete" ]; then
        log "QEMU $KEY is built: $PREFIX"
        return
    fi
    [ -x "$SRC/configure" ] || die "no QEMU source tree at $SRC"
    # A tree patched with another series would be cached under this key.
    if [ -z "${QEMU_EXTERNAL_SRC:-}" ] &&
            [ "$(cat "$SRC/$SOURCE_STATE_FILE" 2>/dev/null)" != "$(source_state)" ]; then
        die "$SRC is not Debian's qemu $QEMU_DEB_VERSION with the current series" \
            "($(series_hash)): run scripts/fetch-qemu.sh (make setup does) first"
    fi
    [ -f "$BUILD_DIR/build.ninja" ] || configure
    compile_and_install
    install_firmware
    touch "$PREFIX/.complete"
    log "QEMU $KEY installed in $PREFIX"
}

main "$@"
