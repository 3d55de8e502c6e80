#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-net-check-catches.sh SHIM QEMU: the network cases' checks against a
# set-up whose secondary redirector f2 sends the secondary's output to a
# null chardev instead of colo-compare (colo-net.c's --net-fault
# secondary-output-dropped).  colo-compare then never sees a secondary
# packet, holds every answer of the primary until its timeout, and the
# case must fail on the comparison check for that reason.  Proof that the
# network cases passing means something.
shim=$1 qemu=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
case=/colo/tcg/q35/net/plain/secondary_failover
# The failing case keeps its files: in $dir, which goes at exit.
out=$(TMPDIR="$dir" "$shim" --tap --qemu "$qemu" --accel tcg --netns \
      --net-fault secondary-output-dropped --only "$case" \
      --exclude "${case}_" 2>&1)
if echo "$out" | grep -q "^ok [0-9]* $case # SKIP"; then
    echo "1..0 # SKIP $(echo "$out" | sed -n 's/^ok [0-9]* [^ ]* # SKIP //p' | head -1)"
    exit 0
fi
echo "1..1"
line=$(echo "$out" | grep "^not ok [0-9]* $case - ")
if echo "$line" | grep -q "packets past its timeout: the secondary's output did not reach it"; then
    echo "ok 1 - the lost secondary output is caught:${line#*secondary_failover -}"
    exit 0
fi
echo "not ok 1 - the lost secondary output is not caught"
echo "$out" | grep -E "^(ok|not ok)|colo-compare" | sed 's/^/# /'
exit 1
