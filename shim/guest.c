/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guest.h"

#include <gio/gio.h>
#include <string.h>

#include "guest-resources.h"
#include "shim-error.h"

/* Layout of the parameter block in bootsect.s. */
#define PARAMS_OFFSET 0x1e0
#define PARAMS_MAGIC "CSG1"
#define BOOTSECT_SIZE 512

/* Pattern breaks listed in an error message. */
#define MAX_REPORTED_CHANGES 4

gboolean guest_layout_valid(const GuestLayout *layout, guint ram_mib,
                            GError **errp)
{
    const guint64 ram_end = (guint64)ram_mib << 20;

    if (layout->start % GUEST_PAGE_SIZE || layout->end % GUEST_PAGE_SIZE ||
        layout->start < (1 << 20) || layout->end < layout->start ||
        layout->end > ram_end || layout->end > G_MAXUINT32 ||
        layout->heartbeat_passes == 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "guest range [0x%" G_GINT64_MODIFIER "x, 0x%"
                    G_GINT64_MODIFIER "x) must be page aligned, start at or "
                    "above 1 MiB, not end before it (equal: an idle guest), "
                    "end within the guest's %u MiB and below 4 GiB, with a "
                    "heartbeat of at least one pass",
                    layout->start, layout->end, ram_mib);
        return FALSE;
    }
    return TRUE;
}

static void put_le32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

gboolean guest_write_image(const GuestLayout *layout, const char *path,
                           GError **errp)
{
    g_autoptr(GBytes) bytes = NULL;
    g_autofree guint8 *image = NULL;
    gsize size;

    /* Asked by name: a static library drops an unreferenced resource. */
    bytes = g_resource_lookup_data(guest_get_resource(),
                                   "/colo-shim/bootsect.bin",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, errp);
    if (!bytes) {
        return FALSE;
    }
    image = g_memdup2(g_bytes_get_data(bytes, &size), g_bytes_get_size(bytes));
    if (size != BOOTSECT_SIZE ||
        memcmp(image + PARAMS_OFFSET, PARAMS_MAGIC, 4) != 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "the embedded boot sector does not have the parameter "
                    "block this shim expects");
        return FALSE;
    }
    put_le32(image + PARAMS_OFFSET + 4, layout->start);
    put_le32(image + PARAMS_OFFSET + 8, layout->end);
    put_le32(image + PARAMS_OFFSET + 12, layout->heartbeat_passes);
    return g_file_set_contents(path, (const char *)image, size, errp);
}

gboolean guest_check_counters(const guint8 *ram, gsize len, GError **errp)
{
    gsize pages = len / GUEST_PAGE_SIZE, changes = 0;
    gboolean step_down_by_one = FALSE;
    g_autoptr(GString) where = g_string_new(NULL);

    for (gsize i = 1; i < pages; i++) {
        guint8 prev = ram[(i - 1) * GUEST_PAGE_SIZE];
        guint8 cur = ram[i * GUEST_PAGE_SIZE];

        if (cur == prev) {
            continue;
        }
        changes++;
        step_down_by_one = prev == (guint8)(cur + 1);
        if (changes <= MAX_REPORTED_CHANGES) {
            g_string_append_printf(where, " page %" G_GSIZE_FORMAT
                                   " holds %u after %u;", i, cur, prev);
        }
    }
    /* One step down by one is where the interrupted pass left off. */
    if (changes > 1 || (changes == 1 && !step_down_by_one)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "guest RAM inconsistent: the counter changes %"
                    G_GSIZE_FORMAT " times over %" G_GSIZE_FORMAT " pages, "
                    "where one step down by one is allowed (first:%s)",
                    changes, pages, where->str);
        return FALSE;
    }
    return TRUE;
}

gsize guest_count_changed_pages(const guint8 *a, const guint8 *b, gsize len)
{
    gsize changed = 0;

    for (gsize off = 0; off < len; off += GUEST_PAGE_SIZE) {
        changed += a[off] != b[off];
    }
    return changed;
}
