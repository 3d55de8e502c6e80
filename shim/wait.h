/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounded waits.  All of the shim's I/O is driven by the default GMainContext;
 * waiting means iterating it until a condition holds or a deadline passes,
 * so QMP streams of both QEMUs keep being read whichever one is waited on.
 */
#ifndef SHIM_WAIT_H
#define SHIM_WAIT_H

#include <glib.h>

typedef gboolean (*WaitCondition)(gpointer opaque);

/* A monotonic deadline @ms milliseconds from now. */
gint64 deadline_after_ms(guint ms);

/* Milliseconds until @deadline, for messages (never negative). */
guint ms_left(gint64 deadline);

/*
 * Iterates the default main context until @cond returns TRUE (then TRUE)
 * or @deadline passes (then @cond's last answer).  @cond is polled at least
 * every few milliseconds, so it may look at files and processes too.
 */
gboolean wait_until(WaitCondition cond, gpointer opaque, gint64 deadline);

/*
 * One look at what a wait waits for: sets *@done, or fails with the
 * reason, which ends the wait.
 */
typedef gboolean (*WaitProbe)(gpointer opaque, gboolean *done,
                              GError **errp);

/*
 * Calls @probe every @every_ms milliseconds until it says done (TRUE), it
 * fails (FALSE, its error in @errp) or @deadline passes (FALSE with @errp
 * untouched: the caller says what it waited for).
 */
gboolean wait_probe(WaitProbe probe, gpointer opaque, guint every_ms,
                    gint64 deadline, GError **errp);

/* Keeps the main context running for @ms milliseconds. */
void wait_ms(guint ms);

#endif
