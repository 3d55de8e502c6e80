/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "link-proxy.h"

#include <gio/gio.h>

#include "shim-error.h"

#define CHUNK_SIZE (64 * 1024)
/* Stop reading a side whose bytes pile up unwritten beyond this. */
#define MAX_QUEUED (32 * 1024 * 1024)
#define FLUSH_INTERVAL_MS 1

typedef struct Chunk {
    GBytes *data;
    gsize sent;
    gint64 due_us;              /* monotonic time it may be written */
} Chunk;

/* One direction of a connection. */
typedef struct Pipe {
    GSocket *from, *to;
    GSource *reading;           /* NULL while paused or done */
    GQueue chunks;
    gsize queued;
    guint delay_ms;
    gboolean eof;               /* @from ended: shut @to once drained */
} Pipe;

typedef struct Connection {
    LinkProxy *proxy;
    guint index;
    GSocket *primary, *secondary;
    Pipe to_secondary, to_primary;
    gboolean closed;
} Connection;

struct LinkProxy {
    GSocketListener *listener;
    GCancellable *cancel;
    GSocketAddress *target;
    guint16 port;
    GPtrArray *connections;     /* Connection *, by index */
    GHashTable *pending_delays; /* index -> delay for not yet open ones */
    guint flush_timer;
};

static void chunk_free(gpointer data)
{
    Chunk *c = data;

    g_bytes_unref(c->data);
    g_free(c);
}

static void pipe_stop_reading(Pipe *p)
{
    if (p->reading) {
        g_source_destroy(p->reading);
        g_source_unref(p->reading);
        p->reading = NULL;
    }
}

static void connection_close(Connection *conn)
{
    if (conn->closed) {
        return;
    }
    conn->closed = TRUE;
    pipe_stop_reading(&conn->to_secondary);
    pipe_stop_reading(&conn->to_primary);
    g_queue_clear_full(&conn->to_secondary.chunks, chunk_free);
    g_queue_clear_full(&conn->to_primary.chunks, chunk_free);
    g_socket_close(conn->primary, NULL);
    g_socket_close(conn->secondary, NULL);
}

static gboolean pipe_on_readable(GSocket *socket, GIOCondition cond,
                                 gpointer opaque);

static void pipe_start_reading(Pipe *p, Connection *conn)
{
    if (p->reading || p->eof || conn->closed) {
        return;
    }
    p->reading = g_socket_create_source(p->from, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                        NULL);
    g_source_set_callback(p->reading, G_SOURCE_FUNC(pipe_on_readable), conn,
                          NULL);
    g_source_attach(p->reading, NULL);
}

static Pipe *pipe_of(Connection *conn, GSocket *from)
{
    return from == conn->primary ? &conn->to_secondary : &conn->to_primary;
}

static gboolean pipe_on_readable(GSocket *socket, GIOCondition cond,
                                 gpointer opaque)
{
    Connection *conn = opaque;
    Pipe *p = pipe_of(conn, socket);
    char *buf = g_malloc(CHUNK_SIZE);
    gssize n = g_socket_receive(socket, buf, CHUNK_SIZE, NULL, NULL);
    Chunk *c;

    if (n < 0) {
        g_free(buf);
        /* A spurious wake-up is not an end; an error is. */
        if (cond & (G_IO_HUP | G_IO_ERR)) {
            connection_close(conn);
            return G_SOURCE_REMOVE;
        }
        return G_SOURCE_CONTINUE;
    }
    if (n == 0) {
        g_free(buf);
        p->eof = TRUE;
        g_source_unref(p->reading);
        p->reading = NULL;
        return G_SOURCE_REMOVE;
    }
    c = g_new0(Chunk, 1);
    c->data = g_bytes_new_take(buf, n);
    c->due_us = g_get_monotonic_time() + (gint64)p->delay_ms * 1000;
    g_queue_push_tail(&p->chunks, c);
    p->queued += n;
    if (p->queued > MAX_QUEUED) {
        pipe_stop_reading(p);
    }
    return G_SOURCE_CONTINUE;
}

/* Writes what is due; FALSE when the connection broke. */
static gboolean pipe_flush(Pipe *p, Connection *conn, gint64 now)
{
    Chunk *c;

    while ((c = g_queue_peek_head(&p->chunks)) && c->due_us <= now) {
        gsize len;
        const char *data = g_bytes_get_data(c->data, &len);
        GError *err = NULL;
        gssize n = g_socket_send(p->to, data + c->sent, len - c->sent, NULL,
                                 &err);

        if (n < 0) {
            gboolean blocked = g_error_matches(err, G_IO_ERROR,
                                               G_IO_ERROR_WOULD_BLOCK);

            g_error_free(err);
            return blocked;
        }
        c->sent += n;
        p->queued -= n;
        if (c->sent < len) {
            return TRUE;
        }
        chunk_free(g_queue_pop_head(&p->chunks));
    }
    if (p->queued <= MAX_QUEUED) {
        pipe_start_reading(p, conn);
    }
    if (p->eof && g_queue_is_empty(&p->chunks)) {
        g_socket_shutdown(p->to, FALSE, TRUE, NULL);
    }
    return TRUE;
}

static gboolean flush_all(gpointer opaque)
{
    LinkProxy *proxy = opaque;
    gint64 now = g_get_monotonic_time();

    for (guint i = 0; i < proxy->connections->len; i++) {
        Connection *conn = g_ptr_array_index(proxy->connections, i);

        if (!conn->closed &&
            (!pipe_flush(&conn->to_secondary, conn, now) ||
             !pipe_flush(&conn->to_primary, conn, now))) {
            connection_close(conn);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void pipe_init(Pipe *p, GSocket *from, GSocket *to, guint delay_ms)
{
    p->from = from;
    p->to = to;
    p->delay_ms = delay_ms;
    g_queue_init(&p->chunks);
}

static void on_accepted(GObject *source, GAsyncResult *res, gpointer opaque);

static void accept_next(LinkProxy *proxy)
{
    g_socket_listener_accept_socket_async(proxy->listener, proxy->cancel,
                                          on_accepted, proxy);
}

static void on_accepted(GObject *source, GAsyncResult *res, gpointer opaque)
{
    GSocket *primary = g_socket_listener_accept_socket_finish(
        G_SOCKET_LISTENER(source), res, NULL, NULL);
    LinkProxy *proxy = opaque;
    Connection *conn;
    GSocket *secondary;

    if (!primary) {
        return;     /* cancelled: the proxy is going away */
    }
    secondary = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, NULL);
    if (!secondary || !g_socket_connect(secondary, proxy->target, NULL, NULL)) {
        /* The secondary is gone: the primary sees its connection close. */
        g_clear_object(&secondary);
        g_socket_close(primary, NULL);
        g_object_unref(primary);
        accept_next(proxy);
        return;
    }
    conn = g_new0(Connection, 1);
    conn->proxy = proxy;
    conn->index = proxy->connections->len;
    conn->primary = primary;
    conn->secondary = secondary;
    g_socket_set_blocking(primary, FALSE);
    g_socket_set_blocking(secondary, FALSE);
    pipe_init(&conn->to_secondary, primary, secondary,
              GPOINTER_TO_UINT(g_hash_table_lookup(proxy->pending_delays,
                                                   GUINT_TO_POINTER(conn->index))));
    pipe_init(&conn->to_primary, secondary, primary, 0);
    g_ptr_array_add(proxy->connections, conn);
    pipe_start_reading(&conn->to_secondary, conn);
    pipe_start_reading(&conn->to_primary, conn);
    accept_next(proxy);
}

static void connection_free(gpointer data)
{
    Connection *conn = data;

    connection_close(conn);
    g_object_unref(conn->primary);
    g_object_unref(conn->secondary);
    g_free(conn);
}

LinkProxy *link_proxy_new(const char *target_host, guint16 target_port,
                          GError **errp)
{
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(
        G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new(loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;
    LinkProxy *proxy = g_new0(LinkProxy, 1);

    proxy->listener = g_socket_listener_new();
    proxy->cancel = g_cancellable_new();
    proxy->connections = g_ptr_array_new_with_free_func(connection_free);
    proxy->pending_delays = g_hash_table_new(NULL, NULL);
    proxy->target = g_inet_socket_address_new_from_string(target_host,
                                                          target_port);
    if (!proxy->target ||
        !g_socket_listener_add_address(proxy->listener, any_port,
                                       G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                       errp)) {
        if (!proxy->target) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                        "link proxy: bad target %s:%u", target_host,
                        target_port);
        }
        link_proxy_free(proxy);
        return NULL;
    }
    proxy->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    proxy->flush_timer = g_timeout_add(FLUSH_INTERVAL_MS, flush_all, proxy);
    accept_next(proxy);
    return proxy;
}

char *link_proxy_uri(LinkProxy *proxy)
{
    return g_strdup_printf("tcp:127.0.0.1:%u", proxy->port);
}

guint link_proxy_connections(LinkProxy *proxy)
{
    return proxy->connections->len;
}

void link_proxy_set_delay(LinkProxy *proxy, guint index, guint delay_ms)
{
    if (index < proxy->connections->len) {
        Connection *conn = g_ptr_array_index(proxy->connections, index);

        conn->to_secondary.delay_ms = delay_ms;
    } else {
        g_hash_table_insert(proxy->pending_delays, GUINT_TO_POINTER(index),
                            GUINT_TO_POINTER(delay_ms));
    }
}

void link_proxy_cut(LinkProxy *proxy, guint index)
{
    if (index < proxy->connections->len) {
        connection_close(g_ptr_array_index(proxy->connections, index));
    }
}

void link_proxy_cut_all(LinkProxy *proxy)
{
    for (guint i = 0; i < proxy->connections->len; i++) {
        link_proxy_cut(proxy, i);
    }
}

void link_proxy_free(LinkProxy *proxy)
{
    if (!proxy) {
        return;
    }
    if (proxy->flush_timer) {
        g_source_remove(proxy->flush_timer);
    }
    g_cancellable_cancel(proxy->cancel);
    g_socket_listener_close(proxy->listener);
    /* Let the cancelled accept finish before its proxy goes. */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_ptr_array_unref(proxy->connections);
    g_hash_table_destroy(proxy->pending_delays);
    g_clear_object(&proxy->target);
    g_object_unref(proxy->listener);
    g_object_unref(proxy->cancel);
    g_free(proxy);
}
