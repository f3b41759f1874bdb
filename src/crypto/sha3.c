/*
 * sha3.c - SHA-3 and SHAKE over libcrypto's EVP (see sha3.h). The
 * digests are the default provider's "SHA3-256", "SHA3-512", "SHAKE128"
 * and "SHAKE256"; SHAKE output comes from one EVP_DigestFinalXOF call of
 * the requested length (libcrypto 3.0 cannot squeeze incrementally, and
 * an XOF's shorter output is a prefix of its longer one, so a caller
 * that needs more asks again with a larger length).
 */
#include "crypto/sha3.h"

#include <string.h>

#include <openssl/evp.h>

#include "base/err.h"
#include "crypto/crypto_int.h"

static const EVP_MD *
sha3_md(enum sha3_alg alg, size_t *fixed_len)
{
	switch (alg) {
	case SHA3_256:
		*fixed_len = 32;
		return EVP_sha3_256();
	case SHA3_512:
		*fixed_len = 64;
		return EVP_sha3_512();
	case SHAKE128:
		*fixed_len = 0;
		return EVP_shake128();
	case SHAKE256:
		*fixed_len = 0;
		return EVP_shake256();
	}
	return NULL;
}

int
sha3_digest2(enum sha3_alg alg, const void *a, size_t a_len, const void *b,
             size_t b_len, uint8_t *out, size_t out_len)
{
	const EVP_MD *md;
	EVP_MD_CTX *ctx = NULL;
	size_t fixed = 0;
	unsigned int got = 0;
	int ret;

	if (out == NULL || out_len == 0) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	memset(out, 0, out_len);
	md = sha3_md(alg, &fixed);
	if (md == NULL || (a == NULL && a_len > 0) ||
	    (b == NULL && b_len > 0) || (fixed != 0 && out_len != fixed)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    (a_len > 0 && EVP_DigestUpdate(ctx, a, a_len) != 1) ||
	    (b_len > 0 && EVP_DigestUpdate(ctx, b, b_len) != 1)) {
		ret = crypto_fail("SHA-3 digest");
		goto out;
	}
	if (fixed != 0) {
		if (EVP_DigestFinal_ex(ctx, out, &got) != 1 || got != fixed) {
			ret = crypto_fail("SHA-3 final");
			goto out;
		}
	} else if (EVP_DigestFinalXOF(ctx, out, out_len) != 1) {
		ret = crypto_fail("SHAKE output");
		goto out;
	}
	ret = 0;
out:
	if (ret != 0) {
		memset(out, 0, out_len);
	}
	EVP_MD_CTX_free(ctx);
	return ret;
}
