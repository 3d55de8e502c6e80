/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest image's parameters and the check of its memory pattern. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "guest.h"
#include "shim-error.h"

#define PAGES 64
#define START 0x100000

static const GuestLayout layout = {
    START, START + PAGES * GUEST_PAGE_SIZE, 1,
};
static const GuestLayout never_zero_layout = {
    START, START + PAGES * GUEST_PAGE_SIZE, 1, .never_zero = TRUE,
};

/*
 * The range of a guest with layout @l after pass @pass wrote pages
 * [0, @upto), pass @pass - 1 the rest.
 */
static guint8 *layout_range_after(const GuestLayout *l, guint32 pass,
                                  guint upto)
{
    guint8 *ram = g_malloc0(PAGES * GUEST_PAGE_SIZE);

    for (guint i = 0; i < PAGES; i++) {
        guint32 w[2];

        guest_page_state(l->never_zero, i < upto ? pass : pass - 1, i,
                         START + (guint64)i * GUEST_PAGE_SIZE, &w[0], &w[1]);
        w[0] = GUINT32_TO_LE(w[0]);
        w[1] = GUINT32_TO_LE(w[1]);
        memcpy(ram + i * GUEST_PAGE_SIZE, w, sizeof(w));
    }
    return ram;
}

static guint8 *range_after(guint32 pass, guint upto)
{
    return layout_range_after(&layout, pass, upto);
}

static gboolean check(const guint8 *ram, GError **errp)
{
    return guest_check_pages(&layout, ram, errp);
}

static void test_pages_whole_pass(void)
{
    g_autofree guint8 *ram = range_after(7, PAGES);
    g_autoptr(GError) err = NULL;

    g_assert_true(check(ram, &err));
    g_assert_no_error(err);
}

static void test_pages_interrupted_pass(void)
{
    g_autofree guint8 *ram = range_after(7, 21);
    g_autoptr(GError) err = NULL;

    g_assert_true(check(ram, &err));
    g_assert_no_error(err);
}

/*
 * KVM stops the vCPU between the two stores of a page: the next page may
 * hold pass 7's first word and pass 6's second (page 21: zero in pass 6,
 * not in 7; page 22 the other way round) -- but only that page.
 */
static void test_pages_torn_page(void)
{
    g_autofree guint8 *before = range_after(7, 21);
    g_autofree guint8 *after = range_after(7, 24);
    g_autoptr(GError) err = NULL;

    for (guint torn = 21; torn <= 22; torn++) {
        g_autofree guint8 *ram = g_memdup2(before, PAGES * GUEST_PAGE_SIZE);
        guint8 *page = ram + torn * GUEST_PAGE_SIZE;

        memcpy(ram, after, torn * GUEST_PAGE_SIZE);
        memcpy(page, after + torn * GUEST_PAGE_SIZE, 4);
        g_assert_true(check(ram, &err));
        g_assert_no_error(err);
        /* The same tear one page further on is a page out of order. */
        memcpy(ram + (torn + 1) * GUEST_PAGE_SIZE,
               before + (torn + 1) * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
        memcpy(page + GUEST_PAGE_SIZE, after + (torn + 1) * GUEST_PAGE_SIZE, 4);
        memcpy(page, before + torn * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
        g_assert_false(check(ram, &err));
        g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
        g_clear_error(&err);
    }
}

/* Before the first pass the guest clears the range: pass 0 is all zero. */
static void test_pages_first_pass(void)
{
    g_autofree guint8 *ram = range_after(1, 10);
    g_autofree guint8 *zero = g_malloc0(PAGES * GUEST_PAGE_SIZE);

    g_assert_true(check(ram, NULL));
    g_assert_true(check(zero, NULL));
}

/* Every other page is all zero, in turns: zero pages are everywhere. */
static void test_pages_alternate_zero(void)
{
    g_autofree guint8 *a = range_after(8, PAGES);
    g_autofree guint8 *b = range_after(9, PAGES);

    for (guint i = 0; i < PAGES; i++) {
        gboolean a_zero = !a[i * GUEST_PAGE_SIZE + 4];
        gboolean b_zero = !b[i * GUEST_PAGE_SIZE + 4];

        g_assert_true(a_zero != b_zero);
    }
}

/* The never-zero guest: every page holds data after pass 0, and only that passes. */
static void test_pages_never_zero(void)
{
    g_autofree guint8 *ram = layout_range_after(&never_zero_layout, 9, 30);
    g_autofree guint8 *half_zero = range_after(9, 30);
    g_autoptr(GError) err = NULL;

    for (guint i = 0; i < PAGES; i++) {
        g_assert_cmpuint(ram[i * GUEST_PAGE_SIZE], !=, 0);
    }
    g_assert_true(guest_check_pages(&never_zero_layout, ram, &err));
    g_assert_no_error(err);
    g_assert_false(guest_check_pages(&never_zero_layout, half_zero, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
}

static void test_pages_reject_stale_page(void)
{
    g_autofree guint8 *ram = range_after(7, 21);
    g_autofree guint8 *stale = range_after(5, PAGES);
    g_autoptr(GError) err = NULL;

    /* Page 40 kept what pass 5 wrote: a checkpoint's copy went missing. */
    memcpy(ram + 40 * GUEST_PAGE_SIZE, stale + 40 * GUEST_PAGE_SIZE,
           GUEST_PAGE_SIZE);
    g_assert_false(check(ram, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_nonnull(strstr(err->message, "1 of 64 pages"));
    g_assert_nonnull(strstr(err->message, "page 40 (0x128000)"));
}

/* A page that should have turned zero, but kept its pass-6 contents. */
static void test_pages_reject_missed_zero_page(void)
{
    g_autofree guint8 *ram = range_after(7, PAGES);
    g_autofree guint8 *before = range_after(6, PAGES);
    guint page = 1;         /* (7 + 1) is even: zero in pass 7 */
    g_autoptr(GError) err = NULL;

    memcpy(ram + page * GUEST_PAGE_SIZE, before + page * GUEST_PAGE_SIZE,
           GUEST_PAGE_SIZE);
    g_assert_false(check(ram, &err));
}

static void test_pages_reject_bad_checksum(void)
{
    g_autofree guint8 *ram = range_after(7, PAGES);
    g_autoptr(GError) err = NULL;

    ram[3 * GUEST_PAGE_SIZE + 4] ^= 1;
    g_assert_false(check(ram, &err));
}

/* All bytes count, not only the words the guest writes. */
static void test_pages_reject_dirty_tail(void)
{
    g_autofree guint8 *ram = range_after(7, PAGES);
    g_autoptr(GError) err = NULL;

    ram[12 * GUEST_PAGE_SIZE + 4095] = 0x10;
    g_assert_false(check(ram, &err));
}

static void test_changed_pages_counts_written_words(void)
{
    g_autofree guint8 *a = range_after(7, PAGES);
    g_autofree guint8 *b = g_memdup2(a, PAGES * GUEST_PAGE_SIZE);

    b[3 * GUEST_PAGE_SIZE] ^= 1;
    b[40 * GUEST_PAGE_SIZE + 7] ^= 1;
    b[5 * GUEST_PAGE_SIZE + 100] = 0xff;    /* not a written word */
    g_assert_cmpuint(guest_count_changed_pages(a, b, PAGES * GUEST_PAGE_SIZE),
                     ==, 2);
}

static guint32 le32_at(const guint8 *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (guint32)p[3] << 24;
}

typedef gboolean (*GuestWriter)(const GuestLayout *layout, const char *path,
                                GError **errp);

/* What @write writes for a layout of its own: 2 to 4 MiB, heartbeat 7. */
static guint8 *written(GuestWriter write, gsize *len)
{
    const GuestLayout layout = { 0x200000, 0x400000, 7, .never_zero = TRUE };
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("test-guest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "guest", NULL);
    guint8 *data = NULL;

    g_assert_true(write(&layout, path, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_get_contents(path, (char **)&data, len, NULL));
    g_unlink(path);
    g_rmdir(dir);
    return data;
}

/* The boot sector at @sector carries written()'s layout. */
static void assert_sector_carries_layout(const guint8 *sector)
{
    g_assert_cmpuint(sector[510], ==, 0x55);
    g_assert_cmpuint(sector[511], ==, 0xaa);
    g_assert_cmpmem(sector + 0x1e0, 4, "CSG3", 4);
    g_assert_cmpuint(le32_at(sector + 0x1e4), ==, 0x200000);
    g_assert_cmpuint(le32_at(sector + 0x1e8), ==, 0x400000);
    g_assert_cmpuint(le32_at(sector + 0x1ec), ==, 7);
    g_assert_cmpuint(le32_at(sector + 0x1f0), ==, 1);
}

/*
 * The guest as its own firmware: the same patched sector first, and at the
 * reset vector (its last 16 bytes) a far jump to the copy routine after
 * the sector, in the ROM's segment below 1 MiB.
 */
static void test_firmware_carries_layout(void)
{
    const guint8 reset_jump[] = { 0xea, 0x00, 0x02, 0x00, 0xf0 };
    gsize len;
    g_autofree guint8 *rom = written(guest_write_firmware, &len);

    /* QEMU takes a BIOS of whole 64 KiB only. */
    g_assert_cmpuint(len, ==, GUEST_FIRMWARE_SIZE);
    assert_sector_carries_layout(rom);
    g_assert_cmpmem(rom + len - 16, sizeof(reset_jump), reset_jump,
                    sizeof(reset_jump));
}

static void test_image_carries_layout(void)
{
    gsize len;
    g_autofree guint8 *img = written(guest_write_image, &len);

    /* A disk of whole cylinders: firmware cannot boot a one-sector disk. */
    g_assert_cmpuint(len, ==, 1 << 20);
    g_assert_true(img[512] == 0 && !memcmp(img + 512, img + 513, len - 513));
    assert_sector_carries_layout(img);
}

static void test_layout_validation(void)
{
    const GuestLayout bad[] = {
        { 0x1000, 0x200000, 1 },        /* below 1 MiB: the boot sector */
        { 0x100800, 0x200000, 1 },      /* not page aligned */
        { 0x200000, 0x100000, 1 },      /* ends before it starts */
        { 0x100000, 0x5000000, 1 },     /* beyond 64 MiB of RAM */
        { 0x100000, 0x200000, 0 },      /* no heartbeat */
    };
    const GuestLayout good = { 0x100000, 0x2100000, 1 };

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_false(guest_layout_valid(&bad[i], 64, &err));
        g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CONFIG);
    }
    g_assert_true(guest_layout_valid(&good, 64, NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest/pages/whole_pass", test_pages_whole_pass);
    g_test_add_func("/guest/pages/interrupted_pass",
                    test_pages_interrupted_pass);
    g_test_add_func("/guest/pages/torn_page", test_pages_torn_page);
    g_test_add_func("/guest/pages/first_pass", test_pages_first_pass);
    g_test_add_func("/guest/pages/alternate_zero", test_pages_alternate_zero);
    g_test_add_func("/guest/pages/never_zero", test_pages_never_zero);
    g_test_add_func("/guest/pages/reject_stale_page",
                    test_pages_reject_stale_page);
    g_test_add_func("/guest/pages/reject_missed_zero_page",
                    test_pages_reject_missed_zero_page);
    g_test_add_func("/guest/pages/reject_bad_checksum",
                    test_pages_reject_bad_checksum);
    g_test_add_func("/guest/pages/reject_dirty_tail",
                    test_pages_reject_dirty_tail);
    g_test_add_func("/guest/changed_pages_counts_written_words",
                    test_changed_pages_counts_written_words);
    g_test_add_func("/guest/image_carries_layout", test_image_carries_layout);
    g_test_add_func("/guest/firmware_carries_layout",
                    test_firmware_carries_layout);
    g_test_add_func("/guest/layout_validation", test_layout_validation);
    return g_test_run();
}
