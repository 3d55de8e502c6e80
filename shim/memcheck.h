/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Valgrind memcheck around a QEMU: the options it runs with, and what its
 * log says once the process has exited (errors, leaks, which of them
 * involve the COLO multifd module).
 */
#ifndef SHIM_MEMCHECK_H
#define SHIM_MEMCHECK_H

#include <glib.h>

typedef struct MemcheckReport {
    gboolean complete;          /* the log ends with its ERROR SUMMARY */
    guint errors;               /* memory errors (leaks are not counted) */
    char *first_error;          /* its kind and top frames, or NULL */
    guint64 definitely_lost;    /* bytes, whole process */
    char *first_leak;           /* its first loss record, or NULL */
    guint64 module_lost;        /* bytes in loss records through @module */
} MemcheckReport;

/*
 * Appends the valgrind command line (up to the program) to @argv;
 * @suppressions may be NULL.
 */
void memcheck_add_args(GPtrArray *argv, const char *log_path,
                       const char *suppressions, gboolean track_origins);

/*
 * Reads a memcheck log; loss records whose stack passes through a file
 * named @module (e.g. "migration-colo-multifd.so") count as the module's.
 */
gboolean memcheck_read_log(const char *path, const char *module,
                           MemcheckReport *report, GError **errp);

/* One line for a summary table: "0 errors, 0 B lost (module 0 B)". */
char *memcheck_describe(const MemcheckReport *report);

void memcheck_report_clear(MemcheckReport *report);

#endif
