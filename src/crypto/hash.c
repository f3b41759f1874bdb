/*
 * hash.c - message digests and HMAC over libcrypto's EVP (see hash.h).
 *
 * Digests use EVP_MD with the legacy-named getters (EVP_sha256(), ...),
 * which resolve to the default provider. HMAC uses EVP_MAC "HMAC": a
 * reusable hmac_ctx is keyed once; hmac_init() restarts it with the kept
 * key (EVP_MAC_init with a NULL key), so the per-message cost is only the
 * hashing itself. libcrypto failures are logged and become
 * SESH_ERR_CRYPTO; key material held by this module is wiped on free.
 */
#include "crypto/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/err.h"
#include "base/log.h"
#include "crypto/crypto_int.h"

struct hash_ctx {
	enum hash_alg alg;
	EVP_MD_CTX *md;
};

struct hmac_ctx {
	enum hash_alg alg;
	EVP_MAC_CTX *mac;
};

static const EVP_MD *
hash_md(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return EVP_md5();
	case HASH_SHA1:
		return EVP_sha1();
	case HASH_SHA256:
		return EVP_sha256();
	case HASH_SHA384:
		return EVP_sha384();
	case HASH_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

/* The digest name EVP_MAC "HMAC" expects in its "digest" parameter. */
const char *
hash_ossl_name(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return "MD5";
	case HASH_SHA1:
		return "SHA1";
	case HASH_SHA256:
		return "SHA256";
	case HASH_SHA384:
		return "SHA384";
	case HASH_SHA512:
		return "SHA512";
	}
	return NULL;
}

size_t
hash_len(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return 16;
	case HASH_SHA1:
		return 20;
	case HASH_SHA256:
		return 32;
	case HASH_SHA384:
		return 48;
	case HASH_SHA512:
		return 64;
	}
	return 0;
}

const char *
hash_name(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return "MD5";
	case HASH_SHA1:
		return "SHA1";
	case HASH_SHA256:
		return "SHA256";
	case HASH_SHA384:
		return "SHA384";
	case HASH_SHA512:
		return "SHA512";
	}
	return "unknown";
}

int
hash_digest(enum hash_alg alg, const void *p, size_t n, uint8_t *out)
{
	const EVP_MD *md = hash_md(alg);
	unsigned int olen = 0;

	if (md == NULL || out == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_Digest(n > 0 ? p : "", n, out, &olen, md, NULL) != 1) {
		return crypto_fail("EVP_Digest");
	}
	if (olen != hash_len(alg)) {
		return crypto_fail("EVP_Digest length");
	}
	return 0;
}

int
hash_new(enum hash_alg alg, struct hash_ctx **out)
{
	const EVP_MD *md = hash_md(alg);
	struct hash_ctx *h = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (md == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	h->alg = alg;
	if ((h->md = EVP_MD_CTX_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(h->md, md, NULL) != 1) {
		ret = crypto_fail("EVP_DigestInit_ex");
		goto out;
	}
	*out = h;
	h = NULL;
	ret = 0;
out:
	hash_free(h);
	return ret;
}

int
hash_update(struct hash_ctx *h, const void *p, size_t n)
{
	if (h == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n == 0) {
		return 0;
	}
	if (EVP_DigestUpdate(h->md, p, n) != 1) {
		return crypto_fail("EVP_DigestUpdate");
	}
	return 0;
}

int
hash_final(struct hash_ctx *h, uint8_t *out)
{
	unsigned int olen = 0;

	if (h == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_DigestFinal_ex(h->md, out, &olen) != 1) {
		return crypto_fail("EVP_DigestFinal_ex");
	}
	if (olen != hash_len(h->alg)) {
		return crypto_fail("EVP_DigestFinal_ex length");
	}
	return 0;
}

int
hash_reset(struct hash_ctx *h)
{
	if (h == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_DigestInit_ex(h->md, hash_md(h->alg), NULL) != 1) {
		return crypto_fail("EVP_DigestInit_ex");
	}
	return 0;
}

void
hash_free(struct hash_ctx *h)
{
	if (h == NULL) {
		return;
	}
	/* EVP_MD_CTX_free cleanses the digest state. */
	EVP_MD_CTX_free(h->md);
	OPENSSL_cleanse(h, sizeof(*h));
	free(h);
}

int
hmac_digest(enum hash_alg alg, const void *key, size_t klen, const void *p,
            size_t n, uint8_t *out)
{
	struct hmac_ctx *h = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = hmac_new(alg, key, klen, &h)) != 0 ||
	    (ret = hmac_update(h, p, n)) != 0 ||
	    (ret = hmac_final(h, out)) != 0) {
		goto out;
	}
	ret = 0;
out:
	hmac_free(h);
	return ret;
}

int
hmac_new(enum hash_alg alg, const void *key, size_t klen, struct hmac_ctx **out)
{
	const char *dname = hash_ossl_name(alg);
	EVP_MAC *mac = NULL;
	struct hmac_ctx *h = NULL;
	OSSL_PARAM params[2];
	/* HMAC with an empty key is valid; libcrypto wants a non-NULL one. */
	static const uint8_t empty_key[1] = {0};
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (dname == NULL || (key == NULL && klen > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	h->alg = alg;
	if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL) {
		ret = crypto_fail("EVP_MAC_fetch(HMAC)");
		goto out;
	}
	if ((h->mac = EVP_MAC_CTX_new(mac)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	                                             (char *)dname, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(h->mac, klen > 0 ? key : empty_key, klen, params) !=
	    1) {
		ret = crypto_fail("EVP_MAC_init(HMAC)");
		goto out;
	}
	*out = h;
	h = NULL;
	ret = 0;
out:
	EVP_MAC_free(mac);
	hmac_free(h);
	return ret;
}

int
hmac_init(struct hmac_ctx *h)
{
	if (h == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* A NULL key restarts with the key set in hmac_new(). */
	if (EVP_MAC_init(h->mac, NULL, 0, NULL) != 1) {
		return crypto_fail("EVP_MAC_init(HMAC, rekey)");
	}
	return 0;
}

int
hmac_update(struct hmac_ctx *h, const void *p, size_t n)
{
	if (h == NULL || (p == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (n == 0) {
		return 0;
	}
	if (EVP_MAC_update(h->mac, p, n) != 1) {
		return crypto_fail("EVP_MAC_update(HMAC)");
	}
	return 0;
}

int
hmac_final(struct hmac_ctx *h, uint8_t *out)
{
	size_t olen = 0;
	size_t want;

	if (h == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	want = hash_len(h->alg);
	if (EVP_MAC_final(h->mac, out, &olen, want) != 1) {
		return crypto_fail("EVP_MAC_final(HMAC)");
	}
	if (olen != want) {
		return crypto_fail("EVP_MAC_final(HMAC) length");
	}
	return 0;
}

void
hmac_free(struct hmac_ctx *h)
{
	if (h == NULL) {
		return;
	}
	/* EVP_MAC_CTX_free cleanses the HMAC key state it holds. */
	EVP_MAC_CTX_free(h->mac);
	OPENSSL_cleanse(h, sizeof(*h));
	free(h);
}

int
crypto_fail(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char msg[256];

	if (e != 0) {
		ERR_error_string_n(e, msg, sizeof(msg));
		log_error("libcrypto: %s: %s", what, msg);
	} else {
		log_error("libcrypto: %s failed", what);
	}
	ERR_clear_error();
	return SESH_ERR_CRYPTO;
}
