/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The guest's clock stamps in its serial output, and the forwards check. */
#include <glib.h>
#include <string.h>

#include "guest-clock.h"
#include "shim-error.h"

/* What the guest prints: heartbeats, stamps, markers, a NUL. */
static const char output[] =
    "\nCOLO-GUEST-START\nBBT0015874a\nBB\0BT0015874b\nT123\nBTabcdefg\n"
    "B\nCOLO-GUEST-BAD 0x00100000\nBT0015874c\nBT0015874";

static void test_stamps_among_noise(void)
{
    g_autoptr(GArray) s = guest_clock_stamps(output, sizeof(output) - 1);

    /* Short, non-hex and unterminated stamps are not stamps. */
    g_assert_cmpuint(s->len, ==, 3);
    g_assert_cmphex(g_array_index(s, guint32, 0), ==, 0x15874a);
    g_assert_cmphex(g_array_index(s, guint32, 1), ==, 0x15874b);
    g_assert_cmphex(g_array_index(s, guint32, 2), ==, 0x15874c);
}

static void test_forwards(void)
{
    const guint32 s[] = { 5, 6, 9 };
    GError *err = NULL;

    g_assert_true(guest_clock_advances(s, 3, 5, "run", &err));
    g_assert_no_error(err);
}

static void test_backwards(void)
{
    const guint32 s[] = { 5, 7, 6 };
    GError *err = NULL;

    g_assert_false(guest_clock_advances(s, 3, 0, "run", &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_nonnull(strstr(err->message, "backwards at stamp 3 of 3"));
    g_clear_error(&err);
}

static void test_repeated_stamp(void)
{
    const guint32 s[] = { 5, 5 };
    GError *err = NULL;

    /* One execution prints a value once: twice means it went back. */
    g_assert_false(guest_clock_advances(s, 2, 0, "run", &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_clear_error(&err);
}

static void test_below_floor(void)
{
    const guint32 s[] = { 5, 6 };
    GError *err = NULL;

    g_assert_false(guest_clock_advances(s, 2, 8, "run", &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_nonnull(strstr(err->message, "before 00000008"));
    g_clear_error(&err);
}

static void test_too_few(void)
{
    const guint32 s[] = { 5 };
    GError *err = NULL;

    g_assert_false(guest_clock_advances(s, 1, 0, "run", &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest-clock/stamps_among_noise", test_stamps_among_noise);
    g_test_add_func("/guest-clock/forwards", test_forwards);
    g_test_add_func("/guest-clock/backwards", test_backwards);
    g_test_add_func("/guest-clock/repeated_stamp", test_repeated_stamp);
    g_test_add_func("/guest-clock/below_floor", test_below_floor);
    g_test_add_func("/guest-clock/too_few", test_too_few);
    return g_test_run();
}
