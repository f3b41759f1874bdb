/*
 * rand.c - the system CSPRNG (libcrypto RAND_bytes) and the secret
 * helpers that must come from libcrypto (see rand.h).
 *
 * rand_uniform() draws by rejection so that every value of [0, upper) is
 * equally likely: 32-bit draws below 2^32 mod upper are discarded, which
 * leaves a range that is an exact multiple of upper.
 *
 * rand_pool_bytes() serves small draws (packet padding) from a per-thread
 * pool of RAND_POOL_SIZE bytes refilled by RAND_bytes, so the per-call
 * cost of RAND_bytes (locking, and a getpid() for its fork check) is
 * paid once per refill rather than once per packet. Bytes are wiped from
 * the pool as they are handed out; rand_pool_wipe() drops the rest. A
 * pthread_atfork() child handler (registered on first use) empties the
 * pool in a child, so parent and child never hand out the same bytes.
 */
#include "crypto/rand.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

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

#define RAND_POOL_SIZE 4096u

struct rand_pool {
	uint8_t b[RAND_POOL_SIZE];
	size_t left; /* unused bytes: b[RAND_POOL_SIZE - left ..) */
};

static _Thread_local struct rand_pool rand_pool;
static pthread_once_t rand_pool_once = PTHREAD_ONCE_INIT;

static void
rand_pool_forked(void)
{
	rand_pool_wipe();
}

static void
rand_pool_register(void)
{
	(void)pthread_atfork(NULL, NULL, rand_pool_forked);
}

int
rand_pool_bytes(void *p, size_t n)
{
	struct rand_pool *rp = &rand_pool;
	uint8_t *q = p;
	size_t k;
	int ret;

	if (p == NULL && n > 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n > RAND_POOL_SIZE / 4) {
		/* large draws gain nothing from the pool */
		return rand_bytes(p, n);
	}
	while (n > 0) {
		if (rp->left == 0) {
			(void)pthread_once(&rand_pool_once, rand_pool_register);
			if ((ret = rand_bytes(rp->b, sizeof(rp->b))) != 0) {
				crypto_wipe(rp->b, sizeof(rp->b));
				return ret;
			}
			rp->left = sizeof(rp->b);
		}
		k = n < rp->left ? n : rp->left;
		memcpy(q, rp->b + RAND_POOL_SIZE - rp->left, k);
		crypto_wipe(rp->b + RAND_POOL_SIZE - rp->left, k);
		rp->left -= k;
		q += k;
		n -= k;
	}
	return 0;
}

void
rand_pool_wipe(void)
{
	crypto_wipe(rand_pool.b, sizeof(rand_pool.b));
	rand_pool.left = 0;
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
