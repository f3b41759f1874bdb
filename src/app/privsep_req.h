/*
 * privsep_req.h - the host key requests a user's seshd process sends its
 * privileged parent after the post-authentication split
 * (server_privsep.c), and the data a hostkeys-prove-00@openssh.com
 * request carries (OpenSSH PROTOCOL §2.5). Pure codecs: no I/O, no keys.
 *
 * One SOCK_SEQPACKET packet per request (child -> parent):
 *	'S' a rekey's exchange hash to sign:
 *	    byte 'S', string host key blob, string alg, string H (20..64)
 *	'P' a host key ownership proof:
 *	    byte 'P', string host key blob, string alg
 *	    (the parent signs string "hostkeys-prove-00@openssh.com",
 *	    string session id, string blob with the session id it knows
 *	    itself: the child never chooses what is signed)
 * The answer (parent -> child): byte 0, string signature blob, or byte 1
 * alone (refused).
 *
 * Errors: SESH_ERR_TRUNCATED, SESH_ERR_TRAILING_DATA,
 * SESH_ERR_INVALID_FORMAT (an unknown type, an empty blob, an algorithm
 * name that is empty or not printable ASCII, a hash shorter than 20
 * bytes, an empty signature, a status byte other than 0/1),
 * SESH_ERR_LIMIT (a blob over PRIVSEP_MAX_MSG, an algorithm name over
 * SESH_MAX_NAME, a hash over 64 bytes, more keys in a prove request than
 * allowed), and the writer's (SESH_ERR_NOMEM, SESH_ERR_LIMIT) for the
 * builders.
 */
#ifndef SESH_APP_PRIVSEP_REQ_H
#define SESH_APP_PRIVSEP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/limits.h"

#define PRIVSEP_REQ_SIGN  'S'
#define PRIVSEP_REQ_PROVE 'P'
#define PRIVSEP_MAX_MSG   16384u /* one request or answer, bytes */
#define PRIVSEP_MIN_HASH  20u    /* SHA-1 exchange hashes ... */
#define PRIVSEP_MAX_HASH  64u    /* ... to SHA-512 ones */
/* Host keys a hostkeys-prove-00@openssh.com request may name (seshd
 * offers one per HostKey line; more is refused, not a protocol error). */
#define PRIVSEP_MAX_PROVE_KEYS 16u


struct privsep_view {
	const uint8_t *p;
	size_t n;
};

struct privsep_req {
	char type;                   /* PRIVSEP_REQ_SIGN or _PROVE */
	struct privsep_view blob;    /* host key blob */
	char alg[SESH_MAX_NAME + 1]; /* signature algorithm */
	struct privsep_view hash;    /* SIGN only: the exchange hash */
};

/*
 * Parses one request p[0..n); views in *out point into p. Returns 0 or
 * an error above; on error *out is zeroed.
 */
int privsep_req_parse(const uint8_t *p, size_t n, struct privsep_req *out);
/* Appends the request (the fields of its type) to out. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (what privsep_req_parse would refuse) or the
 * writer's errors (out cut back to its length before the call). */
int privsep_req_build(const struct privsep_req *req, struct buf *out);

/*
 * Parses an answer: *sig (a view into p) gets the signature blob and
 * *ok true, or *ok false for a refusal (*sig empty). Returns 0 or an
 * error above (outputs cleared).
 */
int privsep_answer_parse(const uint8_t *p, size_t n, bool *ok,
                         struct privsep_view *sig);

/*
 * Parses the data of a hostkeys-prove-00@openssh.com request: one or
 * more strings, each a host key blob (not parsed further here). keys has
 * room for max entries (at most PRIVSEP_MAX_PROVE_KEYS are ever taken);
 * *count gets how many. Returns 0, SESH_ERR_INVALID_FORMAT (no key, an
 * empty blob), SESH_ERR_LIMIT (more keys), SESH_ERR_TRUNCATED; on error
 * *count is 0.
 */
int privsep_prove_list_parse(const uint8_t *p, size_t n,
                             struct privsep_view *keys, size_t max,
                             size_t *count);

/*
 * Appends what a hostkeys-prove signature covers: string
 * "hostkeys-prove-00@openssh.com", string session id, string host key
 * blob. Returns 0, SESH_ERR_INVALID_ARGUMENT (no session id or blob) or
 * the writer's errors.
 */
int privsep_prove_data(const uint8_t *sid, size_t sid_len, const uint8_t *blob,
                       size_t blob_len, struct buf *out);

#endif
