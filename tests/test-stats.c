/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark statistics: mean and nearest-rank percentiles. */
#include <glib.h>

#include "stats.h"

static void test_one_to_hundred(void)
{
    double v[100];
    Stats s;

    /* Shuffled on purpose: stats_of() must not need sorted input. */
    for (int i = 0; i < 100; i++) {
        v[i] = (i * 37) % 100 + 1;
    }
    s = stats_of(v, 100);
    g_assert_cmpuint(s.n, ==, 100);
    g_assert_cmpfloat_with_epsilon(s.mean, 50.5, 1e-9);
    g_assert_cmpfloat(s.p50, ==, 50);
    g_assert_cmpfloat(s.p90, ==, 90);
    g_assert_cmpfloat(s.p99, ==, 99);
    g_assert_cmpfloat(s.max, ==, 100);
}

static void test_small_sample(void)
{
    const double v[] = { 5, 1, 3 };
    Stats s = stats_of(v, 3);

    g_assert_cmpfloat_with_epsilon(s.mean, 3, 1e-9);
    g_assert_cmpfloat(s.p50, ==, 3);
    g_assert_cmpfloat(s.p99, ==, 5);
    g_assert_cmpfloat(v[0], ==, 5);     /* input left alone */
}

static void test_empty(void)
{
    Stats s = stats_of(NULL, 0);

    g_assert_cmpuint(s.n, ==, 0);
    g_assert_cmpfloat(s.max, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stats/one_to_hundred", test_one_to_hundred);
    g_test_add_func("/stats/small_sample", test_small_sample);
    g_test_add_func("/stats/empty", test_empty);
    return g_test_run();
}
