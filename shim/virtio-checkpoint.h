/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A virtio device on a COLO secondary, which loads the primary's device
 * state at every checkpoint over a device its own run has changed
 * (virtio-checkpoint.c).  qtest: the test is both guests.
 */
#ifndef SHIM_VIRTIO_CHECKPOINT_H
#define SHIM_VIRTIO_CHECKPOINT_H

#include "colo-pair.h"

/* Both sides get a virtio-blk device (on a null disk) in slot 4. */
void virtio_checkpoint_configure(ColoConfig *cfg);

/*
 * Before the migration the primary's "guest" turns bus mastering on; in
 * COLO the secondary's turns it off, which disables its device.  The next
 * checkpoint loads the primary's state, bus mastering on: the device must
 * be enabled again (patch 0013: without it it stays disabled, and after a
 * failover the guest's disk never answers).
 */
gboolean virtio_enabled_after_checkpoint(ColoPair *pair, GError **errp);

#endif
