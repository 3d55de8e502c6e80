/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scripted QMP server on one end of a socket pair, in its own thread, for
 * testing the client without QEMU.  Commands it knows:
 *   qmp_capabilities  records its arguments, answers {}
 *   echo              answers with its arguments
 *   slow              never answers (its id is kept)
 *   late              answers the kept "slow" id first, then itself
 *   events            sends STOP, RESUME, STOP events, then answers
 *   split             answers one byte at a time
 *   batch             sends an event and its answer in one write
 *   fail              answers with a GenericError "boom"
 *   close             closes the connection
 */
#ifndef TESTS_FAKE_QMP_H
#define TESTS_FAKE_QMP_H

#include <glib.h>

typedef struct FakeQmp FakeQmp;

/* Starts the server; *client_fd receives the client's end. */
FakeQmp *fake_qmp_start(int *client_fd);

/* The arguments qmp_capabilities was called with, as JSON text. */
char *fake_qmp_capabilities_args(FakeQmp *fake);

/* Waits for the server thread to end (after "close" or client EOF). */
void fake_qmp_stop(FakeQmp *fake);

#endif
