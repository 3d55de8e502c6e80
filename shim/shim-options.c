/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "shim-options.h"

#include <glib/gstdio.h>
#include <string.h>

#include "colo-disk.h"
#include "colo-net.h"
#include "kvm.h"
#include "qemu-proc.h"
#include "shim-error.h"

void shim_options_init(ShimOptions *opts)
{
    *opts = (ShimOptions) {
        .channels = 2,
        .checkpoint_delay_ms = 300,
        .checkpoints = 3,
        .cycles = 6,
        .soak_checkpoints = 200,
        .soak_every = 50,
        .ram_mib = 64,
        .guest_start_mib = 1,
        .guest_end_mib = 33,
        .heartbeat_passes = 1,
        .netns_delay_ms = 0,
    };
}

static gboolean env_flag(const char *name)
{
    const char *v = g_getenv(name);

    return v && *v && !g_str_equal(v, "0");
}

static void take_environment(ShimOptions *opts)
{
    if (!opts->qemu_binary && g_getenv("QEMU_BINARY")) {
        opts->qemu_binary = g_strdup(g_getenv("QEMU_BINARY"));
    }
    if (!opts->module_dir && g_getenv("QEMU_MODULE_DIR")) {
        opts->module_dir = g_strdup(g_getenv("QEMU_MODULE_DIR"));
    }
    opts->valgrind |= env_flag("COLO_SHIM_VALGRIND");
    opts->valgrind_origins |= env_flag("COLO_SHIM_VALGRIND_ORIGINS");
    if (!opts->machines) {
        const char *const machines[] = { SHIM_DEFAULT_MACHINES, NULL };

        opts->machines = g_strdupv((char **)machines);
    }
    if (!opts->accels) {
        const char *accels = g_getenv("COLO_SHIM_ACCEL");

        opts->accels = g_strsplit(accels && *accels ? accels
                                  : SHIM_DEFAULT_ACCELS, ",", -1);
    }
#ifdef SHIM_LINUX_KERNEL
    /* The guest set-up built (meson's guest_linux_dir). */
    if (!opts->linux_kernel && !opts->linux_initrd) {
        opts->linux_kernel = g_strdup(SHIM_LINUX_KERNEL);
        opts->linux_initrd = g_strdup(SHIM_LINUX_INITRD);
    }
#endif
    if (!opts->timeout_scale) {
        opts->timeout_scale = opts->valgrind ? SHIM_VALGRIND_TIMEOUT_SCALE : 1;
    }
}

static gboolean check_range(const char *option, gint value, gint min, gint max,
                            GError **errp)
{
    if (value < min || value > max) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "%s must be between %d and %d, not %d", option, min, max,
                    value);
        return FALSE;
    }
    return TRUE;
}

/* A machine type names a part of each case's path: a word, no options. */
static gboolean machines_valid(char **machines, GError **errp)
{
    for (char **m = machines; *m; m++) {
        if (!**m || strpbrk(*m, "/,= ")) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                        "--machine takes a machine type such as pc or q35 "
                        "(one per option, no properties), not \"%s\"", *m);
            return FALSE;
        }
    }
    return TRUE;
}

/* An accelerator names a part of each case's path, too. */
static gboolean accels_valid(char **accels, GError **errp)
{
    for (char **a = accels; *a; a++) {
        if (!g_str_equal(*a, "tcg") && !g_str_equal(*a, "kvm")) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                        "--accel (or COLO_SHIM_ACCEL) takes tcg or kvm, "
                        "not \"%s\"", *a);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean validate(const ShimOptions *opts, GError **errp)
{
    g_autofree char *valgrind = NULL;
    GuestLayout layout = {
        .start = (guint64)opts->guest_start_mib << 20,
        .end = (guint64)opts->guest_end_mib << 20,
        .heartbeat_passes = opts->heartbeat_passes,
    };

    if (!check_range("--channels", opts->channels, 1, 255, errp) ||
        !check_range("--checkpoint-delay", opts->checkpoint_delay_ms, 1,
                     600000, errp) ||
        !check_range("--checkpoints", opts->checkpoints, 1, 100000, errp) ||
        !check_range("--cycles", opts->cycles, 1, 10000, errp) ||
        !check_range("--soak-checkpoints", opts->soak_checkpoints, 2,
                     10000000, errp) ||
        !check_range("--soak-every", opts->soak_every, 1,
                     opts->soak_checkpoints / 2, errp) ||
        !check_range("--ram", opts->ram_mib, 2, 4095, errp) ||
        !check_range("--timeout-scale", opts->timeout_scale, 1, 1000, errp) ||
        !check_range("--netns-delay", opts->netns_delay_ms, 0, 10000, errp) ||
        !machines_valid(opts->machines, errp) ||
        !accels_valid(opts->accels, errp) ||
        !guest_layout_valid(&layout, opts->ram_mib, errp) ||
        !qemu_proc_binary_usable(opts->qemu_binary, errp)) {
        return FALSE;
    }
    if (opts->firmware_dir &&
        !g_file_test(opts->firmware_dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "firmware directory %s (--firmware-dir) does not exist",
                    opts->firmware_dir);
        return FALSE;
    }
    if (opts->module_dir &&
        !g_file_test(opts->module_dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "module directory %s does not exist", opts->module_dir);
        return FALSE;
    }
    if (opts->disk_fault &&
        !g_str_equal(opts->disk_fault, COLO_DISK_FAULT_UNREPLICATED)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "--disk-fault takes " COLO_DISK_FAULT_UNREPLICATED
                    ", not \"%s\"", opts->disk_fault);
        return FALSE;
    }
    if (opts->net_fault &&
        !g_str_equal(opts->net_fault, COLO_NET_FAULT_SECONDARY_OUTPUT_DROPPED)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "--net-fault takes " COLO_NET_FAULT_SECONDARY_OUTPUT_DROPPED
                    ", not \"%s\"", opts->net_fault);
        return FALSE;
    }
    if (!opts->linux_kernel != !opts->linux_initrd) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "--linux-kernel and --linux-initrd go together");
        return FALSE;
    }
    if (opts->valgrind && !(valgrind = g_find_program_in_path("valgrind"))) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CONFIG,
                    "--valgrind given, but valgrind is not in PATH");
        return FALSE;
    }
    return TRUE;
}

gboolean shim_options_parse(ShimOptions *opts, const GOptionEntry *extra,
                            int *argc, char ***argv, GError **errp)
{
    g_autoptr(GOptionContext) ctx = NULL;
    GOptionEntry entries[] = {
        { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &opts->qemu_binary,
          "qemu-system-x86_64 to test (default: $QEMU_BINARY)", "PATH" },
        { "module-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->module_dir,
          "QEMU_MODULE_DIR for both QEMUs (default: $QEMU_MODULE_DIR)", "DIR" },
        { "firmware-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->firmware_dir,
          "firmware directory, QEMU's -L (default: none, QEMU finds its "
          "own)", "DIR" },
        { "machine", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->machines,
          "QEMU machine type to run the cases on (repeatable; default pc "
          "and q35, each case once per machine)", "TYPE" },
        { "accel", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->accels,
          "accelerator of the cases that run guest code: tcg or kvm "
          "(repeatable; default both, or $COLO_SHIM_ACCEL, comma-separated; "
          "KVM's cases skip, saying why, where KVM is unusable)", "ACCEL" },
        { "kvm-device", 0, 0, G_OPTION_ARG_FILENAME, &opts->kvm_device,
          "KVM device for the probe and QEMU's -accel kvm,device= "
          "(default " SHIM_KVM_DEVICE ")", "PATH" },
        { "seabios", 0, 0, G_OPTION_ARG_NONE, &opts->seabios,
          "boot the guest through SeaBIOS from a disk (default: the guest "
          "is its own firmware, -bios, and starts at once)", NULL },
        { "linux-kernel", 0, 0, G_OPTION_ARG_FILENAME, &opts->linux_kernel,
          "the disk cases' Linux guest kernel (default: the one set-up "
          "made, if any)", "FILE" },
        { "linux-initrd", 0, 0, G_OPTION_ARG_FILENAME, &opts->linux_initrd,
          "its initrd, with colo-workload (default: the build's)", "FILE" },
        { "disk-fault", 0, 0, G_OPTION_ARG_STRING, &opts->disk_fault,
          "for tests of the disk checks: set the disk cases up wrongly "
          "(" COLO_DISK_FAULT_UNREPLICATED ": the primary's writes never "
          "reach the secondary)", "FAULT" },
        { "net-fault", 0, 0, G_OPTION_ARG_STRING, &opts->net_fault,
          "for tests of the network checks: set the network cases up "
          "wrongly (" COLO_NET_FAULT_SECONDARY_OUTPUT_DROPPED ": the secondary's "
          "packets never reach colo-compare)", "FAULT" },
        { "channels", 0, 0, G_OPTION_ARG_INT, &opts->channels,
          "multifd channels in the multifd cases (default 2)", "N" },
        { "zero-page-detection", 0, 0, G_OPTION_ARG_STRING,
          &opts->zero_page_detection,
          "migration parameter zero-page-detection (default: QEMU's)", "MODE" },
        { "checkpoint-delay", 0, 0, G_OPTION_ARG_INT,
          &opts->checkpoint_delay_ms, "x-checkpoint-delay (default 300)", "MS" },
        { "checkpoints", 0, 0, G_OPTION_ARG_INT, &opts->checkpoints,
          "checkpoints to wait for before failing over (default 3)", "N" },
        { "cycles", 0, 0, G_OPTION_ARG_INT, &opts->cycles,
          "failovers in the re-protection cases (default 6)", "N" },
        { "soak-checkpoints", 0, 0, G_OPTION_ARG_INT, &opts->soak_checkpoints,
          "checkpoints in the soak cases (default 200)", "N" },
        { "soak-every", 0, 0, G_OPTION_ARG_INT, &opts->soak_every,
          "checkpoints between two samples in the soak cases (default 50)",
          "N" },
        { "soak-csv-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->soak_csv_dir,
          "write each soak case's samples to DIR/<accel>-<machine>-<kind>.csv",
          "DIR" },
        { "ram", 0, 0, G_OPTION_ARG_INT, &opts->ram_mib,
          "guest RAM (default 64)", "MIB" },
        { "guest-start", 0, 0, G_OPTION_ARG_INT, &opts->guest_start_mib,
          "start of the range the guest dirties (default 1)", "MIB" },
        { "guest-end", 0, 0, G_OPTION_ARG_INT, &opts->guest_end_mib,
          "end of the range the guest dirties (default 33)", "MIB" },
        { "heartbeat", 0, 0, G_OPTION_ARG_INT, &opts->heartbeat_passes,
          "guest passes per serial heartbeat byte (default 1)", "N" },
        { "valgrind", 0, 0, G_OPTION_ARG_NONE, &opts->valgrind,
          "run both QEMUs under valgrind memcheck (or COLO_SHIM_VALGRIND=1)",
          NULL },
        { "valgrind-supp", 0, 0, G_OPTION_ARG_FILENAME, &opts->valgrind_supp,
          "valgrind suppressions file", "FILE" },
        { "valgrind-origins", 0, 0, G_OPTION_ARG_NONE,
          &opts->valgrind_origins, "memcheck tracks where uninitialised "
          "values come from (slower; or COLO_SHIM_VALGRIND_ORIGINS=1)",
          NULL },
        { "timeout-scale", 0, 0, G_OPTION_ARG_INT, &opts->timeout_scale,
          "multiply every time bound (default 1, 40 with --valgrind)", "N" },
        { "only", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->only,
          "register only the cases whose path starts with PREFIX "
          "(repeatable; unlike several -p, one TAP plan)", "PREFIX" },
        { "exclude", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts->exclude,
          "register no case whose path starts with PREFIX (repeatable; "
          "after --only)", "PREFIX" },
        { "netns", 0, 0, G_OPTION_ARG_NONE, &opts->netns,
          "run primary and secondary in two network namespaces joined by a "
          "veth link (root; the proxy cases stay on loopback)", NULL },
        { "netns-delay", 0, 0, G_OPTION_ARG_INT, &opts->netns_delay_ms,
          "netem delay each way on that link (default 0: no netem)", "MS" },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &opts->keep,
          "keep every case's files, not only a failed case's", NULL },
        { NULL }
    };

    ctx = g_option_context_new("- COLO with a primary and a secondary QEMU "
                               "(colo-shim also takes GLib's test options, "
                               "such as -p PATH)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (extra) {
        g_option_context_add_main_entries(ctx, extra, NULL);
    }
    if (!g_option_context_parse(ctx, argc, argv, errp)) {
        return FALSE;
    }
    take_environment(opts);
    return validate(opts, errp);
}

void shim_options_clear(ShimOptions *opts)
{
    g_free(opts->qemu_binary);
    g_free(opts->module_dir);
    g_free(opts->firmware_dir);
    g_free(opts->valgrind_supp);
    g_free(opts->zero_page_detection);
    g_strfreev(opts->only);
    g_strfreev(opts->exclude);
    g_free(opts->soak_csv_dir);
    g_strfreev(opts->machines);
    g_strfreev(opts->accels);
    g_free(opts->kvm_device);
    g_free(opts->linux_kernel);
    g_free(opts->linux_initrd);
    g_free(opts->disk_fault);
    g_free(opts->net_fault);
}

ColoConfig shim_colo_config(const ShimOptions *opts, const char *workdir)
{
    return (ColoConfig) {
        .qemu_binary = opts->qemu_binary,
        .module_dir = opts->module_dir,
        .firmware_dir = opts->firmware_dir,
        .machine = opts->machines[0],
        .accel = opts->accels[0],
        .kvm_device = opts->kvm_device,
        .seabios = opts->seabios,
        .workdir = workdir,
        .multifd_channels = 0,
        .zero_page_detection = opts->zero_page_detection,
        .checkpoint_delay_ms = opts->checkpoint_delay_ms,
        .ram_mib = opts->ram_mib,
        .guest = {
            .start = (guint64)opts->guest_start_mib << 20,
            .end = (guint64)opts->guest_end_mib << 20,
            .heartbeat_passes = opts->heartbeat_passes,
        },
        .valgrind = opts->valgrind,
        .valgrind_supp = opts->valgrind_supp,
        .valgrind_origins = opts->valgrind_origins,
        .timeout_scale = opts->timeout_scale,
        .netns = opts->netns,
        .netns_delay_ms = opts->netns_delay_ms,
    };
}

char *shim_make_workdir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("colo-shim-XXXXXX", &err);

    if (!dir) {
        g_error("cannot create a work directory: %s", err->message);
    }
    return dir;
}

void shim_remove_workdir(const char *workdir)
{
    g_autoptr(GDir) dir = g_dir_open(workdir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(workdir, name, NULL);

        /* Subdirectories, but never what a symlink points to. */
        if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
            !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
            shim_remove_workdir(path);
        } else {
            g_unlink(path);
        }
    }
    g_rmdir(workdir);
}
