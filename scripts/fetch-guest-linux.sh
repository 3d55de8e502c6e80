#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-guest-linux.sh [--print-dir]: a small Linux guest made from Debian
# packages by name, of the machine's own release (not $QEMU_DEB_SUITE): the
# kernel of linux-image-cloud-amd64 and an initrd of busybox-static, the
# virtio-blk and virtio-net modules and shim/guest/linux/init as /init.
# The packages are downloaded with apt (which checks them against the
# signed archive) and unpacked with dpkg-deb -x; nothing is installed.
#
# The result, vmlinuz and initrd.img, lands in a cache dir named by a hash
# of the package versions, the init and this script, so a change of any of
# them makes a new guest and a second run with none does nothing.
# --print-dir names that dir from the package lists already fetched,
# without touching the network.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/debian-apt.sh"

KERNEL_META=linux-image-cloud-amd64
BUSYBOX=busybox-static
# The PCI transport and the two drivers; depmod adds what they need.
MODULES=(virtio_pci virtio_blk virtio_net)
# The busybox applets that the init calls.
APPLETS=(sh mount dmesg insmod uname sleep cat ls ip)
INIT=$TOPDIR/shim/guest/linux/init
SELF=$TOPDIR/scripts/fetch-guest-linux.sh
CODENAME=$(. /etc/os-release && echo "$VERSION_CODENAME")

# apt-cache on the private lists.  It keeps its binary cache there, which
# Debian's container images turn off (docker-clean): without it each call
# reads all the lists again, 1.7 s here.
apt_cache() {
    APT_CONFIG=$APT_DIR/apt.conf apt-cache -o Dir::Cache::pkgcache=pkgcache.bin "$@"
}

# The candidate version of package $1, which must come from the machine's
# own release or its security or updates suites.  The private preferences
# pin $QEMU_DEB_SUITE to 1, but a package only it offers would still be
# the candidate: hence the check of where, in apt-cache policy's version
# table, the candidate comes from.
release_version() {
    apt_cache policy "$1" 2>/dev/null | awk -v c="$CODENAME" '
        $1 == "Candidate:" { v = $2 }
        { sub(/^ *[*]{3} /, " ") }
        NF == 2 && $2 ~ /^-?[0-9]+$/ { here = ($1 == v); next }  # "VERSION PIN"
        here && $3 ~ ("^" c "(-security|-updates)?/") { found = 1 }  # "PIN URI SUITE/COMP ..."
        END { if (!found) exit 1; print v }'
}

# Prints "NAME VERSION" of the real kernel image and of busybox-static.
resolve_packages() {
    local meta image v b
    meta=$(release_version "$KERNEL_META") ||
        die "Debian '$CODENAME' offers no $KERNEL_META in the package lists of $APT_DIR (run this script without --print-dir first)"
    # The metapackage depends on the versioned image, e.g. linux-image-6.1.0-57-cloud-amd64.
    image=$(apt_cache depends "$KERNEL_META=$meta" | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
    [ -n "$image" ] || die "$KERNEL_META $meta depends on no linux-image-* package"
    v=$(release_version "$image") || die "Debian '$CODENAME' offers no $image"
    b=$(release_version "$BUSYBOX") || die "Debian '$CODENAME' offers no $BUSYBOX"
    printf '%s %s\n%s %s\n' "$image" "$v" "$BUSYBOX" "$b"
}

guest_dir() {
    local key
    key=$({ printf '%s\n' "$1"; cat "$INIT" "$SELF"; } | sha256sum | cut -c1-12)
    echo "$COLO_CACHE_DIR/guest-linux/$key"
}

# module_order ROOT KVER: the module files that MODULES need, each after
# those it needs.  modules.dep lists each module's dependencies, all of
# them, in the order modprobe loads them from the last; the Debian
# package ships none (its postinst runs depmod), so depmod makes it here.
module_order() {
    depmod -b "$1" "$2"
    awk -v want=" ${MODULES[*]} " '
        function add(m) { if (!(m in seen)) { seen[m]; print m } }
        {
            file = $1; sub(/:$/, "", file)
            name = file; sub(/.*\//, "", name); sub(/\.ko.*/, "", name); gsub(/-/, "_", name)
            if (!index(want, " " name " ")) next
            for (i = NF; i > 1; i--) add($i)
            add(file); found[name]
        }
        END {
            n = split(want, w, " ")
            for (i = 1; i <= n; i++) if (!(w[i] in found)) { print "no module " w[i] > "/dev/stderr"; bad = 1 }
            exit bad
        }' "$1/lib/modules/$2/modules.dep"
}

# build DIR "NAME VERSION" lines: downloads, unpacks and packs into DIR.
build() {
    local dir=$1 packages=$2 tmp p kver m rel
    mkdir -p "$COLO_CACHE_DIR"
    tmp=$(mktemp -d "$COLO_CACHE_DIR/.guest-linux.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    mkdir -p "$tmp/out" "$tmp"/initrd/{bin,dev,proc,sys}
    apt_private_unpack "$tmp/pkg" "$tmp/dl" "$packages"
    kver=$(ls "$tmp/pkg/lib/modules")
    [ "$(wc -w <<< "$kver")" -eq 1 ] || die "expected one kernel in the packages, found: $kver"
    cp "$tmp/pkg/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"

    # Modules go in uncompressed: busybox's insmod reads the file as it is.
    module_order "$tmp/pkg" "$kver" > "$tmp/modules"
    while read -r m; do
        rel=/lib/modules/$kver/${m%.ko*}.ko
        p=$tmp/initrd$rel
        mkdir -p "$(dirname "$p")"
        case $m in
            *.ko) cp "$tmp/pkg/lib/modules/$kver/$m" "$p" ;;
            *.ko.xz) xz -dc "$tmp/pkg/lib/modules/$kver/$m" > "$p" ;;
            *.ko.zst) zstd -qdc "$tmp/pkg/lib/modules/$kver/$m" > "$p" ;;
            *.ko.gz) gzip -dc "$tmp/pkg/lib/modules/$kver/$m" > "$p" ;;
            *) die "unknown module file $m" ;;
        esac
        echo "$rel"
    done < "$tmp/modules" > "$tmp/initrd/modules.order"

    cp "$tmp/pkg/bin/busybox" "$tmp/initrd/bin/busybox"
    for p in "${APPLETS[@]}"; do ln -s busybox "$tmp/initrd/bin/$p"; done
    install -m 755 "$INIT" "$tmp/initrd/init"
    # Fixed times, order and owners: the same inputs give the same initrd.
    find "$tmp/initrd" -exec touch -h -d @0 {} +
    (cd "$tmp/initrd" && find . | LC_ALL=C sort |
        cpio -o -H newc --owner 0:0 --reproducible --quiet) | gzip -9n > "$tmp/out/initrd.img"

    printf '%s\n' "$packages" > "$tmp/out/.packages"
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    mv "$tmp/out" "$dir"
    log "guest modules: $(sed 's,.*/,,' "$tmp/initrd/modules.order" | paste -sd' ')"
    log "initrd.img: $(stat -c %s "$dir/initrd.img") bytes"
}

main() {
    local packages dir
    if [ "${1:-}" = --print-dir ]; then
        [ -f "$APT_DIR/apt.conf" ] ||
            die "no package lists in $APT_DIR: run $0 without --print-dir first"
        guest_dir "$(resolve_packages)"
        return
    fi
    apt_private_update
    packages=$(resolve_packages)
    dir=$(guest_dir "$packages")
    [ -f "$dir/.packages" ] || build "$dir" "$packages"
    log "Linux guest of $CODENAME in $dir: $(paste -sd' ' "$dir/.packages")"
}

main "$@"
