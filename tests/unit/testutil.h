/*
 * testutil.h - small helpers shared by the cmocka unit tests. Include it
 * after <cmocka.h>.
 */
#ifndef SESH_TESTS_TESTUTIL_H
#define SESH_TESTS_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Decodes a hex string (even length, at most max bytes) into out; fails
 * the test on bad input. Returns the byte count. */
static inline size_t
unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s) / 2, i;

	assert_true(strlen(s) % 2 == 0);
	assert_true(n <= max);
	for (i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(&s[2 * i], "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

#endif
