/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest colo-shim boots: its boot-sector image, and the checks of the
 * memory pattern it leaves (see guest/bootsect.s).
 */
#ifndef SHIM_GUEST_H
#define SHIM_GUEST_H

#include <glib.h>

#define GUEST_PAGE_SIZE 4096
#define GUEST_START_MARKER "COLO-GUEST-START"

typedef struct GuestLayout {
    guint64 start;              /* first page of the dirtied range */
    guint64 end;                /* end of the range, exclusive; == start: idle */
    guint32 heartbeat_passes;   /* passes between two heartbeat bytes */
} GuestLayout;

gboolean guest_layout_valid(const GuestLayout *layout, guint ram_mib, GError **errp);

/* Writes the boot sector with @layout patched in. */
gboolean guest_write_image(const GuestLayout *layout, const char *path,
                           GError **errp);

/*
 * @ram holds the range as read from a stopped guest.  Passes when every
 * page's counter equals its predecessor's, except at most one step down by
 * one (mod 256) where the interrupted pass stopped.
 */
gboolean guest_check_counters(const guint8 *ram, gsize len, GError **errp);

/* How many pages' counters differ between two reads of the range. */
gsize guest_count_changed_pages(const guint8 *a, const guint8 *b, gsize len);

#endif
