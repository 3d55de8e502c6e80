#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-firmware.sh [--print-dir]: the firmware that QEMU's Debian suite
# pairs with it, by package name: seabios (BIOS, VGA BIOS) and ipxe-qemu
# (NIC option ROMs) of $QEMU_DEB_SUITE, downloaded with apt (which checks
# them against the signed archive) and unpacked with dpkg-deb -x into the
# cache; nothing is installed on the machine.  build-qemu.sh links them into
# the QEMU installation, as Debian's qemu-system-data links the installed
# ones.
#
# Why not the machine's own: QEMU 10.0's AHCI keeps a failed command's bit
# in PxCI, as the AHCI specification says, and SeaBIOS before 1.16.3 then
# waits 32 s in its first probe of each AHCI disk.  With Debian 12's seabios
# 1.16.2 every q35 boot from disk took that long.  Debian's qemu 10.0 build
# depends on seabios (>> 1.16.3-1~).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"

FIRMWARE_PACKAGES=(seabios ipxe-qemu)
FIRMWARE_DIR=$COLO_CACHE_DIR/firmware/$QEMU_DEB_SUITE
STATE_FILE=$FIRMWARE_DIR/.packages

# The version of package $1 in $QEMU_DEB_SUITE, from the package lists.
suite_version() {
    APT_CONFIG=$APT_DIR/apt.conf apt-cache madison "$1" 2>/dev/null |
        awk -v s=" $QEMU_DEB_SUITE/" 'index($0, s) { print $3; exit }'
}

# fetch "NAME VERSION" lines: downloads and unpacks those packages.
fetch() {
    local packages=$1 tmp
    mkdir -p "$COLO_CACHE_DIR"
    tmp=$(mktemp -d "$COLO_CACHE_DIR/.firmware.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    apt_private_unpack "$tmp/root" "$tmp/dl" "$packages"
    printf '%s\n' "$packages" > "$tmp/root/.packages"
    rm -rf "$FIRMWARE_DIR"
    mkdir -p "$(dirname "$FIRMWARE_DIR")"
    mv "$tmp/root" "$FIRMWARE_DIR"
}

main() {
    local p v packages=
    if [ "${1:-}" = --print-dir ]; then
        echo "$FIRMWARE_DIR"
        return
    fi
    if [ -f "$STATE_FILE" ]; then
        log "firmware of $QEMU_DEB_SUITE: $(paste -sd' ' "$STATE_FILE")"
        return
    fi
    apt_private_update
    for p in "${FIRMWARE_PACKAGES[@]}"; do
        v=$(suite_version "$p")
        [ -n "$v" ] ||
            die "Debian's '$QEMU_DEB_SUITE' offers no $p in its package lists"
        packages+="${packages:+$'\n'}$p $v"
    done
    fetch "$packages"
    log "firmware of $QEMU_DEB_SUITE in $FIRMWARE_DIR: $(paste -sd' ' "$STATE_FILE")"
}

main "$@"
