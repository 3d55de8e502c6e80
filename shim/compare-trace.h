/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What colo-compare and the COLO checkpoints did, read from the primary's
 * trace file (colo-net.c has QEMU write it with -msg timestamp=on, so each
 * line starts "PID@SECONDS.MICROSECONDS:EVENT ", wall-clock time):
 *
 *   colo_compare_main : packet same and release packet
 *   colo_compare_main : packet different           (UDP, ICMP, other)
 *   colo_old_packet_check_found N                  (held past compare_timeout)
 *   colo_compare_tcp_info pri: ... pdlen= N ...    (a TCP payload matched)
 *   colo_send_message Send 'checkpoint-request' message
 *   colo_vm_state_change Change 'stop' => 'run'
 *
 * QEMU 10.0 traces no TCP mismatch: a TCP payload that differs only makes
 * colo-compare ask for a checkpoint, which is how the cases see it.
 */
#ifndef SHIM_COMPARE_TRACE_H
#define SHIM_COMPARE_TRACE_H

#include <glib.h>

typedef struct CompareCounts {
    guint same;             /* packets released as the secondary's same */
    guint different;        /* packets found different (not TCP) */
    guint expired;          /* packets held past compare_timeout */
    guint matched;          /* the primary's TCP payloads matched */
    guint checkpoints;      /* checkpoints begun (checkpoint-request) */
    gint64 last_resume_us;  /* the last 'stop' => 'run', or 0 */
} CompareCounts;

/*
 * Counts the events of the trace @path whose wall-clock time, in
 * microseconds since the epoch, is in [@from_us, @to_us] (@to_us 0: no
 * end).  A line without a time, or a last line still being written, is
 * not counted; FALSE only if the file cannot be read.
 */
gboolean compare_trace_count(const char *path, gint64 from_us, gint64 to_us,
                             CompareCounts *c, GError **errp);

#endif
