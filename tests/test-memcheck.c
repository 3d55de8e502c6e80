/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading memcheck logs: errors, the first error's frames, leaks. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "memcheck.h"

/*
 * The shape valgrind 3.19 writes, trimmed; as there, a warning runs into
 * the next error without a blank line.
 */
static const char faulty_log[] =
    "==4242== Memcheck, a memory error detector\n"
    "==4242== Command: qemu-system-x86_64 -machine pc\n"
    "==4242== \n"
    "==4242== Warning: client switching stacks?  SP change: 0x1 --> 0x2\n"
    "==4242==          to suppress, use: --max-stackframe=137 or greater\n"
    "==4242== Thread 5 multifdrecv_0:\n"
    "==4242== Invalid write of size 1\n"
    "==4242==    at 0x4851234: colo_packet_process (colo-multifd.c:101)\n"
    "==4242==    by 0x2A1B2C: colo_multifd_hooks_recv_process (colo-multifd-hooks.c:170)\n"
    "==4242==    by 0x2A0000: multifd_recv_thread (multifd.c:1330)\n"
    "==4242==    by 0x3B0000: qemu_thread_start (qemu-thread-posix.c:542)\n"
    "==4242==    by 0x4E00000: start_thread (pthread_create.c:442)\n"
    "==4242==  Address 0x9f0e048 is 0 bytes after a block of size 8 alloc'd\n"
    "==4242==    at 0x48407B4: malloc (vg_replace_malloc.c:381)\n"
    "==4242== \n"
    "==4242== Invalid read of size 4\n"
    "==4242==    at 0x111111: other_place (other.c:1)\n"
    "==4242== \n"
    "==4242== HEAP SUMMARY:\n"
    "==4242==     in use at exit: 1,234,567 bytes in 3,000 blocks\n"
    "==4242== \n"
    "==4242== 16 bytes in 1 blocks are definitely lost in loss record 10 of 900\n"
    "==4242==    at 0x48407B4: malloc (vg_replace_malloc.c:381)\n"
    "==4242==    by 0x4851000: g_strdup (gstrfuncs.c:362)\n"
    "==4242==    by 0x4851200: colo_packet_prepare (in /x/migration-colo-multifd.so)\n"
    "==4242== \n"
    "==4242== 1,024 bytes in 2 blocks are definitely lost in loss record 20 of 900\n"
    "==4242==    at 0x48407B4: malloc (vg_replace_malloc.c:381)\n"
    "==4242==    by 0x200000: qemu_init (vl.c:3000)\n"
    "==4242== \n"
    "==4242== LEAK SUMMARY:\n"
    "==4242==    definitely lost: 1,040 bytes in 3 blocks\n"
    "==4242==    indirectly lost: 0 bytes in 0 blocks\n"
    "==4242== \n"
    "==4242== For lists of detected and suppressed errors, rerun with: -s\n"
    "==4242== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 7 from 3)\n";

static char *write_log(const char *text, char **dir)
{
    *dir = g_dir_make_tmp("test-memcheck-XXXXXX", NULL);
    char *path = g_build_filename(*dir, "vg.log", NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void read_log(const char *text, MemcheckReport *r)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = write_log(text, &dir);
    g_autoptr(GError) err = NULL;

    g_assert_true(memcheck_read_log(path, "migration-colo-multifd.so", r,
                                    &err));
    g_assert_no_error(err);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_errors_and_first_error(void)
{
    MemcheckReport r;

    read_log(faulty_log, &r);
    g_assert_true(r.complete);
    g_assert_cmpuint(r.errors, ==, 2);
    g_assert_nonnull(r.first_error);
    g_assert_true(g_str_has_prefix(r.first_error, "Invalid write of size 1"));
    g_assert_nonnull(strstr(r.first_error,
                            "colo_packet_process (colo-multifd.c:101)"));
    memcheck_report_clear(&r);
}

static void test_leaks_split_by_module(void)
{
    MemcheckReport r;
    g_autofree char *line = NULL;

    read_log(faulty_log, &r);
    g_assert_cmpuint(r.definitely_lost, ==, 1040);
    g_assert_cmpuint(r.module_lost, ==, 16);
    g_assert_cmpstr(r.first_leak, ==,
                    "16 bytes in 1 blocks are definitely lost in loss record "
                    "10 of 900 |    at 0x48407B4: malloc (vg_replace_malloc.c:"
                    "381) |    by 0x4851000: g_strdup (gstrfuncs.c:362) |    "
                    "by 0x4851200: colo_packet_prepare (in /x/migration-colo-"
                    "multifd.so)");
    line = memcheck_describe(&r);
    g_assert_cmpstr(line, ==, "2 errors, 1040 B lost (module 16 B)");
    memcheck_report_clear(&r);
}

/* A process killed before exit leaves no summary: not a clean report. */
static void test_truncated_log_is_incomplete(void)
{
    MemcheckReport r;
    g_autofree char *line = NULL;
    g_autofree char *cut = g_strndup(faulty_log,
                                     strstr(faulty_log, "==4242== HEAP") -
                                     faulty_log);

    read_log(cut, &r);
    g_assert_false(r.complete);
    line = memcheck_describe(&r);
    g_assert_cmpstr(line, ==, "no summary (killed?)");
    memcheck_report_clear(&r);
}

static void test_clean_log(void)
{
    MemcheckReport r;

    read_log("==7== Memcheck, a memory error detector\n"
             "==7== \n"
             "==7== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 3 from 3)\n",
             &r);
    g_assert_true(r.complete);
    g_assert_cmpuint(r.errors, ==, 0);
    g_assert_null(r.first_error);
    g_assert_null(r.first_leak);
    memcheck_report_clear(&r);
}

/* The command line: full leak checks always, origins when asked. */
static void test_args_origins_on_request(void)
{
    for (int origins = 0; origins < 2; origins++) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *line = NULL;

        memcheck_add_args(argv, "/tmp/x.log", "/tmp/x.supp", origins);
        g_ptr_array_add(argv, NULL);
        line = g_strjoinv(" ", (char **)argv->pdata);
        g_assert_true(g_str_has_prefix(line, "valgrind --tool=memcheck "));
        g_assert_nonnull(strstr(line, " --log-file=/tmp/x.log"));
        g_assert_nonnull(strstr(line, " --leak-check=full"));
        g_assert_nonnull(strstr(line, " --suppressions=/tmp/x.supp"));
        g_assert_true(!strstr(line, " --track-origins=yes") == !origins);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memcheck/errors_and_first_error",
                    test_errors_and_first_error);
    g_test_add_func("/memcheck/leaks_split_by_module",
                    test_leaks_split_by_module);
    g_test_add_func("/memcheck/truncated_log_is_incomplete",
                    test_truncated_log_is_incomplete);
    g_test_add_func("/memcheck/clean_log", test_clean_log);
    g_test_add_func("/memcheck/args_origins_on_request",
                    test_args_origins_on_request);
    return g_test_run();
}
