/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP client against a scripted server: framing, ids, events, errors. */
#include <glib.h>

#include "fake-qmp.h"
#include "qmp.h"
#include "shim-error.h"
#include "wait.h"

#define BOUND_MS 5000

typedef struct Fixture {
    FakeQmp *fake;
    QmpClient *qmp;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    int fd;

    f->fake = fake_qmp_start(&fd);
    f->qmp = qmp_new_from_fd(fd, "fake", &err);
    g_assert_no_error(err);
    g_assert_true(qmp_handshake(f->qmp, deadline_after_ms(BOUND_MS), &err));
    g_assert_no_error(err);
}

static void teardown(Fixture *f, gconstpointer data)
{
    qmp_close(f->qmp);
    fake_qmp_stop(f->fake);
}

static JsonNode *execute(Fixture *f, const char *cmd, GError **errp)
{
    return qmp_execute(f->qmp, cmd, NULL, deadline_after_ms(BOUND_MS), errp);
}

static void test_handshake_enables_oob(Fixture *f, gconstpointer data)
{
    g_autofree char *args = fake_qmp_capabilities_args(f->fake);

    g_assert_cmpstr(args, ==, "{\"enable\":[\"oob\"]}");
}

static void test_arguments_round_trip(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    JsonObject *obj;

    json_object_set_string_member(args, "uri", "tcp:127.0.0.1:0");
    json_object_set_int_member(args, "val", 1LL << 40);
    ret = qmp_execute(f->qmp, "echo", args, deadline_after_ms(BOUND_MS), &err);
    g_assert_no_error(err);
    obj = json_node_get_object(ret);
    g_assert_cmpstr(json_object_get_string_member(obj, "uri"), ==,
                    "tcp:127.0.0.1:0");
    g_assert_cmpint(json_object_get_int_member(obj, "val"), ==, 1LL << 40);
}

/* A late answer to a timed-out command must not pass for the next one's. */
static void test_answers_matched_by_id(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) slow = NULL, late = NULL;

    slow = qmp_execute(f->qmp, "slow", NULL, deadline_after_ms(50), &err);
    g_assert_null(slow);
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_TIMEOUT);
    g_clear_error(&err);
    late = execute(f, "late", &err);
    g_assert_no_error(err);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(late));
}

static void test_events_keep_timestamps_and_order(Fixture *f,
                                                  gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) ret = execute(f, "events", &err);
    g_autoptr(QmpEvent) stop = NULL, resume = NULL;

    g_assert_no_error(err);
    g_assert_cmpuint(qmp_count_events(f->qmp, "STOP"), ==, 2);
    resume = qmp_wait_event(f->qmp, "RESUME", deadline_after_ms(BOUND_MS), &err);
    g_assert_no_error(err);
    g_assert_cmpint(resume->timestamp_us, ==, 2 * G_USEC_PER_SEC + 250);
    stop = qmp_wait_event(f->qmp, "STOP", deadline_after_ms(BOUND_MS), &err);
    g_assert_no_error(err);
    g_assert_cmpint(json_object_get_int_member(stop->data, "n"), ==, 1);
    g_assert_cmpuint(qmp_drop_events(f->qmp, "STOP"), ==, 1);
    g_assert_cmpuint(qmp_count_events(f->qmp, "STOP"), ==, 0);
}

static void test_framing(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) split = execute(f, "split", &err);
    g_autoptr(JsonNode) batch = NULL;

    g_assert_no_error(err);
    g_assert_nonnull(split);
    batch = execute(f, "batch", &err);
    g_assert_no_error(err);
    g_assert_nonnull(batch);
    g_assert_cmpuint(qmp_count_events(f->qmp, "BATCH"), ==, 1);
}

static void test_error_answer(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) ret = execute(f, "fail", &err);

    g_assert_null(ret);
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_QMP);
    g_assert_nonnull(strstr(err->message, "fail failed: GenericError: boom"));
}

static void test_closed_connection(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) ret = execute(f, "close", &err);
    g_autoptr(QmpEvent) ev = NULL;

    g_assert_null(ret);
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_PROCESS);
    g_assert_true(qmp_is_closed(f->qmp));
    g_clear_error(&err);
    ev = qmp_wait_event(f->qmp, "STOP", deadline_after_ms(BOUND_MS), &err);
    g_assert_null(ev);
    g_assert_nonnull(strstr(err->message, "closed its QMP connection"));
}

static void test_event_wait_is_bounded(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(QmpEvent) ev = qmp_wait_event(f->qmp, "NEVER",
                                            deadline_after_ms(100), &err);

    g_assert_null(ev);
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_TIMEOUT);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 100 * 1000);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, BOUND_MS * 1000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/qmp/handshake_enables_oob", test_handshake_enables_oob);
    ADD("/qmp/arguments_round_trip", test_arguments_round_trip);
    ADD("/qmp/answers_matched_by_id", test_answers_matched_by_id);
    ADD("/qmp/events_keep_timestamps_and_order",
        test_events_keep_timestamps_and_order);
    ADD("/qmp/framing", test_framing);
    ADD("/qmp/error_answer", test_error_answer);
    ADD("/qmp/closed_connection", test_closed_connection);
    ADD("/qmp/event_wait_is_bounded", test_event_wait_is_bounded);
#undef ADD
    return g_test_run();
}
