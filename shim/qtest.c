/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qtest.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "shim-error.h"

struct QtestClient {
    GSocket *socket;
    GString *inbuf;
};

QtestClient *qtest_connect(const char *path, GError **errp)
{
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_UNIX,
                                             G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_DEFAULT, errp);
    QtestClient *qt;

    if (!socket || !g_socket_connect(socket, addr, NULL, errp)) {
        g_prefix_error(errp, "connecting to qtest socket %s: ", path);
        return NULL;
    }
    qt = g_new0(QtestClient, 1);
    qt->socket = g_steal_pointer(&socket);
    qt->inbuf = g_string_new(NULL);
    return qt;
}

/* Sends one command and reads its one-line answer, which must be "OK". */
static gboolean command(QtestClient *qt, const char *line, guint timeout_ms,
                        GError **errp)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    char *nl;

    if (g_socket_send(qt->socket, line, strlen(line), NULL, errp) < 0) {
        return FALSE;
    }
    while (!(nl = memchr(qt->inbuf->str, '\n', qt->inbuf->len))) {
        char buf[256];
        gssize n;
        gint64 left = deadline - g_get_monotonic_time();

        g_socket_set_timeout(qt->socket, MAX(left / G_USEC_PER_SEC, 1));
        n = left > 0 ? g_socket_receive(qt->socket, buf, sizeof(buf), NULL,
                                        errp) : -1;
        if (n <= 0) {
            if (n == 0 || left <= 0) {
                g_clear_error(errp);
                g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                            "qtest gave no answer to: %s", line);
            }
            return FALSE;
        }
        g_string_append_len(qt->inbuf, buf, n);
    }
    if (strncmp(qt->inbuf->str, "OK", 2) != 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROTOCOL,
                    "qtest answered %.*s to: %s", (int)(nl - qt->inbuf->str),
                    qt->inbuf->str, line);
        return FALSE;
    }
    g_string_erase(qt->inbuf, 0, nl - qt->inbuf->str + 1);
    return TRUE;
}

gboolean qtest_memset(QtestClient *qt, guint64 addr, guint64 len,
                      guint8 value, guint timeout_ms, GError **errp)
{
    g_autofree char *line = g_strdup_printf("memset 0x%" G_GINT64_MODIFIER
                                            "x 0x%" G_GINT64_MODIFIER "x "
                                            "0x%02x\n", addr, len, value);

    return command(qt, line, timeout_ms, errp);
}

gboolean qtest_out(QtestClient *qt, guint width, guint16 port, guint32 value,
                   guint timeout_ms, GError **errp)
{
    const char *op = width == 1 ? "outb" : width == 2 ? "outw" : "outl";
    g_autofree char *line = g_strdup_printf("%s 0x%x 0x%x\n", op, port,
                                            value);

    g_assert(width == 1 || width == 2 || width == 4);
    return command(qt, line, timeout_ms, errp);
}

void qtest_close(QtestClient *qt)
{
    if (qt) {
        g_socket_close(qt->socket, NULL);
        g_object_unref(qt->socket);
        g_string_free(qt->inbuf, TRUE);
        g_free(qt);
    }
}
