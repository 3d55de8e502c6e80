/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Watching a serial output file: markers and growth, with bounded waits. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "serial.h"
#include "wait.h"

typedef struct Fixture {
    char *dir;
    char *path;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("test-serial-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "serial", NULL);
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_unlink(f->path);
    g_rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
}

static void append(const char *path, const char *data, gsize len)
{
    FILE *fp = fopen(path, "ab");

    g_assert_nonnull(fp);
    g_assert_cmpuint(fwrite(data, 1, len, fp), ==, len);
    fclose(fp);
}

/* Output the way a guest produces it: later, while the shim waits. */
static gboolean append_marker_later(gpointer opaque)
{
    static const char out[] = "\0\0noise\nCOLO-GUEST-START\n";

    append(opaque, out, sizeof(out) - 1);
    return G_SOURCE_REMOVE;
}

static void test_marker_after_nul_bytes(Fixture *f, gconstpointer data)
{
    g_timeout_add(50, append_marker_later, f->path);
    g_assert_true(serial_wait_marker(f->path, "COLO-GUEST-START",
                                     deadline_after_ms(5000)));
}

static void test_marker_wait_is_bounded(Fixture *f, gconstpointer data)
{
    gint64 t0 = g_get_monotonic_time();

    append(f->path, "BBBB", 4);
    g_assert_false(serial_wait_marker(f->path, "COLO-GUEST-START",
                                      deadline_after_ms(100)));
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 100 * 1000);
}

static gboolean append_heartbeat(gpointer opaque)
{
    append(opaque, "B", 1);
    return G_SOURCE_REMOVE;
}

static void test_growth(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(serial_size(f->path), ==, 0);
    append(f->path, "0123456789", 10);
    g_assert_cmpint(serial_size(f->path), ==, 10);
    g_assert_false(serial_wait_growth(f->path, 10, deadline_after_ms(100)));
    g_timeout_add(50, append_heartbeat, f->path);
    g_assert_true(serial_wait_growth(f->path, 10, deadline_after_ms(5000)));
    g_assert_cmpint(serial_size(f->path), ==, 11);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/serial/marker_after_nul_bytes", Fixture, NULL, setup,
               test_marker_after_nul_bytes, teardown);
    g_test_add("/serial/marker_wait_is_bounded", Fixture, NULL, setup,
               test_marker_wait_is_bounded, teardown);
    g_test_add("/serial/growth", Fixture, NULL, setup, test_growth, teardown);
    return g_test_run();
}
