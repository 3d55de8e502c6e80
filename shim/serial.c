/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "serial.h"

#include <glib/gstdio.h>
#include <string.h>

#include "wait.h"

goffset serial_size(const char *path)
{
    GStatBuf st;

    return g_stat(path, &st) == 0 ? st.st_size : 0;
}

typedef struct MarkerWait {
    const char *path;
    const char *marker;
} MarkerWait;

static gboolean has_marker(gpointer opaque)
{
    MarkerWait *w = opaque;
    g_autofree char *line = serial_find_line(w->path, w->marker);

    return line != NULL;
}

gboolean serial_wait_marker(const char *path, const char *marker,
                            gint64 deadline)
{
    MarkerWait w = { path, marker };

    return wait_until(has_marker, &w, deadline);
}

char *serial_find_line(const char *path, const char *marker)
{
    g_autofree char *text = NULL;
    const char *at, *end;
    gsize len;

    /* The output may hold NUL bytes: search it as memory, not a string. */
    if (!g_file_get_contents(path, &text, &len, NULL) ||
        !(at = memmem(text, len, marker, strlen(marker)))) {
        return NULL;
    }
    end = memchr(at, '\n', text + len - at);
    return g_strndup(at, end ? (gsize)(end - at) : (gsize)(text + len - at));
}

typedef struct GrowthWait {
    const char *path;
    goffset from;
} GrowthWait;

static gboolean has_grown(gpointer opaque)
{
    GrowthWait *w = opaque;

    return serial_size(w->path) > w->from;
}

gboolean serial_wait_growth(const char *path, goffset from, gint64 deadline)
{
    GrowthWait w = { path, from };

    return wait_until(has_grown, &w, deadline);
}
