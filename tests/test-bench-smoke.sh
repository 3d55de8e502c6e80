#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-bench-smoke.sh BENCH QEMU MODULE_DIR: a short colo-bench run (not a
# measurement): every configuration yields its samples, the table and the
# multifd/plain ratios are printed, the JSON holds every sample.
bench=$1 qemu=$2 moddir=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..3"
if "$bench" --qemu "$qemu" --module-dir "$moddir" --samples 3 \
        --checkpoint-delay 200 --load-mib 16 --ram 64 \
        --json "$dir/b.json" --tsv "$dir/b.tsv" > "$dir/out" 2>&1; then
    echo "ok 1 - colo-bench ran all configurations"
else
    echo "not ok 1 - colo-bench failed"
    sed 's/^/# /' "$dir/out"
    exit 1
fi
n=$(grep -c -E '^(idle|load) +(plain|multifd-[24]) +3 ' "$dir/out")
[ "$n" -eq 6 ] && echo "ok 2 - six table rows of 3 samples, and ratios" ||
    echo "not ok 2 - $n table rows"
grep -q 'load  multifd-4  mean x' "$dir/out" || echo "# no ratio line"
/usr/bin/python3 - "$dir/b.json" <<'PY' && echo "ok 3 - the JSON holds 6 x 3 samples" || echo "not ok 3 - JSON incomplete"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["configs"]) == 6
for c in d["configs"]:
    assert len(c["pause_ms"]["samples"]) == 3 and c["pause_ms"]["max"] > 0
    assert len(c["secondary_load_ms"]["samples"]) == 3
PY
[ "$n" -eq 6 ] && grep -q 'load  multifd-4  mean x' "$dir/out"
