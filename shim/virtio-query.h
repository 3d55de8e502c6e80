/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A virtio device's state as QEMU's x-query-virtio commands report it:
 * whether the device takes requests at all, and where its queue stands.
 */
#ifndef SHIM_VIRTIO_QUERY_H
#define SHIM_VIRTIO_QUERY_H

#include "colo-pair.h"

/* The QOM path of @side's virtio device called @name (virtio-blk, ...). */
char *virtio_query_path(ColoPair *pair, ColoSide side, const char *name,
                        GError **errp);

/* Whether that device is disabled (x-query-virtio-status). */
gboolean virtio_query_disabled(ColoPair *pair, ColoSide side,
                               const char *name, gboolean *disabled,
                               GError **errp);

/*
 * Appends to @errp where @side's device @name stands: disabled or not,
 * and its queue 0 (requests made available, taken, completed, in use).
 */
void virtio_query_describe(ColoPair *pair, ColoSide side, const char *name,
                           GError **errp);

#endif
