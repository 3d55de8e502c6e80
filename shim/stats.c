/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "stats.h"

#include <math.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double nearest_rank(const double *sorted, guint n, double percent)
{
    guint rank = (guint)ceil(percent / 100.0 * n);

    return sorted[MAX(rank, 1) - 1];
}

Stats stats_of(const double *values, guint n)
{
    g_autofree double *sorted = NULL;
    Stats s = { .n = n };
    double sum = 0;

    if (n == 0) {
        return s;
    }
    sorted = g_memdup2(values, n * sizeof(double));
    qsort(sorted, n, sizeof(double), compare_doubles);
    for (guint i = 0; i < n; i++) {
        sum += sorted[i];
    }
    s.mean = sum / n;
    s.p50 = nearest_rank(sorted, n, 50);
    s.p90 = nearest_rank(sorted, n, 90);
    s.p99 = nearest_rank(sorted, n, 99);
    s.max = sorted[n - 1];
    return s;
}
