/*
 * agent.h - the SSH agent protocol codec (draft-miller-ssh-agent,
 * OpenSSH PROTOCOL.agent), sans-I/O: builds and parses the messages a
 * client exchanges with ssh-agent, and the request side a future agent
 * (sesh-agent) will need.
 *
 * Framing: every message is
 *	uint32 length       (of what follows, at least 1)
 *	byte   type
 *	byte[] contents
 * The builders append one complete framed message to out. The parsers
 * take one message without its length prefix (type byte first), as
 * agent_frame_len() delimits it; views they return point into that
 * message and live as long as it. Every parser ends with rd_end().
 *
 * Messages handled:
 *	REQUEST_IDENTITIES (11)   empty
 *	IDENTITIES_ANSWER (12)    uint32 nkeys, nkeys x (string key blob,
 *	                          string comment)
 *	SIGN_REQUEST (13)         string key blob, string data, uint32 flags
 *	SIGN_RESPONSE (14)        string signature (string alg, string sig)
 *	REMOVE_IDENTITY (18)      string key blob
 *	REMOVE_ALL_IDENTITIES (19), LOCK/UNLOCK (22/23: string passphrase)
 *	FAILURE (5), SUCCESS (6)  empty
 * An answer of type FAILURE (5), EXTENSION_FAILURE (28) or the legacy
 * SSH_COM_AGENT2_FAILURE (102) where an answer was expected makes the
 * answer parsers return SESH_ERR_NOT_FOUND.
 *
 * Bounds: a message is at most AGENT_MAX_MSG bytes, an answer lists at
 * most AGENT_MAX_IDENTITIES keys, comments are at most SESH_MAX_COMMENT
 * bytes, key blobs and signatures at most AGENT_MAX_BLOB bytes.
 *
 * Error codes: SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM, SESH_ERR_LIMIT,
 * SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA, SESH_ERR_PROTOCOL (another
 * message type than expected), SESH_ERR_INVALID_FORMAT (a comment holding
 * a NUL byte), SESH_ERR_NOT_FOUND (the agent answered FAILURE).
 */
#ifndef SESH_SSH_AGENT_H
#define SESH_SSH_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define SSH_AGENT_FAILURE                5
#define SSH_AGENT_SUCCESS                6
#define SSH_AGENTC_REQUEST_IDENTITIES    11
#define SSH_AGENT_IDENTITIES_ANSWER      12
#define SSH_AGENTC_SIGN_REQUEST          13
#define SSH_AGENT_SIGN_RESPONSE          14
#define SSH_AGENTC_ADD_IDENTITY          17
#define SSH_AGENTC_REMOVE_IDENTITY       18
#define SSH_AGENTC_REMOVE_ALL_IDENTITIES 19
#define SSH_AGENTC_LOCK                  22
#define SSH_AGENTC_UNLOCK                23
#define SSH_AGENTC_ADD_ID_CONSTRAINED    25
#define SSH_AGENTC_EXTENSION             27
#define SSH_AGENT_EXTENSION_FAILURE      28
#define SSH_COM_AGENT2_FAILURE           102

/* SIGN_REQUEST flags (draft-miller-ssh-agent §3.6.1) */
#define SSH_AGENT_RSA_SHA2_256 0x02u
#define SSH_AGENT_RSA_SHA2_512 0x04u

#define AGENT_MAX_MSG        (256u * 1024u) /* one message, bytes */
#define AGENT_MAX_IDENTITIES 1024u          /* keys in one answer */
#define AGENT_MAX_BLOB       (64u * 1024u)  /* key blob or signature */

/*
 * Given the first n bytes of a stream, the length of the first message
 * (after its 4-byte prefix) in *len. Returns 0, SESH_ERR_TRUNCATED (fewer
 * than 4 bytes) or SESH_ERR_LIMIT (0 or above AGENT_MAX_MSG); *len is 0
 * on error.
 */
int agent_frame_len(const uint8_t *p, size_t n, size_t *len);

/* SIGN_REQUEST flags for a signature algorithm: SSH_AGENT_RSA_SHA2_256
 * for "rsa-sha2-256", _512 for "rsa-sha2-512", 0 otherwise. */
uint32_t agent_sign_flags(const char *alg);

/* ---- client side ---- */

/* Appends REQUEST_IDENTITIES. Returns 0, SESH_ERR_NOMEM, SESH_ERR_LIMIT. */
int agent_build_request_identities(struct buf *out);

/* Appends SIGN_REQUEST over a key blob and the data to sign. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT (the message would exceed
 * AGENT_MAX_MSG) or SESH_ERR_NOMEM; nothing is appended on error. */
int agent_build_sign_request(const uint8_t *blob, size_t blob_len,
                             const uint8_t *data, size_t data_len,
                             uint32_t flags, struct buf *out);

/* Appends REMOVE_IDENTITY (a key blob) or REMOVE_ALL_IDENTITIES (blob
 * NULL). Same codes as above. */
int agent_build_remove(const uint8_t *blob, size_t blob_len, struct buf *out);

/* One identity of an IDENTITIES_ANSWER: views into the message. */
struct agent_id_view {
	const uint8_t *blob;
	size_t blob_len;
	const uint8_t *comment; /* no NUL byte inside, not terminated */
	size_t comment_len;
};

/*
 * Parses IDENTITIES_ANSWER. *ids (heap array, free(); NULL when *n is 0)
 * and *n are set only on success. Key blobs are not parsed here.
 */
int agent_parse_identities(const uint8_t *msg, size_t n,
                           struct agent_id_view **ids, size_t *count);

/* Parses SIGN_RESPONSE: *sig, *sig_len view the signature blob. */
int agent_parse_sign_response(const uint8_t *msg, size_t n, const uint8_t **sig,
                              size_t *sig_len);

/* Parses a SUCCESS answer: 0, SESH_ERR_NOT_FOUND (a failure answer) or
 * a wire error. */
int agent_parse_status(const uint8_t *msg, size_t n);

/* ---- agent side (for a future sesh-agent) ---- */

/* A parsed request; fields apply per type, others zero. */
struct agent_request {
	uint8_t type;
	const uint8_t *blob; /* SIGN_REQUEST, REMOVE_IDENTITY */
	size_t blob_len;
	const uint8_t *data; /* SIGN_REQUEST: data; LOCK/UNLOCK: passphrase;
	                        other types: the raw contents */
	size_t data_len;
	uint32_t flags; /* SIGN_REQUEST */
};

/*
 * Parses one request. The types listed at the top are checked field by
 * field; any other type is returned with its raw contents in data (the
 * agent answers FAILURE to those it does not implement). Returns 0 or a
 * wire error; *out is zeroed on error.
 */
int agent_parse_request(const uint8_t *msg, size_t n,
                        struct agent_request *out);

/* Appends an IDENTITIES_ANSWER listing count identities. */
int agent_build_identities(const struct agent_id_view *ids, size_t count,
                           struct buf *out);
/* Appends a SIGN_RESPONSE carrying a signature blob. */
int agent_build_sign_response(const uint8_t *sig, size_t sig_len,
                              struct buf *out);
/* Appends SUCCESS (ok) or FAILURE. */
int agent_build_status(bool ok, struct buf *out);

#endif
