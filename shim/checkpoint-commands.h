/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands an operator (or a management layer) may send while a COLO
 * checkpoint is under way (checkpoint-commands.c).
 */
#ifndef SHIM_CHECKPOINT_COMMANDS_H
#define SHIM_CHECKPOINT_COMMANDS_H

#include "colo-pair.h"

/*
 * At each of @rounds checkpoints, a QMP cont to @side as soon as the
 * secondary reports the checkpoint's STOP; then a failover to the
 * secondary, whose state came through those checkpoints, and its checks.
 * Each cont must be refused or harmless; after the failover a cont must
 * resume the survivor (stopped by its RAM check).
 */
gboolean cont_during_checkpoints(ColoPair *pair, ColoSide side, guint rounds,
                                 guint checkpoints, GError **errp);

#endif
