/*
 * rand.h - the system CSPRNG via libcrypto (RAND_bytes) and secret-wiping
 * helpers that must be libcrypto's (OPENSSL_cleanse, CRYPTO_memcmp).
 */
#ifndef SESH_CRYPTO_RAND_H
#define SESH_CRYPTO_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills p with n random bytes. 0 or SESH_ERR_CRYPTO. */
int rand_bytes(void *p, size_t n);
/* Uniform value in [0, upper) (upper > 0). 0 or SESH_ERR_CRYPTO. */
int rand_uniform(uint32_t upper, uint32_t *out);

/* OPENSSL_cleanse. */
void crypto_wipe(void *p, size_t n);
/* CRYPTO_memcmp() == 0. */
int crypto_equal(const void *a, const void *b, size_t n);

#endif
