/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ordinary (non-COLO) multifd migrations whose destination RAM must equal
 * the source's byte for byte: the series changes generic multifd code, and
 * these cases guard what every migration relies on.  Each runs on a
 * ColoPair in qtest mode (no guest code: the test is the only writer) with
 * ColoConfig.ordinary set.
 */
#ifndef SHIM_PRECOPY_ORDER_H
#define SHIM_PRECOPY_ORDER_H

#include "colo-pair.h"

/*
 * Legacy zero pages go on the main channel, the others on the multifd
 * channels; only the per-round multifd sync orders a page's main-channel
 * copy before its next copy on a channel.  Completes @cfg, which must be
 * qtest and proxied: an ordinary migration, bandwidth, zero-page
 * detection and the switchover hook.
 */
void legacy_zero_order_configure(ColoConfig *cfg);

/*
 * A range sent in the first pass is zeroed, so the next pass sends it as
 * zero pages on the main channel alone, slowed down by the proxy; one page
 * of it then changes before the switchover and goes on a channel.  The
 * destination must end up with that page, not the main channel's older
 * zero page.
 */
gboolean legacy_zero_order_scenario(ColoPair *pair, GError **errp);

/* Both sides' RAM, byte for byte, once the migration completed. */
gboolean precopy_ram_identical(ColoPair *pair, GError **errp);

#endif
