/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A QMP client on json-glib: greeting, capability negotiation with OOB,
 * commands (in band and out of band) matched to their answers by id, and a
 * queue of events with QEMU's own timestamps.  Every call that waits takes a
 * monotonic deadline (wait.h) and fails with SHIM_ERROR_TIMEOUT past it.
 */
#ifndef SHIM_QMP_H
#define SHIM_QMP_H

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct QmpClient QmpClient;

typedef struct QmpEvent {
    char *name;
    JsonObject *data;           /* may be NULL */
    gint64 timestamp_us;        /* QEMU's wall clock when it was emitted */
} QmpEvent;

/* Connects to the QMP socket at @path; fails at once if nothing listens. */
QmpClient *qmp_connect(const char *path, const char *name, GError **errp);

/* Reads the greeting and enables OOB with qmp_capabilities. */
gboolean qmp_handshake(QmpClient *qmp, gint64 deadline, GError **errp);

/*
 * Runs @cmd with @args (consumed; may be NULL) and returns its "return"
 * value, or NULL with SHIM_ERROR_QMP carrying QEMU's error class and text.
 */
JsonNode *qmp_execute(QmpClient *qmp, const char *cmd, JsonObject *args,
                      gint64 deadline, GError **errp);

/* The same as an out-of-band command ("exec-oob"). */
JsonNode *qmp_execute_oob(QmpClient *qmp, const char *cmd, JsonObject *args,
                          gint64 deadline, GError **errp);

/* Sends @cmd without waiting for its answer (for "quit" on a dying QEMU). */
gboolean qmp_send(QmpClient *qmp, const char *cmd, JsonObject *args,
                  GError **errp);

/* Arguments of migrate-set-capabilities enabling the NULL-terminated @names. */
JsonObject *qmp_capabilities_args(const char *const *names);

/* Removes and returns the oldest queued event called @name, waiting for one. */
QmpEvent *qmp_wait_event(QmpClient *qmp, const char *name, gint64 deadline,
                         GError **errp);

/* Drops the queued events called @name; returns how many. */
guint qmp_drop_events(QmpClient *qmp, const char *name);

/* The number of queued events called @name. */
guint qmp_count_events(QmpClient *qmp, const char *name);

/* TRUE once QEMU closed the connection or the stream broke. */
gboolean qmp_is_closed(QmpClient *qmp);

/* The name given at connection, for messages. */
const char *qmp_name(QmpClient *qmp);

/* A client on an already connected stream socket (takes @fd). */
QmpClient *qmp_new_from_fd(int fd, const char *name, GError **errp);

void qmp_event_free(QmpEvent *event);
void qmp_close(QmpClient *qmp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QmpClient, qmp_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QmpEvent, qmp_event_free)

#endif
