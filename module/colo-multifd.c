/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * COLO receive semantics for multifd (the hooks of colo-multifd.h).
 *
 * A COLO secondary runs its own copy of the guest between checkpoints, so
 * pages from the primary must not land in guest RAM directly: they go to
 * the colo cache, and in COLO state every received page, data or zero, is
 * marked in the dirty bitmap so that the checkpoint copies it from the
 * cache into guest RAM.  A zero page left out of the bitmap would keep the
 * secondary's stale contents after a checkpoint.  During the first precopy
 * no checkpoint flush happens, so guest RAM is kept equal to the cache
 * page by page here.
 */
#include <glib.h>
#include <string.h>

#include "hooks.h"

/*
 * Test-only builds (meson option test_fault) break one rule each, to prove
 * the tests catch it; the installed module is built with none.
 */
#define FAULT_NONE 0
#define FAULT_INVALID_WRITE 1           /* memcheck must report it */
#define FAULT_NO_ZERO_BITMAP 2          /* zero pages not marked dirty */
#define FAULT_NO_PRECOPY_ZERO_CLEAR 3   /* zero pages kept in guest RAM */
#ifndef COLO_MULTIFD_TEST_FAULT
#define COLO_MULTIFD_TEST_FAULT FAULT_NONE
#endif
/* A test-only build may claim another API version, to be refused. */
#ifndef COLO_MULTIFD_TEST_API_VERSION
#define COLO_MULTIFD_TEST_API_VERSION COLO_MULTIFD_API_VERSION
#endif

static void record_received_pages(ColoMultifdPacket *pkt)
{
    const uint64_t *offsets;
    uint32_t n;

    offsets = colo_multifd_packet_normal(pkt, &n);
    colo_multifd_packet_record_dirty(pkt, offsets, n);
    if (COLO_MULTIFD_TEST_FAULT != FAULT_NO_ZERO_BITMAP) {
        offsets = colo_multifd_packet_zero(pkt, &n);
        colo_multifd_packet_record_dirty(pkt, offsets, n);
    }
}

static bool colo_packet_prepare(ColoMultifdPacket *pkt, char **errmsg)
{
    uint8_t *cache = colo_multifd_packet_colo_cache(pkt);

    if (!cache) {
        /* Writing guest RAM instead would corrupt the secondary silently. */
        *errmsg = g_strdup("COLO multifd: RAM arrived for a block without "
                           "colo cache; refusing to write guest RAM");
        return false;
    }
    colo_multifd_packet_set_destination(pkt, cache);
    if (colo_multifd_incoming_in_colo()) {
        record_received_pages(pkt);
    }
    return true;
}

static bool page_is_zero(const uint8_t *page, size_t size)
{
    return page[0] == 0 && memcmp(page, page + 1, size - 1) == 0;
}

static void copy_through(ColoMultifdPacket *pkt)
{
    uint8_t *ram = colo_multifd_packet_guest_ram(pkt);
    const uint8_t *cache = colo_multifd_packet_colo_cache(pkt);
    size_t size = colo_multifd_page_size();
    const uint64_t *offsets;
    uint32_t n;

    offsets = colo_multifd_packet_normal(pkt, &n);
    for (uint32_t i = 0; i < n; i++) {
        memcpy(ram + offsets[i], cache + offsets[i], size);
    }
    if (COLO_MULTIFD_TEST_FAULT == FAULT_NO_PRECOPY_ZERO_CLEAR) {
        return;
    }
    offsets = colo_multifd_packet_zero(pkt, &n);
    for (uint32_t i = 0; i < n; i++) {
        /* Writing an untouched page would only fault it in. */
        if (!page_is_zero(ram + offsets[i], size)) {
            memset(ram + offsets[i], 0, size);
        }
    }
}

static bool colo_packet_process(ColoMultifdPacket *pkt, char **errmsg)
{
    if (COLO_MULTIFD_TEST_FAULT == FAULT_INVALID_WRITE) {
        char *scratch = g_malloc(8);
        volatile size_t past_end = 8;   /* hidden from the compiler */

        scratch[past_end] = 1;
        g_free(scratch);
    }
    /*
     * Only the first precopy: in COLO the checkpoint flushes the cache, and
     * after a failover the cache must not reach guest RAM any more.
     */
    if (colo_multifd_incoming_in_precopy()) {
        copy_through(pkt);
    }
    return true;
}

const ColoMultifdHooks colo_multifd_module_hooks = {
    .api_version = COLO_MULTIFD_TEST_API_VERSION,
    .packet_prepare = colo_packet_prepare,
    .packet_process = colo_packet_process,
};
