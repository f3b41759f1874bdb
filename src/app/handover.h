/*
 * handover.h - what seshd's connection process hands to the process that
 * carries an authenticated connection on (see docs/architecture.md,
 * "Server processes"): who authenticated and how, the authorized_keys
 * options of the key that did it, and the engine's state (ssh/conn.h
 * conn_export). A sans-I/O codec; the transfer itself (the socket passed
 * with SCM_RIGHTS) is in server_handover.c.
 *
 * Format (RFC 4251 encodings):
 *	string  "sesh-handover-info-v1"
 *	string  user name                 (1..HANDOVER_MAX_NAME bytes, no NUL)
 *	string  method ("publickey", ...) (1..HANDOVER_MAX_NAME bytes, no NUL)
 *	uint32  socket reads that still re-arm TCP_QUICKACK (<= 1024)
 *	string  session id, as the monitor saw it signed (20..64 bytes;
 *	        the receiver checks the engine state's against it)
 *	bool    key options follow
 *	  [string command (may be empty: "none" is encoded by a bool before it)
 *	   bool   has command
 *	   uint32 n environment entries (<= HANDOVER_MAX_ENV), n x string
 *	   bool   no_pty, no_port_forwarding, no_agent_forwarding,
 *	          no_x11_forwarding, no_user_rc
 *	   uint64 expiry
 *	   string where]
 *	string  engine state (conn_export), <= HANDOVER_MAX_STATE bytes
 * and nothing after it. Text fields hold no NUL byte.
 */
#ifndef SESH_APP_HANDOVER_H
#define SESH_APP_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/srvauth.h"
#include "base/buf.h"

#define HANDOVER_MAGIC        "sesh-handover-info-v1"
#define HANDOVER_MAX_NAME     1024u
#define HANDOVER_MAX_TEXT     (64u * 1024u) /* command, where, env entries */
#define HANDOVER_MAX_ENV      1024u
#define HANDOVER_MAX_QUICKACK 1024u
#define HANDOVER_MIN_SID      20u
#define HANDOVER_MAX_SID      64u
#define HANDOVER_MAX_STATE    (4u * 1024u * 1024u)
/* the whole message */
#define HANDOVER_MAX (HANDOVER_MAX_STATE + 2u * 1024u * 1024u)

struct handover_info {
	char *user;
	char *method;
	uint32_t quickack_left;
	/* parse: a view into the parsed bytes; build: the caller's */
	const uint8_t *session_id;
	size_t session_id_len;
	bool have_keyopts;
	struct srv_keyopts keyopts;
	/* parse: a view into the parsed bytes; build: the caller's */
	const uint8_t *state;
	size_t state_len;
};

/* Appends hi's encoding to out (which should be a secret buffer: the
 * state holds keys). Returns 0, SESH_ERR_INVALID_ARGUMENT (a field out
 * of bounds), SESH_ERR_NOMEM or SESH_ERR_LIMIT. */
int handover_info_build(const struct handover_info *hi, struct buf *out);
/* Parses p[0..n) into *out (cleared first; strings allocated, state a
 * view into p). On error *out is left cleared. Returns 0 or a
 * SESH_ERR_* wire error (TRUNCATED, TRAILING_DATA, LIMIT,
 * INVALID_FORMAT), NOMEM. */
int handover_info_parse(const uint8_t *p, size_t n, struct handover_info *out);
struct conn;
/*
 * Does the engine state imported from hi (conn_import of hi->state)
 * belong to the exchange and the user of hi? The state is built by the
 * sandboxed child; hi's session id and user come from the monitor,
 * which signed the one and authenticated the other. 0 or
 * SESH_ERR_PROTOCOL.
 */
int handover_state_matches(const struct handover_info *hi, struct conn *c);
/* Frees what parse allocated; the struct can be parsed into again. */
void handover_info_clear(struct handover_info *hi);

#endif
