/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The workload's TCP service (net-service.h).  One request at a time per
 * connection, in the order they arrive: the journal is the counter, so
 * each answer names the record that holds its increment.
 */
#include "net-service.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "say.h"
#include "workload-format.h"

bool net_service_start(NetService *s, unsigned port, bool token,
                       NetIncrement increment, void *opaque)
{
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_ANY),
    };
    int one = 1;

    *s = (NetService) { .token = token, .increment = increment,
                        .opaque = opaque };
    for (unsigned i = 0; i < NET_MAX_CLIENTS; i++) {
        s->clients[i].fd = -1;
    }
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->listen_fd < 0 ||
        setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
                   sizeof(one)) < 0 ||
        bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(s->listen_fd, NET_MAX_CLIENTS) < 0) {
        say(WL_ERROR " listen on port %u: %s", port, strerror(errno));
        return false;
    }
    return true;
}

static void drop(NetClient *c)
{
    close(c->fd);
    c->fd = -1;
    c->len = 0;
}

/*
 * A client that reconnects after a failover leaves its old connection
 * behind; the oldest goes when all places are taken, which is the one a
 * client no longer uses.
 */
static void accept_client(NetService *s)
{
    int fd = accept(s->listen_fd, NULL, NULL), one = 1;
    unsigned i;

    if (fd < 0) {
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (i = 0; i < NET_MAX_CLIENTS && s->clients[i].fd >= 0; i++) {
        /* find a free place */
    }
    if (i == NET_MAX_CLIENTS) {
        drop(&s->clients[0]);
        memmove(&s->clients[0], &s->clients[1],
                sizeof(NetClient) * (NET_MAX_CLIENTS - 1));
        i = NET_MAX_CLIENTS - 1;
    }
    s->clients[i] = (NetClient) { .fd = fd };
}

/* Answers the request @line; false: the connection must go. */
static bool answer(NetService *s, NetClient *c, const char *line)
{
    char out[96], *end;
    unsigned long long cseq;
    uint64_t value;
    struct timespec now;
    int n;

    if (strncmp(line, "REQ ", 4) != 0 ||
        (cseq = strtoull(line + 4, &end, 10), *end != '\0' || end == line + 4)) {
        say(WL_BAD " a request that is not REQ <number>: %.40s", line);
        return false;
    }
    if (!s->increment(s->opaque, &value)) {
        return false;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    n = s->token ?
        snprintf(out, sizeof(out), "ANS %llu %" PRIu64 " %lld%09ld\n", cseq,
                 value, (long long)now.tv_sec, now.tv_nsec) :
        snprintf(out, sizeof(out), "ANS %llu %" PRIu64 "\n", cseq, value);
    /* Answers are short: a socket buffer holds one whole. */
    return write(c->fd, out, n) == n;
}

/* Reads what @c sent and answers each whole line. */
static void serve_client(NetService *s, NetClient *c)
{
    ssize_t got = read(c->fd, c->line + c->len, sizeof(c->line) - 1 - c->len);
    char *nl;

    if (got <= 0) {
        drop(c);
        return;
    }
    c->len += got;
    c->line[c->len] = '\0';
    while ((nl = strchr(c->line, '\n'))) {
        *nl = '\0';
        if (!answer(s, c, c->line)) {
            drop(c);
            return;
        }
        c->len -= nl + 1 - c->line;
        memmove(c->line, nl + 1, c->len + 1);
    }
    if (c->len == sizeof(c->line) - 1) {
        say(WL_BAD " a request line longer than %zu bytes",
            sizeof(c->line) - 1);
        drop(c);
    }
}

void net_service_poll(NetService *s, int timeout_ms)
{
    struct pollfd fds[1 + NET_MAX_CLIENTS];
    NetClient *who[1 + NET_MAX_CLIENTS];
    unsigned n = 0;

    fds[n++] = (struct pollfd) { .fd = s->listen_fd, .events = POLLIN };
    for (unsigned i = 0; i < NET_MAX_CLIENTS; i++) {
        if (s->clients[i].fd >= 0) {
            who[n] = &s->clients[i];
            fds[n++] = (struct pollfd) { .fd = s->clients[i].fd,
                                         .events = POLLIN };
        }
    }
    if (poll(fds, n, timeout_ms) <= 0) {
        return;
    }
    for (unsigned i = 1; i < n; i++) {
        if (fds[i].revents) {
            serve_client(s, who[i]);
        }
    }
    /* After the clients: accepting may move them in the table. */
    if (fds[0].revents & POLLIN) {
        accept_client(s);
    }
}
