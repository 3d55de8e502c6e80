/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-shim: the COLO failover matrix against a real QEMU, as GLib tests in
 * TAP mode.  Each case migrates a primary into COLO with a secondary, waits
 * for checkpoints, fails over to one side (optionally while the secondary is
 * stopped in a checkpoint) and checks the survivor.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "checkpoint-commands.h"
#include "colo-disk.h"
#include "colo-net.h"
#include "colo-pair.h"
#include "colo-steps.h"
#include "disk-failover.h"
#include "kvm.h"
#include "migrate-again.h"
#include "net-failover.h"
#include "precopy-order.h"
#include "reprotect.h"
#include "shim-options.h"
#include "soak.h"
#include "proxy-connections.h"
#include "virtio-checkpoint.h"
#include "qemu-proc.h"
#include "shim-error.h"
#include "wait.h"

typedef struct MatrixCase MatrixCase;

/* A scenario runs one case on a started pair; TRUE when it passed. */
typedef gboolean (*Scenario)(ColoPair *pair, const MatrixCase *c,
                             GError **errp);

struct MatrixCase {
    const char *path;           /* below /colo/<accel>/<machine>/ */
    Scenario scenario;
    gboolean multifd;
    ColoSide survivor;
    gboolean during_checkpoint;
    gboolean proxied;           /* migrate through a LinkProxy */
    gboolean qtest;             /* no guest code: the test writes the RAM */
    gboolean netns;             /* in two network namespaces, always */
    /* Sweeps: what differs from the options (0 / NULL: the options'). */
    guint channels;
    guint checkpoint_delay_ms;
    const char *compression;
    guint kvm_dirty_ring;       /* KVM's dirty ring: a KVM-only case */
    /* The case's own set-up, last; ColoConfig.ordinary: not COLO at all. */
    void (*configure)(ColoConfig *cfg);
};

/*
 * The one list of cases known to fail on the project's current QEMU, each
 * with its measured reason; they report TAP "not ok ... # TODO".  The
 * issues that fix QEMU remove entries; a listed case that passes fails.
 */
typedef struct KnownFailure {
    const char *path;
    const char *reason;
} KnownFailure;

static const KnownFailure known_failures[] = {
    { NULL, NULL }
};

static ShimOptions opts;

static const KnownFailure *known_failure(const char *path)
{
    for (const KnownFailure *k = known_failures; k->path; k++) {
        if (g_str_equal(k->path, path)) {
            return k;
        }
    }
    return NULL;
}

/* Upstream's matrix: fail over while idle or during a checkpoint. */
static gboolean failover_scenario(ColoPair *pair, const MatrixCase *c,
                                  GError **errp)
{
    return colo_steps_failover(pair, opts.checkpoints, c->during_checkpoint,
                               c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/* The first multifd channel: connection 0 is the main channel. */
#define MULTIFD_CONNECTION 1
#define LATE_CHANNEL_DELAY_MS 150

/*
 * One multifd channel lags, so at failover its packets of the unfinished
 * checkpoint are still arriving and queued in the secondary's socket, and
 * the receive threads drain them after the yank: they must neither touch
 * the released colo cache nor reach guest RAM (patch 0004).
 */
static gboolean late_packet_scenario(ColoPair *pair, const MatrixCase *c,
                                     GError **errp)
{
    link_proxy_set_delay(colo_pair_link(pair), MULTIFD_CONNECTION,
                         LATE_CHANNEL_DELAY_MS);
    if (!colo_pair_wait_checkpoints(pair, opts.checkpoints, errp) ||
        !colo_pair_wait_checkpoint_begins(pair, errp)) {
        return FALSE;
    }
    /* Reproducible with --seed: the TAP output starts with it. */
    wait_ms(g_test_rand_int_range(0, LATE_CHANNEL_DELAY_MS));
    return colo_pair_failover(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/* Long enough to hold a channel's bytes for the rest of a case. */
#define HOLD_MS (3600 * 1000)
/* Time for the rest of the checkpoint to reach the secondary. */
#define SETTLE_MS 200

/*
 * A multifd channel dies in the middle of a checkpoint, before its SYNC:
 * held back while the main channel goes on, so that the secondary waits
 * for that SYNC holding the BQL, then cut.  The wait must fail, or
 * x-colo-lost-heartbeat can never run (patch 0003).
 */
static gboolean channel_cut_scenario(ColoPair *pair, const MatrixCase *c,
                                     GError **errp)
{
    if (!colo_pair_wait_checkpoints(pair, opts.checkpoints, errp) ||
        !colo_pair_wait_checkpoint_begins(pair, errp)) {
        return FALSE;
    }
    link_proxy_set_delay(colo_pair_link(pair), MULTIFD_CONNECTION, HOLD_MS);
    wait_ms(SETTLE_MS * opts.timeout_scale);
    link_proxy_cut(colo_pair_link(pair), MULTIFD_CONNECTION);
    return colo_pair_failover(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/* The peer of the survivor dies without warning (SIGKILL). */
static gboolean peer_killed_scenario(ColoPair *pair, const MatrixCase *c,
                                     GError **errp)
{
    if (!colo_pair_wait_checkpoints(pair, opts.checkpoints, errp)) {
        return FALSE;
    }
    colo_pair_kill(pair, colo_peer(c->survivor));
    return colo_pair_failover(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/* The migration link goes away under both sides: every connection cut. */
static gboolean link_cut_scenario(ColoPair *pair, const MatrixCase *c,
                                  GError **errp)
{
    if (!colo_pair_wait_checkpoints(pair, opts.checkpoints, errp)) {
        return FALSE;
    }
    link_proxy_cut_all(colo_pair_link(pair));
    return colo_pair_failover(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/* Failover while the very first checkpoint is under way. */
static gboolean first_checkpoint_scenario(ColoPair *pair, const MatrixCase *c,
                                          GError **errp)
{
    return colo_pair_wait_checkpoint_begins(pair, errp) &&
           colo_pair_failover(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/* After a failover, another one is refused and the survivor runs on. */
static gboolean second_failover_scenario(ColoPair *pair, const MatrixCase *c,
                                         GError **errp)
{
    return colo_pair_wait_checkpoints(pair, opts.checkpoints, errp) &&
           colo_pair_failover(pair, c->survivor, errp) &&
           colo_pair_check_runs(pair, c->survivor, errp) &&
           colo_pair_failover_refused(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp);
}

/*
 * The RAM model of the qtest cases.  No guest code runs on either side, so
 * the test, writing the primary's pages through qtest, is their only
 * writer and the secondary's pages can only come from COLO: after a
 * checkpoint they must equal what was written before it, byte for byte.
 * Unlike the guest's loop, this leaves pages the secondary never touches
 * itself (a missing dirty mark shows) and turns pages back to all-zero
 * before the switchover and during COLO (zero pages must be cleared in the
 * first precopy and marked dirty in COLO).  The last round changes only a
 * few pages: QEMU sends a checkpoint that small on the main channel even
 * with multifd (patch 0009), the other rounds' on the multifd channels.
 */
#define MODEL_BASE (1 << 20)
#define MODEL_PAGES 256
#define MODEL_ROUNDS 6              /* 0: before migration, 1: switchover */
#define MODEL_SMALL_ROUND (MODEL_ROUNDS - 1)
#define MODEL_SMALL_STRIDE 32       /* 8 pages, far below QEMU's 64 */

static guint8 model[MODEL_PAGES];

/* What page @i holds after @round; unchanged pages keep the old value. */
static guint8 model_value(guint i, guint round, guint8 old)
{
    if (round == 0) {
        return i % 3 ? 1 + i % 251 : 0;
    }
    if (round == MODEL_SMALL_ROUND) {
        if (i % MODEL_SMALL_STRIDE) {
            return old;
        }
        return old ? 0 : 1 + (round * 37 + i) % 251;
    }
    if ((i + round) % 4 == 0) {
        return 0;
    }
    if ((i * 7 + round) % 5 == 0) {
        return 1 + (round * 37 + i) % 251;
    }
    return old;
}

static gboolean model_write_round(ColoPair *pair, guint round, GError **errp)
{
    for (guint i = 0; i < MODEL_PAGES; i++) {
        guint8 v = model_value(i, round, model[i]);

        if ((round == 0 || v != model[i]) &&
            !colo_pair_fill(pair, COLO_PRIMARY,
                            MODEL_BASE + (guint64)i * GUEST_PAGE_SIZE,
                            GUEST_PAGE_SIZE, v, errp)) {
            return FALSE;
        }
        model[i] = v;
    }
    return TRUE;
}

static gboolean model_at_switchover(ColoPair *pair, GError **errp)
{
    return model_write_round(pair, 1, errp);
}

/* Every byte of every page of @side's RAM against the model. */
static gboolean model_check(ColoPair *pair, ColoSide side, GError **errp)
{
    g_autofree guint8 *ram = colo_pair_read_ram(pair, side, MODEL_BASE,
                                                MODEL_PAGES * GUEST_PAGE_SIZE,
                                                errp);
    g_autoptr(GString) bad = g_string_new(NULL);
    guint wrong = 0;

    if (!ram) {
        return FALSE;
    }
    for (guint i = 0; i < MODEL_PAGES; i++) {
        const guint8 *page = ram + (gsize)i * GUEST_PAGE_SIZE;

        for (guint b = 0; b < GUEST_PAGE_SIZE; b++) {
            if (page[b] != model[i]) {
                if (++wrong <= 4) {
                    g_string_append_printf(bad, " page %u byte %u is 0x%02x, "
                                           "not 0x%02x;", i, b, page[b],
                                           model[i]);
                }
                break;
            }
        }
    }
    if (wrong) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's RAM differs from what was written on the "
                    "primary in %u of %u pages (first:%s)",
                    colo_side_name(side), wrong, MODEL_PAGES, bad->str);
        return FALSE;
    }
    return TRUE;
}

static gboolean ram_model_scenario(ColoPair *pair, const MatrixCase *c,
                                   GError **errp)
{
    for (guint round = 2; round < MODEL_ROUNDS; round++) {
        if (!model_write_round(pair, round, errp) ||
            !colo_pair_wait_new_checkpoint(pair, errp)) {
            return FALSE;
        }
    }
    return colo_pair_failover(pair, c->survivor, errp) &&
           colo_pair_check_runs(pair, c->survivor, errp) &&
           model_check(pair, c->survivor, errp);
}

/* Ordinary multifd migration: the series must not break it. */
static gboolean legacy_zero_order(ColoPair *pair, const MatrixCase *c,
                                  GError **errp)
{
    return legacy_zero_order_scenario(pair, errp);
}

/* A destination migrates on, and fails (migrate-again.c). */
static gboolean failed_outgoing_scenario(ColoPair *pair, const MatrixCase *c,
                                         GError **errp)
{
    return failed_outgoing_after_incoming(pair, errp);
}

static gboolean virtio_checkpoint_scenario(ColoPair *pair,
                                           const MatrixCase *c, GError **errp)
{
    return virtio_enabled_after_checkpoint(pair, errp);
}

/* COLO's network proxy, fed by the test, then failover (proxy-connections.c). */
static gboolean proxy_scenario(ColoPair *pair, const MatrixCase *c,
                               GError **errp)
{
    return proxy_connections_failover(pair, c->survivor, errp);
}

static gboolean proxy_misconfigured_scenario(ColoPair *pair,
                                             const MatrixCase *c,
                                             GError **errp)
{
    return proxy_compare_misconfigured(pair, errp);
}

static gboolean proxy_resumed_scenario(ColoPair *pair, const MatrixCase *c,
                                       GError **errp)
{
    return proxy_rewriter_resumed(pair, errp);
}

static void ordinary_configure(ColoConfig *cfg)
{
    cfg->ordinary = TRUE;
}

/* Failover, back to protection, failover, ... (reprotect.c). */
static gboolean reprotect_scenario(ColoPair *pair, const MatrixCase *c,
                                   GError **errp)
{
    return reprotect_cycles(pair, opts.cycles, opts.checkpoints, errp);
}

static gboolean reprotect_refused_scenario(ColoPair *pair, const MatrixCase *c,
                                           GError **errp)
{
    return reprotect_refused_in_colo(pair, opts.checkpoints, errp);
}

/* A cont to the case's survivor side at each of a few checkpoints. */
#define CONT_ROUNDS 5

static gboolean cont_scenario(ColoPair *pair, const MatrixCase *c,
                              GError **errp)
{
    return cont_during_checkpoints(pair, c->survivor, CONT_ROUNDS,
                                   opts.checkpoints, errp);
}

/* Many checkpoints in one session, both QEMUs sampled (soak.c). */
static gboolean soak_scenario(ColoPair *pair, const MatrixCase *c,
                              GError **errp)
{
    const ColoConfig *cfg = colo_pair_config(pair);
    g_autofree char *csv = opts.soak_csv_dir ?
        g_strdup_printf("%s/%s-%s-%s.csv", opts.soak_csv_dir,
                        cfg->accel ? cfg->accel : "tcg", cfg->machine,
                        c->multifd ? "multifd" : "plain") : NULL;
    SoakConfig sc = { opts.soak_checkpoints, opts.soak_every, csv };

    return soak_run(pair, &sc, errp);
}

/* The link between the two hosts goes down while a checkpoint is under way. */
static gboolean partition_scenario(ColoPair *pair, const MatrixCase *c,
                                   GError **errp)
{
    /*
     * The other side notices the partition too; without its yank it keeps
     * waiting on the dead link (the primary with the BQL held, 0002).
     */
    return colo_pair_wait_checkpoints(pair, opts.checkpoints, errp) &&
           colo_pair_wait_checkpoint_begins(pair, errp) &&
           colo_pair_partition(pair, errp) &&
           colo_pair_failover(pair, c->survivor, errp) &&
           colo_steps_survivor_ok(pair, c->survivor, errp) &&
           colo_pair_yank(pair, colo_peer(c->survivor), errp);
}

/* The Linux guest on replicated disks (colo-disk.c). */
static void disk_configure(ColoConfig *cfg)
{
    colo_disk_configure(cfg, opts.linux_kernel, opts.linux_initrd,
                        opts.disk_fault);
}

static gboolean disk_failover_scenario(ColoPair *pair, const MatrixCase *c,
                                       GError **errp)
{
    return colo_disk_failover(pair, opts.checkpoints, c->during_checkpoint,
                              c->survivor, errp);
}

/* The network on top of the disks (colo-net.c), with a client. */
static void net_configure(ColoConfig *cfg)
{
    colo_net_configure(cfg, opts.linux_kernel, opts.linux_initrd, FALSE,
                       opts.net_fault);
}

/* The same with answers that differ between the two VMs. */
static void net_differ_configure(ColoConfig *cfg)
{
    colo_net_configure(cfg, opts.linux_kernel, opts.linux_initrd, TRUE,
                       opts.net_fault);
}

static gboolean net_failover_scenario(ColoPair *pair, const MatrixCase *c,
                                      GError **errp)
{
    return colo_net_failover(pair, opts.checkpoints, c->during_checkpoint,
                             c->survivor, c->configure == net_differ_configure,
                             errp);
}

/* The same across re-protection, the filters added back. */
static gboolean net_reprotect_scenario(ColoPair *pair, const MatrixCase *c,
                                       GError **errp)
{
    return colo_net_reprotect(pair, opts.checkpoints, c->survivor,
                              c->configure == net_differ_configure, errp);
}

/* Re-protection with the disk after the survivor's failover. */
static gboolean disk_reprotect_scenario(ColoPair *pair, const MatrixCase *c,
                                        GError **errp)
{
    return colo_disk_reprotect(pair, opts.checkpoints, c->survivor, errp);
}

/*
 * The cases, after the scenarios they run.  Each runs once per accelerator
 * (--accel; qtest for the qtest cases) and machine type (--machine) as
 * /colo/<accel>/<machine>/<path>; -p and --only select by that path.
 */
static const MatrixCase matrix[] = {
    /* Upstream's eight: failover of either side, idle or mid-checkpoint. */
#define FAILOVER_CASES(kind, multifd) \
    { kind "/primary_failover", failover_scenario, multifd, \
      COLO_PRIMARY, FALSE }, \
    { kind "/secondary_failover", failover_scenario, multifd, \
      COLO_SECONDARY, FALSE }, \
    { kind "/primary_failover_checkpoint", failover_scenario, \
      multifd, COLO_PRIMARY, TRUE }, \
    { kind "/secondary_failover_checkpoint", failover_scenario, \
      multifd, COLO_SECONDARY, TRUE }
    FAILOVER_CASES("plain", FALSE),
    FAILOVER_CASES("multifd", TRUE),
#undef FAILOVER_CASES
    /* The same with the Linux guest journalling to its replicated disk. */
#define DISK_CASES(kind, multifd) \
    { "disk/" kind "/primary_failover", disk_failover_scenario, multifd, \
      COLO_PRIMARY, FALSE, .configure = disk_configure }, \
    { "disk/" kind "/secondary_failover", disk_failover_scenario, multifd, \
      COLO_SECONDARY, FALSE, .configure = disk_configure }, \
    { "disk/" kind "/primary_failover_checkpoint", disk_failover_scenario, \
      multifd, COLO_PRIMARY, TRUE, .configure = disk_configure }, \
    { "disk/" kind "/secondary_failover_checkpoint", disk_failover_scenario, \
      multifd, COLO_SECONDARY, TRUE, .configure = disk_configure }, \
    { "disk/" kind "/primary_failover_reprotect", disk_reprotect_scenario, \
      multifd, COLO_PRIMARY, .configure = disk_configure }, \
    { "disk/" kind "/secondary_failover_reprotect", disk_reprotect_scenario, \
      multifd, COLO_SECONDARY, .configure = disk_configure }
    DISK_CASES("plain", FALSE),
    DISK_CASES("multifd", TRUE),
#undef DISK_CASES
    /*
     * The network too, between two hosts and a client (always in network
     * namespaces): the client's answers survive the failover.
     */
#define NET_CASES(kind, multifd) \
    { "net/" kind "/primary_failover", net_failover_scenario, multifd, \
      COLO_PRIMARY, FALSE, .netns = TRUE, .configure = net_configure }, \
    { "net/" kind "/secondary_failover", net_failover_scenario, multifd, \
      COLO_SECONDARY, FALSE, .netns = TRUE, .configure = net_configure }, \
    { "net/" kind "/secondary_failover_differ", net_failover_scenario, \
      multifd, COLO_SECONDARY, FALSE, .netns = TRUE, \
      .configure = net_differ_configure }, \
    { "net/" kind "/primary_failover_reprotect", net_reprotect_scenario, \
      multifd, COLO_PRIMARY, FALSE, .netns = TRUE, \
      .configure = net_configure }, \
    { "net/" kind "/secondary_failover_reprotect", net_reprotect_scenario, \
      multifd, COLO_SECONDARY, FALSE, .netns = TRUE, \
      .configure = net_configure }
    NET_CASES("plain", FALSE),
    NET_CASES("multifd", TRUE),
#undef NET_CASES
    /* Core fixes 0003 and 0004, through a proxy on the migration link. */
    { "multifd/late_packet_secondary_failover", late_packet_scenario,
      TRUE, COLO_SECONDARY, TRUE, TRUE },
    { "multifd/channel_cut_secondary_failover", channel_cut_scenario,
      TRUE, COLO_SECONDARY, TRUE, TRUE },
    /* Real faults instead of a polite yank, each plain and multifd. */
#define FAULT_CASES(kind, multifd) \
    { kind "/primary_killed", peer_killed_scenario, multifd, \
      COLO_SECONDARY }, \
    { kind "/secondary_killed", peer_killed_scenario, multifd, \
      COLO_PRIMARY }, \
    { kind "/link_cut", link_cut_scenario, multifd, COLO_SECONDARY, \
      FALSE, TRUE }, \
    { kind "/first_checkpoint_failover", first_checkpoint_scenario, \
      multifd, COLO_SECONDARY, TRUE }, \
    { kind "/second_failover_refused", second_failover_scenario, \
      multifd, COLO_SECONDARY }
    FAULT_CASES("plain", FALSE),
    FAULT_CASES("multifd", TRUE),
#undef FAULT_CASES
    /* Back to protection after each failover, --cycles times. */
    { "plain/reprotect_cycles", reprotect_scenario, FALSE },
    { "multifd/reprotect_cycles", reprotect_scenario, TRUE },
    { "plain/reprotect_refused_in_colo", reprotect_refused_scenario, FALSE,
      COLO_SECONDARY },
    /* A cont while a checkpoint is under way (the side: .survivor). */
    { "plain/cont_primary_during_checkpoint", cont_scenario, FALSE,
      COLO_PRIMARY },
    { "plain/cont_secondary_during_checkpoint", cont_scenario, FALSE,
      COLO_SECONDARY },
    { "multifd/cont_secondary_during_checkpoint", cont_scenario, TRUE,
      COLO_SECONDARY },
    /* One long session at x-checkpoint-delay 100 (--soak-checkpoints). */
    { "soak/plain", soak_scenario, FALSE, .checkpoint_delay_ms = 100 },
    { "soak/multifd", soak_scenario, TRUE, .checkpoint_delay_ms = 100 },
    /* Every page checked, zero pages and dirty marks included. */
    { "plain/qtest_ram_consistency", ram_model_scenario, FALSE,
      COLO_SECONDARY, .qtest = TRUE },
    { "multifd/qtest_ram_consistency", ram_model_scenario, TRUE,
      COLO_SECONDARY, .qtest = TRUE },
    /* A virtio device the secondary's run disabled, and a checkpoint. */
    { "plain/qtest_virtio_enabled_after_checkpoint",
      virtio_checkpoint_scenario, FALSE, .qtest = TRUE,
      .configure = virtio_checkpoint_configure },
    /* COLO's network proxy over many short connections, no guest. */
    { "plain/qtest_proxy_primary_failover", proxy_scenario, FALSE,
      COLO_PRIMARY, .qtest = TRUE,
      .configure = proxy_connections_configure },
    { "plain/qtest_proxy_secondary_failover", proxy_scenario, FALSE,
      COLO_SECONDARY, .qtest = TRUE,
      .configure = proxy_connections_configure },
    { "plain/qtest_proxy_compare_misconfigured",
      proxy_misconfigured_scenario, FALSE, COLO_PRIMARY, .qtest = TRUE,
      .configure = proxy_connections_configure },
    { "plain/qtest_proxy_rewriter_resumed", proxy_resumed_scenario, FALSE,
      COLO_SECONDARY, .qtest = TRUE,
      .configure = proxy_connections_configure },
    /* Two hosts: a network partition in the middle of a checkpoint. */
    { "plain/partition_checkpoint", partition_scenario, FALSE,
      COLO_SECONDARY, TRUE, .netns = TRUE },
    { "multifd/partition_checkpoint", partition_scenario, TRUE,
      COLO_SECONDARY, TRUE, .netns = TRUE },
    /* Not COLO: a migration the series must leave intact (precopy-order.c). */
    { "precopy/multifd_legacy_zero_order", legacy_zero_order, TRUE,
      .proxied = TRUE, .qtest = TRUE,
      .configure = legacy_zero_order_configure },
    { "precopy/failed_outgoing_after_incoming", failed_outgoing_scenario,
      FALSE, .configure = ordinary_configure },

    /*
     * Sweeps, on the case that stresses a checkpoint most: secondary
     * failover during a checkpoint.  (One level below the machine type:
     * GLib's -p does not find cases below suites that hold only suites,
     * such as /colo/pc; --only does.)
     */
#define SWEEP(name, multifd, ...) \
    { "sweep/" name, failover_scenario, multifd, COLO_SECONDARY, TRUE, \
      __VA_ARGS__ }
    SWEEP("multifd_1_channel", TRUE, .channels = 1),
    SWEEP("multifd_2_channels", TRUE, .channels = 2),
    SWEEP("multifd_4_channels", TRUE, .channels = 4),
    SWEEP("multifd_8_channels", TRUE, .channels = 8),
    SWEEP("multifd_zlib", TRUE, .compression = "zlib"),
    SWEEP("multifd_zstd", TRUE, .compression = "zstd"),
    SWEEP("plain_delay_100", FALSE, .checkpoint_delay_ms = 100),
    SWEEP("multifd_delay_100", TRUE, .checkpoint_delay_ms = 100),
    SWEEP("plain_delay_2000", FALSE, .checkpoint_delay_ms = 2000),
    SWEEP("multifd_delay_2000", TRUE, .checkpoint_delay_ms = 2000),
    /* KVM only: the dirty ring instead of the dirty log (4096 entries). */
    SWEEP("plain_dirty_ring", FALSE, .kvm_dirty_ring = 4096),
    SWEEP("multifd_dirty_ring", TRUE, .kvm_dirty_ring = 4096),
#undef SWEEP
};

/* One case on one accelerator and machine type: a registered test. */
typedef struct MachineCase {
    const MatrixCase *c;
    const char *accel;          /* tcg, kvm, or qtest for the qtest cases */
    const char *machine;
    char *path;                 /* /colo/<accel>/<machine>/<c->path> */
} MachineCase;

/* One row of the summary printed after the run. */
typedef struct CaseResult {
    const char *path;
    const char *outcome;        /* pass, FAIL, skip or todo */
    double seconds;
    char *memcheck[2];          /* per side, under valgrind */
} CaseResult;

static GPtrArray *results;

static void record_memcheck(ColoPair *pair, CaseResult *res)
{
    for (ColoSide s = COLO_PRIMARY; s <= COLO_SECONDARY; s++) {
        const MemcheckReport *r = colo_pair_memcheck(pair, s);

        res->memcheck[s] = r ? memcheck_describe(r) : g_strdup("-");
    }
}

/* Starts the pair, enters COLO, runs the case's scenario, ends the pair. */
static gboolean run_case(const ColoConfig *cfg, const MatrixCase *c,
                         CaseResult *res, GError **errp)
{
    g_autoptr(ColoPair) pair = colo_pair_start(cfg, errp);
    gboolean ok;

    if (!pair) {
        return FALSE;
    }
    if (cfg->ordinary) {
        ok = c->scenario(pair, c, errp);
    } else {
        ok = (!c->qtest || model_write_round(pair, 0, errp)) &&
             colo_pair_enter_colo(pair, errp) && c->scenario(pair, c, errp);
    }
    /* Under valgrind, the reports written at exit can fail a case. */
    ok = colo_pair_finish(pair, ok ? errp : NULL) && ok;
    record_memcheck(pair, res);
    return ok;
}

/* TAP takes one line per result: details go into comment lines. */
static void report_details(const char *message)
{
    g_auto(GStrv) lines = g_strsplit(message, "\n", -1);

    for (gsize i = 1; lines[i]; i++) {
        g_test_message("%s", lines[i]);
    }
}

/*
 * Turns a case's outcome into TAP, honouring the known-failure list;
 * returns it in a word for the summary.
 */
static const char *report(const char *path, GError *err, char *workdir)
{
    const KnownFailure *known = known_failure(path);
    gboolean skipped = g_error_matches(err, SHIM_ERROR,
                                       SHIM_ERROR_UNAVAILABLE);
    g_autofree char *summary = NULL;

    if (err) {
        summary = g_strndup(err->message, strcspn(err->message, "\n"));
        report_details(err->message);
    }
    if ((err && !skipped) || opts.keep) {
        g_test_message("files kept in %s", workdir);
    } else {
        shim_remove_workdir(workdir);
    }
    if (skipped) {
        g_test_skip(summary);
        return "skip";
    } else if (err && known) {
        g_test_incomplete_printf("%s; this run: %s", known->reason, summary);
        return "todo";
    } else if (err) {
        g_test_fail_printf("%s", summary);
        return "FAIL";
    } else if (known) {
        g_test_fail_printf("passed, but is still listed as a known failure "
                           "(%s): remove it from known_failures", known->reason);
        return "FAIL";
    }
    return "pass";
}

static void test_case(gconstpointer data)
{
    const MachineCase *mc = data;
    const MatrixCase *c = mc->c;
    g_autofree char *workdir = shim_make_workdir();
    g_autoptr(GError) err = NULL;
    ColoConfig cfg = shim_colo_config(&opts, workdir);
    CaseResult *res = g_new0(CaseResult, 1);
    gint64 t0 = g_get_monotonic_time();

    cfg.machine = mc->machine;
    cfg.accel = c->qtest ? NULL : mc->accel;
    cfg.kvm_dirty_ring = c->kvm_dirty_ring;
    cfg.multifd_channels = !c->multifd ? 0 :
                           c->channels ? c->channels : (guint)opts.channels;
    if (c->checkpoint_delay_ms) {
        cfg.checkpoint_delay_ms = c->checkpoint_delay_ms;
    }
    if (c->compression) {
        cfg.compression = c->compression;
    }
    cfg.proxied = c->proxied;
    /* The proxy lives on loopback: its cases stay there. */
    cfg.netns = c->netns || (opts.netns && !c->proxied);
    cfg.qtest = c->qtest;
    cfg.at_switchover = c->qtest ? model_at_switchover : NULL;
    if (c->configure) {
        c->configure(&cfg);
    }
    res->path = mc->path;
    if (!run_case(&cfg, c, res, &err)) {
        /* Every failure carries its reason: the TAP line shows it. */
        g_assert(err);
    }
    res->seconds = (g_get_monotonic_time() - t0) / 1e6;
    g_ptr_array_add(results, res);
    g_test_message("%s: %.1f s", mc->path, res->seconds);
    res->outcome = report(mc->path, err, workdir);
}

static void free_result(gpointer data)
{
    CaseResult *res = data;

    g_free(res->memcheck[COLO_PRIMARY]);
    g_free(res->memcheck[COLO_SECONDARY]);
    g_free(res);
}

/* The run's summary, as TAP comments after the results. */
static void print_summary(void)
{
    g_print("# %-52s %-6s %8s  %-34s %s\n", "case", "result", "wall s",
            "memcheck primary", "memcheck secondary");
    for (guint i = 0; i < results->len; i++) {
        CaseResult *r = g_ptr_array_index(results, i);

        g_print("# %-52s %-6s %8.1f  %-34s %s\n", r->path,
                r->outcome, r->seconds,
                r->memcheck[COLO_PRIMARY] ? r->memcheck[COLO_PRIMARY] : "-",
                r->memcheck[COLO_SECONDARY] ? r->memcheck[COLO_SECONDARY] : "-");
    }
}

/*
 * Whether --only's @prefix selects @path: component by component, '*'
 * standing for any one component and the last a prefix of its own: with a
 * star in the machine type's place, one prefix selects the plain cases of
 * every machine type, and not the sweeps named plain_...
 */
static gboolean prefix_selects(const char *prefix, const char *path)
{
    g_auto(GStrv) want = g_strsplit(prefix, "/", -1);
    g_auto(GStrv) have = g_strsplit(path, "/", -1);
    guint n = g_strv_length(want);

    if (n > g_strv_length(have)) {
        return FALSE;
    }
    for (guint i = 0; i < n; i++) {
        gboolean last = i + 1 == n;

        if (!g_str_equal(want[i], "*") &&
            !(last ? g_str_has_prefix(have[i], want[i])
                   : g_str_equal(have[i], want[i]))) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean any_selects(char **prefixes, const char *path)
{
    for (char **prefix = prefixes; prefix && *prefix; prefix++) {
        if (prefix_selects(*prefix, path)) {
            return TRUE;
        }
    }
    return FALSE;
}

/* --only: GLib prints one TAP plan per -p, which makes invalid TAP. */
static gboolean selected(const char *path)
{
    return (!opts.only || any_selects(opts.only, path)) &&
           !any_selects(opts.exclude, path);
}

static void free_machine_case(gpointer data)
{
    MachineCase *mc = data;

    g_free(mc->path);
    g_free(mc);
}

static void register_case(GPtrArray *cases, const char *accel,
                          const char *machine, const MatrixCase *c)
{
    g_autofree char *path = g_strdup_printf("/colo/%s/%s/%s", accel, machine,
                                            c->path);
    MachineCase *mc;

    if (!selected(path)) {
        return;
    }
    mc = g_new0(MachineCase, 1);
    mc->c = c;
    mc->accel = accel;
    mc->machine = machine;
    mc->path = g_steal_pointer(&path);
    g_ptr_array_add(cases, mc);
    g_test_add_data_func(mc->path, mc, test_case);
}

/*
 * Registers every selected case once per accelerator and machine type
 * (they live in @cases); the qtest cases run no guest code, so they have
 * no accelerator to vary and run once per machine type.
 */
static void register_cases(GPtrArray *cases)
{
    for (char **m = opts.machines; *m; m++) {
        for (gsize i = 0; i < G_N_ELEMENTS(matrix); i++) {
            if (matrix[i].qtest) {
                register_case(cases, "qtest", *m, &matrix[i]);
            }
        }
    }
    for (char **a = opts.accels; *a; a++) {
        for (char **m = opts.machines; *m; m++) {
            for (gsize i = 0; i < G_N_ELEMENTS(matrix); i++) {
                if (!matrix[i].qtest && (!matrix[i].kvm_dirty_ring ||
                                         g_str_equal(*a, "kvm"))) {
                    register_case(cases, *a, *m, &matrix[i]);
                }
            }
        }
    }
}

static gboolean kvm_probe;

static const GOptionEntry matrix_entries[] = {
    { "kvm-probe", 0, 0, G_OPTION_ARG_NONE, &kvm_probe,
      "only say whether KVM can run guests here (exit 0) or why not "
      "(exit 1), as the KVM cases would", NULL },
    { NULL }
};

/* For scripts that choose the accelerator: the cases' own verdict. */
static int report_kvm_probe(void)
{
    g_autoptr(GError) err = NULL;

    if (!kvm_usable(opts.kvm_device, &err)) {
        g_print("%s\n", err->message);
        return 1;
    }
    g_print("KVM is usable here (%s)\n",
            opts.kvm_device ? opts.kvm_device : SHIM_KVM_DEVICE);
    return 0;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) cases =
        g_ptr_array_new_with_free_func(free_machine_case);
    int ret;

    setlocale(LC_ALL, "");
    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    shim_options_init(&opts);
    if (!shim_options_parse(&opts, matrix_entries, &argc, &argv, &err)) {
        /* TAP: a run that cannot start at all says so and stops. */
        g_print("Bail out! %s\n", err->message);
        return 1;
    }
    if (kvm_probe) {
        return report_kvm_probe();
    }
    qemu_proc_install_exit_handlers();
    register_cases(cases);
    results = g_ptr_array_new_with_free_func(free_result);
    ret = g_test_run();
    print_summary();
    g_ptr_array_unref(results);
    shim_options_clear(&opts);
    return ret;
}
