/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Steps the families of cases share, built on colo-pair.h alone: a
 * failover after checkpoints, and the checks every failover ends with.
 */
#ifndef SHIM_COLO_STEPS_H
#define SHIM_COLO_STEPS_H

#include "colo-pair.h"

/*
 * Waits for @checkpoints checkpoints and, if @during_checkpoint, for the
 * next one to begin (the secondary stopped), then fails over to @survivor.
 */
gboolean colo_steps_failover(ColoPair *pair, guint checkpoints,
                             gboolean during_checkpoint, ColoSide survivor,
                             GError **errp);

/* After a failover: the survivor runs, its clock goes on, its RAM checks. */
gboolean colo_steps_survivor_ok(ColoPair *pair, ColoSide survivor,
                                GError **errp);

#endif
