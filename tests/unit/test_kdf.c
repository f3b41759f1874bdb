/*
 * test_kdf.c - crypto/kdf (RFC 4253 §7.2).
 *
 * Known answers from an independent composition in the test (the
 * concatenations hashed one-shot with hash_digest) for one block and the
 * extension path, and hard-coded vectors produced with python3 hashlib.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#include "base/err.h"
#include "crypto/hash.h"
#include "crypto/kdf.h"

/* K as mpint: 00000021 00 81 82 ... a0 (a positive 32-byte value). */
static uint8_t k_enc[37];
static uint8_t H[32];
static uint8_t sid[32];

static int
setup(void **state)
{
	size_t i;

	(void)state;
	k_enc[0] = 0;
	k_enc[1] = 0;
	k_enc[2] = 0;
	k_enc[3] = 0x21;
	k_enc[4] = 0;
	for (i = 0; i < 32; i++) {
		k_enc[5 + i] = (uint8_t)(0x81 + i);
		H[i] = (uint8_t)(0xa0 + i);
		sid[i] = (uint8_t)(0xc0 + i);
	}
	return 0;
}

/*
 * Independent composition: K1 = HASH(K || H || letter || session_id),
 * Kn = HASH(K || H || K1 || ... || K(n-1)), each hashed in one shot.
 */
static void
ref_kdf(enum hash_alg alg, char letter, const uint8_t *s, size_t slen,
        uint8_t *out, size_t out_len)
{
	uint8_t msg[1024], stream[512];
	size_t dl = hash_len(alg), m = 0, have = 0;

	memcpy(&msg[m], k_enc, sizeof(k_enc));
	m += sizeof(k_enc);
	memcpy(&msg[m], H, sizeof(H));
	m += sizeof(H);
	msg[m++] = (uint8_t)letter;
	memcpy(&msg[m], s, slen);
	m += slen;
	assert_int_equal(hash_digest(alg, msg, m, stream), 0);
	have = dl;
	while (have < out_len) {
		m = 0;
		memcpy(&msg[m], k_enc, sizeof(k_enc));
		m += sizeof(k_enc);
		memcpy(&msg[m], H, sizeof(H));
		m += sizeof(H);
		memcpy(&msg[m], stream, have);
		m += have;
		assert_true(have + dl <= sizeof(stream));
		assert_int_equal(hash_digest(alg, msg, m, &stream[have]), 0);
		have += dl;
	}
	memcpy(out, stream, out_len);
}

static void
check_vs_ref(enum hash_alg alg, char letter, size_t out_len)
{
	uint8_t want[512], got[512];

	assert_true(out_len <= sizeof(got));
	ref_kdf(alg, letter, sid, sizeof(sid), want, out_len);
	memset(got, 0xee, sizeof(got));
	assert_int_equal(kdf_derive(alg, k_enc, sizeof(k_enc), H, sizeof(H),
	                            letter, sid, sizeof(sid), got, out_len),
	                 0);
	assert_memory_equal(got, want, out_len);
	assert_int_equal(got[out_len], 0xee); /* nothing written beyond */
}

static void
test_sha256_one_block(void **state)
{
	(void)state;
	check_vs_ref(HASH_SHA256, 'A', 32);
	check_vs_ref(HASH_SHA256, 'B', 16);
}

static void
test_sha256_extension(void **state)
{
	(void)state;
	check_vs_ref(HASH_SHA256, 'C', 64);
	check_vs_ref(HASH_SHA256, 'D', 48);
	check_vs_ref(HASH_SHA256, 'E', 100);
}

static void
test_sha512(void **state)
{
	(void)state;
	check_vs_ref(HASH_SHA512, 'A', 64);
	check_vs_ref(HASH_SHA512, 'F', 32);
	check_vs_ref(HASH_SHA512, 'C', 130);
	check_vs_ref(HASH_SHA384, 'C', 64);
}

/*
 * Hard-coded vectors, produced outside this code base with python3:
 *
 * python3 -c '
 * import hashlib
 * K=bytes.fromhex("00000021")+b"\x00"+bytes(range(0x81,0xa1))
 * H=bytes(range(0xa0,0xc0)); sid=bytes(range(0xc0,0xe0))
 * def kdf(alg,letter,n):
 *     k=hashlib.new(alg,K+H+letter+sid).digest()
 *     while len(k)<n: k+=hashlib.new(alg,K+H+k).digest()
 *     return k[:n]
 * print(kdf("sha256",b"C",64).hex()); print(kdf("sha512",b"E",100).hex())'
 */
static void
test_hardcoded(void **state)
{
	uint8_t want[100], got[100];

	(void)state;
	unhex("da458495dfc948bd5410026a724dc9a06e2344d3caf94db967069c93cb76"
	      "21af250c1aa0cc6a2c61088d5762ddc093eed443d0cbe9f1379e3437cb04"
	      "b11d7f02",
	      want, sizeof(want));
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'C', sid, sizeof(sid), got, 64),
	                 0);
	assert_memory_equal(got, want, 64);

	unhex("bb1bd6cd96f9a896703e449e20365ca47ccea4cc1ae2200b1190d0f44875"
	      "61ae1783534c9ad6aca7b45c5c3ba1626f435b67599f918fbfd9e309686b"
	      "6c731c6dc883550b6f941e093126ec092203d452d19b36df936db11ade5d"
	      "f2d8e5c7bfd343ba6b3a",
	      want, sizeof(want));
	assert_int_equal(kdf_derive(HASH_SHA512, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'E', sid, sizeof(sid), got, 100),
	                 0);
	assert_memory_equal(got, want, 100);
}

/* Letters and session ids must matter; a prefix property must hold. */
static void
test_inputs_matter(void **state)
{
	uint8_t a[64], b[64], other_sid[32];

	(void)state;
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', sid, sizeof(sid), a, 64),
	                 0);
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'B', sid, sizeof(sid), b, 64),
	                 0);
	assert_memory_not_equal(a, b, 32);
	memcpy(other_sid, sid, sizeof(sid));
	other_sid[31] ^= 1;
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', other_sid,
	                            sizeof(other_sid), b, 64),
	                 0);
	assert_memory_not_equal(a, b, 32);
	/* A shorter request is a prefix of a longer one. */
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', sid, sizeof(sid), b, 40),
	                 0);
	assert_memory_equal(a, b, 40);
}

static void
test_bad_args(void **state)
{
	uint8_t out[KDF_MAX_OUT + 1];

	(void)state;
	memset(out, 0xee, sizeof(out));
	assert_int_equal(kdf_derive((enum hash_alg)77, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', sid, sizeof(sid), out, 16),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(out[0], 0); /* cleared on entry */
	assert_int_equal(kdf_derive(HASH_SHA256, NULL, 0, H, sizeof(H), 'A',
	                            sid, sizeof(sid), out, 16),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', sid, sizeof(sid), out, 0),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', sid, sizeof(sid), out,
	                            KDF_MAX_OUT + 1),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(kdf_derive(HASH_SHA256, k_enc, sizeof(k_enc), H,
	                            sizeof(H), 'A', sid, sizeof(sid), out,
	                            KDF_MAX_OUT),
	                 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_one_block),
	    cmocka_unit_test(test_sha256_extension),
	    cmocka_unit_test(test_sha512),
	    cmocka_unit_test(test_hardcoded),
	    cmocka_unit_test(test_inputs_matter),
	    cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
