/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network cases' scenario and checks: the client (net-client.c) in
 * the LAN's namespace and its log (net-log.h); the comparison check is
 * net-compare.h's.
 */
#include "net-failover.h"

#include <gio/gio.h>
#include <signal.h>

#include "colo-net.h"
#include "disk-failover.h"
#include "net-compare.h"
#include "net-log.h"
#include "shim-error.h"
#include "wait.h"
#include "workload-log.h"

/* Time bounds in ms, scaled like the pair's. */
#define FIRST_ANSWERS_MS 180000     /* Linux boots under COLO, on TCG */
#define ANSWERS_MS 30000            /* the survivor answers on */
#define CLIENT_EXIT_MS 5000
#define POLL_MS 100

/* Answers before the verdicts are checked, and from the survivor. */
#define FIRST_ANSWERS 5
#define SURVIVOR_ANSWERS 10

typedef struct Client {
    GSubprocess *proc;
    char *log;
    ColoPair *pair;
    gboolean differ;            /* the guests' answers differ */
} Client;

/* The client program, installed beside the shim. */
static char *client_binary(void)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : g_strdup(".");

    return g_build_filename(dir, "colo-net-client", NULL);
}

static gboolean client_start(Client *c, ColoPair *pair, GError **errp)
{
    g_autofree char *binary = client_binary();
    g_autofree char *target = g_strdup_printf(
        COLO_NET_GUEST_IP ":%d", COLO_NET_SERVICE_PORT);
    g_autofree char *retry = g_strdup_printf(
        "%u", colo_pair_scaled_ms(pair, FIRST_ANSWERS_MS));
    const char *ns = netns_link_client_namespace(colo_pair_netns(pair));

    c->pair = pair;
    c->log = g_build_filename(colo_pair_config(pair)->workdir, "client.log",
                              NULL);
    c->proc = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, errp,
                               "ip", "netns", "exec", ns, binary,
                               "--connect", target, "--log", c->log,
                               "--retry-ms", retry, NULL);
    if (!c->proc) {
        g_prefix_error(errp, "cannot start the client %s: ", binary);
    }
    return c->proc != NULL;
}

/* SIGTERM, then SIGKILL if it does not go within its bound. */
static void client_stop(Client *c)
{
    gint64 until = deadline_after_ms(CLIENT_EXIT_MS);

    if (!c->proc) {
        return;
    }
    g_subprocess_send_signal(c->proc, SIGTERM);
    /* GLib reaps it in its worker thread; the identifier goes then. */
    while (g_subprocess_get_identifier(c->proc) &&
           g_get_monotonic_time() < until) {
        wait_ms(20);
    }
    g_subprocess_force_exit(c->proc);
    g_subprocess_wait(c->proc, NULL, NULL);
    g_clear_object(&c->proc);
}

static void client_free(Client *c)
{
    client_stop(c);
    g_free(c->log);
}

typedef struct AnswerWait {
    const char *log;
    guint64 value;              /* wanted: an answer with at least this */
    NetLog seen;
} AnswerWait;

static gboolean answered(gpointer opaque, gboolean *done, GError **errp)
{
    AnswerWait *w = opaque;

    if (!g_file_test(w->log, G_FILE_TEST_EXISTS)) {
        *done = FALSE;
        return TRUE;
    }
    if (!net_log_read(w->log, 0, &w->seen, errp)) {
        return FALSE;
    }
    *done = w->seen.fatal ||
            (w->seen.answers > 0 && w->seen.last_value >= w->value);
    return TRUE;
}

/* Waits until the client got an answer of at least @value. */
static gboolean wait_answer(Client *c, guint64 value, guint ms,
                            const char *what, GError **errp)
{
    AnswerWait w = { c->log, value };
    GError *err = NULL;
    guint scaled = colo_pair_scaled_ms(c->pair, ms);

    wait_probe(answered, &w, POLL_MS, deadline_after_ms(scaled), &err);
    if (err) {
        g_propagate_error(errp, err);
        return FALSE;
    }
    if (w.seen.fatal || !w.seen.answers || w.seen.last_value < value) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the client got no answer of %" G_GUINT64_FORMAT
                    " or more (%s) within %u ms: %u answers, last %"
                    G_GUINT64_FORMAT ", %u lost, %u connections%s", value,
                    what, scaled, w.seen.answers, w.seen.last_value,
                    w.seen.lost, w.seen.connects,
                    w.seen.fatal ? ", and it gave up" : "");
        return FALSE;
    }
    return TRUE;
}

/*
 * The client's figures over the next PHASE_ANSWERS answers, for README's
 * table: under COLO with its periodic checkpoints, or after the failover.
 */
#define PHASE_ANSWERS 50

static gboolean report_phase(Client *c, const char *what, GError **errp)
{
    NetLog now, l;
    double secs;

    if (!net_log_read(c->log, 0, &now, errp) ||
        !wait_answer(c, now.last_value + PHASE_ANSWERS, ANSWERS_MS, what,
                     errp) ||
        !net_log_read(c->log, now.end_t_us + 1, &l, errp)) {
        return FALSE;
    }
    secs = (l.last_t_us - l.first_t_us) / 1e6;
    g_test_message("%s: %u answers, %.1f/s, latency mean %.2f ms, p50 %.2f, "
                   "p99 %.2f, max %.2f", what, l.answers,
                   secs > 0 ? (l.answers - 1) / secs : 0.0,
                   l.latency_mean_us / 1e3, l.latency_p50_us / 1e3,
                   l.latency_p99_us / 1e3, l.latency_max_us / 1e3);
    return TRUE;
}

/*
 * The survivor answers the client, and everything the client was told is
 * in the survivor's journal: the survivor acknowledged (journalled) every
 * value the client received.
 */
static gboolean client_kept_promise(ColoPair *pair, ColoSide survivor,
                                    Client *c, GError **errp)
{
    const char *serial = colo_pair_serial_path(pair, survivor);
    WlAcks after;
    NetLog seen;

    if (!wl_read_acks(serial, colo_pair_guest_output(pair, survivor), -1,
                      &after, errp) ||
        !wait_answer(c, after.first + SURVIVOR_ANSWERS, ANSWERS_MS,
                     "from the survivor", errp) ||
        !report_phase(c, "after the failover, without COLO", errp)) {
        return FALSE;
    }
    client_stop(c);
    if (!net_log_check(c->log, errp) ||
        !net_log_read(c->log, 0, &seen, errp) ||
        !wl_read_acks(serial, 0, -1, &after, errp)) {
        return FALSE;
    }
    g_test_message("client: %u answers (values %" G_GUINT64_FORMAT "..%"
                   G_GUINT64_FORMAT "), %u lost, %u connections; latency "
                   "mean %.2f ms, p50 %.2f, p99 %.2f, max %.2f", seen.answers,
                   seen.first_value, seen.last_value, seen.lost, seen.connects,
                   seen.latency_mean_us / 1e3, seen.latency_p50_us / 1e3,
                   seen.latency_p99_us / 1e3, seen.latency_max_us / 1e3);
    if (after.count == 0 || after.last < seen.last_value) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the client received value %" G_GUINT64_FORMAT ", but "
                    "the %s journalled only up to %" G_GUINT64_FORMAT,
                    seen.last_value, colo_side_name(survivor), after.last);
        return FALSE;
    }
    return TRUE;
}

static gboolean client_check(ColoPair *pair, ColoSide survivor,
                             gpointer opaque, GError **errp)
{
    return client_kept_promise(pair, survivor, opaque, errp) ||
           colo_pair_fail(pair, errp);
}

/* The client from the start, its first answers, then what COLO does. */
static gboolean client_under_colo(Client *c, ColoPair *pair, GError **errp)
{
    return client_start(c, pair, errp) &&
           wait_answer(c, FIRST_ANSWERS - 1, FIRST_ANSWERS_MS,
                       "the first ones, under COLO", errp) &&
           net_compare_check(c->pair, c->log, c->differ, errp) &&
           report_phase(c, "under COLO", errp);
}

/* Under COLO again after re-protection: the filters came back. */
static gboolean protected_again(ColoPair *pair, ColoSide primary,
                                gpointer opaque, GError **errp)
{
    Client *c = opaque;

    return net_compare_check(c->pair, c->log, c->differ, errp) ||
           colo_pair_fail(pair, errp);
}

gboolean colo_net_reprotect(ColoPair *pair, guint checkpoints,
                            ColoSide first, gboolean differ, GError **errp)
{
    Client c = { .differ = differ };
    gboolean ok;

    if (!client_under_colo(&c, pair, errp)) {
        client_free(&c);
        return colo_pair_fail(pair, errp);
    }
    ok = colo_disk_reprotect_checked(pair, checkpoints, first,
                                     protected_again, client_check, &c, errp);
    client_free(&c);
    return ok;
}

gboolean colo_net_failover(ColoPair *pair, guint checkpoints,
                           gboolean during_checkpoint, ColoSide survivor,
                           gboolean differ, GError **errp)
{
    Client c = { .differ = differ };
    gboolean ok;

    if (!client_under_colo(&c, pair, errp)) {
        client_free(&c);
        return colo_pair_fail(pair, errp);
    }
    ok = colo_disk_failover_checked(pair, checkpoints, during_checkpoint,
                                    survivor, client_check, &c, errp);
    client_free(&c);
    return ok;
}
