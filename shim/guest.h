/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest colo-shim boots: its boot sector, as a disk image or as its own
 * firmware, and the checks of the memory pattern it leaves (see
 * guest/bootsect.s).
 */
#ifndef SHIM_GUEST_H
#define SHIM_GUEST_H

#include <glib.h>

#define GUEST_PAGE_SIZE 4096
#define GUEST_START_MARKER "COLO-GUEST-START"
/* Printed, with the page's address, when the guest finds its RAM wrong. */
#define GUEST_BAD_MARKER "COLO-GUEST-BAD"
/* Mixed into each written page's checksum (bootsect.s: CHECKSUM_KEY). */
#define GUEST_CHECKSUM_KEY 0x5a5aa5a5u

typedef struct GuestLayout {
    guint64 start;              /* first page of the dirtied range */
    guint64 end;                /* end of the range, exclusive; == start: idle */
    guint32 heartbeat_passes;   /* passes between two heartbeat bytes */
    gboolean never_zero;        /* no page turns zero: all page data */
} GuestLayout;

gboolean guest_layout_valid(const GuestLayout *layout, guint ram_mib, GError **errp);

/*
 * The benchmarks' loaded guest: rewrites @mib MiB from @layout's start in
 * a loop, a heartbeat byte per pass; with @never_zero no page turns zero.
 */
void guest_layout_load(GuestLayout *layout, guint mib, gboolean never_zero);

/* Writes a disk image: the boot sector with @layout patched in, zeros after. */
gboolean guest_write_image(const GuestLayout *layout, const char *path,
                           GError **errp);

/* The size of the firmware guest_write_firmware() writes. */
#define GUEST_FIRMWARE_SIZE (64 * 1024)

/*
 * Writes the guest as its own firmware, for -bios: the boot sector with
 * @layout patched in, and a reset vector that runs it (guest/reset.s).
 */
gboolean guest_write_firmware(const GuestLayout *layout, const char *path,
                              GError **errp);

/*
 * What page @index (at guest-physical @addr) holds after pass @pass: its
 * first two 32-bit words (both zero for an all-zero page); the rest of a
 * page is always zero.
 */
void guest_page_state(gboolean never_zero, guint32 pass, guint index,
                      guint64 addr, guint32 *word0, guint32 *word1);

/*
 * @ram holds @layout's range as read from a stopped guest.  Passes when,
 * byte for byte, its pages hold what the guest's last pass p wrote up to
 * some page and what pass p - 1 wrote from there on.
 */
gboolean guest_check_pages(const GuestLayout *layout, const guint8 *ram,
                           GError **errp);

/* How many pages differ in their written words between two reads. */
gsize guest_count_changed_pages(const guint8 *a, const guint8 *b, gsize len);

#endif
