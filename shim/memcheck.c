/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "memcheck.h"

#include <stdlib.h>
#include <string.h>

#include "shim-error.h"

/* Frames of the first error kept for its message. */
#define ERROR_FRAMES 4
/* A leak's first frames are the allocator's: keep a few more. */
#define LEAK_FRAMES 6

void memcheck_add_args(GPtrArray *argv, const char *log_path,
                       const char *suppressions, gboolean track_origins)
{
    g_ptr_array_add(argv, g_strdup("valgrind"));
    g_ptr_array_add(argv, g_strdup("--tool=memcheck"));
    g_ptr_array_add(argv, g_strdup_printf("--log-file=%s", log_path));
    /* Leaks are reported and summed, but a leak is not a memory error. */
    g_ptr_array_add(argv, g_strdup("--leak-check=full"));
    g_ptr_array_add(argv, g_strdup("--show-leak-kinds=definite"));
    g_ptr_array_add(argv, g_strdup("--errors-for-leak-kinds=none"));
    g_ptr_array_add(argv, g_strdup("--num-callers=24"));
    /*
     * Where an uninitialised value came from: on request only.  It finds
     * no error more (the use is reported either way, and memcheck's log
     * then says to ask for origins) and costs a quarter of a KVM case's
     * time under memcheck (7.5-8.0 s against 5.5-6.1 s measured).
     */
    if (track_origins) {
        g_ptr_array_add(argv, g_strdup("--track-origins=yes"));
    }
    /* Many threads: without it a busy one can starve the migration ones. */
    g_ptr_array_add(argv, g_strdup("--fair-sched=try"));
    if (suppressions) {
        g_ptr_array_add(argv, g_strdup_printf("--suppressions=%s",
                                              suppressions));
    }
}

/* The text of a log line after its "==pid== " prefix, or NULL. */
static const char *body(const char *line)
{
    const char *end;

    if (strncmp(line, "==", 2) != 0 || !(end = strstr(line + 2, "== "))) {
        return NULL;
    }
    return end + 3;
}

static guint64 leading_number(const char *s)
{
    g_autofree char *digits = g_strdup(s);
    char *out = digits;

    /* "1,234 bytes": valgrind groups digits with commas. */
    for (const char *in = s; *in && (g_ascii_isdigit(*in) || *in == ','); in++) {
        if (*in != ',') {
            *out++ = *in;
        }
    }
    *out = '\0';
    return g_ascii_strtoull(digits, NULL, 10);
}

typedef struct Block {
    GString *text;              /* the block's lines, bodies only */
    gboolean is_loss_record;
    guint64 lost_bytes;
} Block;

/* A block's title and its first @frames frames, on one line. */
static char *block_head(const Block *b, guint frames)
{
    g_auto(GStrv) lines = g_strsplit(b->text->str, "\n", frames + 2);
    guint n = MIN(g_strv_length(lines), frames + 1);

    g_free(lines[n]);
    lines[n] = NULL;
    return g_strjoinv(" | ", lines);
}

/* A block ends at a blank body; decides what it was. */
static void end_block(Block *b, const char *module, MemcheckReport *r)
{
    if (b->text->len == 0) {
        return;
    }
    if (b->is_loss_record) {
        if (module && strstr(b->text->str, module)) {
            r->module_lost += b->lost_bytes;
        }
        if (!r->first_leak) {
            r->first_leak = block_head(b, LEAK_FRAMES);
        }
    } else if (!r->first_error && strstr(b->text->str, "\n   at ") &&
               !g_str_has_prefix(b->text->str, "Warning")) {
        r->first_error = block_head(b, ERROR_FRAMES);
    }
    g_string_truncate(b->text, 0);
    b->is_loss_record = FALSE;
    b->lost_bytes = 0;
}

static void parse_line(const char *text, Block *b, const char *module,
                       MemcheckReport *r)
{
    const char *p;

    /*
     * A block is one unindented line (an error's kind, a loss record's
     * size, a summary's title) and the indented lines under it; blank
     * lines separate most, but not all, of them.
     */
    if (*text != ' ') {
        end_block(b, module, r);
    }
    if (*text == '\0') {
        return;
    }
    /* "Thread 5 multifdrecv_0:" heads the error that follows. */
    if (g_str_has_prefix(text, "Thread ") && g_str_has_suffix(text, ":")) {
        return;
    }
    if ((p = strstr(text, "ERROR SUMMARY: "))) {
        r->errors = leading_number(p + strlen("ERROR SUMMARY: "));
        r->complete = TRUE;
    } else if ((p = strstr(text, "definitely lost: "))) {
        r->definitely_lost = leading_number(p + strlen("definitely lost: "));
    } else if (strstr(text, " are definitely lost in loss record ")) {
        b->is_loss_record = TRUE;
        b->lost_bytes = leading_number(text);
    }
    if (b->text->len) {
        g_string_append_c(b->text, '\n');
    }
    g_string_append(b->text, text);
}

gboolean memcheck_read_log(const char *path, const char *module,
                           MemcheckReport *report, GError **errp)
{
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;
    Block block = { g_string_new(NULL) };

    memset(report, 0, sizeof(*report));
    if (!g_file_get_contents(path, &log, NULL, errp)) {
        g_string_free(block.text, TRUE);
        return FALSE;
    }
    lines = g_strsplit(log, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *text = body(*l);

        if (text) {
            parse_line(text, &block, module, report);
        }
    }
    end_block(&block, module, report);
    g_string_free(block.text, TRUE);
    return TRUE;
}

char *memcheck_describe(const MemcheckReport *r)
{
    if (!r->complete) {
        return g_strdup("no summary (killed?)");
    }
    return g_strdup_printf("%u errors, %" G_GUINT64_FORMAT " B lost (module %"
                           G_GUINT64_FORMAT " B)", r->errors,
                           r->definitely_lost, r->module_lost);
}

void memcheck_report_clear(MemcheckReport *report)
{
    g_clear_pointer(&report->first_error, g_free);
    g_clear_pointer(&report->first_leak, g_free);
}
