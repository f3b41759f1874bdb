/*
 * monitor_client.h - the sandboxed pre-authentication child's side of
 * the monitor protocol (app/monitor.h): one synchronous call per
 * request, each a monitor_call() over the socketpair to the monitor
 * (app/monitor_serve.h). The engine driver calls these where the
 * unseparated server calls srvauth_* or signs itself:
 *
 *	CONN_EV_HOSTKEY_SIGN   mc_sign(fd, tev.sig_alg, blob of tev.hostkey,
 *	                       tev.hash, ...) -> transport_hostkey_signature
 *	first userauth event   mc_user(fd, ev->user, ev->service, &methods,
 *	                       &max_tries) -> ua_server_set_methods(methods),
 *	                       ua_server_set_max_tries(max_tries)
 *	AUTH_NONE              mc_auth_none
 *	AUTH_PUBKEY_QUERY      mc_key_query -> ua_server_pk_ok / reject
 *	AUTH_PUBKEY_SIGNED     mc_key_verify(alg, blob, signed_data, sig)
 *	AUTH_PASSWORD          mc_password(password, new_password)
 *	AUTH_KBDINT            mc_kbdint_start -> info request / decision
 *	KBDINT_RESPONSE        mc_kbdint_respond
 *	after SUCCESS          conn_export -> mc_handover(state)
 *	log lines              mc_log (the monitor appends " [preauth]")
 * An mc_auth decision applies as: SUCCESS ua_server_accept; PARTIAL
 * ua_server_set_methods(methods) + ua_server_reject(partial true); FAIL
 * ua_server_set_methods(methods) + ua_server_reject(partial false).
 *
 * Every call returns 0 or monitor_call's errors (SESH_ERR_PROTOCOL for
 * a wrong answer type, codec and I/O errors; SESH_ERR_NOT_FOUND or
 * SESH_ERR_TRUNCATED when the monitor ended the connection): on any
 * error the child must end the connection.
 */
#ifndef SESH_APP_MONITOR_CLIENT_H
#define SESH_APP_MONITOR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/monitor.h"
#include "base/buf.h"
#include "base/log.h"

/* An ANS_AUTH decision. */
struct mc_auth {
	uint8_t result; /* enum monitor_auth_result */
	char *methods;  /* that can continue (malloc'd, never NULL on 0) */
};

/* A keyboard-interactive step: prompts (ANS_PROMPTS) or a decision. */
struct mc_kbdint {
	bool is_prompts;
	struct mc_auth auth; /* !is_prompts */
	char *name, *instruction;
	char *prompts[MONITOR_MAX_PROMPTS + 1]; /* NULL-terminated */
	bool echo[MONITOR_MAX_PROMPTS];
	size_t n;
};

void mc_auth_clear(struct mc_auth *a);
void mc_kbdint_clear(struct mc_kbdint *k);

/* The host key (public blob) signs h with alg; *ok false if the monitor
 * could not (the connection must then end); sig gets the SSH signature
 * blob (appended). The first h is the session id. */
int mc_sign(int fd, const char *alg, const uint8_t *blob, size_t blob_len,
            const uint8_t *h, size_t h_len, bool *ok, struct buf *sig);
/* The first userauth request's user and service; *methods (malloc'd)
 * the methods to offer, *max_tries the user's MaxAuthTries (Match
 * blocks applied; 1..MONITOR_HARD_MAX_TRIES, 0 on error). */
int mc_user(int fd, const char *user, const char *service, char **methods,
            unsigned *max_tries);
int mc_auth_none(int fd, struct mc_auth *out);
/* *ok: send PK_OK. */
int mc_key_query(int fd, const char *alg, const uint8_t *blob, size_t blob_len,
                 bool *ok);
int mc_key_verify(int fd, const char *alg, const uint8_t *blob, size_t blob_len,
                  const uint8_t *signed_data, size_t data_len,
                  const uint8_t *sig, size_t sig_len, struct mc_auth *out);
/* new_password NULL unless a change request. */
int mc_password(int fd, const char *password, const char *new_password,
                struct mc_auth *out);
int mc_kbdint_start(int fd, const char *submethods, struct mc_kbdint *out);
int mc_kbdint_respond(int fd, const char *const *answers, size_t n,
                      struct mc_kbdint *out);
/* After SUCCESS: the exported connection (conn_export); 0 once the
 * monitor has it. */
int mc_handover(int fd, const uint8_t *state, size_t n);
/* One log line (no answer); text is cut at MONITOR_MAX_LOG bytes. */
int mc_log(int fd, enum log_level level, const char *text);

#endif
