/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net-log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim-error.h"
#include "stats.h"

typedef enum {
    NET_START, NET_CONNECT, NET_ANS, NET_LOST, NET_BAD, NET_FATAL, NET_STOP,
} NetKind;

/* One parsed line; the numbers are those its kind has. */
typedef struct NetLine {
    NetKind kind;
    guint number;               /* in the file, from 1 */
    const char *text;
    guint64 t_us;
    guint64 cseq, value, latency_us;
    guint64 wall_us;            /* START */
} NetLine;

/* Called per line; FALSE stops the reading with *errp set. */
typedef gboolean (*NetLineFn)(const char *path, const NetLine *l,
                              gpointer opaque, GError **errp);

static const struct {
    const char *word;
    guint numbers;              /* after the time */
    gboolean text;              /* then free text (LOST: a reason) */
} kinds[] = {
    [NET_START] = { "START", 1, FALSE },
    [NET_CONNECT] = { "CONNECT", 1, FALSE },
    [NET_ANS] = { "ANS", 3, FALSE },
    [NET_LOST] = { "LOST", 1, TRUE },
    [NET_BAD] = { "BAD", 0, TRUE },
    [NET_FATAL] = { "FATAL", 0, TRUE },
    [NET_STOP] = { "STOP", 2, FALSE },
};

static gboolean parse_number(const char *word, guint64 *n)
{
    return g_ascii_string_to_unsigned(word, 10, 0, G_MAXUINT64, n, NULL);
}

/* @words after the kind: the time, the kind's numbers, then its text. */
static gboolean parse_fields(char **words, NetLine *l)
{
    guint numbers = kinds[l->kind].numbers;
    guint64 n[3];

    for (guint i = 0; i <= numbers; i++) {
        if (!words[i] || !parse_number(words[i], i ? &n[i - 1] : &l->t_us)) {
            return FALSE;
        }
    }
    if (l->kind == NET_ANS) {
        l->cseq = n[0];
        l->value = n[1];
        l->latency_us = n[2];
    } else if (l->kind == NET_LOST) {
        l->cseq = n[0];
    } else if (l->kind == NET_START) {
        l->wall_us = n[0];
    }
    if (!kinds[l->kind].text) {
        return !words[numbers + 1];
    }
    /* LOST needs its reason; BAD and FATAL may say nothing more. */
    return l->kind != NET_LOST || (words[numbers + 1] && *words[numbers + 1]);
}

static gboolean parse_line(const char *text, NetLine *l)
{
    const char *space = strchr(text, ' ');
    g_auto(GStrv) words = NULL;

    for (guint k = 0; space && k < G_N_ELEMENTS(kinds); k++) {
        if (strlen(kinds[k].word) == (size_t)(space - text) &&
            !strncmp(text, kinds[k].word, space - text)) {
            l->kind = k;
            /* The text keeps its spaces: no split past where it starts. */
            words = g_strsplit(space + 1, " ",
                               kinds[k].text ? kinds[k].numbers + 2 : 0);
            return parse_fields(words, l);
        }
    }
    return FALSE;
}

/* Calls @fn on each whole line of @path, in order. */
static gboolean each_line(const char *path, NetLineFn fn, gpointer opaque,
                          GError **errp)
{
    FILE *f = fopen(path, "r");
    g_autofree char *text = NULL;
    size_t size = 0;
    ssize_t len;
    gboolean ok = TRUE;
    guint number = 0;
    NetLine l;

    if (!f) {
        g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "cannot open %s: %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    while (ok && (len = getline(&text, &size, f)) > 0 &&
           text[len - 1] == '\n') {
        text[len - 1] = '\0';
        l = (NetLine) { .number = ++number, .text = text };
        if (!parse_line(text, &l)) {
            g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK,
                        "%s:%u: cannot parse: %s", path, l.number, text);
            ok = FALSE;
        } else {
            ok = fn(path, &l, opaque, errp);
        }
    }
    fclose(f);
    return ok;
}

typedef struct Summary {
    NetLog *log;
    guint64 from_t_us, to_t_us;             /* to: 0 for no end */
    GArray *latencies;          /* double, for stats_of() */
} Summary;

static void add_answer(NetLog *log, const NetLine *l)
{
    if (log->answers == 0) {
        log->first_t_us = l->t_us;
        log->first_value = l->value;
    } else {
        log->max_gap_us = MAX(log->max_gap_us, l->t_us - log->last_t_us);
    }
    log->answers++;
    log->last_t_us = l->t_us;
    log->last_value = l->value;
    log->last_cseq = l->cseq;
}

static gboolean sum_line(const char *path, const NetLine *l, gpointer opaque,
                         GError **errp)
{
    Summary *s = opaque;
    NetLog *log = s->log;
    double latency = l->latency_us;

    log->end_t_us = l->t_us;
    if (l->kind == NET_START) {
        /* Whatever @from_t_us: it sets every time beside the wall clock. */
        log->start_wall_us = l->wall_us;
    }
    if (l->t_us < s->from_t_us || (s->to_t_us && l->t_us > s->to_t_us)) {
        return TRUE;
    }
    switch (l->kind) {
    case NET_START:
        break;
    case NET_CONNECT:
        log->connects++;
        break;
    case NET_ANS:
        add_answer(log, l);
        g_array_append_val(s->latencies, latency);
        break;
    case NET_LOST:
        log->lost++;
        break;
    case NET_BAD:
        log->bad++;
        break;
    case NET_FATAL:
        log->fatal = TRUE;
        break;
    case NET_STOP:
        log->stopped = TRUE;
        break;
    }
    return TRUE;
}

gboolean net_log_read(const char *path, guint64 from_t_us, NetLog *log,
                      GError **errp)
{
    return net_log_read_span(path, from_t_us, 0, log, errp);
}

gboolean net_log_read_span(const char *path, guint64 from_t_us,
                           guint64 to_t_us, NetLog *log, GError **errp)
{
    g_autoptr(GArray) latencies = g_array_new(FALSE, FALSE, sizeof(double));
    Summary s = { .log = log, .from_t_us = from_t_us, .to_t_us = to_t_us,
                  .latencies = latencies };
    Stats st;

    *log = (NetLog) { 0 };
    if (!each_line(path, sum_line, &s, errp)) {
        return FALSE;
    }
    st = stats_of((const double *)latencies->data, latencies->len);
    log->latency_p50_us = st.p50;
    log->latency_p99_us = st.p99;
    log->latency_max_us = st.max;
    log->latency_mean_us = st.mean;
    return TRUE;
}

typedef struct Checker {
    guint64 t_us;               /* of the line before */
    gboolean requested, answered;
    guint64 cseq;               /* of the last ANS or LOST */
    guint64 value;              /* of the last ANS */
    guint lost;                 /* LOST lines since */
} Checker;

static gboolean fail(GError **errp, const char *path, const NetLine *l,
                     const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static gboolean fail(GError **errp, const char *path, const NetLine *l,
                     const char *fmt, ...)
{
    g_autofree char *why = NULL;
    va_list ap;

    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, SHIM_ERROR, SHIM_ERROR_CHECK, "%s:%u: %s: %s", path,
                l->number, why, l->text);
    return FALSE;
}

/* The value of an answer after the one before, @lost requests between. */
static gboolean check_value(Checker *c, const char *path, const NetLine *l,
                            GError **errp)
{
    if (l->value < c->value) {
        return fail(errp, path, l, "the value goes back from %"
                    G_GUINT64_FORMAT, c->value);
    }
    if (l->value == c->value) {
        return fail(errp, path, l, "the value repeats");
    }
    if (l->value - c->value > 1 + (guint64)c->lost) {
        return fail(errp, path, l, "the value jumps from %" G_GUINT64_FORMAT
                    " with %u requests lost in between (at most %"
                    G_GUINT64_FORMAT ")", c->value, c->lost,
                    c->value + 1 + c->lost);
    }
    return TRUE;
}

/* An ANS or a LOST: one request's end. */
static gboolean check_request(Checker *c, const char *path, const NetLine *l,
                              GError **errp)
{
    if (c->requested && l->cseq <= c->cseq) {
        return fail(errp, path, l, "cseq does not increase after %"
                    G_GUINT64_FORMAT, c->cseq);
    }
    c->requested = TRUE;
    c->cseq = l->cseq;
    if (l->kind == NET_LOST) {
        c->lost++;
        return TRUE;
    }
    if (c->answered && !check_value(c, path, l, errp)) {
        return FALSE;
    }
    c->answered = TRUE;
    c->value = l->value;
    c->lost = 0;
    return TRUE;
}

static gboolean check_line(const char *path, const NetLine *l,
                           gpointer opaque, GError **errp)
{
    Checker *c = opaque;

    if (l->t_us < c->t_us) {
        return fail(errp, path, l, "the time goes back from %"
                    G_GUINT64_FORMAT, c->t_us);
    }
    c->t_us = l->t_us;
    switch (l->kind) {
    case NET_BAD:
        return fail(errp, path, l, "the client got an answer it cannot use");
    case NET_FATAL:
        return fail(errp, path, l, "the client gave up");
    case NET_ANS:
    case NET_LOST:
        return check_request(c, path, l, errp);
    default:
        return TRUE;
    }
}

gboolean net_log_check(const char *path, GError **errp)
{
    Checker c = { 0 };

    return each_line(path, check_line, &c, errp);
}
