/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qemu-trace.h"

#include <string.h>

void qemu_trace_add_args(GStrvBuilder *b, const char *path,
                         const char *const *events)
{
    g_strv_builder_add_many(b, "-D", path, "-msg", "timestamp=on", NULL);
    for (; *events; events++) {
        g_strv_builder_add_many(b, "-trace", *events, NULL);
    }
}

gboolean qemu_trace_line_time(const char *line, gint64 *us,
                              const char **event)
{
    const char *at = strchr(line, '@');
    char *end;
    guint64 s, frac;

    if (!at) {
        return FALSE;
    }
    s = g_ascii_strtoull(at + 1, &end, 10);
    if (*end != '.' || end - at < 2) {
        return FALSE;
    }
    frac = g_ascii_strtoull(end + 1, &end, 10);
    if (*end != ':') {
        return FALSE;
    }
    *us = (gint64)(s * G_USEC_PER_SEC + frac);
    *event = end + 1;
    return TRUE;
}
