/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-shim: the COLO failover matrix against a real QEMU, as GLib tests in
 * TAP mode.  Each case migrates a primary into COLO with a secondary, waits
 * for checkpoints, fails over to one side (optionally while the secondary is
 * stopped in a checkpoint) and checks the survivor.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "colo-pair.h"
#include "shim-options.h"
#include "qemu-proc.h"

typedef struct MatrixCase {
    const char *path;
    gboolean multifd;
    ColoSide survivor;
    gboolean during_checkpoint;
} MatrixCase;

static const MatrixCase matrix[] = {
    { "/colo/plain/primary_failover", FALSE, COLO_PRIMARY, FALSE },
    { "/colo/plain/secondary_failover", FALSE, COLO_SECONDARY, FALSE },
    { "/colo/plain/primary_failover_checkpoint", FALSE, COLO_PRIMARY, TRUE },
    { "/colo/plain/secondary_failover_checkpoint", FALSE, COLO_SECONDARY, TRUE },
    { "/colo/multifd/primary_failover", TRUE, COLO_PRIMARY, FALSE },
    { "/colo/multifd/secondary_failover", TRUE, COLO_SECONDARY, FALSE },
    { "/colo/multifd/primary_failover_checkpoint", TRUE, COLO_PRIMARY, TRUE },
    { "/colo/multifd/secondary_failover_checkpoint", TRUE, COLO_SECONDARY, TRUE },
};

/*
 * The one list of cases known to fail on the project's current QEMU, each
 * with its measured reason; they report TAP "not ok ... # TODO".  The
 * issues that fix QEMU remove entries; a listed case that passes fails.
 */
typedef struct KnownFailure {
    const char *path;
    const char *reason;
} KnownFailure;

static const KnownFailure known_failures[] = {
    { NULL, NULL }
};

static ShimOptions opts;

static const KnownFailure *known_failure(const char *path)
{
    for (const KnownFailure *k = known_failures; k->path; k++) {
        if (g_str_equal(k->path, path)) {
            return k;
        }
    }
    return NULL;
}

static gboolean failover_scenario(const ColoConfig *cfg, const MatrixCase *c,
                                  GError **errp)
{
    g_autoptr(ColoPair) pair = colo_pair_start(cfg, errp);

    return pair &&
           colo_pair_enter_colo(pair, errp) &&
           colo_pair_wait_checkpoints(pair, opts.checkpoints, errp) &&
           (!c->during_checkpoint ||
            colo_pair_wait_checkpoint_begins(pair, errp)) &&
           colo_pair_failover(pair, c->survivor, errp) &&
           colo_pair_check_runs(pair, c->survivor, errp) &&
           colo_pair_check_ram(pair, c->survivor, errp);
}

/* TAP takes one line per result: details go into comment lines. */
static void report_details(const char *message)
{
    g_auto(GStrv) lines = g_strsplit(message, "\n", -1);

    for (gsize i = 1; lines[i]; i++) {
        g_test_message("%s", lines[i]);
    }
}

/* Turns a case's outcome into TAP, honouring the known-failure list. */
static void report(const char *path, GError *err, char *workdir)
{
    const KnownFailure *known = known_failure(path);
    g_autofree char *summary = NULL;

    if (err) {
        summary = g_strndup(err->message, strcspn(err->message, "\n"));
        report_details(err->message);
    }
    if (err || opts.keep) {
        g_test_message("files kept in %s", workdir);
    } else {
        shim_remove_workdir(workdir);
    }
    if (err && known) {
        g_test_incomplete_printf("%s; this run: %s", known->reason, summary);
    } else if (err) {
        g_test_fail_printf("%s", summary);
    } else if (known) {
        g_test_fail_printf("passed, but is still listed as a known failure "
                           "(%s): remove it from known_failures", known->reason);
    }
}

static void test_failover(gconstpointer data)
{
    const MatrixCase *c = data;
    g_autofree char *workdir = shim_make_workdir();
    g_autoptr(GError) err = NULL;
    ColoConfig cfg = shim_colo_config(&opts, workdir);
    gint64 t0 = g_get_monotonic_time();

    cfg.multifd_channels = c->multifd ? opts.channels : 0;
    failover_scenario(&cfg, c, &err);
    g_test_message("%s: %.1f s", c->path,
                   (g_get_monotonic_time() - t0) / 1e6);
    report(c->path, err, workdir);
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;

    setlocale(LC_ALL, "");
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    if (!shim_options_parse(&opts, &argc, &argv, &err)) {
        /* TAP: a run that cannot start at all says so and stops. */
        g_print("Bail out! %s\n", err->message);
        return 1;
    }
    qemu_proc_install_exit_handlers();
    for (gsize i = 0; i < G_N_ELEMENTS(matrix); i++) {
        g_test_add_data_func(matrix[i].path, &matrix[i], test_failover);
    }
    return g_test_run();
}
