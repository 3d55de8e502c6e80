/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A COLO primary/secondary pair on loopback and the steps of a failover
 * scenario: migrate into COLO, take checkpoints, fail over to one side and
 * check that the survivor runs and its guest RAM is consistent.
 *
 * Every step is bounded (time bounds scale with ColoConfig.timeout_scale)
 * and, when it fails, its error says what it waited for, the last state of
 * both sides and the tail of each QEMU's log.
 */
#ifndef SHIM_COLO_PAIR_H
#define SHIM_COLO_PAIR_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "guest.h"
#include "link-proxy.h"
#include "memcheck.h"
#include "netns.h"

typedef enum ColoSide {
    COLO_PRIMARY,
    COLO_SECONDARY,
} ColoSide;

typedef struct ColoPair ColoPair;
typedef struct ColoConfig ColoConfig;

/* Runs on the primary paused before switchover (pause-before-switchover). */
typedef gboolean (*ColoSwitchoverHook)(ColoPair *pair, GError **errp);

/*
 * What a case family adds to the pair (colo-disk.c: disks and their
 * replication); each member may be NULL.
 */
typedef struct ColoPairHooks {
    /*
     * Whether the family can run here; FALSE with SHIM_ERROR_UNAVAILABLE
     * skips the case, saying why.
     */
    gboolean (*usable)(const ColoConfig *cfg, GError **errp);
    /*
     * Each time @side's QEMU starts: makes its files, named after @name as
     * the QEMU's own are (colo_pair_name()), and adds its arguments.
     */
    gboolean (*prepare_side)(ColoPair *pair, ColoSide side, const char *name,
                             GStrvBuilder *b, GError **errp);
    /* Once both sides are configured, before the primary migrates. */
    gboolean (*before_migrate)(ColoPair *pair, GError **errp);
    /* On the survivor, after the yank, before x-colo-lost-heartbeat. */
    gboolean (*at_failover)(ColoPair *pair, ColoSide survivor, GError **errp);
    /* On the survivor, after x-colo-lost-heartbeat. */
    gboolean (*after_failover)(ColoPair *pair, ColoSide survivor,
                               GError **errp);
} ColoPairHooks;

struct ColoConfig {
    const char *qemu_binary;
    const char *module_dir;         /* QEMU_MODULE_DIR for both, or NULL */
    const char *firmware_dir;       /* -L, or NULL: QEMU's own */
    const char *machine;            /* -machine: pc, q35, ... */
    const char *accel;              /* "tcg" (NULL) or "kvm"; not qtest */
    const char *kvm_device;         /* -accel kvm,device=; NULL: QEMU's */
    guint kvm_dirty_ring;           /* dirty-ring-size; 0: the dirty log */
    const char *workdir;            /* private, existing */
    guint multifd_channels;         /* 0: COLO without multifd */
    const char *zero_page_detection;/* NULL: QEMU's default */
    const char *compression;        /* multifd-compression; NULL: none */
    guint checkpoint_delay_ms;
    guint ram_mib;
    GuestLayout guest;
    /*
     * Boot the guest through SeaBIOS from a disk, as a PC does; FALSE: the
     * guest is its own firmware (-bios), which starts at once (on KVM here
     * SeaBIOS takes 4-5 s, emulated).
     */
    gboolean seabios;
    /*
     * The Linux guest instead (-kernel, -initrd, -append; linux-guest.h).
     * Its primary starts paused (-S), as COLO-FT.txt starts it: the guest
     * first runs under COLO, with both sides' disks still the same.
     */
    const char *linux_kernel;
    const char *linux_initrd;
    const char *linux_append;
    const ColoPairHooks *hooks;     /* or NULL */
    gboolean valgrind;
    const char *valgrind_supp;
    gboolean valgrind_origins;      /* --track-origins=yes */
    guint timeout_scale;            /* >= 1; e.g. 40 under valgrind */
    gboolean proxied;               /* migrate through a LinkProxy */
    /*
     * No guest code at all (-accel qtest): the test writes guest memory
     * through colo_pair_fill(), so it knows what every page must hold.
     */
    gboolean qtest;
    ColoSwitchoverHook at_switchover;   /* or NULL */
    /*
     * Run each side in a network namespace of its own, on a veth link with
     * this netem delay and rate (netns.h); not together with proxied.
     */
    gboolean netns;
    guint netns_delay_ms;
    guint netns_rate_mbit;          /* htb rate each way; 0: unshaped */
    /* An ordinary migration: neither x-colo nor return-path. */
    gboolean ordinary;
    guint64 max_bandwidth;          /* the primary's, bytes/s; 0: 4 GiB/s */
};

const char *colo_side_name(ColoSide side);

/* The other side of the pair. */
ColoSide colo_peer(ColoSide side);

/* Starts both QEMUs; the primary's guest is running when this returns. */
ColoPair *colo_pair_start(const ColoConfig *cfg, GError **errp);

/* Configures both sides, migrates, and waits until COLO runs. */
gboolean colo_pair_enter_colo(ColoPair *pair, GError **errp);

/*
 * The steps of colo_pair_enter_colo(), for a scenario that acts while the
 * migration runs: configure both sides and start migrating (returns at
 * once); then run the at_switchover hook when the primary pauses for it
 * and wait for the primary's migration @state ("colo", "completed"), for
 * an ordinary migration the secondary's too.
 */
gboolean colo_pair_migrate(ColoPair *pair, GError **errp);
gboolean colo_pair_finish_migration(ColoPair *pair, const char *state,
                                    GError **errp);

/*
 * Waits until @side's query-migrate says @state; fails, saying the state it
 * found, when the migration settles in another or the bound expires.
 */
gboolean colo_pair_wait_migration_state(ColoPair *pair, ColoSide side,
                                        const char *state, GError **errp);

/* Drops @side's queued QMP events called @name; returns how many. */
guint colo_pair_drop_events(ColoPair *pair, ColoSide side, const char *name);

/* What the pair was started with. */
const ColoConfig *colo_pair_config(ColoPair *pair);

/* Runs QMP @cmd (@args consumed, may be NULL) on @side; its return value. */
JsonNode *colo_pair_execute(ColoPair *pair, ColoSide side, const char *cmd,
                            JsonObject *args, GError **errp);

/*
 * The address @side listens on for its peer: 127.0.0.1, or its end of the
 * link between the two network namespaces (ColoConfig.netns).
 */
const char *colo_pair_address(ColoPair *pair, ColoSide side);

/* Whether @side runs in a network namespace of its own. */
gboolean colo_pair_in_netns(ColoPair *pair);

/* The two hosts (ColoConfig.netns), or NULL on loopback. */
NetnsLink *colo_pair_netns(ColoPair *pair);

/* The proxy between the two sides (ColoConfig.proxied), once migrating. */
LinkProxy *colo_pair_link(ColoPair *pair);

/* Waits for @n further checkpoints while both guests make progress. */
gboolean colo_pair_wait_checkpoints(ColoPair *pair, guint n, GError **errp);

/* QEMU's timestamps of one checkpoint's STOP and RESUME on both sides. */
typedef struct ColoCheckpointTimes {
    gint64 primary_stop_us, primary_resume_us;
    gint64 secondary_stop_us, secondary_resume_us;
} ColoCheckpointTimes;

/*
 * Waits for the next checkpoint and returns its timestamps: the primary's
 * pause is its RESUME minus its STOP.  The first call takes a checkpoint
 * that starts after it; each further call the one after the last timed.
 */
gboolean colo_pair_time_checkpoint(ColoPair *pair, ColoCheckpointTimes *t,
                                   GError **errp);

/*
 * The name of @side's QEMU, which its files carry: primary, secondary, and
 * secondary-N for the Nth secondary started by re-protection.
 */
const char *colo_pair_name(ColoPair *pair, ColoSide side);

/* How many secondaries re-protection has started so far. */
guint colo_pair_generation(ColoPair *pair);

/*
 * For a case family's own failed step: adds to @errp what both sides are
 * doing (state and log tail), as the pair's own steps do; FALSE.
 */
gboolean colo_pair_fail(ColoPair *pair, GError **errp);

/* @ms scaled as the pair's own time bounds are (timeout_scale). */
guint colo_pair_scaled_ms(ColoPair *pair, guint ms);

/* QMP stop on @side: its guest no longer runs. */
gboolean colo_pair_stop(ColoPair *pair, ColoSide side, GError **errp);

/* The file @side's guest prints to (its serial port). */
const char *colo_pair_serial_path(ColoPair *pair, ColoSide side);

/* Bytes the guest on @side has printed (one per pass with heartbeat 1). */
goffset colo_pair_guest_output(ColoPair *pair, ColoSide side);

/*
 * Waits for a whole checkpoint that starts after this call: what was
 * written before it is then part of the secondary's state.
 */
gboolean colo_pair_wait_new_checkpoint(ColoPair *pair, GError **errp);

/* qtest mode: sets @len bytes of @side's guest memory at @addr to @value. */
gboolean colo_pair_fill(ColoPair *pair, ColoSide side, guint64 addr,
                        guint64 len, guint8 value, GError **errp);

/* qtest mode: the guest's out of @width bytes to I/O @port on @side. */
gboolean colo_pair_port_write(ColoPair *pair, ColoSide side, guint width,
                              guint16 port, guint32 value, GError **errp);

/* Guest memory [@addr, @addr + @len) of @side, read with QMP pmemsave. */
guint8 *colo_pair_read_ram(ColoPair *pair, ColoSide side, guint64 addr,
                           guint64 len, GError **errp);

/* Waits until the secondary stops for its next checkpoint. */
gboolean colo_pair_wait_checkpoint_begins(ColoPair *pair, GError **errp);

/* Declares the peer of @survivor lost: OOB yank, then x-colo-lost-heartbeat. */
gboolean colo_pair_failover(ColoPair *pair, ColoSide survivor, GError **errp);

/*
 * OOB yank of @side's migration channels alone, as when that side, too,
 * notices its peer is gone (and would otherwise keep waiting on it).
 */
gboolean colo_pair_yank(ColoPair *pair, ColoSide side, GError **errp);

/* netns: the link between the two goes down, a network partition. */
gboolean colo_pair_partition(ColoPair *pair, GError **errp);

/* A second x-colo-lost-heartbeat on a survivor must be refused. */
gboolean colo_pair_failover_refused(ColoPair *pair, ColoSide side,
                                    GError **errp);

/* The process id of @side's QEMU (valgrind's, under valgrind). */
GPid colo_pair_pid(ColoPair *pair, ColoSide side);

/*
 * Back to protection after a failover to @survivor: the peer's QEMU ends
 * (under valgrind its report must be clean), a surviving secondary takes
 * the primary's place, and a fresh secondary QEMU, started where the peer
 * ran, receives the survivor with x-colo until COLO runs again: the
 * documentation's "resume replication", without disks and network
 * filters.  Refused, with the survivor left as it was, while the
 * survivor's migration has not ended (before a failover).
 */
gboolean colo_pair_reprotect(ColoPair *pair, ColoSide survivor, GError **errp);

/* SIGKILLs one side, as a crash would; it is not expected to report. */
void colo_pair_kill(ColoPair *pair, ColoSide side);

/* The survivor reports running and its guest keeps printing. */
gboolean colo_pair_check_runs(ColoPair *pair, ColoSide side, GError **errp);

/*
 * The survivor's guest clock (guest-clock.h) after failover: two stamps at
 * least; the primary's never went backwards in its whole run; the
 * secondary's, since the failover, only goes forwards and starts no
 * earlier than the primary's before the migration.
 */
gboolean colo_pair_check_clock(ColoPair *pair, ColoSide side, GError **errp);

/*
 * The survivor's guest memory still changes; once stopped it no longer
 * changes, and its page counters show the guest's pattern.
 */
gboolean colo_pair_check_ram(ColoPair *pair, ColoSide side, GError **errp);

/*
 * Ends both QEMUs with QMP quit (killing what does not quit in time).  Under
 * valgrind, fails when memcheck found errors or a definite leak in either,
 * or either wrote no report.
 */
gboolean colo_pair_finish(ColoPair *pair, GError **errp);

/* One side's memcheck report, once finished under valgrind; else NULL. */
const MemcheckReport *colo_pair_memcheck(ColoPair *pair, ColoSide side);

/* Finishes the pair if not done yet, and frees it. */
void colo_pair_free(ColoPair *pair);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ColoPair, colo_pair_free)

#endif
