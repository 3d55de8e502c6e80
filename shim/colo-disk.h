/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COLO with a disk, as QEMU's docs/COLO-FT.txt sets it up: the Linux guest
 * (its workload journals to the disk) on a quorum drive on both sides; on
 * the secondary the replication driver with active and hidden qcow2 images
 * over the parent image, which it exports over NBD; on the primary a
 * replication child that writes through that export.  Failover follows the
 * documentation's steps for each direction (colo-disk.c).
 */
#ifndef SHIM_COLO_DISK_H
#define SHIM_COLO_DISK_H

#include "colo-pair.h"

/*
 * A set-up fault that the checks must catch (tests/test-disk-check-
 * catches.sh): the primary gets no replication child.
 */
#define COLO_DISK_FAULT_UNREPLICATED "no-replication-child"

/* The guest's command line: its workload journals a record a tick. */
#define COLO_DISK_WORKLOAD "mem=16,disk=/dev/vda,tick=50"
#define COLO_DISK_APPEND "console=ttyS0 panic=-1 colo.workload=" \
                         COLO_DISK_WORKLOAD

/* The disks' set-up and failover steps, for a family that adds to them. */
extern const ColoPairHooks colo_disk_hooks;

/*
 * Makes @cfg a disk case: the Linux guest of @kernel and @initrd (NULL or
 * missing: the case skips, saying why) with its workload, and the disks,
 * set up as documented or, for tests of the checks, with @fault (NULL:
 * none).
 */
void colo_disk_configure(ColoConfig *cfg, const char *kernel,
                         const char *initrd, const char *fault);

/* The raw image that holds @side's guest disk once it runs alone. */
char *colo_disk_image(ColoPair *pair, ColoSide side);

/*
 * After a failover to the secondary: waits until its commit of the active
 * and hidden images into the parent image has ended (until then the
 * parent alone is not the guest's disk).
 */
gboolean colo_disk_wait_commit(ColoPair *pair, GError **errp);

#endif
