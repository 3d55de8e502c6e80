#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test-module-deb.sh COLO-SHIM QEMU: the module's Debian package, built from
# this tree's debian/ as a package build does (dpkg-buildpackage, lintian),
# but against the project's own QEMU build instead of an installed
# qemu-system-x86 (make deb builds that one; too long for make check), so
# that every change of the packaging is checked here within a minute.
. "$(dirname "$0")/../scripts/common.sh"
set +e
trap - ERR

shim=$1 qemu=$2
pkg=qemu-system-modules-colo-multifd
version=$QEMU_DEB_VERSION$DEB_LOCAL_VERSION
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
result() { # result STATUS DESCRIPTION [DIAGNOSTIC-FILE]
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        failed=$((failed + 1))
        echo "not ok $n - $2"
        [ -z "${3:-}" ] || tail -n 25 "$3" | sed 's/^/# /'
    fi
}

echo "1..7"
out=$("$TOPDIR/module/stamp-from-binary.sh" /bin/true 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "names no module stamp" <<< "$out"
result $? "stamp-from-binary.sh refuses a binary that is no modular QEMU: $out"

mkdir -p "$work/colo-multifd"
(cd "$TOPDIR" && project_files | tar -cf - -T -) |
    tar -xf - -C "$work/colo-multifd"
(cd "$work/colo-multifd" &&
    COLO_MULTIFD_QEMU_BINARY=$qemu COLO_MULTIFD_QEMU_VERSION=$version \
    timeout 600 dpkg-buildpackage -us -uc -d) > "$work/build.log" 2>&1
built=$?
result $built "dpkg-buildpackage builds $pkg against $qemu" "$work/build.log"
if [ $built -ne 0 ]; then
    echo "Bail out! no package to check"
    exit 1
fi
deb=$(ls "$work/${pkg}_"*_amd64.deb)

timeout 600 lintian --fail-on error,warning --info "$work"/colo-multifd_*.changes > "$work/lintian.log" 2>&1
result $? "lintian: no error or warning on the source and binary packages" "$work/lintian.log"
sed 's/^/# lintian: /' "$work/lintian.log" | grep -v '^# lintian: N:' | head -n 20

depends=$(dpkg-deb -f "$deb" Depends)
grep -qF "qemu-system-x86 (= $version)" <<< "$depends"
result $? "depends on exactly qemu-system-x86 $version: $depends"

dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"
moddir=$work/root/usr/lib/x86_64-linux-gnu/qemu
savedir=/run/qemu/$(printf 'Debian %s' "$version" | tr -c '[:alnum:]+.~-' _)
[ -f "$moddir/migration-colo-multifd.so" ] && grep -qF "$savedir" "$work/control/prerm"
result $? "installs into Debian's module directory; keeps a copy in $savedir on upgrades"

want=$("$TOPDIR/module/stamp-from-binary.sh" "$qemu")
[ -n "$want" ] && nm -D --defined-only "$moddir/migration-colo-multifd.so" | grep -q " qemu_stamp$want\$"
result $? "the packaged module carries the stamp of $qemu ($want)"

timeout 300 "$shim" --tap --qemu "$qemu" --module-dir "$moddir" \
    --only /colo/qtest/pc/multifd/qtest_ram_consistency > "$work/shim.log" 2>&1 &&
    grep -q '^ok ' "$work/shim.log" && ! grep -q '^not ok' "$work/shim.log"
result $? "QEMU loads the packaged module and a COLO multifd case passes" "$work/shim.log"
[ $failed -eq 0 ]
