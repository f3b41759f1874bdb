/*
 * cipher.h - SSH ciphers behind one interface (libcrypto EVP).
 *
 * Algorithms: aes128-ctr, aes192-ctr, aes256-ctr, aes128-gcm@openssh.com,
 * aes256-gcm@openssh.com, chacha20-poly1305@openssh.com (and "none" for
 * tests only, never in a default list). The AEAD ones follow OpenSSH's
 * PROTOCOL / PROTOCOL.chacha20poly1305 and RFC 5647 as adapted by OpenSSH
 * (see ../shared/INTEROP-NOTES.md).
 *
 * Stream use (CTR, also used for private-key files): cipher_crypt().
 * Packet use: cipher_seal()/cipher_open() over a whole binary packet whose
 * first 4 bytes are the packet length; for AEAD the length is AAD (GCM)
 * or separately encrypted (chacha20-poly1305), the tag is written/checked
 * separately. Contexts are reused across packets (no per-packet setup
 * beyond the nonce), keys are wiped on free.
 */
#ifndef SESH_CRYPTO_CIPHER_H
#define SESH_CRYPTO_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct rd;

enum cipher_kind {
	CIPHER_KIND_NONE,
	CIPHER_KIND_CTR,
	CIPHER_KIND_GCM,
	CIPHER_KIND_CHACHAPOLY,
};

struct cipher_alg {
	const char *name;
	enum cipher_kind kind;
	size_t key_len;   /* bytes of key material to derive */
	size_t iv_len;    /* bytes of IV material to derive */
	size_t block_len; /* for padding: 8 for chacha20, 16 for AES */
	size_t tag_len;   /* 16 for AEAD, 0 otherwise */
};

/* NULL for an unknown name. */
const struct cipher_alg *cipher_by_name(const char *name);
/* Same over a non-terminated view. */
const struct cipher_alg *cipher_by_name_n(const char *name, size_t n);

struct cipher_ctx;
/* key: alg->key_len bytes, iv: alg->iv_len bytes. */
int cipher_new(const struct cipher_alg *alg, bool encrypt, const uint8_t *key,
               const uint8_t *iv, struct cipher_ctx **out);
void cipher_free(struct cipher_ctx *c);
const struct cipher_alg *cipher_alg(const struct cipher_ctx *c);
/* True for an encrypting context (false also for NULL). */
bool cipher_encrypting(const struct cipher_ctx *c);

/* CTR/NONE only: en/decrypts n bytes (dst may equal src). */
int cipher_crypt(struct cipher_ctx *c, uint8_t *dst, const uint8_t *src,
                 size_t n);

/*
 * AEAD only. Encrypts pkt[0..len) in place, where pkt[0..4) is the packet
 * length: GCM leaves it in clear as AAD; chacha20-poly1305 encrypts it
 * with K_1. Writes alg->tag_len bytes to tag. seqnr is the packet's
 * sequence number (used by chacha20-poly1305; GCM uses its own counter).
 */
int cipher_seal(struct cipher_ctx *c, uint32_t seqnr, uint8_t *pkt, size_t len,
                uint8_t *tag);
/*
 * cipher_seal() and cipher_crypt() with part of the plaintext elsewhere,
 * which saves copying it in first: the plaintext of pkt[off..off+n)
 * (dst[off..off+n)) is read from src, the rest of the buffer is taken in
 * place; the whole buffer ends up holding the output. For seal,
 * off >= 4 (the length field is always in pkt). src must not overlap
 * the buffer.
 */
int cipher_seal_from(struct cipher_ctx *c, uint32_t seqnr, uint8_t *pkt,
                     size_t len, uint8_t *tag, const uint8_t *src, size_t off,
                     size_t n);
int cipher_crypt_from(struct cipher_ctx *c, uint8_t *dst, size_t len,
                      const uint8_t *src, size_t off, size_t n);
/*
 * AEAD only. Recovers the packet length from the first 4 bytes received
 * (decrypting it for chacha20-poly1305) without changing them.
 */
int cipher_open_length(struct cipher_ctx *c, uint32_t seqnr,
                       const uint8_t in[4], uint32_t *len);
/*
 * AEAD only. Checks tag over pkt[0..len) (length included) and decrypts
 * in place; on SESH_ERR_MAC_INVALID nothing is decrypted.
 */
int cipher_open(struct cipher_ctx *c, uint32_t seqnr, uint8_t *pkt, size_t len,
                const uint8_t *tag);

/*
 * aes*-gcm@openssh.com outside the packet layer (openssh-key-v1 private
 * key sections): one GCM operation with no AAD. key: alg->key_len bytes,
 * iv: alg->iv_len (12) bytes, buf en/decrypted in place, tag 16 bytes
 * (written when encrypting, checked when decrypting). Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (not a GCM alg), SESH_ERR_MAC_INVALID (tag
 * mismatch; buf is then left as it was given) or SESH_ERR_CRYPTO.
 */
int cipher_gcm_once(const struct cipher_alg *alg, bool encrypt,
                    const uint8_t *key, const uint8_t *iv, uint8_t *buf,
                    size_t n, uint8_t *tag);

/*
 * State transfer (moving a connection to another process): appends the
 * whole state of c -- algorithm name, direction, key, and the position
 * of the key stream (CTR: initial counter and bytes used; GCM: the
 * current invocation IV; chacha20-poly1305 needs none, the nonce being
 * the sequence number) -- to out. The bytes are key material: out
 * should be a secret buffer (buf_set_secret) and be wiped after use.
 * On error nothing is appended. Returns 0, SESH_ERR_INVALID_ARGUMENT,
 * SESH_ERR_LIMIT or SESH_ERR_NOMEM.
 */
int cipher_export(const struct cipher_ctx *c, struct buf *out);
/*
 * Reads what cipher_export() wrote from r (bounded; r is advanced past
 * it) into a new context that goes on where the exported one stopped.
 * *out is NULL on error. Returns 0, SESH_ERR_INVALID_ARGUMENT, the
 * reader's errors (SESH_ERR_TRUNCATED, SESH_ERR_LIMIT, ...),
 * SESH_ERR_CIPHER_UNKNOWN, SESH_ERR_INVALID_FORMAT (wrong key or IV
 * length), SESH_ERR_NOMEM or SESH_ERR_CRYPTO.
 */
int cipher_import(struct rd *r, struct cipher_ctx **out);

#endif
