#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-disk-check-catches.sh SHIM QEMU: the disk cases' checks against a
# set-up that leaves out the documentation's step 4 (the primary's
# replication child), so the primary's writes never reach the secondary's
# disk.  A failover to the secondary must then fail on its journal, which
# lacks the records the primary acknowledged before the checkpoint; the
# failover to the primary, whose disk is whole, must still pass.  Proof
# that the disk cases passing means something.
shim=$1 qemu=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
case=/colo/tcg/q35/disk/plain
# The failing case keeps its files: in $dir, which goes at exit.
out=$(TMPDIR="$dir" "$shim" --tap --qemu "$qemu" --accel tcg \
      --disk-fault no-replication-child --only "$case/primary_failover" \
      --only "$case/secondary_failover" --exclude "$case/primary_failover_" \
      --exclude "$case/secondary_failover_" 2>&1)
results() { echo "$out" | grep -E "^(ok|not ok)" | sed 's/^/# /'; }
if echo "$out" | grep -q "^ok [0-9]* [^ ]*primary_failover # SKIP"; then
    echo "1..0 # SKIP $(echo "$out" | sed -n 's/^ok [0-9]* [^ ]* # SKIP //p' | head -1)"
    exit 0
fi
echo "1..2"
failed=0
if echo "$out" | grep -q "^ok [0-9]* $case/primary_failover\$"; then
    echo "ok 1 - the primary's own disk still passes"
else
    echo "not ok 1 - the failover to the primary failed without its fault"
    results
    failed=1
fi
line=$(echo "$out" | grep "^not ok [0-9]* $case/secondary_failover - ")
if echo "$line" | grep -q "the journal ends after 0 records"; then
    echo "ok 2 - the secondary's journal is caught:${line#*secondary_failover -}"
else
    echo "not ok 2 - the secondary's missing journal is not caught"
    results
    failed=1
fi
exit $failed
