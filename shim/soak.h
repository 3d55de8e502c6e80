/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One long COLO session: many checkpoints, both QEMUs' threads, fds and
 * RSS sampled along the way (soak.c).
 */
#ifndef SHIM_SOAK_H
#define SHIM_SOAK_H

#include "colo-pair.h"

typedef struct SoakConfig {
    guint checkpoints;          /* in all */
    guint every;                /* checkpoints between two samples */
    const char *csv_path;       /* the samples, or NULL */
} SoakConfig;

/*
 * @sc->checkpoints checkpoints on a pair in COLO, sampling both sides every
 * @sc->every; fails when either grew after the warm-up beyond the bounds
 * in soak.c; then fails over to the secondary and checks it.
 */
gboolean soak_run(ColoPair *pair, const SoakConfig *sc, GError **errp);

#endif
