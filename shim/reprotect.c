/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Re-protection cycles: failovers to either side, idle and mid-checkpoint
 * (cycle_pattern), each followed by re-protection.  After every failover:
 * a second failover is refused, the survivor's usual checks pass, and its
 * threads, file descriptors and RSS are read from /proc, printed, and
 * compared with what the same process held after its previous failover:
 * state a COLO session leaves behind shows up there long before a pair
 * running for weeks runs out of it.
 */
#include "reprotect.h"

#include "colo-steps.h"
#include "proc-usage.h"
#include "shim-error.h"

#include <string.h>

/*
 * Growth allowed between two failovers of one process: none in threads and
 * file descriptors (constant in every run measured), and a quarter of the
 * matrix guest's 64 MiB in RSS: a leaked copy of the guest's RAM (COLO's
 * cache) shows, allocator and TCG code cache noise (0.2-4.5 MiB a cycle
 * measured) does not.
 */
static const ProcUsage max_growth = { .rss_kib = 16 * 1024 };

/* The survivor of the previous cycle, as it was then. */
typedef struct Survivor {
    GPid pid;
    ProcUsage usage;
} Survivor;

static gboolean usage_ok(ColoPair *pair, ColoSide side, Survivor *last,
                         GError **errp)
{
    Survivor now = { colo_pair_pid(pair, side) };
    g_autofree char *d = NULL;

    if (!proc_usage_read(now.pid, &now.usage, errp)) {
        return FALSE;
    }
    d = proc_usage_describe(&now.usage);
    g_test_message("the %s (pid %d) holds %s%s", colo_side_name(side),
                   now.pid, d, last->pid == now.pid ?
                   ", after its previous failover too" : "");
    if (last->pid == now.pid &&
        !proc_usage_within(&last->usage, &now.usage, &max_growth, errp)) {
        g_prefix_error(errp, "the %s, since its previous failover: ",
                       colo_side_name(side));
        return FALSE;
    }
    *last = now;
    return TRUE;
}

/*
 * Who survives each cycle, and when it fails over: every combination, a
 * primary that goes on surviving (cycles 3 and 4: the secondary promoted in
 * cycle 2 is re-protected three times), and both kinds of re-protection.
 */
static const struct {
    ColoSide survivor;
    gboolean during_checkpoint;
} cycle_pattern[] = {
    { COLO_PRIMARY, FALSE }, { COLO_SECONDARY, FALSE },
    { COLO_PRIMARY, FALSE }, { COLO_PRIMARY, TRUE },
    { COLO_SECONDARY, TRUE }, { COLO_PRIMARY, TRUE },
};

gboolean reprotect_cycles(ColoPair *pair, guint cycles, guint checkpoints,
                          GError **errp)
{
    Survivor last = { 0 };

    for (guint i = 0; i < cycles; i++) {
        ColoSide survivor = cycle_pattern[i % G_N_ELEMENTS(cycle_pattern)]
                            .survivor;
        gboolean during = cycle_pattern[i % G_N_ELEMENTS(cycle_pattern)]
                          .during_checkpoint;

        g_test_message("cycle %u of %u: fail over to the %s%s", i + 1, cycles,
                       colo_side_name(survivor),
                       during ? " during a checkpoint" : "");
        if (!colo_steps_failover(pair, checkpoints, during, survivor, errp) ||
            !colo_steps_survivor_ok(pair, survivor, errp) ||
            !colo_pair_failover_refused(pair, survivor, errp) ||
            !usage_ok(pair, survivor, &last, errp) ||
            (i + 1 < cycles && !colo_pair_reprotect(pair, survivor, errp))) {
            g_prefix_error(errp, "cycle %u of %u: ", i + 1, cycles);
            return FALSE;
        }
    }
    return TRUE;
}

/* Re-protecting @side must be refused, leaving both sides as they were. */
static gboolean refused(ColoPair *pair, ColoSide side, GError **errp)
{
    g_autoptr(GError) err = NULL;

    if (colo_pair_reprotect(pair, side, &err)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "re-protection of the %s in COLO was not refused",
                    colo_side_name(side));
        return FALSE;
    }
    if (!g_error_matches(err, SHIM_ERROR, SHIM_ERROR_CHECK) ||
        !strstr(err->message, "still in COLO mode")) {
        g_propagate_prefixed_error(errp, g_steal_pointer(&err),
                                   "re-protection in COLO failed otherwise: ");
        return FALSE;
    }
    g_test_message("refused: %.*s", (int)strcspn(err->message, "\n"),
                   err->message);
    return TRUE;
}

gboolean reprotect_refused_in_colo(ColoPair *pair, guint checkpoints,
                                   GError **errp)
{
    /* Then COLO goes on, and ends as usual. */
    return colo_pair_wait_checkpoints(pair, checkpoints, errp) &&
           refused(pair, COLO_PRIMARY, errp) &&
           refused(pair, COLO_SECONDARY, errp) &&
           colo_steps_failover(pair, checkpoints, FALSE, COLO_SECONDARY,
                               errp) &&
           colo_steps_survivor_ok(pair, COLO_SECONDARY, errp);
}
