/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The workload's TCP service (serve=PORT): a client sends "REQ <cseq>",
 * the service journals one record and answers "ANS <cseq> <record>", so
 * that an answer a client holds is a promise about the guest's disk and
 * RAM.  With a token (differ=1) each answer also carries the guest's
 * monotonic clock in nanoseconds, which a primary and its secondary never
 * share: every answer then differs between the two (colo-compare's
 * mismatch case).  Plain libc: the workload is static.
 */
#ifndef NET_SERVICE_H
#define NET_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#define NET_MAX_CLIENTS 8

/* Journals one increment; its number in *@value, false if it cannot. */
typedef bool (*NetIncrement)(void *opaque, uint64_t *value);

typedef struct NetClient {
    int fd;                     /* -1: free */
    char line[64];
    unsigned len;
} NetClient;

typedef struct NetService {
    int listen_fd;
    bool token;
    NetClient clients[NET_MAX_CLIENTS];
    NetIncrement increment;
    void *opaque;
} NetService;

/* Listens on @port of every address; false (said why) if it cannot. */
bool net_service_start(NetService *s, unsigned port, bool token,
                       NetIncrement increment, void *opaque);

/* Serves what arrives within @timeout_ms, then returns. */
void net_service_poll(NetService *s, int timeout_ms);

#endif
