/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bench.h"

#include <json-glib/json-glib.h>
#include <sys/utsname.h>

#include "stats.h"

BenchResult *bench_result_new(const BenchConfig *config, const char *accel,
                              const BenchLink *link)
{
    BenchResult *r = g_new0(BenchResult, 1);

    r->config = config;
    r->accel = accel;
    r->link = link;
    r->pause_ms = g_array_new(FALSE, FALSE, sizeof(double));
    r->load_ms = g_array_new(FALSE, FALSE, sizeof(double));
    r->flush_ms = g_array_new(FALSE, FALSE, sizeof(double));
    r->after_flush_ms = g_array_new(FALSE, FALSE, sizeof(double));
    return r;
}

void bench_result_free(gpointer result)
{
    BenchResult *r = result;

    g_array_unref(r->pause_ms);
    g_array_unref(r->load_ms);
    g_array_unref(r->flush_ms);
    g_array_unref(r->after_flush_ms);
    g_free(r);
}

double bench_wire_ms(const BenchResult *r)
{
    if (!r->link->rate_mbit) {
        return 0;
    }
    return r->checkpoint_bytes * 8 / (r->link->rate_mbit * 1e6) * 1e3;
}

static Stats stats_of_array(GArray *a)
{
    return stats_of((const double *)a->data, a->len);
}

static gboolean same_group(const BenchResult *a, const BenchResult *b)
{
    return g_str_equal(a->accel, b->accel) && a->link == b->link;
}

static void print_pauses(GPtrArray *results, guint from, guint to)
{
    g_print("%-5s %-10s %4s %8s %8s %8s %8s %8s | %9s %9s | %9s\n", "guest",
            "config", "n", "mean ms", "p50", "p90", "p99", "max",
            "sec. mean", "sec. p99", "dirty MiB/s");
    for (guint i = from; i < to; i++) {
        BenchResult *r = g_ptr_array_index(results, i);
        Stats p = stats_of_array(r->pause_ms), l = stats_of_array(r->load_ms);

        g_print("%-5s %-10s %4u %8.2f %8.2f %8.2f %8.2f %8.2f | %9.2f %9.2f | "
                "%9.1f\n", r->config->guest, r->config->name, p.n, p.mean,
                p.p50, p.p90, p.p99, p.max, l.mean, l.p99, r->dirty_mib_s);
    }
}

/* "%*.2f" of @value, or "-" where there is no such figure. */
static char *figure(int width, double value, gboolean known)
{
    return known ? g_strdup_printf("%*.2f", width, value)
                 : g_strdup_printf("%*s", width, "-");
}

/* The secondary's flush and device state, and the link's share. */
static void print_phases(GPtrArray *results, guint from, guint to)
{
    g_print("\n%-5s %-10s %10s %9s %10s | %9s %8s %10s\n", "guest", "config",
            "flush mean", "flush p99", "after mean", "link MiB", "wire ms",
            "mean/wire");
    for (guint i = from; i < to; i++) {
        BenchResult *r = g_ptr_array_index(results, i);
        Stats f = stats_of_array(r->flush_ms);
        Stats a = stats_of_array(r->after_flush_ms);
        double wire = bench_wire_ms(r);
        g_autofree char *mib = figure(9, r->checkpoint_bytes / (1 << 20),
                                      r->link->netns);
        g_autofree char *w = figure(8, wire, wire > 0);
        g_autofree char *ratio = figure(10, wire > 0 ?
                                        stats_of_array(r->pause_ms).mean / wire
                                        : 0, wire > 0);

        g_print("%-5s %-10s %10.2f %9.2f %10.2f | %s %s %s\n",
                r->config->guest, r->config->name, f.mean, f.p99, a.mean, mib,
                w, ratio);
    }
}

static BenchResult *plain_of(GPtrArray *results, guint from, guint to,
                             const char *guest)
{
    for (guint i = from; i < to; i++) {
        BenchResult *r = g_ptr_array_index(results, i);

        if (g_str_equal(r->config->guest, guest) && !r->config->channels) {
            return r;
        }
    }
    return NULL;
}

static void print_ratios(GPtrArray *results, guint from, guint to)
{
    g_print("\nmultifd / plain, same guest, same run:\n");
    for (guint i = from; i < to; i++) {
        BenchResult *r = g_ptr_array_index(results, i);
        BenchResult *plain = plain_of(results, from, to, r->config->guest);
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

void bench_print(const BenchSetup *setup, GPtrArray *results)
{
    for (guint from = 0, to; from < results->len; from = to) {
        BenchResult *first = g_ptr_array_index(results, from);

        for (to = from + 1; to < results->len &&
             same_group(first, g_ptr_array_index(results, to)); to++) {
        }
        g_print("%smachine %s, accelerator %s, link %s\n", from ? "\n" : "",
                setup->machine, first->accel, first->link->name);
        print_pauses(results, from, to);
        print_phases(results, from, to);
        print_ratios(results, from, to);
    }
    for (guint i = 0; i < setup->skipped->len; i++) {
        g_print("\nnot measured: %s\n",
                (char *)g_ptr_array_index(setup->skipped, i));
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

static void add_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

static void add_int(JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

static void add_double(JsonBuilder *b, const char *name, double value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_double_value(b, value);
}

static void add_machine(JsonBuilder *b)
{
    struct utsname u;

    uname(&u);
    json_builder_set_member_name(b, "machine");
    json_builder_begin_object(b);
    add_string(b, "kernel", u.release);
    add_int(b, "cpus", g_get_num_processors());
    json_builder_end_object(b);
}

static void add_result(JsonBuilder *b, const BenchResult *r)
{
    json_builder_begin_object(b);
    add_string(b, "accel", r->accel);
    add_string(b, "link", r->link->name);
    add_int(b, "link_rate_mbit", r->link->rate_mbit);
    add_string(b, "guest", r->config->guest);
    add_string(b, "config", r->config->name);
    add_int(b, "multifd_channels", r->config->channels);
    add_double(b, "dirty_mib_s", r->dirty_mib_s);
    add_double(b, "checkpoint_bytes", r->checkpoint_bytes);
    add_double(b, "wire_ms", bench_wire_ms(r));
    add_stats(b, "pause_ms", r->pause_ms);
    add_stats(b, "secondary_load_ms", r->load_ms);
    add_stats(b, "secondary_flush_ms", r->flush_ms);
    add_stats(b, "secondary_after_flush_ms", r->after_flush_ms);
    json_builder_end_object(b);
}

gboolean bench_write_json(const BenchSetup *setup, GPtrArray *results,
                          const char *path, GError **errp)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_object(b);
    add_machine(b);
    add_string(b, "qemu_machine", setup->machine);
    add_int(b, "checkpoint_delay_ms", setup->checkpoint_delay_ms);
    add_int(b, "ram_mib", setup->ram_mib);
    add_int(b, "load_mib", setup->load_mib);
    json_builder_set_member_name(b, "load_half_zero");
    json_builder_add_boolean_value(b, setup->load_half_zero);
    json_builder_set_member_name(b, "not_measured");
    json_builder_begin_array(b);
    for (guint i = 0; i < setup->skipped->len; i++) {
        json_builder_add_string_value(b, g_ptr_array_index(setup->skipped, i));
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "configs");
    json_builder_begin_array(b);
    for (guint i = 0; i < results->len; i++) {
        add_result(b, g_ptr_array_index(results, i));
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    return json_generator_to_file(gen, path, errp);
}

gboolean bench_write_tsv(GPtrArray *results, const char *path, GError **errp)
{
    g_autoptr(GString) out = g_string_new("group\tguest\tconfig\tpause_ms\t"
                                          "load_ms\tflush_ms\n");

    for (guint i = 0; i < results->len; i++) {
        BenchResult *r = g_ptr_array_index(results, i);

        for (guint j = 0; j < r->pause_ms->len; j++) {
            g_string_append_printf(out, "%s/%s\t%s\t%s\t%.3f\t%.3f\t%.3f\n",
                                   r->accel, r->link->name, r->config->guest,
                                   r->config->name,
                                   g_array_index(r->pause_ms, double, j),
                                   g_array_index(r->load_ms, double, j),
                                   g_array_index(r->flush_ms, double, j));
        }
    }
    return g_file_set_contents(path, out->str, out->len, errp);
}
