/*
 * rand.c - the system CSPRNG (libcrypto RAND_bytes) and the secret
 * helpers that must come from libcrypto (see rand.h).
 *
 * rand_uniform() draws by rejection so that every value of [0, upper) is
 * equally likely: 32-bit draws below 2^32 mod upper are discarded, which
 * leaves a range that is an exact multiple of upper.
 */
#include "crypto/rand.h"

#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/log.h"

int
rand_bytes(void *p, size_t n)
{
	unsigned char *q = p;

	if (p == NULL && n > 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* RAND_bytes takes an int length: feed large requests in pieces. */
	while (n > 0) {
		size_t chunk = n > (size_t)INT_MAX ? (size_t)INT_MAX : n;

		if (RAND_bytes(q, (int)chunk) != 1) {
			log_error("libcrypto: RAND_bytes failed");
			ERR_clear_error();
			return SESH_ERR_CRYPTO;
		}
		q += chunk;
		n -= chunk;
	}
	return 0;
}

int
rand_uniform(uint32_t upper, uint32_t *out)
{
	uint32_t r = 0, min;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = 0;
	if (upper == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (upper == 1) {
		return 0;
	}
	/* 2^32 mod upper, computed in 32 bits. */
	min = (uint32_t)(0u - upper) % upper;
	/*
	 * Each draw is rejected with probability < 1/2, so the expected
	 * number of draws is below 2.
	 */
	for (;;) {
		if ((ret = rand_bytes(&r, sizeof(r))) != 0) {
			return ret;
		}
		if (r >= min) {
			break;
		}
	}
	*out = r % upper;
	return 0;
}

void
crypto_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0) {
		OPENSSL_cleanse(p, n);
	}
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	if (n == 0) {
		return 1;
	}
	return CRYPTO_memcmp(a, b, n) == 0;
}
