/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "qemu-proc.h"

#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "memcheck.h"
#include "shim-error.h"
#include "wait.h"

#define LOG_TAIL_LINES 15
#define MAX_LIVE_PROCS 16

struct QemuProc {
    char *name;
    GSubprocess *child;
    GPid pid;
    QmpClient *qmp;
    char *qmp_path;
    char *serial_path;
    char *log_path;
    char *cmdline_path;
    char *valgrind_log_path;
    guint start_timeout_ms;
    gboolean exited;
    int wait_status;
};

/* Pids the signal handlers kill; only async-signal-safe use there. */
static volatile pid_t live_pids[MAX_LIVE_PROCS];

static void live_pid_add(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE_PROCS; i++) {
        if (!live_pids[i]) {
            live_pids[i] = pid;
            return;
        }
    }
    g_error("more than %d QEMU processes at once", MAX_LIVE_PROCS);
}

static void live_pid_remove(pid_t pid)
{
    for (int i = 0; i < MAX_LIVE_PROCS; i++) {
        if (live_pids[i] == pid) {
            live_pids[i] = 0;
        }
    }
}

static void kill_live_pids(void)
{
    for (int i = 0; i < MAX_LIVE_PROCS; i++) {
        if (live_pids[i] > 0) {
            kill(live_pids[i], SIGKILL);
        }
    }
}

static void on_fatal_signal(int sig)
{
    kill_live_pids();
    signal(sig, SIG_DFL);
    raise(sig);
}

void qemu_proc_install_exit_handlers(void)
{
    static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT,
                                 SIGSEGV, SIGBUS, SIGFPE, SIGILL };
    struct sigaction sa = { .sa_handler = on_fatal_signal };

    for (gsize i = 0; i < G_N_ELEMENTS(fatal); i++) {
        sigaction(fatal[i], &sa, NULL);
    }
    atexit(kill_live_pids);
}

/* Runs in the child: die with the shim, however the shim dies. */
static void child_setup(gpointer opaque)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

gboolean qemu_proc_binary_usable(const char *binary, GError **errp)
{
    if (!binary || !*binary) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "no QEMU binary given: use --qemu or QEMU_BINARY");
        return FALSE;
    }
    if (!g_file_test(binary, G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "QEMU binary %s does not exist or is not executable",
                    binary);
        return FALSE;
    }
    return TRUE;
}

static GPtrArray *build_argv(const QemuProcConfig *cfg, QemuProc *proc,
                             const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);

    if (cfg->netns) {
        g_ptr_array_add(argv, g_strdup("ip"));
        g_ptr_array_add(argv, g_strdup("netns"));
        g_ptr_array_add(argv, g_strdup("exec"));
        g_ptr_array_add(argv, g_strdup(cfg->netns));
    }
    if (cfg->valgrind) {
        memcheck_add_args(argv, proc->valgrind_log_path, cfg->valgrind_supp,
                          cfg->valgrind_origins);
    }
    g_ptr_array_add(argv, g_strdup(cfg->binary));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("socket,id=qmp,path=%s,server=on,"
                                          "wait=off", proc->qmp_path));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=qmp,mode=control"));
    g_ptr_array_add(argv, g_strdup("-serial"));
    g_ptr_array_add(argv, g_strdup_printf("file:%s", proc->serial_path));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    g_ptr_array_add(argv, g_strdup("-nodefaults"));
    for (; args && *args; args++) {
        g_ptr_array_add(argv, g_strdup(*args));
    }
    g_ptr_array_add(argv, NULL);
    return argv;
}

static void on_child_exit(GObject *source, GAsyncResult *res, gpointer opaque)
{
    QemuProc *proc = opaque;

    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    proc->wait_status = g_subprocess_get_status(G_SUBPROCESS(source));
    proc->exited = TRUE;
    live_pid_remove(proc->pid);
    g_object_unref(proc->child);
    proc->child = NULL;
}

static gboolean spawn(const QemuProcConfig *cfg, QemuProc *proc,
                      const char *const *args, GError **errp)
{
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GPtrArray) argv = build_argv(cfg, proc, args);
    g_autofree char *cmdline = g_strjoinv(" ", (char **)argv->pdata);

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_INHERIT |
                                         G_SUBPROCESS_FLAGS_STDERR_MERGE);
    g_subprocess_launcher_set_stdout_file_path(launcher, proc->log_path);
    g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
    if (cfg->module_dir) {
        g_subprocess_launcher_setenv(launcher, "QEMU_MODULE_DIR",
                                     cfg->module_dir, TRUE);
    }
    /* Kept beside the logs, to rerun a failed case's QEMU by hand. */
    g_file_set_contents(proc->cmdline_path, cmdline, -1, NULL);
    proc->child = g_subprocess_launcher_spawnv(launcher,
                                               (const char *const *)argv->pdata,
                                               errp);
    if (!proc->child) {
        g_prefix_error(errp, "starting %s (%s): ", cfg->name, cmdline);
        return FALSE;
    }
    proc->pid = atoi(g_subprocess_get_identifier(proc->child));
    live_pid_add(proc->pid);
    /* on_child_exit() drops proc->child once it is reaped. */
    g_subprocess_wait_async(proc->child, NULL, on_child_exit, proc);
    return TRUE;
}

/* QEMU creates its QMP socket early; connect once it is there. */
static gboolean connect_qmp(QemuProc *proc, guint timeout_ms, GError **errp)
{
    gint64 deadline = deadline_after_ms(timeout_ms);

    while (!proc->qmp) {
        if (proc->exited) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_PROCESS,
                        "%s exited (wait status 0x%x) before QMP answered",
                        proc->name, proc->wait_status);
            return FALSE;
        }
        if (g_get_monotonic_time() >= deadline) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_TIMEOUT,
                        "%s did not open its QMP socket %s within %u ms",
                        proc->name, proc->qmp_path, timeout_ms);
            return FALSE;
        }
        if (g_file_test(proc->qmp_path, G_FILE_TEST_EXISTS)) {
            proc->qmp = qmp_connect(proc->qmp_path, proc->name, NULL);
        }
        if (!proc->qmp) {
            wait_ms(20);
        }
    }
    return qmp_handshake(proc->qmp, deadline, errp);
}

static void append_log_tail(QemuProc *proc, GError **errp)
{
    g_autofree char *tail = qemu_proc_log_tail(proc, LOG_TAIL_LINES);

    shim_error_append(errp, "\n--- %s log tail (%s) ---\n%s", proc->name,
                      proc->log_path, tail);
}

QemuProc *qemu_proc_spawn(const QemuProcConfig *cfg, const char *const *args,
                          GError **errp)
{
    QemuProc *proc;

    if (!qemu_proc_binary_usable(cfg->binary, errp)) {
        return NULL;
    }
    proc = g_new0(QemuProc, 1);
    proc->name = g_strdup(cfg->name);
    proc->qmp_path = g_strdup_printf("%s/%s.qmp", cfg->workdir, cfg->name);
    proc->serial_path = g_strdup_printf("%s/%s.serial", cfg->workdir,
                                        cfg->name);
    proc->log_path = g_strdup_printf("%s/%s.log", cfg->workdir, cfg->name);
    proc->cmdline_path = g_strdup_printf("%s/%s.cmdline", cfg->workdir,
                                         cfg->name);
    if (cfg->valgrind) {
        proc->valgrind_log_path = g_strdup_printf("%s/%s.valgrind",
                                                  cfg->workdir, cfg->name);
    }
    proc->start_timeout_ms = cfg->start_timeout_ms;
    if (!spawn(cfg, proc, args, errp)) {
        append_log_tail(proc, errp);
        qemu_proc_free(proc);
        return NULL;
    }
    return proc;
}

gboolean qemu_proc_connect(QemuProc *proc, GError **errp)
{
    if (!connect_qmp(proc, proc->start_timeout_ms, errp)) {
        append_log_tail(proc, errp);
        return FALSE;
    }
    return TRUE;
}

QemuProc *qemu_proc_start(const QemuProcConfig *cfg, const char *const *args,
                          GError **errp)
{
    QemuProc *proc = qemu_proc_spawn(cfg, args, errp);

    if (proc && !qemu_proc_connect(proc, errp)) {
        qemu_proc_free(proc);
        return NULL;
    }
    return proc;
}

QmpClient *qemu_proc_qmp(QemuProc *proc)
{
    return proc->qmp;
}

const char *qemu_proc_name(QemuProc *proc)
{
    return proc->name;
}

const char *qemu_proc_serial_path(QemuProc *proc)
{
    return proc->serial_path;
}

const char *qemu_proc_log_path(QemuProc *proc)
{
    return proc->log_path;
}

const char *qemu_proc_valgrind_log_path(QemuProc *proc)
{
    return proc->valgrind_log_path;
}

GPid qemu_proc_pid(QemuProc *proc)
{
    return proc->pid;
}

char *qemu_proc_log_tail(QemuProc *proc, guint lines)
{
    g_autofree char *text = NULL;
    gsize len;
    const char *p;

    if (!g_file_get_contents(proc->log_path, &text, &len, NULL)) {
        return g_strdup("(no log)");
    }
    p = text + len;
    if (p > text && p[-1] == '\n') {
        p--;
    }
    while (p > text && lines) {
        p--;
        if (*p == '\n') {
            lines--;
        }
    }
    if (*p == '\n') {
        p++;
    }
    return *p ? g_strchomp(g_strdup(p)) : g_strdup("(empty log)");
}

gboolean qemu_proc_has_exited(QemuProc *proc)
{
    return proc->exited;
}

int qemu_proc_wait_status(QemuProc *proc)
{
    return proc->wait_status;
}

static gboolean proc_exited(gpointer opaque)
{
    return ((QemuProc *)opaque)->exited;
}

gboolean qemu_proc_quit(QemuProc *proc, guint timeout_ms)
{
    gboolean quit;

    if (!proc->exited && proc->qmp && !qmp_is_closed(proc->qmp)) {
        qmp_send(proc->qmp, "quit", NULL, NULL);
    }
    quit = wait_until(proc_exited, proc, deadline_after_ms(timeout_ms));
    if (!quit) {
        g_message("%s did not quit within %u ms: killing it", proc->name,
                  timeout_ms);
        qemu_proc_kill(proc);
    }
    return quit;
}

void qemu_proc_kill(QemuProc *proc)
{
    if (proc->exited) {
        return;
    }
    kill(proc->pid, SIGKILL);
    /* SIGKILL cannot be ignored; this only waits for the reaper. */
    if (!wait_until(proc_exited, proc, deadline_after_ms(10000))) {
        g_error("%s (pid %d) survived SIGKILL for 10 s", proc->name,
                proc->pid);
    }
}

void qemu_proc_free(QemuProc *proc)
{
    if (!proc) {
        return;
    }
    if (proc->child) {
        qemu_proc_kill(proc);
    }
    g_clear_pointer(&proc->qmp, qmp_close);
    g_free(proc->name);
    g_free(proc->qmp_path);
    g_free(proc->serial_path);
    g_free(proc->log_path);
    g_free(proc->cmdline_path);
    g_free(proc->valgrind_log_path);
    g_free(proc);
}
