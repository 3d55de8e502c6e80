/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the Linux guest's workload (colo-workload.c) writes and prints, for
 * the workload and for the shim that checks a survivor's disk from the
 * host: one definition, so the two cannot disagree.  Plain C, no GLib: the
 * workload is a static program with nothing but libc.
 *
 * The journal is a run of records from the disk's first byte, one per
 * sector: record N at N * WL_RECORD_SIZE, valid only with its magic, its
 * number and the checksum of all of it.  A never written sector is zeros,
 * which is never valid.
 */
#ifndef WORKLOAD_FORMAT_H
#define WORKLOAD_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define WL_RECORD_SIZE 512
#define WL_MAGIC 0x314c5743u            /* "CWL1", little-endian */
/* Sectors after the journal's last record that must be empty. */
#define WL_EMPTY_AFTER 64

/* Console lines: each starts with one of these, then its fields. */
#define WL_START "COLO-WL-START"        /* next=N mem_mib=M: journal checked */
#define WL_ACK "COLO-WL-ACK"            /* N: record N is on the disk */
#define WL_PASS "COLO-WL-PASS"          /* P: every page checked, rewritten */
#define WL_BAD "COLO-WL-BAD"            /* what the workload found wrong */
#define WL_ERROR "COLO-WL-ERROR"        /* a call that failed, and errno */

typedef struct WlRecord {
    uint32_t magic;
    uint32_t reserved;                  /* zero */
    uint64_t seq;
    uint64_t sum;                       /* of the whole record, sum zero */
    uint8_t fill[WL_RECORD_SIZE - 24];  /* from seq: a torn write shows */
} WlRecord;

_Static_assert(sizeof(WlRecord) == WL_RECORD_SIZE, "one record per sector");

/* FNV-1a, 64 bits: enough to tell a record from a torn or stale one. */
static inline uint64_t wl_hash(const void *data, size_t len, uint64_t h)
{
    const uint8_t *p = data;

    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * 0x100000001b3ull;
    }
    return h;
}

static inline uint64_t wl_record_sum(const WlRecord *r)
{
    WlRecord copy = *r;

    copy.sum = 0;
    return wl_hash(&copy, sizeof(copy), 0xcbf29ce484222325ull);
}

static inline void wl_record_make(WlRecord *r, uint64_t seq)
{
    memset(r, 0, sizeof(*r));
    r->magic = WL_MAGIC;
    r->seq = seq;
    for (size_t i = 0; i < sizeof(r->fill); i++) {
        r->fill[i] = (uint8_t)(seq * 131 + i);
    }
    r->sum = wl_record_sum(r);
}

/* Whether @r is record @seq, whole. */
static inline bool wl_record_valid(const WlRecord *r, uint64_t seq)
{
    return r->magic == WL_MAGIC && r->reserved == 0 && r->seq == seq &&
           r->sum == wl_record_sum(r);
}

#endif
