/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "accel.h"

#include "kvm.h"

char *accel_arg(const ColoConfig *cfg)
{
    const char *name = cfg->accel ? cfg->accel : "tcg";
    GString *arg = g_string_new(name);

    if (!g_str_equal(name, "kvm")) {
        return g_string_free(arg, FALSE);
    }
    if (cfg->kvm_device) {
        g_string_append_printf(arg, ",device=%s", cfg->kvm_device);
    }
    if (cfg->kvm_dirty_ring) {
        g_string_append_printf(arg, ",dirty-ring-size=%u", cfg->kvm_dirty_ring);
    }
    return g_string_free(arg, FALSE);
}

gboolean accel_usable(const ColoConfig *cfg, GError **errp)
{
    if (cfg->qtest || !cfg->accel || !g_str_equal(cfg->accel, "kvm")) {
        return TRUE;
    }
    return cfg->kvm_dirty_ring ? kvm_dirty_ring_usable(cfg->kvm_device, errp)
                               : kvm_usable(cfg->kvm_device, errp);
}
