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

/*
 * x-query-virtio-status of the device at @path, or with @queue >= 0
 * x-query-virtio-queue-status of that queue.
 */
static JsonNode *query(ColoPair *pair, ColoSide side, const char *path,
                       gint queue, GError **errp)
{
    JsonObject *args = json_object_new();

    json_object_set_string_member(args, "path", path);
    if (queue >= 0) {
        json_object_set_int_member(args, "queue", queue);
    }
    return colo_pair_execute(pair, side, queue >= 0 ?
                             "x-query-virtio-queue-status" :
                             "x-query-virtio-status", args, errp);
}

static gboolean status_disabled(JsonNode *status)
{
    return json_object_get_boolean_member_with_default(
               json_node_get_object(status), "disabled", FALSE);
}

gboolean virtio_query_disabled(ColoPair *pair, ColoSide side,
                               const char *name, gboolean *disabled,
                               GError **errp)
{
    g_autofree char *path = virtio_query_path(pair, side, name, errp);
    g_autoptr(JsonNode) status = path ? query(pair, side, path, -1, errp)
                                      : NULL;

    if (!status) {
        return FALSE;
    }
    *disabled = status_disabled(status);
    return TRUE;
}

void virtio_query_describe(ColoPair *pair, ColoSide side, const char *name,
                           GError **errp)
{
    g_autofree char *path = virtio_query_path(pair, side, name, NULL);
    g_autoptr(JsonNode) status = path ? query(pair, side, path, -1, NULL)
                                      : NULL;
    g_autoptr(JsonNode) q = status ? query(pair, side, path, 0, NULL) : NULL;
    JsonObject *o;

    if (!q) {
        shim_error_append(errp, "\n(the %s's %s could not be queried)",
                          colo_side_name(side), name);
        return;
    }
    o = json_node_get_object(q);
    shim_error_append(errp, "\nthe %s's %s: %s, queue 0: shadow-avail-idx %"
                      G_GINT64_FORMAT ", last-avail-idx %" G_GINT64_FORMAT
                      ", used-idx %" G_GINT64_FORMAT ", inuse %"
                      G_GINT64_FORMAT, colo_side_name(side), name,
                      status_disabled(status) ? "disabled" : "enabled",
                      json_object_get_int_member_with_default(
                          o, "shadow-avail-idx", -1),
                      json_object_get_int_member_with_default(
                          o, "last-avail-idx", -1),
                      json_object_get_int_member_with_default(
                          o, "used-idx", -1),
                      json_object_get_int_member_with_default(
                          o, "inuse", -1));
}
