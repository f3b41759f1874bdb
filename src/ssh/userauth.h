/*
 * userauth.h - the SSH user authentication protocol (RFC 4252), sans-I/O,
 * both roles: none, publickey (with RFC 8332 rsa-sha2-* and RFC 8308
 * server-sig-algs), password (with the change request) and
 * keyboard-interactive (RFC 4256).
 *
 * The module works on payloads (message byte first). The connection
 * object routes here SERVICE_REQUEST/SERVICE_ACCEPT (5/6) and every
 * message 50-79, plus, before USERAUTH_SUCCESS, every message >= 80 (a
 * protocol error then: RFC 4252 §6, the connection protocol must not
 * start before success). Transport messages (1-4, 7, 20-49) are not ours.
 *
 * Output: every call that may send something takes a struct buf *out,
 * resets it and leaves in it at most one payload; the caller sends it
 * when non-empty. On error out is left empty.
 *
 * Events: ua_*_input() returns at most one event per payload through
 * *ev (NULL when none). The event and everything it points to is owned
 * by the state object and lives until the next call on that object;
 * secrets in it (passwords, answers) are wiped then.
 *
 * Errors: a negative SESH_ERR_* from an input call is fatal: the caller
 * sends DISCONNECT with sesh_err_disconnect_reason(ret) and closes. The
 * first fatal error sticks: every later call returns it again.
 *   SESH_ERR_PROTOCOL       a message not allowed in the current state
 *                           (the allow-lists are below), a PK_OK for
 *                           another key, a change of user or service
 *   SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA, SESH_ERR_INVALID_FORMAT,
 *   SESH_ERR_LIMIT          malformed or over-long fields
 *   SESH_ERR_SERVICE_NOT_AVAILABLE  service other than "ssh-userauth"
 *                           (SERVICE_REQUEST/ACCEPT) or "ssh-connection"
 *                           (USERAUTH_REQUEST)
 *   SESH_ERR_AUTH_TOO_MANY  the server's failure count reached
 *                           max_tries ("Too many authentication
 *                           failures", NO_MORE_AUTH_METHODS_AVAILABLE)
 *   SESH_ERR_NOMEM
 * Answer calls made in the wrong state return SESH_ERR_INVALID_ARGUMENT
 * (the caller's mistake, not the peer's) and change nothing.
 *
 * ---- client states ----
 *   START       -> ua_client_start() sends SERVICE_REQUEST -> SVC_WAIT
 *   SVC_WAIT    allows SERVICE_ACCEPT("ssh-userauth") -> READY
 *               (event UA_CEV_SERVICE_ACCEPT)
 *   READY       no request outstanding; try_* sends one:
 *               none -> WAIT; publickey query -> WAIT_PK;
 *               publickey signed -> WAIT; password -> WAIT_PW;
 *               keyboard-interactive -> WAIT_KI
 *   WAIT        allows FAILURE -> READY, SUCCESS -> DONE
 *   WAIT_PK     also PK_OK (60) for the queried key -> PK_SIGN
 *   WAIT_PW     also PASSWD_CHANGEREQ (60) -> READY (event)
 *   WAIT_KI     also INFO_REQUEST (60) -> KI_ANSWER (event)
 *   PK_SIGN     the app signs ua_client_signed_data(), then
 *               ua_client_send_publickey_signed() -> WAIT; or it
 *               cannot sign (passphrase refused, agent failure):
 *               ua_client_publickey_abandon() -> READY
 *   KI_ANSWER   ua_client_kbdint_respond() -> WAIT_KI
 *   DONE        nothing is allowed any more (SESH_ERR_PROTOCOL)
 *   BANNER (53) is allowed in every state from READY up to DONE.
 *
 * ---- server states ----
 *   SVC_WAIT    allows SERVICE_REQUEST("ssh-userauth"): SERVICE_ACCEPT
 *               is sent -> READY
 *   READY       allows USERAUTH_REQUEST: parsed, checked, an event for
 *               the app -> DECIDE (or, for a method we do not offer or a
 *               key we cannot use, FAILURE sent at once -> READY)
 *   DECIDE      the app answers: accept -> DONE; reject -> READY;
 *               pk_ok -> READY; kbdint_info_request -> KI_WAIT;
 *               passwd_changereq -> READY. Input here is
 *               SESH_ERR_INVALID_ARGUMENT (feed nothing until answered).
 *   KI_WAIT     allows INFO_RESPONSE (event -> DECIDE) and a new
 *               USERAUTH_REQUEST (abandons keyboard-interactive)
 *   DONE        USERAUTH_REQUEST is ignored (RFC 4252 §5.1); anything
 *               else is SESH_ERR_PROTOCOL
 * The first USERAUTH_REQUEST fixes user and service; a later request
 * naming others is SESH_ERR_PROTOCOL, as OpenSSH disconnects. Failures
 * (reject without partial success, and the automatic rejections) are
 * counted as OpenSSH does (a first "none" request is free); when the
 * count reaches max_tries the reject call sends nothing and returns
 * SESH_ERR_AUTH_TOO_MANY.
 */
#ifndef SESH_SSH_USERAUTH_H
#define SESH_SSH_USERAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "key/key.h"

#define UA_SERVICE_USERAUTH   "ssh-userauth"
#define UA_SERVICE_CONNECTION "ssh-connection"

#define UA_MAX_USER       256u   /* user name, bytes */
#define UA_MAX_SERVICE    64u    /* service name, bytes */
#define UA_MAX_METHOD     64u    /* method name, bytes */
#define UA_MAX_PASSWORD   1024u  /* password (and kbdint answer), bytes */
#define UA_MAX_PROMPTS    100u   /* keyboard-interactive prompts/answers */
#define UA_MAX_TEXT       65536u /* banner, prompt, name, instruction */
#define UA_MAX_SESSION_ID 64u    /* session id (exchange hash) */
#define UA_MAX_SIG        8192u  /* signature blob */
#define UA_MAX_BLOB       8192u  /* public-key blob */

#define UA_DEFAULT_MAX_TRIES 6u /* sshd_config MaxAuthTries */

/*
 * Builds the data a publickey signature covers (RFC 4252 §7):
 *	string    session identifier
 *	byte      SSH_MSG_USERAUTH_REQUEST (50)
 *	string    user name
 *	string    service name
 *	string    "publickey"
 *	boolean   TRUE
 *	string    public key algorithm name
 *	string    public key blob
 * out is reset then written. Returns 0, SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_LIMIT or SESH_ERR_NOMEM (out empty on error).
 */
int ua_publickey_signed_data(const uint8_t *session_id, size_t sid_len,
                             const char *user, const char *service,
                             const char *alg, const uint8_t *blob,
                             size_t blob_len, struct buf *out);

/*
 * Picks the signature algorithm for a user key. Non-RSA keys: the key's
 * type name. RSA keys: with server-sig-algs (the RFC 8308 extension's
 * name-list; ssa == NULL means the server sent none) rsa-sha2-512 if
 * listed, else rsa-sha2-256 if listed, else SESH_ERR_UNSUPPORTED (the
 * server would only take SHA-1 "ssh-rsa", which we refuse). Without
 * server-sig-algs OpenSSH would fall back to "ssh-rsa"; we refuse SHA-1
 * by default and use rsa-sha2-512 (RFC 8332 §3.3 allows trying it).
 * *alg is a static string. Returns 0, SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_UNSUPPORTED.
 */
int ua_pick_sig_alg(const struct sshkey *key, const uint8_t *ssa,
                    size_t ssa_len, const char **alg);

/* Resets out and writes a USERAUTH_BANNER payload (53):
 * string message (UTF-8), string language tag. Returns 0,
 * SESH_ERR_LIMIT, SESH_ERR_NOMEM, SESH_ERR_INVALID_ARGUMENT. */
int ua_banner_build(const char *text, const char *lang, struct buf *out);

/*
 * Copies text for a terminal: control bytes other than newline and tab,
 * DEL and UTF-8 encoded C1 controls become '?'; a CR before LF is
 * dropped. Returns a NUL-terminated heap string (free()) in *out, or
 * SESH_ERR_NOMEM.
 */
int ua_sanitize(const uint8_t *p, size_t n, char **out);

/* ====================== client ====================== */

enum ua_client_event_type {
	UA_CEV_SERVICE_ACCEPT = 1, /* choose and try a method */
	UA_CEV_BANNER,             /* show text on stderr */
	UA_CEV_FAILURE,            /* methods that can continue, partial */
	UA_CEV_PK_OK,              /* key accepted: sign signed_data */
	UA_CEV_PASSWD_CHANGEREQ,   /* prompt; answer with try_password_change
	                              or another method */
	UA_CEV_INFO_REQUEST,       /* prompts; answer with kbdint_respond */
	UA_CEV_SUCCESS,            /* authenticated */
};

struct ua_prompt {
	char *text; /* sanitized */
	bool echo;
};

struct ua_client_event {
	enum ua_client_event_type type;
	char *text;    /* BANNER, PASSWD_CHANGEREQ: sanitized text */
	char *methods; /* FAILURE: name-list, as sent (validated) */
	bool partial;  /* FAILURE: partial success */
	/* INFO_REQUEST: */
	char *name;        /* sanitized */
	char *instruction; /* sanitized */
	struct ua_prompt *prompts;
	size_t nprompts;
};

struct ua_client;

/*
 * New client state for user (copied) over session_id (the first
 * exchange hash, copied). Returns 0, SESH_ERR_INVALID_ARGUMENT (NULL,
 * over-long user or id), SESH_ERR_NOMEM; *out NULL on error.
 */
int ua_client_new(const char *user, const uint8_t *session_id, size_t sid_len,
                  struct ua_client **out);
/* Frees, wiping secrets; NULL-safe. */
void ua_client_free(struct ua_client *c);

/* START: writes SERVICE_REQUEST("ssh-userauth"). */
int ua_client_start(struct ua_client *c, struct buf *out);

/*
 * One payload from the server. *ev gets an event or NULL. Errors: see
 * the top of this file.
 */
int ua_client_input(struct ua_client *c, const uint8_t *p, size_t n,
                    const struct ua_client_event **ev);

/* READY: "none". */
int ua_client_try_none(struct ua_client *c, struct buf *out);
/*
 * READY: a publickey query (has-signature FALSE) for key (its public
 * blob is copied) with signature algorithm alg (ua_pick_sig_alg).
 * SESH_ERR_INVALID_ARGUMENT if alg does not suit the key.
 */
int ua_client_try_publickey_query(struct ua_client *c, const struct sshkey *key,
                                  const char *alg, struct buf *out);
/*
 * READY: skips the query (when the app knows the key is wanted): the
 * state becomes PK_SIGN for key and alg; nothing is sent.
 */
int ua_client_publickey_prepare(struct ua_client *c, const struct sshkey *key,
                                const char *alg);
/* PK_SIGN: the bytes to sign (ua_publickey_signed_data for this key,
 * alg, user and "ssh-connection"); out is reset then written. */
int ua_client_signed_data(const struct ua_client *c, struct buf *out);
/* PK_SIGN: the request with the signature blob (string alg, string
 * sig as key_sign makes it). */
/* PK_SIGN: no signature can be made for the key after all; nothing is
 * sent and the next method or key may be tried (READY). Returns 0 or
 * SESH_ERR_INVALID_ARGUMENT (not in PK_SIGN). */
int ua_client_publickey_abandon(struct ua_client *c);
int ua_client_send_publickey_signed(struct ua_client *c, const uint8_t *sig,
                                    size_t sig_len, struct buf *out);
/* READY: password (out is marked secret: the caller's buffer wipes). */
int ua_client_try_password(struct ua_client *c, const char *password,
                           struct buf *out);
/* READY (after PASSWD_CHANGEREQ): password change request. */
int ua_client_try_password_change(struct ua_client *c, const char *old_pw,
                                  const char *new_pw, struct buf *out);
/* READY: keyboard-interactive; submethods may be NULL (""). */
int ua_client_try_kbdint(struct ua_client *c, const char *submethods,
                         struct buf *out);
/* KI_ANSWER: n answers, exactly as many as prompts (out marked secret). */
int ua_client_kbdint_respond(struct ua_client *c, const char *const *answers,
                             size_t n, struct buf *out);
bool ua_client_done(const struct ua_client *c);

/* ====================== server ====================== */

enum ua_server_event_type {
	UA_SEV_AUTH_NONE = 1,
	UA_SEV_AUTH_PUBKEY_QUERY,  /* answer pk_ok or reject */
	UA_SEV_AUTH_PUBKEY_SIGNED, /* verify (ua_server_verify), decide */
	UA_SEV_AUTH_PASSWORD,      /* password, new_password if changing */
	UA_SEV_AUTH_KBDINT,        /* send info requests or reject */
	UA_SEV_KBDINT_RESPONSE,    /* answers to the last info request */
};

struct ua_server_event {
	enum ua_server_event_type type;
	const char *user;
	const char *service;
	/* publickey */
	const char *alg;
	const uint8_t *blob;
	size_t blob_len;
	const struct sshkey *key; /* parsed blob, its type suits alg */
	const uint8_t *sig;       /* PUBKEY_SIGNED */
	size_t sig_len;
	const uint8_t *signed_data; /* PUBKEY_SIGNED: what sig must cover */
	size_t signed_data_len;
	/* password (wiped after the next call) */
	const char *password;
	const char *new_password; /* NULL unless a change request */
	/* keyboard-interactive */
	const char *submethods;
	char *const *answers; /* KBDINT_RESPONSE, wiped after */
	size_t nanswers;
};

struct ua_server;

/*
 * New server state. session_id is copied; methods is the name-list
 * FAILURE offers ("publickey,password,keyboard-interactive"), copied;
 * max_tries 0 means UA_DEFAULT_MAX_TRIES. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM.
 */
int ua_server_new(const uint8_t *session_id, size_t sid_len,
                  const char *methods, unsigned max_tries,
                  struct ua_server **out);
void ua_server_free(struct ua_server *s);
/* Replaces the methods FAILURE offers (e.g. after partial success). */
int ua_server_set_methods(struct ua_server *s, const char *methods);
/*
 * Replaces max_tries (0: UA_DEFAULT_MAX_TRIES), e.g. once the user is
 * known and a Match block sets MaxAuthTries. Failures so far still
 * count: a limit at or below them ends the connection at the next
 * failure (SESH_ERR_AUTH_TOO_MANY from ua_server_reject). 0 or
 * SESH_ERR_INVALID_ARGUMENT (s NULL, or the state is already fatal or
 * done: the limit no longer matters).
 */
int ua_server_set_max_tries(struct ua_server *s, unsigned max_tries);
/* The limit in force. */
unsigned ua_server_max_tries(const struct ua_server *s);

/* One payload from the client; *ev an event or NULL; out may hold an
 * automatic reply (SERVICE_ACCEPT, FAILURE). */
int ua_server_input(struct ua_server *s, const uint8_t *p, size_t n,
                    const struct ua_server_event **ev, struct buf *out);

/* DECIDE: SUCCESS -> DONE. */
int ua_server_accept(struct ua_server *s, struct buf *out);
/* DECIDE: FAILURE with the methods list and partial-success flag;
 * counts a failure unless partial; SESH_ERR_AUTH_TOO_MANY (nothing
 * sent) when the count reaches max_tries. */
int ua_server_reject(struct ua_server *s, bool partial, struct buf *out);
/* DECIDE after AUTH_PUBKEY_QUERY: PK_OK (alg, blob) -> READY. */
int ua_server_pk_ok(struct ua_server *s, struct buf *out);
/* DECIDE after AUTH_KBDINT or KBDINT_RESPONSE: INFO_REQUEST -> KI_WAIT.
 * echo[i] for prompts[i]; n <= UA_MAX_PROMPTS. */
int ua_server_kbdint_info_request(struct ua_server *s, const char *name,
                                  const char *instruction,
                                  const char *const *prompts, const bool *echo,
                                  size_t n, struct buf *out);
/* DECIDE after AUTH_PASSWORD: PASSWD_CHANGEREQ(prompt) -> READY; not
 * counted as a failure. */
int ua_server_passwd_changereq(struct ua_server *s, const char *prompt,
                               struct buf *out);
/* Any state before DONE: a BANNER payload. */
int ua_server_banner(struct ua_server *s, const char *text, struct buf *out);
/*
 * DECIDE after AUTH_PUBKEY_SIGNED: key_verify of the event's signature
 * over its signed data with its alg (no SHA-1). Returns 0 or key_verify's
 * error (SESH_ERR_BAD_SIGNATURE, SESH_ERR_SIG_ALG_MISMATCH, ...), or
 * SESH_ERR_INVALID_ARGUMENT in another state. ua_server_accept() after
 * PUBKEY_SIGNED is refused (SESH_ERR_INVALID_ARGUMENT) unless this
 * succeeded: a forgotten check cannot let a user in.
 */
int ua_server_verify(struct ua_server *s);
unsigned ua_server_failures(const struct ua_server *s);
bool ua_server_done(const struct ua_server *s);
/* The user fixed by the first request, NULL before. */
const char *ua_server_user(const struct ua_server *s);

/*
 * State transfer of a server whose authentication succeeded
 * (ua_server_done): appends session id, methods, max_tries, failure and
 * attempt counts, user and service to out. On error nothing is
 * appended. Returns 0, SESH_ERR_INVALID_ARGUMENT (not done),
 * SESH_ERR_LIMIT or SESH_ERR_NOMEM.
 */
int ua_server_export(const struct ua_server *s, struct buf *out);
/*
 * Reads what ua_server_export() wrote from r (bounded, r advanced) into
 * a new server in the done state. *out NULL on error. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_INVALID_FORMAT (inconsistent
 * values, a service other than ssh-connection), the reader's errors or
 * SESH_ERR_NOMEM.
 */
int ua_server_import(struct rd *r, struct ua_server **out);

#endif
