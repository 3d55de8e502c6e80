/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wait.h"

/* How often polled conditions (file sizes, child exit) are looked at. */
#define POLL_INTERVAL_MS 10

gint64 deadline_after_ms(guint ms)
{
    return g_get_monotonic_time() + (gint64)ms * 1000;
}

guint ms_left(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    return left > 0 ? left / 1000 : 0;
}

static gboolean keep_source(gpointer opaque)
{
    return G_SOURCE_CONTINUE;
}

gboolean wait_until(WaitCondition cond, gpointer opaque, gint64 deadline)
{
    GSource *tick;
    gboolean done;

    if (cond(opaque)) {
        return TRUE;
    }
    /* Wakes the context up so that polled conditions are re-evaluated. */
    tick = g_timeout_source_new(POLL_INTERVAL_MS);
    g_source_set_callback(tick, keep_source, NULL, NULL);
    g_source_attach(tick, NULL);
    while (!(done = cond(opaque)) && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_source_destroy(tick);
    g_source_unref(tick);
    return done;
}

typedef struct ProbeWait {
    WaitProbe probe;
    gpointer opaque;
    guint every_ms;
    gboolean done;
    GError *error;
} ProbeWait;

static gboolean probe_once(gpointer opaque)
{
    ProbeWait *w = opaque;

    if (!w->probe(w->opaque, &w->done, &w->error) || w->done) {
        return TRUE;
    }
    wait_ms(w->every_ms);
    return FALSE;
}

gboolean wait_probe(WaitProbe probe, gpointer opaque, guint every_ms,
                    gint64 deadline, GError **errp)
{
    ProbeWait w = { .probe = probe, .opaque = opaque, .every_ms = every_ms };

    wait_until(probe_once, &w, deadline);
    if (w.error) {
        g_propagate_error(errp, w.error);
        return FALSE;
    }
    return w.done;
}

static gboolean never(gpointer opaque)
{
    return FALSE;
}

void wait_ms(guint ms)
{
    wait_until(never, NULL, deadline_after_ms(ms));
}
