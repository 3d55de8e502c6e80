/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A process's threads, fds and RSS from /proc, and the growth check. */
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "proc-usage.h"
#include "shim-error.h"

static gpointer wait_for_quit(gpointer opaque)
{
    g_mutex_lock(opaque);
    g_mutex_unlock(opaque);
    return NULL;
}

/* This process: a thread and a file descriptor more show. */
static void test_read_self(void)
{
    ProcUsage before, after;
    GMutex quit;
    GThread *t;
    int fd;

    g_assert_true(proc_usage_read(getpid(), &before, NULL));
    g_assert_cmpuint(before.threads, >=, 1);
    g_assert_cmpuint(before.fds, >=, 3);
    g_assert_cmpuint(before.rss_kib, >, 0);
    g_mutex_init(&quit);
    g_mutex_lock(&quit);
    t = g_thread_new("held", wait_for_quit, &quit);
    fd = dup(0);
    g_assert_true(proc_usage_read(getpid(), &after, NULL));
    g_assert_cmpuint(after.threads, ==, before.threads + 1);
    g_assert_cmpuint(after.fds, ==, before.fds + 1);
    g_mutex_unlock(&quit);
    g_thread_join(t);
    close(fd);
}

static void test_gone(void)
{
    ProcUsage u;
    GError *err = NULL;

    /* Beyond any pid_max. */
    g_assert_false(proc_usage_read(1 << 30, &u, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
}

static void test_within(void)
{
    const ProcUsage was = { 5, 19, 60000 }, growth = { 0, 0, 1000 };
    const ProcUsage same = was, a_bit_more = { 5, 19, 61000 };
    const ProcUsage thread = { 6, 19, 60000 }, fd = { 5, 20, 60000 };
    const ProcUsage rss = { 5, 19, 61001 };
    GError *err = NULL;

    g_assert_true(proc_usage_within(&was, &same, &growth, NULL));
    g_assert_true(proc_usage_within(&was, &a_bit_more, &growth, NULL));
    g_assert_false(proc_usage_within(&was, &thread, &growth, NULL));
    g_assert_false(proc_usage_within(&was, &fd, &growth, NULL));
    g_assert_false(proc_usage_within(&was, &rss, &growth, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_nonnull(strstr(err->message, "61001 KiB RSS"));
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proc-usage/read_self", test_read_self);
    g_test_add_func("/proc-usage/gone", test_gone);
    g_test_add_func("/proc-usage/within", test_within);
    return g_test_run();
}
