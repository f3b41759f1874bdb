/*
 * crypto_int.h - helpers shared by the files of src/crypto only (never
 * included from another layer).
 */
#ifndef SESH_CRYPTO_INT_H
#define SESH_CRYPTO_INT_H

#include <openssl/evp.h>

#include "base/buf.h"
#include "crypto/hash.h"

/*
 * Logs the latest libcrypto error for the operation `what`, clears the
 * error queue and returns SESH_ERR_CRYPTO. Every libcrypto failure goes
 * through here, where it happens.
 */
int crypto_fail(const char *what);

/* libcrypto's name for a digest ("SHA256", ...), NULL if unknown. */
const char *hash_ossl_name(enum hash_alg alg);

/*
 * Appends the EC public key of pk as an uncompressed SEC1 point
 * (0x04 || X || Y, each coordinate left-padded to field_len bytes, at most
 * 66), built from the affine coordinates so the form the key was loaded
 * in does not matter. Returns 0, SESH_ERR_INVALID_ARGUMENT, SESH_ERR_CRYPTO
 * or a writer error.
 */
int crypto_ec_point_put(const EVP_PKEY *pk, size_t field_len, struct buf *out);

#endif
