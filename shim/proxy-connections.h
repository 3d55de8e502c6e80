/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COLO's network proxy without a guest: colo-compare on the primary and
 * filter-rewriter on the secondary, fed TCP frames of many short
 * connections by the test through chardev sockets (patches 0014-0017).
 */
#ifndef SHIM_PROXY_CONNECTIONS_H
#define SHIM_PROXY_CONNECTIONS_H

#include "colo-pair.h"

/* Adds the proxy objects, their sockets and a NIC to both sides. */
void proxy_connections_configure(ColoConfig *cfg);

/*
 * In COLO: each connection's frames pass colo-compare and filter-rewriter
 * (what leaves them is what came in), every connection closes, then the
 * failover to @survivor with the documentation's step for its proxy.
 * Under valgrind both QEMUs must then end without a definite leak: each
 * proxy forgets a closed connection, and a deleted colo-compare all.
 */
gboolean proxy_connections_failover(ColoPair *pair, ColoSide survivor,
                                    GError **errp);

/*
 * An operator's slip in the documentation's object-add of colo-compare
 * (inputs that name no chardev), beside a working one and after the
 * failover deleted it, must be refused with the primary running on.
 */
gboolean proxy_compare_misconfigured(ColoPair *pair, GError **errp);

/*
 * Frames filter-rewriter passes on while the VM is stopped (each
 * checkpoint stops it) must leave when it runs again (0017).  Stopping a
 * secondary in COLO is not the shim's to do: the connections open in
 * COLO, the secondary takes over keeping its redirectors (the test's way
 * in; its rewriter still tracks the connections), then it is stopped
 * while the guest's FINs arrive, and continued.
 */
gboolean proxy_rewriter_resumed(ColoPair *pair, GError **errp);

#endif
