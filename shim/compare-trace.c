/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "compare-trace.h"

#include <string.h>

#include "qemu-trace.h"

/* A "pri:" line of colo_compare_tcp_info with a payload. */
static gboolean tcp_payload_matched(const char *event)
{
    const char *pdlen = strstr(event, " pdlen= ");

    return g_str_has_prefix(event, "colo_compare_tcp_info pri:") && pdlen &&
           g_ascii_strtoull(pdlen + strlen(" pdlen= "), NULL, 10) > 0;
}

static void count_event(CompareCounts *c, const char *event, gint64 us)
{
    if (g_str_has_prefix(event, "colo_compare_main ")) {
        c->same += strstr(event, "packet same and release packet") != NULL;
        c->different += strstr(event, "packet different") != NULL;
    } else if (g_str_has_prefix(event, "colo_old_packet_check_found ")) {
        c->expired++;
    } else if (tcp_payload_matched(event)) {
        c->matched++;
    } else if (g_str_has_prefix(event, "colo_send_message ")) {
        c->checkpoints += strstr(event, "'checkpoint-request'") != NULL;
    } else if (g_str_has_prefix(event, "colo_vm_state_change ") &&
               strstr(event, "'stop' => 'run'")) {
        c->last_resume_us = us;
    }
}

gboolean compare_trace_count(const char *path, gint64 from_us, gint64 to_us,
                             CompareCounts *c, GError **errp)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint n;

    *c = (CompareCounts) { 0 };
    if (!g_file_get_contents(path, &text, NULL, errp)) {
        return FALSE;
    }
    lines = g_strsplit(text, "\n", -1);
    n = g_strv_length(lines);
    /* The last piece follows the last newline: empty, or being written. */
    for (guint i = 0; i + 1 < n; i++) {
        const char *event;
        gint64 us;

        if (qemu_trace_line_time(lines[i], &us, &event) && us >= from_us &&
            (!to_us || us <= to_us)) {
            count_event(c, event, us);
        }
    }
    return TRUE;
}
