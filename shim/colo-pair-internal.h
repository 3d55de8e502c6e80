/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What colo-pair.c shares with the file that checks a survivor for it
 * (colo-checks.c): the pair's state, its time bounds and the small helpers
 * every step uses.  Case families use colo-pair.h only.
 */
#ifndef SHIM_COLO_PAIR_INTERNAL_H
#define SHIM_COLO_PAIR_INTERNAL_H

#include "colo-pair.h"
#include "link-proxy.h"
#include "memcheck.h"
#include "netns.h"
#include "qemu-proc.h"
#include "qmp.h"
#include "qtest.h"
#include "wait.h"

/* Time bounds without valgrind, in ms; all are scaled by timeout_scale. */
#define START_MS            15000   /* QEMU up and QMP negotiated */
#define GUEST_START_MS      15000   /* the guest's start marker */
#define COMMAND_MS          10000   /* an ordinary QMP command */
#define ENTER_COLO_MS       90000   /* precopy converged, COLO running */
#define CHECKPOINT_SLACK_MS 30000   /* on top of the checkpoint delay */
#define FAILOVER_MS         30000   /* survivor running again */
#define PROGRESS_MS         15000   /* serial output grows */
#define QUIT_MS             10000   /* QMP quit until exit */

#define POLL_MS 50

struct ColoPair {
    ColoConfig cfg;
    QemuProc *side[2];
    char *guest_path;           /* its disk image or firmware */
    gboolean finished;
    MemcheckReport memcheck[2];
    LinkProxy *link;
    gint64 last_timed_us;       /* the last timed checkpoint's RESUME */
    gboolean killed[2];
    QtestClient *qtest[2];
    NetnsLink *netns;
    goffset migrate_printed;    /* the primary's output when migrate began */
    goffset failover_printed;   /* the survivor's output at the failover */
    goffset primary_since;      /* the primary's output before it was one */
    guint host[2];              /* each side's namespace: its netns end */
    guint generation;           /* secondaries started after the first */
};

static inline guint scaled(const ColoPair *pair, guint ms)
{
    return ms * MAX(pair->cfg.timeout_scale, 1);
}

static inline gint64 deadline(const ColoPair *pair, guint ms)
{
    return deadline_after_ms(scaled(pair, ms));
}

static inline QmpClient *qmp_of(ColoPair *pair, ColoSide side)
{
    return qemu_proc_qmp(pair->side[side]);
}

static inline const char *serial_path(ColoPair *pair, ColoSide side)
{
    return qemu_proc_serial_path(pair->side[side]);
}

/* Adds to a failed step's error what both sides were doing; FALSE. */
gboolean pair_fail(ColoPair *pair, GError **errp);

/* QMP @cmd on @side (@args consumed), its answer dropped. */
gboolean pair_run(ColoPair *pair, ColoSide side, const char *cmd,
                  JsonObject *args, GError **errp);

/* The guest on @side prints more than it had when @from was read. */
gboolean pair_wait_serial_growth(ColoPair *pair, ColoSide side, goffset from,
                                 GError **errp);

/* The guest checks its own RAM on every pass and says when it is wrong. */
gboolean pair_guest_found_no_error(ColoPair *pair, ColoSide side,
                                   GError **errp);

#endif
