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
#define NBD_SOCKET "nbd.sock"
#define QUORUM_ID "colo-disk0"
#define PARENT_ID "parent0"
#define REPLICATION_NODE "replication0"
#define WORKLOAD "mem=16,disk=/dev/vda,tick=50"

#define COMMIT_MS 60000             /* the secondary's commit at failover */
#define POLL_MS 100

static char *disk_file(ColoPair *pair, const char *name)
{
    return g_build_filename(colo_pair_config(pair)->workdir, name, NULL);
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

static void add_primary_disk(ColoPair *pair, GStrvBuilder *b)
{
    g_autofree char *image = disk_file(pair, "primary.raw");
    g_autofree char *quorum = g_strdup_printf(
        "if=none,id=" QUORUM_ID ",driver=quorum,read-pattern=fifo,"
        "vote-threshold=1,children.0.file.filename=%s,children.0.driver=raw",
        image);

    g_strv_builder_add_many(b, "-drive", quorum, NULL);
}

static void add_secondary_disk(ColoPair *pair, GStrvBuilder *b)
{
    g_autofree char *parent = disk_file(pair, "secondary.raw");
    g_autofree char *active = disk_file(pair, "secondary-active.qcow2");
    g_autofree char *hidden = disk_file(pair, "secondary-hidden.qcow2");
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
 * primary's image; here both are empty, which is the same.
 */
static gboolean prepare_side(ColoPair *pair, ColoSide side, GStrvBuilder *b,
                             GError **errp)
{
    g_autofree char *raw = disk_file(pair, side == COLO_PRIMARY ?
                                     "primary.raw" : "secondary.raw");
    g_autofree char *active = disk_file(pair, "secondary-active.qcow2");
    g_autofree char *hidden = disk_file(pair, "secondary-hidden.qcow2");

    if (!make_raw(raw, errp)) {
        return FALSE;
    }
    if (side == COLO_PRIMARY) {
        add_primary_disk(pair, b);
    } else {
        if (!make_qcow2(pair, active, errp) ||
            !make_qcow2(pair, hidden, errp)) {
            return FALSE;
        }
        add_secondary_disk(pair, b);
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
    g_autofree char *socket = disk_file(pair, NBD_SOCKET);

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
    g_autofree char *socket = disk_file(pair, NBD_SOCKET);

    if (colo_pair_in_netns(pair)) {
        return g_strdup_printf("file.server.type=inet,file.server.host=%s,"
                               "file.server.port=" NBD_PORT,
                               colo_pair_address(pair, COLO_SECONDARY));
    }
    return g_strdup_printf("file.server.type=unix,file.server.path=%s",
                           socket);
}

/*
 * The documentation's step 3 on the secondary (export the parent image)
 * and step 4 on the primary (a replication child writing through it).
 */
static gboolean export_parent(ColoPair *pair, GError **errp)
{
    JsonObject *start = json_object_new(), *add = json_object_new();

    json_object_set_object_member(start, "addr", nbd_address(pair));
    json_object_set_string_member(add, "device", PARENT_ID);
    json_object_set_boolean_member(add, "writable", TRUE);
    return run(pair, COLO_SECONDARY, "nbd-server-start", start, errp) &&
           run(pair, COLO_SECONDARY, "nbd-server-add", add, errp);
}

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
           hmp(pair, COLO_PRIMARY, drive_add, errp) &&
           run(pair, COLO_PRIMARY, "x-blockdev-change", change, errp);
}

typedef struct CommitWait {
    ColoPair *pair;
    const char *active;         /* the active image's file */
    gboolean done;
    GError *error;
} CommitWait;

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

static JsonNode *block_nodes(ColoPair *pair, GError **errp)
{
    JsonObject *args = json_object_new();

    json_object_set_boolean_member(args, "flat", TRUE);
    return colo_pair_execute(pair, COLO_SECONDARY, "query-named-block-nodes",
                             args, errp);
}

/*
 * Before the failover the active image is in the secondary's graph: the
 * wait for it to leave (below) is then a wait for something.
 */
static gboolean active_in_graph(ColoPair *pair, GError **errp)
{
    g_autofree char *active = disk_file(pair, "secondary-active.qcow2");
    g_autoptr(JsonNode) nodes = block_nodes(pair, errp);

    if (!nodes) {
        return FALSE;
    }
    if (!graph_has_file(nodes, active)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "no node of the secondary's block graph has %s as its "
                    "file before the failover", active);
        return FALSE;
    }
    return TRUE;
}

static gboolean commit_done(gpointer opaque)
{
    CommitWait *w = opaque;
    g_autoptr(JsonNode) nodes = NULL;

    g_clear_error(&w->error);
    nodes = block_nodes(w->pair, &w->error);
    if (!nodes) {
        return TRUE;
    }
    w->done = !graph_has_file(nodes, w->active);
    if (w->done) {
        return TRUE;
    }
    wait_ms(POLL_MS);
    return FALSE;
}

/*
 * The commit ends when the active and hidden images leave the block
 * graph: it is an internal job, which query-block-jobs does not list.
 */
gboolean colo_disk_wait_commit(ColoPair *pair, GError **errp)
{
    g_autofree char *active = disk_file(pair, "secondary-active.qcow2");
    CommitWait w = { .pair = pair, .active = active };
    gint64 t0 = g_get_monotonic_time();

    wait_until(commit_done, &w,
               deadline_after_ms(colo_pair_scaled_ms(pair, COMMIT_MS)));
    if (w.error) {
        g_propagate_error(errp, w.error);
        return FALSE;
    }
    if (!w.done) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the secondary's active image is still in its block "
                    "graph %u ms after the failover: the commit into the "
                    "parent image did not end", colo_pair_scaled_ms(pair, COMMIT_MS));
        return FALSE;
    }
    g_test_message("the secondary's commit into its parent image ended "
                   "%.2f s after the failover",
                   (g_get_monotonic_time() - t0) / 1e6);
    return TRUE;
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

static const ColoPairHooks disk_hooks = {
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
    cfg->linux_append = "console=ttyS0 panic=-1 colo.workload=" WORKLOAD;
    cfg->ram_mib = LINUX_RAM_MIB;
    cfg->hooks = g_strcmp0(fault, COLO_DISK_FAULT_UNREPLICATED) == 0 ?
                 &unreplicated_hooks : &disk_hooks;
}

char *colo_disk_image(ColoPair *pair, ColoSide side)
{
    return disk_file(pair, side == COLO_PRIMARY ? "primary.raw"
                                                : "secondary.raw");
}
