#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-case-selection.sh SHIM: every case runs once per accelerator and
# machine type (the qtest cases, which run no guest code, once per machine
# type), and --only selects by path prefix, a '*' standing for one whole
# component.  Lists the cases (-l), so no QEMU runs.
shim=$1
n=0 failed=0
unset COLO_SHIM_ACCEL
list() {
    "$shim" --qemu /bin/true -l "$@" | grep '^/colo/'
}
# expect WANT_COUNT DESCRIPTION SHIM-ARGS...: the listing has that many
# cases, and each of them passes the check in $must (a grep -E pattern).
expect() {
    want=$1 what=$2
    shift 2
    n=$((n + 1))
    got_list=$(list "$@")
    got=$(printf '%s\n' "$got_list" | grep -c '^/colo/')
    bad=$(printf '%s\n' "$got_list" | grep -cvE "$must")
    if [ "$got" -eq "$want" ] && [ "$bad" -eq 0 ]; then
        echo "ok $n - $what: $got cases"
    else
        echo "not ok $n - $what: $got cases (want $want), $bad not matching $must"
        printf '%s\n' "$got_list" | sed 's/^/# /'
        failed=1
    fi
}
echo "1..11"
# One machine, one accelerator: the counts the rest is built from.
tcg=$(list --machine pc --accel tcg | grep -c '^/colo/tcg/pc/')
qtest=$(list --machine pc --accel tcg | grep -c '^/colo/qtest/pc/')
plain=$(list --machine pc --accel tcg | grep -c '^/colo/tcg/pc/plain/')
qtest_plain=$(list --machine pc --accel tcg | grep -c '^/colo/qtest/pc/plain/')
kvm_only=2      # the dirty ring sweeps
must='^/colo/(tcg|kvm|qtest)/(pc|q35)/'
expect $((2 * (2 * tcg + kvm_only + qtest))) \
    "default: tcg and kvm on pc and q35, the qtest cases once per machine"
must='^/colo/(tcg|kvm|qtest)/q35/'
expect $((2 * tcg + kvm_only + qtest)) "--machine q35 alone" --machine q35
must='^/colo/(tcg|qtest)/(pc|q35)/'
expect $((2 * (tcg + qtest))) "--accel tcg: no KVM case, no dirty ring" --accel tcg
must='^/colo/(kvm|qtest)/pc/(sweep/.*_dirty_ring$)?'
expect $((tcg + kvm_only + qtest)) "--accel kvm on pc: the dirty ring sweeps too" \
    --machine pc --accel kvm
must='^/colo/(tcg|kvm|qtest)/(pc|q35)/plain/'
expect $((2 * (2 * plain + qtest_plain))) \
    "a star for accelerator and machine: plain cases, no plain_ sweeps" \
    --only '/colo/*/*/plain'
must='^/colo/(tcg|kvm)/(pc|q35)/(plain|multifd)/(primary|secondary)_failover(_checkpoint)?$'
expect 32 "upstream's eight on both machines and accelerators" \
    --only '/colo/*/*/plain/primary_failover' --only '/colo/*/*/plain/secondary_failover' \
    --only '/colo/*/*/multifd/primary_failover' --only '/colo/*/*/multifd/secondary_failover'
must='^/colo/tcg/pc/sweep/plain_delay_'
expect 2 "the last component is a prefix" --only /colo/tcg/pc/sweep/plain_delay
must='^/colo/tcg/pc/plain/'
reprotect=$(list --machine pc --accel tcg --only /colo/tcg/pc/plain/reprotect |
            grep -c '^/colo/')
expect $((plain - reprotect)) "--exclude drops what --only selected" \
    --machine pc --accel tcg --only /colo/tcg/pc/plain \
    --exclude '/colo/*/*/plain/reprotect'
must='^/colo/(tcg|qtest)/pc-q35-10\.0/'
expect $((tcg + qtest)) "a versioned machine type names the path" \
    --machine pc-q35-10.0 --accel tcg
# The environment, and a wrong accelerator: a clear refusal, no case.
n=$((n + 1))
got=$(COLO_SHIM_ACCEL=kvm list --machine pc | grep -c '^/colo/tcg/')
if [ "$got" -eq 0 ] && [ "$(COLO_SHIM_ACCEL=kvm list --machine pc | grep -c '^/colo/kvm/')" -gt 0 ]; then
    echo "ok $n - COLO_SHIM_ACCEL=kvm: KVM's cases alone"
else
    echo "not ok $n - COLO_SHIM_ACCEL=kvm still lists $got TCG cases"
    failed=1
fi
n=$((n + 1))
out=$("$shim" --qemu /bin/true -l --accel hvf 2>&1)
if printf '%s\n' "$out" | grep -q '^Bail out! --accel (or COLO_SHIM_ACCEL) takes tcg or kvm, not "hvf"'; then
    echo "ok $n - --accel hvf is refused, saying which accelerators exist"
else
    echo "not ok $n - --accel hvf: $out"
    failed=1
fi
exit $failed
