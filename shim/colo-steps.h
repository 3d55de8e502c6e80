/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Steps the families of cases share, built on colo-pair.h alone: a
 * failover after checkpoints, the checks every failover ends with, and
 * the removals (object-del, chardev-remove) of COLO-FT.txt's failover
 * steps.
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

/*
 * QMP @cmd, a removal by id such as object-del or chardev-remove, of @id
 * on @side; the error names all three.
 */
gboolean colo_steps_remove(ColoPair *pair, ColoSide side, const char *cmd,
                           const char *id, GError **errp);

#endif
