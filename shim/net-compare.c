/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net-compare.h"

#include "colo-net.h"
#include "compare-trace.h"
#include "net-log.h"
#include "shim-error.h"
#include "wait.h"

/* Time bounds in ms, scaled like the pair's. */
#define COMPARE_MS 15000            /* the answers, one checkpoint each */
#define COMPARE_RESUME_MS 10000     /* the checkpoint the delay change asks */
#define COMPARE_SETTLE_MS 500       /* for a checkpoint already under way */
#define POLL_MS 100

#define COMPARE_ANSWERS 5

static gboolean set_checkpoint_delay(ColoPair *pair, guint ms, GError **errp)
{
    JsonObject *args = json_object_new();
    g_autoptr(JsonNode) ret = NULL;

    json_object_set_int_member(args, "x-checkpoint-delay", ms);
    ret = colo_pair_execute(pair, COLO_PRIMARY, "migrate-set-parameters",
                            args, errp);
    if (!ret) {
        g_prefix_error(errp, "x-checkpoint-delay %u: ", ms);
    }
    return ret != NULL;
}

static char *primary_trace(ColoPair *pair)
{
    return colo_net_trace_path(pair, COLO_PRIMARY);
}

typedef struct ResumeWait {
    char *trace;
    gint64 after_us;
    CompareCounts counts;
} ResumeWait;

static gboolean resumed(gpointer opaque, gboolean *done, GError **errp)
{
    ResumeWait *w = opaque;

    if (!compare_trace_count(w->trace, w->after_us, 0, &w->counts, errp)) {
        return FALSE;
    }
    *done = w->counts.last_resume_us != 0;
    return TRUE;
}

/*
 * The wall-clock time the guest last ran again after the checkpoint a
 * change of the delay asks for at once (migration/colo.c), and after one
 * that may have been under way then: answers requested later can be
 * released by nothing but colo-compare.
 */
static gboolean delay_taken(ColoPair *pair, gint64 since_us, gint64 *at_us,
                            GError **errp)
{
    g_autofree char *trace = primary_trace(pair);
    ResumeWait w = { trace, since_us };
    guint ms = colo_pair_scaled_ms(pair, COMPARE_RESUME_MS);

    if (!wait_probe(resumed, &w, POLL_MS, deadline_after_ms(ms), errp)) {
        if (errp && !*errp) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "the primary did not run again within %u ms of the "
                        "change of its checkpoint delay", ms);
        }
        return FALSE;
    }
    wait_ms(colo_pair_scaled_ms(pair, COMPARE_SETTLE_MS));
    if (!compare_trace_count(trace, since_us, 0, &w.counts, errp)) {
        return FALSE;
    }
    *at_us = w.counts.last_resume_us;
    return TRUE;
}

/* The answers requested after @from_us (wall clock) and what QEMU did. */
typedef struct CompareSpan {
    NetLog seen;                /* answers after the first one: the span's */
    guint answers;
    gint64 from_us, to_us;      /* wall clock: first and last answer */
    CompareCounts counts;
} CompareSpan;

static gboolean read_span(ColoPair *pair, const char *log, gint64 from_us,
                          CompareSpan *span, GError **errp)
{
    g_autofree char *trace = primary_trace(pair);
    NetLog all;
    guint64 from_t_us;

    /*
     * The first answer after @from_us may have been asked for before it:
     * the span runs from it to the last, whose requests all came after.
     */
    if (!net_log_read(log, 0, &all, errp)) {
        return FALSE;
    }
    from_t_us = from_us > (gint64)all.start_wall_us ?
                from_us - all.start_wall_us : 0;
    if (!net_log_read(log, from_t_us, &span->seen, errp)) {
        return FALSE;
    }
    span->answers = span->seen.answers ? span->seen.answers - 1 : 0;
    span->from_us = all.start_wall_us + span->seen.first_t_us;
    span->to_us = all.start_wall_us + span->seen.last_t_us;
    return span->answers == 0 ||
           compare_trace_count(trace, span->from_us, span->to_us,
                               &span->counts, errp);
}

typedef struct SpanWait {
    ColoPair *pair;
    const char *log;
    gint64 from_us;
    CompareSpan span;
} SpanWait;

static gboolean span_full(gpointer opaque, gboolean *done, GError **errp)
{
    SpanWait *w = opaque;

    if (!read_span(w->pair, w->log, w->from_us, &w->span, errp)) {
        return FALSE;
    }
    *done = w->span.answers >= COMPARE_ANSWERS || w->span.seen.fatal;
    return TRUE;
}

/* What the span shows against what colo-compare promises. */
static gboolean span_check(const CompareSpan *s, gboolean differ, guint ms,
                           GError **errp)
{
    const CompareCounts *k = &s->counts;
    double secs = (s->to_us - s->from_us) / 1e6;

    g_test_message("colo-compare, %u answers in %.2f s with no periodic "
                   "checkpoint: %u payloads matched, %u checkpoints it asked "
                   "for (%.1f/s), %u packets held too long", s->answers, secs,
                   k->matched, k->checkpoints,
                   secs > 0 ? k->checkpoints / secs : 0.0, k->expired);
    if (k->expired) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "colo-compare held "
                    "%u packets past its timeout: the secondary's output "
                    "did not reach it", k->expired);
    } else if (s->answers < COMPARE_ANSWERS) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "the client got %u "
                    "answers, not %u, in %u ms with no periodic checkpoint "
                    "to release them", s->answers, COMPARE_ANSWERS, ms);
    } else if (!differ && (k->matched < s->answers || k->checkpoints)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "the guests answered "
                    "alike, yet colo-compare matched %u of %u answers and "
                    "asked for %u checkpoints: answers reached the client "
                    "without colo-compare releasing them", k->matched,
                    s->answers, k->checkpoints);
    } else if (differ && (k->matched || k->checkpoints < s->answers)) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "the guests' answers "
                    "differ, yet colo-compare matched %u payloads and asked "
                    "for %u checkpoints for %u answers (one each wanted)",
                    k->matched, k->checkpoints, s->answers);
    } else {
        return TRUE;
    }
    return FALSE;
}

gboolean net_compare_check(ColoPair *pair, const char *client_log,
                           gboolean differ, GError **errp)
{
    guint ms = colo_pair_scaled_ms(pair, COMPARE_MS);
    SpanWait w = { pair, client_log };
    GError *err = NULL;
    gint64 since = g_get_real_time();

    if (!set_checkpoint_delay(pair, 2 * ms, errp) ||
        !delay_taken(pair, since, &w.from_us, errp)) {
        return FALSE;
    }
    wait_probe(span_full, &w, POLL_MS, deadline_after_ms(ms), &err);
    if (err) {
        g_propagate_error(errp, err);
        return FALSE;
    }
    return span_check(&w.span, differ, ms, errp) &&
           set_checkpoint_delay(pair,
                                colo_pair_config(pair)->checkpoint_delay_ms,
                                errp);
}
