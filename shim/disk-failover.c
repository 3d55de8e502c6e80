/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The disk cases' scenario and checks: the Linux guest's workload before
 * and after a failover, and the survivor's journal read from the host.
 */
#include "disk-failover.h"

#include "colo-disk.h"
#include "guest/linux/workload-format.h"
#include "serial.h"
#include "shim-error.h"
#include "virtio-query.h"
#include "wait.h"
#include "workload-log.h"

/* Time bounds in ms, scaled like the pair's. */
#define WORKLOAD_START_MS 120000    /* Linux boots under COLO, on TCG */
#define ACKS_MS 30000               /* the workload journals a few records */
#define POLL_MS 100

/* Records journalled before the failover, and after it by the survivor. */
#define ACKS_BEFORE 20
#define ACKS_AFTER 20

static const char *const console_errors[] = {
    WL_BAD, WL_ERROR, "COLO-LINUX-ERROR", NULL
};

/* Neither the workload nor the init said something is wrong. */
static gboolean console_clean(ColoPair *pair, ColoSide side, GError **errp)
{
    const char *path = colo_pair_serial_path(pair, side);

    for (const char *const *word = console_errors; *word; word++) {
        g_autofree char *line = serial_find_line(path, *word);

        if (line) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "the %s's guest says: %s", colo_side_name(side),
                        line);
            return FALSE;
        }
    }
    return TRUE;
}

typedef struct AckCount {
    const char *path;
    goffset from;
    guint want;
    WlAcks acks;
} AckCount;

static gboolean enough_acks(gpointer opaque, gboolean *enough, GError **errp)
{
    AckCount *c = opaque;

    if (!wl_read_acks(c->path, c->from, -1, &c->acks, errp)) {
        return FALSE;
    }
    *enough = c->acks.count >= c->want;
    return TRUE;
}

/* Waits until @side's workload acknowledged @want records after @from. */
static gboolean wait_acks(ColoPair *pair, ColoSide side, goffset from,
                          guint want, WlAcks *acks, GError **errp)
{
    AckCount c = { colo_pair_serial_path(pair, side), from, want };
    GError *err = NULL;

    wait_probe(enough_acks, &c, POLL_MS,
               deadline_after_ms(colo_pair_scaled_ms(pair, ACKS_MS)), &err);
    *acks = c.acks;
    if (err) {
        g_propagate_error(errp, err);
        return FALSE;
    }
    /* A workload that stopped journalling may have said why. */
    if (acks->count < want && !console_clean(pair, side, errp)) {
        return colo_pair_fail(pair, errp);
    }
    if (acks->count < want) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's workload acknowledged %u records, not %u, "
                    "in %u ms", colo_side_name(side), acks->count, want,
                    colo_pair_scaled_ms(pair, ACKS_MS));
        virtio_query_describe(pair, side, "virtio-blk", errp);
        return colo_pair_fail(pair, errp);
    }
    return TRUE;
}

/* The workload started under COLO and journals. */
static gboolean workload_runs(ColoPair *pair, GError **errp)
{
    const char *path = colo_pair_serial_path(pair, COLO_PRIMARY);
    guint ms = colo_pair_scaled_ms(pair, WORKLOAD_START_MS);
    gint64 until = deadline_after_ms(ms);
    WlAcks acks;

    if (!serial_wait_marker(path, WL_START, until)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the primary's workload did not start within %u ms", ms);
        return colo_pair_fail(pair, errp);
    }
    return wait_acks(pair, COLO_PRIMARY, 0, ACKS_BEFORE, &acks, errp) &&
           console_clean(pair, COLO_PRIMARY, errp);
}

/*
 * The survivor's journal against what was acknowledged: every record the
 * primary acknowledged before @mark (in the checkpoint the survivor
 * resumed from, or written by the survivor itself), and the survivor's
 * own acknowledgements since, in order, the journal ending after the last
 * of them or one later (a write done when the guest stopped, not yet
 * printed).
 */
static gboolean journal_agrees(ColoPair *pair, ColoSide survivor,
                               const WlAcks *before, const WlAcks *after,
                               GError **errp)
{
    g_autofree char *image = colo_disk_image(pair, survivor);
    g_autofree char *killed = NULL;
    guint64 records;
    WlAcks dead;

    if (!wl_read_journal(image, &records, errp)) {
        return FALSE;
    }
    /*
     * Records a dead primary wrote after the checkpoint reached the
     * secondary's parent image; the secondary's own run wrote its own in
     * their place (its active image), reading each sector first through
     * the hidden image, which must show it empty (colo-workload.c).
     */
    if (survivor == COLO_SECONDARY) {
        if (!wl_read_acks(colo_pair_serial_path(pair, COLO_PRIMARY), 0, -1,
                          &dead, errp)) {
            return FALSE;
        }
        killed = g_strdup_printf(" and up to %" G_GUINT64_FORMAT " when "
                                 "killed", dead.last);
    }
    g_test_message("journal: %" G_GUINT64_FORMAT " records; the primary "
                   "acknowledged up to %" G_GUINT64_FORMAT " before the "
                   "checkpoint%s, the %s %" G_GUINT64_FORMAT "..%"
                   G_GUINT64_FORMAT " after the failover", records,
                   before->last, killed ? killed : "",
                   colo_side_name(survivor), after->first, after->last);
    if (!after->in_order) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's acknowledgements after the failover jump to "
                    "%" G_GUINT64_FORMAT, colo_side_name(survivor),
                    after->out_of_order);
        return FALSE;
    }
    if (records <= before->last || after->first <= before->last ||
        records < after->last + 1 || records > after->last + 2) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's disk holds %" G_GUINT64_FORMAT " records; it "
                    "must hold record %" G_GUINT64_FORMAT " (acknowledged by "
                    "the primary before the checkpoint) and end after %"
                    G_GUINT64_FORMAT " or one later (the survivor's last "
                    "acknowledgement, its first was %" G_GUINT64_FORMAT ")",
                    colo_side_name(survivor), records, before->last,
                    after->last, after->first);
        return FALSE;
    }
    return TRUE;
}

/*
 * Waits for a whole checkpoint that holds what the primary acknowledged
 * so far (in *@before), then @checkpoints more and, if @during_checkpoint,
 * the secondary's stop for the next; then the peer of @survivor dies and
 * the survivor fails over.  *@since: the survivor's output by then.
 */
static gboolean fail_over(ColoPair *pair, guint checkpoints,
                          gboolean during_checkpoint, ColoSide survivor,
                          WlAcks *before, goffset *since, GError **errp)
{
    const char *primary_log = colo_pair_serial_path(pair, COLO_PRIMARY);
    goffset mark = serial_size(primary_log);

    if (!wl_read_acks(primary_log, 0, mark, before, errp) ||
        !colo_pair_wait_new_checkpoint(pair, errp) ||
        !colo_pair_wait_checkpoints(pair, checkpoints, errp) ||
        (during_checkpoint && !colo_pair_wait_checkpoint_begins(pair, errp))) {
        return FALSE;
    }
    /*
     * Half-way to the next checkpoint, as a crash would come: both sides
     * have journalled records since the last one.
     */
    if (!during_checkpoint) {
        wait_ms(colo_pair_config(pair)->checkpoint_delay_ms / 2);
    }
    colo_pair_kill(pair, colo_peer(survivor));
    if (!colo_pair_failover(pair, survivor, errp)) {
        return FALSE;
    }
    *since = colo_pair_guest_output(pair, survivor);
    return TRUE;
}

/* The survivor's disk is its own (the commit ended) and it journals on. */
static gboolean survivor_journals(ColoPair *pair, ColoSide survivor,
                                  goffset since, GError **errp)
{
    WlAcks after;

    return (survivor == COLO_PRIMARY || colo_disk_wait_commit(pair, errp)) &&
           wait_acks(pair, survivor, since, ACKS_AFTER, &after, errp) &&
           console_clean(pair, survivor, errp);
}

/* The survivor stops; its journal must agree with what was acknowledged. */
static gboolean survivor_disk_agrees(ColoPair *pair, ColoSide survivor,
                                     goffset since, const WlAcks *before,
                                     GError **errp)
{
    WlAcks after;

    /* The acknowledgements read once stopped: all of them. */
    return colo_pair_stop(pair, survivor, errp) &&
           console_clean(pair, survivor, errp) &&
           wl_read_acks(colo_pair_serial_path(pair, survivor), since, -1,
                        &after, errp) &&
           journal_agrees(pair, survivor, before, &after, errp);
}

gboolean colo_disk_failover_checked(ColoPair *pair, guint checkpoints,
                                    gboolean during_checkpoint,
                                    ColoSide survivor,
                                    DiskSurvivorCheck check, gpointer opaque,
                                    GError **errp)
{
    WlAcks before;
    goffset since;

    return workload_runs(pair, errp) &&
           fail_over(pair, checkpoints, during_checkpoint, survivor, &before,
                     &since, errp) &&
           survivor_journals(pair, survivor, since, errp) &&
           (!check || check(pair, survivor, opaque, errp)) &&
           survivor_disk_agrees(pair, survivor, since, &before, errp);
}

gboolean colo_disk_failover(ColoPair *pair, guint checkpoints,
                            gboolean during_checkpoint, ColoSide survivor,
                            GError **errp)
{
    return colo_disk_failover_checked(pair, checkpoints, during_checkpoint,
                                      survivor, NULL, NULL, errp);
}

gboolean colo_disk_reprotect(ColoPair *pair, guint checkpoints,
                             ColoSide first, GError **errp)
{
    return colo_disk_reprotect_checked(pair, checkpoints, first, NULL, NULL,
                                       NULL, errp);
}

gboolean colo_disk_reprotect_checked(ColoPair *pair, guint checkpoints,
                                     ColoSide first,
                                     DiskSurvivorCheck protected,
                                     DiskSurvivorCheck check,
                                     gpointer opaque, GError **errp)
{
    /* The roles after re-protection: the survivor is the primary. */
    ColoSide second = colo_peer(first);
    WlAcks before, acks;
    goffset since;

    if (!workload_runs(pair, errp) ||
        !fail_over(pair, checkpoints, FALSE, first, &before, &since, errp) ||
        !survivor_journals(pair, first, since, errp) ||
        !colo_pair_reprotect(pair, first, errp)) {
        return FALSE;
    }
    since = colo_pair_guest_output(pair, COLO_PRIMARY);
    return wait_acks(pair, COLO_PRIMARY, since, ACKS_BEFORE, &acks, errp) &&
           (!protected || protected(pair, COLO_PRIMARY, opaque, errp)) &&
           fail_over(pair, checkpoints, FALSE, second, &before, &since,
                     errp) &&
           survivor_journals(pair, second, since, errp) &&
           (!check || check(pair, second, opaque, errp)) &&
           survivor_disk_agrees(pair, second, since, &before, errp);
}
