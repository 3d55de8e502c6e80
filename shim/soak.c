/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pair that checkpoints every few hundred milliseconds for days dies of
 * small per-checkpoint leaks that valgrind's report at exit does not flag
 * (memory still reachable, file descriptors, threads).  The soak samples
 * both QEMUs from /proc every few checkpoints, writes the samples as CSV,
 * and compares the last sample with the first after the warm-up (the first
 * tenth of the run: caches, the TCG code buffer and the allocator's arenas
 * fill up there).
 */
#include "soak.h"

#include <errno.h>
#include <stdio.h>

#include "colo-steps.h"
#include "proc-usage.h"
#include "shim-error.h"

/*
 * Growth allowed after the warm-up: no thread and no fd, and 2 MiB of RSS,
 * allocator noise; over 5,000 checkpoints that bounds a leak to about
 * 0.4 KiB a checkpoint.
 */
static const ProcUsage max_growth = { .rss_kib = 2 * 1024 };

typedef struct Sample {
    guint checkpoints;
    ProcUsage side[2];
} Sample;

static gboolean take_sample(ColoPair *pair, guint checkpoints, gint64 t0,
                            FILE *csv, Sample *s, GError **errp)
{
    s->checkpoints = checkpoints;
    for (ColoSide side = COLO_PRIMARY; side <= COLO_SECONDARY; side++) {
        GPid pid = colo_pair_pid(pair, side);

        if (!proc_usage_read(pid, &s->side[side], errp)) {
            g_prefix_error(errp, "sampling the %s: ", colo_side_name(side));
            return FALSE;
        }
        if (csv) {
            fprintf(csv, "%u,%.1f,%s,%d,%u,%u,%" G_GUINT64_FORMAT "\n",
                    checkpoints, (g_get_monotonic_time() - t0) / 1e6,
                    colo_side_name(side), pid, s->side[side].threads,
                    s->side[side].fds, s->side[side].rss_kib);
        }
    }
    return TRUE;
}

/* Each side's growth from @base to @last; FALSE beyond the bounds. */
static gboolean growth_ok(const Sample *base, const Sample *last,
                          GError **errp)
{
    guint span = last->checkpoints - base->checkpoints;

    for (ColoSide side = COLO_PRIMARY; side <= COLO_SECONDARY; side++) {
        const ProcUsage *b = &base->side[side], *l = &last->side[side];

        g_test_message("the %s from checkpoint %u to %u: threads %u -> %u, "
                       "fds %u -> %u, RSS %" G_GUINT64_FORMAT " -> %"
                       G_GUINT64_FORMAT " KiB (%+.1f KiB per 1000 "
                       "checkpoints)", colo_side_name(side),
                       base->checkpoints, last->checkpoints, b->threads,
                       l->threads, b->fds, l->fds, b->rss_kib, l->rss_kib,
                       span ? ((double)l->rss_kib - b->rss_kib) * 1000 / span
                            : 0);
        if (!proc_usage_within(b, l, &max_growth, errp)) {
            g_prefix_error(errp, "the %s after the warm-up: ",
                           colo_side_name(side));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean soak_checkpoints(ColoPair *pair, const SoakConfig *sc,
                                 FILE *csv, GError **errp)
{
    guint warmup = MAX(sc->every, sc->checkpoints / 10);
    gint64 t0 = g_get_monotonic_time();
    /* base.checkpoints stays 0 until the first sample after the warm-up. */
    Sample base = { 0 }, last = { 0 };

    for (guint done = 0; done < sc->checkpoints;) {
        guint n = MIN(sc->every, sc->checkpoints - done);

        if (!colo_pair_wait_checkpoints(pair, n, errp)) {
            g_prefix_error(errp, "after %u checkpoints: ", done);
            return FALSE;
        }
        done += n;
        if (!take_sample(pair, done, t0, csv, &last, errp)) {
            return FALSE;
        }
        if (!base.checkpoints && done >= warmup) {
            base = last;
        }
    }
    g_test_message("%u checkpoints in %.0f s", sc->checkpoints,
                   (g_get_monotonic_time() - t0) / 1e6);
    if (!base.checkpoints || base.checkpoints == last.checkpoints) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "%u checkpoints sampled every %u leave nothing to "
                    "compare after a warm-up of %u", sc->checkpoints,
                    sc->every, warmup);
        return FALSE;
    }
    return growth_ok(&base, &last, errp);
}

gboolean soak_run(ColoPair *pair, const SoakConfig *sc, GError **errp)
{
    FILE *csv = NULL;
    gboolean ok;

    if (sc->csv_path) {
        if (!(csv = fopen(sc->csv_path, "w"))) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                        "cannot write %s: %s", sc->csv_path,
                        g_strerror(errno));
            return FALSE;
        }
        fprintf(csv, "checkpoint,seconds,side,pid,threads,fds,rss_kib\n");
    }
    ok = soak_checkpoints(pair, sc, csv, errp);
    if (csv) {
        fclose(csv);
    }
    /* It ends as every case does: a failover, the survivor's checks. */
    return ok &&
           colo_steps_failover(pair, 1, FALSE, COLO_SECONDARY, errp) &&
           colo_steps_survivor_ok(pair, COLO_SECONDARY, errp);
}
