#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches Debian's qemu source package by name, verifies it against its .dsc,
# unpacks it with dpkg-source (Debian's own patches applied) and applies the
# project's patch series on top, into $QEMU_SRC_DIR.
#
# The tree is generated: when the version or the series changes it is
# unpacked again from the downloaded files.  With --print-dsc only prints
# the downloaded .dsc (nothing when there is none yet).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"

DL_DIR=$COLO_CACHE_DIR/debsrc/${QEMU_DEB_VERSION//:/_}

find_dsc() {
    local f
    for f in "$DL_DIR"/qemu_*.dsc; do
        [ -f "$f" ] && echo "$f" && return 0
    done
    return 0
}

available_versions() {
    APT_CONFIG=$APT_DIR/apt.conf apt-cache showsrc qemu 2>/dev/null |
        awk '/^Package: /{p=$2} /^Version: / && p=="qemu" {print $2}' | sort -u | paste -sd' '
}

download() {
    local dsc
    dsc=$(find_dsc)
    # In a subshell: a failed check dies, and here that only means "again".
    if [ -n "$dsc" ] && (verify_dsc "$dsc") 2>/dev/null; then
        return 0
    fi
    apt_private_update
    # Not a pipe into grep -q: with pipefail, its early exit fails the pipe.
    local versions
    versions=$(available_versions)
    if ! grep -qx -- "$QEMU_DEB_VERSION" <<< "${versions// /$'\n'}"; then
        die "Debian's '$QEMU_DEB_SUITE' no longer offers qemu $QEMU_DEB_VERSION" \
            "(point releases replace it). Available: ${versions:-none}." \
            "Set QEMU_DEB_VERSION to one of them (a 10.0.x; the patch series must apply to it)."
    fi
    rm -rf "$DL_DIR"
    mkdir -p "$DL_DIR"
    (cd "$DL_DIR" && apt_private source --download-only "qemu=$QEMU_DEB_VERSION" >&2)
    dsc=$(find_dsc)
    [ -n "$dsc" ] || die "apt downloaded no .dsc for qemu $QEMU_DEB_VERSION into $DL_DIR"
    verify_dsc "$dsc"
}

# Every file the .dsc names must be there with the SHA-256 it states.
verify_dsc() {
    local dsc=$1 dir sum size name n=0
    dir=$(dirname "$dsc")
    while read -r sum size name; do
        [ -f "$dir/$name" ] || die "$name, named in $(basename "$dsc"), was not downloaded"
        echo "$sum  $dir/$name" | sha256sum --quiet -c - ||
            die "$name does not match the SHA-256 in $(basename "$dsc")"
        n=$((n + 1))
    done < <(awk '/^Checksums-Sha256:/{f=1; next} /^[^ ]/{f=0} f && NF==3 {print}' "$dsc")
    [ "$n" -gt 0 ] || die "$(basename "$dsc") lists no SHA-256 checksums"
    log "verified $n files against $(basename "$dsc")"
}

unpack_and_patch() {
    local dsc tmp
    dsc=$(find_dsc)
    tmp=$(mktemp -d "$(dirname "$QEMU_SRC_DIR")/.qemu-unpack.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    dpkg-source --no-copy -x "$dsc" "$tmp/qemu" >&2
    "$TOPDIR/scripts/apply-series.sh" "$tmp/qemu" "$SERIES_DIR"
    source_state > "$tmp/qemu/$SOURCE_STATE_FILE"
    rm -rf "$QEMU_SRC_DIR"
    mv "$tmp/qemu" "$QEMU_SRC_DIR"
}

main() {
    if [ "${1:-}" = --print-dsc ]; then
        find_dsc
        return
    fi
    case $QEMU_DEB_VERSION in
        *:10.0.*|10.0.*) ;;
        *) log "warning: QEMU_DEB_VERSION=$QEMU_DEB_VERSION is not a 10.0.x; the project targets 10.0" ;;
    esac
    if [ -f "$QEMU_SRC_DIR/$SOURCE_STATE_FILE" ] &&
            [ "$(cat "$QEMU_SRC_DIR/$SOURCE_STATE_FILE")" = "$(source_state)" ]; then
        log "$QEMU_SRC_DIR is qemu $QEMU_DEB_VERSION with series $(series_hash)"
        return 0
    fi
    if [ -e "$QEMU_SRC_DIR" ] && [ ! -f "$QEMU_SRC_DIR/$SOURCE_STATE_FILE" ]; then
        die "$QEMU_SRC_DIR exists but was not unpacked by this script; move it away" \
            "(or build it as an external tree, see README)"
    fi
    download
    unpack_and_patch
    log "$QEMU_SRC_DIR: qemu $QEMU_DEB_VERSION, series $(series_hash)"
}

main "$@"
