/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fake-qmp.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct FakeQmp {
    int fd;
    GThread *thread;
    GMutex lock;
    char *capabilities_args;
    gint64 slow_id;
};

static void send_text(FakeQmp *fake, const char *text)
{
    gsize len = strlen(text), done = 0;

    while (done < len) {
        gssize n = write(fake->fd, text + done, len - done);

        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

static char *answer(gint64 id, const char *return_json)
{
    return g_strdup_printf("{\"return\": %s, \"id\": %" G_GINT64_FORMAT "}\r\n",
                           return_json, id);
}

static char *event(const char *name, int seconds)
{
    return g_strdup_printf("{\"event\": \"%s\", \"data\": {\"n\": %d}, "
                           "\"timestamp\": {\"seconds\": %d, "
                           "\"microseconds\": 250}}\r\n", name, seconds,
                           seconds);
}

static char *node_text(JsonObject *obj, const char *member)
{
    JsonNode *n = json_object_get_member(obj, member);

    return n ? json_to_string(n, FALSE) : g_strdup("{}");
}

/* Returns FALSE when the connection is to be closed. */
static gboolean serve(FakeQmp *fake, JsonObject *req)
{
    const char *cmd = json_object_has_member(req, "execute") ?
        json_object_get_string_member(req, "execute") :
        json_object_get_string_member(req, "exec-oob");
    gint64 id = json_object_get_int_member_with_default(req, "id", 0);
    g_autofree char *args = node_text(req, "arguments");
    g_autofree char *reply = answer(id, g_str_equal(cmd, "echo") ? args : "{}");

    if (g_str_equal(cmd, "qmp_capabilities")) {
        g_mutex_lock(&fake->lock);
        fake->capabilities_args = g_strdup(args);
        g_mutex_unlock(&fake->lock);
    } else if (g_str_equal(cmd, "slow")) {
        fake->slow_id = id;
        return TRUE;
    } else if (g_str_equal(cmd, "late")) {
        g_autofree char *late = answer(fake->slow_id, "\"late\"");

        send_text(fake, late);
    } else if (g_str_equal(cmd, "events")) {
        for (int i = 1; i <= 3; i++) {
            g_autofree char *ev = event(i == 2 ? "RESUME" : "STOP", i);

            send_text(fake, ev);
        }
    } else if (g_str_equal(cmd, "split")) {
        for (const char *p = reply; *p; p++) {
            char c[2] = { *p, 0 };

            send_text(fake, c);
            g_usleep(200);
        }
        return TRUE;
    } else if (g_str_equal(cmd, "batch")) {
        g_autofree char *ev = event("BATCH", 7);
        g_autofree char *both = g_strconcat(ev, reply, NULL);

        send_text(fake, both);
        return TRUE;
    } else if (g_str_equal(cmd, "fail")) {
        g_free(reply);
        reply = g_strdup_printf("{\"error\": {\"class\": \"GenericError\", "
                                "\"desc\": \"boom\"}, \"id\": %"
                                G_GINT64_FORMAT "}\r\n", id);
    } else if (g_str_equal(cmd, "close")) {
        return FALSE;
    }
    send_text(fake, reply);
    return TRUE;
}

static gpointer fake_thread(gpointer opaque)
{
    FakeQmp *fake = opaque;
    g_autoptr(GString) buf = g_string_new(NULL);
    char chunk[4096];
    gssize n;

    send_text(fake, "{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}\r\n");
    while ((n = read(fake->fd, chunk, sizeof(chunk))) > 0) {
        char *nl;

        g_string_append_len(buf, chunk, n);
        while ((nl = strchr(buf->str, '\n'))) {
            g_autofree char *line = g_strndup(buf->str, nl - buf->str);
            g_autoptr(JsonNode) node = json_from_string(line, NULL);

            g_string_erase(buf, 0, nl - buf->str + 1);
            g_assert_nonnull(node);
            if (!serve(fake, json_node_get_object(node))) {
                goto out;
            }
        }
    }
out:
    shutdown(fake->fd, SHUT_RDWR);
    close(fake->fd);
    return NULL;
}

FakeQmp *fake_qmp_start(int *client_fd)
{
    FakeQmp *fake = g_new0(FakeQmp, 1);
    int fds[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
    fake->fd = fds[1];
    *client_fd = fds[0];
    g_mutex_init(&fake->lock);
    fake->thread = g_thread_new("fake-qmp", fake_thread, fake);
    return fake;
}

char *fake_qmp_capabilities_args(FakeQmp *fake)
{
    char *args;

    g_mutex_lock(&fake->lock);
    args = g_strdup(fake->capabilities_args);
    g_mutex_unlock(&fake->lock);
    return args;
}

void fake_qmp_stop(FakeQmp *fake)
{
    g_thread_join(fake->thread);
    g_mutex_clear(&fake->lock);
    g_free(fake->capabilities_args);
    g_free(fake);
}
