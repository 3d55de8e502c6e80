/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest image's parameters and the check of its memory pattern. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "guest.h"
#include "shim-error.h"

#define PAGES 64

/* A range whose page counters read @values, the rest of each page zero. */
static guint8 *range_with(const guint8 *values, gsize pages)
{
    guint8 *ram = g_malloc0(pages * GUEST_PAGE_SIZE);

    for (gsize i = 0; i < pages; i++) {
        ram[i * GUEST_PAGE_SIZE] = values[i];
    }
    return ram;
}

static gboolean check(const guint8 *values, GError **errp)
{
    g_autofree guint8 *ram = range_with(values, PAGES);

    return guest_check_counters(ram, PAGES * GUEST_PAGE_SIZE, errp);
}

static void test_counters_uniform(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 9, sizeof(v));
    g_assert_true(check(v, &err));
    g_assert_no_error(err);
}

static void test_counters_one_step_down(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 10, 20);
    memset(v + 20, 9, PAGES - 20);
    g_assert_true(check(v, &err));
    g_assert_no_error(err);
}

/* 0 after 255 is a step down by one, modulo 256. */
static void test_counters_step_across_wrap(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 0, 5);
    memset(v + 5, 255, PAGES - 5);
    g_assert_true(check(v, &err));
    g_assert_no_error(err);
}

static void test_counters_reject_stale_page(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 7, sizeof(v));
    v[30] = 3;
    g_assert_false(check(v, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_nonnull(strstr(err->message, "page 30 holds 3 after 7"));
}

static void test_counters_reject_two_steps(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 12, 10);
    memset(v + 10, 11, 10);
    memset(v + 20, 10, PAGES - 20);
    g_assert_false(check(v, &err));
    g_assert_nonnull(strstr(err->message, "changes 2 times"));
}

static void test_counters_reject_step_up(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 4, 10);
    memset(v + 10, 5, PAGES - 10);
    g_assert_false(check(v, &err));
}

static void test_counters_reject_step_by_two(void)
{
    guint8 v[PAGES];
    g_autoptr(GError) err = NULL;

    memset(v, 6, 10);
    memset(v + 10, 4, PAGES - 10);
    g_assert_false(check(v, &err));
}

static void test_changed_pages_counts_first_bytes(void)
{
    guint8 a[PAGES] = { 0 }, b[PAGES] = { 0 };
    g_autofree guint8 *ra = NULL, *rb = NULL;

    b[3] = 1;
    b[40] = 2;
    ra = range_with(a, PAGES);
    rb = range_with(b, PAGES);
    rb[5 * GUEST_PAGE_SIZE + 1] = 0xff;     /* not a counter byte */
    g_assert_cmpuint(guest_count_changed_pages(ra, rb, PAGES * GUEST_PAGE_SIZE),
                     ==, 2);
}

static guint32 le32_at(const guint8 *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (guint32)p[3] << 24;
}

static void test_image_carries_layout(void)
{
    GuestLayout layout = { 0x200000, 0x400000, 7 };
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("test-guest-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "boot.img", NULL);
    g_autofree guint8 *img = NULL;
    gsize len;

    g_assert_true(guest_write_image(&layout, path, &err));
    g_assert_no_error(err);
    g_assert_true(g_file_get_contents(path, (char **)&img, &len, NULL));
    g_assert_cmpuint(len, ==, 512);
    g_assert_cmpuint(img[510], ==, 0x55);
    g_assert_cmpuint(img[511], ==, 0xaa);
    g_assert_cmpmem(img + 0x1e0, 4, "CSG1", 4);
    g_assert_cmpuint(le32_at(img + 0x1e4), ==, 0x200000);
    g_assert_cmpuint(le32_at(img + 0x1e8), ==, 0x400000);
    g_assert_cmpuint(le32_at(img + 0x1ec), ==, 7);
    g_unlink(path);
    g_rmdir(dir);
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
    g_test_add_func("/guest/counters/uniform", test_counters_uniform);
    g_test_add_func("/guest/counters/one_step_down", test_counters_one_step_down);
    g_test_add_func("/guest/counters/step_across_wrap",
                    test_counters_step_across_wrap);
    g_test_add_func("/guest/counters/reject_stale_page",
                    test_counters_reject_stale_page);
    g_test_add_func("/guest/counters/reject_two_steps",
                    test_counters_reject_two_steps);
    g_test_add_func("/guest/counters/reject_step_up",
                    test_counters_reject_step_up);
    g_test_add_func("/guest/counters/reject_step_by_two",
                    test_counters_reject_step_by_two);
    g_test_add_func("/guest/changed_pages_counts_first_bytes",
                    test_changed_pages_counts_first_bytes);
    g_test_add_func("/guest/image_carries_layout", test_image_carries_layout);
    g_test_add_func("/guest/layout_validation", test_layout_validation);
    return g_test_run();
}
