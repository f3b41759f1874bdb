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
/*
 * Like rand_bytes() for small draws (packet padding): served from a
 * per-thread pool refilled from the CSPRNG, emptied in a forked child
 * and by rand_pool_wipe(). Draws above 1 KiB go to rand_bytes().
 * 0, SESH_ERR_INVALID_ARGUMENT or SESH_ERR_CRYPTO.
 */
int rand_pool_bytes(void *p, size_t n);
/* Wipes and empties the calling thread's pool (at exit, after use). */
void rand_pool_wipe(void);
/* Uniform value in [0, upper) (upper > 0). 0 or SESH_ERR_CRYPTO. */
int rand_uniform(uint32_t upper, uint32_t *out);

/* OPENSSL_cleanse. */
void crypto_wipe(void *p, size_t n);
/* CRYPTO_memcmp() == 0. */
int crypto_equal(const void *a, const void *b, size_t n);

#endif
