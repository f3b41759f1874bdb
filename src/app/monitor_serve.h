/*
 * monitor_serve.h - the privileged monitor's request loop (issue 7):
 * seshd's -R process, after forking the sandboxed pre-authentication
 * child (app/sandbox.h), serves the child's requests (app/monitor.h)
 * here until the child hands the authenticated connection over, or the
 * connection ends. The monitor alone decides authentication: it looks
 * the user up, applies Match, the account checks, AuthenticationMethods,
 * PermitRootLogin, authorized_keys, passwords, PAM, MaxAuthTries (via
 * monitor_state) and the failed-attempt delay (srvauth_delay), and it
 * signs exchange hashes with the host keys the child never sees. Its
 * log lines are sshd's (the same wording as server_auth.c).
 *
 * Use (in the monitor, after fork, child fd the socketpair end):
 *	struct monitor_serve_ctx mc = { conf, hostkeys, n, raddr, rport,
 *	    laddr, lport, deadline };
 *	struct monitor_result res;
 *	int end = monitor_serve(fd, &mc, &res);
 *	if (res.authenticated && end == SERVER_END_OK) the handover state
 *	    (res.state) goes to the post-authentication process;
 *	monitor_result_clear(&res);
 * The caller owns fd (it is not closed) and reaps the child.
 */
#ifndef SESH_APP_MONITOR_SERVE_H
#define SESH_APP_MONITOR_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/monitor.h"
#include "app/servconf.h"
#include "app/srvauth.h"
#include "key/key.h"

struct monitor_serve_ctx {
	const struct servconf *conf; /* finished; Match applied per user */
	const struct sshkey *const *hostkeys; /* private host keys */
	size_t nhostkeys;
	const char *raddr; /* numeric, for logs, Match, from= */
	unsigned int rport;
	const char *laddr;
	unsigned int lport;
	/* LoginGraceTime: monitor_now_ms() value at which the monitor
	 * gives up (SERVER_END_GRACE before authentication); 0: none */
	uint64_t deadline_ms;
};

struct monitor_result {
	int end;            /* enum server_end, as returned */
	bool authenticated; /* the monitor answered ANS_AUTH SUCCESS */
	bool user_set;      /* REQ_USER was answered: user below */
	struct srv_user user;
	char *method; /* the method that completed ("publickey", ...) */
	struct srv_keyopts keyopts; /* when have_keyopts (publickey) */
	bool have_keyopts;
	struct servconf conf; /* the Match-applied config, when conf_set */
	bool conf_set;
	uint8_t *state; /* REQ_HANDOVER's blob (end OK); holds keys */
	size_t state_len;
	uint8_t session_id[MONITOR_MAX_HASH]; /* the first H signed */
	size_t session_id_len;
	unsigned failures; /* monitor_state's count at the end */
};

/* CLOCK_MONOTONIC milliseconds (the clock of deadline_ms). */
uint64_t monitor_now_ms(void);

/*
 * Serves requests on fd until the handover is answered (SERVER_END_OK,
 * res->authenticated, res->state set), or the end: the child closed
 * before authentication (SERVER_END_INVALID_USER for an unknown or
 * refused user, SERVER_END_AUTH_FAIL after failed attempts, else
 * SERVER_END_NO_AUTH), MaxAuthTries reached (SERVER_END_AUTH_FAIL),
 * the deadline (SERVER_END_GRACE), or a malformed frame, a request out
 * of order or over its cap, a closed child after authentication, an
 * internal error (SERVER_END_ERROR; logged "monitor: ..."). *res is
 * filled in every case; free it with monitor_result_clear().
 */
int monitor_serve(int fd, const struct monitor_serve_ctx *ctx,
                  struct monitor_result *res);
void monitor_result_clear(struct monitor_result *res);

/*
 * RFC 4252 §7: the data a publickey signature covers must be exactly
 *	string session id, byte 50, string user, string service,
 *	string "publickey", bool TRUE, string alg, string key blob
 * with the given values (the child builds it; the monitor checks it).
 * Returns 0, SESH_ERR_PROTOCOL (a field differs) or a reader error
 * (SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA, ...).
 */
int monitor_pk_data_check(struct monitor_str data,
                          struct monitor_str session_id, const char *user,
                          const char *service, struct monitor_str alg,
                          struct monitor_str blob);

#endif
