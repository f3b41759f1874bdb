/*
 * client.h - the sesh client driver: one connection to a server running
 * one remote command (an "exec" request) over the sans-I/O engine
 * (ssh/conn.h).
 *
 * Contract:
 *  - client_run() resolves and connects (TCP_NODELAY), runs the transport
 *    with a poll loop, checks the host key against known_hosts
 *    (app/hostkeys.h), authenticates (publickey with the identity files,
 *    then password via SSH_ASKPASS with SSH_ASKPASS_REQUIRE=force or the
 *    terminal), opens a session channel and sends exec. Standard input
 *    becomes channel data (its end, channel EOF); channel data goes to
 *    standard output, extended data to standard error.
 *  - Every failure is reported on stderr in ssh's words, with "sesh:"
 *    in place of "ssh:". The function never exits the process: it
 *    returns the status the program should exit with: the remote exit
 *    status, or 255 (connection, host key or authentication failure,
 *    a command killed by a signal, a connection closed without status).
 */
#ifndef SESH_APP_CLIENT_H
#define SESH_APP_CLIENT_H

#include <stdbool.h>

#include "app/hostkeys.h"

#define CLIENT_EXIT_FAILURE 255

struct client_opts {
	const char *host;        /* required */
	unsigned int port;       /* 0 means 22 */
	const char *user;        /* required */
	const char *identity;    /* NULL: ~/.ssh/id_ed25519, id_ecdsa, id_rsa */
	const char *known_hosts; /* NULL: ~/.ssh/known_hosts */
	enum hostkeys_strict strict;
	bool batch;          /* BatchMode: never prompt */
	const char *command; /* required: the remote command */
};

/* Runs the session; returns the exit status (0-255) described above. */
int client_run(const struct client_opts *o);

#endif
