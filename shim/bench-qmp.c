/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-bench-qmp: how long the primary's main loop is held up by COLO
 * checkpoints, for two QEMU builds side by side in one run (patch 0002
 * decides how much of a checkpoint holds the BQL).  While a loaded guest
 * is protected, the primary answers one in-band query-status after another;
 * a query that arrives while the migration thread holds the BQL waits for
 * it, so the slow answers show how long the BQL is held.  Prints, per build
 * and configuration, the latency distribution, the share of answers slower
 * than 5 ms and the checkpoints taken, then B/A ratios.
 */
#include <glib.h>
#include <locale.h>

#include "colo-pair.h"
#include "qemu-proc.h"
#include "shim-options.h"
#include "stats.h"
#include "wait.h"

#define SLOW_MS 5.0
#define GAP_MS 2                    /* between two queries */

typedef struct Run {
    const char *build;              /* "A" or "B" */
    const char *qemu;
    guint channels;
    GArray *latency_ms;             /* double */
    guint checkpoints;
} Run;

static ShimOptions opts;
static char *qemu_b;
static gint seconds = 20;
static gint load_mib = 100;
static gint channels = 2;

static const GOptionEntry entries[] = {
    { "qemu-b", 0, 0, G_OPTION_ARG_FILENAME, &qemu_b,
      "the second QEMU build, compared with --qemu (required)", "PATH" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds,
      "time measured per build and configuration (default 20)", "S" },
    { "load-mib", 0, 0, G_OPTION_ARG_INT, &load_mib,
      "range the guest dirties, from --guest-start (default 100)", "MIB" },
    { "multifd-channels", 0, 0, G_OPTION_ARG_INT, &channels,
      "channels of the multifd configuration; 0: plain COLO only (a build "
      "the module is not stamped for) (default 2)", "N" },
    { NULL }
};

/* In-band query-status, one after another, for --seconds. */
static gboolean sample_latency(ColoPair *pair, Run *run, GError **errp)
{
    gint64 end = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;

    /* The primary resumes its guest once per checkpoint. */
    colo_pair_drop_events(pair, COLO_PRIMARY, "RESUME");
    while (g_get_monotonic_time() < end) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(JsonNode) status = colo_pair_execute(pair, COLO_PRIMARY,
                                                       "query-status", NULL,
                                                       errp);
        double ms = (g_get_monotonic_time() - t0) / 1000.0;

        if (!status) {
            return FALSE;
        }
        g_array_append_val(run->latency_ms, ms);
        wait_ms(GAP_MS);
    }
    run->checkpoints = colo_pair_drop_events(pair, COLO_PRIMARY, "RESUME");
    return TRUE;
}

static gboolean measure(Run *run, GError **errp)
{
    g_autofree char *workdir = shim_make_workdir();
    ColoConfig cfg = shim_colo_config(&opts, workdir);
    g_autoptr(ColoPair) pair = NULL;
    gboolean ok;

    cfg.qemu_binary = run->qemu;
    cfg.multifd_channels = run->channels;
    guest_layout_load(&cfg.guest, load_mib, TRUE);
    pair = colo_pair_start(&cfg, errp);
    if (!pair || !colo_pair_enter_colo(pair, errp) ||
        !sample_latency(pair, run, errp)) {
        return FALSE;
    }
    ok = colo_pair_finish(pair, errp);
    if (ok) {
        shim_remove_workdir(workdir);
    }
    return ok;
}

static Stats stats_of_run(const Run *r)
{
    return stats_of((const double *)r->latency_ms->data, r->latency_ms->len);
}

static double slow_share(const Run *r)
{
    guint slow = 0;

    for (guint i = 0; i < r->latency_ms->len; i++) {
        slow += g_array_index(r->latency_ms, double, i) > SLOW_MS;
    }
    return r->latency_ms->len ? 100.0 * slow / r->latency_ms->len : 0;
}

static const char *config_name(const Run *r)
{
    static char name[32];

    if (!r->channels) {
        return "plain";
    }
    g_snprintf(name, sizeof(name), "multifd-%u", r->channels);
    return name;
}

static void print_results(Run *runs, guint n)
{
    g_print("A: %s\nB: %s\n\n", opts.qemu_binary, qemu_b);
    g_print("%-5s %-9s %6s %6s %8s %8s %8s %8s %8s %7s\n", "build", "config",
            "ckpts", "n", "mean ms", "p50", "p99", "max", "> 5 ms", "");
    for (guint i = 0; i < n; i++) {
        Stats s = stats_of_run(&runs[i]);

        g_print("%-5s %-9s %6u %6u %8.2f %8.2f %8.2f "
                "%8.2f %7.1f%%\n", runs[i].build,
                config_name(&runs[i]), runs[i].checkpoints,
                s.n, s.mean, s.p50, s.p99, s.max, slow_share(&runs[i]));
    }
    g_print("\nB / A, same configuration, same run:\n");
    for (guint i = 0; i + 1 < n; i += 2) {
        Stats a = stats_of_run(&runs[i]), b = stats_of_run(&runs[i + 1]);

        g_print("  %-9s mean x%.2f  p99 x%.2f  max x%.2f\n",
                config_name(&runs[i]), b.mean / a.mean,
                b.p99 / a.p99, b.max / a.max);
    }
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    Run runs[4];
    guint n_runs;
    gboolean ok = TRUE;

    setlocale(LC_ALL, "");
    shim_options_init(&opts);
    opts.ram_mib = 150;
    if (!shim_options_parse(&opts, entries, &argc, &argv, &err) ||
        !qemu_b || seconds < 1 || channels < 0 ||
        !qemu_proc_binary_usable(qemu_b, &err)) {
        g_printerr("colo-bench-qmp: %s\n", err ? err->message :
                   "--qemu-b is required and --seconds must be positive");
        return 2;
    }
    qemu_proc_install_exit_handlers();
    /* A and B alternate, so drift over the run affects both alike. */
    n_runs = channels ? 4 : 2;
    for (guint i = 0; i < n_runs; i++) {
        runs[i] = (Run) {
            .build = i % 2 ? "B" : "A",
            .qemu = i % 2 ? qemu_b : opts.qemu_binary,
            .channels = i < 2 ? 0 : channels,
            .latency_ms = g_array_new(FALSE, FALSE, sizeof(double)),
        };
        g_printerr("[%u/%u] build %s, %s: %d s...\n", i + 1, n_runs,
                   runs[i].build, config_name(&runs[i]), seconds);
        if (ok && !measure(&runs[i], &err)) {
            g_printerr("colo-bench-qmp: build %s: %s\n", runs[i].build,
                       err->message);
            ok = FALSE;
        }
    }
    if (ok) {
        print_results(runs, n_runs);
    }
    for (guint i = 0; i < n_runs; i++) {
        g_array_unref(runs[i].latency_ms);
    }
    shim_options_clear(&opts);
    return ok ? 0 : 1;
}
