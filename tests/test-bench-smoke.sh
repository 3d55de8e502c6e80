#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-bench-smoke.sh BENCH QEMU MODULE_DIR: a short colo-bench run (not a
# measurement) on TCG, on loopback and a veth link shaped to 1 Gbit/s:
# every configuration yields its samples, the secondary's traced flush and
# (on the shaped link) the bytes each checkpoint put on it; the tables and
# the multifd/plain ratios are printed and the JSON holds every sample.
bench=$1 qemu=$2 moddir=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "1..4"
if "$bench" --qemu "$qemu" --module-dir "$moddir" --samples 3 --accel tcg \
        --link loopback --link 1gbit --checkpoint-delay 200 --load-mib 16 \
        --ram 64 --json "$dir/b.json" --tsv "$dir/b.tsv" > "$dir/out" 2>&1; then
    echo "ok 1 - colo-bench ran all configurations"
else
    echo "not ok 1 - colo-bench failed"
    sed 's/^/# /' "$dir/out"
    exit 1
fi
groups=2
if grep -q '^not measured: link 1gbit' "$dir/out"; then
    groups=1
fi
n=$(grep -c -E '^(idle|load) +(plain|multifd-[24]) +3 ' "$dir/out")
r=$(grep -c 'load  multifd-4  mean x' "$dir/out")
fail=0
if [ "$n" -eq $((6 * groups)) ] && [ "$r" -eq "$groups" ]; then
    echo "ok 2 - $groups x six table rows of 3 samples, and ratios"
else
    echo "not ok 2 - $n table rows and $r ratio blocks for $groups links"
    fail=1
fi
# The loaded rows' flush (ms) must be traced; JSON checks the rest.
python3 - "$dir/b.json" "$groups" <<'PY' > "$dir/json" 2>&1 && echo "ok 3 - the JSON holds every sample, flushes traced" || { echo "not ok 3 - JSON incomplete"; sed 's/^/# /' "$dir/json"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["configs"]) == 6 * int(sys.argv[2]), len(d["configs"])
for c in d["configs"]:
    for k in ("pause_ms", "secondary_load_ms", "secondary_flush_ms",
              "secondary_after_flush_ms"):
        assert len(c[k]["samples"]) == 3, (c["config"], k)
    assert c["pause_ms"]["max"] > 0
    assert c["secondary_flush_ms"]["max"] > 0, c
    assert c["secondary_load_ms"]["mean"] >= c["secondary_flush_ms"]["mean"]
PY
if [ "$groups" -eq 1 ]; then
    echo "ok 4 # SKIP $(grep '^not measured: link 1gbit' "$dir/out" | cut -c15-)"
else
    # A loaded checkpoint carries up to 16 MiB of page data (fewer pages if
    # the guest's pass was cut short): megabytes on the link, and a pause no
    # shorter than their wire time, or the rate was not applied.
    python3 - "$dir/b.json" <<'PY' > "$dir/link" 2>&1 && echo "ok 4 - the shaped link carried each loaded checkpoint, wire time bound given" || { echo "not ok 4 - link figures"; sed 's/^/# /' "$dir/link"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["configs"]:
    if c["link"] == "1gbit" and c["guest"] == "load":
        assert c["checkpoint_bytes"] >= 1 << 20, c["checkpoint_bytes"]
        assert c["wire_ms"] > 0 and c["pause_ms"]["mean"] >= c["wire_ms"] * 0.9
PY
fi
exit $fail
