/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The secondary's colo_flush_ram_cache() per checkpoint, from QEMU's own
 * trace events (qemu-trace.h), so that the benchmark can say which part of
 * the secondary's STOP..RESUME is the flush and which the device state.
 */
#ifndef SHIM_BENCH_TRACE_H
#define SHIM_BENCH_TRACE_H

#include <glib.h>

typedef struct BenchFlush {
    gint64 begin_us, end_us;    /* wall clock, as QMP's event timestamps */
} BenchFlush;

/* Arguments that make a QEMU trace its flushes into @path. */
void bench_trace_add_args(GStrvBuilder *b, const char *path);

/* Every flush traced in @path, in order; NULL with @errp if unreadable. */
GArray *bench_trace_read(const char *path, GError **errp);

/* The flush that began within [@from_us, @to_us], or NULL. */
const BenchFlush *bench_trace_flush_within(GArray *flushes, gint64 from_us,
                                           gint64 to_us);

#endif
