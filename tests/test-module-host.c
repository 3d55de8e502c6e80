/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small host for migration-colo-multifd.so: it implements QEMU's side of
 * colo-multifd.h over plain buffers, loads the module with GModule the way
 * QEMU's loader does, and checks the receive semantics packet by packet.
 * The module under test is $MODULE_UNDER_TEST.
 */
#include <glib.h>
#include <gmodule.h>
#include <string.h>

#include "colo-multifd.h"

#define PAGE 4096
#define BLOCK_PAGES 16

/* The host's definition of the handle the module only sees as opaque. */
struct ColoMultifdPacket {
    uint8_t *guest_ram;
    uint8_t *cache;
    uint8_t *destination;
    uint64_t normal[BLOCK_PAGES];
    uint32_t normal_num;
    uint64_t zero[BLOCK_PAGES];
    uint32_t zero_num;
};

static const ColoMultifdHooks *hooks;
static void (*module_init_fn)(void);
static int module_init_type = -1;
static bool in_colo, in_precopy;
static GArray *dirty;           /* offsets recorded in the COLO bitmap */
static GModule *module;

/* ---- QEMU's side of the contract ---- */

bool colo_multifd_register_hooks(const ColoMultifdHooks *h)
{
    if (h->api_version != COLO_MULTIFD_API_VERSION) {
        return false;
    }
    hooks = h;
    return true;
}

uint8_t *colo_multifd_packet_guest_ram(const ColoMultifdPacket *pkt)
{
    return pkt->guest_ram;
}

uint8_t *colo_multifd_packet_colo_cache(const ColoMultifdPacket *pkt)
{
    return pkt->cache;
}

void colo_multifd_packet_set_destination(ColoMultifdPacket *pkt, uint8_t *base)
{
    g_assert_true(base == pkt->guest_ram || base == pkt->cache);
    pkt->destination = base;
}

const uint64_t *colo_multifd_packet_normal(const ColoMultifdPacket *pkt,
                                           uint32_t *count)
{
    *count = pkt->normal_num;
    return pkt->normal;
}

const uint64_t *colo_multifd_packet_zero(const ColoMultifdPacket *pkt,
                                         uint32_t *count)
{
    *count = pkt->zero_num;
    return pkt->zero;
}

void colo_multifd_packet_record_dirty(const ColoMultifdPacket *pkt,
                                      const uint64_t *offsets, uint32_t count)
{
    g_array_append_vals(dirty, offsets, count);
}

size_t colo_multifd_page_size(void)
{
    return PAGE;
}

bool colo_multifd_incoming_in_colo(void)
{
    return in_colo;
}

bool colo_multifd_incoming_in_precopy(void)
{
    return in_precopy;
}

void register_dso_module_init(void (*fn)(void), int type)
{
    module_init_fn = fn;
    module_init_type = type;
}

/* ---- fixtures: one RAM block, its cache, one packet ---- */

typedef struct Fixture {
    ColoMultifdPacket pkt;
    uint8_t *guest_ram;
    uint8_t *cache;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->guest_ram = g_malloc(BLOCK_PAGES * PAGE);
    f->cache = g_malloc(BLOCK_PAGES * PAGE);
    memset(f->guest_ram, 0xee, BLOCK_PAGES * PAGE);  /* the secondary's own */
    memset(f->cache, 0xcc, BLOCK_PAGES * PAGE);
    f->pkt = (ColoMultifdPacket) {
        .guest_ram = f->guest_ram,
        .cache = f->cache,
        .destination = f->guest_ram,    /* what QEMU sets before the hook */
        .normal = { 1 * PAGE, 4 * PAGE, 5 * PAGE },
        .normal_num = 3,
        .zero = { 2 * PAGE, 9 * PAGE },
        .zero_num = 2,
    };
    g_array_set_size(dirty, 0);
    in_colo = in_precopy = false;
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_free(f->guest_ram);
    g_free(f->cache);
}

static bool prepare(Fixture *f)
{
    g_autofree char *msg = NULL;
    bool ok = hooks->packet_prepare(&f->pkt, &msg);

    if (!ok) {
        g_test_message("prepare refused: %s", msg);
    }
    return ok;
}

/* What QEMU does between the hooks: the pages land in the destination. */
static void receive(Fixture *f)
{
    for (uint32_t i = 0; i < f->pkt.normal_num; i++) {
        memset(f->pkt.destination + f->pkt.normal[i], 0x10 + i, PAGE);
    }
    for (uint32_t i = 0; i < f->pkt.zero_num; i++) {
        memset(f->pkt.destination + f->pkt.zero[i], 0, PAGE);
    }
}

static void process(Fixture *f)
{
    g_autofree char *msg = NULL;

    g_assert_true(hooks->packet_process(&f->pkt, &msg));
}

static bool page_filled(const uint8_t *page, uint8_t v)
{
    for (size_t i = 0; i < PAGE; i++) {
        if (page[i] != v) {
            return false;
        }
    }
    return true;
}

static bool dirty_has(uint64_t offset)
{
    for (guint i = 0; i < dirty->len; i++) {
        if (g_array_index(dirty, uint64_t, i) == offset) {
            return true;
        }
    }
    return false;
}

static bool guest_ram_untouched(Fixture *f)
{
    for (size_t p = 0; p < BLOCK_PAGES; p++) {
        if (!page_filled(f->guest_ram + p * PAGE, 0xee)) {
            return false;
        }
    }
    return true;
}

/* ---- tests ---- */

static void test_registration(void)
{
    gpointer sym = NULL;

    g_assert_cmpint(module_init_type, ==, COLO_MULTIFD_MODULE_INIT_MIGRATION);
    g_assert_true(g_module_symbol(module, EXPECTED_STAMP_SYMBOL, &sym));
    g_assert_true(g_module_symbol(module, "qemu_module_dummy", &sym));
    /* The host, like QEMU, keeps no hooks of another API version. */
    g_assert_nonnull(hooks);
}

static void test_precopy_routes_to_cache(Fixture *f, gconstpointer data)
{
    in_precopy = true;
    g_assert_true(prepare(f));
    g_assert_true(f->pkt.destination == f->cache);
    g_assert_cmpuint(dirty->len, ==, 0);
}

static void test_precopy_copies_pages_through(Fixture *f, gconstpointer data)
{
    in_precopy = true;
    g_assert_true(prepare(f));
    receive(f);
    process(f);
    for (uint32_t i = 0; i < f->pkt.normal_num; i++) {
        g_assert_cmpmem(f->guest_ram + f->pkt.normal[i], PAGE,
                        f->cache + f->pkt.normal[i], PAGE);
    }
    for (uint32_t i = 0; i < f->pkt.zero_num; i++) {
        g_assert_true(page_filled(f->guest_ram + f->pkt.zero[i], 0));
    }
    g_assert_true(page_filled(f->guest_ram + 3 * PAGE, 0xee));
}

static void test_colo_records_normal_and_zero(Fixture *f, gconstpointer data)
{
    in_colo = true;
    g_assert_true(prepare(f));
    g_assert_true(f->pkt.destination == f->cache);
    for (uint32_t i = 0; i < f->pkt.normal_num; i++) {
        g_assert_true(dirty_has(f->pkt.normal[i]));
    }
    for (uint32_t i = 0; i < f->pkt.zero_num; i++) {
        g_assert_true(dirty_has(f->pkt.zero[i]));
    }
    g_assert_cmpuint(dirty->len, ==, f->pkt.normal_num + f->pkt.zero_num);
    receive(f);
    process(f);
    g_assert_true(guest_ram_untouched(f));
}

/* After failover the incoming state is neither COLO nor precopy. */
static void test_after_failover_guest_ram_kept(Fixture *f, gconstpointer data)
{
    g_assert_true(prepare(f));
    g_assert_true(f->pkt.destination == f->cache);
    receive(f);
    process(f);
    g_assert_true(guest_ram_untouched(f));
    g_assert_cmpuint(dirty->len, ==, 0);
}

static void test_no_cache_refused(Fixture *f, gconstpointer data)
{
    f->pkt.cache = NULL;
    in_precopy = true;
    g_assert_false(prepare(f));
    g_assert_true(f->pkt.destination == f->guest_ram);
}

int main(int argc, char **argv)
{
    const char *path = g_getenv("MODULE_UNDER_TEST");

    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    if (!path) {
        g_print("Bail out! MODULE_UNDER_TEST is not set\n");
        return 1;
    }
    dirty = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    /* As QEMU's loader: open, then run what module_init registered. */
    module = g_module_open(path, G_MODULE_BIND_LOCAL);
    if (!module || !module_init_fn) {
        g_print("Bail out! %s: %s\n", path,
                module ? "no module_init registration" : g_module_error());
        return 1;
    }
    module_init_fn();
    g_test_add_func("/module/registration", test_registration);
    if (!hooks) {
        /* Hooks refused: only the registration test can say more. */
        return g_test_run();
    }
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/module/precopy/routes_to_cache", test_precopy_routes_to_cache);
    ADD("/module/precopy/copies_pages_through",
        test_precopy_copies_pages_through);
    ADD("/module/colo/records_normal_and_zero_pages",
        test_colo_records_normal_and_zero);
    ADD("/module/after_failover/guest_ram_kept",
        test_after_failover_guest_ram_kept);
    ADD("/module/no_cache_refused", test_no_cache_refused);
#undef ADD
    return g_test_run();
}
