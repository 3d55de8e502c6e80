#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-installed-firmware.sh QEMU: the installed QEMU is usable by hand.
# Each machine type starts with its default devices (default NIC and VGA,
# vapic on) and no -L or -global, and its firmware runs: SeaBIOS boots, runs
# the NIC's option ROM and finds QEMU's kvmvapic.bin.  Without the firmware
# of build-qemu.sh QEMU exits at once ("could not load PC BIOS").
qemu=$1
if [ -z "$qemu" ]; then
    echo "1..0 # SKIP no QEMU configured (meson: -Dqemu_prefix)"
    exit 0
fi
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
# Natively the firmware gets there in about a second under TCG.
BOOT_SECONDS=30

# Polls SeaBIOS's debug log until it has run an option ROM after "Scan for
# option roms" (the NIC's) and named kvmvapic.bin, or QEMU exits, or time
# is up.  Prints what it saw.
watch_firmware() {
    log=$1 i=0
    while [ $i -lt $((BOOT_SECONDS * 10)) ]; do
        if awk '/Scan for option roms/ { scan = 1 }
                scan && /Running option rom/ { nic = 1 }
                /kvmvapic\.bin/ { vapic = 1 }
                END { exit !(nic && vapic) }' "$log" 2>/dev/null; then
            echo "NIC option ROM run, kvmvapic.bin found"
            return 0
        fi
        # An exited QEMU stays a zombie until waited for.
        case $(ps -o stat= -p "$pid") in
            ''|Z*) echo "QEMU exited"; return 1 ;;
        esac
        sleep 0.1
        i=$((i + 1))
    done
    echo "no NIC option ROM and kvmvapic.bin within $BOOT_SECONDS s"
    return 1
}

echo "1..2"
n=0 failed=0
for machine in pc q35; do
    n=$((n + 1))
    bios=$dir/$machine.seabios
    # -no-reboot: the firmware finds nothing to boot and would retry.
    "$qemu" -machine "$machine" -display none -no-reboot \
        -chardev file,id=seabios,path="$bios" \
        -device isa-debugcon,iobase=0x402,chardev=seabios \
        > "$dir/$machine.log" 2>&1 &
    pid=$!
    if seen=$(watch_firmware "$bios"); then
        echo "ok $n - $machine with its defaults, no -L or -global: $seen"
    else
        echo "not ok $n - $machine with its defaults, no -L or -global: $seen"
        sed 's/^/# qemu: /' "$dir/$machine.log"
        tail -3 "$bios" 2>/dev/null | sed 's/^/# seabios: /'
        failed=1
    fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
done
exit $failed
