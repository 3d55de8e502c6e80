#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-workload-service.sh WORKLOAD CLIENT WORKDIR: the Linux guest's TCP
# service (guest/linux/net-service.c, run on the host here) answers every
# request at once while its memory steps lag behind their ticks, as they
# do in a guest slowed down by TCG and COLO's checkpoints.  tick=1 asks for
# a 1 MiB step every millisecond, more than this machine does, so the
# workload is always late; a loop that looked at requests only when it was
# early answered none.  Workload and client run in a network namespace of
# their own, so the port is always free and nothing outlives the test.
workload=$1 client=$2 workdir=$3
echo "1..1"
if [ "$(id -u)" -ne 0 ] || ! unshare --net true 2>/dev/null; then
    echo "ok 1 # SKIP needs root for a network namespace (unshare --net)"
    exit 0
fi
dir=$(mktemp -d "$workdir/workload-service.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
# The journal: O_DIRECT wants a real file system, which the build dir is.
dd if=/dev/zero of="$dir/journal" bs=1M count=4 status=none || exit 1

# In the namespace: the workload in the background, the client for 5 s
# with a 1 s bound on each answer, then both go (timeout, kill).
unshare --net sh -c '
    ip link set lo up || exit 1
    "$1" "mem=16,disk=$3/journal,tick=1,serve=7777" > "$3/workload.out" 2>&1 &
    wl=$!
    timeout -s TERM 5 "$2" --connect 127.0.0.1:7777 --log "$3/client.log" \
        --answer-timeout-ms 1000 --retry-ms 3000
    kill -KILL $wl; wait $wl 2>/dev/null
    exit 0' sh "$workload" "$client" "$dir"

answers=$(grep -c '^ANS ' "$dir/client.log" 2>/dev/null)
late=$(grep -cE '^(LOST|FATAL|BAD) ' "$dir/client.log" 2>/dev/null)
passes=$(grep -c '^COLO-WL-PASS ' "$dir/workload.out")
if [ "${answers:-0}" -ge 20 ] && [ "${late:-0}" -eq 0 ]; then
    echo "ok 1 - $answers answers in 5 s, none late, the memory at pass $passes"
else
    echo "not ok 1 - ${answers:-0} answers, ${late:-0} lost or bad in 5 s (at least 20, none lost, wanted); the memory at pass $passes"
    sed 's/^/# client: /' "$dir/client.log" 2>/dev/null | head -20
    sed 's/^/# workload: /' "$dir/workload.out" | tail -5
fi
