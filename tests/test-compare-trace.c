/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading colo-compare's verdicts and the checkpoints from the primary's
 * trace: each kind of line counted, a time window, and lines that are not
 * events (no time, or the last one still being written) left out.
 */
#include <glib.h>
#include <glib/gstdio.h>

#include "compare-trace.h"

/* Times 100.000001 .. 100.000009 s; the last line has no newline yet. */
static const char trace[] =
    "qemu-system-x86_64: -chardev socket: info: QEMU waiting\n"
    "77@100.000001:colo_send_message Send 'checkpoint-request' message\n"
    "77@100.000002:colo_vm_state_change Change 'run' => 'stop'\n"
    "77@100.000003:colo_vm_state_change Change 'stop' => 'run'\n"
    "77@100.000004:colo_compare_main : secondary: unsupported packet in\n"
    "77@100.000005:colo_compare_main : packet same and release packet\n"
    "77@100.000006:colo_compare_tcp_info pri: seq/ack= 1/2 hdlen= 78 "
    "pdlen= 8 offset= 0 flags=24\n"
    "77@100.000006:colo_compare_tcp_info sec: seq/ack= 1/2 hdlen= 78 "
    "pdlen= 8 offset= 0 flags=24\n"
    "77@100.000007:colo_compare_tcp_info pri: seq/ack= 9/2 hdlen= 78 "
    "pdlen= 0 offset= 0 flags=16\n"
    "77@100.000008:colo_compare_main : packet different\n"
    "77@100.000009:colo_old_packet_check_found 99999\n"
    "77@100.000010:colo_vm_state_change Change 'stop' => 'run'\n"
    "77@100.000011:colo_send_message Send 'checkpoint-request' message";

static char *write_trace(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-compare-trace-XXXXXX", NULL);
    char *path = g_build_filename(dir, "primary.trace", NULL);

    g_assert_true(g_file_set_contents(path, trace, -1, NULL));
    return path;
}

static void remove_trace(char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);

    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
}

static void test_all(void)
{
    char *path = write_trace();
    g_autoptr(GError) err = NULL;
    CompareCounts c;

    g_assert_true(compare_trace_count(path, 0, 0, &c, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(c.same, ==, 1);
    g_assert_cmpuint(c.different, ==, 1);
    g_assert_cmpuint(c.expired, ==, 1);
    /* The "sec:" line and the one without a payload are not matches. */
    g_assert_cmpuint(c.matched, ==, 1);
    /* The second checkpoint-request is still being written. */
    g_assert_cmpuint(c.checkpoints, ==, 1);
    g_assert_cmpint(c.last_resume_us, ==, 100000010);
    remove_trace(path);
}

/* Only [from, to], both ends in. */
static void test_window(void)
{
    char *path = write_trace();
    g_autoptr(GError) err = NULL;
    CompareCounts c;

    g_assert_true(compare_trace_count(path, 100000004, 100000008, &c, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(c.same, ==, 1);
    g_assert_cmpuint(c.different, ==, 1);
    g_assert_cmpuint(c.matched, ==, 1);
    g_assert_cmpuint(c.expired, ==, 0);
    g_assert_cmpuint(c.checkpoints, ==, 0);
    g_assert_cmpint(c.last_resume_us, ==, 0);

    g_assert_true(compare_trace_count(path, 100000007, 0, &c, &err));
    g_assert_cmpuint(c.matched, ==, 0);
    g_assert_cmpuint(c.expired, ==, 1);
    g_assert_cmpint(c.last_resume_us, ==, 100000010);
    remove_trace(path);
}

static void test_missing(void)
{
    g_autoptr(GError) err = NULL;
    CompareCounts c;

    g_assert_false(compare_trace_count("/nonexistent/primary.trace", 0, 0, &c,
                                       &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/compare-trace/all", test_all);
    g_test_add_func("/compare-trace/window", test_window);
    g_test_add_func("/compare-trace/missing", test_missing);
    return g_test_run();
}
