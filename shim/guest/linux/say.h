/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The workload's console output: one write a line, as the console is
 * shared with the init and a line cut by another's is unreadable.
 */
#ifndef SAY_H
#define SAY_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

__attribute__((format(printf, 1, 2)))
static inline void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if (n > (int)sizeof(line) - 2) {
        n = sizeof(line) - 2;
    }
    line[n++] = '\n';
    /* One write a line: the console is shared with the init. */
    if (write(STDOUT_FILENO, line, n) < 0) {
        /* Nowhere left to say it. */
    }
}

#endif
