/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest's clock as its serial output shows it: with its heartbeats the
 * guest prints "T" and bits 26..57 of its TSC in hex whenever they change
 * (guest/bootsect.s), one stamp every 2^26 cycles (about 30 ms at 2 GHz).
 * A failover must not move the survivor's clock backwards.
 */
#ifndef SHIM_GUEST_CLOCK_H
#define SHIM_GUEST_CLOCK_H

#include <glib.h>

/* The stamps in @len bytes of serial output, in order, as guint32. */
GArray *guest_clock_stamps(const char *text, gsize len);

/*
 * Passes when the @n stamps of one execution start at @floor or later and
 * only go forwards, and there are two at least (the clock moved).  @what
 * names them in the error.
 */
gboolean guest_clock_advances(const guint32 *stamps, guint n, guint32 floor,
                              const char *what, GError **errp);

#endif
