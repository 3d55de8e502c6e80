/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network half of COLO, set up and failed over as docs/COLO-FT.txt of
 * QEMU 10.0 says, with the ids and ports of its example.  Departures, each
 * for the test's sake: the NIC is virtio-net (the guest's kernel has no
 * other), so every filter gets vnet_hdr_support as docs/colo-proxy.txt
 * asks for it; the tap devices are made by the shim (netns.c) instead of
 * qemu-bridge-helper; each side traces colo-compare's verdicts and the
 * checkpoints into a file of its own, which is how the cases count them;
 * re-protection adds the filters with vnet_hdr_support too.
 */
#include "colo-net.h"

#include <string.h>

#include "colo-disk.h"
#include "colo-steps.h"
#include "qemu-trace.h"
#include "shim-error.h"

#define TAP "colotap"
#define CLIENT_CIDR "10.0.2.2/24"
#define GUEST_CIDR COLO_NET_GUEST_IP "/24"
/* Both sides' guest is one guest: one MAC address. */
#define GUEST_MAC "52:54:00:c0:10:01"
#define NETDEV "hn0"
#define VNET ",vnet_hdr_support=on"

#define APPEND "console=ttyS0 panic=-1 colo.ip=" GUEST_CIDR \
               " colo.workload=" COLO_DISK_WORKLOAD ",serve=" \
               G_STRINGIFY(COLO_NET_SERVICE_PORT)

static gboolean usable(const ColoConfig *cfg, GError **errp)
{
    if (!colo_disk_hooks.usable(cfg, errp)) {
        return FALSE;
    }
    if (!cfg->netns) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "the network cases need two hosts and a client: "
                    "--netns, as root");
        return FALSE;
    }
    return TRUE;
}

/*
 * How long colo-compare holds a packet the secondary has not matched:
 * QEMU's default, scaled like the pair's bounds, as under memcheck the
 * secondary's packets come later than that (seen: every answer held past
 * an unscaled 3 s).
 */
#define COMPARE_TIMEOUT_MS 3000

static guint compare_timeout(ColoPair *pair)
{
    return colo_pair_scaled_ms(pair, COMPARE_TIMEOUT_MS);
}

static void add_primary_filters(ColoPair *pair, GStrvBuilder *b)
{
    g_autofree char *comp0 = g_strdup_printf(
        "colo-compare,id=comp0,primary_in=compare0-0,secondary_in=compare1,"
        "outdev=compare_out0,iothread=iothread1,compare_timeout=%u" VNET,
        compare_timeout(pair));

    g_strv_builder_add_many(b,
        "-chardev", "socket,id=mirror0,host=0.0.0.0,port=9003,server=on,"
                    "wait=off",
        "-chardev", "socket,id=compare1,host=0.0.0.0,port=9004,server=on,"
                    "wait=on",
        "-chardev", "socket,id=compare0,host=127.0.0.1,port=9001,server=on,"
                    "wait=off",
        "-chardev", "socket,id=compare0-0,host=127.0.0.1,port=9001",
        "-chardev", "socket,id=compare_out,host=127.0.0.1,port=9005,"
                    "server=on,wait=off",
        "-chardev", "socket,id=compare_out0,host=127.0.0.1,port=9005",
        "-object", "filter-mirror,id=m0,netdev=" NETDEV ",queue=tx,"
                   "outdev=mirror0" VNET,
        "-object", "filter-redirector,netdev=" NETDEV ",id=redire0,queue=rx,"
                   "indev=compare_out" VNET,
        "-object", "filter-redirector,netdev=" NETDEV ",id=redire1,queue=rx,"
                   "outdev=compare0" VNET,
        "-object", "iothread,id=iothread1",
        "-object", comp0, NULL);
}

static void add_secondary_filters(ColoPair *pair, gboolean output,
                                  GStrvBuilder *b)
{
    const char *primary = colo_pair_address(pair, COLO_PRIMARY);
    g_autofree char *red0 = g_strdup_printf(
        "socket,id=red0,host=%s,port=9003,reconnect-ms=1000", primary);
    g_autofree char *red1 = g_strdup_printf(
        "socket,id=red1,host=%s,port=9004,reconnect-ms=1000", primary);

    g_strv_builder_add_many(b, "-chardev", red0, "-chardev", red1,
        "-object", "filter-redirector,id=f1,netdev=" NETDEV ",queue=tx,"
                   "indev=red0" VNET, NULL);
    if (output) {
        g_strv_builder_add_many(b, "-object", "filter-redirector,id=f2,"
                                "netdev=" NETDEV ",queue=rx,outdev=red1" VNET,
                                NULL);
    } else {
        g_strv_builder_add_many(b, "-chardev", "null,id=nowhere",
                                "-object", "filter-redirector,id=f2,"
                                "netdev=" NETDEV ",queue=rx,outdev=nowhere"
                                VNET, NULL);
    }
    g_strv_builder_add_many(b, "-object", "filter-rewriter,id=rew0,"
                            "netdev=" NETDEV ",queue=all" VNET, NULL);
}

static char *trace_path(ColoPair *pair, const char *name)
{
    g_autofree char *base = g_strconcat(name, ".trace", NULL);

    return g_build_filename(colo_pair_config(pair)->workdir, base, NULL);
}

char *colo_net_trace_path(ColoPair *pair, ColoSide side)
{
    return trace_path(pair, colo_pair_name(pair, side));
}

/*
 * colo-compare's verdicts and the checkpoints, with wall-clock times, for
 * compare-trace.h to read beside the client's log.  Both sides write one:
 * a secondary is the primary after re-protection.
 */
static void add_trace(ColoPair *pair, const char *name, GStrvBuilder *b)
{
    g_autofree char *path = trace_path(pair, name);

    const char *const events[] = {
        "colo_compare_main", "colo_old_packet_check_found",
        "colo_compare_tcp_info", "colo_send_message", "colo_vm_state_change",
        NULL
    };

    qemu_trace_add_args(b, path, events);
}

/* @output: the secondary's f2 sends its guest's output to colo-compare. */
static gboolean prepare(ColoPair *pair, ColoSide side, const char *name,
                        gboolean output, GStrvBuilder *b, GError **errp)
{
    if (!colo_disk_hooks.prepare_side(pair, side, name, b, errp) ||
        !netns_link_add_lan(colo_pair_netns(pair), TAP, CLIENT_CIDR, errp)) {
        return FALSE;
    }
    g_strv_builder_add_many(b,
        "-netdev", "tap,id=" NETDEV ",ifname=" TAP ",script=no,"
                   "downscript=no,vhost=off",
        "-device", "virtio-net-pci,netdev=" NETDEV ",mac=" GUEST_MAC, NULL);
    if (side == COLO_PRIMARY) {
        add_primary_filters(pair, b);
    } else {
        add_secondary_filters(pair, output, b);
    }
    add_trace(pair, name, b);
    return TRUE;
}

static gboolean prepare_side(ColoPair *pair, ColoSide side, const char *name,
                             GStrvBuilder *b, GError **errp)
{
    return prepare(pair, side, name, TRUE, b, errp);
}

/* The fault: the secondary's f2 sends to a null chardev. */
static gboolean prepare_side_no_output(ColoPair *pair, ColoSide side,
                                       const char *name, GStrvBuilder *b,
                                       GError **errp)
{
    return prepare(pair, side, name, FALSE, b, errp);
}

/* Whether @side's QEMU has the object /objects/@id. */
static gboolean has_object(ColoPair *pair, ColoSide side, const char *id,
                           gboolean *has, GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    JsonArray *list;

    json_object_set_string_member(args, "path", "/objects");
    ret = colo_pair_execute(pair, side, "qom-list", args, errp);
    if (ret && !JSON_NODE_HOLDS_ARRAY(ret)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROTOCOL, "not a list");
    }
    if (!ret || !JSON_NODE_HOLDS_ARRAY(ret)) {
        g_prefix_error(errp, "qom-list /objects on the %s: ",
                       colo_side_name(side));
        return FALSE;
    }
    list = json_node_get_array(ret);
    *has = FALSE;
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        *has |= !g_strcmp0(json_object_get_string_member_with_default(
                               o, "name", NULL), id);
    }
    return TRUE;
}

/*
 * object-add of @type @id on the primary with @props (name, value, ...,
 * NULL, all strings); a filter (@filter) gets vnet_hdr_support and, on a
 * primary that was a secondary, goes before its filter-rewriter, whose
 * sequence numbers the connections made before the failover still need.
 */
static gboolean add_object(ColoPair *pair, const char *type, const char *id,
                           gboolean filter, gboolean before_rewriter,
                           const char *const *props, GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    gboolean compare = g_str_equal(type, "colo-compare");

    json_object_set_string_member(args, "qom-type", type);
    json_object_set_string_member(args, "id", id);
    for (const char *const *p = props; p && *p; p += 2) {
        json_object_set_string_member(args, p[0], p[1]);
    }
    if (filter || compare) {
        json_object_set_boolean_member(args, "vnet_hdr_support", TRUE);
    }
    if (compare) {
        json_object_set_int_member(args, "compare_timeout",
                                   compare_timeout(pair));
    }
    if (filter && before_rewriter) {
        json_object_set_string_member(args, "insert", "before");
        json_object_set_string_member(args, "position", "id=rew0");
    }
    ret = colo_pair_execute(pair, COLO_PRIMARY, "object-add", args, errp);
    if (!ret) {
        g_prefix_error(errp, "object-add %s on the primary: ", id);
    }
    return ret != NULL;
}

/*
 * "Primary resume replication" and "Secondary resume replication": the
 * primary's filters and colo-compare come back, on the chardevs it kept
 * (or, once a secondary, made at its failover).
 */
static gboolean add_primary_objects(ColoPair *pair, GError **errp)
{
    static const char *const m0[] = {
        "netdev", NETDEV, "queue", "tx", "outdev", "mirror0", NULL };
    static const char *const redire0[] = {
        "netdev", NETDEV, "queue", "rx", "indev", "compare_out", NULL };
    static const char *const redire1[] = {
        "netdev", NETDEV, "queue", "rx", "outdev", "compare0", NULL };
    static const char *const comp0[] = {
        "primary_in", "compare0-0", "secondary_in", "compare1",
        "outdev", "compare_out0", "iothread", "iothread1", NULL };
    gboolean rew;

    return has_object(pair, COLO_PRIMARY, "rew0", &rew, errp) &&
           add_object(pair, "filter-mirror", "m0", TRUE, rew, m0, errp) &&
           add_object(pair, "filter-redirector", "redire0", TRUE, rew,
                      redire0, errp) &&
           add_object(pair, "filter-redirector", "redire1", TRUE, rew,
                      redire1, errp) &&
           add_object(pair, "iothread", "iothread1", FALSE, FALSE, NULL,
                      errp) &&
           add_object(pair, "colo-compare", "comp0", FALSE, FALSE, comp0,
                      errp);
}

static gboolean before_migrate(ColoPair *pair, GError **errp)
{
    return colo_disk_hooks.before_migrate(pair, errp) &&
           (colo_pair_generation(pair) == 0 ||
            add_primary_objects(pair, errp));
}

/* "Primary Failover": the disk's steps, then the comparison goes. */
static gboolean at_failover(ColoPair *pair, ColoSide survivor, GError **errp)
{
    static const char *const compare[] = {
        "comp0", "iothread1", "m0", "redire0", "redire1", NULL
    };

    if (!colo_disk_hooks.at_failover(pair, survivor, errp)) {
        return FALSE;
    }
    for (const char *const *id = compare;
         survivor == COLO_PRIMARY && *id; id++) {
        if (!colo_steps_remove(pair, survivor, "object-del", *id, errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* chardev-add of a TCP socket, a server or a client. */
static gboolean chardev_add(ColoPair *pair, ColoSide side, const char *id,
                            const char *host, const char *port,
                            gboolean server, GError **errp)
{
    JsonObject *args = json_object_new(), *backend = json_object_new();
    JsonObject *sock = json_object_new(), *addr = json_object_new();
    JsonObject *inet = json_object_new();
    g_autoptr(JsonNode) ret = NULL;

    json_object_set_string_member(inet, "host", host);
    json_object_set_string_member(inet, "port", port);
    json_object_set_string_member(addr, "type", "inet");
    json_object_set_object_member(addr, "data", inet);
    json_object_set_object_member(sock, "addr", addr);
    json_object_set_boolean_member(sock, "server", server);
    json_object_set_string_member(backend, "type", "socket");
    json_object_set_object_member(backend, "data", sock);
    json_object_set_string_member(args, "id", id);
    json_object_set_object_member(args, "backend", backend);
    ret = colo_pair_execute(pair, side, "chardev-add", args, errp);
    if (!ret) {
        g_prefix_error(errp, "chardev-add %s on the %s: ", id,
                       colo_side_name(side));
    }
    return ret != NULL;
}

/*
 * "Secondary Failover", after x-colo-lost-heartbeat: the redirectors to
 * the dead primary go, and the chardevs of the primary's layout come, for
 * a new secondary to connect to (re-protection).
 */
static gboolean after_failover(ColoPair *pair, ColoSide survivor,
                               GError **errp)
{
    if (survivor == COLO_PRIMARY) {
        return TRUE;
    }
    return colo_steps_remove(pair, survivor, "object-del", "f2", errp) &&
           colo_steps_remove(pair, survivor, "object-del", "f1", errp) &&
           colo_steps_remove(pair, survivor, "chardev-remove", "red1",
                             errp) &&
           colo_steps_remove(pair, survivor, "chardev-remove", "red0",
                             errp) &&
           chardev_add(pair, survivor, "mirror0", "0.0.0.0", "9003", TRUE,
                       errp) &&
           chardev_add(pair, survivor, "compare1", "0.0.0.0", "9004", TRUE,
                       errp) &&
           chardev_add(pair, survivor, "compare0", "127.0.0.1", "9001", TRUE,
                       errp) &&
           chardev_add(pair, survivor, "compare0-0", "127.0.0.1", "9001",
                       FALSE, errp) &&
           chardev_add(pair, survivor, "compare_out", "127.0.0.1", "9005",
                       TRUE, errp) &&
           chardev_add(pair, survivor, "compare_out0", "127.0.0.1", "9005",
                       FALSE, errp);
}

static const ColoPairHooks net_hooks = {
    .usable = usable,
    .prepare_side = prepare_side,
    .before_migrate = before_migrate,
    .at_failover = at_failover,
    .after_failover = after_failover,
};

static const ColoPairHooks no_output_hooks = {
    .usable = usable,
    .prepare_side = prepare_side_no_output,
    .before_migrate = before_migrate,
    .at_failover = at_failover,
    .after_failover = after_failover,
};

void colo_net_configure(ColoConfig *cfg, const char *kernel,
                        const char *initrd, gboolean differ,
                        const char *fault)
{
    colo_disk_configure(cfg, kernel, initrd, NULL);
    cfg->linux_append = differ ? APPEND ",differ=1" : APPEND;
    cfg->hooks = g_strcmp0(fault, COLO_NET_FAULT_SECONDARY_OUTPUT_DROPPED) == 0 ?
                 &no_output_hooks : &net_hooks;
}
