/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log of colo-net-client (net-client.c), read from the host: what a
 * client of the guest's TCP service saw across a COLO failover, and the
 * promise COLO makes to it.  One line per event, times in microseconds
 * since the client started:
 *
 *   START <t_us> <wall_us>         (first: the wall clock then, in us since
 *                                   the epoch, to set the client's times
 *                                   beside QEMU's trace)
 *   CONNECT <t_us> <attempt>
 *   ANS <t_us> <cseq> <value> <latency_us>
 *   LOST <t_us> <cseq> <reason>
 *   BAD <t_us> <text>
 *   FATAL <t_us> <text>
 *   STOP <t_us> <requests> <answers>
 *
 * The client writes the file while the harness reads it, so a last line
 * without its newline is still being written: it is not read.
 */
#ifndef SHIM_NET_LOG_H
#define SHIM_NET_LOG_H

#include <glib.h>

typedef struct NetLog {
    guint connects, answers, lost, bad;     /* lines of each kind */
    gboolean fatal, stopped;                /* a FATAL, a STOP line */
    guint64 start_wall_us;                  /* of the START line, or 0 */
    /* Of the last line read, of any kind: "from now on" for a later read. */
    guint64 end_t_us;
    /* Of the answers, when answers > 0; throughput: answers over the span. */
    guint64 first_t_us, last_t_us;
    guint64 first_value, last_value, last_cseq;
    /* Nearest-rank percentiles (stats.h) of the answers' latencies. */
    guint64 latency_p50_us, latency_p99_us, latency_max_us;
    double latency_mean_us;
    /*
     * The longest time between two consecutive answers: how long the
     * service was out of reach, which a latency alone does not show when
     * the connection was lost and made again.
     */
    guint64 max_gap_us;
} NetLog;

/*
 * Sums up the lines of the log @path whose time is at least @from_t_us (0:
 * all); end_t_us is that of the file's last line, read or not.  So a
 * harness takes end_t_us at a failover and reads again from end_t_us + 1:
 * log.answers > 0 says the client kept getting answers after it, and
 * first_t_us when the first came.  FALSE (SHIM_ERROR_CHECK) on a line that
 * cannot be parsed, naming it; @log is then not complete.
 */
gboolean net_log_read(const char *path, guint64 from_t_us, NetLog *log,
                      GError **errp);

/* The same, of the lines whose time is at most @to_t_us as well. */
gboolean net_log_read_span(const char *path, guint64 from_t_us,
                           guint64 to_t_us, NetLog *log, GError **errp);

/*
 * The promise COLO makes to a client, over the whole log @path: no BAD or
 * FATAL line; times never go backwards; the cseq of ANS and LOST lines
 * strictly increasing; each answer's value above the previous answer's,
 * by exactly one, or, with N LOST lines in between (each lost request may
 * or may not have been handled), by at most 1 + N.  FALSE
 * (SHIM_ERROR_CHECK) naming the first offending line, its number and text.
 */
gboolean net_log_check(const char *path, GError **errp);

#endif
