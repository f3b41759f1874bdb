/*
 * sha3.h - SHA3-256, SHA3-512 (FIPS 202 hash functions) and the SHAKE128
 * and SHAKE256 extendable-output functions over libcrypto's EVP, as
 * ML-KEM (FIPS 203) uses them: one-shot over the concatenation of up to
 * two inputs.
 *
 * Errors: SESH_ERR_INVALID_ARGUMENT (NULL with a nonzero length, unknown
 * algorithm, an output length other than the digest's for SHA3-256/512,
 * a zero output length), SESH_ERR_NOMEM, SESH_ERR_CRYPTO. The output is
 * zeroed on error.
 */
#ifndef SESH_CRYPTO_SHA3_H
#define SESH_CRYPTO_SHA3_H

#include <stddef.h>
#include <stdint.h>

enum sha3_alg {
	SHA3_256, /* 32-byte digest */
	SHA3_512, /* 64-byte digest */
	SHAKE128, /* any output length */
	SHAKE256, /* any output length */
};

/* out[0..out_len) = alg(a || b); b may be NULL with b_len 0. */
int sha3_digest2(enum sha3_alg alg, const void *a, size_t a_len, const void *b,
                 size_t b_len, uint8_t *out, size_t out_len);

#endif
