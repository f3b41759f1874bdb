/*
 * server.h - one seshd connection, after the listener handed it over
 * (a fresh re-executed process, or `seshd -i` on stdin/stdout): the
 * poll-loop driver over the sans-I/O engine (ssh/conn.h) in the server
 * role. It decides authentication with app/srvauth.h, runs sessions with
 * app/session.h, logs in sshd's words, and after authentication splits
 * into a small privileged parent (PAM session close, utmp) and a child
 * running as the user that carries the connection on (no new KEX).
 */
#ifndef SESH_APP_SERVER_H
#define SESH_APP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "app/servconf.h"
#include "key/key.h"

/* How a connection ended (the listener's penalties use it later). */
enum server_end {
	SERVER_END_OK = 0,        /* authenticated, then closed normally */
	SERVER_END_NO_AUTH = 1,   /* closed before authenticating */
	SERVER_END_AUTH_FAIL = 2, /* MaxAuthTries or auth failures */
	SERVER_END_INVALID_USER = 3,
	SERVER_END_GRACE = 4, /* LoginGraceTime exceeded */
	SERVER_END_ERROR = 5, /* protocol or internal error */
	SERVER_END_CRASH = 6, /* the sandboxed child died of a signal */
};

struct server_ctx {
	const struct servconf *conf;          /* finished (servconf_finish) */
	const struct sshkey *const *hostkeys; /* private keys */
	size_t nhostkeys;
	int rfd, wfd;      /* the connection (same fd for a socket) */
	const char *raddr; /* numeric */
	unsigned int rport;
	const char *laddr;
	unsigned int lport;
	bool debug; /* -d: verbose, one connection */
	/*
	 * The listener's MaxStartups pipe (seshd_main: fd 4 in a re-executed
	 * connection process): once the user has authenticated, write ONE
	 * byte to it (any value; ignore errors) and close it, so that the
	 * listener stops counting this connection as unauthenticated. Values
	 * <= 2 mean none (-i, -d, tests that zero the struct).
	 */
	int auth_notify_fd;
	/*
	 * auth_notify_fd is a socket to a listener that takes authenticated
	 * connections over (server_handover.c): after authentication the
	 * connection, its engine state included, moves to a process the
	 * listener forks, and this one ends.
	 */
	bool handover;
	/*
	 * Run the pre-authentication part in a sandboxed child under a
	 * privileged monitor (root, listener mode: needs handover). The
	 * child's own process ends at the handover.
	 */
	bool privsep;
};

/* Runs the connection to its end; returns an enum server_end value. */
int server_conn_run(const struct server_ctx *ctx);

/*
 * In a process the listener forked for a connection handed over on fd
 * (see server_handover.c): receives it and runs it to its end, as the
 * connection process would have after authentication. ctx gives the
 * configuration and host keys (its fds and addresses are ignored).
 * Returns an enum server_end value.
 */
int server_conn_resume(const struct server_ctx *ctx, int fd);

#endif
