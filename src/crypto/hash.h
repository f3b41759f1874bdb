/*
 * hash.h - message digests and HMAC over libcrypto's EVP.
 * All functions return 0 or SESH_ERR_CRYPTO / SESH_ERR_INVALID_ARGUMENT /
 * SESH_ERR_NOMEM.
 */
#ifndef SESH_CRYPTO_HASH_H
#define SESH_CRYPTO_HASH_H

#include <stddef.h>
#include <stdint.h>

enum hash_alg {
	HASH_MD5,  /* fingerprints only */
	HASH_SHA1, /* ssh-rsa verify, hashed known_hosts only */
	HASH_SHA256,
	HASH_SHA384,
	HASH_SHA512,
};

#define HASH_MAX_LEN 64

/* Digest length in bytes (0 for an unknown alg). */
size_t hash_len(enum hash_alg alg);
/* "SHA256", "MD5", ... as used in fingerprints. */
const char *hash_name(enum hash_alg alg);

/* out must hold hash_len(alg) bytes. */
int hash_digest(enum hash_alg alg, const void *p, size_t n, uint8_t *out);

/* Incremental hashing. */
struct hash_ctx;
int hash_new(enum hash_alg alg, struct hash_ctx **out);
int hash_update(struct hash_ctx *h, const void *p, size_t n);
/* Writes the digest; the context can then only be freed or reset. */
int hash_final(struct hash_ctx *h, uint8_t *out);
/* Starts over with the same algorithm. */
int hash_reset(struct hash_ctx *h);
void hash_free(struct hash_ctx *h);

/* One-shot HMAC; out holds hash_len(alg) bytes. */
int hmac_digest(enum hash_alg alg, const void *key, size_t klen, const void *p,
                size_t n, uint8_t *out);

/* Reusable HMAC context (the key is kept, wiped on free). */
struct hmac_ctx;
int hmac_new(enum hash_alg alg, const void *key, size_t klen,
             struct hmac_ctx **out);
/* Starts a new MAC computation with the same key. */
int hmac_init(struct hmac_ctx *h);
int hmac_update(struct hmac_ctx *h, const void *p, size_t n);
int hmac_final(struct hmac_ctx *h, uint8_t *out);
void hmac_free(struct hmac_ctx *h);

#endif
