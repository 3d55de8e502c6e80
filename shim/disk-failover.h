/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The disk cases (disk-failover.c): the Linux guest journals to its
 * replicated disk (colo-disk.h), one side dies, the other takes over.
 */
#ifndef SHIM_DISK_FAILOVER_H
#define SHIM_DISK_FAILOVER_H

#include "colo-pair.h"

/*
 * Once the workload runs under COLO and has journalled a while: waits for
 * @checkpoints checkpoints, and if @during_checkpoint for the secondary to
 * stop for the next, else half a checkpoint delay; then the peer of
 * @survivor dies (SIGKILL) and the survivor takes over with the documented
 * steps.  Then the survivor's workload must go on without finding its RAM
 * or disk wrong, and, once it is stopped, its disk must hold every record
 * the primary acknowledged before the last checkpoint, and end where the
 * survivor's own acknowledgements end.
 */
gboolean colo_disk_failover(ColoPair *pair, guint checkpoints,
                            gboolean during_checkpoint, ColoSide survivor,
                            GError **errp);

/*
 * What a family adds (the network cases: the client's answers), run once
 * the survivor has journalled on after the failover, before it stops;
 * @opaque is the family's.
 */
typedef gboolean (*DiskSurvivorCheck)(ColoPair *pair, ColoSide survivor,
                                      gpointer opaque, GError **errp);

/* colo_disk_failover() with @check (NULL: none). */
gboolean colo_disk_failover_checked(ColoPair *pair, guint checkpoints,
                                    gboolean during_checkpoint,
                                    ColoSide survivor,
                                    DiskSurvivorCheck check, gpointer opaque,
                                    GError **errp);

/*
 * Back to protection with the disk: the peer of @first dies and @first
 * fails over as above, then a fresh secondary gets the survivor's disk by
 * drive-mirror ("resume replication" in COLO-FT.txt) and COLO runs again;
 * then the side that was not the survivor's role dies (the new secondary
 * takes over after a primary failover, the old secondary, now primary,
 * after a secondary failover) and the last survivor's journal must hold
 * the whole history, from record 0.
 */
gboolean colo_disk_reprotect(ColoPair *pair, guint checkpoints,
                             ColoSide first, GError **errp);

/*
 * colo_disk_reprotect() with the family's checks: @protected once COLO
 * runs again (with COLO_PRIMARY, the new pair's primary), @check on the
 * last survivor as colo_disk_failover_checked() has it (NULL: none).
 */
gboolean colo_disk_reprotect_checked(ColoPair *pair, guint checkpoints,
                                     ColoSide first,
                                     DiskSurvivorCheck protected,
                                     DiskSurvivorCheck check,
                                     gpointer opaque, GError **errp);

#endif
