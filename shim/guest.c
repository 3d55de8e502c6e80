/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guest.h"

#include <gio/gio.h>
#include <string.h>

#include "guest-resources.h"
#include "shim-error.h"

/* Layout of the parameter block in bootsect.s. */
#define PARAMS_OFFSET 0x1e0
#define PARAMS_MAGIC "CSG3"
#define BOOTSECT_SIZE 512
/*
 * The disk image around it.  Firmware derives a disk's geometry from its
 * size: a disk of one sector has zero cylinders, and SeaBIOS cannot read
 * its boot sector through AHCI (q35's disk controller; IDE on pc did not
 * care).  1 MiB is two whole cylinders of 16 heads x 63 sectors.
 */
#define GUEST_IMAGE_SIZE (1 << 20)

/* Wrong pages listed in an error message. */
#define MAX_REPORTED_CHANGES 4

void guest_layout_load(GuestLayout *layout, guint mib, gboolean never_zero)
{
    layout->end = layout->start + ((guint64)mib << 20);
    layout->heartbeat_passes = 1;
    layout->never_zero = never_zero;
}

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

/* A resource the build embedded, checked for its size. */
static GBytes *resource(const char *name, gsize size, GError **errp)
{
    g_autofree char *path = g_strconcat("/colo-shim/", name, NULL);
    /* Asked by name: a static library drops an unreferenced resource. */
    g_autoptr(GBytes) bytes = g_resource_lookup_data(
        guest_get_resource(), path, G_RESOURCE_LOOKUP_FLAGS_NONE, errp);

    if (bytes && g_bytes_get_size(bytes) != size) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "the embedded %s has %" G_GSIZE_FORMAT " bytes, not %"
                    G_GSIZE_FORMAT, name, g_bytes_get_size(bytes), size);
        return NULL;
    }
    return g_steal_pointer(&bytes);
}

/* The boot sector with @layout patched in, at @out. */
static gboolean patch_sector(const GuestLayout *layout, guint8 *out,
                             GError **errp)
{
    g_autoptr(GBytes) bytes = resource("bootsect.bin", BOOTSECT_SIZE, errp);

    if (!bytes) {
        return FALSE;
    }
    memcpy(out, g_bytes_get_data(bytes, NULL), BOOTSECT_SIZE);
    if (memcmp(out + PARAMS_OFFSET, PARAMS_MAGIC, 4) != 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "the embedded boot sector does not have the parameter "
                    "block this shim expects");
        return FALSE;
    }
    put_le32(out + PARAMS_OFFSET + 4, layout->start);
    put_le32(out + PARAMS_OFFSET + 8, layout->end);
    put_le32(out + PARAMS_OFFSET + 12, layout->heartbeat_passes);
    put_le32(out + PARAMS_OFFSET + 16, layout->never_zero ? 1 : 0);
    return TRUE;
}

gboolean guest_write_image(const GuestLayout *layout, const char *path,
                           GError **errp)
{
    g_autofree guint8 *image = g_malloc0(GUEST_IMAGE_SIZE);

    return patch_sector(layout, image, errp) &&
           g_file_set_contents(path, (const char *)image, GUEST_IMAGE_SIZE,
                               errp);
}

gboolean guest_write_firmware(const GuestLayout *layout, const char *path,
                              GError **errp)
{
    g_autoptr(GBytes) reset = resource("reset.bin", GUEST_FIRMWARE_SIZE, errp);
    g_autofree guint8 *rom = NULL;

    if (!reset) {
        return FALSE;
    }
    rom = g_memdup2(g_bytes_get_data(reset, NULL), GUEST_FIRMWARE_SIZE);
    return patch_sector(layout, rom, errp) &&
           g_file_set_contents(path, (const char *)rom, GUEST_FIRMWARE_SIZE,
                               errp);
}

void guest_page_state(gboolean never_zero, guint32 pass, guint index,
                      guint64 addr, guint32 *word0, guint32 *word1)
{
    /* As page_state in bootsect.s. */
    if (pass == 0 || (!never_zero && (pass + index) % 2 == 0)) {
        *word0 = *word1 = 0;
    } else {
        *word0 = pass;
        *word1 = pass ^ (guint32)addr ^ GUEST_CHECKSUM_KEY;
    }
}

static guint32 le32_at(const guint8 *p)
{
    guint32 v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}

/* Whether @page's words are what @pass0 and @pass1 leave, the rest zero. */
static gboolean page_words_are(const guint8 *page, gboolean never_zero,
                               guint32 pass0, guint32 pass1, guint index,
                               guint64 addr)
{
    guint32 w0, w1, unused;

    guest_page_state(never_zero, pass0, index, addr, &w0, &unused);
    guest_page_state(never_zero, pass1, index, addr, &unused, &w1);
    if (le32_at(page) != w0 || le32_at(page + 4) != w1) {
        return FALSE;
    }
    for (gsize b = 8; b < GUEST_PAGE_SIZE; b++) {
        if (page[b]) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean page_is(const guint8 *page, gboolean never_zero, guint32 pass,
                        guint index, guint64 addr)
{
    return page_words_are(page, never_zero, pass, pass, index, addr);
}

/* The last pass: the highest one a page claims (0 if none does). */
static guint32 last_pass(const guint8 *ram, gsize pages)
{
    guint32 pass = 0;

    for (gsize i = 0; i < pages; i++) {
        pass = MAX(pass, le32_at(ram + i * GUEST_PAGE_SIZE));
    }
    return pass;
}

gboolean guest_check_pages(const GuestLayout *layout, const guint8 *ram,
                           GError **errp)
{
    const gsize len = layout->end - layout->start;
    const guint64 start = layout->start;
    gsize pages = len / GUEST_PAGE_SIZE, done = 0, wrong = 0;
    guint32 pass = last_pass(ram, pages);
    g_autoptr(GString) where = g_string_new(NULL);

    /* Pages the interrupted pass already wrote, then the previous pass's. */
    while (done < pages &&
           page_is(ram + done * GUEST_PAGE_SIZE, layout->never_zero, pass,
                   done, start + done * GUEST_PAGE_SIZE)) {
        done++;
    }
    /*
     * The guest writes a page's two words with two instructions, and KVM
     * stops a vCPU between any two (TCG only between translation blocks):
     * the page it was writing may hold pass p's first word and pass p - 1's
     * second.
     */
    if (done < pages && pass > 0 &&
        page_words_are(ram + done * GUEST_PAGE_SIZE, layout->never_zero, pass,
                       pass - 1, done, start + done * GUEST_PAGE_SIZE)) {
        done++;
    }
    for (gsize i = done; i < pages && pass > 0; i++) {
        const guint8 *page = ram + i * GUEST_PAGE_SIZE;

        if (page_is(page, layout->never_zero, pass - 1, i,
                    start + i * GUEST_PAGE_SIZE)) {
            continue;
        }
        if (++wrong <= MAX_REPORTED_CHANGES) {
            g_string_append_printf(where, " page %" G_GSIZE_FORMAT " (0x%"
                                   G_GINT64_MODIFIER "x) holds pass %u;", i,
                                   start + i * GUEST_PAGE_SIZE,
                                   le32_at(page));
        }
    }
    if (wrong) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "guest RAM inconsistent: %" G_GSIZE_FORMAT " of %"
                    G_GSIZE_FORMAT " pages hold neither what pass %u wrote "
                    "(up to page %" G_GSIZE_FORMAT ") nor what pass %u left "
                    "(first:%s)", wrong, pages, pass, done, pass - 1,
                    where->str);
        return FALSE;
    }
    return TRUE;
}

gsize guest_count_changed_pages(const guint8 *a, const guint8 *b, gsize len)
{
    gsize changed = 0;

    for (gsize off = 0; off < len; off += GUEST_PAGE_SIZE) {
        changed += memcmp(a + off, b + off, 8) != 0;
    }
    return changed;
}
