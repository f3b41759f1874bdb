/*
 * listener.h - seshd's listening side: binding the configured
 * addresses/ports, and the accept loop that hands each connection to a
 * fresh process (fork, then exec of seshd itself with the connection on
 * a fixed descriptor, so each connection gets a new address-space
 * layout) under MaxStartups' random early drop.
 *
 * The listener never reads client bytes. Each connection process gets
 * the socket on LISTENER_CONN_FD and one end of a socketpair on
 * LISTENER_NOTIFY_FD; it writes one byte there once the user has
 * authenticated (server.h auth_notify_fd): 'H' asks the listener to
 * take the connection over (resume below), anything else just says
 * "authenticated". Until then (or until it
 * exits) it counts as an unauthenticated "startup" for MaxStartups
 * start:rate:full: below start every connection is accepted, at full or
 * above every one is dropped, between them drops happen with
 * probability rate% rising linearly to 100% at full.
 *
 * Signals: the caller installs handlers that only set the flags in
 * struct listener_sig; listener_run() blocks SIGTERM/SIGHUP/SIGCHLD
 * outside ppoll() so no flag is missed, reaps children (waitpid loop)
 * and logs how each ended (its exit status is an enum server_end).
 */
#ifndef SESH_APP_LISTENER_H
#define SESH_APP_LISTENER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "app/penalty.h"
#include "app/servconf.h"

#define LISTENER_CONN_FD   3
#define LISTENER_NOTIFY_FD 4
#define LISTENER_MAX_SOCKS 64

struct listener_sig {
	volatile sig_atomic_t term; /* signal number, 0: none */
	volatile sig_atomic_t hup;
	volatile sig_atomic_t chld;
};

struct listener_child {
	pid_t pid;
	int notify_fd;           /* read end; -1 once authenticated or gone */
	bool authed;             /* the byte came: no penalty however it ends */
	struct penalty_addr src; /* PerSourcePenalties, PerSourceMaxStartups
	                            (family 0: none) */
};

struct listener {
	int fds[LISTENER_MAX_SOCKS];
	size_t nfds;
	struct listener_child *children;
	size_t nchildren;
	size_t unauth;       /* children not yet authenticated */
	unsigned long nconn; /* connections accepted so far */
	/* how connections ended, indexed by enum server_end (0..5), [6]:
	 * killed by a signal or another status */
	unsigned long ended[7];
	/* PerSourcePenalties (app/penalty.h): made by listener_run, kept
	 * until listener_free; NULL until then */
	struct penalty_table *penalty;
	/*
	 * Takes authenticated connections over (NULL: none do): when a
	 * connection process sends 'H' on its notify socket, the listener
	 * forks and the new process calls resume(resume_arg, fd) with its
	 * end of that socket (server_conn_resume), then exits with what
	 * it returns. The listener's sockets and signal handlers are gone
	 * in that process.
	 */
	int (*resume)(void *arg, int fd);
	void *resume_arg;
};

enum listener_stop {
	LISTENER_STOP_TERM = 1,
	LISTENER_STOP_HUP,
};

void listener_init(struct listener *l);
/*
 * Binds and listens on every ListenAddress x Port of c (AddressFamily
 * respected; names resolved with getaddrinfo), logging "Server listening
 * on 0.0.0.0 port 22." for each. Returns 0 (at least one socket), or
 * SESH_ERR_SYSTEM (nothing could be bound: the reasons were logged).
 */
int listener_open(struct listener *l, const struct servconf *c);
/* Closes the listening sockets (children are left running). */
void listener_close(struct listener *l);

/*
 * The accept loop. Each accepted connection is dropped or handed to a
 * new process running exe with argv (execv; argv as the child should
 * see it). Returns when a flag in sig asks (which one), or
 * SESH_ERR_SYSTEM on an unrecoverable error.
 */
int listener_run(struct listener *l, const struct servconf *c, const char *exe,
                 char *const *argv, struct listener_sig *sig);

/*
 * -d: waits for one connection (honouring sig->term) and returns its
 * descriptor in *fd (the listening sockets stay open). Returns 0,
 * LISTENER_STOP_TERM or SESH_ERR_SYSTEM.
 */
int listener_accept_one(struct listener *l, struct listener_sig *sig, int *fd);

/* Frees the child table (does not signal the children). */
void listener_free(struct listener *l);

/* "addr" and port of a socket's peer or local end (numeric). Returns 0
 * or SESH_ERR_SYSTEM; on a non-socket gives "UNKNOWN" and 0. */
int listener_sockname(int fd, bool peer, char *addr, size_t addrlen,
                      unsigned int *port);

#endif
