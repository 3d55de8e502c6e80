/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the Linux guest's workload (guest/linux/colo-workload.c) left
 * behind, read from the host: the records it acknowledged on its console,
 * and the journal on a raw disk image.
 */
#ifndef SHIM_WORKLOAD_LOG_H
#define SHIM_WORKLOAD_LOG_H

#include <glib.h>

typedef struct WlAcks {
    guint count;
    guint64 first, last;        /* when count > 0 */
    /* Each one the one before plus one; else the first out of order. */
    gboolean in_order;
    guint64 out_of_order;
} WlAcks;

/*
 * The COLO-WL-ACK lines of the serial log @path that start in [@from,
 * @to) (@to -1: to the end).
 */
gboolean wl_read_acks(const char *path, goffset from, goffset to,
                      WlAcks *acks, GError **errp);

/*
 * The records at the start of the raw disk image @path, in *@records; FALSE
 * (SHIM_ERROR_CHECK) where the journal is not a run of valid records
 * followed by empty sectors, as the workload leaves it.
 */
gboolean wl_read_journal(const char *path, guint64 *records, GError **errp);

#endif
