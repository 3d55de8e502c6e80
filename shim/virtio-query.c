/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "virtio-query.h"

#include "shim-error.h"

char *virtio_query_path(ColoPair *pair, ColoSide side, const char *name,
                        GError **errp)
{
    g_autoptr(JsonNode) devices = colo_pair_execute(pair, side,
                                                    "x-query-virtio", NULL,
                                                    errp);
    JsonArray *list;

    if (!devices) {
        return NULL;
    }
    list = json_node_get_array(devices);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *d = json_array_get_object_element(list, i);

        if (g_strcmp0(json_object_get_string_member_with_default(
                          d, "name", NULL), name) == 0) {
            return g_strdup(json_object_get_string_member(d, "path"));
        }
    }
    g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                "the %s has no %s device", colo_side_name(side), name);
    return NULL;
}

/* x-query-virtio-status, or x-query-virtio-queue-status of queue 0. */
static JsonNode *query(ColoPair *pair, ColoSide side, const char *name,
                       const char *cmd, GError **errp)
{
    g_autofree char *path = virtio_query_path(pair, side, name, errp);
    JsonObject *args;

    if (!path) {
        return NULL;
    }
    args = json_object_new();
    json_object_set_string_member(args, "path", path);
    if (g_str_equal(cmd, "x-query-virtio-queue-status")) {
        json_object_set_int_member(args, "queue", 0);
    }
    return colo_pair_execute(pair, side, cmd, args, errp);
}

gboolean virtio_query_disabled(ColoPair *pair, ColoSide side,
                               const char *name, gboolean *disabled,
                               GError **errp)
{
    g_autoptr(JsonNode) status = query(pair, side, name,
                                       "x-query-virtio-status", errp);

    if (!status) {
        return FALSE;
    }
    *disabled = json_object_get_boolean_member_with_default(
                    json_node_get_object(status), "disabled", FALSE);
    return TRUE;
}

void virtio_query_describe(ColoPair *pair, ColoSide side, const char *name,
                           GError **errp)
{
    g_autoptr(JsonNode) q = query(pair, side, name,
                                  "x-query-virtio-queue-status", NULL);
    gboolean disabled;
    JsonObject *o;

    if (!q || !virtio_query_disabled(pair, side, name, &disabled, NULL)) {
        shim_error_append(errp, "\n(the %s's %s could not be queried)",
                          colo_side_name(side), name);
        return;
    }
    o = json_node_get_object(q);
    shim_error_append(errp, "\nthe %s's %s: %s, queue 0: shadow-avail-idx %"
                      G_GINT64_FORMAT ", last-avail-idx %" G_GINT64_FORMAT
                      ", used-idx %" G_GINT64_FORMAT ", inuse %"
                      G_GINT64_FORMAT, colo_side_name(side), name,
                      disabled ? "disabled" : "enabled",
                      json_object_get_int_member_with_default(
                          o, "shadow-avail-idx", -1),
                      json_object_get_int_member_with_default(
                          o, "last-avail-idx", -1),
                      json_object_get_int_member_with_default(
                          o, "used-idx", -1),
                      json_object_get_int_member_with_default(
                          o, "inuse", -1));
}
