/*
 * test_rand.c - crypto/rand: the CSPRNG wrapper, rand_uniform's range and
 * argument checks, crypto_wipe and crypto_equal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "crypto/rand.h"

static void
test_bytes(void **state)
{
	uint8_t a[64], b[64], zero[64] = {0};

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(rand_bytes(a, sizeof(a)), 0);
	assert_int_equal(rand_bytes(b, sizeof(b)), 0);
	/* 2^-512 chance each of a false failure. */
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(rand_bytes(NULL, 0), 0);
	assert_int_equal(rand_bytes(NULL, 1), SESH_ERR_INVALID_ARGUMENT);
}

static void
test_uniform(void **state)
{
	static const uint32_t uppers[] = {1,  2,    3,           7,
	                                  10, 1000, 0x80000001u, 0xffffffffu};
	uint32_t v = 0;
	size_t i, k;
	unsigned seen[3] = {0};

	(void)state;
	for (i = 0; i < sizeof(uppers) / sizeof(uppers[0]); i++) {
		for (k = 0; k < 200; k++) {
			assert_int_equal(rand_uniform(uppers[i], &v), 0);
			assert_true(v < uppers[i]);
		}
	}
	/* Every value of a small range shows up (fails w.p. ~3 * (2/3)^600). */
	for (k = 0; k < 600; k++) {
		assert_int_equal(rand_uniform(3, &v), 0);
		seen[v]++;
	}
	assert_true(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
	v = 5;
	assert_int_equal(rand_uniform(0, &v), SESH_ERR_INVALID_ARGUMENT);
	assert_int_equal(v, 0);
	assert_int_equal(rand_uniform(3, NULL), SESH_ERR_INVALID_ARGUMENT);
}

static void
test_wipe_equal(void **state)
{
	uint8_t a[16], b[16], zero[16] = {0};

	(void)state;
	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_true(crypto_equal(a, b, sizeof(a)));
	b[15] ^= 1;
	assert_false(crypto_equal(a, b, sizeof(a)));
	b[15] ^= 1;
	b[0] ^= 0x80;
	assert_false(crypto_equal(a, b, sizeof(a)));
	assert_true(crypto_equal(a, b, 0));
	crypto_wipe(a, sizeof(a));
	assert_memory_equal(a, zero, sizeof(a));
	crypto_wipe(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_uniform),
	    cmocka_unit_test(test_wipe_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
