/*
 * preload.c - see preload.h. The lists below name every libcrypto
 * algorithm src/crypto uses on behalf of the SSH engine (ciphers,
 * digests, MACs, key exchange, signatures); a new algorithm in
 * src/crypto belongs here too, or the sandboxed child dies on its first
 * use (tests/unit/test_sandbox.c runs the primitives under the filter).
 */
#include "crypto/preload.h"

#include <stdbool.h>
#include <stddef.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/err.h"
#include "base/log.h"

static const char *const preload_ciphers[] = {
    "AES-128-CTR", "AES-192-CTR", "AES-256-CTR", "AES-128-GCM",
    "AES-256-GCM", "ChaCha20",    "AES-256-CBC",
};
static const char *const preload_digests[] = {
    "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-512",
};
static const char *const preload_macs[] = {"HMAC", "POLY1305"};
static const char *const preload_keymgmt[] = {
    "X25519", "EC", "DH", "RSA", "ED25519",
};
static const char *const preload_keyexch[] = {"X25519", "ECDH", "DH"};
static const char *const preload_sigs[] = {"ED25519", "ECDSA", "RSA"};

#define PRELOAD_N(a) (sizeof(a) / sizeof((a)[0]))

static bool preload_done;

static int
preload_fail(const char *what, const char *name)
{
	log_msg(LOG_LVL_ERROR, "libcrypto: cannot preload %s %s", what, name);
	ERR_clear_error();
	return SESH_ERR_CRYPTO;
}

static int
preload_fetch_all(void)
{
	size_t i;

	for (i = 0; i < PRELOAD_N(preload_ciphers); i++) {
		EVP_CIPHER *c =
		    EVP_CIPHER_fetch(NULL, preload_ciphers[i], NULL);

		if (c == NULL) {
			return preload_fail("cipher", preload_ciphers[i]);
		}
		EVP_CIPHER_free(c);
	}
	for (i = 0; i < PRELOAD_N(preload_digests); i++) {
		EVP_MD *md = EVP_MD_fetch(NULL, preload_digests[i], NULL);

		if (md == NULL) {
			return preload_fail("digest", preload_digests[i]);
		}
		EVP_MD_free(md);
	}
	for (i = 0; i < PRELOAD_N(preload_macs); i++) {
		EVP_MAC *m = EVP_MAC_fetch(NULL, preload_macs[i], NULL);

		if (m == NULL) {
			return preload_fail("MAC", preload_macs[i]);
		}
		EVP_MAC_free(m);
	}
	for (i = 0; i < PRELOAD_N(preload_keymgmt); i++) {
		EVP_KEYMGMT *k =
		    EVP_KEYMGMT_fetch(NULL, preload_keymgmt[i], NULL);

		if (k == NULL) {
			return preload_fail("key type", preload_keymgmt[i]);
		}
		EVP_KEYMGMT_free(k);
	}
	for (i = 0; i < PRELOAD_N(preload_keyexch); i++) {
		EVP_KEYEXCH *x =
		    EVP_KEYEXCH_fetch(NULL, preload_keyexch[i], NULL);

		if (x == NULL) {
			return preload_fail("key exchange", preload_keyexch[i]);
		}
		EVP_KEYEXCH_free(x);
	}
	for (i = 0; i < PRELOAD_N(preload_sigs); i++) {
		EVP_SIGNATURE *s =
		    EVP_SIGNATURE_fetch(NULL, preload_sigs[i], NULL);

		if (s == NULL) {
			return preload_fail("signature", preload_sigs[i]);
		}
		EVP_SIGNATURE_free(s);
	}
	return 0;
}

int
crypto_preload(void)
{
	unsigned char b[16];
	int ret;

	if (preload_done) {
		return 0;
	}
	if (OPENSSL_init_crypto(
	        OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_LOAD_CRYPTO_STRINGS |
	            OPENSSL_INIT_ADD_ALL_CIPHERS | OPENSSL_INIT_ADD_ALL_DIGESTS,
	        NULL) != 1) {
		return preload_fail("configuration", "");
	}
	if ((ret = preload_fetch_all()) != 0) {
		return ret;
	}
	/* Instantiates (and seeds) the primary, public and private DRBGs. */
	if (RAND_bytes(b, sizeof(b)) != 1 ||
	    RAND_priv_bytes(b, sizeof(b)) != 1) {
		OPENSSL_cleanse(b, sizeof(b));
		return preload_fail("random generator", "");
	}
	OPENSSL_cleanse(b, sizeof(b));
	preload_done = true;
	return 0;
}
