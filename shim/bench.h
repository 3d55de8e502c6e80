/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-bench's results and how they are reported (bench-report.c): one
 * result per accelerator, link and configuration, all from one run.
 */
#ifndef SHIM_BENCH_H
#define SHIM_BENCH_H

#include <glib.h>

/* The path between primary and secondary. */
typedef struct BenchLink {
    char *name;             /* "loopback", "veth", "10gbit", "1gbit", ... */
    gboolean netns;         /* two network namespaces and a veth pair */
    guint rate_mbit;        /* htb rate each way; 0: unshaped */
} BenchLink;

typedef struct BenchConfig {
    const char *guest;      /* "idle" or "load" */
    const char *name;       /* "plain", "multifd-2", ... */
    guint channels;
} BenchConfig;

typedef struct BenchResult {
    const BenchConfig *config;
    const char *accel;
    const BenchLink *link;
    GArray *pause_ms;       /* double, per checkpoint: the primary's pause */
    GArray *load_ms;        /* the secondary's STOP to RESUME */
    GArray *flush_ms;       /* its colo_flush_ram_cache() within that */
    GArray *after_flush_ms; /* from the flush's end to RESUME: device state */
    double dirty_mib_s;     /* what the primary's guest dirtied */
    /* What the primary sent on a veth link per checkpoint, mean; 0 on lo */
    double checkpoint_bytes;
} BenchResult;

/* What every result shares, for the report. */
typedef struct BenchSetup {
    const char *machine;
    guint checkpoint_delay_ms;
    guint ram_mib;
    guint load_mib;
    gboolean load_half_zero;
    GPtrArray *skipped;     /* char *: what was not measured, and why */
} BenchSetup;

BenchResult *bench_result_new(const BenchConfig *config, const char *accel,
                              const BenchLink *link);
void bench_result_free(gpointer result);

/*
 * The time a checkpoint's bytes take on the link at its rate, in ms: no
 * pause can be shorter.  0 for an unshaped link.
 */
double bench_wire_ms(const BenchResult *r);

/*
 * Per accelerator and link: the pause table, where the secondary's part
 * of it goes, and the multifd/plain ratios.
 */
void bench_print(const BenchSetup *setup, GPtrArray *results);

gboolean bench_write_json(const BenchSetup *setup, GPtrArray *results,
                          const char *path, GError **errp);
gboolean bench_write_tsv(GPtrArray *results, const char *path, GError **errp);

#endif
