/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a process holds, from /proc: threads, open file descriptors and
 * resident memory.  For the growth checks of long COLO runs.
 */
#ifndef SHIM_PROC_USAGE_H
#define SHIM_PROC_USAGE_H

#include <glib.h>

typedef struct ProcUsage {
    guint threads;
    guint fds;
    guint64 rss_kib;
} ProcUsage;

gboolean proc_usage_read(GPid pid, ProcUsage *usage, GError **errp);

/*
 * Passes when @now holds at most @growth more of each than @was; the error
 * gives both.
 */
gboolean proc_usage_within(const ProcUsage *was, const ProcUsage *now,
                           const ProcUsage *growth, GError **errp);

/* "12 threads, 40 fds, 81234 KiB RSS" */
char *proc_usage_describe(const ProcUsage *usage);

#endif
