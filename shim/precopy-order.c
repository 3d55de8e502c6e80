/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "precopy-order.h"

#include <string.h>

#include "shim-error.h"
#include "wait.h"

/*
 * The timeline the legacy-zero case builds, on a source rate-limited so
 * that each step takes long enough to see from outside:
 *
 *   pass 1 (bulk)  every page; the range is zero, its middle page PAGE
 *                  non-zero (on a channel); the test zeroes the range once
 *                  pc.ram, the first RAMBlock, has been sent.  The pass
 *                  ends with a multifd sync: it queued channel pages.
 *   pass 2         the range as zero pages on the main channel, nothing on
 *                  the channels; PAGE in the middle, ZERO_RANGE_PAGES / 2
 *                  zero pages after the sync.
 *   switchover     the test writes PAGE non-zero: it goes on a channel.
 *
 * The proxy holds the main channel for MAIN_DELAY_MS, the channels not at
 * all.  On the destination the receive threads wait at pass 1's sync until
 * the main thread reaches it; then they write the switchover's PAGE while
 * the main thread still has half of pass 2 to go through before PAGE's
 * zero page, unless a sync at the end of pass 2 holds them back.
 */
#define ZERO_RANGE_BASE   (16ULL << 20)
#define ZERO_RANGE_PAGES  8192
#define PAGE              (ZERO_RANGE_BASE + \
                           (guint64)ZERO_RANGE_PAGES / 2 * GUEST_PAGE_SIZE)
#define PAGE_BEFORE       0xaa
#define PAGE_AFTER        0xbb
/* About 10 bytes a zero page: pass 2 takes about 0.8 s. */
#define BANDWIDTH         100000
#define MAIN_DELAY_MS     3000
#define MAIN_CONNECTION   0
#define POLL_MS           20
#define BULK_MS           60000     /* pass 1, scaled */

static gboolean fill(ColoPair *pair, guint64 addr, guint64 len, guint8 value,
                     GError **errp)
{
    return colo_pair_fill(pair, COLO_PRIMARY, addr, len, value, errp);
}

/* The primary's page counters, from one query-migrate. */
typedef struct RamCounters {
    gint64 zero, normal, syncs;
} RamCounters;

static gboolean ram_counters(ColoPair *pair, RamCounters *c, GError **errp)
{
    g_autoptr(JsonNode) info = colo_pair_execute(pair, COLO_PRIMARY,
                                                 "query-migrate", NULL, errp);
    JsonObject *obj, *ram;
    const char *status;

    if (!info) {
        return FALSE;
    }
    obj = json_node_get_object(info);
    status = json_object_get_string_member_with_default(obj, "status", "?");
    *c = (RamCounters) { 0 };
    if (!json_object_has_member(obj, "ram")) {
        if (g_str_equal(status, "setup")) {
            return TRUE;            /* nothing sent yet */
        }
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROTOCOL,
                    "query-migrate shows no ram counters (migration %s)",
                    status);
        return FALSE;
    }
    ram = json_object_get_object_member(obj, "ram");
    c->zero = json_object_get_int_member_with_default(ram, "duplicate", 0);
    c->normal = json_object_get_int_member_with_default(ram, "normal", 0);
    c->syncs = json_object_get_int_member_with_default(ram,
                                                       "dirty-sync-count", 0);
    return TRUE;
}

/* Pages of the first RAMBlock, pc.ram: sent first in pass 1. */
static guint64 first_block_pages(ColoPair *pair)
{
    return (guint64)colo_pair_config(pair)->ram_mib << 20 >> 12;
}

typedef struct FirstBlockWait {
    ColoPair *pair;
    RamCounters counters;
    GError *error;
} FirstBlockWait;

/* Done once pc.ram is sent, or with an error; polls QMP every POLL_MS. */
static gboolean first_block_sent(gpointer opaque)
{
    FirstBlockWait *w = opaque;
    RamCounters *c = &w->counters;

    if (!ram_counters(w->pair, c, &w->error)) {
        return TRUE;
    }
    if (c->syncs > 1) {
        g_set_error(&w->error, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the first pass ended before the test saw pc.ram sent "
                    "(%" G_GINT64_FORMAT " pages sent): the bandwidth limit "
                    "did not hold it back", c->zero + c->normal);
        return TRUE;
    }
    if ((guint64)(c->zero + c->normal) >= first_block_pages(w->pair)) {
        return TRUE;
    }
    wait_ms(POLL_MS);
    return FALSE;
}

/*
 * Waits until pass 1 has sent pc.ram and returns the zero pages sent so
 * far, or -1.  Pass 1 must still be running: the range's zero pages must
 * come in a pass of their own.
 */
static gint64 wait_first_block_sent(ColoPair *pair, GError **errp)
{
    guint bound = BULK_MS * MAX(colo_pair_config(pair)->timeout_scale, 1);
    FirstBlockWait w = { .pair = pair };

    if (!wait_until(first_block_sent, &w, deadline_after_ms(bound))) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                    "the first pass sent %" G_GINT64_FORMAT " of pc.ram's "
                    "%" G_GUINT64_FORMAT " pages in %u ms",
                    w.counters.zero + w.counters.normal,
                    first_block_pages(pair), bound);
        return -1;
    }
    if (w.error) {
        g_propagate_error(errp, w.error);
        return -1;
    }
    return w.counters.zero;
}

static gint64 zero_pages_at_range_write = -1;

/*
 * At the switchover: pass 2 must have sent the range as zero pages (else
 * the case did not build its race), then PAGE changes once more.
 */
static gboolean page_changes_at_switchover(ColoPair *pair, GError **errp)
{
    RamCounters c;

    if (!ram_counters(pair, &c, errp)) {
        return FALSE;
    }
    if (c.zero - zero_pages_at_range_write < ZERO_RANGE_PAGES) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "before the switchover the source sent %" G_GINT64_FORMAT
                    " zero pages after the range was zeroed, not its %u: "
                    "the case did not set up its race",
                    c.zero - zero_pages_at_range_write, ZERO_RANGE_PAGES);
        return FALSE;
    }
    return fill(pair, PAGE, GUEST_PAGE_SIZE, PAGE_AFTER, errp);
}

void legacy_zero_order_configure(ColoConfig *cfg)
{
    g_assert(cfg->qtest && cfg->proxied);
    cfg->ordinary = TRUE;
    cfg->zero_page_detection = "legacy";
    cfg->max_bandwidth = BANDWIDTH;
    cfg->at_switchover = page_changes_at_switchover;
}

gboolean legacy_zero_order_scenario(ColoPair *pair, GError **errp)
{
    if (first_block_pages(pair) * GUEST_PAGE_SIZE <
        ZERO_RANGE_BASE + (guint64)ZERO_RANGE_PAGES * GUEST_PAGE_SIZE) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "needs --ram %llu or more",
                    (ZERO_RANGE_BASE >> 20) + (ZERO_RANGE_PAGES >> 8));
        return FALSE;
    }
    if (!fill(pair, ZERO_RANGE_BASE, ZERO_RANGE_PAGES * GUEST_PAGE_SIZE, 0,
              errp) ||
        !fill(pair, PAGE, GUEST_PAGE_SIZE, PAGE_BEFORE, errp)) {
        return FALSE;
    }
    if (!colo_pair_migrate(pair, errp)) {
        return FALSE;
    }
    /* From here on, or from its connection if that comes later. */
    link_proxy_set_delay(colo_pair_link(pair), MAIN_CONNECTION, MAIN_DELAY_MS);
    zero_pages_at_range_write = wait_first_block_sent(pair, errp);
    if (zero_pages_at_range_write < 0 ||
        !fill(pair, ZERO_RANGE_BASE, ZERO_RANGE_PAGES * GUEST_PAGE_SIZE, 0,
              errp)) {
        return FALSE;
    }
    return colo_pair_finish_migration(pair, "completed", errp) &&
           precopy_ram_identical(pair, errp);
}

/* Appends "START-END (N pages: source 0xSS, destination 0xDD)" for a run. */
static void describe_run(GString *out, const guint8 *src, const guint8 *dst,
                         guint64 start, guint64 end)
{
    g_string_append_printf(out, " 0x%" G_GINT64_MODIFIER "x-0x%"
                           G_GINT64_MODIFIER "x (%" G_GUINT64_FORMAT " pages, "
                           "first bytes 0x%02x there, 0x%02x here);", start,
                           end - 1, (end - start) / GUEST_PAGE_SIZE,
                           src[start], dst[start]);
}

gboolean precopy_ram_identical(ColoPair *pair, GError **errp)
{
    guint64 len = (guint64)colo_pair_config(pair)->ram_mib << 20;
    g_autofree guint8 *src = colo_pair_read_ram(pair, COLO_PRIMARY, 0, len,
                                                errp);
    g_autofree guint8 *dst = src ? colo_pair_read_ram(pair, COLO_SECONDARY, 0,
                                                      len, errp) : NULL;
    g_autoptr(GString) bad = g_string_new(NULL);
    guint64 wrong = 0, run_start = 0;
    gboolean in_run = FALSE;

    if (!dst) {
        return FALSE;
    }
    for (guint64 off = 0; off <= len; off += GUEST_PAGE_SIZE) {
        gboolean differs = off < len &&
                           memcmp(src + off, dst + off, GUEST_PAGE_SIZE) != 0;

        if (differs && !in_run) {
            run_start = off;
        } else if (!differs && in_run) {
            describe_run(bad, src, dst, run_start, off);
        }
        in_run = differs;
        wrong += differs;
    }
    if (wrong) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "after the migration %" G_GUINT64_FORMAT " of %"
                    G_GUINT64_FORMAT " pages differ between source (there) "
                    "and destination (here):%s", wrong,
                    len / GUEST_PAGE_SIZE, bad->str);
        return FALSE;
    }
    g_test_message("source and destination RAM identical (%" G_GUINT64_FORMAT
                   " pages)", len / GUEST_PAGE_SIZE);
    return TRUE;
}
