#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-kvm-unusable.sh SHIM QEMU: where KVM cannot run, its cases are
# skipped with the reason, never failed or passed, and no QEMU starts: a
# KVM device path that does not exist, and /dev/kvm hidden (a mount
# namespace puts /dev/null in its place).
shim=$1 qemu=$2
case_path=/colo/kvm/pc/plain/primary_failover
echo "1..2"
# check N DESCRIPTION REASON OUTPUT: every case of OUTPUT skipped for REASON.
check() {
    n=$1 what=$2 reason=$3 out=$4
    cases=$(printf '%s\n' "$out" | grep -cE '^(not )?ok ')
    skips=$(printf '%s\n' "$out" | grep -cF "# SKIP KVM is not usable here: $reason")
    if [ "$cases" -gt 0 ] && [ "$skips" -eq "$cases" ]; then
        echo "ok $n - $what: $skips cases skipped, saying \"$reason\""
    else
        echo "not ok $n - $what: $skips of $cases cases skipped for \"$reason\""
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
}
out=$("$shim" --tap --qemu "$qemu" --accel kvm --kvm-device /nonexistent/kvm \
      --only "$case_path" 2>&1)
check 1 "--kvm-device names no device" \
    "cannot open /nonexistent/kvm: No such file or directory" "$out"
if [ ! -e /dev/kvm ]; then
    echo "ok 2 # SKIP no /dev/kvm to hide on this machine"
    exit 0
fi
if ! unshare --mount sh -c 'mount --bind /dev/null /dev/kvm' 2>/dev/null; then
    echo "ok 2 # SKIP cannot hide /dev/kvm here (unshare --mount and a bind mount failed)"
    exit 0
fi
out=$(unshare --mount sh -c 'mount --bind /dev/null /dev/kvm &&
        exec "$0" --tap --qemu "$1" --accel kvm --only "$2"' \
      "$shim" "$qemu" "$case_path" 2>&1)
check 2 "/dev/kvm hidden in a mount namespace" \
    "/dev/kvm speaks API -1, not 12" "$out"
