/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * On a QEMU that completed an incoming migration, query-migrate reports
 * both the incoming state and the state of any migration it started
 * since; the two share the error of a failed one.  Each query then builds
 * the answer from both, which is where a leak hid until 0012: every query
 * after a failed outgoing migration lost a copy of its error text.
 */
#include "migrate-again.h"

#include <glib/gstdio.h>

#include "shim-error.h"

/* Each query leaked once: several make the leak plain in the report. */
#define QUERIES 4

/* query-migrate on the secondary must say failed, with why. */
static gboolean reports_failure(ColoPair *pair, guint n, GError **errp)
{
    g_autoptr(JsonNode) info = colo_pair_execute(pair, COLO_SECONDARY,
                                                 "query-migrate", NULL, errp);
    JsonObject *obj;
    const char *status, *desc;

    if (!info) {
        return FALSE;
    }
    obj = json_node_get_object(info);
    status = json_object_get_string_member_with_default(obj, "status", "");
    desc = json_object_get_string_member_with_default(obj, "error-desc", "");
    if (!g_str_equal(status, "failed") || !*desc) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "query-migrate %u on the secondary after its failed "
                    "migration: status '%s', error-desc '%s'", n, status,
                    desc);
        return FALSE;
    }
    if (n == 0) {
        g_test_message("the secondary's failed migration: %s", desc);
    }
    return TRUE;
}

/* The secondary migrates to a socket path that does not exist. */
static gboolean migrate_nowhere(ColoPair *pair, GError **errp)
{
    g_autofree char *dir = g_dir_make_tmp("colo-shim-nowhere-XXXXXX", errp);
    g_autofree char *uri = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autoptr(GError) err = NULL;
    JsonObject *args;

    if (!dir) {
        return FALSE;
    }
    uri = g_strdup_printf("unix:%s/nobody-listens", dir);
    args = json_object_new();
    json_object_set_string_member(args, "uri", uri);
    /* The connect fails later, or at once; either way the state is failed. */
    ret = colo_pair_execute(pair, COLO_SECONDARY, "migrate", args, &err);
    g_rmdir(dir);
    if (!ret && !g_error_matches(err, SHIM_ERROR, SHIM_ERROR_QMP)) {
        g_propagate_prefixed_error(errp, g_steal_pointer(&err),
                                   "migrate on the secondary: ");
        return FALSE;
    }
    return colo_pair_wait_migration_state(pair, COLO_SECONDARY, "failed",
                                          errp);
}

gboolean failed_outgoing_after_incoming(ColoPair *pair, GError **errp)
{
    if (!colo_pair_migrate(pair, errp) ||
        !colo_pair_finish_migration(pair, "completed", errp) ||
        !migrate_nowhere(pair, errp)) {
        return FALSE;
    }
    for (guint n = 0; n < QUERIES; n++) {
        if (!reports_failure(pair, n, errp)) {
            return FALSE;
        }
    }
    return TRUE;
}
