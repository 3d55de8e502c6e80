/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patched QEMU and the module: enabling x-colo with multifd loads
 * migration-colo-multifd from QEMU's module directory, and is refused with
 * a clear error when the module is missing, stamped for another build, or
 * built against another API version.  A refused module leaves QEMU able
 * to load modules (0018), and one of another build in the first directory
 * does not hide a good one in the next (0019).
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
    char *module_dir;       /* QEMU_MODULE_DIR: searched first */
    char *binary;           /* the QEMU to start */
    int attempts;           /* how often enable_colo() asks */
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->workdir = g_dir_make_tmp("test-module-load-XXXXXX", NULL);
    f->module_dir = g_build_filename(f->workdir, "modules", NULL);
    g_assert_cmpint(g_mkdir(f->module_dir, 0700), ==, 0);
    f->binary = g_strdup(g_getenv("QEMU_BINARY"));
    f->attempts = 1;
}

static void teardown(Fixture *f, gconstpointer data)
{
    shim_remove_workdir(f->workdir);
    g_free(f->workdir);
    g_free(f->module_dir);
    g_free(f->binary);
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

/*
 * Starts QEMU and asks for x-colo (+ multifd), f->attempts times; returns
 * QEMU's last error or NULL.  Each refusal must come from a QEMU that still
 * answers, and QEMU must quit cleanly at the end.
 */
static char *enable_colo(Fixture *f, gboolean multifd, char **log_tail)
{
    QemuProcConfig cfg = {
        .name = "qemu",
        .binary = f->binary,
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
    for (int i = 0; i < f->attempts; i++) {
        g_clear_error(&err);
        g_clear_pointer(&ret, json_node_unref);
        ret = qmp_execute(qemu_proc_qmp(proc), "migrate-set-capabilities",
                          qmp_capabilities_args(names),
                          deadline_after_ms(10000), &err);
        if (err) {
            g_test_message("QEMU, attempt %d: %s", i + 1, err->message);
        }
        g_assert_true(ret || err);
    }
    if (log_tail) {
        *log_tail = qemu_proc_log_tail(proc, 20);
    }
    if (!qemu_proc_quit(proc, 10000)) {
        g_autofree char *tail = qemu_proc_log_tail(proc, 20);

        g_test_fail_printf("QEMU did not quit cleanly; its log ends:\n%s", tail);
    }
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

/*
 * 0018: the refused module's constructors had registered its init
 * functions; left behind, they made QEMU abort on its next module load
 * (here: the same request again).
 */
static void test_other_stamp_refused_twice(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL;

    if (!need_qemu()) {
        return;
    }
    install_module(f, "COLO_MULTIFD_MODULE_OTHER_STAMP");
    f->attempts = 2;
    err = enable_colo(f, TRUE, NULL);
    expect_in(err, "needs module migration-colo-multifd, built for this "
              "QEMU build: failed to initialize module");
}

/*
 * A copy of the QEMU under test whose module directory the test owns: QEMU
 * is relocatable, its module directory is found relative to the binary.
 * Returns that directory.
 */
static char *relocated_qemu(Fixture *f)
{
    const char *moddir = g_getenv("QEMU_MODDIR");
    g_autofree char *bindir = g_path_get_dirname(f->binary);
    g_autofree char *prefix = g_path_get_dirname(bindir);
    g_autofree char *root = g_build_filename(f->workdir, "relocated", NULL);
    g_autofree char *newbin = g_build_filename(root, "bin", NULL);
    g_autofree char *copy = g_build_filename(newbin, "qemu-system-x86_64", NULL);
    char *newmoddir;

    g_assert_true(g_str_has_prefix(moddir, prefix));
    newmoddir = g_build_filename(root, moddir + strlen(prefix), NULL);
    g_assert_cmpint(g_mkdir_with_parents(newbin, 0700), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(newmoddir, 0700), ==, 0);
    if (link(f->binary, copy) != 0) {
        g_autoptr(GFile) from = g_file_new_for_path(f->binary);
        g_autoptr(GFile) to = g_file_new_for_path(copy);
        g_autoptr(GError) err = NULL;

        g_file_copy(from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &err);
        g_assert_no_error(err);
        g_assert_cmpint(g_chmod(copy, 0755), ==, 0);
    }
    g_free(f->binary);
    f->binary = g_steal_pointer(&copy);
    return newmoddir;
}

/*
 * 0019: a module of another build in the first directory searched (after
 * a package upgrade: the module directory) no longer ends the search; the
 * good one in the next (there: the version directory) loads.
 */
static void test_other_stamp_then_good_module(Fixture *f, gconstpointer data)
{
    g_autofree char *err = NULL, *moddir = NULL, *link_path = NULL;

    if (!need_qemu()) {
        return;
    }
    install_module(f, "COLO_MULTIFD_MODULE_OTHER_STAMP");
    moddir = relocated_qemu(f);
    link_path = g_build_filename(moddir, MODULE_FILE, NULL);
    g_assert_cmpint(symlink(g_getenv("COLO_MULTIFD_MODULE"), link_path), ==, 0);
    err = enable_colo(f, TRUE, NULL);
    g_assert_null(err);
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
    ADD("/module-load/other_stamp_refused_twice",
        test_other_stamp_refused_twice);
    ADD("/module-load/other_stamp_then_good_module",
        test_other_stamp_then_good_module);
    ADD("/module-load/api_mismatch_refused", test_api_mismatch_refused);
#undef ADD
    return g_test_run();
}
