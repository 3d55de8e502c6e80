/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guest-clock.h"

#include "shim-error.h"

#define STAMP_DIGITS 8

static gboolean is_stamp(const char *at, const char *end)
{
    if (end - at < STAMP_DIGITS + 2 || at[0] != 'T' ||
        at[STAMP_DIGITS + 1] != '\n') {
        return FALSE;
    }
    for (int i = 1; i <= STAMP_DIGITS; i++) {
        /* The guest prints lower case only. */
        if (!g_ascii_isdigit(at[i]) && !(at[i] >= 'a' && at[i] <= 'f')) {
            return FALSE;
        }
    }
    return TRUE;
}

GArray *guest_clock_stamps(const char *text, gsize len)
{
    GArray *stamps = g_array_new(FALSE, FALSE, sizeof(guint32));
    const char *end = text + len;

    /* The output holds heartbeats and markers too, NUL bytes maybe. */
    for (const char *at = text; at < end; at++) {
        if (is_stamp(at, end)) {
            guint32 v = g_ascii_strtoull(at + 1, NULL, 16);

            g_array_append_val(stamps, v);
            at += STAMP_DIGITS + 1;
        }
    }
    return stamps;
}

gboolean guest_clock_advances(const guint32 *stamps, guint n, guint32 floor,
                              const char *what, GError **errp)
{
    if (n < 2) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "%s: %u clock stamps, too few to see the clock move",
                    what, n);
        return FALSE;
    }
    if (stamps[0] < floor) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "%s: the guest's clock starts at %08x, before %08x "
                    "(units of 2^26 TSC cycles)", what, stamps[0], floor);
        return FALSE;
    }
    /* One execution prints a stamp only when it changed. */
    for (guint i = 1; i < n; i++) {
        if (stamps[i] <= stamps[i - 1]) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "%s: the guest's clock went backwards at stamp %u "
                        "of %u: %08x after %08x (units of 2^26 TSC cycles)",
                        what, i + 1, n, stamps[i], stamps[i - 1]);
            return FALSE;
        }
    }
    return TRUE;
}
