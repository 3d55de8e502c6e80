/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shim's one error domain: every failure a case reports carries a code. */
#ifndef SHIM_ERROR_H
#define SHIM_ERROR_H

#include <glib.h>

#define SHIM_ERROR (shim_error_quark())

typedef enum {
    SHIM_ERROR_CONFIG,      /* bad option or environment */
    SHIM_ERROR_PROCESS,     /* a QEMU could not start or died */
    SHIM_ERROR_TIMEOUT,     /* a bounded wait expired */
    SHIM_ERROR_QMP,         /* QEMU answered a command with an error */
    SHIM_ERROR_PROTOCOL,    /* QMP stream broken or not understood */
    SHIM_ERROR_CHECK,       /* a check of the guest or of COLO failed */
    SHIM_ERROR_UNAVAILABLE, /* the machine lacks what a case needs: skip */
} ShimErrorCode;

GQuark shim_error_quark(void);

/* Appends context to an error's message (GLib only has g_prefix_error). */
void shim_error_append(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
