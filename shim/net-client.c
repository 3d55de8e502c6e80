/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * colo-net-client --connect ADDR:PORT --log FILE [options]: a client of
 * the Linux guest's TCP service (guest/linux/net-service.h), run on the
 * host in a network namespace while COLO fails over.  One request at a
 * time, "REQ <cseq>", each answered "ANS <cseq> <value> [<token>]"; every
 * event goes to the log at once, as the harness reads it meanwhile (format
 * and checks: net-log.h).  A connection that fails with a request
 * outstanding is made again and the next request gets the next cseq: the
 * old one may or may not have been handled, which the checker allows.
 *
 * Runs until SIGTERM or SIGINT (a STOP line, exit 0) or until it cannot
 * connect within --retry-ms (a FATAL line, exit 1); bad options exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#define RETRY_US (200 * G_TIME_SPAN_MILLISECOND)
/*
 * Linux sends a lost SYN again after 1 s, then 3 s more: past the first
 * resend, a fresh attempt comes sooner than the kernel's next.
 */
#define CONNECT_TIMEOUT_US (2 * G_TIME_SPAN_SECOND)
#define MAX_LINE 4096           /* answers are short; more is garbage */

typedef enum {
    STEP_OK,
    STEP_STOP,                  /* SIGTERM or SIGINT */
    STEP_FAIL,                  /* a deadline passed; no connection */
} Step;

static char *opt_connect, *opt_log;
static gint opt_interval_ms;
static gint opt_answer_timeout_ms = 30000;
static gint opt_retry_ms = 60000;

typedef struct Client {
    struct addrinfo *addrs;
    FILE *log;
    int sigfd, fd;              /* fd -1: not connected */
    gint64 start_us;
    guint64 cseq;               /* of the next request */
    guint64 requests, answers;
    GString *in;                /* received, not yet a whole line */
    const char *error;          /* why the last connect or exchange failed */
} Client;

/* One word for a LOST line's reason. */
static const char *reason(int err)
{
    const char *name = strerrorname_np(err);

    if (err == EPIPE || err == ECONNRESET) {
        return "reset";
    }
    return name ? name : "error";
}

static gint64 now_us(const Client *c)
{
    return g_get_monotonic_time() - c->start_us;
}

/* One event; the harness may read it right away. */
static void log_event(Client *c, const char *kind, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void log_event(Client *c, const char *kind, const char *fmt, ...)
{
    va_list ap;

    fprintf(c->log, "%s %" G_GINT64_FORMAT " ", kind, now_us(c));
    va_start(ap, fmt);
    vfprintf(c->log, fmt, ap);
    va_end(ap);
    if (fputc('\n', c->log) == EOF || fflush(c->log) == EOF) {
        /* A log that misses lines would pass checks it should fail. */
        fprintf(stderr, "colo-net-client: cannot write %s: %s\n",
                opt_log, g_strerror(errno));
        exit(1);
    }
}

/*
 * Waits until @fd (-1: none) is ready for @events or until @deadline (in
 * now_us() time); STEP_FAIL if the deadline passes first.
 */
static Step wait_fd(Client *c, int fd, short events, gint64 deadline)
{
    struct pollfd fds[2] = {
        { .fd = c->sigfd, .events = POLLIN },
        { .fd = fd, .events = events },
    };
    gint64 left;
    int n;

    do {
        left = deadline - now_us(c);
        /* Rounded up, so that a wait never ends before its deadline. */
        n = poll(fds, 2, left > 0 ? (left + 999) / 1000 : 0);
    } while (n < 0 && errno == EINTR);
    if (fds[0].revents) {
        return STEP_STOP;
    }
    return n > 0 ? STEP_OK : STEP_FAIL;
}

/* The whole of @text on the connection, before @deadline. */
static Step send_all(Client *c, const char *text, gint64 deadline)
{
    size_t len = strlen(text);
    Step s;

    while (len) {
        ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL);

        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            c->error = reason(errno);
            return STEP_FAIL;
        }
        if (n < 0 && (s = wait_fd(c, c->fd, POLLOUT, deadline)) != STEP_OK) {
            c->error = "timeout";
            return s;
        }
        text += MAX(n, 0);
        len -= MAX(n, 0);
    }
    return STEP_OK;
}

/* Reads what the connection has into c->in; a failure in c->error. */
static Step receive(Client *c, gint64 deadline)
{
    char buf[MAX_LINE];
    ssize_t n;
    Step s = wait_fd(c, c->fd, POLLIN, deadline);

    if (s != STEP_OK) {
        c->error = "timeout";
        return s;
    }
    n = recv(c->fd, buf, sizeof(buf), 0);
    if (n > 0) {
        g_string_append_len(c->in, buf, n);
        return STEP_OK;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return STEP_OK;
    }
    c->error = n == 0 ? "eof" : reason(errno);
    return STEP_FAIL;
}

static void log_bad(Client *c, const char *why, const char *line)
{
    g_autofree char *text = g_strescape(line, NULL);

    log_event(c, "BAD", "%s: \"%s\"", why, text);
}

/* "ANS <cseq> <value> [<token>]": TRUE if it answers the request. */
static gboolean take_answer(Client *c, const char *line, guint64 *value)
{
    g_auto(GStrv) w = g_strsplit(line, " ", 0);
    guint n = g_strv_length(w);
    guint64 cseq;

    if (n < 3 || n > 4 || strcmp(w[0], "ANS") ||
        !g_ascii_string_to_unsigned(w[1], 10, 0, G_MAXUINT64, &cseq, NULL) ||
        !g_ascii_string_to_unsigned(w[2], 10, 0, G_MAXUINT64, value, NULL) ||
        (n == 4 && (!*w[3] || strpbrk(w[3], "\t\r\v\f")))) {
        log_bad(c, "not an answer", line);
        return FALSE;
    }
    if (cseq != c->cseq) {
        log_bad(c, "not the outstanding request's answer", line);
        return FALSE;
    }
    return TRUE;
}

/* The next whole line of c->in, if any, which the caller frees. */
static char *next_line(Client *c)
{
    char *nl = memchr(c->in->str, '\n', c->in->len);
    char *line;

    if (!nl && c->in->len >= MAX_LINE) {
        /* No line is that long: say what came, go on with what follows. */
        g_string_append_c(c->in, '\n');
        nl = c->in->str + c->in->len - 1;
    }
    if (!nl) {
        return NULL;
    }
    line = g_strndup(c->in->str, nl - c->in->str);
    g_string_erase(c->in, 0, nl + 1 - c->in->str);
    return line;
}

/* Waits for the answer to request c->cseq, sent at @sent. */
static Step await_answer(Client *c, gint64 sent)
{
    gint64 deadline = sent + opt_answer_timeout_ms * G_TIME_SPAN_MILLISECOND;
    guint64 value;

    for (;;) {
        char *line;
        Step s;

        while ((line = next_line(c))) {
            gboolean answered = take_answer(c, line, &value);

            g_free(line);
            if (answered) {
                c->answers++;
                log_event(c, "ANS", "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                          " %" G_GINT64_FORMAT, c->cseq, value,
                          now_us(c) - sent);
                return STEP_OK;
            }
        }
        s = receive(c, deadline);
        if (s != STEP_OK) {
            return s;
        }
    }
}

static void disconnect(Client *c)
{
    close(c->fd);
    c->fd = -1;
    g_string_truncate(c->in, 0);
}

/*
 * One request and its answer.  A lost connection is not the end: the
 * caller connects again and goes on with the next cseq.
 */
static Step exchange(Client *c)
{
    g_autofree char *req = g_strdup_printf("REQ %" G_GUINT64_FORMAT "\n",
                                           c->cseq);
    gint64 sent = now_us(c);
    gint64 deadline = sent + opt_answer_timeout_ms * G_TIME_SPAN_MILLISECOND;
    Step s;

    c->requests++;
    s = send_all(c, req, deadline);
    if (s == STEP_OK) {
        s = await_answer(c, sent);
    }
    if (s == STEP_FAIL) {
        log_event(c, "LOST", "%" G_GUINT64_FORMAT " %s", c->cseq, c->error);
        disconnect(c);
        s = STEP_OK;
    }
    c->cseq++;
    return s;
}

/* One attempt at @ai: *@fd connected, or -1 and c->error says why. */
static Step connect_addr(Client *c, const struct addrinfo *ai,
                         gint64 deadline, int *fd)
{
    int err = 0, one = 1;
    socklen_t len = sizeof(err);
    Step s = STEP_OK;

    *fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*fd < 0) {
        c->error = g_strerror(errno);
        return STEP_OK;
    }
    if (connect(*fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        err = errno;
    }
    if (err == EINPROGRESS) {
        s = wait_fd(c, *fd, POLLOUT, deadline);
        err = s == STEP_OK ? 0 : ETIMEDOUT;
        if (s == STEP_OK) {
            getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &len);
        }
    }
    if (err) {
        c->error = g_strerror(err);
        close(*fd);
        *fd = -1;
        return s == STEP_STOP ? s : STEP_OK;
    }
    setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return STEP_OK;
}

/* One attempt at each address in turn, until one connects. */
static Step connect_once(Client *c, gint64 deadline)
{
    Step s = STEP_OK;

    for (struct addrinfo *ai = c->addrs; ai && c->fd < 0 && s == STEP_OK;
         ai = ai->ai_next) {
        s = connect_addr(c, ai, deadline, &c->fd);
    }
    return s;
}

/* Connects, trying every RETRY_US for --retry-ms. */
static Step reconnect(Client *c)
{
    gint64 give_up = now_us(c) + opt_retry_ms * G_TIME_SPAN_MILLISECOND;

    for (guint attempt = 1; now_us(c) < give_up; attempt++) {
        gint64 deadline = MIN(now_us(c) + CONNECT_TIMEOUT_US, give_up);

        if (connect_once(c, deadline) == STEP_STOP ||
            (c->fd < 0 && wait_fd(c, -1, 0, MIN(now_us(c) + RETRY_US,
                                                give_up)) == STEP_STOP)) {
            return STEP_STOP;
        }
        if (c->fd >= 0) {
            log_event(c, "CONNECT", "%u", attempt);
            return STEP_OK;
        }
    }
    log_event(c, "FATAL", "cannot connect to %s within %d ms: %s",
              opt_connect, opt_retry_ms, c->error);
    fprintf(stderr, "colo-net-client: cannot connect to %s within %d ms: "
            "%s\n", opt_connect, opt_retry_ms, c->error);
    return STEP_FAIL;
}

/* Connects when it must, then one exchange, then the pause after it. */
static Step step(Client *c)
{
    Step s = c->fd < 0 ? reconnect(c) : STEP_OK;

    if (s == STEP_OK) {
        s = exchange(c);
    }
    if (s == STEP_OK && opt_interval_ms > 0) {
        s = wait_fd(c, -1, 0, now_us(c) +
                    opt_interval_ms * G_TIME_SPAN_MILLISECOND);
        s = s == STEP_STOP ? s : STEP_OK;
    }
    return s;
}

static const GOptionEntry entries[] = {
    { "connect", 0, 0, G_OPTION_ARG_STRING, &opt_connect,
      "the service's address (required)", "ADDR:PORT" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &opt_log,
      "the log to write (required)", "FILE" },
    { "interval-ms", 0, 0, G_OPTION_ARG_INT, &opt_interval_ms,
      "pause after each answer (default 0)", "N" },
    { "answer-timeout-ms", 0, 0, G_OPTION_ARG_INT, &opt_answer_timeout_ms,
      "how long a request may wait for its answer (default 30000)", "N" },
    { "retry-ms", 0, 0, G_OPTION_ARG_INT, &opt_retry_ms,
      "how long to keep trying to (re)connect (default 60000)", "N" },
    { NULL }
};

static gboolean parse_options(int argc, char **argv, GError **errp)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);

    g_option_context_set_summary(ctx, "A client of the Linux guest's TCP "
                                 "service, logging what it sees.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, errp)) {
        return FALSE;
    }
    if (!opt_connect || !opt_log || argc > 1 || opt_interval_ms < 0 ||
        opt_answer_timeout_ms <= 0 || opt_retry_ms <= 0) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "need --connect and --log, times positive (--help)");
        return FALSE;
    }
    return TRUE;
}

/* ADDR:PORT, ADDR an IPv4 address, a name or a [bracketed] IPv6 one. */
static gboolean resolve(Client *c, GError **errp)
{
    const struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
    const char *colon = strrchr(opt_connect, ':');
    g_autofree char *host = NULL;
    int err;

    if (!colon || colon == opt_connect || !colon[1]) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--connect %s is not ADDR:PORT", opt_connect);
        return FALSE;
    }
    if (opt_connect[0] == '[' && colon[-1] == ']') {
        host = g_strndup(opt_connect + 1, colon - opt_connect - 2);
    } else {
        host = g_strndup(opt_connect, colon - opt_connect);
    }
    err = getaddrinfo(host, colon + 1, &hints, &c->addrs);
    if (err) {
        g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--connect %s: %s", opt_connect, gai_strerror(err));
        return FALSE;
    }
    return TRUE;
}

/* Signals arrive on c->sigfd, which every wait watches: none is missed. */
static gboolean setup(Client *c, GError **errp)
{
    sigset_t stop;

    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0 ||
        (c->sigfd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0 ||
        !(c->log = fopen(opt_log, "we"))) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot start: %s: %s", opt_log, g_strerror(errno));
        return FALSE;
    }
    c->in = g_string_new(NULL);
    return TRUE;
}

static void client_close(Client *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    close(c->sigfd);
    fclose(c->log);
    freeaddrinfo(c->addrs);
    g_string_free(c->in, TRUE);
}

int main(int argc, char **argv)
{
    Client c = { .fd = -1, .start_us = g_get_monotonic_time() };
    g_autoptr(GError) err = NULL;
    Step s;

    if (!parse_options(argc, argv, &err) || !resolve(&c, &err) ||
        !setup(&c, &err)) {
        fprintf(stderr, "colo-net-client: %s\n", err->message);
        return err->domain == G_OPTION_ERROR ? 2 : 1;
    }
    log_event(&c, "START", "%" G_GINT64_FORMAT, g_get_real_time());
    while ((s = step(&c)) == STEP_OK) {
        /* until a signal or a failure to connect */
    }
    if (s == STEP_STOP) {
        log_event(&c, "STOP", "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  c.requests, c.answers);
    }
    client_close(&c);
    return s == STEP_STOP ? 0 : 1;
}
