/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network cases' comparison check (net-compare.c): for a span of the
 * run the primary's checkpoint delay is set longer than the wait, so no
 * periodic checkpoint can release an answer, and each answer the client
 * got left either because colo-compare matched it with the secondary's or
 * because a mismatch made colo-compare ask for a checkpoint.  What
 * colo-compare did comes from the primary's trace (compare-trace.h), set
 * beside the client's log by its START line.
 */
#ifndef SHIM_NET_COMPARE_H
#define SHIM_NET_COMPARE_H

#include "colo-pair.h"

/*
 * The span: the answers in @client_log (net-log.h) requested once the new
 * delay took effect, at least 5 of them.  Guests that answer alike
 * (!@differ): every answer's payload matched, no checkpoint asked for;
 * guests that differ: no payload matched, a checkpoint asked for per
 * answer; either way no packet held past compare_timeout.  Prints what
 * the span showed; puts the pair's own delay back.
 */
gboolean net_compare_check(ColoPair *pair, const char *client_log,
                           gboolean differ, GError **errp);

#endif
