/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The survivor's checks after a failover (colo-pair.h): it runs, its
 * guest's clock goes forwards, its RAM holds the guest's pattern.
 */
#include "colo-pair-internal.h"

#include <glib/gstdio.h>

#include "guest.h"
#include "guest-clock.h"
#include "serial.h"
#include "shim-error.h"

typedef struct RunningWait {
    ColoPair *pair;
    ColoSide side;
    gboolean running;
    GError *error;
} RunningWait;

static gboolean vm_running(gpointer opaque)
{
    RunningWait *w = opaque;
    g_autoptr(JsonNode) status = NULL;

    g_clear_error(&w->error);
    status = qmp_execute(qmp_of(w->pair, w->side), "query-status", NULL,
                         deadline(w->pair, COMMAND_MS), &w->error);
    if (!status) {
        return TRUE;
    }
    w->running = json_object_get_boolean_member(json_node_get_object(status),
                                                "running");
    if (!w->running) {
        wait_ms(POLL_MS);
    }
    return w->running;
}

gboolean colo_pair_check_runs(ColoPair *pair, ColoSide side, GError **errp)
{
    RunningWait w = { .pair = pair, .side = side };
    goffset printed;

    wait_until(vm_running, &w, deadline(pair, FAILOVER_MS));
    if (w.error) {
        g_propagate_prefixed_error(errp, w.error, "after failover: ");
        return pair_fail(pair, errp);
    }
    if (!w.running) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s does not report running %u ms after failover",
                    colo_side_name(side), scaled(pair, FAILOVER_MS));
        return pair_fail(pair, errp);
    }
    if (pair->cfg.qtest) {
        return TRUE;
    }
    printed = serial_size(serial_path(pair, side));
    if (!pair_wait_serial_growth(pair, side, printed, errp) ||
        !pair_guest_found_no_error(pair, side, errp)) {
        g_prefix_error(errp, "after failover: ");
        return pair_fail(pair, errp);
    }
    g_test_message("after failover the %s runs, its guest still printing "
                   "(serial %" G_GOFFSET_FORMAT " -> %" G_GOFFSET_FORMAT
                   " bytes)", colo_side_name(side), printed,
                   serial_size(serial_path(pair, side)));
    return TRUE;
}

/* The clock stamps @side's guest printed in [@from, @to); @to < 0: all. */
static GArray *clock_stamps(ColoPair *pair, ColoSide side, goffset from,
                            goffset to)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!g_file_get_contents(serial_path(pair, side), &text, &len, NULL)) {
        return guest_clock_stamps("", 0);
    }
    len = to < 0 ? len : MIN(len, (gsize)to);
    from = MIN((gsize)from, len);
    return guest_clock_stamps(text + from, len - from);
}

typedef struct StampsWait {
    ColoPair *pair;
    ColoSide side;
} StampsWait;

static gboolean two_stamps_since_failover(gpointer opaque)
{
    StampsWait *w = opaque;
    g_autoptr(GArray) stamps = clock_stamps(w->pair, w->side,
                                            w->pair->failover_printed, -1);

    return stamps->len >= 2;
}

gboolean colo_pair_check_clock(ColoPair *pair, ColoSide side, GError **errp)
{
    StampsWait w = { pair, side };
    g_autoptr(GArray) before = NULL, stamps = NULL;
    guint32 floor = 0;

    if (pair->cfg.qtest || pair->cfg.guest.start == pair->cfg.guest.end) {
        return TRUE;            /* no guest code, or one that only halts */
    }
    wait_until(two_stamps_since_failover, &w, deadline(pair, PROGRESS_MS));
    before = clock_stamps(pair, COLO_PRIMARY, 0, pair->migrate_printed);
    if (side == COLO_SECONDARY && before->len) {
        /* Its state, clock included, came from there. */
        floor = g_array_index(before, guint32, before->len - 1);
    }
    /*
     * The primary's run since it became one is one execution; before the
     * failover each checkpoint replaced the secondary's.
     */
    stamps = clock_stamps(pair, side, side == COLO_PRIMARY ?
                          pair->primary_since : pair->failover_printed, -1);
    if (!guest_clock_advances((guint32 *)stamps->data, stamps->len, floor,
                              side == COLO_PRIMARY ? "the primary's run" :
                              "the secondary since the failover", errp)) {
        return pair_fail(pair, errp);
    }
    g_test_message("the %s's clock: %u stamps %s, forwards only, "
                   "%08x..%08x%s", colo_side_name(side), stamps->len,
                   side == COLO_PRIMARY ? "in its whole run" :
                   "since the failover",
                   g_array_index(stamps, guint32, 0),
                   g_array_index(stamps, guint32, stamps->len - 1),
                   side == COLO_PRIMARY || before->len ? "" :
                   " (no floor: the primary had printed no stamp when the "
                   "migration began)");
    return TRUE;
}

guint8 *colo_pair_read_ram(ColoPair *pair, ColoSide side, guint64 addr,
                           guint64 len, GError **errp)
{
    g_autofree char *path = g_build_filename(pair->cfg.workdir, "ram.dump",
                                             NULL);
    JsonObject *args = json_object_new();
    char *data = NULL;
    gsize got;

    json_object_set_int_member(args, "val", addr);
    json_object_set_int_member(args, "size", len);
    json_object_set_string_member(args, "filename", path);
    if (!pair_run(pair, side, "pmemsave", args, errp) ||
        !g_file_get_contents(path, &data, &got, errp)) {
        return NULL;
    }
    g_unlink(path);
    if (got != len) {
        g_free(data);
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROTOCOL,
                    "pmemsave wrote %" G_GSIZE_FORMAT " bytes, not %"
                    G_GUINT64_FORMAT, got, len);
        return NULL;
    }
    return (guint8 *)data;
}

/* Reads the guest's range through QMP pmemsave, not through the guest. */
static guint8 *read_guest_range(ColoPair *pair, ColoSide side, gsize *len,
                                GError **errp)
{
    *len = pair->cfg.guest.end - pair->cfg.guest.start;
    return colo_pair_read_ram(pair, side, pair->cfg.guest.start, *len, errp);
}

/* Time a stopped guest gets to show it still runs, at the least. */
#define STOPPED_MIN_MS 100

/*
 * Two reads of the range, far enough apart for one guest pass; the pages
 * that differ.  Running, the guest's output says when a pass is done, and
 * how long that took goes to @pass_us; stopped, the reads are that far
 * apart (TCG under memcheck takes seconds a pass, KVM well under a
 * millisecond).  The second read goes to @last if not NULL (under
 * valgrind each read of the range takes seconds).
 */
static gsize pages_changing(ColoPair *pair, ColoSide side, gboolean running,
                            gint64 *pass_us, guint8 **last, GError **errp)
{
    g_autofree guint8 *a = NULL, *b = NULL;
    gsize changed, len;
    goffset printed;
    gint64 t0;

    a = read_guest_range(pair, side, &len, errp);
    if (!a) {
        return 0;
    }
    printed = serial_size(serial_path(pair, side));
    t0 = g_get_monotonic_time();
    if (running) {
        if (!pair_wait_serial_growth(pair, side, printed, errp)) {
            return 0;
        }
        *pass_us = g_get_monotonic_time() - t0;
    } else {
        wait_ms(MAX(STOPPED_MIN_MS, *pass_us / 1000));
    }
    b = read_guest_range(pair, side, &len, errp);
    if (!b) {
        return 0;
    }
    changed = guest_count_changed_pages(a, b, len);
    if (last) {
        *last = g_steal_pointer(&b);
    }
    return changed;
}

gboolean colo_pair_check_ram(ColoPair *pair, ColoSide side, GError **errp)
{
    g_autofree guint8 *ram = NULL;
    GError *err = NULL;
    gsize len, changed;
    gint64 pass_us = 0;

    changed = pages_changing(pair, side, TRUE, &pass_us, NULL, &err);
    if (changed == 0) {
        if (!err) {
            g_set_error(&err, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "the guest's memory did not change while running");
        }
        goto fail;
    }
    if (!pair_run(pair, side, "stop", NULL, &err)) {
        goto fail;
    }
    if (pages_changing(pair, side, FALSE, &pass_us, &ram, &err) != 0 || err) {
        if (!err) {
            g_set_error(&err, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "the guest's memory changed while stopped");
        }
        goto fail;
    }
    len = pair->cfg.guest.end - pair->cfg.guest.start;
    if (guest_check_pages(&pair->cfg.guest, ram, &err)) {
        g_test_message("the %s's RAM: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                       " pages changed while it ran, none after stop, every "
                       "page as the guest's pattern says",
                       colo_side_name(side), changed, len / GUEST_PAGE_SIZE);
        return TRUE;
    }
fail:
    g_propagate_prefixed_error(errp, err, "checking the %s's RAM: ",
                               colo_side_name(side));
    return pair_fail(pair, errp);
}
