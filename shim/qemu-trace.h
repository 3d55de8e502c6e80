/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's trace events as the shim reads them: the log backend writing to a
 * file of their own (-D), each line stamped with wall-clock time by -msg
 * timestamp=on, "PID@SECONDS.MICROSECONDS:EVENT ...", the clock of QMP's
 * event timestamps.
 */
#ifndef SHIM_QEMU_TRACE_H
#define SHIM_QEMU_TRACE_H

#include <glib.h>

/* The arguments that make a QEMU trace @events (NULL-ended) into @path. */
void qemu_trace_add_args(GStrvBuilder *b, const char *path,
                         const char *const *events);

/*
 * A trace line's time in microseconds since the epoch and where its event
 * name starts; FALSE for a line without a time (or one still being
 * written).
 */
gboolean qemu_trace_line_time(const char *line, gint64 *us,
                              const char **event);

#endif
