/*
 * monitor.h - the privilege-separation protocol between seshd's
 * unprivileged pre-authentication child (it runs the engine inside
 * app/sandbox.h) and its privileged monitor (root, holds the host
 * private keys, decides authentication). Issue 7.
 *
 * Three parts:
 *  - a sans-I/O codec (monitor.c): typed messages, each framed as
 *	uint32 length (of what follows), byte type, fields
 *    with fields in RFC 4251 encodings and every length bounded by the
 *    MONITOR_MAX_* below; the builder refuses what the parser would;
 *  - the monitor-side state (monitor_state.c): which request is allowed
 *    in which phase and how many times, one request at a time, and the
 *    transitions the monitor's own answers cause. Only the monitor's
 *    ANS_AUTH with MONITOR_AUTH_SUCCESS authenticates;
 *  - blocking send/recv over a socketpair(AF_UNIX, SOCK_STREAM)
 *    (monitor_io.c), with sendmsg/recvmsg (allowed by the sandbox).
 *
 * Messages (child -> monitor requests, monitor -> child answers):
 *
 *   REQ_SIGN         string alg (e.g. rsa-sha2-512), string host key
 *                    public blob, string H (20..64 bytes)
 *                    -> ANS_SIGN bool ok, string signature blob
 *                    The first H signed is the session id.
 *   REQ_USER         string user, string service       -> ANS_USER
 *                    string methods to offer (name-list, may be empty),
 *                    uint32 max tries (1..MONITOR_HARD_MAX_TRIES: the
 *                    MaxAuthTries in force for this user, Match blocks
 *                    applied and capped as monitor_state_init caps;
 *                    the child's engine takes it, ua_server_set_max_tries,
 *                    and so disconnects at the monitor's count)
 *   REQ_AUTH_NONE    (no fields)                       -> ANS_AUTH
 *   REQ_KEY_QUERY    string alg, string key blob       -> ANS_KEY_QUERY
 *                    bool ok (send PK_OK)
 *   REQ_KEY_VERIFY   string alg, string key blob, string signed data
 *                    (RFC 4252 §7: must begin with string session id),
 *                    string signature                  -> ANS_AUTH
 *   REQ_PASSWORD     string password, bool change, [string new password]
 *                                                      -> ANS_AUTH
 *   REQ_KBDINT_START string submethods  -> ANS_PROMPTS or ANS_AUTH
 *   REQ_KBDINT_RESPOND uint32 n, n x string answer
 *                                       -> ANS_PROMPTS or ANS_AUTH
 *   REQ_HANDOVER     string connection state (after success only)
 *                                                      -> ANS_HANDOVER
 *   REQ_LOG          byte level (enum log_level), string text
 *                    (no answer)
 *   ANS_AUTH         byte result (MONITOR_AUTH_*), string methods that
 *                    can continue (name-list)
 *   ANS_PROMPTS      string name, string instruction, uint32 n,
 *                    n x (string prompt, bool echo)
 *   ANS_HANDOVER     (no fields)
 * Text fields (all but blobs, H, signed data, signatures and the state)
 * must hold no NUL byte, so the monitor can make C strings of them
 * (monitor_str_dup).
 *
 * ---- How server.c uses this (the lead wires it) ----
 * Monitor (root), per connection, after fork:
 *	struct monitor_state st; monitor_state_init(&st, conf MaxAuthTries);
 *	loop: poll(child fd, LoginGraceTime); monitor_recv(fd, 0, &b);
 *	  monitor_msg_parse(buf_data(&b), buf_len(&b), &req);
 *	  monitor_state_request(&st, &req)  -- any error: kill the child,
 *	      end the connection (log "monitor: refused request ...");
 *	  act (key_sign with the host key whose public blob matches,
 *	      srvauth_* checks, PAM) and build the answer msg;
 *	  monitor_state_answer(&st, &ans); monitor_msg_build(&ans, &out);
 *	  monitor_send(fd, ...);
 *	  once st.phase == MONITOR_DONE: the handover state is in hand; reap
 *	  the child, go on with the post-auth split (server_privsep.c).
 * Child (after sandbox_enter): the engine with sign_by_event; each
 *	HOSTKEY_SIGN / user-auth event becomes monitor_call(fd, &req, &b,
 *	&ans); an ANS_AUTH result is applied with ua_server_accept/reject.
 *
 * Errors: SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA, SESH_ERR_LIMIT,
 * SESH_ERR_INVALID_FORMAT, SESH_ERR_PROTOCOL (unknown type; a request
 * not allowed now), SESH_ERR_AUTH_TOO_MANY, SESH_ERR_SYSTEM,
 * SESH_ERR_NOT_FOUND (peer closed), SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_NOMEM.
 */
#ifndef SESH_APP_MONITOR_H
#define SESH_APP_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/limits.h"

/* Bounds on every field (bytes). */
#define MONITOR_MAX_MSG         (1024u * 1024u + 64u) /* after the length */
#define MONITOR_MAX_ALG         SESH_MAX_NAME
#define MONITOR_MAX_BLOB        32768u /* key or certificate blob */
#define MONITOR_MIN_HASH        20u
#define MONITOR_MAX_HASH        64u
#define MONITOR_MAX_SIG         8192u
#define MONITOR_MAX_SIGNED_DATA SESH_MAX_PACKET
#define MONITOR_MAX_USER        1024u
#define MONITOR_MAX_SERVICE     64u
#define MONITOR_MAX_PASSWORD    1024u
#define MONITOR_MAX_TEXT        4096u /* methods, submethods, prompts */
#define MONITOR_MAX_PROMPTS     16u
#define MONITOR_MAX_STATE       (1024u * 1024u) /* handover */
#define MONITOR_MAX_LOG         2048u
/* Counts (per connection unless said). */
#define MONITOR_HARD_MAX_TRIES    32u /* auth failures, whatever the config */
#define MONITOR_DEFAULT_MAX_TRIES 6u
#define MONITOR_MAX_SIGN_PREAUTH  8u     /* host key signatures before auth */
#define MONITOR_MAX_SIGN_POSTAUTH 65536u /* rekeys after the handover */
#define MONITOR_MAX_NONE                                                       \
	(MONITOR_HARD_MAX_TRIES + 1u) /* a first free, then each fails */
#define MONITOR_MAX_KEY_QUERY     64u
#define MONITOR_MAX_KEY_VERIFY    32u
#define MONITOR_MAX_KBDINT_ROUNDS 8u /* prompts per conversation */
#define MONITOR_MAX_LOGS          10000u

enum monitor_type {
	MONITOR_REQ_SIGN = 1,
	MONITOR_REQ_USER = 2,
	MONITOR_REQ_AUTH_NONE = 3,
	MONITOR_REQ_KEY_QUERY = 4,
	MONITOR_REQ_KEY_VERIFY = 5,
	MONITOR_REQ_PASSWORD = 6,
	MONITOR_REQ_KBDINT_START = 7,
	MONITOR_REQ_KBDINT_RESPOND = 8,
	MONITOR_REQ_HANDOVER = 9,
	MONITOR_REQ_LOG = 10,
	MONITOR_ANS_SIGN = 65,
	MONITOR_ANS_USER = 66,
	MONITOR_ANS_KEY_QUERY = 67,
	MONITOR_ANS_AUTH = 68,
	MONITOR_ANS_PROMPTS = 69,
	MONITOR_ANS_HANDOVER = 70,
};
#define MONITOR_REQ_FIRST MONITOR_REQ_SIGN
#define MONITOR_REQ_LAST  MONITOR_REQ_LOG

enum monitor_auth_result {
	MONITOR_AUTH_FAIL = 0,
	MONITOR_AUTH_PARTIAL = 1, /* a method of AuthenticationMethods done */
	MONITOR_AUTH_SUCCESS = 2,
};

/* A view into a frame (or, for building, into the caller's bytes). */
struct monitor_str {
	const uint8_t *p;
	size_t n;
};

/* One message; fields used by each type are listed above. */
struct monitor_msg {
	uint8_t type;
	struct monitor_str alg, blob;
	/* H, signed data, handover state, ANS_SIGN's signature */
	struct monitor_str data;
	struct monitor_str sig; /* KEY_VERIFY */
	struct monitor_str user, service;
	struct monitor_str password, new_password;
	bool change; /* PASSWORD: new_password present */
	/* submethods, log text, methods (ANS_USER/ANS_AUTH), prompts' name */
	struct monitor_str text;
	struct monitor_str instruction; /* ANS_PROMPTS */
	uint32_t count;                 /* answers or prompts */
	struct monitor_str item[MONITOR_MAX_PROMPTS];
	bool echo[MONITOR_MAX_PROMPTS];
	uint8_t level;  /* LOG */
	bool ok;        /* ANS_SIGN, ANS_KEY_QUERY */
	uint8_t result; /* ANS_AUTH: enum monitor_auth_result */
	/* ANS_USER: 1..MONITOR_HARD_MAX_TRIES (monitor_max_tries) */
	uint32_t max_tries;
};

/* A view of a NUL-terminated string (no copy); s may be NULL (empty). */
struct monitor_str monitor_str_of(const char *s);
/* Heap copy, NUL-terminated (free()); SESH_ERR_INVALID_FORMAT if it holds
 * a NUL byte, SESH_ERR_NOMEM. */
int monitor_str_dup(struct monitor_str s, char **out);
/* "REQ_SIGN", ... or "unknown". */
const char *monitor_type_name(uint8_t type);
/* Is ans a valid answer type to request type req? */
bool monitor_answer_matches(uint8_t req, uint8_t ans);
/* Does request type req get an answer (all but REQ_LOG)? */
bool monitor_expects_answer(uint8_t req);

/*
 * Appends m as one frame to out. Fields over their bound are
 * SESH_ERR_LIMIT, text with a NUL byte SESH_ERR_INVALID_FORMAT, an
 * unknown type SESH_ERR_PROTOCOL; on error out is as it was. Frames
 * with passwords or answers: mark out secret (buf_set_secret).
 */
int monitor_msg_build(const struct monitor_msg *m, struct buf *out);
/*
 * Parses exactly one frame p[0..n) (length field included). Views in
 * *out point into p. *out is zeroed on error. Returns 0 or the codec
 * errors above.
 */
int monitor_msg_parse(const uint8_t *p, size_t n, struct monitor_msg *out);

/* ---- monitor-side state (monitor_state.c) ---- */

enum monitor_phase {
	MONITOR_PREAUTH,       /* signing, user, auth requests */
	MONITOR_AUTHENTICATED, /* only the handover (and logs) */
	MONITOR_DONE,          /* after the handover: signing for rekeys */
};

struct monitor_state {
	enum monitor_phase phase;
	unsigned max_tries; /* failures allowed (MaxAuthTries, capped) */
	unsigned failures;
	/* userauth requests so far, and the last one's type: as sshd, a
	 * first request of method "none" that fails is not a failure */
	unsigned attempts;
	uint8_t last_auth;
	unsigned count[MONITOR_REQ_LAST + 1]; /* requests this phase */
	bool user_set;
	bool in_kbdint; /* a conversation waits for answers */
	unsigned kbdint_rounds;
	uint8_t pending; /* request awaiting its answer, 0 none */
	uint8_t session_id[MONITOR_MAX_HASH];
	size_t session_id_len;
};

/* The limit a MaxAuthTries value gives: <= 0 MONITOR_DEFAULT_MAX_TRIES,
 * capped at MONITOR_HARD_MAX_TRIES. */
unsigned monitor_max_tries(int max_auth_tries);
/* A max tries value ANS_USER may carry: 1..MONITOR_HARD_MAX_TRIES. */
bool monitor_tries_valid(unsigned max_tries);
/* max_tries 0: MONITOR_DEFAULT_MAX_TRIES; capped at HARD_MAX_TRIES. */
void monitor_state_init(struct monitor_state *st, unsigned max_tries);
/*
 * May a request of this type come now? Pure. 0, SESH_ERR_PROTOCOL (not a
 * request type, out of phase or order: an answer is pending, no user
 * yet, a second user, a kbdint answer without prompts),
 * SESH_ERR_LIMIT (its count cap is reached) or SESH_ERR_AUTH_TOO_MANY
 * (failures reached max_tries; takes precedence over the count cap).
 */
int monitor_check_request(const struct monitor_state *st, uint8_t type);
/*
 * Admits a parsed request: monitor_check_request, then content checks
 * (REQ_SIGN: H of 20..64 bytes, the first becomes the session id;
 * REQ_KEY_VERIFY: signed data starts with string session id, else
 * SESH_ERR_PROTOCOL) and accounting (the count; the answer becomes
 * pending). An auth request other than REQ_KBDINT_RESPOND ends a kbdint
 * conversation (in_kbdint false: the monitor drops its PAM handle).
 * On error nothing changes and the monitor must end the connection.
 */
int monitor_state_request(struct monitor_state *st,
                          const struct monitor_msg *req);
/*
 * Records the monitor's own answer before it is sent: it must answer
 * the pending request (else SESH_ERR_INVALID_ARGUMENT). Failures count
 * (ANS_AUTH FAIL, ANS_KEY_QUERY not ok); ANS_AUTH SUCCESS moves to
 * MONITOR_AUTHENTICATED, ANS_HANDOVER to MONITOR_DONE, ANS_PROMPTS
 * opens a kbdint round. ANS_USER sets max_tries to its max_tries (the
 * user's MaxAuthTries: no failure can have been counted before it);
 * one outside 1..MONITOR_HARD_MAX_TRIES is SESH_ERR_INVALID_ARGUMENT.
 */
int monitor_state_answer(struct monitor_state *st,
                         const struct monitor_msg *ans);

/* ---- blocking I/O over a SOCK_STREAM socketpair (monitor_io.c) ---- */

/* Writes all of p[0..n) (sendmsg, MSG_NOSIGNAL; EINTR retried). 0 or
 * SESH_ERR_SYSTEM. */
int monitor_send(int fd, const uint8_t *p, size_t n);
/*
 * Reads one frame into out (reset first and marked secret): length
 * field and body. max bounds the length field (0: MONITOR_MAX_MSG).
 * Returns 0, SESH_ERR_NOT_FOUND (closed before a frame), SESH_ERR_TRUNCATED
 * (closed inside one), SESH_ERR_LIMIT (length 0 or over max),
 * SESH_ERR_SYSTEM, SESH_ERR_NOMEM.
 */
int monitor_recv(int fd, size_t max, struct buf *out);
/*
 * Child side: sends req and, unless it is REQ_LOG, waits for the answer
 * into scratch (views in *ans point into it) and checks that its type
 * answers req. SESH_ERR_PROTOCOL for a wrong answer type, or the codec
 * and I/O errors.
 */
int monitor_call(int fd, const struct monitor_msg *req, struct buf *scratch,
                 struct monitor_msg *ans);

#endif
