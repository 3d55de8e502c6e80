#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-valgrind-catches.sh SHIM QEMU FAULTY_MODULE SUPPRESSIONS: the valgrind
# matrix must fail a case whose module writes out of bounds, and its report
# must name the module's function.  Proof that a clean valgrind run means
# something.
shim=$1 qemu=$2 faulty=$(realpath "$3") supp=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ln -s "$faulty" "$dir/migration-colo-multifd.so"
# The failing case keeps its files: in $dir, which goes at exit.
out=$(TMPDIR="$dir" "$shim" --tap --qemu "$qemu" --module-dir "$dir" --valgrind \
      --valgrind-supp "$supp" --machine pc -p /colo/tcg/pc/multifd/secondary_failover 2>&1)
rc=$?
echo "1..3"
[ $rc -ne 0 ] && echo "ok 1 - the case fails (exit $rc)" ||
    echo "not ok 1 - the case passed with a module that writes out of bounds"
# Otherwise the case's own line says what failed first (a CI log shows
# only the not-ok lines).
reason=$(echo "$out" | grep -m1 "^not ok " | cut -c1-300)
echo "$out" | grep -q "^not ok .*memcheck found [0-9]* errors in the secondary" &&
    echo "ok 2 - memcheck errors are the reason" ||
    echo "not ok 2 - memcheck errors are not the reported reason: ${reason:-none}"
echo "$out" | grep -q "Invalid write of size 1 | *at 0x[0-9A-F]*: colo_packet_process" &&
    echo "ok 3 - the report names the module's function" ||
    echo "not ok 3 - the report does not name colo_packet_process"
echo "$out" | grep -E "^(not ok|# /colo)" | sed 's/^/# /'
[ $rc -ne 0 ] && echo "$out" | grep -q "colo_packet_process"
