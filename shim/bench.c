/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-bench: how long COLO pauses the guest at each checkpoint, plain and
 * with multifd, for an idle and a loaded guest, all measured side by side
 * in one run, on one machine type and accelerator (the first --machine and
 * --accel; KVM where it cannot run fails the run, saying why).  The pause
 * is the primary's RESUME minus its STOP, both stamped by QEMU; the
 * secondary's load time is the same on its side.
 * Prints a table with multifd/plain ratios and writes every sample as JSON
 * (and as TSV, for plotting).
 */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <sys/utsname.h>

#include "colo-pair.h"
#include "qemu-proc.h"
#include "shim-options.h"
#include "stats.h"

typedef struct BenchConfig {
    const char *guest;          /* "idle" or "load" */
    const char *name;           /* "plain", "multifd-2", ... */
    guint channels;
} BenchConfig;

static const BenchConfig configs[] = {
    { "idle", "plain", 0 },
    { "idle", "multifd-2", 2 },
    { "idle", "multifd-4", 4 },
    { "load", "plain", 0 },
    { "load", "multifd-2", 2 },
    { "load", "multifd-4", 4 },
};

typedef struct BenchResult {
    const BenchConfig *config;
    GArray *pause_ms;           /* double, per checkpoint */
    GArray *load_ms;            /* the secondary's, per checkpoint */
    double dirty_mib_s;         /* what the primary's guest dirtied */
} BenchResult;

static ShimOptions opts;
static gint samples = 200;
static gint load_mib = 100;
static gboolean load_half_zero;
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
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path,
      "write every sample and the summary here", "FILE" },
    { "tsv", 0, 0, G_OPTION_ARG_FILENAME, &tsv_path,
      "write the samples as guest, config, pause ms, load ms", "FILE" },
    { NULL }
};

static ColoConfig config_for(const BenchConfig *bc, const char *workdir)
{
    ColoConfig cfg = shim_colo_config(&opts, workdir);

    cfg.multifd_channels = bc->channels;
    cfg.checkpoint_delay_ms = opts.checkpoint_delay_ms;
    if (g_str_equal(bc->guest, "idle")) {
        cfg.guest.end = cfg.guest.start;        /* halts: dirties nothing */
    } else {
        guest_layout_load(&cfg.guest, load_mib, !load_half_zero);
    }
    return cfg;
}

static gboolean measure(const BenchConfig *bc, BenchResult *res, GError **errp)
{
    g_autofree char *workdir = shim_make_workdir();
    ColoConfig cfg = config_for(bc, workdir);
    g_autoptr(ColoPair) pair = colo_pair_start(&cfg, errp);
    gint64 t0;
    goffset printed;
    gboolean ok;

    if (!pair || !colo_pair_enter_colo(pair, errp)) {
        return FALSE;
    }
    t0 = g_get_monotonic_time();
    printed = colo_pair_guest_output(pair, COLO_PRIMARY);
    for (gint i = 0; i < samples; i++) {
        ColoCheckpointTimes t;
        double pause, load;

        if (!colo_pair_time_checkpoint(pair, &t, errp)) {
            return FALSE;
        }
        pause = (t.primary_resume_us - t.primary_stop_us) / 1000.0;
        load = (t.secondary_resume_us - t.secondary_stop_us) / 1000.0;
        g_array_append_val(res->pause_ms, pause);
        g_array_append_val(res->load_ms, load);
    }
    /* One heartbeat byte per pass over the range. */
    res->dirty_mib_s = (colo_pair_guest_output(pair, COLO_PRIMARY) - printed) *
                       (double)(cfg.guest.end - cfg.guest.start) / (1 << 20) /
                       ((g_get_monotonic_time() - t0) / 1e6);
    ok = colo_pair_finish(pair, errp);
    if (ok) {
        shim_remove_workdir(workdir);
    }
    return ok;
}

static Stats stats_of_array(GArray *a)
{
    return stats_of((const double *)a->data, a->len);
}

static void print_table(GPtrArray *results)
{
    g_print("machine %s, accelerator %s\n", opts.machines[0], opts.accels[0]);
    g_print("%-5s %-10s %4s %8s %8s %8s %8s %8s | %9s %9s | %9s\n", "guest",
            "config", "n", "mean ms", "p50", "p90", "p99", "max",
            "sec. mean", "sec. p99", "dirty MiB/s");
    for (guint i = 0; i < results->len; i++) {
        BenchResult *r = g_ptr_array_index(results, i);
        Stats p = stats_of_array(r->pause_ms), l = stats_of_array(r->load_ms);

        g_print("%-5s %-10s %4u %8.2f %8.2f %8.2f %8.2f %8.2f | %9.2f %9.2f | "
                "%9.1f\n", r->config->guest, r->config->name, p.n, p.mean,
                p.p50, p.p90, p.p99, p.max, l.mean, l.p99, r->dirty_mib_s);
    }
}

static BenchResult *plain_result(GPtrArray *results, const char *guest)
{
    for (guint i = 0; i < results->len; i++) {
        BenchResult *r = g_ptr_array_index(results, i);

        if (g_str_equal(r->config->guest, guest) && !r->config->channels) {
            return r;
        }
    }
    return NULL;
}

static void print_ratios(GPtrArray *results)
{
    g_print("\nmultifd / plain, same guest, same run:\n");
    for (guint i = 0; i < results->len; i++) {
        BenchResult *r = g_ptr_array_index(results, i);
        BenchResult *plain = plain_result(results, r->config->guest);
        Stats m, p;

        if (!r->config->channels || !plain) {
            continue;
        }
        m = stats_of_array(r->pause_ms);
        p = stats_of_array(plain->pause_ms);
        g_print("  %-5s %-10s mean x%.2f  p99 x%.2f  max x%.2f\n",
                r->config->guest, r->config->name, m.mean / p.mean,
                m.p99 / p.p99, m.max / p.max);
    }
}

static void add_stats(JsonBuilder *b, const char *name, GArray *a)
{
    Stats s = stats_of_array(a);

    json_builder_set_member_name(b, name);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "samples");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->len; i++) {
        json_builder_add_double_value(b, g_array_index(a, double, i));
    }
    json_builder_end_array(b);
#define MEMBER(field) \
    json_builder_set_member_name(b, #field); \
    json_builder_add_double_value(b, s.field)
    MEMBER(mean); MEMBER(p50); MEMBER(p90); MEMBER(p99); MEMBER(max);
#undef MEMBER
    json_builder_end_object(b);
}

static void add_machine(JsonBuilder *b)
{
    struct utsname u;

    uname(&u);
    json_builder_set_member_name(b, "machine");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "kernel");
    json_builder_add_string_value(b, u.release);
    json_builder_set_member_name(b, "cpus");
    json_builder_add_int_value(b, g_get_num_processors());
    json_builder_end_object(b);
}

static gboolean write_json(GPtrArray *results, GError **errp)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    add_machine(b);
    json_builder_set_member_name(b, "qemu_machine");
    json_builder_add_string_value(b, opts.machines[0]);
    json_builder_set_member_name(b, "accel");
    json_builder_add_string_value(b, opts.accels[0]);
    json_builder_set_member_name(b, "checkpoint_delay_ms");
    json_builder_add_int_value(b, opts.checkpoint_delay_ms);
    json_builder_set_member_name(b, "ram_mib");
    json_builder_add_int_value(b, opts.ram_mib);
    json_builder_set_member_name(b, "load_mib");
    json_builder_add_int_value(b, load_mib);
    json_builder_set_member_name(b, "load_half_zero");
    json_builder_add_boolean_value(b, load_half_zero);
    json_builder_set_member_name(b, "configs");
    json_builder_begin_array(b);
    for (guint i = 0; i < results->len; i++) {
        BenchResult *r = g_ptr_array_index(results, i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "guest");
        json_builder_add_string_value(b, r->config->guest);
        json_builder_set_member_name(b, "config");
        json_builder_add_string_value(b, r->config->name);
        json_builder_set_member_name(b, "multifd_channels");
        json_builder_add_int_value(b, r->config->channels);
        json_builder_set_member_name(b, "dirty_mib_s");
        json_builder_add_double_value(b, r->dirty_mib_s);
        add_stats(b, "pause_ms", r->pause_ms);
        add_stats(b, "secondary_load_ms", r->load_ms);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    return json_generator_to_file(gen, json_path, errp);
}

static gboolean write_tsv(GPtrArray *results, GError **errp)
{
    g_autoptr(GString) out = g_string_new("guest\tconfig\tpause_ms\tload_ms\n");

    for (guint i = 0; i < results->len; i++) {
        BenchResult *r = g_ptr_array_index(results, i);

        for (guint j = 0; j < r->pause_ms->len; j++) {
            g_string_append_printf(out, "%s\t%s\t%.3f\t%.3f\n",
                                   r->config->guest, r->config->name,
                                   g_array_index(r->pause_ms, double, j),
                                   g_array_index(r->load_ms, double, j));
        }
    }
    return g_file_set_contents(tsv_path, out->str, out->len, errp);
}

static void free_result(gpointer data)
{
    BenchResult *r = data;

    g_array_unref(r->pause_ms);
    g_array_unref(r->load_ms);
    g_free(r);
}

static gboolean run_all(GPtrArray *results, GError **errp)
{
    for (gsize i = 0; i < G_N_ELEMENTS(configs); i++) {
        BenchResult *r = g_new0(BenchResult, 1);
        gint64 t0 = g_get_monotonic_time();

        r->config = &configs[i];
        r->pause_ms = g_array_new(FALSE, FALSE, sizeof(double));
        r->load_ms = g_array_new(FALSE, FALSE, sizeof(double));
        g_ptr_array_add(results, r);
        g_printerr("[%zu/%zu] %s, %s guest, %s: %d checkpoints...\n", i + 1,
                   G_N_ELEMENTS(configs), opts.accels[0], configs[i].guest,
                   configs[i].name, samples);
        if (!measure(&configs[i], r, errp)) {
            g_prefix_error(errp, "%s guest, %s: ", configs[i].guest,
                           configs[i].name);
            return FALSE;
        }
        g_printerr("      done in %.0f s, mean pause %.2f ms\n",
                   (g_get_monotonic_time() - t0) / 1e6,
                   stats_of_array(r->pause_ms).mean);
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func(free_result);

    setlocale(LC_ALL, "");
    shim_options_init(&opts);
    /* Upstream's benchmark setting, and room for the loaded guest. */
    opts.checkpoint_delay_ms = 600;
    opts.ram_mib = 150;
    if (!shim_options_parse(&opts, bench_entries, &argc, &argv, &err) ||
        samples < 1 ||
        (guint64)(opts.guest_start_mib + load_mib) > (guint64)opts.ram_mib) {
        g_printerr("colo-bench: %s\n", err ? err->message :
                   "--samples must be positive and the loaded range must "
                   "fit in --ram");
        return 2;
    }
    qemu_proc_install_exit_handlers();
    if (!run_all(results, &err)) {
        g_printerr("colo-bench: %s\n", err->message);
        return 1;
    }
    print_table(results);
    print_ratios(results);
    if ((json_path && !write_json(results, &err)) ||
        (tsv_path && !write_tsv(results, &err))) {
        g_printerr("colo-bench: %s\n", err->message);
        return 1;
    }
    shim_options_clear(&opts);
    return 0;
}
