#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-case-selection.sh SHIM: every case runs once per machine type, and
# --only selects by path prefix, a '*' standing for one whole component.
# Lists the cases (-l), so no QEMU runs.
shim=$1
n=0 failed=0
# expect WANT_COUNT DESCRIPTION SHIM-ARGS...: the listing has that many
# cases, and each of them passes the check in $must (a grep -E pattern).
expect() {
    want=$1 what=$2
    shift 2
    n=$((n + 1))
    list=$("$shim" --qemu /bin/true -l "$@" | grep '^/colo/')
    got=$(printf '%s\n' "$list" | grep -c '^/colo/')
    bad=$(printf '%s\n' "$list" | grep -cvE "$must")
    if [ "$got" -eq "$want" ] && [ "$bad" -eq 0 ]; then
        echo "ok $n - $what: $got cases"
    else
        echo "not ok $n - $what: $got cases (want $want), $bad not matching $must"
        printf '%s\n' "$list" | sed 's/^/# /'
        failed=1
    fi
}
echo "1..6"
all=$("$shim" --qemu /bin/true -l --machine pc | grep -c '^/colo/')
plain=$("$shim" --qemu /bin/true -l --machine pc | grep -c '^/colo/pc/plain/')
must='^/colo/(pc|q35)/'
expect $((2 * all)) "default: every case on pc and on q35"
must='^/colo/q35/'
expect "$all" "--machine q35 alone" --machine q35
must='^/colo/(pc|q35)/plain/'
expect $((2 * plain)) "a star for the machine: plain cases, no plain_ sweeps" --only '/colo/*/plain'
must='^/colo/(pc|q35)/(plain|multifd)/(primary|secondary)_failover(_checkpoint)?$'
expect 16 "upstream's eight on both machines" \
    --only '/colo/*/plain/primary_failover' --only '/colo/*/plain/secondary_failover' \
    --only '/colo/*/multifd/primary_failover' --only '/colo/*/multifd/secondary_failover'
must='^/colo/pc/sweep/plain_delay_'
expect 2 "the last component is a prefix" --only /colo/pc/sweep/plain_delay
must='^/colo/pc-q35-10\.0/'
expect "$all" "a versioned machine type names the path" --machine pc-q35-10.0
exit $failed
