/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading what the Linux guest's workload left: its acknowledgements on
 * the console and its journal on a disk image, with the faults the disk
 * cases must see (a hole, a record after the end, one out of order).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "guest/linux/workload-format.h"
#include "shim-error.h"
#include "workload-log.h"

typedef struct Fixture {
    char *dir;
    char *path;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("test-workload-log-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "file", NULL);
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_unlink(f->path);
    g_rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
}

static void test_acks(Fixture *f, gconstpointer data)
{
    const char *log = "COLO-LINUX-READY\r\nCOLO-WL-START next=3\r\n"
                      "COLO-WL-ACK 3\r\nCOLO-WL-ACK 4\r\nnoise COLO-WL-ACK 9\n"
                      "COLO-WL-ACK 5\r\nCOLO-WL-ACK 7\r\n";
    const char *from = g_strstr_len(log, -1, "COLO-WL-ACK 4");
    g_autoptr(GError) err = NULL;
    WlAcks acks;

    g_assert_true(g_file_set_contents(f->path, log, -1, NULL));
    g_assert_true(wl_read_acks(f->path, 0, -1, &acks, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(acks.count, ==, 4);
    g_assert_cmpuint(acks.first, ==, 3);
    g_assert_cmpuint(acks.last, ==, 7);
    g_assert_false(acks.in_order);
    g_assert_cmpuint(acks.out_of_order, ==, 7);

    /* Lines that start in [from, to) only: 4 and the line after it. */
    g_assert_true(wl_read_acks(f->path, from - log, from - log + 14, &acks,
                               &err));
    g_assert_cmpuint(acks.count, ==, 1);
    g_assert_cmpuint(acks.first, ==, 4);
    g_assert_true(acks.in_order);
}

/* A disk of @sectors, records 0..@records-1, and a stray one at @stray. */
static void write_disk(const char *path, guint sectors, guint records,
                       gint stray)
{
    g_autofree WlRecord *disk = g_new0(WlRecord, sectors);

    for (guint i = 0; i < records; i++) {
        wl_record_make(&disk[i], i);
    }
    if (stray >= 0) {
        wl_record_make(&disk[stray], stray);
    }
    g_assert_true(g_file_set_contents(path, (const char *)disk,
                                      sectors * sizeof(WlRecord), NULL));
}

static void test_journal(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint64 records = 99;

    write_disk(f->path, 256, 0, -1);
    g_assert_true(wl_read_journal(f->path, &records, &err));
    g_assert_cmpuint(records, ==, 0);

    write_disk(f->path, 256, 40, -1);
    g_assert_true(wl_read_journal(f->path, &records, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(records, ==, 40);

    /* Full to the last sector. */
    write_disk(f->path, 64, 64, -1);
    g_assert_true(wl_read_journal(f->path, &records, &err));
    g_assert_cmpuint(records, ==, 64);
}

/* A record after a hole: written by a run the disk should have undone. */
static void test_journal_hole(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint64 records;

    write_disk(f->path, 256, 40, 45);
    g_assert_false(wl_read_journal(f->path, &records, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_nonnull(strstr(err->message, "ends after 40 records, but "
                                          "sector 45 is not empty"));
}

/* A torn record (one byte changed) ends the journal. */
static void test_journal_torn(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *bytes = NULL;
    gsize len;
    guint64 records;

    write_disk(f->path, 256, 40, -1);
    g_assert_true(g_file_get_contents(f->path, &bytes, &len, NULL));
    bytes[39 * WL_RECORD_SIZE + 100] ^= 1;
    g_assert_true(g_file_set_contents(f->path, bytes, len, NULL));
    g_assert_false(wl_read_journal(f->path, &records, &err));
    g_assert_error(err, SHIM_ERROR, SHIM_ERROR_CHECK);
    g_assert_cmpuint(records, ==, 39);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/workload-log/acks", Fixture, NULL, setup, test_acks,
               teardown);
    g_test_add("/workload-log/journal", Fixture, NULL, setup, test_journal,
               teardown);
    g_test_add("/workload-log/journal_hole", Fixture, NULL, setup,
               test_journal_hole, teardown);
    g_test_add("/workload-log/journal_torn", Fixture, NULL, setup,
               test_journal_torn, teardown);
    return g_test_run();
}
