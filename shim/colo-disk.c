/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The disk half of COLO, set up and failed over as docs/COLO-FT.txt of
 * QEMU 10.0 says, with two departures, each for the test's sake: the disk
 * is virtio-blk (the guest's kernel has no other block driver built for
 * it), and on loopback the NBD export is a Unix socket in the case's
 * directory instead of a fixed TCP port, which parallel runs would share.
 * Between two network namespaces it is TCP on the link, as between hosts.
 */
#include "colo-disk.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm.h"
#include "shim-error.h"
#include "wait.h"

#define DISK_BYTES (64 << 20)
#define LINUX_RAM_MIB 256
#define NBD_PORT "10809"            /* NBD's own: each namespace has its own */
#define NBD_SOCKET ".nbd"            /* after the secondary's name */
#define ACTIVE "-active.qcow2"
#define HIDDEN "-hidden.qcow2"
#define QUORUM_ID "colo-disk0"
#define PARENT_ID "parent0"
#define REPLICATION_NODE "replication0"

#define COMMIT_MS 60000             /* the secondary's commit at failover */
#define RESYNC_MS 60000             /* mirroring 64 MiB to a new secondary */
#define RESYNC_JOB "resync"
#define POLL_MS 100

/*
 * The file @suffix of the QEMU called @name: each QEMU's images carry its
 * name, so a secondary started by re-protection gets fresh ones.
 */
static char *qemu_file(ColoPair *pair, const char *name, const char *suffix)
{
    g_autofree char *base = g_strconcat(name, suffix, NULL);

    return g_build_filename(colo_pair_config(pair)->workdir, base, NULL);
}

/* The same for the QEMU now in @side's role. */
static char *side_file(ColoPair *pair, ColoSide side, const char *suffix)
{
    return qemu_file(pair, colo_pair_name(pair, side), suffix);
}

/* ---- set-up ---- */

static char *qemu_img(const ColoConfig *cfg)
{
    g_autofree char *dir = g_path_get_dirname(cfg->qemu_binary);

    return g_build_filename(dir, "qemu-img", NULL);
}

static gboolean usable(const ColoConfig *cfg, GError **errp)
{
    g_autofree char *img = qemu_img(cfg);

    if (!cfg->linux_kernel || !g_file_test(cfg->linux_kernel,
                                           G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(cfg->linux_initrd, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "no Linux guest (%s): make setup builds one, or give "
                    "--linux-kernel and --linux-initrd",
                    cfg->linux_kernel ? cfg->linux_kernel : "none configured");
        return FALSE;
    }
    if (cfg->accel && g_str_equal(cfg->accel, "kvm") &&
        !kvm_runs_kernel_mode(errp)) {
        return FALSE;
    }
    /* Not a skip: a QEMU installed without its tools is a set-up error. */
    if (!g_file_test(img, G_FILE_TEST_IS_EXECUTABLE)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "no %s: the disk cases make their images with the "
                    "qemu-img installed beside the QEMU under test", img);
        return FALSE;
    }
    return TRUE;
}

/* An empty raw image: every sector zero, as the workload expects. */
static gboolean make_raw(const char *path, GError **errp)
{
    int fd = g_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || ftruncate(fd, DISK_BYTES) < 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "cannot make %s: %s", path, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return FALSE;
    }
    close(fd);
    return TRUE;
}

static gboolean make_qcow2(ColoPair *pair, const char *path, GError **errp)
{
    g_autofree char *img = qemu_img(colo_pair_config(pair));
    g_autofree char *size = g_strdup_printf("%d", DISK_BYTES);
    g_autofree char *err = NULL;
    const char *argv[] = { img, "create", "-q", "-f", "qcow2", path, size,
                           NULL };
    gint status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, errp)) {
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "%s create %s failed: %s", img, path, err);
        return FALSE;
    }
    return TRUE;
}

static void add_primary_disk(ColoPair *pair, const char *name,
                             GStrvBuilder *b)
{
    g_autofree char *image = qemu_file(pair, name, ".raw");
    g_autofree char *quorum = g_strdup_printf(
        "if=none,id=" QUORUM_ID ",driver=quorum,read-pattern=fifo,"
        "vote-threshold=1,children.0.file.filename=%s,children.0.driver=raw",
        image);

    g_strv_builder_add_many(b, "-drive", quorum, NULL);
}

static void add_secondary_disk(ColoPair *pair, const char *name,
                               GStrvBuilder *b)
{
    g_autofree char *parent = qemu_file(pair, name, ".raw");
    g_autofree char *active = qemu_file(pair, name, ACTIVE);
    g_autofree char *hidden = qemu_file(pair, name, HIDDEN);
    g_autofree char *parent_drive = g_strdup_printf(
        "if=none,id=" PARENT_ID ",file.filename=%s,driver=raw", parent);
    g_autofree char *replication = g_strdup_printf(
        "if=none,id=childs0,driver=replication,mode=secondary,"
        "file.driver=qcow2,top-id=" QUORUM_ID ",file.file.filename=%s,"
        "file.backing.driver=qcow2,file.backing.file.filename=%s,"
        "file.backing.backing=" PARENT_ID, active, hidden);

    g_strv_builder_add_many(b, "-drive", parent_drive, "-drive", replication,
                            "-drive",
                            "if=none,id=" QUORUM_ID ",driver=quorum,"
                            "read-pattern=fifo,vote-threshold=1,"
                            "children.0=childs0", NULL);
}

/*
 * Both sides start from the same disk: the documentation copies the
 * primary's image; here both are empty, which is the same.  A secondary
 * started by re-protection starts empty too and gets the primary's disk
 * by drive-mirror (resync()).
 */
static gboolean prepare_side(ColoPair *pair, ColoSide side, const char *name,
                             GStrvBuilder *b, GError **errp)
{
    g_autofree char *raw = qemu_file(pair, name, ".raw");
    g_autofree char *active = qemu_file(pair, name, ACTIVE);
    g_autofree char *hidden = qemu_file(pair, name, HIDDEN);

    if (!make_raw(raw, errp)) {
        return FALSE;
    }
    if (side == COLO_PRIMARY) {
        add_primary_disk(pair, name, b);
    } else {
        if (!make_qcow2(pair, active, errp) ||
            !make_qcow2(pair, hidden, errp)) {
            return FALSE;
        }
        add_secondary_disk(pair, name, b);
    }
    g_strv_builder_add_many(b, "-device",
                            "virtio-blk-pci,drive=" QUORUM_ID, NULL);
    return TRUE;
}

/* An HMP command; HMP says what went wrong in its output, not as an error. */
static gboolean hmp(ColoPair *pair, ColoSide side, const char *line,
                    GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) out = NULL;
    const char *text;

    json_object_set_string_member(args, "command-line", line);
    out = colo_pair_execute(pair, side, "human-monitor-command", args, errp);
    if (!out) {
        return FALSE;
    }
    text = json_node_get_string(out);
    if (text && *text) {
        g_autofree char *said = g_strchomp(g_strdup(text));

        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_QMP, "%s on the %s: %s",
                    line, colo_side_name(side), said);
        return FALSE;
    }
    return TRUE;
}

static gboolean run(ColoPair *pair, ColoSide side, const char *cmd,
                    JsonObject *args, GError **errp)
{
    g_autoptr(JsonNode) ret = colo_pair_execute(pair, side, cmd, args, errp);

    if (!ret) {
        g_prefix_error(errp, "%s on the %s: ", cmd, colo_side_name(side));
    }
    return ret != NULL;
}

/* The NBD server's address, as QMP's SocketAddress. */
static JsonObject *nbd_address(ColoPair *pair)
{
    JsonObject *addr = json_object_new(), *data = json_object_new();
    g_autofree char *socket = side_file(pair, COLO_SECONDARY, NBD_SOCKET);

    if (colo_pair_in_netns(pair)) {
        json_object_set_string_member(addr, "type", "inet");
        json_object_set_string_member(data, "host",
            colo_pair_address(pair, COLO_SECONDARY));
        json_object_set_string_member(data, "port", NBD_PORT);
    } else {
        json_object_set_string_member(addr, "type", "unix");
        json_object_set_string_member(data, "path", socket);
    }
    json_object_set_object_member(addr, "data", data);
    return addr;
}

/* The same address, as the block layer's options for the NBD client. */
static char *nbd_client_options(ColoPair *pair)
{
    g_autofree char *socket = side_file(pair, COLO_SECONDARY, NBD_SOCKET);

    if (colo_pair_in_netns(pair)) {
        return g_strdup_printf("file.server.type=inet,file.server.host=%s,"
                               "file.server.port=" NBD_PORT,
                               colo_pair_address(pair, COLO_SECONDARY));
    }
    return g_strdup_printf("file.server.type=unix,file.server.path=%s",
                           socket);
}

/* The documentation's step 3 on the secondary: export the parent image. */
static gboolean export_parent(ColoPair *pair, GError **errp)
{
    JsonObject *start = json_object_new(), *add = json_object_new();

    json_object_set_object_member(start, "addr", nbd_address(pair));
    json_object_set_string_member(add, "device", PARENT_ID);
    json_object_set_boolean_member(add, "writable", TRUE);
    return run(pair, COLO_SECONDARY, "nbd-server-start", start, errp) &&
           run(pair, COLO_SECONDARY, "nbd-server-add", add, errp);
}

/*
 * Polls @probe (given the pair) until it says done, within @ms (scaled),
 * waiting for @what.
 */
static gboolean poll_probe(ColoPair *pair, WaitProbe probe, guint ms,
                           const char *what, GError **errp)
{
    GError *err = NULL;

    if (wait_probe(probe, pair, POLL_MS,
                   deadline_after_ms(colo_pair_scaled_ms(pair, ms)), &err)) {
        return TRUE;
    }
    if (err) {
        g_propagate_prefixed_error(errp, err, "waiting for %s: ", what);
    } else {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                    "%s did not happen within %u ms", what,
                    colo_pair_scaled_ms(pair, ms));
    }
    return FALSE;
}

/* Whether a node of @nodes (query-named-block-nodes) has @file as file. */
static gboolean graph_has_file(JsonNode *nodes, const char *file)
{
    JsonArray *list = json_node_get_array(nodes);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *node = json_array_get_object_element(list, i);

        if (g_strcmp0(json_object_get_string_member_with_default(
                          node, "file", NULL), file) == 0) {
            return TRUE;
        }
    }
    return FALSE;
}

/* Whether the secondary's block graph has its active image. */
static gboolean active_present(ColoPair *pair, gboolean *present,
                               GError **errp)
{
    g_autofree char *active = side_file(pair, COLO_SECONDARY, ACTIVE);
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) nodes = NULL;

    json_object_set_boolean_member(args, "flat", TRUE);
    nodes = colo_pair_execute(pair, COLO_SECONDARY,
                              "query-named-block-nodes", args, errp);
    if (!nodes) {
        return FALSE;
    }
    *present = graph_has_file(nodes, active);
    return TRUE;
}

static gboolean commit_ended(gpointer opaque, gboolean *ended, GError **errp)
{
    ColoPair *pair = opaque;
    gboolean present;

    if (!active_present(pair, &present, errp)) {
        return FALSE;
    }
    *ended = !present;
    return TRUE;
}

/*
 * Before the failover the active image is in the secondary's graph: the
 * wait for it to leave (below) is then a wait for something.
 */
static gboolean active_in_graph(ColoPair *pair, GError **errp)
{
    gboolean present;

    if (!active_present(pair, &present, errp)) {
        return FALSE;
    }
    if (!present) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the secondary's active image is not in its block graph "
                    "before the failover");
        return FALSE;
    }
    return TRUE;
}

/*
 * The commit ends when the active and hidden images leave the block
 * graph: it is an internal job, which query-block-jobs does not list.
 */
gboolean colo_disk_wait_commit(ColoPair *pair, GError **errp)
{
    gint64 t0 = g_get_monotonic_time();

    if (!poll_probe(pair, commit_ended, COMMIT_MS, "the end of the "
                    "secondary's commit into its parent image", errp)) {
        return FALSE;
    }
    g_test_message("the secondary's commit into its parent image ended "
                   "%.2f s after the failover",
                   (g_get_monotonic_time() - t0) / 1e6);
    return TRUE;
}

/* Whether the primary's resync job is there, and whether it is ready. */
static gboolean resync_state(ColoPair *pair, gboolean *present,
                             gboolean *ready, GError **errp)
{
    g_autoptr(JsonNode) jobs = colo_pair_execute(pair, COLO_PRIMARY,
                                                 "query-block-jobs", NULL,
                                                 errp);
    JsonArray *list;

    if (!jobs) {
        return FALSE;
    }
    *present = *ready = FALSE;
    list = json_node_get_array(jobs);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *j = json_array_get_object_element(list, i);

        if (g_strcmp0(json_object_get_string_member_with_default(
                          j, "device", NULL), RESYNC_JOB) == 0) {
            *present = TRUE;
            *ready = json_object_get_boolean_member_with_default(
                         j, "ready", FALSE);
        }
    }
    return TRUE;
}

static gboolean resync_ready(gpointer opaque, gboolean *ready, GError **errp)
{
    gboolean present;

    if (!resync_state(opaque, &present, ready, errp)) {
        return FALSE;
    }
    if (!present) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the primary's " RESYNC_JOB " job ended before it was "
                    "ready");
        return FALSE;
    }
    return TRUE;
}

static gboolean resync_gone(gpointer opaque, gboolean *gone, GError **errp)
{
    gboolean present, ready;

    if (!resync_state(opaque, &present, &ready, errp)) {
        return FALSE;
    }
    *gone = !present;
    return TRUE;
}

/* The secondary's export as drive-mirror's target. */
static char *nbd_uri(ColoPair *pair)
{
    g_autofree char *socket = side_file(pair, COLO_SECONDARY, NBD_SOCKET);

    if (colo_pair_in_netns(pair)) {
        return g_strdup_printf("nbd://%s:" NBD_PORT "/" PARENT_ID,
                               colo_pair_address(pair, COLO_SECONDARY));
    }
    return g_strdup_printf("nbd+unix:///" PARENT_ID "?socket=%s", socket);
}

/*
 * "Resume replication": a fresh secondary's parent image gets the
 * primary's disk by drive-mirror into its export; once the mirror is
 * ready the primary stops, so that nothing changes the disk until COLO
 * runs, and the mirror is cancelled, which in the ready state completes
 * it without switching the primary over to the copy.
 */
static gboolean resync(ColoPair *pair, GError **errp)
{
    JsonObject *mirror = json_object_new(), *cancel = json_object_new();
    g_autofree char *target = nbd_uri(pair);
    gint64 t0 = g_get_monotonic_time();

    json_object_set_string_member(mirror, "device", QUORUM_ID);
    json_object_set_string_member(mirror, "job-id", RESYNC_JOB);
    json_object_set_string_member(mirror, "target", target);
    json_object_set_string_member(mirror, "mode", "existing");
    json_object_set_string_member(mirror, "format", "raw");
    json_object_set_string_member(mirror, "sync", "full");
    json_object_set_string_member(cancel, "device", RESYNC_JOB);
    if (!run(pair, COLO_PRIMARY, "drive-mirror", mirror, errp) ||
        !poll_probe(pair, resync_ready, RESYNC_MS, "the primary's "
                    RESYNC_JOB " job to be ready", errp) ||
        !colo_pair_stop(pair, COLO_PRIMARY, errp) ||
        !run(pair, COLO_PRIMARY, "block-job-cancel", cancel, errp) ||
        !poll_probe(pair, resync_gone, RESYNC_MS, "the primary's "
                    RESYNC_JOB " job to end", errp)) {
        return FALSE;
    }
    g_test_message("resync of the disk into %s: %.2f s",
                   colo_pair_name(pair, COLO_SECONDARY),
                   (g_get_monotonic_time() - t0) / 1e6);
    return TRUE;
}

/*
 * Step 3, then (re-protection) the resync, then step 4 on the primary: a
 * replication child writing through the export.
 */
static gboolean before_migrate(ColoPair *pair, GError **errp)
{
    g_autofree char *client = nbd_client_options(pair);
    g_autofree char *drive_add = g_strdup_printf(
        "drive_add -n buddy driver=replication,mode=primary,file.driver=nbd,"
        "%s,file.export=" PARENT_ID ",node-name=" REPLICATION_NODE, client);
    JsonObject *change = json_object_new();

    json_object_set_string_member(change, "parent", QUORUM_ID);
    json_object_set_string_member(change, "node", REPLICATION_NODE);
    return export_parent(pair, errp) &&
           (colo_pair_generation(pair) == 0 || resync(pair, errp)) &&
           hmp(pair, COLO_PRIMARY, drive_add, errp) &&
           run(pair, COLO_PRIMARY, "x-blockdev-change", change, errp);
}

/*
 * "Primary Failover": the replication child leaves the quorum and is
 * deleted.  "Secondary Failover": the export stops, so that a primary
 * still alive cannot write to the disk any more.
 */
static gboolean at_failover(ColoPair *pair, ColoSide survivor, GError **errp)
{
    JsonObject *change;

    if (survivor == COLO_SECONDARY) {
        return active_in_graph(pair, errp) &&
               run(pair, survivor, "nbd-server-stop", NULL, errp);
    }
    change = json_object_new();
    json_object_set_string_member(change, "parent", QUORUM_ID);
    json_object_set_string_member(change, "child", "children.1");
    return run(pair, survivor, "x-blockdev-change", change, errp) &&
           hmp(pair, survivor, "drive_del " REPLICATION_NODE, errp);
}

/* The primary's failover without a replication child to remove. */
static gboolean at_failover_unreplicated(ColoPair *pair, ColoSide survivor,
                                         GError **errp)
{
    return survivor == COLO_PRIMARY ||
           run(pair, survivor, "nbd-server-stop", NULL, errp);
}

const ColoPairHooks colo_disk_hooks = {
    .usable = usable,
    .prepare_side = prepare_side,
    .before_migrate = before_migrate,
    .at_failover = at_failover,
};

/*
 * The fault: the documentation's step 4 left out, so the primary's writes
 * never reach the secondary's disk, which stays empty.
 */
static const ColoPairHooks unreplicated_hooks = {
    .usable = usable,
    .prepare_side = prepare_side,
    .before_migrate = export_parent,
    .at_failover = at_failover_unreplicated,
};

void colo_disk_configure(ColoConfig *cfg, const char *kernel,
                         const char *initrd, const char *fault)
{
    cfg->linux_kernel = kernel;
    cfg->linux_initrd = initrd;
    cfg->linux_append = COLO_DISK_APPEND;
    cfg->ram_mib = LINUX_RAM_MIB;
    cfg->hooks = g_strcmp0(fault, COLO_DISK_FAULT_UNREPLICATED) == 0 ?
                 &unreplicated_hooks : &colo_disk_hooks;
}

char *colo_disk_image(ColoPair *pair, ColoSide side)
{
    return side_file(pair, side, ".raw");
}
