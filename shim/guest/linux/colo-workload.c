/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-workload mem=MIB,disk=DEV,tick=MS[,serve=PORT[,differ=1]]: the
 * Linux guest's self-checking load, run by its init.  Each tick it appends
 * one journal record to the raw disk DEV (O_DIRECT, then fdatasync, then
 * "COLO-WL-ACK N" on the console) and rewrites a slice of a MIB-sized
 * buffer page by page, each page checked before it is rewritten.  With
 * serve=PORT it appends a record for each request of its TCP service
 * instead (net-service.h), whose answer names the record.
 *
 * What a COLO failover must keep, it checks from inside: the buffer and the
 * journal's next number both live in RAM, the journal on the disk, so the
 * survivor's disk must end exactly where its RAM says.  On start it reads
 * the journal and goes on after its last valid record; before each write
 * it reads the sector it is about to fill, which must be empty: a record
 * there was written by an execution the failover should have undone.
 * Anything wrong is printed as "COLO-WL-BAD ..."; the workload never exits
 * on its own, as its init has nothing better to do.
 *
 * Record format and console words: workload-format.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "net-service.h"
#include "say.h"
#include "workload-format.h"

#define PAGE 4096
#define PAGES_PER_TICK 256      /* 1 MiB of dirty pages a tick */
#define SCAN_BATCH 128          /* records read at a time on start */

typedef struct Config {
    unsigned mem_mib;
    const char *disk;
    unsigned tick_ms;
    unsigned serve_port;        /* 0: a record a tick, no service */
    bool differ;                /* answers carry a token of this VM's own */
} Config;

typedef struct Page {
    uint64_t pass;
    uint64_t index;
    uint64_t sum;
    uint8_t fill[PAGE - 24];
} Page;

static bool parse_config(const char *arg, Config *cfg)
{
    char *copy = strdup(arg), *save = NULL;

    *cfg = (Config) { .mem_mib = 16, .disk = "/dev/vda", .tick_ms = 50 };
    for (char *kv = strtok_r(copy, ",", &save); kv;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');

        if (!eq) {
            return false;
        }
        *eq = '\0';
        if (!strcmp(kv, "mem")) {
            cfg->mem_mib = strtoul(eq + 1, NULL, 10);
        } else if (!strcmp(kv, "disk")) {
            cfg->disk = strdup(eq + 1);
        } else if (!strcmp(kv, "tick")) {
            cfg->tick_ms = strtoul(eq + 1, NULL, 10);
        } else if (!strcmp(kv, "serve")) {
            cfg->serve_port = strtoul(eq + 1, NULL, 10);
        } else if (!strcmp(kv, "differ")) {
            cfg->differ = !strcmp(eq + 1, "1");
        } else {
            return false;
        }
    }
    return cfg->mem_mib > 0 && cfg->tick_ms > 0;
}

/* ---- memory: every page holds its pass and index, summed ---- */

static void page_make(Page *p, uint64_t pass, uint64_t index)
{
    p->pass = pass;
    p->index = index;
    for (size_t i = 0; i < sizeof(p->fill); i++) {
        p->fill[i] = (uint8_t)(pass * 7 + index * 13 + i);
    }
    p->sum = wl_hash(p->fill, sizeof(p->fill), pass ^ (index << 20));
}

static bool page_valid(const Page *p, uint64_t pass, uint64_t index)
{
    return p->pass == pass && p->index == index &&
           p->sum == wl_hash(p->fill, sizeof(p->fill), pass ^ (index << 20));
}

typedef struct Memory {
    Page *pages;
    size_t n;
    size_t next;                /* the next page to check and rewrite */
    uint64_t pass;              /* pages before next hold it, later pass - 1 */
    bool bad;                   /* said once: one bad page is enough to see */
} Memory;

static bool memory_init(Memory *m, unsigned mib)
{
    m->n = (size_t)mib * (1024 * 1024 / PAGE);
    m->pages = aligned_alloc(PAGE, m->n * PAGE);
    if (!m->pages) {
        return false;
    }
    for (size_t i = 0; i < m->n; i++) {
        page_make(&m->pages[i], 0, i);
    }
    m->next = 0;
    m->pass = 1;
    return true;
}

static void memory_step(Memory *m, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        Page *p = &m->pages[m->next];

        if (!m->bad && !page_valid(p, m->pass - 1, m->next)) {
            say(WL_BAD " page %zu of pass %llu holds pass %llu index %llu",
                m->next, (unsigned long long)m->pass - 1,
                (unsigned long long)p->pass, (unsigned long long)p->index);
            m->bad = true;
        }
        page_make(p, m->pass, m->next);
        if (++m->next == m->n) {
            say(WL_PASS " %llu", (unsigned long long)m->pass);
            m->next = 0;
            m->pass++;
        }
    }
}

/* ---- disk: the journal ---- */

typedef struct Journal {
    int fd;
    uint64_t next;              /* the number of the next record */
    uint64_t capacity;          /* records the disk holds */
    WlRecord *buf;              /* O_DIRECT: aligned, SCAN_BATCH records */
    bool stopped;               /* full, or a write failed: said once */
} Journal;

static bool read_records(Journal *j, uint64_t first, size_t count)
{
    ssize_t len = (ssize_t)count * WL_RECORD_SIZE;
    ssize_t got = pread(j->fd, j->buf, len, (off_t)first * WL_RECORD_SIZE);

    if (got != len) {
        say(WL_ERROR " read of records %llu+%zu: %s",
            (unsigned long long)first, count,
            got < 0 ? strerror(errno) : "short read");
        return false;
    }
    return true;
}

static bool sector_empty(const WlRecord *r)
{
    static const WlRecord zero;

    return !memcmp(r, &zero, sizeof(zero));
}

/* Finds the end of the journal and checks that only zeros follow it. */
static bool journal_scan(Journal *j)
{
    uint64_t seq = 0;
    size_t at = SCAN_BATCH;
    bool ended = false;

    while (seq < j->capacity && !ended) {
        size_t count = j->capacity - seq < SCAN_BATCH ?
                       j->capacity - seq : SCAN_BATCH;

        if (!read_records(j, seq, count)) {
            return false;
        }
        for (at = 0; at < count; at++, seq++) {
            if (!wl_record_valid(&j->buf[at], seq)) {
                ended = true;
                break;
            }
        }
    }
    j->next = seq;
    for (uint64_t s = seq; s < j->capacity && s < seq + WL_EMPTY_AFTER; s++) {
        if (!read_records(j, s, 1)) {
            return false;
        }
        if (!sector_empty(j->buf)) {
            say(WL_BAD " journal ends at %llu but sector %llu is not empty",
                (unsigned long long)seq, (unsigned long long)s);
            break;
        }
    }
    return true;
}

static bool journal_open(Journal *j, const char *disk)
{
    struct stat st;
    off_t size;

    j->fd = open(disk, O_RDWR | O_DIRECT);
    if (j->fd < 0 || fstat(j->fd, &st) < 0) {
        say(WL_ERROR " open %s: %s", disk, strerror(errno));
        return false;
    }
    size = lseek(j->fd, 0, SEEK_END);
    if (size <= 0) {
        say(WL_ERROR " size of %s: %s", disk, strerror(errno));
        return false;
    }
    j->capacity = (uint64_t)size / WL_RECORD_SIZE;
    j->buf = aligned_alloc(PAGE, SCAN_BATCH * WL_RECORD_SIZE);
    return j->buf && journal_scan(j);
}

/* Appends record next: its sector must still be empty. */
static bool journal_append(Journal *j)
{
    uint64_t seq = j->next;

    if (j->stopped) {
        return false;
    }
    if (seq == j->capacity) {
        say(WL_ERROR " journal full at %llu records", (unsigned long long)seq);
        j->stopped = true;
        return false;
    }
    if (!read_records(j, seq, 1)) {
        j->stopped = true;
        return false;
    }
    if (!sector_empty(j->buf)) {
        say(WL_BAD " sector %llu holds data before record %llu was written%s",
            (unsigned long long)seq, (unsigned long long)seq,
            wl_record_valid(j->buf, seq) ? " (that very record)" : "");
    }
    wl_record_make(j->buf, seq);
    if (pwrite(j->fd, j->buf, WL_RECORD_SIZE, (off_t)seq * WL_RECORD_SIZE) !=
        WL_RECORD_SIZE || fdatasync(j->fd) < 0) {
        say(WL_ERROR " write of record %llu: %s", (unsigned long long)seq,
            strerror(errno));
        j->stopped = true;
        return false;
    }
    j->next = seq + 1;
    say(WL_ACK " %llu", (unsigned long long)seq);
    return true;
}

/* The service's increment: one record, whose number is the answer. */
static bool journal_increment(void *opaque, uint64_t *value)
{
    Journal *j = opaque;

    *value = j->next;
    return journal_append(j);
}

/*
 * The next tick, @ms after the last; after a pause of the whole VM (a
 * migration) it starts from now rather than running the missed ticks back
 * to back.
 */
static void next_tick(struct timespec *next, unsigned ms)
{
    struct timespec now;

    next->tv_nsec += (long)ms * 1000000;
    while (next->tv_nsec >= 1000000000) {
        next->tv_nsec -= 1000000000;
        next->tv_sec++;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next->tv_sec + 1) {
        *next = now;
    }
}

static void sleep_until(const struct timespec *next)
{
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) ==
           EINTR) {
        /* again */
    }
}

/* Milliseconds from now to @next, 0 if it has passed. */
static int ms_until(const struct timespec *next)
{
    struct timespec now;
    long long ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (next->tv_sec - now.tv_sec) * 1000LL +
         (next->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? (int)ms : 0;
}

/* A record a tick. */
static void run_ticks(const Config *cfg, Memory *mem, Journal *journal)
{
    struct timespec next;

    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        journal_append(journal);
        memory_step(mem, PAGES_PER_TICK);
        next_tick(&next, cfg->tick_ms);
        sleep_until(&next);
    }
}

/* A record a request; the memory still changes every tick. */
static void run_service(const Config *cfg, Memory *mem, Journal *journal)
{
    NetService svc;
    struct timespec next;

    if (!net_service_start(&svc, cfg->serve_port, cfg->differ,
                           journal_increment, journal)) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        int ms = ms_until(&next);

        /*
         * Requests are looked at before every step: on a slow guest the
         * steps fall behind their ticks, and a loop that polled only
         * when ahead left a request waiting for tens of seconds.
         */
        net_service_poll(&svc, ms);
        if (ms == 0) {
            memory_step(mem, PAGES_PER_TICK);
            next_tick(&next, cfg->tick_ms);
        }
    }
}

int main(int argc, char **argv)
{
    Config cfg;
    Memory mem = { 0 };
    Journal journal = { .fd = -1 };

    if (argc != 2 || !parse_config(argv[1], &cfg)) {
        say(WL_ERROR " usage: colo-workload "
            "mem=MIB,disk=DEV,tick=MS[,serve=PORT[,differ=1]]");
        return 2;
    }
    if (!memory_init(&mem, cfg.mem_mib)) {
        say(WL_ERROR " no memory for %u MiB", cfg.mem_mib);
        return 1;
    }
    if (!journal_open(&journal, cfg.disk)) {
        journal.stopped = true;
    }
    say(WL_START " next=%llu mem_mib=%u disk=%s serve=%u",
        (unsigned long long)journal.next, cfg.mem_mib, cfg.disk,
        cfg.serve_port);
    if (!cfg.serve_port) {
        run_ticks(&cfg, &mem, &journal);
    }
    run_service(&cfg, &mem, &journal);
    return 1;
}
