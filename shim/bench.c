/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-bench: how long COLO pauses the guest at each checkpoint, plain and
 * with multifd, for an idle and a loaded guest, all measured side by side
 * in one run, on each accelerator (--accel; KVM where usable, else skipped
 * with the reason) and each link (--link: loopback, or two network
 * namespaces joined by a veth pair, shaped to a rate by htb), on the first
 * --machine.  The pause is the primary's RESUME minus its STOP, both
 * stamped by QEMU; the secondary's load time is the same on its side, split
 * at its traced colo_flush_ram_cache() (bench-trace.h).  Prints per
 * accelerator and link a table, the secondary's phases, the link's
 * wire-time bound and multifd/plain ratios (bench-report.c), and writes
 * every sample as JSON (and as TSV, for plotting).
 */
#include <glib.h>
#include <locale.h>

#include "accel.h"
#include "bench.h"
#include "bench-trace.h"
#include "colo-pair.h"
#include "netns.h"
#include "qemu-proc.h"
#include "shim-options.h"
#include "stats.h"

static const BenchConfig configs[] = {
    { "idle", "plain", 0 },
    { "idle", "multifd-2", 2 },
    { "idle", "multifd-4", 4 },
    { "load", "plain", 0 },
    { "load", "multifd-2", 2 },
    { "load", "multifd-4", 4 },
};

static ShimOptions opts;
static gint samples = 200;
static gint load_mib = 100;
static gboolean load_half_zero;
static char **link_names;
static char *json_path;
static char *tsv_path;

static const GOptionEntry bench_entries[] = {
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples,
      "checkpoints measured per configuration (default 200)", "N" },
    { "load-mib", 0, 0, G_OPTION_ARG_INT, &load_mib,
      "range the loaded guest dirties, from --guest-start (default 100)",
      "MIB" },
    { "load-half-zero", 0, 0, G_OPTION_ARG_NONE, &load_half_zero,
      "the loaded guest turns half its pages zero in each pass, as in the "
      "matrix (default: none, so every dirty page is page data)", NULL },
    { "link", 0, 0, G_OPTION_ARG_STRING_ARRAY, &link_names,
      "repeatable: loopback (default), veth (two network namespaces), or "
      "a rate such as 10gbit or 500mbit (that veth link shaped by htb; "
      "root)", "LINK" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path,
      "write every sample and the summary here", "FILE" },
    { "tsv", 0, 0, G_OPTION_ARG_FILENAME, &tsv_path,
      "write the samples as group, guest, config, pause, load and flush "
      "ms", "FILE" },
    { NULL }
};

/* "loopback", "veth", "<N>gbit" or "<N>mbit"; FALSE for anything else. */
static gboolean parse_link(const char *name, BenchLink *link)
{
    char *end;
    guint64 n;

    link->name = g_strdup(name);
    link->netns = !g_str_equal(name, "loopback");
    link->rate_mbit = 0;
    if (g_str_equal(name, "loopback") || g_str_equal(name, "veth")) {
        return TRUE;
    }
    n = g_ascii_strtoull(name, &end, 10);
    if (n && g_str_equal(end, "gbit") && n <= 100) {
        link->rate_mbit = n * 1000;
    } else if (n && g_str_equal(end, "mbit") && n <= 100000) {
        link->rate_mbit = n;
    }
    return link->rate_mbit > 0;
}

static void clear_link(gpointer data)
{
    g_free(((BenchLink *)data)->name);
}

/* Traces the secondary's flushes into a file of its workdir. */
static char *trace_path(ColoPair *pair, const char *name)
{
    return g_strdup_printf("%s/%s-flush-trace.log",
                           colo_pair_config(pair)->workdir, name);
}

static gboolean add_trace(ColoPair *pair, ColoSide side, const char *name,
                          GStrvBuilder *b, GError **errp)
{
    if (side == COLO_SECONDARY) {
        g_autofree char *path = trace_path(pair, name);

        bench_trace_add_args(b, path);
    }
    return TRUE;
}

static const ColoPairHooks trace_hooks = { .prepare_side = add_trace };

static ColoConfig config_for(const BenchConfig *bc, const char *accel,
                             const BenchLink *link, const char *workdir)
{
    ColoConfig cfg = shim_colo_config(&opts, workdir);

    cfg.accel = accel;
    cfg.netns = link->netns;
    cfg.netns_rate_mbit = link->rate_mbit;
    cfg.hooks = &trace_hooks;
    cfg.multifd_channels = bc->channels;
    cfg.checkpoint_delay_ms = opts.checkpoint_delay_ms;
    if (g_str_equal(bc->guest, "idle")) {
        cfg.guest.end = cfg.guest.start;        /* halts: dirties nothing */
    } else {
        guest_layout_load(&cfg.guest, load_mib, !load_half_zero);
    }
    return cfg;
}

/*
 * What the primary has sent on a veth link so far, headers included: the
 * bytes a link's rate applies to (query-migrate has no RAM figures in COLO
 * state).  0 on loopback, which other traffic shares.
 */
static gboolean link_bytes(ColoPair *pair, double *bytes, GError **errp)
{
    NetnsLink *link = colo_pair_netns(pair);
    guint64 n = 0;

    if (link && !netns_link_tx_bytes(link, 0, &n, errp)) {
        return FALSE;
    }
    *bytes = n;
    return TRUE;
}

/*
 * Splits each checkpoint's time on the secondary at its traced flush;
 * a checkpoint without one is an error (the trace did not work).
 */
static gboolean add_flushes(BenchResult *res, GArray *times, const char *path,
                            GError **errp)
{
    g_autoptr(GArray) flushes = bench_trace_read(path, errp);

    if (!flushes) {
        return FALSE;
    }
    for (guint i = 0; i < times->len; i++) {
        ColoCheckpointTimes *t = &g_array_index(times, ColoCheckpointTimes, i);
        const BenchFlush *f = bench_trace_flush_within(
            flushes, t->secondary_stop_us, t->secondary_resume_us);
        double flush, after;

        if (!f) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                        "%s holds no flush within checkpoint %u's STOP..RESUME "
                        "on the secondary (%u flushes traced)", path, i,
                        flushes->len);
            return FALSE;
        }
        flush = (f->end_us - f->begin_us) / 1000.0;
        after = (t->secondary_resume_us - f->end_us) / 1000.0;
        g_array_append_val(res->flush_ms, flush);
        g_array_append_val(res->after_flush_ms, after);
    }
    return TRUE;
}

/* Takes the samples of a pair in COLO; their times go to @times. */
static gboolean sample(ColoPair *pair, BenchResult *res, GArray *times,
                       GError **errp)
{
    double bytes0 = 0, bytes1 = 0;

    for (gint i = 0; i < samples; i++) {
        ColoCheckpointTimes t;
        double pause, load;

        if (!colo_pair_time_checkpoint(pair, &t, errp) ||
            ((i == 0 || i == samples - 1) &&
             !link_bytes(pair, i ? &bytes1 : &bytes0, errp))) {
            return FALSE;
        }
        pause = (t.primary_resume_us - t.primary_stop_us) / 1000.0;
        load = (t.secondary_resume_us - t.secondary_stop_us) / 1000.0;
        g_array_append_val(res->pause_ms, pause);
        g_array_append_val(res->load_ms, load);
        g_array_append_val(times, t);
    }
    /* Between the two queries: the checkpoints after the first. */
    res->checkpoint_bytes = samples > 1 ? (bytes1 - bytes0) / (samples - 1) : 0;
    return TRUE;
}

static gboolean measure(BenchResult *res, GError **errp)
{
    g_autofree char *workdir = shim_make_workdir();
    ColoConfig cfg = config_for(res->config, res->accel, res->link, workdir);
    g_autoptr(ColoPair) pair = colo_pair_start(&cfg, errp);
    g_autoptr(GArray) times = g_array_new(FALSE, FALSE,
                                          sizeof(ColoCheckpointTimes));
    g_autofree char *trace = NULL;
    gint64 t0;
    goffset printed;

    if (!pair || !colo_pair_enter_colo(pair, errp)) {
        return FALSE;
    }
    trace = trace_path(pair, colo_pair_name(pair, COLO_SECONDARY));
    t0 = g_get_monotonic_time();
    printed = colo_pair_guest_output(pair, COLO_PRIMARY);
    if (!sample(pair, res, times, errp)) {
        return FALSE;
    }
    /* One heartbeat byte per pass over the range. */
    res->dirty_mib_s = (colo_pair_guest_output(pair, COLO_PRIMARY) - printed) *
                       (double)(cfg.guest.end - cfg.guest.start) / (1 << 20) /
                       ((g_get_monotonic_time() - t0) / 1e6);
    /* QEMU has written its trace out once it has quit. */
    if (!colo_pair_finish(pair, errp) ||
        !add_flushes(res, times, trace, errp)) {
        return FALSE;
    }
    if (!opts.keep) {
        shim_remove_workdir(workdir);
    }
    return TRUE;
}

/* Whether @accel can run here (accel.h); if not, why goes to @skipped. */
static gboolean accel_measurable(const char *accel, GPtrArray *skipped)
{
    g_autoptr(GError) err = NULL;
    ColoConfig cfg = shim_colo_config(&opts, NULL);

    cfg.accel = accel;
    if (accel_usable(&cfg, &err)) {
        return TRUE;
    }
    g_ptr_array_add(skipped, g_strdup_printf("accelerator %s: %s", accel,
                                             err->message));
    return FALSE;
}

/* Whether @link can be set up here; if not, why goes to @skipped. */
static gboolean link_usable(const BenchLink *link, GPtrArray *skipped)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(NetnsLink) netns = NULL;

    if (!link->netns ||
        (netns = netns_link_new(0, link->rate_mbit, &err))) {
        return TRUE;
    }
    g_ptr_array_add(skipped, g_strdup_printf("link %s: %s", link->name,
                                             err->message));
    return FALSE;
}

static gboolean run_one(BenchResult *r, guint n, guint total, GError **errp)
{
    gint64 t0 = g_get_monotonic_time();

    g_printerr("[%u/%u] %s, %s, %s guest, %s: %d checkpoints...\n", n, total,
               r->accel, r->link->name, r->config->guest, r->config->name,
               samples);
    if (!measure(r, errp)) {
        g_prefix_error(errp, "%s, %s, %s guest, %s: ", r->accel,
                       r->link->name, r->config->guest, r->config->name);
        return FALSE;
    }
    g_printerr("      done in %.0f s, mean pause %.2f ms\n",
               (g_get_monotonic_time() - t0) / 1e6,
               stats_of((const double *)r->pause_ms->data, r->pause_ms->len)
                   .mean);
    return TRUE;
}

/* Every configuration on every usable accelerator and link. */
static gboolean run_all(GArray *links, GPtrArray *results, GPtrArray *skipped,
                        GError **errp)
{
    g_autoptr(GPtrArray) usable = g_ptr_array_new();

    for (guint l = 0; l < links->len; l++) {
        const BenchLink *link = &g_array_index(links, BenchLink, l);

        if (link_usable(link, skipped)) {
            g_ptr_array_add(usable, (gpointer)link);
        }
    }
    for (char **a = opts.accels; *a; a++) {
        if (!accel_measurable(*a, skipped)) {
            continue;
        }
        for (guint l = 0; l < usable->len; l++) {
            for (gsize i = 0; i < G_N_ELEMENTS(configs); i++) {
                g_ptr_array_add(results, bench_result_new(
                    &configs[i], *a, g_ptr_array_index(usable, l)));
            }
        }
    }
    if (!results->len) {
        g_autofree char *why = NULL;

        g_ptr_array_add(skipped, NULL);     /* for g_strjoinv() */
        why = g_strjoinv("; ", (char **)skipped->pdata);
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "nothing can be measured here: %s", why);
        return FALSE;
    }
    for (guint i = 0; i < results->len; i++) {
        if (!run_one(g_ptr_array_index(results, i), i + 1, results->len,
                     errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

static GArray *parse_links(GError **errp)
{
    GArray *links = g_array_new(FALSE, TRUE, sizeof(BenchLink));
    const char *const loopback[] = { "loopback", NULL };
    const char *const *names = link_names ? (const char *const *)link_names
                                          : loopback;

    g_array_set_clear_func(links, clear_link);
    for (; *names; names++) {
        BenchLink link;

        if (!parse_link(*names, &link)) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--link %s: not loopback, veth or a rate such as "
                        "10gbit or 500mbit", *names);
            g_free(link.name);
            g_array_unref(links);
            return NULL;
        }
        g_array_append_val(links, link);
    }
    return links;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) results =
        g_ptr_array_new_with_free_func(bench_result_free);
    g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) links = NULL;
    BenchSetup setup;

    setlocale(LC_ALL, "");
    shim_options_init(&opts);
    /* Upstream's benchmark setting, and room for the loaded guest. */
    opts.checkpoint_delay_ms = 600;
    opts.ram_mib = 150;
    if (!shim_options_parse(&opts, bench_entries, &argc, &argv, &err) ||
        !(links = parse_links(&err)) || samples < 1 ||
        (guint64)(opts.guest_start_mib + load_mib) > (guint64)opts.ram_mib) {
        g_printerr("colo-bench: %s\n", err ? err->message :
                   "--samples must be positive and the loaded range must "
                   "fit in --ram");
        return 2;
    }
    qemu_proc_install_exit_handlers();
    setup = (BenchSetup) {
        .machine = opts.machines[0],
        .checkpoint_delay_ms = opts.checkpoint_delay_ms,
        .ram_mib = opts.ram_mib,
        .load_mib = load_mib,
        .load_half_zero = load_half_zero,
        .skipped = skipped,
    };
    if (!run_all(links, results, skipped, &err)) {
        g_printerr("colo-bench: %s\n", err->message);
        return 1;
    }
    bench_print(&setup, results);
    if ((json_path && !bench_write_json(&setup, results, json_path, &err)) ||
        (tsv_path && !bench_write_tsv(results, tsv_path, &err))) {
        g_printerr("colo-bench: %s\n", err->message);
        return 1;
    }
    shim_options_clear(&opts);
    return 0;
}
