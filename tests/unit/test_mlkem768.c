/*
 * test_mlkem768.c - crypto/mlkem768 (FIPS 203 ML-KEM-768) and
 * crypto/sha3: FIPS 202 digests of "abc" and the empty string;
 * known-answer tests against an independent implementation
 * (tests/vectors/mlkem768/noble.txt, made by @noble/post-quantum:
 * KeyGen_internal from (d, z), Encaps_internal from m, Decaps, and the
 * implicit-rejection secret of a tampered ciphertext) and against NIST's
 * ACVP keyGen vector tcId 26 (ek's first and last 32 bytes, dk's first
 * 32, H(ek) as stored in dk, which pins all of ek, and z) and C2SP
 * CCTV's "unlucky" vector (the longer SHAKE128 read); round trips
 * over many seeds with the implicit-rejection value J(z || c') checked
 * for bit-flipped ciphertexts; FIPS 203 input checks (an ek coefficient
 * >= q refused, a dk whose H(ek) does not match refused); argument and
 * rand-function errors with outputs zeroed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/err.h"
#include "crypto/mlkem768.h"
#include "crypto/sha3.h"

/* Deterministic byte stream (splitmix64). */
static int
det_rand(void *ctx, void *p, size_t n)
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

static int
failing_rand(void *ctx, void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return SESH_ERR_SYSTEM;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != 0) {
			return false;
		}
	}
	return true;
}

/* ---- SHA-3 ---- */

static void
test_sha3(void **state)
{
	uint8_t out[64], want[64];

	(void)state;
	assert_int_equal(sha3_digest2(SHA3_256, "ab", 2, "c", 1, out, 32), 0);
	unhex(
	    "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
	    want, 32);
	assert_memory_equal(out, want, 32);
	assert_int_equal(sha3_digest2(SHA3_512, "abc", 3, NULL, 0, out, 64), 0);
	unhex(
	    "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
	    "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
	    want, 64);
	assert_memory_equal(out, want, 64);
	assert_int_equal(sha3_digest2(SHAKE128, NULL, 0, NULL, 0, out, 32), 0);
	unhex(
	    "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
	    want, 32);
	assert_memory_equal(out, want, 32);
	assert_int_equal(sha3_digest2(SHAKE256, NULL, 0, NULL, 0, out, 32), 0);
	unhex(
	    "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f",
	    want, 32);
	assert_memory_equal(out, want, 32);
	/* wrong lengths for fixed digests, bad arguments */
	assert_int_equal(sha3_digest2(SHA3_256, "abc", 3, NULL, 0, out, 31),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_true(all_zero(out, 31));
	assert_int_equal(sha3_digest2(SHAKE128, NULL, 1, NULL, 0, out, 8),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(sha3_digest2(SHAKE128, "a", 1, NULL, 0, out, 0),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(
	    sha3_digest2((enum sha3_alg)99, "a", 1, NULL, 0, out, 32),
	    SESH_ERR_INVALID_ARGUMENT);
}

/* ---- known answers ---- */

struct kat {
	uint8_t d[32], z[32], m[32];
	uint8_t pk[MLKEM768_PK_LEN], sk[MLKEM768_SK_LEN];
	uint8_t ct[MLKEM768_CT_LEN], ss[32], ss_bad[32];
};

static void
kat_check(const struct kat *v)
{
	uint8_t pk[MLKEM768_PK_LEN], sk[MLKEM768_SK_LEN];
	uint8_t ct[MLKEM768_CT_LEN], ss[32];

	assert_int_equal(mlkem768_keypair_derand(v->d, v->z, pk, sk), 0);
	assert_memory_equal(pk, v->pk, sizeof(pk));
	assert_memory_equal(sk, v->sk, sizeof(sk));
	assert_int_equal(mlkem768_enc_derand(v->pk, v->m, ct, ss), 0);
	assert_memory_equal(ct, v->ct, sizeof(ct));
	assert_memory_equal(ss, v->ss, sizeof(ss));
	assert_int_equal(mlkem768_dec(v->sk, v->ct, ss), 0);
	assert_memory_equal(ss, v->ss, sizeof(ss));
	/* the file's tampered ciphertext: byte 0 xor 1 */
	memcpy(ct, v->ct, sizeof(ct));
	ct[0] ^= 1;
	assert_int_equal(mlkem768_dec(v->sk, ct, ss), 0);
	assert_memory_equal(ss, v->ss_bad, sizeof(ss));
	assert_memory_not_equal(ss, v->ss, sizeof(ss));
}

static void
test_noble_vectors(void **state)
{
	struct kat *v = calloc(1, sizeof(*v));
	size_t n, count = 0;
	char *text, *line, *save = NULL;

	(void)state;
	assert_non_null(v);
	text = test_read_file(SESH_VECTORS_DIR "/mlkem768/noble.txt", &n);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");
		const char *val;

		if (line[0] == '#' || eq == NULL) {
			continue;
		}
		*eq = '\0';
		val = eq + 3;
		if (strcmp(line, "d") == 0) {
			assert_int_equal(unhex(val, v->d, 32), 32);
		} else if (strcmp(line, "z") == 0) {
			assert_int_equal(unhex(val, v->z, 32), 32);
		} else if (strcmp(line, "m") == 0) {
			assert_int_equal(unhex(val, v->m, 32), 32);
		} else if (strcmp(line, "pk") == 0) {
			assert_int_equal(unhex(val, v->pk, sizeof(v->pk)),
			                 sizeof(v->pk));
		} else if (strcmp(line, "sk") == 0) {
			assert_int_equal(unhex(val, v->sk, sizeof(v->sk)),
			                 sizeof(v->sk));
		} else if (strcmp(line, "ct") == 0) {
			assert_int_equal(unhex(val, v->ct, sizeof(v->ct)),
			                 sizeof(v->ct));
		} else if (strcmp(line, "ss") == 0) {
			assert_int_equal(unhex(val, v->ss, 32), 32);
		} else if (strcmp(line, "ss_bad") == 0) {
			assert_int_equal(unhex(val, v->ss_bad, 32), 32);
			kat_check(v);
			count++;
			memset(v, 0, sizeof(*v));
		}
	}
	assert_int_equal(count, 3);
	free(text);
	free(v);
}

/* NIST ACVP ML-KEM keyGen (FIPS203), ML-KEM-768 group, tcId 26. */
static void
test_acvp_keygen(void **state)
{
	uint8_t d[32], z[32], want[32];
	uint8_t pk[MLKEM768_PK_LEN], sk[MLKEM768_SK_LEN];

	(void)state;
	unhex(
	    "97C4789340DF47850A84889820B9B4307DF3E43A7DE3F5857340C791934F1E99",
	    d, 32);
	unhex(
	    "D7F7FE2AA083A10A9C267D3163D0FB888C9D2D7614482095EF1817E1E9E4AC88",
	    z, 32);
	assert_int_equal(mlkem768_keypair_derand(d, z, pk, sk), 0);
	unhex(
	    "C4308CB02B4C7A380D1B43CC2B343B01C6655DE002A38CBCB0229DB481BC50C9",
	    want, 32);
	assert_memory_equal(pk, want, 32);
	unhex(
	    "D5F7684D142354AA5EC322CEF3AB3A8E906088D2939A35349164DF25688C015D",
	    want, 32);
	assert_memory_equal(pk + MLKEM768_PK_LEN - 32, want, 32);
	unhex(
	    "F9C23E5887010816840BC7BE9715B0C3232B94EB64B5C983A67248EAE2623893",
	    want, 32);
	assert_memory_equal(sk, want, 32);
	/* dk = dk_PKE (1152) || ek (1184) || H(ek) || z */
	assert_memory_equal(sk + 1152, pk, MLKEM768_PK_LEN);
	unhex(
	    "345F067D4A9B077FBF18F7561CC71D409D21A3038F1EADD46F165E47B736ED73",
	    want, 32);
	assert_memory_equal(sk + 1152 + MLKEM768_PK_LEN, want, 32);
	assert_memory_equal(sk + MLKEM768_SK_LEN - 32, z, 32);
}

/*
 * C2SP CCTV ML-KEM "unluckysample" ML-KEM-768 vector: sampling Â needs
 * more SHAKE128 output than usual (here: past the first read). Checked:
 * H(ek) as stored in dk (pins all of ek), ek's first 32 bytes, K, and
 * the ciphertext's first and last 32 bytes.
 */
static void
test_cctv_unlucky(void **state)
{
	uint8_t d[32], z[32], m[32], want[32], ss[32];
	uint8_t *pk = malloc(MLKEM768_PK_LEN), *sk = malloc(MLKEM768_SK_LEN);
	uint8_t *ct = malloc(MLKEM768_CT_LEN);

	(void)state;
	assert_true(pk != NULL && sk != NULL && ct != NULL);
	unhex(
	    "82c4a361586b9715c2375a45fb85c32d04be7fe6e26acd820ec5d4080093afe1",
	    d, 32);
	unhex(
	    "8476013560151d986dc7834dcb57c75f845f8d7ee71558d0955f3f4feb723cf2",
	    z, 32);
	unhex(
	    "e48f74ad416e99631003ded1478aec62a02c245d88ed7f2fae92aedf13ca03b3",
	    m, 32);
	assert_int_equal(mlkem768_keypair_derand(d, z, pk, sk), 0);
	unhex(
	    "451f9b6547b8f6e927fbfe7598658160206040fdb57dd39ba8bf1f3a5ff89b9c",
	    want, 32);
	assert_memory_equal(sk + 1152 + MLKEM768_PK_LEN, want, 32);
	unhex(
	    "ad568015b87690ebbe1fb438ee8a22b9ac4379a12422e34037c231341c316bc0",
	    want, 32);
	assert_memory_equal(pk, want, 32);
	assert_int_equal(mlkem768_enc_derand(pk, m, ct, ss), 0);
	unhex(
	    "4f7cc64c040fc4e335a539691f4638caf8b1bf5da6455754afe699e41813801b",
	    want, 32);
	assert_memory_equal(ss, want, 32);
	unhex(
	    "696ef1699d5ac2aa9a012a64c60c6c214dcedec75ff87fb3a5850044202a790b",
	    want, 32);
	assert_memory_equal(ct, want, 32);
	unhex(
	    "09c7640acea982655b3294ee0371019b134559be391c29d990f82f8a1dd4a715",
	    want, 32);
	assert_memory_equal(ct + MLKEM768_CT_LEN - 32, want, 32);
	assert_int_equal(mlkem768_dec(sk, ct, ss), 0);
	unhex(
	    "4f7cc64c040fc4e335a539691f4638caf8b1bf5da6455754afe699e41813801b",
	    want, 32);
	assert_memory_equal(ss, want, 32);
	free(pk);
	free(sk);
	free(ct);
}

/* ---- round trips and implicit rejection ---- */

static void
test_roundtrips(void **state)
{
	uint8_t *pk = malloc(MLKEM768_PK_LEN), *sk = malloc(MLKEM768_SK_LEN);
	uint8_t *ct = malloc(MLKEM768_CT_LEN), *ct2 = malloc(MLKEM768_CT_LEN);
	uint8_t ss[32], ss2[32], j[32], pk0[32];
	uint64_t seed;
	int i, b;

	(void)state;
	assert_true(pk != NULL && sk != NULL && ct != NULL && ct2 != NULL);
	for (i = 0; i < 24; i++) {
		seed = (uint64_t)i * 7919 + 1;
		assert_int_equal(mlkem768_keypair(det_rand, &seed, pk, sk), 0);
		if (i == 0) {
			memcpy(pk0, pk, 32);
		} else {
			assert_memory_not_equal(pk, pk0, 32);
		}
		assert_int_equal(mlkem768_enc(det_rand, &seed, pk, ct, ss), 0);
		assert_int_equal(mlkem768_dec(sk, ct, ss2), 0);
		assert_memory_equal(ss, ss2, 32);
		/* a flipped bit anywhere gives J(z || c') */
		for (b = 0; b < 3; b++) {
			size_t bit = ((size_t)i * 1031 + (size_t)b * 2903) %
			             (MLKEM768_CT_LEN * 8);

			memcpy(ct2, ct, MLKEM768_CT_LEN);
			ct2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(mlkem768_dec(sk, ct2, ss2), 0);
			assert_int_equal(sha3_digest2(SHAKE256,
			                              sk + MLKEM768_SK_LEN - 32,
			                              32, ct2, MLKEM768_CT_LEN,
			                              j, sizeof(j)),
			                 0);
			assert_memory_equal(ss2, j, 32);
			assert_memory_not_equal(ss2, ss, 32);
		}
	}
	/* same seed, same keys */
	seed = 1;
	assert_int_equal(mlkem768_keypair(det_rand, &seed, pk, sk), 0);
	assert_memory_equal(pk, pk0, 32);
	free(pk);
	free(sk);
	free(ct);
	free(ct2);
}

/* ---- FIPS 203 input checks and errors ---- */

static void
test_input_checks(void **state)
{
	uint8_t *pk = malloc(MLKEM768_PK_LEN), *sk = malloc(MLKEM768_SK_LEN);
	uint8_t *ct = malloc(MLKEM768_CT_LEN);
	uint8_t m[32], ss[32];
	uint64_t seed = 42;
	size_t poly;

	(void)state;
	assert_true(pk != NULL && sk != NULL && ct != NULL);
	memset(m, 0x5a, sizeof(m));
	assert_int_equal(mlkem768_keypair(det_rand, &seed, pk, sk), 0);
	/* a 12-bit coefficient of q or 4095 in any of the three
	 * polynomials (first value of each: bytes 0-1, low 12 bits) */
	for (poly = 0; poly < 3; poly++) {
		uint8_t save0 = pk[poly * 384], save1 = pk[poly * 384 + 1];

		pk[poly * 384] = 3329 & 0xff; /* 0xd01 */
		pk[poly * 384 + 1] = (uint8_t)((save1 & 0xf0) | (3329 >> 8));
		memset(ct, 0xee, MLKEM768_CT_LEN);
		memset(ss, 0xee, sizeof(ss));
		assert_int_equal(mlkem768_enc_derand(pk, m, ct, ss),
		                 SESH_ERR_INVALID_KEY);
		assert_true(all_zero(ct, MLKEM768_CT_LEN));
		assert_true(all_zero(ss, sizeof(ss)));
		pk[poly * 384] = 0xff;
		pk[poly * 384 + 1] = (uint8_t)(save1 | 0x0f);
		assert_int_equal(mlkem768_enc(det_rand, &seed, pk, ct, ss),
		                 SESH_ERR_INVALID_KEY);
		pk[poly * 384] = save0;
		pk[poly * 384 + 1] = save1;
	}
	/* q - 1 is fine */
	pk[0] = (3328 & 0xff);
	pk[1] = (uint8_t)((pk[1] & 0xf0) | (3328 >> 8));
	assert_int_equal(mlkem768_enc_derand(pk, m, ct, ss), 0);
	/* dk's H(ek) must match its ek */
	assert_int_equal(mlkem768_dec(sk, ct, ss), 0);
	sk[1152 + 1184] ^= 1;
	memset(ss, 0xee, sizeof(ss));
	assert_int_equal(mlkem768_dec(sk, ct, ss), SESH_ERR_INVALID_KEY);
	assert_true(all_zero(ss, sizeof(ss)));
	free(pk);
	free(sk);
	free(ct);
}

static void
test_errors(void **state)
{
	uint8_t *pk = malloc(MLKEM768_PK_LEN), *sk = malloc(MLKEM768_SK_LEN);
	uint8_t *ct = malloc(MLKEM768_CT_LEN);
	uint8_t m[32] = {0}, ss[32];
	uint64_t seed = 3;

	(void)state;
	assert_true(pk != NULL && sk != NULL && ct != NULL);
	assert_int_equal(MLKEM768_PK_LEN, 1184);
	assert_int_equal(MLKEM768_SK_LEN, 2400);
	assert_int_equal(MLKEM768_CT_LEN, 1088);
	assert_int_equal(MLKEM768_SS_LEN, 32);
	memset(pk, 0xee, MLKEM768_PK_LEN);
	memset(sk, 0xee, MLKEM768_SK_LEN);
	assert_int_equal(mlkem768_keypair(failing_rand, NULL, pk, sk),
	                 SESH_ERR_SYSTEM);
	assert_true(all_zero(pk, MLKEM768_PK_LEN));
	assert_true(all_zero(sk, MLKEM768_SK_LEN));
	assert_int_equal(mlkem768_keypair(NULL, NULL, pk, sk),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_keypair(det_rand, &seed, NULL, sk),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_keypair_derand(NULL, m, pk, sk),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_keypair(det_rand, &seed, pk, sk), 0);
	memset(ss, 0xee, sizeof(ss));
	assert_int_equal(mlkem768_enc(failing_rand, NULL, pk, ct, ss),
	                 SESH_ERR_SYSTEM);
	assert_true(all_zero(ss, sizeof(ss)));
	assert_int_equal(mlkem768_enc(det_rand, &seed, NULL, ct, ss),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_enc_derand(pk, NULL, ct, ss),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_dec(NULL, ct, ss), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_dec(sk, NULL, ss), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mlkem768_dec(sk, ct, NULL), SESH_ERR_INVALID_ARGUMENT);
	free(pk);
	free(sk);
	free(ct);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha3),
	    cmocka_unit_test(test_noble_vectors),
	    cmocka_unit_test(test_acvp_keygen),
	    cmocka_unit_test(test_cctv_unlucky),
	    cmocka_unit_test(test_roundtrips),
	    cmocka_unit_test(test_input_checks),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
