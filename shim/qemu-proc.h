/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One QEMU process: its command line, the optional valgrind wrapper, its
 * private files (QMP socket, serial, log), its QMP connection, and its end:
 * a polite QMP quit or SIGKILL, always reaped.  No QEMU started here
 * outlives the shim: each is killed on every exit path, including signals
 * and the death of the shim itself (PR_SET_PDEATHSIG).
 */
#ifndef SHIM_QEMU_PROC_H
#define SHIM_QEMU_PROC_H

#include <glib.h>

#include "qmp.h"

typedef struct QemuProc QemuProc;

typedef struct QemuProcConfig {
    const char *name;           /* "primary", "secondary": files, messages */
    const char *binary;         /* qemu-system-x86_64 */
    const char *module_dir;     /* exported as QEMU_MODULE_DIR, or NULL */
    const char *workdir;        /* existing private directory */
    gboolean valgrind;          /* run under valgrind memcheck */
    const char *valgrind_supp;  /* its suppressions file, or NULL */
    gboolean valgrind_origins;  /* memcheck's --track-origins=yes */
    const char *netns;          /* network namespace to run in, or NULL */
    guint start_timeout_ms;     /* until QMP answers */
} QemuProcConfig;

/* Checks that @binary exists and is executable, with a clear message. */
gboolean qemu_proc_binary_usable(const char *binary, GError **errp);

/*
 * Starts QEMU with the options every shim QEMU has (QMP with OOB on a
 * private socket, serial to a file, no display, no default devices) plus
 * @args, and returns once QMP is negotiated.  On failure nothing is left
 * running and the error carries the tail of QEMU's log.
 */
QemuProc *qemu_proc_start(const QemuProcConfig *cfg,
                          const char *const *args, GError **errp);

/*
 * qemu_proc_start() in two halves, to start several QEMUs at once (under
 * valgrind each takes seconds to come up): spawn returns once the process
 * runs, connect once QMP is negotiated.  When connect fails, the caller
 * still owns (and frees) the process; the error has the log's tail.
 */
QemuProc *qemu_proc_spawn(const QemuProcConfig *cfg,
                          const char *const *args, GError **errp);
gboolean qemu_proc_connect(QemuProc *proc, GError **errp);

QmpClient *qemu_proc_qmp(QemuProc *proc);
const char *qemu_proc_name(QemuProc *proc);
const char *qemu_proc_serial_path(QemuProc *proc);
const char *qemu_proc_log_path(QemuProc *proc);
const char *qemu_proc_valgrind_log_path(QemuProc *proc);  /* or NULL */
GPid qemu_proc_pid(QemuProc *proc);

/* The last @lines lines of QEMU's stdout and stderr. */
char *qemu_proc_log_tail(QemuProc *proc, guint lines);

gboolean qemu_proc_has_exited(QemuProc *proc);

/* Exit status as from waitpid(); only valid once it has exited. */
int qemu_proc_wait_status(QemuProc *proc);

/*
 * Ends QEMU with QMP "quit" (so valgrind writes its report) and waits up to
 * @timeout_ms for it to exit, then SIGKILLs it.  TRUE when it quit by itself.
 */
gboolean qemu_proc_quit(QemuProc *proc, guint timeout_ms);

/* SIGKILL and reap. */
void qemu_proc_kill(QemuProc *proc);

/* Kills and reaps if still running, then frees. */
void qemu_proc_free(QemuProc *proc);

/* Installs the handlers that kill every live QEMU when the shim is killed. */
void qemu_proc_install_exit_handlers(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuProc, qemu_proc_free)

#endif
