/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COLO's network half, as QEMU's docs/COLO-FT.txt sets it up, on top of
 * the disk half (colo-disk.h): the guest's virtio-net NIC on a tap device
 * in each host's namespace, the hosts and a client on one LAN
 * (netns_link_add_lan()); on the primary filter-mirror, two
 * filter-redirectors and colo-compare, on the secondary two
 * filter-redirectors and filter-rewriter, their chardev sockets between
 * the hosts; failover follows the documentation's steps for each
 * direction.  The guest's workload serves TCP (net-service.h): each answer
 * names the journal record that holds it.
 */
#ifndef SHIM_COLO_NET_H
#define SHIM_COLO_NET_H

#include "colo-pair.h"

/* Where the client reaches the guest's service. */
#define COLO_NET_GUEST_IP "10.0.2.15"
#define COLO_NET_SERVICE_PORT 7777

/*
 * A set-up fault that the checks must catch (tests/test-net-check-
 * catches.sh): the secondary's redirector f2 sends its guest's output to
 * a null chardev instead of the primary, so colo-compare never sees the
 * secondary's packets.  (Leaving f2 out altogether lets the secondary's
 * output onto the LAN beside the primary's: the client then gets answers
 * nobody compared, or two SYN-ACKs that break its connection, depending
 * on which comes first.)
 */
#define COLO_NET_FAULT_SECONDARY_OUTPUT_DROPPED "secondary-output-dropped"

/*
 * The trace file of @side's QEMU, colo-compare's verdicts and the
 * checkpoints (compare-trace.h reads the primary's); g_free() it.
 */
char *colo_net_trace_path(ColoPair *pair, ColoSide side);

/*
 * Makes @cfg a network case: the disk case's guest and disks
 * (colo_disk_configure()) with the network, whose workload answers with a
 * token of each VM's own when @differ (every answer then miscompares),
 * set up as documented or with @fault (NULL: none).
 */
void colo_net_configure(ColoConfig *cfg, const char *kernel,
                        const char *initrd, gboolean differ,
                        const char *fault);

#endif
