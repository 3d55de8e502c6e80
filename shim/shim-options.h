/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shim's command-line options and environment, and what they make of a
 * case: its ColoConfig and its private work directory.
 */
#ifndef SHIM_OPTIONS_H
#define SHIM_OPTIONS_H

#include <glib.h>

#include "colo-pair.h"

/* The machine types every matrix case runs on, unless --machine says. */
#define SHIM_DEFAULT_MACHINES "pc", "q35"
/*
 * The accelerators the cases that run guest code run on, unless --accel or
 * $COLO_SHIM_ACCEL (comma-separated) says; KVM's skip where it is unusable.
 */
#define SHIM_DEFAULT_ACCELS "tcg,kvm"
/* Under memcheck a TCG guest runs roughly 35-40x slower (DESIGN.md). */
#define SHIM_VALGRIND_TIMEOUT_SCALE 40

typedef struct ShimOptions {
    char *qemu_binary;          /* --qemu, else $QEMU_BINARY */
    char *module_dir;           /* --module-dir, else $QEMU_MODULE_DIR */
    char *firmware_dir;         /* --firmware-dir: -L; NULL: QEMU's own */
    char *valgrind_supp;
    char *zero_page_detection;
    gint channels;
    gint checkpoint_delay_ms;
    gint checkpoints;
    gint cycles;                /* re-protection cycles (reprotect.c) */
    gint soak_checkpoints;      /* the soak cases (soak.c) */
    gint soak_every;
    char *soak_csv_dir;
    gint ram_mib;
    gint guest_start_mib;
    gint guest_end_mib;
    gint heartbeat_passes;
    gint timeout_scale;         /* 0: 1, or the valgrind scale */
    gboolean valgrind;          /* --valgrind, or $COLO_SHIM_VALGRIND=1 */
    gboolean valgrind_origins;  /* --valgrind-origins, or $..._ORIGINS=1 */
    gboolean keep;              /* keep every case's files */
    char **only;                /* --only: case path prefixes to register */
    char **exclude;             /* --exclude: prefixes not to register */
    char **machines;            /* --machine, repeatable; default both */
    char **accels;              /* --accel, repeatable: tcg, kvm */
    char *kvm_device;           /* --kvm-device; NULL: /dev/kvm */
    gboolean seabios;           /* --seabios: boot through SeaBIOS */
    char *linux_kernel;         /* the disk cases' Linux guest, or NULL */
    char *linux_initrd;
    char *disk_fault;           /* --disk-fault, for tests of the checks */
    char *net_fault;            /* --net-fault, likewise */
    gboolean netns;             /* primary and secondary in two netns */
    gint netns_delay_ms;        /* netem delay on their link */
} ShimOptions;

/* The defaults; a program may change them before parsing. */
void shim_options_init(ShimOptions *opts);

/*
 * Parses and removes the shim's options, and @extra (NULL or a
 * NULL-terminated table of the program's own), from @argv (after
 * g_test_init took its own) and validates them; the error says which
 * option is wrong.
 */
gboolean shim_options_parse(ShimOptions *opts, const GOptionEntry *extra,
                            int *argc, char ***argv, GError **errp);

void shim_options_clear(ShimOptions *opts);

/*
 * The configuration of one case, on the first of the machines; @workdir is
 * borrowed.
 */
ColoConfig shim_colo_config(const ShimOptions *opts, const char *workdir);

/* A new private directory for one case's files. */
char *shim_make_workdir(void);

/* Removes a case's directory and everything in it. */
void shim_remove_workdir(const char *workdir);

#endif
