#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-migration-test.sh [--quick|--full] [--list] [--patched QEMU]: QEMU's
# own migration-test, built from Debian's qemu source without the series,
# run case by case against the stock QEMU (QEMU_SERIES=none) and the
# patched one (the QEMU_SERIES in use, or --patched), both built by the
# set-up.  TAP, one line per case:
# a case that passes on stock must pass patched; a case that fails or is
# skipped on stock says nothing about the series and is reported as a skip
# with the reason.  Ends with a table per family.
#
# --quick (make check): the cases of the families the series touches;
# --full (make migration-test): every case this build of the test offers.
. "$(dirname "$0")/common.sh"

# Per case and QEMU, in seconds: the slowest passing case took 90 s here
# (mapped-ram, under load); dirty_ring never ends on nested KVM.
CASE_TIMEOUT=${MIGRATION_TEST_TIMEOUT:-300}

# Generic code the series changes, one case each, about 4 min for both
# QEMUs on 2 cores with nested KVM: precopy over TCP, multifd with zero
# pages on the main channel (0008), multifd cancel (0003/0005: channels
# end), postcopy (the return path: 0001), and a handshake check.  Multifd
# compression and mapped-ram take longer: make migration-test.
QUICK_CASES=(
    precopy/tcp/plain
    multifd/tcp/plain/zero-page/legacy
    multifd/tcp/plain/cancel
    postcopy/plain
    validate_uuid_error
)

mode=quick list=0 patched_qemu=
while [ $# -gt 0 ]; do
    case $1 in
        --quick) mode=quick ;;
        --full) mode=full ;;
        --list) list=1 ;;
        --patched) patched_qemu=${2:-}; shift ;;
        *) die "usage: $0 [--quick|--full] [--list] [--patched QEMU]" ;;
    esac
    shift
done

stock_build=$(QEMU_SERIES=none "$TOPDIR/scripts/build-qemu.sh" --print-build-dir)
stock_qemu=$(QEMU_SERIES=none "$TOPDIR/scripts/build-qemu.sh" --print-prefix)/bin/qemu-system-x86_64
: "${patched_qemu:=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)/bin/qemu-system-x86_64}"
mtest=$stock_build/tests/qtest/migration-test
for f in "$mtest" "$stock_qemu" "$patched_qemu"; do
    [ -x "$f" ] || die "$f is missing: run scripts/setup.sh (make setup) first"
done

all_cases() {
    QTEST_QEMU_BINARY=$stock_qemu "$mtest" -l --full 2>/dev/null |
        sed -n 's|^/x86_64/migration/||p'
}

cases() {
    if [ "$mode" = full ]; then
        all_cases
    else
        printf '%s\n' "${QUICK_CASES[@]}"
    fi
}

# run_case QEMU CASE LOG: "pass", "fail" or "skip: REASON".  QEMU's tests
# run from its build directory (the analyze-script case finds its script
# relative to the source there).
run_case() {
    local qemu=$1 case=$2 log=$3 rc=0
    (cd "$stock_build" &&
        PYTHON=$SYS_PYTHON QTEST_QEMU_BINARY=$qemu \
        timeout --kill-after=10 "$CASE_TIMEOUT" "$mtest" --tap -k --full \
            -p "/x86_64/migration/$case") > "$log" 2>&1 || rc=$?
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        echo "fail: timed out after $CASE_TIMEOUT s"
    elif grep -q "^ok .*# SKIP" "$log"; then
        echo "skip: $(sed -n 's/^ok .*# SKIP *//p' "$log" | head -1)"
    elif [ "$rc" -eq 0 ] && grep -q "^ok " "$log" && ! grep -q "^not ok" "$log"; then
        echo pass
    else
        echo "fail: exit $rc, $(grep -m1 -E '^not ok|ERROR|Bail out' "$log" || echo 'no result line')"
    fi
}

main() {
    local dir n=0 failed=0 case stock patched t0 line
    mapfile -t wanted < <(cases)
    if [ "$list" = 1 ]; then
        printf '%s\n' "${wanted[@]}"
        return 0
    fi
    [ "${#wanted[@]}" -gt 0 ] || die "$mtest lists no migration cases"
    dir=$(mktemp -d)
    # shellcheck disable=SC2064
    trap "rm -rf '$dir'" EXIT
    echo "1..${#wanted[@]}"
    echo "# migration-test of $(basename "$(dirname "$stock_build")")/$(basename "$stock_build"), $mode set"
    echo "# stock:   $stock_qemu"
    echo "# patched: $patched_qemu"
    for case in "${wanted[@]}"; do
        n=$((n + 1))
        t0=$(date +%s)
        stock=$(run_case "$stock_qemu" "$case" "$dir/stock.log")
        patched=$(run_case "$patched_qemu" "$case" "$dir/patched.log")
        line="$case: stock $stock; patched $patched ($(( $(date +%s) - t0 )) s)"
        printf '%s\t%s\t%s\n' "$case" "${stock%%:*}" "${patched%%:*}" >> "$dir/results"
        if [ "$stock" != pass ]; then
            echo "ok $n - $line # SKIP not passing on stock, no baseline"
        elif [ "$patched" = pass ]; then
            echo "ok $n - $line"
        else
            echo "not ok $n - $line"
            sed 's/^/# patched: /' "$dir/patched.log" | tail -40
            failed=1
        fi
    done
    summary "$dir/results"
    return $failed
}

# Per family (the first one or two path components): cases, and how many
# passed on each QEMU.
summary() {
    printf '# %-24s %5s %12s %14s\n' family cases "stock pass" "patched pass"
    awk -F'\t' '
        { split($1, p, "/"); fam = p[1]; if (p[1] ~ /^(precopy|multifd|postcopy)$/ && p[2] != "") fam = p[1] "/" p[2]
          n[fam]++; s[fam] += ($2 == "pass"); q[fam] += ($3 == "pass") }
        END { for (f in n) printf "# %-24s %5d %12d %14d\n", f, n[f], s[f], q[f] }' "$1" | sort
}

main
