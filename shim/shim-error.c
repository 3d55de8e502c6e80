/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "shim-error.h"

G_DEFINE_QUARK(colo-shim-error-quark, shim_error)

void shim_error_append(GError **errp, const char *fmt, ...)
{
    g_autofree char *more = NULL;
    char *msg;
    va_list ap;

    if (!errp || !*errp) {
        return;
    }
    va_start(ap, fmt);
    more = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat((*errp)->message, more, NULL);
    g_free((*errp)->message);
    (*errp)->message = msg;
}
