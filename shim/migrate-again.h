/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QEMU that was a migration's destination migrates again, as every
 * re-protected COLO survivor and every VM moved twice does
 * (migrate-again.c).
 */
#ifndef SHIM_MIGRATE_AGAIN_H
#define SHIM_MIGRATE_AGAIN_H

#include "colo-pair.h"

/*
 * An ordinary migration to the secondary; then the secondary migrates to
 * an address nobody listens on, and query-migrate must report that
 * migration failed, with its error, each time it is asked.  Under valgrind
 * the secondary's report at exit must show no leak (patch 0012).
 */
gboolean failed_outgoing_after_incoming(ColoPair *pair, GError **errp);

#endif
