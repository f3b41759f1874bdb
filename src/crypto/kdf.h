/*
 * kdf.h - SSH transport key derivation (RFC 4253 §7.2).
 *
 *   K1 = HASH(K || H || letter || session_id)
 *   Kn = HASH(K || H || K1 || ... || K(n-1))
 *   key = first out_len bytes of K1 || K2 || ...
 *
 * K is passed already encoded exactly as it went into the exchange hash,
 * with its 4-byte length prefix: an mpint for DH, ECDH and curve25519, a
 * string for the hybrid post-quantum methods. letter is 'A'..'F'.
 */
#ifndef SESH_CRYPTO_KDF_H
#define SESH_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

/* Largest out_len accepted (64-byte chacha key with margin). */
#define KDF_MAX_OUT 1024u

/*
 * Writes out_len bytes of derived key to out. out is zeroed on entry and
 * written only on success; intermediates are wiped. Returns 0,
 * SESH_ERR_INVALID_ARGUMENT (unknown hash, NULL inputs, out_len 0 or
 * above KDF_MAX_OUT), SESH_ERR_NOMEM or SESH_ERR_CRYPTO.
 */
int kdf_derive(enum hash_alg h, const uint8_t *k_enc, size_t k_len,
               const uint8_t *H, size_t h_len, char letter,
               const uint8_t *session_id, size_t sid_len, uint8_t *out,
               size_t out_len);

#endif
