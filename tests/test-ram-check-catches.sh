#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-ram-check-catches.sh SHIM QEMU MODULE...: each deliberately broken
# module build (no zero pages in the COLO bitmap, no zero-page clearing in
# the first precopy) must fail the qtest RAM consistency case, with pages
# named.  Proof that the real module passing it means something.
shim=$1 qemu=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..$#"
n=0 failed=0
for module in "$@"; do
    n=$((n + 1))
    name=$(basename "$module" .so)
    rm -f "$dir/migration-colo-multifd.so"
    ln -s "$(realpath "$module")" "$dir/migration-colo-multifd.so"
    # The failing case keeps its files: in $dir, which goes at exit.
    out=$(TMPDIR="$dir" "$shim" --tap --qemu "$qemu" --module-dir "$dir" \
          --machine pc -p /colo/qtest/pc/multifd/qtest_ram_consistency 2>&1)
    if echo "$out" | grep -q "^not ok .*RAM differs from what was written"; then
        echo "ok $n - $name is caught:$(echo "$out" | sed -n 's/^not ok [0-9]* [^ ]* - [^(]*\(in [0-9]* of [0-9]* pages\).*/ \1/p')"
    else
        echo "not ok $n - $name is not caught by the RAM check"
        echo "$out" | grep -E "^(ok|not ok)" | sed 's/^/# /'
        failed=1
    fi
done
exit $failed
