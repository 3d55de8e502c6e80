/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching a guest's serial output, which QEMU writes to a file: has it
 * printed a marker, is it still printing.  Waits are bounded (wait.h).
 */
#ifndef SHIM_SERIAL_H
#define SHIM_SERIAL_H

#include <glib.h>

/* The file's size so far, 0 while it does not exist. */
goffset serial_size(const char *path);

/* Waits until the output contains @marker. */
gboolean serial_wait_marker(const char *path, const char *marker,
                            gint64 deadline);

/* The line holding @marker, or NULL when there is none. */
char *serial_find_line(const char *path, const char *marker);

/* Waits until the output is longer than @from bytes. */
gboolean serial_wait_growth(const char *path, goffset from, gint64 deadline);

#endif
