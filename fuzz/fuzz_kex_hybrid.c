/*
 * fuzz_kex_hybrid.c - libFuzzer target for the post-quantum hybrid KEX
 * family (src/ssh/kex_hybrid.h): the peer values a client and a server
 * take apart. The first input byte picks the method (bits 1-2: 0
 * mlkem768x25519-sha256, 1 sntrup761x25519-sha512, 2 its @openssh.com
 * alias, 3 wraps to 0) and the role (bit 0): 0 feeds the rest as the
 * server's value (KEM ciphertext || X25519 key) to a fixed client state
 * of that method; 1 feeds it as a client's value (KEM public key ||
 * X25519 key) to the server side, whose randomness is fixed.
 *
 * Checks: success gives K of the method's hash length (and, for the
 * server, a reply value of the exact size); failure appends nothing.
 * The corpus (fuzz/corpus/kex_hybrid/) holds for each method a valid
 * reply to the fixed client, a valid client value, and broken ones
 * (cut, extended, all-zero X25519 key, an ML-KEM coefficient >= q).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "crypto/hash.h"
#include "ssh/kex.h"
#include "ssh/kex_hybrid.h"
#include "ssh/kex_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Used until the registry holds the hybrids; same fields as kex.c's. */
#define FUZZ_HYBRID_FAMILY ((enum kex_family)(KEX_FAMILY_DH + 1))
static const struct kex_method fuzz_local_methods[] = {
    {"mlkem768x25519-sha256", HASH_SHA256, FUZZ_HYBRID_FAMILY,
     KEX_HYBRID_MLKEM768, KEX_ENC_STRING, KEX_ENC_STRING,
     KEX_HYBRID_MLKEM768_PUB, &kex_ops_hybrid},
    {"sntrup761x25519-sha512", HASH_SHA512, FUZZ_HYBRID_FAMILY,
     KEX_HYBRID_SNTRUP761, KEX_ENC_STRING, KEX_ENC_STRING,
     KEX_HYBRID_SNTRUP761_PUB, &kex_ops_hybrid},
    {"sntrup761x25519-sha512@openssh.com", HASH_SHA512, FUZZ_HYBRID_FAMILY,
     KEX_HYBRID_SNTRUP761, KEX_ENC_STRING, KEX_ENC_STRING,
     KEX_HYBRID_SNTRUP761_PUB, &kex_ops_hybrid},
};
#define FUZZ_NMETHODS 3

static const struct kex_method *
fuzz_method(size_t i)
{
	const struct kex_method *m =
	    kex_method_by_name(fuzz_local_methods[i].name);

	return m != NULL && m->ops == &kex_ops_hybrid ? m
	                                              : &fuzz_local_methods[i];
}

/* Deterministic randomness (splitmix64). */
static int
fuzz_rand(void *ctx, void *p, size_t n)
{
	uint64_t *s = ctx;
	uint8_t *q = p;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		q[i] = (uint8_t)((z ^ (z >> 31)) >> 56);
	}
	return 0;
}

/* The fixed client state of each method (made once, from seed 1000 + i;
 * its value, the client's INIT, kept for corpus making). */
static void *fuzz_priv[FUZZ_NMETHODS];
static struct buf fuzz_cpub[FUZZ_NMETHODS];

static void *
fuzz_client(size_t i)
{
	const struct kex_method *m = fuzz_method(i);
	uint64_t seed = 1000 + i;

	if (fuzz_priv[i] == NULL) {
		buf_init(&fuzz_cpub[i], 0);
		if (m->ops->client_keygen(m, fuzz_rand, &seed, &fuzz_priv[i],
		                          &fuzz_cpub[i]) != 0) {
			abort();
		}
	}
	return fuzz_priv[i];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kex_method *m;
	struct buf s_pub, k;
	size_t i, hl;
	uint64_t seed = 7;
	int ret;

	if (size < 1) {
		return 0;
	}
	i = ((size_t)(data[0] >> 1) & 3) % FUZZ_NMETHODS;
	m = fuzz_method(i);
	hl = hash_len(m->hash);
	buf_init(&s_pub, 0);
	buf_init(&k, 0);
	if ((data[0] & 1) == 0) {
		ret = m->ops->client_shared(m, fuzz_client(i), data + 1,
		                            size - 1, &k);
	} else {
		ret = m->ops->server_exchange(m, fuzz_rand, &seed, data + 1,
		                              size - 1, &s_pub, &k);
		if (ret == 0 &&
		    buf_len(&s_pub) != (m->param == KEX_HYBRID_MLKEM768
		                            ? MLKEM768_CT_LEN + X25519_LEN
		                            : SNTRUP761_CT_LEN + X25519_LEN)) {
			abort();
		}
		if (ret != 0 && buf_len(&s_pub) != 0) {
			abort();
		}
	}
	if ((ret == 0 && buf_len(&k) != hl) || (ret != 0 && buf_len(&k) != 0) ||
	    ret > 0) {
		abort();
	}
	buf_clear(&s_pub);
	buf_clear(&k);
	return 0;
}
