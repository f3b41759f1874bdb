/*
 * test_mac.c - crypto/mac: the SSH MAC registry and
 * mac = HMAC(key, uint32 seqnr || data).
 *
 * Known answers: RFC 4231 test cases 1 and 2 (HMAC-SHA-256/512) and
 * RFC 2202 test case 2 (HMAC-SHA-1). The SSH MAC key must be the hash
 * size, and HMAC pads a short key with zeros to the block size, so the
 * RFC key followed by zeros is the same key; the RFC message is split as
 * its first 4 bytes (read as the big-endian sequence number) and the
 * rest. Independently, every algorithm is checked against hmac_digest()
 * over the explicitly concatenated seqnr || data. Plus verify/tamper.
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
#include "crypto/mac.h"

static void
test_registry(void **state)
{
	static const struct {
		const char *name;
		enum hash_alg hash;
		size_t len;
		bool etm;
	} want[] = {
	    {"hmac-sha2-256", HASH_SHA256, 32, false},
	    {"hmac-sha2-512", HASH_SHA512, 64, false},
	    {"hmac-sha2-256-etm@openssh.com", HASH_SHA256, 32, true},
	    {"hmac-sha2-512-etm@openssh.com", HASH_SHA512, 64, true},
	    {"hmac-sha1", HASH_SHA1, 20, false},
	};
	const struct mac_alg *a;
	size_t i, count = 0;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		a = mac_by_name(want[i].name);
		assert_non_null(a);
		assert_string_equal(a->name, want[i].name);
		assert_int_equal(a->hash, want[i].hash);
		assert_int_equal(a->key_len, want[i].len);
		assert_int_equal(a->tag_len, want[i].len);
		assert_int_equal(a->etm, want[i].etm);
	}
	assert_null(mac_by_name("hmac-md5"));
	assert_null(mac_by_name("umac-64@openssh.com"));
	assert_null(mac_by_name("hmac-sha2-25"));
	assert_null(mac_by_name(""));
	assert_null(mac_by_name(NULL));
	/* A view: the name is a prefix of a longer buffer. */
	a = mac_by_name_n("hmac-sha2-512,hmac-sha1", 13);
	assert_non_null(a);
	assert_string_equal(a->name, "hmac-sha2-512");
	assert_null(mac_by_name_n("hmac-sha2-512,hmac-sha1", 12));
	while (mac_alg_at(count) != NULL) {
		assert_ptr_equal(mac_by_name(mac_alg_at(count)->name),
		                 mac_alg_at(count));
		count++;
	}
	assert_int_equal(count, sizeof(want) / sizeof(want[0]));
}

struct kat {
	const char *alg;
	const char *rfc_key_hex;
	const char *msg; /* first 4 bytes become the seqnr */
	const char *tag_hex;
};

static const struct kat kats[] = {
    /* RFC 4231 test case 1 */
    {"hmac-sha2-256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"hmac-sha2-512-etm@openssh.com",
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    /* RFC 4231 test case 2 */
    {"hmac-sha2-256-etm@openssh.com", "4a656665",
     "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"hmac-sha2-512", "4a656665", "what do ya want for nothing?",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    /* RFC 2202 test case 2 */
    {"hmac-sha1", "4a656665", "what do ya want for nothing?",
     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
};

static void
test_rfc_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		const struct mac_alg *a = mac_by_name(kats[i].alg);
		uint8_t key[MAC_MAX_KEY_LEN] = {0};
		uint8_t want[MAC_MAX_TAG_LEN], got[MAC_MAX_TAG_LEN];
		const uint8_t *msg = (const uint8_t *)kats[i].msg;
		size_t wl;
		uint32_t seqnr;
		struct mac_ctx *m = NULL;

		assert_non_null(a);
		unhex(kats[i].rfc_key_hex, key, sizeof(key));
		wl = unhex(kats[i].tag_hex, want, sizeof(want));
		assert_int_equal(wl, a->tag_len);
		seqnr = (uint32_t)msg[0] << 24 | (uint32_t)msg[1] << 16 |
		        (uint32_t)msg[2] << 8 | msg[3];
		assert_int_equal(mac_new(a, key, &m), 0);
		assert_int_equal(mac_compute(m, seqnr, msg + 4,
		                             strlen(kats[i].msg) - 4, got),
		                 0);
		assert_memory_equal(got, want, wl);
		/* The context is reusable: same answer again. */
		memset(got, 0, sizeof(got));
		assert_int_equal(mac_compute(m, seqnr, msg + 4,
		                             strlen(kats[i].msg) - 4, got),
		                 0);
		assert_memory_equal(got, want, wl);
		assert_int_equal(mac_verify(m, seqnr, msg + 4,
		                            strlen(kats[i].msg) - 4, want),
		                 0);
		mac_free(m);
	}
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* Every algorithm against hmac_digest over seqnr || data. */
static void
test_vs_hmac_digest(void **state)
{
	static const uint32_t seqnrs[] = {0, 1, 0x01020304u, 0xffffffffu};
	const struct mac_alg *a;
	size_t i, j, n;

	(void)state;
	for (i = 0; (a = mac_alg_at(i)) != NULL; i++) {
		uint8_t key[MAC_MAX_KEY_LEN];
		struct mac_ctx *m = NULL;

		fill(key, sizeof(key), (uint32_t)i + 7);
		assert_int_equal(mac_new(a, key, &m), 0);
		assert_ptr_equal(mac_alg(m), a);
		for (j = 0; j < sizeof(seqnrs) / sizeof(seqnrs[0]); j++) {
			for (n = 0; n < 300; n += 37) {
				uint8_t buf[4 + 300], data[300];
				uint8_t want[MAC_MAX_TAG_LEN];
				uint8_t got[MAC_MAX_TAG_LEN];

				fill(data, n, (uint32_t)(n + j));
				buf[0] = (uint8_t)(seqnrs[j] >> 24);
				buf[1] = (uint8_t)(seqnrs[j] >> 16);
				buf[2] = (uint8_t)(seqnrs[j] >> 8);
				buf[3] = (uint8_t)seqnrs[j];
				memcpy(buf + 4, data, n);
				assert_int_equal(hmac_digest(a->hash, key,
				                             a->key_len, buf,
				                             4 + n, want),
				                 0);
				assert_int_equal(
				    mac_compute(m, seqnrs[j], data, n, got), 0);
				assert_memory_equal(got, want, a->tag_len);
			}
		}
		mac_free(m);
	}
}

static void
test_verify_tamper(void **state)
{
	const struct mac_alg *a;
	size_t i, bit;

	(void)state;
	for (i = 0; (a = mac_alg_at(i)) != NULL; i++) {
		uint8_t key[MAC_MAX_KEY_LEN], data[64];
		uint8_t tag[MAC_MAX_TAG_LEN];
		struct mac_ctx *m = NULL;

		fill(key, sizeof(key), 99);
		fill(data, sizeof(data), 5);
		assert_int_equal(mac_new(a, key, &m), 0);
		assert_int_equal(mac_compute(m, 42, data, sizeof(data), tag),
		                 0);
		assert_int_equal(mac_verify(m, 42, data, sizeof(data), tag), 0);
		assert_int_equal(mac_verify(m, 43, data, sizeof(data), tag),
		                 SESH_ERR_MAC_INVALID);
		assert_int_equal(mac_verify(m, 42, data, sizeof(data) - 1, tag),
		                 SESH_ERR_MAC_INVALID);
		for (bit = 0; bit < a->tag_len * 8; bit++) {
			tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(
			    mac_verify(m, 42, data, sizeof(data), tag),
			    SESH_ERR_MAC_INVALID);
			tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		for (bit = 0; bit < sizeof(data) * 8; bit += 7) {
			data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_int_equal(
			    mac_verify(m, 42, data, sizeof(data), tag),
			    SESH_ERR_MAC_INVALID);
			data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		mac_free(m);
	}
}

static void
test_bad_args(void **state)
{
	uint8_t key[MAC_MAX_KEY_LEN] = {0}, tag[MAC_MAX_TAG_LEN];
	struct mac_ctx *m = (struct mac_ctx *)key; /* must be cleared */
	const struct mac_alg *a = mac_by_name("hmac-sha2-256");

	(void)state;
	assert_int_equal(mac_new(NULL, key, &m), SESH_ERR_INVALID_ARGUMENT);
	assert_null(m);
	assert_int_equal(mac_new(a, NULL, &m), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mac_new(a, key, NULL), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mac_compute(NULL, 0, key, 1, tag),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mac_new(a, key, &m), 0);
	assert_int_equal(mac_compute(m, 0, NULL, 1, tag),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(mac_compute(m, 0, NULL, 0, tag), 0);
	assert_int_equal(mac_verify(m, 0, NULL, 0, tag), 0);
	assert_int_equal(mac_verify(m, 0, NULL, 0, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	mac_free(m);
	mac_free(NULL);
	assert_null(mac_alg(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_rfc_vectors),
	    cmocka_unit_test(test_vs_hmac_digest),
	    cmocka_unit_test(test_verify_tamper),
	    cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
