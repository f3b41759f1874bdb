/*
 * test_srvauth_delay.c - the failed-authentication delay's arithmetic and
 * key (app/srvauth.h): the delay is in range, stable for a user and a
 * key, differs between users and keys; the target is the delay or its
 * next multiple; the key is the same for the same Ed25519 or RSA host
 * key (every connection process of a daemon) and random without one.
 * No timing here (tests/adversarial/test_auth_timing.py measures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "app/srvauth.h"
#include "base/err.h"
#include "key/key.h"

static void
test_target(void **state)
{
	(void)state;
	assert_int_equal(srvauth_delay_target_us(0, 7000), 7000);
	assert_int_equal(srvauth_delay_target_us(6999, 7000), 7000);
	assert_int_equal(srvauth_delay_target_us(7000, 7000), 7000);
	assert_int_equal(srvauth_delay_target_us(7001, 7000), 14000);
	assert_int_equal(srvauth_delay_target_us(20000, 7000), 21000);
	assert_int_equal(srvauth_delay_target_us(21000, 7000), 21000);
	/* a long check (PAM): the next multiple, not a doubling */
	assert_int_equal(srvauth_delay_target_us(3000001, 5000), 3005000);
	assert_int_equal(srvauth_delay_target_us(123, 0), 123);
	assert_int_equal(srvauth_delay_target_us(UINT64_MAX / 2, 5000) % 5000,
	                 0);
}

static void
test_delay_range_and_stability(void **state)
{
	uint8_t k1[SRVAUTH_DELAY_KEY_LEN], k2[SRVAUTH_DELAY_KEY_LEN];
	uint32_t lo = UINT32_MAX, hi = 0, d;
	unsigned distinct_keys = 0;
	char name[32];
	int i;

	(void)state;
	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		d = srvauth_delay_us(k1, name);
		assert_true(d >= SRVAUTH_DELAY_MIN_US);
		assert_true(d < SRVAUTH_DELAY_MIN_US + SRVAUTH_DELAY_JITTER_US);
		assert_int_equal(d, srvauth_delay_us(k1, name));
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		distinct_keys += d != srvauth_delay_us(k2, name);
	}
	/* the jitter spreads over its range */
	assert_true(lo < SRVAUTH_DELAY_MIN_US + SRVAUTH_DELAY_JITTER_US / 10);
	assert_true(hi >
	            SRVAUTH_DELAY_MIN_US + SRVAUTH_DELAY_JITTER_US * 9 / 10);
	/* another key, another delay (almost always) */
	assert_true(distinct_keys > 1900);
	/* an unknown and an empty name go through the same HMAC */
	d = srvauth_delay_us(k1, "");
	assert_true(d >= SRVAUTH_DELAY_MIN_US &&
	            d < SRVAUTH_DELAY_MIN_US + SRVAUTH_DELAY_JITTER_US);
	assert_int_equal(srvauth_delay_us(NULL, "x"), SRVAUTH_DELAY_MIN_US);
	assert_int_equal(srvauth_delay_us(k1, NULL), SRVAUTH_DELAY_MIN_US);
}

static void
key_twice(enum key_type t, unsigned bits, bool same)
{
	uint8_t a[SRVAUTH_DELAY_KEY_LEN], b[SRVAUTH_DELAY_KEY_LEN];
	struct sshkey *k = NULL, *other = NULL;
	const struct sshkey *keys[2];

	assert_int_equal(key_generate(t, bits, &k), 0);
	keys[0] = k;
	assert_int_equal(srvauth_delay_key(keys, 1, a), 0);
	assert_int_equal(srvauth_delay_key(keys, 1, b), 0);
	if (same) {
		assert_memory_equal(a, b, sizeof(a));
		/* another host key, another delay key */
		assert_int_equal(key_generate(t, bits, &other), 0);
		keys[0] = other;
		assert_int_equal(srvauth_delay_key(keys, 1, b), 0);
		assert_memory_not_equal(a, b, sizeof(a));
		/* the preferred key wins whatever its place */
		keys[0] = other;
		keys[1] = k;
		assert_int_equal(srvauth_delay_key(keys, 2, b), 0);
		assert_memory_not_equal(a, b, sizeof(a));
	} else {
		assert_memory_not_equal(a, b, sizeof(a));
	}
	key_free(k);
	key_free(other);
}

static void
test_key_from_hostkey(void **state)
{
	(void)state;
	key_twice(KEY_ED25519, 0, true);
	key_twice(KEY_RSA, 2048, true);
	/* ECDSA signatures are randomized: a random key */
	key_twice(KEY_ECDSA_P256, 0, false);
}

static void
test_key_mixed_and_none(void **state)
{
	uint8_t a[SRVAUTH_DELAY_KEY_LEN], b[SRVAUTH_DELAY_KEY_LEN];
	struct sshkey *ed = NULL, *rsa = NULL, *ec = NULL;
	const struct sshkey *keys[3];

	(void)state;
	assert_int_equal(key_generate(KEY_ECDSA_P256, 0, &ec), 0);
	assert_int_equal(key_generate(KEY_RSA, 2048, &rsa), 0);
	assert_int_equal(key_generate(KEY_ED25519, 0, &ed), 0);
	keys[0] = ed;
	assert_int_equal(srvauth_delay_key(keys, 1, a), 0);
	/* Ed25519 is preferred over RSA and ECDSA, whatever the order */
	keys[0] = ec;
	keys[1] = rsa;
	keys[2] = ed;
	assert_int_equal(srvauth_delay_key(keys, 3, b), 0);
	assert_memory_equal(a, b, sizeof(a));
	/* a public key cannot sign: skipped */
	{
		struct sshkey *pub = NULL;

		assert_int_equal(key_public_copy(ed, &pub), 0);
		keys[0] = pub;
		keys[1] = rsa;
		assert_int_equal(srvauth_delay_key(keys, 2, b), 0);
		assert_memory_not_equal(a, b, sizeof(a));
		keys[0] = rsa;
		assert_int_equal(srvauth_delay_key(keys, 1, a), 0);
		assert_memory_equal(a, b, sizeof(a));
		key_free(pub);
	}
	/* none at all: random */
	assert_int_equal(srvauth_delay_key(NULL, 0, a), 0);
	assert_int_equal(srvauth_delay_key(NULL, 0, b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(srvauth_delay_key(NULL, 1, a),
	                 SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(srvauth_delay_key(keys, 1, NULL),
	                 SESH_ERR_INVALID_ARGUMENT);
	key_free(ed);
	key_free(rsa);
	key_free(ec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target),
	    cmocka_unit_test(test_delay_range_and_stability),
	    cmocka_unit_test(test_key_from_hostkey),
	    cmocka_unit_test(test_key_mixed_and_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
