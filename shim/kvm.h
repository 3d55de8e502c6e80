/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether KVM can run a guest on this machine, asked of the kernel the way
 * QEMU will use it, so that a case on KVM is skipped with the reason where
 * it cannot run (no device, no permission, nested virtualization off)
 * instead of failing in QEMU's start-up.
 */
#ifndef SHIM_KVM_H
#define SHIM_KVM_H

#include <glib.h>

/* QEMU's default; the shim's --kvm-device and -accel kvm,device= change it. */
#define SHIM_KVM_DEVICE "/dev/kvm"

/*
 * Opens @device (NULL: SHIM_KVM_DEVICE), creates a VM with one vCPU and
 * runs it to a HLT instruction.  On FALSE, @errp (SHIM_ERROR_UNAVAILABLE)
 * says which step failed and why.  Probed once per process and device.
 */
gboolean kvm_usable(const char *device, GError **errp);

/*
 * Whether @device's KVM offers the dirty ring (KVM_CAP_DIRTY_LOG_RING),
 * which -accel kvm,dirty-ring-size=N needs; on FALSE @errp says why.
 */
gboolean kvm_dirty_ring_usable(const char *device, GError **errp);

/*
 * Whether KVM runs a guest's kernel-mode code, which a Linux kernel needs:
 * nested PVM (the kvm_pvm module) runs only 64-bit user-mode code natively
 * and stops Debian's kernel with "KVM internal error" (README, "KVM").  On
 * FALSE, @errp (SHIM_ERROR_UNAVAILABLE) says so.
 */
gboolean kvm_runs_kernel_mode(GError **errp);

#endif
