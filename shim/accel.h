/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accelerator of a pair that runs guest code: QEMU's -accel argument
 * for it, and whether it can run on this machine at all.
 */
#ifndef SHIM_ACCEL_H
#define SHIM_ACCEL_H

#include <glib.h>

#include "colo-pair.h"

/* -accel's argument for @cfg (tcg, or kvm with its device and dirty ring). */
char *accel_arg(const ColoConfig *cfg);

/*
 * TRUE where @cfg's accelerator can run here (TCG and qtest always); else
 * FALSE with the reason as SHIM_ERROR_UNAVAILABLE: the case is skipped.
 */
gboolean accel_usable(const ColoConfig *cfg, GError **errp);

#endif
