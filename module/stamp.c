/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What makes this a QEMU module: the stamp of the QEMU build it is for
 * (COLO_MULTIFD_QEMU_STAMP, CONFIG_STAMP of that build's config-host.h,
 * passed by meson), without which QEMU's loader refuses it, and module_init
 * registration, which QEMU's loader runs right after loading it.
 */
#include "hooks.h"

#ifndef COLO_MULTIFD_QEMU_STAMP
#error "COLO_MULTIFD_QEMU_STAMP must be the CONFIG_STAMP of the target QEMU build"
#endif

COLO_MULTIFD_MODULE_STAMP(COLO_MULTIFD_QEMU_STAMP)

static void colo_multifd_module_init(void)
{
    /* QEMU reports a version mismatch itself; nothing is registered then. */
    colo_multifd_register_hooks(&colo_multifd_module_hooks);
}

COLO_MULTIFD_MODULE_INIT(colo_multifd_module_init)
