/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "colo-steps.h"

gboolean colo_steps_failover(ColoPair *pair, guint checkpoints,
                             gboolean during_checkpoint, ColoSide survivor,
                             GError **errp)
{
    return colo_pair_wait_checkpoints(pair, checkpoints, errp) &&
           (!during_checkpoint ||
            colo_pair_wait_checkpoint_begins(pair, errp)) &&
           colo_pair_failover(pair, survivor, errp);
}

gboolean colo_steps_survivor_ok(ColoPair *pair, ColoSide survivor,
                                GError **errp)
{
    /* The clock before the RAM check, which stops the guest. */
    return colo_pair_check_runs(pair, survivor, errp) &&
           colo_pair_check_clock(pair, survivor, errp) &&
           colo_pair_check_ram(pair, survivor, errp);
}
