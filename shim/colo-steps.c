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

gboolean colo_steps_remove(ColoPair *pair, ColoSide side, const char *cmd,
                           const char *id, GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;

    json_object_set_string_member(args, "id", id);
    ret = colo_pair_execute(pair, side, cmd, args, errp);
    if (!ret) {
        g_prefix_error(errp, "%s %s on the %s: ", cmd, id,
                       colo_side_name(side));
    }
    return ret != NULL;
}
