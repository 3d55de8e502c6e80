/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network cases' scenario and checks: the client (net-client.c) in
 * the LAN's namespace, its log (net-log.h) and colo-compare's verdicts,
 * read from the primary's trace.
 */
#include "net-failover.h"

#include <gio/gio.h>
#include <signal.h>

#include "colo-net.h"
#include "disk-failover.h"
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

/* colo-compare's verdicts so far, from the primary's trace. */
typedef struct Verdicts {
    guint same, different, expired;
} Verdicts;

static gboolean read_verdicts(ColoPair *pair, Verdicts *v, GError **errp)
{
    g_autofree char *path = g_build_filename(colo_pair_config(pair)->workdir,
                                             "primary.trace", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    *v = (Verdicts) { 0 };
    if (!g_file_get_contents(path, &text, NULL, errp)) {
        return FALSE;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        v->same += strstr(*l, "packet same and release packet") != NULL;
        v->different += strstr(*l, "packet different") != NULL;
        v->expired += strstr(*l, "colo_old_packet_check_found") != NULL;
    }
    return TRUE;
}

/*
 * While COLO runs, each answer leaves the primary only after colo-compare
 * saw the secondary's packet, the same or a different one; an answer
 * released only because it was held too long was never compared.
 */
static gboolean answers_compared(Client *c, gboolean differ, GError **errp)
{
    Verdicts v;
    NetLog seen;

    if (!net_log_read(c->log, 0, &seen, errp) ||
        !read_verdicts(c->pair, &v, errp)) {
        return FALSE;
    }
    g_test_message("colo-compare after %u answers: %u packets the same, %u "
                   "different, %u held too long", seen.answers, v.same,
                   v.different, v.expired);
    if (v.same + v.different < seen.answers) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the client got %u answers, but colo-compare compared "
                    "only %u packets (%u the same, %u different; %u held too "
                    "long): the primary's output left without the "
                    "secondary's", seen.answers, v.same + v.different,
                    v.same, v.different, v.expired);
        return FALSE;
    }
    if (differ && v.different < seen.answers) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the guests' answers differ, but colo-compare found only "
                    "%u of the %u answers different", v.different,
                    seen.answers);
        return FALSE;
    }
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
                     "from the survivor", errp)) {
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

gboolean colo_net_failover(ColoPair *pair, guint checkpoints,
                           gboolean during_checkpoint, ColoSide survivor,
                           gboolean differ, GError **errp)
{
    Client c = { 0 };
    gboolean ok;

    if (!client_start(&c, pair, errp) ||
        !wait_answer(&c, FIRST_ANSWERS - 1, FIRST_ANSWERS_MS,
                     "the first ones, under COLO", errp) ||
        !answers_compared(&c, differ, errp)) {
        client_free(&c);
        return colo_pair_fail(pair, errp);
    }
    ok = colo_disk_failover_checked(pair, checkpoints, during_checkpoint,
                                    survivor, client_check, &c, errp);
    client_free(&c);
    return ok;
}
