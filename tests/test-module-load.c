/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patched QEMU and the module: enabling x-colo with multifd loads
 * migration-colo-multifd from QEMU's module directory, and is refused with
 * a clear error when the module is missing, stamped for another build, or
 * built against another API version.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "qemu-proc.h"
#include "shim-error.h"
#include "shim-options.h"
#include "wait.h"

#define MODULE_FILE "migration-colo-multifd.so"

typedef struct Fixture {
    char *workdir;
    char *module_dir;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->workdir = g_dir_make_tmp("test-module-load-XXXXXX", NULL);
    f->module_dir = g_build_filename(f->workdir, "modules", NULL);
    g_assert_cmpint(g_mkdir(f->module_dir, 0700), ==, 0);
}

static void teardown(Fixture *f, gconstpointer data)
{
    shim_remove_workdir(f->workdir);
    g_free(f->workdir);
    g_free(f->module_dir);
}

/* Puts the build named by environment variable @var in the module dir. */
static void install_module(Fixture *f, const char *var)
{
    const char *build = g_getenv(var);
    g_autofree char *link = g_build_filename(f->module_dir, MODULE_FILE, NULL);

    g_assert_nonnull(build);
    g_assert_cmpint(symlink(build, link), ==, 0);
}

static gboolean need_qemu(void)
{
    if (!g_getenv("QEMU_BINARY")) {
        g_test_skip("no QEMU configured: set QEMU_BINARY (meson: -Dqemu_prefix)");
        return FALSE;
    }
    return TRUE;
}

/* The module dir QEMU falls back to must not hold a module either. */
static gboolean moddir_has_no_module(void)
{
    const char *moddir = g_getenv("QEMU_MODDIR");
    g_autofree char *path = g_build_filename(moddir, MODULE_FILE, NULL);

    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_test_skip_printf("%s is installed, so QEMU never misses the module",
                           path);
        return FALSE;
    }
    return TRUE;
}

/* Starts QEMU and asks for x-colo (+ multifd); returns QEMU's error or NULL. */
static char *enable_colo(Fixture *f, gboolean multifd, char **log_tail)
{
    QemuProcConfig cfg = {
        .name = "qemu",
        .binary = g_getenv("QEMU_BINARY"),
        .module_dir = f->module_dir,
        .workdir = f->workdir,
        .start_timeout_ms = 15000,
    };
    const char *const args[] = { "-machine", "none", NULL };
    g_autoptr(GError) err = NULL;
    g_autoptr(QemuProc) proc = qemu_proc_start(&cfg, args, &err);
    const char *names[] = { "x-colo", multifd ? "multifd" : NULL, NULL };
    g_autoptr(JsonNode) ret = NULL;

    g_assert_no_error(err);
    ret = qmp_execute(qemu_proc_qmp(proc), "migrate-set-capabilities",
                      qmp_capabilities_args(names), deadline_after_ms(10000),
                      &err);
    g_assert_true(qemu_proc_quit(proc, 10000));
    if (log_tail) {
        *log_tail = qemu_proc_log_tail(proc, 20);
    }
    if (err) {
        g_test_message("QEMU: %s", err->message);
    }
    g_assert_true(ret || err);
    return err ? g_strdup(err->message) : NULL;
}

static void expect_in(const char *text, const char *fragment)
{
    if (!text || !strstr(text, fragment)) {
        g_test_fail_printf("\"%s\" does not contain \"%s\"",
                           text ? text : "(no error)", fragment);
    }
}

static void test_module_loaded(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL;

    if (!need_qemu()) {
        return;
    }
    install_module(f, "COLO_MULTIFD_MODULE");
    err = enable_colo(f, TRUE, NULL);
    g_assert_null(err);
}

static void test_plain_colo_needs_no_module(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL;

    if (!need_qemu()) {
        return;
    }
    err = enable_colo(f, FALSE, NULL);
    g_assert_null(err);
}

static void test_missing_module_refused(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL;

    if (!need_qemu() || !moddir_has_no_module()) {
        return;
    }
    err = enable_colo(f, TRUE, NULL);
    expect_in(err, "COLO with multifd needs module migration-colo-multifd, "
              "which is not installed: searched");
    expect_in(err, f->module_dir);
}

static void test_other_stamp_refused(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL;

    if (!need_qemu()) {
        return;
    }
    install_module(f, "COLO_MULTIFD_MODULE_OTHER_STAMP");
    err = enable_colo(f, TRUE, NULL);
    expect_in(err, "needs module migration-colo-multifd, built for this "
              "QEMU build: failed to initialize module");
}

static void test_api_mismatch_refused(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL, *log = NULL;

    if (!need_qemu()) {
        return;
    }
    install_module(f, "COLO_MULTIFD_MODULE_API_MISMATCH");
    err = enable_colo(f, TRUE, &log);
    expect_in(err, "did not register usable hooks");
    expect_in(log, "API version 0, this QEMU provides version 1");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/module-load/colo_multifd_loads_module", test_module_loaded);
    ADD("/module-load/plain_colo_needs_no_module",
        test_plain_colo_needs_no_module);
    ADD("/module-load/missing_module_refused", test_missing_module_refused);
    ADD("/module-load/other_stamp_refused", test_other_stamp_refused);
    ADD("/module-load/api_mismatch_refused", test_api_mismatch_refused);
#undef ADD
    return g_test_run();
}
