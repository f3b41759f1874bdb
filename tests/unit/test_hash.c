/*
 * test_hash.c - known answers for crypto/hash: FIPS 180-4 example
 * messages (one- and two-block) for SHA-1/256/384/512, RFC 1321's MD5
 * suite, RFC 4231 HMAC-SHA-256/512 test cases 1, 2, 6 and 7; incremental
 * hashing and reusable HMAC contexts must agree with the one-shot calls.
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

static void
check_digest(enum hash_alg alg, const char *msg, const char *hex)
{
	uint8_t want[HASH_MAX_LEN], got[HASH_MAX_LEN];
	size_t n = unhex(hex, want, sizeof(want));

	assert_int_equal(n, hash_len(alg));
	memset(got, 0, sizeof(got));
	assert_int_equal(hash_digest(alg, msg, strlen(msg), got), 0);
	assert_memory_equal(got, want, n);
}

/* FIPS 180-4 examples: "abc" and the two-block messages. */
static const char m448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char m896[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

static void
test_sha1(void **state)
{
	(void)state;
	check_digest(HASH_SHA1, "abc",
	             "a9993e364706816aba3e25717850c26c9cd0d89d");
	check_digest(HASH_SHA1, m448,
	             "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

static void
test_sha256(void **state)
{
	(void)state;
	check_digest(HASH_SHA256, "abc",
	             "ba7816bf8f01cfea414140de5dae2223"
	             "b00361a396177a9cb410ff61f20015ad");
	check_digest(HASH_SHA256, m448,
	             "248d6a61d20638b8e5c026930c3e6039"
	             "a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_sha384(void **state)
{
	(void)state;
	check_digest(HASH_SHA384, "abc",
	             "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
	             "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	check_digest(HASH_SHA384, m896,
	             "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2"
	             "2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
}

static void
test_sha512(void **state)
{
	(void)state;
	check_digest(HASH_SHA512, "abc",
	             "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea2"
	             "0a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	             "454d4423643ce80e2a9ac94fa54ca49f");
	check_digest(HASH_SHA512, m896,
	             "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa1"
	             "7299aeadb6889018501d289e4900f7e4331b99dec4b5433a"
	             "c7d329eeb6dd26545e96e55b874be909");
}

/* RFC 1321 §A.5 test suite. */
static void
test_md5(void **state)
{
	(void)state;
	check_digest(HASH_MD5, "", "d41d8cd98f00b204e9800998ecf8427e");
	check_digest(HASH_MD5, "a", "0cc175b9c0f1b6a831c399e269772661");
	check_digest(HASH_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
	check_digest(HASH_MD5, "message digest",
	             "f96b697d7cb7938d525a2f31aaf161d0");
	check_digest(HASH_MD5, "abcdefghijklmnopqrstuvwxyz",
	             "c3fcd3d76192e4007dfb496cca67e13b");
	check_digest(HASH_MD5,
	             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	             "0123456789",
	             "d174ab98d277d9f5a5611c2c9f419d9f");
	check_digest(HASH_MD5,
	             "1234567890123456789012345678901234567890"
	             "1234567890123456789012345678901234567890",
	             "57edf4a22be3c955ac49da2e2107b67a");
}

static void
test_lengths_and_names(void **state)
{
	(void)state;
	assert_int_equal(hash_len(HASH_MD5), 16);
	assert_int_equal(hash_len(HASH_SHA1), 20);
	assert_int_equal(hash_len(HASH_SHA256), 32);
	assert_int_equal(hash_len(HASH_SHA384), 48);
	assert_int_equal(hash_len(HASH_SHA512), 64);
	assert_string_equal(hash_name(HASH_SHA256), "SHA256");
	assert_string_equal(hash_name(HASH_MD5), "MD5");
}

static void
test_bad_args(void **state)
{
	uint8_t out[HASH_MAX_LEN];
	struct hash_ctx *h = (struct hash_ctx *)out;
	struct hmac_ctx *m = (struct hmac_ctx *)out;

	(void)state;
	assert_int_equal(hash_len((enum hash_alg)77), 0);
	assert_int_equal(hash_digest((enum hash_alg)77, "x", 1, out),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hash_digest(HASH_SHA256, NULL, 1, out),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(hash_new((enum hash_alg)77, &h),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(h);
	assert_int_equal(hmac_new((enum hash_alg)77, "k", 1, &m),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_null(m);
	/* Empty input is a valid message. */
	assert_int_equal(hash_digest(HASH_SHA256, NULL, 0, out), 0);
}

/* Every split point of a 300-byte message gives the one-shot digest. */
static void
test_incremental(void **state)
{
	static const enum hash_alg algs[] = {HASH_MD5, HASH_SHA1, HASH_SHA256,
	                                     HASH_SHA384, HASH_SHA512};
	uint8_t msg[300], one[HASH_MAX_LEN], inc[HASH_MAX_LEN];
	size_t a, i, cut;

	(void)state;
	for (i = 0; i < sizeof(msg); i++) {
		msg[i] = (uint8_t)(i * 7 + 3);
	}
	for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		struct hash_ctx *h = NULL;
		size_t dl = hash_len(algs[a]);

		assert_int_equal(hash_digest(algs[a], msg, sizeof(msg), one),
		                 0);
		assert_int_equal(hash_new(algs[a], &h), 0);
		for (cut = 0; cut <= sizeof(msg); cut += 13) {
			assert_int_equal(hash_update(h, msg, cut), 0);
			assert_int_equal(
			    hash_update(h, &msg[cut], sizeof(msg) - cut), 0);
			memset(inc, 0, sizeof(inc));
			assert_int_equal(hash_final(h, inc), 0);
			assert_memory_equal(inc, one, dl);
			assert_int_equal(hash_reset(h), 0);
		}
		/* Byte at a time. */
		for (i = 0; i < sizeof(msg); i++) {
			assert_int_equal(hash_update(h, &msg[i], 1), 0);
		}
		assert_int_equal(hash_final(h, inc), 0);
		assert_memory_equal(inc, one, dl);
		hash_free(h);
	}
	hash_free(NULL);
}

struct hmac_tc {
	const char *key_hex;
	const char *data;
	const char *sha256;
	const char *sha512;
};

/* RFC 4231 §4.2, §4.3, §4.7, §4.8 (test cases 1, 2, 6, 7). */
#define AA131                                                                  \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"     \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"     \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"     \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"     \
	"aaaaaa"
static const struct hmac_tc hmac_tcs[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {"4a656665", "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {AA131, "Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
     "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    {AA131,
     "This is a test using a larger than block-size key and a larger "
     "than block-size data. The key needs to be hashed before being "
     "used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
     "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

static void
check_hmac(enum hash_alg alg, const uint8_t *key, size_t klen, const char *data,
           const char *hex)
{
	uint8_t want[HASH_MAX_LEN], got[HASH_MAX_LEN];
	size_t n = unhex(hex, want, sizeof(want)), dlen = strlen(data), i;
	struct hmac_ctx *h = NULL;
	int round;

	assert_int_equal(n, hash_len(alg));
	memset(got, 0, sizeof(got));
	assert_int_equal(hmac_digest(alg, key, klen, data, dlen, got), 0);
	assert_memory_equal(got, want, n);

	/* A reusable context gives the same MAC every round. */
	assert_int_equal(hmac_new(alg, key, klen, &h), 0);
	for (round = 0; round < 3; round++) {
		if (round > 0) {
			assert_int_equal(hmac_init(h), 0);
		}
		for (i = 0; i < dlen; i += 5) {
			size_t part = dlen - i < 5 ? dlen - i : 5;

			assert_int_equal(hmac_update(h, &data[i], part), 0);
		}
		memset(got, 0, sizeof(got));
		assert_int_equal(hmac_final(h, got), 0);
		assert_memory_equal(got, want, n);
	}
	/* A different message under the same context gives another MAC. */
	assert_int_equal(hmac_init(h), 0);
	assert_int_equal(hmac_update(h, "x", 1), 0);
	assert_int_equal(hmac_final(h, got), 0);
	assert_memory_not_equal(got, want, n);
	hmac_free(h);
}

static void
test_hmac_rfc4231(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hmac_tcs) / sizeof(hmac_tcs[0]); i++) {
		uint8_t key[160];
		size_t klen = unhex(hmac_tcs[i].key_hex, key, sizeof(key));

		check_hmac(HASH_SHA256, key, klen, hmac_tcs[i].data,
		           hmac_tcs[i].sha256);
		check_hmac(HASH_SHA512, key, klen, hmac_tcs[i].data,
		           hmac_tcs[i].sha512);
	}
	hmac_free(NULL);
}

/*
 * Empty key and message; expected value from
 * python3 -c 'import hmac;print(hmac.new(b"",b"","sha256").hexdigest())'
 */
static void
test_hmac_empty_key(void **state)
{
	uint8_t k[1] = {0};

	(void)state;
	check_hmac(HASH_SHA256, k, 0, "",
	           "b613679a0814d9ec772f95d778c35fc5"
	           "ff1697c493715653c6c712144292c5ad");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha1),
	    cmocka_unit_test(test_sha256),
	    cmocka_unit_test(test_sha384),
	    cmocka_unit_test(test_sha512),
	    cmocka_unit_test(test_md5),
	    cmocka_unit_test(test_lengths_and_names),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_incremental),
	    cmocka_unit_test(test_hmac_rfc4231),
	    cmocka_unit_test(test_hmac_empty_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
