/*
 * test_pkey.c - crypto/pkey: RFC 8032 §7.1 Ed25519 vectors 1-3, an
 * RFC 6979 A.2.5 (P-256, SHA-256, "sample") known-answer verify, ECDSA
 * and RSA generate/sign/verify with tampering, raw component round
 * trips and rejection of bad components (point off the curve, mismatched
 * scalar, inconsistent RSA parts), PEM round trips in every format,
 * encrypted PEM with right/wrong/missing passphrases, unsupported key
 * types, and truncation/bit-flip sweeps over the PEM readers and the
 * signature verifiers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/buf.h"
#include "base/err.h"
#include "crypto/pkey.h"

/* ---- Ed25519: RFC 8032 §7.1 TEST 1, 2, 3 ---- */

static const struct {
	const char *seed, *pub, *msg, *sig;
} ed_vectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

static void
test_ed25519_rfc8032(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(ed_vectors) / sizeof(ed_vectors[0]); i++) {
		uint8_t seed[32], pub[32], msg[8], sig[64], bad[64];
		uint8_t p2[32], s2[32];
		struct pkey *k = NULL, *pk = NULL;
		struct buf b;
		size_t mlen;

		unhex(ed_vectors[i].seed, seed, sizeof(seed));
		unhex(ed_vectors[i].pub, pub, sizeof(pub));
		mlen = unhex(ed_vectors[i].msg, msg, sizeof(msg));
		unhex(ed_vectors[i].sig, sig, sizeof(sig));

		assert_int_equal(pkey_ed25519_from_raw(pub, seed, &k), 0);
		assert_true(pkey_has_private(k));
		assert_int_equal(pkey_get_type(k), PKEY_ED25519);
		assert_int_equal(pkey_bits(k), 256);
		buf_init(&b, 0);
		assert_int_equal(pkey_sign(k, HASH_SHA256, msg, mlen, &b), 0);
		assert_int_equal(buf_len(&b), 64);
		assert_memory_equal(buf_data(&b), sig, 64);
		buf_clear(&b);
		assert_int_equal(
		    pkey_verify(k, HASH_SHA256, msg, mlen, sig, 64), 0);

		/* Public-only key verifies, cannot sign. */
		assert_int_equal(pkey_ed25519_from_raw(pub, NULL, &pk), 0);
		assert_false(pkey_has_private(pk));
		assert_true(pkey_public_equal(k, pk));
		assert_int_equal(
		    pkey_verify(pk, HASH_SHA512, msg, mlen, sig, 64), 0);
		assert_int_equal(pkey_sign(pk, HASH_SHA256, msg, mlen, &b),
		                 SESH_ERR_INVALID_ARGUMENT);

		/* Every single-bit flip of the signature fails. */
		for (j = 0; j < 64 * 8; j++) {
			memcpy(bad, sig, 64);
			bad[j / 8] ^= (uint8_t)(1u << (j % 8));
			assert_int_equal(
			    pkey_verify(pk, HASH_SHA256, msg, mlen, bad, 64),
			    SESH_ERR_BAD_SIGNATURE);
		}
		/* Tampered message, truncated signature. */
		msg[mlen] = 0x55;
		assert_int_equal(
		    pkey_verify(pk, HASH_SHA256, msg, mlen + 1, sig, 64),
		    SESH_ERR_BAD_SIGNATURE);
		assert_int_equal(
		    pkey_verify(pk, HASH_SHA256, msg, mlen, sig, 63),
		    SESH_ERR_BAD_SIGNATURE);

		/* Raw export round trip. */
		assert_int_equal(pkey_ed25519_to_raw(k, p2, s2), 0);
		assert_memory_equal(p2, pub, 32);
		assert_memory_equal(s2, seed, 32);
		assert_int_equal(pkey_ed25519_to_raw(pk, NULL, s2),
		                 SESH_ERR_INVALID_ARGUMENT);
		pkey_free(k);
		pkey_free(pk);

		/* Seed with someone else's public key. */
		pub[0] ^= 1;
		k = (struct pkey *)1;
		assert_int_equal(pkey_ed25519_from_raw(pub, seed, &k),
		                 SESH_ERR_KEY_MISMATCH);
		assert_null(k);
	}
}

static void
test_ed25519_generate(void **state)
{
	struct pkey *k = NULL, *pub = NULL;
	uint8_t p[32], s[32];
	struct buf b;

	(void)state;
	assert_int_equal(pkey_generate(PKEY_ED25519, 0, &k), 0);
	assert_int_equal(pkey_ed25519_to_raw(k, p, s), 0);
	assert_int_equal(pkey_public_copy(k, &pub), 0);
	assert_false(pkey_has_private(pub));
	assert_true(pkey_public_equal(k, pub));
	buf_init(&b, 0);
	assert_int_equal(pkey_sign(k, HASH_SHA256, (const uint8_t *)"x", 1, &b),
	                 0);
	assert_int_equal(pkey_verify(pub, HASH_SHA256, (const uint8_t *)"x", 1,
	                             buf_data(&b), buf_len(&b)),
	                 0);
	buf_clear(&b);
	pkey_free(k);
	pkey_free(pub);
}

/* ---- ECDSA ---- */

static const enum pkey_type ec_types[] = {PKEY_ECDSA_P256, PKEY_ECDSA_P384,
                                          PKEY_ECDSA_P521};
static const enum hash_alg ec_hashes[] = {HASH_SHA256, HASH_SHA384,
                                          HASH_SHA512};
static const unsigned int ec_bitsz[] = {256, 384, 521};

static void
test_ecdsa_sign_verify(void **state)
{
	static const uint8_t msg[] = "the quick brown fox";
	size_t i, j;

	(void)state;
	for (i = 0; i < 3; i++) {
		enum pkey_type t = ec_types[i];
		size_t flen = pkey_ecdsa_field_len(t);
		struct pkey *k = NULL, *pub = NULL, *k2 = NULL, *other = NULL;
		struct buf sig, pt, sc;
		uint8_t bad[132];

		assert_int_equal(pkey_generate(t, ec_bitsz[i] + 1, &k),
		                 SESH_ERR_KEY_LENGTH);
		assert_null(k);
		assert_int_equal(pkey_generate(t, ec_bitsz[i], &k), 0);
		assert_int_equal(pkey_bits(k), ec_bitsz[i]);
		assert_int_equal(pkey_get_type(k), t);

		buf_init(&sig, 0);
		assert_int_equal(
		    pkey_sign(k, ec_hashes[i], msg, sizeof(msg), &sig), 0);
		assert_int_equal(buf_len(&sig), 2 * flen);
		assert_int_equal(pkey_verify(k, ec_hashes[i], msg, sizeof(msg),
		                             buf_data(&sig), buf_len(&sig)),
		                 0);
		/* The curve fixes the hash. */
		assert_int_equal(pkey_sign(k, ec_hashes[(i + 1) % 3], msg,
		                           sizeof(msg), &sig),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(pkey_verify(k, ec_hashes[(i + 1) % 3], msg,
		                             sizeof(msg), buf_data(&sig),
		                             buf_len(&sig)),
		                 SESH_ERR_INVALID_ARGUMENT);
		/* Tampered message. */
		assert_int_equal(pkey_verify(k, ec_hashes[i], msg,
		                             sizeof(msg) - 1, buf_data(&sig),
		                             buf_len(&sig)),
		                 SESH_ERR_BAD_SIGNATURE);
		/* Wrong lengths. */
		assert_int_equal(pkey_verify(k, ec_hashes[i], msg, sizeof(msg),
		                             buf_data(&sig), buf_len(&sig) - 1),
		                 SESH_ERR_BAD_SIGNATURE);
		/* Every bit flip of r || s fails. */
		for (j = 0; j < 2 * flen * 8; j += 3) {
			memcpy(bad, buf_data(&sig), 2 * flen);
			bad[j / 8] ^= (uint8_t)(1u << (j % 8));
			assert_int_equal(pkey_verify(k, ec_hashes[i], msg,
			                             sizeof(msg), bad,
			                             2 * flen),
			                 SESH_ERR_BAD_SIGNATURE);
		}

		/* Point and scalar round trip. */
		buf_init(&pt, 0);
		buf_init(&sc, 0);
		assert_int_equal(pkey_ecdsa_point(k, &pt), 0);
		assert_int_equal(buf_len(&pt), 1 + 2 * flen);
		assert_int_equal(buf_data(&pt)[0], 0x04);
		assert_int_equal(pkey_ecdsa_scalar(k, &sc), 0);
		assert_true(buf_len(&sc) <= flen);
		assert_int_equal(pkey_ecdsa_from_raw(t, buf_data(&pt),
		                                     buf_len(&pt), NULL, 0,
		                                     &pub),
		                 0);
		assert_false(pkey_has_private(pub));
		assert_true(pkey_public_equal(k, pub));
		assert_int_equal(pkey_ecdsa_scalar(pub, &sc),
		                 SESH_ERR_INVALID_ARGUMENT);
		assert_int_equal(pkey_verify(pub, ec_hashes[i], msg,
		                             sizeof(msg), buf_data(&sig),
		                             buf_len(&sig)),
		                 0);
		assert_int_equal(
		    pkey_ecdsa_from_raw(t, buf_data(&pt), buf_len(&pt),
		                        buf_data(&sc), buf_len(&sc), &k2),
		    0);
		assert_true(pkey_has_private(k2));
		assert_true(pkey_public_equal(k, k2));
		buf_reset(&sig);
		assert_int_equal(
		    pkey_sign(k2, ec_hashes[i], msg, sizeof(msg), &sig), 0);
		assert_int_equal(pkey_verify(pub, ec_hashes[i], msg,
		                             sizeof(msg), buf_data(&sig),
		                             buf_len(&sig)),
		                 0);
		/* A point of one curve is not a key of another. */
		assert_int_not_equal(
		    pkey_ecdsa_from_raw(ec_types[(i + 1) % 3], buf_data(&pt),
		                        buf_len(&pt), NULL, 0, &other),
		    0);
		assert_null(other);

		buf_clear(&sig);
		buf_clear(&pt);
		buf_clear(&sc);
		pkey_free(k);
		pkey_free(k2);
		pkey_free(pub);
	}
}

static void
test_ecdsa_bad_points(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		enum pkey_type t = ec_types[i];
		size_t flen = pkey_ecdsa_field_len(t);
		struct pkey *k = NULL, *other = NULL, *out = NULL;
		struct buf pt, sc, osc;
		uint8_t p[133];
		size_t plen;

		assert_int_equal(pkey_generate(t, 0, &k), 0);
		assert_int_equal(pkey_generate(t, 0, &other), 0);
		buf_init(&pt, 0);
		buf_init(&sc, 0);
		buf_init(&osc, 0);
		assert_int_equal(pkey_ecdsa_point(k, &pt), 0);
		assert_int_equal(pkey_ecdsa_scalar(k, &sc), 0);
		assert_int_equal(pkey_ecdsa_scalar(other, &osc), 0);
		plen = buf_len(&pt);
		memcpy(p, buf_data(&pt), plen);

		/* Y changed: off the curve. */
		p[plen - 1] ^= 1;
		assert_int_equal(pkey_ecdsa_from_raw(t, p, plen, NULL, 0, &out),
		                 SESH_ERR_INVALID_KEY);
		assert_null(out);
		p[plen - 1] ^= 1;
		/* Compressed/hybrid prefixes and wrong lengths. */
		p[0] = 0x02;
		assert_int_equal(pkey_ecdsa_from_raw(t, p, plen, NULL, 0, &out),
		                 SESH_ERR_INVALID_KEY);
		p[0] = 0x04;
		assert_int_equal(
		    pkey_ecdsa_from_raw(t, p, plen - 1, NULL, 0, &out),
		    SESH_ERR_INVALID_KEY);
		assert_int_equal(
		    pkey_ecdsa_from_raw(t, p, 1 + flen, NULL, 0, &out),
		    SESH_ERR_INVALID_KEY);
		/* (0, 0) is not on any of these curves. */
		memset(&p[1], 0, plen - 1);
		assert_int_equal(pkey_ecdsa_from_raw(t, p, plen, NULL, 0, &out),
		                 SESH_ERR_INVALID_KEY);
		/* Coordinates >= p. */
		memset(&p[1], 0xff, plen - 1);
		assert_int_equal(pkey_ecdsa_from_raw(t, p, plen, NULL, 0, &out),
		                 SESH_ERR_INVALID_KEY);

		/* Someone else's scalar. */
		assert_int_equal(
		    pkey_ecdsa_from_raw(t, buf_data(&pt), buf_len(&pt),
		                        buf_data(&osc), buf_len(&osc), &out),
		    SESH_ERR_KEY_MISMATCH);
		assert_null(out);
		/* Zero and oversized scalars. */
		memset(p, 0, sizeof(p));
		assert_int_equal(pkey_ecdsa_from_raw(t, buf_data(&pt),
		                                     buf_len(&pt), p, flen,
		                                     &out),
		                 SESH_ERR_INVALID_KEY);
		p[0] = 1;
		assert_int_equal(pkey_ecdsa_from_raw(t, buf_data(&pt),
		                                     buf_len(&pt), p, flen + 1,
		                                     &out),
		                 SESH_ERR_INVALID_KEY);
		/* The group order itself (all-ones is >= n for each curve). */
		memset(p, 0xff, flen);
		if (t == PKEY_ECDSA_P521) {
			p[0] = 0x01;
		}
		assert_int_not_equal(pkey_ecdsa_from_raw(t, buf_data(&pt),
		                                         buf_len(&pt), p, flen,
		                                         &out),
		                     0);
		assert_null(out);

		buf_clear(&pt);
		buf_clear(&sc);
		buf_clear(&osc);
		pkey_free(k);
		pkey_free(other);
	}
}

/* RFC 6979 A.2.5: P-256, private key x, public key U, SHA-256, "sample". */
static void
test_ecdsa_rfc6979_verify(void **state)
{
	static const char *ux =
	    "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
	static const char *uy =
	    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
	static const char *x =
	    "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
	static const char *r =
	    "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
	static const char *s =
	    "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";
	uint8_t point[65], sig[64], scalar[32];
	struct pkey *k = NULL, *kp = NULL;
	struct buf b;

	(void)state;
	point[0] = 0x04;
	unhex(ux, &point[1], 32);
	unhex(uy, &point[33], 32);
	unhex(r, sig, 32);
	unhex(s, &sig[32], 32);
	unhex(x, scalar, 32);
	assert_int_equal(pkey_ecdsa_from_raw(PKEY_ECDSA_P256, point,
	                                     sizeof(point), NULL, 0, &k),
	                 0);
	assert_int_equal(
	    pkey_verify(k, HASH_SHA256, (const uint8_t *)"sample", 6, sig, 64),
	    0);
	assert_int_equal(
	    pkey_verify(k, HASH_SHA256, (const uint8_t *)"sampLe", 6, sig, 64),
	    SESH_ERR_BAD_SIGNATURE);
	sig[63] ^= 0x80;
	assert_int_equal(
	    pkey_verify(k, HASH_SHA256, (const uint8_t *)"sample", 6, sig, 64),
	    SESH_ERR_BAD_SIGNATURE);
	/* The published private key gives the published public key. */
	assert_int_equal(pkey_ecdsa_from_raw(PKEY_ECDSA_P256, point,
	                                     sizeof(point), scalar,
	                                     sizeof(scalar), &kp),
	                 0);
	buf_init(&b, 0);
	assert_int_equal(pkey_ecdsa_scalar(kp, &b), 0);
	assert_int_equal(buf_len(&b), 32);
	assert_memory_equal(buf_data(&b), scalar, 32);
	buf_clear(&b);
	pkey_free(k);
	pkey_free(kp);
}

/* ---- RSA ---- */

static void
get_part(const struct pkey *k, enum pkey_rsa_part part, struct buf *b)
{
	buf_init(b, 0);
	assert_int_equal(pkey_rsa_part(k, part, b), 0);
	assert_true(buf_len(b) > 0);
}

/* A big-endian number plus delta (delta small, no carry out). */
static void
bump(uint8_t *p, size_t n, int delta)
{
	int v = p[n - 1] + delta;

	assert_true(v >= 0 && v <= 255);
	p[n - 1] = (uint8_t)v;
}

static void
rsa_check_key(unsigned int bits)
{
	static const uint8_t msg[] = "rsa message";
	struct pkey *k = NULL, *k2 = NULL, *pub = NULL, *bad = NULL;
	struct buf s256, s512, parts[6];
	struct pkey_rsa_parts rp;
	uint8_t tmp[PKEY_RSA_MAX_BITS / 8];
	size_t i, modlen = (bits + 7) / 8;
	int ret;

	assert_int_equal(pkey_generate(PKEY_RSA, bits, &k), 0);
	assert_int_equal(pkey_bits(k), bits);
	assert_int_equal(pkey_get_type(k), PKEY_RSA);

	buf_init(&s256, 0);
	buf_init(&s512, 0);
	assert_int_equal(pkey_sign(k, HASH_SHA256, msg, sizeof(msg), &s256), 0);
	assert_int_equal(pkey_sign(k, HASH_SHA512, msg, sizeof(msg), &s512), 0);
	assert_int_equal(buf_len(&s256), modlen);
	assert_int_equal(buf_len(&s512), modlen);
	assert_int_equal(pkey_sign(k, HASH_SHA1, msg, sizeof(msg), &s256),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(pkey_verify(k, HASH_SHA256, msg, sizeof(msg),
	                             buf_data(&s256), buf_len(&s256)),
	                 0);
	assert_int_equal(pkey_verify(k, HASH_SHA512, msg, sizeof(msg),
	                             buf_data(&s512), buf_len(&s512)),
	                 0);
	/* Wrong hash, tampered message, tampered signature. */
	assert_int_equal(pkey_verify(k, HASH_SHA512, msg, sizeof(msg),
	                             buf_data(&s256), buf_len(&s256)),
	                 SESH_ERR_BAD_SIGNATURE);
	assert_int_equal(pkey_verify(k, HASH_SHA1, msg, sizeof(msg),
	                             buf_data(&s256), buf_len(&s256)),
	                 SESH_ERR_BAD_SIGNATURE);
	assert_int_equal(pkey_verify(k, HASH_SHA256, msg, sizeof(msg) - 1,
	                             buf_data(&s256), buf_len(&s256)),
	                 SESH_ERR_BAD_SIGNATURE);
	memcpy(tmp, buf_data(&s256), modlen);
	tmp[modlen / 2] ^= 0x10;
	assert_int_equal(
	    pkey_verify(k, HASH_SHA256, msg, sizeof(msg), tmp, modlen),
	    SESH_ERR_BAD_SIGNATURE);
	assert_int_equal(pkey_verify(k, HASH_SHA256, msg, sizeof(msg),
	                             buf_data(&s256), modlen + 0),
	                 0);

	/* Parts round trip. */
	get_part(k, PKEY_RSA_N, &parts[0]);
	get_part(k, PKEY_RSA_E, &parts[1]);
	get_part(k, PKEY_RSA_D, &parts[2]);
	get_part(k, PKEY_RSA_IQMP, &parts[3]);
	get_part(k, PKEY_RSA_P, &parts[4]);
	get_part(k, PKEY_RSA_Q, &parts[5]);
	assert_int_equal(buf_len(&parts[0]), modlen);
	assert_int_equal(buf_len(&parts[1]), 3);
	assert_memory_equal(buf_data(&parts[1]), "\x01\x00\x01", 3);
	memset(&rp, 0, sizeof(rp));
	rp.n = buf_data(&parts[0]);
	rp.n_len = buf_len(&parts[0]);
	rp.e = buf_data(&parts[1]);
	rp.e_len = buf_len(&parts[1]);
	assert_int_equal(pkey_rsa_from_parts(&rp, &pub), 0);
	assert_false(pkey_has_private(pub));
	assert_true(pkey_public_equal(k, pub));
	assert_int_equal(pkey_rsa_part(pub, PKEY_RSA_D, &parts[2]),
	                 SESH_ERR_INVALID_ARGUMENT);
	rp.d = buf_data(&parts[2]);
	rp.d_len = buf_len(&parts[2]);
	rp.iqmp = buf_data(&parts[3]);
	rp.iqmp_len = buf_len(&parts[3]);
	rp.p = buf_data(&parts[4]);
	rp.p_len = buf_len(&parts[4]);
	rp.q = buf_data(&parts[5]);
	rp.q_len = buf_len(&parts[5]);
	assert_int_equal(pkey_rsa_from_parts(&rp, &k2), 0);
	assert_true(pkey_has_private(k2));
	assert_true(pkey_public_equal(k, k2));
	buf_reset(&s256);
	assert_int_equal(pkey_sign(k2, HASH_SHA256, msg, sizeof(msg), &s256),
	                 0);
	assert_int_equal(pkey_verify(pub, HASH_SHA256, msg, sizeof(msg),
	                             buf_data(&s256), buf_len(&s256)),
	                 0);

	/* Inconsistent parts: each one changed in turn. */
	for (i = 2; i < 6; i++) {
		uint8_t *p = (uint8_t *)buf_data(&parts[i]);
		size_t n = buf_len(&parts[i]);
		int delta = (p[n - 1] < 128) ? 2 : -2;

		bump(p, n, delta);
		bad = (struct pkey *)1;
		ret = pkey_rsa_from_parts(&rp, &bad);
		/* d, p, q: the private half no longer fits n and e; iqmp:
		 * not the inverse of q. */
		assert_int_equal(ret, i == 3 ? SESH_ERR_INVALID_KEY
		                             : SESH_ERR_KEY_MISMATCH);
		assert_null(bad);
		bump(p, n, -delta);
	}
	/* p and q swapped: iqmp no longer the inverse of q mod p. */
	rp.p = buf_data(&parts[5]);
	rp.q = buf_data(&parts[4]);
	rp.p_len = buf_len(&parts[5]);
	rp.q_len = buf_len(&parts[4]);
	assert_int_equal(pkey_rsa_from_parts(&rp, &bad), SESH_ERR_INVALID_KEY);
	/* Missing components. */
	rp.q = NULL;
	assert_int_equal(pkey_rsa_from_parts(&rp, &bad),
	                 SESH_ERR_INVALID_ARGUMENT);
	/* Even exponent. */
	memset(&rp, 0, sizeof(rp));
	rp.n = buf_data(&parts[0]);
	rp.n_len = buf_len(&parts[0]);
	rp.e = (const uint8_t *)"\x01\x00\x00";
	rp.e_len = 3;
	assert_int_equal(pkey_rsa_from_parts(&rp, &bad), SESH_ERR_INVALID_KEY);
	/* Too short a modulus. */
	rp.e = buf_data(&parts[1]);
	rp.e_len = buf_len(&parts[1]);
	rp.n_len = 64;
	assert_int_equal(pkey_rsa_from_parts(&rp, &bad), SESH_ERR_KEY_LENGTH);

	buf_clear(&s256);
	buf_clear(&s512);
	for (i = 0; i < 6; i++) {
		buf_clear(&parts[i]);
	}
	pkey_free(k);
	pkey_free(k2);
	pkey_free(pub);
}

static void
test_rsa_1024(void **state)
{
	(void)state;
	rsa_check_key(1024);
}

static void
test_rsa_2048(void **state)
{
	(void)state;
	rsa_check_key(2048);
}

/* An odd modulus size keeps its exact bit length. */
static void
test_rsa_odd_size(void **state)
{
	struct pkey *k = NULL;

	(void)state;
	assert_int_equal(pkey_generate(PKEY_RSA, 1028, &k), 0);
	assert_int_equal(pkey_bits(k), 1028);
	pkey_free(k);
	assert_int_equal(pkey_generate(PKEY_RSA, 1016, &k),
	                 SESH_ERR_KEY_LENGTH);
	assert_int_equal(pkey_generate(PKEY_RSA, 16392, &k),
	                 SESH_ERR_KEY_LENGTH);
	assert_null(k);
}

/* A signature whose first octet is zero still verifies with the zero
 * stripped (some signers send it that way). */
static void
test_rsa_short_signature(void **state)
{
	struct pkey *k = NULL;
	struct buf s;
	uint32_t i;
	bool found = false;

	(void)state;
	assert_int_equal(pkey_generate(PKEY_RSA, 1024, &k), 0);
	buf_init(&s, 0);
	for (i = 0; i < 8192 && !found; i++) {
		buf_reset(&s);
		assert_int_equal(
		    pkey_sign(k, HASH_SHA256, (uint8_t *)&i, sizeof(i), &s), 0);
		assert_int_equal(buf_len(&s), 128);
		if (buf_data(&s)[0] == 0) {
			struct rd r;
			const uint8_t *tail;

			found = true;
			rd_init(&r, buf_data(&s), buf_len(&s));
			assert_int_equal(rd_skip(&r, 1), 0);
			tail = rd_ptr(&r);
			assert_int_equal(pkey_verify(k, HASH_SHA256,
			                             (uint8_t *)&i, sizeof(i),
			                             tail, rd_left(&r)),
			                 0);
		}
	}
	assert_true(found);
	buf_clear(&s);
	pkey_free(k);
}

/* ---- PEM ---- */

static char *
to_pem(const struct pkey *k, enum pkey_pem_format fmt, const char *pass,
       size_t *len)
{
	struct buf b;
	uint8_t *p = NULL;

	buf_init(&b, 0);
	assert_int_equal(pkey_to_pem(k, fmt, pass, &b), 0);
	assert_int_equal(buf_steal(&b, &p, len), 0);
	buf_clear(&b);
	return (char *)p;
}

static void
pem_round_trip(const struct pkey *k, enum pkey_pem_format fmt,
               const char *expect_header)
{
	struct pkey *k2 = NULL;
	size_t len;
	char *pem = to_pem(k, fmt, NULL, &len);
	bool priv = fmt == PKEY_PEM_PKCS8 || fmt == PKEY_PEM_TRAD;

	assert_non_null(strstr(pem, expect_header));
	if (priv) {
		assert_int_equal(pkey_from_pem_private(pem, len, NULL, &k2), 0);
		assert_true(pkey_has_private(k2));
	} else {
		assert_int_equal(pkey_from_pem_public(pem, len, &k2), 0);
		assert_false(pkey_has_private(k2));
		/* A public key is not a private key. */
		struct pkey *k3 = NULL;

		assert_int_not_equal(pkey_from_pem_private(pem, len, "x", &k3),
		                     0);
		assert_null(k3);
	}
	assert_int_equal(pkey_get_type(k2), pkey_get_type(k));
	assert_true(pkey_public_equal(k, k2));
	pkey_free(k2);
	free(pem);
}

static void
test_pem_round_trips(void **state)
{
	static const enum pkey_type types[] = {PKEY_ED25519, PKEY_ECDSA_P256,
	                                       PKEY_ECDSA_P384, PKEY_ECDSA_P521,
	                                       PKEY_RSA};
	static const char *trad[] = {
	    "BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY", "BEGIN EC PRIVATE KEY",
	    "BEGIN EC PRIVATE KEY", "BEGIN RSA PRIVATE KEY"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct pkey *k = NULL, *pub = NULL;
		struct buf b;

		assert_int_equal(pkey_generate(types[i],
		                               types[i] == PKEY_RSA ? 1024 : 0,
		                               &k),
		                 0);
		pem_round_trip(k, PKEY_PEM_PKCS8,
		               "-----BEGIN PRIVATE KEY-----");
		pem_round_trip(k, PKEY_PEM_TRAD, trad[i]);
		pem_round_trip(k, PKEY_PEM_SPKI, "-----BEGIN PUBLIC KEY-----");
		buf_init(&b, 0);
		if (types[i] == PKEY_RSA) {
			pem_round_trip(k, PKEY_PEM_PKCS1,
			               "-----BEGIN RSA PUBLIC KEY-----");
		} else {
			assert_int_equal(
			    pkey_to_pem(k, PKEY_PEM_PKCS1, NULL, &b),
			    SESH_ERR_INVALID_ARGUMENT);
		}
		/* Private formats need the private half. */
		assert_int_equal(pkey_public_copy(k, &pub), 0);
		assert_int_equal(pkey_to_pem(pub, PKEY_PEM_PKCS8, NULL, &b),
		                 SESH_ERR_INVALID_ARGUMENT);
		pem_round_trip(pub, PKEY_PEM_SPKI,
		               "-----BEGIN PUBLIC KEY-----");
		buf_clear(&b);
		pkey_free(pub);
		pkey_free(k);
	}
}

static void
check_encrypted(const struct pkey *k, enum pkey_pem_format fmt,
                const char *marker)
{
	struct pkey *k2 = NULL;
	size_t len;
	char *pem = to_pem(k, fmt, "correct horse", &len);

	assert_non_null(strstr(pem, marker));
	assert_int_equal(pkey_from_pem_private(pem, len, "correct horse", &k2),
	                 0);
	assert_true(pkey_public_equal(k, k2));
	pkey_free(k2);
	k2 = (struct pkey *)1;
	assert_int_equal(pkey_from_pem_private(pem, len, "wrong horse", &k2),
	                 SESH_ERR_WRONG_PASSPHRASE);
	assert_null(k2);
	assert_int_equal(pkey_from_pem_private(pem, len, NULL, &k2),
	                 SESH_ERR_PASSPHRASE_NEEDED);
	assert_int_equal(pkey_from_pem_private(pem, len, "", &k2),
	                 SESH_ERR_WRONG_PASSPHRASE);
	free(pem);
}

static void
test_pem_encrypted(void **state)
{
	struct pkey *ed = NULL, *ec = NULL, *rsa = NULL;

	(void)state;
	assert_int_equal(pkey_generate(PKEY_ED25519, 0, &ed), 0);
	assert_int_equal(pkey_generate(PKEY_ECDSA_P256, 0, &ec), 0);
	assert_int_equal(pkey_generate(PKEY_RSA, 1024, &rsa), 0);
	check_encrypted(ed, PKEY_PEM_PKCS8, "BEGIN ENCRYPTED PRIVATE KEY");
	check_encrypted(ec, PKEY_PEM_PKCS8, "BEGIN ENCRYPTED PRIVATE KEY");
	check_encrypted(rsa, PKEY_PEM_PKCS8, "BEGIN ENCRYPTED PRIVATE KEY");
	check_encrypted(ec, PKEY_PEM_TRAD, "Proc-Type: 4,ENCRYPTED");
	check_encrypted(rsa, PKEY_PEM_TRAD, "Proc-Type: 4,ENCRYPTED");
	pkey_free(ed);
	pkey_free(ec);
	pkey_free(rsa);
}

/* Keys made with openssl(1) that sesh does not support. */
static const char pem_x25519[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VuBCIEILg2iZKMDv8FjM8ByC+/YO7MMkBVfPBQBQDpnJEPGLNF\n"
    "-----END PRIVATE KEY-----\n";
static const char pem_ed448[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MEcCAQAwBQYDK2VxBDsEOTY/07PtAPpUxzyL4GkqJi5MTaUP3q9rWYAcQPgDPXxw\n"
    "FTmhqGueJcWyS3a6nU5wVZ47wZ+zil1eQQ==\n"
    "-----END PRIVATE KEY-----\n";
static const char pem_secp256k1[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgHFUZDFGbuxgU+vV9k1ZM\n"
    "KQGbpJAtDcPEirdXG/IJhhehRANCAATJlOm9vx6gFFCaBjOaTZy2nmH1cbhkpLJt\n"
    "cyZsLw09h0E/UVmzBb598hgsQk+A95I4e1MeUB4j6X/vdss2Snst\n"
    "-----END PRIVATE KEY-----\n";
static const char pem_rsa512[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIBOQIBAAJBAM8JhrCuCqKuKqI7VAk28KLBJZMuAE9rJl+BCLlPaaZau2be9MGR\n"
    "NK2LdttmoYUmJ1kFwqKe2SfNFV8TAeJlcCECAwEAAQJAYFr5oZ7Oeln+o5RjDwrP\n"
    "wZ+MwkvlfxDKQiaGjeAktnOrLHQII0I+KeWiFR9hYqUY9No8MH3Ng+pggHZDHk3V\n"
    "AQIhAPLjt4ybLPBG34LrgjZS3pSsixP0zulsJfYJDdUq9Q0RAiEA2jZljaPKcStG\n"
    "YygwkvaIcE3ch4+JxP9T7QMORJtuchECIFmHgJfOdxEWPrsGTlfx0eOheh5gBYja\n"
    "+V8oVTX3AJ7RAiBzGsKS5lVBQPyODYMh4p2x78BmWZborW6N1VDPa9XkoQIgHC/V\n"
    "B/6bSvq22J21kG5grraaZ4aa4wONcd4KduXafXc=\n"
    "-----END RSA PRIVATE KEY-----\n";

static void
test_pem_unsupported(void **state)
{
	static const char garbage[] = "-----BEGIN PRIVATE KEY-----\n"
	                              "bm90IGEga2V5\n"
	                              "-----END PRIVATE KEY-----\n";
	static const char openssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
	                              "b3BlbnNzaC1rZXktdjEAAAAA\n"
	                              "-----END OPENSSH PRIVATE KEY-----\n";
	struct pkey *k = NULL;

	(void)state;
	assert_int_equal(
	    pkey_from_pem_private(pem_x25519, strlen(pem_x25519), NULL, &k),
	    SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_int_equal(
	    pkey_from_pem_private(pem_ed448, strlen(pem_ed448), NULL, &k),
	    SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_int_equal(pkey_from_pem_private(pem_secp256k1,
	                                       strlen(pem_secp256k1), NULL, &k),
	                 SESH_ERR_KEY_TYPE_UNKNOWN);
	assert_int_equal(
	    pkey_from_pem_private(pem_rsa512, strlen(pem_rsa512), NULL, &k),
	    SESH_ERR_KEY_LENGTH);
	assert_int_equal(
	    pkey_from_pem_private(garbage, strlen(garbage), NULL, &k),
	    SESH_ERR_INVALID_FORMAT);
	assert_int_equal(
	    pkey_from_pem_private(openssh, strlen(openssh), NULL, &k),
	    SESH_ERR_INVALID_FORMAT);
	assert_int_equal(pkey_from_pem_private("", 0, NULL, &k),
	                 SESH_ERR_INVALID_FORMAT);
	assert_int_equal(pkey_from_pem_public(garbage, strlen(garbage), &k),
	                 SESH_ERR_INVALID_FORMAT);
	assert_null(k);
}

/*
 * Truncations and single-bit flips of a PEM file. A truncation is always
 * an error. A flip gives an error or, with strict, the very same key (a
 * change the format ignores); without strict (a public key has no
 * redundancy: a flipped modulus bit is another valid key) any outcome
 * but a crash or leak is fine, as long as most flips are caught.
 */
static void
sweep(const struct pkey *k, const char *pem, size_t len, bool priv, bool flips,
      bool strict)
{
	char *copy = malloc(len + 1);
	size_t i, ok_flips = 0;

	assert_non_null(copy);
	for (i = 0; i + 1 < len; i++) {
		struct pkey *k2 = NULL;
		int ret = priv ? pkey_from_pem_private(pem, i, NULL, &k2)
		               : pkey_from_pem_public(pem, i, &k2);

		assert_int_not_equal(ret, 0);
		assert_null(k2);
	}
	for (i = 0; flips && i < len * 8; i += 5) {
		struct pkey *k2 = NULL;
		int ret;

		memcpy(copy, pem, len);
		copy[i / 8] = (char)(copy[i / 8] ^ (1 << (i % 8)));
		ret = priv ? pkey_from_pem_private(copy, len, NULL, &k2)
		           : pkey_from_pem_public(copy, len, &k2);
		if (ret == 0) {
			assert_true(!strict || pkey_public_equal(k, k2));
			ok_flips++;
		} else {
			assert_null(k2);
		}
		pkey_free(k2);
	}
	/* Most flips must be caught. */
	assert_true(ok_flips < len);
	free(copy);
}

static void
test_pem_sweeps(void **state)
{
	struct pkey *ec = NULL, *rsa = NULL, *ed = NULL;
	char *pem;
	size_t len;

	(void)state;
	assert_int_equal(pkey_generate(PKEY_ECDSA_P256, 0, &ec), 0);
	assert_int_equal(pkey_generate(PKEY_RSA, 1024, &rsa), 0);
	assert_int_equal(pkey_generate(PKEY_ED25519, 0, &ed), 0);
	pem = to_pem(ec, PKEY_PEM_PKCS8, NULL, &len);
	sweep(ec, pem, len, true, true, true);
	free(pem);
	pem = to_pem(ec, PKEY_PEM_TRAD, NULL, &len);
	sweep(ec, pem, len, true, true, true);
	free(pem);
	pem = to_pem(ec, PKEY_PEM_SPKI, NULL, &len);
	sweep(ec, pem, len, false, true, true);
	free(pem);
	/* Ed25519 PKCS#8 holds only the seed: a flipped seed bit is simply
	 * another valid key, so only truncations are swept. */
	pem = to_pem(ed, PKEY_PEM_PKCS8, NULL, &len);
	sweep(ed, pem, len, true, false, false);
	free(pem);
	/* RSA: every component is cross-checked. */
	pem = to_pem(rsa, PKEY_PEM_TRAD, NULL, &len);
	sweep(rsa, pem, len, true, true, true);
	free(pem);
	pem = to_pem(rsa, PKEY_PEM_PKCS1, NULL, &len);
	sweep(rsa, pem, len, false, true, false);
	free(pem);
	pkey_free(ec);
	pkey_free(rsa);
	pkey_free(ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ed25519_rfc8032),
	    cmocka_unit_test(test_ed25519_generate),
	    cmocka_unit_test(test_ecdsa_sign_verify),
	    cmocka_unit_test(test_ecdsa_bad_points),
	    cmocka_unit_test(test_ecdsa_rfc6979_verify),
	    cmocka_unit_test(test_rsa_1024),
	    cmocka_unit_test(test_rsa_2048),
	    cmocka_unit_test(test_rsa_odd_size),
	    cmocka_unit_test(test_rsa_short_signature),
	    cmocka_unit_test(test_pem_round_trips),
	    cmocka_unit_test(test_pem_encrypted),
	    cmocka_unit_test(test_pem_unsupported),
	    cmocka_unit_test(test_pem_sweeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
