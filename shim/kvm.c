/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim-error.h"

#define PROBE_PAGE_SIZE 4096
#define PROBE_CODE_ADDR 0x1000
#define HLT_OPCODE 0xf4

/* The descriptors of one probe, closed whatever step fails. */
typedef struct Probe {
    int kvm, vm, vcpu;
    void *ram;
    struct kvm_run *run;
    gsize run_size;
} Probe;

static void probe_close(Probe *p)
{
    if (p->run) {
        munmap(p->run, p->run_size);
    }
    if (p->ram) {
        munmap(p->ram, PROBE_PAGE_SIZE);
    }
    for (int *fd = &p->kvm; fd <= &p->vcpu; fd++) {
        if (*fd >= 0) {
            close(*fd);
        }
    }
}

static gboolean unavailable(GError **errp, const char *device,
                            const char *step, int err)
{
    g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                "KVM is not usable here: %s %s: %s", step, device,
                g_strerror(err));
    return FALSE;
}

/* Opens @device and creates a VM: what every use of KVM starts with. */
static gboolean probe_open(Probe *p, const char *device, GError **errp)
{
    int version;

    p->kvm = open(device, O_RDWR | O_CLOEXEC);
    if (p->kvm < 0) {
        return unavailable(errp, device, "cannot open", errno);
    }
    version = ioctl(p->kvm, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "KVM is not usable here: %s speaks API %d, not %d",
                    device, version, KVM_API_VERSION);
        return FALSE;
    }
    p->vm = ioctl(p->kvm, KVM_CREATE_VM, 0);
    return p->vm >= 0 || unavailable(errp, device, "KVM_CREATE_VM on", errno);
}

/* One page of guest memory holding a HLT, where a real-mode vCPU starts. */
static gboolean probe_vcpu(Probe *p, const char *device, GError **errp)
{
    struct kvm_userspace_memory_region region = {
        .guest_phys_addr = PROBE_CODE_ADDR,
        .memory_size = PROBE_PAGE_SIZE,
    };
    struct kvm_sregs sregs;
    struct kvm_regs regs = { .rip = 0, .rflags = 2 };
    int size;

    p->ram = mmap(NULL, PROBE_PAGE_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p->ram == MAP_FAILED) {
        p->ram = NULL;
        return unavailable(errp, device, "no memory for a probe of", errno);
    }
    memset(p->ram, HLT_OPCODE, PROBE_PAGE_SIZE);
    region.userspace_addr = (guintptr)p->ram;
    if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        return unavailable(errp, device, "KVM_SET_USER_MEMORY_REGION on",
                           errno);
    }
    p->vcpu = ioctl(p->vm, KVM_CREATE_VCPU, 0);
    size = ioctl(p->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (p->vcpu < 0 || size <= 0) {
        return unavailable(errp, device, "KVM_CREATE_VCPU on", errno);
    }
    p->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu, 0);
    if (p->run == MAP_FAILED) {
        p->run = NULL;
        return unavailable(errp, device, "cannot map the vCPU of", errno);
    }
    p->run_size = size;
    /* Real mode, CS based at the page: the vCPU's first instruction. */
    if (ioctl(p->vcpu, KVM_GET_SREGS, &sregs) < 0) {
        return unavailable(errp, device, "KVM_GET_SREGS on", errno);
    }
    sregs.cs.base = PROBE_CODE_ADDR;
    sregs.cs.selector = PROBE_CODE_ADDR >> 4;
    if (ioctl(p->vcpu, KVM_SET_SREGS, &sregs) < 0 ||
        ioctl(p->vcpu, KVM_SET_REGS, &regs) < 0) {
        return unavailable(errp, device, "setting the vCPU's registers on",
                           errno);
    }
    return TRUE;
}

/* Runs the vCPU: it must stop at the HLT, so guest code really ran. */
static gboolean probe_run(Probe *p, const char *device, GError **errp)
{
    if (ioctl(p->vcpu, KVM_RUN, 0) < 0) {
        return unavailable(errp, device, "KVM_RUN on", errno);
    }
    if (p->run->exit_reason != KVM_EXIT_HLT) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "KVM is not usable here: a vCPU on %s exited with "
                    "reason %u instead of running to its HLT", device,
                    p->run->exit_reason);
        return FALSE;
    }
    return TRUE;
}

static gboolean probe(const char *device, GError **errp)
{
    Probe p = { .kvm = -1, .vm = -1, .vcpu = -1 };
    gboolean ok = probe_open(&p, device, errp) &&
                  probe_vcpu(&p, device, errp) &&
                  probe_run(&p, device, errp);

    probe_close(&p);
    return ok;
}

/* The probe's verdict per device: the error's message, or "" when usable. */
static GHashTable *verdicts;
G_LOCK_DEFINE_STATIC(verdicts);

gboolean kvm_usable(const char *device, GError **errp)
{
    g_autoptr(GError) err = NULL;
    const char *verdict;

    device = device ? device : SHIM_KVM_DEVICE;
    G_LOCK(verdicts);
    if (!verdicts) {
        verdicts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         g_free);
    }
    if (!(verdict = g_hash_table_lookup(verdicts, device))) {
        verdict = probe(device, &err) ? "" : err->message;
        g_hash_table_insert(verdicts, g_strdup(device), g_strdup(verdict));
        verdict = g_hash_table_lookup(verdicts, device);
    }
    G_UNLOCK(verdicts);
    if (*verdict) {
        g_set_error_literal(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE, verdict);
        return FALSE;
    }
    return TRUE;
}

gboolean kvm_dirty_ring_usable(const char *device, GError **errp)
{
    Probe p = { .kvm = -1, .vm = -1, .vcpu = -1 };
    int max_bytes = 0;
    gboolean ok;

    device = device ? device : SHIM_KVM_DEVICE;
    if (!kvm_usable(device, errp)) {
        return FALSE;
    }
    ok = probe_open(&p, device, errp);
    if (ok) {
        /* As QEMU asks: of the VM, the ring's largest size in bytes. */
        max_bytes = ioctl(p.vm, KVM_CHECK_EXTENSION, KVM_CAP_DIRTY_LOG_RING);
    }
    probe_close(&p);
    if (ok && max_bytes <= 0) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "KVM on %s offers no dirty ring "
                    "(KVM_CAP_DIRTY_LOG_RING is %d)", device, max_bytes);
        return FALSE;
    }
    return ok;
}

gboolean kvm_runs_kernel_mode(GError **errp)
{
    if (g_file_test("/sys/module/kvm_pvm", G_FILE_TEST_IS_DIR)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_UNAVAILABLE,
                    "KVM here is nested PVM (kvm_pvm), whose instruction "
                    "emulator cannot run a Linux kernel");
        return FALSE;
    }
    return TRUE;
}
