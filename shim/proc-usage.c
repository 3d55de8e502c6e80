/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "proc-usage.h"

#include <string.h>

#include "shim-error.h"

/* The number after "@key:" in /proc/PID/status; FALSE if it is missing. */
static gboolean status_field(const char *status, const char *key,
                             guint64 *value)
{
    g_autofree char *needle = g_strdup_printf("\n%s:", key);
    const char *at = strstr(status, needle);

    if (!at) {
        return FALSE;
    }
    *value = g_ascii_strtoull(at + strlen(needle), NULL, 10);
    return TRUE;
}

gboolean proc_usage_read(GPid pid, ProcUsage *usage, GError **errp)
{
    g_autofree char *status_path = g_strdup_printf("/proc/%d/status", pid);
    g_autofree char *fd_path = g_strdup_printf("/proc/%d/fd", pid);
    g_autofree char *status = NULL;
    g_autoptr(GDir) fds = NULL;
    guint64 threads, rss;

    if (!g_file_get_contents(status_path, &status, NULL, errp) ||
        !(fds = g_dir_open(fd_path, 0, errp))) {
        return FALSE;
    }
    if (!status_field(status, "Threads", &threads) ||
        !status_field(status, "VmRSS", &rss)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s has no Threads or VmRSS line", status_path);
        return FALSE;
    }
    usage->threads = threads;
    usage->rss_kib = rss;
    usage->fds = 0;
    while (g_dir_read_name(fds)) {
        usage->fds++;
    }
    return TRUE;
}

char *proc_usage_describe(const ProcUsage *usage)
{
    return g_strdup_printf("%u threads, %u fds, %" G_GUINT64_FORMAT
                           " KiB RSS", usage->threads, usage->fds,
                           usage->rss_kib);
}

gboolean proc_usage_within(const ProcUsage *was, const ProcUsage *now,
                           const ProcUsage *growth, GError **errp)
{
    g_autofree char *w = proc_usage_describe(was);
    g_autofree char *n = proc_usage_describe(now);
    g_autofree char *g = proc_usage_describe(growth);

    if (now->threads > was->threads + growth->threads ||
        now->fds > was->fds + growth->fds ||
        now->rss_kib > was->rss_kib + growth->rss_kib) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "grew from %s to %s (bound: %s more)", w, n, g);
        return FALSE;
    }
    return TRUE;
}
