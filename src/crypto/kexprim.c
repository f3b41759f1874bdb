/*
 * kexprim.c - X25519, NIST-curve ECDH and MODP Diffie-Hellman over
 * libcrypto 3.0's EVP_PKEY derive interface (see kexprim.h).
 *
 * Contract: peer values are checked here before libcrypto sees them
 * (lengths, the uncompressed point form, 1 < f < p-1), then libcrypto's
 * own checks run (point on the curve, X25519 result not all-zero). A derive
 * that libcrypto refuses after our checks passed can only be caused by the
 * peer's value and is reported as SESH_ERR_KEX_DEGENERATE (X25519, DH) or
 * SESH_ERR_INVALID_KEY (ECDH). Scratch copies of secrets are wiped before
 * return.
 */
#include "crypto/kexprim.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/log.h"
#include "crypto/crypto_int.h"

/* Largest prime, group 18: 8192 bits. */
#define DH_MAX_LEN 1024
/* Largest field, P-521. */
#define ECDH_MAX_FIELD 66

static int
reject(int err)
{
	ERR_clear_error();
	return err;
}

/*
 * Runs a derive of ours against peer into out (cap bytes), *len set to
 * the secret's length. pad asks for a DH result padded to the prime size.
 * A refused derive is refused_err (the peer's fault, see the top).
 */
static int
derive(EVP_PKEY *ours, EVP_PKEY *peer, bool pad, int refused_err, uint8_t *out,
       size_t cap, size_t *len)
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = cap;
	int ret;

	*len = 0;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0 ||
	    (pad && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)) {
		ret = crypto_fail("EVP_PKEY_derive_init");
		goto out;
	}
	/* Peer values were range-checked by the caller; libcrypto checks
	 * them again while deriving. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0) {
		ret = reject(refused_err);
		goto out;
	}
	if (EVP_PKEY_derive(ctx, out, &n) <= 0 || n > cap) {
		ret = reject(refused_err);
		goto out;
	}
	*len = n;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

/* ---- X25519 ---- */

int
x25519_keygen(struct x25519_key *k)
{
	uint8_t priv[X25519_LEN];
	int ret;

	if (k == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (RAND_bytes(priv, sizeof(priv)) != 1) {
		ret = crypto_fail("RAND_bytes");
		goto out;
	}
	ret = x25519_keygen_from(priv, k);
out:
	OPENSSL_cleanse(priv, sizeof(priv));
	return ret;
}

int
x25519_keygen_from(const uint8_t priv[X25519_LEN], struct x25519_key *k)
{
	uint8_t pub[X25519_LEN];
	size_t len = sizeof(pub);
	EVP_PKEY *pk = NULL;
	int ret;

	if (k == NULL || priv == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	pk = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv,
	                                     X25519_LEN);
	if (pk == NULL) {
		ret = crypto_fail("X25519 private key");
		goto out;
	}
	if (EVP_PKEY_get_raw_public_key(pk, pub, &len) != 1 ||
	    len != sizeof(pub)) {
		ret = crypto_fail("X25519 public key");
		goto out;
	}
	memmove(k->priv, priv, X25519_LEN);
	memcpy(k->pub, pub, X25519_LEN);
	ret = 0;
out:
	EVP_PKEY_free(pk);
	return ret;
}

int
x25519_shared(const struct x25519_key *k, const uint8_t peer[X25519_LEN],
              uint8_t out[X25519_LEN])
{
	static const uint8_t zero[X25519_LEN];
	uint8_t secret[X25519_LEN];
	EVP_PKEY *ours = NULL, *theirs = NULL;
	size_t len = 0;
	int ret;

	if (k == NULL || peer == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	ours = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, k->priv,
	                                       X25519_LEN);
	theirs = EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer,
	                                        X25519_LEN);
	if (ours == NULL || theirs == NULL) {
		ret = crypto_fail("X25519 key import");
		goto out;
	}
	/* libcrypto refuses an all-zero result (RFC 7748 §6.1): degenerate. */
	if ((ret = derive(ours, theirs, false, SESH_ERR_KEX_DEGENERATE, secret,
	                  sizeof(secret), &len)) != 0) {
		goto out;
	}
	if (len != X25519_LEN) {
		ret = crypto_fail("X25519 derive length");
		goto out;
	}
	if (CRYPTO_memcmp(secret, zero, sizeof(secret)) == 0) {
		ret = SESH_ERR_KEX_DEGENERATE;
		goto out;
	}
	memcpy(out, secret, X25519_LEN);
	ret = 0;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(ours);
	EVP_PKEY_free(theirs);
	return ret;
}

void
x25519_clear(struct x25519_key *k)
{
	if (k != NULL) {
		OPENSSL_cleanse(k, sizeof(*k));
	}
}

/* ---- ECDH ---- */

struct ecdh_key {
	enum ecdh_curve curve;
	EVP_PKEY *pk;
};

static const char *
ecdh_group(enum ecdh_curve c)
{
	switch (c) {
	case ECDH_P256:
		return "P-256";
	case ECDH_P384:
		return "P-384";
	case ECDH_P521:
		return "P-521";
	default:
		return NULL;
	}
}

size_t
ecdh_field_len(enum ecdh_curve c)
{
	switch (c) {
	case ECDH_P256:
		return 32;
	case ECDH_P384:
		return 48;
	case ECDH_P521:
		return 66;
	default:
		return 0;
	}
}

size_t
ecdh_point_len(enum ecdh_curve c)
{
	size_t f = ecdh_field_len(c);

	return f == 0 ? 0 : 1 + 2 * f;
}

int
ecdh_keygen(enum ecdh_curve c, struct ecdh_key **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	struct ecdh_key *k = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (ecdh_group(c) == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_group_name(ctx, ecdh_group(c)) <= 0 ||
	    EVP_PKEY_generate(ctx, &pk) <= 0 || pk == NULL) {
		ret = crypto_fail("ECDH keygen");
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	k->curve = c;
	k->pk = pk;
	pk = NULL;
	*out = k;
	ret = 0;
out:
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

static int
ecdh_nid(enum ecdh_curve c)
{
	switch (c) {
	case ECDH_P256:
		return NID_X9_62_prime256v1;
	case ECDH_P384:
		return NID_secp384r1;
	default:
		return NID_secp521r1;
	}
}

/* A key pair EVP_PKEY from parameters (group, private, public). */
static int
keypair_from_params(const char *keytype, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	int ret;

	*out = NULL;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) <= 0 ||
	    pk == NULL) {
		ret = crypto_fail("key pair import");
		goto out;
	}
	*out = pk;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return ret;
}

int
ecdh_key_from_private(enum ecdh_curve c, const uint8_t *d, size_t n,
                      struct ecdh_key **out)
{
	uint8_t pub[1 + 2 * ECDH_MAX_FIELD];
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *bd = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pk = NULL;
	struct ecdh_key *k = NULL;
	size_t plen;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (ecdh_group(c) == NULL || d == NULL || n == 0 ||
	    n > ecdh_field_len(c)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((grp = EC_GROUP_new_by_curve_name(ecdh_nid(c))) == NULL ||
	    (bd = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, (int)n, bd) == NULL ||
	    (pt = EC_POINT_new(grp)) == NULL) {
		ret = crypto_fail("ECDH private key");
		goto out;
	}
	/* d in [1, n-1] (SEC1 §3.2.1), else the caller draws again. */
	if (BN_is_zero(bd) || BN_cmp(bd, EC_GROUP_get0_order(grp)) >= 0) {
		ret = SESH_ERR_INVALID_KEY;
		goto out;
	}
	BN_set_flags(bd, BN_FLG_CONSTTIME);
	if (EC_POINT_mul(grp, pt, bd, NULL, NULL, NULL) != 1 ||
	    (plen = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED,
	                               pub, sizeof(pub), NULL)) !=
	        ecdh_point_len(c)) {
		ret = crypto_fail("ECDH public point");
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                     ecdh_group(c), 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bd) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
	                                      plen)) {
		ret = crypto_fail("OSSL_PARAM_BLD");
		goto out;
	}
	if ((ret = keypair_from_params("EC", bld, &pk)) != 0) {
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	k->curve = c;
	k->pk = pk;
	pk = NULL;
	*out = k;
	ret = 0;
out:
	EVP_PKEY_free(pk);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pt);
	BN_clear_free(bd);
	EC_GROUP_free(grp);
	return ret;
}

void
ecdh_free(struct ecdh_key *k)
{
	if (k == NULL) {
		return;
	}
	EVP_PKEY_free(k->pk);
	free(k);
}

int
ecdh_public(const struct ecdh_key *k, struct buf *out)
{
	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	return crypto_ec_point_put(k->pk, ecdh_field_len(k->curve), out);
}

/* A public-only EVP_PKEY from parameters; refusal is refused_err. */
static int
public_from_params(const char *keytype, OSSL_PARAM_BLD *bld, int refused_err,
                   EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pk = NULL;
	int ret;

	*out = NULL;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0) {
		ret = crypto_fail("EVP_PKEY_fromdata_init");
		goto out;
	}
	if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0 ||
	    pk == NULL) {
		ret = reject(refused_err);
		goto out;
	}
	*out = pk;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return ret;
}

int
ecdh_shared(const struct ecdh_key *k, const uint8_t *peer, size_t peer_len,
            struct buf *out)
{
	uint8_t secret[ECDH_MAX_FIELD];
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *theirs = NULL;
	EVP_PKEY_CTX *vctx = NULL;
	size_t f, len = 0;
	int ret;

	if (k == NULL || out == NULL || peer == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	f = ecdh_field_len(k->curve);
	/* RFC 5656 §4: Q_C/Q_S is an uncompressed point on our curve. */
	if (peer_len != 1 + 2 * f || peer[0] != 0x04) {
		ret = SESH_ERR_INVALID_KEY;
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                     ecdh_group(k->curve), 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	                                      peer, peer_len)) {
		ret = crypto_fail("OSSL_PARAM_BLD");
		goto out;
	}
	/* Import decodes the point and refuses one off the curve. */
	if ((ret = public_from_params("EC", bld, SESH_ERR_INVALID_KEY,
	                              &theirs)) != 0) {
		goto out;
	}
	/* SEC1 §3.2.2 full public-key validation (not infinity, on the
	 * curve, in range, order n). */
	if ((vctx = EVP_PKEY_CTX_new_from_pkey(NULL, theirs, NULL)) == NULL) {
		ret = crypto_fail("EVP_PKEY_CTX_new_from_pkey");
		goto out;
	}
	if (EVP_PKEY_public_check(vctx) != 1) {
		ret = reject(SESH_ERR_INVALID_KEY);
		goto out;
	}
	if ((ret = derive(k->pk, theirs, false, SESH_ERR_INVALID_KEY, secret,
	                  sizeof(secret), &len)) != 0) {
		goto out;
	}
	if (len != f) {
		ret = crypto_fail("ECDH derive length");
		goto out;
	}
	buf_set_secret(out);
	ret = buf_put(out, secret, len);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_free(theirs);
	OSSL_PARAM_BLD_free(bld);
	return ret;
}

/* ---- Finite-field DH ---- */

struct dh_key {
	enum dh_group group;
	EVP_PKEY *pk;
};

/* libcrypto's names for RFC 3526's groups, and our exponent lengths. */
static const char *
dh_name(enum dh_group g)
{
	switch (g) {
	case DH_GROUP14:
		return "modp_2048";
	case DH_GROUP16:
		return "modp_4096";
	case DH_GROUP18:
		return "modp_8192";
	default:
		return NULL;
	}
}

static int
dh_priv_bits(enum dh_group g)
{
	return g == DH_GROUP14 ? 512 : 1024;
}

size_t
dh_prime_len(enum dh_group g)
{
	switch (g) {
	case DH_GROUP14:
		return 256;
	case DH_GROUP16:
		return 512;
	case DH_GROUP18:
		return 1024;
	default:
		return 0;
	}
}

int
dh_keygen(enum dh_group g, struct dh_key **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *x = NULL;
	struct dh_key *k = NULL;
	OSSL_PARAM params[3];
	int priv_len, ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (dh_name(g) == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	priv_len = dh_priv_bits(g);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	                                             (char *)dh_name(g), 0);
	params[1] =
	    OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &priv_len);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
	    EVP_PKEY_generate(ctx, &pk) <= 0 || pk == NULL) {
		ret = crypto_fail("DH keygen");
		goto out;
	}
	/* The exponent length is our security claim: make sure of it. */
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &x) != 1 ||
	    BN_num_bits(x) > priv_len || BN_num_bits(x) < priv_len - 64) {
		ret = crypto_fail("DH private exponent length");
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	k->group = g;
	k->pk = pk;
	pk = NULL;
	*out = k;
	ret = 0;
out:
	BN_clear_free(x);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

size_t
dh_exponent_len(enum dh_group g)
{
	return dh_name(g) == NULL ? 0 : (size_t)dh_priv_bits(g) / 8u;
}

static BIGNUM *
dh_prime(enum dh_group g)
{
	switch (g) {
	case DH_GROUP14:
		return BN_get_rfc3526_prime_2048(NULL);
	case DH_GROUP16:
		return BN_get_rfc3526_prime_4096(NULL);
	default:
		return BN_get_rfc3526_prime_8192(NULL);
	}
}

int
dh_key_from_private(enum dh_group g, const uint8_t *x, size_t n,
                    struct dh_key **out)
{
	BIGNUM *p = NULL, *bx = NULL, *e = NULL, *two = NULL, *pm1 = NULL;
	BN_CTX *bctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pk = NULL;
	struct dh_key *k = NULL;
	int ret;

	if (out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	*out = NULL;
	if (dh_name(g) == NULL || x == NULL || n == 0 || n > dh_prime_len(g)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if ((p = dh_prime(g)) == NULL || (bx = BN_secure_new()) == NULL ||
	    BN_bin2bn(x, (int)n, bx) == NULL || (e = BN_new()) == NULL ||
	    (two = BN_new()) == NULL || (pm1 = BN_new()) == NULL ||
	    (bctx = BN_CTX_secure_new()) == NULL || !BN_set_word(two, 2) ||
	    !BN_sub(pm1, p, BN_value_one())) {
		ret = crypto_fail("DH private key");
		goto out;
	}
	/* 1 < x < p-1, else the caller draws again. */
	if (BN_cmp(bx, BN_value_one()) <= 0 || BN_cmp(bx, pm1) >= 0) {
		ret = SESH_ERR_INVALID_KEY;
		goto out;
	}
	BN_set_flags(bx, BN_FLG_CONSTTIME);
	if (!BN_mod_exp_mont_consttime(e, two, bx, p, bctx, NULL)) {
		ret = crypto_fail("DH public value");
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                     dh_name(g), 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bx) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, e)) {
		ret = crypto_fail("OSSL_PARAM_BLD");
		goto out;
	}
	if ((ret = keypair_from_params("DH", bld, &pk)) != 0) {
		goto out;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ret = SESH_ERR_NOMEM;
		goto out;
	}
	k->group = g;
	k->pk = pk;
	pk = NULL;
	*out = k;
	ret = 0;
out:
	EVP_PKEY_free(pk);
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bctx);
	BN_free(p);
	BN_clear_free(bx);
	BN_free(e);
	BN_free(two);
	BN_free(pm1);
	return ret;
}

void
dh_free(struct dh_key *k)
{
	if (k == NULL) {
		return;
	}
	EVP_PKEY_free(k->pk);
	free(k);
}

int
dh_public(const struct dh_key *k, struct buf *out)
{
	uint8_t tmp[DH_MAX_LEN];
	BIGNUM *e = NULL;
	int n, ret;

	if (k == NULL || out == NULL) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_PUB_KEY, &e) != 1) {
		ret = crypto_fail("DH public value");
		goto out;
	}
	n = BN_num_bytes(e);
	if (n <= 0 || (size_t)n > sizeof(tmp) || BN_bn2bin(e, tmp) != n) {
		ret = crypto_fail("BN_bn2bin");
		goto out;
	}
	ret = buf_put(out, tmp, (size_t)n);
out:
	BN_free(e);
	return ret;
}

int
dh_shared(const struct dh_key *k, const uint8_t *f, size_t f_len,
          struct buf *out)
{
	uint8_t secret[DH_MAX_LEN];
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *theirs = NULL;
	BIGNUM *p = NULL, *pm1 = NULL, *fb = NULL;
	size_t plen, len = 0;
	int ret;

	if (k == NULL || out == NULL || (f == NULL && f_len > 0)) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	plen = dh_prime_len(k->group);
	/* More octets than twice the prime cannot be a value below p (a
	 * bound before parsing; leading zeros below it are tolerated). */
	if (f_len > 2 * plen) {
		ret = SESH_ERR_KEX_DEGENERATE;
		goto out;
	}
	if ((fb = BN_bin2bn(f, (int)f_len, NULL)) == NULL ||
	    (pm1 = BN_new()) == NULL) {
		ret = crypto_fail("BN_bin2bn");
		goto out;
	}
	if (EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_FFC_P, &p) != 1 ||
	    !BN_sub(pm1, p, BN_value_one())) {
		ret = crypto_fail("DH prime");
		goto out;
	}
	/* RFC 4253 §8: values outside [1, p-1] must not be accepted; 1 and
	 * p-1 give away the secret too (RFC 8268 §4). */
	if (BN_cmp(fb, BN_value_one()) <= 0 || BN_cmp(fb, pm1) >= 0) {
		ret = SESH_ERR_KEX_DEGENERATE;
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	                                     dh_name(k->group), 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, fb)) {
		ret = crypto_fail("OSSL_PARAM_BLD");
		goto out;
	}
	if ((ret = public_from_params("DH", bld, SESH_ERR_KEX_DEGENERATE,
	                              &theirs)) != 0) {
		goto out;
	}
	if ((ret = derive(k->pk, theirs, true, SESH_ERR_KEX_DEGENERATE, secret,
	                  sizeof(secret), &len)) != 0) {
		goto out;
	}
	if (len != plen) {
		ret = crypto_fail("DH derive length");
		goto out;
	}
	buf_set_secret(out);
	ret = buf_put(out, secret, len);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_free(theirs);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(pm1);
	BN_free(fb);
	return ret;
}
