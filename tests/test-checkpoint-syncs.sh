#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-checkpoint-syncs.sh SHIM QEMU [SERIES]: patches 0008 and 0009 in QEMU's own
# trace events.  Runs the multifd qtest RAM case with both QEMUs tracing
# multifd_recv_sync_main and colo_flush_ram_cache_begin, then counts, per
# COLO checkpoint on the secondary, the multifd syncs before its flush:
# one for a checkpoint of more than 64 dirty pages (0008: not two), none
# for one of at most 64 (0009: main channel) or of none (0008).
# QEMU_MODULE_DIR comes from the environment.
shim=$1 qemu=$2 series=${3:-full}
case $series in
    fixes|none)
        echo "1..0 # SKIP the QEMU under test is built without the performance patches (QEMU_SERIES=$series)"
        exit 0 ;;
esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/qemu" <<WRAPPER
#!/bin/sh
role=primary
for a in "\$@"; do [ "\$a" = -incoming ] && role=secondary; done
exec "$qemu" "\$@" -trace multifd_recv_sync_main \
    -trace colo_flush_ram_cache_begin -D "$dir/\$role.\$\$.trace"
WRAPPER
chmod +x "$dir/qemu"
echo "1..3"
if ! out=$(TMPDIR="$dir" "$shim" --tap --qemu "$dir/qemu" \
           --machine pc --only /colo/qtest/pc/multifd/qtest_ram_consistency 2>&1) ||
   ! trace=$(ls "$dir"/secondary.*.trace 2>/dev/null); then
    echo "$out" | sed 's/^/# /'
    for n in 1 2 3; do echo "not ok $n - the traced qtest case did not run"; done
    exit 1
fi
# One line per checkpoint after the first (the first flush also ends the
# precopy): "<dirty pages> <multifd syncs before its flush>".
awk '/multifd_recv_sync_main /      { syncs++ }
     /colo_flush_ram_cache_begin/ { if (seen++) print $NF, syncs + 0; syncs = 0 }' \
    "$trace" > "$dir/checkpoints"
sed 's/^/# checkpoint: dirty pages, multifd syncs: /' "$dir/checkpoints"
check() {
    n=$1 what=$2 filter=$3 want=$4
    found=$(awk "$filter" "$dir/checkpoints" | wc -l)
    bad=$(awk "$filter"' && $2 != want' want="$want" "$dir/checkpoints" | wc -l)
    if [ "$found" -eq 0 ]; then
        echo "not ok $n - $what: no such checkpoint in the trace"
        failed=1
    elif [ "$bad" -gt 0 ]; then
        echo "not ok $n - $what: $bad of $found checkpoints do not have exactly $want multifd sync(s)"
        failed=1
    else
        echo "ok $n - $what: $want multifd sync(s) in each of $found checkpoints"
    fi
}
failed=0
check 1 "more than 64 dirty pages" '$1 > 64' 1
check 2 "1 to 64 dirty pages" '$1 > 0 && $1 <= 64' 0
check 3 "no dirty page" '$1 == 0' 0
exit $failed
