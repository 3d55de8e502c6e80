/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bench-trace.h"

#include "qemu-trace.h"

#define BEGIN_EVENT "colo_flush_ram_cache_begin"
#define END_EVENT "colo_flush_ram_cache_end"

void bench_trace_add_args(GStrvBuilder *b, const char *path)
{
    const char *const events[] = { BEGIN_EVENT, END_EVENT, NULL };

    qemu_trace_add_args(b, path, events);
}

GArray *bench_trace_read(const char *path, GError **errp)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GArray *flushes = g_array_new(FALSE, FALSE, sizeof(BenchFlush));
    BenchFlush open = { -1, -1 };

    if (!g_file_get_contents(path, &text, NULL, errp)) {
        g_array_unref(flushes);
        return NULL;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *event;
        gint64 us;

        if (!qemu_trace_line_time(*l, &us, &event)) {
            continue;
        }
        if (g_str_has_prefix(event, BEGIN_EVENT)) {
            open.begin_us = us;
        } else if (g_str_has_prefix(event, END_EVENT) && open.begin_us >= 0) {
            open.end_us = us;
            g_array_append_val(flushes, open);
            open.begin_us = -1;
        }
    }
    return flushes;
}

const BenchFlush *bench_trace_flush_within(GArray *flushes, gint64 from_us,
                                           gint64 to_us)
{
    for (guint i = 0; i < flushes->len; i++) {
        const BenchFlush *f = &g_array_index(flushes, BenchFlush, i);

        if (f->begin_us >= from_us && f->begin_us <= to_us) {
            return f;
        }
    }
    return NULL;
}
