/*
 * ecpoint.c - the uncompressed SEC1 encoding of an EC public key, shared
 * by ECDSA keys (pkey.c) and ECDH ephemeral keys (kexprim.c).
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "base/err.h"
#include "crypto/crypto_int.h"

/* The largest field handled: P-521. */
#define EC_MAX_FIELD 66

int
crypto_ec_point_put(const EVP_PKEY *pk, size_t field_len, struct buf *out)
{
	uint8_t pt[1 + 2 * EC_MAX_FIELD];
	BIGNUM *x = NULL, *y = NULL;
	int ret;

	if (pk == NULL || out == NULL || field_len == 0 ||
	    field_len > EC_MAX_FIELD) {
		return SESH_ERR_INVALID_ARGUMENT;
	}
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
		ret = crypto_fail("EC public coordinates");
		goto out;
	}
	/* SEC1 §2.3.3 uncompressed point. */
	pt[0] = 0x04;
	if (BN_bn2binpad(x, &pt[1], (int)field_len) != (int)field_len ||
	    BN_bn2binpad(y, &pt[1 + field_len], (int)field_len) !=
	        (int)field_len) {
		ret = crypto_fail("BN_bn2binpad");
		goto out;
	}
	ret = buf_put(out, pt, 1 + 2 * field_len);
out:
	BN_free(x);
	BN_free(y);
	return ret;
}
