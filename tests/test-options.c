/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option and environment parsing of colo-shim. */
#include <glib.h>
#include <string.h>

#include "shim-error.h"
#include "shim-options.h"

/* Parses "colo-shim" + @args with the environment as the test set it. */
static gboolean parse(ShimOptions *opts, const char *const *args, GError **errp)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) argv = NULL;
    char **v;
    int argc;
    gboolean ok;

    g_strv_builder_add(b, "colo-shim");
    g_strv_builder_addv(b, (const char **)args);
    argv = g_strv_builder_end(b);
    argc = g_strv_length(argv);
    /* GOption rearranges argv's pointers: parse a shallow copy. */
    v = g_memdup2(argv, (argc + 1) * sizeof(char *));
    shim_options_init(opts);
    ok = shim_options_parse(opts, NULL, &argc, &v, errp);
    g_free(v);
    return ok;
}

static void expect_error(const char *const *args, const char *fragment)
{
    ShimOptions opts;
    g_autoptr(GError) err = NULL;

    g_assert_false(parse(&opts, args, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, fragment)) {
        g_error("error \"%s\" does not mention \"%s\"", err->message, fragment);
    }
    shim_options_clear(&opts);
}

static void test_defaults_from_environment(void)
{
    const char *const none[] = { NULL };
    ShimOptions opts;
    g_autoptr(GError) err = NULL;

    g_setenv("QEMU_BINARY", "/bin/true", TRUE);
    g_setenv("QEMU_MODULE_DIR", "/", TRUE);
    g_assert_true(parse(&opts, none, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(opts.qemu_binary, ==, "/bin/true");
    g_assert_cmpstr(opts.module_dir, ==, "/");
    g_assert_cmpint(opts.channels, ==, 2);
    g_assert_cmpint(opts.checkpoint_delay_ms, ==, 300);
    g_assert_cmpint(opts.timeout_scale, ==, 1);
    g_assert_false(opts.valgrind);
    g_assert_cmpstrv(opts.machines, ((const char *const[]){ "pc", "q35", NULL }));
    shim_options_clear(&opts);
    g_unsetenv("QEMU_MODULE_DIR");
}

static void test_machines(void)
{
    const char *const one[] = { "--machine", "q35", NULL };
    const char *const two[] = { "--machine", "pc-i440fx-10.0", "--machine",
                                "pc-q35-10.0", NULL };
    ShimOptions opts;
    ColoConfig cfg;

    g_setenv("QEMU_BINARY", "/bin/true", TRUE);
    g_assert_true(parse(&opts, one, NULL));
    g_assert_cmpstrv(opts.machines, ((const char *const[]){ "q35", NULL }));
    cfg = shim_colo_config(&opts, "/tmp");
    g_assert_cmpstr(cfg.machine, ==, "q35");
    shim_options_clear(&opts);
    g_assert_true(parse(&opts, two, NULL));
    g_assert_cmpstrv(opts.machines, ((const char *const[]){
                         "pc-i440fx-10.0", "pc-q35-10.0", NULL }));
    shim_options_clear(&opts);
}

static void test_options_beat_environment(void)
{
    const char *const args[] = { "--qemu", "/bin/false", "--channels", "4",
                                 "--checkpoint-delay", "100", NULL };
    ShimOptions opts;
    g_autoptr(GError) err = NULL;
    ColoConfig cfg;

    g_setenv("QEMU_BINARY", "/bin/true", TRUE);
    g_assert_true(parse(&opts, args, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(opts.qemu_binary, ==, "/bin/false");
    cfg = shim_colo_config(&opts, "/tmp");
    g_assert_cmpuint(cfg.checkpoint_delay_ms, ==, 100);
    g_assert_cmpuint(cfg.guest.start, ==, 1 << 20);
    g_assert_cmpuint(cfg.guest.end, ==, 33 << 20);
    shim_options_clear(&opts);
}

/*
 * --valgrind is refused where valgrind is not installed: FALSE (the test
 * skipped, saying so) there; else a QEMU binary is set for parsing.
 */
static gboolean valgrind_parsable(void)
{
    g_autofree char *valgrind = g_find_program_in_path("valgrind");

    if (!valgrind) {
        g_test_skip("valgrind is not installed");
        return FALSE;
    }
    g_setenv("QEMU_BINARY", "/bin/true", TRUE);
    return TRUE;
}

static void test_valgrind_scales_time_bounds(void)
{
    const char *const args[] = { "--valgrind", NULL };
    const char *const explicit_scale[] = { "--valgrind", "--timeout-scale",
                                           "7", NULL };
    ShimOptions opts;

    if (!valgrind_parsable()) {
        return;
    }
    g_assert_true(parse(&opts, args, NULL));
    g_assert_true(opts.valgrind);
    g_assert_cmpint(opts.timeout_scale, ==, SHIM_VALGRIND_TIMEOUT_SCALE);
    shim_options_clear(&opts);
    g_assert_true(parse(&opts, explicit_scale, NULL));
    g_assert_cmpint(opts.timeout_scale, ==, 7);
    shim_options_clear(&opts);
}

/* Whether the pair @args configure tracks memcheck's origins. */
static gboolean origins_tracked(const char *const *args)
{
    ShimOptions opts;
    gboolean tracked;

    g_assert_true(parse(&opts, args, NULL));
    tracked = shim_colo_config(&opts, "/tmp").valgrind_origins;
    shim_options_clear(&opts);
    return tracked;
}

/* Origin tracking is off unless asked for, by option or environment. */
static void test_valgrind_origins_on_request(void)
{
    const char *const plain[] = { "--valgrind", NULL };
    const char *const asked[] = { "--valgrind", "--valgrind-origins", NULL };

    if (!valgrind_parsable()) {
        return;
    }
    g_assert_false(origins_tracked(plain));
    g_assert_true(origins_tracked(asked));
    g_setenv("COLO_SHIM_VALGRIND_ORIGINS", "1", TRUE);
    g_assert_true(origins_tracked(plain));
    g_setenv("COLO_SHIM_VALGRIND_ORIGINS", "0", TRUE);
    g_assert_false(origins_tracked(plain));
    g_unsetenv("COLO_SHIM_VALGRIND_ORIGINS");
}

static void test_bad_input_is_named(void)
{
    const char *const zero_channels[] = { "--channels", "0", NULL };
    const char *const no_binary[] = { "--qemu", "/nonexistent/qemu", NULL };
    const char *const range_beyond_ram[] = { "--ram", "16", NULL };
    const char *const no_module_dir[] = { "--module-dir", "/nonexistent", NULL };
    const char *const not_a_number[] = { "--channels", "two", NULL };
    const char *const machine_options[] = { "--machine", "q35,smm=off", NULL };
    const char *const empty_machine[] = { "--machine", "", NULL };

    g_setenv("QEMU_BINARY", "/bin/true", TRUE);
    expect_error(zero_channels, "--channels must be between 1 and 255");
    expect_error(no_binary, "/nonexistent/qemu does not exist");
    expect_error(range_beyond_ram, "within the guest's 16 MiB");
    expect_error(no_module_dir, "module directory /nonexistent");
    expect_error(not_a_number, "two");
    expect_error(machine_options, "not \"q35,smm=off\"");
    expect_error(empty_machine, "--machine takes a machine type");
    g_unsetenv("QEMU_BINARY");
    expect_error((const char *const[]){ NULL }, "no QEMU binary given");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_unsetenv("COLO_SHIM_VALGRIND");
    g_unsetenv("COLO_SHIM_VALGRIND_ORIGINS");
    g_test_add_func("/options/defaults_from_environment",
                    test_defaults_from_environment);
    g_test_add_func("/options/options_beat_environment",
                    test_options_beat_environment);
    g_test_add_func("/options/machines", test_machines);
    g_test_add_func("/options/valgrind_scales_time_bounds",
                    test_valgrind_scales_time_bounds);
    g_test_add_func("/options/valgrind_origins_on_request",
                    test_valgrind_origins_on_request);
    g_test_add_func("/options/bad_input_is_named", test_bad_input_is_named);
    return g_test_run();
}
