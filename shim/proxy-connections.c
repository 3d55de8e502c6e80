/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COLO's network proxy keeps a Connection for every TCP connection it
 * sees (net/colo.c) and must free each once done with it, or a long COLO
 * run with many short connections grows without bound (0014, 0015);
 * filter-rewriter must pass on what it held while the VM was stopped when
 * it runs again (0017).  No guest takes part: the test writes the frames
 * itself, in the length-prefixed form the proxy's chardevs carry, to
 *  - the primary's colo-compare: each connection's SYN-ACK on both its
 *    primary and its secondary input; it must release the primary's to
 *    its output;
 *  - the secondary's filter-rewriter, through two filter-redirectors on
 *    its NIC's netdev: one in front of it in the primary's place (the
 *    client's frames), one behind it in the guest's (the guest's frames,
 *    which then leave through the netdev, a stream socket).  Each
 *    connection opens and is closed by its client.
 * The test reads both outputs, which carry frames in the same form.
 */
#include "proxy-connections.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "colo-steps.h"
#include "shim-error.h"
#include "wait.h"

#define CONNECTIONS 16
#define NETDEV "pxnet"
#define CLIENT_IP 0x0a000202u           /* 10.0.2.2 */
#define GUEST_IP 0x0a00020fu            /* 10.0.2.15 */
#define CLIENT_PORT 40000               /* + the connection's number */
#define GUEST_PORT 7000
#define CLIENT_ISN 0x1000u              /* + the connection's number */
/*
 * The guest's ISN 0 keeps filter-rewriter's sequence offset at 0 whether
 * or not a checkpoint (which resets it) comes between the SYN-ACK and the
 * client's ACK: the guest's frames leave it as they came.
 */
#define GUEST_ISN 0u

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define FRAME_LEN (ETH_LEN + IP_LEN + TCP_LEN)
#define RECORD_LEN (4 + FRAME_LEN)      /* the chardevs' length, the frame */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_ACK 0x10

/* How long the proxy may take to pass a round of frames on. */
#define PASS_MS 10000

typedef struct Record {
    guint8 b[RECORD_LEN];
} Record;

/* The proxy's file @what of the QEMU called @name (colo_pair_name()). */
static char *proxy_file(ColoPair *pair, const char *name, const char *what)
{
    g_autofree char *base = g_strdup_printf("%s-proxy-%s", name, what);

    return g_build_filename(colo_pair_config(pair)->workdir, base, NULL);
}

static char *proxy_path(ColoPair *pair, ColoSide side, const char *what)
{
    return proxy_file(pair, colo_pair_name(pair, side), what);
}

/* -chardev for a socket the test connects to, at @path. */
static void add_chardev(GStrvBuilder *b, const char *id, const char *path)
{
    g_autofree char *arg = g_strdup_printf(
        "socket,id=%s,path=%s,server=on,wait=off", id, path);

    g_strv_builder_add_many(b, "-chardev", arg, NULL);
}

/* The primary's colo-compare; the test reads its output. */
static void add_compare(ColoPair *pair, const char *name, GStrvBuilder *b)
{
    g_autofree char *pri = proxy_file(pair, name, "compare-pri");
    g_autofree char *sec = proxy_file(pair, name, "compare-sec");
    g_autofree char *out = proxy_file(pair, name, "compare-out");

    add_chardev(b, "pxpri", pri);
    add_chardev(b, "pxsec", sec);
    add_chardev(b, "pxout", out);
    g_strv_builder_add_many(b, "-object", "iothread,id=pxio",
                            "-object", "colo-compare,id=pxcmp,"
                            "primary_in=pxpri,secondary_in=pxsec,"
                            "outdev=pxout,iothread=pxio", NULL);
}

/*
 * The secondary's filter-rewriter between two redirectors.  Their order
 * matters: a redirector passes its frames to the filters after it on the
 * client's way (queue=tx), before it on the guest's (queue=rx).
 */
static void add_rewriter(ColoPair *pair, const char *name, GStrvBuilder *b)
{
    g_autofree char *client = proxy_file(pair, name, "client");
    g_autofree char *guest = proxy_file(pair, name, "guest");

    add_chardev(b, "pxclient", client);
    add_chardev(b, "pxguest", guest);
    g_strv_builder_add_many(b, "-object", "filter-redirector,id=pxin,"
                            "netdev=" NETDEV ",queue=tx,indev=pxclient",
                            "-object", "filter-rewriter,id=pxrew,"
                            "netdev=" NETDEV ",queue=all",
                            "-object", "filter-redirector,id=pxvm,"
                            "netdev=" NETDEV ",queue=rx,indev=pxguest", NULL);
}

/*
 * Both sides get the NIC (a migration needs the same devices); its netdev
 * is a stream socket, from which the test reads what leaves the secondary.
 */
static gboolean prepare_side(ColoPair *pair, ColoSide side, const char *name,
                             GStrvBuilder *b, GError **errp)
{
    g_autofree char *wire = proxy_file(pair, name, "wire");
    g_autofree char *netdev = g_strdup_printf(
        "stream,id=" NETDEV ",server=on,addr.type=unix,addr.path=%s", wire);

    g_strv_builder_add_many(b, "-netdev", netdev, "-device",
                            "e1000,netdev=" NETDEV ",mac=52:54:00:12:34:56",
                            NULL);
    if (side == COLO_PRIMARY) {
        add_compare(pair, name, b);
    } else {
        add_rewriter(pair, name, b);
    }
    return TRUE;
}

static const ColoPairHooks proxy_hooks = {
    .prepare_side = prepare_side,
};

void proxy_connections_configure(ColoConfig *cfg)
{
    cfg->hooks = &proxy_hooks;
}

static void put16(guint8 *p, guint16 v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void put32(guint8 *p, guint32 v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static guint16 ip_checksum(const guint8 *h)
{
    guint32 sum = 0;

    for (guint i = 0; i < IP_LEN; i += 2) {
        sum += h[i] << 8 | h[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

/*
 * Connection @n's segment, the client's (@to_guest) or the guest's.  Its
 * TCP checksum stays 0: nothing on these paths checks it.
 */
static Record segment(guint n, gboolean to_guest, guint8 flags, guint32 seq,
                      guint32 ack)
{
    static const guint8 guest_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    static const guint8 client_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x02 };
    Record r = { { 0 } };
    guint8 *eth = r.b + 4, *ip = eth + ETH_LEN, *tcp = ip + IP_LEN;
    guint16 client_port = CLIENT_PORT + n;

    put32(r.b, FRAME_LEN);
    memcpy(eth, to_guest ? guest_mac : client_mac, 6);
    memcpy(eth + 6, to_guest ? client_mac : guest_mac, 6);
    put16(eth + 12, 0x0800);
    ip[0] = 0x45;
    put16(ip + 2, IP_LEN + TCP_LEN);
    put16(ip + 6, 0x4000);              /* don't fragment */
    ip[8] = 64;
    ip[9] = 6;                          /* TCP */
    put32(ip + 12, to_guest ? CLIENT_IP : GUEST_IP);
    put32(ip + 16, to_guest ? GUEST_IP : CLIENT_IP);
    put16(ip + 10, ip_checksum(ip));
    put16(tcp, to_guest ? client_port : GUEST_PORT);
    put16(tcp + 2, to_guest ? GUEST_PORT : client_port);
    put32(tcp + 4, seq);
    put32(tcp + 8, ack);
    tcp[12] = (TCP_LEN / 4) << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    return r;
}

/* A segment's numbers past its sender's ISN and past its peer's. */
typedef struct Step {
    gboolean to_guest;
    guint8 flags;
    guint32 seq, ack;
} Step;

/* A connection the client opens, then closes (the rewriter's passive close). */
static const Step open_then_client_closes[] = {
    { TRUE, TH_SYN, 0, 0 },
    { FALSE, TH_SYN | TH_ACK, 0, 1 },
    { TRUE, TH_ACK, 1, 1 },
    { TRUE, TH_FIN | TH_ACK, 1, 1 },
#define GUEST_FIN_STEP 4
    { FALSE, TH_FIN | TH_ACK, 1, 2 },
    { TRUE, TH_ACK, 2, 2 },
};

static Record step_segment(const Step *s, guint n)
{
    guint32 own = s->to_guest ? CLIENT_ISN + n : GUEST_ISN;
    guint32 peer = s->to_guest ? GUEST_ISN : CLIENT_ISN + n;

    return segment(n, s->to_guest, s->flags, own + s->seq,
                   s->flags & TH_ACK ? peer + s->ack : 0);
}

static void close_fd(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

static int connect_unix(const char *path, GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROCESS,
                    "connecting to the proxy's socket %s: %s", path,
                    g_strerror(errno));
        close_fd(fd);
        return -1;
    }
    return fd;
}

static gboolean write_all(int fd, const guint8 *buf, gsize len,
                          GError **errp)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROCESS,
                        "writing frames to the proxy: %s", g_strerror(errno));
            return FALSE;
        }
        buf += n;
        len -= n;
    }
    return TRUE;
}

/* The test's ends of the secondary's sockets. */
typedef struct RewriterLink {
    int client, guest;          /* the two redirectors' chardevs */
    int wire;                   /* the netdev: what leaves the secondary */
} RewriterLink;

static void rewriter_link_close(RewriterLink *l)
{
    close_fd(l->client);
    close_fd(l->guest);
    close_fd(l->wire);
}

static gboolean rewriter_link_open(ColoPair *pair, RewriterLink *l,
                                   GError **errp)
{
    int *fds[] = { &l->client, &l->guest, &l->wire };
    static const char *const what[] = { "client", "guest", "wire" };

    for (guint i = 0; i < G_N_ELEMENTS(what); i++) {
        g_autofree char *path = proxy_path(pair, COLO_SECONDARY, what[i]);

        *fds[i] = connect_unix(path, errp);
        if (*fds[i] < 0) {
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * @side's main loop accepts the proxy's connections, reads the
 * redirectors' sockets and QMP alike: once it answers a command sent after
 * the test connected or wrote, it has accepted or read that (a round is
 * well under the 4 KiB a chardev reads at once), and the rewriter has seen
 * those frames.  colo-compare reads its inputs in its iothread: nothing
 * needs an order there.
 */
static gboolean main_loop_caught_up(ColoPair *pair, ColoSide side,
                                    GError **errp)
{
    g_autoptr(JsonNode) ret = colo_pair_execute(pair, side, "query-status",
                                                NULL, errp);

    return ret != NULL;
}

/*
 * What the test has read of one of the proxy's outputs: its IPv4 records
 * (the test's frames), apart from others, such as the RARP announcements
 * a QEMU sends through its NIC after a failover.
 */
typedef struct OutputWait {
    int fd;
    GByteArray *raw;            /* read, not yet a whole record */
    GByteArray *got;            /* whole IPv4 records */
    gsize want;
    guint others;
} OutputWait;

static void take_records(OutputWait *w)
{
    while (w->raw->len >= 4) {
        const guint8 *r = w->raw->data;
        gsize len = 4 + ((gsize)r[0] << 24 | r[1] << 16 | r[2] << 8 | r[3]);

        if (w->raw->len < len) {
            return;
        }
        if (len >= 4 + ETH_LEN && r[4 + 12] == 0x08 && r[4 + 13] == 0x00) {
            g_byte_array_append(w->got, r, len);
        } else {
            w->others++;
        }
        g_byte_array_remove_range(w->raw, 0, len);
    }
}

static gboolean output_probe(gpointer opaque, gboolean *done, GError **errp)
{
    OutputWait *w = opaque;
    guint8 buf[4096];
    ssize_t n;

    while ((n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        g_byte_array_append(w->raw, buf, n);
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROCESS,
                    "reading the proxy's output: %s",
                    n ? g_strerror(errno) : "closed by QEMU");
        return FALSE;
    }
    take_records(w);
    *done = w->got->len >= w->want;
    return TRUE;
}

/* Reads @want bytes of @what's IPv4 records from @fd into @got, bounded. */
static gboolean read_output(ColoPair *pair, const char *what, int fd,
                            GByteArray *got, gsize want, GError **errp)
{
    g_autoptr(GByteArray) raw = g_byte_array_new();
    OutputWait w = { fd, raw, got, want, 0 };
    guint ms = colo_pair_scaled_ms(pair, PASS_MS);
    gboolean ok = wait_probe(output_probe, &w, 5, deadline_after_ms(ms),
                             errp);

    if (w.others) {
        g_test_message("%s passed %u frames that are not IPv4 on as well",
                       what, w.others);
    }
    if (ok) {
        return TRUE;
    }
    if (errp && !*errp) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                    "%s passed %u of %zu bytes of the test's frames on in "
                    "%u ms", what, got->len, want, ms);
    }
    return colo_pair_fail(pair, errp);
}

/* The guest's frames leave the netdev as written, in order. */
static gboolean wire_carries(ColoPair *pair, int fd, const GByteArray *round,
                             GError **errp)
{
    g_autoptr(GByteArray) got = g_byte_array_new();

    if (!read_output(pair, "the secondary's filter-rewriter", fd, got,
                     round->len, errp)) {
        return FALSE;
    }
    if (got->len != round->len || memcmp(got->data, round->data, got->len)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the guest's %u frames left the secondary's "
                    "filter-rewriter changed (%u bytes for %u)",
                    round->len / RECORD_LEN, got->len, round->len);
        return FALSE;
    }
    return TRUE;
}

/* Step @s of every connection, appended to @round. */
static void append_step(GByteArray *round, const Step *s)
{
    for (guint n = 0; n < CONNECTIONS; n++) {
        Record r = step_segment(s, n);

        g_byte_array_append(round, r.b, RECORD_LEN);
    }
}

/*
 * Steps [@first, @end) of every connection, a round for each run of steps
 * in one direction; the guest's rounds must come out of the netdev
 * unchanged.
 */
static gboolean rewriter_rounds(ColoPair *pair, RewriterLink *l, guint first,
                                guint end, GError **errp)
{
    for (guint i = first; i < end;) {
        gboolean to_guest = open_then_client_closes[i].to_guest;
        g_autoptr(GByteArray) round = g_byte_array_new();

        for (; i < end && open_then_client_closes[i].to_guest == to_guest;
             i++) {
            append_step(round, &open_then_client_closes[i]);
        }
        if (!write_all(to_guest ? l->client : l->guest, round->data,
                       round->len, errp) ||
            !(to_guest ? main_loop_caught_up(pair, COLO_SECONDARY, errp)
                       : wire_carries(pair, l->wire, round, errp))) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean rewriter_connections(ColoPair *pair, GError **errp)
{
    RewriterLink l = { -1, -1, -1 };
    gboolean ok = rewriter_link_open(pair, &l, errp) &&
                  main_loop_caught_up(pair, COLO_SECONDARY, errp) &&
                  rewriter_rounds(pair, &l, 0,
                                  G_N_ELEMENTS(open_then_client_closes),
                                  errp);

    rewriter_link_close(&l);
    if (ok) {
        g_test_message("filter-rewriter: %u connections opened and closed",
                       CONNECTIONS);
    }
    return ok;
}

/* Each connection's SYN-ACK, the same from both guests. */
static GByteArray *compare_frames(void)
{
    static const Step syn_ack = { FALSE, TH_SYN | TH_ACK, 0, 1 };
    GByteArray *frames = g_byte_array_new();

    append_step(frames, &syn_ack);
    return frames;
}

/* colo-compare released each primary frame once, as it was written. */
static gboolean check_released(const GByteArray *out,
                               const GByteArray *frames, GError **errp)
{
    gboolean seen[CONNECTIONS] = { FALSE };

    if (out->len != frames->len) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "colo-compare's output is %u bytes for %u frames of "
                    "%u", out->len, CONNECTIONS, RECORD_LEN);
        return FALSE;
    }
    for (gsize off = 0; off < out->len; off += RECORD_LEN) {
        /* Connection n's client port, the guest's frame's destination. */
        const guint8 *port = out->data + off + 4 + ETH_LEN + IP_LEN + 2;
        guint n = (port[0] << 8 | port[1]) - CLIENT_PORT;

        if (n >= CONNECTIONS || seen[n] ||
            memcmp(out->data + off, frames->data + n * RECORD_LEN,
                   RECORD_LEN)) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "colo-compare's output (%u bytes for %u frames) "
                        "is not the primary's frames, each once: record "
                        "at %zu", out->len, CONNECTIONS, off);
            return FALSE;
        }
        seen[n] = TRUE;
    }
    return TRUE;
}

/* Both inputs get the same frames; the output must carry the primary's. */
static gboolean compare_rounds(ColoPair *pair, int pri, int sec, int out,
                               GError **errp)
{
    g_autoptr(GByteArray) frames = compare_frames();
    g_autoptr(GByteArray) got = g_byte_array_new();

    return write_all(pri, frames->data, frames->len, errp) &&
           write_all(sec, frames->data, frames->len, errp) &&
           read_output(pair, "colo-compare", out, got, frames->len, errp) &&
           check_released(got, frames, errp);
}

/*
 * The output first: colo-compare drops what it releases while nobody is
 * connected there ("colo send primary packet failed").
 */
static gboolean compare_connections(ColoPair *pair, GError **errp)
{
    g_autofree char *out_path = proxy_path(pair, COLO_PRIMARY, "compare-out");
    g_autofree char *pri_path = proxy_path(pair, COLO_PRIMARY, "compare-pri");
    g_autofree char *sec_path = proxy_path(pair, COLO_PRIMARY, "compare-sec");
    int out = connect_unix(out_path, errp), pri = -1, sec = -1;
    gboolean ok = out >= 0 &&
                  main_loop_caught_up(pair, COLO_PRIMARY, errp) &&
                  (pri = connect_unix(pri_path, errp)) >= 0 &&
                  (sec = connect_unix(sec_path, errp)) >= 0 &&
                  compare_rounds(pair, pri, sec, out, errp);

    close_fd(out);
    close_fd(pri);
    close_fd(sec);
    if (ok) {
        g_test_message("colo-compare: %u connections compared and released",
                       CONNECTIONS);
    }
    return ok;
}

/*
 * COLO-FT.txt's failover steps for the proxy: a surviving primary deletes
 * colo-compare and its iothread; a surviving secondary its redirectors
 * (the rewriter stays, as documented).
 */
static gboolean proxy_after_failover(ColoPair *pair, ColoSide survivor,
                                     GError **errp)
{
    static const char *const ids[][2] = {
        [COLO_PRIMARY] = { "pxcmp", "pxio" },
        [COLO_SECONDARY] = { "pxin", "pxvm" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(ids[survivor]); i++) {
        if (!colo_steps_remove(pair, survivor, "object-del",
                               ids[survivor][i], errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

gboolean proxy_connections_failover(ColoPair *pair, ColoSide survivor,
                                    GError **errp)
{
    return compare_connections(pair, errp) &&
           rewriter_connections(pair, errp) &&
           colo_pair_failover(pair, survivor, errp) &&
           proxy_after_failover(pair, survivor, errp) &&
           colo_pair_check_runs(pair, survivor, errp);
}

/* QMP object-add of an iothread, as the documented re-protection does. */
static gboolean add_iothread(ColoPair *pair, GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;

    json_object_set_string_member(args, "qom-type", "iothread");
    json_object_set_string_member(args, "id", "pxio");
    ret = colo_pair_execute(pair, COLO_PRIMARY, "object-add", args, errp);
    return ret != NULL;
}

/*
 * An object-add of colo-compare whose inputs name no chardev must fail as
 * a command, the primary still answering (0016).
 */
static gboolean bad_compare_refused(ColoPair *pair, const char *when,
                                    GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;

    json_object_set_string_member(args, "qom-type", "colo-compare");
    json_object_set_string_member(args, "id", "pxtypo");
    json_object_set_string_member(args, "primary_in", "pxpri-typo");
    json_object_set_string_member(args, "secondary_in", "pxsec-typo");
    json_object_set_string_member(args, "outdev", "pxout");
    json_object_set_string_member(args, "iothread", "pxio");
    ret = colo_pair_execute(pair, COLO_PRIMARY, "object-add", args, &err);
    if (ret || !g_error_matches(err, SHIM_ERROR, SHIM_ERROR_QMP)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "object-add of a colo-compare whose inputs name no "
                    "chardev, %s: %s", when,
                    ret ? "accepted" : err->message);
        return colo_pair_fail(pair, errp);
    }
    g_test_message("colo-compare misconfigured %s: refused (%s)", when,
                   err->message);
    return main_loop_caught_up(pair, COLO_PRIMARY, errp);
}

gboolean proxy_compare_misconfigured(ColoPair *pair, GError **errp)
{
    return bad_compare_refused(pair, "beside a working one", errp) &&
           proxy_connections_failover(pair, COLO_PRIMARY, errp) &&
           add_iothread(pair, errp) &&
           bad_compare_refused(pair, "at re-protection, none left", errp) &&
           colo_pair_check_runs(pair, COLO_PRIMARY, errp);
}

static gboolean secondary_runs_again(ColoPair *pair, GError **errp)
{
    g_autoptr(JsonNode) ret = colo_pair_execute(pair, COLO_SECONDARY, "cont",
                                                NULL, errp);

    return ret != NULL;
}

/*
 * The guest's FINs reach the rewriter while its VM is stopped: they must
 * leave once it runs again, not wait for a later frame.
 */
static gboolean guest_fins_while_stopped(ColoPair *pair, RewriterLink *l,
                                         GError **errp)
{
    g_autoptr(GByteArray) round = g_byte_array_new();

    append_step(round, &open_then_client_closes[GUEST_FIN_STEP]);
    return colo_pair_stop(pair, COLO_SECONDARY, errp) &&
           write_all(l->guest, round->data, round->len, errp) &&
           main_loop_caught_up(pair, COLO_SECONDARY, errp) &&
           secondary_runs_again(pair, errp) &&
           wire_carries(pair, l->wire, round, errp);
}

gboolean proxy_rewriter_resumed(ColoPair *pair, GError **errp)
{
    RewriterLink l = { -1, -1, -1 };
    guint steps = G_N_ELEMENTS(open_then_client_closes);
    gboolean ok = rewriter_link_open(pair, &l, errp) &&
                  main_loop_caught_up(pair, COLO_SECONDARY, errp) &&
                  rewriter_rounds(pair, &l, 0, GUEST_FIN_STEP, errp) &&
                  colo_pair_failover(pair, COLO_SECONDARY, errp) &&
                  guest_fins_while_stopped(pair, &l, errp) &&
                  rewriter_rounds(pair, &l, GUEST_FIN_STEP + 1, steps, errp);

    rewriter_link_close(&l);
    return ok && colo_pair_check_runs(pair, COLO_SECONDARY, errp);
}
