/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "colo-pair-internal.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "guest.h"
#include "serial.h"
#include "shim-error.h"

#define STATE_QUERY_MS 2000     /* describing a side in an error */
#define LOG_TAIL_LINES 12

/* Where the module's frames show up in memcheck's stacks. */
#define MODULE_FILE_NAME "migration-colo-multifd.so"

const char *colo_side_name(ColoSide side)
{
    return side == COLO_PRIMARY ? "primary" : "secondary";
}

ColoSide colo_peer(ColoSide side)
{
    return side == COLO_PRIMARY ? COLO_SECONDARY : COLO_PRIMARY;
}

/* One line on the state of @side, without failing whatever its state. */
static char *describe_side(ColoPair *pair, ColoSide side)
{
    QemuProc *proc = pair->side[side];
    g_autoptr(JsonNode) status = NULL, migration = NULL;
    gint64 until = deadline(pair, STATE_QUERY_MS);

    if (!proc) {
        return g_strdup("not started");
    }
    if (qemu_proc_has_exited(proc)) {
        return g_strdup_printf("exited, wait status 0x%x",
                               qemu_proc_wait_status(proc));
    }
    if (qmp_is_closed(qemu_proc_qmp(proc))) {
        return g_strdup("running, but its QMP connection is closed");
    }
    status = qmp_execute(qemu_proc_qmp(proc), "query-status", NULL, until, NULL);
    /* A side too busy to answer one query will not answer the next. */
    migration = status ? qmp_execute(qemu_proc_qmp(proc), "query-migrate",
                                     NULL, until, NULL) : NULL;
    return g_strdup_printf("vm %s, migration %s",
        status ? json_object_get_string_member_with_default(
                     json_node_get_object(status), "status", "?") : "(no answer)",
        migration ? json_object_get_string_member_with_default(
                     json_node_get_object(migration), "status", "none")
                  : "(no answer)");
}

gboolean pair_fail(ColoPair *pair, GError **errp)
{
    for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
        g_autofree char *state = describe_side(pair, s);
        g_autofree char *tail = pair->side[s] ?
            qemu_proc_log_tail(pair->side[s], LOG_TAIL_LINES) : g_strdup("");

        shim_error_append(errp, "\n--- %s: %s; log tail ---\n%s",
                          colo_side_name(s), state, tail);
    }
    return FALSE;
}

gboolean pair_run(ColoPair *pair, ColoSide side, const char *cmd,
                  JsonObject *args, GError **errp)
{
    g_autoptr(JsonNode) ret = qmp_execute(qmp_of(pair, side), cmd, args,
                                          deadline(pair, COMMAND_MS), errp);

    return ret != NULL;
}

static char *qtest_path(const ColoPair *pair, ColoSide side)
{
    return g_strdup_printf("%s/%s.qtest", pair->cfg.workdir,
                           colo_side_name(side));
}

/* The boot sector (from a disk, or as firmware), or the Linux guest. */
static void add_guest_args(const ColoPair *pair, ColoSide side,
                           GStrvBuilder *b)
{
    g_autofree char *drive = g_strdup_printf("file=%s,format=raw,if=ide",
                                             pair->guest_path);

    if (pair->cfg.linux_kernel) {
        g_strv_builder_add_many(b, "-kernel", pair->cfg.linux_kernel,
                                "-initrd", pair->cfg.linux_initrd,
                                "-append", pair->cfg.linux_append, NULL);
        if (side == COLO_PRIMARY) {
            g_strv_builder_add(b, "-S");
        }
    } else if (pair->cfg.seabios) {
        /* The boot sector's image is shared: neither side writes it. */
        g_strv_builder_add_many(b, "-snapshot", "-drive", drive, NULL);
    } else {
        g_strv_builder_add_many(b, "-bios", pair->guest_path, NULL);
    }
}

static void add_common_args(const ColoPair *pair, ColoSide side,
                            GStrvBuilder *b)
{
    g_autofree char *ram = g_strdup_printf("%uM", pair->cfg.ram_mib);
    g_autofree char *qtest = qtest_path(pair, side);
    g_autofree char *qtest_chardev = g_strdup_printf(
        "unix:%s,server=on,wait=off", qtest);

    g_strv_builder_add_many(b, "-machine", pair->cfg.machine, "-m", ram,
                            NULL);
    if (pair->cfg.firmware_dir) {
        g_strv_builder_add_many(b, "-L", pair->cfg.firmware_dir, NULL);
    }
    if (pair->cfg.qtest) {
        g_strv_builder_add_many(b, "-accel", "qtest", "-qtest", qtest_chardev,
                                NULL);
    } else {
        g_autofree char *accel = accel_arg(&pair->cfg);

        g_strv_builder_add_many(b, "-accel", accel, NULL);
        add_guest_args(pair, side, b);
    }
}

static gboolean spawn_side(ColoPair *pair, ColoSide side, GError **errp)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) args = NULL;
    /* Files are named after the process: a new secondary gets new ones. */
    g_autofree char *name = side == COLO_SECONDARY && pair->generation ?
        g_strdup_printf("secondary-%u", pair->generation) :
        g_strdup(colo_side_name(side));
    QemuProcConfig pc = {
        .name = name,
        .binary = pair->cfg.qemu_binary,
        .module_dir = pair->cfg.module_dir,
        .workdir = pair->cfg.workdir,
        .valgrind = pair->cfg.valgrind,
        .valgrind_supp = pair->cfg.valgrind_supp,
        .valgrind_origins = pair->cfg.valgrind_origins,
        .netns = pair->netns ? netns_link_namespace(pair->netns,
                                                    pair->host[side]) : NULL,
        .start_timeout_ms = scaled(pair, START_MS),
    };

    add_common_args(pair, side, b);
    if (pair->cfg.hooks && pair->cfg.hooks->prepare_side &&
        !pair->cfg.hooks->prepare_side(pair, side, name, b, errp)) {
        return FALSE;
    }
    if (side == COLO_SECONDARY) {
        g_strv_builder_add_many(b, "-incoming", "defer", NULL);
    }
    args = g_strv_builder_end(b);
    pair->side[side] = qemu_proc_spawn(&pc, (const char *const *)args, errp);
    return pair->side[side] != NULL;
}

static gboolean connect_side(ColoPair *pair, ColoSide side, GError **errp)
{
    if (!qemu_proc_connect(pair->side[side], errp)) {
        /* The error has its log; a QEMU that never answered just goes. */
        g_clear_pointer(&pair->side[side], qemu_proc_free);
        return FALSE;
    }
    if (pair->cfg.qtest) {
        g_autofree char *path = qtest_path(pair, side);

        pair->qtest[side] = qtest_connect(path, errp);
        return pair->qtest[side] != NULL;
    }
    return TRUE;
}

/*
 * Both QEMUs come up at once: under valgrind each takes seconds, on KVM
 * the primary's firmware too.
 */
static gboolean start_sides(ColoPair *pair, GError **errp)
{
    if (!spawn_side(pair, COLO_SECONDARY, errp) ||
        !spawn_side(pair, COLO_PRIMARY, errp) ||
        !connect_side(pair, COLO_SECONDARY, errp) ||
        !connect_side(pair, COLO_PRIMARY, errp)) {
        for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
            if (pair->side[s] && !qemu_proc_qmp(pair->side[s])) {
                g_clear_pointer(&pair->side[s], qemu_proc_free);
            }
        }
        return FALSE;
    }
    return TRUE;
}

ColoPair *colo_pair_start(const ColoConfig *cfg, GError **errp)
{
    g_autoptr(ColoPair) pair = g_new0(ColoPair, 1);

    pair->cfg = *cfg;
    pair->host[COLO_SECONDARY] = 1;
    pair->guest_path = g_build_filename(cfg->workdir, cfg->seabios ?
                                        "guest.img" : "guest.rom", NULL);
    g_assert(!(cfg->netns && cfg->proxied));
    if (!accel_usable(cfg, errp) ||
        (cfg->hooks && cfg->hooks->usable && !cfg->hooks->usable(cfg, errp))) {
        return NULL;
    }
    if (!cfg->linux_kernel &&
        (!guest_layout_valid(&cfg->guest, cfg->ram_mib, errp) ||
         !(cfg->seabios ? guest_write_image : guest_write_firmware)(
             &cfg->guest, pair->guest_path, errp))) {
        return NULL;
    }
    if (cfg->netns &&
        !(pair->netns = netns_link_new(cfg->netns_delay_ms,
                                       cfg->netns_rate_mbit, errp))) {
        return NULL;
    }
    if (!start_sides(pair, errp)) {
        pair_fail(pair, errp);
        return NULL;
    }
    /* The Linux guest's primary starts paused: its start comes in COLO. */
    if (!cfg->qtest && !cfg->linux_kernel &&
        !serial_wait_marker(serial_path(pair, COLO_PRIMARY),
                            GUEST_START_MARKER,
                            deadline(pair, GUEST_START_MS))) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                    "the primary's guest printed no %s within %u ms",
                    GUEST_START_MARKER, scaled(pair, GUEST_START_MS));
        pair_fail(pair, errp);
        return NULL;
    }
    return g_steal_pointer(&pair);
}

static JsonObject *capabilities(const ColoPair *pair, ColoSide side)
{
    const char *names[5] = { NULL };
    guint n = 0;

    if (!pair->cfg.ordinary) {
        names[n++] = "x-colo";
        names[n++] = "return-path";
    }
    if (pair->cfg.multifd_channels) {
        names[n++] = "multifd";
    }
    if (side == COLO_PRIMARY && pair->cfg.at_switchover) {
        names[n++] = "pause-before-switchover";
    }
    return qmp_capabilities_args(names);
}

/* Parameters both sides need to agree on. */
static JsonObject *shared_parameters(const ColoPair *pair)
{
    JsonObject *params = json_object_new();

    if (pair->cfg.multifd_channels) {
        json_object_set_int_member(params, "multifd-channels",
                                   pair->cfg.multifd_channels);
    }
    if (pair->cfg.compression) {
        json_object_set_string_member(params, "multifd-compression",
                                      pair->cfg.compression);
    }
    if (pair->cfg.zero_page_detection) {
        json_object_set_string_member(params, "zero-page-detection",
                                      pair->cfg.zero_page_detection);
    }
    return params;
}

static gboolean configure_side(ColoPair *pair, ColoSide side, GError **errp)
{
    JsonObject *params = shared_parameters(pair);

    if (side == COLO_PRIMARY) {
        json_object_set_int_member(params, "x-checkpoint-delay",
                                   pair->cfg.checkpoint_delay_ms);
        /*
         * Precopy must converge whatever the guest dirties; under valgrind
         * the bandwidth estimate drops by the same factor as the dirty rate.
         */
        json_object_set_int_member(params, "downtime-limit", 10000);
        json_object_set_int_member(params, "max-bandwidth",
                                   pair->cfg.max_bandwidth ?
                                   pair->cfg.max_bandwidth : 4LL << 30);
    }
    return pair_run(pair, side, "migrate-set-capabilities",
               capabilities(pair, side), errp) &&
           pair_run(pair, side, "migrate-set-parameters", params, errp);
}

/* Starts listening on an ephemeral port and returns the URI to migrate to. */
static char *listen_on_secondary(ColoPair *pair, GError **errp)
{
    g_autofree char *listen = g_strdup_printf(
        "tcp:%s:0", colo_pair_address(pair, COLO_SECONDARY));
    const char *host, *port;
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) info = NULL;
    JsonArray *addrs;
    JsonObject *addr;

    json_object_set_string_member(args, "uri", listen);
    if (!pair_run(pair, COLO_SECONDARY, "migrate-incoming", args, errp)) {
        return NULL;
    }
    info = qmp_execute(qmp_of(pair, COLO_SECONDARY), "query-migrate", NULL,
                       deadline(pair, COMMAND_MS), errp);
    if (!info) {
        return NULL;
    }
    addrs = json_object_get_array_member(json_node_get_object(info),
                                         "socket-address");
    if (!addrs || json_array_get_length(addrs) == 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROTOCOL,
                    "the secondary's query-migrate lists no listening address");
        return NULL;
    }
    addr = json_array_get_object_element(addrs, 0);
    host = json_object_get_string_member(addr, "host");
    port = json_object_get_string_member(addr, "port");
    if (!pair->cfg.proxied) {
        return g_strdup_printf("tcp:%s:%s", host, port);
    }
    pair->link = link_proxy_new(host, atoi(port), errp);
    return pair->link ? link_proxy_uri(pair->link) : NULL;
}

typedef struct MigrationWait {
    ColoPair *pair;
    ColoSide side;
    const char *wanted;
    char *status;
    GError *error;
} MigrationWait;

static gboolean migration_settled(gpointer opaque)
{
    MigrationWait *w = opaque;
    g_autoptr(JsonNode) info = NULL;
    static const char *const settled[] = { "failed", "completed",
                                           "cancelled", NULL };

    g_clear_error(&w->error);
    info = qmp_execute(qmp_of(w->pair, w->side), "query-migrate", NULL,
                       deadline(w->pair, COMMAND_MS), &w->error);
    if (!info) {
        return TRUE;
    }
    g_free(w->status);
    w->status = g_strdup(json_object_get_string_member_with_default(
                             json_node_get_object(info), "status", "none"));
    if (g_str_equal(w->status, w->wanted) ||
        g_strv_contains(settled, w->status)) {
        return TRUE;
    }
    wait_ms(POLL_MS);
    return FALSE;
}

gboolean colo_pair_wait_migration_state(ColoPair *pair, ColoSide side,
                                        const char *wanted, GError **errp)
{
    MigrationWait w = { .pair = pair, .side = side, .wanted = wanted };
    gboolean ok;

    wait_until(migration_settled, &w, deadline(pair, ENTER_COLO_MS));
    ok = !w.error && g_strcmp0(w.status, wanted) == 0;
    if (w.error) {
        g_propagate_prefixed_error(errp, w.error,
                                   "waiting for migration state %s: ", wanted);
    } else if (!ok) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "waiting for migration state %s on the %s: "
                    "state is %s after %s", wanted, colo_side_name(side),
                    w.status ? w.status : "unknown",
                    g_strcmp0(w.status, "active") ? "it settled" :
                    "the time bound expired");
    }
    g_free(w.status);
    return ok;
}

static gboolean wait_for_migration_state(ColoPair *pair, const char *wanted,
                                         GError **errp)
{
    return colo_pair_wait_migration_state(pair, COLO_PRIMARY, wanted, errp);
}

/* pause-before-switchover: the hook runs, then the migration goes on. */
static gboolean switch_over(ColoPair *pair, GError **errp)
{
    JsonObject *args;

    if (!pair->cfg.at_switchover) {
        return TRUE;
    }
    if (!wait_for_migration_state(pair, "pre-switchover", errp) ||
        !pair->cfg.at_switchover(pair, errp)) {
        return FALSE;
    }
    args = json_object_new();
    json_object_set_string_member(args, "state", "pre-switchover");
    return pair_run(pair, COLO_PRIMARY, "migrate-continue", args, errp);
}

gboolean colo_pair_migrate(ColoPair *pair, GError **errp)
{
    g_autofree char *uri = NULL;
    JsonObject *args;

    if (!configure_side(pair, COLO_SECONDARY, errp) ||
        !configure_side(pair, COLO_PRIMARY, errp) ||
        !(uri = listen_on_secondary(pair, errp)) ||
        (pair->cfg.hooks && pair->cfg.hooks->before_migrate &&
         !pair->cfg.hooks->before_migrate(pair, errp))) {
        return pair_fail(pair, errp);
    }
    args = json_object_new();
    json_object_set_string_member(args, "uri", uri);
    pair->migrate_printed = serial_size(serial_path(pair, COLO_PRIMARY));
    if (!pair_run(pair, COLO_PRIMARY, "migrate", args, errp)) {
        return pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean colo_pair_finish_migration(ColoPair *pair, const char *state,
                                    GError **errp)
{
    if (!switch_over(pair, errp) ||
        !wait_for_migration_state(pair, state, errp) ||
        /* The secondary loads what the primary sent: it may still be busy. */
        (pair->cfg.ordinary &&
         !colo_pair_wait_migration_state(pair, COLO_SECONDARY, state,
                                         errp))) {
        return pair_fail(pair, errp);
    }
    return TRUE;
}

guint colo_pair_drop_events(ColoPair *pair, ColoSide side, const char *name)
{
    return qmp_drop_events(qmp_of(pair, side), name);
}

const ColoConfig *colo_pair_config(ColoPair *pair)
{
    return &pair->cfg;
}

JsonNode *colo_pair_execute(ColoPair *pair, ColoSide side, const char *cmd,
                            JsonObject *args, GError **errp)
{
    return qmp_execute(qmp_of(pair, side), cmd, args,
                       deadline(pair, COMMAND_MS), errp);
}

gboolean colo_pair_enter_colo(ColoPair *pair, GError **errp)
{
    g_autoptr(QmpEvent) resume = NULL;

    g_assert(!pair->cfg.ordinary);
    if (!colo_pair_migrate(pair, errp) ||
        !colo_pair_finish_migration(pair, "colo", errp)) {
        return FALSE;
    }
    /* The secondary's guest starts running once the first sync is done. */
    resume = qmp_wait_event(qmp_of(pair, COLO_SECONDARY), "RESUME",
                            deadline(pair, CHECKPOINT_SLACK_MS), errp);
    if (!resume) {
        g_prefix_error(errp, "after entering COLO: ");
        return pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean pair_wait_serial_growth(ColoPair *pair, ColoSide side, goffset from,
                                 GError **errp)
{
    if (!serial_wait_growth(serial_path(pair, side), from,
                            deadline(pair, PROGRESS_MS))) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's guest printed nothing for %u ms (serial stuck "
                    "at %" G_GOFFSET_FORMAT " bytes)", colo_side_name(side),
                    scaled(pair, PROGRESS_MS), from);
        return FALSE;
    }
    return TRUE;
}

const char *colo_pair_address(ColoPair *pair, ColoSide side)
{
    return pair->netns ? netns_link_address(pair->netns, pair->host[side])
                       : "127.0.0.1";
}

gboolean colo_pair_in_netns(ColoPair *pair)
{
    return pair->netns != NULL;
}

NetnsLink *colo_pair_netns(ColoPair *pair)
{
    return pair->netns;
}

LinkProxy *colo_pair_link(ColoPair *pair)
{
    return pair->link;
}

gboolean pair_guest_found_no_error(ColoPair *pair, ColoSide side,
                                   GError **errp)
{
    g_autofree char *line = pair->cfg.qtest ? NULL :
        serial_find_line(serial_path(pair, side), GUEST_BAD_MARKER);

    if (line) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's guest found its RAM wrong: %s",
                    colo_side_name(side), line);
        return FALSE;
    }
    return TRUE;
}

gboolean colo_pair_wait_checkpoints(ColoPair *pair, guint n, GError **errp)
{
    goffset before[2] = {
        serial_size(serial_path(pair, COLO_PRIMARY)),
        serial_size(serial_path(pair, COLO_SECONDARY)),
    };

    for (guint i = 0; i < n; i++) {
        g_autoptr(QmpEvent) resume = NULL;

        resume = qmp_wait_event(qmp_of(pair, COLO_SECONDARY), "RESUME",
                                deadline(pair, pair->cfg.checkpoint_delay_ms +
                                         CHECKPOINT_SLACK_MS), errp);
        if (!resume) {
            g_prefix_error(errp, "waiting for checkpoint %u of %u: ", i + 1, n);
            return pair_fail(pair, errp);
        }
    }
    for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
        if (!pair_guest_found_no_error(pair, s, errp) ||
            !pair_wait_serial_growth(pair, s, before[s], errp)) {
            g_prefix_error(errp, "during %u checkpoints: ", n);
            return pair_fail(pair, errp);
        }
    }
    return TRUE;
}

/* The first @name event emitted at or after @after_us (QEMU's clock). */
static QmpEvent *wait_event_since(ColoPair *pair, ColoSide side,
                                  const char *name, gint64 after_us,
                                  GError **errp)
{
    gint64 until = deadline(pair, pair->cfg.checkpoint_delay_ms +
                            CHECKPOINT_SLACK_MS);

    for (;;) {
        QmpEvent *ev = qmp_wait_event(qmp_of(pair, side), name, until, errp);

        if (!ev || ev->timestamp_us >= after_us) {
            return ev;
        }
        qmp_event_free(ev);
    }
}

gboolean colo_pair_time_checkpoint(ColoPair *pair, ColoCheckpointTimes *t,
                                   GError **errp)
{
    g_autoptr(QmpEvent) pstop = NULL, presume = NULL;
    g_autoptr(QmpEvent) sstop = NULL, sresume = NULL;
    /* Events of a checkpoint under way at the first call would mismatch. */
    gint64 since = pair->last_timed_us ? pair->last_timed_us
                                       : g_get_real_time();

    if (!(pstop = wait_event_since(pair, COLO_PRIMARY, "STOP", since, errp)) ||
        !(presume = wait_event_since(pair, COLO_PRIMARY, "RESUME",
                                     pstop->timestamp_us, errp)) ||
        !(sstop = wait_event_since(pair, COLO_SECONDARY, "STOP",
                                   pstop->timestamp_us, errp)) ||
        !(sresume = wait_event_since(pair, COLO_SECONDARY, "RESUME",
                                     sstop->timestamp_us, errp))) {
        g_prefix_error(errp, "timing a checkpoint: ");
        return pair_fail(pair, errp);
    }
    *t = (ColoCheckpointTimes) {
        pstop->timestamp_us, presume->timestamp_us,
        sstop->timestamp_us, sresume->timestamp_us,
    };
    pair->last_timed_us = presume->timestamp_us;
    return TRUE;
}

gboolean colo_pair_wait_new_checkpoint(ColoPair *pair, GError **errp)
{
    ColoCheckpointTimes t;

    pair->last_timed_us = 0;
    return colo_pair_time_checkpoint(pair, &t, errp);
}

gboolean colo_pair_fill(ColoPair *pair, ColoSide side, guint64 addr,
                        guint64 len, guint8 value, GError **errp)
{
    g_assert(pair->qtest[side]);
    if (!qtest_memset(pair->qtest[side], addr, len, value,
                      scaled(pair, COMMAND_MS), errp)) {
        g_prefix_error(errp, "writing the %s's memory: ",
                       colo_side_name(side));
        return pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean colo_pair_port_write(ColoPair *pair, ColoSide side, guint width,
                              guint16 port, guint32 value, GError **errp)
{
    g_assert(pair->qtest[side]);
    if (!qtest_out(pair->qtest[side], width, port, value,
                   scaled(pair, COMMAND_MS), errp)) {
        g_prefix_error(errp, "writing I/O port 0x%x on the %s: ", port,
                       colo_side_name(side));
        return pair_fail(pair, errp);
    }
    return TRUE;
}

GPid colo_pair_pid(ColoPair *pair, ColoSide side)
{
    return qemu_proc_pid(pair->side[side]);
}

const char *colo_pair_name(ColoPair *pair, ColoSide side)
{
    return qemu_proc_name(pair->side[side]);
}

guint colo_pair_generation(ColoPair *pair)
{
    return pair->generation;
}

gboolean colo_pair_fail(ColoPair *pair, GError **errp)
{
    return pair_fail(pair, errp);
}

guint colo_pair_scaled_ms(ColoPair *pair, guint ms)
{
    return scaled(pair, ms);
}

gboolean colo_pair_stop(ColoPair *pair, ColoSide side, GError **errp)
{
    if (!pair_run(pair, side, "stop", NULL, errp)) {
        g_prefix_error(errp, "stopping the %s: ", colo_side_name(side));
        return pair_fail(pair, errp);
    }
    return TRUE;
}

const char *colo_pair_serial_path(ColoPair *pair, ColoSide side)
{
    return serial_path(pair, side);
}

goffset colo_pair_guest_output(ColoPair *pair, ColoSide side)
{
    return serial_size(serial_path(pair, side));
}

gboolean colo_pair_wait_checkpoint_begins(ColoPair *pair, GError **errp)
{
    g_autoptr(QmpEvent) stop = NULL;

    /* Queued STOPs belong to checkpoints that have already ended. */
    qmp_drop_events(qmp_of(pair, COLO_SECONDARY), "STOP");
    stop = qmp_wait_event(qmp_of(pair, COLO_SECONDARY), "STOP",
                          deadline(pair, pair->cfg.checkpoint_delay_ms +
                                   CHECKPOINT_SLACK_MS), errp);
    if (!stop) {
        g_prefix_error(errp, "waiting for the next checkpoint to begin: ");
        return pair_fail(pair, errp);
    }
    return TRUE;
}

static gboolean yank_migration(ColoPair *pair, ColoSide side, GError **errp)
{
    JsonObject *args = json_object_new(), *instance = json_object_new();
    JsonArray *instances = json_array_new();
    g_autoptr(JsonNode) yanked = NULL;

    json_object_set_string_member(instance, "type", "migration");
    json_array_add_object_element(instances, instance);
    json_object_set_array_member(args, "instances", instances);
    /* Out of band: the main loop may be blocked on the peer. */
    yanked = qmp_execute_oob(qmp_of(pair, side), "yank", args,
                             deadline(pair, COMMAND_MS), errp);
    return yanked != NULL;
}

gboolean colo_pair_yank(ColoPair *pair, ColoSide side, GError **errp)
{
    if (!yank_migration(pair, side, errp)) {
        g_prefix_error(errp, "yanking the %s's migration: ",
                       colo_side_name(side));
        return pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean colo_pair_failover(ColoPair *pair, ColoSide survivor, GError **errp)
{
    gboolean yanked = yank_migration(pair, survivor, errp);

    /*
     * Only after the yank: a secondary that printed and then stopped for a
     * checkpoint under way resumes with the primary's state, an earlier
     * clock among it.  Once yanked no further checkpoint can start, so what
     * it prints from here on is one execution.
     */
    pair->failover_printed = serial_size(serial_path(pair, survivor));
    if (!yanked ||
        (pair->cfg.hooks && pair->cfg.hooks->at_failover &&
         !pair->cfg.hooks->at_failover(pair, survivor, errp)) ||
        !pair_run(pair, survivor, "x-colo-lost-heartbeat", NULL, errp) ||
        (pair->cfg.hooks && pair->cfg.hooks->after_failover &&
         !pair->cfg.hooks->after_failover(pair, survivor, errp))) {
        g_prefix_error(errp, "failing over to the %s: ",
                       colo_side_name(survivor));
        return pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean colo_pair_partition(ColoPair *pair, GError **errp)
{
    g_assert(pair->netns);
    if (!netns_link_set_up(pair->netns, FALSE, errp)) {
        return pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean colo_pair_failover_refused(ColoPair *pair, ColoSide side,
                                    GError **errp)
{
    g_autoptr(GError) err = NULL;

    if (pair_run(pair, side, "x-colo-lost-heartbeat", NULL, &err)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s accepted a second x-colo-lost-heartbeat",
                    colo_side_name(side));
        return pair_fail(pair, errp);
    }
    if (!g_error_matches(err, SHIM_ERROR, SHIM_ERROR_QMP)) {
        g_propagate_prefixed_error(errp, g_steal_pointer(&err),
                                   "second x-colo-lost-heartbeat: ");
        return pair_fail(pair, errp);
    }
    return TRUE;
}

void colo_pair_kill(ColoPair *pair, ColoSide side)
{
    pair->killed[side] = TRUE;
    qemu_proc_kill(pair->side[side]);
}

/* Reads one side's memcheck log; FALSE with the reason if it is not clean. */
static gboolean check_memcheck(ColoPair *pair, ColoSide side, GError **errp)
{
    const char *log = qemu_proc_valgrind_log_path(pair->side[side]);
    MemcheckReport *r = &pair->memcheck[side];

    if (!memcheck_read_log(log, MODULE_FILE_NAME, r, errp)) {
        return FALSE;
    }
    if (!r->complete) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "memcheck wrote no summary for the %s (it did not exit "
                    "normally): %s", colo_side_name(side), log);
        return FALSE;
    }
    if (r->errors) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "memcheck found %u errors in the %s, first: %s (log: %s)",
                    r->errors, colo_side_name(side), r->first_error, log);
        return FALSE;
    }
    /*
     * A leak is not a memory error to memcheck, but a definite one in QEMU
     * is a defect: on a path a long COLO run repeats it grows without
     * bound.  Every case is clean of them (valgrind.supp has no entry).
     */
    if (r->definitely_lost) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "memcheck found %" G_GUINT64_FORMAT " bytes definitely "
                    "lost in the %s, first: %s (log: %s)", r->definitely_lost,
                    colo_side_name(side), r->first_leak, log);
        return FALSE;
    }
    return TRUE;
}

gboolean colo_pair_finish(ColoPair *pair, GError **errp)
{
    gboolean ok = TRUE;

    if (pair->finished) {
        return TRUE;
    }
    pair->finished = TRUE;
    for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
        if (pair->side[s]) {
            qemu_proc_quit(pair->side[s], scaled(pair, QUIT_MS));
        }
    }
    for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
        GError *err = NULL;

        if (!pair->cfg.valgrind || !pair->side[s] || pair->killed[s] ||
            check_memcheck(pair, s, &err)) {
            continue;
        }
        if (ok && errp && !*errp) {
            g_propagate_error(errp, err);
        } else {
            g_message("%s", err->message);
            g_error_free(err);
        }
        ok = FALSE;
    }
    return ok;
}

/* The string @member of what @cmd answers on @side, or NULL. */
static char *query_member(ColoPair *pair, ColoSide side, const char *cmd,
                          const char *member, GError **errp)
{
    g_autoptr(JsonNode) info = qmp_execute(qmp_of(pair, side), cmd, NULL,
                                           deadline(pair, COMMAND_MS), errp);

    return info ? g_strdup(json_object_get_string_member_with_default(
                               json_node_get_object(info), member, "none"))
                : NULL;
}

/* Out of COLO, and with no migration under way: it can migrate again. */
static gboolean can_migrate(ColoPair *pair, ColoSide side, GError **errp)
{
    static const char *const ended[] = { "none", "completed", "failed",
                                         "cancelled", NULL };
    g_autofree char *mode = query_member(pair, side, "query-colo-status",
                                         "mode", errp);
    g_autofree char *status = mode ? query_member(pair, side, "query-migrate",
                                                  "status", errp) : NULL;

    if (!status) {
        return FALSE;
    }
    if (!g_str_equal(mode, "none") || !g_strv_contains(ended, status)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s is still in COLO mode %s, migration %s: fail "
                    "over first", colo_side_name(side), mode, status);
        return FALSE;
    }
    return TRUE;
}

/* Ends @side's QEMU for good; under valgrind its report must be clean. */
static gboolean retire_side(ColoPair *pair, ColoSide side, GError **errp)
{
    gboolean ok = TRUE;

    qemu_proc_quit(pair->side[side], scaled(pair, QUIT_MS));
    if (pair->cfg.valgrind && !pair->killed[side]) {
        ok = check_memcheck(pair, side, errp);
        if (ok) {
            g_autofree char *d = memcheck_describe(&pair->memcheck[side]);

            g_test_message("%s retired, memcheck: %s",
                           qemu_proc_name(pair->side[side]), d);
        }
        memcheck_report_clear(&pair->memcheck[side]);
    }
    g_clear_pointer(&pair->side[side], qemu_proc_free);
    pair->killed[side] = FALSE;
    return ok;
}

gboolean colo_pair_reprotect(ColoPair *pair, ColoSide survivor, GError **errp)
{
    ColoSide peer = colo_peer(survivor);

    g_assert(!pair->cfg.qtest && !pair->finished);
    if (!can_migrate(pair, survivor, errp) ||
        !retire_side(pair, peer, errp)) {
        g_prefix_error(errp, "re-protecting the %s: ",
                       colo_side_name(survivor));
        return pair_fail(pair, errp);
    }
    if (survivor == COLO_SECONDARY) {
        /* It becomes the primary; the new secondary takes the peer's host. */
        pair->side[COLO_PRIMARY] = g_steal_pointer(&pair->side[survivor]);
        pair->host[COLO_PRIMARY] = pair->host[COLO_SECONDARY];
        pair->host[COLO_SECONDARY] = !pair->host[COLO_PRIMARY];
        pair->primary_since = pair->failover_printed;
    }
    g_clear_pointer(&pair->link, link_proxy_free);
    pair->generation++;
    pair->last_timed_us = 0;
    if (!spawn_side(pair, COLO_SECONDARY, errp) ||
        !connect_side(pair, COLO_SECONDARY, errp)) {
        g_prefix_error(errp, "starting a new secondary: ");
        return pair_fail(pair, errp);
    }
    return colo_pair_enter_colo(pair, errp);
}

const MemcheckReport *colo_pair_memcheck(ColoPair *pair, ColoSide side)
{
    return pair->finished && pair->cfg.valgrind && pair->side[side] &&
           !pair->killed[side] ? &pair->memcheck[side] : NULL;
}

void colo_pair_free(ColoPair *pair)
{
    if (!pair) {
        return;
    }
    colo_pair_finish(pair, NULL);
    link_proxy_free(pair->link);
    for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
        qtest_close(pair->qtest[s]);
        qemu_proc_free(pair->side[s]);
        memcheck_report_clear(&pair->memcheck[s]);
    }
    /* Only once no QEMU runs in them. */
    netns_link_free(pair->netns);
    g_free(pair->guest_path);
    g_free(pair);
}
