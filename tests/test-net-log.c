/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading colo-net-client's log and checking the promise COLO makes to a
 * client: the figures of a good log, and each way a log can break it.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "net-log.h"
#include "shim-error.h"

typedef struct Fixture {
    char *dir;
    char *path;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("test-net-log-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "net.log", NULL);
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_unlink(f->path);
    g_rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
}

/* A failover at 5000 us: the connection lost with cseq 4, made again. */
static const char good[] =
    "START 0 1796000000000000\n"
    "CONNECT 100 1\n"
    "ANS 1000 0 10 300\n"
    "ANS 2000 1 11 100\n"
    "ANS 3000 2 12 200\n"
    "ANS 4000 3 13 500\n"
    "LOST 5000 4 reset\n"
    "CONNECT 9000 3\n"
    "ANS 10000 5 15 400\n"
    "STOP 11000 6 5\n"
    "ANS 12000 6";              /* still being written: not read */

static void write_log(Fixture *f, const char *text)
{
    g_assert_true(g_file_set_contents(f->path, text, -1, NULL));
}

static void test_good(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    NetLog log;

    write_log(f, good);
    g_assert_true(net_log_check(f->path, &err));
    g_assert_no_error(err);
    g_assert_true(net_log_read(f->path, 0, &log, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(log.start_wall_us, ==, 1796000000000000);
    g_assert_cmpuint(log.connects, ==, 2);
    g_assert_cmpuint(log.answers, ==, 5);
    g_assert_cmpuint(log.lost, ==, 1);
    g_assert_cmpuint(log.bad, ==, 0);
    g_assert_false(log.fatal);
    g_assert_true(log.stopped);
    g_assert_cmpuint(log.end_t_us, ==, 11000);
    g_assert_cmpuint(log.first_t_us, ==, 1000);
    g_assert_cmpuint(log.last_t_us, ==, 10000);
    g_assert_cmpuint(log.first_value, ==, 10);
    g_assert_cmpuint(log.last_value, ==, 15);
    g_assert_cmpuint(log.last_cseq, ==, 5);
    g_assert_cmpuint(log.max_gap_us, ==, 6000);
    /* Sorted 100 200 300 400 500: rank ceil(2.5) = 3, ceil(4.95) = 5. */
    g_assert_cmpuint(log.latency_p50_us, ==, 300);
    g_assert_cmpuint(log.latency_p99_us, ==, 500);
    g_assert_cmpuint(log.latency_max_us, ==, 500);
    g_assert_cmpfloat(log.latency_mean_us, ==, 300.0);
}

/* From a failover on: what the client got after it. */
static void test_from(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    NetLog log;

    write_log(f, good);
    g_assert_true(net_log_read(f->path, 4000 + 1, &log, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(log.answers, ==, 1);
    g_assert_cmpuint(log.lost, ==, 1);
    g_assert_cmpuint(log.connects, ==, 1);
    /* The START line counts whatever the start of the reading. */
    g_assert_cmpuint(log.start_wall_us, ==, 1796000000000000);
    g_assert_cmpuint(log.first_t_us, ==, 10000);
    g_assert_cmpuint(log.first_value, ==, 15);
    g_assert_cmpuint(log.latency_max_us, ==, 400);
    g_assert_cmpuint(log.max_gap_us, ==, 0);
    g_assert_cmpuint(log.end_t_us, ==, 11000);

    /* A span: the answers before the failover. */
    g_assert_true(net_log_read_span(f->path, 2000, 4000, &log, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(log.answers, ==, 3);
    g_assert_cmpuint(log.lost, ==, 0);
    g_assert_cmpuint(log.first_value, ==, 11);
    g_assert_cmpuint(log.last_value, ==, 13);
    g_assert_cmpuint(log.latency_max_us, ==, 500);

    g_assert_true(net_log_read(f->path, 11000 + 1, &log, &err));
    g_assert_cmpuint(log.answers, ==, 0);
    g_assert_cmpuint(log.latency_max_us, ==, 0);
    g_assert_cmpuint(log.end_t_us, ==, 11000);
}

/* An empty log, as when the client has not connected yet. */
static void test_empty(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    NetLog log;

    write_log(f, "");
    g_assert_true(net_log_check(f->path, &err));
    g_assert_true(net_log_read(f->path, 0, &log, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(log.answers, ==, 0);
}

/* net_log_check() fails on @text, saying @why of line @line_text. */
static void check_fails(Fixture *f, const char *text, const char *why,
                        const char *line_text)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *where = NULL;

    write_log(f, text);
    g_assert_false(net_log_check(f->path, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    where = g_strdup_printf("%s:%s", f->path, why);
    g_assert_nonnull(strstr(err->message, where));
    g_assert_true(g_str_has_suffix(err->message, line_text));
}

static void test_backwards(Fixture *f, gconstpointer data)
{
    check_fails(f, "ANS 1 0 10 1\nANS 2 1 11 1\nANS 3 2 9 1\nANS 4 3 10 1\n",
                "3: the value goes back from 11: ", "ANS 3 2 9 1");
    check_fails(f, "ANS 1 0 10 1\nANS 2 1 11 1\nANS 3 2 10 1\n",
                "3: the value goes back from 11: ", "ANS 3 2 10 1");
}

static void test_repeats(Fixture *f, gconstpointer data)
{
    check_fails(f, "ANS 1 0 10 1\nANS 2 1 11 1\nANS 3 2 11 1\n",
                "3: the value repeats: ", "ANS 3 2 11 1");
    /* A LOST in between does not allow it either. */
    check_fails(f, "ANS 1 0 10 1\nLOST 2 1 eof\nANS 3 2 10 1\n",
                "3: the value repeats: ", "ANS 3 2 10 1");
}

static void test_gap(Fixture *f, gconstpointer data)
{
    check_fails(f, "CONNECT 0 1\nANS 1 0 10 1\nANS 2 1 12 1\n",
                "3: the value jumps from 10 with 0 requests lost in between "
                "(at most 11): ", "ANS 2 1 12 1");
}

/* A lost request may or may not have been handled; one more may not. */
static void test_gap_lost(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    write_log(f, "ANS 1 0 10 1\nLOST 2 1 timeout\nCONNECT 3 1\n"
                 "ANS 4 2 12 1\nLOST 5 3 reset\nCONNECT 6 2\n"
                 "ANS 7 4 13 1\nLOST 8 5 eof\nLOST 9 6 eof\nANS 10 7 16 1\n");
    g_assert_true(net_log_check(f->path, &err));
    g_assert_no_error(err);
    check_fails(f, "ANS 1 0 10 1\nLOST 2 1 timeout\nANS 4 2 13 1\n",
                "3: the value jumps from 10 with 1 requests lost in between "
                "(at most 12): ", "ANS 4 2 13 1");
    /* The allowance ends with the answer after the LOST. */
    check_fails(f, "ANS 1 0 10 1\nLOST 2 1 timeout\nANS 4 2 12 1\n"
                   "ANS 5 3 14 1\n",
                "4: the value jumps from 12 with 0 requests lost in between "
                "(at most 13): ", "ANS 5 3 14 1");
}

static void test_bad(Fixture *f, gconstpointer data)
{
    check_fails(f, "ANS 1 0 10 1\nBAD 2 unexpected cseq 7: \"ANS 7 11\"\n",
                "2: the client got an answer it cannot use: ",
                "BAD 2 unexpected cseq 7: \"ANS 7 11\"");
}

static void test_fatal(Fixture *f, gconstpointer data)
{
    check_fails(f, "CONNECT 1 1\nLOST 2 0 reset\nFATAL 3 cannot connect\n",
                "3: the client gave up: ", "FATAL 3 cannot connect");
}

static void test_cseq(Fixture *f, gconstpointer data)
{
    check_fails(f, "ANS 1 5 10 1\nANS 2 5 11 1\n",
                "2: cseq does not increase after 5: ", "ANS 2 5 11 1");
    check_fails(f, "ANS 1 5 10 1\nLOST 2 6 eof\nANS 3 4 11 1\n",
                "3: cseq does not increase after 6: ", "ANS 3 4 11 1");
}

static void test_time(Fixture *f, gconstpointer data)
{
    check_fails(f, "ANS 10 0 10 1\nANS 9 1 11 1\n",
                "2: the time goes back from 10: ", "ANS 9 1 11 1");
}

/* Lines that are not what the client writes: both calls refuse them. */
static void test_unparseable(Fixture *f, gconstpointer data)
{
    static const char *const lines[] = {
        "", "ANS", "ANS 1 0 10", "ANS 1 0 10 1 2", "ANS 1 0 x 1",
        "ANS 1 0 -1 1", "ANS 1  0 10 1", "ANS 1 0 10 1 ", "ans 1 0 10 1",
        "LOST 1 0", "LOST 1 0 ", "CONNECT 1", "STOP 1 2", "BAD", "HELLO 1",
        "START 0", "START 0 1 2", "START 0 x",
        "FATAL x oops",
    };

    for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
        g_autofree char *text = g_strdup_printf("ANS 0 0 10 1\n%s\n",
                                                lines[i]);
        g_autofree char *why = g_strdup_printf("2: cannot parse: %s",
                                               lines[i]);
        g_autoptr(GError) err = NULL;
        NetLog log;

        check_fails(f, text, why, lines[i]);
        g_assert_false(net_log_read(f->path, 0, &log, &err));
        g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    }
}

static void test_missing(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    NetLog log;

    g_assert_false(net_log_read(f->path, 0, &log, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
}

static void add(const char *name, void (*fn)(Fixture *, gconstpointer))
{
    g_autofree char *path = g_strconcat("/net-log/", name, NULL);

    g_test_add(path, Fixture, NULL, setup, fn, teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add("good", test_good);
    add("from", test_from);
    add("empty", test_empty);
    add("backwards", test_backwards);
    add("repeats", test_repeats);
    add("gap", test_gap);
    add("gap_lost", test_gap_lost);
    add("bad", test_bad);
    add("fatal", test_fatal);
    add("cseq", test_cseq);
    add("time", test_time);
    add("unparseable", test_unparseable);
    add("missing", test_missing);
    return g_test_run();
}
