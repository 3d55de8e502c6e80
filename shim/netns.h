/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two hosts on one machine: two network namespaces of their own, joined by
 * a veth pair whose addresses exist only inside them, optionally with a
 * netem delay on the link and an htb rate it is shaped to.  A partition is
 * the link going down.  Created and removed by the shim (iproute2, as
 * root); namespaces left by a shim that was killed are removed by the next
 * one.
 */
#ifndef SHIM_NETNS_H
#define SHIM_NETNS_H

#include <glib.h>

typedef struct NetnsLink NetnsLink;

/*
 * Both namespaces and the link between them, with @delay_ms each way and
 * shaped to @rate_mbit each way (0: neither).
 */
NetnsLink *netns_link_new(guint delay_ms, guint rate_mbit, GError **errp);

/* Namespace and address of end 0 (primary) or 1 (secondary). */
const char *netns_link_namespace(NetnsLink *link, guint end);
const char *netns_link_address(NetnsLink *link, guint end);

/* Takes the link down (a partition) or up again. */
gboolean netns_link_set_up(NetnsLink *link, gboolean up, GError **errp);

/* What end @end has sent on the link so far (its veth's tx bytes). */
gboolean netns_link_tx_bytes(NetnsLink *link, guint end, guint64 *bytes,
                             GError **errp);

/*
 * The guests' LAN, once per link: a third namespace, the client's, whose
 * bridge has @client_cidr and a veth from each host; in each host a tap
 * device called @tap (for its QEMU's -netdev tap) on a bridge with that
 * veth, so that whichever host runs the guest, the client reaches it, as
 * COLO-FT.txt's two hosts share a bridged network.
 */
gboolean netns_link_add_lan(NetnsLink *link, const char *tap,
                            const char *client_cidr, GError **errp);

/* The client's namespace, or NULL before netns_link_add_lan(). */
const char *netns_link_client_namespace(NetnsLink *link);

/* Removes the namespaces, and with them the links and the LAN. */
void netns_link_free(NetnsLink *link);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetnsLink, netns_link_free)

#endif
