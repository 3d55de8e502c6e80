/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "workload-log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/linux/workload-format.h"
#include "shim-error.h"

static void add_ack(WlAcks *acks, guint64 seq)
{
    if (acks->count == 0) {
        acks->first = seq;
        acks->in_order = TRUE;
    } else if (acks->in_order && seq != acks->last + 1) {
        acks->in_order = FALSE;
        acks->out_of_order = seq;
    }
    acks->last = seq;
    acks->count++;
}

gboolean wl_read_acks(const char *path, goffset from, goffset to,
                      WlAcks *acks, GError **errp)
{
    g_autofree char *text = NULL;
    gsize len;
    const char *word = WL_ACK " ";

    *acks = (WlAcks) { 0 };
    if (!g_file_get_contents(path, &text, &len, errp)) {
        return FALSE;
    }
    if (to < 0 || (gsize)to > len) {
        to = len;
    }
    for (const char *line = text; line < text + to;) {
        const char *end = memchr(line, '\n', text + len - line);

        if (line >= text + from && g_str_has_prefix(line, word)) {
            add_ack(acks, g_ascii_strtoull(line + strlen(word), NULL, 10));
        }
        if (!end) {
            break;
        }
        line = end + 1;
    }
    return TRUE;
}

static gboolean sector_empty(const guint8 *s)
{
    for (gsize i = 0; i < WL_RECORD_SIZE; i++) {
        if (s[i]) {
            return FALSE;
        }
    }
    return TRUE;
}

/* After the journal's last record @r, as read from @f: zeros only. */
static gboolean empty_after(FILE *f, WlRecord *r, const char *path,
                            guint64 seq, GError **errp)
{
    for (guint i = 0; i < WL_EMPTY_AFTER; i++) {
        if (i > 0 && fread(r, sizeof(*r), 1, f) != 1) {
            break;
        }
        if (!sector_empty((const guint8 *)r)) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "%s: the journal ends after %" G_GUINT64_FORMAT
                        " records, but sector %" G_GUINT64_FORMAT " is not "
                        "empty%s", path, seq, seq + i,
                        r->magic == WL_MAGIC ? " (it holds a record)" : "");
            return FALSE;
        }
    }
    return TRUE;
}

gboolean wl_read_journal(const char *path, guint64 *records, GError **errp)
{
    FILE *f = fopen(path, "rb");
    WlRecord r;
    guint64 seq = 0;
    gboolean ok = TRUE;

    if (!f) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "cannot open %s: %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    while (fread(&r, sizeof(r), 1, f) == 1 && wl_record_valid(&r, seq)) {
        seq++;
    }
    *records = seq;
    if (!feof(f)) {
        ok = empty_after(f, &r, path, seq, errp);
    }
    fclose(f);
    return ok;
}
