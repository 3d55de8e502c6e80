/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "virtio-checkpoint.h"

#include "shim-error.h"
#include "virtio-query.h"

#define SLOT 4                      /* the device's PCI slot, bus 0 */
#define CONFIG_ADDRESS 0xcf8        /* PCI configuration mechanism #1 */
#define CONFIG_DATA 0xcfc
#define PCI_COMMAND 0x04
#define COMMAND_MEMORY 0x2
#define COMMAND_MASTER 0x4

static gboolean prepare_side(ColoPair *pair, ColoSide side, const char *name,
                             GStrvBuilder *b, GError **errp)
{
    g_autofree char *device = g_strdup_printf(
        "virtio-blk-pci,drive=vd,addr=0x%x", SLOT);

    /* No data to replicate: the device's state is what is checked. */
    g_strv_builder_add_many(b, "-drive", "if=none,id=vd,driver=null-co",
                            "-device", device, NULL);
    return TRUE;
}

/* @side's guest writes its device's PCI command register. */
static gboolean write_command(ColoPair *pair, ColoSide side, guint16 command,
                              GError **errp)
{
    guint32 address = 0x80000000u | SLOT << 11 | PCI_COMMAND;

    return colo_pair_port_write(pair, side, 4, CONFIG_ADDRESS, address,
                                errp) &&
           colo_pair_port_write(pair, side, 2, CONFIG_DATA, command, errp);
}

/* The primary's guest sets its device up as a driver does. */
static gboolean before_migrate(ColoPair *pair, GError **errp)
{
    return write_command(pair, COLO_PRIMARY, COMMAND_MEMORY | COMMAND_MASTER,
                         errp);
}

static const ColoPairHooks virtio_hooks = {
    .prepare_side = prepare_side,
    .before_migrate = before_migrate,
};

void virtio_checkpoint_configure(ColoConfig *cfg)
{
    cfg->hooks = &virtio_hooks;
}

static gboolean expect_disabled(ColoPair *pair, ColoSide side, gboolean want,
                                const char *when, GError **errp)
{
    gboolean disabled;

    if (!virtio_query_disabled(pair, side, "virtio-blk", &disabled, errp)) {
        return FALSE;
    }
    if (disabled != want) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                    "the %s's virtio-blk device is %s %s",
                    colo_side_name(side), disabled ? "disabled" : "enabled",
                    when);
        return colo_pair_fail(pair, errp);
    }
    return TRUE;
}

gboolean virtio_enabled_after_checkpoint(ColoPair *pair, GError **errp)
{
    return expect_disabled(pair, COLO_PRIMARY, FALSE,
                           "with bus mastering on", errp) &&
           colo_pair_wait_new_checkpoint(pair, errp) &&
           write_command(pair, COLO_SECONDARY, COMMAND_MEMORY, errp) &&
           expect_disabled(pair, COLO_SECONDARY, TRUE,
                           "once its guest turned bus mastering off", errp) &&
           colo_pair_wait_new_checkpoint(pair, errp) &&
           expect_disabled(pair, COLO_SECONDARY, FALSE,
                           "after a checkpoint loaded the primary's state, "
                           "which has bus mastering on", errp);
}
