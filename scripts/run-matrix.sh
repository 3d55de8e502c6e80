#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-matrix.sh BUILDDIR [SHIM OPTIONS...]: the main job's last step, the COLO
# failover matrix against the QEMU and module this project built, with both
# QEMUs under valgrind memcheck (RUN_VALGRIND=0: natively), in TAP, ending
# with a summary table.
. "$(dirname "$0")/common.sh"

builddir=${1:-$TOPDIR/build}
shift || true
prefix=$("$TOPDIR/scripts/build-qemu.sh" --print-prefix)
shim=("$builddir/shim/colo-shim" --qemu "$prefix/bin/qemu-system-x86_64")

# Under valgrind every case but the sweeps (those are option variations):
# on KVM where it can run, since memcheck then slows QEMU alone and not the
# guest, with a TCG share that keeps TCG's paths checked, one disk case and
# one network case (skipped, saying why, where KVM cannot run Linux: under
# memcheck on TCG the Linux guest takes the best part of an hour to boot in
# COLO); on TCG alone where KVM cannot run.
cases=(--only '/colo/*/*/plain' --only '/colo/*/*/multifd' --only '/colo/*/*/precopy')
if kvm=$("${shim[@]}" --kvm-probe | grep -v '^#'); then
    cases=(--only '/colo/kvm/*/plain' --only '/colo/kvm/*/multifd'
           --only '/colo/kvm/*/precopy' --only '/colo/qtest'
           --only '/colo/kvm/q35/disk/plain/secondary_failover'
           --exclude '/colo/kvm/q35/disk/plain/secondary_failover_'
           --only '/colo/kvm/q35/net/plain/secondary_failover'
           --exclude '/colo/kvm/q35/net/plain/secondary_failover_'
           --only '/colo/tcg/pc/plain/secondary_failover_checkpoint'
           --only '/colo/tcg/q35/multifd/primary_failover_checkpoint')
fi
echo "$kvm"
valgrind=(--valgrind --valgrind-supp "$TOPDIR/tests/valgrind.supp" "${cases[@]}")
if [ "${RUN_VALGRIND:-1}" = 0 ]; then
    valgrind=()
fi
step "COLO failover matrix${valgrind:+ under valgrind memcheck}" \
    "${shim[@]}" --tap --module-dir "$builddir/module" "${valgrind[@]}" "$@"
