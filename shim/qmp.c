/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qmp.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "shim-error.h"
#include "wait.h"

struct QmpClient {
    char *name;
    GSocket *socket;
    GSource *input;
    GString *inbuf;
    JsonObject *greeting;
    GHashTable *answers;        /* id -> JsonObject, until picked up */
    GQueue events;              /* QmpEvent * */
    gint64 next_id;
    GError *broken;             /* why the stream ended, once it has */
};

static void qmp_mark_broken(QmpClient *qmp, GError *why)
{
    if (!qmp->broken) {
        qmp->broken = why;
    } else {
        g_error_free(why);
    }
}

static gint64 timestamp_of(JsonObject *msg)
{
    JsonObject *ts;

    if (!json_object_has_member(msg, "timestamp")) {
        return g_get_real_time();
    }
    ts = json_object_get_object_member(msg, "timestamp");
    return json_object_get_int_member(ts, "seconds") * G_USEC_PER_SEC +
           json_object_get_int_member(ts, "microseconds");
}

static void qmp_dispatch(QmpClient *qmp, JsonObject *msg)
{
    if (json_object_has_member(msg, "event")) {
        QmpEvent *ev = g_new0(QmpEvent, 1);

        ev->name = g_strdup(json_object_get_string_member(msg, "event"));
        ev->timestamp_us = timestamp_of(msg);
        if (json_object_has_member(msg, "data")) {
            ev->data = json_object_ref(json_object_get_object_member(msg, "data"));
        }
        g_queue_push_tail(&qmp->events, ev);
    } else if (json_object_has_member(msg, "QMP")) {
        g_clear_pointer(&qmp->greeting, json_object_unref);
        qmp->greeting = json_object_ref(msg);
    } else if (json_object_has_member(msg, "id")) {
        gint64 id = json_object_get_int_member(msg, "id");

        g_hash_table_insert(qmp->answers, g_memdup2(&id, sizeof(id)),
                            json_object_ref(msg));
    }
    /* An answer without id can only belong to a command we did not send. */
}

/* QEMU sends one JSON object per line. */
static void qmp_parse_lines(QmpClient *qmp)
{
    char *nl;

    while ((nl = memchr(qmp->inbuf->str, '\n', qmp->inbuf->len))) {
        gsize len = nl - qmp->inbuf->str + 1;
        g_autofree char *line = g_strndup(qmp->inbuf->str, len);
        g_autoptr(JsonNode) node = NULL;
        GError *err = NULL;

        g_string_erase(qmp->inbuf, 0, len);
        g_strstrip(line);
        if (!*line) {
            continue;
        }
        node = json_from_string(line, &err);
        if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
            qmp_mark_broken(qmp, g_error_new(SHIM_ERROR, SHIM_ERROR_PROTOCOL,
                            "%s sent a QMP line that is not a JSON object "
                            "(%s): %.200s", qmp->name,
                            err ? err->message : "not an object", line));
            g_clear_error(&err);
            continue;
        }
        qmp_dispatch(qmp, json_node_get_object(node));
    }
}

static gboolean qmp_on_input(GSocket *socket, GIOCondition cond,
                             gpointer opaque)
{
    QmpClient *qmp = opaque;
    char buf[16384];
    GError *err = NULL;
    gssize n;

    for (;;) {
        n = g_socket_receive(socket, buf, sizeof(buf), NULL, &err);
        if (n > 0) {
            g_string_append_len(qmp->inbuf, buf, n);
            continue;
        }
        if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(err);
            qmp_parse_lines(qmp);
            return G_SOURCE_CONTINUE;
        }
        break;
    }
    qmp_parse_lines(qmp);
    qmp_mark_broken(qmp, n == 0 ?
                    g_error_new(SHIM_ERROR, SHIM_ERROR_PROCESS,
                                "%s closed its QMP connection", qmp->name) :
                    g_error_new(SHIM_ERROR, SHIM_ERROR_PROTOCOL,
                                "reading QMP from %s: %s", qmp->name,
                                err->message));
    g_clear_error(&err);
    qmp->input = NULL;
    return G_SOURCE_REMOVE;
}

static QmpClient *qmp_new(GSocket *socket, const char *name)
{
    QmpClient *qmp = g_new0(QmpClient, 1);

    qmp->name = g_strdup(name);
    qmp->socket = socket;
    qmp->inbuf = g_string_new(NULL);
    qmp->answers = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                         (GDestroyNotify)json_object_unref);
    g_queue_init(&qmp->events);
    qmp->next_id = 1;
    g_socket_set_blocking(socket, FALSE);
    qmp->input = g_socket_create_source(socket, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                        NULL);
    g_source_set_callback(qmp->input, G_SOURCE_FUNC(qmp_on_input), qmp, NULL);
    g_source_attach(qmp->input, NULL);
    g_source_unref(qmp->input);
    return qmp;
}

QmpClient *qmp_new_from_fd(int fd, const char *name, GError **errp)
{
    GSocket *socket = g_socket_new_from_fd(fd, errp);

    return socket ? qmp_new(socket, name) : NULL;
}

QmpClient *qmp_connect(const char *path, const char *name, GError **errp)
{
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    GSocket *socket;

    socket = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                          G_SOCKET_PROTOCOL_DEFAULT, errp);
    if (!socket) {
        return NULL;
    }
    if (!g_socket_connect(socket, addr, NULL, errp)) {
        g_object_unref(socket);
        return NULL;
    }
    return qmp_new(socket, name);
}

static gboolean qmp_send_object(QmpClient *qmp, JsonObject *obj, GError **errp)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), obj);
    g_autofree char *text = json_to_string(node, FALSE);
    g_autofree char *line = g_strconcat(text, "\n", NULL);
    gsize len = strlen(line), sent = 0;

    while (sent < len) {
        GError *err = NULL;
        gssize n = g_socket_send(qmp->socket, line + sent, len - sent, NULL,
                                 &err);

        if (n >= 0) {
            sent += n;
        } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(err);
            g_socket_condition_wait(qmp->socket, G_IO_OUT, NULL, NULL);
        } else {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROCESS,
                        "sending QMP to %s: %s", qmp->name, err->message);
            g_error_free(err);
            return FALSE;
        }
    }
    return TRUE;
}

static JsonObject *qmp_request(const char *verb, const char *cmd,
                               JsonObject *args, gint64 id)
{
    JsonObject *req = json_object_new();

    json_object_set_string_member(req, verb, cmd);
    if (args) {
        json_object_set_object_member(req, "arguments", args);
    }
    if (id) {
        json_object_set_int_member(req, "id", id);
    }
    return req;
}

gboolean qmp_send(QmpClient *qmp, const char *cmd, JsonObject *args,
                  GError **errp)
{
    g_autoptr(JsonObject) req = qmp_request("execute", cmd, args, 0);

    return qmp_send_object(qmp, req, errp);
}

typedef struct AnswerWait {
    QmpClient *qmp;
    gint64 id;
} AnswerWait;

static gboolean answer_arrived(gpointer opaque)
{
    AnswerWait *w = opaque;

    return g_hash_table_contains(w->qmp->answers, &w->id) || w->qmp->broken;
}

static JsonNode *qmp_take_answer(QmpClient *qmp, const char *cmd, gint64 id,
                                 GError **errp)
{
    JsonObject *answer = g_hash_table_lookup(qmp->answers, &id);
    JsonNode *ret;

    if (!answer) {
        g_propagate_error(errp, g_error_copy(qmp->broken));
        g_prefix_error(errp, "waiting for the answer to %s: ", cmd);
        return NULL;
    }
    if (json_object_has_member(answer, "error")) {
        JsonObject *e = json_object_get_object_member(answer, "error");

        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_QMP, "%s: %s failed: %s: %s",
                    qmp->name, cmd, json_object_get_string_member(e, "class"),
                    json_object_get_string_member(e, "desc"));
        ret = NULL;
    } else {
        ret = json_node_copy(json_object_get_member(answer, "return"));
    }
    g_hash_table_remove(qmp->answers, &id);
    return ret;
}

static JsonNode *qmp_run(QmpClient *qmp, const char *verb, const char *cmd,
                         JsonObject *args, gint64 deadline, GError **errp)
{
    AnswerWait w = { qmp, qmp->next_id++ };
    g_autoptr(JsonObject) req = qmp_request(verb, cmd, args, w.id);

    if (qmp->broken) {
        g_propagate_error(errp, g_error_copy(qmp->broken));
        g_prefix_error(errp, "cannot send %s: ", cmd);
        return NULL;
    }
    if (!qmp_send_object(qmp, req, errp)) {
        return NULL;
    }
    if (!wait_until(answer_arrived, &w, deadline)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                    "%s did not answer %s within its time bound", qmp->name,
                    cmd);
        return NULL;
    }
    return qmp_take_answer(qmp, cmd, w.id, errp);
}

JsonNode *qmp_execute(QmpClient *qmp, const char *cmd, JsonObject *args,
                      gint64 deadline, GError **errp)
{
    return qmp_run(qmp, "execute", cmd, args, deadline, errp);
}

JsonNode *qmp_execute_oob(QmpClient *qmp, const char *cmd, JsonObject *args,
                          gint64 deadline, GError **errp)
{
    return qmp_run(qmp, "exec-oob", cmd, args, deadline, errp);
}

static gboolean greeting_arrived(gpointer opaque)
{
    QmpClient *qmp = opaque;

    return qmp->greeting || qmp->broken;
}

gboolean qmp_handshake(QmpClient *qmp, gint64 deadline, GError **errp)
{
    JsonArray *enable = json_array_new();
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;

    if (!wait_until(greeting_arrived, qmp, deadline) || !qmp->greeting) {
        json_array_unref(enable);
        json_object_unref(args);
        if (qmp->broken) {
            g_propagate_error(errp, g_error_copy(qmp->broken));
            g_prefix_error(errp, "waiting for the QMP greeting: ");
        } else {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                        "%s sent no QMP greeting in time", qmp->name);
        }
        return FALSE;
    }
    json_array_add_string_element(enable, "oob");
    json_object_set_array_member(args, "enable", enable);
    ret = qmp_execute(qmp, "qmp_capabilities", args, deadline, errp);
    return ret != NULL;
}

JsonObject *qmp_capabilities_args(const char *const *names)
{
    JsonArray *caps = json_array_new();
    JsonObject *args = json_object_new();

    for (; *names; names++) {
        JsonObject *cap = json_object_new();

        json_object_set_string_member(cap, "capability", *names);
        json_object_set_boolean_member(cap, "state", TRUE);
        json_array_add_object_element(caps, cap);
    }
    json_object_set_array_member(args, "capabilities", caps);
    return args;
}

static gint find_event_named(gconstpointer ev, gconstpointer name)
{
    return g_strcmp0(((const QmpEvent *)ev)->name, name);
}

typedef struct EventWait {
    QmpClient *qmp;
    const char *name;
} EventWait;

static gboolean event_arrived(gpointer opaque)
{
    EventWait *w = opaque;

    return g_queue_find_custom(&w->qmp->events, w->name, find_event_named) ||
           w->qmp->broken;
}

QmpEvent *qmp_wait_event(QmpClient *qmp, const char *name, gint64 deadline,
                         GError **errp)
{
    EventWait w = { qmp, name };
    GList *link;

    wait_until(event_arrived, &w, deadline);
    link = g_queue_find_custom(&qmp->events, name, find_event_named);
    if (link) {
        QmpEvent *ev = link->data;

        g_queue_delete_link(&qmp->events, link);
        return ev;
    }
    if (qmp->broken) {
        g_propagate_error(errp, g_error_copy(qmp->broken));
        g_prefix_error(errp, "waiting for event %s: ", name);
    } else {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                    "%s emitted no %s event within its time bound", qmp->name,
                    name);
    }
    return NULL;
}

guint qmp_drop_events(QmpClient *qmp, const char *name)
{
    GList *link;
    guint n = 0;

    while ((link = g_queue_find_custom(&qmp->events, name, find_event_named))) {
        qmp_event_free(link->data);
        g_queue_delete_link(&qmp->events, link);
        n++;
    }
    return n;
}

guint qmp_count_events(QmpClient *qmp, const char *name)
{
    guint n = 0;

    for (GList *l = qmp->events.head; l; l = l->next) {
        n += g_strcmp0(((QmpEvent *)l->data)->name, name) == 0;
    }
    return n;
}

gboolean qmp_is_closed(QmpClient *qmp)
{
    return qmp->broken != NULL;
}

const char *qmp_name(QmpClient *qmp)
{
    return qmp->name;
}

void qmp_event_free(QmpEvent *event)
{
    if (event) {
        g_free(event->name);
        g_clear_pointer(&event->data, json_object_unref);
        g_free(event);
    }
}

void qmp_close(QmpClient *qmp)
{
    if (!qmp) {
        return;
    }
    if (qmp->input) {
        g_source_destroy(qmp->input);
    }
    g_socket_close(qmp->socket, NULL);
    g_object_unref(qmp->socket);
    g_string_free(qmp->inbuf, TRUE);
    g_clear_pointer(&qmp->greeting, json_object_unref);
    g_hash_table_destroy(qmp->answers);
    g_queue_clear_full(&qmp->events, (GDestroyNotify)qmp_event_free);
    g_clear_error(&qmp->broken);
    g_free(qmp->name);
    g_free(qmp);
}
