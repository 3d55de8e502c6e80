/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A TCP forwarder between the primary and the secondary for fault
 * injection: the primary migrates to it, it forwards every connection to
 * the secondary, and a test can delay what one connection carries towards
 * the secondary, or cut a connection.  It runs on the default main context,
 * so it works while the shim waits (wait.h).
 *
 * Connections are numbered in the order the primary opens them: 0 is the
 * main migration channel, 1..N the multifd channels.
 */
#ifndef SHIM_LINK_PROXY_H
#define SHIM_LINK_PROXY_H

#include <glib.h>

typedef struct LinkProxy LinkProxy;

/* Listens on 127.0.0.1, on a port of the kernel's choice. */
LinkProxy *link_proxy_new(const char *target_host, guint16 target_port,
                          GError **errp);

/* The URI the primary migrates to. */
char *link_proxy_uri(LinkProxy *proxy);

/* Connections accepted so far. */
guint link_proxy_connections(LinkProxy *proxy);

/*
 * Bytes connection @index carries towards the secondary arrive @delay_ms
 * late from now on (in order; later bytes are not overtaken).
 */
void link_proxy_set_delay(LinkProxy *proxy, guint index, guint delay_ms);

/* Closes both sides of connection @index, dropping what is queued. */
void link_proxy_cut(LinkProxy *proxy, guint index);

/* Cuts every connection: the link is gone. */
void link_proxy_cut_all(LinkProxy *proxy);

void link_proxy_free(LinkProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(LinkProxy, link_proxy_free)

#endif
