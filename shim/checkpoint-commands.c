/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A cont during a checkpoint: the side is stopped in RUN_STATE_COLO, and
 * resuming it there lets the guest run while the checkpoint's RAM and
 * device state are still being saved or loaded.  On the secondary the cont
 * waits for the BQL the RAM load holds, and so runs just before the cache
 * is flushed into guest RAM.  Whatever QEMU answers, the guests' own checks
 * and the survivor's RAM check say whether it did harm; and once the
 * failover has ended COLO, cont works again.
 */
#include "checkpoint-commands.h"

#include "colo-steps.h"

/* Out of COLO again, cont resumes the survivor the RAM check stopped. */
static gboolean cont_after_colo(ColoPair *pair, GError **errp)
{
    g_autoptr(JsonNode) ret = colo_pair_execute(pair, COLO_SECONDARY, "cont",
                                                NULL, errp);

    if (!ret) {
        g_prefix_error(errp, "cont after the failover: ");
        return FALSE;
    }
    return colo_pair_check_runs(pair, COLO_SECONDARY, errp);
}

gboolean cont_during_checkpoints(ColoPair *pair, ColoSide side, guint rounds,
                                 guint checkpoints, GError **errp)
{
    guint refused = 0;

    if (!colo_pair_wait_checkpoints(pair, checkpoints, errp)) {
        return FALSE;
    }
    for (guint i = 0; i < rounds; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonNode) ret = NULL;

        if (!colo_pair_wait_checkpoint_begins(pair, errp)) {
            return FALSE;
        }
        ret = colo_pair_execute(pair, side, "cont", NULL, &err);
        if (!ret) {
            refused++;
            if (i == 0) {
                g_test_message("the %s refused cont: %s",
                               colo_side_name(side), err->message);
            }
        }
    }
    g_test_message("the %s refused %u of %u conts during a checkpoint",
                   colo_side_name(side), refused, rounds);
    /* The guests check their RAM as they run; then the survivor's. */
    return colo_steps_failover(pair, checkpoints, FALSE, COLO_SECONDARY,
                               errp) &&
           colo_steps_survivor_ok(pair, COLO_SECONDARY, errp) &&
           cont_after_colo(pair, errp);
}
