/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network cases (net-failover.c): a client on the guests' LAN sends
 * requests to the Linux guest's service all along; the disk case's
 * failover runs meanwhile (disk-failover.h), and what the client received
 * must be a promise kept: answers compared by colo-compare while COLO
 * ran, never a value twice or going back, none missing from the
 * survivor's journal, and answers from the survivor after the failover.
 */
#ifndef SHIM_NET_FAILOVER_H
#define SHIM_NET_FAILOVER_H

#include "colo-pair.h"

/*
 * The client runs from the start; once it has its first answers, the
 * disk case's colo_disk_failover() with the client's checks before the
 * survivor stops.  @differ: the guest's answers differ between the two
 * VMs (colo_net_configure()), so each is a miscompare.
 */
gboolean colo_net_failover(ColoPair *pair, guint checkpoints,
                           gboolean during_checkpoint, ColoSide survivor,
                           gboolean differ, GError **errp);

/*
 * The same across colo_disk_reprotect(): the client runs on through both
 * failovers, the comparison check again once COLO runs with the
 * re-added filters ("resume replication" in COLO-FT.txt), its checks on
 * the last survivor.
 */
gboolean colo_net_reprotect(ColoPair *pair, guint checkpoints,
                            ColoSide first, gboolean differ, GError **errp);

#endif
