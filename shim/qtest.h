/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal client of QEMU's qtest protocol, for writing guest memory on a
 * QEMU that runs no guest code (-accel qtest): the test itself is the only
 * writer, so it knows what every page must hold.
 */
#ifndef SHIM_QTEST_H
#define SHIM_QTEST_H

#include <glib.h>

typedef struct QtestClient QtestClient;

/* Connects to QEMU's qtest socket (-qtest unix:PATH,server=on,wait=off). */
QtestClient *qtest_connect(const char *path, GError **errp);

/* Sets @len bytes of guest-physical memory at @addr to @value. */
gboolean qtest_memset(QtestClient *qt, guint64 addr, guint64 len,
                      guint8 value, guint timeout_ms, GError **errp);

/* An I/O port write of @width bytes (1, 2 or 4), as the guest's out. */
gboolean qtest_out(QtestClient *qt, guint width, guint16 port, guint32 value,
                   guint timeout_ms, GError **errp);

void qtest_close(QtestClient *qt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QtestClient, qtest_close)

#endif
