/*
 * pkey.c - asymmetric keys over libcrypto 3.0's EVP_PKEY (see pkey.h).
 *
 * Contract: every key is built through the provider interfaces
 * (EVP_PKEY_generate, EVP_PKEY_fromdata, raw Ed25519 import, PEM
 * decoders) and is checked before it is handed out: ECDSA points must be
 * on the named curve and any private scalar must produce that point; RSA
 * private components must agree with each other (n = p*q, e*d = 1 modulo
 * p-1 and q-1, iqmp*q = 1 mod p), the CRT exponents are computed here.
 * Only Ed25519, ECDSA over P-256/384/521 and RSA of 1024..16384 bits are
 * accepted. Private temporaries (BIGNUMs, scratch buffers) are wiped;
 * private BIGNUMs handed to libcrypto are allocated from the secure heap
 * so that OSSL_PARAM_free() clears them.
 *
 * libcrypto failures that are not the caller's fault are logged and become
 * SESH_ERR_CRYPTO; rejections of bad input clear the libcrypto error queue
 * silently and return the specific SESH_ERR_* code.
 */
#include "crypto/pkey.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "crypto/crypto_int.h"

struct pkey {
	enum pkey_type type;
	bool priv;
	EVP_PKEY *pk;
};

/* Largest big-endian magnitude we ever handle (16384-bit RSA). */
#define PKEY_MAX_MAG (SESH_MAX_MPINT_BITS / 8)

/* Rejection of bad input: not a library failure, nothing to log. */
static int
reject(int err)
{
	ERR_clear_error();
	return err;
}

static bool
is_ecdsa(enum pkey_type t)
{
	return t == PKEY_ECDSA_P256 || t == PKEY_ECDSA_P384 ||
	       t == PKEY_ECDSA_P521;
}

static const char *
ec_group(enum pkey_type t)
{
	switch (t) {
	case PKEY_ECDSA_P256:
		return "P-256";
	case PKEY_ECDSA_P384:
		return "P-384";
	case PKEY_ECDSA_P521:
		return "P-521";
	default:
		return NULL;
	}
}

static unsigned int
ec_bits(enum pkey_type t)
{
	switch (t) {
	case PKEY_ECDSA_P256:
		return 256;
	case PKEY_ECDSA_P384:
		return 384;
	case PKEY_ECDSA_P521:
		return 521;
	default:
		return 0;
	}
}

/* RFC 5656 §6.2.1: the curve fixes the hash. */
static enum hash_alg
ec_hash(enum pkey_type t)
{
	switch (t) {
	case PKEY_ECDSA_P384:
		return HASH_SHA384;
	case PKEY_ECDSA_P521:
		return HASH_SHA512;
	default:
		return HASH_SHA256;
	}
}

static const char *
keymgmt_name(enum pkey_type t)
{
	if (t == PKEY_ED25519) {
		return "ED25519";
	}
	if (t == PKEY_RSA) {
		return "RSA";
	}
	return "EC";
}

size_t
pkey_ecdsa_field_len(enum pkey_type type)
{
	switch (type) {
	case PKEY_ECDSA_P256:
		return 32;
	case PKEY_ECDSA_P384:
		return 48;
	case PKEY_ECDSA_P521:
		return 66;
	default:
		return 0;
	}
}

/* Wraps pk (ownership taken, freed on failure) into a new struct pkey. */
static int
wrap(EVP_PKEY *pk, enum pkey_type type, bool priv, struct pkey **out)
{
	struct pkey *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		EVP_PKEY_free(pk);
		return SESH_ERR_NOMEM;
	}
	k->type = type;
	k->priv = priv;
	k->pk = pk;
	*out = k;
	return 0;
}

/* Appends a BIGNUM's minimal big-endian magnitude; secret marks out. */
static int
put_bn(struct buf *out, const BIGNUM *bn, bool secret)
{
	uint8_t tmp[PKEY_MAX_MAG];
	int n = BN_num_bytes(bn);
	int ret;

	if (n < 0 || (size_t)n > sizeof(tmp)) {
		return SESH_ERR_LIMIT;
	}
	if (BN_bn2bin(bn, tmp) != n) {
		return crypto_fail("BN_bn2bin");
	}
	if (secret) {
		buf_set_secret(out);
	}
	ret = buf_put(out, tmp, (size_t)n);
	if (secret) {
		OPENSSL_cleanse(tmp, (size_t)n);
	}
	return ret;
}

/* Big-endian bytes into a fresh BIGNUM (secure heap when secret). */
static int
bn_from(const uint8_t *p, size_t n, bool secret, BIGNUM **out)
{
	BIGNUM *bn;

	*out = NULL;
	if (n > PKEY_MAX_MAG || (p == NULL && n > 0)) {
		return SESH_ERR_LIMIT;
	}
	bn = secret ? BN_secure_new() : BN_new();
	if (bn == NULL) {
		return SESH_ERR_NOMEM;
	}
	if (BN_bin2bn(p, (int)n, bn) == NULL) {
		BN_clear_free(bn);
		return crypto_fail("BN_bin2bn");
	}
	if (secret) {
		BN_set_flags(bn, BN_FLG_CONSTTIME);
	}
	*out = bn;
	return 0;
}

/*
 * Builds a key from an OSSL_PARAM array through the named key manager.
 * Failure means the parameters were refused: SESH_ERR_INVALID_KEY.
 */
static int
from_params(const char *name, int selection, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	int ret;

	*out = NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0) {
		ret = crypto_fail("EVP_PKEY_fromdata_init");
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, &pk, selection, params) <= 0 || pk == NULL) {
		ret = reject(SESH_ERR_INVALID_KEY);
		goto out;
	}
	*out = pk;
	pk = NULL;
	ret = 0;
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/* Does the EVP_PKEY carry its private half? */
static bool
evp_has_private(EVP_PKEY *pk, enum pkey_type type)
{
	BIGNUM *bn = NULL;
	size_t len = 0;
	bool has;

	if (type == PKEY_ED25519) {
		has = EVP_PKEY_get_raw_private_key(pk, NULL, &len) == 1 &&
		      len == PKEY_ED25519_LEN;
	} else {
		has = EVP_PKEY_get_bn_param(pk,
		                            type == PKEY_RSA
		                                ? OSSL_PKEY_PARAM_RSA_D
		                                : OSSL_PKEY_PARAM_PRIV_KEY,
		                            &bn) == 1;
	}
	BN_clear_free(bn);
	ERR_clear_error();
	return has;
}

/* ECDSA: point on the curve, scalar in range, scalar*G == point. */
static int
ec_validate(EVP_PKEY *pk, bool priv)
{
	EVP_PKEY_CTX *ctx;
	int ret;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL) {
		return crypto_fail("EVP_PKEY_CTX_new_from_pkey");
	}
	if (EVP_PKEY_public_check(ctx) != 1) {
		ret = reject(SESH_ERR_INVALID_KEY);
	} else if (priv && EVP_PKEY_private_check(ctx) != 1) {
		ret = reject(SESH_ERR_INVALID_KEY);
	} else if (priv && EVP_PKEY_pairwise_check(ctx) != 1) {
		ret = reject(SESH_ERR_KEY_MISMATCH);
	} else {
		ret = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/*
 * RSA consistency: n = p*q, 1 < d < n, e*d = 1 (mod p-1) and (mod q-1),
 * iqmp*q = 1 (mod p), iqmp < p. Computes dmp1 = d mod (p-1) and
 * dmq1 = d mod (q-1) into the caller's (secure) BIGNUMs.
 * SESH_ERR_KEY_MISMATCH when the private half does not fit n/e,
 * SESH_ERR_INVALID_KEY for malformed components.
 */
static int
rsa_check(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d, const BIGNUM *p,
          const BIGNUM *q, const BIGNUM *iqmp, BIGNUM *dmp1, BIGNUM *dmq1)
{
	BN_CTX *bctx = NULL;
	BIGNUM *t, *pm1, *qm1;
	int ret;

	if ((bctx = BN_CTX_secure_new()) == NULL) {
		return SESH_ERR_NOMEM;
	}
	BN_CTX_start(bctx);
	t = BN_CTX_get(bctx);
	pm1 = BN_CTX_get(bctx);
	if ((qm1 = BN_CTX_get(bctx)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (BN_cmp(p, BN_value_one()) <= 0 || BN_cmp(q, BN_value_one()) <= 0 ||
	    BN_cmp(d, BN_value_one()) <= 0 || BN_cmp(d, n) >= 0 ||
	    BN_is_zero(iqmp) || BN_cmp(iqmp, p) >= 0) {
		ret = SESH_ERR_INVALID_KEY;
		goto out;
	}
	if (!BN_mul(t, p, q, bctx)) {
		ret = crypto_fail("BN_mul");
		goto out;
	}
	if (BN_cmp(t, n) != 0) {
		ret = SESH_ERR_KEY_MISMATCH;
		goto out;
	}
	BN_set_flags(t, BN_FLG_CONSTTIME);
	BN_set_flags(pm1, BN_FLG_CONSTTIME);
	BN_set_flags(qm1, BN_FLG_CONSTTIME);
	if (!BN_sub(pm1, p, BN_value_one()) ||
	    !BN_sub(qm1, q, BN_value_one()) || !BN_mod(dmp1, d, pm1, bctx) ||
	    !BN_mod(dmq1, d, qm1, bctx)) {
		ret = crypto_fail("BN_mod");
		goto out;
	}
	if (!BN_mod_mul(t, e, dmp1, pm1, bctx)) {
		ret = crypto_fail("BN_mod_mul");
		goto out;
	}
	if (!BN_is_one(t)) {
		ret = SESH_ERR_KEY_MISMATCH;
		goto out;
	}
	if (!BN_mod_mul(t, e, dmq1, qm1, bctx)) {
		ret = crypto_fail("BN_mod_mul");
		goto out;
	}
	if (!BN_is_one(t)) {
		ret = SESH_ERR_KEY_MISMATCH;
		goto out;
	}
	if (!BN_mod_mul(t, iqmp, q, p, bctx)) {
		ret = crypto_fail("BN_mod_mul");
		goto out;
	}
	if (!BN_is_one(t)) {
		ret = SESH_ERR_INVALID_KEY;
		goto out;
	}
	ret = 0;
out:
	BN_CTX_end(bctx);
	BN_CTX_free(bctx);
	return ret;
}

/* Public RSA sanity: size in range, n odd, e odd with 1 < e < n. */
static int
rsa_check_public(const BIGNUM *n, const BIGNUM *e)
{
	int bits = BN_num_bits(n);

	if (bits < PKEY_RSA_MIN_BITS || bits > PKEY_RSA_MAX_BITS) {
		return SESH_ERR_KEY_LENGTH;
	}
	if (!BN_is_odd(n) || !BN_is_odd(e) || BN_cmp(e, BN_value_one()) <= 0 ||
	    BN_cmp(e, n) >= 0) {
		return SESH_ERR_INVALID_KEY;
	}
	return 0;
}

int
pkey_generate(enum pkey_type type, unsigned int bits, struct pkey **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *e = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (type == PKEY_RSA) {
		if (bits < PKEY_RSA_MIN_BITS || bits > PKEY_RSA_MAX_BITS) {
			ret = SESH_ERR_KEY_LENGTH;
			goto out;
		}
	} else if (is_ecdsa(type)) {
		if (bits != 0 && bits != ec_bits(type)) {
			ret = SESH_ERR_KEY_LENGTH;
			goto out;
		}
	} else if (type != PKEY_ED25519) {
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, keymgmt_name(type), NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0) {
		ret = crypto_fail("EVP_PKEY_keygen_init");
		goto out;
	}
	if (is_ecdsa(type) &&
	    EVP_PKEY_CTX_set_group_name(ctx, ec_group(type)) <= 0) {
		ret = crypto_fail("EVP_PKEY_CTX_set_group_name");
		goto out;
	}
	if (type == PKEY_RSA) {
		if ((e = BN_new()) == NULL || !BN_set_word(e, 65537) ||
		    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0 ||
		    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0) {
			ret = crypto_fail("RSA keygen parameters");
			goto out;
		}
	}
	if (EVP_PKEY_generate(ctx, &pk) <= 0 || pk == NULL) {
		ret = crypto_fail("EVP_PKEY_generate");
		goto out;
	}
	ret = wrap(pk, type, true, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	BN_free(e);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

void
pkey_free(struct pkey *k)
{
	if (k == NULL) {
		return;
	}
	EVP_PKEY_free(k->pk);
	free(k);
}

enum pkey_type
pkey_get_type(const struct pkey *k)
{
	return k->type;
}

bool
pkey_has_private(const struct pkey *k)
{
	return k != NULL && k->priv;
}

unsigned int
pkey_bits(const struct pkey *k)
{
	int bits;

	if (k == NULL) {
		return 0;
	}
	if (k->type == PKEY_ED25519) {
		return 256;
	}
	if (is_ecdsa(k->type)) {
		return ec_bits(k->type);
	}
	bits = EVP_PKEY_get_bits(k->pk);
	return bits > 0 ? (unsigned int)bits : 0;
}

bool
pkey_public_equal(const struct pkey *a, const struct pkey *b)
{
	bool eq;

	if (a == NULL || b == NULL || a->type != b->type) {
		return false;
	}
	eq = EVP_PKEY_eq(a->pk, b->pk) == 1;
	ERR_clear_error();
	return eq;
}

int
pkey_public_copy(const struct pkey *k, struct pkey **out)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (k == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_PKEY_todata(k->pk, EVP_PKEY_PUBLIC_KEY, &params) != 1) {
		ret = crypto_fail("EVP_PKEY_todata");
		goto out;
	}
	if ((ret = from_params(keymgmt_name(k->type), EVP_PKEY_PUBLIC_KEY,
	                       params, &pk)) != 0) {
		goto out;
	}
	ret = wrap(pk, k->type, false, out);
out:
	OSSL_PARAM_free(params);
	return ret;
}

int
pkey_ed25519_from_raw(const uint8_t *pub, const uint8_t *seed,
                      struct pkey **out)
{
	uint8_t derived[PKEY_ED25519_LEN];
	size_t len = sizeof(derived);
	EVP_PKEY *pk = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (pub == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (seed != NULL) {
		pk = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL,
		                                     seed, PKEY_ED25519_LEN);
		if (pk == NULL) {
			ret = crypto_fail("Ed25519 private key import");
			goto out;
		}
		if (EVP_PKEY_get_raw_public_key(pk, derived, &len) != 1 ||
		    len != sizeof(derived)) {
			ret = crypto_fail("EVP_PKEY_get_raw_public_key");
			goto out;
		}
		if (CRYPTO_memcmp(derived, pub, sizeof(derived)) != 0) {
			ret = SESH_ERR_KEY_MISMATCH;
			goto out;
		}
	} else {
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub,
		                                    PKEY_ED25519_LEN);
		if (pk == NULL) {
			ret = reject(SESH_ERR_INVALID_KEY);
			goto out;
		}
	}
	ret = wrap(pk, PKEY_ED25519, seed != NULL, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	return ret;
}

int
pkey_ed25519_to_raw(const struct pkey *k, uint8_t *pub, uint8_t *seed)
{
	uint8_t p[PKEY_ED25519_LEN], s[PKEY_ED25519_LEN];
	size_t plen = sizeof(p), slen = sizeof(s);
	int ret;

	if (k == NULL || k->type != PKEY_ED25519 ||
	    (seed != NULL && !k->priv)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (pub != NULL && (EVP_PKEY_get_raw_public_key(k->pk, p, &plen) != 1 ||
	                    plen != sizeof(p))) {
		ret = crypto_fail("EVP_PKEY_get_raw_public_key");
		goto out;
	}
	if (seed != NULL &&
	    (EVP_PKEY_get_raw_private_key(k->pk, s, &slen) != 1 ||
	     slen != sizeof(s))) {
		ret = crypto_fail("EVP_PKEY_get_raw_private_key");
		goto out;
	}
	if (pub != NULL) {
		memcpy(pub, p, sizeof(p));
	}
	if (seed != NULL) {
		memcpy(seed, s, sizeof(s));
	}
	ret = 0;
out:
	OPENSSL_cleanse(s, sizeof(s));
	return ret;
}

int
pkey_ecdsa_from_raw(enum pkey_type type, const uint8_t *point, size_t point_len,
                    const uint8_t *scalar, size_t scalar_len, struct pkey **out)
{
	size_t flen = pkey_ecdsa_field_len(type);
	bool priv = scalar != NULL && scalar_len > 0;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *d = NULL;
	EVP_PKEY *pk = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (flen == 0 || point == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* SEC1 §2.3.3 uncompressed form only: 0x04 || X || Y. */
	if (point_len != 1 + 2 * flen || point[0] != 0x04) {
		return SESH_ERR_INVALID_KEY;
	}
	if (priv) {
		if ((ret = bn_from(scalar, scalar_len, true, &d)) != 0) {
			goto out;
		}
		if (BN_is_zero(d) || (size_t)BN_num_bytes(d) > flen) {
			ret = SESH_ERR_INVALID_KEY;
			goto out;
		}
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                     ec_group(type), 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	                                      point, point_len) ||
	    (priv &&
	     !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		ret = crypto_fail("OSSL_PARAM_BLD");
		goto out;
	}
	if ((ret = from_params("EC",
	                       priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                       params, &pk)) != 0 ||
	    (ret = ec_validate(pk, priv)) != 0) {
		goto out;
	}
	ret = wrap(pk, type, priv, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return ret;
}

int
pkey_ecdsa_point(const struct pkey *k, struct buf *out)
{
	if (k == NULL || out == NULL || !is_ecdsa(k->type)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return crypto_ec_point_put(k->pk, pkey_ecdsa_field_len(k->type), out);
}

int
pkey_ecdsa_scalar(const struct pkey *k, struct buf *out)
{
	BIGNUM *d = NULL;
	int ret;

	if (k == NULL || out == NULL || !is_ecdsa(k->type) || !k->priv) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
		ret = crypto_fail("EC private scalar");
		goto out;
	}
	ret = put_bn(out, d, true);
out:
	BN_clear_free(d);
	return ret;
}

int
pkey_rsa_from_parts(const struct pkey_rsa_parts *parts, struct pkey **out)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
	BIGNUM *iqmp = NULL, *dmp1 = NULL, *dmq1 = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	bool priv;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (parts == NULL || parts->n == NULL || parts->e == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	priv = parts->d != NULL;
	if (priv &&
	    (parts->iqmp == NULL || parts->p == NULL || parts->q == NULL)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (parts->n_len > PKEY_MAX_MAG + 1 || parts->e_len > PKEY_MAX_MAG) {
		return SESH_ERR_KEY_LENGTH;
	}
	if ((ret = bn_from(parts->n, parts->n_len, false, &n)) != 0 ||
	    (ret = bn_from(parts->e, parts->e_len, false, &e)) != 0 ||
	    (ret = rsa_check_public(n, e)) != 0) {
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
		ret = crypto_fail("OSSL_PARAM_BLD");
		goto out;
	}
	if (priv) {
		if ((ret = bn_from(parts->d, parts->d_len, true, &d)) != 0 ||
		    (ret = bn_from(parts->p, parts->p_len, true, &p)) != 0 ||
		    (ret = bn_from(parts->q, parts->q_len, true, &q)) != 0 ||
		    (ret = bn_from(parts->iqmp, parts->iqmp_len, true,
		                   &iqmp)) != 0) {
			ret =
			    ret == SESH_ERR_LIMIT ? SESH_ERR_INVALID_KEY : ret;
			goto out;
		}
		if ((dmp1 = BN_secure_new()) == NULL ||
		    (dmq1 = BN_secure_new()) == NULL) {
			ret = SESH_ERR_NOMEM;
			goto out;
		}
		if ((ret = rsa_check(n, e, d, p, q, iqmp, dmp1, dmq1)) != 0) {
			goto out;
		}
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1,
		                            p) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2,
		                            q) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		                            dmp1) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		                            dmq1) ||
		    !OSSL_PARAM_BLD_push_BN(
		        bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp)) {
			ret = crypto_fail("OSSL_PARAM_BLD");
			goto out;
		}
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
		ret = crypto_fail("OSSL_PARAM_BLD_to_param");
		goto out;
	}
	if ((ret = from_params("RSA",
	                       priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                       params, &pk)) != 0) {
		goto out;
	}
	ret = wrap(pk, PKEY_RSA, priv, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(iqmp);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	return ret;
}

int
pkey_rsa_part(const struct pkey *k, enum pkey_rsa_part part, struct buf *out)
{
	const char *name;
	bool secret = true;
	BIGNUM *bn = NULL;
	int ret;

	if (k == NULL || out == NULL || k->type != PKEY_RSA) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	switch (part) {
	case PKEY_RSA_N:
		name = OSSL_PKEY_PARAM_RSA_N;
		secret = false;
		break;
	case PKEY_RSA_E:
		name = OSSL_PKEY_PARAM_RSA_E;
		secret = false;
		break;
	case PKEY_RSA_D:
		name = OSSL_PKEY_PARAM_RSA_D;
		break;
	case PKEY_RSA_IQMP:
		name = OSSL_PKEY_PARAM_RSA_COEFFICIENT1;
		break;
	case PKEY_RSA_P:
		name = OSSL_PKEY_PARAM_RSA_FACTOR1;
		break;
	case PKEY_RSA_Q:
		name = OSSL_PKEY_PARAM_RSA_FACTOR2;
		break;
	default:
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (secret && !k->priv) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_PKEY_get_bn_param(k->pk, name, &bn) != 1) {
		ret = crypto_fail("RSA component");
		goto out;
	}
	ret = put_bn(out, bn, secret);
out:
	BN_clear_free(bn);
	return ret;
}

/* The digest a signature over this key uses; NULL for Ed25519 (pure). */
static int
sig_md(const struct pkey *k, enum hash_alg hash, bool verify, const char **md)
{
	*md = NULL;
	switch (k->type) {
	case PKEY_ED25519:
		return 0;
	case PKEY_ECDSA_P256:
	case PKEY_ECDSA_P384:
	case PKEY_ECDSA_P521:
		if (hash != ec_hash(k->type)) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		break;
	case PKEY_RSA:
		if (hash != HASH_SHA256 && hash != HASH_SHA512 &&
		    !(verify && hash == HASH_SHA1)) {
			return SESH_ERR_INVALID_ARGUMENT;
		}
		break;
	default:
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*md = hash_ossl_name(hash);
	return 0;
}

/* DER ECDSA-Sig-Value (RFC 3279) to r || s, each flen bytes. */
static int
ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t flen,
                 struct buf *out)
{
	uint8_t raw[2 * 66];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *sig;
	int ret;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL) {
		return crypto_fail("d2i_ECDSA_SIG");
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, (int)flen) != (int)flen ||
	    BN_bn2binpad(s, &raw[flen], (int)flen) != (int)flen) {
		ret = crypto_fail("BN_bn2binpad");
		goto out;
	}
	ret = buf_put(out, raw, 2 * flen);
out:
	ECDSA_SIG_free(sig);
	return ret;
}

int
pkey_sign(const struct pkey *k, enum hash_alg hash, const uint8_t *data,
          size_t n, struct buf *out)
{
	static const uint8_t empty[1];
	EVP_MD_CTX *mctx = NULL;
	const char *md;
	uint8_t *sig = NULL;
	size_t siglen = 0, cap = 0, modlen;
	int size, ret;

	if (k == NULL || out == NULL || !k->priv || (data == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = sig_md(k, hash, false, &md)) != 0) {
		return ret;
	}
	if (data == NULL) {
		data = empty;
	}
	if ((size = EVP_PKEY_get_size(k->pk)) <= 0) {
		return crypto_fail("EVP_PKEY_get_size");
	}
	cap = (size_t)size;
	if ((sig = calloc(1, cap)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSignInit_ex(mctx, NULL, md, NULL, NULL, k->pk, NULL) <=
	    0) {
		ret = crypto_fail("EVP_DigestSignInit_ex");
		goto out;
	}
	siglen = cap;
	if (EVP_DigestSign(mctx, sig, &siglen, data, n) <= 0 || siglen > cap) {
		ret = crypto_fail("EVP_DigestSign");
		goto out;
	}
	switch (k->type) {
	case PKEY_ED25519:
		if (siglen != PKEY_ED25519_SIG_LEN) {
			ret = crypto_fail("Ed25519 signature length");
			goto out;
		}
		ret = buf_put(out, sig, siglen);
		break;
	case PKEY_RSA:
		/* RFC 8017 §8.2.1: the signature is exactly k octets. */
		modlen = cap;
		if (siglen < modlen) {
			memmove(&sig[modlen - siglen], sig, siglen);
			memset(sig, 0, modlen - siglen);
			siglen = modlen;
		}
		ret = buf_put(out, sig, siglen);
		break;
	default:
		ret = ecdsa_der_to_raw(sig, siglen,
		                       pkey_ecdsa_field_len(k->type), out);
		break;
	}
out:
	EVP_MD_CTX_free(mctx);
	if (sig != NULL) {
		OPENSSL_cleanse(sig, cap);
	}
	free(sig);
	return ret;
}

/* r || s (flen bytes each) to a DER ECDSA-Sig-Value (heap, *der). */
static int
ecdsa_raw_to_der(const uint8_t *raw, size_t rawlen, size_t flen, uint8_t **der,
                 size_t *derlen)
{
	const uint8_t *rp, *sp;
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *sig = NULL;
	unsigned char *d = NULL;
	struct rd rd;
	int len, ret;

	*der = NULL;
	*derlen = 0;
	rd_init(&rd, raw, rawlen);
	if (rd_view(&rd, flen, &rp) != 0 || rd_view(&rd, flen, &sp) != 0 ||
	    rd_end(&rd) != 0) {
		return SESH_ERR_BAD_SIGNATURE;
	}
	if ((r = BN_bin2bn(rp, (int)flen, NULL)) == NULL ||
	    (s = BN_bin2bn(sp, (int)flen, NULL)) == NULL ||
	    (sig = ECDSA_SIG_new()) == NULL) {
		ret = crypto_fail("ECDSA_SIG");
		goto out;
	}
	if (ECDSA_SIG_set0(sig, r, s) != 1) {
		ret = crypto_fail("ECDSA_SIG_set0");
		goto out;
	}
	r = s = NULL; /* owned by sig now */
	if ((len = i2d_ECDSA_SIG(sig, &d)) <= 0) {
		ret = crypto_fail("i2d_ECDSA_SIG");
		goto out;
	}
	*der = d;
	*derlen = (size_t)len;
	d = NULL;
	ret = 0;
out:
	OPENSSL_free(d);
	ECDSA_SIG_free(sig);
	BN_free(r);
	BN_free(s);
	return ret;
}

int
pkey_verify(const struct pkey *k, enum hash_alg hash, const uint8_t *data,
            size_t n, const uint8_t *sig, size_t siglen)
{
	static const uint8_t empty[1];
	EVP_MD_CTX *mctx = NULL;
	const char *md;
	uint8_t *tmp = NULL; /* padded RSA signature */
	uint8_t *der = NULL; /* DER ECDSA signature (OPENSSL_free) */
	const uint8_t *s = sig;
	size_t slen = siglen, modlen;
	int size, ret;

	if (k == NULL || sig == NULL || (data == NULL && n > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ret = sig_md(k, hash, true, &md)) != 0) {
		return ret;
	}
	if (data == NULL) {
		data = empty;
	}
	if (k->type == PKEY_ED25519) {
		if (siglen != PKEY_ED25519_SIG_LEN) {
			return SESH_ERR_BAD_SIGNATURE;
		}
	} else if (k->type == PKEY_RSA) {
		if ((size = EVP_PKEY_get_size(k->pk)) <= 0) {
			return crypto_fail("EVP_PKEY_get_size");
		}
		modlen = (size_t)size;
		if (siglen == 0 || siglen > modlen) {
			return SESH_ERR_BAD_SIGNATURE;
		}
		/* Some signers drop leading zero octets; put them back. */
		if (siglen < modlen) {
			if ((tmp = calloc(1, modlen)) == NULL) {
				return SESH_ERR_NOMEM;
			}
			memcpy(&tmp[modlen - siglen], sig, siglen);
			s = tmp;
			slen = modlen;
		}
	} else {
		ret = ecdsa_raw_to_der(
		    sig, siglen, pkey_ecdsa_field_len(k->type), &der, &slen);
		if (ret != 0) {
			goto out;
		}
		s = der;
	}
	if ((mctx = EVP_MD_CTX_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(mctx, NULL, md, NULL, NULL, k->pk, NULL) <=
	    0) {
		ret = crypto_fail("EVP_DigestVerifyInit_ex");
		goto out;
	}
	if (EVP_DigestVerify(mctx, s, slen, data, n) != 1) {
		ret = reject(SESH_ERR_BAD_SIGNATURE);
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(mctx);
	free(tmp);
	OPENSSL_free(der);
	return ret;
}

/*
 * Identifies a decoded key: one of ours or SESH_ERR_KEY_TYPE_UNKNOWN
 * (DSA, Ed448, X25519, RSA-PSS, other curves, explicit curve parameters).
 */
static int
classify(EVP_PKEY *pk, enum pkey_type *type)
{
	static const struct {
		const char *name;
		enum pkey_type type;
	} curves[] = {
	    {"prime256v1", PKEY_ECDSA_P256}, {"P-256", PKEY_ECDSA_P256},
	    {"secp384r1", PKEY_ECDSA_P384},  {"P-384", PKEY_ECDSA_P384},
	    {"secp521r1", PKEY_ECDSA_P521},  {"P-521", PKEY_ECDSA_P521},
	};
	char group[64];
	size_t i;

	if (EVP_PKEY_is_a(pk, "ED25519")) {
		*type = PKEY_ED25519;
		return 0;
	}
	if (EVP_PKEY_is_a(pk, "RSA")) {
		int bits = EVP_PKEY_get_bits(pk);

		if (bits < PKEY_RSA_MIN_BITS || bits > PKEY_RSA_MAX_BITS) {
			return SESH_ERR_KEY_LENGTH;
		}
		*type = PKEY_RSA;
		return 0;
	}
	if (EVP_PKEY_is_a(pk, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(
		        pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		        NULL) != 1) {
			return reject(SESH_ERR_KEY_TYPE_UNKNOWN);
		}
		for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
			if (strcasecmp(group, curves[i].name) == 0) {
				*type = curves[i].type;
				return 0;
			}
		}
	}
	return reject(SESH_ERR_KEY_TYPE_UNKNOWN);
}

/* Checks a private RSA key read from a file like pkey_rsa_from_parts. */
static int
rsa_validate_private(EVP_PKEY *pk)
{
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
	BIGNUM *iqmp = NULL, *dmp1 = NULL, *dmq1 = NULL;
	BIGNUM *fdp = NULL, *fdq = NULL;
	int ret;

	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_D, &d) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, &q) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	                          &iqmp) != 1) {
		ret = reject(SESH_ERR_INVALID_KEY);
		goto out;
	}
	if ((dmp1 = BN_secure_new()) == NULL ||
	    (dmq1 = BN_secure_new()) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	if ((ret = rsa_check_public(n, e)) != 0) {
		goto out;
	}
	if ((ret = rsa_check(n, e, d, p, q, iqmp, dmp1, dmq1)) != 0) {
		goto out;
	}
	/* The file's own CRT exponents must be the ones we computed. */
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, &fdp) !=
	        1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, &fdq) !=
	        1 ||
	    BN_cmp(fdp, dmp1) != 0 || BN_cmp(fdq, dmq1) != 0) {
		ret = reject(SESH_ERR_INVALID_KEY);
		goto out;
	}
	ret = 0;
out:
	BN_clear_free(fdp);
	BN_clear_free(fdq);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(iqmp);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	return ret;
}

struct pass_ctx {
	const char *pass;
	bool asked;
};

/* pem_password_cb: hands libcrypto the caller's passphrase, never a tty
 * prompt; remembers that one was wanted. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_ctx *pc = u;
	size_t len;

	(void)rwflag;
	pc->asked = true;
	/* pem_password_cb's contract: -1 (not a SESH_ERR_*) means "no
	 * passphrase" to libcrypto. */
	if (pc->pass == NULL || size <= 0) {
		return -1;
	}
	len = strlen(pc->pass);
	if (len > (size_t)size) {
		return -1;
	}
	memcpy(buf, pc->pass, len);
	return (int)len;
}

int
pkey_from_pem_private(const char *pem, size_t len, const char *passphrase,
                      struct pkey **out)
{
	struct pass_ctx pc = {passphrase, false};
	enum pkey_type type = PKEY_ED25519;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (pem == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (len > SESH_MAX_KEYFILE) {
		return SESH_ERR_LIMIT;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	pk = PEM_read_bio_PrivateKey_ex(bio, NULL, pass_cb, &pc, NULL, NULL);
	if (pk == NULL) {
		if (pc.asked) {
			ret = reject(passphrase == NULL
			                 ? SESH_ERR_PASSPHRASE_NEEDED
			                 : SESH_ERR_WRONG_PASSPHRASE);
		} else {
			ret = reject(SESH_ERR_INVALID_FORMAT);
		}
		goto out;
	}
	if ((ret = classify(pk, &type)) != 0) {
		goto out;
	}
	if (!evp_has_private(pk, type)) {
		ret = SESH_ERR_INVALID_FORMAT;
		goto out;
	}
	if (type == PKEY_RSA) {
		ret = rsa_validate_private(pk);
	} else if (is_ecdsa(type)) {
		ret = ec_validate(pk, true);
	}
	if (ret != 0) {
		goto out;
	}
	ret = wrap(pk, type, true, out);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	return ret;
}

int
pkey_from_pem_public(const char *pem, size_t len, struct pkey **out)
{
	OSSL_DECODER_CTX *dctx = NULL;
	const unsigned char *p = (const unsigned char *)pem;
	size_t left = len;
	enum pkey_type type = PKEY_ED25519;
	EVP_PKEY *pk = NULL;
	struct pkey tmp;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (pem == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (len > SESH_MAX_KEYFILE) {
		return SESH_ERR_LIMIT;
	}
	/* Input "PEM", any structure: SubjectPublicKeyInfo and the
	 * type-specific RSAPublicKey both decode. */
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pk, "PEM", NULL, NULL,
	                                     EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	if (dctx == NULL) {
		ret = crypto_fail("OSSL_DECODER_CTX_new_for_pkey");
		goto out;
	}
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pk == NULL) {
		ret = reject(SESH_ERR_INVALID_FORMAT);
		goto out;
	}
	if ((ret = classify(pk, &type)) != 0) {
		goto out;
	}
	if (type == PKEY_RSA) {
		BIGNUM *n = NULL, *e = NULL;

		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
			ret = reject(SESH_ERR_INVALID_KEY);
		} else {
			ret = rsa_check_public(n, e);
		}
		BN_free(n);
		BN_free(e);
	} else if (is_ecdsa(type)) {
		ret = ec_validate(pk, false);
	}
	if (ret != 0) {
		goto out;
	}
	/* Keep only the public half, whatever the decoder produced. */
	tmp.type = type;
	tmp.priv = false;
	tmp.pk = pk;
	ret = pkey_public_copy(&tmp, out);
out:
	EVP_PKEY_free(pk);
	OSSL_DECODER_CTX_free(dctx);
	return ret;
}

int
pkey_to_pem(const struct pkey *k, enum pkey_pem_format fmt,
            const char *passphrase, struct buf *out)
{
	struct pass_ctx pc = {passphrase, false};
	OSSL_ENCODER_CTX *ectx = NULL;
	EVP_CIPHER *cipher = NULL;
	bool private_fmt = fmt == PKEY_PEM_PKCS8 || fmt == PKEY_PEM_TRAD;
	BIO *bio = NULL;
	char *data = NULL;
	long dlen;
	int ok, ret;

	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (private_fmt && !k->priv) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (fmt == PKEY_PEM_PKCS1 && k->type != PKEY_RSA) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	/* An empty passphrase means "not encrypted", as in ssh-keygen. */
	if (private_fmt && passphrase != NULL && passphrase[0] != '\0' &&
	    (cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL)) == NULL) {
		ret = crypto_fail("EVP_CIPHER_fetch");
		goto out;
	}
	bio = BIO_new(private_fmt ? BIO_s_secmem() : BIO_s_mem());
	if (bio == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	switch (fmt) {
	case PKEY_PEM_PKCS8:
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k->pk, cipher, NULL, 0,
		                                   pass_cb, &pc);
		break;
	case PKEY_PEM_TRAD:
		/* Ed25519 has no traditional form: PKCS#8 it is. */
		if (k->type == PKEY_ED25519) {
			ok = PEM_write_bio_PKCS8PrivateKey(
			    bio, k->pk, cipher, NULL, 0, pass_cb, &pc);
		} else {
			ok = PEM_write_bio_PrivateKey_traditional(
			    bio, k->pk, cipher, NULL, 0, pass_cb, &pc);
		}
		break;
	case PKEY_PEM_SPKI:
		ok = PEM_write_bio_PUBKEY(bio, k->pk);
		break;
	case PKEY_PEM_PKCS1:
		ectx = OSSL_ENCODER_CTX_new_for_pkey(
		    k->pk, EVP_PKEY_PUBLIC_KEY, "PEM", "type-specific", NULL);
		ok = ectx != NULL && OSSL_ENCODER_to_bio(ectx, bio) == 1;
		break;
	default:
		ret = SESH_ERR_INVALID_ARGUMENT;
		goto out;
	}
	if (ok != 1) {
		ret = crypto_fail("PEM encoding");
		goto out;
	}
	if ((dlen = BIO_get_mem_data(bio, &data)) <= 0 || data == NULL) {
		ret = crypto_fail("BIO_get_mem_data");
		goto out;
	}
	if (private_fmt) {
		buf_set_secret(out);
	}
	ret = buf_put(out, data, (size_t)dlen);
out:
	OSSL_ENCODER_CTX_free(ectx);
	EVP_CIPHER_free(cipher);
	BIO_free(bio);
	return ret;
}
