/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Summary statistics of a sample of durations, for the benchmark. */
#ifndef SHIM_STATS_H
#define SHIM_STATS_H

#include <glib.h>

typedef struct Stats {
    guint n;
    double mean, p50, p90, p99, max;
} Stats;

/*
 * Summarises @n values (not modified).  Percentiles are nearest-rank: the
 * smallest value with at least p% of the sample at or below it.
 */
Stats stats_of(const double *values, guint n);

#endif
