/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-multifd.h: the whole contract between a QEMU patched by colo-multifd
 * and its module migration-colo-multifd.
 *
 * Without COLO, multifd receive threads write pages straight into guest RAM.
 * A COLO secondary must instead keep the primary's pages in its colo cache
 * and mark them in its dirty bitmap, so that a checkpoint can be applied
 * completely or not at all.  QEMU's multifd receive path calls the hooks
 * registered here; the module decides where a packet's pages land and what
 * is recorded, through the opaque handle and accessors below.
 *
 * Like qemu-plugin.h: one narrow versioned header, opaque handles, nothing
 * else from QEMU.  A copy of this file is carried by the QEMU patch series
 * as include/migration/colo-multifd.h; the two must stay identical.
 */
#ifndef COLO_MULTIFD_H
#define COLO_MULTIFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bumped on any incompatible change of this file.  QEMU refuses hooks built
 * against another version.
 */
#define COLO_MULTIFD_API_VERSION 1

/* The module's name for QEMU's loader: <moddir>/migration-colo-multifd.so */
#define COLO_MULTIFD_MODULE_NAME "migration-colo-multifd"

/*
 * One received multifd RAM packet, valid for the duration of a hook call.
 * Offsets are byte offsets into the packet's RAM block.
 */
typedef struct ColoMultifdPacket ColoMultifdPacket;

typedef struct ColoMultifdHooks {
    /* COLO_MULTIFD_API_VERSION as the module was compiled. */
    uint32_t api_version;

    /*
     * Called in a receive thread once the packet's RAM block and its normal
     * and zero page offsets are known and validated, before any page is
     * read from the channel.  Chooses where the pages land
     * (colo_multifd_packet_set_destination) and records pages in the COLO
     * dirty bitmap.  Returns false with *errmsg (g_malloc'ed; QEMU frees it)
     * to fail the migration rather than let a page land wrongly.
     */
    bool (*packet_prepare)(ColoMultifdPacket *pkt, char **errmsg);

    /*
     * Called in the same receive thread once all of the packet's normal
     * pages are in the destination and its zero pages are handled there.
     */
    bool (*packet_process)(ColoMultifdPacket *pkt, char **errmsg);
} ColoMultifdHooks;

/*
 * Exported by QEMU.  A module calls this from its init function; QEMU keeps
 * @hooks (which must live as long as the process).  Returns false, and QEMU
 * reports why, when @hooks->api_version is not QEMU's.
 */
bool colo_multifd_register_hooks(const ColoMultifdHooks *hooks);

/* ---- Accessors exported by QEMU, for use inside the hooks ---- */

/* The RAM block's guest memory, where migration writes without COLO. */
uint8_t *colo_multifd_packet_guest_ram(const ColoMultifdPacket *pkt);

/* The RAM block's colo cache, or NULL while the block has none. */
uint8_t *colo_multifd_packet_colo_cache(const ColoMultifdPacket *pkt);

/* Where the packet's pages are written: a block's guest RAM or colo cache. */
void colo_multifd_packet_set_destination(ColoMultifdPacket *pkt,
                                         uint8_t *base);

/* The packet's normal (data) and zero page offsets and their counts. */
const uint64_t *colo_multifd_packet_normal(const ColoMultifdPacket *pkt,
                                           uint32_t *count);
const uint64_t *colo_multifd_packet_zero(const ColoMultifdPacket *pkt,
                                         uint32_t *count);

/* Marks pages of the packet's block dirty in the COLO bitmap. */
void colo_multifd_packet_record_dirty(const ColoMultifdPacket *pkt,
                                      const uint64_t *offsets,
                                      uint32_t count);

/* The migration page size in bytes. */
size_t colo_multifd_page_size(void);

/* The incoming side has entered COLO: checkpoints are being received. */
bool colo_multifd_incoming_in_colo(void);

/*
 * The incoming side is still in its first, precopy, migration: not yet in
 * COLO and not after a failover.
 */
bool colo_multifd_incoming_in_precopy(void);

/* ---- Registration as a QEMU DSO module ---- */

/*
 * What QEMU's module_init() expands to inside a module; the type value is
 * QEMU's MODULE_INIT_MIGRATION.  (Inside QEMU, qemu/module.h declares it.)
 */
#ifndef QEMU_MODULE_H
void register_dso_module_init(void (*fn)(void), int type);
#endif
#define COLO_MULTIFD_MODULE_INIT_MIGRATION 0

#define COLO_MULTIFD_MODULE_INIT(function)                                  \
    static void __attribute__((constructor)) colo_multifd_ctor_##function(void) \
    {                                                                       \
        register_dso_module_init(function, COLO_MULTIFD_MODULE_INIT_MIGRATION); \
    }

/*
 * QEMU's loader accepts a module only if it defines qemu_stamp<STAMP>, STAMP
 * being CONFIG_STAMP of the QEMU build it was made for (config-host.h).
 * qemu_module_dummy marks it as a QEMU module, so that a stamp mismatch is
 * reported as one.
 */
#define COLO_MULTIFD_GLUE_(a, b) a##b
#define COLO_MULTIFD_GLUE(a, b) COLO_MULTIFD_GLUE_(a, b)
#define COLO_MULTIFD_EXPORT __attribute__((visibility("default")))
#define COLO_MULTIFD_MODULE_STAMP(stamp)                                    \
    COLO_MULTIFD_EXPORT void COLO_MULTIFD_GLUE(qemu_stamp, stamp)(void);    \
    COLO_MULTIFD_EXPORT void COLO_MULTIFD_GLUE(qemu_stamp, stamp)(void) {}  \
    COLO_MULTIFD_EXPORT void qemu_module_dummy(void);                       \
    COLO_MULTIFD_EXPORT void qemu_module_dummy(void) {}

#endif
