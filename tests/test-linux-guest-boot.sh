#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-linux-guest-boot.sh QEMU GUEST_DIR: the Linux guest of
# fetch-guest-linux.sh (GUEST_DIR holds its vmlinuz and initrd.img) boots
# on q35 under KVM and under TCG.  Its init must load the virtio modules
# (the virtio-blk disk shows as vda), say COLO-LINUX-READY with no
# COLO-LINUX-ERROR, and then beat at least twice.  Says how long it took.
# KVM is skipped, saying why, where /dev/kvm cannot be used or is nested
# PVM, which cannot run a Linux kernel (below).
#
# The NIC sits on a hub port with nothing else on the hub: this QEMU is
# built without slirp (-netdev user), and the guest needs only the device.
qemu=$1 guest=$2
if [ -z "$qemu" ] || [ -z "$guest" ]; then
    echo "1..0 # SKIP no QEMU or no guest dir given"
    exit 0
fi
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid"; rm -rf "$dir"' EXIT
trap 'exit 1' HUP INT TERM
truncate -s 64M "$dir/disk.raw"

# Seconds since $1 (date +%s.%N), to a tenth.
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# watch LOG ERR LIMIT T0: polls the serial log LOG every 0.2 s until the
# guest has said READY and beaten twice since, or said ERROR, or QEMU (its
# stderr in ERR) has exited or stopped on a KVM internal error, or LIMIT s
# have passed since T0.  Prints the seconds from T0 to READY, or what went
# wrong.
watch() {
    log=$1 err=$2 limit=$3 t0=$4 ready=
    while :; do
        if [ -z "$ready" ] && grep -q COLO-LINUX-READY "$log" 2>/dev/null; then
            ready=$(since "$t0")
        fi
        if grep -q COLO-LINUX-ERROR "$log" 2>/dev/null; then
            echo "the guest says $(grep -a -m1 -o 'COLO-LINUX-ERROR.*' "$log" | tr -d '\r')"
            return 1
        fi
        if [ -n "$ready" ]; then
            beats=$(awk '/COLO-LINUX-READY/ { r = 1; next } r && /COLO-LINUX-BEAT/ { n++ }
                         END { print n + 0 }' "$log")
            if [ "$beats" -ge 2 ]; then echo "$ready"; return 0; fi
        fi
        if grep -q 'KVM internal error' "$err"; then
            echo "KVM internal error: $(grep -a -m1 '^Code=' "$err")"
            return 1
        fi
        # An exited QEMU stays a zombie until waited for.
        case $(ps -o stat= -p "$pid") in
            ''|Z*) echo "QEMU exited"; return 1 ;;
        esac
        el=$(since "$t0")
        if [ "${el%.*}" -ge "$limit" ]; then
            if [ -n "$ready" ]; then
                echo "READY but $beats beats within $limit s"
            else
                echo "no COLO-LINUX-READY within $limit s"
            fi
            return 1
        fi
        sleep 0.2
    done
}

echo "1..2"
n=0 failed=0
for accel in kvm tcg; do
    n=$((n + 1))
    limit=120
    if [ "$accel" = kvm ]; then
        limit=60
        # -c first: <> would create a missing /dev/kvm as a plain file.
        if [ ! -c /dev/kvm ]; then
            echo "ok $n # SKIP KVM: no /dev/kvm"
            continue
        elif ! [ -w /dev/kvm ] || ! (exec 3<>/dev/kvm) 2>/dev/null; then
            echo "ok $n # SKIP KVM: /dev/kvm cannot be opened read-write"
            continue
        elif [ -d /sys/module/kvm_pvm ]; then
            # Nested PVM (README, "KVM") runs kernel-mode code through KVM's
            # instruction emulator, which stops Debian's kernel with "KVM
            # internal error" at its lock cmpxchg16b, then xrstor, then the
            # int3 of its self-test: no -cpu or command line gets past that.
            echo "ok $n # SKIP KVM: /dev/kvm is nested PVM (kvm_pvm), whose emulator cannot run a Linux kernel"
            continue
        fi
    fi
    log=$dir/$accel.serial err=$dir/$accel.qemu
    t0=$(date +%s.%N)
    "$qemu" -machine q35 -accel "$accel" -m 256 -nodefaults -display none \
        -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
        -append "console=ttyS0 panic=-1" -serial "file:$log" -no-reboot \
        -drive if=none,id=d0,file="$dir/disk.raw",format=raw \
        -device virtio-blk-pci,drive=d0 \
        -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0 \
        > "$err" 2>&1 &
    pid=$!
    verdict=$(watch "$log" "$err" "$limit" "$t0")
    rc=$?
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
    line=$(grep -a -m1 -o 'COLO-LINUX-READY.*' "$log" 2>/dev/null | tr -d '\r')
    if [ $rc -eq 0 ]; then
        case " $line " in
            *" disks=vda "*) ;;
            *) rc=1 verdict="no disks=vda in: $line" ;;
        esac
    fi
    if [ $rc -eq 0 ]; then
        up=$(printf '%s\n' "$line" | sed -n 's/.* uptime=\([^ ]*\).*/\1/p')
        echo "ok $n - $accel: $line"
        echo "# boot $accel: $verdict s to READY (guest uptime $up s)"
    elif [ "$accel" = kvm ] && grep -qiE 'failed to initialize kvm|could not access kvm' "$err"; then
        echo "ok $n # SKIP KVM: $(grep -iE -m1 'kvm' "$err")"
    else
        echo "not ok $n - $accel: $verdict"
        sed 's/^/# qemu: /' "$err"
        tail -n 20 "$log" 2>/dev/null | tr -d '\r' | sed 's/^/# serial: /'
        failed=1
    fi
done
exit $failed
