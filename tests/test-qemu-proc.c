/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One real QEMU through the shim's process object and QMP client: it starts,
 * reports the expected version, quits cleanly, reports its own start errors,
 * and never outlives the shim however the shim ends.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-proc.h"
#include "shim-error.h"
#include "shim-options.h"
#include "wait.h"

static const char *qemu_binary;

/* No guest: the process and QMP are what is tested here. */
static const char *const no_guest[] = { "-machine", "none", NULL };

typedef struct Fixture {
    char *workdir;
    QemuProcConfig cfg;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->workdir = g_dir_make_tmp("test-qemu-proc-XXXXXX", NULL);
    f->cfg = (QemuProcConfig) {
        .name = "qemu",
        .binary = qemu_binary,
        .workdir = f->workdir,
        .start_timeout_ms = 15000,
    };
}

static void teardown(Fixture *f, gconstpointer data)
{
    shim_remove_workdir(f->workdir);
    g_free(f->workdir);
}

static gboolean need_qemu(void)
{
    if (!qemu_binary) {
        g_test_skip("no QEMU configured: set QEMU_BINARY (meson: -Dqemu_prefix)");
        return FALSE;
    }
    return TRUE;
}

static void test_version_and_clean_quit(Fixture *f, gconstpointer data)
{
    const char *expected = g_getenv("QEMU_EXPECTED_VERSION");
    g_autoptr(GError) err = NULL;
    g_autoptr(QemuProc) proc = NULL;
    g_autoptr(JsonNode) ret = NULL;
    g_autofree char *version = NULL;
    JsonObject *qemu;

    if (!need_qemu()) {
        return;
    }
    proc = qemu_proc_start(&f->cfg, no_guest, &err);
    g_assert_no_error(err);
    ret = qmp_execute(qemu_proc_qmp(proc), "query-version", NULL,
                      deadline_after_ms(10000), &err);
    g_assert_no_error(err);
    qemu = json_object_get_object_member(json_node_get_object(ret), "qemu");
    version = g_strdup_printf("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%"
                              G_GINT64_FORMAT,
                              json_object_get_int_member(qemu, "major"),
                              json_object_get_int_member(qemu, "minor"),
                              json_object_get_int_member(qemu, "micro"));
    g_test_message("QEMU reports version %s", version);
    if (expected && *expected) {
        g_assert_cmpstr(version, ==, expected);
    } else {
        g_test_message("QEMU_EXPECTED_VERSION unset: version not compared");
    }
    g_assert_true(qemu_proc_quit(proc, 10000));
    g_assert_true(WIFEXITED(qemu_proc_wait_status(proc)));
    g_assert_cmpint(WEXITSTATUS(qemu_proc_wait_status(proc)), ==, 0);
}

static void test_start_error_carries_log(Fixture *f, gconstpointer data)
{
    const char *const bogus[] = { "-machine", "none", "-no-such-option", NULL };
    g_autoptr(GError) err = NULL;
    QemuProc *proc;

    if (!need_qemu()) {
        return;
    }
    proc = qemu_proc_start(&f->cfg, bogus, &err);
    g_assert_null(proc);
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_PROCESS);
    g_assert_nonnull(strstr(err->message, "exited"));
    g_assert_nonnull(strstr(err->message, "-no-such-option"));
}

static void test_wrong_binary(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    f->cfg.binary = "/nonexistent/qemu-system-x86_64";
    g_assert_null(qemu_proc_start(&f->cfg, no_guest, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CONFIG);
    g_assert_nonnull(strstr(err->message, "does not exist"));
}

/* ---- no orphan QEMU, whichever way the shim ends ---- */

/* The trapped child's directory, known to both sides by the parent's pid. */
static char *orphan_dir(pid_t parent)
{
    return g_strdup_printf("%s/test-qemu-proc-%d", g_get_tmp_dir(), parent);
}

/* Runs in the trapped child: start QEMU, publish its pid, end as told. */
static void orphan_child(const char *how)
{
    g_autofree char *workdir = orphan_dir(getppid());
    g_autofree char *path = g_build_filename(workdir, "pid", NULL);
    g_autofree char *pid = NULL;
    QemuProcConfig cfg = { .name = "orphan", .binary = qemu_binary,
                           .workdir = workdir, .start_timeout_ms = 15000 };
    QemuProc *proc;

    qemu_proc_install_exit_handlers();
    proc = qemu_proc_start(&cfg, no_guest, NULL);
    g_assert_nonnull(proc);
    pid = g_strdup_printf("%d", qemu_proc_pid(proc));
    g_assert_true(g_file_set_contents(path, pid, -1, NULL));
    if (g_str_equal(how, "exit")) {
        exit(3);
    } else if (g_str_equal(how, "abort")) {
        g_assert_not_reached();
    }
    raise(g_str_equal(how, "sigterm") ? SIGTERM : SIGKILL);
}

static gboolean process_gone(gpointer opaque)
{
    pid_t pid = GPOINTER_TO_INT(opaque);
    g_autofree char *stat_path = g_strdup_printf("/proc/%d/stat", pid);
    g_autofree char *stat = NULL;
    const char *state;

    if (kill(pid, 0) < 0 && errno == ESRCH) {
        return TRUE;
    }
    /* A zombie waiting for init to reap it is no longer running. */
    if (!g_file_get_contents(stat_path, &stat, NULL, NULL)) {
        return TRUE;
    }
    state = strrchr(stat, ')');
    return state && state[2] == 'Z';
}

static void test_no_orphan(gconstpointer data)
{
    const char *how = data;
    g_autofree char *workdir = orphan_dir(getpid());
    g_autofree char *path = g_build_filename(workdir, "pid", NULL);
    g_autofree char *pid_text = NULL;
    g_autofree char *child_path = NULL;
    pid_t pid;

    if (g_test_subprocess()) {
        orphan_child(how);
        return;
    }
    if (!need_qemu()) {
        return;
    }
    shim_remove_workdir(workdir);
    g_assert_cmpint(g_mkdir(workdir, 0700), ==, 0);
    child_path = g_strdup_printf("/qemu-proc/no_orphan_after/%s", how);
    g_test_trap_subprocess(child_path, 60 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_failed();
    g_assert_true(g_file_get_contents(path, &pid_text, NULL, NULL));
    pid = atoi(pid_text);
    g_assert_cmpint(pid, >, 0);
    if (!wait_until(process_gone, GINT_TO_POINTER(pid),
                    deadline_after_ms(10000))) {
        kill(pid, SIGKILL);
        g_error("QEMU pid %d outlived the shim ended by %s", pid, how);
    }
    shim_remove_workdir(workdir);
}

int main(int argc, char **argv)
{
    static const char *const endings[] = { "exit", "abort", "sigterm",
                                           "sigkill" };

    g_test_init(&argc, &argv, NULL);
    qemu_binary = g_getenv("QEMU_BINARY");
    g_test_add("/qemu-proc/version_and_clean_quit", Fixture, NULL, setup,
               test_version_and_clean_quit, teardown);
    g_test_add("/qemu-proc/start_error_carries_log", Fixture, NULL, setup,
               test_start_error_carries_log, teardown);
    g_test_add("/qemu-proc/wrong_binary", Fixture, NULL, setup,
               test_wrong_binary, teardown);
    for (gsize i = 0; i < G_N_ELEMENTS(endings); i++) {
        g_autofree char *path =
            g_strdup_printf("/qemu-proc/no_orphan_after/%s", endings[i]);

        g_test_add_data_func(path, endings[i], test_no_orphan);
    }
    return g_test_run();
}
