/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Back to protection after a failover, again and again (reprotect.c).
 */
#ifndef SHIM_REPROTECT_H
#define SHIM_REPROTECT_H

#include "colo-pair.h"

/*
 * @cycles cycles on a pair in COLO, each: @checkpoints checkpoints, a
 * failover, the survivor's checks, and (but after the last) the survivor
 * re-protected by a fresh secondary.
 */
gboolean reprotect_cycles(ColoPair *pair, guint cycles, guint checkpoints,
                          GError **errp);

/* Re-protection before any failover is refused, and COLO goes on. */
gboolean reprotect_refused_in_colo(ColoPair *pair, guint checkpoints,
                                   GError **errp);

#endif
