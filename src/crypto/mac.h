/*
 * mac.h - SSH transport MACs (RFC 4253 §6.4, OpenSSH PROTOCOL §1.5).
 *
 * A MAC is HMAC(key, uint32 sequence_number || data). For the plain
 * algorithms the data is the whole plaintext packet (length field
 * included); for the *-etm@openssh.com ones it is the length field and
 * the ciphertext, and the MAC is checked before anything is decrypted.
 * Which bytes go in is the packet layer's business (src/ssh/packet.c);
 * this module only knows the algorithms and computes/checks tags.
 *
 * Algorithms: hmac-sha2-256, hmac-sha2-512, hmac-sha2-256-etm@openssh.com,
 * hmac-sha2-512-etm@openssh.com, and hmac-sha1 (known for completeness,
 * never in a default list). Keys are alg->key_len bytes (the hash size),
 * tags alg->tag_len bytes (never truncated).
 */
#ifndef SESH_CRYPTO_MAC_H
#define SESH_CRYPTO_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

struct buf;
struct rd;

#define MAC_MAX_TAG_LEN HASH_MAX_LEN
#define MAC_MAX_KEY_LEN HASH_MAX_LEN

struct mac_alg {
	const char *name;
	enum hash_alg hash;
	size_t key_len; /* bytes of key material to derive */
	size_t tag_len; /* bytes of tag on the wire */
	bool etm;       /* encrypt-then-MAC ordering */
};

/* NULL for an unknown name. */
const struct mac_alg *mac_by_name(const char *name);
/* Same over a non-terminated view. */
const struct mac_alg *mac_by_name_n(const char *name, size_t n);
/* The i-th registered algorithm (registry walk), NULL past the end. */
const struct mac_alg *mac_alg_at(size_t i);

struct mac_ctx;
/*
 * Keys a reusable MAC context with alg->key_len bytes of key (copied,
 * wiped on free). *out is NULL on error. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT, SESH_ERR_NOMEM or SESH_ERR_CRYPTO.
 */
int mac_new(const struct mac_alg *alg, const uint8_t *key,
            struct mac_ctx **out);
/* NULL-safe; wipes the key state. */
void mac_free(struct mac_ctx *m);
const struct mac_alg *mac_alg(const struct mac_ctx *m);

/*
 * out (alg->tag_len bytes) = HMAC(key, uint32 seqnr || p[0..n)).
 * Returns 0, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_CRYPTO.
 */
int mac_compute(struct mac_ctx *m, uint32_t seqnr, const uint8_t *p, size_t n,
                uint8_t *out);
/*
 * Recomputes the tag over seqnr || p[0..n) and compares it with tag
 * (alg->tag_len bytes) in constant time. Returns 0,
 * SESH_ERR_MAC_INVALID, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_CRYPTO.
 */
int mac_verify(struct mac_ctx *m, uint32_t seqnr, const uint8_t *p, size_t n,
               const uint8_t *tag);

/*
 * State transfer: appends m's algorithm name and key to out (a MAC has
 * no other state). Key material: out should be a secret buffer
 * (buf_set_secret), wiped after use. On error nothing is appended.
 * Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_LIMIT or SESH_ERR_NOMEM.
 */
int mac_export(const struct mac_ctx *m, struct buf *out);
/*
 * Reads what mac_export() wrote from r (bounded, r advanced) into a new
 * context; *out NULL on error. Returns 0, SESH_ERR_INVALID_ARGUMENT, the
 * reader's errors, SESH_ERR_UNSUPPORTED (unknown name),
 * SESH_ERR_INVALID_FORMAT (wrong key length) or mac_new()'s errors.
 */
int mac_import(struct rd *r, struct mac_ctx **out);

#endif
