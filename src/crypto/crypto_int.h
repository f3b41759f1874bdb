/*
 * crypto_int.h - helpers shared by the files of src/crypto only (never
 * included from another layer).
 */
#ifndef SESH_CRYPTO_INT_H
#define SESH_CRYPTO_INT_H

#include "crypto/hash.h"

/*
 * Logs the latest libcrypto error for the operation `what`, clears the
 * error queue and returns SESH_ERR_CRYPTO. Every libcrypto failure goes
 * through here, where it happens.
 */
int crypto_fail(const char *what);

/* libcrypto's name for a digest ("SHA256", ...), NULL if unknown. */
const char *hash_ossl_name(enum hash_alg alg);

#endif
