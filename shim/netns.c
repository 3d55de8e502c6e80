/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "netns.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "shim-error.h"

#define NS_PREFIX "colo-shim-"
/* Private addresses; one /30 per link of this shim. */
#define SUBNET_FMT "10.211.%u.%u"

struct NetnsLink {
    char *ns[2];
    char *dev[2];
    char *addr[2];
    guint n;                    /* this link's number among the shim's */
    char *client_ns;            /* the LAN's, or NULL */
};

/* Runs iproute2 with @argv; the error carries its stderr. */
static gboolean run_ip(const char *const *argv, GError **errp)
{
    g_autofree char *err_out = NULL;
    g_autofree char *cmd = g_strjoinv(" ", (char **)argv);
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_out,
                      &status, errp)) {
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG, "%s failed: %s", cmd,
                    g_strstrip(err_out));
        return FALSE;
    }
    return TRUE;
}

/* "ip -n @ns" followed by the arguments up to NULL. */
static gboolean ip_in(const char *ns, GError **errp, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *arg;
    va_list ap;

    g_ptr_array_add(argv, (gpointer)"ip");
    g_ptr_array_add(argv, (gpointer)"-n");
    g_ptr_array_add(argv, (gpointer)ns);
    va_start(ap, errp);
    while ((arg = va_arg(ap, const char *))) {
        g_ptr_array_add(argv, (gpointer)arg);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return run_ip((const char *const *)argv->pdata, errp);
}

/* Namespaces named after a shim that no longer runs are leftovers. */
static void remove_stale_namespaces(void)
{
    g_autofree char *list = NULL;
    const char *const argv[] = { "ip", "netns", "list", NULL };
    g_auto(GStrv) lines = NULL;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &list, NULL,
                      NULL, NULL)) {
        return;
    }
    lines = g_strsplit(list, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_autofree char *name = g_strndup(*l, strcspn(*l, " "));
        pid_t owner;

        if (!g_str_has_prefix(name, NS_PREFIX)) {
            continue;
        }
        owner = atoi(name + strlen(NS_PREFIX));
        if (owner > 0 && kill(owner, 0) < 0 && errno == ESRCH) {
            const char *const del[] = { "ip", "netns", "del", name, NULL };

            run_ip(del, NULL);
        }
    }
}

static gboolean add_namespace(const char *ns, GError **errp)
{
    const char *const add[] = { "ip", "netns", "add", ns, NULL };

    return run_ip(add, errp);
}

/*
 * The sending queue of @dev in @ns: an htb class of @rate_mbit, a link of
 * that speed (netem could limit the rate too, but this machine's kernel
 * has no netem), and a netem delay of @delay_ms below it or alone.
 */
static gboolean shape(const char *ns, const char *dev, guint delay_ms,
                      guint rate_mbit, GError **errp)
{
    g_autofree char *delay = g_strdup_printf("%ums", delay_ms);
    g_autofree char *rate = g_strdup_printf("%umbit", rate_mbit);
    const char *const htb[] = { "tc", "-n", ns, "qdisc", "add", "dev", dev,
                                "root", "handle", "1:", "htb", "default",
                                "10", NULL };
    const char *const class[] = { "tc", "-n", ns, "class", "add", "dev", dev,
                                  "parent", "1:", "classid", "1:10", "htb",
                                  "rate", rate, NULL };
    const char *const netem_root[] = { "tc", "-n", ns, "qdisc", "add", "dev",
                                       dev, "root", "netem", "delay", delay,
                                       NULL };
    const char *const netem_class[] = { "tc", "-n", ns, "qdisc", "add", "dev",
                                        dev, "parent", "1:10", "netem",
                                        "delay", delay, NULL };

    if (rate_mbit && !(run_ip(htb, errp) && run_ip(class, errp))) {
        return FALSE;
    }
    return !delay_ms || run_ip(rate_mbit ? netem_class : netem_root, errp);
}

static gboolean set_up(NetnsLink *link, guint delay_ms, guint rate_mbit,
                       GError **errp)
{
    const char *const veth[] = { "ip", "link", "add", link->dev[0], "netns",
                                 link->ns[0], "type", "veth", "peer", "name",
                                 link->dev[1], "netns", link->ns[1], NULL };

    if (!add_namespace(link->ns[0], errp) ||
        !add_namespace(link->ns[1], errp) || !run_ip(veth, errp)) {
        return FALSE;
    }
    for (guint e = 0; e < 2; e++) {
        const char *ns = link->ns[e], *dev = link->dev[e];
        g_autofree char *cidr = g_strdup_printf("%s/30", link->addr[e]);

        if (!ip_in(ns, errp, "addr", "add", cidr, "dev", dev, NULL) ||
            !ip_in(ns, errp, "link", "set", "lo", "up", NULL) ||
            !ip_in(ns, errp, "link", "set", dev, "up", NULL) ||
            !shape(ns, dev, delay_ms, rate_mbit, errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

NetnsLink *netns_link_new(guint delay_ms, guint rate_mbit, GError **errp)
{
    static guint serial;
    NetnsLink *link = g_new0(NetnsLink, 1);
    guint n = serial++ % 64;

    remove_stale_namespaces();
    link->n = n;
    for (guint e = 0; e < 2; e++) {
        link->ns[e] = g_strdup_printf(NS_PREFIX "%d-%u-%s", getpid(), n,
                                      e ? "secondary" : "primary");
        /* Interface names have 15 characters at most. */
        link->dev[e] = g_strdup_printf("cs%u%c", n, e ? 's' : 'p');
        link->addr[e] = g_strdup_printf(SUBNET_FMT, n, 1 + e);
    }
    if (!set_up(link, delay_ms, rate_mbit, errp)) {
        /* Not the code under test: the machine (or its privileges). */
        (*errp)->domain = SHIM_ERROR;
        (*errp)->code = SHIM_ERROR_UNAVAILABLE;
        g_prefix_error(errp, "cannot set up two hosts (network namespaces "
                       "and a veth link): ");
        netns_link_free(link);
        return NULL;
    }
    return link;
}

const char *netns_link_namespace(NetnsLink *link, guint end)
{
    return link->ns[end];
}

const char *netns_link_address(NetnsLink *link, guint end)
{
    return link->addr[end];
}

gboolean netns_link_set_up(NetnsLink *link, gboolean up, GError **errp)
{
    for (guint e = 0; e < 2; e++) {
        if (!ip_in(link->ns[e], errp, "link", "set", link->dev[e],
                   up ? "up" : "down", NULL)) {
            return FALSE;
        }
    }
    return TRUE;
}

gboolean netns_link_tx_bytes(NetnsLink *link, guint end, guint64 *bytes,
                             GError **errp)
{
    const char *const argv[] = { "ip", "-n", link->ns[end], "-s", "-j", "link",
                                 "show", "dev", link->dev[end], NULL };
    g_autofree char *out = NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root;
    JsonObject *stats = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                      &status, errp) ||
        !g_spawn_check_wait_status(status, errp) ||
        !json_parser_load_from_data(parser, out, -1, errp)) {
        g_prefix_error(errp, "counting what %s sent: ", link->dev[end]);
        return FALSE;
    }
    root = json_parser_get_root(parser);
    if (JSON_NODE_HOLDS_ARRAY(root) &&
        json_array_get_length(json_node_get_array(root)) == 1) {
        stats = json_object_get_object_member(
            json_array_get_object_element(json_node_get_array(root), 0),
            "stats64");
    }
    if (!stats || !json_object_has_member(stats, "tx")) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "ip -s -j link show dev %s in %s gave no tx counters",
                    link->dev[end], link->ns[end]);
        return FALSE;
    }
    *bytes = json_object_get_int_member(
        json_object_get_object_member(stats, "tx"), "bytes");
    return TRUE;
}

/* A bridge called @name in @ns, up. */
static gboolean add_bridge(const char *ns, const char *name, GError **errp)
{
    return ip_in(ns, errp, "link", "add", name, "type", "bridge", NULL) &&
           ip_in(ns, errp, "link", "set", name, "up", NULL);
}

/* Host @e's tap and its veth to the client's bridge, on a bridge of its own. */
static gboolean add_host_to_lan(NetnsLink *link, guint e, const char *tap,
                                GError **errp)
{
    const char *ns = link->ns[e];
    g_autofree char *up = g_strdup_printf("cl%u%c", link->n, e ? 's' : 'p');
    g_autofree char *down = g_strdup_printf("cl%u%cc", link->n,
                                            e ? 's' : 'p');
    const char *const veth[] = { "ip", "link", "add", up, "netns", ns,
                                 "type", "veth", "peer", "name", down,
                                 "netns", link->client_ns, NULL };

    return add_bridge(ns, "br0", errp) && run_ip(veth, errp) &&
           ip_in(ns, errp, "tuntap", "add", "dev", tap, "mode", "tap",
                 NULL) &&
           ip_in(ns, errp, "link", "set", tap, "master", "br0", "up",
                 NULL) &&
           ip_in(ns, errp, "link", "set", up, "master", "br0", "up", NULL) &&
           ip_in(link->client_ns, errp, "link", "set", down, "master", "br0",
                 "up", NULL);
}

gboolean netns_link_add_lan(NetnsLink *link, const char *tap,
                            const char *client_cidr, GError **errp)
{
    if (link->client_ns) {
        return TRUE;
    }
    link->client_ns = g_strdup_printf(NS_PREFIX "%d-%u-client", getpid(),
                                      link->n);
    if (!add_namespace(link->client_ns, errp) ||
        !ip_in(link->client_ns, errp, "link", "set", "lo", "up", NULL) ||
        !add_bridge(link->client_ns, "br0", errp) ||
        !ip_in(link->client_ns, errp, "addr", "add", client_cidr, "dev",
               "br0", NULL) ||
        !add_host_to_lan(link, 0, tap, errp) ||
        !add_host_to_lan(link, 1, tap, errp)) {
        g_prefix_error(errp, "cannot set up the guests' LAN: ");
        return FALSE;
    }
    return TRUE;
}

const char *netns_link_client_namespace(NetnsLink *link)
{
    return link->client_ns;
}

void netns_link_free(NetnsLink *link)
{
    if (!link) {
        return;
    }
    if (link->client_ns) {
        const char *const del[] = { "ip", "netns", "del", link->client_ns,
                                    NULL };

        run_ip(del, NULL);
        g_free(link->client_ns);
    }
    for (guint e = 0; e < 2; e++) {
        const char *const del[] = { "ip", "netns", "del", link->ns[e], NULL };

        run_ip(del, NULL);
        g_free(link->ns[e]);
        g_free(link->dev[e]);
        g_free(link->addr[e]);
    }
    g_free(link);
}
